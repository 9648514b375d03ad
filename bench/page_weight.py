"""Measure: what the palette PNGs save on report pages rendered before them.

Re-encodes every embedded PNG (``data:image/png;base64,…``) of the given pages with
``helpers.report.chart_output.palette_png`` and prints each page's size before and after,
and the CPU time of the re-encoding. The pages themselves are not changed.

Usage (e.g. on the province overviews of a national batch rendered before the change)::

    .venv/bin/python bench/page_weight.py reports/national/*/2024/index.html reports/national/index.html
"""

from __future__ import annotations

import base64
import re
import sys
import time
from pathlib import Path

_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def main(argv: list[str] | None = None) -> int:
    from helpers.report.chart_output import palette_png

    pages = sorted((Path(p) for p in (argv if argv is not None else sys.argv[1:])),
                   key=lambda p: p.stat().st_size, reverse=True)
    if not pages:
        print(__doc__)
        return 2
    cpu = 0.0
    images = 0

    def recode(match: re.Match) -> str:
        nonlocal cpu, images
        started = time.process_time()
        data = palette_png(base64.b64decode(match.group(1)))
        cpu += time.process_time() - started
        images += 1
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    for page in pages:
        text = page.read_text(encoding="utf-8")
        after = _PNG.sub(recode, text)
        print(f"{page}: {len(text.encode()) / 1e6:.2f} MB → {len(after.encode()) / 1e6:.2f} MB")
    print(f"{images} PNGs re-encoded in {cpu:.2f} CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
