"""Synthetic NTB registries: person-level membership histories for BPJS TK and JKN.

The generator draws one synthetic resident population per kab/kota (sized from
``data/reference/population.csv``), enrols most residents in JKN and a realistic share
of working-age residents in BPJS Ketenagakerjaan, and writes both registries with the
DESIGN section 4 schema to ``data/sample/``. Every NIK follows the NIK structure but is
synthetic; names come from short made-up lists.

Calibration (sample design, from the regional news report and the domain notes §0, §4.5):
Lombok Tengah (52.02) at 2024-12-31 has exactly 13,600 active non-ASN staff paid from the
APBD, 6,000 tobacco farmers paid from DBHCHT (funded in every month of 2024; 12,050 at
2025-12-31) and 500 fishermen paid from the APBD (since 2022, every month). Nobody else
in 52.02 is funded from DBHCHT or the APBD. These figures scale with ``scale``.

Faults are injected as extra rows, each carrying exactly one fault, at the rates in
``FAULT_RATES``; the counts go to ``manifest.json`` so the intake can be checked.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.data import reference
from helpers.data.schema import JAMSOSTEK_SEGMENTS, JKN_SEGMENTS, column_names
from helpers.errors import ParameterError
from helpers.paths import sample_dir

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20241231
#: The synthetic registries are extracts as of this date (spells 2022-2025).
AS_OF_DATE = date(2025, 12, 31)
#: The date the calibrated figures hold at.
CALIBRATION_DATE = date(2024, 12, 31)
POPULATION_YEAR = 2024

#: Share of rows (relative to the valid rows) injected as faulty extra rows, by ledger reason.
FAULT_RATES = {
    "duplicate_row": 0.003,
    "invalid_nik": 0.001,
    "unparseable_date": 0.0005,
    "end_before_start": 0.0005,
    "unknown_region": 0.0003,
    "missing_value": 0.0005,
}

# ----------------------------------------------------------------------------------------
# Sample design constants (documented in data/README.md, "Sample registries").
# ----------------------------------------------------------------------------------------

#: JKN members at 2024-12-31 as a share of the Dukcapil 2024 population. Lombok Tengah:
#: 99.0 % (published 99.82 % early 2025, 98.99 % Jan 2026); Lombok Timur 95.95 % in
#: Mar 2024; Lombok Utara 101.93 % (more members than the stale population figure).
JKN_COVERAGE = {
    "52.01": 0.985, "52.02": 0.990, "52.03": 0.968, "52.04": 0.982, "52.05": 0.976,
    "52.06": 0.972, "52.07": 0.992, "52.08": 1.019, "52.71": 0.991, "52.72": 0.986,
}
#: JKN segment mix of members (PBI_APBN, PBPU_PEMDA, PPU, PBPU, BP). Lombok Tengah from the
#: published early-2025 figures (678,154 / 214,330 / 160,537 / 41,357 / 10,221).
JKN_MIX_LOMBOK_TENGAH = (678154, 214330, 160537, 41357, 10221)
JKN_MIX_OTHER = (0.55, 0.17, 0.18, 0.08, 0.02)
JKN_MIX_CITY = (0.38, 0.12, 0.35, 0.12, 0.03)
#: Share of members in arrears (paid_through lapsed) by JKN segment. PBI deactivations and
#: PBPU arrears bring the active rate near the published 78-81 % for Lombok Tengah.
JKN_ARREARS_SHARE = {"PBI_APBN": 0.25, "PBPU_PEMDA": 0.02, "PPU": 0.12, "PBPU": 0.55, "BP": 0.25}
JKN_ARREARS_SHARE_LOMBOK_UTARA = 0.004  # 99.4 % active (Sept 2025)

#: BPJS TK NTB at 2024-12-31: 756,783 active, of which 208,558 informal (BPU).
NTB_TK_ACTIVE = 756_783
NTB_TK_ACTIVE_INFORMAL = 208_558
#: Formal segment split (PU, JAKON, PMI) of formal active workers.
FORMAL_SPLIT = (0.78, 0.17, 0.05)
#: Members with an open spell but contributions lapsed, relative to active, by segment.
TK_LAPSED_SHARE = {"PU": 0.12, "BPU": 0.55, "JAKON": 0.05, "PMI": 0.10}
#: Ended spells (people who left or changed job), relative to active members.
TK_ENDED_SHARE = 0.30
#: New members in 2025, relative to members active at 2024-12-31.
TK_JOINERS_2025_SHARE = 0.08

#: Lombok Tengah regional programmes (exact at scale 1).
LOMBOK_TENGAH = "52.02"
CALIBRATED_NON_ASN = 13_600
CALIBRATED_TOBACCO_2024 = 6_000
CALIBRATED_TOBACCO_2025 = 12_050
CALIBRATED_FISHERS = 500
#: Elsewhere: share of the target group (target_groups.csv) a Pemda programme covers.
PEMDA_PROGRAMME_SHARE = {
    "non_asn_staff": 0.75, "tobacco_farmer": 0.0, "fisher": 0.06,
    "village_official": 0.85, "election_staff": 0.40,
}
#: Lombok Timur DBHCHT tobacco programme: 17,195 workers in 2024 (domain notes §3).
TOBACCO_PROGRAMMES = {"52.03": 17_195, "52.01": 2_000, "52.04": 1_000}

#: Share of residents whose NIK was first registered elsewhere in NTB / outside NTB.
NIK_ELSEWHERE_NTB = 0.05
NIK_OUTSIDE_NTB = 0.03
OTHER_PROVINCES = (35, 51, 53, 31, 32, 33, 73, 64)
#: Actual residents relative to the Dukcapil figure (Lombok Utara outgrew its stale figure).
RESIDENT_FACTOR = {"52.08": 1.021}

FIRST_NAMES_MALE = (
    "Ahmad Agus Bagus Budi Dedi Eko Fajar Gede Hadi Hendra Imam Iwan Joko Komang Lalu "
    "Made Muhammad Nyoman Putu Rahmat Rizki Sahrul Slamet Sugeng Taufik Wayan Yusuf Zainal "
    "Amaq Baiq Dani Firman Hasan Irwan Junaidi Kurniawan Lukman Mahsun Nasrullah Rusdi"
).split()
FIRST_NAMES_FEMALE = (
    "Aisyah Ani Baiq Dewi Endang Fitri Hikmah Indah Juwita Kartini Lestari Maya Ni Nurul "
    "Putri Rahma Rina Sari Siti Sri Suryani Tuti Wati Yanti Zahra Inaq Halimah Mariani "
    "Nurhayati Ratna Sumiati Wulan Yuliana Fatimah Hasanah Khairunnisa Laila Muslimah"
).split()
FAMILY_NAMES = (
    "Hidayat Saputra Pratama Wijaya Kurnia Ramadhan Santoso Nugroho Setiawan Hakim Hasan "
    "Mahendra Putra Putri Maulana Firdaus Syahputra Gunawan Irawan Permana Susanto Rahman "
    "Fadli Habibi Zulkarnain Sahid Mustafa Anwar Arifin Bahri Fauzi Hamdani Iskandar Jamal "
    "Kamal Latif Munir Nasution Rasyid Subhan Thohir Umar Wahid Yasin Zakaria Amrullah"
).split()


@dataclass(frozen=True)
class _Plan:
    """What to generate: the regions and their scaled sizes."""

    seed: int
    scale: float
    region_codes: tuple[str, ...]


#: Day number that stands for "no date" (an open spell's end_date).
NO_DATE = -(10**9)


def _day(value: date) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def _month_end(days: np.ndarray) -> np.ndarray:
    """Last day of the month of each day number."""
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


def _uniform_days(rng: np.random.Generator, start: date, end: date, size: int) -> np.ndarray:
    return rng.integers(_day(start), _day(end) + 1, size=size)


def _scaled(count: float, scale: float) -> int:
    return int(round(count * scale))


# ----------------------------------------------------------------------------------------
# Residents
# ----------------------------------------------------------------------------------------


def _residents(rng: np.random.Generator, plan: _Plan) -> dict[str, np.ndarray]:
    """One synthetic resident per person: region, district, sex, birth date, NIK."""
    population = reference.population_total(
        list(plan.region_codes), POPULATION_YEAR, reference.DEFAULT_POPULATION_VINTAGE
    )
    districts = reference.districts()
    all_kabkota = reference.kabkota_codes("52")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "region", "district", "female", "birth", "reg_prov", "reg_kab", "reg_kec")}
    for region_index, code in enumerate(plan.region_codes):
        size = _scaled(population[code] * RESIDENT_FACTOR.get(code, 1.0), plan.scale)
        region_districts = districts.loc[districts["region_code"] == code, "district_code"]
        district_numbers = np.array([int(c.split(".")[2]) for c in region_districts])
        district_weights = rng.uniform(0.6, 1.4, size=len(district_numbers))
        district = rng.choice(district_numbers, size=size,
                              p=district_weights / district_weights.sum())
        female = rng.random(size) < 0.5
        # Age 0-90 with a pyramid-like profile: flat to 40, then falling to a tenth at 85.
        ages = np.arange(91)
        weights = np.where(ages < 40, 1.0, np.clip(1.0 - (ages - 40) / 50, 0.05, 1.0))
        age = rng.choice(ages, size=size, p=weights / weights.sum())
        birth = _day(CALIBRATION_DATE) - age * 365 - rng.integers(0, 365, size=size)
        # Place of first NIK registration: mostly the domicile kecamatan.
        reg_prov = np.full(size, 52)
        reg_kab = np.full(size, int(code.split(".")[1]))
        reg_kec = district.copy()
        draw = rng.random(size)
        elsewhere = draw < NIK_ELSEWHERE_NTB
        other_kab = rng.choice([int(c.split(".")[1]) for c in all_kabkota], size=size)
        reg_kab = np.where(elsewhere, other_kab, reg_kab)
        reg_kec = np.where(elsewhere, rng.integers(1, 6, size=size), reg_kec)
        outside = (draw >= NIK_ELSEWHERE_NTB) & (draw < NIK_ELSEWHERE_NTB + NIK_OUTSIDE_NTB)
        reg_prov = np.where(outside, rng.choice(OTHER_PROVINCES, size=size), reg_prov)
        reg_kab = np.where(outside, rng.integers(1, 20, size=size), reg_kab)
        reg_kec = np.where(outside, rng.integers(1, 15, size=size), reg_kec)
        for key, value in (("region", np.full(size, region_index)), ("district", district),
                           ("female", female), ("birth", birth), ("reg_prov", reg_prov),
                           ("reg_kab", reg_kab), ("reg_kec", reg_kec)):
            parts[key].append(value)
    residents = {k: np.concatenate(v) for k, v in parts.items()}
    residents["nik"] = _niks(rng, residents)
    return residents


def _niks(rng: np.random.Generator, residents: dict[str, np.ndarray]) -> np.ndarray:
    """NIK as int64: PP KK CC DDMMYY SSSS, women's day + 40, serial unique per prefix+date."""
    birth = residents["birth"].astype("datetime64[D]")
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    days = days + np.where(residents["female"], 40, 0)
    stem = (
        residents["reg_prov"].astype(np.int64) * 10**10
        + residents["reg_kab"].astype(np.int64) * 10**8
        + residents["reg_kec"].astype(np.int64) * 10**6
        + days * 10**4 + months * 10**2 + years % 100
    )
    order = np.argsort(stem, kind="stable")
    sorted_stem = stem[order]
    group_start = np.r_[True, sorted_stem[1:] != sorted_stem[:-1]]
    positions = np.arange(len(stem))
    start_index = np.maximum.accumulate(np.where(group_start, positions, 0))
    serial = np.empty(len(stem), dtype=np.int64)
    serial[order] = positions - start_index + 1
    if serial.max(initial=0) > 9999:
        raise ParameterError("more than 9,999 synthetic people share a NIK prefix and birth date")
    return stem * 10**4 + serial


