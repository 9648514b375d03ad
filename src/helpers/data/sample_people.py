"""Synthetic residents of the sample (region, kecamatan, sex, birth date, NIK) and spell arrays.

Dates are day numbers (days since 1970-01-01, int64) so that millions of spells stay
numpy arrays; :data:`NO_DATE` stands for an empty date (an open spell's end). A *spell
array dict* has ``person`` (index into the residents), ``segment``, ``start``, ``end``,
``paid`` and registry-specific columns; :func:`members_at` and :func:`active_at` count
distinct people by the indicators' member and active rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from helpers.data import reference
from helpers.data.sample_design import (
    AS_OF_DATE,
    CALIBRATION_DATE,
    DISTRICT_SIZE_NOISE,
    GRACE_MONTHS,
    NIK_ELSEWHERE_NTB,
    NIK_OUTSIDE_NTB,
    OTHER_PROVINCES,
    POPULATION_YEAR,
    scaled,
)
from helpers.errors import ParameterError

__all__ = ["NO_DATE", "Plan", "active_at", "concat", "day", "members_at", "month_end",
           "month_number", "niks", "residents", "spells", "uniform_days"]

#: Day number that stands for "no date" (an open spell's end_date).
NO_DATE = -(10**9)
#: Stage numbers of the random streams (one stream per stage and region).
STREAM_RESIDENTS, STREAM_JKN, STREAM_JAMSOSTEK = 1, 2, 3


@dataclass(frozen=True)
class Plan:
    """What to generate: the seed, the scale and the regions (all of one province).

    ``serial_offset`` is added to every NIK serial number: the national sample gives each
    province its own range (NTB 0), so no two provinces' residents share a NIK.
    """

    seed: int
    scale: float
    region_codes: tuple[str, ...]
    serial_offset: int = 0

    def rng(self, stream: int, region_index: int) -> np.random.Generator:
        """The random stream of one stage and region: changing one region's targets
        leaves every other region's rows as they were."""
        return np.random.default_rng([self.seed, stream, region_index])


def day(value: date) -> int:
    """A date as a day number."""
    return int(np.datetime64(value, "D").astype(np.int64))


def month_end(days: np.ndarray) -> np.ndarray:
    """Last day of the month of each day number."""
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of each day number (the indicators' month index)."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def uniform_days(rng: np.random.Generator, start: date, end: date, size: int) -> np.ndarray:
    """``size`` day numbers drawn uniformly from ``start`` to ``end`` (inclusive)."""
    return rng.integers(day(start), day(end) + 1, size=size)


# ----------------------------------------------------------------------------------------
# Residents
# ----------------------------------------------------------------------------------------


def residents(plan: Plan, factors: dict[str, float]) -> dict[str, np.ndarray]:
    """One synthetic resident per person: region, district, sex, birth date, NIK.

    Args:
        plan: seed, scale, regions.
        factors: residents relative to the Dukcapil 2024 figure, per region
            (:func:`helpers.data.sample_design.resident_factor`).
    """
    population = reference.population_total(
        list(plan.region_codes), POPULATION_YEAR, reference.DEFAULT_POPULATION_VINTAGE)
    villages = reference.district_labour(POPULATION_YEAR)
    province = plan.region_codes[0][:2]
    all_kabkota = reference.kabkota_codes(province)
    other_provinces = [p for p in OTHER_PROVINCES if p != int(province)]
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "region", "district", "female", "birth", "reg_prov", "reg_kab", "reg_kec")}
    for region_index, code in enumerate(plan.region_codes):
        rng = plan.rng(STREAM_RESIDENTS, region_index)
        size = scaled(population[code] * factors.get(code, 1.0), plan.scale)
        rows = villages[villages["region_code"] == code]
        district_numbers = np.array([int(c.split(".")[2]) for c in rows["district_code"]])
        weights = (rows["desa_count"] + rows["kelurahan_count"]).to_numpy(float)
        weights *= rng.uniform(1 - DISTRICT_SIZE_NOISE, 1 + DISTRICT_SIZE_NOISE, len(weights))
        district = rng.choice(district_numbers, size=size, p=weights / weights.sum())
        female = rng.random(size) < 0.5
        # Age 0-90 with a pyramid-like profile: flat to 40, then falling to a tenth at 85.
        ages = np.arange(91)
        age_weights = np.where(ages < 40, 1.0, np.clip(1.0 - (ages - 40) / 50, 0.05, 1.0))
        age = rng.choice(ages, size=size, p=age_weights / age_weights.sum())
        birth = day(CALIBRATION_DATE) - age * 365 - rng.integers(0, 365, size=size)
        # Place of first NIK registration: mostly the domicile kecamatan.
        reg_prov = np.full(size, int(province))
        reg_kab = np.full(size, int(code.split(".")[1]))
        reg_kec = district.copy()
        draw = rng.random(size)
        elsewhere = draw < NIK_ELSEWHERE_NTB
        other_kab = rng.choice([int(c.split(".")[1]) for c in all_kabkota], size=size)
        reg_kab = np.where(elsewhere, other_kab, reg_kab)
        reg_kec = np.where(elsewhere, rng.integers(1, 6, size=size), reg_kec)
        outside = (draw >= NIK_ELSEWHERE_NTB) & (draw < NIK_ELSEWHERE_NTB + NIK_OUTSIDE_NTB)
        reg_prov = np.where(outside, rng.choice(other_provinces, size=size), reg_prov)
        reg_kab = np.where(outside, rng.integers(1, 20, size=size), reg_kab)
        reg_kec = np.where(outside, rng.integers(1, 15, size=size), reg_kec)
        for key, value in (("region", np.full(size, region_index)), ("district", district),
                           ("female", female), ("birth", birth), ("reg_prov", reg_prov),
                           ("reg_kab", reg_kab), ("reg_kec", reg_kec)):
            parts[key].append(value)
    result = {k: np.concatenate(v) for k, v in parts.items()}
    result["nik"] = niks(result, plan.serial_offset)
    return result


