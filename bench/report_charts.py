"""Benchmark: the CPU time of the 14 charts of one kab/kota report, drawn and saved as the page embeds them.

The report is built once (registries from the cache); then every chart of the regency
notebook is drawn and turned into its HTML (``figure_html``: SVG, or PNG when heavy),
``--repeat`` rounds, CPU seconds per round (``time.process_time``). The MD5 of all the
charts' HTML is printed too: two code versions that draw the same charts print the same.

Usage (to compare two checkouts, run it from each with ``PYTHONPATH=<checkout>/src``)::

    CAKUPAN_REFERENCE=national .venv/bin/python bench/report_charts.py 35.01 \
        --data-dir data/national --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "agg")


def charts(report, params) -> list[str]:
    from helpers.report import map_blocks, plots

    html = []
    for column in ("tk_coverage", "jkn_coverage"):
        html.append(map_blocks.small_multiples_html(report, column, "id"))
        html.append(map_blocks.dot_plot_html(report, column, "id"))
    for by in ("segment", "occupation", "sex", "age_group"):
        html.append(plots.figure_html(plots.active_by_group(report.tk_by(by).published, by,
                                                            "id"), by))
    html.append(plots.figure_html(plots.active_by_group(
        report.district_rates.published, "district_code", "id", name_column="district_name"),
        "district"))
    html.append(plots.figure_html(plots.trend(report.trend.published, "id"), "trend"))
    html.append(plots.figure_html(plots.programme_costs(report.programmes.published, "id"),
                                  "programmes"))
    html.append(plots.figure_html(plots.uhc_position(report.values, params.thresholds, "id"),
                                  "uhc"))
    html.append(plots.figure_html(plots.uhc_distance(report.uhc_distance.published, "id"),
                                  "uhc distance"))
    html.append(plots.figure_html(plots.budget_shares(
        report.budget.published, report.budget_reference.get("apbd_total_rp"), "id"),
        "budget"))
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("region_code")
    parser.add_argument("--data-dir", default="data/sample")
    parser.add_argument("--period", default="2024")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from helpers.report import report_data

    params = report_data.ReportParameters.build(args.region_code, args.period,
                                                data_dir=args.data_dir)
    report = report_data.regency_report(report_data.load_registries(params.data_dir), params)
    charts(report, params)  # warm: fonts, caches
    seconds = []
    for _ in range(args.repeat):
        started = time.process_time()
        html = charts(report, params)
        seconds.append(time.process_time() - started)
    digest = hashlib.md5("".join(html).encode()).hexdigest()[:8]
    print(f"{args.region_code}: {len(html)} charts, CPU s median {statistics.median(seconds):.2f} "
          f"(rounds {', '.join(f'{s:.2f}' for s in seconds)}), html md5 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
