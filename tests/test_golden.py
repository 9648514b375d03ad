"""Golden figures: the full NTB sample through intake and the indicator layer (slow).

The generator is calibrated to the Lombok Tengah news report (DESIGN §1, issue 2); these
figures must survive any correct intake and indicator computation.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from helpers.data import intake, reference
from helpers.measures import breakdowns, indicators
from helpers.measures.indicators import Parameters

D = date(2024, 12, 31)
NTB = reference.kabkota_codes("52")


@pytest.fixture(scope="module")
def full_tables(full_sample):
    folder, _ = full_sample
    tk = intake.load_registry(folder / "jamsostek.parquet", "jamsostek")
    jkn = intake.load_registry(folder / "jkn.parquet", "jkn", con=tk.table.get_backend())
    return tk, jkn


@pytest.fixture(scope="module")
def full_indicators(full_tables):
    tk, jkn = full_tables
    return indicators.compute_indicators(tk.table, jkn.table, Parameters(D), NTB)


@pytest.mark.slow
def test_intake_reports_exactly_the_injected_faults(full_sample, full_tables):
    _, manifest = full_sample
    for result in full_tables:
        expected = manifest["registries"][result.summary.registry]
        assert result.summary.rows_read == expected["rows"]
        assert result.summary.rows_accepted == expected["valid_rows"]
        assert result.summary.rejected_by_reason == {
            reason: count for reason, count in expected["faults"].items() if count}
        assert result.summary.prefix_mismatches == expected["prefix_mismatches"]


@pytest.mark.slow
@pytest.mark.parametrize(("indicator_id", "expected"), [
    ("tk_nonasn_active", 13_600),
    ("tk_tobacco_farmers_active", 6_000),
    ("tk_fishers_active", 500),
    ("budget_tk_dbhcht_rp", 1_209_600_000),  # 6,000 × 12 months × Rp16,800
])
def test_lombok_tengah_golden_figures(full_indicators, indicator_id, expected):
    assert indicators.indicator_value(full_indicators, "52.02", indicator_id) == expected


@pytest.mark.slow
def test_lombok_tengah_fishers_part_of_the_apbd_budget(full_tables):
    tk, _ = full_tables
    budget = indicators.jamsostek_budget(tk.table, Parameters(D), ["52.02"]).set_index(
        ["funding_source", "occupation"])
    assert budget.loc[("apbd", "fisher"), "cost_rp"] == 100_800_000  # 500 × 12 × Rp16,800
    assert set(budget.index) == {("apbd", "fisher"), ("apbd", "non_asn_staff"),
                                 ("dbhcht", "tobacco_farmer")}


@pytest.mark.slow
def test_lombok_tengah_reaches_uhc_with_the_default_vintage(full_indicators):
    value = lambda i: indicators.indicator_value(full_indicators, "52.02", i)  # noqa: E731
    assert value("jkn_coverage") >= 0.98
    assert 0.78 <= value("jkn_active_rate") <= 0.83
    assert value("uhc_category") != "none"


@pytest.mark.slow
def test_ntb_totals_are_near_the_published_figures(full_indicators):
    frame = full_indicators.set_index(["region_code", "indicator_id"])["value"]
    tk_active = sum(frame[(code, "tk_active")] for code in NTB)
    assert tk_active == pytest.approx(756_783, rel=0.03)  # BPJS TK NTB, Dec 2024
    # Lombok Utara's registry outgrew its stale population figure: flagged, not clipped.
    lombok_utara = full_indicators[(full_indicators["region_code"] == "52.08")
                                   & (full_indicators["indicator_id"] == "jkn_coverage")]
    assert lombok_utara["value"].iloc[0] > 1 and lombok_utara["flag"].iloc[0] == "above_one"


@pytest.mark.slow
def test_lombok_tengah_falls_out_of_uhc_under_the_revised_vintage(full_tables):
    tk, jkn = full_tables
    result = breakdowns.coverage_by_vintage(jkn.table, Parameters(D), ["52.02"]).set_index(
        "vintage")
    assert result.at[reference.DEFAULT_POPULATION_VINTAGE, "jkn_coverage"] >= 0.98
    assert (result["jkn_coverage"] < 0.98).any()


def test_same_indicators_from_parquet_on_duckdb_and_from_a_pandas_frame(small_sample):
    folder, _ = small_sample
    params = Parameters(D)
    from_parquet = {r: intake.load_registry(folder / f"{r}.parquet", r, cache=False)
                    for r in ("jamsostek", "jkn")}
    from_frame = {r: intake.load_frame(pd.read_parquet(folder / f"{r}.parquet"), r)
                  for r in ("jamsostek", "jkn")}
    result = indicators.compute_indicators(from_parquet["jamsostek"].table,
                                           from_parquet["jkn"].table, params, NTB)
    expected = indicators.compute_indicators(from_frame["jamsostek"].table,
                                             from_frame["jkn"].table, params, NTB)
    pd.testing.assert_frame_equal(result, expected)
    assert indicators.indicator_value(result, "52.02", "tk_fishers_active") == 10  # 500 × 2 %
