"""How the kab/kota of a province compare: rank, province value, gap to the best, leaders and laggards.

Everything here works on the bundle's long indicator frame (``bundle["indicators"]``:
``region_code``, ``indicator_id``, ``value``, ``numerator``, ``denominator``, …) or on
the monthly counts of the bundle (``trend_tk``, ``trend_jkn``), so the regency and
province reports (and a researcher) can call it without new queries:

- :func:`region_position`, :func:`region_positions`, :func:`position_sentence`: where one
  kab/kota stands: rank out of n, the province value, the gap to the best region;
- :func:`leaders_laggards`, :func:`leaders_laggards_sentence`: who leads and who lags (id/en);
- :func:`dot_plot`: every kab/kota against the province value and the thresholds, on an
  axis zoomed to the data;
- :func:`coverage_rate_trends`, :func:`small_multiples`: coverage **rates** per month (not
  counts), one small panel per kab/kota with the province for reference.

Ratios are fractions 0-1; gaps are differences of fractions (shown as percentage points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from helpers.data import reference
from helpers.errors import CakupanError, ParameterError
from helpers.measures.definitions import BY_ID
from helpers.report import chart_output, formatting, plots
from helpers.report.i18n import translate

__all__ = ["LOWER_IS_BETTER", "POSITION_INDICATORS", "coverage_rate_trends", "dot_codes",
           "dot_ids", "dot_plot", "leaders_laggards", "leaders_laggards_sentence", "panel_codes",
           "panel_ids", "position_sentence", "province_value", "region_position",
           "region_positions", "small_multiples", "thresholds_for", "wide_indicators"]

#: Indicators compared in a regency report's "place among the kab/kota" table.
POSITION_INDICATORS = ("tk_coverage", "tk_coverage_formal", "tk_coverage_informal",
                       "jkn_coverage", "jkn_active_rate", "budget_share_apbd")
#: Indicators where a lower value is better (none of the coverage ratios).
LOWER_IS_BETTER: frozenset[str] = frozenset()


# =========================================================================== numbers


def wide_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per region, one column per indicator (values as computed), with names."""
    _check_columns(indicators, {"region_code", "indicator_id", "value"})
    codes = list(dict.fromkeys(indicators["region_code"]))
    wide = indicators.pivot(index="region_code", columns="indicator_id", values="value")
    wide = wide.reindex(codes).reset_index()
    wide.columns.name = None
    wide.insert(1, "region_name", [reference.region_name(c) for c in wide["region_code"]])
    return wide


def province_value(indicators: pd.DataFrame, indicator_id: str) -> float:
    """The province's value of an indicator from its kab/kota rows.

    A ratio is the sum of the numerators over the sum of the denominators (not a mean of
    ratios); a count is the sum. NaN when the denominators add up to 0.
    """
    rows = _rows(indicators, indicator_id)
    if "numerator" in rows.columns and rows["numerator"].notna().any():
        numerator = pd.to_numeric(rows["numerator"], errors="coerce").sum()
        denominator = pd.to_numeric(rows["denominator"], errors="coerce").sum()
        return float(numerator / denominator) if denominator else math.nan
    return float(pd.to_numeric(rows["value"], errors="coerce").sum())


def region_position(indicators: pd.DataFrame, region_code: str, indicator_id: str) -> dict:
    """Where a kab/kota stands on one indicator among the kab/kota of its province.

    Args:
        indicators: the long indicator frame of every kab/kota of the province.
        region_code: the kab/kota, e.g. '52.02'.
        indicator_id: a numeric indicator, e.g. 'tk_coverage'.

    Returns:
        dict with ``indicator_id``, ``region_code``, ``value``, ``rank`` (1 = best; ties
        share the best rank), ``region_count`` (regions with a value), ``province_value``,
        ``gap_to_province`` (value − province), ``best_region_code``,
        ``best_region_name``, ``best_value``, ``gap_to_best`` (best − value, ≥ 0 for the
        others, 0 for the best).

    Raises:
        ParameterError: the region or indicator is not in the frame, or it has no value.
    """
    rows = _rows(indicators, indicator_id).copy()
    rows["_value"] = pd.to_numeric(rows["value"], errors="coerce")
    if region_code not in set(rows["region_code"]):
        raise ParameterError(f"region {region_code} is not in the indicator frame",
                             fix="pass the indicators of every kab/kota of its province")
    ranked = rows.dropna(subset=["_value"])
    own = rows.loc[rows["region_code"] == region_code, "_value"].iloc[0]
    if pd.isna(own):
        raise ParameterError(f"{indicator_id} of {region_code} has no value to rank")
    ascending = indicator_id in LOWER_IS_BETTER
    ranks = ranked["_value"].rank(ascending=ascending, method="min")
    best = ranked.sort_values(["_value", "region_code"], ascending=[ascending, True]).iloc[0]
    provincial = province_value(indicators, indicator_id)
    return {
        "indicator_id": indicator_id, "region_code": region_code, "value": float(own),
        "rank": int(ranks[ranked["region_code"] == region_code].iloc[0]),
        "region_count": int(len(ranked)), "province_value": provincial,
        "gap_to_province": float(own - provincial) if not math.isnan(provincial) else math.nan,
        "best_region_code": best["region_code"],
        "best_region_name": reference.region_name(best["region_code"]),
        "best_value": float(best["_value"]),
        "gap_to_best": float(abs(best["_value"] - own)),
    }


