"""Indicators on a few hand-computed rows (STYLE 9): each expected value is worked out here."""

from datetime import date

import ibis
import pandas as pd
import pytest
from intake_tables import intake_table

from helpers.data import reference
from helpers.measures import breakdowns, dates, indicators, series
from helpers.measures.indicators import Parameters

D = date(2024, 12, 31)


TK_DEFAULTS = {"sex": "L", "birth_year": 1990, "district_code": None, "nik_region_code": None,
               "segment": "PU", "occupation": "other", "funding_source": "employer",
               "wage_rp": 2_000_000, "risk_class": 1, "programmes": "JKK;JKM",
               "end_date": None, "paid_through": date(2024, 12, 31)}
JKN_DEFAULTS = {"sex": "P", "birth_year": 1980, "district_code": None, "nik_region_code": None,
                "segment": "PBI_APBN", "care_class": 3, "end_date": None,
                "paid_through": date(2024, 12, 31)}


def tk_table(rows: list[dict]) -> ibis.Table:
    """A jamsostek intake table from short rows; unspecified columns get plain defaults."""
    return intake_table(rows, TK_DEFAULTS)


def jkn_table(rows: list[dict]) -> ibis.Table:
    return intake_table(rows, JKN_DEFAULTS)


def spell(person, **fields):
    return {"person_id": person, "region_code": "52.02", "start_date": date(2023, 1, 1),
            **fields}


@pytest.mark.parametrize(
    ("fields", "member", "active"),
    [
        ({}, 1, 1),
        ({"end_date": date(2024, 12, 31)}, 0, 0),  # spell ending on D: not a member at D
        ({"end_date": date(2025, 1, 1)}, 1, 1),
        ({"start_date": date(2024, 12, 31)}, 1, 1),  # starting on D: a member
        ({"start_date": date(2025, 1, 1)}, 0, 0),
        ({"paid_through": date(2024, 11, 30)}, 1, 1),  # one month in arrears: active
        ({"paid_through": date(2024, 10, 31)}, 1, 0),  # two months in arrears: not active
        ({"paid_through": None}, 1, 0),
    ],
)
def test_member_and_active_definitions(fields, member, active):
    result = indicators.jamsostek_counts(tk_table([spell("a", **fields)]), Parameters(D),
                                         ["52.02"])
    assert (result.loc["52.02", "tk_members"], result.loc["52.02", "tk_active"]) == (member,
                                                                                     active)


def test_grace_months_zero_and_two():
    table = tk_table([spell("a", paid_through=date(2024, 11, 30)),
                      spell("b", paid_through=date(2024, 10, 31))])
    strict = indicators.jamsostek_counts(table, Parameters(D, grace_months=0), ["52.02"])
    lenient = indicators.jamsostek_counts(table, Parameters(D, grace_months=2), ["52.02"])
    assert strict.loc["52.02", "tk_active"] == 0
    assert lenient.loc["52.02", "tk_active"] == 2


def test_people_are_distinct_and_pemda_programmes_need_pemda_funding():
    table = tk_table([
        spell("a", segment="PU", occupation="non_asn_staff", funding_source="apbd"),
        spell("a", segment="BPU", start_date=date(2024, 3, 1)),  # same person, second spell
        spell("b", segment="BPU", occupation="fisher", funding_source="apbd"),
        spell("c", segment="BPU", occupation="fisher", funding_source="self"),
        spell("d", segment="BPU", occupation="tobacco_farmer", funding_source="dbhcht"),
        spell("e", segment="JAKON", region_code="52.03"),
    ])
    result = indicators.jamsostek_counts(table, Parameters(D), ["52.02", "52.03", "52.01"])
    expected = pd.Series({"tk_members": 4, "tk_active": 4, "tk_active_formal": 1,
                          "tk_active_informal": 4, "tk_nonasn_active": 1,
                          "tk_tobacco_farmers_active": 1, "tk_fishers_active": 1,
                          "tk_pemda_funded_active": 3}, name="52.02")
    pd.testing.assert_series_equal(result.loc["52.02", expected.index], expected)
    assert result.loc["52.03", "tk_active_formal"] == 1
    assert result.loc["52.01"].sum() == 0  # empty region: a row of zeros, not a missing row


