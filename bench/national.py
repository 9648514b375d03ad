"""Benchmark: the national sample's intake and indicators (issue 16.7).

Each step runs in a fresh subprocess (its own peak memory), on the national sample
(``data/national``, ``cakupan sample --national``) and the national reference tables:

- ``intake``: both registries, every partition, cold (an empty cache folder): read,
  validated, pseudonymised and written to the cache;
- ``indicators``: with the intake cached, every indicator of all 514 kab/kota at
  2024-12-31 in one pass (``helpers.measures.indicators.compute_indicators``) on DuckDB;
- ``spark`` (with ``--spark``): the same indicators on Spark, the master from
  ``CAKUPAN_SPARK_MASTER`` (a standalone cluster: run this script under
  ``scripts/spark_cluster.sh``) or ``local[2]``. Timed from the session's start to the
  collected result, including staging the cached intake as Parquet for Spark; the
  result must equal DuckDB's (``pandas.testing.assert_frame_equal``), or the step fails.
  Its CPU column is the driver's only (the executors are other processes).

Usage::

    .venv/bin/python bench/national.py [--data-dir data/national] [--repeat 3]
    scripts/spark_cluster.sh .venv/bin/python bench/national.py --spark --repeat 1

Prints, per step, the median wall seconds, CPU seconds, rows per second and peak RSS of
the child, and one Markdown table to paste into ``bench/results.md``. The national batch
itself is timed with ``/usr/bin/time -v cakupan reports --national`` (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("intake", "indicators", "spark")


def child(step: str, data_dir: str, cache_home: str) -> None:
    """One step, timed inside the child; prints a JSON line (its CPU time and peak RSS are
    the whole child's: start-up and, for ``indicators``, reading the cached intake)."""
    os.environ["CAKUPAN_REFERENCE"] = "national"
    from helpers.data import reference
    from helpers.measures import indicators
    from helpers.report import report_data

    started = time.perf_counter()
    registries = report_data.load_registries(data_dir, cache=True)
    rows = registries.tk.summary.rows_read + registries.jkn.summary.rows_read
    extra = {}
    if step in ("indicators", "spark"):
        regions = reference.regions()
        codes = sorted(regions.loc[regions["region_type"] != "provinsi", "region_code"])
        params = report_data.make_parameters("2024")
        started = time.perf_counter()  # the intake came from the cache: not timed
        frame = indicators.compute_indicators(registries.tk_table, registries.jkn_table,
                                              params, codes)
        assert frame["region_code"].nunique() == len(codes)
    if step == "spark":
        import pandas as pd

        from helpers.measures import engines

        duckdb_seconds = time.perf_counter() - started
        started = time.perf_counter()
        backend = engines.connect("spark")
        try:
            extra["master"] = backend._session.sparkContext.master
            with tempfile.TemporaryDirectory(prefix="cakupan-spark-") as staging:
                tk, jkn = engines.registry_tables([registries.tk, registries.jkn], backend,
                                                  staging_dir=staging)
                result = indicators.compute_indicators(tk, jkn, params, codes)
        finally:
            backend.disconnect()
        pd.testing.assert_frame_equal(result, frame)  # the same figures, or no timing
        extra.update(duckdb_seconds=round(duckdb_seconds, 2), equal=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"step": step, "seconds": time.perf_counter() - started,
                      "cpu": usage.ru_utime + usage.ru_stime, "rows": rows,
                      "peak_mib": usage.ru_maxrss / 1024, **extra}))


def measure(step: str, data_dir: str, cache_home: str) -> dict:
    env = {**os.environ, "CAKUPAN_HOME": cache_home}
    done = subprocess.run([sys.executable, __file__, "--child", step, "--data-dir", data_dir],
                          env=env, capture_output=True, text=True, check=True, cwd=cache_home)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT / "data" / "national"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark", action="store_true",
                        help="also time the indicators on Spark and compare them with DuckDB")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir = str(Path(args.data_dir).resolve())
    if args.child:
        child(args.child, data_dir, os.environ["CAKUPAN_HOME"])
        return 0
    steps = STEPS if args.spark else STEPS[:2]
    runs: dict[str, list[dict]] = {step: [] for step in steps}
    for round_number in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="cakupan-national-bench-") as home:
            # a workspace of its own: an empty intake cache, then the cached intake
            (Path(home) / "cakupan.toml").write_text("")
            for step in steps:
                runs[step].append(measure(step, data_dir, home))
                print(f"round {round_number + 1} {step}: {runs[step][-1]}", flush=True)
    print("\n| step | median wall (s) | median CPU (s) | rows | rows/s (wall) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    for step, results in runs.items():
        wall = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        peak = max(r["peak_mib"] for r in results)
        rows = results[0]["rows"]
        print(f"| {step} | {wall:.1f} | {cpu:.1f} | {rows:,} | {rows / wall:,.0f} | "
              f"{peak:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
