"""Every period the data cover renders; impossible periods are refused before any work.

Issue 12: every period but 2024 failed in the disclosure step (breakdowns whose rows do
not add up to their total). The data-layer sweep builds every report object for every
year and month 2022-2025 and every region; the notebook tests render Lombok Tengah and
run the explorers for a few periods on the 2 % sample.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import papermill
import pytest

from helpers import cli
from helpers.data import reference
from helpers.errors import ParameterError
from helpers.report import report_data

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2022, 2023, 2024, 2025)


# =========================================================================== period rule


@pytest.mark.parametrize("period", ["2024-13", "2024-00", "2023-24", "２０２４", "2024 ",
                                    "2024-6", "24", "2024/06", "2024-06-30", "", "2024-1a"])
def test_impossible_periods_are_refused(period):
    with pytest.raises(ParameterError, match="not a year or a year-month"):
        report_data.check_period(period)


@pytest.mark.parametrize(("period", "expected"), [
    ("2022", "2022-12-31"), ("2024-02", "2024-02-29"), ("2025-12", "2025-12-31"),
    (2023, "2023-12-31")])
def test_valid_periods_give_their_reference_date(period, expected):
    assert report_data.check_period(period).isoformat() == expected


def test_periods_outside_the_data_are_refused():
    with pytest.raises(ParameterError, match="outside the data"):
        report_data.check_period("2021")


@pytest.mark.parametrize("period", ["2024-13", "２０２４"])
def test_the_cli_refuses_an_impossible_period_before_rendering(period, tmp_path, capsys):
    code = cli.main(["report", "--region", "52.02", "--period", period,
                     "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "month 01-12" in err
    assert not (tmp_path / "out").exists()


# =========================================================================== data layer


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_every_month_and_region_builds_its_reports(small_sample, year):
    """Province and scenario objects for the year and each of its 12 months, and regency
    objects for Lombok Tengah and one other kab/kota each month (every kab/kota in turn)."""
    folder, _ = small_sample
    registries = report_data.load_registries(folder)
    codes = reference.kabkota_codes("52")
    periods = [str(year)] + [f"{year}-{month:02d}" for month in range(1, 13)]
    for number, period in enumerate(periods):
        bundle = None
        for code in sorted({"52.02", codes[number % len(codes)]}):
            params = report_data.ReportParameters.build(code, period, data_dir=folder)
            if bundle is None:
                bundle = report_data.province_bundle(registries, "52", params.indicators,
                                                     cache=False)
            report = report_data.build_regency(bundle, params)
            assert all(check.passed for check in report_data.check_regency(report))
            for group in report_data.SCENARIO_GROUPS:
                scenario = report_data.budget_scenario(report, group, 0.5)
                report_data.check_scenario(scenario)
            report_data.uhc_scenario(report, "madya")
        overview = report_data.build_province(
            bundle, report_data.ReportParameters.build("52", period, data_dir=folder))
        report_data.check_province(overview)


@pytest.mark.slow
def test_non_additive_breakdowns_carry_the_overlap_note(small_sample):
    folder, _ = small_sample
    registries = report_data.load_registries(folder)
    params = report_data.ReportParameters.build("52.02", "2023", data_dir=folder)
    report = report_data.regency_report(registries, params, cache=False)
    noted = 0
    for table in report.tables.values():
        frame = table.published
        if "members" not in frame.columns or frame.columns[0] not in (
                "segment", "occupation", "sex", "age_group", "district_code"):
            continue
        by = frame.columns[0]
        rows = pd.to_numeric(frame.loc[frame[by] != report_data.TOTAL, "members"],
                             errors="coerce")
        total = pd.to_numeric(frame.loc[frame[by] == report_data.TOTAL, "members"],
                              errors="coerce")
        if rows.notna().all() and total.notna().all() and rows.sum() != total.sum():
            assert table.note_key == "note.overlap_rows", table.name
            noted += 1
    assert noted >= 1  # the synthetic registries hold people with spells in two segments


# =========================================================================== notebooks


def _execute(name: str, out: Path, parameters: dict) -> None:
    papermill.execute_notebook(str(ROOT / "notebooks" / name), str(out / f"{name}"),
                               parameters=parameters, kernel_name="cakupan",
                               progress_bar=False, cwd=str(ROOT / "notebooks"))


@pytest.mark.kernel
@pytest.mark.parametrize("period", ["2022", "2024-06", "2025"])
def test_lombok_tengah_renders_and_the_explorers_run(small_sample, tmp_path, period):
    folder, _ = small_sample
    code = cli.main(["report", "--region", "52.02", "--period", period, "--data-dir",
                     str(folder), "--out", str(tmp_path / "reports"), "--no-progress"])
    assert code == 0
    page = tmp_path / "reports" / period / "52.02" / "index.html"
    assert "Lombok Tengah" in page.read_text(encoding="utf-8")
    indicators = pd.read_csv(page.parent / "indicators.csv")
    expected = report_data.check_period(period).isoformat()
    assert set(indicators["reference_date"]) == {expected}
    _execute("budget_scenarios.ipynb", tmp_path,
             {"data_dir": str(folder), "period": period})
    _execute("coverage_explorer.ipynb", tmp_path,
             {"data_dir": str(folder), "reference_date": expected})
