"""The small multiples of a province drawn once and marked per report (marked_charts)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex

from helpers.data import reference
from helpers.report import chart_output, comparison, marked_charts


def _trends(scale: float = 1.0) -> pd.DataFrame:
    """Monthly TK and JKN counts of every NTB kab/kota over 2024, as coverage rates."""
    codes = reference.kabkota_codes("52")
    months = [(pd.Timestamp(2024, m, 1) + pd.offsets.MonthEnd(0)).date() for m in range(1, 13)]
    rows = [{"region_code": code, "month_end": month, "members": 0,
             "active": int(scale * (1_000 * (i + 1) + 37 * m + (i * m) % 11))}
            for i, code in enumerate(codes) for m, month in enumerate(months)]
    trend = pd.DataFrame(rows)
    bundle = {"meta": {"region_codes": codes, "province_code": "52"},
              "trend_tk": trend, "trend_jkn": trend.assign(members=trend["active"])}
    return comparison.coverage_rate_trends(bundle)


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.setattr(marked_charts, "_CACHE", type(marked_charts._CACHE)())


def _direct(trends, lang, column, highlight) -> str:
    return marked_charts.gather_glyphs(chart_output.to_svg(
        comparison.small_multiples(trends, lang, column=column, highlight=highlight)))


@pytest.mark.parametrize(("lang", "column"), [("id", "tk_coverage"), ("en", "jkn_coverage")])
def test_a_marked_panel_is_exactly_the_chart_drawn_with_that_region_marked(lang, column):
    trends = _trends()
    codes = reference.kabkota_codes("52")
    drawings = marked_charts._small_multiples(trends, lang, column)
    for highlight in (None, codes[0], "52.02", codes[-1]):
        assert drawings.svg(highlight) == _direct(trends, lang, column, highlight), highlight


def test_only_the_region_s_own_panel_is_marked():
    trends = _trends()
    svg = marked_charts._small_multiples(trends, "id", "tk_coverage").svg("52.02")
    accent, plain = (to_hex(c) for c in comparison.plots.colours(3)[:2][::-1])

    def group(group_id: str) -> str:
        start, end = marked_charts._group_span(svg, group_id)
        return svg[start:end]
    for code in reference.kabkota_codes("52"):
        line_id, title_id = comparison.panel_ids(code)
        own = code == "52.02"
        assert (accent.lower() in group(line_id).lower()) == own, code
        assert (plain.lower() in group(line_id).lower()) != own, code
        assert ("Bold" in group(title_id)) == own, code  # the title's glyphs: DejaVuSans-Bold-…
    # every glyph a title refers to is defined, once
    defined = re.findall(r'<path id="([^"]+)"', svg)
    assert len(defined) == len(set(defined))
    assert set(re.findall(r'xlink:href="#([^"]+)"', svg)) <= set(defined) | set(
        re.findall(r'\bid="([^"]+)"', svg))


def test_a_province_is_drawn_twice_for_all_its_reports(monkeypatch):
    drawn = []
    original = comparison.small_multiples
    monkeypatch.setattr(comparison, "small_multiples",
                        lambda *a, **k: drawn.append(k.get("highlight")) or original(*a, **k))
    trends = _trends()
    pages = [marked_charts.small_multiples_html(trends, "id", "tk_coverage", code, "alt")
             for code in [None, *reference.kabkota_codes("52")]]
    assert len(drawn) == 2 and drawn[0] is None and len(drawn[1]) == 10
    assert len(set(pages)) == 11  # one chart per report, each marked differently
    # the HTML of drawing the report's own chart, with its glyphs gathered
    figure = original(trends, "id", column="tk_coverage", highlight="52.03")
    svg = marked_charts.gather_glyphs(chart_output.to_svg(figure))
    assert pages[3] == chart_output.svg_figure_html(svg, "alt", chart_output.min_text_px(figure))


def test_other_data_language_or_column_is_drawn_again():
    first = marked_charts._small_multiples(_trends(), "id", "tk_coverage")
    assert marked_charts._small_multiples(_trends(), "id", "tk_coverage") is first
    assert marked_charts._small_multiples(_trends(scale=1.1), "id", "tk_coverage") is not first
    assert marked_charts._small_multiples(_trends(), "en", "tk_coverage") is not first
    assert marked_charts._small_multiples(_trends(), "id", "jkn_coverage") is not first


def test_a_region_without_a_panel_gets_the_unmarked_chart():
    trends = _trends()
    drawings = marked_charts._small_multiples(trends, "id", "tk_coverage")
    assert drawings.svg("53.01") == drawings.svg(None) == _direct(trends, "id", "tk_coverage",
                                                                  None)


def test_panel_titles_are_wrapped_as_if_bold_so_a_mark_never_moves_the_panels(monkeypatch):
    """Names of every length from short to too long: some fit in regular weight but not in
    bold, and are wrapped whether or not their panel is marked."""
    trends = _trends()
    trends = trends[trends["region_code"].isin(["52.01", "52.02", "52"])]
    wrapped = set()
    for length in range(8, 24):  # one of them (15 characters) fits in regular weight only
        monkeypatch.setattr(comparison.reference, "region_name",
                            lambda code, n=length: ("Kota " + "Mataramku" * 5)[:n])
        plain = comparison.small_multiples(trends, "id", column="tk_coverage")
        marked = comparison.small_multiples(trends, "id", column="tk_coverage",
                                            highlight=["52.01", "52.02"])
        titles = [a.get_title(loc="left") for a in plain.axes if a.axison]
        assert titles == [a.get_title(loc="left") for a in marked.axes if a.axison], length
        assert [a.get_position().bounds for a in plain.axes] == \
            [a.get_position().bounds for a in marked.axes], length
        wrapped.add("\n" in titles[0])
    assert wrapped == {True, False}


def test_a_region_without_values_is_marked_like_any_other():
    trends = _trends()
    trends.loc[trends["region_code"] == "52.03", "tk_coverage"] = float("nan")
    drawings = marked_charts._small_multiples(trends, "id", "tk_coverage")
    assert drawings.svg("52.03") == _direct(trends, "id", "tk_coverage", "52.03")


# =========================================================================== dot plots


def _indicators(indicator_id: str = "jkn_coverage") -> pd.DataFrame:
    """An indicator of every NTB kab/kota (Kota Mataram's name is the longest)."""
    codes = reference.kabkota_codes("52")
    return pd.DataFrame({"region_code": codes, "indicator_id": indicator_id,
                         "value": [0.62 + 0.031 * i for i in range(len(codes))],
                         "numerator": [620 + 31 * i for i in range(len(codes))],
                         "denominator": 1000})


def _direct_dot(indicators, lang, highlight, thresholds=()) -> str:
    return marked_charts.gather_glyphs(chart_output.to_svg(comparison.dot_plot(
        indicators, "jkn_coverage", lang, thresholds=thresholds, highlight=highlight)))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_marked_dot_is_exactly_the_dot_plot_drawn_with_that_region_marked(lang):
    indicators = _indicators()
    thresholds = [(0.98, "compare.threshold_uhc")]
    drawings = marked_charts._dot_plot(indicators, "jkn_coverage", lang, thresholds)
    codes = reference.kabkota_codes("52")
    for highlight in (None, codes[0], "52.71", codes[-1], "53.01"):
        assert drawings.svg(highlight) == _direct_dot(indicators, lang, highlight,
                                                      thresholds), highlight


def test_only_the_region_s_own_dot_and_name_are_marked():
    svg = marked_charts._dot_plot(_indicators(), "jkn_coverage", "id", []).svg("52.02")
    accent, plain = (to_hex(c) for c in comparison.plots.colours(2)[::-1])
    for code in reference.kabkota_codes("52"):
        dot_id, name_id = comparison.dot_ids(code)
        start, end = marked_charts._group_span(svg, dot_id)
        own = code == "52.02"
        assert (accent.lower() in svg[start:end].lower()) == own, code
        assert (plain.lower() in svg[start:end].lower()) != own, code
        start, end = marked_charts._group_span(svg, name_id)
        assert ("Bold" in svg[start:end]) == own, code


def test_a_mark_never_moves_the_dot_plot():
    """The layout is made with every name bold, so marking one name, or all of them (each
    wider in bold), moves nothing."""
    indicators = _indicators()
    boxes = []
    for highlight in (None, "52.71", reference.kabkota_codes("52")):
        figure = comparison.dot_plot(indicators, "jkn_coverage", "id", highlight=highlight)
        boxes.append([a.get_position().bounds for a in figure.axes])
    assert boxes[0] == boxes[1] == boxes[2]


def test_a_province_s_dot_plot_is_drawn_twice_for_all_its_reports(monkeypatch):
    drawn = []
    original = comparison.dot_plot
    monkeypatch.setattr(comparison, "dot_plot",
                        lambda *a, **k: drawn.append(k.get("highlight")) or original(*a, **k))
    indicators = _indicators()
    for code in reference.kabkota_codes("52"):
        marked_charts.dot_plot_html(indicators, "jkn_coverage", "id", thresholds=[],
                                    highlight=code, alt=code)
    assert drawn == [None, reference.kabkota_codes("52")]
