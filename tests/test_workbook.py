"""The Excel workbook: cover sheet, sheet names, number formats per unit, header and filter.

A report here is a few tables written in the test; the workbook of a real (small sample)
report is checked in ``test_report_data.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from helpers.paths import sample_dir
from helpers.report import i18n, registries, workbook
from helpers.report.tables import disclosure_rule, indicator_rows_table, make_table

D = dt.date(2024, 12, 31)


def a_report(data_dir, tables=None, kind="regency"):
    """A regency report with the attributes the workbook reads, and tables written here."""
    indicators = indicator_rows_table(pd.DataFrame({
        "indicator_id": ["tk_members", "tk_coverage", "budget_jkn_pemda_rp",
                         "budget_share_apbd", "uhc_category"],
        "value": pd.array([13600, 0.412, 1_873_027_800, 0.00069, "none"], dtype=object),
        "numerator": [None, 13600, None, 1_928_835_468, None],
        "denominator": [None, 33010, None, 2_791_935_000_000, None],
        "unit": ["people", "fraction", "rupiah", "fraction", "category"],
        "flag": ["", "", "", "", ""]}))
    segments = make_table(
        "tk_by_segment", "table.tk_by_segment",
        pd.DataFrame({"segment": ["PU", "BPU", "PMI", "total"], "members": [9000, 500, 3, 9503],
                      "active": [8000, 400, 3, 8403],
                      "active_share": [8000 / 8403, 400 / 8403, 3 / 8403, 1.0]}),
        {"members": "people", "active": "people", "active_share": "fraction"},
        {"segment": "segment"}, count_columns=("members", "active"), category="segment",
        share_columns={"active_share": ("active",)})
    programmes = make_table(
        "programmes", "table.programmes",
        pd.DataFrame({"occupation": ["fisher"], "active": [10], "cost_rp": [2_016_000],
                      "score": [7.25]}),
        {"active": "people", "cost_rp": "rupiah", "score": "score"},
        {"occupation": "occupation"})
    trend = make_table("trend", "table.trend",
                       pd.DataFrame({"month_end": ["2024-11-30", "2024-12-31"],
                                     "tk_active": [7990, 8003]}),
                       {"month_end": "date", "tk_active": "people"})
    tables = tables or [indicators, segments, programmes, trend]
    published = indicators.published
    return SimpleNamespace(
        kind=kind, region_name="Lombok Tengah", region_code="52.02", province_code="52",
        province_name="Nusa Tenggara Barat", region_codes=["52.01", "52.02"], period="2024",
        reference_date=D, params=SimpleNamespace(data_dir=data_dir, reference_date=D),
        parameters={"region_code": "52.02", "period": "2024", "reference_date": D.isoformat(),
                    "grace_months": 1, "labour_denominator": "bpjs_potential",
                    "population_vintage": "dukcapil_2024s1"},
        meta={"data_as_of": "2025-12-31",
              "registries": {"jkn": {"file": "jkn.parquet", "sha256": "ab" * 32,
                                     "rows_read": 120, "rows_accepted": 118}}},
        tables={t.name: t for t in tables},
        indicators_file=published.assign(
            reference_date=D.isoformat(), definition="(English definition)")[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]])


def written(report, tmp_path, lang="id") -> openpyxl.Workbook:
    path = workbook.write_workbook(report, tmp_path / f"tables.{lang}.xlsx", lang, decimals=6)
    return openpyxl.load_workbook(path)


def column(sheet, heading: str) -> list:
    """The cells under ``heading`` in row 1."""
    headings = [c.value for c in sheet[1]]
    return [row[headings.index(heading)] for row in sheet.iter_rows(min_row=2)]


# =========================================================================== numbers


def test_numbers_stay_numbers_with_a_format_per_unit(tmp_path):
    book = written(a_report(tmp_path), tmp_path)
    segments = book["BPJS TK menurut segmen"]
    members = column(segments, "Peserta (orang)")
    assert [c.value for c in members] == [9000, "x", "<5", 9503]  # the disclosure rule's
    assert members[0].number_format == members[3].number_format == "#,##0"
    assert [c.value for c in column(segments, "Segmen")] == [
        "Penerima upah (PU)", "Bukan penerima upah (BPU)", "Pekerja migran Indonesia (PMI)",
        "Jumlah"]
    assert all(c.font.b for c in segments[5])  # the total row
    share = column(segments, "Porsi peserta aktif")
    assert share[0].value == pytest.approx(0.952041) and share[0].number_format == "0.0%"
    assert share[2].value == disclosure_rule().hidden_marker  # a share of a hidden count
    programmes = book["Program iuran Pemda"]
    cost = column(programmes, "Biaya setahun (Rp)")[0]
    assert (cost.value, cost.number_format) == (2_016_000, workbook.RUPIAH_FORMAT)
    assert workbook.RUPIAH_FORMAT.startswith('"Rp"#,##0')
    assert column(programmes, "score")[0].number_format == "0.00"
    month_end = column(book["Tren bulanan"], "Akhir bulan")
    assert month_end[0].is_date and month_end[0].value.date() == dt.date(2024, 11, 30)
    assert month_end[0].number_format == workbook.DATE_FORMATS["id"]


def test_hidden_cells_are_text_aligned_right_like_the_numbers(tmp_path):
    sheet = written(a_report(tmp_path), tmp_path)["BPJS TK menurut segmen"]
    for hidden, marker in zip(column(sheet, "Peserta (orang)")[1:3], ["x", "<5"]):
        assert hidden.data_type == "s" and hidden.value == marker
        assert hidden.alignment.horizontal == "right"


def test_indicator_rows_are_named_and_formatted_by_their_unit(tmp_path):
    sheet = written(a_report(tmp_path), tmp_path)["Indikator"]
    names = [c.value for c in column(sheet, "Indikator")]
    assert names[:2] == ["Peserta BPJS Ketenagakerjaan", "Cakupan BPJS Ketenagakerjaan"]
    assert [c.value for c in column(sheet, "Kode indikator")][:2] == ["tk_members",
                                                                       "tk_coverage"]
    formats = [c.number_format for c in column(sheet, "Nilai")]
    assert formats[:4] == ["#,##0", "0.0%", workbook.RUPIAH_FORMAT,
                           workbook.BUDGET_SHARE_FORMAT]
    assert column(sheet, "Nilai")[4].value == "Belum UHC"
    numerators = column(sheet, "Pembilang")
    assert numerators[1].number_format == "#,##0"  # people over people
    assert numerators[3].number_format == workbook.RUPIAH_FORMAT  # Rupiah over Rupiah
    assert column(sheet, "Tanggal acuan")[0].is_date
    definitions = [c.value for c in column(sheet, "Definisi")]
    assert definitions[0].startswith("Orang yang kepesertaan")  # in the report language
    assert [c.value for c in sheet[1]][-1] == "Definisi"  # long text last


def test_every_table_sheet_has_a_bold_frozen_header_and_a_filter(tmp_path):
    book = written(a_report(tmp_path), tmp_path, "en")
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert all(sheet.column_dimensions[c.column_letter].width >= workbook.MIN_WIDTH
                   for c in sheet[1])


# =========================================================================== sheet names


@pytest.mark.parametrize(("text", "expected"), [
    ("Anggaran", "Anggaran"),
    ("Kode/nama: [a]*?\\b", "Kode-nama- -a----b"),
    ("Semua indikator wilayah ini (indicators.csv)", "Semua indikator wilayah ini"),
    ("Participants whose contributions the Pemda pays", "Participants whose"),
    ("'quoted'", "quoted"),
])
def test_sheet_names_are_what_excel_accepts(text, expected):
    result = workbook.sheet_name(text)
    assert result == expected
    assert len(result) <= workbook.MAX_SHEET_NAME


def test_sheet_names_are_translated_and_unique(tmp_path):
    report = a_report(tmp_path)
    twin = make_table("tk_by_segment_2", "table.tk_by_segment", pd.DataFrame({"a": [1]}), {})
    tables = [*report.tables.values(), twin]
    assert workbook.sheet_names(tables, "id") == {
        "indicators": "Indikator", "tk_by_segment": "BPJS TK menurut segmen",
        "programmes": "Program iuran Pemda", "trend": "Tren bulanan",
        "tk_by_segment_2": "BPJS TK menurut segmen (2)"}
    assert workbook.sheet_names(tables, "en")["tk_by_segment"] == "BPJS TK by segment"


def test_a_table_without_a_sheet_name_gets_its_title_shortened(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "has", lambda key: not key.startswith("sheet."))
    tables = a_report(tmp_path).tables.values()
    assert workbook.sheet_names(tables, "id") == {
        "indicators": "Semua indikator wilayah ini",
        "tk_by_segment": "Peserta BPJS Ketenagakerjaan",
        "programmes": "Peserta yang iurannya dibayar", "trend": "Peserta dan cakupan per akhir"}


def test_every_sheet_name_of_the_translations_fits_excel():
    keys = [k for k in i18n.table() if k.startswith("sheet.")]
    assert keys
    for key in keys:
        for lang in i18n.LANGUAGES:
            text = i18n.translate(key, lang)
            assert workbook.sheet_name(text) == text, (key, lang)


# =========================================================================== cover


def test_the_cover_comes_first_with_title_parameters_and_contents(tmp_path):
    book = written(a_report(tmp_path), tmp_path, "en")
    cover = book.worksheets[0]
    assert cover.title == "Cover"
    text = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert text[0] == "Social-security coverage of Lombok Tengah (52.02), 2024"
    assert "SYNTHETIC DATA — not official figures" not in text  # tmp_path holds no sample
    for expected in ("Lombok Tengah (52.02)", "31 December 2024", "1 month(s)",
                     "Dukcapil 2024 first semester", disclosure_rule().label("en"),
                     "data/reference/rates.csv", "Contents", "tables/trend.csv"):
        assert expected in text, expected
    links = {c.value: c.hyperlink.location for c in cover["A"] if c.hyperlink}
    assert links["BPJS TK by segment"] == "'BPJS TK by segment'!A1"
    assert list(links) == book.sheetnames[1:]


def test_the_cover_says_when_the_data_are_the_synthetic_sample(tmp_path):
    (tmp_path / "jkn.parquet").write_bytes(b"1234")
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"generator_version": "1", "registries": {"jkn": {"file": "jkn.parquet", "bytes": 4}}}))
    cover = written(a_report(tmp_path), tmp_path).worksheets[0]
    assert cover.title == "Sampul"
    line = next(c for c in cover["A"] if c.value == "DATA SINTETIS — bukan angka resmi")
    assert line.font.b and line.row <= 3  # under the title, where nobody misses it


@pytest.mark.parametrize(("files", "expected"), [
    ({"jkn.parquet": b"1234"}, True),
    ({"jkn.parquet": b"a real registry, copied over the sample"}, False),
    ({}, False),
])
def test_synthetic_data_is_the_sample_generators_files(tmp_path, files, expected):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    if files:
        (tmp_path / "manifest.json").write_text(json.dumps(
            {"generator_version": "1",
             "registries": {"jkn": {"file": "jkn.parquet", "bytes": 4}}}))
    assert registries.is_synthetic_sample(tmp_path) is expected


def test_the_sample_folder_is_synthetic():
    assert registries.is_synthetic_sample(sample_dir())
