"""The regency report: every table and value of one kab/kota for a period, from the province bundle, and its checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import CakupanError
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.report.bundle import province_bundle
from helpers.report.parameters import check_region, make_parameters, params_dict
from helpers.report.registries import Registries
from helpers.report.tables import (
    PERSON_LEVEL_COLUMNS,
    TOTAL,
    Check,
    ReportTable,
    code_prefix,
    make_table,
    overlap_note,
    publishable,
    publishable_indicators,
    raise_on_failure,
    ratio_or_nan,
    safe_divide,
    with_total,
)

#: Occupations whose contributions regional programmes pay (the issue's three groups
#: first; village officials and election staff follow when a region funds them).
PROGRAMME_OCCUPATIONS = ("non_asn_staff", "tobacco_farmer", "fisher", "village_official",
                         "election_staff", "other")


def regency_report(registries: Registries, region_code: str, period: str, *,
                   grace_months: int = 1, labour_denominator: str = "bpjs_potential",
                   population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE,
                   cache: bool = True) -> dict:
    """Everything the regency report shows, for one kab/kota and period.

    Args:
        registries: from :func:`load_registries`.
        region_code: kab/kota code, e.g. '52.02'.
        period: '2024' (→ 2024-12-31) or '2024-06' (→ 2024-06-30).
        grace_months, labour_denominator, population_vintage: see
            :class:`helpers.measures.indicators.Parameters`.
        cache: reuse the province bundle (see the module docstring).

    Returns:
        dict: ``region_code``, ``region_name``, ``province_code``, ``period``,
        ``reference_date``, ``parameters``, ``meta``, ``indicators`` (the indicators.csv
        frame, publishable), ``values`` (indicator id → raw value), ``headline``,
        ``tables`` (name → :class:`ReportTable`), ``trend`` and ``checks`` inputs.

    Raises:
        ParameterError: unknown region, period outside the data, bad choices.
    """
    region_code = check_region(region_code)
    params = make_parameters(period, grace_months=grace_months,
                             labour_denominator=labour_denominator,
                             population_vintage=population_vintage)
    bundle = province_bundle(registries, region_code[:2], params, cache=cache)
    return build_regency(bundle, region_code, str(period), params)


def build_regency(bundle: dict, region_code: str, period: str, params) -> dict:
    """The regency report from a province bundle (no engine work)."""
    from helpers.measures import indicators

    year = params.reference_date.year
    ind = bundle["indicators"]
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    denominators = dict(zip(ind_region["indicator_id"], ind_region["denominator"]))
    tables: dict[str, ReportTable] = {}

    tables["indicators"] = ReportTable(
        "indicators", "table.indicators",
        publishable_indicators(ind_region[["indicator_id", "value", "numerator",
                                           "denominator", "unit", "flag"]]),
        units={"value": "row", "numerator": "row_count", "denominator": "row_count"},
        codes={"indicator_id": "indicator", "flag": "flag"})

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
        tables[f"tk_by_{by}"] = make_table(
            f"tk_by_{by.removesuffix('_code')}", f"table.tk_by_{by}", frame, units, codes,
            count_columns=("members", "active"), category=by,
            share_columns={"active_share": ("active",)}, note_key=overlap_note(frame, by))

    # --- trend -------------------------------------------------------------------------
    trend = trend_frame(bundle, region_code, params)
    tables["trend"] = make_table("trend", "table.trend", trend,
                             {"tk_members": "people", "tk_active": "people",
                              "tk_coverage": "fraction", "jkn_members": "people",
                              "jkn_active": "people", "jkn_coverage": "fraction",
                              "month_end": "date"},
                             count_columns=("tk_members", "tk_active", "jkn_members",
                                            "jkn_active"),
                             share_columns={"tk_coverage": ("tk_active",),
                                            "jkn_coverage": ("jkn_members",)})

    # --- regional programmes -------------------------------------------------------------
    programmes = _programmes(bundle, region_code, year)
    tables["programmes"] = make_table(
        "programmes", "table.programmes", programmes,
        {"active": "people", "target_count": "people", "target_share": "fraction",
         "person_months": "count", "cost_rp": "rupiah", "cost_per_person_month_rp": "rupiah"},
        {"occupation": "occupation", "funding_source": "funding"},
        count_columns=("active",), share_columns={"target_share": ("active",)},
        note_key="note.programmes")

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
    distance = indicators.uhc_distance(jkn_counts, population, reference.thresholds(year),
                                       reference.jkn_pemda_monthly_rp(params.reference_date))
    tables["uhc_distance"] = make_table(
        "uhc_distance", "table.uhc_distance", distance,
        {"people_to_enrol": "people", "people_to_register_by_pemda": "people",
         "people_to_reactivate": "people", "annual_cost_rp": "rupiah"},
        {"category": "uhc", "met": "yesno"}, note_key="note.uhc_distance")
    vintages = coverage_by_vintage(jkn_counts, region_code, params)
    tables["population_vintages"] = make_table(
        "population_vintages", "table.population_vintages", vintages,
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"},
        note_key="note.population_vintages")
    cross = bundle["cross_scheme"].set_index("region_code").loc[region_code]
    cross_frame = pd.DataFrame({
        "group": ["both", "jkn_only", "jamsostek_only", "neither", TOTAL],
        "people": [int(cross["both"]), int(cross["jkn_only"]), int(cross["jamsostek_only"]),
                   int(cross["neither"]), int(cross["working_age_population"])]})
    cross_frame["share"] = safe_divide(cross_frame["people"],
                                        int(cross["working_age_population"]))
    # Registry counts get the disclosure rule; 'neither' and the total come from the
    # population reference ('neither' is negative when the registries hold more people
    # than the population figure: shown as is, never clipped).
    counted = publishable(cross_frame.iloc[:3], ("people",),
                          share_columns={"share": ("people",)})
    tables["cross_scheme"] = ReportTable(
        "cross_scheme", "table.cross_scheme",
        pd.concat([counted.astype(object), cross_frame.iloc[3:].astype(object)],
                  ignore_index=True),
        units={"people": "people", "share": "fraction"}, codes={"group": "overlap"},
        note_key="note.cross_scheme")

    # --- budget ------------------------------------------------------------------------
    budget_frame, gap_frame = _budget_frames(values, numerators, denominators, region_code,
                                             year)
    tables["budget"] = ReportTable("budget", "table.budget", publishable(budget_frame),
                                   units={"value": "row"}, codes={"item": "budget"},
                                   note_key="note.budget")
    tables["gaps"] = ReportTable("gaps", "table.gaps", publishable(gap_frame),
                                 units={"value": "row"}, codes={"item": "gap"})

    # --- data quality --------------------------------------------------------------------
    tables.update(quality_tables(bundle))
    flags = ind_region[ind_region["flag"].fillna("") != ""][["indicator_id", "flag"]]

    meta = dict(bundle["meta"])
    return {
        "kind": "regency",
        "region_code": region_code,
        "region_name": reference.region_name(region_code),
        "province_code": region_code[:2],
        "province_name": reference.region_name(region_code[:2]),
        "period": period,
        "reference_date": params.reference_date,
        "parameters": {"region_code": region_code, "period": period,
                       **params_dict(params)},
        "meta": meta,
        "indicators": tables["indicators"].frame.assign(
            reference_date=params.reference_date.isoformat(),
            definition=ind_region["definition"].to_numpy())[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]],
        "values": values,
        "numerators": numerators,
        "denominators": denominators,
        "flags": flags.reset_index(drop=True),
        "headline": _headline(values, programmes),
        "tables": tables,
        "trend_raw": trend,
        "bundle_breakdowns": {by: bundle["tk_breakdowns"][by] for by in bundle["tk_breakdowns"]},
        "programmes_raw": programmes,
        "uhc_distance_raw": distance,
        "budget_reference": _budget_reference(region_code, year),
        "target_groups": _target_groups(region_code, year),
        "programme_people_raw": bundle["programme_people"][
            bundle["programme_people"]["region_code"] == region_code],
    }


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


def _target_groups(region_code: str, year: int) -> pd.Series:
    try:
        table = reference.target_groups(year)
    except CakupanError:  # no target groups for that year: the share is left empty
        return pd.Series(dtype="int64")
    table = table[table["region_code"] == region_code]
    return table.set_index("target_group")["target_count"].astype("int64")


def _budget_reference(region_code: str, year: int) -> dict:
    table = reference.budget(year).set_index("region_code")
    if region_code not in table.index:
        return {}
    row = table.loc[region_code]
    return {"apbd_total_rp": int(row["apbd_total_rp"]),
            "dbhcht_received_rp": int(row["dbhcht_received_rp"]),
            "dbhcht_welfare_rp": int(row["dbhcht_welfare_rp"]),
            "status": str(row["status"])}


def _programmes(bundle: dict, region_code: str, year: int) -> pd.DataFrame:
    """Regional programmes: Pemda-funded active people, target group, person-months, cost."""
    from helpers.data.schema import PEMDA_FUNDING_SOURCES

    people = bundle["programme_people"]
    people = people[(people["region_code"] == region_code)
                    & people["funding_source"].isin(PEMDA_FUNDING_SOURCES)]
    budget = bundle["tk_budget"]
    budget = budget[budget["region_code"] == region_code]
    frame = people.merge(budget, on=["region_code", "occupation", "funding_source"],
                         how="outer").fillna({"active": 0, "person_months": 0, "cost_rp": 0})
    targets = _target_groups(region_code, year)
    frame["target_count"] = frame["occupation"].map(targets)
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
    return frame[["occupation", "funding_source", "active", "target_count", "target_share",
                  "person_months", "cost_rp", "cost_per_person_month_rp"]].reset_index(drop=True)


def coverage_by_vintage(jkn_counts: pd.Series, region_code: str, params) -> pd.DataFrame:
    """JKN coverage and UHC category under every population vintage (from the counts).

    Same rows as :func:`helpers.measures.indicators.coverage_by_vintage` for one region, without
    counting the registry again.
    """
    from helpers.measures.indicators import _ratio, uhc_category

    year = params.reference_date.year
    thresholds = reference.thresholds(year)
    rows = []
    for vintage in reference.population_vintages():
        try:
            pop = int(reference.population_total(region_code, year, vintage).iloc[0])
        except CakupanError:  # vintage without that year
            continue
        members = int(jkn_counts["jkn_members"])
        coverage = _ratio(members, pop)
        rows.append({
            "vintage": vintage, "population": pop, "jkn_members": members,
            "jkn_coverage": coverage,
            "uhc_category": uhc_category(coverage, _ratio(jkn_counts["jkn_active"], members),
                                         _ratio(jkn_counts["jkn_pemda_members"], pop),
                                         thresholds,
                                         active_known=not pd.isna(jkn_counts["jkn_active"])),
            "default": vintage == params.population_vintage,
        })
    return pd.DataFrame(rows)


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


def quality_tables(bundle: dict) -> dict[str, ReportTable]:
    """The intake's counts and rejection reasons, as published in every report.

    The data-quality table carries :func:`quality_notes` in both languages: the columns a
    registry did not use, those it lacks and what that costs, how "active" is told.
    """
    quality, rejections = _quality_frames(bundle)
    data_quality = make_table(
        "data_quality", "table.data_quality", quality,
        {c: "count" for c in quality.columns if c != "registry"}, {"registry": "registry"},
        note_key="note.data_quality")
    data_quality.notes = {lang: quality_notes(bundle, lang) for lang in ("id", "en")}
    return {
        "data_quality": data_quality,
        "rejections": make_table("rejections", "table.rejections", rejections, {"rows": "count"},
                             {"registry": "registry", "reason": "reason"},
                             count_columns=("rows",)),
    }


def quality_notes(bundle_or_report: dict, lang: str = "id") -> list[str]:
    """What the registries cannot tell, one sentence each, for the data-quality section.

    Args:
        bundle_or_report: a province bundle, or a report built from one (its
            ``tables['data_quality'].notes``).
        lang: 'id' or 'en'.

    Returns:
        Sentences like "JKN registry (BPJS Kesehatan): Not found: paid_through and status.
        No paid_through and no status: active rates cannot be computed; …", registry by
        registry; empty when the registries have all the columns and use them all.
    """
    from helpers.data.intake_notes import quality_notes as registry_notes
    from helpers.report.i18n import label

    if "intake" not in bundle_or_report:
        return list(bundle_or_report["tables"]["data_quality"].notes.get(lang, []))
    notes = []
    for name, summary in bundle_or_report["intake"].items():
        for sentence in registry_notes({"registry": name, **summary}, lang):
            notes.append(f"{label('registry', name, lang)}: {sentence}")
    return notes


def _quality_frames(bundle: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, reasons = [], []
    for name, summary in bundle["intake"].items():
        rows.append({"registry": name, "rows_read": summary["rows_read"],
                     "rows_accepted": summary["rows_accepted"],
                     "rows_rejected": summary["rows_rejected"],
                     "duplicates_collapsed": summary["duplicates_collapsed"],
                     "prefix_mismatches": summary["prefix_mismatches"]})
        detail = summary["by_reason_column"]
        for record in detail.itertuples(index=False):
            reasons.append({"registry": name, "reason": record.reason,
                            "column": record.column, "rows": int(record.rows)})
    rejections = pd.DataFrame(reasons, columns=["registry", "reason", "column", "rows"])
    return pd.DataFrame(rows), rejections


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


def check_regency(report: dict) -> list[Check]:
    """Consistency checks of a regency report; raise when any fails (never hide a problem).

    Returns:
        The checks, all passed.

    Raises:
        ReportError: listing every failed check.
    """
    values = report["values"]
    checks = [Check("indicators_complete",
                    set(report["indicators"]["indicator_id"]) == set(INDICATOR_IDS),
                    f"{len(report['indicators'])} of {len(INDICATOR_IDS)}")]
    trend = report["trend_raw"]
    last = trend[trend["month_end"] == max(trend["month_end"])].iloc[0] if len(trend) else None
    if last is not None and last["month_end"] == report["reference_date"]:
        same = all(_same_count(last[name], values[name])
                   for name in ("tk_members", "tk_active", "jkn_members", "jkn_active"))
        checks.append(Check("trend_ends_at_indicators", same,
                            "members and active at D equal the indicators"))
    ratios_ok = all(
        pd.isna(values[i]) or 0 <= values[i] <= 1 or
        "above_one" in set(report["flags"].loc[report["flags"]["indicator_id"] == i, "flag"])
        for i in INDICATOR_IDS if BY_ID[i].unit == "fraction")
    checks.append(Check("ratios_within_0_1_or_flagged", ratios_ok))
    segment = report["bundle_breakdowns"]["segment"]
    segment = segment[segment["region_code"] == report["region_code"]]
    checks.append(Check("segments_cover_members",
                        int(segment["members"].sum()) >= values["tk_members"]
                        and (pd.isna(values["tk_active"])
                             or int(segment["active"].sum()) >= values["tk_active"]),
                        "every member is in a segment"))
    programmes = report["programmes_raw"]
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
    districts = report["bundle_breakdowns"]["district_code"]
    districts = districts[districts["region_code"] == report["region_code"]]
    checks.append(Check("districts_in_region",
                        bool(districts["district_code"].dropna().str.startswith(
                            report["region_code"] + ".").all())))
    quality = report["tables"]["data_quality"].frame
    checks.append(Check("intake_rows_add_up", bool(
        (pd.to_numeric(quality["rows_read"]) == pd.to_numeric(quality["rows_accepted"])
         + pd.to_numeric(quality["rows_rejected"])).all()), "read = accepted + rejected"))
    checks.append(Check("no_person_level_columns", all(
        not set(t.frame.columns) & set(PERSON_LEVEL_COLUMNS) for t in report["tables"].values())))
    return raise_on_failure(checks, report["region_code"])


def _same_count(first, second) -> bool:
    """Two people counts are equal, or both unknown (NaN: the registry cannot tell)."""
    if pd.isna(first) or pd.isna(second):
        return bool(pd.isna(first) and pd.isna(second))
    return int(first) == int(second)


def headline_line(report: dict, checks: list[Check]) -> str:
    """One stable line for the notebook's checked headline cell (nbval).

    It names the report and the checks, not the figures, so it holds on any data set.
    """
    name = report.get("region_name") or report.get("province_name")
    code = report.get("region_code") or report.get("province_code")
    passed = sum(c.passed for c in checks)
    return (f"{name} ({code}), {report['reference_date'].isoformat()}: "
            f"{passed} of {len(checks)} checks passed")
