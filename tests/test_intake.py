"""Registry intake: rules on rows written in the test, aliases, cache, CLI, properties."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import cli
from helpers.data import column_aliases, intake, ledger, pseudonym, schema, validation_sql
from helpers.errors import InputFileError, ParameterError, SchemaError, ValidationError

KEY = "test-key-intake-0123456789abcdef-0123"
NTB = {"52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"}
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", KEY)
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


def jkn_rows(**columns) -> pd.DataFrame:
    """Two valid JKN spells in canonical form; keyword arguments replace whole columns."""
    frame = pd.DataFrame({
        "nik": ["5202010101900001", "5202024505850002"],
        "full_name": ["Ahmad Fauzi", "Siti Aminah"],
        "birth_date": ["1990-01-01", "1985-05-05"],
        "sex": ["L", "P"],
        "region_code": ["52.02", "52.02"],
        "district_code": ["52.02.01", "52.02.02"],
        "segment": ["PBI_APBN", "PBPU_PEMDA"],
        "care_class": [3, 3],
        "start_date": ["2020-01-01", "2021-06-15"],
        "end_date": [None, None],
        "paid_through": ["2024-12-31", "2024-12-31"],
    })
    for name, values in columns.items():
        frame[name] = values
    return frame


def load(frame: pd.DataFrame, registry: str = "jkn", **kwargs) -> ledger.IntakeResult:
    return intake.load_frame(frame, registry, known_region_codes=NTB, **kwargs)


# ---------------------------------------------------------------- the accepted table


def test_accepted_table_is_pseudonymised_and_typed():
    result = load(jkn_rows())
    table = result.table
    assert isinstance(table, ibis.Table)
    assert list(table.columns) == validation_sql.output_columns("jkn")
    assert not {"nik", "full_name", "birth_date"} & set(table.columns)
    assert table.schema()["birth_year"] == ibis.dtype("int16")
    assert table.schema()["care_class"] == ibis.dtype("int8")
    assert table.schema()["start_date"] == ibis.dtype("date")
    rows = table.to_pandas().sort_values("person_id", ignore_index=True)
    expected_ids = sorted(pseudonym.person_id(n, KEY)
                          for n in ["5202010101900001", "5202024505850002"])
    assert rows["person_id"].tolist() == expected_ids
    assert result.summary.rows_accepted == 2 and result.ledger.empty


def test_jamsostek_defaults_and_derived_columns():
    frame = pd.DataFrame({
        "nik": ["5202010101900001", "5202024505850002", "5202034505050003"],
        "full_name": ["A", "B", "C"],
        "birth_date": ["1990-01-01", "1985-05-05", None],
        "sex": ["l", "Perempuan", "P"],
        "region_code": ["5202", "52.02", "52.02"],
        "district_code": ["520201", None, "52.02.03"],
        "segment": ["PU", "bpu", "PMI"],
        "occupation": [None, "tobacco farmer", "other"],
        "funding_source": [None, "DBHCHT", None],
        "wage_rp": ["Rp2.500.000", "1,000,000", "16800.0"],
        "risk_class": ["1", None, "5.0"],
        "programmes": ["jkk; jkm", "JKK,JKM", None],
        "start_date": [dt.date(2023, 1, 1), "01/03/2023", "45292"],
        "end_date": [None, None, "2024-01-01"],
        "paid_through": [None, "31.12.2024", None],
    })
    result = intake.load_frame(frame, "jamsostek", known_region_codes=NTB)
    columns = ["birth_year", "sex", "region_code", "district_code", "segment", "occupation",
               "funding_source", "wage_rp", "risk_class", "programmes", "start_date",
               "end_date", "paid_through"]
    records = sorted(result.table.select(columns).to_pyarrow().to_pylist(),
                     key=lambda record: record["birth_year"])
    expected = [
        {"birth_year": 1985, "sex": "P", "region_code": "52.02", "district_code": None, "segment": "BPU",
             "occupation": "tobacco_farmer", "funding_source": "dbhcht", "wage_rp": 1_000_000,
             "risk_class": None, "programmes": "JKK;JKM", "start_date": dt.date(2023, 3, 1),
             "end_date": None, "paid_through": dt.date(2024, 12, 31)},
        {"birth_year": 1990, "sex": "L", "region_code": "52.02", "district_code": "52.02.01",
             "segment": "PU", "occupation": "other", "funding_source": "employer", "wage_rp": 2_500_000,
             "risk_class": 1, "programmes": "JKK;JKM", "start_date": dt.date(2023, 1, 1),
             "end_date": None, "paid_through": None},
        # birth_date empty: year 2005 from the NIK; Excel serial 45292 = 2024-01-01.
        {"birth_year": 2005, "sex": "P", "region_code": "52.02", "district_code": "52.02.03",
             "segment": "PMI", "occupation": "other", "funding_source": "self", "wage_rp": 16_800,
             "risk_class": 5, "programmes": None, "start_date": dt.date(2024, 1, 1),
             "end_date": dt.date(2024, 1, 1), "paid_through": None},
    ]
    assert records == expected


def test_birth_year_from_nik_when_birth_date_is_empty():
    # NIK birth date 01-01-05: 2005 when the spell starts later, 1905 never wins over 2005.
    frame = jkn_rows(nik=["5202010101050001", "5202010101950002"], birth_date=[None, None])
    years = sorted(load(frame).table.birth_year.to_pandas().tolist())
    assert years == [1995, 2005]


def test_end_equal_start_is_a_zero_length_spell():
    result = load(jkn_rows(end_date=["2020-01-01", "2021-06-14"]))
    assert result.summary.rejected_by_reason == {"end_before_start": 1}
    assert result.ledger.loc[0, "row_number"] == 2


# ---------------------------------------------------------------- reasons and precedence


@pytest.mark.parametrize("columns, reason, column", [
    ({"sex": [None, "P"], "nik": ["123", "5202024505850002"]}, "missing_value", "sex"),
    ({"nik": ["123", "5202024505850002"], "segment": ["XX", "PBPU"]}, "invalid_nik", "nik"),
    ({"segment": ["PU", "PBPU"]}, "invalid_value", "segment"),
    ({"care_class": [4, 3]}, "invalid_value", "care_class"),
    ({"start_date": ["00/00/0000", "2020-01-01"]}, "unparseable_date", "start_date"),
    ({"start_date": ["1899-12-31", "2020-01-01"]}, "unparseable_date", "start_date"),
    ({"paid_through": ["unknown", "2024-12-31"]}, "unparseable_date", "paid_through"),
    ({"end_date": ["2019-12-31", None], "region_code": ["53.01", "52.02"]},
     "end_before_start", "end_date"),
    ({"region_code": ["52.99", "52.02"]}, "unknown_region", "region_code"),
    ({"district_code": ["52.03.01", "52.02.02"]}, "unknown_region", "district_code"),
])
def test_first_applicable_reason_wins(columns, reason, column):
    result = load(jkn_rows(**columns))
    expected = pd.DataFrame({"row_number": [1], "reason": [reason], "column": [column]})
    pd.testing.assert_frame_equal(result.ledger[["row_number", "reason", "column"]],
                                  expected, check_dtype=False)
    assert result.summary.rows_accepted == 1


def test_wage_rules():
    frame = pd.DataFrame({
        "nik": [f"520201010190{n:04d}" for n in range(1, 6)],
        "sex": ["L"] * 5, "region_code": ["52.02"] * 5, "segment": ["BPU"] * 5,
        "start_date": ["2024-01-01"] * 5,
        "wage_rp": ["-1", "Rp1.000.000.001", "1.000.000.000", "12,5", "Rp"],
    })
    result = intake.load_frame(frame, "jamsostek", known_region_codes=NTB)
    assert result.ledger["row_number"].tolist() == [1, 2, 5]
    assert set(result.ledger["reason"]) == {"invalid_wage"}
    assert sorted(result.table.wage_rp.to_pandas().tolist()) == [13, 1_000_000_000]  # 12,5 rounds half away from zero


def test_duplicates_collapse_to_the_first_copy():
    frame = pd.concat([jkn_rows(), jkn_rows().iloc[[0]], jkn_rows().iloc[[0]]])
    result = load(frame)
    assert result.summary.duplicates_collapsed == 2
    assert result.ledger["row_number"].tolist() == [3, 4]
    assert result.ledger["detail"].tolist() == ["exact copy of row 1 (collapsed)"] * 2


def test_prefix_mismatch_is_counted_not_rejected():
    result = load(jkn_rows(region_code=["52.71", "52.02"], district_code=[None, None]))
    assert result.summary.prefix_mismatches == 1
    assert result.summary.rows_accepted == 2


def test_niks_with_separators_are_counted():
    result = load(jkn_rows(nik=["5202 0101 0190 0001", "5202.0245.0585.0002"]))
    assert result.summary.niks_normalised == 2
    assert result.summary.rows_accepted == 2


def test_ledger_never_shows_nik_name_or_birth_date():
    frame = pd.concat([jkn_rows(), jkn_rows(nik=["52020101019000", "5202024505850002"],
                                            birth_date=["1990-01-01", "1985-02-31"])])
    result = load(frame)
    text = result.ledger.to_csv()
    assert "52020101019000" not in text and "1985-02-31" not in text
    assert "Ahmad" not in text and len(result.ledger) == 2


def test_unusable_registry_raises_with_result():
    with pytest.raises(ValidationError, match="every row was rejected") as raised:
        load(jkn_rows(nik=["1", "2"]))
    assert raised.value.result.summary.rows_rejected == 2


def test_unknown_registry_and_bad_share():
    with pytest.raises(ParameterError, match="unknown registry"):
        load(jkn_rows(), registry="bpjs")
    with pytest.raises(ParameterError, match="0-1"):
        load(jkn_rows(), max_rejected_share=5)


# ---------------------------------------------------------------- aliases


def test_user_aliases_from_argument_file_and_environment(tmp_path, monkeypatch):
    frame = jkn_rows().rename(columns={"nik": "No. Identitas", "segment": "Golongan"})
    with pytest.raises(SchemaError, match="required column 'nik'"):
        load(frame)
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,column,registry\nNo. Identitas,nik,\nGolongan,segment,jkn\n")
    assert load(frame, aliases=aliases).summary.rows_accepted == 2
    monkeypatch.setenv("CAKUPAN_ALIASES", str(aliases))
    result = load(frame)
    assert result.summary.column_map["nik"] == "No. Identitas"
    assert load(frame.rename(columns={"No. Identitas": "ID"}),
                aliases={"ID": "nik"}).summary.rows_accepted == 2


def test_bad_alias_file_names_row_and_column(tmp_path):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,column\nNomor,nomor_induk\n")
    with pytest.raises(SchemaError, match=r"row 2, column 'column': 'nomor_induk' is not"):
        load(jkn_rows(), aliases=aliases)


def test_shipped_alias_table_names_only_canonical_columns():
    table = pd.read_csv(Path(intake.__file__).with_name("aliases.csv"), dtype=str)
    every = set(schema.input_column_names("jamsostek")) | set(schema.input_column_names("jkn"))
    assert set(table["column"]) <= every
    assert not table["alias"].map(column_aliases.header_key).duplicated().any()


# ---------------------------------------------------------------- files and cache


def test_parquet_typed_file_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CAKUPAN_HOME", str(tmp_path))
    path = CORPUS / "ok_typed.parquet"
    first = intake.load_registry(path, "jamsostek", known_region_codes=NTB)
    cached = sorted((tmp_path / "data" / "cache").glob("jamsostek-*.parquet"))
    assert len(cached) == 1
    assert pseudonym.key_fingerprint(KEY) in cached[0].name
    meta = json.loads(cached[0].with_suffix(".json").read_text())
    assert "5202" not in json.dumps(meta["ledger"]) and KEY not in json.dumps(meta)

    def fail(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(intake, "_run_intake", fail)
    second = intake.load_registry(path, "jamsostek", known_region_codes=NTB)
    assert second.summary.as_dict() == first.summary.as_dict()
    pd.testing.assert_frame_equal(second.ledger, first.ledger)
    assert second.table.count().execute() == first.table.count().execute() == 4
    with pytest.raises(AssertionError, match="cache was not used"):  # other settings
        intake.load_registry(path, "jamsostek", known_region_codes=NTB - {"52.71"})
    with pytest.raises(AssertionError, match="cache was not used"):  # other key
        intake.load_registry(path, "jamsostek", known_region_codes=NTB,
                              key="other-test-key-0123456789abcdef-0123")


def test_missing_file():
    with pytest.raises(InputFileError, match="file not found"):
        intake.load_registry(CORPUS / "nope.csv", "jkn", known_region_codes=NTB, cache=False)


# ---------------------------------------------------------------- CLI


def test_cli_validate_usable(tmp_path, capsys):
    ledger = tmp_path / "out" / "ledger.csv"
    code = cli.main(["validate", str(CORPUS / "duplicates_exact.csv"), "--registry",
                     "jamsostek", "--ledger", str(ledger)])
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"rows read\s+7", out) and re.search(r"rows accepted\s+5", out)
    assert re.search(r"duplicate_row\s+2", out) and str(ledger) in out
    written = pd.read_csv(ledger)
    assert list(written.columns) == ["row_number", "reason", "column", "detail"]
    assert written["row_number"].tolist() == [4, 8]


def test_cli_default_ledger_goes_to_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", str(CORPUS / "ok_semicolon.csv"), "--registry",
                     "jamsostek"]) == 0
    assert (tmp_path / "ok_semicolon.ledger.csv").exists()


@pytest.mark.parametrize("name, args, message", [
    ("many_rows_rejected.csv", [], "above the limit of 5.0%"),
    ("many_rows_rejected.csv", ["--max-rejected", "0.1"], "above the limit of 10.0%"),
    ("missing_nik_column.csv", [], "required column 'nik' is missing"),
    ("empty.csv", [], "file is empty"),
    ("nope.csv", [], "file not found"),
    ("ok_semicolon.csv", ["--delimiter", ","], "--delimiter ';'"),
    ("ok_semicolon.csv", ["--max-rejected", "2"], "--max-rejected must lie in 0-1"),
])
def test_cli_validate_unusable_prints_one_line(tmp_path, capsys, name, args, message):
    ledger = tmp_path / "ledger.csv"
    code = cli.main(["validate", str(CORPUS / name), "--registry", "jamsostek",
                     "--ledger", str(ledger), *args])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_cli_writes_ledger_even_when_unusable(tmp_path, capsys):
    ledger = tmp_path / "ledger.csv"
    code = cli.main(["validate", str(CORPUS / "all_rows_rejected.csv"), "--registry",
                     "jamsostek", "--ledger", str(ledger)])
    assert code != 0 and len(pd.read_csv(ledger)) == 5
    assert "every row was rejected" in capsys.readouterr().err


def test_summary_renders_in_both_languages():
    summary = load(jkn_rows()).summary
    assert "rows read" in summary.render("en")
    assert "baris dibaca" in summary.render("id")
    assert json.loads(json.dumps(summary.as_dict()))["rows_read"] == 2


# ---------------------------------------------------------------- properties

_values = {
    "nik": st.one_of(st.sampled_from(["5202010101900001", "5202014101900002", "5202 0101 0190 0003",
                                      "520201010190", "0000000000000000", "", None]),
                     st.text(max_size=18)),
    "sex": st.sampled_from(["L", "P", "p", "Laki-laki", "X", "", None]),
    "region_code": st.sampled_from(["52.02", "5271", "52.99", "Praya", None]),
    "district_code": st.sampled_from(["52.02.01", "520201", "52.03.01", "x", None]),
    "segment": st.sampled_from(["PBI_APBN", "PBPU", "pbpu pemda", "PU", "", None]),
    "care_class": st.sampled_from(["1", "III", "Kelas 2", "4", "", None]),
    "start_date": st.sampled_from(["2024-01-01", "31/12/2023", "45292", "2024-02-30",
                                   "31/02/2024", "00/00/0000", "unknown", None]),
    "end_date": st.sampled_from(["2023-12-31", "2024-01-01", "2024-06-30", None, None]),
    "paid_through": st.one_of(st.sampled_from(["2024-12-31", None]), st.text(max_size=10)),
    "birth_date": st.sampled_from(["1990-01-01", "41/01/1990", None]),
    "full_name": st.sampled_from(["A", "B", None]),
}
_rows = st.lists(st.fixed_dictionaries(_values), min_size=1, max_size=25)
_con = ibis.duckdb.connect()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows)
def test_rows_read_equal_accepted_plus_rejected(rows):
    frame = pd.DataFrame(rows, columns=list(_values))
    try:
        result = intake.load_frame(frame, "jkn", con=_con, known_region_codes=NTB)
    except ValidationError as error:
        result = error.result
    summary = result.summary
    assert summary.rows_read == len(frame)
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
    assert len(result.ledger) == summary.rows_rejected
    assert result.ledger["row_number"].is_unique
    assert set(result.ledger["reason"]) <= set(ledger.REASONS)
    assert result.table.count().execute() == summary.rows_accepted
    accepted = set(range(1, len(frame) + 1)) - set(result.ledger["row_number"])
    for number in accepted:  # an accepted row has a valid NIK and its pseudonym
        from helpers.data import nik as nik_rules
        value = nik_rules.normalise_nik(frame.loc[number - 1, "nik"] or "")
        assert nik_rules.nik_problem(value) is None


# ---------------------------------------------------------------- the full NTB sample


def _check_against_manifest(folder: Path, manifest: dict, registry: str) -> None:
    entry = manifest["registries"][registry]
    result = intake.load_registry(folder / entry["file"], registry, cache=False)
    summary = result.summary
    assert summary.rows_read == entry["rows"]
    assert summary.rows_accepted == entry["valid_rows"]
    assert summary.rejected_by_reason == {k: v for k, v in entry["faults"].items() if v}
    assert summary.prefix_mismatches == entry["prefix_mismatches"]


@pytest.mark.parametrize("registry", schema.REGISTRIES)
def test_small_sample_reports_the_injected_faults(small_sample, registry):
    folder, manifest = small_sample
    _check_against_manifest(folder, manifest, registry)


@pytest.mark.slow
@pytest.mark.parametrize("registry", schema.REGISTRIES)
def test_full_sample_reports_the_injected_faults(full_sample, registry):
    folder, manifest = full_sample
    _check_against_manifest(folder, manifest, registry)


@pytest.mark.slow
def test_lombok_tengah_calibration_survives_intake(full_sample):
    from helpers.measures import indicators

    folder, manifest = full_sample
    calibration = manifest["calibration"]
    tk = intake.load_registry(folder / "jamsostek.parquet", "jamsostek", cache=False).table
    region = [calibration["region_code"]]
    at = dt.date.fromisoformat(manifest["calibration_date"])
    counts = indicators.jamsostek_counts(tk, indicators.Parameters(reference_date=at),
                                         region).iloc[0]
    for name in ("tk_nonasn_active", "tk_tobacco_farmers_active", "tk_fishers_active"):
        assert counts[name] == calibration[name], name
    later = dt.date.fromisoformat(manifest["as_of_date"])
    counts = indicators.jamsostek_counts(tk, indicators.Parameters(reference_date=later),
                                         region).iloc[0]
    assert counts["tk_tobacco_farmers_active"] == calibration["tk_tobacco_farmers_active_2025"]
