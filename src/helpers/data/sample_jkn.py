"""JKN (BPJS Kesehatan) spells of the synthetic sample, calibrated per region.

Per kab/kota: members at 2024-12-31 = Dukcapil 2024 population × the region's
``jkn_coverage`` target (exact); the segment mix is the published one (Lombok Tengah), or
a default kabupaten/kota mix with the Pemda-paid (PBPU_PEMDA) count fixed where a budget
gives it; arrears by segment. Dated targets (Lombok Timur on 2024-03-31: 95,95 % enrolled,
71,67 % active; Lombok Utara's 99,4 % active) are then met exactly by moving the start of
recent members across the date and by changing who is in arrears.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from helpers.data.sample_design import (
    AS_OF_DATE,
    CALIBRATION_DATE,
    GRACE_MONTHS,
    JKN_ARREARS_SHARE,
    JKN_CHANGED_SEGMENT_SHARE,
    JKN_MIX_CITY,
    JKN_MIX_OTHER,
    JKN_RECENT_SHARE,
    LAPSED_FROM,
    LAPSED_UNTIL,
    RegionTargets,
    resident_factor,
)
from helpers.data.sample_people import (
    NO_DATE,
    STREAM_JKN,
    Plan,
    active_at,
    concat,
    day,
    members_at,
    month_end,
    month_number,
    spells,
    uniform_days,
)
from helpers.data.schema import JKN_SEGMENTS
from helpers.errors import ParameterError

__all__ = ["RECENT_FROM", "jkn_spells"]

RECENT_FROM = date(2022, 1, 1)


def jkn_spells(plan: Plan, residents: dict, targets: dict[str, RegionTargets]
               ) -> dict[str, np.ndarray]:
    """JKN spells of every region: one per enrolled resident, some with an earlier spell."""
    pieces = []
    for region_index, code in enumerate(plan.region_codes):
        rng = plan.rng(STREAM_JKN, region_index)
        pieces += _region(rng, code, region_index, residents, targets[code])
    return concat(pieces, {"care_class": 3})


def _segment_counts(rng, code: str, members: int, target: RegionTargets) -> np.ndarray:
    """Segment of each member (shuffled), from the mix and a fixed PBPU_PEMDA count."""
    if target.jkn_mix is not None:
        mix = np.array(target.jkn_mix, dtype=float)
    else:
        mix = np.array(JKN_MIX_CITY if code.split(".")[1].startswith("7") else JKN_MIX_OTHER)
    segments = np.array(JKN_SEGMENTS)
    if target.jkn_pemda_members is None:
        counts = rng.multinomial(members, mix / mix.sum())
    else:
        pemda_index = JKN_SEGMENTS.index("PBPU_PEMDA")
        pemda = min(target.jkn_pemda_members, members)
        rest = np.delete(mix, pemda_index)
        counts = np.insert(rng.multinomial(members - pemda, rest / rest.sum()), pemda_index,
                           pemda)
    return rng.permutation(np.repeat(segments, counts))


def _region(rng, code: str, region_index: int, residents: dict, target: RegionTargets
            ) -> list[dict[str, np.ndarray]]:
    as_of = day(AS_OF_DATE)
    people = np.flatnonzero(residents["region"] == region_index)
    dukcapil = len(people) / resident_factor(target.jkn_coverage)
    members = min(len(people), int(round(dukcapil * target.jkn_coverage)))
    chosen = rng.permutation(people)
    enrolled, not_enrolled = chosen[:members], chosen[members:]
    segment = _segment_counts(rng, code, members, target)
    births = residents["birth"][enrolled]
    start = np.where(
        rng.random(members) < 1 - JKN_RECENT_SHARE,
        uniform_days(rng, date(2014, 1, 1), date(2021, 12, 31), members),
        uniform_days(rng, RECENT_FROM, CALIBRATION_DATE, members),
    )
    start = np.maximum(start, births)
    arrears_share = np.select([segment == s for s in JKN_SEGMENTS],
                              [JKN_ARREARS_SHARE[s] for s in JKN_SEGMENTS])
    rates = [rate for _, rate in target.jkn_by_date.values() if rate is not None]
    if rates:  # a published active rate: start every segment near it, then meet it exactly
        arrears_share = np.full(members, 1.0 - rates[0])
    in_arrears = rng.random(members) < arrears_share
    lapsed_paid = month_end(uniform_days(rng, LAPSED_FROM, LAPSED_UNTIL, members))
    paid = np.where(in_arrears, np.maximum(lapsed_paid, month_end(start)), as_of)
    # Some changed segment: an earlier spell in another segment ended when this one began.
    changed = (rng.random(members) < JKN_CHANGED_SEGMENT_SHARE) & (start > births + 365)
    care = np.where(np.isin(segment, ["PBI_APBN", "PBPU_PEMDA"]), 3,
                    rng.choice([1, 2, 3], size=members, p=[0.15, 0.25, 0.60]))
    main = spells(enrolled, segment, start, paid=paid, care_class=care)
    earlier = np.flatnonzero(changed)
    earlier_start = np.maximum(start[earlier] - rng.integers(200, 2000, len(earlier)),
                               births[earlier])
    previous = np.array(["PBPU", "PPU", "PBI_APBN", "BP"])[rng.integers(0, 4, len(earlier))]
    pieces = [main, spells(enrolled[earlier], previous, earlier_start, end=start[earlier],
                           paid=month_end(start[earlier] - 1), care_class=3)]
    # Non-members: some left JKN in 2022-2024 (ended spells); some join in 2025.
    left = not_enrolled[: len(not_enrolled) // 2]
    left_start = np.maximum(uniform_days(rng, date(2015, 1, 1), date(2021, 12, 31), len(left)),
                            residents["birth"][left])
    left_end = uniform_days(rng, date(2022, 1, 1), date(2024, 12, 31), len(left))
    left_end = np.maximum(left_end, left_start + 30)  # children born late in the period
    pieces.append(spells(left, "PBPU", left_start, end=left_end, paid=month_end(left_end),
                         care_class=3))
    joiners = not_enrolled[len(not_enrolled) // 2:][: max(1, len(not_enrolled) // 4)]
    pieces.append(spells(joiners, "PBPU_PEMDA",
                         uniform_days(rng, date(2025, 1, 2), date(2025, 12, 1), len(joiners)),
                         care_class=3))
    movable = ~changed
    for when, (coverage, active_rate) in sorted(target.jkn_by_date.items()):
        if coverage is not None:
            _meet_members(rng, pieces, main, movable, births, lapsed_paid, when,
                          int(round(dukcapil * coverage)), code)
        if active_rate is not None:
            _meet_active_rate(rng, pieces, main, when, active_rate, code)
    return pieces


def _meet_members(rng, pieces, main, movable, births, lapsed_paid, when: date, wanted: int,
                  code: str) -> None:
    """Move recent members' start across ``when`` until exactly ``wanted`` are members."""
    at, last = day(when), day(CALIBRATION_DATE)
    diff = wanted - members_at(pieces, when)
    recent = movable & (main["start"] >= day(RECENT_FROM)) & (main["end"] == NO_DATE)
    if diff > 0:  # join earlier (not before birth)
        candidates = np.flatnonzero(recent & (main["start"] > at) & (births <= at))
    else:
        candidates = np.flatnonzero(recent & (main["start"] <= at))
    if len(candidates) < abs(diff):
        raise ParameterError(f"region {code}: cannot meet the JKN enrolment target on {when}",
                             fix="check sample_targets.csv (coverage far from the year-end)")
    chosen = rng.choice(candidates, size=abs(diff), replace=False)
    if diff > 0:
        new_start = rng.integers(np.maximum(births[chosen], day(RECENT_FROM)), at + 1)
    else:
        new_start = rng.integers(at + 1, last + 1, size=abs(diff))
    main["start"][chosen] = new_start
    lapsed = main["paid"][chosen] != day(AS_OF_DATE)
    main["paid"][chosen] = np.where(lapsed, np.maximum(lapsed_paid[chosen],
                                                       month_end(new_start)), main["paid"][chosen])


