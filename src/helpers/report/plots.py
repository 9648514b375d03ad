"""The report's charts: one seaborn theme, a colour-blind-safe palette, titles and units.

Every function takes publishable frames (counts hidden by the disclosure rule read '<5'
or 'x'; such bars are not drawn, and the caption says so) and a language, and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global figure state, nothing
leaks between charts of a batch). :func:`show` displays a figure in a notebook as an
embedded PNG with alt text; :func:`to_png` gives its bytes.

Theme: seaborn ``whitegrid``, palette ``colorblind`` (Okabe-Ito-like, distinguishable with
the common colour-vision deficiencies) and ``cividis`` for the scorecard heatmap; axis
labels carry their unit ("orang", "%", "Rp"); tick labels use the report's number format.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - render off-screen in kernels and workers alike

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import HTML, display
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from helpers.measures.scorecard import SCORECARD_INDICATORS
from helpers.report import formatting
from helpers.report.chart_output import DPI, alt_text, figure_html, to_png
from helpers.report.formatting import percent_digits
from helpers.report.i18n import label, translate

__all__ = ["DPI", "HEATMAP", "LAST_CODES", "PALETTE", "UHC_MEASURES", "active_by_group",
           "apply_theme", "budget_shares", "colours", "figure_html", "group_rate",
           "other_last", "percent_places", "programme_costs", "province_trend", "ranking",
           "scenario_costs", "scorecard_heatmap", "show", "to_png", "trend", "uhc_distance",
           "uhc_position", "uhc_thresholds"]

PALETTE = "colorblind"
HEATMAP = "cividis"
WIDTH, HEIGHT = 8.0, 4.2
#: Category codes drawn after every other group, whatever their size ('other' last).
LAST_CODES = ("other", "others", "lainnya", "unknown", "missing")


def apply_theme() -> None:
    """Set the one theme of every chart (called on import)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.9,
                  rc={"axes.titleweight": "bold", "axes.titlesize": 12,
                      "axes.titlelocation": "left", "figure.dpi": DPI,
                      "savefig.dpi": DPI, "axes.spines.top": False,
                      "axes.spines.right": False,
                      # titles sit just above the axes (no chart has ticks on top): a
                      # fixed place spares matplotlib measuring the top ticks of every
                      # axes at each draw (about a tenth of a chart's time)
                      "axes.titley": 1.0})


apply_theme()


def colours(count: int) -> list:
    """``count`` colours of the palette."""
    return sns.color_palette(PALETTE, count)


def _figure(width: float = WIDTH, height: float = HEIGHT) -> tuple[Figure, object]:
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def _people_axis(axis, lang: str, nbins: int = 6) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: formatting.format_count(v, lang)))
    axis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))


def percent_places(values, digits: int | None = None, most: int = 3) -> int:
    """Decimals (of the percentage) that show every value in ``values`` exactly.

    ``digits`` is the least; more are added while a value would round (0.975 is never
    '98%': it is '97,5%'), up to ``most``.
    """
    places = digits or 0
    numbers = [float(v) * 100 for v in values if v == v]
    while places < most and any(abs(round(v, places) - v) > 1e-6 for v in numbers):
        places += 1
    return places


def _percent_axis(axis, lang: str, digits: int | None = None) -> None:
    """Percent tick labels, each equal to its tick at the precision shown.

    Ticks fall on whole percents when the range allows it (steps 1, 2, 5, 10, never 2,5);
    the labels take as many decimals as the ticks need (``digits``: the least).
    """
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    axis.set_major_formatter(_PercentFormatter(lang, digits))


class _PercentFormatter(Formatter):
    """:func:`_percent_axis`'s labels. The ticks' precision comes from the ticks being
    labelled (``set_locs``), not from asking the axis again for every label (which runs
    the tick locator once per label: a fifth of a report's drawing time)."""

    def __init__(self, lang: str, digits: int | None) -> None:
        self.lang, self.digits = lang, digits
        self._ticks: list[float] = []

    def set_locs(self, locs) -> None:
        self._ticks = list(locs)

    def __call__(self, value, pos=None) -> str:
        low, high = self.axis.get_view_interval()
        locs = self._ticks or self.axis.get_majorticklocs()
        ticks = [t for t in locs if low - 1e-9 <= t <= high + 1e-9]
        return formatting.format_percent(value, self.lang,
                                         percent_places(ticks or [value], self.digits))


