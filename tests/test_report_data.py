"""The notebooks' facade: parameters, the fast trend, disclosure gate, scenarios, outputs."""

from __future__ import annotations

import re
from datetime import date

import ibis
import openpyxl
import pandas as pd
import pytest
from intake_tables import intake_table

from helpers.data import reference
from helpers.errors import InputFileError, ParameterError, ReportError
from helpers.measures import breakdowns, series
from helpers.measures.indicators import Parameters
from helpers.report import outputs, report_data, workbook
from helpers.report.gate import gate

D = date(2024, 12, 31)


def tk_table(rows: list[dict]) -> ibis.Table:
    """An intake-shaped jamsostek table from a few rows written here."""
    defaults = {"region_code": "52.02", "sex": "L", "birth_year": 1990, "district_code": None,
                "nik_region_code": None, "segment": "PU", "occupation": "other",
                "funding_source": "employer", "wage_rp": 2_000_000, "risk_class": 1,
                "programmes": "JKK;JKM", "end_date": None, "paid_through": None}
    return intake_table(rows, defaults)


# =========================================================================== parameters


@pytest.mark.parametrize(("period", "expected"), [("2024", date(2024, 12, 31)),
                                                  ("2022-06", date(2022, 6, 30)),
                                                  (2025, date(2025, 12, 31))])
def test_periods_inside_the_data(period, expected):
    assert report_data.check_period(period) == expected


@pytest.mark.parametrize("period", ["2021", "2026", "2030-01", "24", "last year", 2024.0])
def test_periods_outside_the_data_are_one_clear_error(period):
    with pytest.raises(ParameterError, match="period"):
        report_data.check_period(period)


def test_region_codes_are_checked_against_the_reference():
    assert report_data.check_region("5202") == "52.02"
    with pytest.raises(ParameterError, match="unknown kabupaten/kota code '52.99'"):
        report_data.check_region("52.99")
    with pytest.raises(ParameterError, match="provinsi"):
        report_data.check_region("52.02", kind="provinsi")


def test_missing_registry_folder_says_how_to_make_it(tmp_path):
    with pytest.raises(InputFileError, match="make data"):
        report_data.resolve_data_dir(tmp_path)


# =========================================================================== trend


@pytest.mark.parametrize("grace_months", [0, 1, 3])
def test_trend_equals_the_monthly_series_definition(grace_months):
    # Hand-made spells: open, ended mid-series, lapsed payment, two overlapping spells of
    # one person (counted once), a spell starting after D, one before the series.
    table = tk_table([
        {"person_id": "a", "start_date": "2021-05-03", "paid_through": "2024-12-31"},
        {"person_id": "b", "start_date": "2022-03-15", "end_date": "2023-02-10",
         "paid_through": "2023-01-31"},
        {"person_id": "c", "start_date": "2022-01-31", "paid_through": "2022-08-31"},
        {"person_id": "d", "start_date": "2023-06-01", "paid_through": "2024-10-31",
         "segment": "BPU"},
        {"person_id": "d", "start_date": "2023-09-01", "end_date": "2024-03-31",
         "paid_through": "2024-02-29"},
        {"person_id": "e", "start_date": "2025-02-01", "paid_through": "2025-06-30"},
        {"person_id": "f", "start_date": "2022-12-31", "end_date": "2022-12-31",
         "paid_through": "2022-12-31", "region_code": "52.01"},
    ])
    params = Parameters(reference_date=D, grace_months=grace_months)
    expected = series.monthly_series(table, params, ["52.01", "52.02"])
    result = series.coverage_trend(table, params, ["52.01", "52.02"])
    merged = result.merge(expected, on=["region_code", "month_end"], how="left",
                          suffixes=("", "_expected")).fillna(0)
    assert (merged["members"] == merged["members_expected"]).all()
    assert (merged["active"] == merged["active_expected"]).all()
    assert len(result) == 2 * 36


def test_trend_on_the_small_sample_matches_the_definition(small_sample):
    folder, _ = small_sample
    registries = report_data.load_registries(folder)
    params = Parameters(reference_date=date(2023, 6, 30))
    codes = ["52.02", "52.08"]
    result = series.coverage_trend(registries.jkn_table, params, codes)
    expected = series.monthly_series(registries.jkn_table, params, codes)
    pd.testing.assert_frame_equal(result[["region_code", "month_end", "members", "active"]],
                                  expected[["region_code", "month_end", "members", "active"]]
                                  .astype({"members": "int64", "active": "int64"}))


# =========================================================================== disclosure


