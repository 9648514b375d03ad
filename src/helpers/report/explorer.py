"""The coverage explorer: one region at any date, with a breakdown and both labour denominators."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.measures import breakdowns, indicators
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.report.gate import gate
from helpers.report.parameters import ReportParameters, params_dict
from helpers.report.registries import REGISTRY_FILES, Registries
from helpers.report.tables import (
    TOTAL,
    Check,
    ReportTable,
    code_prefix,
    indicator_rows_table,
    make_table,
    overlap_note,
    raise_on_failure,
    with_total,
)

__all__ = ["ExplorerReport", "check_explorer", "explore_coverage"]


@dataclass(frozen=True)
class ExplorerReport:
    """Coverage of one region at any date, with a breakdown and both labour denominators.

    Attributes:
        params: the :class:`~helpers.report.parameters.ReportParameters` (any reference date).
        region_name: from the Kemendagri code.
        registry: 'jamsostek' or 'jkn', the registry broken down.
        breakdown_by: the breakdown's column.
        values: indicator id → value (raw).
        indicators, breakdown, denominators, vintages: the tables.
    """

    params: ReportParameters
    region_name: str
    registry: str
    breakdown_by: str
    values: dict = field(repr=False)
    indicators: ReportTable = field(repr=False)
    breakdown: ReportTable = field(repr=False)
    denominators: ReportTable = field(repr=False)
    vintages: ReportTable = field(repr=False)

    kind = "explorer"

    @property
    def region_code(self) -> str:
        return self.params.region_code

    @property
    def reference_date(self):
        return self.params.reference_date

    @property
    def period(self) -> str:
        return self.params.period

    @property
    def parameters(self) -> dict:
        """What the explorer states about its choices."""
        return {"region_code": self.region_code, "reference_date": self.period,
                "registry": self.registry, "breakdown_by": self.breakdown_by,
                **params_dict(self.params.indicators)}

    @property
    def tables(self) -> dict[str, ReportTable]:
        return {name: getattr(self, name)
                for name in ("indicators", "breakdown", "denominators", "vintages")}

    @property
    def indicators_file(self) -> pd.DataFrame:
        """``indicators.csv``: the published indicator rows with their date and definition."""
        frame = self.indicators.published
        return frame.assign(
            reference_date=self.reference_date.isoformat(),
            definition=[BY_ID[i].definition_en for i in frame["indicator_id"]])[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]]


def explore_coverage(registries: Registries, params: ReportParameters, *,
                     registry: str = "jamsostek", breakdown_by: str = "segment"
                     ) -> ExplorerReport:
    """Coverage of ``params.region_code`` at ``params.reference_date`` (any day).

    Args:
        registries: from :func:`~helpers.report.registries.load_registries`.
        params: from ``ReportParameters.build(region_code, at=...)``.
        registry: 'jamsostek' or 'jkn' for the breakdown.
        breakdown_by: segment, occupation, funding_source, sex, age_group, district_code
            (jamsostek) or segment, sex, age_group, district_code, care_class (jkn).

    Raises:
        ParameterError: unknown registry or breakdown.
    """
    region_code = params.region_code
    chosen = params.indicators
    if registry not in REGISTRY_FILES:
        raise ParameterError(f"unknown registry '{registry}'", fix="use jamsostek or jkn")
    table = registries.tk_table if registry == "jamsostek" else registries.jkn_table
    ind = indicators.compute_indicators(registries.tk_table, registries.jkn_table, chosen,
                                        [region_code])
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    result = breakdowns.breakdown(table, chosen, breakdown_by, [region_code]).drop(
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
    breakdown = make_table(
        f"{registry}_by_{breakdown_by.removesuffix('_code')}", "table.explore_breakdown",
        result, {"members": "people", "active": "people", "active_share": "fraction"},
        {} if breakdown_by == "district_code" else {breakdown_by: prefix},
        count_columns=("members", "active"), category=breakdown_by,
        share_columns={"active_share": ("active",)},
        note_key=overlap_note(result, breakdown_by))
    rows = []
    for denominator in reference.LABOUR_DENOMINATORS:
        labour = indicators.labour_denominators(replace(chosen, labour_denominator=denominator),
                                                [region_code]).loc[region_code]
        rows.append({"labour_denominator": denominator, "workers": int(labour["workers"]),
                     "tk_coverage": values["tk_active"] / labour["workers"],
                     "informal_workers": int(labour["informal_workers"]),
                     "tk_coverage_informal": numerators["tk_coverage_informal"]
                     / labour["informal_workers"],
                     "chosen": denominator == chosen.labour_denominator})
    denominators = make_table(
        "denominators", "table.denominators", pd.DataFrame(rows),
        {"workers": "people", "tk_coverage": "fraction", "informal_workers": "people",
         "tk_coverage_informal": "fraction"},
        {"labour_denominator": "denominator", "chosen": "yesno"},
        can_exceed_one=("tk_coverage", "tk_coverage_informal"))
    jkn_counts = pd.DataFrame([{"jkn_members": values["jkn_members"],
                                "jkn_active": values["jkn_active"],
                                "jkn_pemda_members": numerators["jkn_pemda_share"]}],
                              index=[region_code])
    vintages = make_table(
        "population_vintages", "table.population_vintages",
        breakdowns.vintage_table(jkn_counts, chosen, [region_code]).drop(columns="region_code"),
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"},
        can_exceed_one=("jkn_coverage",))
    return ExplorerReport(
        params=params, region_name=reference.region_name(region_code), registry=registry,
        breakdown_by=breakdown_by, values=values,
        indicators=indicator_rows_table(ind_region[["indicator_id", "value", "numerator",
                                                    "denominator", "unit", "flag"]]),
        breakdown=breakdown, denominators=denominators, vintages=vintages)


def check_explorer(result: ExplorerReport) -> list[Check]:
    """Checks of the coverage explorer's result; raise when any fails."""
    frame = result.breakdown.data
    inner = frame[frame[result.breakdown_by] != TOTAL]
    total = frame[frame[result.breakdown_by] == TOTAL].iloc[0]
    checks = [
        Check("groups_cover_total", int(inner["members"].sum()) >= int(total["members"])),
        Check("active_within_members", bool((inner["active"] <= inner["members"]).all())),
        Check("indicators_complete",
              set(result.indicators.data["indicator_id"]) == set(INDICATOR_IDS)),
    ]
    findings = gate(result)
    checks.append(Check("publication_gate", not findings,
                        "; ".join(str(finding) for finding in findings[:5])))
    return raise_on_failure(checks, result.region_code)
