"""The researcher's API (helpers.report.query) and every recipe of docs/recipes.md."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from intake_tables import intake_table

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.measures import breakdowns, dates, indicators, series
from helpers.report import report_data
from helpers.report.query import query, query_monthly, resolve_regions

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "docs" / "recipes.md"
D = date(2024, 12, 31)


@pytest.fixture(scope="module")
def registries(small_sample):
    folder, _ = small_sample
    return report_data.load_registries(folder)


# =========================================================================== hand-made rows


def hand_made(rows: list[dict]) -> SimpleNamespace:
    """Registries whose jamsostek table holds the rows written in the test."""
    defaults = {"region_code": "52.02", "sex": "P", "birth_year": 1995, "district_code": None,
                "nik_region_code": None, "segment": "BPU", "occupation": "other",
                "funding_source": "self", "wage_rp": 1_000_000, "risk_class": 1,
                "programmes": "JKK;JKM", "end_date": None, "paid_through": "2024-12-31"}
    table = intake_table(rows, defaults)
    return SimpleNamespace(tk_table=table, jkn_table=table)


ROWS = [
    # a: BPU woman, 29 in 2024, paid up: member and active; also a PU spell (counted once).
    {"person_id": "a", "start_date": "2023-01-01"},
    {"person_id": "a", "start_date": "2024-03-01", "segment": "PU", "funding_source": "employer"},
    # b: BPU woman, 30, paid to June 2024: member, not active (one month of grace).
    {"person_id": "b", "birth_year": 1994, "start_date": "2022-05-01",
     "paid_through": "2024-06-30"},
    # c: BPU man, 34, paid to November: member and active within the grace month.
    {"person_id": "c", "sex": "L", "birth_year": 1990, "start_date": "2024-01-01",
     "paid_through": "2024-11-30"},
    # d: BPU woman whose spell ended in March 2024: not a member at D.
    {"person_id": "d", "start_date": "2022-01-01", "end_date": "2024-03-31",
     "paid_through": "2024-03-31"},
    # e: PU woman: not informal.
    {"person_id": "e", "segment": "PU", "funding_source": "employer",
     "start_date": "2022-01-01"},
    # f: BPU woman in another kab/kota.
    {"person_id": "f", "region_code": "52.03", "start_date": "2022-01-01"},
]


def test_a_filtered_group_counts_people_by_the_definitions():
    result = query(hand_made(ROWS), "jamsostek", region="52.02", at=D,
                   filters={"segment": "BPU", "sex": "P", "age_group": "25-34"})
    expected = pd.DataFrame({"members": [2], "active": [1], "active_rate": [0.5],
                             "denominator": pd.array([pd.NA], dtype="Int64"),
                             "coverage": [np.nan]})
    pd.testing.assert_frame_equal(result, expected)


def test_informal_workers_are_the_denominator_of_bpu():
    result = query(hand_made(ROWS), "jamsostek", region="52.02", at=D,
                   filters={"segment": "informal"})
    informal = int(reference.labour_denominator("52.02", 2024, "bpjs_potential",
                                                "informal").iloc[0])
    assert result[["members", "active"]].iloc[0].tolist() == [3, 2]
    assert result["denominator"].iloc[0] == informal
    assert result["coverage"].iloc[0] == pytest.approx(2 / informal)


def test_a_person_counts_once_and_groups_have_a_row_even_when_empty():
    result = query(hand_made(ROWS), "jamsostek", region="52.02", at=D, by=["sex", "segment"])
    result = result.set_index(["sex", "segment"])
    assert len(result) == 2 * 4  # L/P × PU, BPU, JAKON, PMI
    assert result.loc[("P", "BPU"), ["members", "active"]].tolist() == [2, 1]
    assert result.loc[("P", "PU"), ["members", "active"]].tolist() == [2, 2]
    assert result.loc[("L", "BPU"), ["members", "active"]].tolist() == [1, 1]
    assert result.loc[("L", "PMI"), ["members", "active"]].tolist() == [0, 0]
    total = query(hand_made(ROWS), "jamsostek", region="52.02", at=D)
    assert total[["members", "active"]].iloc[0].tolist() == [4, 3]  # a, b, c, e


@pytest.mark.parametrize(("grace_months", "active"), [(0, 1), (1, 2), (6, 3)])
def test_grace_months_change_active_people_only(grace_months, active):
    result = query(hand_made(ROWS), "jamsostek", region="52.02", at=D,
                   filters={"segment": "BPU"}, grace_months=grace_months)
    assert result[["members", "active"]].iloc[0].tolist() == [3, active]


def test_ages_as_a_range_or_a_label():
    registries = hand_made(ROWS)
    band = query(registries, "jamsostek", region="52.02", at=D,
                 filters={"age_group": "25-34"})
    assert band.equals(query(registries, "jamsostek", region="52.02", at=D,
                             filters={"age_group": (25, 34)}))
    younger = query(registries, "jamsostek", region="52.02", at=D,
                    filters={"age_group": (25, 29), "segment": "BPU"})
    assert younger["members"].iloc[0] == 1  # a (29); b is 30, c 34


# =========================================================================== the sample


@pytest.mark.parametrize("region", ["52.03", "52.71"])
def test_totals_equal_the_indicator_layer(registries, region):
    params = report_data.make_parameters("2024")
    frame = indicators.compute_indicators(registries.tk_table, registries.jkn_table, params,
                                          [region]).set_index("indicator_id")
    value = frame["value"]
    tk = query(registries, "jamsostek", region=region, at="2024").iloc[0]
    assert (tk["members"], tk["active"]) == (value["tk_members"], value["tk_active"])
    assert tk["denominator"] == frame.loc["tk_coverage", "denominator"]
    assert tk["coverage"] == pytest.approx(value["tk_coverage"])
    informal = query(registries, "jamsostek", region=region, at="2024",
                     filters={"segment": "BPU"}).iloc[0]
    assert informal["active"] == frame.loc["tk_coverage_informal", "numerator"]
    assert informal["coverage"] == pytest.approx(value["tk_coverage_informal"])
    formal = query(registries, "jamsostek", region=region, at="2024",
                   filters={"segment": "formal"}).iloc[0]
    assert formal["coverage"] == pytest.approx(value["tk_coverage_formal"])
    farmers = query(registries, "jamsostek", region=region, at="2024",
                    filters={"occupation": "tobacco_farmer",
                             "funding_source": ["apbd", "dbhcht"]}).iloc[0]
    assert farmers["active"] == value["tk_tobacco_farmers_active"]
    jkn = query(registries, "jkn", region=region, at="2024").iloc[0]
    assert (jkn["members"], jkn["active"]) == (value["jkn_members"], value["jkn_active"])
    assert jkn["coverage"] == pytest.approx(value["jkn_coverage"])
    assert jkn["active_rate"] == pytest.approx(value["jkn_active_rate"])
    pemda = query(registries, "jkn", region=region, at="2024",
                  filters={"segment": "PBPU_PEMDA"}).iloc[0]
    assert pemda["coverage"] == pytest.approx(value["jkn_pemda_share"])


def test_groups_equal_the_indicator_breakdown(registries):
    params = report_data.make_parameters("2024")
    expected = breakdowns.breakdown(registries.tk_table, params, "occupation", ["52.02"])
    result = query(registries, "jamsostek", region="52.02", at="2024", by="occupation")
    merged = result.merge(expected, on="occupation", how="left").fillna(
        {"members_y": 0, "active_y": 0})
    assert (merged["members_x"] == merged["members_y"]).all()
    assert (merged["active_x"] == merged["active_y"]).all()


@pytest.mark.parametrize(("registry", "column"), [("jamsostek", "sex"), ("jkn", "sex"),
                                                  ("jamsostek", "age_group"),
                                                  ("jkn", "age_group")])
def test_groups_of_a_person_attribute_partition_the_total(registries, registry, column):
    total = query(registries, registry, region="Lombok Tengah", at="2024")
    groups = query(registries, registry, region="Lombok Tengah", at="2024", by=column)
    assert groups[["members", "active"]].sum().tolist() == \
        total[["members", "active"]].iloc[0].tolist()


def test_filters_partition_the_total_and_population_by_sex_adds_up(registries):
    total = query(registries, "jkn", region="52.02", at="2024")
    parts = [query(registries, "jkn", region="52.02", at="2024", filters={"sex": sex})
             for sex in ("L", "P")]
    assert sum(int(p["members"].iloc[0]) for p in parts) == total["members"].iloc[0]
    assert sum(int(p["denominator"].iloc[0]) for p in parts) == \
        reference.population_total("52.02", 2024).iloc[0] == total["denominator"].iloc[0]


def test_regions_pooled_count_each_person_once_and_by_region_matches(registries):
    by_region = query(registries, "jamsostek", region=["52.01", "52.02"], at="2024",
                      by="region_code")
    assert list(by_region["region_name"]) == ["Lombok Barat", "Lombok Tengah"]
    pooled = query(registries, "jamsostek", region=["52.01", "52.02"], at="2024")
    assert pooled["members"].iloc[0] <= by_region["members"].sum()
    assert pooled["denominator"].iloc[0] == by_region["denominator"].sum()


@pytest.mark.parametrize("at", [date(2024, 12, 31), datetime(2024, 12, 31, 9, 30),
                                pd.Timestamp("2024-12-31"), np.datetime64("2024-12-31"),
                                "2024-12-31", "2024-12", "2024", 2024])
def test_every_date_form_gives_the_same_answer(registries, at):
    expected = query(registries, "jkn", region="52.08", at=date(2024, 12, 31), by="segment")
    result = query(registries, "jkn", region="52.08", at=at, by="segment")
    pd.testing.assert_frame_equal(result, expected)
    assert result.attrs["reference_date"] == "2024-12-31"
    assert report_data.explorer_date(at) == date(2024, 12, 31)
    assert indicators.Parameters(reference_date=at).reference_date == date(2024, 12, 31)


@pytest.mark.parametrize(("at", "message"), [
    ("2024-6", "month 01-12"), ("2024-13", "month 01-12"), ("31/12/2024", "not a date"),
    ("2024-02-30", "not a day of the calendar"), ("２０２４-12-31", "not a date"),
    (pd.NaT, "not a date"), (None, "not a date"), (True, "not a date"), (2024.0, "not a date")])
def test_impossible_dates_are_one_line(at, message):
    with pytest.raises(ParameterError, match=message) as error:
        dates.as_reference_date(at)
    assert "\n" not in str(error.value)


def test_the_explorer_takes_a_timestamp(registries):
    params = report_data.ReportParameters.build("52.02", at=pd.Timestamp("2024-06-30"),
                                                data_dir=registries.data_dir)
    result = report_data.explore_coverage(registries, params)
    assert result.reference_date == date(2024, 6, 30)


def test_monthly_equals_the_report_trend(registries):
    result = query_monthly(registries, "jkn", region="Kota Mataram", start="2024-01",
                           end="2024")
    params = report_data.make_parameters("2024")
    trend = series.coverage_trend(registries.jkn_table, params, ["52.71"])
    trend = trend[[d.year == 2024 for d in trend["month_end"]]].reset_index(drop=True)
    assert list(result["month_end"].dt.date) == list(trend["month_end"])
    assert result["members"].tolist() == trend["members"].tolist()
    assert result["active"].tolist() == trend["active"].tolist()
    population = reference.population_total("52.71", 2024).iloc[0]
    assert (result["denominator"] == population).all()


def test_monthly_uses_month_ends_between_start_and_end(registries):
    result = query_monthly(registries, "jamsostek", region="52.02", start=date(2023, 11, 15),
                           end=pd.Timestamp("2024-02-10"), by="sex")
    assert sorted(set(result["month_end"].dt.date)) == [date(2023, 11, 30),
                                                         date(2023, 12, 31),
                                                         date(2024, 1, 31)]
    assert len(result) == 3 * 2
    with pytest.raises(ParameterError, match="no month end"):
        query_monthly(registries, "jkn", region="52.02", start="2024-03-05",
                      end="2024-03-20")


def test_results_are_numbers_that_sum(registries):
    result = query(registries, "jamsostek", region="NTB", at="2024", by="region_code")
    assert len(result) == 10
    for column in ("members", "active"):
        assert result[column].dtype == "int64"
    for column in ("active_rate", "coverage"):
        assert result[column].dtype == "float64"
    assert result[["members", "active", "denominator"]].sum().gt(0).all()
    assert result["coverage"].between(0, 1).all()


# =========================================================================== names, errors


@pytest.mark.parametrize(("region", "expected"), [
    ("Lombok Timur", ["52.03"]), (" lombok TIMUR ", ["52.03"]), ("Kab. Lombok Timur", ["52.03"]),
    ("Kabupaten Lombok Timur", ["52.03"]), ("52.03", ["52.03"]), ("5203", ["52.03"]),
    ("Kota Mataram", ["52.71"]), ("mataram", ["52.71"]), ("Bima", ["52.06"]),
    ("Kota Bima", ["52.72"]), (["Mataram", "52.71", "Dompu"], ["52.71", "52.05"]),
    ("NTB", reference.kabkota_codes("52")), ("52", reference.kabkota_codes("52"))])
def test_regions_by_code_or_name(region, expected):
    assert resolve_regions(region) == expected


@pytest.mark.parametrize(("region", "message"), [
    ("Lombok Timor", r"unknown region 'Lombok Timor' — did you mean Lombok Timur \(52\.03\)"),
    ("52.99", r"unknown region code '52\.99' — use one of 52\.01 Lombok Barat"),
    ("52.02.01", r"kecamatan code.*filters=\{'district_code': '52\.02\.01'\}"),
    (None, "not a code or a name"), ([], "no region given")])
def test_unknown_regions_are_one_line(registries, region, message):
    with pytest.raises(ParameterError, match=message) as error:
        query(registries, "jamsostek", region=region, at="2024")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("registry", "options", "message"), [
    ("jamsostek", {"filters": {"sex": "X"}}, "unknown sex 'X' in jamsostek — use one of L, P"),
    ("jamsostek", {"filters": {"occupation": "tobaco farmer"}},
     "did you mean 'tobacco_farmer'"),
    ("jamsostek", {"filters": {"segment": "PBI_APBN"}},
     "unknown segment 'PBI_APBN' in jamsostek — use one of PU, BPU, JAKON, PMI"),
    ("jkn", {"filters": {"care_class": 4}}, "unknown care_class '4' — use one of 1, 2, 3"),
    ("jkn", {"filters": {"occupation": "fisher"}}, r"cannot filter jkn by 'occupation' \(jamsostek"),
    ("jamsostek", {"filters": {"age_group": "25-35"}}, "did you mean '25-34'"),
    ("jamsostek", {"filters": {"age_group": (34, 25)}}, "not \\(youngest, oldest\\)"),
    ("jamsostek", {"filters": {"district_code": "52.03.01"}}, "not a kecamatan of 52.02"),
    ("jamsostek", {"filters": {"district_code": "Pringabaya"}}, "unknown kecamatan"),
    ("jamsostek", {"filters": {"region_code": "52.02"}}, "choose regions with region="),
    ("jamsostek", {"filters": "BPU"}, "is not a dict"),
    ("jamsostek", {"by": "colour"}, "cannot group jamsostek by 'colour'"),
    ("jamsostek", {"at": "31/12/2024"}, "not a date, a year-month or a year"),
    ("jamsostek", {"at": "2030"}, "outside the data"),
    ("jamsostek", {"labour_denominator": "census"}, "labour_denominator"),
    ("bpjs", {}, "unknown registry 'bpjs'")])
def test_unknown_choices_are_one_line_naming_the_allowed_values(registries, registry, options,
                                                                 message):
    arguments = {"region": "52.02", "at": "2024", **options}
    with pytest.raises(ParameterError, match=message) as error:
        query(registries, registry, **arguments)
    assert "\n" not in str(error.value)


def test_filter_text_is_case_insensitive(registries):
    expected = query(registries, "jamsostek", region="52.02", at="2024",
                     filters={"segment": "BPU", "sex": "P", "occupation": "tobacco_farmer"})
    result = query(registries, "jamsostek", region="lombok tengah", at="2024",
                   filters={"segment": "bpu", "sex": "female", "occupation": "Tobacco Farmer"})
    pd.testing.assert_frame_equal(result, expected)
    by_name = query(registries, "jamsostek", region="52.02", at="2024",
                    filters={"district_code": "praya"})
    by_code = query(registries, "jamsostek", region="52.02", at="2024",
                    filters={"district_code": "52.02.01"})
    pd.testing.assert_frame_equal(by_name, by_code)


# =========================================================================== recipes


def recipe_blocks() -> list[tuple[str, str]]:
    """(heading, code) of every ```python block of docs/recipes.md, in order."""
    text = RECIPES.read_text(encoding="utf-8")
    blocks = []
    for heading, body in re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.DOTALL | re.MULTILINE):
        for code in re.findall(r"^```python\n(.*?)^```", body, re.DOTALL | re.MULTILINE):
            blocks.append((heading, code))
    return blocks


BLOCKS = recipe_blocks()
LOAD = "report_data.load_registries()"


def test_the_recipes_page_has_a_setup_and_six_recipes_or_more():
    assert BLOCKS[0][0] == "Setup" and LOAD in BLOCKS[0][1]
    assert len({heading for heading, _ in BLOCKS[1:]}) >= 6


@pytest.fixture(scope="module")
def recipe_namespace(small_sample):
    """The namespace after the setup block, on the small sample instead of data/sample."""
    import matplotlib

    matplotlib.use("Agg")
    folder, _ = small_sample
    namespace: dict = {}
    setup = BLOCKS[0][1].replace(LOAD, f"report_data.load_registries({str(folder)!r})")
    exec(setup, namespace)  # noqa: S102 - the page's own code, run as a reader would
    return namespace


def test_every_recipe_runs_in_order_on_the_sample(recipe_namespace):
    namespace = dict(recipe_namespace)
    for heading, code in BLOCKS[1:]:
        try:
            exec(code, namespace)  # noqa: S102 - the page's own code
        except Exception as error:  # name the recipe that broke
            raise AssertionError(f"recipe '{heading}' failed: {error!r}") from error
    assert namespace["women"]["members"].iloc[0] > 0
    assert len(namespace["monthly"]) == 12
    assert namespace["scenario"]["people"] == 5_000
    assert namespace["scenario"]["annual_cost_rp"] == 5_000 * 16_800 * 12
    assert set(namespace["uhc"]["category"]) == {"madya"}
    published = namespace["published"]
    assert not pd.to_numeric(published["active"], errors="coerce").between(1, 4).any()