def _meet_active_rate(rng, pieces, main, when: date, rate: float, code: str) -> None:
    """Put members into or out of arrears until ``rate`` of the members are active."""
    at = day(when)
    wanted = int(round(rate * members_at(pieces, when)))
    diff = wanted - active_at(pieces, when)
    member = main["start"] <= at  # the main spell is the only open one from its start
    is_active = month_number(main["paid"]) >= month_number(np.array([at]))[0] - GRACE_MONTHS
    # Last day of the latest month a lapsed member may have paid: GRACE_MONTHS + 1 before.
    cutoff = int((np.datetime64(at, "D").astype("datetime64[M]") - GRACE_MONTHS)
                 .astype("datetime64[D]").astype(np.int64)) - 1
    if diff < 0:
        candidates = np.flatnonzero(member & is_active & (main["start"] <= cutoff))
    else:
        candidates = np.flatnonzero(member & ~is_active)
    if len(candidates) < abs(diff):
        raise ParameterError(f"region {code}: cannot meet the JKN active-rate target on {when}")
    chosen = rng.choice(candidates, size=abs(diff), replace=False)
    if diff < 0:
        main["paid"][chosen] = month_end(rng.integers(main["start"][chosen], cutoff + 1))
    else:
        main["paid"][chosen] = day(AS_OF_DATE)
