"""Print how the kab/kota of the sample differ: coverage per region and the spread (issue 15).

Reads the registries of a data folder (default ``data/sample``) through the intake,
computes the indicators at each date (default 2024-12-31) and prints, per kab/kota, BPJS
TK coverage (total, formal, informal), JKN coverage, active rate, UHC category and budget
share, then the NTB value, min, max and span of each coverage in percentage points.

Usage::

    .venv/bin/python scripts/show_sample_spreads.py                 # data/sample, 2024-12-31
    .venv/bin/python scripts/show_sample_spreads.py --date 2024-03-31 --date 2025-12-31
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import pandas as pd

from helpers.data import intake, reference
from helpers.measures import indicators
from helpers.measures.indicators import Parameters
from helpers.paths import sample_dir

COLUMNS = ["tk_active", "tk_coverage", "tk_coverage_formal", "tk_coverage_informal",
           "jkn_coverage", "jkn_active_rate", "uhc_category", "budget_share_apbd"]
RATIOS = ["tk_coverage", "tk_coverage_formal", "tk_coverage_informal", "jkn_coverage"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(sample_dir()), help="folder of the registries")
    parser.add_argument("--date", action="append", type=date.fromisoformat,
                        help="reference date (repeatable; default 2024-12-31)")
    args = parser.parse_args(argv)
    tk = intake.load_registry(f"{args.data}/jamsostek.parquet", "jamsostek")
    jkn = intake.load_registry(f"{args.data}/jkn.parquet", "jkn", con=tk.table.get_backend())
    codes = reference.kabkota_codes("52")
    for day in args.date or [date(2024, 12, 31)]:
        result = indicators.compute_indicators(tk.table, jkn.table, Parameters(day), codes)
        wide = result.pivot(index="region_code", columns="indicator_id", values="value")[COLUMNS]
        wide.insert(0, "region_name", [reference.region_name(c) for c in wide.index])
        print(f"\n{day}")
        with pd.option_context("display.width", 200, "display.float_format", "{:.4f}".format):
            print(wide.to_string())
        rows = result.set_index(["region_code", "indicator_id"])
        for indicator_id in RATIOS:
            part = rows.xs(indicator_id, level="indicator_id")
            ntb = (pd.to_numeric(part["numerator"]).sum()
                   / pd.to_numeric(part["denominator"]).sum())
            values = pd.to_numeric(part["value"])
            print(f"{indicator_id:22s} NTB {ntb:7.2%}  min {values.min():7.2%}  "
                  f"max {values.max():7.2%}  span {100 * (values.max() - values.min()):5.1f} "
                  "points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