def test_published_tables_refuse_person_level_columns():
    with pytest.raises(ReportError, match="person_id"):
        report_data.publishable(pd.DataFrame({"person_id": ["x"], "active": [9]}), ["active"])


def test_small_counts_are_hidden_with_their_shares():
    frame = pd.DataFrame({"segment": ["PU", "BPU", "JAKON", "total"],
                          "active": [120, 3, 40, 163]})
    frame["active_share"] = frame["active"] / 163
    result = report_data.publishable(frame, ["active"], category="segment",
                                     share_columns={"active_share": ("active",)})
    assert result.loc[1, "active"] == "<5"
    assert result.loc[1, "active_share"] == "x"
    # secondary suppression: the total would give the hidden 3 back otherwise
    assert (result["active"] == "x").sum() >= 1


def test_indicator_counts_of_one_to_four_are_hidden():
    frame = pd.DataFrame({"indicator_id": ["tk_fishers_active", "tk_coverage", "tk_active"],
                          "value": [3, 0.5, 1000], "numerator": [None, 3, None],
                          "denominator": [None, 6, None],
                          "unit": ["people", "fraction", "people"], "flag": ["", "", ""]})
    result = report_data.publishable_indicators(frame)
    assert list(result["value"]) == ["<5", "x", 1000]
    assert result.loc[1, "numerator"] == "<5"


def test_rounded_keeps_markers_and_whole_numbers():
    frame = pd.DataFrame({"a": [0.123456789123, 1.0], "b": ["<5", 0.98765432198765],
                          "c": [13600, 500]})
    result = outputs.rounded(frame)
    assert list(result["a"]) == [0.123457, 1.0]
    assert list(result["b"]) == ["<5", 0.987654]
    assert list(result["c"]) == [13600, 500]


# =========================================================================== reports


@pytest.fixture(scope="module")
def small_report(small_sample):
    folder, manifest = small_sample
    registries = report_data.load_registries(folder)
    params = report_data.ReportParameters.build("52.02", "2024", data_dir=folder)
    return report_data.regency_report(registries, params), manifest, registries


def test_regency_report_has_the_calibrated_programmes(small_report):
    report, manifest, _ = small_report
    calibration = manifest["calibration"]
    values = report.values
    assert values["tk_nonasn_active"] == calibration["tk_nonasn_active"]
    assert values["tk_tobacco_farmers_active"] == calibration["tk_tobacco_farmers_active"]
    assert values["tk_fishers_active"] == calibration["tk_fishers_active"]
    head = report.headline
    assert head["tobacco_farmer"]["funding_sources"] == ["dbhcht"]
    assert head["fisher"]["funding_sources"] == ["apbd"]
    # Rp16.800 a month (BPU minimum JKK + JKM, 2024), every month of the year
    assert head["tobacco_farmer"]["annual_cost_rp"] == \
        calibration["tk_tobacco_farmers_active"] * 16_800 * 12
    assert head["fisher"]["annual_cost_rp"] == calibration["tk_fishers_active"] * 16_800 * 12
    assert len(report_data.check_regency(report)) == 10


def test_a_report_is_typed_numbers_beside_their_published_view(small_report):
    """``report.`` completes to the tables; each holds numbers and what readers get."""
    report, _, _ = small_report
    assert isinstance(report, report_data.RegencyReport)
    assert list(report.tables)[:3] == ["indicators", "tk_by_segment", "tk_by_occupation"]
    segment = report.tk_by_segment
    assert segment is report.tk_by("segment")
    assert pd.api.types.is_integer_dtype(segment.data["members"])  # .sum() works
    assert int(segment.data.loc[segment.data["segment"] == "total", "members"].iloc[0]) == \
        report.values["tk_members"]
    assert segment.published["members"].tolist()[-1] == report.values["tk_members"]
    with pytest.raises(AttributeError):  # frozen: built once, read everywhere
        report.values = {}
    assert report.params.region_code == "52.02" and report.province_code == "52"


def test_report_parameters_are_checked_once_at_the_edge(small_sample):
    folder, _ = small_sample
    params = report_data.ReportParameters.build(" 52.02 ", "2024-06", lang="en",
                                                grace_months=0, data_dir=folder)
    assert (params.region_code, params.reference_date, params.lang) == \
        ("52.02", date(2024, 6, 30), "en")
    assert params.indicators.grace_months == 0 and params.province_code == "52"
    assert list(params.thresholds["category"])  # the year's UHC thresholds, resolved once
    assert report_data.ReportParameters.build("52", "2024", data_dir=folder).is_province
    explorer = report_data.ReportParameters.build("52.02",
                                                  at=pd.Timestamp("2024-03-15"),
                                                  data_dir=folder)
    assert explorer.reference_date == date(2024, 3, 15)
    for bad, match in (({"lang": "fr"}, "language"), ({"engine": "polars"}, "engine"),
                       ({"grace_months": -1}, "grace_months"),
                       ({"labour_denominator": "x"}, "labour_denominator")):
        with pytest.raises(ParameterError, match=match):
            report_data.ReportParameters.build("52.02", "2024", data_dir=folder, **bad)
    with pytest.raises(ParameterError, match="not both"):
        report_data.ReportParameters.build("52.02", "2024", at="2024-01-01")