def niks(residents_: dict[str, np.ndarray], serial_offset: int = 0) -> np.ndarray:
    """NIK as int64: PP KK CC DDMMYY SSSS, women's day + 40, serial unique per prefix+date
    (from ``serial_offset`` + 1)."""
    birth = residents_["birth"].astype("datetime64[D]")
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    days = days + np.where(residents_["female"], 40, 0)
    stem = (
        residents_["reg_prov"].astype(np.int64) * 10**10
        + residents_["reg_kab"].astype(np.int64) * 10**8
        + residents_["reg_kec"].astype(np.int64) * 10**6
        + days * 10**4 + months * 10**2 + years % 100
    )
    order = np.argsort(stem, kind="stable")
    sorted_stem = stem[order]
    group_start = np.r_[True, sorted_stem[1:] != sorted_stem[:-1]]
    positions = np.arange(len(stem))
    start_index = np.maximum.accumulate(np.where(group_start, positions, 0))
    serial = np.empty(len(stem), dtype=np.int64)
    serial[order] = positions - start_index + 1 + serial_offset
    if serial.max(initial=0) > 9999:
        raise ParameterError("more than 9,999 synthetic people share a NIK prefix and birth date")
    return stem * 10**4 + serial


# ----------------------------------------------------------------------------------------
# Spell arrays
# ----------------------------------------------------------------------------------------


def spells(person, segment, start, end=None, paid=None, **extra) -> dict[str, np.ndarray]:
    """A spell array dict; ``end`` defaults to open, ``paid`` to the extract date."""
    size = len(person)
    result = {
        "person": np.asarray(person, dtype=np.int64),
        "segment": np.broadcast_to(np.asarray(segment), (size,)).copy(),
        "start": np.asarray(start, dtype=np.int64).copy(),
        "end": np.full(size, NO_DATE, dtype=np.int64) if end is None else np.asarray(end, np.int64),
        "paid": (np.full(size, day(AS_OF_DATE), dtype=np.int64) if paid is None
                 else np.asarray(paid, np.int64).copy()),
    }
    for key, value in extra.items():
        result[key] = np.broadcast_to(np.asarray(value), (size,)).copy()
    return result


def concat(pieces: list[dict[str, np.ndarray]], defaults: dict) -> dict[str, np.ndarray]:
    """One spell array dict from many (columns a piece lacks take ``defaults``)."""
    keys = {k for piece in pieces for k in piece}
    out = {}
    for key in keys:
        arrays = []
        for piece in pieces:
            size = len(piece["person"])
            arrays.append(piece[key] if key in piece else np.full(size, defaults[key]))
        out[key] = np.concatenate(arrays)
    return out


def _member_mask(piece: dict[str, np.ndarray], at: int) -> np.ndarray:
    return (piece["start"] <= at) & ((piece["end"] == NO_DATE) | (piece["end"] > at))


def _active_mask(piece: dict[str, np.ndarray], at: int) -> np.ndarray:
    recent = month_number(piece["paid"]) >= month_number(np.array([at]))[0] - GRACE_MONTHS
    return _member_mask(piece, at) & recent


def members_at(pieces: list[dict[str, np.ndarray]], at: date, where=None) -> int:
    """Distinct people with a spell open at ``at`` (the indicators' member rule).

    ``where(piece)`` may return a mask restricting the spells (e.g. formal segments).
    """
    return _distinct(pieces, day(at), _member_mask, where)


def active_at(pieces: list[dict[str, np.ndarray]], at: date, where=None) -> int:
    """Distinct people active at ``at``: member, paid within GRACE_MONTHS of at's month."""
    return _distinct(pieces, day(at), _active_mask, where)


def _distinct(pieces, at: int, rule, where) -> int:
    people = []
    for piece in pieces:
        mask = rule(piece, at)
        if where is not None:
            mask &= where(piece)
        people.append(piece["person"][mask])
    return int(len(np.unique(np.concatenate(people)))) if people else 0
