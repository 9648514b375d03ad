"""The maps and comparison blocks of a report page (helpers.report.map_blocks)."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pandas as pd
import pytest
from test_maps import _indicators

from helpers.measures.districts import district_coverage_rates
from helpers.report import map_blocks, maps
from helpers.report.regency import district_rates_table

MARKERS = {"<5", "x"}


def _district_rates(active: list[int]):
    """The regency report's district_rates table (regency.district_rates_table)."""
    breakdown = pd.DataFrame({"region_code": "52.72",
                              "district_code": [f"52.72.0{n}" for n in range(1, 6)],
                              "members": [a + 100 for a in active], "active": active})
    return district_rates_table(district_coverage_rates(breakdown, "52.72", 2024))


@pytest.mark.parametrize("active", [[800, 700, 600, 500, 3], [800, 2, 600, 500, 3],
                                    [800, 700, 600, 500, 0]])
def test_kecamatan_map_hides_what_the_published_table_hides(active):
    table = _district_rates(active)
    report = SimpleNamespace(district_rates=table, region_code="52.72", kind="regency")
    chart, twin, _ = map_blocks.kecamatan_map_block(report, "id", phone=False)
    published = table.published.set_index("district_code")
    shown = twin.published.set_index("district_code")
    assert set(shown.index) == set(published.index)
    for column in ("active", "tk_coverage_working_age"):
        expected = published[column].astype(str).isin(MARKERS)
        assert (shown[column].astype(str).isin(MARKERS) == expected[shown.index]).all(), column
    hidden = set(published.index[published["active"].astype(str).isin(MARKERS)])
    classes = chart.table.set_index("region_code")["value_class"]
    assert {c for c in classes.index if classes[c] == "Disembunyikan (aturan pengungkapan)"} \
        == hidden - {"total"}
    for code in hidden - {"total"}:  # the map's label shows no value for a hidden kecamatan
        name = shown.at[code, "district_name"]
        labels = [t.get_text() for t in chart.figure.axes[0].texts]
        assert not any(t.startswith(name + "\n") and t[-1] == "%" for t in labels)
    assert twin.name == "district_rates" and "district_name" in twin.published.columns


def test_province_map_twins_name_the_regions_csv_and_flag_shares_above_100():
    indicators = _indicators()
    # the fixture's JKN coverage reaches 101.5 % in the last three kab/kota
    report = SimpleNamespace(province_indicators=indicators, province_code="52",
                             kind="province")
    blocks = map_blocks.province_map_blocks(report, "en", phone=False)
    assert [twin.title_key for _, twin, _ in blocks] == [
        f"map.title.{key}" for key in map_blocks.MAP_INDICATORS]
    assert {twin.name for _, twin, _ in blocks} == {"regions"}
    jkn = blocks[2][1].published.set_index("region_code")
    assert jkn.at["52.08", "flag"] == "above_one" and jkn.at["52.01", "flag"] == ""
    assert "flag" not in blocks[0][1].published.columns  # nothing above 100 %
    html = map_blocks.map_html(blocks[2][0], "en")
    assert 'alt="Map of JKN coverage' in html
    assert "<figcaption>Lombok Utara, Kota Mataram, Kota Bima: above 100%" in html
    assert "<picture>" not in html
    phone = map_blocks.map_html(blocks[2][0], "en", blocks[2][0])
    assert phone.count("data:image/png") == 2 and "<source media=\"(max-width: 600px)\"" in phone


def test_position_items_name_rank_province_value_and_gap_to_best():
    positions = pd.DataFrame([
        {"indicator_id": "tk_coverage", "value": 0.406, "rank": 8, "region_count": 10,
         "province_value": 0.406, "best_region_name": "Kota Mataram", "best_value": 0.551,
         "gap_to_best": 0.145},
        {"indicator_id": "tk_coverage_informal", "value": 0.274, "rank": 1,
         "region_count": 10, "province_value": 0.19, "best_region_name": "Lombok Tengah",
         "best_value": 0.274, "gap_to_best": 0.0}])
    report = SimpleNamespace(positions=SimpleNamespace(data=positions), region_code="52.02")
    first, second = map_blocks.position_items(report, "en")
    assert first == ("Lombok Tengah's BPJS Ketenagakerjaan coverage is 40.6%: rank 8 of 10 "
                     "regencies/cities; the province value is 40.6%; 14.5 percentage points "
                     "below Kota Mataram (55.1%), the highest.")
    assert second.startswith("Lombok Tengah's coverage of informal workers is 27.4%: rank 1")


def test_dot_plot_alt_text_and_caption():
    indicators = _indicators()
    report = SimpleNamespace(province_indicators=indicators, kind="province",
                             reference_date=pd.Timestamp("2024-12-31").date())
    alt, caption = map_blocks.dot_plot_text(report, "jkn_coverage", "id")
    assert alt.startswith("Cakupan JKN: setiap kabupaten/kota dibanding provinsi. Cakupan JKN "
                          "tertinggi di ")
    assert caption.startswith("Lombok Utara, Kota Mataram, Kota Bima: di atas 100%")
    page = map_blocks.dot_plot_html(report, "jkn_coverage", "id")
    assert page.startswith('<figure class="chart"') and "<svg" in page
    assert f'aria-label="{html.escape(alt)}"' in page
    assert f"<figcaption>{html.escape(caption)}</figcaption>" in page
    alt, caption = map_blocks.dot_plot_text(report, "tk_coverage", "en")
    assert caption is None and alt.startswith("BPJS Ketenagakerjaan coverage: every")


def test_the_maps_are_map_charts():
    report = SimpleNamespace(province_indicators=_indicators(), province_code="52",
                             kind="regency", region_code="52.02")
    chart, _, phone = map_blocks.province_map_blocks(report, "en")[0]
    assert phone.figure.get_figwidth() < chart.figure.get_figwidth()
    assert isinstance(chart, maps.MapChart) and chart.alt_text.startswith("Map of ")
