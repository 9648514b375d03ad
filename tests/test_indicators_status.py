"""Indicators and the report on snapshot and status-only registries (issue 18): right counts
at the extract date, refused elsewhere, never a silent 0 %."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import ibis
import pandas as pd
import pytest
from test_intake_status import JKN_EXPORT, NTB, snapshot_folder

from helpers.data import intake, reference, snapshots
from helpers.errors import ParameterError
from helpers.measures import indicators, series
from helpers.measures.indicators import Parameters
from helpers.report import present, regency
from helpers.report.parameters import ReportParameters
from helpers.report.registries import Registries


def report_params(registries) -> ReportParameters:
    """Lombok Tengah, June 2024, on the registries' own folder (built as checked)."""
    params = ReportParameters.build("52.02", "2024-06")
    return replace(params, data_dir=registries.data_dir)

KEY = "test-key-indicators-status-0123456789ab"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


@pytest.fixture
def con():
    return ibis.duckdb.connect()


def jamsostek(con) -> intake.IntakeResult:
    """Two BPJS TK spells of 52.02 with paid_through (a history)."""
    frame = pd.DataFrame({
        "nik": ["5202010101900001", "5202024505850002"], "sex": ["L", "P"],
        "region_code": ["52.02", "52.02"], "district_code": ["52.02.01", "52.02.02"],
        "segment": ["BPU", "PU"], "occupation": ["tobacco_farmer", "other"],
        "funding_source": ["dbhcht", "employer"], "wage_rp": [1_000_000, 2_500_000],
        "risk_class": [1, 1], "programmes": ["JKK;JKM", "JKK;JKM"],
        "start_date": ["2023-01-01", "2023-01-01"], "paid_through": ["2024-12-31"] * 2})
    return intake.load_frame(frame, "jamsostek", con=con, known_region_codes=NTB)


