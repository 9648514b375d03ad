"""Benchmark: every indicator for all ten NTB kab/kota at one reference date, full sample.

Run: .venv/bin/python bench/indicators.py [--repeat 5]
Intake is cached first (not timed); each repeat computes compute_indicators for the ten
regions on a fresh DuckDB connection over the cached pseudonymised Parquet. Prints the
median and every run, and the peak RSS of this process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from datetime import date

import ibis

from helpers.data import intake, reference
from helpers.data.sample import ensure_sample
from helpers.measures import indicators


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_sample()
    from helpers.paths import sample_dir

    folder = sample_dir()
    for registry in ("jamsostek", "jkn"):
        intake.load_registry(folder / f"{registry}.parquet", registry)  # warm the cache
    regions = reference.kabkota_codes("52")
    params = indicators.Parameters(date(2024, 12, 31))
    seconds = []
    for _ in range(args.repeat):
        con = ibis.duckdb.connect()
        started = time.perf_counter()
        tk = intake.load_registry(folder / "jamsostek.parquet", "jamsostek", con=con).table
        jkn = intake.load_registry(folder / "jkn.parquet", "jkn", con=con).table
        result = indicators.compute_indicators(tk, jkn, params, regions)
        seconds.append(time.perf_counter() - started)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"indicators: {len(result)} values for {len(regions)} regions; "
          f"median {statistics.median(seconds):.2f} s over {args.repeat} runs "
          f"({', '.join(f'{s:.2f}' for s in seconds)}); peak RSS {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
