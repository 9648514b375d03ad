"""Unit tests of the intake's SQL shortcuts (issue 16.5): each gives the same result as the
plain rule it speeds up, on a few rows written here."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from helpers.data import intake, nik, validation_sql, vocabularies
from helpers.errors import InputFileError

KEY = "test-key-intake-sql-0123456789abcdef-0123"
NTB = {"52.02"}


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


#: Raw values: canonical codes (the shortcut), spellings the table maps, unknown values,
#: a number stored as text, blanks and NULL.
RAW_VALUES = ["L", "P", "Laki-laki", "perempuan", "l", "PBI_APBN", "PBI (APBN)", "PBPU PEMDA",
              "3", "3.0", "III", "Kelas 3", "AKTIF", "non aktif", "X", "", " ", None, "PU",
              "BPU", "fisher", "Nelayan", "employer", "self"]


@pytest.mark.parametrize("registry", ["jamsostek", "jkn"])
@pytest.mark.parametrize("field", vocabularies.FIELDS)
def test_value_key_known_sql_equals_value_key_sql(field, registry):
    con = duckdb.connect()
    con.execute("CREATE TABLE v (t VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?)", [[value] for value in RAW_VALUES])

    result = con.execute(
        f"SELECT t, {vocabularies.value_key_known_sql(field, registry, 't')} FROM v").fetchall()
    expected = con.execute(f"SELECT t, {vocabularies.value_key_sql('t')} FROM v").fetchall()

    assert result == expected


@pytest.mark.parametrize("value", ["5202010101900001", "5202 0101 0190 0001", "5202.0101.9000.01",
                                   "5202-010101-900001", "\u00a05202010101900001", "", None,
                                   "52020101019000O1", "5202\t010101900001"])
def test_sql_normalise_nik_equals_python(value):
    con = duckdb.connect()

    result = con.execute(f"SELECT {nik.sql_normalise_nik('v')} FROM (SELECT ?::VARCHAR AS v)",
                         [value]).fetchone()[0]
    expected = None if value is None else nik.normalise_nik(value)

    assert result == expected


def jkn_frame(niks: list[str]) -> pd.DataFrame:
    rows = len(niks)
    return pd.DataFrame({
        "nik": niks, "full_name": ["Ahmad Fauzi"] * rows, "birth_date": ["1990-01-01"] * rows,
        "sex": ["L"] * rows, "region_code": ["52.02"] * rows,
        "district_code": ["52.02.01"] * rows, "segment": ["PBI_APBN"] * rows,
        "care_class": [3] * rows, "start_date": ["2020-01-01"] * rows,
        "end_date": [None] * rows, "paid_through": ["2024-12-31"] * rows,
    })


@pytest.mark.parametrize(("value", "message"), [
    ("5.20201E+15", "scientific notation"),
    ("5,2e15", "scientific notation"),
    ("5202010101900001.0", "decimal number"),
    ("5202010101900001,00", "decimal number"),
])
def test_nik_written_as_number_is_refused(value, message):
    frame = jkn_frame(["5202010101900001", value])

    with pytest.raises(InputFileError, match=message):
        intake.load_frame(frame, "jkn", known_region_codes=NTB)


@pytest.mark.parametrize("value", ["5202.0101.9000.01", "5202-0101-9000-01", "E", "0E0", "1e5"])
def test_nik_with_dots_or_letters_is_not_a_number(value):
    frame = jkn_frame(["5202010101900001", value])

    result = intake.load_frame(frame, "jkn", known_region_codes=NTB)

    assert result.summary.rows_read == 2


def test_collapse_duplicates_marks_later_copies_of_accepted_rows_only():
    con = duckdb.connect()
    con.execute("""CREATE TABLE v AS SELECT * FROM (VALUES
        (1, NULL, NULL, NULL, 10::UHUGEINT),
        (2, NULL, NULL, NULL, 20::UHUGEINT),
        (3, NULL, NULL, NULL, 10::UHUGEINT),
        (4, 'invalid_nik', 'nik', 'x', 20::UHUGEINT),
        (5, NULL, NULL, NULL, 10::UHUGEINT),
        (6, NULL, NULL, NULL, 30::UHUGEINT)
    ) AS t(row_number, reason, "column", detail, duplicate_key)""")

    validation_sql.collapse_duplicates(con, "v")
    result = con.execute('SELECT row_number, reason, "column", detail FROM v '
                         "ORDER BY row_number").fetchall()

    expected = [
        (1, None, None, None),
        (2, None, None, None),
        (3, "duplicate_row", None, "exact copy of row 1 (collapsed)"),
        (4, "invalid_nik", "nik", "x"),
        (5, "duplicate_row", None, "exact copy of row 1 (collapsed)"),
        (6, None, None, None),
    ]
    assert result == expected