# ----------------------------------------------------------------------------------------
# Spells
# ----------------------------------------------------------------------------------------


def _spells(person, segment, start, end=None, paid=None, **extra) -> dict[str, np.ndarray]:
    size = len(person)
    spells = {
        "person": np.asarray(person, dtype=np.int64),
        "segment": np.broadcast_to(np.asarray(segment), (size,)).copy(),
        "start": np.asarray(start, dtype=np.int64),
        "end": np.full(size, NO_DATE, dtype=np.int64) if end is None else np.asarray(end, np.int64),
        "paid": np.full(size, _day(AS_OF_DATE)) if paid is None else np.asarray(paid, np.int64),
    }
    for key, value in extra.items():
        spells[key] = np.broadcast_to(np.asarray(value), (size,)).copy()
    return spells


def _concat(pieces: list[dict[str, np.ndarray]], defaults: dict) -> dict[str, np.ndarray]:
    keys = {k for piece in pieces for k in piece}
    out = {}
    for key in keys:
        arrays = []
        for piece in pieces:
            size = len(piece["person"])
            arrays.append(piece[key] if key in piece else np.full(size, defaults[key]))
        out[key] = np.concatenate(arrays)
    return out


def _jkn(rng: np.random.Generator, plan: _Plan, residents: dict) -> dict[str, np.ndarray]:
    """JKN spells: one per enrolled resident, some with an earlier spell in another segment."""
    pieces = []
    as_of = _day(AS_OF_DATE)
    for region_index, code in enumerate(plan.region_codes):
        people = np.flatnonzero(residents["region"] == region_index)
        dukcapil = len(people) / RESIDENT_FACTOR.get(code, 1.0)
        members = min(len(people), int(round(dukcapil * JKN_COVERAGE[code])))
        chosen = rng.permutation(people)
        enrolled, not_enrolled = chosen[:members], chosen[members:]
        if code == LOMBOK_TENGAH:
            mix = np.array(JKN_MIX_LOMBOK_TENGAH, dtype=float)
        elif code.startswith("52.7"):
            mix = np.array(JKN_MIX_CITY)
        else:
            mix = np.array(JKN_MIX_OTHER)
        segment = rng.choice(np.array(JKN_SEGMENTS), size=members, p=mix / mix.sum())
        births = residents["birth"][enrolled]
        start = np.where(
            rng.random(members) < 0.8,
            _uniform_days(rng, date(2014, 1, 1), date(2021, 12, 31), members),
            _uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), members),
        )
        start = np.maximum(start, births)
        arrears_share = np.array([JKN_ARREARS_SHARE[s] for s in JKN_SEGMENTS])
        if code == "52.08":
            arrears_share = np.full(len(JKN_SEGMENTS), JKN_ARREARS_SHARE_LOMBOK_UTARA)
        segment_arrears = np.select([segment == s for s in JKN_SEGMENTS], arrears_share)
        in_arrears = rng.random(members) < segment_arrears
        lapsed_paid = _month_end(_uniform_days(rng, date(2022, 1, 1), date(2024, 9, 30), members))
        paid = np.where(in_arrears, np.maximum(lapsed_paid, _month_end(start)), as_of)
        # 4 % changed segment: an earlier spell in another segment ended when this one began.
        changed = rng.random(members) < 0.04
        changed &= start > births + 365
        care = np.where(np.isin(segment, ["PBI_APBN", "PBPU_PEMDA"]), 3,
                        rng.choice([1, 2, 3], size=members, p=[0.15, 0.25, 0.60]))
        pieces.append(_spells(enrolled, segment, start, paid=paid, care_class=care))
        earlier = np.flatnonzero(changed)
        earlier_start = np.maximum(start[earlier] - rng.integers(200, 2000, len(earlier)),
                                   births[earlier])
        previous = np.array(["PBPU", "PPU", "PBI_APBN", "BP"])[rng.integers(0, 4, len(earlier))]
        pieces.append(_spells(enrolled[earlier], previous, earlier_start, end=start[earlier],
                              paid=_month_end(start[earlier] - 1), care_class=3))
        # Non-members: some left JKN in 2022-2024 (ended spells); some join in 2025.
        left = not_enrolled[: len(not_enrolled) // 2]
        left_start = np.maximum(_uniform_days(rng, date(2015, 1, 1), date(2021, 12, 31),
                                              len(left)), residents["birth"][left])
        left_end = _uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), len(left))
        left_end = np.maximum(left_end, left_start + 30)  # children born late in the period
        pieces.append(_spells(left, "PBPU", left_start, end=left_end,
                              paid=_month_end(left_end), care_class=3))
        joiners = not_enrolled[len(not_enrolled) // 2:][: max(1, len(not_enrolled) // 4)]
        pieces.append(_spells(joiners, "PBPU_PEMDA",
                              _uniform_days(rng, date(2025, 1, 2), date(2025, 12, 1),
                                            len(joiners)), care_class=3))
    return _concat(pieces, {"care_class": 3})


def _jamsostek(rng: np.random.Generator, plan: _Plan, residents: dict) -> dict[str, np.ndarray]:
    """BPJS TK spells: regional programmes (calibrated in 52.02), PU/BPU/JAKON/PMI members."""
    labour = reference.labour(POPULATION_YEAR).set_index("region_code")
    ntb = labour.loc[reference.kabkota_codes("52")]
    targets = reference.target_groups(POPULATION_YEAR)
    as_of = _day(AS_OF_DATE)
    calib = _day(CALIBRATION_DATE)
    pieces = []
    for region_index, code in enumerate(plan.region_codes):
        people = np.flatnonzero(residents["region"] == region_index)
        age = (calib - residents["birth"][people]) // 365
        pool = rng.permutation(people[(age >= 18) & (age <= 60)])
        taken = 0

        def take(count: int) -> np.ndarray:
            nonlocal taken
            if taken + count > len(pool):
                raise ParameterError(f"region {code}: too few working-age residents to sample")
            chosen = pool[taken: taken + count]
            taken += count
            return chosen

        def programme(occupation, funding, count, start_from, start_to, segment="BPU",
                      wage=1_000_000, risk=0, programmes="JKK;JKM"):
            people_ = take(count)
            start = _uniform_days(rng, start_from, start_to, count)
            return _spells(people_, segment, start, occupation=occupation, funding=funding,
                           wage=wage, risk=risk, programmes=programmes)

        group = targets[targets["region_code"] == code].set_index("target_group")["target_count"]
        if code == LOMBOK_TENGAH:
            non_asn = _scaled(CALIBRATED_NON_ASN, plan.scale)
            tobacco_2024 = _scaled(CALIBRATED_TOBACCO_2024, plan.scale)
            tobacco_2025 = _scaled(CALIBRATED_TOBACCO_2025, plan.scale) - tobacco_2024
            fishers = _scaled(CALIBRATED_FISHERS, plan.scale)
        else:
            non_asn = _scaled(group.get("non_asn_staff", 0) * PEMDA_PROGRAMME_SHARE[
                "non_asn_staff"], plan.scale)
            tobacco_2024 = _scaled(TOBACCO_PROGRAMMES.get(code, 0), plan.scale)
            tobacco_2025 = _scaled(TOBACCO_PROGRAMMES.get(code, 0) * 0.01, plan.scale)
            fishers = _scaled(group.get("fisher", 0) * PEMDA_PROGRAMME_SHARE["fisher"],
                              plan.scale)
        wages = np.round(rng.uniform(1_000_000, 2_500_000, non_asn), -3).astype(np.int64)
        pieces += [
            programme("non_asn_staff", "apbd", non_asn, date(2021, 1, 1), date(2024, 6, 30),
                      segment="PU", wage=wages, risk=1),
            programme("tobacco_farmer", "dbhcht", tobacco_2024, date(2023, 4, 1),
                      date(2023, 12, 1)),
            programme("tobacco_farmer", "dbhcht", tobacco_2025, date(2025, 2, 1),
                      date(2025, 10, 1)),
            programme("fisher", "apbd", fishers, date(2022, 1, 1), date(2022, 3, 1)),
        ]
        # Former non-ASN staff whose spell ended before the calibration date.
        former = _scaled(non_asn * 0.03, 1.0)
        former_start = _uniform_days(rng, date(2021, 1, 1), date(2022, 12, 31), former)
        former_end = _uniform_days(rng, date(2023, 1, 1), date(2024, 11, 30), former)
        pieces.append(_spells(take(former), "PU", former_start, end=former_end,
                              paid=_month_end(former_end), occupation="non_asn_staff",
                              funding="apbd", wage=1_500_000, risk=1, programmes="JKK;JKM"))
        village = _scaled(group.get("village_official", 0) * PEMDA_PROGRAMME_SHARE[
            "village_official"], plan.scale)
        pieces.append(programme("village_official", "apbdes", village, date(2021, 6, 1),
                                date(2023, 12, 31), segment="BPU"))
        election = _scaled(group.get("election_staff", 0) * PEMDA_PROGRAMME_SHARE[
            "election_staff"], plan.scale)
        pieces.append(programme("election_staff", "other", election, date(2023, 6, 1),
                                date(2024, 6, 30), segment="BPU"))
        # Self-funded fishermen and tobacco farmers (not counted as Pemda-funded).
        for occupation, share in (("fisher", 0.05), ("tobacco_farmer", 0.02)):
            count = _scaled(group.get(occupation, 0) * share, plan.scale)
            pieces.append(programme(occupation, "self", count, date(2018, 1, 1),
                                    date(2024, 10, 31), wage=1_500_000))

        # General membership, sized from the region's share of the NTB potential workforce.
        formal_active = _scaled((NTB_TK_ACTIVE - NTB_TK_ACTIVE_INFORMAL)
                                * labour.at[code, "potential_formal_count"]
                                / ntb["potential_formal_count"].sum(), plan.scale)
        informal_active = _scaled(NTB_TK_ACTIVE_INFORMAL * labour.at[code, "potential_informal_count"]
                                  / ntb["potential_informal_count"].sum(), plan.scale)
        formal_active = max(0, formal_active - non_asn)
        informal_active = max(0, informal_active - tobacco_2024 - fishers - village - election)
        counts = dict(zip(("PU", "JAKON", "PMI"),
                          rng.multinomial(formal_active, FORMAL_SPLIT)))
        counts["BPU"] = informal_active
        for segment, active in counts.items():
            lapsed = int(round(active * TK_LAPSED_SHARE[segment]))
            joiners = int(round(active * TK_JOINERS_2025_SHARE))
            total = active + lapsed + joiners
            people_ = take(total)
            start = np.where(
                rng.random(total) < 0.45,
                _uniform_days(rng, date(2015, 1, 1), date(2021, 12, 31), total),
                _uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), total),
            )
            start[active + lapsed:] = _uniform_days(rng, date(2025, 1, 1), date(2025, 12, 1),
                                                    joiners)
            paid = np.full(total, as_of)
            paid[active: active + lapsed] = _month_end(np.maximum(
                _uniform_days(rng, date(2022, 1, 1), date(2024, 9, 30), lapsed),
                start[active: active + lapsed]))
            if segment == "PU":
                wage = np.round(rng.lognormal(np.log(2_600_000), 0.45, total), -3)
                risk = rng.choice([1, 2, 3, 4, 5], size=total, p=[0.35, 0.3, 0.2, 0.1, 0.05])
                funding, progs = "employer", "JKK;JKM;JHT;JP;JKP"
            elif segment == "BPU":
                wage = rng.choice(np.arange(1_000_000, 5_000_001, 500_000), size=total)
                risk, funding = 0, "self"
                progs = np.where(rng.random(total) < 0.2, "JKK;JKM;JHT", "JKK;JKM")
            elif segment == "JAKON":
                wage = np.round(rng.lognormal(np.log(2_800_000), 0.3, total), -3)
                risk, funding, progs = 4, "employer", "JKK;JKM"
            else:
                wage = np.round(rng.lognormal(np.log(6_000_000), 0.3, total), -3)
                risk, funding, progs = 3, "self", "JKK;JKM;JHT"
            # Jakon spells are project-based: they end within two years unless still running.
            end = np.full(total, NO_DATE)
            if segment == "JAKON":
                end[:active] = np.where(rng.random(active) < 0.5,
                                        _uniform_days(rng, date(2025, 1, 31), date(2025, 12, 31),
                                                      active), NO_DATE)
            pieces.append(_spells(people_, segment, start, end=end, paid=paid,
                                  occupation="other", funding=funding, wage=wage, risk=risk,
                                  programmes=progs))
        # Ended spells: half from people still active (an earlier job), half from leavers.
        active_people = np.concatenate([p["person"] for p in pieces if p["end"].max(
            initial=NO_DATE) == NO_DATE and len(p["person"])])[:]
        ended = int(round(sum(counts.values()) * TK_ENDED_SHARE))
        movers = rng.choice(active_people, size=ended // 2, replace=False) if len(
            active_people) >= ended // 2 else active_people
        leavers = take(ended - len(movers))
        for people_ in (movers, leavers):
            size = len(people_)
            start = _uniform_days(rng, date(2016, 1, 1), date(2021, 12, 31), size)
            end = _uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), size)
            segment = rng.choice(np.array(["PU", "BPU"]), size=size, p=[0.6, 0.4])
            pieces.append(_spells(people_, segment, start, end=end, paid=_month_end(end - 1),
                                  occupation="other",
                                  funding=np.where(segment == "PU", "employer", "self"),
                                  wage=np.round(rng.uniform(1_000_000, 3_000_000, size), -3),
                                  risk=np.where(segment == "PU", 2, 0),
                                  programmes=np.where(segment == "PU", "JKK;JKM;JHT;JP",
                                                      "JKK;JKM")))
    return _concat(pieces, {"occupation": "other", "funding": "self", "wage": 0, "risk": 0,
                            "programmes": "JKK;JKM"})


