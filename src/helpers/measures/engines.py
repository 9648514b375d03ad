"""Engines the indicator layer runs on: DuckDB in-process (default) or Apache Spark.

The indicator functions in :mod:`helpers.measures.indicators` are Ibis expressions; they run
unchanged on any Ibis backend that holds the intake's tables. This module makes the
backend (``connect``) and puts the intake's pseudonymised rows onto it
(``registry_table`` / ``registry_tables``). The intake itself always runs on DuckDB
(DESIGN section 3): on Spark the indicators read the intake's Parquet output.

Usage::

    backend = engines.connect("spark")                    # local[2], or $CAKUPAN_SPARK_MASTER
    tk, jkn = engines.registry_tables([tk_result, jkn_result], backend)
    result = indicators.compute_indicators(tk, jkn, params, regions)

Spark needs Java 17 or newer on the machine (``scripts/ensure_java.sh`` installs it) and
the ``pyspark`` package (``pip install 'cakupan[spark]'``). Running against a cluster:
``docs/scaling.md``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from helpers.errors import EngineError, ParameterError

#: Engines a notebook parameter or ``--engine`` may name.
ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"
#: Environment variable naming the Spark master (``local[4]``, ``spark://host:7077``,
#: ``yarn``, ``k8s://...``) when no ``spark_master`` is given.
SPARK_MASTER_ENV = "CAKUPAN_SPARK_MASTER"
#: Two local cores: the size of the project's machines and of CI.
DEFAULT_SPARK_MASTER = "local[2]"
#: Environment variable naming a folder every Spark executor can read (HDFS, S3, a shared
#: file system) where intake results are staged; default: the local temporary folder.
SPARK_STAGING_ENV = "CAKUPAN_SPARK_STAGING"
#: Shuffle partitions for a local master. Spark's default of 200 is sized for clusters and
#: makes a query over a few thousand rows spend its time scheduling empty tasks.
LOCAL_SHUFFLE_PARTITIONS = 4


def validate_engine(name: str) -> str:
    """Return ``name`` when it is a known engine.

    Raises:
        ParameterError: ``name`` is not one of :data:`ENGINES`.
    """
    if name not in ENGINES:
        raise ParameterError(f"unknown engine '{name}'",
                             fix=f"use one of {', '.join(ENGINES)}")
    return name


def resolve_spark_master(master: str | None = None) -> str:
    """The Spark master to use: the argument, else ``$CAKUPAN_SPARK_MASTER``, else local[2]."""
    return master or os.environ.get(SPARK_MASTER_ENV) or DEFAULT_SPARK_MASTER


def connect(engine: str = DEFAULT_ENGINE, *, spark_master: str | None = None,
            spark_config: Mapping[str, str] | None = None, duckdb_config: Mapping | None = None):
    """Return an Ibis backend for ``engine``.

    Args:
        engine: 'duckdb' (in-process, out-of-core; the default) or 'spark'.
        spark_master: Spark master URL; None = ``$CAKUPAN_SPARK_MASTER`` or 'local[2]'.
            When a SparkSession is already active (spark-submit, Databricks, EMR...), it is
            reused and its master kept.
        spark_config: extra Spark settings, e.g. ``{"spark.driver.memory": "4g"}``.
        duckdb_config: DuckDB settings, e.g. ``{"memory_limit": "3GB", "threads": 2}``.

    Raises:
        ParameterError: unknown engine.
        EngineError: Spark was asked for but pyspark or Java is missing.
    """
    validate_engine(engine)
    import ibis

    if engine == "duckdb":
        return ibis.duckdb.connect(**dict(duckdb_config or {}))
    return ibis.pyspark.connect(spark_session(spark_master, spark_config))


def spark_session(master: str | None = None, config: Mapping[str, str] | None = None):
    """Get or create the SparkSession, quiet and in UTC.

    An active session (one created by spark-submit or a managed service) is reused as it
    is; only ``config`` is applied to it.
    """
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise EngineError("the Spark engine needs the pyspark package",
                          fix="pip install 'cakupan[spark]' (or make setup)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in (config or {}).items():
            active.conf.set(key, value)
        return active
    check_java()
    master = resolve_spark_master(master)
    settings = {
        "spark.app.name": "cakupan",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Partition folders such as region_code=52.02 stay strings (not the number 52.02).
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    }
    if master.startswith("local") or _is_loopback_master(master):
        # Keep the console to errors from the JVM's first line on. (On a cluster the
        # driver's Java options belong to the cluster's spark-defaults; left alone.)
        settings["spark.driver.extraJavaOptions"] = (
            f"-Dlog4j2.configurationFile={_quiet_log4j2_file()}")
        # A local master, or a cluster on this machine's loopback address
        # (scripts/spark_cluster.sh), talks to itself: bind to loopback (no "resolves to a
        # loopback address" warning, no traffic on the network interface).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if master.startswith("local"):
        settings["spark.sql.shuffle.partitions"] = str(LOCAL_SHUFFLE_PARTITIONS)
        settings["spark.default.parallelism"] = str(LOCAL_SHUFFLE_PARTITIONS)
    settings.update(config or {})
    builder = SparkSession.builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j / Java errors come in many types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EngineError(f"Spark could not start with master '{master}' ({first})",
                          fix=f"check the master URL ({SPARK_MASTER_ENV}) and that "
                              "Java 17+ is installed (scripts/ensure_java.sh)") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _is_loopback_master(master: str) -> bool:
    """True for a standalone master on this machine's loopback (``spark://127.0.0.1:7077``)."""
    host = master.removeprefix("spark://").rsplit(":", 1)[0]
    return master.startswith("spark://") and host in ("127.0.0.1", "localhost")