def jkn_export(con, tmp_path, text: str = JKN_EXPORT, name: str = "jkn_2024-06-30.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return intake.load_registry(path, "jkn", con=con, known_region_codes=NTB, cache=False)


def value(result: pd.DataFrame, indicator_id: str, column: str = "value"):
    row = result[(result["region_code"] == "52.02") & (result["indicator_id"] == indicator_id)]
    return row[column].iloc[0]


# ---------------------------------------------------------------- status-only registry


def test_status_only_registry_gives_the_active_count_at_its_extract_date(con, tmp_path):
    tk, jkn = jamsostek(con), jkn_export(con, tmp_path)
    result = indicators.compute_indicators(tk.table, jkn.table, Parameters("2024-06"),
                                           ["52.02"])
    assert value(result, "jkn_members") == 3
    assert value(result, "jkn_active") == 2  # AKTIF, AKTIF; NON AKTIF is a member, not active
    assert value(result, "jkn_active_rate") == pytest.approx(2 / 3)
    assert value(result, "jkn_active", "flag") == ""


@pytest.mark.parametrize("period", ["2024", "2024-05", "2024-07"])
def test_status_only_registry_refuses_other_dates(con, tmp_path, period):
    tk, jkn = jamsostek(con), jkn_export(con, tmp_path)
    with pytest.raises(ParameterError, match=r"the jkn registry is a snapshot at 2024-06-30: "
                                             r"members and active people are known at that "
                                             r"date only.*choose the period of a snapshot "
                                             r"\(2024-06\)"):
        indicators.compute_indicators(tk.table, jkn.table, Parameters(period), ["52.02"])


def test_deceased_and_left_are_no_members_suspended_is_a_member_not_active(con, tmp_path):
    text = (JKN_EXPORT.replace("NON AKTIF", "MENINGGAL", 1)
            .replace(";AKTIF;081211112222", ";PENANGGUHAN;081211112222"))
    jkn = jkn_export(con, tmp_path, text)
    counts = indicators.jkn_counts(jkn.table, Parameters("2024-06"), ["52.02"])
    assert counts.loc["52.02", ["jkn_members", "jkn_active"]].tolist() == [2, 1]


# ---------------------------------------------------------------- snapshots and the trend


def test_three_dated_snapshots_give_a_three_point_trend(con, tmp_path):
    result = snapshots.load_snapshots(snapshot_folder(tmp_path / "jkn"), "jkn", con=con,
                                      known_region_codes=NTB, cache=False)
    params = Parameters("2024-12")
    expected = pd.DataFrame({
        "region_code": ["52.02"] * 3,
        "month_end": [dt.date(2024, 4, 30), dt.date(2024, 5, 31), dt.date(2024, 6, 30)],
        "members": [2, 3, 3], "active": [2, 2, 2]})
    trend = series.coverage_trend(result.table, params, ["52.02"])
    pd.testing.assert_frame_equal(trend, expected, check_dtype=False)
    monthly = series.monthly_series(result.table, params, ["52.02"])
    pd.testing.assert_frame_equal(monthly, expected, check_dtype=False)
    # indicators at a snapshot's date work, at another month they are refused
    tk = jamsostek(con)
    at_may = indicators.compute_indicators(tk.table, result.table, Parameters("2024-05"),
                                           ["52.02"])
    assert (value(at_may, "jkn_members"), value(at_may, "jkn_active")) == (3, 2)
    with pytest.raises(ParameterError, match="known at those dates only"):
        indicators.compute_indicators(tk.table, result.table, params, ["52.02"])


# ---------------------------------------------------------------- no paid_through, no status


def no_basis_export() -> str:
    """The export without its status and phone columns: no paid_through, no status."""
    return "\n".join(";".join(line.split(";")[:9]) for line in JKN_EXPORT.splitlines()) + "\n"


def test_without_paid_through_and_status_active_is_unknown_not_zero(con, tmp_path):
    tk, jkn = jamsostek(con), jkn_export(con, tmp_path, no_basis_export(), "jkn.csv")
    result = indicators.compute_indicators(tk.table, jkn.table, Parameters("2024-06"),
                                           ["52.02"])
    assert value(result, "jkn_members") == 3
    for indicator_id in ("jkn_active", "jkn_active_rate"):
        assert math.isnan(value(result, indicator_id))
        assert value(result, indicator_id, "flag") == "active_unknown"
    assert value(result, "budget_jkn_pemda_rp", "flag") == "paid_months_unknown"
    assert value(result, "tk_active") == 2  # the jamsostek history is unaffected
    trend = series.coverage_trend(jkn.table, Parameters("2024-06"), ["52.02"])
    assert trend["members"].iloc[-1] == 3 and trend["active"].isna().all()


@pytest.mark.parametrize(("coverage", "active_known", "expected"), [
    (0.99, False, "unknown"),   # coverage met; only the active rate is missing
    (0.50, False, "none"),      # coverage alone misses every category
    (0.99, True, "none"),       # active rate known and 0: not UHC
])
def test_uhc_category_is_unknown_when_only_the_active_rate_is_missing(coverage, active_known,
                                                                      expected):
    thresholds = reference.thresholds(2024)
    active_rate = float("nan") if not active_known else 0.0
    result = indicators.uhc_category(coverage, active_rate, 0.3, thresholds,
                                     active_known=active_known)
    assert result == expected


def test_the_report_says_active_rates_cannot_be_computed_instead_of_zero(con, tmp_path):
    tk, jkn = jamsostek(con), jkn_export(con, tmp_path, no_basis_export(), "jkn.csv")
    registries = Registries(tk=tk, jkn=jkn, tk_table=tk.table, jkn_table=jkn.table,
                            data_dir=tmp_path)
    report = regency.regency_report(registries, report_params(registries), cache=False)
    notes = regency.quality_notes(report, "en")
    expected = ("JKN registry (BPJS Kesehatan): Not found: paid_through and status. No "
                "paid_through and no status: active rates cannot be computed; they are shown "
                "as '–', not as 0 %.")
    assert expected in notes
    assert any("tidak dapat dihitung" in note for note in regency.quality_notes(report, "id"))
    html = present.table_html(report.data_quality, "en")
    assert "active rates cannot be computed" in html
    assert math.isnan(report.values["jkn_active_rate"])
    assert regency.check_regency(report)  # every check passes with the unknown values


def test_the_report_of_a_complete_history_has_no_notes(con):
    tk = jamsostek(con)
    frame = pd.DataFrame({
        "nik": ["5202010101900001"], "full_name": ["Ahmad"], "birth_date": ["1990-01-01"],
        "sex": ["L"], "region_code": ["52.02"], "district_code": ["52.02.01"],
        "segment": ["PBI_APBN"], "care_class": [3], "start_date": ["2020-01-01"],
        "end_date": [None], "paid_through": ["2024-12-31"]})
    jkn = intake.load_frame(frame, "jkn", con=con, known_region_codes=NTB)
    assert jkn.summary.quality_notes() == []
    assert tk.summary.missing_columns == ["birth_date", "end_date"]


def test_a_data_folder_may_hold_dated_snapshots_for_the_reports(tmp_path):
    from helpers.report.registries import load_registries, registry_paths

    folder = tmp_path / "data"
    folder.mkdir()
    frame = pd.DataFrame({
        "nik": ["5202010101900001"], "sex": ["L"], "region_code": ["52.02"],
        "segment": ["BPU"], "start_date": ["2023-01-01"], "paid_through": ["2024-12-31"]})
    frame.to_parquet(folder / "jamsostek.parquet", index=False)
    snapshot_folder(folder / "jkn")
    assert [path.name for path in registry_paths(folder)] == [
        "jamsostek.parquet", "jkn_2024-04-30.csv", "jkn_2024-05-31.csv", "jkn_2024-06-30.csv"]
    registries = load_registries(folder, cache=False)
    assert registries.jkn.summary.source_format == "snapshots"
    report = regency.regency_report(registries, report_params(registries), cache=False)
    trend = report.trend.data.dropna(subset=["jkn_members"])
    assert trend["month_end"].tolist() == [dt.date(2024, 4, 30), dt.date(2024, 5, 31),
                                           dt.date(2024, 6, 30)]
    assert (report.values["jkn_members"], report.values["jkn_active"]) == (3, 2)
    assert any("3 snapshots (2024-04-30, 2024-05-31, 2024-06-30)" in note
               for note in regency.quality_notes(report, "en"))
