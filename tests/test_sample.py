"""The synthetic registry generator: schema, determinism, NIK structure, faults, calibration."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from helpers.data import nik, sample
from helpers.data.schema import column_names
from helpers.errors import ParameterError


@pytest.mark.parametrize("registry", ["jamsostek", "jkn"])
def test_schema_matches_the_registry_contract(small_sample, registry):
    folder, _ = small_sample
    schema = pq.read_schema(folder / f"{registry}.parquet")
    assert schema.names == column_names(registry)


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    first = sample.generate_sample(tmp_path / "a", scale=0.002, seed=7, region_codes=["52.05"])
    again = sample.generate_sample(tmp_path / "b", scale=0.002, seed=7, region_codes=["52.05"])
    other = sample.generate_sample(tmp_path / "c", scale=0.002, seed=8, region_codes=["52.05"])
    for registry in ("jamsostek", "jkn"):
        table_a = pq.read_table(tmp_path / "a" / f"{registry}.parquet")
        assert table_a.equals(pq.read_table(tmp_path / "b" / f"{registry}.parquet"))
        assert not table_a.equals(pq.read_table(tmp_path / "c" / f"{registry}.parquet"))
    assert first["registries"] == again["registries"]
    assert other["seed"] == 8


def test_valid_rows_have_structurally_valid_niks_matching_birth_date_and_sex(small_sample):
    folder, manifest = small_sample
    rows = duckdb.sql(
        f"select nik, birth_date, sex from '{folder}/jkn.parquet' "
        "where length(nik) = 16 using sample 3000 rows (reservoir, 1)").fetchall()
    invalid = [r for r in rows if not nik.is_valid_nik(r[0])]
    # Only injected invalid NIKs may fail: they are 0.1 % of rows.
    assert len(invalid) <= 0.01 * len(rows)
    for value, birth, sex in rows:
        if not nik.is_valid_nik(value):
            continue
        day = int(value[6:8])
        assert (day > 40) == (sex == "P")
        assert f"{value[10:12]}-{value[8:10]}-{day - 40 if day > 40 else day:02d}" == birth[2:]


def test_fault_counts_follow_the_documented_rates(small_sample):
    _, manifest = small_sample
    for info in manifest["registries"].values():
        for reason, rate in sample.FAULT_RATES.items():
            assert info["faults"][reason] == round(rate * info["valid_rows"])
        assert info["rows"] == info["valid_rows"] + sum(info["faults"].values())
        assert 0 < info["prefix_mismatches"] < 0.15 * info["valid_rows"]


def test_unknown_region_and_bad_scale_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="52.99"):
        sample.generate_sample(tmp_path, region_codes=["52.99"])
    with pytest.raises(ParameterError, match="scale"):
        sample.generate_sample(tmp_path, scale=2)


def test_cli_writes_both_registries(tmp_path, capsys):
    from helpers.cli import main

    assert main(["sample", "--out", str(tmp_path), "--scale", "0.001",
                 "--regions", "52.02"]) == 0
    assert (tmp_path / "jamsostek.parquet").exists() and (tmp_path / "jkn.parquet").exists()
    assert "injected faults" in capsys.readouterr().out


def test_benchmark_registry_is_written_in_chunks(tmp_path):
    result = sample.write_benchmark_registry(tmp_path / "big.parquet", 25_000, chunk_rows=10_000)
    metadata = pq.ParquetFile(tmp_path / "big.parquet").metadata
    assert result["rows"] == metadata.num_rows == 25_000
    assert metadata.num_row_groups == 3


CALIBRATION_SQL = """
with clean as (
    select distinct * from read_parquet('{path}')
    where region_code = '52.02' and length(nik) = 16 and nik not like '99%'
      and substr(nik, 9, 2) <> '13' and substr(nik, 7, 2) <> '35' and substr(nik, 13) <> '0000'
      and try_cast(start_date as date) is not null
      and (end_date is null or try_cast(end_date as date) >= try_cast(start_date as date))
      and segment is not null and sex is not null
)
select occupation, funding_source, count(distinct nik) as people
from clean
where try_cast(start_date as date) <= date '{day}'
  and (end_date is null or try_cast(end_date as date) > date '{day}')
  and try_cast(paid_through as date) >= date '{day}'
  and funding_source in ('apbd', 'dbhcht')
group by all
"""


@pytest.mark.slow
@pytest.mark.parametrize(("day", "expected"), [
    ("2024-12-31", {("non_asn_staff", "apbd"): 13_600, ("tobacco_farmer", "dbhcht"): 6_000,
                    ("fisher", "apbd"): 500}),
    ("2024-01-31", {("tobacco_farmer", "dbhcht"): 6_000, ("fisher", "apbd"): 500}),
    ("2025-12-31", {("tobacco_farmer", "dbhcht"): 12_050, ("fisher", "apbd"): 500}),
])
def test_full_sample_has_the_calibrated_lombok_tengah_figures(full_sample, day, expected):
    folder, _ = full_sample
    rows = duckdb.sql(CALIBRATION_SQL.format(path=folder / "jamsostek.parquet", day=day)
                      ).fetchall()
    found = {(occupation, funding): people for occupation, funding, people in rows}
    for key, people in expected.items():
        assert found[key] == people, key
    if day == "2024-12-31":
        assert set(found) == set(expected)  # nobody else funded by APBD or DBHCHT in 52.02


@pytest.mark.slow
def test_full_sample_size(full_sample):
    _, manifest = full_sample
    assert 5_500_000 < manifest["registries"]["jkn"]["valid_rows"] < 6_200_000
    assert manifest["residents"] > 5_700_000


@pytest.mark.parametrize("registry", ["jamsostek", "jkn"])
def test_only_injected_rows_end_before_they_start(small_sample, registry):
    folder, manifest = small_sample
    (count,) = duckdb.sql(
        f"select count(*) from '{folder}/{registry}.parquet' "
        "where try_cast(end_date as date) < try_cast(start_date as date)").fetchone()
    assert count == manifest["registries"][registry]["faults"]["end_before_start"]
    (before_birth,) = duckdb.sql(
        f"select count(*) from '{folder}/{registry}.parquet' "
        "where try_cast(start_date as date) < try_cast(birth_date as date)").fetchone()
    assert before_birth == 0
