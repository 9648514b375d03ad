"""Maps on a few hand-made rows: a PNG/SVG each, alt text that says it is a map, a table twin."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import reference
from helpers.measures.districts import district_coverage_rates
from helpers.report import maps

KABKOTA = reference.kabkota_codes("52")


@pytest.mark.parametrize(("values", "expected"), [
    ([0.302, 0.551], [0.35, 0.4, 0.45, 0.5, 0.55]),
    ([0.0085, 0.0343], [0.01, 0.02, 0.03]),  # a round step: 4 classes, not 5
    ([0.4, 0.4], []),
    ([], []),
])
def test_nice_breaks(values, expected):
    assert maps.nice_breaks(values) == pytest.approx(expected)


@pytest.mark.parametrize(("breaks", "digits", "places", "expected"), [
    ([0.35, 0.4, 0.45], 1, 1, ["< 35,0%", "35,0%–40,0%", "40,0%–45,0%", "≥ 45,0%"]),
    # limits 0.05 percentage points apart: one decimal would read "0,4%–0,4%"
    ([0.004, 0.0045, 0.005], 1, 2, ["< 0,40%", "0,40%–0,45%", "0,45%–0,50%", "≥ 0,50%"]),
    ([0.00125], 2, 3, ["< 0,125%", "≥ 0,125%"]),
])
def test_legend_limits_are_written_exactly_and_never_twice(breaks, digits, places, expected):
    assert maps.legend_digits(breaks, digits) == places
    labels = maps.class_labels(breaks, "id", digits)
    assert labels == expected and len(set(labels)) == len(labels)


@pytest.mark.parametrize(("value", "places"), [
    (0.0042, 2), (0.003996, 4), (0.0039, 2), (0.0045, 2), (0.004499, 4), (0.00399999999, 4)])
def test_a_value_just_below_a_class_limit_is_not_labelled_as_the_limit(value, places):
    breaks = [0.004, 0.0045, 0.005]
    assert maps.value_digits(value, breaks, 2) == places


def _values(**overrides):
    values = {code: 0.30 + 0.03 * n for n, code in enumerate(KABKOTA)}
    values.update(overrides)
    return pd.DataFrame({"region_code": list(values), "value": list(values.values())})


@pytest.mark.parametrize(("lang", "opening"), [("id", "Peta "), ("en", "Map of ")])
def test_kabkota_choropleth_png_svg_alt_text_and_table_twin(lang, opening):
    chart = maps.choropleth(_values(**{"52.72": float("nan")}), "kabkota", lang,
                            title="Cakupan uji", legend_title="Uji (%)", highlight="52.02",
                            province_value=0.4)
    assert chart.to_png().startswith(b"\x89PNG")
    svg = chart.to_svg()
    assert "<svg" in svg and f"<title>{opening}" in svg and 'role="img"' in svg
    assert chart.alt_text.startswith(opening)
    assert ("peta" if lang == "id" else "map") in chart.alt_text.lower()
    assert "Kota Mataram (54,0%)" in chart.alt_text or "Kota Mataram (54.0%)" in chart.alt_text
    table = chart.table
    assert list(table["region_code"]) == KABKOTA
    assert table.loc[table["region_code"] == "52.72", "value_class"].iloc[0] == (
        "Tidak ada data" if lang == "id" else "No data")
    assert chart.units["value"] == "fraction"
    legend = chart.figure.axes[0].get_legend()
    assert legend.get_title().get_text() == "Uji (%)"
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[0].startswith("< ") and texts[-1] in ("Tidak ada data", "No data")
    labels = {t.get_text().split("\n")[0] for t in chart.figure.axes[0].texts}
    assert {"Lombok Tengah", "Sumbawa", "Kota Mataram"} <= labels


def test_unknown_region_code_is_refused():
    with pytest.raises(ValueError, match="52.99"):
        maps.choropleth(pd.DataFrame({"region_code": ["52.99"], "value": [0.1]}), "kabkota",
                        "id", title="x", legend_title="y")


def _indicators():
    rows = []
    for n, code in enumerate(KABKOTA):
        for indicator_id, value in (("tk_coverage", 0.3 + 0.02 * n),
                                    ("tk_coverage_informal", 0.15 + 0.01 * n),
                                    ("jkn_coverage", 0.97 + 0.005 * n),
                                    ("jkn_active_rate", 0.75 + 0.01 * n),
                                    ("budget_share_apbd", 0.01 + 0.002 * n)):
            rows.append((code, indicator_id, value, value * 1000, 1000))
        rows.append((code, "uhc_category", "none" if n < 5 else "pratama", None, None))
    return pd.DataFrame(rows, columns=["region_code", "indicator_id", "value", "numerator",
                                       "denominator"])


def test_province_maps_four_maps_and_uhc_hatching():
    charts = maps.province_maps(_indicators(), "en")
    assert set(charts) == {"tk_coverage", "tk_coverage_informal", "jkn_coverage",
                           "budget_share_apbd"}
    jkn = charts["jkn_coverage"]
    assert {"jkn_active_rate", "uhc_category"} <= set(jkn.table.columns)
    patches = jkn.figure.axes[0].patches
    assert sum(bool(p.get_hatch()) for p in patches) == 5  # five regions without UHC
    legend = [t.get_text() for t in jkn.figure.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["< 95.0%", "95.0%–98.0%"] and legend[-1].startswith("Not UHC")
    for chart in charts.values():
        assert chart.alt_text.startswith("Map of ") and chart.to_png()


def test_kecamatan_map_of_rates():
    breakdown = pd.DataFrame({"region_code": "52.72",
                              "district_code": [f"52.72.0{n}" for n in range(1, 6)],
                              "members": [900, 800, 700, 600, 500],
                              "active": [800, 700, 600, 500, 400]})
    rates = district_coverage_rates(breakdown, "52.72", 2024)
    chart = maps.kecamatan_map(rates, "52.72", "id")
    assert chart.alt_text.startswith("Peta peserta aktif BPJS Ketenagakerjaan")
    assert "Kota Bima" in chart.title
    assert list(chart.table["region_code"]) == [f"52.72.0{n}" for n in range(1, 6)] + ["total"]
    assert chart.table["region_name"].iloc[-1] == "Kota Bima"
    assert {"active", "working_age_count", "denominator_status"} <= set(chart.table.columns)
    assert chart.table["tk_coverage_working_age"].notna().all()
    assert chart.to_svg().count("<title>") >= 1
    table = chart.report_table("tk_by_district_rates")
    assert table.title_key == "table.district_rates.tk_coverage_working_age"


def test_kecamatan_with_a_small_count_is_hidden_and_drawn_as_hidden():
    breakdown = pd.DataFrame({"region_code": "52.72",
                              "district_code": [f"52.72.0{n}" for n in range(1, 6)],
                              "members": [900, 800, 700, 600, 3],
                              "active": [800, 700, 600, 500, 3]})
    rates = district_coverage_rates(breakdown, "52.72", 2024)
    chart = maps.kecamatan_map(rates, "52.72", "en")
    row = chart.table.set_index("region_code").loc["52.72.05"]
    assert row["active"] == "<5" and row["value_class"] == "Hidden (disclosure rule)"
    legend = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert legend[-1] == "Hidden (disclosure rule)" and "No data" not in legend
    assert pd.isna(pd.to_numeric(row["tk_coverage_working_age"], errors="coerce"))
