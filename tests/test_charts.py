"""The charts read right: exact percent ticks, 'other' last, rates beside counts, a UHC chart
whose labels cover no data, titles that do not run together, and inline SVG that stays
legible on a phone (issue 14, item 8); parameter typos get the closest names (item 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.batch.parameters import closest_names, validate_parameters
from helpers.data import reference
from helpers.errors import ParameterError
from helpers.report import chart_output, formatting, i18n, plots

ROOT = Path(__file__).resolve().parents[1]
REGENCY = ROOT / "notebooks" / "regency_report.ipynb"


def _renderer(figure: Figure):
    chart_output.fit_titles(figure)  # attaches a canvas and lays the figure out
    return figure.canvas.get_renderer()


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


# =========================================================================== ticks


@pytest.mark.parametrize(("values", "digits", "expected"), [
    ([0.97, 0.98, 0.99], None, 0), ([0.975, 0.98], None, 1), ([0.9825], 0, 2),
    ([0.5], 1, 1), ([0.123456], None, 3)])
def test_percent_places_show_every_value_exactly(values, digits, expected):
    assert plots.percent_places(values, digits) == expected


@pytest.mark.parametrize(("low", "high"), [(0.965, 0.99), (0.86, 0.99), (0.0, 1.1),
                                           (0.97, 1.0), (0.155, 0.27), (0.004, 0.031)])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_percent_tick_labels_equal_their_ticks(low, high, lang):
    figure = Figure(figsize=(8, 3))
    axes = figure.add_subplot()
    axes.plot([0, 1], [low, high])
    axes.set_ylim(low, high)
    plots._percent_axis(axes.yaxis, lang)
    _renderer(figure)
    shown = [(tick, label.get_text()) for tick, label in
             zip(axes.get_yticks(), axes.get_yticklabels()) if low - 1e-9 <= tick <= high + 1e-9]
    assert len(shown) >= 2
    for tick, text in shown:
        number = float(text.rstrip("%").replace(".", "").replace(",", ".")
                       if lang == "id" else text.rstrip("%").replace(",", ""))
        assert number == pytest.approx(tick * 100, abs=1e-6), (tick, text)


# =========================================================================== breakdowns


def _occupation() -> pd.DataFrame:
    return pd.DataFrame({"occupation": ["other", "non_asn_staff", "fisher", "total"],
                         "members": [1200, 136, 9, 1345], "active": [1000, 136, 9, 1145]})


@pytest.mark.parametrize("lang", ["id", "en"])
def test_other_comes_last_even_when_largest(lang):
    figure = plots.active_by_group(_occupation(), "occupation", lang)
    names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert names[-1] == i18n.label("occupation", "other", lang)
    assert names[0] == i18n.label("occupation", "non_asn_staff", lang)


def test_unknown_kecamatan_comes_last():
    rows = pd.DataFrame({"district_code": ["unknown", "52.02.01", "52.02.02", "total"],
                         "district_name": ["", "Praya", "Jonggat", ""],
                         "members": [900, 20, 30, 950], "active": [800, 10, 25, 835]})
    figure = plots.active_by_group(rows, "district_code", "en", name_column="district_name")
    names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert names[:2] == ["Jonggat", "Praya"] and len(names) == 3


def _texts(axes) -> list[str]:
    return [t.get_text().strip() for t in axes.texts]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_counts_by_sex_and_age_come_with_the_active_rate(lang):
    sex = pd.DataFrame({"sex": ["L", "P", "total"], "members": [200, 100, 300],
                        "active": [150, "<5", 152]})
    figure = plots.active_by_group(sex, "sex", lang)
    counts, rates = figure.axes
    assert rates.get_xlabel() == i18n.translate("chart.rate_active", lang)
    assert _texts(rates) == [formatting.format_percent(0.75, lang, 1)]  # 150 / 200
    age = pd.DataFrame({"age_group": ["15-24", "25-34", "total"], "members": [40, 50, 90],
                        "active": [10, "<5", 12]})
    figure = plots.active_by_group(age, "age_group", lang)
    assert len(figure.axes) == 2 and figure.axes[1].texts[0].get_text().strip() == \
        formatting.format_percent(0.25, lang, 1)


def test_kecamatan_chart_pairs_counts_with_coverage():
    rows = pd.DataFrame({"district_code": ["52.02.01", "52.02.02", "total"],
                         "district_name": ["Praya", "Jonggat", ""],
                         "members": [120, 90, 210], "active": [100, 80, 180],
                         "tk_coverage_potential": [0.503638, "x", 0.45]})
    figure = plots.active_by_group(rows, "district_code", "id", name_column="district_name")
    counts, rates = figure.axes
    assert rates.get_xlabel() == i18n.translate("chart.rate_coverage_potential", "id")
    assert _texts(rates) == ["50,4%", "–"]  # a hidden rate is a dash, not a bar


def test_a_count_without_a_denominator_stays_one_panel():
    rows = pd.DataFrame({"segment": ["PU", "total"], "active": [100, 100]})
    assert len(plots.active_by_group(rows, "segment", "en").axes) == 1


# =========================================================================== UHC position


VALUES = {"jkn_coverage": 0.9899, "jkn_active_rate": 0.804, "jkn_pemda_share": 0.192}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_uhc_position_zooms_each_measure_and_labels_every_minimum(lang):
    thresholds = reference.thresholds(2024)
    figure = plots.uhc_position(VALUES, thresholds, lang)
    panels = [a for a in figure.axes]
    assert len(panels) == 3
    low, high = panels[0].get_xlim()
    assert 0.9 <= low < 0.98 and 0.99 < high <= 1.02  # zoomed near the thresholds
    coverage = " ".join(_texts(panels[0]))
    assert formatting.format_percent(0.98, lang, 0) in coverage
    assert formatting.format_percent(0.99, lang, 0) in coverage
    assert "Pratama" in coverage and "Madya" in coverage  # Pratama not hidden under Madya
    active = " ".join(_texts(panels[1]))
    for minimum in (0.80, 0.85, 0.95):
        assert formatting.format_percent(minimum, lang, 0) in active


def test_uhc_legend_and_labels_cover_no_data():
    figure = plots.uhc_position(VALUES, reference.thresholds(2024), "en")
    renderer = _renderer(figure)
    legend = figure.legends[0].get_window_extent(renderer)
    for axes in figure.axes:
        assert not _overlap(legend, axes.get_window_extent(renderer))
        dots = [c.get_window_extent(renderer) for c in axes.collections]
        labels = [t.get_window_extent(renderer) for t in axes.texts
                  if "≥" in t.get_text()]
        for dot in dots:
            assert not any(_overlap(dot, label) for label in labels)
        for index, first in enumerate(labels):
            assert not any(_overlap(first, other) for other in labels[index + 1:])


def test_uhc_thresholds_group_categories_sharing_a_value():
    lines = dict(plots.uhc_thresholds(reference.thresholds(2024), "min_coverage", "en"))
    assert lines[0.98] == "UHC, Pratama, Madya" and lines[0.99] == "UHC Utama"


# =========================================================================== titles


def test_english_trend_titles_do_not_run_together():
    trend = pd.DataFrame({"month_end": pd.date_range("2022-01-31", periods=36, freq="ME"),
                          "tk_active": range(100_000, 136_000, 1000),
                          "jkn_coverage": [0.86 + i * 0.0036 for i in range(36)]})
    figure = plots.trend(trend, "en")
    renderer = _renderer(figure)
    left, right = figure.axes
    left_box = left._left_title.get_window_extent(renderer)
    right_box = right._left_title.get_window_extent(renderer)
    assert left_box.x1 < right_box.x0, (left.get_title(loc="left"), right.get_title(loc="left"))
    assert " ".join(left.get_title(loc="left").split()) == \
        i18n.translate("chart.trend_tk", "en")  # wrapped, not cut


# =========================================================================== output


def test_figure_html_is_inline_svg_with_a_label_and_a_legible_width():
    figure = plots.active_by_group(_occupation(), "occupation", "id")
    text = plots.figure_html(figure, "alt <x>", "caption")
    assert text.startswith('<figure class="chart" data-min-text-px="')
    assert '<div class="chart-scroll"><svg role="img" aria-label="alt &lt;x&gt;"' in text
    assert "<title>alt &lt;x&gt;</title>" in text and "<figcaption>caption" in text
    assert "<?xml" not in text and "<!DOCTYPE" not in text and "<metadata" not in text
    width = float(re.search(r'<svg[^>]*\bwidth="(\d+)"', text).group(1))
    min_width = float(re.search(r'min-width:(\d+)px', text).group(1))
    smallest = float(re.search(r'data-min-text-px="([\d.]+)"', text).group(1))
    assert smallest >= 9  # 7 pt or more everywhere
    # at its minimum width, the smallest text is still 9 CSS pixels high
    assert smallest * min_width / width >= chart_output.MIN_TEXT_PX - 0.05
    assert min_width < width  # it may shrink on a tablet, it scrolls on a phone


def test_two_charts_on_one_page_share_no_id():
    first = plots.figure_html(plots.active_by_group(_occupation(), "occupation", "id"), "a")
    second = plots.figure_html(plots.uhc_position(VALUES, reference.thresholds(2024), "id"),
                               "b")
    ids = lambda text: set(re.findall(r'\bid="([^"]+)"', text))  # noqa: E731
    assert ids(first) and ids(second) and not ids(first) & ids(second)
    for text in (first, second):
        refs = set(re.findall(r'href="#([^"]+)"', text)) | set(re.findall(r"url\(#([^)]+)\)",
                                                                           text))
        assert refs <= ids(text)  # every reference resolves inside its own chart


def test_the_same_chart_gives_the_same_html():
    html = [plots.figure_html(plots.active_by_group(_occupation(), "occupation", "en"), "a")
            for _ in range(2)]
    assert html[0] == html[1]


def test_a_heavy_figure_falls_back_to_png(monkeypatch):
    monkeypatch.setattr(chart_output, "SVG_MAX_BYTES", 100)
    text = plots.figure_html(plots.active_by_group(_occupation(), "occupation", "en"), "a")
    assert '<div class="chart-scroll"><img src="data:image/png;base64,' in text
    assert 'alt="a"' in text and "min-width:" in text


def test_png_charts_are_palette_pngs_whose_flat_colours_are_exact():
    """A map-like chart (flat fills, anti-aliased edges, more than 256 colours) becomes an
    8-bit palette PNG: smaller, and every fill colour the same as drawn."""
    import io

    import numpy as np
    from matplotlib.patches import Circle
    from PIL import Image

    figure = Figure(figsize=(4, 3))
    axes = figure.add_subplot()
    fills = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9"]
    for index, colour in enumerate(fills):
        axes.add_patch(Circle((0.15 + 0.17 * index, 0.5), 0.12, facecolor=colour,
                              edgecolor="white"))
    axes.text(0.5, 0.9, "Peta cakupan · 12,5 %", ha="center")
    full = io.BytesIO()
    figure.savefig(full, format="png", dpi=chart_output.DPI)
    drawn = Image.open(io.BytesIO(full.getvalue())).convert("RGB")
    assert len(drawn.getcolors(1 << 24)) > chart_output.PNG_COLOURS
    data = chart_output.to_png(figure)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "P" and len(data) < len(full.getvalue())
    kept = {colour for _, colour in image.convert("RGB").getcolors(1 << 24)}
    for colour in fills:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in kept, colour
    # a PNG with see-through pixels keeps its true alpha
    see_through = io.BytesIO()
    Image.fromarray(np.zeros((4, 4, 4), dtype=np.uint8), "RGBA").save(see_through, "PNG")
    assert chart_output.palette_png(see_through.getvalue()) == see_through.getvalue()


# =========================================================================== typos


NAMES = ["region_code", "period", "lang", "labour_denominator", "population_vintage",
         "grace_months", "data_dir", "output_dir", "engine"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("regoin", "region_code"), ("region", "region_code"), ("regoin_code", "region_code"),
    ("grace_mnths", "grace_months"), ("lnag", "lang"), ("vintage", "population_vintage"),
    ("denominator", "labour_denominator"), ("engnie", "engine")])
def test_typos_get_the_closest_parameter_name(typed, expected):
    assert closest_names(typed, NAMES)[0] == expected


def test_unknown_names_far_from_all_get_no_suggestion():
    assert closest_names("xyz", NAMES) == []


def test_a_typo_is_one_line_with_the_suggestion(capsys, tmp_path):
    from helpers import cli

    out = tmp_path / "reports"
    assert cli.main(["report", "--region", "52.02", "--out", str(out),
                     "-p", "regoin=52.02"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'region_code'?" in lines[0], lines
    assert "engine'?" not in lines[0] and "Traceback" not in lines[0]
    assert not out.exists()


def test_another_notebooks_parameter_is_named_as_such():
    with pytest.raises(ParameterError, match="'cover_share' is a parameter of "
                                             "budget_scenarios.ipynb"):
        validate_parameters(REGENCY, {"cover_share": 0.5})


def test_ranking_zooms_when_the_regions_are_a_few_points_apart():
    rows = pd.DataFrame({"region_code": ["52.01", "52.02", "52.03"],
                         "region_name": ["A", "B", "C"],
                         "jkn_coverage": [1.019, 0.99, 0.968]})
    figure = plots.ranking(rows, "jkn_coverage", "id", province_value=0.982, target=0.98)
    axes = figure.axes[0]
    low, high = axes.get_xlim()
    assert 0.9 < low < 0.968 and 1.019 < high < 1.06
    assert axes.get_xlabel() == i18n.translate("compare.zoomed_axis", "id")
    assert not axes.patches  # dots, not bars cut from their zero
    spread = pd.DataFrame({"region_code": ["52.01", "52.02"], "region_name": ["A", "B"],
                           "tk_coverage": [0.2, 0.5]})
    figure = plots.ranking(spread, "tk_coverage", "id", province_value=0.35)
    assert figure.axes[0].get_xlim()[0] <= 0 and figure.axes[0].patches