def test_vintage_table_equals_the_indicator_function(small_report):
    report, _, registries = small_report
    params = report_data.make_parameters("2024")
    expected = breakdowns.coverage_by_vintage(registries.jkn_table, params, ["52.02"])
    result = report.population_vintages.data
    assert list(result["population"]) == list(expected["population"])
    assert list(result["uhc_category"]) == list(expected["uhc_category"])
    assert result["jkn_coverage"].tolist() == pytest.approx(expected["jkn_coverage"].tolist())


def test_published_tables_have_no_count_from_one_to_four(small_report):
    report, _, _ = small_report
    for table in report.tables.values():
        for column, unit in table.units.items():
            if unit != "people" or column not in table.published.columns:
                continue
            numbers = pd.to_numeric(table.published[column], errors="coerce")
            assert not numbers.between(1, 4).any(), (table.name, column)


def test_budget_scenario_arithmetic(small_report):
    report, manifest, _ = small_report
    scenario = report_data.budget_scenario(report, "fisher", 0.5)
    target = int(reference.target_groups(2024).set_index(["region_code", "target_group"])
                 .loc[("52.02", "fisher"), "target_count"])
    assert scenario["target_count"] == target
    assert scenario["monthly_rate_rp"] == 16_800
    assert scenario["people"] == scenario["uncovered"] // 2
    assert scenario["annual_cost_rp"] == scenario["people"] * 16_800 * 12
    assert scenario["share_apbd"] == pytest.approx(
        scenario["annual_cost_rp"] / report.budget_reference["apbd_total_rp"])
    report_data.check_scenario(scenario)
    with pytest.raises(ParameterError, match="cover_share"):
        report_data.budget_scenario(report, "fisher", 1.5)
    with pytest.raises(ParameterError, match="target_group"):
        report_data.budget_scenario(report, "teachers", 0.5)


def test_budget_scenario_takes_a_headcount(small_report):
    report, _, _ = small_report
    by_share = report_data.budget_scenario(report, "informal", 0.5)
    default = report_data.budget_scenario(report, "informal")
    assert (default["people"], default["annual_cost_rp"], default["cover_share"]) == \
        (by_share["people"], by_share["annual_cost_rp"], 0.5)
    scenario = report_data.budget_scenario(report, "informal", people=5_000)
    assert scenario["people"] == 5_000
    assert scenario["annual_cost_rp"] == 5_000 * 16_800 * 12
    assert scenario["cover_share"] == pytest.approx(5_000 / scenario["uncovered"])
    assert scenario["uncovered"] == by_share["uncovered"]
    pd.testing.assert_frame_equal(scenario["table"].data, by_share["table"].data)
    report_data.check_scenario(scenario)
    with pytest.raises(ParameterError, match="not both"):
        report_data.budget_scenario(report, "informal", 0.5, people=5_000)
    with pytest.raises(ParameterError, match="more than the"):
        report_data.budget_scenario(report, "informal", people=scenario["uncovered"] + 1)
    with pytest.raises(ParameterError, match="whole number of people"):
        report_data.budget_scenario(report, "informal", people=-3)


@pytest.mark.parametrize("category", ["Madya", "MADYA", " madya "])
def test_uhc_scenario_accepts_any_case(small_report, category):
    report, _, _ = small_report
    pd.testing.assert_frame_equal(report_data.uhc_scenario(report, category),
                                  report_data.uhc_scenario(report, "madya"))


def test_outputs_are_language_neutral_csv_and_one_workbook_per_language(small_report,
                                                                        tmp_path):
    report, _, _ = small_report
    outputs.save_outputs(report, tmp_path, "id")
    outputs.save_outputs(report, tmp_path, "en")
    indicators_csv = pd.read_csv(tmp_path / "indicators.csv")
    assert list(indicators_csv.columns[:7]) == ["indicator_id", "value", "numerator",
                                                "denominator", "unit", "reference_date",
                                                "definition"]
    assert {p.name for p in (tmp_path / "tables").iterdir()} == \
        {f"{t.name}.csv" for t in report.tables.values()}
    assert {p.name for p in (tmp_path / outputs.EXCEL_ID_FOLDER / "tables").iterdir()} == \
        {f"{t.name}.csv" for t in report.tables.values()}
    assert pd.ExcelFile(tmp_path / "tables.xlsx").sheet_names[0] == "Sampul"
    assert pd.ExcelFile(tmp_path / "tables.en.xlsx").sheet_names[0] == "Cover"