def _rupiah_axis(axis, lang: str) -> None:
    axis.set_major_locator(MaxNLocator(nbins=4))
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: formatting.format_rupiah_compact(v, lang, 1) if v else "0"))


def _month_axis(axis, lang: str) -> None:
    """Ticks every January (every month when the series is shorter than a year)."""
    low, high = axis.get_view_interval()
    months = (high - low) / 30.4
    axis.set_major_locator(mdates.MonthLocator(bymonth=[1]) if months > 14
                           else mdates.MonthLocator(interval=max(1, int(months // 6) or 1)))
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: formatting.format_date(mdates.num2date(v).date(), lang, "month")))


def _hidden_note(figure: Figure, hidden: int, lang: str) -> None:
    if hidden:
        figure.text(0.0, -0.02, translate("chart.hidden_note", lang, count=hidden),
                    fontsize=8, color="#555555", ha="left", va="top")


def _empty(figure: Figure, axes, lang: str) -> Figure:
    axes.text(0.5, 0.5, translate("chart.no_data", lang), ha="center", va="center",
              transform=axes.transAxes)
    axes.set_axis_off()
    return figure


# =========================================================================== regency


def other_last(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """``rows`` with the 'other'/'unknown' groups moved to the end (order kept otherwise)."""
    last = rows[by].astype(str).str.lower().isin(LAST_CODES)
    return pd.concat([rows[~last], rows[last]])


def group_rate(rows: pd.DataFrame, value: str = "active") -> tuple[pd.Series, str] | None:
    """The rate that goes with a breakdown's counts, and its axis label key, or None.

    Kecamatan rows (``district_rates``) carry their coverage of the potential workforce;
    other breakdowns have members, so active ÷ members (the active rate). A hidden count
    gives no rate (NaN).
    """
    if "tk_coverage_potential" in rows.columns and value == "active":
        return _numeric(rows, "tk_coverage_potential"), "chart.rate_coverage_potential"
    if "members" in rows.columns and value == "active":
        members = _numeric(rows, "members")
        rate = _numeric(rows, "active") / members.where(members > 0)
        return rate, "chart.rate_active"
    return None


def active_by_group(frame: pd.DataFrame, by: str, lang: str, *, title_key: str | None = None,
                    prefix: str | None = None, name_column: str | None = None,
                    value: str = "active") -> Figure:
    """Horizontal bars: active people per group (segment, occupation, sex, age, kecamatan),
    and beside them the group's rate where the frame has its denominator.

    The rate panel shows active ÷ members (the active rate) or, for kecamatan rows with
    ``tk_coverage_potential`` (``district_rates``), the coverage of the potential workforce.
    'Other' and 'unknown' groups come last.

    Args:
        frame: a publishable breakdown (``by``, members, active, ...; a 'total' row is
            left out).
        by: the group column.
        lang: 'id' or 'en'.
        title_key: translation key of the title; default ``chart.active_by_<by>``.
        prefix: label prefix of the group codes (default: ``by``).
        name_column: a column with display names (e.g. district_name) instead of codes.
        value: the count column to draw.
    """
    rows = frame[frame[by].astype(str) != "total"].copy()
    rows["_value"] = _numeric(rows, value)
    hidden = int(rows["_value"].isna().sum())
    rows = rows.dropna(subset=["_value"])
    rate = group_rate(rows, value)
    height = max(2.6, 0.32 * len(rows) + 1.3)
    if rate is None or rows.empty:
        figure, axes = _figure(height=height)
        rate_axes = None
    else:
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        axes, rate_axes = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
        rows["_rate"] = rate[0]
    axes.set_title(translate(title_key or f"chart.active_by_{by}", lang))
    if rows.empty:
        return _empty(figure, axes, lang)
    if name_column:
        names = rows[name_column].astype(str)
        names = names.where(names.str.strip() != "", rows[by].map(
            lambda v: label(prefix or by, v, lang)))
    else:
        names = rows[by].map(lambda v: label(prefix or by, v, lang))
    rows["_name"] = names.to_numpy()
    if by in ("district_code", "occupation", "segment"):
        rows = rows.sort_values("_value", ascending=False, kind="stable")
    rows = other_last(rows, by)
    sns.barplot(data=rows, y="_name", x="_value", ax=axes, color=colours(1)[0],
                orient="h")
    axes.set_ylabel("")
    axes.set_xlabel(translate("axis.active_people", lang))
    _people_axis(axes.xaxis, lang, 6 if rate_axes is None else 4)
    for container in axes.containers:
        axes.bar_label(container, labels=[formatting.format_count(v, lang)
                                          for v in rows["_value"]], padding=3, fontsize=8)
    axes.margins(x=0.14)
    if rate_axes is not None:
        _rate_panel(rate_axes, rows, rate[1], lang)
    _hidden_note(figure, hidden, lang)
    return figure


def _rate_panel(axes, rows: pd.DataFrame, label_key: str, lang: str) -> None:
    """The rate of each group (%), bars from 0 with their value; a missing rate is '–'."""
    positions = np.arange(len(rows))
    rates = rows["_rate"].to_numpy(dtype=float)
    axes.barh(positions, np.nan_to_num(rates), color=colours(2)[1], height=0.8)
    digits = 1
    for position, rate in zip(positions, rates):
        axes.text(0 if np.isnan(rate) else rate, position,
                  " " + formatting.format_percent(rate if rate == rate else None, lang,
                                                  digits), va="center", fontsize=8,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.8})
    axes.set_xlim(0, (np.nanmax(rates) if np.isfinite(rates).any() else 1.0) * 1.25 or 1.0)
    axes.set_xlabel(translate(label_key, lang))
    _percent_axis(axes.xaxis, lang)
    axes.tick_params(axis="y", left=False)
    axes.grid(axis="y", visible=False)


def trend(frame: pd.DataFrame, lang: str, *, uhc_target: float = 0.98) -> Figure:
    """Two panels since 2022: active BPJS TK participants (people) and JKN coverage (%)."""
    figure = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    left, right = figure.subplots(1, 2)
    data = frame.copy()
    data["month_end"] = pd.to_datetime(data["month_end"])
    palette = colours(3)
    tk = _numeric(data, "tk_active")
    left.plot(data["month_end"], tk, color=palette[0], linewidth=2)
    left.set_title(translate("chart.trend_tk", lang))
    left.set_ylabel(translate("axis.active_people", lang))
    _people_axis(left.yaxis, lang)
    coverage = _numeric(data, "jkn_coverage")
    right.plot(data["month_end"], coverage, color=palette[1], linewidth=2,
               label=translate("chart.jkn_coverage_line", lang))
    right.axhline(uhc_target, color=palette[2], linestyle="--", linewidth=1.2,
                  label=translate("chart.uhc_target_line", lang,
                                  target=formatting.format_percent(uhc_target, lang, 0)))
    right.set_title(translate("chart.trend_jkn", lang))
    right.set_ylabel(translate("axis.coverage_percent", lang))
    _percent_axis(right.yaxis, lang)
    right.legend(loc="lower right", fontsize=8, frameon=False)
    for axes in (left, right):
        axes.set_xlabel(translate("axis.month", lang))
        _month_axis(axes.xaxis, lang)
    _hidden_note(figure, int(tk.isna().sum() + coverage.isna().sum()), lang)
    return figure


def programme_costs(frame: pd.DataFrame, lang: str) -> Figure:
    """Annual cost of each regional programme, coloured by funding source (Rupiah)."""
    rows = frame.copy()
    rows["_cost"] = _numeric(rows, "cost_rp")
    rows = rows[rows["_cost"] > 0]
    figure, axes = _figure(height=max(2.4, 0.45 * len(rows) + 1.3))
    axes.set_title(translate("chart.programme_costs", lang))
    if rows.empty:
        return _empty(figure, axes, lang)
    rows["_name"] = rows["occupation"].map(lambda v: label("occupation", v, lang))
    rows["_funding"] = rows["funding_source"].map(lambda v: label("funding", v, lang))
    sns.barplot(data=rows, y="_name", x="_cost", hue="_funding", ax=axes, orient="h",
                palette=PALETTE, dodge=False)
    axes.set_ylabel("")
    axes.set_xlabel(translate("axis.annual_cost_rp", lang))
    _rupiah_axis(axes.xaxis, lang)
    for container in axes.containers:
        axes.bar_label(container, labels=[formatting.format_rupiah_compact(v, lang)
                                          if v == v and v else "" for v in container.datavalues],
                       padding=3, fontsize=8)
    axes.margins(x=0.25)
    axes.legend(title=translate("col.funding_source", lang), fontsize=8, frameon=False,
                loc="lower right")
    return figure


#: The measures of :func:`uhc_position` and their threshold columns in thresholds.csv.
UHC_MEASURES = (("jkn_coverage", "min_coverage"), ("jkn_active_rate", "min_active_rate"),
                ("jkn_pemda_share", "min_pemda_share"))
UHC_CATEGORIES = ("uhc", "pratama", "madya", "utama")


def uhc_thresholds(thresholds: pd.DataFrame, column: str, lang: str
                   ) -> list[tuple[float, str]]:
    """The distinct minima of one measure, each with the categories that require it.

    A category whose variants differ on the measure is named with its variant
    ('Madya (b)'); categories sharing a value share one label ('UHC, Pratama, Madya').
    """
    found: dict[float, list[str]] = {}
    for category in UHC_CATEGORIES:
        rows = thresholds[thresholds["category"] == category]
        values = pd.to_numeric(rows[column], errors="coerce")
        distinct = sorted(set(values.dropna().round(6)))
        for minimum in distinct:
            name = label("uhc", category, lang)
            if len(distinct) > 1 or values.isna().any():
                variants = rows.loc[values.round(6) == minimum, "variant"].astype(str)
                name += f" ({', '.join(sorted(set(variants)))})"
            found.setdefault(float(minimum), []).append(name)
    result = []
    for minimum, names in sorted(found.items()):
        short = [names[0]] + [n.removeprefix("UHC ") for n in names[1:]]
        result.append((minimum, ", ".join(short)))
    return result


def uhc_position(values: dict, thresholds: pd.DataFrame, lang: str) -> Figure:
    """JKN coverage, active rate and Pemda share of the region against the minima of each
    UHC category (%): one row per measure, its axis zoomed around the region's value and
    the minima, each minimum a labelled line (no legend over the data)."""
    figure = Figure(figsize=(WIDTH, 4.6), layout="constrained")
    rows = figure.subplots(len(UHC_MEASURES), 1)
    figure.suptitle(translate("chart.uhc_position", lang), x=0.01, ha="left",
                    fontweight="bold", fontsize=12)
    palette = colours(4)
    for axes, (measure, column) in zip(rows, UHC_MEASURES):
        value = values.get(measure)
        value = float(value) if isinstance(value, (int, float)) and value == value else None
        lines = uhc_thresholds(thresholds, column, lang)
        axes.set_title(translate(f"indicator.{measure}", lang), loc="left", fontsize=10,
                       fontweight="normal")
        limits = [v for v, _ in lines] + ([value] if value is not None else [])
        low, high = (min(limits), max(limits)) if limits else (0.0, 1.0)
        pad = max(0.01, (high - low) * 0.3)
        axes.set_xlim(max(0.0, low - pad), high + pad)
        axes.set_ylim(0, 1)
        axes.set_yticks([])
        axes.grid(axis="y", visible=False)
        middle = sum(axes.get_xlim()) / 2
        for level, (minimum, names) in enumerate(lines):
            axes.axvline(minimum, color=palette[2], linestyle="--", linewidth=1.2, zorder=1)
            right = minimum <= middle
            shown = formatting.format_percent(minimum, lang, percent_places([minimum]))
            text = f"{names} ≥ {shown}"
            axes.text(minimum, 0.86 - 0.22 * (level % 3), f" {text} ",
                      ha="left" if right else "right", va="center", fontsize=8,
                      color="#333333", zorder=2,
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5,
                            "alpha": 0.85})
        if value is None:
            axes.text(0.5, 0.15, translate("chart.no_data", lang), ha="center", va="center",
                      transform=axes.transAxes, fontsize=8)
        else:
            axes.scatter([value], [0.15], s=90, color=palette[0], zorder=3,
                         label=translate("chart.region_value", lang))
            axes.annotate(formatting.format_percent(value, lang, percent_digits(measure)),
                          (value, 0.15), xytext=(8, 0), textcoords="offset points",
                          va="center", fontsize=9, fontweight="bold", color=palette[0])
        _percent_axis(axes.xaxis, lang)
    rows[-1].set_xlabel(translate("compare.zoomed_axis", lang))
    handles = [Line2D([], [], marker="o", linestyle="", color=palette[0], markersize=8),
               Line2D([], [], linestyle="--", color=palette[2])]
    figure.legend(handles, [translate("chart.region_value", lang),
                            translate("chart.uhc_minimum", lang)],
                  loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return figure


def budget_shares(frame: pd.DataFrame, apbd_total_rp, lang: str) -> Figure:
    """Regional social-security spending by component, as a share of the APBD (%)."""
    items = ["budget_tk_apbd_rp", "budget_tk_dbhcht_rp", "budget_jkn_pemda_rp"]
    rows = frame[frame["item"].isin(items)].copy()
    rows["_value"] = _numeric(rows, "value")
    figure, axes = _figure(height=2.8)
    axes.set_title(translate("chart.budget_shares", lang))
    if rows.empty or not apbd_total_rp:
        return _empty(figure, axes, lang)
    rows["_share"] = rows["_value"] / float(apbd_total_rp)
    rows["_name"] = rows["item"].map(lambda v: label("budget", v, lang))
    sns.barplot(data=rows, y="_name", x="_share", ax=axes, orient="h", hue="_name",
                palette=PALETTE, legend=False)
    axes.set_ylabel("")
    axes.set_xlabel(translate("axis.share_of_apbd", lang))
    _percent_axis(axes.xaxis, lang)
    for container, (_, row) in zip(axes.containers, rows.iterrows()):
        axes.bar_label(container, labels=[
            f"{formatting.format_percent(row['_share'], lang, 2)} · "
            f"{formatting.format_rupiah_compact(row['_value'], lang)}"], padding=3, fontsize=8)
    axes.margins(x=0.45)
    return figure


def uhc_distance(frame: pd.DataFrame, lang: str) -> Figure:
    """People to enrol, register by the Pemda or reactivate per UHC category (stacked)."""
    rows = frame.copy()
    parts = ["people_to_enrol", "people_to_register_by_pemda", "people_to_reactivate"]
    rows["_name"] = [f"{label('uhc', c, lang)} ({v})" for c, v in
                     zip(rows["category"], rows["variant"])]
    figure, axes = _figure(height=max(2.4, 0.4 * len(rows) + 1.2))
    axes.set_title(translate("chart.uhc_distance", lang))
    left = np.zeros(len(rows))
    for colour, part in zip(colours(len(parts)), parts):
        values = _numeric(rows, part).fillna(0).to_numpy()
        axes.barh(rows["_name"], values, left=left, color=colour,
                  label=translate(f"col.{part}", lang), height=0.55)
        left += values
    axes.invert_yaxis()
    axes.set_xlabel(translate("axis.people", lang))
    _people_axis(axes.xaxis, lang)
    if left.max() == 0:
        axes.set_xlim(0, 1)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    return figure


# =========================================================================== province


def ranking(frame: pd.DataFrame, column: str, lang: str, *, province_value=None,
            target=None, highlight: str | None = None) -> Figure:
    """Kab/kota sorted by one ratio (%), the province value as a dashed line.

    When the values (and the lines) lie within a quarter of the largest, the axis is zoomed
    to them and each kab/kota is a dot (a bar would need the axis to start at 0); the
    axis label says so."""
    rows = frame.copy()
    rows["_value"] = _numeric(rows, column)
    rows = rows.dropna(subset=["_value"]).sort_values("_value", ascending=False)
    figure, axes = _figure(height=max(2.8, 0.32 * len(rows) + 1.3))
    axes.set_title(translate(f"chart.ranking_{column}", lang))
    if rows.empty:
        return _empty(figure, axes, lang)
    palette = colours(3)
    bar_colours = [palette[1] if code == highlight else palette[0]
                   for code in rows["region_code"]]
    values = rows["_value"]
    lines = [v for v in (province_value, target) if v is not None and not pd.isna(v)]
    low, high = min([*values, *lines]), max([*values, *lines])
    zoom = low > 0 and (high - low) < 0.25 * high  # the story is a few points apart
    if zoom:  # dots on an axis zoomed to the data and the lines (bars would need a 0)
        positions = np.arange(len(rows))
        axes.hlines(positions, 0, 1, transform=axes.get_yaxis_transform(), color="#e5e5e5",
                    linewidth=0.8, zorder=0)
        axes.scatter(values, positions, color=bar_colours, s=45, zorder=3)
        axes.set_yticks(positions, rows["region_name"])
        pad = max((high - low) * 0.12, 0.005)
        axes.set_xlim(low - pad, high + pad * 2.2)
        axes.grid(axis="y", visible=False)
    else:
        axes.barh(rows["region_name"], values, color=bar_colours, height=0.6)
    axes.invert_yaxis()
    for position, value in enumerate(values):
        axes.text(value, position, ("  " if zoom else " ") + formatting.format_percent(
            value, lang), va="center", fontsize=8)
    if province_value is not None and not pd.isna(province_value):
        axes.axvline(province_value, color="#333333", linestyle="--", linewidth=1,
                     label=translate("chart.province_value", lang,
                                     value=formatting.format_percent(province_value, lang)))
    if target is not None:
        axes.axvline(target, color=palette[2], linestyle=":", linewidth=1.5,
                     label=translate("chart.target_line", lang,
                                     value=formatting.format_percent(target, lang, 0)))
    axes.set_xlabel(translate("compare.zoomed_axis" if zoom else "axis.percent", lang))
    _percent_axis(axes.xaxis, lang)
    if not zoom:
        axes.margins(x=0.12)
    if province_value is not None or target is not None:
        axes.legend(fontsize=8, frameon=False, loc="upper center",
                    bbox_to_anchor=(0.5, -0.16), ncols=2)
    return figure


def scorecard_heatmap(frame: pd.DataFrame, lang: str) -> Figure:
    """The Paritrana-style scores (0-10) of every kab/kota, sorted by rank (cividis)."""
    rows = frame.sort_values("rank")
    data = rows[list(SCORECARD_INDICATORS)].apply(pd.to_numeric, errors="coerce")
    data.index = [f"{r}. {n}" for r, n in zip(rows["rank"], rows["region_name"])]
    data.columns = [translate(f"col.{c}", lang) for c in data.columns]
    figure, axes = _figure(width=WIDTH, height=0.36 * len(rows) + 2.6)
    axes.set_title(translate("chart.scorecard", lang))
    sns.heatmap(data, ax=axes, cmap=HEATMAP, vmin=0, vmax=10, annot=True, fmt=".1f",
                annot_kws={"fontsize": 8}, linewidths=0.5,
                cbar_kws={"label": translate("axis.score", lang)})
    for text in axes.texts:
        text.set_text(formatting.format_number(float(text.get_text()), lang, 1))
    axes.set_xticklabels(axes.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("")
    return figure


def province_trend(frame: pd.DataFrame, names: dict[str, str], lang: str) -> Figure:
    """Active BPJS TK participants per kab/kota since 2022 (people)."""
    figure, axes = _figure(height=4.0)
    axes.set_title(translate("chart.province_trend", lang))
    months = pd.to_datetime(frame["month_end"])
    codes = [c for c in names if c in frame.columns]
    for colour, code, style in zip(colours(len(codes)), codes,
                                   ["-", "--", "-.", ":"] * 5):
        axes.plot(months, _numeric(frame, code), color=colour, linestyle=style,
                  linewidth=1.6, label=names[code])
    axes.set_ylabel(translate("axis.active_people", lang))
    axes.set_xlabel(translate("axis.month", lang))
    _people_axis(axes.yaxis, lang)
    _month_axis(axes.xaxis, lang)
    axes.legend(fontsize=8, frameon=False, ncols=2, loc="upper left",
                bbox_to_anchor=(1.0, 1.0))
    return figure


# =========================================================================== scenarios


def scenario_costs(frame: pd.DataFrame, lang: str, *, chosen_share: float | None = None
                   ) -> Figure:
    """Annual cost (Rp) and share of the APBD for cover shares 10 %..100 %."""
    figure, axes = _figure(height=3.4)
    axes.set_title(translate("chart.scenario_costs", lang))
    palette = colours(3)
    shares = _numeric(frame, "cover_share")
    costs = _numeric(frame, "annual_cost_rp")
    axes.bar(shares, costs, width=0.06, color=palette[0],
             label=translate("axis.annual_cost_rp", lang))
    if chosen_share is not None:
        axes.axvline(chosen_share, color=palette[2], linestyle="--", linewidth=1.2,
                     label=translate("chart.chosen_share", lang,
                                     value=formatting.format_percent(chosen_share, lang, 0)))
    axes.set_xlabel(translate("axis.cover_share", lang))
    axes.set_ylabel(translate("axis.annual_cost_rp", lang))
    _percent_axis(axes.xaxis, lang)
    _rupiah_axis(axes.yaxis, lang)
    twin = axes.twinx()
    twin.plot(shares, _numeric(frame, "share_apbd"), color=palette[1], marker="o",
              label=translate("axis.share_of_apbd", lang))
    twin.set_ylabel(translate("axis.share_of_apbd", lang))
    twin.grid(False)
    _percent_axis(twin.yaxis, lang)
    handles = axes.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    axes.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], fontsize=8,
                frameon=False, loc="upper left")
    return figure


# =========================================================================== output


def show(figure: Figure, caption: str | None = None) -> None:
    """Display a chart in the notebook (inline SVG, its titles as alt text)."""
    display(HTML(figure_html(figure, alt_text(figure), caption)))
