"""Indicators as Ibis expressions over the intake's pseudonymised tables (DESIGN section 6).

Every function takes the intake tables (``tk`` for BPJS Ketenagakerjaan, ``jkn`` for JKN,
each an Ibis table with ``person_id``, ``region_code``, ``segment``, ``start_date``,
``end_date``, ``paid_through``...), a reference date and parameters, and returns a small
pandas frame of aggregates. Heavy work (filters, distinct counts, person-months) runs in
the engine; only aggregates come back. All regions of a request are computed in one pass.

Definitions (one each, in ``helpers.measures.definitions``): member at D, ``start_date <=
D`` and (``end_date`` empty or ``> D``); active at D, a member with ``paid_through`` no more
than ``grace_months`` whole months before the month of D; people, distinct ``person_id``.

Snapshot registries (``extract_date`` set on their rows, :mod:`helpers.data.registry_shape`)
are known in the month of their extract date only: a row is a member at D when D lies in
that month and its status (if any) is a member status; when the registry has a status and
no paid_through (``active_basis`` 'status'), active at D means status ``active``. A
registry with neither (``active_basis`` 'none') cannot tell who is active: its active
counts are NaN with the flag ``active_unknown``, never 0. Indicators at a date no snapshot
describes are refused (:func:`helpers.measures.basis.check_date_known`). The UHC rules are
in :mod:`helpers.measures.uhc`; series and breakdowns in ``series`` and ``breakdowns``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date

import ibis
import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.data.schema import (
    ACTIVE_STATUS,
    FORMAL_SEGMENTS,
    INFORMAL_SEGMENTS,
    MEMBER_STATUSES,
    PEMDA_FUNDING_SOURCES,
)
from helpers.errors import ParameterError, ReferenceDataError
from helpers.measures.basis import check_date_known, registry_basis
from helpers.measures.dates import as_reference_date, month_ends_of_year
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.measures.uhc import CATEGORY_ORDER, ratio, uhc_category, uhc_distance

__all__ = [
    "AGE_GROUPS", "BREAKDOWN_COLUMNS", "CATEGORY_ORDER", "DBHCHT_WELFARE_SHARE",
    "UHC_TARGET_COVERAGE", "Parameters", "age_group_of", "age_of",
    "compute_indicators", "count_people", "funded_person_months",
    "indicator_table", "indicator_value", "is_active", "is_active_known", "is_member",
    "is_paid_known", "jamsostek_budget",
    "jamsostek_counts", "jamsostek_unit_cost", "jkn_counts", "jkn_pemda_budget",
    "labour_denominators", "month_ends_of_year", "ratio", "restrict",
    "uhc_category", "uhc_distance",
]

#: Welfare share of DBHCHT under PMK 72/2024 (50 % welfare, 40 % health, 10 % law).
DBHCHT_WELFARE_SHARE = 0.5
#: UHC target share of the population (RPJMN 2020-2024; the BPJS Kesehatan UHC predicate).
UHC_TARGET_COVERAGE = 0.98
AGE_GROUPS = ((0, 14, "0-14"), (15, 24, "15-24"), (25, 34, "25-34"), (35, 44, "35-44"),
              (45, 54, "45-54"), (55, 64, "55-64"), (65, 200, "65+"))
BREAKDOWN_COLUMNS = ("segment", "occupation", "funding_source", "sex", "age_group",
                     "district_code", "care_class")


@dataclass(frozen=True)
class Parameters:
    """Choices that change an indicator's value; every report states them.

    Attributes:
        reference_date: D, the date coverage is measured at (any form
            :func:`as_reference_date` accepts; stored as a ``datetime.date``).
        grace_months: whole months of arrears a member may have and still be active.
        labour_denominator: 'bpjs_potential' (BPJS TK "potensi") or 'bps_employed'.
        population_vintage: population release to divide by (population.csv ``vintage``).
    """

    reference_date: date
    grace_months: int = 1
    labour_denominator: str = "bpjs_potential"
    population_vintage: str = field(default_factory=lambda: reference.DEFAULT_POPULATION_VINTAGE)

    def __post_init__(self):
        # One date convention (as_reference_date): '2024-12-31', a Timestamp, '2024-06'.
        object.__setattr__(self, "reference_date", as_reference_date(self.reference_date))
        if self.grace_months < 0:
            raise ParameterError(f"grace_months {self.grace_months} is negative",
                                 fix="use 0 or more whole months (default 1)")
        if self.labour_denominator not in reference.LABOUR_DENOMINATORS:
            raise ParameterError(
                f"unknown labour_denominator '{self.labour_denominator}'",
                fix=f"use one of {', '.join(reference.LABOUR_DENOMINATORS)}")
        vintages = reference.population_vintages()
        if self.population_vintage not in vintages:
            raise ParameterError(f"unknown population_vintage '{self.population_vintage}'",
                                 fix=f"use one of {', '.join(vintages)}")


# --- Spell predicates (the one place the member/active definitions live) -----------------


def _month_index(value):
    return value.year() * 12 + value.month() - 1


def is_member(table: ibis.Table, at) -> ibis.Value:
    """Member at ``at``.

    A spell of a history: start_date ≤ at and (end_date empty or > at). A snapshot row
    (``extract_date`` set): ``at`` lies in the month of its extract date, its status (when
    the registry has one) is active, inactive or suspended (not deceased or left), and
    the same start and end rule holds (a snapshot may lack start dates).
    """
    at = ibis.literal(at) if isinstance(at, date) else at
    open_spell = table.end_date.isnull() | (table.end_date > at)
    if "extract_date" not in table.columns:
        return (table.start_date <= at) & open_spell
    snapshot = table.extract_date.notnull()
    started = (table.start_date <= at).fill_null(False) | (snapshot & table.start_date.isnull())
    at_extract = (_month_index(table.extract_date) == _month_index(at)) & (
        table.status.isnull() | table.status.isin(MEMBER_STATUSES))
    return started & open_spell & (~snapshot | at_extract.fill_null(False))


def is_active(table: ibis.Table, at, grace_months: int) -> ibis.Value:
    """Active at ``at``: a member at ``at`` (:func:`is_member`) who

    - by payments (a registry with paid_through, ``active_basis`` 'paid_through' or no
      such column): paid_through is ≤ grace_months whole months before at's month;
    - by status (``active_basis`` 'status': a snapshot with a status and no paid_through):
      has status ``active`` at the extract date (a snapshot row is a member in its
      extract month only, so this holds at that date only);
    - with neither (``active_basis`` 'none'): never; :func:`is_active_known` is false, and
      the counts report NaN, not 0.
    """
    return is_member(table, at) & _active_beyond_member(table, at, grace_months)


def _active_beyond_member(table: ibis.Table, at, grace_months: int) -> ibis.Value:
    """What :func:`is_active` asks of a member. At a fixed date, paid_through's month ≥ at's
    month - grace_months is ``paid_through >= that month's first day`` (the same rows)."""
    if isinstance(at, date):
        first = at.year * 12 + at.month - 1 - grace_months
        paid_recently = table.paid_through >= ibis.literal(date(first // 12, first % 12 + 1, 1))
    else:
        paid_recently = _month_index(table.paid_through) >= _month_index(at) - grace_months
    by_payment = table.paid_through.notnull() & paid_recently
    if "active_basis" not in table.columns:
        return by_payment
    by_status = (table.active_basis == "status") & (table.status == ACTIVE_STATUS)
    active = ((table.active_basis == "paid_through") & by_payment) | by_status
    return active.fill_null(False)


def is_active_known(table: ibis.Table, at) -> ibis.Value:
    """A member at ``at`` whose registry can tell whether they are active (paid_through or
    a status); false for a registry with neither."""
    if "active_basis" not in table.columns:
        return is_member(table, at)
    return is_member(table, at) & (table.active_basis != "none")


def is_paid_known(table: ibis.Table, at) -> ibis.Value:
    """A member at ``at`` whose registry has paid_through (budgets count paid months)."""
    if "active_basis" not in table.columns:
        return is_member(table, at)
    return is_member(table, at) & (table.active_basis == "paid_through")


def restrict(table: ibis.Table, region_codes: list[str] | None) -> ibis.Table:
    return table if region_codes is None else table.filter(table.region_code.isin(region_codes))


def count_people(table: ibis.Table, keys: list[str],
                 conditions: dict[str, ibis.Value]) -> ibis.Table:
    """Distinct ``person_id`` per ``keys`` for which each condition holds, one column each.

    Computed in two steps: one row per (keys, person) with a flag per condition (does any
    of the person's spells meet it?), then the flags counted per keys. The numbers are
    those of one ``person_id.nunique(where=...)`` per condition, but the engine builds one
    hash aggregation, which spills to disk, instead of one set of distinct ids per
    condition, which on a national registry does not fit in memory (bench/results.md).
    A NULL condition counts as not met. Each condition is evaluated once per row.
    """
    spells = table.select(*keys, "person_id", **{
        name: condition.fill_null(False) for name, condition in conditions.items()})
    flags = spells.group_by([*keys, "person_id"]).aggregate(
        **{name: spells[name].any() for name in conditions})
    return flags.group_by(keys).aggregate(
        **{name: flags[name].cast("int64").sum() for name in conditions})


def age_of(table: ibis.Table, at) -> ibis.Value:
    """Age in whole years at ``at``: the year of ``at`` minus birth_year (the intake keeps
    the birth year only). ``at`` is a date or a date column (one reference date per row)."""
    year = at.year if isinstance(at, date) else at.year()
    return year - table.birth_year


def age_group_of(table: ibis.Table, at) -> ibis.Value:
    """Age group label (AGE_GROUPS, else 'unknown') of :func:`age_of` at ``at``."""
    age = age_of(table, at)
    return ibis.cases(*[((age >= low) & (age <= high), label) for low, high, label in AGE_GROUPS],
                      else_="unknown")


# --- Person counts -----------------------------------------------------------------------


def jamsostek_counts(tk: ibis.Table, params: Parameters,
                     region_codes: list[str] | None = None, *,
                     known: bool = False) -> pd.DataFrame:
    """People counts of BPJS Ketenagakerjaan per region at D, in one pass.

    Returns:
        One row per region_code with tk_members, tk_active, tk_active_formal,
        tk_active_informal, tk_nonasn_active, tk_tobacco_farmers_active, tk_fishers_active,
        tk_pemda_funded_active (people); with ``known``, also tk_active_known and
        tk_paid_known: members whose registry tells activity (paid_through or a status)
        and payments (paid_through).
    """
    return _counts_at(tk, params, region_codes, known, "tk", lambda t, member, active: {
        "tk_members": member, "tk_active": active,
        "tk_active_formal": active & t.segment.isin(FORMAL_SEGMENTS),
        "tk_active_informal": active & t.segment.isin(INFORMAL_SEGMENTS),
        "tk_nonasn_active": active & t._pemda & (t.occupation == "non_asn_staff"),
        "tk_tobacco_farmers_active": active & t._pemda & (t.occupation == "tobacco_farmer"),
        "tk_fishers_active": active & t._pemda & (t.occupation == "fisher"),
        "tk_pemda_funded_active": active & t._pemda,
    })


def jkn_counts(jkn: ibis.Table, params: Parameters,
               region_codes: list[str] | None = None, *, known: bool = False) -> pd.DataFrame:
    """People counts of JKN per region at D: members, active, PBPU_PEMDA members; with
    ``known``, also jkn_active_known and jkn_paid_known (see :func:`jamsostek_counts`)."""
    return _counts_at(jkn, params, region_codes, known, "jkn", lambda t, member, active: {
        "jkn_members": member, "jkn_active": active,
        "jkn_pemda_members": member & (t.segment == "PBPU_PEMDA"),
    })


def _counts_at(table: ibis.Table, params: Parameters, region_codes: list[str] | None,
               known: bool, prefix: str, conditions) -> pd.DataFrame:
    """:func:`count_people` per region of ``conditions(t, member, active)``; ``t`` has each
    spell's ``_member``, ``_active`` (beyond membership) and ``_pemda`` at D, computed once."""
    at = params.reference_date
    t = restrict(table, region_codes)
    status = {"_member": is_member(t, at),
              "_active": _active_beyond_member(t, at, params.grace_months)}
    if "funding_source" in t.columns:
        status["_pemda"] = t.funding_source.isin(PEMDA_FUNDING_SOURCES)
    t = t.mutate(**status)
    basis = {f"{prefix}_active_known": is_active_known(t, at),
             f"{prefix}_paid_known": is_paid_known(t, at)} if known else {}
    result = count_people(t, ["region_code"], {
        **basis, **conditions(t, t._member, t._member & t._active)}).to_pandas()
    return _complete(result, region_codes)


def _complete(frame: pd.DataFrame, region_codes: list[str] | None) -> pd.DataFrame:
    """Index by region_code with a row (of zeros) for every requested region."""
    frame = frame.set_index("region_code").sort_index()
    assert frame.index.is_unique, "region_code not unique after aggregation"
    if region_codes is not None:
        frame = frame.reindex(region_codes, fill_value=0)
    return frame.astype("int64")


# --- Budget: person-months × rates -------------------------------------------------------


def funded_person_months(table: ibis.Table, params: Parameters, *, funded: ibis.Value,
                         keys: list[str], region_codes: list[str] | None = None,
                         ) -> pd.DataFrame:
    """Person-months with contributions paid, from January to the month of D.

    A person-month counts when the spell is open at the month's end and ``paid_through``
    reaches that month's end. Returns one row per ``keys`` × month_end with ``person_months``
    and ``wage_sum_rp`` (for wage-based rates).
    """
    t = restrict(table, region_codes).filter(funded)
    at = params.reference_date
    months = ibis.memtable(pd.DataFrame({"month_end": pd.to_datetime(
        month_ends_of_year(at.year, at.month)).date}))
    months = months.mutate(month_end=months.month_end.cast("date"))
    joined = t.cross_join(months)
    paid = is_member(joined, joined.month_end) & (joined.paid_through >= joined.month_end)
    metrics = {"person_months": joined.person_id.count()}
    if "wage_rp" in joined.columns:
        metrics["wage_sum_rp"] = joined.wage_rp.fill_null(0).sum()
    result = joined.filter(paid).group_by([*keys, "month_end"]).aggregate(**metrics).to_pandas()
    if "wage_sum_rp" not in result.columns:
        result["wage_sum_rp"] = 0
    result["month_end"] = pd.to_datetime(result["month_end"]).dt.date
    return result


def _rates_on(day: date) -> pd.DataFrame:
    rates = reference.rates(day)
    if rates.empty:
        raise ReferenceDataError(f"no contribution rates in force on {day}",
                                 path="data/reference/rates.csv",
                                 fix="add rows whose valid_from/valid_to cover that date")
    return rates


@functools.lru_cache(maxsize=4096)
def jamsostek_unit_cost(segment: str, programmes: str, risk_class, day: date) -> tuple[float, float]:
    """Regional cost of one funded person-month: (flat Rupiah, share of wage).

    The region pays what the employer and the participant would pay for the spell's
    programmes (JKP is paid by the central government and excluded). BPU members are
    charged the flat minimum JKK + JKM (PP 44/2015 as amended; Rp16,800 in 2024).
    """
    rates = _rates_on(day)
    rates = rates[(rates["scheme"] == "jamsostek") & (rates["segment"] == segment)
                  & rates["payer"].isin(["employer", "worker", "participant",
                                         "regional_government"])]
    wanted = set(str(programmes).split(";"))
    rates = rates[rates["component"].isin(wanted)]
    if segment == "PU":
        with_class = rates["risk_class"].isna() | (rates["risk_class"] == risk_class)
        rates = rates[with_class]
    if segment == "BPU":
        rates = rates[rates["flat_rp"].notna()]
    flat = float(rates["flat_rp"].fillna(0).sum())
    share = float(rates["wage_share"].fillna(0).sum())
    return flat, share


def jamsostek_budget(tk: ibis.Table, params: Parameters,
                     region_codes: list[str] | None = None) -> pd.DataFrame:
    """Contributions the region paid for BPJS TK in the year of D, by funding source.

    Returns:
        Rows of region_code, funding_source, occupation, person_months, cost_rp (whole
        Rupiah), for funding sources apbd and dbhcht.
    """
    funded = tk.funding_source.isin(PEMDA_FUNDING_SOURCES)
    months = funded_person_months(tk, params, funded=funded, region_codes=region_codes, keys=[
        "region_code", "funding_source", "occupation", "segment", "programmes", "risk_class"])
    columns = ["region_code", "funding_source", "occupation", "person_months", "cost_rp"]
    if months.empty:
        return pd.DataFrame(columns=columns)
    costs = []
    for row in months.itertuples(index=False):
        risk = None if pd.isna(row.risk_class) else int(row.risk_class)
        flat, share = jamsostek_unit_cost(row.segment, row.programmes, risk, row.month_end)
        costs.append(flat * row.person_months + share * row.wage_sum_rp)
    months["cost_rp"] = costs
    result = months.groupby(["region_code", "funding_source", "occupation"], as_index=False)[
        ["person_months", "cost_rp"]].sum()
    result["cost_rp"] = result["cost_rp"].round().astype("int64")
    return result[columns]


def jkn_pemda_budget(jkn: ibis.Table, params: Parameters,
                     region_codes: list[str] | None = None) -> pd.DataFrame:
    """Regional cost of PBPU_PEMDA members in the year of D: region_code, person_months, cost_rp."""
    months = funded_person_months(jkn, params, funded=jkn.segment == "PBPU_PEMDA",
                                  region_codes=region_codes, keys=["region_code"])
    if months.empty:
        return pd.DataFrame(columns=["region_code", "person_months", "cost_rp"])
    monthly_rp = functools.cache(reference.jkn_pemda_monthly_rp)  # a look-up per month
    months["cost_rp"] = [monthly_rp(day) * n
                         for day, n in zip(months["month_end"], months["person_months"])]
    result = months.groupby("region_code", as_index=False)[["person_months", "cost_rp"]].sum()
    result["cost_rp"] = result["cost_rp"].astype("int64")
    return result


# --- Denominators and UHC ----------------------------------------------------------------


def labour_denominators(params: Parameters, region_codes: list[str]) -> pd.DataFrame:
    """Workers, formal and informal workers per region for the chosen denominator."""
    year = params.reference_date.year
    return pd.DataFrame({
        f"{prefix}workers": reference.labour_denominator(region_codes, year,
                                                         params.labour_denominator, kind)
        for prefix, kind in (("", "all"), ("formal_", "formal"), ("informal_", "informal"))
    })


# --- The indicator set -------------------------------------------------------------------


def compute_indicators(tk: ibis.Table, jkn: ibis.Table, params: Parameters,
                       region_codes: list[str]) -> pd.DataFrame:
    """Every DESIGN section 6 indicator for each region, at params.reference_date.

    Args:
        tk: intake table of BPJS Ketenagakerjaan spells.
        jkn: intake table of JKN spells.
        params: reference date, grace months, labour denominator, population vintage.
        region_codes: kab/kota codes (e.g. ['52.02']); all computed in one pass.

    Returns:
        Long frame: region_code, indicator_id, value, numerator, denominator, unit,
        reference_date, definition, flag. Ratios are fractions 0-1; ``flag`` is
        'above_one' for a coverage above 1 (never clipped), 'zero_denominator',
        'dbhcht_above_welfare_share', 'negative_gap' or empty.
    """
    if not region_codes:
        raise ParameterError("no region codes given", fix="pass e.g. ['52.02']")
    at = params.reference_date
    year = at.year
    check_date_known(registry_basis(tk), at, "jamsostek")
    check_date_known(registry_basis(jkn), at, "jkn")
    tk_counts = jamsostek_counts(tk, params, region_codes, known=True)
    jkn_frame = jkn_counts(jkn, params, region_codes, known=True)
    population = reference.population_total(region_codes, year, params.population_vintage)
    labour = labour_denominators(params, region_codes)
    budget = reference.budget(year).set_index("region_code")
    thresholds = reference.thresholds(year)
    tk_budget = jamsostek_budget(tk, params, region_codes)
    jkn_budget = jkn_pemda_budget(jkn, params, region_codes).set_index("region_code")
    bpu_monthly = reference.bpu_minimum_monthly_rp(at)
    pemda_monthly = reference.jkn_pemda_monthly_rp(at)

    rows = []
    for code in region_codes:
        tk_row, jkn_row, work = tk_counts.loc[code], jkn_frame.loc[code], labour.loc[code]
        pop = int(population[code])
        spend = tk_budget[tk_budget["region_code"] == code].groupby("funding_source")[
            "cost_rp"].sum()
        apbd_rp = int(spend.get("apbd", 0))
        dbhcht_rp = int(spend.get("dbhcht", 0))
        jkn_rp = int(jkn_budget["cost_rp"].get(code, 0))
        apbd_total = budget["apbd_total_rp"].get(code, np.nan)
        dbhcht_received = budget["dbhcht_received_rp"].get(code, np.nan)
        members = int(jkn_row["jkn_members"])
        unknown = _unknown_flags(tk_row, jkn_row)
        tk_row = _blank(tk_row, unknown, TK_ACTIVE_COUNTS)
        jkn_row = _blank(jkn_row, unknown, ("jkn_active",))
        if "budget_tk" in unknown:
            apbd_rp = dbhcht_rp = np.nan
        if "budget_jkn" in unknown:
            jkn_rp = np.nan
        coverage = ratio(members, pop)
        active_rate = ratio(jkn_row["jkn_active"], members)
        pemda_share = ratio(jkn_row["jkn_pemda_members"], pop)
        gap_informal = int(work["informal_workers"]) - tk_row["tk_active_informal"]
        uhc_gap = max(0, math.ceil(UHC_TARGET_COVERAGE * pop - 1e-9) - members)
        values = {
            "tk_members": (tk_row["tk_members"], None, None),
            "tk_active": (tk_row["tk_active"], None, None),
            "tk_coverage": (None, tk_row["tk_active"], work["workers"]),
            "tk_coverage_formal": (None, tk_row["tk_active_formal"], work["formal_workers"]),
            "tk_coverage_informal": (None, tk_row["tk_active_informal"],
                                     work["informal_workers"]),
            "tk_nonasn_active": (tk_row["tk_nonasn_active"], None, None),
            "tk_tobacco_farmers_active": (tk_row["tk_tobacco_farmers_active"], None, None),
            "tk_fishers_active": (tk_row["tk_fishers_active"], None, None),
            "tk_pemda_funded_active": (tk_row["tk_pemda_funded_active"], None, None),
            "jkn_members": (members, None, None),
            "jkn_coverage": (None, members, pop),
            "jkn_active": (jkn_row["jkn_active"], None, None),
            "jkn_active_rate": (None, jkn_row["jkn_active"], members),
            "jkn_pemda_share": (None, jkn_row["jkn_pemda_members"], pop),
            "uhc_category": (uhc_category(coverage, active_rate, pemda_share, thresholds,
                                          active_known="jkn" not in unknown), None, None),
            "budget_tk_apbd_rp": (apbd_rp, None, None),
            "budget_tk_dbhcht_rp": (dbhcht_rp, None, None),
            "budget_jkn_pemda_rp": (jkn_rp, None, None),
            "budget_share_apbd": (None, apbd_rp + dbhcht_rp + jkn_rp, apbd_total),
            "dbhcht_social_security_share": (None, dbhcht_rp, dbhcht_received),
            "gap_informal_workers": (gap_informal, None, None),
            "gap_cost_informal_rp": (max(gap_informal, 0) * bpu_monthly * 12
                                     if not pd.isna(gap_informal) else np.nan, None, None),
            "uhc_gap_people": (uhc_gap, None, None),
            "uhc_gap_cost_rp": (uhc_gap * pemda_monthly * 12, None, None),
        }
        for indicator_id in INDICATOR_IDS:
            value, numerator, denominator = values[indicator_id]
            if value is None:
                value = ratio(numerator, denominator)
            rows.append({
                "region_code": code, "indicator_id": indicator_id,
                "value": _plain(value), "numerator": _plain(numerator),
                "denominator": _plain(denominator), "unit": BY_ID[indicator_id].unit,
                "reference_date": at.isoformat(),
                "definition": BY_ID[indicator_id].definition_en,
                "flag": _unknown_flag(indicator_id, value, unknown) or _flag(
                    indicator_id, value, denominator, dbhcht_rp,
                    budget["dbhcht_welfare_rp"].get(code, np.nan)),
            })
    result = pd.DataFrame(rows)
    _check(result)
    return result


#: jamsostek counts of active people: NaN when the registry cannot tell who is active.
TK_ACTIVE_COUNTS = ("tk_active", "tk_active_formal", "tk_active_informal", "tk_nonasn_active",
                    "tk_tobacco_farmers_active", "tk_fishers_active", "tk_pemda_funded_active")
#: Indicators that need to know who is active, per registry, and those that need months
#: paid (paid_through) for the budget.
_NEEDS_ACTIVE = {
    "tk": ("tk_active", "tk_coverage", "tk_coverage_formal", "tk_coverage_informal",
           "tk_nonasn_active", "tk_tobacco_farmers_active", "tk_fishers_active",
           "tk_pemda_funded_active", "gap_informal_workers", "gap_cost_informal_rp"),
    "jkn": ("jkn_active", "jkn_active_rate", "uhc_category"),
    "budget_tk": ("budget_tk_apbd_rp", "budget_tk_dbhcht_rp", "budget_share_apbd",
                  "dbhcht_social_security_share"),
    "budget_jkn": ("budget_jkn_pemda_rp", "budget_share_apbd"),
}
#: The flag of an indicator the registry cannot give (never shown as 0).
UNKNOWN_FLAGS = {"tk": "active_unknown", "jkn": "active_unknown",
                 "budget_tk": "paid_months_unknown", "budget_jkn": "paid_months_unknown"}


def _unknown_flags(tk_row: pd.Series, jkn_row: pd.Series) -> set[str]:
    """Which parts a region's registries cannot tell: 'tk' / 'jkn' (who is active: no
    paid_through and no status), 'budget_tk' / 'budget_jkn' (months paid: no paid_through).
    A part is unknown when the region has members and none of them is in a registry
    that can tell it."""
    unknown = set()
    for part, row, prefix in (("tk", tk_row, "tk"), ("jkn", jkn_row, "jkn")):
        members = int(row[f"{prefix}_members"])
        if members and int(row.get(f"{prefix}_active_known", members)) == 0:
            unknown.add(part)
        if members and int(row.get(f"{prefix}_paid_known", members)) == 0:
            unknown.add(f"budget_{part}")
    return unknown


def _blank(row: pd.Series, unknown: set[str], columns) -> pd.Series:
    """``row`` with ``columns`` set to NaN when its registry cannot tell who is active."""
    part = "tk" if columns[0].startswith("tk_") else "jkn"
    if part not in unknown:
        return row
    row = row.astype(object).copy()
    for column in columns:
        row[column] = np.nan
    return row


def _unknown_flag(indicator_id: str, value, unknown: set[str]) -> str:
    if indicator_id == "uhc_category" and value != "unknown":
        return ""  # a category missed on coverage alone is known
    for part in ("tk", "jkn", "budget_tk", "budget_jkn"):
        if part in unknown and indicator_id in _NEEDS_ACTIVE[part]:
            return UNKNOWN_FLAGS[part]
    return ""


def _plain(value):
    """Python scalars (ints stay ints) so CSV output shows 13600, not 13600.0."""
    if value is None:
        return None
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def _flag(indicator_id: str, value, denominator, dbhcht_rp: int, welfare_rp) -> str:
    if denominator is not None and (pd.isna(denominator) or denominator == 0):
        return "zero_denominator"
    if indicator_id.endswith(("_coverage", "_rate", "_share")) and not pd.isna(value):
        if value > 1:
            return "above_one"
    if indicator_id == "dbhcht_social_security_share" and not pd.isna(welfare_rp):
        if dbhcht_rp > welfare_rp:
            return "dbhcht_above_welfare_share"
    if indicator_id == "gap_informal_workers" and value < 0:
        return "negative_gap"
    return ""


def _check(result: pd.DataFrame) -> None:
    """Checks where computed: unique keys, no negative ratio or count."""
    assert not result.duplicated(["region_code", "indicator_id"]).any(), \
        "indicator rows not unique per region"
    numeric = pd.to_numeric(result.loc[result["unit"].isin(["people", "fraction", "rupiah"])
                                       & (result["indicator_id"] != "gap_informal_workers"),
                                       "value"], errors="coerce")
    assert not (numeric < 0).any(), "a count, ratio or amount is negative"


def indicator_table(result: pd.DataFrame, region_code: str) -> pd.DataFrame:
    """The ``indicators.csv`` layout for one region (DESIGN section 6)."""
    frame = result[result["region_code"] == region_code]
    return frame[["indicator_id", "value", "numerator", "denominator", "unit",
                  "reference_date", "definition", "flag"]].reset_index(drop=True)


def indicator_value(result: pd.DataFrame, region_code: str, indicator_id: str):
    """One indicator's value for one region."""
    match = result[(result["region_code"] == region_code)
                   & (result["indicator_id"] == indicator_id)]
    if len(match) != 1:
        raise KeyError(f"{indicator_id} for {region_code}")
    return match["value"].iloc[0]