def test_funded_person_months_and_budget():
    # Fisher funded all of 2024: 12 months × Rp16,800; non-ASN on Rp2,000,000 at risk
    # class 1 (JKK 0.24 % + JKM 0.30 % = Rp10,800 a month) joins on 2024-07-01: 6 months.
    # A tobacco farmer paid only to 2024-03-31: 3 months from DBHCHT.
    table = tk_table([
        spell("f", segment="BPU", occupation="fisher", funding_source="apbd",
              paid_through=date(2025, 12, 31)),
        spell("n", segment="PU", occupation="non_asn_staff", funding_source="apbd",
              start_date=date(2024, 7, 1), wage_rp=2_000_000, risk_class=1),
        spell("t", segment="BPU", occupation="tobacco_farmer", funding_source="dbhcht",
              paid_through=date(2024, 3, 31)),
        spell("x", segment="BPU", occupation="fisher", funding_source="self"),
    ])
    result = indicators.jamsostek_budget(table, Parameters(D), ["52.02"]).set_index(
        ["funding_source", "occupation"])
    assert result.loc[("apbd", "fisher"), "cost_rp"] == 12 * 16_800
    assert result.loc[("apbd", "non_asn_staff"), "cost_rp"] == 6 * 10_800
    assert result.loc[("dbhcht", "tobacco_farmer"), "person_months"] == 3
    assert result.loc[("dbhcht", "tobacco_farmer"), "cost_rp"] == 3 * 16_800
    assert ("self", "fisher") not in result.index


def test_budget_year_to_date_for_a_mid_year_period():
    table = tk_table([spell("f", segment="BPU", occupation="fisher", funding_source="apbd")])
    params = Parameters(dates.reference_date_of("2024-06"))
    result = indicators.jamsostek_budget(table, params, ["52.02"])
    assert result["person_months"].sum() == 6


def test_jkn_counts_and_pemda_cost():
    table = jkn_table([
        {"person_id": "p1", "region_code": "52.02", "start_date": date(2020, 1, 1),
         "segment": "PBPU_PEMDA"},
        {"person_id": "p2", "region_code": "52.02", "start_date": date(2020, 1, 1),
         "segment": "PBPU", "paid_through": date(2023, 5, 31)},
        {"person_id": "p3", "region_code": "52.02", "start_date": date(2020, 1, 1),
         "end_date": date(2024, 6, 30)},
    ])
    counts = indicators.jkn_counts(table, Parameters(D), ["52.02"])
    assert counts.loc["52.02"].to_dict() == {"jkn_members": 2, "jkn_active": 1,
                                             "jkn_pemda_members": 1}
    budget = indicators.jkn_pemda_budget(table, Parameters(D), ["52.02"])
    # Perpres 64/2020: the region pays Rp35,000 + Rp2,800 per PBPU Pemda member-month.
    assert budget["cost_rp"].tolist() == [12 * 37_800]


THRESHOLDS = pd.DataFrame({
    "category": ["pratama", "madya", "madya", "utama"], "variant": ["a", "a", "b", "a"],
    "min_coverage": [0.98, 0.98, 0.98, 0.99], "min_active_rate": [0.80, 0.85, 0.80, 0.95],
    "min_pemda_share": [None, None, 0.25, 0.18],
})


@pytest.mark.parametrize(
    ("coverage", "active", "pemda", "expected"),
    [
        (0.97, 0.99, 0.30, "none"),
        (0.98, 0.80, 0.10, "pratama"),
        (0.985, 0.86, 0.10, "madya"),
        (0.985, 0.81, 0.26, "madya"),  # variant b
        (0.995, 0.96, 0.20, "utama"),
        (0.995, 0.96, 0.10, "madya"),  # Pemda share too low for utama
        (float("nan"), 0.9, 0.2, "none"),  # zero population: no category
    ],
)
def test_uhc_category(coverage, active, pemda, expected):
    assert indicators.uhc_category(coverage, active, pemda, THRESHOLDS) == expected


