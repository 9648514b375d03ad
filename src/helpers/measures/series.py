"""Monthly series: members and active people at every month end, per region.

One definition, two ways to compute it: :func:`monthly_series` states it as a spell ×
month cross join over the member and active predicates of
:mod:`helpers.measures.indicators`; :func:`coverage_trend` gives the same numbers (a test
checks it) with bit masks, fast enough for the report's trend on millions of spells.
"""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd

from helpers.measures.basis import RegistryBasis, registry_basis
from helpers.measures.indicators import (
    Parameters,
    count_people,
    is_active,
    is_active_known,
    is_member,
    month_ends_of_year,
    restrict,
)

__all__ = ["TREND_START", "blank_unknown_active", "coverage_trend", "month_ends_between",
           "monthly_series", "trend_month_ends"]

#: The trend starts here: the synthetic registries (and the issue) cover 2022 onwards.
TREND_START = date(2022, 1, 31)


def month_ends_between(start: date, end: date) -> list[date]:
    """Every month end from the month of ``start`` to the month of ``end``, inclusive."""
    ends = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        ends.extend(month_ends_of_year(year, month)[-1:])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def monthly_series(table: ibis.Table, params: Parameters, region_codes: list[str] | None = None,
                   start: date = TREND_START, segments: tuple[str, ...] | None = None
                   ) -> pd.DataFrame:
    """Members and active people at each month's end from ``start`` to D, per region.

    A registry of snapshots gives the months of its snapshots only (one point each). Where
    the registry cannot tell who is active (no paid_through and no status), ``active`` is
    NaN, not 0.
    """
    t = restrict(table, region_codes)
    if segments:
        t = t.filter(t.segment.isin(segments))
    at = params.reference_date
    ends = trend_month_ends(registry_basis(table), start, at)
    if not ends:
        return pd.DataFrame(columns=["region_code", "month_end", "members", "active"])
    months = ibis.memtable(pd.DataFrame({"month_end": pd.to_datetime(ends)}))
    months = months.mutate(month_end=months.month_end.cast("date"))
    joined = t.cross_join(months)
    result = count_people(joined, ["region_code", "month_end"], {
        "members": is_member(joined, joined.month_end),
        "active": is_active(joined, joined.month_end, params.grace_months),
        "active_known": is_active_known(joined, joined.month_end),
    }).to_pandas()
    result["month_end"] = pd.to_datetime(result["month_end"]).dt.date
    result = blank_unknown_active(result)
    return result.sort_values(["region_code", "month_end"]).reset_index(drop=True)


def trend_month_ends(basis: RegistryBasis, start: date, end: date) -> list[date]:
    """Month ends from ``start`` to ``end``; for a registry of snapshots only, the month
    ends of its snapshots in that range."""
    ends = month_ends_between(start, end)
    if basis.snapshot_only:
        months = {(d.year, d.month) for d in basis.extract_dates}
        ends = [e for e in ends if (e.year, e.month) in months]
    return ends


def blank_unknown_active(frame: pd.DataFrame) -> pd.DataFrame:
    """``active`` NaN where members exist but none of them can be told active or not
    (column ``active_known``, dropped)."""
    unknown = (frame["members"] > 0) & (frame["active_known"] == 0)
    frame = frame.drop(columns="active_known")
    if unknown.any():
        frame["active"] = frame["active"].astype("float64").where(~unknown)
    return frame


