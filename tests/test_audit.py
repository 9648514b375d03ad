"""The privacy audit: leaks planted in each output format are found, masked and located;
report-like content is clean; the CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.batch import audit
from helpers.batch.audit import Finding
from helpers.cli import main
from helpers.errors import ParameterError, SchemaError

KEY = "audit-test-key-7f3e9a1c55d04b2e8c6f"
NIK = "5202014109900001"

#: (kind, planted text, masked excerpt)
LEAKS = {
    "nik_plain": ("nik", NIK, "5202********0001"),
    "nik_spaces": ("nik", "5202 0141 0990 0001", "5202 **** **** 0001"),
    "nik_dots": ("nik", "5202.0141.0990.0001", "5202.****.****.0001"),
    "nik_dashes": ("nik", "5202-014109-900001", "5202-******-**0001"),
    "name": ("name", "Budi Mustafa", "B*** M***"),
    "key": ("key", KEY, "[pseudonymisation key]"),
}


@pytest.fixture(autouse=True)
def test_key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)


@pytest.fixture
def registry(tmp_path_factory) -> Path:
    """A registry with Indonesian headers (aliases), ';' and dd/mm/yyyy birth dates."""
    path = tmp_path_factory.mktemp("registry") / "jkn.csv"
    path.write_text(
        "NIK;Nama;Tgl Lahir;Jenis Kelamin\n"
        f"{NIK};Budi Mustafa;16/02/1991;L\n"
        "5202015507850002;Ni Made Sari;15/07/1985;P\n"
        "5202010101240003;Sari;31/12/2024;P\n",  # one-word name: not looked for
        encoding="utf-8")
    return path


@pytest.fixture
def index(registry) -> audit.RegistryIndex:
    return audit.load_registry_index([registry])


# --------------------------------------------------------------------------- writers
# Each writes one small output file of a format with ``cells`` in one table row (or one
# parameters object) and returns (path, location of each cell).

HTML_HEAD = "<!DOCTYPE html>\n<html><body><h1>Laporan Lombok Tengah 2024</h1>\n<table>\n"


def write_html(folder: Path, cells: list[str]) -> tuple[Path, list[str]]:
    path = folder / "index.html"
    row = "".join(f"<td>{cell}</td>" for cell in cells)
    path.write_text(HTML_HEAD + "<tr><th>Segmen</th><th>Peserta</th></tr>\n"
                    f"<tr>{row}</tr>\n</table></body></html>\n", encoding="utf-8")
    return path, ["5"] * len(cells)


def write_notebook_output(folder: Path, cells: list[str]) -> tuple[Path, list[str]]:
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("table")
    row = "".join(f"<td>{cell}</td>" for cell in cells)
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="13.600 non-ASN staff\n"),
        nbformat.v4.new_output("display_data", data={
            "text/html": f"<table>\n<tr>{row}</tr>\n</table>", "text/plain": "<table>"}),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Laporan"), code]
    path = folder / "report.ipynb"
    nbformat.write(notebook, path)
    return path, ["cell 2 output 2"] * len(cells)


def write_papermill_metadata(folder: Path, cells: list[str]) -> tuple[Path, list[str]]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("region_code = '52.02'")]
    parameters = {"region_code": "52.02", **{f"p{i}": cell for i, cell in enumerate(cells)}}
    notebook.metadata["papermill"] = {"parameters": parameters, "version": "2.6.0"}
    path = folder / "report.ipynb"
    nbformat.write(notebook, path)
    return path, [f"metadata.papermill.parameters.p{i}" for i in range(len(cells))]


def write_csv(folder: Path, cells: list[str]) -> tuple[Path, list[str]]:
    path = folder / "tables" / "segments.csv"
    path.parent.mkdir()
    columns = [f"c{i}" for i in range(len(cells))]
    quoted = ",".join(f'"{cell}"' for cell in cells)
    path.write_text(",".join(columns) + "\n" + ",".join("1" * len(cells)) + f"\n{quoted}\n",
                    encoding="utf-8")
    return path, [f"row 3, column {column}" for column in columns]


def write_xlsx(folder: Path, cells: list[str]) -> tuple[Path, list[str]]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tabel"
    sheet["A1"] = "Segmen"
    for offset, cell in enumerate(cells):
        sheet.cell(row=7, column=2 + offset, value=cell)
    path = folder / "tables.xlsx"
    workbook.save(path)
    return path, [f"Tabel!{'BCDEFGH'[i]}7" for i in range(len(cells))]


WRITERS = {"html": write_html, "notebook_output": write_notebook_output,
           "papermill_metadata": write_papermill_metadata, "csv": write_csv, "xlsx": write_xlsx}


# --------------------------------------------------------------------------- findings


@pytest.mark.parametrize("fmt", WRITERS)
def test_clean_outputs_have_no_findings(tmp_path, fmt, index):
    # Aggregates, a reference date, a registry birth date standing alone, one-word names.
    WRITERS[fmt](tmp_path, ["PU", "13.600", "2024-12-31", "1991-02-16", "Sari"])
    assert audit.audit_path(tmp_path, registries=index) == []


@pytest.mark.parametrize("leak", LEAKS)
@pytest.mark.parametrize("fmt", WRITERS)
def test_planted_leak_is_found_located_and_masked(tmp_path, fmt, leak, index):
    kind, planted, masked = LEAKS[leak]
    path, locations = WRITERS[fmt](tmp_path, ["PU", planted])
    result = audit.audit_path(tmp_path, registries=index)
    assert result == [Finding(str(path), locations[1], kind, masked)]


@pytest.mark.parametrize("fmt", WRITERS)
def test_birth_date_next_to_a_name_is_found(tmp_path, fmt, index):
    path, locations = WRITERS[fmt](tmp_path, ["Ni Made Sari", "15/07/1985"])
    result = audit.audit_path(tmp_path, registries=index)
    expected = [Finding(str(path), locations[0], "name", "N*** M*** S***"),
                Finding(str(path), locations[1], "birth_date", "**/**/19**")]
    assert result == expected


def test_birth_date_next_to_a_nik_is_found_without_a_name(tmp_path, index):
    path, _ = write_csv(tmp_path, [NIK, "1991-02-16", "2024-12-31"])
    result = audit.audit_path(path, registries=index)
    # 2024-12-31 is a registry birth date too (of a one-word name) and sits in the row:
    # next to a NIK every registry birth date counts.
    assert [(f.location, f.kind, f.excerpt) for f in result] == [
        ("row 3, column c0", "nik", "5202********0001"),
        ("row 3, column c1", "birth_date", "19**-**-**"),
        ("row 3, column c2", "birth_date", "20**-**-**"),
    ]


def test_a_piece_seen_before_is_found_again_at_its_own_place(index):
    """The scanner remembers what each piece of text holds (charts repeat thousands):
    a repeated piece is reported again at each of its places, and a birth date still
    counts only in a record with a name or NIK."""
    scanner = audit.Scanner(index, [])
    first = scanner.scan("page", [("3", "Ni Made Sari"), ("3", "15/07/1985")])
    alone = scanner.scan("page", [("4", "15/07/1985")])
    again = scanner.scan("page", [("9", "15/07/1985"), ("9", "Ni Made Sari")])
    niks = [scanner.scan("page", [(line, f"NIK {NIK}")]) for line in ("10", "11")]
    assert [(f.location, f.kind) for f in first] == [("3", "name"), ("3", "birth_date")]
    assert alone == []
    assert [(f.location, f.kind, f.excerpt) for f in again] == [
        ("9", "name", "N*** M*** S***"), ("9", "birth_date", "**/**/19**")]
    assert [[(f.location, f.excerpt) for f in found] for found in niks] == [
        [("10", "5202********0001")], [("11", "5202********0001")]]


def test_report_like_html_is_clean(tmp_path, index):
    page = tmp_path / "index.html"
    page.write_text(
        HTML_HEAD
        + "<tr><td>Anggaran</td><td>Rp1.209.600.000</td><td>13.600</td><td>41,2%</td></tr>\n"
        "<tr><td>Tanggal acuan</td><td>2024-12-31</td><td>person_id</td>"
        "<td>3f2a9c0d1e7b4a55</td><td>8d41f29a0c3be671d2f9e0aa43c17b5e</td></tr>\n"
        "</table>\n<p>Data per 31/12/2024; kode wilayah 52.02; 1.209.600.000.000.000</p>\n"
        '<img src="data:image/png;base64,NTIwMjAxNDEwOTkwMDAwMQ5202014109900001==">\n'
        "</body></html>\n", encoding="utf-8")
    assert audit.audit_path(page, registries=index) == []


def test_notebook_source_cell_metadata_and_error_output_are_scanned(tmp_path):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"region_code = '52.02'\nnik = '{NIK}'")
    cell.metadata["tags"] = ["parameters", f"key={KEY}"]
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="ValueError", evalue="bad",
        traceback=[f"\x1b[0;31mValueError\x1b[0m: NIK {NIK} invalid"])]
    notebook.cells = [cell]
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, path)
    result = [(f.location, f.kind) for f in audit.audit_path(path)]
    assert result == [("cell 1 source", "nik"), ("cell 1 metadata.tags[1]", "key"),
                      ("cell 1 output 1", "nik")]


def test_key_in_hex_form_is_found(tmp_path):
    key = bytes(range(200, 232))
    page = tmp_path / "log.txt"
    page.write_text(f"started\nkey was {key.hex().upper()}\n", encoding="utf-8")
    result = audit.audit_path(page, key=key)
    assert result == [Finding(str(page), "2", "key", "[pseudonymisation key, hex form]")]


def test_a_key_too_short_to_search_for_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="only 3 characters"):
        audit.audit_path(tmp_path, key="abc")


def test_unreadable_files_fail_the_audit(tmp_path):
    (tmp_path / "report.ipynb").write_text("{not json", encoding="utf-8")
    (tmp_path / "tables.xlsx").write_bytes(b"PK\x03\x04 broken")
    result = [(Path(f.path).name, f.kind) for f in audit.audit_path(tmp_path)]
    assert result == [("report.ipynb", "unreadable"), ("tables.xlsx", "unreadable")]


def test_a_header_holding_a_name_is_not_repeated_in_locations(tmp_path, index):
    path = tmp_path / "t.csv"
    path.write_text("segment,Budi Mustafa\nPU,1991-02-16\n", encoding="utf-8")
    result = [(f.location, f.kind) for f in audit.audit_path(path, registries=index)]
    assert result == [("row 1, column 2", "name")]


# --------------------------------------------------------------------------- registries


def test_registry_index_from_parquet_and_aliased_csv(tmp_path, registry):
    parquet = tmp_path / "jamsostek.parquet"
    pq.write_table(pa.table({"nik": ["5271014501900004"], "full_name": ["Lalu Ahmad Hakim"],
                             "birth_date": ["1990-01-05"]}), parquet)
    result = audit.load_registry_index([registry, parquet])
    assert result.names == {"budi mustafa", "ni made sari", "lalu ahmad hakim"}
    assert result.name_lengths == (2, 3)
    assert result.birth_dates == {"1991-02-16", "1985-07-15", "2024-12-31", "1990-01-05"}


def test_registry_without_name_or_birth_date_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("NIK,Jenis Kelamin,Kode Wilayah\n5202014109900001,P,52.02\n",
                    encoding="utf-8")
    with pytest.raises(SchemaError, match="no name or birth-date column"):
        audit.load_registry_index([path])


# --------------------------------------------------------------------------- CLI


def test_cli_clean_folder_exits_0(tmp_path, registry, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    write_html(reports, ["PU", "13.600"])
    (reports / "chart.png").write_bytes(b"\x89PNG")
    assert main(["audit", str(reports), "--registry", str(registry)]) == 0
    out = capsys.readouterr().out
    assert "clean: 1 file scanned" in out and "1 of other types skipped" in out
    assert "names and birth dates from 1 registry" in out


def test_cli_leaks_exit_3_with_masked_lines_and_a_summary(tmp_path, registry, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    write_csv(reports, ["Budi Mustafa", "16/02/1991", "5202.0141.0990.0001"])
    path, _ = write_papermill_metadata(reports, [KEY])
    assert main(["audit", str(reports), "--registry", str(registry)]) == 3
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{path}:metadata.papermill.parameters.p0: key: [pseudonymisation key]",
        f"{reports / 'tables' / 'segments.csv'}:row 3, column c0: name: B*** M***",
        f"{reports / 'tables' / 'segments.csv'}:row 3, column c2: nik: 5202.****.****.0001",
        f"{reports / 'tables' / 'segments.csv'}:row 3, column c1: birth_date: **/**/19**",
    ]
    assert "4 findings (key 1, name 1, nik 1, birth_date 1) in 2 of 2 files" in captured.err
    for secret in (KEY, "Budi", "0141", "16/02"):
        assert secret not in captured.out + captured.err


def test_cli_missing_path_exits_2(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err


def test_findings_print_as_path_location_kind_excerpt():
    finding = Finding("r/index.html", "12", "nik", "5202********0001")
    assert str(finding) == "r/index.html:12: nik: 5202********0001"
    assert json.dumps(finding.__dict__)  # plain fields, for the runner's manifest


# --------------------------------------------------------------------------- in a worker


def test_a_staged_report_is_audited_as_published(tmp_path, registry):
    """A batch worker audits a report's staging folder: the findings name the published
    path, each file read is listed with its checksum, and a skipped file is neither read
    nor listed (the report page, whose links change once it is published)."""
    from helpers.paths import file_sha256

    staging = tmp_path / ".staging" / "2024-52.02-id"
    (staging / "tables").mkdir(parents=True)
    (staging / "tables" / "budget.csv").write_text(f"segmen,nik\nPBI,{NIK}\n", encoding="utf-8")
    (staging / "indicators.csv").write_text("indicator_id,value\nx,1\n", encoding="utf-8")
    (staging / "index.html").write_text("<p>Budi Mustafa</p>", encoding="utf-8")
    published = tmp_path / "2024" / "52.02"

    findings, audited = audit.audit_files(
        staging, registries=[registry], shown_as=published,
        skip=lambda file: file.name == "index.html")

    assert [(f.path, f.kind, f.excerpt) for f in findings] == [
        (str(published / "tables" / "budget.csv"), "nik", "5202********0001")]
    assert audited == {"indicators.csv": file_sha256(staging / "indicators.csv"),
                       "tables/budget.csv": file_sha256(staging / "tables" / "budget.csv")}