def test_uhc_distance_in_people_and_rupiah():
    row = pd.Series({"jkn_members": 970, "jkn_active": 700, "jkn_pemda_members": 100})
    result = indicators.uhc_distance(row, 1000, THRESHOLDS, 37_800).set_index(
        ["category", "variant"])
    pratama = result.loc[("pratama", "a")]
    # enrol 980 − 970 = 10; active needed ⌈0.80 × 980⌉ = 784 − (700 + 10) = 74 to reactivate
    assert (pratama["people_to_enrol"], pratama["people_to_reactivate"]) == (10, 74)
    assert pratama["annual_cost_rp"] == (10 + 74) * 37_800 * 12
    assert not pratama["met"]


def test_period_reference_dates():
    assert dates.reference_date_of("2024") == date(2024, 12, 31)
    assert dates.reference_date_of("2024-02") == date(2024, 2, 29)
    assert dates.reference_date_of("2024-06") == date(2024, 6, 30)
    with pytest.raises(indicators.ParameterError, match="2024/13"):
        dates.reference_date_of("2024/13")


def test_parameters_reject_unknown_choices():
    with pytest.raises(indicators.ParameterError, match="labour_denominator"):
        Parameters(D, labour_denominator="census")
    with pytest.raises(indicators.ParameterError, match="population_vintage"):
        Parameters(D, population_vintage="sensus_1990")


def _full_tables():
    tk = tk_table([
        spell("a", segment="BPU", occupation="fisher", funding_source="apbd"),
        spell("b", segment="PU"),
    ])
    jkn = jkn_table([{"person_id": f"p{i}", "region_code": "52.02",
                      "start_date": date(2020, 1, 1)} for i in range(3)])
    return tk, jkn


