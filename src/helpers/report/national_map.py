"""The national choropleth: one value per kab/kota of Indonesia (514 regions) on one map.

The outlines are the simplified national boundaries (``boundaries_national_kabkota.geojson``,
:func:`helpers.data.national.national_boundaries`). The map is drawn like a province map
(:mod:`helpers.report.maps`: the same classes, colours, "no data" grey and UHC hatching)
but without region labels: 514 names do not fit, so the table twin carries every figure.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.data import boundaries
from helpers.data.national import national_boundaries
from helpers.report import formatting, maps
from helpers.report.i18n import translate

__all__ = ["national_map", "national_shapes"]


@lru_cache(maxsize=1)
def _shapes() -> tuple[boundaries.Shape, ...]:
    shapes = []
    for feature in national_boundaries()["features"]:
        properties = feature["properties"]
        polygons = tuple(tuple(np.asarray(ring, dtype=float) for ring in polygon)
                         for polygon in feature["geometry"]["coordinates"])
        points = np.concatenate([polygon[0] for polygon in polygons])
        shapes.append(boundaries.Shape(
            code=properties["region_code"], name=properties["region_name"],
            parent_code=properties["province_code"],
            label_point=(float(points[:, 0].mean()), float(points[:, 1].mean())),
            polygons=polygons))
    return tuple(sorted(shapes, key=lambda shape: shape.code))


def national_shapes() -> list[boundaries.Shape]:
    """Every kab/kota outline of Indonesia, sorted by code."""
    return list(_shapes())


def national_map(values: pd.DataFrame, lang: str, *, value_column: str, title: str,
                 legend_title: str, breaks=None, digits: int = 1,
                 hatched=(), hatch_label: str | None = None,
                 national_value: float | None = None, width: float = 10.0) -> maps.MapChart:
    """A classed choropleth of one ratio (0-1, shown as %) per kab/kota of Indonesia.

    Args:
        values: ``region_code``, ``region_name`` and ``value_column`` (NaN = no value:
            a region without a report is drawn grey as "no data").
        lang: 'id' or 'en'.
        title, legend_title: texts (the legend title carries the unit).
        breaks: inner class limits (fractions); default :func:`maps.nice_breaks`.
        hatched: region codes drawn hatched, with ``hatch_label`` in the legend.
        national_value: named in the alt text.

    Returns:
        A :class:`helpers.report.maps.MapChart` whose table twin has one row per kab/kota.

    Raises:
        ValueError: a region code in ``values`` has no boundary.
    """
    shapes = national_shapes()
    by_code = values.set_index("region_code")
    unknown = sorted(set(by_code.index) - {s.code for s in shapes})
    if unknown:
        raise ValueError(f"no kab/kota boundary for {', '.join(unknown)}")
    numbers = pd.to_numeric(by_code[value_column], errors="coerce")
    limits = list(maps.nice_breaks(numbers.dropna()) if breaks is None else breaks)
    digits = maps.legend_digits(limits, digits)
    class_labels = maps.class_labels(limits, lang, digits)
    colours = maps.class_colours(len(class_labels))
    classes = {s.code: maps.class_of(numbers.get(s.code), limits) for s in shapes}
    legend = [(text, {"facecolor": colour, "edgecolor": maps.EDGE_COLOUR})
              for text, colour in zip(class_labels, colours)]
    if any(c is None for c in classes.values()):
        legend.append((translate("map.no_data", lang),
                       {"facecolor": maps.NO_DATA_COLOUR, "edgecolor": maps.EDGE_COLOUR}))
    hatched_set = set(hatched)
    if hatched_set and hatch_label:
        legend.append((hatch_label, {"facecolor": "white", "edgecolor": maps.EDGE_COLOUR,
                                     "hatch": maps.HATCH}))
    figure = maps.draw_map(shapes, classes, colours, {}, hatched=hatched_set, highlight=None,
                        title=title, legend=legend, legend_title=legend_title, width=width,
                        offsets={}, font_size=7.0, max_height=6.0)
    for patch in figure.axes[0].patches:  # 514 outlines: hairlines, or the map turns grey
        patch.set_linewidth(0.15)
    names = dict(zip(by_code.index, by_code["region_name"])) if "region_name" in by_code else {}
    table = pd.DataFrame({
        "region_code": [s.code for s in shapes],
        "region_name": [names.get(s.code, s.name) for s in shapes],
        value_column: [numbers.get(s.code, np.nan) for s in shapes],
    })
    table["value_class"] = [class_labels[classes[s.code]] if classes[s.code] is not None
                            else translate("map.no_data", lang) for s in shapes]
    alt = _alt_text(table, value_column, title, lang, digits, national_value)
    return maps.MapChart(figure, table, {value_column: "fraction", "value_class": "text"},
                         alt, title)


def _alt_text(table: pd.DataFrame, column: str, title: str, lang: str, digits: int,
              national_value: float | None) -> str:
    known = table.dropna(subset=[column])
    unit = translate("map.unit_kabkota", lang)
    if known.empty:
        text = translate("map.alt_empty", lang, title=title, count=len(table), unit=unit)
    else:
        high = known.loc[known[column].idxmax()]
        low = known.loc[known[column].idxmin()]
        text = translate(
            "map.alt", lang, title=title, count=len(known), unit=unit,
            high=f"{high['region_name']} {formatting.format_percent(high[column], lang, digits)}",
            low=f"{low['region_name']} {formatting.format_percent(low[column], lang, digits)}")
    if national_value is not None and not pd.isna(national_value):
        text += " " + translate("map.alt_overall", lang, value=formatting.format_percent(
            national_value, lang, digits))
    return text + " " + translate("map.alt_table", lang)
