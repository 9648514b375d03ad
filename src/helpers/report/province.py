"""The province overview: ranking, totals and trend of the kab/kota of a province, and its checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.data import reference
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.measures.indicators import uhc_category
from helpers.report import comparison
from helpers.report.bundle import province_bundle
from helpers.report.gate import gate
from helpers.report.parameters import ReportParameters
from helpers.report.quality import quality_tables
from helpers.report.registries import Registries
from helpers.report.tables import (
    PERSON_LEVEL_COLUMNS,
    Check,
    ReportTable,
    indicator_rows_table,
    make_table,
    raise_on_failure,
)

__all__ = ["OVERVIEW_INDICATORS", "ProvinceReport", "build_province", "check_province",
           "province_overview", "province_totals"]


@dataclass(frozen=True)
class ProvinceReport:
    """Every kab/kota of a province side by side, and the province totals.

    Attributes:
        params: the report's :class:`~helpers.report.parameters.ReportParameters`
            (``region_code`` is the province code).
        province_name: from the Kemendagri code.
        region_codes: the province's kab/kota, in code order.
        meta: where the numbers come from.
        values: indicator id → province total (counts summed, ratios of the sums).
        by_region: one row per kab/kota, one column per indicator (raw values).
        trend: month_end, province BPJS TK active and JKN members, and each region's BPJS
            TK active people (the chart's input; not published as a table).
        scorecard_unavailable: why the illustrative scorecard is missing, or None.
        province_indicators: every indicator of every kab/kota (long; maps and dot plots).
        rate_trends: monthly coverage rates of every kab/kota and the province.

        regions, ranking, scorecard (None when unavailable), totals, budget_by_region,
        data_quality, rejections: the published tables.
    """

    params: ReportParameters
    province_name: str
    region_codes: list[str]
    meta: dict = field(repr=False)
    values: dict = field(repr=False)
    by_region: pd.DataFrame = field(repr=False)
    trend: pd.DataFrame = field(repr=False)
    scorecard_unavailable: str | None
    province_indicators: pd.DataFrame = field(repr=False)
    rate_trends: pd.DataFrame = field(repr=False)
    regions: ReportTable = field(repr=False)
    ranking: ReportTable = field(repr=False)
    scorecard: ReportTable | None = field(repr=False)
    totals: ReportTable = field(repr=False)
    budget_by_region: ReportTable = field(repr=False)
    data_quality: ReportTable = field(repr=False)
    rejections: ReportTable = field(repr=False)

    kind = "province"

    @property
    def province_code(self) -> str:
        return self.params.region_code

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
        """Every published table in report order (the scorecard when there is one)."""
        names = ("regions", "ranking", "scorecard", "totals", "budget_by_region",
                 "data_quality", "rejections")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    @property
    def indicators_file(self) -> pd.DataFrame:
        """``indicators.csv``: the province totals as published."""
        return self.totals.published

    @property
    def region_names(self) -> dict[str, str]:
        return dict(zip(self.regions.data["region_code"], self.regions.data["region_name"]))


def province_overview(registries: Registries, params: ReportParameters, *,
                      cache: bool = True) -> ProvinceReport:
    """The overview of the province ``params.region_code`` for ``params.period``.

    Args:
        registries: from :func:`~helpers.report.registries.load_registries`.
        params: from :meth:`ReportParameters.build` with a province code.
        cache: reuse the province bundle.
    """
    bundle = province_bundle(registries, params.region_code, params.indicators, cache=cache)
    return build_province(bundle, params)


#: Indicators shown side by side in the province overview, in order.
OVERVIEW_INDICATORS = ("tk_active", "tk_coverage", "tk_coverage_informal",
                       "tk_pemda_funded_active", "jkn_coverage", "jkn_active_rate",
                       "uhc_category", "budget_share_apbd")


def build_province(bundle: dict, params: ReportParameters) -> ProvinceReport:
    """The province overview from a province bundle (no engine work)."""
    ind = bundle["indicators"]
    codes = bundle["meta"]["region_codes"]
    wide = ind.pivot(index="region_code", columns="indicator_id", values="value").reindex(codes)
    regions = wide[list(OVERVIEW_INDICATORS)].reset_index()
    regions.insert(1, "region_name", [reference.region_name(c) for c in codes])
    units = {i: BY_ID[i].unit for i in OVERVIEW_INDICATORS}
    tables: dict[str, ReportTable] = {}
    tables["regions"] = make_table("regions", "table.regions", regions,
                               {**units, "uhc_category": "category"},
                               {"uhc_category": "uhc"}, count_columns=("tk_active",
                                                                       "tk_pemda_funded_active"),
                               can_exceed_one=("tk_coverage", "jkn_coverage",
                                               "jkn_active_rate"))

    ranking = regions[["region_code", "region_name", "tk_coverage", "tk_coverage_informal",
                       "jkn_coverage", "jkn_active_rate"]].copy()
    for column in ("tk_coverage", "tk_coverage_informal", "jkn_coverage", "jkn_active_rate"):
        ranking[f"{column}_rank"] = pd.to_numeric(ranking[column]).rank(
            ascending=False, method="min").astype("Int64")
    ranking = ranking.sort_values(["tk_coverage_rank", "region_code"]).reset_index(drop=True)
    tables["ranking"] = make_table("ranking", "table.ranking", ranking,
                               {"tk_coverage": "fraction", "tk_coverage_informal": "fraction",
                                "jkn_coverage": "fraction", "jkn_active_rate": "fraction",
                                **{c: "count" for c in ranking.columns if c.endswith("_rank")}},
                               can_exceed_one=("tk_coverage", "jkn_coverage"))

    score = bundle["scorecard"]
    tables["scorecard"] = None
    if isinstance(score, pd.DataFrame):
        score_frame = score.drop(columns=["status"], errors="ignore")
        tables["scorecard"] = make_table(
            "scorecard", "table.scorecard", score_frame,
            {**{c: "score" for c in score_frame.columns
                if c not in ("region_code", "region_name", "rank")}, "rank": "count"},
            note_key="note.scorecard")

    totals = province_totals(bundle, params)
    tables["totals"] = indicator_rows_table(totals, name="totals", title_key="table.totals",
                                            codes={"indicator_id": "indicator"},
                                            note_key="note.totals")
    budget_columns = ["budget_tk_apbd_rp", "budget_tk_dbhcht_rp", "budget_jkn_pemda_rp",
                      "budget_share_apbd", "dbhcht_social_security_share", "uhc_gap_cost_rp",
                      "gap_cost_informal_rp"]
    budget = wide[budget_columns].reset_index()
    budget.insert(1, "region_name", [reference.region_name(c) for c in codes])
    tables["budget_by_region"] = make_table("budget_by_region", "table.budget_by_region", budget,
                              {c: BY_ID[c].unit for c in budget_columns})
    tables.update(quality_tables(bundle))
    return ProvinceReport(
        params=params,
        province_name=reference.region_name(params.region_code),
        region_codes=codes,
        meta=dict(bundle["meta"]),
        values=dict(zip(totals["indicator_id"], totals["value"])),
        by_region=wide,
        trend=_province_trend(bundle, codes),
        scorecard_unavailable=None if isinstance(score, pd.DataFrame) else score["unavailable"],
        province_indicators=bundle["indicators"],
        rate_trends=comparison.coverage_rate_trends(bundle, params.labour_denominator,
                                                    params.population_vintage),
        **tables)


def province_totals(bundle: dict, params: ReportParameters) -> pd.DataFrame:
    """Province totals: counts and Rupiah summed over kab/kota; ratios of the sums.

    A person with spells in two kab/kota at D is counted in both (rare); the kab/kota
    population and labour figures add up to the province's (reference.py checks it).
    """
    ind = bundle["indicators"]
    rows = []
    sums = {}
    for indicator_id in INDICATOR_IDS:
        unit = BY_ID[indicator_id].unit
        part = ind[ind["indicator_id"] == indicator_id]
        if unit in ("people", "rupiah"):
            value = int(pd.to_numeric(part["value"]).sum())
            sums[indicator_id] = value
            rows.append((indicator_id, value, None, None, unit))
        elif unit == "fraction":
            numerator = float(pd.to_numeric(part["numerator"]).sum())
            denominator = float(pd.to_numeric(part["denominator"]).sum())
            value = numerator / denominator if denominator else float("nan")
            rows.append((indicator_id, value, numerator, denominator, unit))
    frame = pd.DataFrame(rows, columns=["indicator_id", "value", "numerator", "denominator",
                                        "unit"])
    ratio = dict(zip(frame["indicator_id"], frame["value"]))
    category = uhc_category(ratio["jkn_coverage"], ratio["jkn_active_rate"],
                            ratio["jkn_pemda_share"],
                            params.thresholds)
    frame = pd.concat([frame, pd.DataFrame([("uhc_category", category, None, None,
                                             "category")], columns=frame.columns)],
                      ignore_index=True)
    order = {i: n for n, i in enumerate(INDICATOR_IDS)}
    frame = frame.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)
    frame["reference_date"] = params.reference_date.isoformat()
    frame["definition"] = [BY_ID[i].definition_en for i in frame["indicator_id"]]
    frame["flag"] = ""
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].map(lambda v: None if v is None or pd.isna(v)
                                          else int(round(v)))
    return frame


def _province_trend(bundle: dict, codes: list[str]) -> pd.DataFrame:
    tk = bundle["trend_tk"].groupby("month_end")[["members", "active"]].sum()
    jkn = bundle["trend_jkn"].groupby("month_end")[["members", "active"]].sum()
    frame = pd.DataFrame({"tk_active": tk["active"], "jkn_members": jkn["members"]})
    frame.index.name = "month_end"
    per_region = bundle["trend_tk"].pivot(index="month_end", columns="region_code",
                                          values="active").reindex(columns=codes)
    return frame.join(per_region).reset_index()


def check_province(overview: ProvinceReport) -> list[Check]:
    """Consistency checks of the province overview; raise when any fails."""
    wide = overview.by_region
    values = overview.values
    scorecard = overview.scorecard
    checks = [
        Check("all_regions_present", list(wide.index) == overview.region_codes,
              f"{len(wide)} kab/kota"),
        Check("totals_are_sums",
              int(pd.to_numeric(wide["tk_active"]).sum()) == int(values["tk_active"])
              and int(pd.to_numeric(wide["jkn_members"]).sum()) == int(values["jkn_members"])),
        Check("ratios_of_totals_within_0_1",
              all(0 <= values[i] <= 1.05 for i in ("tk_coverage", "jkn_active_rate"))),
        Check("scorecard_ranks_every_region",
              scorecard is None
              or sorted(scorecard.data["region_code"]) == overview.region_codes),
        Check("no_person_level_columns", all(
            not set(t.published.columns) & set(PERSON_LEVEL_COLUMNS)
            for t in overview.tables.values())),
    ]
    findings = gate(overview)
    checks.append(Check("publication_gate", not findings,
                        "; ".join(str(finding) for finding in findings[:5])))
    return raise_on_failure(checks, overview.province_code)
