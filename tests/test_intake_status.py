"""Real exports (issue 18): status-only and snapshot registries, value vocabularies, no column
ignored in silence."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import cli
from helpers.data import intake, registry_shape, snapshots, vocabularies
from helpers.errors import InputFileError, ParameterError, SchemaError

KEY = "test-key-intake-status-0123456789abcdef"
NTB = {"52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"}

#: A JKN member list as a regional office receives it: Indonesian headers, ';', dd/mm/yyyy,
#: Laki-laki / Perempuan, PBI APBN, Kelas III, 5202 / 520201, a status and no paid_through.
JKN_EXPORT = """\
NIK;Nama Peserta;Tgl Lahir;Jenis Kelamin;Kode Kab/Kota;Kode Kecamatan;Jenis Peserta;Kelas;TMT;Status Peserta;No HP
5202010101900001;Ahmad Fauzi;01/01/1990;Laki-laki;5202;520201;PBI APBN;Kelas III;01/01/2020;AKTIF;081234567890
5202024505850002;Siti Aminah;05/05/1985;Perempuan;5202;520202;PBI APBN;Kelas III;15/06/2021;NON AKTIF;081298765432
5202031212700003;Lalu Muhammad;12/12/1970;Laki-laki;5202;520203;PBPU;Kelas III;01/03/2019;AKTIF;081211112222
"""


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


def load(path: Path, **kwargs):
    return intake.load_registry(path, "jkn", known_region_codes=NTB, cache=False, **kwargs)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- status-only registries


def test_status_only_export_is_a_snapshot_at_the_date_of_its_name(tmp_path):
    result = load(write(tmp_path, "jkn_2024-06-30.csv", JKN_EXPORT))
    summary = result.summary
    assert (summary.rows_read, summary.rows_accepted, summary.rows_rejected) == (3, 3, 0)
    assert summary.active_basis == "status"
    assert summary.snapshot is True
    assert (summary.extract_date, summary.extract_date_source) == ("2024-06-30", "file name")
    rows = result.table.to_pandas().sort_values("start_date", ignore_index=True)
    expected = pd.DataFrame({
        "segment": ["PBPU", "PBI_APBN", "PBI_APBN"], "care_class": [3, 3, 3],
        "status": ["active", "active", "inactive"], "active_basis": ["status"] * 3,
        "extract_date": [dt.date(2024, 6, 30)] * 3})
    result_frame = rows[list(expected.columns)].astype({"care_class": "int64"})
    result_frame["extract_date"] = pd.to_datetime(result_frame["extract_date"]).dt.date
    pd.testing.assert_frame_equal(result_frame, expected)


def test_a_status_without_paid_through_and_without_extract_date_is_refused(tmp_path):
    path = write(tmp_path, "jkn_export.csv", JKN_EXPORT)
    with pytest.raises(SchemaError, match=r"column 'Status Peserta': has a status column but "
                                          r"no paid_through and no extract date.*--extract-date"):
        load(path)


def test_the_cli_refuses_it_in_one_line_and_takes_extract_date(tmp_path, capsys):
    path = write(tmp_path, "jkn_export.csv", JKN_EXPORT)
    ledger = tmp_path / "out.csv"
    code = cli.main(["validate", str(path), "--registry", "jkn", "--ledger", str(ledger)])
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1
    assert "jkn_export.csv" in error and "Status Peserta" in error and "--extract-date" in error
    code = cli.main(["validate", str(path), "--registry", "jkn", "--ledger", str(ledger),
                     "--extract-date", "2024-06-30"])
    out = capsys.readouterr().out
    assert code == 0
    assert "active means status AKTIF at the extract date 2024-06-30 (column 'Status Peserta')" \
        in out
    assert "Columns not used: 'No HP'." in out


@pytest.mark.parametrize(("title", "expected"), [
    ("Data Peserta JKN per 30/06/2024", dt.date(2024, 6, 30)),
    ("Posisi: 30 Juni 2024", dt.date(2024, 6, 30)),
    ("Tanggal data 2024-05-31", dt.date(2024, 5, 31)),
    ("Daftar peserta Kabupaten Lombok Tengah", None),  # no date word with a date
])
def test_a_title_row_gives_the_extract_date(title, expected):
    assert registry_shape.date_in_title_rows([title]) == expected


def test_title_row_date_is_used_and_a_disagreeing_name_is_refused(tmp_path):
    text = "Data Peserta JKN per 31/05/2024\n" + JKN_EXPORT
    result = load(write(tmp_path, "peserta.csv", text))
    assert (result.summary.extract_date, result.summary.extract_date_source) == \
        ("2024-05-31", "title row")
    with pytest.raises(SchemaError, match=r"extract date is ambiguous: the title row says "
                                          r"2024-05-31, the file name says 2024-06-30"):
        load(write(tmp_path, "jkn_2024-06-30.csv", text))
    # the parameter decides
    given = load(tmp_path / "jkn_2024-06-30.csv", extract_date="2024-06-30")
    assert given.summary.extract_date_source == "parameter"


def test_parquet_metadata_gives_the_extract_date(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(JKN_EXPORT), sep=";", dtype=str)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({"extract_date": "2024-06-30"})
    pq.write_table(table, tmp_path / "peserta.parquet")
    result = load(tmp_path / "peserta.parquet")
    assert (result.summary.extract_date, result.summary.extract_date_source) == \
        ("2024-06-30", "parquet metadata")


def test_a_bad_extract_date_parameter_is_one_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="not a day written YYYY-MM-DD"):
        load(write(tmp_path, "jkn_export.csv", JKN_EXPORT), extract_date="30/06/2024")


def test_paid_through_decides_active_when_both_are_present(tmp_path):
    text = JKN_EXPORT.replace("Status Peserta;", "Status Peserta;Iuran s/d;")
    lines = text.splitlines()
    lines[1:] = [line.replace(";AKTIF;", ";AKTIF;30/06/2024;").replace(
        ";NON AKTIF;", ";NON AKTIF;31/01/2024;") for line in lines[1:]]
    result = load(write(tmp_path, "jkn_2024-06-30.csv", "\n".join(lines) + "\n"))
    assert result.summary.active_basis == "paid_through"
    assert result.summary.snapshot is False  # a history: the name's date does not restrict it
    assert any("is read but not used for 'active'" in note
               for note in result.summary.quality_notes())


# ---------------------------------------------------------------- nothing ignored in silence


def test_every_unused_and_every_missing_column_is_named_with_its_cost(tmp_path):
    result = load(write(tmp_path, "jkn_2024-06-30.csv", JKN_EXPORT))
    summary = result.summary
    assert summary.ignored_columns == ["No HP"]
    assert summary.missing_columns == ["paid_through"]
    notes = summary.quality_notes("en")
    assert "Columns not used: 'No HP'." in notes
    assert any("budgets of paid months cannot be computed" in note for note in notes)
    assert any("Kolom yang tidak dipakai: 'No HP'." == note
               for note in summary.quality_notes("id"))


def test_no_paid_through_and_no_status_says_active_rates_cannot_be_computed(tmp_path):
    text = "\n".join(";".join(line.split(";")[:9]) for line in JKN_EXPORT.splitlines()) + "\n"
    result = load(write(tmp_path, "jkn.csv", text))
    assert result.summary.active_basis == "none"
    rendered = result.summary.render()
    assert "No paid_through and no status: active rates cannot be computed" in rendered
    assert "Not found: end_date" in rendered


def test_a_header_that_looks_like_data_is_named_by_position(tmp_path):
    text = JKN_EXPORT.replace(";No HP\n", ";5202010101900099\n", 1)
    result = load(write(tmp_path, "jkn_2024-06-30.csv", text))
    notes = " ".join(result.summary.quality_notes())
    assert "5202010101900099" not in notes
    assert "Columns not used: column 11." in notes


# ---------------------------------------------------------------- value vocabularies


@pytest.mark.parametrize(("field", "registry", "raw", "code"), [
    ("status", "jkn", "AKTIF", "active"),
    ("status", "jkn", "Non-Aktif", "inactive"),
    ("status", "jkn", "TIDAK AKTIF", "inactive"),
    ("status", "jkn", "Penangguhan", "suspended"),
    ("status", "jamsostek", "MENINGGAL DUNIA", "deceased"),
    ("status", "jamsostek", "keluar", "left"),
    ("sex", "jkn", "Laki-laki", "L"),
    ("sex", "jkn", "PEREMPUAN", "P"),
    ("segment", "jkn", "PBI APBN", "PBI_APBN"),
    ("segment", "jkn", "PBI (APBD)", "PBPU_PEMDA"),
    ("segment", "jkn", "Pekerja Penerima Upah", "PPU"),
    ("segment", "jamsostek", "Pekerja Penerima Upah", "PU"),
    ("care_class", "jkn", "Kelas III", "3"),
    ("care_class", "jkn", "3.0", "3"),
    ("funding_source", "jamsostek", "DBH CHT", "dbhcht"),
    ("occupation", "jamsostek", "Petani Tembakau", "tobacco_farmer"),
    ("occupation", "jamsostek", "non asn staff", "non_asn_staff"),
    ("status", "jkn", "0", None),  # VClaim's kode 0 is AKTIF, elsewhere 0 means no: refused
])
def test_vocabulary_maps_real_spellings_to_codes(field, registry, raw, code):
    assert vocabularies.normalise_value(field, registry, raw) == code


def test_every_vocabulary_row_has_a_source_and_an_allowed_code():
    path = Path(vocabularies.__file__).with_name(vocabularies.VOCABULARY_FILE)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row["source"].strip() for row in rows)
    assert {row["field"] for row in rows} == set(vocabularies.FIELDS)
    vocabularies.load_vocabulary()  # raises on a code its field does not allow


def test_an_unknown_status_is_ledgered_by_kind_never_by_value(tmp_path):
    text = JKN_EXPORT.replace("NON AKTIF", "Siti Aminah")  # a name in the status column
    result = load(write(tmp_path, "jkn_2024-06-30.csv", text), max_rejected_share=1)
    ledger = result.ledger
    assert ledger[["row_number", "reason", "column"]].values.tolist() == \
        [[3, "invalid_value", "status"]]
    assert "Siti" not in ledger["detail"].iloc[0]
    assert ledger["detail"].iloc[0].startswith("text of 11 characters is not a membership status")
    assert result.summary.invalid_values == {"status": 1}
    assert result.summary.rows_read == result.summary.rows_accepted + result.summary.rows_rejected


# ---------------------------------------------------------------- folders of snapshots


def snapshot_folder(folder: Path) -> Path:
    """Three dated JKN snapshots with a status column and no paid_through."""
    people = {
        "2024-04-30": [("5202010101900001", "AKTIF"), ("5202024505850002", "AKTIF")],
        "2024-05-31": [("5202010101900001", "AKTIF"), ("5202024505850002", "NON AKTIF"),
                       ("5202031212700003", "AKTIF")],
        "2024-06-30": [("5202010101900001", "AKTIF"), ("5202024505850002", "MENINGGAL"),
                       ("5202031212700003", "AKTIF"), ("5202034404000004", "PENANGGUHAN")],
    }
    folder.mkdir(exist_ok=True)
    for day, rows in people.items():
        lines = ["NIK;Jenis Kelamin;Kode Kab/Kota;Jenis Peserta;Kelas;Status Peserta"]
        lines += [f"{nik};L;5202;PBI APBN;Kelas III;{status}" for nik, status in rows]
        write(folder, f"jkn_{day}.csv", "\n".join(lines) + "\n")
    write(folder, "README.txt", "not a snapshot\n")
    return folder


def test_a_folder_of_snapshots_is_one_registry(tmp_path):
    result = snapshots.load_snapshots(snapshot_folder(tmp_path / "jkn"), "jkn",
                                      known_region_codes=NTB, cache=False)
    summary = result.summary
    assert [item["extract_date"] for item in summary.snapshots] == \
        ["2024-04-30", "2024-05-31", "2024-06-30"]
    assert (summary.rows_read, summary.rows_accepted, summary.rows_rejected) == (9, 9, 0)
    assert summary.missing_columns[:1] == ["birth_date"] and "start_date" in summary.missing_columns
    assert "3 snapshots (2024-04-30, 2024-05-31, 2024-06-30)" in summary.render()
    assert list(result.ledger.columns) == ["file", "row_number", "reason", "column", "detail"]


def test_snapshot_folders_are_checked(tmp_path):
    with pytest.raises(InputFileError, match="holds no snapshot of the jkn registry"):
        snapshots.find_snapshots(tmp_path, "jkn")
    write(tmp_path, "jkn_2024-06-30.csv", "x\n")
    write(tmp_path, "jkn_20240630.csv", "x\n")
    with pytest.raises(InputFileError, match="two snapshots of 2024-06-30"):
        snapshots.find_snapshots(tmp_path, "jkn")


def test_validate_reads_a_folder_of_snapshots(tmp_path, capsys):
    folder = snapshot_folder(tmp_path / "jkn")
    code = cli.main(["validate", str(folder), "--registry", "jkn",
                     "--ledger", str(tmp_path / "ledger.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "jkn_2024-05-31.csv: 2024-05-31, 3 read, 3 accepted, 0 rejected" in out
    assert "active means status AKTIF at each snapshot's date" in out
