"""A researcher's entry point: one ad-hoc coverage question, one call, one tidy numeric frame.

Usage (JupyterLab)::

    from helpers.report import report_data
    from helpers.report.query import query, query_monthly

    registries = report_data.load_registries()          # data/sample; or a folder
    query(registries, "jamsostek", region="Lombok Timur", at="2024-12-31",
          filters={"segment": "BPU", "sex": "P", "age_group": "25-34"})
    query_monthly(registries, "jkn", region="Kota Mataram", start="2024-01", end="2024")

Every count uses the definitions of :mod:`helpers.measures.indicators` (``is_member``,
``is_active``, ``count_people``, ``age_group_of``): a query's numbers equal the report's
for the same region, date and parameters (``tests/test_query.py`` checks it). The answer
is numbers only, for analysis: small counts are *not* hidden. Before you publish a table
made from it, pass it through :func:`helpers.report.report_data.publishable` (the
disclosure rule of every report: counts 1-4 shown as '<5', with secondary suppression).

Recipes: ``docs/recipes.md``. Units: people are distinct pseudonymised persons;
``active_rate`` and ``coverage`` are fractions 0-1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.data import reference
from helpers.data.schema import FORMAL_SEGMENTS, INFORMAL_SEGMENTS, JAMSOSTEK_SEGMENTS, SEXES
from helpers.errors import CakupanError, ParameterError
from helpers.measures import indicators, series
from helpers.report import report_data
from helpers.report.query_terms import (
    BY_COLUMNS,
    FILTER_COLUMNS,
    allowed_values,
    check_by,
    check_registry,
    resolve_filters,
    resolve_regions,
)

__all__ = ["BY_COLUMNS", "FILTER_COLUMNS", "query", "query_monthly", "resolve_filters",
           "resolve_regions"]

#: Filters and groupings for which the reference tables have no denominator: labour.csv
#: has workers by region and formal/informal only; population.csv by region and sex.
NO_LABOUR_SPLIT = ("sex", "age_group", "district_code", "occupation", "funding_source")
NO_POPULATION_SPLIT = ("age_group", "district_code")
COUNT_COLUMNS = ("members", "active", "active_rate", "denominator", "coverage")


# =========================================================================== the queries


def query(registries: report_data.Registries, registry: str, *, region, at,
          filters: Mapping[str, object] | None = None, by: str | Iterable[str] | None = None,
          grace_months: int = 1, labour_denominator: str = "bpjs_potential",
          population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE) -> pd.DataFrame:
    """Members, active people and coverage of a group at one reference date.

    Args:
        registries: from :func:`helpers.report.report_data.load_registries`.
        registry: 'jamsostek' (BPJS Ketenagakerjaan) or 'jkn' (any case).
        region: a kab/kota code ('52.03', '5203'), a name ('Lombok Timur', 'kota
            mataram', 'Kab. Bima'), a province code or name ('52', 'NTB': its kab/kota),
            or a list of these. Several regions are pooled (a person counts once) unless
            ``by`` includes 'region_code'.
        at: the reference date D: a ``date``, ``datetime``, ``pd.Timestamp``,
            '2024-12-31', or a period ('2024-06' → 2024-06-30, '2024' → 2024-12-31).
        filters: column → value or list of values, e.g. ``{"segment": "BPU", "sex": "P",
            "age_group": "25-34"}``. Columns: segment ('formal'/'informal' name the
            jamsostek groups), sex (L/P, or male/female), occupation, funding_source,
            age_group (a label such as '25-34', or ages ``(25, 29)`` inclusive, at the
            year of D), district_code (a code or a kecamatan name), care_class (1-3,
            JKN). Text is case-insensitive.
        by: column(s) to group by: 'region_code' or any filter column.
        grace_months: whole months of arrears an active member may have (default 1).
        labour_denominator: 'bpjs_potential' or 'bps_employed' (jamsostek coverage).
        population_vintage: population.csv vintage (JKN coverage).

    Returns:
        One row per group of ``by`` (every known value, zeros included; one row without
        ``by``), numbers only: the ``by`` columns (with ``region_name`` /
        ``district_name`` beside the codes), ``members`` and ``active`` (people),
        ``active_rate`` (active / members, 0-1), ``denominator`` (people) and
        ``coverage`` (0-1) where the reference tables have a denominator, else empty
        (NA/NaN): jamsostek coverage = active / workers of labour.csv (all segments;
        formal workers for PU+JAKON+PMI; informal workers for BPU), none by sex, age,
        district, occupation or funding source; JKN coverage = members / population of
        population.csv (by sex too; for a segment or care class, the share of residents
        covered through it), none by age or district. ``frame.attrs`` records the
        question (registry, regions, date, filters, parameters, the denominator used).
        Small counts are not hidden: apply ``report_data.publishable`` before publishing.

    Raises:
        ParameterError: unknown registry, region, filter column or value, grouping, date
            outside the data, or parameter, in one line that names the allowed values.
    """
    day = report_data.explorer_date(at)
    return _answer(registries, registry, [day], region=region, filters=filters, by=by,
                   grace_months=grace_months, labour_denominator=labour_denominator,
                   population_vintage=population_vintage, monthly=False)


def query_monthly(registries: report_data.Registries, registry: str, *, region, start, end,
                  filters: Mapping[str, object] | None = None,
                  by: str | Iterable[str] | None = None, grace_months: int = 1,
                  labour_denominator: str = "bpjs_potential",
                  population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE,
                  ) -> pd.DataFrame:
    """:func:`query` at every month's end from ``start`` to ``end``.

    Args:
        start, end: any form :func:`query`'s ``at`` accepts; periods stand for their
            reference date, so ``start='2024-01', end='2024'`` gives the twelve month
            ends of 2024. Month ends ``start <= month_end <= end`` are used.
        registries, registry, region, filters, by, grace_months, labour_denominator,
            population_vintage: as for :func:`query`.

    Returns:
        The frame of :func:`query` with a first column ``month_end`` (datetime64), one
        row per month end (and group of ``by``). Ages and denominators are those of each
        month's year. The engine joins the selected spells with the month ends (the
        definition of ``series.monthly_series``), so the work grows with spells ×
        months: about a second for four years of a province on the 2 % sample. For long
        series of whole regions without filters, ``series.coverage_trend`` is faster.

    Raises:
        ParameterError: as :func:`query`, or no month end between start and end.
    """
    first, last = report_data.explorer_date(start), report_data.explorer_date(end)
    ends = [day for day in series.month_ends_between(first, last) if first <= day <= last]
    if not ends:
        raise ParameterError(f"no month end between start {first} and end {last}",
                             fix="give start before end, e.g. start='2024-01', end='2024'")
    return _answer(registries, registry, ends, region=region, filters=filters, by=by,
                   grace_months=grace_months, labour_denominator=labour_denominator,
                   population_vintage=population_vintage, monthly=True)


def _answer(registries, registry, days: list[dt.date], *, region, filters, by, grace_months,
            labour_denominator, population_vintage, monthly: bool) -> pd.DataFrame:
    registry = check_registry(registry)
    if not hasattr(registries, "tk_table") or not hasattr(registries, "jkn_table"):
        raise ParameterError(f"registries {type(registries).__name__} are not loaded registries",
                             fix="pass report_data.load_registries(data_dir)")
    params = report_data.make_parameters(str(days[-1].year), grace_months=grace_months,
                                         labour_denominator=labour_denominator,
                                         population_vintage=population_vintage)
    region_codes = resolve_regions(region)
    chosen = resolve_filters(registry, filters, region_codes)
    groups = check_by(registry, by)
    table = registries.tk_table if registry == "jamsostek" else registries.jkn_table
    counts = _count(table, days, region_codes, chosen, groups, params.grace_months)
    frame = _complete(counts, registry, days, region_codes, chosen, groups)
    frame["active_rate"] = _divide(frame["active"], frame["members"])
    frame["denominator"] = _denominators(frame, registry, region_codes, chosen, groups,
                                         params)
    numerator = frame["active"] if registry == "jamsostek" else frame["members"]
    frame["coverage"] = _divide(numerator, frame["denominator"])
    frame = _presented(frame, groups, monthly)
    frame.attrs = {
        "registry": registry, "region_codes": region_codes,
        **({"start": days[0].isoformat(), "end": days[-1].isoformat()} if monthly
           else {"reference_date": days[0].isoformat()}),
        "filters": {column: list(values) for column, values in chosen.items()},
        "by": list(groups), "grace_months": params.grace_months,
        "denominator": _denominator_note(registry, params),
    }
    if registry == "jamsostek":
        frame.attrs["labour_denominator"] = params.labour_denominator
    else:
        frame.attrs["population_vintage"] = params.population_vintage
    return frame


# =========================================================================== counting


def _count(table, days: list[dt.date], region_codes: list[str], chosen: dict, groups: list[str],
           grace_months: int) -> pd.DataFrame:
    """Members and active people per reference date and group, in one engine query."""
    import ibis

    t = table.filter(table.region_code.isin(region_codes))
    for column, values in chosen.items():
        if column != "age_group":
            t = t.filter(t[column].isin(list(values)))
    if len(days) == 1:
        t = t.mutate(at_date=ibis.literal(days[0]))
    else:
        # Spells open at no date of the series cannot count: drop them before the join.
        t = t.filter((t.start_date <= days[-1])
                     & (t.end_date.isnull() | (t.end_date > days[0])))
        dates = ibis.memtable(pd.DataFrame({"at_date": pd.to_datetime(days)}))
        t = t.cross_join(dates.mutate(at_date=dates.at_date.cast("date")))
    if "age_group" in groups or "age_group" in chosen:
        t = t.mutate(age_group=indicators.age_group_of(t, t["at_date"]))
    if "age_group" in chosen:
        age = indicators.age_of(t, t["at_date"])
        conditions = [(age >= item[0]) & (age <= item[1]) if isinstance(item, tuple)
                      else t["age_group"] == item for item in chosen["age_group"]]
        t = t.filter(ibis.or_(*conditions))
    result = indicators.count_people(t, ["at_date", *groups], {
        "members": indicators.is_member(t, t["at_date"]),
        "active": indicators.is_active(t, t["at_date"], grace_months),
    }).to_pandas()
    result["at_date"] = pd.to_datetime(result["at_date"]).dt.date
    return result


def _complete(counts: pd.DataFrame, registry: str, days: list[dt.date],
              region_codes: list[str], chosen: dict, groups: list[str]) -> pd.DataFrame:
    """A row for every date × known value of each ``by`` column (zeros where nobody is),
    then any value found in the data but not known (e.g. an empty district), never dropped."""
    keys = ["at_date", *groups]
    domains = [days] + [_domain(registry, column, region_codes, chosen) for column in groups]
    known = pd.MultiIndex.from_product(domains, names=keys).to_frame(index=False)
    frame = known.merge(counts, on=keys, how="left")
    extra = counts.merge(known, on=keys, how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    frame = pd.concat([frame, extra], ignore_index=True) if len(extra) else frame
    frame[["members", "active"]] = frame[["members", "active"]].fillna(0).astype("int64")
    return frame.sort_values("at_date", kind="stable").reset_index(drop=True)


def _domain(registry: str, column: str, region_codes: list[str], chosen: dict) -> list:
    """The known values of a ``by`` column: those filtered on, else every allowed one."""
    if column == "region_code":
        return list(region_codes)
    if column not in chosen:
        return [value for value in allowed_values(registry, column, region_codes)
                if value != "unknown"]
    if column != "age_group":
        return list(chosen[column])
    labels = []
    for low, high, label in indicators.AGE_GROUPS:
        for item in chosen[column]:
            overlaps = (isinstance(item, tuple) and item[0] <= high and low <= item[1])
            if (item == label or overlaps) and label not in labels:
                labels.append(label)
    return labels


# =========================================================================== denominators


def _denominators(frame: pd.DataFrame, registry: str, region_codes: list[str], chosen: dict,
                  groups: list[str], params) -> pd.Series:
    """People to divide by, per row (NA where the reference tables have none)."""
    used = set(chosen) | set(groups)
    blocked = NO_LABOUR_SPLIT if registry == "jamsostek" else NO_POPULATION_SPLIT
    if used & set(blocked):
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    values = []
    for row in frame.to_dict("records"):
        codes = [row["region_code"]] if "region_code" in groups else region_codes
        year = row["at_date"].year
        if registry == "jamsostek":
            segments = ({row["segment"]} if "segment" in groups
                        else set(chosen.get("segment", JAMSOSTEK_SEGMENTS)))
            values.append(_workers(tuple(codes), year, params.labour_denominator,
                                   _labour_kind(segments)))
        else:
            sexes = ({row["sex"]} if "sex" in groups else set(chosen.get("sex", SEXES)))
            values.append(_population(tuple(codes), year, params.population_vintage,
                                      tuple(sorted(sexes))))
    return pd.Series(values, index=frame.index, dtype="Int64")


def _labour_kind(segments: set) -> str | None:
    """labour.csv worker kind whose coverage indicator counts exactly these segments."""
    for kind, members in (("all", JAMSOSTEK_SEGMENTS), ("formal", FORMAL_SEGMENTS),
                          ("informal", INFORMAL_SEGMENTS)):
        if segments == set(members):
            return kind
    return None


def _workers(codes: tuple[str, ...], year: int, denominator: str, kind: str | None):
    if kind is None:
        return pd.NA
    return int(reference.labour_denominator(list(codes), year, denominator, kind).sum())


def _population(codes: tuple[str, ...], year: int, vintage: str, sexes: tuple[str, ...]):
    if not set(sexes) <= set(SEXES):
        return pd.NA
    reference.population_total(list(codes), year, vintage)  # raises when a figure is missing
    table = reference.load_table("population")
    rows = table[(table["vintage"] == vintage) & (table["year"] == year)
                 & table["region_code"].isin(codes) & table["sex"].isin(sexes)]
    return int(rows["population_count"].sum())


def _denominator_note(registry: str, params) -> str:
    if registry == "jamsostek":
        return (f"labour.csv {params.labour_denominator}: workers (all segments), formal "
                "workers (PU+JAKON+PMI) or informal workers (BPU); coverage = active / "
                "denominator; none by sex, age, district, occupation or funding source")
    return (f"population.csv {params.population_vintage} by region and sex; coverage = "
            "members / denominator; none by age or district")


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    top = pd.to_numeric(numerator).astype("float64")
    bottom = pd.to_numeric(denominator).astype("Float64").astype("float64")
    return (top / bottom.where(bottom > 0)).astype("float64")


def _presented(frame: pd.DataFrame, groups: list[str], monthly: bool) -> pd.DataFrame:
    """Column order, names beside codes, ``month_end`` first (monthly) or no date column."""
    columns = []
    for column in groups:
        columns.append(column)
        if column == "region_code":
            frame["region_name"] = [_name_or_empty(code) for code in frame[column]]
            columns.append("region_name")
        if column == "district_code":
            names = reference.districts().set_index("district_code")["district_name"]
            frame["district_name"] = frame[column].map(names).fillna("")
            columns.append("district_name")
    if monthly:
        frame["month_end"] = pd.to_datetime(frame["at_date"])
        columns.insert(0, "month_end")
    return frame[[*columns, *COUNT_COLUMNS]].reset_index(drop=True)


def _name_or_empty(code) -> str:
    try:
        return reference.region_name(code)
    except CakupanError:  # a region code in the registry but not in regions.csv: no name
        return ""
