"""Benchmark of the report batch: `make reports` against a plain serial papermill loop.

Both contenders render the same 11 reports (the NTB province overview and its 10 regency
reports, period 2024, Bahasa Indonesia) from the same full sample, one after the other in
one run of this script:

- ``make reports``: ``cakupan reports --province 52 --period 2024 --lang id --jobs 2``
  (exactly the Makefile's line), the runner of helpers.batch.runner;
- ``serial loop``: for each notebook, ``papermill NOTEBOOK OUT -p ...`` then
  ``jupyter nbconvert --to html --no-input OUT`` in a shell-style loop, which is what a
  team writes without a runner.

State before each contender (the issue: "with the sample present"): the sample registries
exist and the intake cache (data/cache/*.parquet) is warm; the province bundle of
aggregates (data/cache/reports) is removed, so each contender computes the indicators
once. ``--cold`` also removes the intake cache before each contender (both then validate
the 7 million registry rows once).

Usage::

    .venv/bin/python bench/reports.py            # writes bench/reports_results.md
    .venv/bin/python bench/reports.py --cold
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "reports_results.md"
CODES = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71",
         "52.72"]


def clear_caches(cold: bool) -> None:
    """Remove the province bundles (and, cold, the intake results)."""
    cache = ROOT / "data" / "cache"
    shutil.rmtree(cache / "reports", ignore_errors=True)
    if cold:
        for path in cache.glob("*.parquet"):
            path.unlink()
        for path in cache.glob("*.json"):
            path.unlink()


def run(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def make_reports(*options: str) -> float:
    """The Makefile's `reports` line (make itself is timed: it is the user's command).

    ``--force`` renders every report even when the manifest says it is current.
    """
    return run(["make", "reports", f"REPORT_OPTIONS={' '.join(options)}"])


def serial_loop(out: Path) -> float:
    started = time.perf_counter()
    jobs = [("province_overview", {"province_code": "52"}, out / "2024")]
    jobs += [("regency_report", {"region_code": code}, out / "2024" / code) for code in CODES]
    for notebook, parameters, folder in jobs:
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "report.ipynb"
        options = []
        for name, value in {**parameters, "period": "2024", "lang": "id",
                            "output_dir": str(folder)}.items():
            options += ["-p", name, value]
        run([str(BIN / "papermill"), f"notebooks/{notebook}.ipynb", str(executed),
             "-k", "cakupan", "--no-progress-bar", *options])
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
             "--output", "index", str(executed)])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also clear the intake cache")
    args = parser.parse_args(argv)
    os.environ.setdefault("CAKUPAN_KEY", "benchmark-key-not-for-real-data-0123456789")
    subprocess.run([str(BIN / "cakupan"), "sample"] if not (ROOT / "data" / "sample" /
                   "manifest.json").exists() else ["true"], check=True, cwd=ROOT)
    if not args.cold:  # warm the intake cache once, outside both timings
        subprocess.run([str(BIN / "python"), "-c",
                        "from helpers.report import report_data; report_data.load_registries()"],
                       check=True, cwd=ROOT)
    clear_caches(args.cold)
    fast = make_reports("--force")
    unchanged = make_reports()  # nothing changed: every report is skipped
    clear_caches(args.cold)
    with tempfile.TemporaryDirectory() as folder:
        slow = serial_loop(Path(folder))
    ratio = fast / slow
    state = "cold (intake cache cleared)" if args.cold else "intake cache warm, bundle cold"
    lines = [
        f"## {dt.datetime.now():%Y-%m-%d %H:%M} — {state}",
        "",
        f"Machine: {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"{platform.platform()}",
        "",
        "| contender | wall time (s) |",
        "|---|---|",
        f"| `make reports` (cakupan reports --jobs 2) | {fast:.1f} |",
        f"| serial loop: papermill then jupyter nbconvert, 11 notebooks | {slow:.1f} |",
        f"| `make reports` again, nothing changed (11 reports skipped) | {unchanged:.1f} |",
        f"| ratio | {ratio:.2f} (target ≤ 0.50; `make reports` target < 60 s) |",
        "",
    ]
    print("\n".join(lines))
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return 0 if ratio <= 0.5 and fast < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
