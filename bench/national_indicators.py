"""Benchmark: every indicator of all 514 kab/kota in one process, the intake already cached.

Lighter than ``bench/national.py`` (which times a cold intake first, in a workspace of its
own): it reads the intake from the project's cache (run ``make national`` once) and times
``compute_indicators`` for every kab/kota ``--repeat`` times in the same process, CPU and wall
seconds, with the MD5 of the result (two code versions that compute the same print the same).

Usage::

    CAKUPAN_REFERENCE=national .venv/bin/python bench/national_indicators.py --repeat 2
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/national")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("CAKUPAN_REFERENCE", "national")
    from helpers.data import reference
    from helpers.measures import indicators
    from helpers.report import report_data

    registries = report_data.load_registries(args.data_dir, cache=True)
    regions = reference.regions()
    codes = sorted(regions.loc[regions["region_type"] != "provinsi", "region_code"])
    params = report_data.make_parameters("2024")
    for _ in range(args.repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        frame = indicators.compute_indicators(registries.tk_table, registries.jkn_table,
                                              params, codes)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        digest = hashlib.md5(frame.to_csv().encode()).hexdigest()[:8]
        print(f"{len(codes)} kab/kota: CPU {cpu:.1f} s, wall {wall:.1f} s, result md5 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
