"""The small multiples of a province, drawn once and marked for each regency report.

Every regency report shows the monthly coverage of every kab/kota of its province as
small multiples (:func:`helpers.report.comparison.small_multiples`) with its own panel
marked: the accent colour for its line, its title in bold. The chart is the same for every
report of the province but for that mark, and it is the costliest of a report: in Jawa
Timur two charts of 38 panels took about 4 of a report's 9.5 CPU seconds.

So a process draws the chart of a province twice, once with no panel marked and once with
every panel marked, and keeps both as SVG (:data:`CACHE_SIZE` charts). A report's chart is
the first drawing with its own panel's line and title taken from the second. The layout
does not depend on the mark (a panel title is wrapped when its bold form would not fit),
and the glyphs every title uses are gathered in one ``<defs>`` (matplotlib writes each
glyph once, inside the first text that uses it), so the result is the SVG that drawing
the chart with only that panel marked gives (``tests/test_marked_charts.py`` compares them).

The batch's workers reuse one kernel from report to report, so the 38 reports of Jawa
Timur draw the chart twice per worker instead of 38 times.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

import matplotlib
import pandas as pd

from helpers.data import reference
from helpers.report import chart_output, comparison

__all__ = ["CACHE_SIZE", "dot_plot_html", "gather_glyphs", "small_multiples_html"]

#: Province charts (drawn pairs) a process keeps; a batch renders a province at a time.
CACHE_SIZE = 8

_GLYPH_DEFS = re.compile(r'<defs>((?:<path id="[^"]+"[^>]*/>)+)</defs>')
_PATH = re.compile(r'<path id="([^"]+)"[^>]*/>')
_REFERENCE = re.compile(r'(?:xlink:)?href="#([^"]+)"')
_GROUP_TAG = re.compile(r"<g\b[^>]*?(/?)>|</g>")


class _Drawings:
    """A chart of a province drawn with no region marked and (once a report asks for a
    mark) with every region marked.

    ``draw(highlight)`` draws the chart with ``highlight`` (None, or a list of codes)
    marked; ``codes`` are the regions it can mark; ``ids(code)`` the SVG groups that
    change when ``code`` is marked.
    """

    def __init__(self, draw, codes: list[str], ids) -> None:
        self.draw, self.codes, self.ids = draw, codes, ids
        figure = draw(None)
        self.plain, self.glyphs = _take_glyphs(chart_output.to_svg(figure))
        self.smallest_text_px = chart_output.min_text_px(figure)
        self._marked: dict[str, str] | None = None  # id → a group of the region, marked

    def svg(self, highlight: str | None) -> str:
        body = self.plain
        if highlight is not None:
            marked = self.marked()
            for group_id in self.ids(highlight):
                if group_id in marked:  # a region that is not drawn: nothing to mark
                    start, end = _group_span(body, group_id)
                    body = body[:start] + marked[group_id] + body[end:]
        return _with_glyphs(body, self.glyphs)

    def marked(self) -> dict[str, str]:
        if self._marked is None:
            drawn, glyphs = _take_glyphs(chart_output.to_svg(self.draw(self.codes)))
            self.glyphs = {**self.glyphs, **glyphs}
            self._marked = {}
            for code in self.codes:
                for group_id in self.ids(code):
                    if f'<g id="{group_id}"' in drawn:  # a region with no rows has no line
                        start, end = _group_span(drawn, group_id)
                        self._marked[group_id] = drawn[start:end]
        return self._marked


_CACHE: OrderedDict = OrderedDict()  # key → _Drawings, least recently used first


def small_multiples_html(trends: pd.DataFrame, lang: str, column: str,
                         highlight: str | None, alt: str) -> str:
    """The small multiples of ``trends`` with ``highlight``'s panel marked, as the page's
    ``<figure>`` (:func:`helpers.report.chart_output.figure_html`).

    The same HTML as ``figure_html(small_multiples(trends, lang, column=column,
    highlight=highlight), alt)``; the province's drawings are made once per process.
    """
    return _html(_small_multiples(trends, lang, column), highlight, alt)


def dot_plot_html(indicators: pd.DataFrame, indicator_id: str, lang: str, *,
                  thresholds, highlight: str | None, alt: str,
                  caption: str | None = None) -> str:
    """The dot plot of every kab/kota with ``highlight``'s dot and name marked, as the
    page's ``<figure>``: the same HTML as ``figure_html(dot_plot(indicators, indicator_id,
    lang, thresholds=thresholds, highlight=highlight), alt, caption)``, the province's
    drawings made once per process."""
    return _html(_dot_plot(indicators, indicator_id, lang, thresholds), highlight, alt,
                 caption)


def gather_glyphs(svg: str) -> str:
    """An SVG of :func:`helpers.report.chart_output.to_svg` with every glyph it uses
    defined once, in one ``<defs>`` at its start: the form this module writes (the
    drawing is the same)."""
    body, glyphs = _take_glyphs(svg)
    return _with_glyphs(body, glyphs)


# =========================================================================== internals


def _small_multiples(trends: pd.DataFrame, lang: str, column: str) -> _Drawings:
    trends = trends.copy()
    codes = comparison.panel_codes(trends)

    def draw(marked):
        return comparison.small_multiples(trends, lang, column=column, highlight=marked)
    key = ("small_multiples", _digest(trends), lang, column, _names(codes), _settings())
    return _drawings(key, draw, codes, comparison.panel_ids)


def _dot_plot(indicators: pd.DataFrame, indicator_id: str, lang: str,
              thresholds) -> _Drawings:
    indicators, thresholds = indicators.copy(), list(thresholds)
    codes = comparison.dot_codes(indicators, indicator_id)

    def draw(marked):
        return comparison.dot_plot(indicators, indicator_id, lang, thresholds=thresholds,
                                   highlight=marked)
    key = ("dot_plot", _digest(indicators), indicator_id, lang, repr(thresholds),
           _names(codes), _settings())
    return _drawings(key, draw, codes, comparison.dot_ids)


def _drawings(key: tuple, draw, codes: list[str], ids) -> _Drawings:
    """The drawings of ``key`` (what they depend on), made now if this process has not
    kept them."""
    if key in _CACHE:
        _CACHE.move_to_end(key)
    else:
        _CACHE[key] = _Drawings(draw, codes, ids)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return _CACHE[key]


def _html(drawings: _Drawings, highlight: str | None, alt: str,
          caption: str | None = None) -> str:
    svg = drawings.svg(highlight)
    if len(svg.encode("utf-8")) > chart_output.SVG_MAX_BYTES:  # drawn as a PNG: directly
        return chart_output.figure_html(drawings.draw(highlight), alt, caption)
    return chart_output.svg_figure_html(svg, alt, drawings.smallest_text_px, caption)


def _digest(frame: pd.DataFrame) -> str:
    """The data a drawing depends on."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    digest.update(repr(list(frame.columns)).encode())
    return digest.hexdigest()