# ----------------------------------------------------------------------------------------
# Arrow tables and faults
# ----------------------------------------------------------------------------------------


def _date_strings(days: np.ndarray) -> pa.Array:
    mask = days == NO_DATE
    array = pa.array(np.where(mask, 0, days).astype(np.int32), type=pa.date32(),
                     mask=mask)
    return pc.strftime(array, format="%Y-%m-%d")


def _names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    size = len(female)
    male_names = pa.array(FIRST_NAMES_MALE).take(
        pa.array(rng.integers(0, len(FIRST_NAMES_MALE), size)))
    female_names = pa.array(FIRST_NAMES_FEMALE).take(
        pa.array(rng.integers(0, len(FIRST_NAMES_FEMALE), size)))
    first = pc.if_else(pa.array(female), female_names, male_names)
    family = pa.array(FAMILY_NAMES).take(pa.array(rng.integers(0, len(FAMILY_NAMES), size)))
    return pc.binary_join_element_wise(first, family, " ")


def _to_table(rng: np.random.Generator, spells: dict, residents: dict, plan: _Plan,
              registry: str) -> pa.Table:
    person = spells["person"]
    region_codes = np.array(plan.region_codes)[residents["region"][person]]
    district = residents["district"][person]
    female = residents["female"][person]
    region = pa.array(region_codes)
    columns = {
        "nik": pc.cast(pa.array(residents["nik"][person]), pa.string()),
        "full_name": _names(rng, female),
        "birth_date": _date_strings(residents["birth"][person]),
        "sex": pc.if_else(pa.array(female), "P", "L"),
        "region_code": region,
        "district_code": pc.binary_join_element_wise(
            region, pc.utf8_lpad(pc.cast(pa.array(district), pa.string()), 2, "0"), "."),
        "segment": pa.array(spells["segment"].astype(str)),
    }
    if registry == "jamsostek":
        risk = spells["risk"].astype(np.int8)
        columns.update({
            "occupation": pa.array(spells["occupation"].astype(str)),
            "funding_source": pa.array(spells["funding"].astype(str)),
            "wage_rp": pa.array(spells["wage"].astype(np.int64)),
            "risk_class": pa.array(risk, mask=risk == 0),
            "programmes": pa.array(spells["programmes"].astype(str)),
        })
    else:
        columns["care_class"] = pa.array(spells["care_class"].astype(np.int8))
    columns.update({
        "start_date": _date_strings(spells["start"]),
        "end_date": _date_strings(spells["end"]),
        "paid_through": _date_strings(spells["paid"]),
    })
    assert list(columns) == column_names(registry)
    return pa.table(columns)


