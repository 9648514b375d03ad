"""Choropleth maps: kab/kota of a province and kecamatan of a kab/kota, drawn with matplotlib.

Every map is a :class:`MapChart`: the figure (static; :meth:`MapChart.to_png`,
:meth:`MapChart.to_svg` work offline), its **table twin** (the same numbers as a frame,
one row per region, with the class each falls in), its units for
:func:`helpers.report.formatting.html_table`, and **alt text** that says it is a map
("Peta …" / "Map of …") and names the highest and lowest regions. Boundaries come from
the committed, simplified files of :mod:`helpers.data.boundaries`.

Classes, not a continuous scale: a reader matches a colour to a legend entry with its
range and unit ("30,0–35,0 %"). JKN maps break at the UHC thresholds (95 %, 98 %, 99 %,
100 %) and hatch regions that have not reached UHC. Colours: the sequential ``YlGnBu``
ramp (distinguishable with common colour-vision deficiencies and in greyscale); regions
without a value are light grey with a legend entry of their own.
"""

from __future__ import annotations

import html
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - off-screen, like plots.py

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from helpers.data import boundaries, reference
from helpers.measures.disclosure import DEFAULT_RULE
from helpers.report import formatting, plots
from helpers.report.i18n import translate
from helpers.report.tables import ReportTable, publishable

__all__ = ["EDGE_COLOUR", "HATCH", "HATCH_COLOUR", "HIDDEN_HATCH", "JKN_BREAKS",
           "LABEL_OFFSETS", "MapChart", "NO_DATA_COLOUR", "RAMP", "SMALL_REGION_SHARE",
           "choropleth", "class_colours", "class_labels", "class_of", "draw_map",
           "kecamatan_map", "label_point", "label_points", "legend_digits", "nice_breaks",
           "province_maps", "value_digits"]

#: Sequential colour ramp of the classes, and the colour of regions without a value.
RAMP = "YlGnBu"
NO_DATA_COLOUR = "#d9d9d9"
EDGE_COLOUR = "#4d4d4d"
#: Regions that have not reached UHC: a fine diagonal hatch over their class colour.
HATCH = "///"
HATCH_COLOUR = "#333333"
#: Regions whose value the disclosure rule hides: grey with a dotted hatch.
HIDDEN_HATCH = "..."
#: JKN coverage classes: below 95 % (the old roadmap target), 95-98 %, the UHC line 98 %,
#: 99 % (UHC Awards Utama), 100 % (enrolment above a stale population figure).
JKN_BREAKS = (0.95, 0.98, 0.99, 1.0)
#: Labels placed beside their region (degrees east, north of its label point) with a
#: leader line: the two small cities, and Lombok Barat, which wraps around Mataram.
LABEL_OFFSETS = {"52.71": (-0.42, 0.16), "52.72": (0.30, 0.24), "52.01": (-0.30, -0.12)}
#: A region smaller than this share of the map's width gets its name only, no value line.
SMALL_REGION_SHARE = 0.035


@dataclass(frozen=True)
class MapChart:
    """A map and everything published with it.

    Attributes:
        figure: The matplotlib figure (no pyplot state).
        table: The table twin: ``region_code``, ``region_name``, the value column(s) and
            ``value_class`` (the legend entry the region is drawn with).
        units: Units of the table's columns for ``formatting.html_table``.
        alt_text: Text alternative; starts with "Peta" (id) or "Map" (en).
        title: The map's title.
        codes: Coded columns of the table for ``html_table`` (e.g. uhc_category → 'uhc').
        title_key: Translation key of the table's title (for :meth:`report_table`).
    """

    figure: Figure
    table: pd.DataFrame
    units: Mapping[str, str]
    alt_text: str
    title: str
    codes: Mapping[str, str] = field(default_factory=dict)
    title_key: str = ""

    def report_table(self, name: str) -> ReportTable:
        """The table twin as a :class:`ReportTable` (CSV, workbook, ``table_html``)."""
        return ReportTable(name=name, title_key=self.title_key, data=self.table,
                           published=self.table, units=dict(self.units),
                           codes=dict(self.codes))

    def to_png(self) -> bytes:
        """PNG bytes (96 dpi, tight box), as the reports embed them."""
        return plots.to_png(self.figure)

    def to_svg(self) -> str:
        """SVG text with the alt text as its ``<title>`` (role="img")."""
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.06)
        text = buffer.getvalue()
        start = text.index("<svg")
        end = text.index(">", start)
        alt = html.escape(self.alt_text)
        return (text[:end] + f' role="img" aria-label="{alt}"' + text[end:end + 1]
                + f"\n <title>{alt}</title>" + text[end + 1:])

    def html(self, caption: str | None = None) -> str:
        """An HTML ``<figure>`` with the PNG embedded and the alt text."""
        return plots.figure_html(self.figure, self.alt_text, caption)


