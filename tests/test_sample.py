"""The synthetic registry generator: schema, determinism, NIK structure, faults, calibration."""

from __future__ import annotations

import functools

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers.data import nik, reference, sample
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


# ---------------------------------------------------------------------------------------
# Calibration targets (sample_targets.csv) and the spread between regions
# ---------------------------------------------------------------------------------------
CLEAN = """
with clean as (
    select distinct * from read_parquet('{path}')
    where length(nik) = 16 and nik not like '99%'
      and substr(nik, 9, 2) <> '13' and substr(nik, 7, 2) <> '35' and substr(nik, 13) <> '0000'
      and try_cast(start_date as date) is not null
      and (end_date is null or try_cast(end_date as date) >= try_cast(start_date as date))
      and segment is not null and sex is not null and region_code like '52.__'
      and region_code not in ('52.99', '52.09')
), spells as (
    select *, try_cast(start_date as date) <= date '{day}'
              and (end_date is null or try_cast(end_date as date) > date '{day}') as member,
           date_diff('month', date_trunc('month', try_cast(paid_through as date)),
                     date_trunc('month', date '{day}')) <= 1 as paid_recently
    from clean
)
"""


#: Counts per region behind each measure (people, distinct NIK).
MEASURE_FILTERS = {
    "tk_active": "true", "tk_active_formal": "segment in ('PU', 'JAKON', 'PMI')",
    "tk_active_informal": "segment = 'BPU'",
    "tk_nonasn_active": "occupation = 'non_asn_staff' and funding_source in ('apbd', 'dbhcht')",
    "tk_tobacco_farmers_active":
        "occupation = 'tobacco_farmer' and funding_source in ('apbd', 'dbhcht')",
    "tk_fishers_active": "occupation = 'fisher' and funding_source in ('apbd', 'dbhcht')",
    "tk_village_officials_active": "occupation = 'village_official' and funding_source = 'apbdes'",
    "tk_election_staff_active": "occupation = 'election_staff'",
}
JKN_SEGMENT_NAMES = ("PBI_APBN", "PBPU_PEMDA", "PPU", "PBPU", "BP")


@functools.lru_cache(maxsize=16)
def _counts(folder: str, registry: str, day: str) -> pd.DataFrame:
    """One scan per registry and date: every count the measures need, per region."""
    sql = CLEAN.format(path=f"{folder}/{registry}.parquet", day=day)
    active = "member and paid_recently"
    if registry == "jamsostek":
        columns = [f"count(distinct nik) filter (where {active} and {condition}) as {name}"
                   for name, condition in MEASURE_FILTERS.items()]
    else:
        columns = ["count(distinct nik) filter (where member) as members",
                   f"count(distinct nik) filter (where {active}) as active"]
        columns += [f"count(distinct nik) filter (where member and segment = '{s}') as {s}"
                    for s in JKN_SEGMENT_NAMES]
    query = f"{sql} select region_code, {', '.join(columns)} from spells group by region_code"
    return duckdb.sql(query).df().set_index("region_code")


def measured(folder, region: str, measure: str, day: str, scale: float = 1.0) -> float:
    """A sample_targets measure computed from the registry files (the indicator rules:
    member = started and not ended at D; active = member paid within one month of D)."""
    if measure in MEASURE_FILTERS:
        return int(_counts(str(folder), "jamsostek", day).at[region, measure])
    counts = _counts(str(folder), "jkn", day).loc[region]
    if measure == "jkn_active_rate":
        return counts["active"] / counts["members"]
    if measure == "jkn_members_PBPU_PEMDA":
        return int(counts["PBPU_PEMDA"])
    if measure.startswith("jkn_segment_share_"):
        return counts[measure.removeprefix("jkn_segment_share_")] / counts["members"]
    assert measure == "jkn_coverage", measure
    population = reference.population_total(region, int(day[:4])).iloc[0]
    return counts["members"] / (population * scale)


def _targets(scale: float):
    table = reference.sample_targets()
    table = table[table["region_code"] != "52"]
    for row in table.itertuples():
        people = row.unit == "people"
        expected = round(row.target_value * scale) if people else row.target_value
        tolerance = max(row.tolerance * scale, 0) if people else row.tolerance
        yield row.region_code, row.measure, row.reference_date.date().isoformat(), expected, \
            tolerance


def test_small_sample_meets_every_target_at_its_scale(small_sample):
    folder, manifest = small_sample
    misses = []
    for region, measure, day, expected, tolerance in _targets(manifest["scale"]):
        if measure == "jkn_coverage" or measure.startswith("jkn_segment"):
            tolerance = max(tolerance, 0.002)  # 2 %: a few thousand people per region
        result = measured(folder, region, measure, day, manifest["scale"])
        if abs(result - expected) > tolerance:
            misses.append((region, measure, day, result, expected))
    assert not misses


@pytest.mark.slow
def test_full_sample_meets_every_target(full_sample):
    folder, _ = full_sample
    misses = []
    for region, measure, day, expected, tolerance in _targets(1.0):
        result = measured(folder, region, measure, day)
        if abs(result - expected) > tolerance:
            misses.append((region, measure, day, result, expected))
    assert not misses


@pytest.mark.slow
def test_full_sample_regions_differ_and_keep_the_ntb_totals(full_sample):
    """Issue 15: BPJS TK coverage spans ≥ 10 points, informal ≥ 8; NTB stays at 41 % / 19 %
    (± 1 point); in 2024 JKN enrolment is below 98 % somewhere and at or above it elsewhere."""
    folder, _ = full_sample
    labour = reference.labour(2024).set_index("region_code")
    codes = reference.kabkota_codes("52")
    day = "2024-12-31"
    total = {c: measured(folder, c, "tk_active", day) for c in codes}
    informal = {c: measured(folder, c, "tk_active_informal", day) for c in codes}
    coverage = {c: total[c] / labour.at[c, "potential_workforce_count"] for c in codes}
    informal_coverage = {c: informal[c] / labour.at[c, "potential_informal_count"]
                         for c in codes}
    assert max(coverage.values()) - min(coverage.values()) >= 0.10
    assert max(informal_coverage.values()) - min(informal_coverage.values()) >= 0.08
    assert abs(sum(total.values()) / labour.at["52", "potential_workforce_count"] - 0.41) <= 0.01
    assert abs(sum(informal.values()) / labour.at["52", "potential_informal_count"] - 0.19) <= 0.01
    jkn = {c: measured(folder, c, "jkn_coverage", day) for c in codes}
    assert min(jkn.values()) < 0.98 <= max(jkn.values())