def _invalid_niks(rng: np.random.Generator, niks: list[str]) -> list[str]:
    """Break each NIK in one of the ways real extracts do; each breaks a DESIGN §4 rule."""
    broken = []
    for index, nik in enumerate(niks):
        kind = index % 6
        if kind == 0:
            broken.append(nik[:15])                      # 15 digits
        elif kind == 1:
            broken.append(nik + str(rng.integers(0, 10)))  # 17 digits
        elif kind == 2:
            broken.append("99" + nik[2:])                # province code outside 11-96
        elif kind == 3:
            broken.append(nik[:8] + "13" + nik[10:])     # month 13
        elif kind == 4:
            broken.append(nik[:6] + "35" + nik[8:])      # day 35 (neither 01-31 nor 41-71)
        else:
            broken.append(nik[:12] + "0000")             # serial 0000
    return broken


def _inject_faults(rng: np.random.Generator, table: pa.Table, registry: str
                   ) -> tuple[pa.Table, dict[str, int]]:
    """Append faulty copies of valid rows, one fault per row, and shuffle."""
    valid_rows = table.num_rows
    counts = {reason: int(round(rate * valid_rows)) for reason, rate in FAULT_RATES.items()}
    pieces = [table]
    for reason, count in counts.items():
        if count == 0:
            continue
        rows = table.take(pa.array(rng.choice(valid_rows, size=count, replace=False)))
        if reason == "duplicate_row":
            pieces.append(rows)
            continue
        frame = rows.to_pandas()
        if reason == "invalid_nik":
            frame["nik"] = _invalid_niks(rng, list(frame["nik"]))
        elif reason == "unparseable_date":
            bad = np.array(["2024-02-30", "31/02/2024", "00/00/0000", "unknown"])
            frame["start_date"] = bad[np.arange(count) % len(bad)]
        elif reason == "end_before_start":
            start = frame["start_date"].astype("datetime64[ns]")
            frame["end_date"] = (start - np.timedelta64(30, "D")).dt.strftime("%Y-%m-%d")
        elif reason == "unknown_region":
            bad = np.array(["52.99", "53.01", "52.09"])
            frame["region_code"] = bad[np.arange(count) % len(bad)]
            frame["district_code"] = None
        elif reason == "missing_value":
            column = np.array(["segment", "sex", "start_date"])[np.arange(count) % 3]
            for name in ("segment", "sex", "start_date"):
                frame.loc[column == name, name] = None
        pieces.append(pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False))
    combined = pa.concat_tables(pieces)
    return combined.take(pa.array(rng.permutation(combined.num_rows))), counts