@pytest.mark.parametrize(("lang", "cover", "title", "synthetic"), [
    ("id", "Sampul", "Cakupan Jaminan Sosial Lombok Tengah (52.02), 2024",
     "DATA SINTETIS — bukan angka resmi"),
    ("en", "Cover", "Social-security coverage of Lombok Tengah (52.02), 2024",
     "SYNTHETIC DATA — not official figures"),
])
def test_the_workbook_is_one_a_budget_office_can_use(small_report, tmp_path, lang, cover,
                                                     title, synthetic):
    """Cover first; sheets named in the report's language; numbers with formats by unit."""
    report, _, _ = small_report
    outputs.save_outputs(report, tmp_path, lang)
    book = openpyxl.load_workbook(tmp_path / ("tables.xlsx" if lang == "id"
                                              else "tables.en.xlsx"))
    first = book.worksheets[0]
    assert first.title == cover
    cover_text = [c.value for row in first.iter_rows(max_row=5) for c in row]
    assert first["A1"].value == title
    assert synthetic in cover_text  # the small sample is the generator's synthetic data
    names = book.sheetnames
    assert len(names) == len(report.tables) + 1 and len(set(names)) == len(names)
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert not set(names) & set(report.tables)  # no 'tk_by_segment': names are translated
    segments = book[workbook.sheet_names(report.tables.values(), lang)["tk_by_segment"]]
    headings = [c.value for c in segments[1]]
    people = segments.cell(row=2, column=headings.index(
        "Peserta (orang)" if lang == "id" else "Members (people)") + 1)
    share = segments.cell(row=2, column=headings.index(
        "Porsi peserta aktif" if lang == "id" else "Share of active people") + 1)
    assert isinstance(people.value, int) and people.number_format == "#,##0"
    assert isinstance(share.value, float) and share.number_format == "0.0%"
    programmes = book[workbook.sheet_names(report.tables.values(), lang)["programmes"]]
    cost_column = [c.value for c in programmes[1]].index(
        "Biaya setahun (Rp)" if lang == "id" else "Annual cost (Rp)") + 1
    cost = programmes.cell(row=2, column=cost_column)
    assert cost.number_format == workbook.RUPIAH_FORMAT == '"Rp"#,##0;-"Rp"#,##0'
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, sheet.title
        assert sheet["A1"].font.b, sheet.title


def test_every_csv_has_an_indonesian_locale_twin_that_reads_as_numbers(small_report, tmp_path):
    """A reader with Excel in id-ID (';' between fields, ',' before decimals) gets numbers."""
    report, _, _ = small_report
    written = outputs.save_outputs(report, tmp_path, "id")
    machine_files = sorted(p.relative_to(tmp_path) for p in written if p.suffix == ".csv"
                           and outputs.EXCEL_ID_FOLDER not in p.relative_to(tmp_path).parts)
    assert machine_files
    for relative in machine_files:
        machine_bytes = (tmp_path / relative).read_bytes()
        assert machine_bytes.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads ≤ right
        twin = tmp_path / outputs.EXCEL_ID_FOLDER / relative
        assert twin.read_bytes().startswith(b"\xef\xbb\xbf")
        assert not re.search(r"(^|;)nan(;|$)", twin.read_text(encoding="utf-8-sig"), re.M)
        expected = pd.read_csv(tmp_path / relative, keep_default_na=False, dtype=str)
        result = pd.read_csv(twin, sep=";", decimal=",", keep_default_na=False, dtype=str)
        assert list(result.columns) == list(expected.columns), relative
        assert len(result) == len(expected), relative
    # numbers come through as numbers, with the decimal comma
    segment = pd.read_csv(tmp_path / outputs.EXCEL_ID_FOLDER / "tables" / "tk_by_segment.csv",
                          sep=";", decimal=",")
    assert pd.api.types.is_float_dtype(segment["active_share"])
    assert 0 < segment["active_share"].iloc[0] <= 1
    indicators_text = (tmp_path / outputs.EXCEL_ID_FOLDER / "indicators.csv").read_text(
        encoding="utf-8-sig")
    coverage = next(line for line in indicators_text.splitlines()
                    if line.startswith("tk_coverage;"))
    value, numerator = coverage.split(";")[1:3]
    assert "," in value and "." not in value  # 0,41…
    assert numerator.isdigit()  # a whole count, not 152812,0