def test_compute_indicators_small_numbers_and_zero_region():
    tk, jkn = _full_tables()
    result = indicators.compute_indicators(tk, jkn, Parameters(D), ["52.02", "52.05"])
    value = lambda r, i: indicators.indicator_value(result, r, i)  # noqa: E731
    population = reference.population_total(["52.02"], 2024,
                                            reference.DEFAULT_POPULATION_VINTAGE)["52.02"]
    assert value("52.02", "tk_active") == 2
    assert value("52.02", "jkn_coverage") == pytest.approx(3 / population)
    assert value("52.02", "budget_tk_apbd_rp") == 12 * 16_800
    assert value("52.02", "uhc_gap_people") == int(-(-0.98 * population // 1)) - 3
    assert value("52.05", "tk_active") == 0
    assert value("52.05", "uhc_category") == "none"
    assert set(result["indicator_id"]) == set(indicators.INDICATOR_IDS)
    assert not result.duplicated(["region_code", "indicator_id"]).any()


def test_coverage_above_one_is_flagged_not_clipped(monkeypatch):
    tk, jkn = _full_tables()
    monkeypatch.setattr(reference, "population_total",
                        lambda codes, year, vintage: pd.Series({c: 2 for c in codes}))
    result = indicators.compute_indicators(tk, jkn, Parameters(D), ["52.02"])
    row = result[result["indicator_id"] == "jkn_coverage"].iloc[0]
    assert row["value"] == 1.5
    assert row["flag"] == "above_one"


def test_zero_denominator_gives_nan_and_a_flag(monkeypatch):
    tk, jkn = _full_tables()
    monkeypatch.setattr(reference, "population_total",
                        lambda codes, year, vintage: pd.Series({c: 0 for c in codes}))
    result = indicators.compute_indicators(tk, jkn, Parameters(D), ["52.02"])
    row = result[result["indicator_id"] == "jkn_coverage"].iloc[0]
    assert pd.isna(row["value"]) and row["flag"] == "zero_denominator"


def test_breakdown_shares_sum_to_one():
    table = tk_table([spell("a", sex="L"), spell("b", sex="P"), spell("c", sex="P")])
    result = breakdowns.breakdown(table, Parameters(D), "sex", ["52.02"])
    assert result.set_index("sex")["active"].to_dict() == {"L": 1, "P": 2}
    assert result["active_share"].sum() == pytest.approx(1.0)


def test_age_groups():
    table = tk_table([spell("a", birth_year=2005), spell("b", birth_year=1960)])
    result = breakdowns.breakdown(table, Parameters(D), "age_group", ["52.02"])
    assert result["age_group"].tolist() == ["15-24", "55-64"]


def test_monthly_series():
    table = tk_table([spell("a", start_date=date(2024, 11, 15))])
    result = series.monthly_series(table, Parameters(D), ["52.02"],
                                       start=date(2024, 10, 31))
    assert result["members"].tolist() == [0, 1, 1]


def test_cross_scheme_overlap():
    tk = tk_table([spell("p1"), spell("p9", birth_year=2015)])
    jkn = jkn_table([{"person_id": p, "region_code": "52.02", "start_date": date(2020, 1, 1)}
                     for p in ("p1", "p2")])
    result = breakdowns.cross_scheme(tk, jkn, Parameters(D), ["52.02"]).iloc[0]
    assert (result["both"], result["jkn_only"], result["jamsostek_only"]) == (1, 1, 0)
    assert result["neither"] == result["working_age_population"] - 2


def test_scorecard_scores_total_and_rank(monkeypatch):
    from helpers.measures import scorecard

    table = tk_table([
        spell("a", segment="BPU", occupation="fisher", funding_source="apbd"),
        spell("b", segment="PU", occupation="non_asn_staff", funding_source="apbd",
              start_date=date(2024, 6, 1)),
        spell("c", segment="PU", region_code="52.03"),
    ])
    monkeypatch.setattr(reference, "labour_denominator",
                        lambda codes, year, denominator, kind: pd.Series({c: 10 for c in codes}))
    monkeypatch.setattr(reference, "target_groups", lambda year: pd.DataFrame({
        "region_code": ["52.02", "52.03"], "target_group": ["non_asn_staff"] * 2,
        "target_count": [4, 4]}))
    monkeypatch.setattr(reference, "paritrana_inputs", lambda year: pd.DataFrame({
        "region_code": ["52.02"] * 3 + ["52.03"] * 3,
        "indicator": list(scorecard.ASSESSED_INDICATORS) * 2,
        "score": [9.0, 10.0, 9.06, 1.0, 1.0, 1.0]}))
    result = scorecard.scorecard(table, Parameters(D), ["52.02", "52.03"]).set_index(
        "region_code")
    lombok_tengah = result.loc["52.02"]
    assert lombok_tengah["coverage_kepesertaan"] == pytest.approx(10 * 2 / 10)
    assert lombok_tengah["perlindungan_pekerja_rentan"] == pytest.approx(10 * 1 / 10)
    assert lombok_tengah["pertumbuhan_coverage"] == pytest.approx(10 * (2 / 1 - 1))
    assert lombok_tengah["coverage_non_asn_pemilu"] == pytest.approx(10 * 1 / 4)
    assert lombok_tengah["total_score"] == pytest.approx(2 + 1 + 10 + 2.5 + 9 + 10 + 9.06)
    assert result["rank"].to_dict() == {"52.02": 1, "52.03": 2}
    weighted = scorecard.scorecard(table, Parameters(D), ["52.02", "52.03"],
                                   weights={"pertumbuhan_coverage": 0})
    assert weighted.set_index("region_code").at["52.02", "total_score"] == pytest.approx(33.56)
    with pytest.raises(indicators.ParameterError, match="growth"):
        scorecard.scorecard(table, Parameters(D), ["52.02"], weights={"growth": 1})
