"""The maps and comparison charts of a report page, ready for :class:`~helpers.report.present.Presenter`.

The drawing lives in :mod:`helpers.report.maps` and :mod:`helpers.report.comparison`; this
module picks what a report shows and how its table twins are published:

- :func:`province_map_blocks`: the province overview's four kab/kota maps (the report's own
  region outlined in a regency report), each with its table twin;
- :func:`kecamatan_map_block`: a regency report's kecamatan map, drawn from the same
  numbers as the published ``district_rates`` table (the disclosure rule hides the same
  cells in the map, its twin and the table; hidden kecamatan are drawn without a value);
- :func:`map_html`: a map as HTML with a narrower drawing for phones (labels and legend
  stay legible), a share above 100 % named in its caption;
- :func:`dot_plot_html` (its text: :func:`dot_plot_text`) and :func:`small_multiples_html`:
  the comparison charts as HTML, the regency's own region marked;
- :func:`leaders_laggards_items`, :func:`position_items`: the sentences.

Table twins are :class:`~helpers.report.tables.ReportTable` objects named after the CSV
that holds the same numbers (``regions`` for the kab/kota maps, ``district_rates`` for
the kecamatan map), with a ``flag`` column where a share is above 100 %.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from helpers.report import comparison, maps, marked_charts
from helpers.report.i18n import label, translate
from helpers.report.tables import ReportTable, make_table

__all__ = ["COMPARED_INDICATORS", "DOT_PLOT_INDICATORS", "MAP_INDICATORS", "PHONE_SCREEN",
           "PHONE_WIDTH", "above_one_note", "dot_plot_html", "dot_plot_text",
           "kecamatan_map_block",
           "leaders_laggards_items", "map_html", "map_twin", "position_items",
           "province_map_blocks", "small_multiples_html"]

#: The province maps, in the order a page shows them.
MAP_INDICATORS = ("tk_coverage", "tk_coverage_informal", "jkn_coverage", "budget_share_apbd")
#: The dot plots of the province overview (a regency report shows the first and third).
DOT_PLOT_INDICATORS = ("tk_coverage", "tk_coverage_informal", "jkn_coverage",
                       "jkn_active_rate")
#: Width of the phone version of a map (inches, 96 dpi), and the widest screen (CSS px)
#: that shows it: a phone shows the map at its size, labels and legend legible.
PHONE_WIDTH = 4.4
PHONE_SCREEN = 600
#: Indicators named in the leaders-and-laggards and position sentences.
COMPARED_INDICATORS = ("tk_coverage", "tk_coverage_informal", "jkn_coverage")


def _highlight(report) -> str | None:
    return report.region_code if report.kind == "regency" else None


def map_twin(chart: maps.MapChart, name: str, value_name: str) -> ReportTable:
    """The table twin of a map as a published table; a share above 100 % gets a ``flag``
    column saying why (shown, not clipped), as in the report's other tables.

    Args:
        chart: the map.
        name: the CSV holding the same numbers (the twin's note points to it).
        value_name: the column name of the mapped value (its heading, e.g. 'tk_coverage').
    """
    frame = chart.table.rename(columns={"value": value_name})
    units = {(value_name if k == "value" else k): v for k, v in chart.units.items()}
    codes = dict(chart.codes)
    if "denominator_status" in frame.columns:
        codes["denominator_status"] = "status"
    if frame["region_code"].astype(str).str.count(r"\.").max() >= 2:  # kecamatan rows
        frame = frame.rename(columns={"region_code": "district_code",
                                      "region_name": "district_name"})
    above = [c for c, unit in units.items() if unit == "fraction" and c in frame.columns
             and (pd.to_numeric(frame[c], errors="coerce") > 1 + 1e-9).any()]
    return make_table(name, chart.title_key, frame, units, codes, can_exceed_one=above)


def province_map_blocks(report, lang: str, *, phone: bool = True
                        ) -> list[tuple[maps.MapChart, ReportTable, maps.MapChart | None]]:
    """The four kab/kota maps of the report's province: (map, table twin, phone map)."""
    def draw(width: float) -> dict[str, maps.MapChart]:
        return maps.province_maps(report.province_indicators, lang,
                                  province_code=report.province_code,
                                  highlight=_highlight(report), width=width)

    charts = draw(9.0)
    phones = draw(PHONE_WIDTH) if phone else {}
    return [(charts[key], map_twin(charts[key], "regions", key), phones.get(key))
            for key in MAP_INDICATORS]


def kecamatan_map_block(report, lang: str, value_column: str = "tk_coverage_working_age",
                        *, phone: bool = True
                        ) -> tuple[maps.MapChart, ReportTable, maps.MapChart | None]:
    """The regency report's kecamatan map and its twin.

    The map is drawn from ``report.district_rates.data`` through
    :func:`helpers.report.maps.kecamatan_map`, which applies the disclosure rule to the
    active counts exactly as the published ``district_rates`` table does (each count
    column is suppressed on its own, with the same total row), so the map, its twin and
    the table hide the same kecamatan.
    """
    def draw(width: float) -> maps.MapChart:
        return maps.kecamatan_map(report.district_rates.data, report.region_code, lang,
                                  value_column=value_column, width=width)

    chart = draw(8.0)
    return (chart, map_twin(chart, "district_rates", value_column),
            draw(PHONE_WIDTH) if phone else None)


def dot_plot_html(report, indicator_id: str, lang: str) -> str:
    """A dot plot of every kab/kota against the province value and the thresholds, the
    regency's own region marked, as the page's ``<figure>`` with its alt text and caption
    (:func:`dot_plot_text`; drawn once per province and process:
    :mod:`helpers.report.marked_charts`)."""
    alt, caption = dot_plot_text(report, indicator_id, lang)
    return marked_charts.dot_plot_html(
        report.province_indicators, indicator_id, lang,
        thresholds=comparison.thresholds_for(indicator_id, report.reference_date.year),
        highlight=_highlight(report), alt=alt, caption=caption)


def dot_plot_text(report, indicator_id: str, lang: str) -> tuple[str, str | None]:
    """A dot plot's alt text (the leaders-and-laggards sentence, or the region's position)
    and its caption (the regions above 100 %, or None)."""
    title = translate("compare.dot_title", lang,
                      indicator=translate(f"indicator.{indicator_id}", lang))
    if _highlight(report):
        detail = position_items(report, lang, (indicator_id,))
    else:
        detail = [comparison.leaders_laggards_sentence(report.province_indicators,
                                                       indicator_id, lang)]
    caption = above_one_note(comparison.wide_indicators(report.province_indicators),
                             indicator_id, lang)
    return " ".join([f"{title}.", *detail]), caption


def above_one_note(frame: pd.DataFrame, value_column: str, lang: str,
                   name_column: str = "region_name") -> str | None:
    """"Lombok Utara: above 100% (stale denominator; flagged, not clipped)" for the regions
    whose share is above 100 %, or None: the caption under a map or dot plot."""
    values = pd.to_numeric(frame[value_column], errors="coerce")
    names = [str(n) for n in frame.loc[values > 1 + 1e-9, name_column]]
    if not names:
        return None
    return f"{', '.join(names)}: {label('flag', 'above_one', lang)}"


def map_html(chart: maps.MapChart, lang: str, phone: maps.MapChart | None = None) -> str:
    """A map as an HTML ``<figure>`` (embedded PNG, alt text); with ``phone`` (the same map
    drawn narrow, so its labels and legend stay legible when a phone shows it 360 px
    wide) a ``<picture>`` that screens up to 600 px wide take it from. A share above
    100 % is named in the caption."""
    def data(figure_chart: maps.MapChart) -> str:
        return "data:image/png;base64," + base64.b64encode(figure_chart.to_png()).decode("ascii")

    image = f'<img src="{data(chart)}" alt="{html.escape(chart.alt_text)}">'
    if phone is not None:
        image = (f'<picture><source media="(max-width: {PHONE_SCREEN}px)" '
                 f'srcset="{data(phone)}">{image}</picture>')
    value = "value" if "value" in chart.table.columns else chart.table.columns[2]
    caption = above_one_note(chart.table, value, lang)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart map">{image}{cap}</figure>'


def small_multiples_html(report, column: str, lang: str) -> str:
    """Small multiples of a monthly coverage rate (``tk_coverage`` or ``jkn_coverage``)
    for every kab/kota with the province line, the regency's own panel marked, as the
    page's ``<figure>`` with its alt text (drawn once per province and process:
    :mod:`helpers.report.marked_charts`)."""
    title = translate(f"compare.small_multiples.{column}", lang)
    return marked_charts.small_multiples_html(
        report.rate_trends, lang, column, _highlight(report),
        translate("compare.small_multiples_alt", lang, title=title))


def leaders_laggards_items(report, lang: str,
                           indicator_ids=COMPARED_INDICATORS) -> list[str]:
    """One leaders-and-laggards sentence per indicator."""
    return [comparison.leaders_laggards_sentence(report.province_indicators, i, lang)
            for i in indicator_ids]


def position_items(report, lang: str, indicator_ids=COMPARED_INDICATORS) -> list[str]:
    """Where the regency stands on each indicator: rank of n, province value, gap to the
    best (from the report's ``positions`` table; indicators without a rank are left out)."""
    positions = report.positions.data.set_index("indicator_id")
    items = []
    for indicator_id in indicator_ids:
        if indicator_id not in positions.index:
            continue
        row = positions.loc[indicator_id]
        if pd.isna(row["rank"]):
            continue
        items.append(comparison.position_sentence(
            {"indicator_id": indicator_id, "region_code": report.region_code,
             **{k: row[k] for k in ("value", "province_value", "best_region_name",
                                    "best_value", "gap_to_best")},
             "rank": int(row["rank"]), "region_count": int(row["region_count"])}, lang))
    return items
