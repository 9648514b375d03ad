"""What a reader takes away: the CSV archive and its CSVW metadata, the methodology page,
the downloads block filled with the files that exist, the citation, the honesty marks
(banner on the landing page, synthetic flag in the metadata, PDF header), and an
overview that links only the regency reports that exist."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers.batch import audit, downloads, export, landing, layout, pdf, publish
from helpers.report import csv_metadata, outputs, present, report_data
from helpers.report import downloads as report_downloads
from helpers.report.registries import registry_paths
from helpers.report.tables import PERSON_LEVEL_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
CAKUPAN = str(Path(sys.executable).parent / "cakupan")


@pytest.fixture(scope="module")
def small_report(small_sample):
    folder, _ = small_sample
    registries = report_data.load_registries(folder)
    params = report_data.ReportParameters.build("52.02", "2024", data_dir=folder)
    return report_data.regency_report(registries, params)


@pytest.fixture(scope="module")
def written(small_report, tmp_path_factory):
    """A report folder as both language runs leave it, with its CSV archive."""
    folder = tmp_path_factory.mktemp("report")
    outputs.save_outputs(small_report, folder, "id")
    outputs.save_outputs(small_report, folder, "en")
    downloads.write_csv_zip(folder)
    return folder


def _header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# =========================================================================== metadata


def test_csv_metadata_describes_every_csv_in_both_languages(small_report, written):
    document = json.loads((written / layout.CSV_METADATA).read_text(encoding="utf-8"))
    assert document["@context"][0] == "http://www.w3.org/ns/csvw"
    urls = [table["url"] for table in document["tables"]]
    expected = ["indicators.csv"] + [f"tables/{t.name}.csv"
                                     for t in small_report.tables.values()]
    assert urls == expected
    for table in document["tables"]:
        columns = table["tableSchema"]["columns"]
        assert [c["name"] for c in columns] == _header(written / table["url"]), table["url"]
        for column in columns:
            assert set(column["titles"]) == {"und", "id", "en"}
            assert column["titles"]["und"] == column["name"]
    segments = next(t for t in document["tables"] if t["url"] == "tables/tk_by_segment.csv")
    by_name = {c["name"]: c for c in segments["tableSchema"]["columns"]}
    assert by_name["members"]["datatype"] == "integer"
    assert by_name["members"]["titles"]["id"] == "Peserta (orang)"
    assert by_name["members"]["null"] == ["", "<5", "x"]  # hidden cells read as empty
    assert by_name["active_share"]["datatype"] == "number"


def test_csv_metadata_says_the_sample_is_synthetic(small_report, written):
    document = json.loads((written / layout.CSV_METADATA).read_text(encoding="utf-8"))
    assert document["synthetic"] is True
    assert document["sample_scale"] == 0.02
    notes = {note["@language"]: note["@value"] for note in document["notes"][:2]}
    assert notes["id"].startswith("DATA SINTETIS — bukan angka resmi")
    assert notes["en"].startswith("SYNTHETIC DATA — not official figures")


def test_csv_metadata_of_real_registries_is_not_marked_synthetic(small_report, tmp_path):
    real = tmp_path / "registries"  # the same files, but not where the generator left them
    real.mkdir()
    report = SimpleNamespace(**{name: getattr(small_report, name) for name in (
        "kind", "region_code", "region_name", "period", "reference_date", "tables",
        "indicators_file")}, params=SimpleNamespace(data_dir=real))
    document = csv_metadata.build_metadata(report)
    assert document["synthetic"] is False and "sample_scale" not in document
    assert not any("SINTETIS" in note["@value"] or "SYNTHETIC" in note["@value"]
                   for note in document["notes"])


def test_csv_metadata_is_the_same_for_both_languages(small_report, tmp_path):
    outputs.save_outputs(small_report, tmp_path / "id", "id")
    outputs.save_outputs(small_report, tmp_path / "en", "en")
    assert (tmp_path / "id" / layout.CSV_METADATA).read_bytes() == \
        (tmp_path / "en" / layout.CSV_METADATA).read_bytes()


# =========================================================================== archive


def test_csv_archive_holds_the_csvs_and_their_metadata(small_report, written):
    with zipfile.ZipFile(written / layout.CSV_ZIP) as archive:
        names = archive.namelist()
        assert names[:2] == ["indicators.csv", "csv-metadata.json"]
        assert sorted(names[2:]) == sorted(f"tables/{t.name}.csv"
                                           for t in small_report.tables.values())
        for name in names:
            assert archive.read(name) == (written / name).read_bytes(), name
        assert not [n for n in names if n.startswith(layout.EXCEL_ID_FOLDER)]


def test_csv_archive_holds_no_personal_data(small_sample, written, tmp_path):
    folder, _ = small_sample
    with zipfile.ZipFile(written / layout.CSV_ZIP) as archive:
        archive.extractall(tmp_path)
        for name in archive.namelist():
            if name.endswith(".csv"):
                assert not set(_header(tmp_path / name)) & set(PERSON_LEVEL_COLUMNS), name
    assert audit.audit_path(tmp_path, registries=registry_paths(folder)) == []


def test_csv_archive_is_reproducible(written, tmp_path):
    first = (written / layout.CSV_ZIP).read_bytes()
    os.utime(written / "indicators.csv", (0, 0))  # a later write of the same bytes
    downloads.write_csv_zip(written)
    assert (written / layout.CSV_ZIP).read_bytes() == first
    assert downloads.write_csv_zip(tmp_path) is None  # no indicators.csv: nothing to pack
    assert not list(tmp_path.iterdir())


# =========================================================================== methodology


@pytest.mark.parametrize(("lang", "title", "twin"), [
    ("id", "Metodologi: definisi indikator", "methodology.en.html"),
    ("en", "Methodology: indicator definitions", "methodology.html"),
])
def test_methodology_page_renders_every_definition(lang, title, twin):
    from helpers.measures.definitions import INDICATORS

    text = downloads.methodology_page(lang)
    assert f'<html lang="{lang}">' in text and f"<h1 id=\"top\">{title}</h1>" in text
    assert export.external_references(text) == []
    assert "<script" not in text
    for indicator in INDICATORS:
        assert f"<code>{indicator.indicator_id}</code>" in text
    assert text.count('<table class="data">') == 4  # jamsostek, jkn, budget; the files
    assert "excel-id/indicators.csv" in text and "csv-metadata.json" in text
    assert re.findall(r'<nav class="toc".*?</nav>', text, re.S)[0].count("<li>") >= 5
    assert f'href="{twin}"' in text and 'href="index.html"' in text


def test_methodology_pages_are_written_only_where_cakupan_may(tmp_path):
    names = {layout.methodology_name(lang) for lang in ("id", "en")}
    assert downloads.write_methodology_pages(tmp_path, set()) == []  # not claimed
    assert not list(tmp_path.iterdir())
    written = downloads.write_methodology_pages(tmp_path, names)
    assert sorted(p.name for p in written) == sorted(names)
    foreign = tmp_path / "other"
    foreign.mkdir()
    (foreign / "methodology.html").write_text("someone else's", encoding="utf-8")
    with pytest.raises(publish.InTheWayError, match="did not write"):
        downloads.write_methodology_pages(foreign, set())
    assert (foreign / "methodology.html").read_text(encoding="utf-8") == "someone else's"


# =========================================================================== pages


def _page(folder: Path, body: str, lang: str = "id") -> Path:
    path = folder / layout.page_name(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export.page(body, title="t", lang=lang), encoding="utf-8")
    return path


def _owner(out: Path):
    def ours(path: Path) -> bool:
        return path.is_file()
    return ours


def test_downloads_block_lists_only_files_that_exist(small_report, tmp_path):
    out = tmp_path
    folder = out / "2024" / "52.02"
    path = _page(folder, present.Presenter(small_report, "id").title())
    assert 'data-download' not in path.read_text(encoding="utf-8")  # nothing published yet
    (folder / "tables.xlsx").write_bytes(b"x" * 2048)
    (folder / layout.CSV_ZIP).write_bytes(b"z" * 10)
    (out / "methodology.html").write_text("m", encoding="utf-8")
    assert downloads.update_page(path, "id", out, _owner(out))
    text = path.read_text(encoding="utf-8")
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*data-download="([^"]+)"', text))
    assert links == {"tables.xlsx": "workbook", "tables-csv.zip": "csv_zip",
                     "../../methodology.html": "methodology"}
    for href in links:
        assert (folder / href).is_file(), href
    assert "(XLSX, 2 KB)" in text
    assert not downloads.update_page(path, "id", out, _owner(out))  # unchanged: not rewritten
    (folder / "index.pdf").write_bytes(b"%PDF")  # printed later: linked now
    assert downloads.update_page(path, "id", out, _owner(out))
    assert 'href="index.pdf"' in path.read_text(encoding="utf-8")
    (folder / "index.pdf").unlink()
    downloads.update_page(path, "id", out, lambda p: p.is_file() and p.suffix != ".zip")
    text = path.read_text(encoding="utf-8")
    assert "index.pdf" not in text and layout.CSV_ZIP not in text  # gone, or not Cakupan's


def test_english_page_links_its_own_workbook_pdf_and_methodology(small_report, tmp_path):
    folder = tmp_path / "2024" / "52.02"
    path = _page(folder, present.Presenter(small_report, "en").title(), "en")
    for name in ("tables.xlsx", "tables.en.xlsx", "index.pdf", "index.en.pdf"):
        (folder / name).write_bytes(b"x")
    for name in ("methodology.html", "methodology.en.html"):
        (tmp_path / name).write_text("m", encoding="utf-8")
    downloads.update_page(path, "en", tmp_path, _owner(tmp_path))
    hrefs = re.findall(r'<a href="([^"]+)"[^>]*data-download', path.read_text(encoding="utf-8"))
    assert hrefs == ["tables.en.xlsx", "index.en.pdf", "../../methodology.en.html"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Cakupan (2026). Cakupan Jaminan Sosial Lombok Tengah (52.02), 2024. Tanggal "
           "acuan 31 Desember 2024; dibuat dengan Cakupan {v} pada 5 Januari 2026. Data "
           "sintetis (sampel 2% dari ukuran penuh), bukan angka resmi."),
    ("en", "Cakupan (2026). Social-security coverage of Lombok Tengah (52.02), 2024. "
           "Reference date 31 December 2024; made with Cakupan {v} on 5 January 2026. "
           "Synthetic data (a sample at 2% of full size), not official figures."),
])
def test_citation_names_the_report_and_says_the_data_are_synthetic(small_report, lang,
                                                                    expected):
    from helpers import __version__

    result = report_downloads.citation(small_report, lang, today=date(2026, 1, 5))
    assert result == expected.format(v=__version__)


def test_citation_of_real_registries_does_not_say_synthetic(small_report, tmp_path):
    report = SimpleNamespace(kind="regency", region_name="Lombok Tengah", region_code="52.02",
                             period="2024", reference_date=small_report.reference_date,
                             params=SimpleNamespace(data_dir=tmp_path))
    result = report_downloads.citation(report, "id", today=date(2026, 1, 5))
    assert result.startswith("Cakupan (2026). Cakupan Jaminan Sosial Lombok Tengah")
    assert "sintetis" not in result
    assert report_downloads.synthetic_banner(tmp_path, "id") == ""


def test_overview_links_only_the_regency_reports_that_exist(tmp_path):
    out = tmp_path
    items = "".join(report_downloads.region_item(code, name, f"{code}/index.html", "id")
                    for code, name in (("52.01", "Lombok Barat"), ("52.02", "Lombok Tengah")))
    path = _page(out / "2024", f'<ul class="region-links">{items}</ul>')
    _page(out / "2024" / "52.02", "<h1>LT</h1>")
    downloads.update_page(path, "id", out, _owner(out))
    text = path.read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)">', text.split('class="region-links"')[1]) == \
        ["52.02/index.html"]
    assert '<span class="not-rendered">Lombok Barat</span>' in text
    assert "(laporan belum dibuat)" in text
    _page(out / "2024" / "52.01", "<h1>LB</h1>")  # rendered later: linked then
    downloads.update_page(path, "id", out, _owner(out))
    assert 'href="52.01/index.html"' in path.read_text(encoding="utf-8")


# =========================================================================== landing


def test_landing_page_carries_the_banner_and_the_methodology(small_sample, tmp_path):
    folder, _ = small_sample
    out = tmp_path
    _page(out / "2024" / "52.02", "<h1>LT</h1>")
    owned = {"index.html", "2024/52.02/index.html", "methodology.html",
             "methodology.en.html"}
    downloads.write_methodology_pages(out, owned)
    runs = {"2024/52.02/index.html": {"status": "ok",
                                      "parameters": {"data_dir": str(folder)}},
            "2024/52.03/index.html": {"status": "ok", "parameters": {}}}
    text = landing.write_landing_page(out, owned=owned, runs=runs).read_text(encoding="utf-8")
    assert "DATA SINTETIS — bukan angka resmi" in text
    assert "SYNTHETIC DATA — not official figures" in text
    assert 'href="methodology.html"' in text and 'href="methodology.en.html"' in text
    for href in re.findall(r'href="([^"#]+)"', text):
        assert (out / href).exists(), href  # 52.03 has a record but no page: not linked
    assert "52.03" not in text


def test_landing_page_of_real_registries_has_no_banner(tmp_path):
    real = tmp_path / "registries"
    real.mkdir()
    out = tmp_path / "reports"
    _page(out / "2024" / "52.02", "<h1>LT</h1>")
    runs = {"2024/52.02/index.html": {"status": "ok", "parameters": {"data_dir": str(real)}}}
    text = landing.write_landing_page(out, owned={"index.html", "2024/52.02/index.html"},
                                      runs=runs).read_text(encoding="utf-8")
    assert 'class="banner"' not in text


# =========================================================================== PDF header


def test_pdf_header_repeats_the_banner_of_a_synthetic_report():
    page = export.page('<div class="banner" role="note">DATA SINTETIS</div><h1>x</h1>',
                       title="x", lang="en")
    assert "SYNTHETIC DATA — not official figures" in pdf.header_template(page)
    assert pdf.header_template(export.page("<h1>x</h1>", title="x", lang="id")) == \
        "<span></span>"


# =========================================================================== a batch


@pytest.mark.kernel
def test_a_batch_of_one_regency_publishes_downloads_that_exist(small_sample, tmp_path):
    folder, _ = small_sample
    process = subprocess.run(
        [CAKUPAN, "reports", "--regions", "52.02", "--period", "2024", "--jobs", "1",
         "--data-dir", str(folder), "--out", str(tmp_path), "--no-progress"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=os.environ.copy())
    assert process.returncode == 0, process.stderr[-3000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {"methodology.html", "methodology.en.html", "2024/52.02/tables-csv.zip",
            "2024/52.02/csv-metadata.json", "2024/tables-csv.zip"} <= set(manifest["files"])
    outputs_of = manifest["runs"]["2024/52.02/index.html"]["outputs"]
    assert {"tables-csv.zip", "csv-metadata.json"} <= set(outputs_of)
    for page in ("2024/52.02/index.html", "2024/index.html"):
        text = (tmp_path / page).read_text(encoding="utf-8")
        kinds = re.findall(r'data-download="([^"]+)"', text)
        assert kinds == ["workbook", "csv_zip", "methodology"], page  # no PDF asked for
        for href in re.findall(r'<a href="([^"#]+)"', text):
            assert (tmp_path / page).parent.joinpath(href).exists(), (page, href)
        assert "Data sintetis" in text.split('class="citation"')[1]
    overview = (tmp_path / "2024" / "index.html").read_text(encoding="utf-8")
    regions = overview.split('class="region-links"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="([^"]+)"', regions) == ["52.02/index.html"]
    assert regions.count("laporan belum dibuat") == 9