def test_whole_numbers_are_written_as_integers_ratios_stay_decimals(tmp_path):
    frame = pd.DataFrame({"numerator": [152812.0, float("nan")], "cost_rp": [9455.0, 16800.0],
                          "active_share": [1.0, 0.0],
                          "value": pd.array([0.41, 176004], dtype=object),  # ratio, count
                          "numerator_shown": pd.array(["<5", float("nan")], dtype=object)})
    outputs.write_csv(frame, tmp_path, "t.csv")
    result = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    expected = ["numerator,cost_rp,active_share,value,numerator_shown",
                "152812,9455,1.0,0.41,<5", ",16800,0.0,176004,"]
    assert result == expected
    twin = (tmp_path / outputs.EXCEL_ID_FOLDER / "t.csv").read_text(
        encoding="utf-8-sig").splitlines()
    assert twin == ["numerator;cost_rp;active_share;value;numerator_shown",
                    "152812;9455;1,0;0,41;<5", ";16800;0,0;176004;"]


def test_a_region_code_that_papermill_read_as_a_number_says_how_to_pass_text():
    # papermill -p region_code 52.70 gives the float 52.7; 52.70 is no kab/kota of NTB
    with pytest.raises(ParameterError, match=r"unknown kabupaten/kota code 52\.70 \(it "
                                             r"arrived as the number 52\.7.*-r region_code "
                                             r"52\.70"):
        report_data.check_region(52.7)
    assert report_data.check_region(52.72) == "52.72"  # a float that is a code still works


# =========================================================================== publication gate


def _with_table(report, name, frame):
    from dataclasses import replace

    table = getattr(report, name)
    return replace(report, **{name: replace(table, data=frame)})


def test_the_gate_passes_the_sample_report(small_report):
    report, _, _ = small_report
    assert gate(report) == []


def test_the_gate_catches_a_planted_negative_count(small_report):
    report, _, _ = small_report
    frame = report.tk_by_sex.data.copy()
    frame.loc[0, "members"] = -55_501
    findings = gate(_with_table(report, "tk_by_sex", frame))
    assert [(f.table, f.column, f.rule) for f in findings][:1] == \
        [("tk_by_sex", "members", "negative_count")]
    with pytest.raises(ReportError, match="publication_gate.*below zero"):
        report_data.check_regency(_with_table(report, "tk_by_sex", frame))


def test_the_gate_catches_a_share_above_one_unless_flagged(small_report):
    report, _, _ = small_report
    frame = report.jkn_by_segment.data.copy()
    frame.loc[0, "active_rate"] = 1.2
    findings = gate(_with_table(report, "jkn_by_segment", frame))
    assert ("jkn_by_segment", "active_rate", "share_outside_0_1") in \
        {(f.table, f.column, f.rule) for f in findings}
    flagged = frame.assign(flag=["above_one"] + [""] * (len(frame) - 1))
    assert not [f for f in gate(_with_table(report, "jkn_by_segment", flagged))
                if f.rule == "share_outside_0_1"]


def test_the_gate_catches_one_figure_with_two_values(small_report):
    report, _, _ = small_report
    frame = report.budget.data.copy()
    frame.loc[frame["item"] == "budget_tk_apbd_rp", "value"] += 1_000
    findings = gate(_with_table(report, "budget", frame))
    assert [(f.table, f.row, f.rule) for f in findings] == \
        [("budget", "budget_tk_apbd_rp", "two_values")]
    segment = report.tk_by_segment.data.copy()
    segment.loc[0, "members"] -= segment.loc[0, "members"]  # rows now below the total
    rules = {f.rule for f in gate(_with_table(report, "tk_by_segment", segment))}
    assert "parts_below_total" in rules


def test_no_published_count_is_negative_and_the_remainder_is_flagged(small_report):
    """The cross-scheme remainder is never negative: empty, with the reason, when the
    registries hold more people aged 15+ than the working-age population figure."""
    report, _, _ = small_report
    frame = report.cross_scheme.published
    numbers = pd.to_numeric(frame["people"], errors="coerce")
    assert not (numbers < 0).any()
    neither = frame[frame["group"] == "neither"].iloc[0]
    exceeded = numbers.iloc[:3].sum() > numbers.iloc[4]
    assert pd.isna(neither["people"]) == exceeded
    assert (neither["flag"] == "registries_exceed_population") == exceeded
