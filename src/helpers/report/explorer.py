"""The coverage explorer: one region at any date, with a breakdown and both labour denominators."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.measures.definitions import INDICATOR_IDS
from helpers.report.parameters import check_region, explorer_date, make_parameters, params_dict
from helpers.report.regency import coverage_by_vintage
from helpers.report.registries import REGISTRY_FILES, Registries
from helpers.report.tables import (
    TOTAL,
    Check,
    ReportTable,
    code_prefix,
    make_table,
    overlap_note,
    publishable_indicators,
    raise_on_failure,
    with_total,
)


def explore_coverage(registries: Registries, region_code: str, reference_date: str, *,
                     registry: str = "jamsostek", breakdown_by: str = "segment",
                     grace_months: int = 1, labour_denominator: str = "bpjs_potential",
                     population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE) -> dict:
    """Coverage of one region at any date, with a breakdown and both denominators.

    Args:
        registries: from :func:`load_registries`.
        region_code: kab/kota code.
        reference_date: 'YYYY-MM-DD' (any day), or a period '2024' / '2024-06'.
        registry: 'jamsostek' or 'jkn' for the breakdown.
        breakdown_by: segment, occupation, funding_source, sex, age_group, district_code
            (jamsostek) or segment, sex, age_group, district_code, care_class (jkn).
        grace_months, labour_denominator, population_vintage: see ``Parameters``.

    Returns:
        dict with ``indicators`` (this region, publishable), ``values``, ``tables``
        (breakdown, denominators, vintages) and ``checks`` inputs.
    """
    from helpers.measures import indicators

    region_code = check_region(region_code)
    day = explorer_date(reference_date)
    params = make_parameters(str(day.year), grace_months=grace_months,
                             labour_denominator=labour_denominator,
                             population_vintage=population_vintage)
    params = replace(params, reference_date=day)
    if registry not in REGISTRY_FILES:
        raise ParameterError(f"unknown registry '{registry}'", fix="use jamsostek or jkn")
    table = registries.tk_table if registry == "jamsostek" else registries.jkn_table
    ind = indicators.compute_indicators(registries.tk_table, registries.jkn_table, params,
                                        [region_code])
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    result = indicators.breakdown(table, params, breakdown_by, [region_code]).drop(
        columns="region_code")
    member_id, active_id = (("tk_members", "tk_active") if registry == "jamsostek"
                            else ("jkn_members", "jkn_active"))
    result = with_total(result, breakdown_by, {"members": values[member_id],
                                                "active": values[active_id]})
    if breakdown_by == "district_code":
        names = reference.districts(region_code).set_index("district_code")["district_name"]
        result.insert(1, "district_name", result["district_code"].map(names).fillna(""))
    prefix = ("jkn_segment" if registry == "jkn" and breakdown_by == "segment"
              else code_prefix(breakdown_by))
    tables = {"breakdown": make_table(
        f"{registry}_by_{breakdown_by.removesuffix('_code')}", "table.explore_breakdown",
        result, {"members": "people", "active": "people", "active_share": "fraction"},
        {} if breakdown_by == "district_code" else {breakdown_by: prefix},
        count_columns=("members", "active"), category=breakdown_by,
        share_columns={"active_share": ("active",)},
        note_key=overlap_note(result, breakdown_by))}
    rows = []
    for denominator in reference.LABOUR_DENOMINATORS:
        labour = indicators.labour_denominators(replace(params, labour_denominator=denominator),
                                                [region_code]).loc[region_code]
        rows.append({"labour_denominator": denominator, "workers": int(labour["workers"]),
                     "tk_coverage": values["tk_active"] / labour["workers"],
                     "informal_workers": int(labour["informal_workers"]),
                     "tk_coverage_informal": numerators["tk_coverage_informal"]
                     / labour["informal_workers"],
                     "chosen": denominator == labour_denominator})
    tables["denominators"] = make_table(
        "denominators", "table.denominators", pd.DataFrame(rows),
        {"workers": "people", "tk_coverage": "fraction", "informal_workers": "people",
         "tk_coverage_informal": "fraction"},
        {"labour_denominator": "denominator", "chosen": "yesno"})
    jkn_counts = pd.Series({"jkn_members": values["jkn_members"],
                            "jkn_active": values["jkn_active"],
                            "jkn_pemda_members": numerators["jkn_pemda_share"]})
    tables["vintages"] = make_table(
        "population_vintages", "table.population_vintages",
        coverage_by_vintage(jkn_counts, region_code, params),
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"})
    published = publishable_indicators(ind_region[["indicator_id", "value", "numerator",
                                                   "denominator", "unit", "flag"]])
    tables = {"indicators": ReportTable(
        "indicators", "table.indicators", published,
        units={"value": "row", "numerator": "row_count", "denominator": "row_count"},
        codes={"indicator_id": "indicator", "flag": "flag"}), **tables}
    return {
        "kind": "explorer", "region_code": region_code,
        "region_name": reference.region_name(region_code), "reference_date": day,
        "registry": registry, "breakdown_by": breakdown_by,
        "parameters": {"region_code": region_code, "reference_date": day.isoformat(),
                       "registry": registry, "breakdown_by": breakdown_by,
                       **params_dict(params)},
        "indicators": published.assign(reference_date=day.isoformat(),
                                       definition=ind_region["definition"].to_numpy())[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]],
        "values": values, "tables": tables, "breakdown_raw": result,
    }


def check_explorer(result: dict) -> list[Check]:
    """Checks of the coverage explorer's result; raise when any fails."""
    frame = result["breakdown_raw"]
    inner = frame[frame[result["breakdown_by"]] != TOTAL]
    total = frame[frame[result["breakdown_by"]] == TOTAL].iloc[0]
    checks = [
        Check("groups_cover_total", int(inner["members"].sum()) >= int(total["members"])),
        Check("active_within_members", bool((inner["active"] <= inner["members"]).all())),
        Check("indicators_complete",
              set(result["indicators"]["indicator_id"]) == set(INDICATOR_IDS)),
    ]
    return raise_on_failure(checks, result["region_code"])
