"""The Spark engine gives the same indicators as DuckDB (issue 7; DESIGN section 7).

One SparkSession (``local[2]``, the size of CI's machine) for the whole module. Java is
the project's set-up's job (``scripts/ensure_java.sh``): when it is missing these tests
fail with that message; they are never skipped.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from helpers.data import intake, reference
from helpers.errors import ParameterError
from helpers.measures import engines, indicators
from helpers.measures.indicators import Parameters

#: pyspark 4.0's toPandas still passes pandas' deprecated ``copy=`` keyword (its problem,
#: not ours; the values are checked below).
pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings(
    "ignore:The copy keyword is deprecated:DeprecationWarning:pyspark")]

D = date(2024, 12, 31)
NTB = reference.kabkota_codes("52")
REGISTRIES = ("jamsostek", "jkn")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    try:
        backend = engines.connect("spark", spark_master="local[2]")
    except engines.EngineError as error:
        pytest.fail(f"Spark engine unavailable: {error}", pytrace=False)
    yield backend
    backend.disconnect()


@pytest.fixture(scope="module")
def intake_results(small_sample):
    folder, _ = small_sample
    return [intake.load_registry(folder / f"{registry}.parquet", registry, cache=False)
            for registry in REGISTRIES]


def test_java_is_installed_for_spark():
    try:
        banner = engines.check_java()
    except engines.EngineError as error:
        pytest.fail(str(error), pytrace=False)
    assert "version" in banner


def test_same_indicators_on_spark_as_on_duckdb(spark, intake_results, tmp_path):
    tk, jkn = (result.table for result in intake_results)
    expected = indicators.compute_indicators(tk, jkn, Parameters(D), NTB)
    spark_tk, spark_jkn = engines.registry_tables(intake_results, spark, staging_dir=tmp_path)
    assert engines.engine_of(spark_tk.get_backend()) == "spark"

    result = indicators.compute_indicators(spark_tk, spark_jkn, Parameters(D), NTB)

    pd.testing.assert_frame_equal(result, expected)
    assert indicators.indicator_value(result, "52.02", "tk_fishers_active") == 10  # 500 × 2 %


def test_validate_engine_names_the_choices():
    assert engines.validate_engine("spark") == "spark"
    with pytest.raises(ParameterError, match="unknown engine 'polars'.*duckdb, spark"):
        engines.validate_engine("polars")


def test_spark_master_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.setenv(engines.SPARK_MASTER_ENV, "spark://cluster:7077")
    assert engines.resolve_spark_master("local[4]") == "local[4]"
    assert engines.resolve_spark_master() == "spark://cluster:7077"
    monkeypatch.delenv(engines.SPARK_MASTER_ENV)
    assert engines.resolve_spark_master() == "local[2]"


def test_duckdb_engine_keeps_the_intake_table(intake_results):
    table = intake_results[0].table
    assert engines.registry_table(intake_results[0], table.get_backend()) is table
