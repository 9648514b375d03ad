"""BPJS Ketenagakerjaan spells of the synthetic sample, calibrated per region.

Per kab/kota, at 2024-12-31, exactly: the regional programmes of ``sample_targets.csv``
(non-ASN staff and fishermen paid by the APBD, tobacco farmers by DBHCHT, village
officials by the APBDes, election staff), and as many general PU/JAKON/PMI (formal) and
BPU (informal) members as make the active formal and informal people equal their targets.
Around them: lapsed members (open spell, contributions stopped), ended spells, members who
join in 2025 (as many as a 2025 target needs) and, where a 2023 total is a target, the
start of recent members moved across 2023-12-31 until it holds.

Formal members are drawn with a preference for urban kecamatan (kelurahan), informal ones
with the opposite, so kecamatan coverage rates differ the way towns and villages do.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from helpers.data import reference
from helpers.data.sample_design import (
    AS_OF_DATE,
    CALIBRATION_DATE,
    FORMAL_SPLIT,
    FORMER_NON_ASN_SHARE,
    LAPSED_FROM,
    LAPSED_UNTIL,
    POPULATION_YEAR,
    SELF_FUNDED_SHARE,
    TK_ENDED_SHARE,
    TK_JOINERS_2025_SHARE,
    TK_LAPSED_SHARE,
    TK_RECENT_SHARE,
    URBAN_FORMAL_WEIGHT,
    RegionTargets,
    scaled,
)
from helpers.data.sample_people import (
    NO_DATE,
    STREAM_JAMSOSTEK,
    Plan,
    active_at,
    concat,
    day,
    month_end,
    spells,
    uniform_days,
)
from helpers.errors import ParameterError

__all__ = ["DEFAULTS", "FORMAL_SEGMENTS", "jamsostek_spells"]

FORMAL_SEGMENTS = ("PU", "JAKON", "PMI")
DEFAULTS = {"occupation": "other", "funding": "self", "wage": 0, "risk": 0,
            "programmes": "JKK;JKM"}


def jamsostek_spells(plan: Plan, residents: dict, targets: dict[str, RegionTargets]
                     ) -> dict[str, np.ndarray]:
    """BPJS TK spells of every region (see the module docstring)."""
    groups = reference.target_groups(POPULATION_YEAR)
    villages = reference.district_labour(POPULATION_YEAR)
    urban = dict(zip(villages["district_code"], villages["kelurahan_count"]
                     / (villages["desa_count"] + villages["kelurahan_count"])))
    pieces = []
    for region_index, code in enumerate(plan.region_codes):
        rng = plan.rng(STREAM_JAMSOSTEK, region_index)
        group = groups[groups["region_code"] == code].set_index("target_group")["target_count"]
        region = _Region(rng, code, region_index, residents, plan.scale, urban)
        pieces += region.build(targets[code], group)
    return concat(pieces, DEFAULTS)


class _Region:
    """One kab/kota's members, drawn from its working-age residents (18-60)."""

    def __init__(self, rng, code, region_index, residents, scale, urban_share):
        self.rng, self.code, self.scale = rng, code, scale
        people = np.flatnonzero(residents["region"] == region_index)
        age = (day(CALIBRATION_DATE) - residents["birth"][people]) // 365
        people = people[(age >= 18) & (age <= 60)]
        district = residents["district"][people]
        share = np.array([urban_share.get(f"{code}.{d:02d}", 0.0) for d in range(100)])
        weight = 1.0 + URBAN_FORMAL_WEIGHT * share[district]
        # Weighted order without replacement (keys u^(1/w)): urban residents come first.
        keys = rng.random(len(people)) ** (1.0 / weight)
        self.pool = people[np.argsort(-keys, kind="stable")]
        self.front, self.back = 0, len(self.pool)

    def take(self, count: int, formal: bool) -> np.ndarray:
        """``count`` residents: formal members from the urban end, informal from the other."""
        if count < 0 or self.front + count > self.back:
            raise ParameterError(f"region {self.code}: too few working-age residents to "
                                 f"sample {count} members")
        if formal:
            chosen = self.pool[self.front: self.front + count]
            self.front += count
        else:
            chosen = self.pool[self.back - count: self.back]
            self.back -= count
        return chosen

    def programme(self, occupation, funding, count, start_from, start_to, *, segment="BPU",
                  wage=1_000_000, risk=0, programmes="JKK;JKM"):
        people = self.take(count, formal=segment != "BPU")
        start = uniform_days(self.rng, start_from, start_to, count)
        return spells(people, segment, start, occupation=occupation, funding=funding,
                      wage=wage, risk=risk, programmes=programmes)

    def build(self, target: RegionTargets, group) -> list[dict[str, np.ndarray]]:
        rng = self.rng
        wages = np.round(rng.uniform(1_000_000, 2_500_000, target.non_asn), -3).astype(np.int64)
        tobacco = {year: target.tobacco_at(year) for year in (2023, 2024, 2025)}
        programmes = [
            self.programme("non_asn_staff", "apbd", target.non_asn, date(2021, 1, 1),
                           date(2024, 6, 30), segment="PU", wage=wages, risk=1),
            self.programme("tobacco_farmer", "dbhcht", tobacco[2023], date(2023, 4, 1),
                           date(2023, 12, 1)),
            self.programme("tobacco_farmer", "dbhcht", max(0, tobacco[2024] - tobacco[2023]),
                           date(2024, 1, 1), date(2024, 12, 1)),
            self.programme("tobacco_farmer", "dbhcht", max(0, tobacco[2025] - tobacco[2024]),
                           date(2025, 2, 1), date(2025, 10, 1)),
            self.programme("fisher", "apbd", target.fishers, date(2022, 1, 1), date(2022, 3, 1)),
            self.programme("village_official", "apbdes", target.village_officials,
                           date(2021, 6, 1), date(2023, 12, 31)),
            self.programme("election_staff", "other", target.election_staff, date(2023, 6, 1),
                           date(2024, 6, 30)),
        ]
        self_funded = {occupation: scaled(group.get(occupation, 0) * share, self.scale)
                       for occupation, share in SELF_FUNDED_SHARE.items()}
        for occupation, count in self_funded.items():  # not counted as Pemda-funded
            programmes.append(self.programme(occupation, "self", count, date(2018, 1, 1),
                                             date(2024, 10, 31), wage=1_500_000))
        # Former non-ASN staff whose spell ended before the calibration date.
        former = int(round(target.non_asn * FORMER_NON_ASN_SHARE))
        end = uniform_days(rng, date(2023, 1, 1), date(2024, 11, 30), former)
        programmes.append(spells(self.take(former, formal=True), "PU",
                                 uniform_days(rng, date(2021, 1, 1), date(2022, 12, 31), former),
                                 end=end, paid=month_end(end), occupation="non_asn_staff",
                                 funding="apbd", wage=1_500_000, risk=1, programmes="JKK;JKM"))

        # General members: what the programmes leave of the formal and informal targets.
        informal = (target.tk_informal - tobacco[2024] - target.fishers
                    - target.village_officials - target.election_staff
                    - sum(self_funded.values()))
        formal = target.tk_formal - target.non_asn
        if informal < 0 or formal < 0:
            raise ParameterError(
                f"region {self.code}: the programmes exceed the active "
                f"{'informal' if informal < 0 else 'formal'} target",
                fix="check sample_targets.csv (Derivations S1-S7)")
        counts = dict(zip(FORMAL_SEGMENTS, rng.multinomial(formal, FORMAL_SPLIT)))
        counts["BPU"] = informal
        general = [self.members(segment, active) for segment, active in counts.items()]
        pieces = programmes + general
        pieces += self.ended(pieces, sum(counts.values()))
        pieces += self.joiners(pieces, counts, target)
        if date(2023, 12, 31) in target.tk_total_by_date:
            self.meet_total(pieces, general, date(2023, 12, 31),
                            target.tk_total_by_date[date(2023, 12, 31)])
        return pieces

    def members(self, segment: str, active: int, *, joiners: bool = False):
        """Active (and lapsed) general members of a segment, or 2025 joiners."""
        rng = self.rng
        lapsed = 0 if joiners else int(round(active * TK_LAPSED_SHARE[segment]))
        total = active + lapsed
        people = self.take(total, formal=segment in FORMAL_SEGMENTS)
        if joiners:
            start = uniform_days(rng, date(2025, 1, 1), date(2025, 12, 1), total)
        else:
            recent_until = np.r_[np.full(active, day(CALIBRATION_DATE)),
                                 np.full(lapsed, day(LAPSED_UNTIL))]
            start = np.where(rng.random(total) < 1 - TK_RECENT_SHARE,
                             uniform_days(rng, date(2015, 1, 1), date(2021, 12, 31), total),
                             rng.integers(day(date(2022, 1, 1)), recent_until + 1))
        paid = np.full(total, day(AS_OF_DATE))
        paid[active:] = month_end(np.maximum(
            uniform_days(rng, LAPSED_FROM, LAPSED_UNTIL, lapsed), start[active:]))
        end = np.full(total, NO_DATE)
        if segment == "JAKON" and not joiners:  # project-based: half end during 2025
            end[:active] = np.where(rng.random(active) < 0.5, uniform_days(
                rng, date(2025, 1, 31), date(2025, 12, 31), active), NO_DATE)
        return spells(people, segment, start, end=end, paid=paid, occupation="other",
                      **_segment_terms(rng, segment, total))

    def ended(self, pieces, active_total: int) -> list[dict[str, np.ndarray]]:
        """Ended spells: half from people still active (an earlier job), half from leavers."""
        rng = self.rng
        open_people = np.concatenate([p["person"][p["end"] == NO_DATE] for p in pieces])
        ended = int(round(active_total * TK_ENDED_SHARE))
        movers = rng.choice(open_people, size=min(ended // 2, len(open_people)), replace=False)
        self.movers = set(movers.tolist())
        result = []
        for people in (movers, self.take(ended - len(movers), formal=False)):
            size = len(people)
            start = uniform_days(rng, date(2016, 1, 1), date(2021, 12, 31), size)
            end = uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), size)
            segment = rng.choice(np.array(["PU", "BPU"]), size=size, p=[0.6, 0.4])
            result.append(spells(people, segment, start, end=end, paid=month_end(end - 1),
                                 occupation="other",
                                 funding=np.where(segment == "PU", "employer", "self"),
                                 wage=np.round(rng.uniform(1_000_000, 3_000_000, size), -3),
                                 risk=np.where(segment == "PU", 2, 0),
                                 programmes=np.where(segment == "PU", "JKK;JKM;JHT;JP",
                                                     "JKK;JKM")))
        return result

    def joiners(self, pieces, counts: dict[str, int], target: RegionTargets):
        """Members joining in 2025: a share of the active, or what a 2025 target needs."""
        when = date(2025, 12, 31)
        total = sum(counts.values())
        if when in target.tk_total_by_date:
            needed = target.tk_total_by_date[when] - active_at(pieces, when)
            if needed < 0:
                raise ParameterError(f"region {self.code}: more active at {when} than the "
                                     "target before anyone joins in 2025")
        else:
            needed = int(round(total * TK_JOINERS_2025_SHARE))
        shares = np.array([counts[s] for s in counts], dtype=float)
        split = self.rng.multinomial(needed, shares / shares.sum()) if total else [0] * 4
        return [self.members(segment, int(n), joiners=True) for segment, n in zip(counts, split)]

    def meet_total(self, pieces, general, when: date, wanted: int) -> None:
        """Move recent general members' start across ``when`` until ``wanted`` are active."""
        rng, at = self.rng, day(when)
        diff = wanted - active_at(pieces, when)
        if diff == 0:
            return
        options = []
        for piece in general:
            paid_up = piece["paid"] == day(AS_OF_DATE)
            single = ~np.isin(piece["person"], list(self.movers))
            recent = (piece["start"] >= day(date(2022, 1, 1))) & paid_up & single
            side = piece["start"] > at if diff > 0 else piece["start"] <= at
            options += [(piece, index) for index in np.flatnonzero(recent & side)]
        if len(options) < abs(diff):
            raise ParameterError(f"region {self.code}: cannot meet the BPJS TK target on {when}")
        for pick in rng.choice(len(options), size=abs(diff), replace=False):
            piece, index = options[pick]
            piece["start"][index] = (rng.integers(day(date(2022, 1, 1)), at + 1) if diff > 0
                                     else rng.integers(at + 1, day(CALIBRATION_DATE) + 1))


def _segment_terms(rng, segment: str, size: int) -> dict:
    """Wage, risk class, payer and programmes of general members of a segment."""
    if segment == "PU":
        return {"wage": np.round(rng.lognormal(np.log(2_600_000), 0.45, size), -3),
                "risk": rng.choice([1, 2, 3, 4, 5], size=size, p=[0.35, 0.3, 0.2, 0.1, 0.05]),
                "funding": "employer", "programmes": "JKK;JKM;JHT;JP;JKP"}
    if segment == "BPU":
        return {"wage": rng.choice(np.arange(1_000_000, 5_000_001, 500_000), size=size),
                "risk": 0, "funding": "self",
                "programmes": np.where(rng.random(size) < 0.2, "JKK;JKM;JHT", "JKK;JKM")}
    if segment == "JAKON":
        return {"wage": np.round(rng.lognormal(np.log(2_800_000), 0.3, size), -3),
                "risk": 4, "funding": "employer", "programmes": "JKK;JKM"}
    return {"wage": np.round(rng.lognormal(np.log(6_000_000), 0.3, size), -3),
            "risk": 3, "funding": "self", "programmes": "JKK;JKM;JHT"}