# =========================================================================== classes


def nice_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Inner class limits at a round step covering ``values`` (fractions 0-1).

    The step is 1, 2, 2.5 or 5 × a power of ten, so legend entries read "30–35 %".
    Returns ``classes - 1`` inner limits (fewer when the values are close together).
    """
    data = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not data:
        return []
    low, high = min(data), max(data)
    if math.isclose(low, high):
        return []
    raw = (high - low) / classes
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    limits = [start + step * i for i in range(1, classes + 2)]
    return [round(v, 10) for v in limits if low < v <= high]


#: The most decimals a map shows (a class limit of 0.0125 % needs 4).
MAX_DIGITS = 4


def legend_digits(breaks: Sequence[float], digits: int) -> int:
    """Decimals of the map's percentages: at least ``digits``, and as many as its class
    limits need to be written exactly, so no legend entry reads "0,4 %–0,4 %" (limits at
    0.40 % and 0.45 %) and no region's label looks like it sits in another class."""
    def exact(value: float, places: int) -> bool:
        return math.isclose(round(value * 100, places), value * 100, abs_tol=1e-9)

    for places in range(digits, MAX_DIGITS + 1):
        if all(exact(float(b), places) for b in breaks):
            return places
    return MAX_DIGITS


def value_digits(value: float, breaks: Sequence[float], digits: int) -> int:
    """Decimals for a region's label on a map: ``digits``, or more when the value would
    round up to a class limit it is below (0.3996 % is labelled "0,3996 %", not "0,40 %",
    in the class "< 0,40 %"), up to :data:`MAX_DIGITS`."""
    def rounded(number: float, places: int) -> float:
        return round(float(number) * 100, places)

    places = digits
    while places < MAX_DIGITS and any(
            float(value) < float(limit) and rounded(value, places) >= rounded(limit, places)
            for limit in breaks):
        places += 1
    return places


def class_labels(breaks: Sequence[float], lang: str, digits: int) -> list[str]:
    """Legend text of each class: '< 30,0 %', '30,0–35,0 %', …, '≥ 45,0 %' (with
    :func:`legend_digits` decimals)."""
    digits = legend_digits(breaks, digits)

    def pct(value):
        return formatting.format_percent(value, lang, digits)

    if not breaks:
        return [translate("map.class_all", lang)]
    labels = [f"< {pct(breaks[0])}"]
    labels += [f"{pct(a)}–{pct(b)}" for a, b in zip(breaks, breaks[1:])]
    labels.append(f"≥ {pct(breaks[-1])}")
    return labels


def class_of(value, breaks: Sequence[float]) -> int | None:
    """The class (0 = below the first break) of a value; None when there is no value."""
    if value is None or pd.isna(value):
        return None
    return int(np.searchsorted(np.asarray(breaks, dtype=float), float(value), side="right"))


def class_colours(count: int) -> list:
    """The colour of each of ``count`` classes, light to dark along :data:`RAMP`."""
    ramp = colormaps[RAMP]
    return [ramp(x) for x in np.linspace(0.12, 0.88, count)] if count > 1 else [ramp(0.5)]


# =========================================================================== drawing