_QUIET_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_log4j2_file() -> Path:
    """A log4j2 configuration that shows errors only (Spark's default shows warnings)."""
    path = Path(tempfile.gettempdir()) / "cakupan-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _QUIET_LOG4J2:
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(_QUIET_LOG4J2)
        os.replace(partial, path)
    return path


def check_java() -> str:
    """Return the ``java -version`` banner of the Java that Spark will use.

    Raises:
        EngineError: no Java (JAVA_HOME or ``java`` on PATH) or it does not run.
    """
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    fix = "install Java 17 or newer: bash scripts/ensure_java.sh (or set JAVA_HOME)"
    if not java or not Path(java).exists():
        raise EngineError("the Spark engine needs Java, and none was found", fix=fix)
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EngineError(f"'{java} -version' failed ({error})", fix=fix) from None
    if done.returncode != 0:
        raise EngineError(f"'{java} -version' exited with {done.returncode}", fix=fix)
    return (done.stderr or done.stdout).strip().splitlines()[0]


def engine_of(backend) -> str:
    """'duckdb' or 'spark' for an Ibis backend (its ``name`` is 'pyspark' for Spark)."""
    name = getattr(backend, "name", "")
    return "spark" if name == "pyspark" else name


def registry_table(result, backend, *, staging_dir: str | Path | None = None):
    """Put one intake result's accepted, pseudonymised rows onto ``backend``.

    Args:
        result: an :class:`helpers.data.ledger.IntakeResult` (or an Ibis table on DuckDB).
        backend: from :func:`connect`.
        staging_dir: where to write the rows as Parquet for Spark when the intake result
            has no Parquet file of its own; None = ``$CAKUPAN_SPARK_STAGING`` or a
            temporary folder (must be readable by every executor on a cluster).

    Returns:
        An Ibis table on ``backend`` with the intake's columns.
    """
    table = getattr(result, "table", result)
    if engine_of(backend) == "duckdb":
        if table.get_backend() is backend:
            return table
        return backend.read_parquet(_parquet_of(result, table, staging_dir))
    return backend.read_parquet(str(_parquet_of(result, table, staging_dir)))


def registry_tables(results: Iterable, backend, *, staging_dir: str | Path | None = None
                    ) -> list:
    """:func:`registry_table` for several intake results (e.g. [jamsostek, jkn])."""
    return [registry_table(result, backend, staging_dir=staging_dir) for result in results]


def _parquet_of(result, table, staging_dir) -> Path:
    """The intake's cached Parquet when it has one, else the rows written to staging."""
    path = getattr(result, "parquet_path", None)
    if path is not None and Path(path).exists():
        return Path(path)
    summary = getattr(result, "summary", None)
    if summary is not None and summary.file_sha256 and summary.key_fingerprint:
        # The intake's cache file (helpers.data.intake.load_registry, cache=True) of this result.
        from helpers.paths import cache_dir

        cached = cache_dir() / (f"{summary.registry}-{summary.file_sha256[:16]}-"
                                f"{summary.key_fingerprint}.parquet")
        if cached.exists() and _reads_file(table, cached):
            return cached
    from helpers.paths import private_file, private_folder

    # Pseudonymised person-level rows: a private folder (0700) and file (0600).
    folder = private_folder(staging_dir or os.environ.get(SPARK_STAGING_ENV)
                            or Path(tempfile.gettempdir()) / "cakupan-staging")
    target = folder / f"intake-{uuid.uuid4().hex[:12]}.parquet"
    table.to_parquet(target)
    private_file(target)
    return target


def _reads_file(table, path: Path) -> bool:
    """True when ``table`` is a DuckDB view over exactly ``path`` (a cached intake result)."""
    import duckdb

    try:
        raw = table.get_backend().con
        rows = raw.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?",
                           [table.get_name()]).fetchall()
    except (AttributeError, ValueError, duckdb.Error):  # not a named DuckDB view
        return False
    return bool(rows) and f"'{path}'" in rows[0][0]


__all__ = ["DEFAULT_ENGINE", "DEFAULT_SPARK_MASTER", "ENGINES", "LOCAL_SHUFFLE_PARTITIONS",
           "SPARK_MASTER_ENV", "SPARK_STAGING_ENV", "EngineError", "check_java", "connect", "engine_of",
           "registry_table", "registry_tables", "resolve_spark_master", "spark_session",
           "validate_engine"]
