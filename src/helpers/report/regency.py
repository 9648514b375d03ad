"""The regency report: every table and value of one kab/kota for a period, and its checks.

:func:`regency_report` gives a :class:`RegencyReport`; type ``report.`` in JupyterLab to see
its tables. Each table is a :class:`~helpers.report.tables.ReportTable`: ``.data`` holds the
numbers for analysis, ``.published`` the view readers get (the disclosure rule applied).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.data.schema import PEMDA_FUNDING_SOURCES
from helpers.errors import CakupanError
from helpers.measures import breakdowns, districts, indicators
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.report import comparison
from helpers.report.bundle import province_bundle
from helpers.report.gate import gate
from helpers.report.parameters import ReportParameters
from helpers.report.quality import quality_notes, quality_tables
from helpers.report.registries import Registries
from helpers.report.tables import (
    PERSON_LEVEL_COLUMNS,
    TOTAL,
    Check,
    ReportTable,
    code_prefix,
    indicator_rows_table,
    make_table,
    overlap_note,
    publishable,
    raise_on_failure,
    ratio_or_nan,
    safe_divide,
    with_total,
)

__all__ = ["PROGRAMME_OCCUPATIONS", "RegencyReport", "build_regency", "check_regency",
           "district_rates_table",
           "headline_line", "quality_notes", "quality_tables", "regency_report",
           "trend_frame"]

#: Occupations whose contributions regional programmes pay (the issue's three groups
#: first; village officials and election staff follow when a region funds them).
PROGRAMME_OCCUPATIONS = ("non_asn_staff", "tobacco_farmer", "fisher", "village_official",
                         "election_staff", "other")


@dataclass(frozen=True)
class RegencyReport:
    """Everything the regency report shows, for one kab/kota and period.

    Attributes:
        params: the report's :class:`~helpers.report.parameters.ReportParameters`.
        region_name, province_name: names from the Kemendagri codes.
        meta: where the numbers come from (registry files and checksums, engine, data as of).
        values, numerators, denominators: indicator id → number (raw, nothing hidden).
        flags: indicator_id, flag of every flagged indicator (e.g. above_one).
        headline: the numbers of the headline box.
        budget_reference: the region's APBD and DBHCHT figures of the year (Rupiah).
        target_groups: target group → size (non-ASN staff, tobacco farmers, fishers).
        programme_people: active people per occupation and funding source (any payer).
        segment_counts, district_counts: the BPJS TK breakdowns before their total row
            (a person with spells in two segments is in both).

        indicators: indicators.csv (value, numerator, denominator, unit, definition, flag).
        tk_by_segment, tk_by_occupation, tk_by_sex, tk_by_age_group, tk_by_district:
            BPJS Ketenagakerjaan members and active people by group, with the total row.
        trend: members, active people and coverage at every month end since 2022.
        programmes: Pemda-funded people, target group share and cost per programme.
        jkn_by_segment, uhc_distance, population_vintages, cross_scheme: JKN and UHC.
        budget, gaps: spending, shares of the budget, and the cost of closing the gaps.
        data_quality, rejections: the intake's counts and rejection reasons.
        positions: the region among the kab/kota of its province: rank out of n, the
            province value, the gap to the best region (coverage, active rate, budget).
        district_rates: BPJS TK members, active people and coverage rates per kecamatan
            (the kecamatan map's table twin; working-age denominators are estimates).

        province_indicators: every indicator of every kab/kota of the province (aggregates;
            the dot plots and maps read it).
        rate_trends: monthly coverage rates of every kab/kota and the province.
    """

    params: ReportParameters
    region_name: str
    province_name: str
    meta: dict = field(repr=False)
    values: dict = field(repr=False)
    numerators: dict = field(repr=False)
    denominators: dict = field(repr=False)
    flags: pd.DataFrame = field(repr=False)
    headline: dict = field(repr=False)
    budget_reference: dict = field(repr=False)
    target_groups: pd.Series = field(repr=False)
    programme_people: pd.DataFrame = field(repr=False)
    segment_counts: pd.DataFrame = field(repr=False)
    district_counts: pd.DataFrame = field(repr=False)
    indicators: ReportTable = field(repr=False)
    tk_by_segment: ReportTable = field(repr=False)
    tk_by_occupation: ReportTable = field(repr=False)
    tk_by_sex: ReportTable = field(repr=False)
    tk_by_age_group: ReportTable = field(repr=False)
    tk_by_district: ReportTable = field(repr=False)
    trend: ReportTable = field(repr=False)
    programmes: ReportTable = field(repr=False)
    jkn_by_segment: ReportTable = field(repr=False)
    uhc_distance: ReportTable = field(repr=False)
    population_vintages: ReportTable = field(repr=False)
    cross_scheme: ReportTable = field(repr=False)
    budget: ReportTable = field(repr=False)
    gaps: ReportTable = field(repr=False)
    data_quality: ReportTable = field(repr=False)
    rejections: ReportTable = field(repr=False)
    positions: ReportTable = field(repr=False)
    district_rates: ReportTable = field(repr=False)
    province_indicators: pd.DataFrame = field(repr=False)
    rate_trends: pd.DataFrame = field(repr=False)

    kind = "regency"

    @property
    def region_code(self) -> str:
        return self.params.region_code

    @property
    def province_code(self) -> str:
        return self.params.province_code

    @property
    def period(self) -> str:
        return self.params.period

    @property
    def reference_date(self):
        return self.params.reference_date

    @property
    def parameters(self) -> dict:
        """What the report states about its parameters (code, period, indicator choices)."""
        return self.params.as_dict()

    @property
    def tables(self) -> dict[str, ReportTable]:
        """Every published table in report order, by attribute name (indicators first)."""
        return {name: getattr(self, name) for name in TABLE_ORDER}

    @property
    def indicators_file(self) -> pd.DataFrame:
        """``indicators.csv``: the published indicator rows with their date and definition."""
        frame = self.indicators.published
        return frame.assign(
            reference_date=self.reference_date.isoformat(),
            definition=[BY_ID[i].definition_en for i in frame["indicator_id"]])[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]]

    def tk_by(self, by: str) -> ReportTable:
        """The BPJS TK breakdown ``by`` segment, occupation, sex, age_group or district."""
        return getattr(self, f"tk_by_{by.removesuffix('_code')}")


#: The tables of a regency report, in the order of the report and the workbook.
TABLE_ORDER = ("indicators", "tk_by_segment", "tk_by_occupation", "tk_by_sex",
               "tk_by_age_group", "tk_by_district", "trend", "programmes", "jkn_by_segment",
               "uhc_distance", "population_vintages", "cross_scheme", "budget", "gaps",
               "positions", "district_rates", "data_quality", "rejections")


def regency_report(registries: Registries, params: ReportParameters, *,
                   cache: bool = True) -> RegencyReport:
    """The regency report of ``params.region_code`` for ``params.period``.

    Args:
        registries: from :func:`~helpers.report.registries.load_registries`.
        params: from :meth:`ReportParameters.build` (checked there, not again here).
        cache: reuse the province bundle (:mod:`helpers.report.bundle`).
    """
    bundle = province_bundle(registries, params.province_code, params.indicators, cache=cache)
    return build_regency(bundle, params)


def build_regency(bundle: dict, params: ReportParameters) -> RegencyReport:
    """The regency report from a province bundle (no engine work)."""
    region_code = params.region_code
    year = params.reference_date.year
    ind = bundle["indicators"]
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    denominators = dict(zip(ind_region["indicator_id"], ind_region["denominator"]))
    tables: dict[str, ReportTable] = {}

    tables["indicators"] = indicator_rows_table(
        ind_region[["indicator_id", "value", "numerator", "denominator", "unit", "flag"]])

    # --- jamsostek breakdowns ---------------------------------------------------------
    totals = {"members": values["tk_members"], "active": values["tk_active"]}
    for by in ("segment", "occupation", "sex", "age_group", "district_code"):
        frame = bundle["tk_breakdowns"][by]
        frame = frame[frame["region_code"] == region_code].drop(columns="region_code")
        if by in ("segment", "occupation"):
            frame = frame.sort_values(["active", by], ascending=[False, True])
        if by == "district_code":  # no kecamatan in the registry: one row 'unknown'
            frame = frame.assign(district_code=frame["district_code"].fillna("unknown"))
        frame = with_total(frame, by, totals)
        units = {"members": "people", "active": "people", "active_share": "fraction"}
        codes = {by: code_prefix(by)}
        if by == "district_code":
            names = reference.districts(region_code).set_index("district_code")["district_name"]
            frame.insert(1, "district_name", frame["district_code"].map(names).fillna(""))
            codes = {}
        tables[f"tk_by_{by.removesuffix('_code')}"] = make_table(
            f"tk_by_{by.removesuffix('_code')}", f"table.tk_by_{by}", frame, units, codes,
            count_columns=("members", "active"), category=by,
            share_columns={"active_share": ("active",)}, note_key=overlap_note(frame, by))

    # --- trend -------------------------------------------------------------------------
    trend = trend_frame(bundle, region_code, params.indicators)
    tables["trend"] = make_table("trend", "table.trend", trend,
                             {"tk_members": "people", "tk_active": "people",
                              "tk_coverage": "fraction", "jkn_members": "people",
                              "jkn_active": "people", "jkn_coverage": "fraction",
                              "month_end": "date"},
                             count_columns=("tk_members", "tk_active", "jkn_members",
                                            "jkn_active"),
                             share_columns={"tk_coverage": ("tk_active",),
                                            "jkn_coverage": ("jkn_members",)},
                             can_exceed_one=("tk_coverage", "jkn_coverage"))

    # --- regional programmes -------------------------------------------------------------
    programmes = _programmes(bundle, region_code, year)
    tables["programmes"] = make_table(
        "programmes", "table.programmes", programmes,
        {"active": "people", "target_count": "people", "target_share": "fraction",
         "person_months": "count", "cost_rp": "rupiah", "cost_per_person_month_rp": "rupiah"},
        {"occupation": "occupation", "funding_source": "funding", "target_status": "status"},
        count_columns=("active",), share_columns={"target_share": ("active",)},
        note_key="note.programmes", can_exceed_one=("target_share",))

    # --- JKN and UHC -------------------------------------------------------------------
    jkn_segment = bundle["jkn_breakdowns"]["segment"]
    jkn_segment = jkn_segment[jkn_segment["region_code"] == region_code].drop(
        columns="region_code").sort_values(["members", "segment"], ascending=[False, True])
    jkn_segment = with_total(jkn_segment, "segment",
                              {"members": values["jkn_members"], "active": values["jkn_active"]})
    jkn_segment["active_rate"] = safe_divide(jkn_segment["active"], jkn_segment["members"])
    tables["jkn_by_segment"] = make_table(
        "jkn_by_segment", "table.jkn_by_segment", jkn_segment,
        {"members": "people", "active": "people", "active_share": "fraction",
         "active_rate": "fraction"}, {"segment": "jkn_segment"},
        count_columns=("members", "active"), category="segment",
        share_columns={"active_share": ("active",), "active_rate": ("active", "members")},
        note_key=overlap_note(jkn_segment, "segment"))
    population = int(denominators["jkn_coverage"])
    jkn_counts = pd.Series({"jkn_members": values["jkn_members"],
                            "jkn_active": values["jkn_active"],
                            "jkn_pemda_members": numerators["jkn_pemda_share"]})
    distance = indicators.uhc_distance(jkn_counts, population, params.thresholds,
                                       reference.jkn_pemda_monthly_rp(params.reference_date))
    tables["uhc_distance"] = make_table(
        "uhc_distance", "table.uhc_distance", distance,
        {"min_coverage": "fraction", "min_active_rate": "fraction",
         "min_pemda_share": "fraction", "people_to_enrol": "people",
         "people_to_register_by_pemda": "people", "people_to_reactivate": "people",
         "annual_cost_rp": "rupiah"},
        {"category": "uhc", "variant": "uhc_variant", "met": "yesno"},
        note_key="note.uhc_distance")
    vintages = breakdowns.vintage_table(pd.DataFrame([jkn_counts], index=[region_code]),
                                        params.indicators, [region_code]).drop(
        columns="region_code")
    tables["population_vintages"] = make_table(
        "population_vintages", "table.population_vintages", vintages,
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"},
        note_key="note.population_vintages", can_exceed_one=("jkn_coverage",))
    tables["cross_scheme"] = _cross_scheme_table(
        bundle["cross_scheme"].set_index("region_code").loc[region_code])

    # --- budget ------------------------------------------------------------------------
    budget_frame, gap_frame = _budget_frames(values, numerators, denominators, region_code,
                                             year)
    tables["budget"] = ReportTable("budget", "table.budget", budget_frame,
                                   publishable(budget_frame),
                                   units={"value": "row"}, codes={"item": "budget"},
                                   note_key="note.budget")
    tables["gaps"] = ReportTable("gaps", "table.gaps", gap_frame, publishable(gap_frame),
                                 units={"value": "row"}, codes={"item": "gap"})

    # --- data quality --------------------------------------------------------------------
    tables.update(quality_tables(bundle))
    flags = ind_region[ind_region["flag"].fillna("") != ""][["indicator_id", "flag"]]

    people = bundle["programme_people"]

    def of_region(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["region_code"] == region_code].reset_index(drop=True)

    tables["positions"] = make_table(
        "positions", "table.positions",
        comparison.region_positions(bundle["indicators"], region_code).drop(
            columns=["region_code", "best_region_code"]),
        {"value": "fraction", "rank": "count", "region_count": "count",
         "province_value": "fraction", "gap_to_province": "percent_point",
         "best_value": "fraction", "gap_to_best": "percent_point"},
        {"indicator_id": "indicator"}, can_exceed_one=("value", "province_value", "best_value"))
    rates = districts.district_coverage_rates(bundle["tk_breakdowns"]["district_code"],
                                              region_code, year)
    tables["district_rates"] = district_rates_table(rates)
    return RegencyReport(
        params=params,
        province_indicators=bundle["indicators"],
        rate_trends=comparison.coverage_rate_trends(bundle, params.labour_denominator,
                                                    params.population_vintage),
        region_name=reference.region_name(region_code),
        province_name=reference.region_name(params.province_code),
        meta=dict(bundle["meta"]),
        values=values, numerators=numerators, denominators=denominators,
        flags=flags.reset_index(drop=True),
        headline=_headline(values, programmes),
        budget_reference=_budget_reference(region_code, year),
        target_groups=_target_groups(region_code, year),
        programme_people=of_region(people),
        segment_counts=of_region(bundle["tk_breakdowns"]["segment"]),
        district_counts=of_region(bundle["tk_breakdowns"]["district_code"]),
        **tables)


def trend_frame(bundle: dict, region_code: str, params) -> pd.DataFrame:
    """Monthly members and active people of both schemes, with coverage ratios.

    Coverage at a month end divides by the denominator of that month's year (labour
    figures for jamsostek, the chosen population vintage for JKN).
    """
    tk = bundle["trend_tk"]
    jkn = bundle["trend_jkn"]
    tk = tk[tk["region_code"] == region_code].set_index("month_end")
    jkn = jkn[jkn["region_code"] == region_code].set_index("month_end")
    frame = pd.DataFrame({"tk_members": tk["members"], "tk_active": tk["active"],
                          "jkn_members": jkn["members"], "jkn_active": jkn["active"]})
    frame.index.name = "month_end"
    frame = frame.reset_index()
    workers, population = {}, {}
    for year in sorted({d.year for d in frame["month_end"]}):
        try:
            labour = reference.labour_denominator(region_code, year, params.labour_denominator)
            workers[year] = int(labour.iloc[0])
        except CakupanError:  # a year without labour figures: coverage left empty
            workers[year] = np.nan
        try:
            population[year] = int(reference.population_total(
                region_code, year, params.population_vintage).iloc[0])
        except CakupanError:
            population[year] = np.nan
    years = frame["month_end"].map(lambda d: d.year)
    frame["tk_coverage"] = frame["tk_active"] / years.map(workers)
    frame["jkn_coverage"] = frame["jkn_members"] / years.map(population)
    return frame[["month_end", "tk_members", "tk_active", "tk_coverage", "jkn_members",
                  "jkn_active", "jkn_coverage"]]


def district_rates_table(rates: pd.DataFrame) -> ReportTable:
    """The published kecamatan table (counts and coverage rates) from
    :func:`helpers.measures.districts.district_coverage_rates`; the kecamatan map draws it."""
    return make_table(
        "district_rates", "table.district_rates", rates,
        {"members": "people", "active": "people", "working_age_count": "people",
         "potential_workforce_count": "people", "tk_coverage_working_age": "fraction",
         "tk_coverage_potential": "fraction"},
        {"denominator_status": "status", "flag": "flag"}, count_columns=("members", "active"),
        category="district_code",
        share_columns={"tk_coverage_working_age": ("active",),
                       "tk_coverage_potential": ("active",)},
        note_key="note.district_rates")


def _target_groups(region_code: str, year: int, column: str = "target_count") -> pd.Series:
    """Target group → its size (or, with ``column="status"``, how certain that size is)."""
    try:
        table = reference.target_groups(year)
    except CakupanError:  # no target groups for that year: the share is left empty
        return pd.Series(dtype="int64" if column == "target_count" else object)
    table = table[table["region_code"] == region_code].set_index("target_group")[column]
    return table.astype("int64") if column == "target_count" else table


def _budget_reference(region_code: str, year: int) -> dict:
    table = reference.budget(year).set_index("region_code")
    if region_code not in table.index:
        return {}
    row = table.loc[region_code]
    # a figure the reference tables do not have (DBHCHT outside NTB) is left out, not 0
    return {**{name: int(row[name]) for name in ("apbd_total_rp", "dbhcht_received_rp",
                                                  "dbhcht_welfare_rp")
               if not pd.isna(row[name])},
            "status": str(row["status"])}


def _programmes(bundle: dict, region_code: str, year: int) -> pd.DataFrame:
    """Regional programmes: Pemda-funded active people, target group, person-months, cost."""
    people = bundle["programme_people"]
    people = people[(people["region_code"] == region_code)
                    & people["funding_source"].isin(PEMDA_FUNDING_SOURCES)]
    budget = bundle["tk_budget"]
    budget = budget[budget["region_code"] == region_code]
    frame = people.merge(budget, on=["region_code", "occupation", "funding_source"],
                         how="outer").fillna({"active": 0, "person_months": 0, "cost_rp": 0})
    targets = _target_groups(region_code, year)
    frame["target_count"] = frame["occupation"].map(targets)
    # An estimated or illustrative target size is marked where it is shown.
    frame["target_status"] = frame["occupation"].map(_target_groups(region_code, year, "status"))
    # Coverage of the target group counts everyone active in it, whoever pays.
    all_people = bundle["programme_people"]
    all_people = all_people[all_people["region_code"] == region_code].groupby("occupation")[
        "active"].sum()
    frame["target_share"] = frame["occupation"].map(all_people) / frame["target_count"]
    frame["cost_per_person_month_rp"] = safe_divide(frame["cost_rp"],
                                                     frame["person_months"]).round()
    order = {name: index for index, name in enumerate(PROGRAMME_OCCUPATIONS)}
    frame = frame.assign(_order=frame["occupation"].map(order).fillna(99)).sort_values(
        ["_order", "funding_source"]).drop(columns=["_order", "region_code"])
    for column in ("active", "person_months", "cost_rp"):
        frame[column] = frame[column].astype("int64")
    return frame[["occupation", "funding_source", "active", "target_count", "target_status",
                  "target_share", "person_months", "cost_rp", "cost_per_person_month_rp"]
                 ].reset_index(drop=True)


def _cross_scheme_table(cross: pd.Series) -> ReportTable:
    """Working-age people by scheme; 'neither' empty and flagged when the registries hold
    more people aged 15+ than the working-age population figure (never negative)."""
    exceeds = bool(cross["exceeds_population"])
    population = int(cross["working_age_population"])
    frame = pd.DataFrame({
        "group": ["both", "jkn_only", "jamsostek_only", "neither", TOTAL],
        "people": [int(cross["both"]), int(cross["jkn_only"]), int(cross["jamsostek_only"]),
                   np.nan if exceeds else int(cross["neither"]), population]})
    frame["share"] = safe_divide(frame["people"], population)
    flag = "registries_exceed_population" if exceeds else ""
    frame["flag"] = [flag if exceeds and (group in ("neither", TOTAL) or share > 1) else ""
                     for group, share in zip(frame["group"], frame["share"])]
    # Registry counts get the disclosure rule; 'neither' and the total come from the
    # population reference.
    counted = publishable(frame.iloc[:3], ("people",), share_columns={"share": ("people",)})
    published = pd.concat([counted.astype(object), frame.iloc[3:].astype(object)],
                          ignore_index=True)
    return ReportTable("cross_scheme", "table.cross_scheme", frame, published,
                       units={"people": "people", "share": "fraction"},
                       codes={"group": "overlap", "flag": "flag"},
                       note_key="note.cross_scheme")


def _budget_frames(values, numerators, denominators, region_code, year):
    reference_budget = _budget_reference(region_code, year)
    spend = (values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
             + values["budget_jkn_pemda_rp"])
    rows = [
        ("apbd_total_rp", reference_budget.get("apbd_total_rp", np.nan), "rupiah"),
        ("dbhcht_received_rp", reference_budget.get("dbhcht_received_rp", np.nan), "rupiah"),
        ("dbhcht_welfare_rp", reference_budget.get("dbhcht_welfare_rp", np.nan), "rupiah"),
        ("budget_tk_apbd_rp", values["budget_tk_apbd_rp"], "rupiah"),
        ("budget_tk_dbhcht_rp", values["budget_tk_dbhcht_rp"], "rupiah"),
        ("budget_jkn_pemda_rp", values["budget_jkn_pemda_rp"], "rupiah"),
        ("social_security_spending_rp", spend, "rupiah"),
        ("budget_share_apbd", values["budget_share_apbd"], "fraction"),
        ("dbhcht_social_security_share", values["dbhcht_social_security_share"], "fraction"),
    ]
    budget = pd.DataFrame(rows, columns=["item", "value", "unit"])
    gaps = pd.DataFrame([
        ("gap_informal_workers", values["gap_informal_workers"], "people"),
        ("gap_cost_informal_rp", values["gap_cost_informal_rp"], "rupiah"),
        ("gap_cost_informal_share_apbd",
         ratio_or_nan(values["gap_cost_informal_rp"], reference_budget.get("apbd_total_rp")),
         "fraction"),
        ("uhc_gap_people", values["uhc_gap_people"], "people"),
        ("uhc_gap_cost_rp", values["uhc_gap_cost_rp"], "rupiah"),
        ("uhc_gap_cost_share_apbd",
         ratio_or_nan(values["uhc_gap_cost_rp"], reference_budget.get("apbd_total_rp")),
         "fraction"),
    ], columns=["item", "value", "unit"])
    return budget, gaps


def _headline(values: dict, programmes: pd.DataFrame) -> dict:
    """The numbers of the headline box (raw values; the notebook formats them)."""
    def programme(occupation: str) -> dict:
        rows = programmes[programmes["occupation"] == occupation]
        sources = [s for s, n in zip(rows["funding_source"], rows["active"]) if n > 0]
        if pd.isna(values["tk_active"]):  # the registry cannot tell who is active
            return {"people": np.nan, "funding_sources": [], "annual_cost_rp": np.nan}
        return {"people": int(rows["active"].sum()), "funding_sources": sources,
                "annual_cost_rp": int(rows["cost_rp"].sum())}

    return {
        "tk_active": values["tk_active"], "tk_coverage": values["tk_coverage"],
        "tk_coverage_informal": values["tk_coverage_informal"],
        "non_asn_staff": programme("non_asn_staff"),
        "tobacco_farmer": programme("tobacco_farmer"),
        "fisher": programme("fisher"),
        "jkn_coverage": values["jkn_coverage"], "jkn_active_rate": values["jkn_active_rate"],
        "uhc_category": values["uhc_category"],
        "budget_share_apbd": values["budget_share_apbd"],
        "dbhcht_social_security_share": values["dbhcht_social_security_share"],
        "uhc_gap_people": values["uhc_gap_people"],
    }


def check_regency(report: RegencyReport) -> list[Check]:
    """Consistency checks of a regency report; raise when any fails (never hide a problem).

    Returns:
        The checks, all passed.

    Raises:
        ReportError: listing every failed check.
    """
    values = report.values
    indicator_ids = report.indicators.data["indicator_id"]
    checks = [Check("indicators_complete", set(indicator_ids) == set(INDICATOR_IDS),
                    f"{len(indicator_ids)} of {len(INDICATOR_IDS)}")]
    trend = report.trend.data
    last = trend[trend["month_end"] == max(trend["month_end"])].iloc[0] if len(trend) else None
    if last is not None and last["month_end"] == report.reference_date:
        same = all(_same_count(last[name], values[name])
                   for name in ("tk_members", "tk_active", "jkn_members", "jkn_active"))
        checks.append(Check("trend_ends_at_indicators", same,
                            "members and active at D equal the indicators"))
    flags = report.flags
    ratios_ok = all(
        pd.isna(values[i]) or 0 <= values[i] <= 1 or
        "above_one" in set(flags.loc[flags["indicator_id"] == i, "flag"])
        for i in INDICATOR_IDS if BY_ID[i].unit == "fraction")
    checks.append(Check("ratios_within_0_1_or_flagged", ratios_ok))
    segment = report.segment_counts
    checks.append(Check("segments_cover_members",
                        int(segment["members"].sum()) >= values["tk_members"]
                        and (pd.isna(values["tk_active"])
                             or int(segment["active"].sum()) >= values["tk_active"]),
                        "every member is in a segment"))
    programmes = report.programmes.data
    expected = {"non_asn_staff": "tk_nonasn_active", "tobacco_farmer": "tk_tobacco_farmers_active",
                "fisher": "tk_fishers_active"}
    funded = programmes.groupby("occupation")["active"].sum()
    checks.append(Check("programmes_match_indicators",
                        all(pd.isna(values[i]) or int(funded.get(o, 0)) == int(values[i])
                            for o, i in expected.items()),
                        "Pemda-funded people per group equal the indicators"))
    cost = programmes.groupby("funding_source")["cost_rp"].sum()
    checks.append(Check("programme_costs_match_budget",
                        all(pd.isna(values[i]) or int(cost.get(source, 0)) == values[i]
                            for source, i in (("apbd", "budget_tk_apbd_rp"),
                                              ("dbhcht", "budget_tk_dbhcht_rp"))),
                        "APBD and DBHCHT costs equal the budget indicators"))
    districts = report.district_counts
    checks.append(Check("districts_in_region",
                        bool(districts["district_code"].dropna().str.startswith(
                            report.region_code + ".").all())))
    quality = report.data_quality.data
    checks.append(Check("intake_rows_add_up", bool(
        (quality["rows_read"] == quality["rows_accepted"] + quality["rows_rejected"]).all()),
        "read = accepted + rejected"))
    checks.append(Check("no_person_level_columns", all(
        not set(t.published.columns) & set(PERSON_LEVEL_COLUMNS)
        for t in report.tables.values())))
    findings = gate(report)
    checks.append(Check("publication_gate", not findings,
                        "; ".join(str(finding) for finding in findings[:5])))
    return raise_on_failure(checks, report.region_code)


def _same_count(first, second) -> bool:
    """Two people counts are equal, or both unknown (NaN: the registry cannot tell)."""
    if pd.isna(first) or pd.isna(second):
        return bool(pd.isna(first) and pd.isna(second))
    return int(first) == int(second)


def headline_line(report, checks: list[Check]) -> str:
    """One stable line for the notebook's checked headline cell (nbval).

    It names the report and the checks, not the figures, so it holds on any data set.
    """
    name = getattr(report, "region_name", None) or report.province_name
    passed = sum(c.passed for c in checks)
    return (f"{name} ({report.params.region_code}), {report.reference_date.isoformat()}: "
            f"{passed} of {len(checks)} checks passed")