def _patch(shape: boundaries.Shape) -> PathPatch:
    """One patch per region: every polygon and hole of its outline."""
    vertices, codes = [], []
    for polygon in shape.polygons:
        for ring in polygon:
            vertices.append(ring)
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY]
    return PathPatch(MplPath(np.concatenate(vertices), codes))


def label_points(shape: boundaries.Shape, count: int = 6) -> list[tuple[float, float]]:
    """Points well inside the region's largest polygon, best first, for its label.

    Grid points over the polygon ranked by their distance to its outline (the first is a
    simple "pole of inaccessibility"), at least a fifth of the polygon's size apart; the
    source's own label point when the grid misses the polygon.
    """
    outer = max((polygon[0] for polygon in shape.polygons),
                key=lambda ring: np.ptp(ring[:, 0]) * np.ptp(ring[:, 1]))
    west, south = outer.min(axis=0)
    east, north = outer.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(west, east, 41)[1:-1], np.linspace(south, north, 41)[1:-1])
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    inside = grid[MplPath(outer).contains_points(grid)]
    if not len(inside):
        return [shape.label_point]
    start, end = outer[:-1], outer[1:]
    segment = end - start
    length = np.maximum((segment ** 2).sum(axis=1), 1e-18)
    t = np.clip(((inside[:, None, :] - start[None]) * segment[None]).sum(axis=2) / length, 0, 1)
    nearest = start[None] + t[..., None] * segment[None]
    distance = np.sqrt(((inside[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)
    spacing = max(east - west, north - south) / 5
    chosen: list[np.ndarray] = []
    for index in np.argsort(-distance, kind="stable"):
        point = inside[index]
        if all(np.hypot(*(point - other)) >= spacing for other in chosen):
            chosen.append(point)
        if len(chosen) == count:
            break
    return [(float(x), float(y)) for x, y in chosen]


def label_point(shape: boundaries.Shape) -> tuple[float, float]:
    """The best point of :func:`label_points`."""
    return label_points(shape, 1)[0]


def draw_map(shapes: list[boundaries.Shape], classes: dict[str, int | None], colours: list,
             labels: dict[str, str], *, hatched: set[str], highlight: str | None, title: str,
             hidden: set[str] = frozenset(),
             legend: list[tuple[str, dict]], legend_title: str, width: float,
             offsets: Mapping[str, tuple[float, float]], font_size: float,
             outline: list[boundaries.Shape] = (), max_height: float = 7.5) -> Figure:
    """Draw a choropleth: each shape filled with its class colour (hatched, hidden or
    highlighted as asked), labels, the legend below. Shared by the province and kecamatan
    maps (:func:`choropleth`) and the national map (:mod:`helpers.report.national_map`)."""
    west = min(s.bounds()[0] for s in shapes)
    south = min(s.bounds()[1] for s in shapes)
    east = max(s.bounds()[2] for s in shapes)
    north = max(s.bounds()[3] for s in shapes)
    # Equirectangular: one degree of longitude is cos(latitude) of one of latitude.
    aspect = 1.0 / math.cos(math.radians((south + north) / 2))
    margin_x, margin_y = (east - west) * 0.04, (north - south) * 0.06
    ratio = (north - south + 2 * margin_y) * aspect / (east - west + 2 * margin_x)
    map_width = min(width, max_height / ratio)
    figure_width = max(map_width, min(width, 6.5)) + 0.2  # a phone map may be narrower
    title_lines = textwrap.wrap(title, int(figure_width * 8.5))
    columns = min(len(legend), 6 if figure_width >= 8.5 else (3 if figure_width >= 6 else 2))
    rows = -(-len(legend) // columns) + 1  # and the legend's title
    extra = max(0.6, 0.25 * len(title_lines) + 0.19 * rows + 0.15)
    figure = Figure(figsize=(figure_width, map_width * ratio + extra), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("\n".join(title_lines))
    inner_edge = "white" if outline else EDGE_COLOUR
    if outline:  # white borders between kecamatan over a grey coast: source slivers vanish
        for shape in shapes:
            patch = _patch(shape)
            patch.set_facecolor("none")
            patch.set_edgecolor(EDGE_COLOUR)
            patch.set_linewidth(1.1)
            axes.add_patch(patch)
    for shape in shapes:
        category = classes.get(shape.code)
        patch = _patch(shape)
        patch.set_facecolor(NO_DATA_COLOUR if category is None else colours[category])
        patch.set_edgecolor(inner_edge)
        patch.set_linewidth(0.9 if outline else 0.5)
        if shape.code in hidden:
            patch.set_hatch(HIDDEN_HATCH)
            patch.set_hatch_linewidth(0.5)
            patch.set_hatchcolor("#8c8c8c")
        elif shape.code in hatched:
            patch.set_hatch(HATCH)
            patch.set_hatch_linewidth(0.5)
            patch.set_hatchcolor(HATCH_COLOUR)
        axes.add_patch(patch)
    for shape in [s for s in shapes if s.code == highlight]:
        patch = _patch(shape)
        patch.set_facecolor("none")
        patch.set_edgecolor("#000000" if shape.code == highlight else EDGE_COLOUR)
        patch.set_linewidth(1.8 if shape.code == highlight else 0.7)
        axes.add_patch(patch)
    axes.set_xlim(west - margin_x, east + margin_x)
    axes.set_ylim(south - margin_y, north + margin_y)
    axes.set_aspect(aspect)
    _place_labels(figure, axes, shapes, labels, offsets, font_size, span=east - west)
    axes.set_xlim(west - margin_x, east + margin_x)
    axes.set_ylim(south - margin_y, north + margin_y)
    axes.set_aspect(aspect)
    axes.set_anchor("N")
    axes.set_axis_off()
    handles = [Patch(label=text, **style) for text, style in legend]
    axes.legend(handles=handles, title=legend_title, loc="upper center",
                bbox_to_anchor=(0.5, 0.0), fontsize=8,
                ncols=columns,
                title_fontsize=8.5, frameon=False)
    return figure


def _place_labels(figure, axes, shapes, labels, offsets, font_size, span) -> None:
    """Name (and value) of every region at its label point, largest regions first.

    A label that would cover one already placed drops its value line, then shortens its
    name; if it still collides it is left out (the table twin has every region). Small
    regions with an entry in ``offsets`` get their label beside them, with a leader line.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.get_layout_engine().execute(figure)  # place labels where the axes will be
    halo = [patheffects.withStroke(linewidth=2.4, foreground="white")]
    placed = []
    order = sorted(shapes, key=lambda s: -(s.bounds()[2] - s.bounds()[0])
                   * (s.bounds()[3] - s.bounds()[1]))
    for shape in order:
        text = labels.get(shape.code)
        if not text:
            continue
        points = label_points(shape)
        if shape.code in offsets:
            (x, y), (dx, dy) = points[0], offsets[shape.code]
            artist = axes.annotate(text, (x, y), (x + dx, y + dy), ha="center", va="center",
                                   fontsize=font_size, path_effects=halo,
                                   arrowprops={"arrowstyle": "-", "color": "#333333",
                                               "lw": 0.7})
            placed.append(artist.get_window_extent(renderer))
            continue
        name = text.split("\n")[0]
        box = shape.bounds()
        texts = [text, name, name[:5] + "."] if len(name) > 7 else [text, name]
        if (box[2] - box[0]) < SMALL_REGION_SHARE * span:
            texts = texts[1:]  # the value is in the table twin
        for candidate, (x, y) in ((t, p) for t in texts for p in points):
            artist = axes.text(x, y, candidate, ha="center", va="center", fontsize=font_size,
                               path_effects=halo, linespacing=1.1)
            extent = artist.get_window_extent(renderer)
            if not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                break
            artist.remove()


def choropleth(values: pd.DataFrame, level: str, lang: str, *, title: str, legend_title: str,
               value_column: str = "value", parent_code: str | None = None,
               breaks: Sequence[float] | None = None, digits: int = 1,
               hatched: Sequence[str] = (), hatch_label: str | None = None,
               highlight: str | None = None, extra_columns: Sequence[str] = (),
               extra_units: Mapping[str, str] | None = None,
               codes: Mapping[str, str] | None = None,
               province_value: float | None = None, width: float = 9.0,
               title_key: str = "", hidden: Sequence[str] = ()) -> MapChart:
    """A classed choropleth of one ratio (a fraction 0-1 shown as %) per region.

    Args:
        values: one row per region: ``region_code`` (kab/kota code, or kecamatan code for
            level 'kecamatan'), ``value_column`` (fraction; NaN = no value) and any
            ``extra_columns`` for the table twin.
        level: 'kabkota' or 'kecamatan'.
        lang: 'id' or 'en'.
        title, legend_title: texts (the legend title carries the unit, e.g. "(%)").
        parent_code: for 'kecamatan', the kab/kota; for 'kabkota', the province (default 52).
        breaks: inner class limits (fractions); default :func:`nice_breaks`.
        hatched: region codes drawn hatched (e.g. UHC not reached), with ``hatch_label``.
        highlight: a region drawn with a thick outline (the report's own region).
        hidden: regions whose value the disclosure rule hides: drawn grey and dotted,
            with a legend entry and a map class of their own (not "no data").
        province_value: named in the alt text (the province or kab/kota value).

    Returns:
        A :class:`MapChart`.

    Raises:
        ReferenceDataError: no boundaries for the level or parent.
        ValueError: a region code in ``values`` has no boundary.
    """
    province = reference.DEFAULT_PROVINCE_CODE
    shapes = boundaries.load_shapes(level, parent_code if level == "kecamatan" else None,
                                    province_code=(parent_code or province)[:2])
    by_code = values.set_index("region_code")
    unknown = sorted(set(by_code.index) - {s.code for s in shapes})
    if unknown:
        raise ValueError(f"no {level} boundary for {', '.join(unknown)}")
    numbers = pd.to_numeric(by_code[value_column], errors="coerce")
    limits = list(nice_breaks(numbers.dropna()) if breaks is None else breaks)
    digits = legend_digits(limits, digits)
    legend_texts = class_labels(limits, lang, digits)
    colours = class_colours(len(legend_texts))
    classes = {code: class_of(numbers.get(code), limits) for code in [s.code for s in shapes]}
    names = {s.code: _display_name(s, level) for s in shapes}
    labels = {}
    for shape in shapes:
        value = numbers.get(shape.code)
        shown = (formatting.format_percent(value, lang, value_digits(value, limits, digits))
                 if value is not None and not pd.isna(value) else formatting.MISSING)
        # a narrow (phone) map names the regions only; the values are in the table twin
        labels[shape.code] = names[shape.code] if width < 6 else f"{names[shape.code]}\n{shown}"
    legend = [(text, {"facecolor": colour, "edgecolor": EDGE_COLOUR})
              for text, colour in zip(legend_texts, colours)]
    hidden_set = set(hidden)
    if any(c is None for code, c in classes.items() if code not in hidden_set):
        legend.append((translate("map.no_data", lang),
                       {"facecolor": NO_DATA_COLOUR, "edgecolor": EDGE_COLOUR}))
    if hidden_set:
        legend.append((translate("map.hidden", lang), {"facecolor": NO_DATA_COLOUR,
                                                       "edgecolor": EDGE_COLOUR,
                                                       "hatch": HIDDEN_HATCH}))
    hatched_set = set(hatched)
    if hatched_set and hatch_label:
        legend.append((hatch_label, {"facecolor": "white", "edgecolor": EDGE_COLOUR,
                                     "hatch": HATCH}))
    font_size = 8.0 if level == "kabkota" else (7.0 if len(shapes) <= 12 else 6.0)
    outline = (boundaries.load_shapes("kabkota", province_code=parent_code[:2])
               if level == "kecamatan" else [])
    outline = [s for s in outline if s.code == parent_code]
    figure = draw_map(shapes, classes, colours, labels, hatched=hatched_set, hidden=hidden_set,
                   highlight=highlight,
                   title=title, legend=legend, legend_title=legend_title, width=width,
                   offsets=LABEL_OFFSETS if level == "kabkota" and width >= 6 else {},
                   font_size=font_size,
                   outline=outline)
    table = pd.DataFrame({
        "region_code": [s.code for s in shapes],
        "region_name": [names[s.code] for s in shapes],
        value_column: [numbers.get(s.code, np.nan) for s in shapes],
    })
    for column in extra_columns:
        table[column] = [by_code[column].get(s.code) if s.code in by_code.index else None
                         for s in shapes]
    table["value_class"] = [
        legend_texts[classes[s.code]] if classes[s.code] is not None
        else translate("map.hidden" if s.code in hidden_set else "map.no_data", lang)
        for s in shapes]
    units = {value_column: "fraction", "value_class": "text", **(extra_units or {})}
    alt = _alt_text(table, value_column, names, title, level, lang, digits, province_value)
    return MapChart(figure, table, units, alt, title, dict(codes or {}), title_key)


def _display_name(shape: boundaries.Shape, level: str) -> str:
    if level == "kabkota":
        return reference.region_name(shape.code)
    return shape.name


def _alt_text(table, column, names, title, level, lang, digits, province_value) -> str:
    rows = table.dropna(subset=[column]).sort_values(column)
    if title[1:2].islower():  # "Peta cakupan …", "Map of coverage …"; keep "BPJS", "JKN"
        title = title[0].lower() + title[1:]
    unit = translate(f"map.unit_{level}", lang)
    if rows.empty:
        return translate("map.alt_empty", lang, title=title, count=len(table), unit=unit)

    def describe(row):
        return f"{row['region_name']} ({formatting.format_percent(row[column], lang, digits)})"

    text = translate("map.alt", lang, title=title, count=len(table), unit=unit,
                     high=describe(rows.iloc[-1]), low=describe(rows.iloc[0]))
    if province_value is not None and not pd.isna(province_value):
        text += " " + translate("map.alt_overall", lang,
                                value=formatting.format_percent(province_value, lang, digits))
    return text + " " + translate("map.alt_table", lang)


# =========================================================================== the report maps


def province_maps(indicators: pd.DataFrame, lang: str, *, province_code: str = "52",
                  highlight: str | None = None, width: float = 9.0) -> dict[str, MapChart]:
    """The province overview's four kab/kota maps from the bundle's indicator frame.

    Args:
        indicators: ``bundle["indicators"]`` (long: region_code, indicator_id, value,
            numerator, denominator, …) for the kab/kota of the province.
        lang: 'id' or 'en'.
        province_code: e.g. '52'.
        highlight: a kab/kota to outline (a regency report's own region).
        width: the widest the maps are drawn (inches; about 4.4 for a phone).

    Returns:
        ``{"tk_coverage", "tk_coverage_informal", "jkn_coverage", "budget_share_apbd"}`` →
        :class:`MapChart`. The JKN map hatches kab/kota without UHC status and its table
        twin adds ``jkn_active_rate`` and ``uhc_category``.
    """
    from helpers.report.comparison import province_value, wide_indicators

    wide = wide_indicators(indicators)
    result = {}
    for indicator_id in ("tk_coverage", "tk_coverage_informal", "budget_share_apbd"):
        frame = wide[["region_code", indicator_id]].rename(columns={indicator_id: "value"})
        digits = 2 if indicator_id == "budget_share_apbd" else 1
        result[indicator_id] = choropleth(
            frame, "kabkota", lang, parent_code=province_code, highlight=highlight,
            width=width, title=translate(f"map.title.{indicator_id}", lang),
            title_key=f"map.title.{indicator_id}", digits=digits,
            legend_title=translate(f"map.legend.{indicator_id}", lang),
            province_value=province_value(indicators, indicator_id))
    frame = wide[["region_code", "jkn_coverage", "jkn_active_rate", "uhc_category"]].rename(
        columns={"jkn_coverage": "value"})
    not_uhc = frame.loc[frame["uhc_category"].astype(str) == "none", "region_code"]
    result["jkn_coverage"] = choropleth(
        frame, "kabkota", lang, parent_code=province_code, highlight=highlight, width=width,
        title=translate("map.title.jkn_coverage", lang), title_key="map.title.jkn_coverage",
        legend_title=translate("map.legend.jkn_coverage", lang), breaks=JKN_BREAKS,
        hatched=list(not_uhc), hatch_label=translate("map.not_uhc", lang),
        extra_columns=("jkn_active_rate", "uhc_category"),
        extra_units={"jkn_active_rate": "fraction", "uhc_category": "category"},
        codes={"uhc_category": "uhc"},
        province_value=province_value(indicators, "jkn_coverage"))
    return result


def kecamatan_map(rates: pd.DataFrame, region_code: str, lang: str, *,
                  value_column: str = "tk_coverage_working_age", width: float = 8.0) -> MapChart:
    """The regency report's kecamatan map of BPJS TK coverage rates.

    The counts pass the disclosure rule first (:func:`helpers.report.tables.publishable`):
    a kecamatan whose active count is hidden has its rate hidden too, and is drawn grey and
    dotted with the legend entry "hidden (disclosure rule)". Each count column is
    suppressed on its own, so the map hides the same kecamatan as the published
    ``district_rates`` table.

    Args:
        rates: :func:`helpers.measures.districts.district_coverage_rates` for the kab/kota
            (kecamatan rows, perhaps ``unknown``, and the ``total`` row).
        region_code: the kab/kota, e.g. '52.02'.
        lang: 'id' or 'en'.
        value_column: the rate to map: ``tk_coverage_working_age`` (active ÷ residents
            aged 15+) or ``tk_coverage_potential`` (active ÷ potential workforce).
        width: the widest the map is drawn (inches; about 4.4 for a phone).

    Returns:
        A :class:`MapChart`; its table twin has every kecamatan, then the kab/kota total,
        with active people, the denominator and its status.
    """
    denominator = ("working_age_count" if value_column == "tk_coverage_working_age"
                   else "potential_workforce_count")
    columns = ["district_code", "district_name", "active", denominator, value_column,
               "denominator_status"]
    shown = publishable(rates[columns], ("active",), category="district_code",
                        share_columns={value_column: ("active",)})
    rows = shown[~shown["district_code"].isin(["total", "unknown"])].rename(
        columns={"district_code": "region_code"})
    total = pd.to_numeric(rates.loc[rates["district_code"] == "total", value_column])
    markers = {DEFAULT_RULE.primary_marker, DEFAULT_RULE.hidden_marker}
    hidden = rows.loc[rows[value_column].astype(str).isin(markers), "region_code"]
    chart = choropleth(
        rows[["region_code", value_column, "active", denominator, "denominator_status"]],
        "kecamatan", lang, value_column=value_column, parent_code=region_code,
        title=translate(f"map.title.{value_column}", lang,
                        name=reference.region_name(region_code)),
        title_key=f"table.district_rates.{value_column}",
        legend_title=translate(f"map.legend.{value_column}", lang),
        extra_columns=("active", denominator, "denominator_status"),
        extra_units={"active": "people", denominator: "people"},
        province_value=total.iloc[0] if len(total) else None, width=width,
        hidden=list(hidden))
    extra = shown[shown["district_code"].isin(["unknown", "total"])].rename(
        columns={"district_code": "region_code", "district_name": "region_name"})
    extra["region_name"] = [reference.region_name(region_code) if c == "total" else ""
                            for c in extra["region_code"]]
    extra["value_class"] = ""
    drawn = chart.table.astype({value_column: object})
    markers_shown = rows.set_index("region_code")[value_column]
    is_hidden = drawn["region_code"].isin(set(hidden))
    drawn.loc[is_hidden, value_column] = drawn.loc[is_hidden, "region_code"].map(markers_shown)
    table = pd.concat([drawn, extra[chart.table.columns]], ignore_index=True)
    return replace(chart, table=table)
