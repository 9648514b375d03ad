"""Comparison helpers on a few hand-made indicator rows: rank, province value, gap, sentences, charts."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.report import comparison


def indicator_rows(values: dict[str, tuple[float, int, int]], indicator_id="tk_coverage"):
    """Long indicator rows: region → (value, numerator, denominator)."""
    return pd.DataFrame({
        "region_code": list(values), "indicator_id": indicator_id,
        "value": [v for v, _, _ in values.values()],
        "numerator": [n for _, n, _ in values.values()],
        "denominator": [d for _, _, d in values.values()],
        "unit": "fraction"})


ROWS = indicator_rows({"52.01": (0.5, 50, 100), "52.02": (0.3, 60, 200), "52.03": (0.4, 40, 100)})


def test_province_value_is_the_ratio_of_the_sums():
    assert comparison.province_value(ROWS, "tk_coverage") == pytest.approx(150 / 400)


def test_region_position_rank_gap_and_best():
    result = comparison.region_position(ROWS, "52.02", "tk_coverage")
    expected = {"indicator_id": "tk_coverage", "region_code": "52.02", "value": 0.3, "rank": 3,
                "region_count": 3, "province_value": 0.375, "gap_to_province": -0.075,
                "best_region_code": "52.01", "best_region_name": "Lombok Barat",
                "best_value": 0.5, "gap_to_best": 0.2}
    assert result.keys() == expected.keys()
    for key, value in expected.items():
        assert result[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_the_best_region_is_rank_one_with_no_gap_and_ties_share_a_rank():
    tied = indicator_rows({"52.01": (0.5, 5, 10), "52.02": (0.5, 10, 20), "52.03": (0.1, 1, 10)})
    best = comparison.region_position(tied, "52.02", "tk_coverage")
    assert (best["rank"], best["gap_to_best"]) == (1, 0.0)
    assert best["best_region_code"] == "52.01"  # ties broken by code
    assert comparison.region_position(tied, "52.03", "tk_coverage")["rank"] == 3


@pytest.mark.parametrize(("region", "indicator", "message"), [
    ("52.99", "tk_coverage", "52.99 is not in the indicator frame"),
    ("52.01", "jkn_coverage", "'jkn_coverage' is not in the frame"),
])
def test_bad_region_or_indicator_is_refused(region, indicator, message):
    with pytest.raises(ParameterError, match=message):
        comparison.region_position(ROWS, region, indicator)


def test_region_without_a_value_cannot_be_ranked():
    rows = indicator_rows({"52.01": (0.5, 5, 10), "52.02": (math.nan, 0, 0)})
    with pytest.raises(ParameterError, match="no value"):
        comparison.region_position(rows, "52.02", "tk_coverage")


def test_leaders_and_laggards():
    leaders, laggards = comparison.leaders_laggards(ROWS, "tk_coverage", count=2)
    assert list(leaders["region_code"]) == ["52.01"]  # 3 regions: one each side
    assert list(laggards["region_code"]) == ["52.02"]
    four = indicator_rows({"52.01": (0.5, 5, 10), "52.02": (0.3, 3, 10),
                           "52.03": (0.4, 4, 10), "52.71": (0.6, 6, 10)})
    leaders, laggards = comparison.leaders_laggards(four, "tk_coverage", count=2)
    assert list(leaders["region_name"]) == ["Kota Mataram", "Lombok Barat"]
    assert list(laggards["region_name"]) == ["Lombok Tengah", "Lombok Timur"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Cakupan BPJS Ketenagakerjaan tertinggi di Lombok Barat (50,0%); terendah di "
           "Lombok Tengah (30,0%). Nilai provinsi 37,5%."),
    ("en", "BPJS Ketenagakerjaan coverage is highest in Lombok Barat (50.0%) and lowest in "
           "Lombok Tengah (30.0%). The province value is 37.5%."),
])
def test_leaders_laggards_sentence(lang, expected):
    assert comparison.leaders_laggards_sentence(ROWS, "tk_coverage", lang) == expected


@pytest.mark.parametrize(("region", "lang", "expected"), [
    ("52.02", "id", "Cakupan BPJS Ketenagakerjaan Lombok Tengah 30,0%: peringkat 3 dari 3 "
                    "kabupaten/kota; nilai provinsi 37,5%; 20,0 poin persen di bawah Lombok "
                    "Barat (50,0%), yang tertinggi."),
    ("52.01", "en", "Lombok Barat's BPJS Ketenagakerjaan coverage is 50.0%: rank 1 of 3 "
                    "regencies/cities, the highest in the province; the province value is 37.5%."),
])
def test_position_sentence(region, lang, expected):
    position = comparison.region_position(ROWS, region, "tk_coverage")
    assert comparison.position_sentence(position, lang) == expected


def test_region_positions_one_row_per_indicator():
    rows = pd.concat([ROWS, indicator_rows({"52.01": (0.99, 99, 100), "52.02": (0.97, 97, 100),
                                            "52.03": (0.98, 98, 100)}, "jkn_coverage")])
    result = comparison.region_positions(rows, "52.03")
    assert list(result["indicator_id"]) == ["tk_coverage", "jkn_coverage"]
    assert list(result["rank"]) == [2, 2]


def test_dot_plot_zooms_the_axis_and_draws_the_lines():
    rows = indicator_rows({"52.01": (0.99, 99, 100), "52.02": (0.97, 97, 100),
                           "52.03": (0.985, 98, 100)}, "jkn_coverage")
    figure = comparison.dot_plot(rows, "jkn_coverage", "id", highlight="52.02",
                                 thresholds=comparison.thresholds_for("jkn_coverage", 2024))
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    low, high = axes.get_xlim()
    assert 0.9 < low < 0.97 and 0.99 < high < 1.05  # zoomed, not 0-100 %
    labels = [t.get_text() for t in figure.legends[0].get_texts()]  # under the axis label
    assert labels[0].startswith("Provinsi") and labels[1] == "Syarat UHC 98%"
    assert [t.get_text() for t in axes.get_yticklabels()] == [
        "Lombok Tengah", "Lombok Timur", "Lombok Barat"]


def test_thresholds_for():
    assert comparison.thresholds_for("jkn_active_rate", 2024) == [(0.8, "compare.threshold_active")]
    assert comparison.thresholds_for("tk_coverage", 2024) == []


def _bundle():
    months = [dt.date(2024, 11, 30), dt.date(2024, 12, 31)]
    trend = pd.DataFrame({"region_code": ["52.01", "52.01", "52.02", "52.02"],
                          "month_end": months * 2, "members": [10, 12, 20, 22],
                          "active": [100, 110, 200, 220]})
    return {"meta": {"region_codes": ["52.01", "52.02"], "province_code": "52"},
            "trend_tk": trend, "trend_jkn": trend}


def test_coverage_rate_trends_are_rates_with_the_year_denominators():
    result = comparison.coverage_rate_trends(_bundle())
    workers = reference.labour_denominator(["52.01", "52.02"], 2024)
    population = reference.population_total(["52.01", "52.02"], 2024)
    row = result[(result["region_code"] == "52.02")].iloc[-1]
    assert row["tk_coverage"] == pytest.approx(220 / workers["52.02"])
    assert row["jkn_coverage"] == pytest.approx(22 / population["52.02"])
    province = result[result["region_code"] == "52"].iloc[-1]
    assert province["tk_active"] == 330
    assert province["tk_coverage"] == pytest.approx(330 / workers.sum())
    assert list(result["region_code"].unique()) == ["52.01", "52.02", "52"]


def test_small_multiples_one_panel_per_region():
    trends = comparison.coverage_rate_trends(_bundle())
    figure = comparison.small_multiples(trends, "en", highlight="52.01", columns=2)
    titles = [a.get_title(loc="left") for a in figure.axes if a.get_title(loc="left")]
    assert titles[0].startswith("Lombok Barat · ") and titles[1].startswith("Lombok Tengah · ")


def test_small_multiples_panels_share_their_scales_and_only_outer_panels_are_labelled():
    """Five panels in rows of two: the same limits everywhere (set per panel, not by shared
    axes), y tick labels in the first column only, x tick labels where no panel is below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    bundle = _bundle()
    codes = ["52.01", "52.02", "52.03", "52.04", "52.05"]
    months = [dt.date(2024, 11, 30), dt.date(2024, 12, 31)]
    bundle["meta"]["region_codes"] = codes
    bundle["trend_tk"] = pd.DataFrame({
        "region_code": [c for c in codes for _ in months], "month_end": months * len(codes),
        "members": 0, "active": [100 * (i + 1) + m for i in range(len(codes)) for m in (0, 5)]})
    figure = comparison.small_multiples(comparison.coverage_rate_trends(bundle), "en",
                                        columns=2)
    FigureCanvasAgg(figure).draw()
    panels = [a for a in figure.axes if a.axison]
    assert len(panels) == 5
    assert len({a.get_xlim() for a in panels}) == 1 and len({a.get_ylim() for a in panels}) == 1
    low, high = panels[0].get_ylim()
    values = [a.lines[-1].get_ydata() for a in panels]
    assert low >= 0 and all(low <= min(v) and max(v) <= high for v in values)
    def labelled(axis):
        return any(t.get_visible() and t.get_text() for t in axis.get_ticklabels())
    assert [labelled(a.yaxis) for a in panels] == [True, False, True, False, True]
    # the last row has one panel; its neighbour above (index 3) has an empty slot below it
    assert [labelled(a.xaxis) for a in panels] == [False, False, False, False, True]
