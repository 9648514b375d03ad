"""The indicators on a real Spark standalone cluster equal DuckDB's (issue 16).

``scripts/spark_cluster.sh`` starts a master and two workers (one core, 1 GiB each) from
the installed pyspark; the indicators of the 2 % NTB sample are computed through
``CAKUPAN_SPARK_MASTER=spark://127.0.0.1:<port>`` and compared exactly with DuckDB; then
the cluster is stopped and no JVM of it may be left. The executors are given a Python that
does not exist (``PYSPARK_PYTHON`` of the driver, which PySpark hands to every Python UDF):
the indicators still pass because their queries are pure Spark SQL, with no Python to run
on an executor, while a Python UDF in the same session fails (docs/scaling.md).

Durations of each step are printed (``pytest -s``) and quoted in docs/scaling.md.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import intake, reference
from helpers.measures import engines, indicators
from helpers.measures.indicators import Parameters
from helpers.paths import project_root

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:The copy keyword is deprecated:DeprecationWarning:pyspark")]

SCRIPT = project_root() / "scripts" / "spark_cluster.sh"
D = date(2024, 12, 31)
NTB = reference.kabkota_codes("52")
#: The executors' Python: none (the indicator queries must not need one).
NO_PYTHON = "/nonexistent/python-on-executors"
#: Longest wait for the cluster to come up on a loaded 2-core machine.
START_TIMEOUT_S = 150


@dataclass
class Cluster:
    url: str
    work_dir: str
    pids: list[int]
    process: subprocess.Popen
    log: Path
    durations: dict[str, float] = field(default_factory=dict)


def _free_port(preferred: int | None = None) -> int:
    candidates = ([preferred] if preferred else []) + [0]
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def _read_ready_line(process: subprocess.Popen, timeout_s: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not selector.select(timeout=1.0):
            if process.poll() is not None:
                break
            continue
        line = process.stdout.readline()
        if line.startswith("ready: "):
            return line.strip()
        if line == "" and process.poll() is not None:
            break
    return ""


def _processes_in(folder: str) -> list[int]:
    """Processes whose working folder is inside ``folder`` (the workers' executors)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd.startswith(folder + "/"):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not a running JVM
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    log = tmp_path_factory.mktemp("cluster") / "spark_cluster.log"
    env = dict(os.environ, PYTHON=sys.executable,
               CAKUPAN_CLUSTER_PORT=str(_free_port(7077)),
               CAKUPAN_CLUSTER_UI_PORT=str(_free_port(8080)))
    started = time.monotonic()
    with log.open("w") as stderr:
        process = subprocess.Popen(["bash", str(SCRIPT)], stdout=subprocess.PIPE, stderr=stderr,
                                   text=True, env=env, start_new_session=True)
    ready = _read_ready_line(process, START_TIMEOUT_S)
    if not ready:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        pytest.fail(f"the cluster did not start: {log.read_text()[-3000:]}", pytrace=False)
    url = ready.split()[1]
    work_dir = ready.split(" ; logs ")[1].split(" ; ")[0]
    pids = [int(pid) for pid in ready.split(" ; pids ")[1].split()]
    handle = Cluster(url, work_dir, pids, process, log,
                     {"cluster start": time.monotonic() - started})
    yield handle
    stopping = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=90)
    finally:
        if process.poll() is None:  # the script hangs: stop its group (only its processes)
            os.killpg(process.pid, signal.SIGKILL)
    handle.durations["cluster stop"] = time.monotonic() - stopping
    print("\nstandalone cluster, seconds: "
          + ", ".join(f"{step} {seconds:.1f}" for step, seconds in handle.durations.items()))
    assert process.returncode == 0, log.read_text()[-3000:]
    assert [pid for pid in handle.pids if _alive(pid)] == [], "daemon JVMs left running"
    assert _processes_in(handle.work_dir) == [], "executor JVMs left running"


@pytest.fixture(scope="module")
def intake_results(small_sample):
    folder, _ = small_sample
    return [intake.load_registry(folder / f"{registry}.parquet", registry, cache=False)
            for registry in ("jamsostek", "jkn")]


def test_indicators_on_a_standalone_cluster_equal_duckdb(cluster, intake_results, tmp_path,
                                                         monkeypatch):
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:  # another module's local session would be reused as it is
        active.stop()
    monkeypatch.setenv(engines.SPARK_MASTER_ENV, cluster.url)
    # No Python on the executors: a Python UDF would have to start this one there.
    monkeypatch.setenv("PYSPARK_PYTHON", NO_PYTHON)
    tk, jkn = (result.table for result in intake_results)

    started = time.monotonic()
    expected = indicators.compute_indicators(tk, jkn, Parameters(D), NTB)
    cluster.durations["duckdb indicators"] = time.monotonic() - started

    started = time.monotonic()
    backend = engines.connect("spark", spark_config={
        "spark.executor.memory": "768m",
        "spark.executor.cores": "1",
        "spark.cores.max": "2",
        "spark.sql.shuffle.partitions": "4",
    })
    try:
        context = backend._session.sparkContext
        assert context.master == cluster.url
        cluster.durations["spark session"] = time.monotonic() - started

        started = time.monotonic()
        spark_tk, spark_jkn = engines.registry_tables(intake_results, backend,
                                                      staging_dir=tmp_path)
        result = indicators.compute_indicators(spark_tk, spark_jkn, Parameters(D), NTB)
        cluster.durations["spark indicators"] = time.monotonic() - started

        executors = context._jsc.sc().getExecutorMemoryStatus().size() - 1  # minus the driver
        assert executors == 2, f"{executors} executors registered, expected one per worker"

        # The control: Python code on an executor cannot run in this session.
        from pyspark.sql import functions

        plus_one = functions.udf(lambda value: value + 1, "long")
        with pytest.raises(Exception, match="nonexistent"):
            backend._session.range(2).select(plus_one("id")).collect()
    finally:
        backend.disconnect()

    pd.testing.assert_frame_equal(result, expected)
    assert indicators.indicator_value(result, "52.02", "tk_fishers_active") == 10  # 500 × 2 %