def _prefix_mismatches(table: pa.Table) -> int:
    nik = table["nik"]
    prefix = pc.binary_join_element_wise(pc.utf8_slice_codeunits(nik, 0, 2),
                                         pc.utf8_slice_codeunits(nik, 2, 4), ".")
    return int(pc.sum(pc.not_equal(prefix, table["region_code"])).as_py() or 0)


# ----------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------


def generate_sample(
    out_dir: str | Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    region_codes: list[str] | None = None,
) -> dict:
    """Write ``jamsostek.parquet``, ``jkn.parquet`` and ``manifest.json`` to ``out_dir``.

    Args:
        out_dir: Target folder; default ``data/sample``.
        seed: Random seed; the same seed, scale and regions give identical files.
        scale: Fraction of full size (1.0 = every NTB resident); calibrated figures scale too.
        region_codes: Kab/kota to generate (default: all ten NTB kab/kota).

    Returns:
        The manifest: rows written, injected fault counts by reason, prefix mismatches,
        calibrated figures and timings.

    Raises:
        ParameterError: an unknown region code or a scale outside (0, 1].
    """
    started = time.perf_counter()
    known = reference.kabkota_codes("52")
    codes = tuple(known if not region_codes else region_codes)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ParameterError(f"unknown kab/kota code(s) {', '.join(unknown)}",
                             fix=f"use codes from data/reference/regions.csv: {', '.join(known)}")
    if not 0 < scale <= 1:
        raise ParameterError(f"scale {scale} is outside (0, 1]", fix="use e.g. --scale 0.01")
    plan = _Plan(seed=seed, scale=scale, region_codes=codes)
    out = Path(out_dir) if out_dir else sample_dir()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    residents = _residents(rng, plan)
    manifest: dict = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "region_codes": list(codes), "as_of_date": AS_OF_DATE.isoformat(),
        "calibration_date": CALIBRATION_DATE.isoformat(), "fault_rates": FAULT_RATES,
        "residents": int(len(residents["nik"])), "registries": {},
    }
    if LOMBOK_TENGAH in codes:
        manifest["calibration"] = {
            "region_code": LOMBOK_TENGAH,
            "tk_nonasn_active": _scaled(CALIBRATED_NON_ASN, scale),
            "tk_tobacco_farmers_active": _scaled(CALIBRATED_TOBACCO_2024, scale),
            "tk_tobacco_farmers_active_2025": _scaled(CALIBRATED_TOBACCO_2025, scale),
            "tk_fishers_active": _scaled(CALIBRATED_FISHERS, scale),
        }
    for registry, build in (("jamsostek", _jamsostek), ("jkn", _jkn)):
        spells = build(rng, plan, residents)
        table = _to_table(rng, spells, residents, plan, registry)
        mismatches = _prefix_mismatches(table)
        table, faults = _inject_faults(rng, table, registry)
        path = out / f"{registry}.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
        manifest["registries"][registry] = {
            "file": path.name, "rows": table.num_rows,
            "valid_rows": table.num_rows - sum(faults.values()),
            "faults": faults, "prefix_mismatches": mismatches,
            "bytes": path.stat().st_size,
        }
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def ensure_sample(out_dir: str | Path | None = None, **options) -> dict:
    """Return the sample manifest, generating the sample first when it is missing."""
    out = Path(out_dir) if out_dir else sample_dir()
    manifest_path = out / "manifest.json"
    if manifest_path.exists() and all((out / f"{r}.parquet").exists()
                                      for r in ("jamsostek", "jkn")):
        return json.loads(manifest_path.read_text())
    return generate_sample(out, **options)