def coverage_trend(table, params, region_codes: list[str] | None = None,
                   start: date = TREND_START) -> pd.DataFrame:
    """Members and active people at every month's end from ``start`` to D, per region.

    Same result as :func:`monthly_series` (a test checks it), computed without a spell ×
    month cross join: a spell is a member at month end ``e_i`` exactly for the months
    ``i`` in ``[lo, hi)`` (``lo`` = the month of start_date, ``hi`` = the month of
    end_date; ``is_member``'s rule ``start ≤ e_i < end``), and active for
    ``i ≤ month(paid_through) + grace_months`` within that range (``is_active``'s rule).
    Each spell becomes a bit mask of its months; masks are OR-ed per person and region
    (a person counts once), then counted per bit. Runs in seconds on 6 million spells.

    A registry of snapshots gives the months of its snapshots only; where a registry
    cannot tell who is active (no paid_through, no status), ``active`` is NaN.

    Returns:
        region_code, month_end (date), members, active (people).
    """
    basis = registry_basis(table)
    ends = trend_month_ends(basis, start, params.reference_date)
    if not ends:
        return pd.DataFrame(columns=["region_code", "month_end", "members", "active"])
    if (table.get_backend().name != "duckdb" or basis.snapshot_only
            or "status" in basis.active_bases):
        # PySpark has no bitwise-OR aggregate, and snapshots or a status are known in
        # their month only: take the plain spell × month cross join.
        result = monthly_series(table, params, region_codes, start=ends[0])
    else:
        frames = []
        for offset in range(0, len(ends), 60):  # 60 months per int64 mask
            chunk = ends[offset:offset + 60]
            frames.append(_trend_chunk(restrict(table, region_codes), chunk,
                                       params.grace_months))
        result = pd.concat(frames, ignore_index=True)
        if basis.active_bases == {"none"}:  # no paid_through, no status: nobody is known
            result["active"] = result["active"].astype("float64").where(result["members"] == 0)
    result["month_end"] = pd.to_datetime(result["month_end"]).dt.date
    if region_codes is not None:
        full = pd.MultiIndex.from_product([region_codes, sorted(set(result["month_end"]) |
                                                                set(ends))],
                                          names=["region_code", "month_end"])
        result = (result.set_index(["region_code", "month_end"]).reindex(full, fill_value=0)
                  .reset_index())
    result["members"] = result["members"].astype("int64")
    if not result["active"].isna().any():
        result["active"] = result["active"].astype("int64")
    return result.sort_values(["region_code", "month_end"]).reset_index(drop=True)


def _trend_chunk(t: ibis.Table, ends: list[date], grace_months: int) -> pd.DataFrame:
    count = len(ends)
    first = ends[0].year * 12 + ends[0].month - 1

    def month(value):
        return value.year() * 12 + value.month() - 1 - first

    def clamp(value):
        return ibis.greatest(ibis.least(value, count), 0)

    def bits(low, high):
        # (1 << high) - (1 << low) has bits low..high-1 set; empty when high <= low.
        one = ibis.literal(1, "int64")
        return ibis.ifelse(high > low, (one << high.cast("int64"))
                           - (one << low.cast("int64")), ibis.literal(0, "int64"))

    low = clamp(month(t.start_date))
    high = ibis.ifelse(t.end_date.isnull(), count, clamp(month(t.end_date)))
    paid_high = ibis.ifelse(t.paid_through.isnull(), 0,
                            clamp(month(t.paid_through) + grace_months + 1))
    masks = t.select(region_code=t.region_code, person_id=t.person_id,
                     member=bits(low, high), active=bits(low, ibis.least(high, paid_high)))
    person = masks.group_by(["region_code", "person_id"]).aggregate(
        member=masks.member.bit_or(), active=masks.active.bit_or())
    aggregates = {}
    for index in range(count):
        aggregates[f"m{index}"] = ((person.member >> index) & 1).sum()
        aggregates[f"a{index}"] = ((person.active >> index) & 1).sum()
    wide = person.group_by("region_code").aggregate(**aggregates).to_pandas()
    rows = []
    for record in wide.itertuples(index=False):
        values = record._asdict()
        for index, end in enumerate(ends):
            rows.append({"region_code": values["region_code"], "month_end": end,
                         "members": int(values[f"m{index}"] or 0),
                         "active": int(values[f"a{index}"] or 0)})
    return pd.DataFrame(rows, columns=["region_code", "month_end", "members", "active"])
