"""Intake of damaged and hostile files: nothing lost, nothing leaked (issue 12).

Stray quotes in long files, pipes and devices, glob characters in names, the ledger
destination, the privacy and integrity of the intake cache, and the ledger's details.
The malformed files themselves live in tests/corpus (see test_intake_corpus.py).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import stat
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import cli, paths
from helpers.data import csv_records, intake, validation_sql
from helpers.errors import InputFileError, SchemaError

KEY = "test-key-intake-files-0123456789abcdef"
NTB = {"52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"}
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


def _corpus_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus_generator()


def _validate(capsys, *arguments: str) -> tuple[int, str, str]:
    code = cli.main(["validate", *map(str, arguments)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# ---------------------------------------------------------------- stray quotes, 2,000 rows


def _two_thousand_rows(delimiter: str) -> str:
    return corpus.csv_text(corpus.many_rows(2000, serial=lambda index: index % 9000 + 1),
                           delimiter=delimiter)


@pytest.mark.parametrize("delimiter, edits, message", [
    # A ';' file with no other quotes: csv.reader would read lines 1,234-2,001 as one value.
    (";", [(1234, ";Lalu", ';"Lalu')],
     ("row 1234, column 'Nama Lengkap': a quote opens this value on line 1,234 and never "
      "closes, so the remaining 767 lines")),
    # A comma file: the stray quote pairs with the quote of "JKK,JKM" on the same line.
    (",", [(57, ",01/01/1990,", ',"01/01/1990,')],
     ("row 57, column 'Tgl Lahir': a quote opens this value on line 57 and closes inside a "
      "later value on the same line")),
    # Two stray quotes 12 lines apart: 12 records would become one value.
    (";", [(100, ";Baiq", ';"Baiq'), (111, ";2500000;", ';2500000";')],
     "row 100, column 'Nama Lengkap': the quoted value opened on line 100 runs over 12 lines"),
])
def test_a_stray_quote_in_2000_rows_refuses_the_file_naming_its_line(tmp_path, capsys,
                                                                      delimiter, edits, message):
    text = _two_thousand_rows(delimiter)
    for line, old, new in edits:
        text = corpus.replace_line(text, line, old, new)
    path = tmp_path / "registry.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(InputFileError, match=re.escape(message)):
        intake.load_registry(path, "jamsostek", known_region_codes=NTB, cache=False)
    code, out, err = _validate(capsys, path, "--registry", "jamsostek",
                               "--ledger", tmp_path / "l.csv")
    assert code == 2 and out == "" and message in _one_line(err)
    assert "close the quote or remove it; export again" in err


def test_2000_rows_with_quoted_line_breaks_are_all_read(tmp_path):
    rows = [row + [f"Jl. Pejanggik No. {index},\nPraya"]
            for index, row in enumerate(corpus.many_rows(2000, serial=lambda i: i % 9000 + 1))]
    path = tmp_path / "registry.csv"
    path.write_text(corpus.csv_text(rows, header=corpus.HEADER + ["Alamat"], delimiter=","),
                    encoding="utf-8", newline="")
    result = intake.load_registry(path, "jamsostek", known_region_codes=NTB, cache=False)
    summary = result.summary
    assert summary.rows_read == 2000 == summary.rows_accepted + summary.rows_rejected
    assert summary.rows_accepted == 2000


_CSV_TEXT = st.text(alphabet=["a", "b", ",", '"', "\n", "\r", " "], max_size=60)


@given(_CSV_TEXT)
def test_the_line_scan_counts_records_like_the_csv_reader(text):
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=","))
    assert csv_records.scan_records(text, ",").records == len(rows)


def test_records_the_parser_and_the_scan_disagree_on_refuse_the_file(tmp_path, monkeypatch):
    path = tmp_path / "registry.csv"
    shutil.copy(CORPUS / "ok_semicolon.csv", path)
    real = csv_records.scan_records

    def one_more(text, delimiter):
        scan = real(text, delimiter)
        scan.records += 1
        return scan

    monkeypatch.setattr(csv_records, "scan_records", one_more)
    with pytest.raises(InputFileError, match="the CSV reader found 6 records but a "
                                             "line-by-line count finds 7"):
        intake.load_registry(path, "jamsostek", known_region_codes=NTB, cache=False)


def test_a_nul_byte_after_the_first_64_kib_is_refused_with_its_line(tmp_path):
    rows = corpus.many_rows(600, serial=lambda index: index + 1)
    text = corpus.csv_text(rows)
    assert len(text) > 70_000
    path = tmp_path / "registry.csv"
    path.write_text(corpus.replace_line(text, 588, "Siti", "Si\x00ti"), newline="")
    with pytest.raises(InputFileError, match=r"contains a NUL \(zero\) character on line 588"):
        intake.load_registry(path, "jamsostek", known_region_codes=NTB, cache=False)


# ---------------------------------------------------------------- what is not a file


def _in_thread(function, *arguments):
    """Run ``function`` in a daemon thread; fail (instead of hanging) after 20 s."""
    outcome = {}

    def run():
        outcome["value"] = function(*arguments)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the intake waited on a pipe or device"
    return outcome["value"]


def test_a_named_pipe_and_a_device_are_refused_without_waiting(tmp_path, capsys):
    fifo = tmp_path / "registry.csv"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/zero"), "a device")):
        code = _in_thread(cli.main, ["validate", str(path), "--registry", "jamsostek",
                                     "--ledger", str(tmp_path / "l.csv")])
        err = _one_line(capsys.readouterr().err)
        assert code == 2 and f"is {kind}, not a regular file" in err


def test_glob_characters_in_a_parquet_name_are_read_literally(tmp_path, monkeypatch):
    monkeypatch.setenv("CAKUPAN_HOME", str(tmp_path))
    table = pq.read_table(CORPUS / "glob_registry[1].parquet")
    path = tmp_path / "jkn[1]*.parquet"
    pq.write_table(table, path)
    for decoy in ("jkn1.parquet", "jkn1-old.parquet"):  # what the pattern would match
        pq.write_table(table.slice(0, 2), tmp_path / decoy)
    for cache in (False, True):
        result = intake.load_registry(path, "jamsostek", known_region_codes=NTB, cache=cache)
        assert result.summary.rows_read == 5 == result.table.count().execute()


def test_a_frame_with_numbers_as_nik_is_refused():
    frame = pd.DataFrame({"nik": [5202010101900001, 5202024505850002], "sex": ["L", "P"],
                          "region_code": ["52.02"] * 2, "segment": ["PU"] * 2,
                          "start_date": ["2024-01-01"] * 2})
    with pytest.raises(SchemaError, match=r"stored as numbers \(BIGINT\).*store NIK as text"):
        intake.load_frame(frame, "jamsostek", known_region_codes=NTB)


# ---------------------------------------------------------------- the ledger destination


def test_a_ledger_that_would_overwrite_an_input_is_refused(tmp_path, capsys, monkeypatch):
    registry = tmp_path / "registry.csv"
    shutil.copy(CORPUS / "ok_semicolon.csv", registry)
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,column\nNo KTP,nik\n")
    before = registry.read_bytes(), aliases.read_bytes()
    monkeypatch.chdir(tmp_path)
    for ledger in ("registry.csv", str(registry), "./sub/../registry.csv", str(aliases)):
        code, out, err = _validate(capsys, registry, "--registry", "jamsostek",
                                   "--aliases", aliases, "--ledger", ledger)
        assert code == 2 and out == ""
        assert "is an input file; writing the ledger would overwrite it" in _one_line(err)
    assert (registry.read_bytes(), aliases.read_bytes()) == before


@pytest.mark.parametrize("make_ledger, message", [
    (lambda folder: folder, "is a folder"),
    (lambda folder: Path("/dev/null"), "is not a regular file"),
])
def test_a_ledger_that_is_no_regular_file_is_refused(tmp_path, capsys, make_ledger, message):
    code, _, err = _validate(capsys, CORPUS / "ok_semicolon.csv", "--registry", "jamsostek",
                             "--ledger", make_ledger(tmp_path))
    assert code == 2 and message in _one_line(err)


def test_an_unwritable_ledger_gives_one_line(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = _validate(capsys, CORPUS / "ok_semicolon.csv", "--registry", "jamsostek",
                             "--ledger", blocker / "ledger.csv")
    assert code == 2 and "cannot write the ledger (Not a directory)" in _one_line(err)


def test_the_ledger_is_private(tmp_path, capsys):
    ledger = tmp_path / "new" / "ledger.csv"
    code, _, _ = _validate(capsys, CORPUS / "shifted_names_in_code_columns.csv",
                           "--registry", "jamsostek", "--max-rejected", "1", "--ledger", ledger)
    assert code == 0
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger.parent.stat().st_mode) == 0o700


# ---------------------------------------------------------------- the intake cache


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / "data" / "cache").iterdir())


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CAKUPAN_HOME", str(tmp_path))
    return tmp_path


def test_the_cache_is_private_and_holds_its_checksum_and_no_names(home):
    path = CORPUS / "shifted_names_in_code_columns.csv"
    intake.load_registry(path, "jamsostek", known_region_codes=NTB)
    folder = home / "data" / "cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = _cache_files(home)
    assert {file.suffix for file in files} == {".parquet", ".json", ".lock"}
    assert all(stat.S_IMODE(file.stat().st_mode) == 0o600 for file in files)
    meta_path = next(file for file in files if file.suffix == ".json")
    meta = json.loads(meta_path.read_text())
    assert meta["table_sha256"] == paths.file_sha256(meta_path.with_suffix(".parquet"))
    text = meta_path.read_text()
    for name in corpus.NAMES:
        assert name not in text
    assert not re.search(r"[0-9]{16}", json.dumps(meta["ledger"]))


def _corrupt_json(table: Path, meta: Path) -> None:
    meta.write_text(meta.read_text()[:40])


def _truncate_table(table: Path, meta: Path) -> None:
    table.write_bytes(table.read_bytes()[:100])


def _flip_a_byte(table: Path, meta: Path) -> None:
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))


def _delete_json(table: Path, meta: Path) -> None:
    meta.unlink()


def _json_without_checksum(table: Path, meta: Path) -> None:
    content = json.loads(meta.read_text())
    del content["table_sha256"]
    meta.write_text(json.dumps(content))


@pytest.mark.parametrize("damage, why", [
    (_corrupt_json, "its summary file is not readable JSON"),
    (_truncate_table, "does not match its SHA-256 checksum"),
    (_flip_a_byte, "does not match its SHA-256 checksum"),
    (_delete_json, "its summary file is missing"),
    (_json_without_checksum, "does not match its SHA-256 checksum"),
])
def test_a_damaged_cache_entry_is_discarded_and_rebuilt(home, capsys, damage, why):
    path = CORPUS / "ok_typed.parquet"
    first = intake.load_registry(path, "jamsostek", known_region_codes=NTB)
    table = next(file for file in _cache_files(home) if file.suffix == ".parquet")
    damage(table, table.with_suffix(".json"))
    capsys.readouterr()
    again = intake.load_registry(path, "jamsostek", known_region_codes=NTB)
    err = capsys.readouterr().err
    assert err.startswith("cakupan: discarded a damaged intake cache entry ")
    assert why in err and err.endswith("; rebuilding\n") and err.count("\n") == 1
    assert again.summary.as_dict() == first.summary.as_dict()
    assert again.table.count().execute() == 4
    meta = json.loads(table.with_suffix(".json").read_text())
    assert meta["table_sha256"] == paths.file_sha256(table)
    intake.load_registry(path, "jamsostek", known_region_codes=NTB)  # now a clean hit
    assert capsys.readouterr().err == ""


def test_entries_of_an_older_file_version_or_older_code_are_pruned(home):
    registry = home / "registry.csv"
    shutil.copy(CORPUS / "ok_semicolon.csv", registry)
    intake.load_registry(registry, "jamsostek", known_region_codes=NTB)
    other = home / "other.csv"
    shutil.copy(CORPUS / "ok_comma_bom.csv", other)
    intake.load_registry(other, "jamsostek", known_region_codes=NTB)
    folder = home / "data" / "cache"
    old_code = folder / "jkn-0123456789abcdef-00000000.json"
    old_code.write_text(json.dumps({"settings": {"intake_version": "0", "intake_code": "x",
                                                 "registry": "jkn"}, "source": "/elsewhere"}))
    (folder / "jkn-0123456789abcdef-00000000.parquet").write_bytes(b"PAR1")
    stems_before = {file.stem for file in folder.glob("*.json")}
    assert len(stems_before) == 3

    registry.write_text(registry.read_text(encoding="utf-8").replace("Rp16.800", "Rp17.000"),
                        encoding="utf-8")  # a new version of the same file
    intake.load_registry(registry, "jamsostek", known_region_codes=NTB)
    stems_after = {file.stem for file in folder.glob("*.json")}
    sources = {json.loads((folder / f"{stem}.json").read_text())["source"]
               for stem in stems_after}
    assert sources == {str(registry.resolve()), str(other.resolve())}
    assert len(stems_after) == 2 and old_code.stem not in stems_after
    assert {file.stem for file in folder.glob("*.parquet")} == stems_after


# ---------------------------------------------------------------- ledger details


@pytest.mark.parametrize("value, shown", [
    ("X", "'X'"),
    ("53.01", "'53.01'"),
    ("5301", "'5301'"),
    ("4", "'4'"),
    ("Kelas 4", "'Kelas 4'"),
    ("JKK;JKX", "'JKK;JKX'"),
    ("PBI_APBNX", "'PBI_APBNX'"),
    ("ASN", "text of 3 characters"),
    ("AHMAD", "text of 5 characters"),
    ("Ahmad Fauzi", "text of 11 characters"),
    ("Lalu Muhammad", "text of 13 characters"),
    ("5202010101900001", "a 16-digit number"),
    ("32874", "a 5-digit number"),            # an Excel date serial (1990-01-01)
    ("1990-01-01", "text of 10 characters"),  # a date
    ("01.01.90", "text of 8 characters"),
    ("Rp2.500.000,00", "text of 14 characters"),
    ("José", "text of 4 characters"),
])
def test_a_ledger_detail_quotes_only_short_codes(value, shown):
    result = duckdb.execute(f"SELECT {validation_sql._shown('v')} FROM (SELECT $v AS v)",
                            {"v": value}).fetchone()[0]
    assert result == shown


@pytest.mark.parametrize("checked, ending_zero, warned", [
    (19, 19, 0), (20, 6, 0), (20, 7, 7), (100, 30, 0), (100, 31, 31), (5000, 480, 0),
])
def test_the_excel_truncation_warning_needs_many_niks_ending_in_zero(checked, ending_zero,
                                                                     warned):
    assert intake._truncation_warning(checked, ending_zero) == warned


def test_validate_prints_the_truncation_warning(capsys, tmp_path):
    code, out, _ = _validate(capsys, CORPUS / "nik_excel_cut_to_15_digits.csv", "--registry",
                             "jamsostek", "--ledger", tmp_path / "l.csv")
    assert code == 0
    assert re.search(r"warning: NIKs ending 0\s+25\s+\(far more than 1 in 10", out)


_VALUES = st.text(alphabet=["a", "b", " ", ",", ";", '"'], max_size=8)


@given(st.lists(st.lists(_VALUES, min_size=3, max_size=3), min_size=1, max_size=6),
       st.sampled_from([",", ";"]))
def test_values_quoted_by_a_csv_writer_never_look_like_a_stray_quote(rows, delimiter):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    scan = csv_records.scan_records(text, delimiter)
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert scan.records == len(parsed) and scan.quoted == []
    csv_records.check_quotes(scan, parsed, Path("registry.csv"), None, delimiter)


def test_audit_finds_nothing_in_ledger_and_cache_after_shifted_columns(tmp_path, monkeypatch,
                                                                       capsys):
    """Names and NIKs that land in code columns never reach the ledger or the cache."""
    from helpers import cli, paths
    from helpers.batch import audit

    registry = Path(__file__).parent / "corpus" / "shifted_names_in_code_columns.csv"
    cache = tmp_path / "cache"
    monkeypatch.setattr(paths, "cache_dir", lambda: cache)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    code = cli.main(["validate", str(registry), "--registry", "jamsostek", "--cache",
                     "--max-rejected", "1", "--ledger", str(outputs / "shifted.ledger.csv")])
    assert code == 0, capsys.readouterr().err
    ledger = (outputs / "shifted.ledger.csv").read_text(encoding="utf-8")
    assert "invalid_value" in ledger  # the shifted values were rejected ...
    assert sorted(p.suffix for p in cache.iterdir() if p.suffix != ".lock") == [
        ".json", ".parquet"]
    for path in cache.glob("*.json"):  # ... and the cache's ledger copy is scanned too
        (outputs / path.name).write_bytes(path.read_bytes())
    findings = audit.audit_path(outputs, registries=[registry])
    assert findings == []
    # the audit does see the names when they are there (it is not blind)
    (outputs / "planted.csv").write_text("group,detail\nx,Ahmad Fauzi\n", encoding="utf-8")
    assert [f.kind for f in audit.audit_path(outputs, registries=[registry])] == ["name"]
