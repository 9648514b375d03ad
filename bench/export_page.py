"""Benchmark: the CPU time of exporting one executed report notebook to its HTML page.

Reads an executed ``report.ipynb`` (e.g. from a batch's report folder) and runs
``helpers.batch.export.export_notebook`` ``--repeat`` times into a temporary folder: the
mean CPU seconds per export and the page's size.

Usage::

    .venv/bin/python bench/export_page.py reports/national/35/2024/35.01/report.ipynb --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    import nbformat

    from helpers.batch import export

    nav = export.Nav(index="../../index.html", overview="../index.html",
                     twin="index.en.html", twin_exists=False)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "index.html"
        export.export_notebook(nbformat.read(str(args.notebook), as_version=4), page, nav=nav)
        started = time.process_time()
        for _ in range(args.repeat):
            export.export_notebook(nbformat.read(str(args.notebook), as_version=4), page,
                                   nav=nav)
        seconds = (time.process_time() - started) / args.repeat
        print(f"{args.notebook}: export {seconds:.2f} CPU-s per run (mean of {args.repeat}), "
              f"page {page.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