def write_benchmark_registry(path: str | Path, rows: int, *, seed: int = DEFAULT_SEED,
                             chunk_rows: int = 2_000_000, region_count: int = 514) -> dict:
    """Write a large jamsostek-like Parquet registry in chunks, never holding it whole.

    Spells are spread over ``region_count`` synthetic kab/kota (codes ``PP.KK`` of
    Indonesia's province codes); every row is valid, so the benchmark measures indicators,
    not rejection. Memory stays at one chunk.

    Returns:
        ``{"rows", "bytes", "seconds", "regions"}``.
    """
    started = time.perf_counter()
    provinces = np.array([11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51,
                          52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92,
                          93, 94, 95, 96])
    region_prov = provinces[np.arange(region_count) % len(provinces)]
    region_kab = np.arange(region_count) // len(provinces) + 1
    region_codes = np.array([f"{p}.{k:02d}" for p, k in zip(region_prov, region_kab)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    writer = None
    written = 0
    serial_base = 0
    try:
        while written < rows:
            size = min(chunk_rows, rows - written)
            region = rng.integers(0, region_count, size)
            female = rng.random(size) < 0.5
            birth = _uniform_days(rng, date(1960, 1, 1), date(2006, 12, 31), size)
            residents = {"region": region, "district": rng.integers(1, 20, size),
                         "female": female, "birth": birth, "reg_prov": region_prov[region],
                         "reg_kab": region_kab[region], "reg_kec": rng.integers(1, 20, size)}
            residents["nik"] = _niks(rng, residents) + serial_base
            serial_base = (serial_base + 1) % 7  # shifts serials so chunks rarely collide
            segment = rng.choice(np.array(JAMSOSTEK_SEGMENTS), size=size,
                                 p=[0.62, 0.25, 0.10, 0.03])
            start = _uniform_days(rng, date(2015, 1, 1), date(2025, 6, 30), size)
            ended = rng.random(size) < 0.25
            end = np.where(ended, start + rng.integers(30, 1500, size), NO_DATE)
            lapsed = rng.random(size) < 0.2
            paid = np.where(lapsed, _month_end(start + rng.integers(0, 900, size)),
                            _day(AS_OF_DATE))
            occupation = rng.choice(np.array(["non_asn_staff", "tobacco_farmer", "fisher",
                                              "village_official", "other"]),
                                    size=size, p=[0.03, 0.02, 0.02, 0.03, 0.90])
            funding = np.where(np.isin(occupation, ["non_asn_staff", "fisher"]), "apbd",
                               np.where(occupation == "tobacco_farmer", "dbhcht",
                                        np.where(segment == "BPU", "self", "employer")))
            spells = _spells(np.arange(size), segment, start, end=end,
                             paid=paid, occupation=occupation, funding=funding,
                             wage=np.round(rng.uniform(1_000_000, 8_000_000, size), -3),
                             risk=rng.integers(1, 6, size),
                             programmes=np.where(segment == "PU", "JKK;JKM;JHT;JP",
                                                 "JKK;JKM"))
            plan = _Plan(seed=seed, scale=1.0, region_codes=tuple(region_codes))
            table = _to_table(rng, spells, residents, plan, "jamsostek")
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            written += size
    finally:
        if writer is not None:
            writer.close()
    return {"rows": written, "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 1), "regions": region_count}


def register_cli(subparsers) -> None:
    parser = subparsers.add_parser(
        "sample", help="generate the synthetic NTB registries (data/sample)",
        description="Write data/sample/jamsostek.parquet, jkn.parquet and manifest.json.")
    parser.add_argument("--out", help="output folder (default data/sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of full size, e.g. 0.01 for fast tests")
    parser.add_argument("--regions", help="comma-separated kab/kota codes, e.g. 52.02,52.03")
    parser.add_argument("--benchmark-rows", type=int,
                        help="instead: write one large jamsostek-like registry of N rows "
                             "in chunks (to --out, a .parquet path)")
    parser.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    if args.benchmark_rows:
        out = args.out or str(Path("bench") / "data" / "jamsostek_large.parquet")
        result = write_benchmark_registry(out, args.benchmark_rows, seed=args.seed)
        print(f"wrote {result['rows']:,} rows to {out} ({result['bytes'] / 2**20:,.0f} MiB) "
              f"in {result['seconds']} s")
        return 0
    regions = [c.strip() for c in args.regions.split(",")] if args.regions else None
    manifest = generate_sample(args.out, seed=args.seed, scale=args.scale, region_codes=regions)
    out = Path(args.out) if args.out else sample_dir()
    for registry, info in manifest["registries"].items():
        faults = ", ".join(f"{k} {v:,}" for k, v in info["faults"].items())
        print(f"{out / info['file']}: {info['rows']:,} rows "
              f"({info['bytes'] / 2**20:,.1f} MiB); injected faults: {faults}")
    print(f"generated in {manifest['seconds']} s (seed {manifest['seed']}, scale {manifest['scale']})")
    return 0


__all__ = [
    "AS_OF_DATE",
    "DEFAULT_SEED",
    "FAULT_RATES",
    "GENERATOR_VERSION",
    "ensure_sample",
    "generate_sample",
    "register_cli",
    "write_benchmark_registry",
]