def region_positions(indicators: pd.DataFrame, region_code: str,
                     indicator_ids: Sequence[str] = POSITION_INDICATORS) -> pd.DataFrame:
    """:func:`region_position` for several indicators, one row each (a report table)."""
    rows = []
    for indicator_id in indicator_ids:
        if indicator_id not in set(indicators["indicator_id"]):
            continue
        try:
            rows.append(region_position(indicators, region_code, indicator_id))
        except ParameterError:  # no value to rank (e.g. active rate unknown): left out
            continue
    return pd.DataFrame(rows, columns=["indicator_id", "region_code", "value", "rank",
                                       "region_count", "province_value", "gap_to_province",
                                       "best_region_code", "best_region_name", "best_value",
                                       "gap_to_best"])


def leaders_laggards(indicators: pd.DataFrame, indicator_id: str, count: int = 2
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` best and worst kab/kota on an indicator (region_code, name, value).

    Ties are broken by region code, so the result does not depend on row order. With
    fewer than ``2 × count`` regions, the laggards are those not among the leaders.
    """
    rows = _rows(indicators, indicator_id).copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.dropna(subset=["value"])
    ascending = indicator_id in LOWER_IS_BETTER
    ordered = rows.sort_values(["value", "region_code"], ascending=[ascending, True])
    ordered = ordered.assign(region_name=[reference.region_name(c)
                                          for c in ordered["region_code"]])
    columns = ["region_code", "region_name", "value"]
    count = max(0, min(count, len(ordered) // 2))
    leaders = ordered.head(count)[columns].reset_index(drop=True)
    laggards = ordered.tail(count)[columns].iloc[::-1].reset_index(drop=True)
    return leaders, laggards


def leaders_laggards_sentence(indicators: pd.DataFrame, indicator_id: str, lang: str,
                              count: int = 2) -> str:
    """One plain sentence naming the leaders and the laggards, with their values.

    Example (id): "Cakupan BPJS Ketenagakerjaan tertinggi di Kota Mataram (55,9%) dan
    Lombok Barat (49,0%); terendah di Sumbawa (30,2%) dan Lombok Timur (30,2%).
    Nilai provinsi 40,6%."
    """
    leaders, laggards = leaders_laggards(indicators, indicator_id, count)
    name = translate(f"indicator.{indicator_id}", lang)
    if leaders.empty:
        return translate("compare.no_ranking", lang, indicator=name)
    digits = 2 if indicator_id == "budget_share_apbd" else 1

    def listing(frame: pd.DataFrame) -> str:
        items = [f"{r.region_name} ({_format(r.value, indicator_id, lang, digits)})"
                 for r in frame.itertuples()]
        joiner = translate("compare.and", lang)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} {items[-1]}"

    provincial = province_value(indicators, indicator_id)
    return translate("compare.leaders_laggards", lang, indicator=name,
                     leaders=listing(leaders), laggards=listing(laggards),
                     province=_format(provincial, indicator_id, lang, digits))


def position_sentence(position: dict, lang: str) -> str:
    """"Lombok Tengah ranks 5th of 10 …; the province 40,6%; 15,3 points behind Kota Mataram."."""
    indicator_id = position["indicator_id"]
    digits = 2 if indicator_id == "budget_share_apbd" else 1
    values = {
        "indicator": _mid_sentence(translate(f"indicator.{indicator_id}", lang), lang),
        "name": reference.region_name(position["region_code"]),
        "value": _format(position["value"], indicator_id, lang, digits),
        "rank": position["rank"], "count": position["region_count"],
        "province": _format(position["province_value"], indicator_id, lang, digits),
        "best": position["best_region_name"],
        "best_value": _format(position["best_value"], indicator_id, lang, digits),
        "gap": formatting.format_number(position["gap_to_best"] * 100, lang, digits),
    }
    key = "compare.position_best" if position["rank"] == 1 else "compare.position"
    return translate(key, lang, **values)


def coverage_rate_trends(bundle: dict, labour_denominator: str = "bpjs_potential",
                         population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE
                         ) -> pd.DataFrame:
    """Monthly coverage **rates** of every kab/kota and of the province (code '52').

    ``tk_coverage`` = active BPJS TK people ÷ the labour denominator of the month's year;
    ``jkn_coverage`` = JKN members ÷ the population of the month's year (the same rules as
    the regency report's trend). A year without a denominator gives NaN, not a guess.

    Args:
        bundle: a province bundle (``trend_tk``, ``trend_jkn``, ``meta``).

    Returns:
        Long frame: region_code, region_name, month_end (date), tk_active, tk_coverage,
        jkn_members, jkn_coverage; the province's rows are ratios of the sums over the
        kab/kota of the bundle.
    """
    codes = list(bundle["meta"]["region_codes"])
    province = bundle["meta"].get("province_code", codes[0][:2])
    tk = bundle["trend_tk"].rename(columns={"active": "tk_active"})[
        ["region_code", "month_end", "tk_active"]]
    jkn = bundle["trend_jkn"].rename(columns={"members": "jkn_members"})[
        ["region_code", "month_end", "jkn_members"]]
    frame = tk.merge(jkn, on=["region_code", "month_end"], how="outer", validate="one_to_one")
    total = frame.groupby("month_end", as_index=False)[["tk_active", "jkn_members"]].sum()
    frame = pd.concat([frame, total.assign(region_code=province)], ignore_index=True)
    years = sorted({pd.Timestamp(d).year for d in frame["month_end"]})
    workers, population = (dict(d) for d in _denominators(
        tuple(codes), tuple(years), labour_denominator, population_vintage,
        tuple(_file_stamp(name) for name in ("labour", "population"))))
    for year in years:  # the province: the sums over the kab/kota in the bundle
        workers[(province, year)] = sum(workers[(c, year)] for c in codes)
        population[(province, year)] = sum(population[(c, year)] for c in codes)
    keys = list(zip(frame["region_code"], [pd.Timestamp(d).year for d in frame["month_end"]]))
    frame["tk_coverage"] = frame["tk_active"] / pd.Series([workers[k] for k in keys])
    frame["jkn_coverage"] = frame["jkn_members"] / pd.Series([population[k] for k in keys])
    names = {code: reference.region_name(code) for code in set(frame["region_code"])}
    frame.insert(1, "region_name", frame["region_code"].map(names))
    order = {code: n for n, code in enumerate(codes + [province])}
    frame = frame.sort_values(["region_code", "month_end"],
                              key=lambda s: s.map(order) if s.name == "region_code" else s)
    return frame[["region_code", "region_name", "month_end", "tk_active", "tk_coverage",
                  "jkn_members", "jkn_coverage"]].reset_index(drop=True)


@lru_cache(maxsize=32)
def _denominators(codes: tuple[str, ...], years: tuple[int, ...], labour_denominator: str,
                  population_vintage: str, stamp: tuple) -> tuple[dict, dict]:
    """Workers and population of every (kab/kota, year): the same for every regency report
    of a province bundle, so computed once per reference-table version (``stamp``)."""
    workers, population = {}, {}
    for code in codes:
        for year in years:
            workers[(code, year)] = _denominator(
                lambda: reference.labour_denominator(code, year, labour_denominator))
            population[(code, year)] = _denominator(
                lambda: reference.population_total(code, year, population_vintage))
    return workers, population


def _file_stamp(name: str) -> tuple:
    """Path, modification time and size of a reference table (a cache key)."""
    path = reference.table_path(name)
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


# =========================================================================== charts


def dot_plot(indicators: pd.DataFrame, indicator_id: str, lang: str, *,
             thresholds: Sequence[tuple[float, str]] = (),
             highlight: str | Sequence[str] | None = None) -> Figure:
    """Every kab/kota as a dot, sorted, against the province value and thresholds (%).

    The value axis is zoomed to the data (and the province value and thresholds), not
    0-100 %, so differences of a few points are visible; the axis label says so.

    The layout does not depend on which region is marked: it is made with every name in
    bold (the widest form), then kept (:func:`helpers.report.chart_output.fixed_layout`).
    Each region's dot and name are SVG groups of their own (:func:`dot_ids`), so a chart
    drawn once can be marked for each report of the province
    (:mod:`helpers.report.marked_charts`).

    Args:
        indicators: the long indicator frame of the kab/kota.
        indicator_id: a ratio indicator (fraction).
        lang: 'id' or 'en'.
        thresholds: (value, translation key of its label) pairs, e.g.
            ``[(0.98, "compare.threshold_uhc")]``; see :func:`thresholds_for`.
        highlight: a kab/kota drawn in the accent colour, its name in bold (the report's
            own region), or several.
    """
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    rows = _dot_rows(indicators, indicator_id)
    figure = Figure(figsize=(plots.WIDTH, max(2.8, 0.3 * len(rows) + 1.6)),
                    layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(translate("compare.dot_title", lang,
                             indicator=translate(f"indicator.{indicator_id}", lang)))
    if rows.empty:
        return plots._empty(figure, axes, lang)
    palette = plots.colours(4)
    digits = 2 if indicator_id == "budget_share_apbd" else 1
    positions = np.arange(len(rows))
    axes.hlines(positions, 0, 1, transform=axes.get_yaxis_transform(), color="#e5e5e5",
                linewidth=0.8, zorder=0)
    for position, code, value in zip(positions, rows["region_code"], rows["_value"]):
        own = code in marked
        axes.scatter([value], [position], s=70 if own else 45,
                     color=palette[1] if own else palette[0], zorder=3,
                     gid=dot_ids(code)[0])
    for position, value in zip(positions, rows["_value"]):
        axes.annotate(formatting.format_percent(value, lang, digits), (value, position),
                      xytext=(6, 0), textcoords="offset points", va="center", fontsize=8)
    axes.set_yticks(positions, rows["_name"])
    limits = list(rows["_value"])
    provincial = province_value(indicators, indicator_id)
    if not math.isnan(provincial):
        axes.axvline(provincial, color="#333333", linestyle="--", linewidth=1,
                     label=translate("chart.province_value", lang,
                                     value=formatting.format_percent(provincial, lang, digits)))
        limits.append(provincial)
    for (value, key), colour in zip(thresholds, palette[2:] + palette[:2]):
        axes.axvline(value, color=colour, linestyle=":", linewidth=1.6,
                     label=translate(key, lang,
                                     value=formatting.format_percent(value, lang, 0)))
        limits.append(value)
    low, high = min(limits), max(limits)
    pad = max((high - low) * 0.12, 0.005)
    axes.set_xlim(low - pad, high + pad * 1.8)  # room for the value labels
    axes.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: formatting.format_percent(v, lang, 0 if high - low > 0.05 else 1)))
    axes.set_xlabel(translate("compare.zoomed_axis", lang))
    axes.grid(axis="y", visible=False)
    # under the axis label, whatever the chart's height (an anchor in axes fractions left
    # a gap that grew with the number of kab/kota)
    figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center", ncols=3,
                  fontsize=8, frameon=False)
    labels = axes.get_yticklabels()
    for tick in labels:  # lay out with every name bold: the layout is the same whatever
        tick.set_fontweight("bold")  # region is marked
    chart_output.freeze_layout(figure)
    for tick, code in zip(labels, rows["region_code"]):
        tick.set_gid(dot_ids(code)[1])
        tick.set_fontweight("bold" if code in marked else "normal")
    return figure


def dot_codes(indicators: pd.DataFrame, indicator_id: str) -> list[str]:
    """The kab/kota of a dot plot (those with a value), bottom to top."""
    return list(_dot_rows(indicators, indicator_id)["region_code"])


def dot_ids(code: str) -> tuple[str, str]:
    """The SVG ids of a dot plot's dot and name of one kab/kota."""
    return f"dot-{code}", f"dot-name-{code}"


def _dot_rows(indicators: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    rows = _rows(indicators, indicator_id).copy()
    rows["_value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.dropna(subset=["_value"]).sort_values(["_value", "region_code"])
    rows["_name"] = [reference.region_name(c) for c in rows["region_code"]]
    return rows


def thresholds_for(indicator_id: str, year: int) -> list[tuple[float, str]]:
    """The official lines a dot plot of the indicator shows (thresholds.csv)."""
    try:
        table = reference.thresholds(year)
    except CakupanError:
        return []
    uhc = table[table["category"] == "uhc"]
    if indicator_id == "jkn_coverage" and len(uhc):
        return [(float(uhc["min_coverage"].min()), "compare.threshold_uhc")]
    if indicator_id == "jkn_active_rate" and len(uhc):
        return [(float(uhc["min_active_rate"].min()), "compare.threshold_active")]
    return []


#: Small multiples' fixed layout, in inches: margins, the gap between panels, a panel's
#: height. A province has up to 38 kab/kota; constrained layout of 40 axes took half of a
#: report's drawing time, so the panels are placed by arithmetic instead.
SMALL_MULTIPLES_LAYOUT = {"left": 0.78, "right": 0.12, "top": 0.42, "bottom": 0.85,
                          "gap": 0.22, "panel": 1.25, "title_pad": 0.1}


def small_multiples(trends: pd.DataFrame, lang: str, *, column: str = "tk_coverage",
                    highlight: str | Sequence[str] | None = None, columns: int = 5) -> Figure:
    """One small line chart per kab/kota of a monthly coverage rate, same axes, the
    province as a grey reference line in every panel.

    The panels are placed by :data:`SMALL_MULTIPLES_LAYOUT` (no layout engine): a panel
    title wider than its panel is wrapped first, and each row leaves room for the
    longest title.

    Args:
        trends: :func:`coverage_rate_trends` (the province's rows have its 2-digit code).
        lang: 'id' or 'en'.
        column: 'tk_coverage' or 'jkn_coverage' (fractions).
        highlight: a kab/kota whose panel is drawn in the accent colour, with its title
            in bold (several codes: each of them; :mod:`helpers.report.marked_charts`
            draws every panel marked once, to mark one region per report cheaply).
        columns: panels per row.

    Each panel's line and title carry an SVG id (:func:`panel_ids`), and the layout does
    not depend on which panel is marked: a title is wrapped when its bold form would not
    fit. Both let one drawing of the province serve every regency report.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    data = trends.copy()
    data["month_end"] = pd.to_datetime(data["month_end"])
    data["_value"] = pd.to_numeric(data[column], errors="coerce")
    codes = panel_codes(data)
    provinces = [c for c in dict.fromkeys(data["region_code"]) if len(c) == 2]
    rows_count = max(1, math.ceil(len(codes) / columns))
    box = SMALL_MULTIPLES_LAYOUT
    width = plots.WIDTH + 1.5
    panel_width = (width - box["left"] - box["right"] - (columns - 1) * box["gap"]) / columns
    figure = Figure(figsize=(width, 1.0))  # its height once the titles are known
    # Every panel gets the same limits by hand, not through shared axes: matplotlib keeps
    # shared axes in step pairwise, which costs O(panels²) per draw (a third of the
    # chart's time for 38 panels). Inner tick labels are hidden as sharing would.
    grid = figure.subplots(rows_count, columns, squeeze=False)
    figure.suptitle(translate(f"compare.small_multiples.{column}", lang), x=0.01, ha="left",
                    fontweight="bold", fontsize=12)
    palette = plots.colours(3)
    province = data[data["region_code"].isin(provinces)]
    valid = data["_value"].dropna()
    for index, axes in enumerate(grid.flat):
        if index >= len(codes):
            axes.set_axis_off()
            continue
        code = codes[index]
        rows = data[data["region_code"] == code]
        if len(province):
            axes.plot(province["month_end"], province["_value"], color="#9e9e9e",
                      linewidth=1.2, label=translate("compare.province_line", lang))
        line_id, title_id = panel_ids(code)
        axes.plot(rows["month_end"], rows["_value"], linewidth=2, gid=line_id,
                  color=palette[1] if code in marked else palette[0])
        last = rows.dropna(subset=["_value"]).tail(1)
        title = reference.region_name(code)
        if len(last):
            title += f" · {formatting.format_percent(last['_value'].iloc[0], lang, 1)}"
        axes.set_title(title, fontsize=9, fontweight="bold" if code in marked else "normal",
                       gid=title_id)
        axes.tick_params(labelsize=7)
        plots._percent_axis(axes.yaxis, lang, 0)
        axes.xaxis.set_major_locator(mdates.YearLocator())
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    panels = list(grid.flat[:len(codes)])
    months = data["month_end"].dropna()
    if len(months):  # matplotlib's own margin around the months, on every panel alike
        start, end = mdates.date2num(months.min()), mdates.date2num(months.max())
        margin = (end - start) * matplotlib.rcParams["axes.xmargin"] or 1.0
        for axes in panels:
            axes.set_xlim(start - margin, end + margin)
    if len(valid):
        low, high = valid.min(), valid.max()
        pad = max((high - low) * 0.08, 0.005)
        # a rate is never below 0: the axis does not show a negative percentage
        for axes in panels:
            axes.set_ylim(max(low - pad, 0.0) if low >= 0 else low - pad, high + pad)
    for axes in grid.flat:
        axes.label_outer()
    lines = _wrap_panel_titles(grid, FigureCanvasAgg(figure).get_renderer(), panel_width)
    title_band = lines * 9 * 1.25 / 72 + box["title_pad"]
    height = (box["top"] + box["bottom"] + rows_count * (box["panel"] + title_band))
    figure.set_size_inches(width, height)
    figure.subplots_adjust(left=box["left"] / width, right=1 - box["right"] / width,
                           top=1 - (box["top"] + title_band) / height,
                           bottom=box["bottom"] / height,
                           wspace=box["gap"] / panel_width,
                           hspace=title_band / box["panel"])
    figure.supylabel(translate(f"compare.small_multiples_axis.{column}", lang), fontsize=9,
                     x=0.01, ha="left")
    if len(province):
        handles, labels = grid.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      fontsize=8, frameon=False,
                      title=translate("compare.small_multiples_note", lang), title_fontsize=8)
    return chart_output.fixed_layout(figure)


def panel_codes(trends: pd.DataFrame) -> list[str]:
    """The kab/kota of the small multiples, in panel order (the province's rows are its
    reference line, not a panel)."""
    return [c for c in dict.fromkeys(trends["region_code"]) if len(c) > 2]


def panel_ids(code: str) -> tuple[str, str]:
    """The SVG ids of a small-multiples panel's line and title (one per kab/kota)."""
    return f"panel-line-{code}", f"panel-title-{code}"


def _wrap_panel_titles(grid, renderer, panel_width: float) -> int:
    """Wrap each panel title that would run into the next panel's title (8 px apart, as
    :func:`helpers.report.chart_output.fit_titles`) or past the figure's edge, on word
    boundaries; the most lines a title has. Titles are measured in bold, so the layout
    is the same whichever panel is marked."""
    import textwrap

    box = SMALL_MULTIPLES_LAYOUT
    most = 1
    columns = grid.shape[1]
    for index, axes in enumerate(grid.flat):
        room = panel_width + (box["gap"] - 8 / 96 if index % columns < columns - 1
                              else box["right"] - 2 / 96)
        # the title's Text where rcParams put it (axes.titlelocation: left in this theme)
        for text in (axes._left_title, axes.title):
            if not text.get_text():
                continue
            weight = text.get_fontweight()
            text.set_fontweight("bold")  # as wide as it can be: marked or not, one layout
            drawn = text.get_window_extent(renderer).width / axes.figure.dpi
            text.set_fontweight(weight)
            if drawn > room:
                characters = max(10, int(len(text.get_text()) * room / drawn))
                text.set_text("\n".join(textwrap.wrap(text.get_text(), characters)))
            most = max(most, text.get_text().count("\n") + 1)
    return most


# =========================================================================== internals


def _check_columns(frame: pd.DataFrame, needed: set[str]) -> None:
    missing = needed - set(frame.columns)
    if missing:
        raise ParameterError(f"the indicator frame lacks {', '.join(sorted(missing))}",
                             fix="pass bundle['indicators'] (long: region_code, indicator_id, "
                                 "value, numerator, denominator)")


def _rows(indicators: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    _check_columns(indicators, {"region_code", "indicator_id", "value"})
    rows = indicators[indicators["indicator_id"] == indicator_id]
    if rows.empty:
        raise ParameterError(f"indicator '{indicator_id}' is not in the frame",
                             fix=f"use one of {', '.join(sorted(set(indicators['indicator_id'])))}")
    return rows


def _format(value, indicator_id: str, lang: str, digits: int) -> str:
    unit = BY_ID[indicator_id].unit if indicator_id in BY_ID else "fraction"
    if unit == "fraction":
        return formatting.format_percent(value, lang, digits)
    return formatting.format_value(value, unit, lang)


def _mid_sentence(name: str, lang: str) -> str:
    """English puts the indicator after the region ("Lombok Tengah's coverage of …"):
    'Coverage of informal workers' → 'coverage of …'; 'JKN coverage' stays."""
    if lang != "en" or not name[1:2].islower():
        return name
    return name[:1].lower() + name[1:]


def _denominator(read) -> float:
    try:
        return float(read().iloc[0])
    except CakupanError:  # a year without figures: the rate is left empty
        return math.nan