def _names(codes: list[str]) -> tuple[str, ...]:
    """The regions' names (they depend on the reference set)."""
    return tuple(reference.region_name(code) for code in codes)


def _settings() -> str:
    """matplotlib's settings (the theme)."""
    return hashlib.sha256(repr(sorted(matplotlib.rcParams.items())).encode()).hexdigest()


def _take_glyphs(svg: str) -> tuple[str, dict[str, str]]:
    """The SVG without its glyph definitions, and those definitions by id."""
    glyphs: dict[str, str] = {}

    def take(match: re.Match) -> str:
        glyphs.update((path.group(1), path.group(0)) for path in _PATH.finditer(match.group(1)))
        return ""
    return _GLYPH_DEFS.sub(take, svg), glyphs


def _with_glyphs(body: str, glyphs: dict[str, str]) -> str:
    """The SVG body with the glyphs it refers to defined right after ``<svg …>``."""
    used = sorted(set(_REFERENCE.findall(body)) & glyphs.keys())
    opening = body.index(">", body.index("<svg")) + 1
    return body[:opening] + "<defs>" + "".join(glyphs[i] for i in used) + "</defs>" \
        + body[opening:]


def _group_span(svg: str, group_id: str) -> tuple[int, int]:
    """Start and end of the ``<g id="group_id">`` element, nested groups included."""
    start = svg.index(f'<g id="{group_id}"')
    depth = 0
    for tag in _GROUP_TAG.finditer(svg, start):
        if tag.group(0) == "</g>":
            depth -= 1
        elif not tag.group(1):  # not self-closing
            depth += 1
        if depth == 0:
            return start, tag.end()
    raise ValueError(f"unclosed group {group_id}")
