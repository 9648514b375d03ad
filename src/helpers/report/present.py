"""A report's HTML blocks in one language: :class:`Presenter`.

A notebook names its language once::

    page = present.Presenter(report, lang)
    page.show(page.heading("heading.jkn", anchor="jkn"), page.paragraph("text.jkn"),
              page.table(report.jkn_by_segment))
    page.chart(plots.trend, report.trend.published)

Every block below formats through :mod:`helpers.report.formatting` (Babel) and translates
through :mod:`helpers.report.i18n`; the report objects hold raw numbers only.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
from IPython.display import HTML, display

from helpers.data import boundaries, reference
from helpers.measures.definitions import BY_ID
from helpers.measures.disclosure import DEFAULT_RULE
from helpers.report import downloads, findings, map_blocks, method, plots
from helpers.report.formatting import (
    format_count,
    format_date,
    format_percent,
    format_rupiah,
    format_rupiah_compact,
    format_value,
    html_table,
)
from helpers.report.html_blocks import definition_list, heading, paragraph
from helpers.report.i18n import check_language, label, translate

__all__ = ["Presenter", "banner", "cards", "definition_list", "facts", "heading", "paragraph",
           "reader_view",
           "table_html"]


class Presenter:
    """The blocks of one report in one language.

    Args:
        report: a :class:`~helpers.report.regency.RegencyReport`,
            :class:`~helpers.report.province.ProvinceReport` or
            :class:`~helpers.report.explorer.ExplorerReport`.
        lang: 'id' or 'en'.

    Attributes:
        facts: the report's values formatted for sentences (translation placeholders).
    """

    def __init__(self, report, lang: str):
        self.report = report
        self.lang = check_language(lang)
        self.facts = facts(report, self.lang)

    # -- output -----------------------------------------------------------------------

    @staticmethod
    def show(*fragments: str) -> None:
        """Display HTML fragments as one notebook output."""
        display(HTML("".join(fragments)))

    def chart(self, draw: Callable, *args, caption: str | None = None, **kwargs) -> None:
        """Draw ``draw(*args, lang, **kwargs)`` (a :mod:`helpers.report.plots` function)
        in this language and display it."""
        plots.show(draw(*args, self.lang, **kwargs), caption)

    # -- maps and comparisons (issue 15) ----------------------------------------------

    @staticmethod
    def figure(figure, alt: str, caption: str | None = None) -> str:
        """A chart as an HTML ``<figure>`` (embedded PNG) with its alt text."""
        return plots.figure_html(figure, alt, caption)

    def map(self, chart, twin, phone=None) -> str:
        """A map (:class:`~helpers.report.maps.MapChart`; ``phone``: its narrow drawing)
        followed by its table twin."""
        return map_blocks.map_html(chart, self.lang, phone) + self.table(twin)

    def maps(self) -> str:
        """The four kab/kota maps of the province, each followed by its table twin."""
        return "".join(self.map(*block)
                       for block in map_blocks.province_map_blocks(self.report, self.lang))

    def kecamatan_map(self) -> str:
        """The regency's kecamatan map of coverage rates with its note and table twin; a
        note instead where no kecamatan boundaries are committed (outside NTB)."""
        province = self.report.region_code[:2]
        if not boundaries.boundary_path("kecamatan", province).is_file():
            return self.paragraph("text.kecamatan_map_missing")
        return (self.paragraph("text.kecamatan_map")
                + self.map(*map_blocks.kecamatan_map_block(self.report, self.lang)))

    def dot_plot(self, indicator_id: str) -> str:
        """Every kab/kota against the province value and thresholds (own region marked)."""
        return map_blocks.dot_plot_html(self.report, indicator_id, self.lang)

    def small_multiples(self, column: str) -> str:
        """Monthly coverage rates (``tk_coverage``, ``jkn_coverage``) of every kab/kota."""
        return map_blocks.small_multiples_html(self.report, column, self.lang)

    def comparison(self) -> str:
        """Leaders and laggards (province overview) or the region's place in its province:
        rank of n, province value, gap to the best (regency report), as a list."""
        items = (map_blocks.position_items if self.report.kind == "regency"
                 else map_blocks.leaders_laggards_items)(self.report, self.lang)
        return ('<ul class="comparison">'
                + "".join(f"<li>{html.escape(text)}</li>" for text in items) + "</ul>")

    # -- text ---------------------------------------------------------------------------

    def heading(self, key: str, level: int = 2, anchor: str | None = None, **values) -> str:
        return heading(key, self.lang, level=level, anchor=anchor, **values)

    def paragraph(self, key: str, **values) -> str:
        """A translated paragraph filled with the report's facts (and ``values``)."""
        return paragraph(key, self.lang, **{**self.facts, **values})

    def table(self, table, *, title: bool = True) -> str:
        return table_html(table, self.lang, title=title)

    # -- report blocks ------------------------------------------------------------------

    def title(self) -> str:
        """The report's ``<h1>`` and subtitle; on the synthetic sample, a banner first; then
        the downloads (filled in by the batch) and the suggested citation."""
        return (banner(self.report, self.lang) + report_title(self.report, self.lang)
                + downloads.block(self.report, self.lang))

    def headline(self) -> str:
        """The headline cards (regency or province)."""
        if self.report.kind == "province":
            return province_headline(self.report, self.lang)
        return regency_headline(self.report, self.lang)

    def parameter_box(self) -> str:
        return parameter_box(self.report, self.lang)

    def indicators(self, group: str) -> str:
        """The indicators of one group (jamsostek, jkn, budget) as a table."""
        return indicator_subset(self.report, group, self.lang)

    def method(self) -> str:
        """Method and sources in plain words, then the collapsed technical annex."""
        return method.method_section(self.report, self.lang)

    def region_links(self) -> str:
        return region_links(self.report, self.lang)

    def scenario(self, scenario: dict) -> str:
        return banner(self.report, self.lang) + scenario_summary(self.report, scenario,
                                                                 self.lang)

    def uhc_scenario(self, rows: pd.DataFrame, category: str) -> str:
        return uhc_scenario_html(self.report, rows, category, self.lang)


# =========================================================================== tables


def _has_hidden(frame: pd.DataFrame) -> bool:
    return bool(frame.isin(["<5", "x"]).any().any()) or any(
        frame[c].astype(str).str.fullmatch(r"<\d+").any() for c in frame.columns
        if frame[c].dtype == object)


def reader_view(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A published frame as a reader sees it: indicator definitions in the report's
    language (the CSV keeps the English ones, so it is the same file in every language)."""
    if not {"indicator_id", "definition"} <= set(frame.columns):
        return frame
    return frame.assign(definition=[BY_ID[i].definition(lang) if i in BY_ID else text
                                    for i, text in zip(frame["indicator_id"],
                                                       frame["definition"])])


def table_html(table, lang: str, *, title: bool = True) -> str:
    """A :class:`~helpers.report.tables.ReportTable`'s published view as HTML: its title
    as the ``<caption>`` (not a heading: headings are the report's outline), then its note.

    A table with hidden cells gets a one-line reminder of the disclosure rule.
    """
    frame = reader_view(table.published, lang)
    parts = [html_table(frame, table.units, lang, table.codes,
                        caption=translate(table.title_key, lang) if title else None)]
    notes = []
    if table.note_key:
        notes.append(translate(table.note_key, lang))
    if _has_hidden(frame):
        notes.append(translate("note.hidden_cells", lang))
    csv = f"tables/{table.name}.csv"
    links = (f'{html.escape(translate("note.table_download", lang))} '
             f'<a href="{csv}" download>CSV</a> · <a href="excel-id/{csv}" download>'
             f'{html.escape(translate("note.table_download_excel_id", lang))}</a>')
    parts.append(f'<p class="note">{html.escape(" ".join(notes))} {links}</p>')
    extra = table.notes.get(lang, [])  # what the data cannot tell
    if extra:
        parts.append('<ul class="note">' + "".join(f"<li>{html.escape(note)}</li>"
                                                   for note in extra) + "</ul>")
    return "".join(parts)


# =========================================================================== blocks


def cards(items: list[tuple[str, str, str]]) -> str:
    """Headline cards: (big value, label, small print) each."""
    parts = []
    for value, text, small in items:
        parts.append(f'<div class="card"><div class="card-value">{html.escape(value)}</div>'
                     f'<div class="card-label">{html.escape(text)}</div>'
                     + (f'<div class="card-note">{html.escape(small)}</div>' if small else "")
                     + "</div>")
    return f'<div class="cards">{"".join(parts)}</div>'


# =========================================================================== report blocks


def _name(report) -> str:
    return getattr(report, "region_name", None) or report.province_name


def facts(report, lang: str) -> dict[str, str]:
    """Formatted values for the narrative sentences (translation placeholders)."""
    params = report.params
    result = {
        "region": _name(report),
        "date": format_date(report.reference_date, lang),
        "denominator": label("denominator", params.labour_denominator, lang),
        "vintage": label("vintage", params.population_vintage, lang),
    }
    for key, value in report.values.items():
        unit = BY_ID[key].unit if key in BY_ID else "text"
        result[key] = format_value(value, unit, lang, key=key, compact=True)
    return result


def banner(report, lang: str) -> str:
    """A banner no screenshot can lose: the numbers come from the synthetic sample (and,
    when scaled down, that counts and rates are far below reality). Empty on real data."""
    return downloads.synthetic_banner(report.params.data_dir, lang)


def report_title(report, lang: str) -> str:
    """The report's ``<h1>`` and subtitle."""
    if report.kind == "province":
        title = translate("title.province", lang, name=report.province_name,
                          code=report.province_code, period=report.period)
    elif report.kind == "regency":
        title = translate("title.regency", lang, name=report.region_name,
                          code=report.region_code, period=report.period)
    else:
        title = translate(f"title.{report.kind}", lang, name=report.region_name,
                          code=report.region_code)
    subtitle = translate("title.subtitle", lang, date=format_date(report.reference_date, lang))
    return (f'<h1 id="top">{html.escape(title)}</h1>'
            f'<p class="subtitle">{html.escape(subtitle)}</p>')


def parameter_box(report, lang: str) -> str:
    """The parameter-and-method box at the top of every report."""
    params = report.parameters
    meta = getattr(report, "meta", {})
    rows = []
    if report.kind == "province":
        rows.append((translate("param.province_code", lang),
                     f"{report.province_name} ({report.province_code}), "
                     + translate("text.n_regions", lang, count=len(report.region_codes))))
    else:
        region = reference.regions().set_index("region_code").loc[report.region_code]
        rows.append((translate("param.region_code", lang),
                     f"{report.region_name} ({report.region_code}), "
                     f"{label('region_type', region['region_type'], lang)}, "
                     f"{reference.region_name(report.params.province_code)}"))
    if "period" in params:
        rows.append((translate("param.period", lang), str(params["period"])))
    rows += [
        (translate("param.reference_date", lang), format_date(params["reference_date"], lang)),
        (translate("param.population_vintage", lang),
         label("vintage", params["population_vintage"], lang)),
        (translate("param.labour_denominator", lang),
         label("denominator", params["labour_denominator"], lang)),
        (translate("param.grace_months", lang),
         translate("text.months", lang, count=format_count(params["grace_months"], lang))),
    ]
    if meta.get("data_as_of"):
        rows.append((translate("param.data_as_of", lang), format_date(meta["data_as_of"], lang)))
    for name, info in meta.get("registries", {}).items():
        rows.append((translate(f"registry.{name}", lang),
                     translate("text.registry_file", lang,
                               rows=format_count(info["rows_read"], lang),
                               accepted=format_count(info["rows_accepted"], lang))))
    rows += [
        (translate("param.method", lang), translate("text.method_pointer", lang)),
        (translate("param.disclosure", lang), DEFAULT_RULE.label(lang)),
    ]
    return (f'<div class="param-box" id="parameters"><div class="param-box-title">'
            f'{html.escape(translate("heading.parameters", lang))}</div>'
            + definition_list(rows) + "</div>")


def regency_headline(report, lang: str) -> str:
    """The first screen of a regency report: who is covered, who pays and how much, the UHC
    status and what it lacks, the gap cost, the change since last year; then the key
    findings in plain words. Money in cards and sentences is compact (``Rp1,51 miliar``)."""
    head = report.headline
    values = report.values
    reference_budget = report.budget_reference
    apbd = reference_budget.get("apbd_total_rp")
    change = findings.change_since_last_year(report)

    def money(value) -> str:
        return format_rupiah_compact(value, lang)

    def points(value) -> str:
        return "" if pd.isna(value) else translate("headline.change", lang,
                                                   change=format_value(value, "percent_point",
                                                                       lang))

    positions = report.positions.data.set_index("indicator_id")

    def rank(indicator_id: str) -> str:
        if indicator_id not in positions.index or pd.isna(positions.at[indicator_id, "rank"]):
            return ""
        row = positions.loc[indicator_id]
        return translate("headline.rank", lang, rank=int(row["rank"]),
                         count=int(row["region_count"]),
                         province=format_percent(row["province_value"], lang))

    def programme(key: str) -> tuple[str, str, str]:
        item = head[key]
        if not item["people"]:
            return (format_count(0, lang), translate(f"headline.{key}", lang),
                    translate("headline.programme_none", lang))
        sources = ", ".join(label("funding", s, lang) for s in item["funding_sources"])
        return (format_count(item["people"], lang), translate(f"headline.{key}", lang),
                translate("headline.programme_note", lang, sources=sources,
                          cost=money(item["annual_cost_rp"])))

    spend = (values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
             + values["budget_jkn_pemda_rp"])
    gap_share = values["gap_cost_informal_rp"] / apbd if apbd else float("nan")
    items = [
        (format_count(head["tk_active"], lang), translate("headline.tk_active", lang),
         "; ".join(filter(None, [translate("headline.tk_active_note", lang,
                                          coverage=format_percent(head["tk_coverage"], lang),
                                          informal=format_percent(
                                              head["tk_coverage_informal"], lang)),
                                points(change["tk_coverage"]), rank("tk_coverage")]))),
        programme("non_asn_staff"),
        programme("tobacco_farmer"),
        programme("fisher"),
        (format_percent(head["jkn_coverage"], lang), translate("headline.jkn_coverage", lang),
         "; ".join(filter(None, [translate("headline.jkn_note", lang,
                                          active=format_percent(head["jkn_active_rate"], lang)),
                                points(change["jkn_coverage"]), rank("jkn_coverage")]))),
        (label("uhc", head["uhc_category"], lang), translate("headline.uhc_category", lang),
         uhc_note(report, lang)),
        (format_percent(head["budget_share_apbd"], lang, 2),
         translate("headline.budget_share_apbd", lang),
         translate("headline.budget_note", lang, spend=money(spend), apbd=money(apbd))),
        (money(values["gap_cost_informal_rp"]), translate("headline.gap_cost", lang),
         translate("headline.gap_note", lang,
                   people=format_count(values["gap_informal_workers"], lang),
                   share=format_percent(gap_share, lang, 2))),
    ]
    if reference_budget.get("dbhcht_received_rp") is not None:  # unknown outside NTB
        items.append((format_percent(head["dbhcht_social_security_share"], lang, 2),
                      translate("headline.dbhcht_share", lang),
                      translate("headline.dbhcht_note", lang,
                                amount=money(values["budget_tk_dbhcht_rp"]),
                                received=money(reference_budget["dbhcht_received_rp"]))))
    return cards(items) + key_findings(report, lang)


def uhc_note(report, lang: str) -> str:
    """Why the region has its UHC status, and what the next category needs and costs."""
    status = findings.uhc_status(report)
    if status["target"] is None:
        return translate("headline.uhc_top", lang)
    lacks = "; ".join(
        translate("headline.uhc_lacks", lang, what=_mid_sentence(
            translate(f"indicator.{indicator_id}", lang)),
                  value=format_percent(value, lang), threshold=format_percent(threshold, lang,
                                                                               0))
        for indicator_id, value, threshold in status["missing"])
    return translate("headline.uhc_next", lang, target=label("uhc", status["target"], lang),
                     lacks=lacks, people=format_count(status["people"], lang),
                     cost=format_rupiah_compact(status["cost_rp"], lang),
                     share=format_percent(status["share_apbd"], lang, 2))


def _mid_sentence(name: str) -> str:
    """'Tingkat keaktifan JKN' → 'tingkat keaktifan JKN'; 'JKN active rate' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def key_findings(report, lang: str) -> str:
    """Three findings in plain words, from the report's numbers (coverage, UHC, budget)."""
    values = report.values
    change = findings.change_since_last_year(report)
    status = findings.uhc_status(report)
    apbd = report.budget_reference.get("apbd_total_rp")
    trend_key = ("finding.coverage_change" if not pd.isna(change["tk_coverage"])
                 else "finding.coverage")
    sentences = [translate(
        trend_key, lang, region=report.region_name,
        coverage=format_percent(values["tk_coverage"], lang),
        informal=format_percent(values["tk_coverage_informal"], lang),
        change=format_value(change["tk_coverage"], "percent_point", lang)
        if not pd.isna(change["tk_coverage"]) else "")]
    if status["target"] is None:
        sentences.append(translate("finding.uhc_top", lang,
                                   category=label("uhc", status["category"], lang)))
    else:
        sentences.append(translate(
            "finding.uhc", lang, category=label("uhc", status["category"], lang),
            target=label("uhc", status["target"], lang),
            people=format_count(status["people"], lang),
            cost=format_rupiah_compact(status["cost_rp"], lang),
            share=format_percent(status["share_apbd"], lang, 2)))
    sentences.append(translate(
        "finding.budget", lang,
        spend=format_rupiah_compact(values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
                                    + values["budget_jkn_pemda_rp"], lang),
        share=format_percent(values["budget_share_apbd"], lang, 2),
        people=format_count(values["gap_informal_workers"], lang),
        cost=format_rupiah_compact(values["gap_cost_informal_rp"], lang),
        cost_share=format_percent(values["gap_cost_informal_rp"] / apbd if apbd
                                  else float("nan"), lang, 2)))
    items = "".join(f"<li>{html.escape(text)}</li>" for text in sentences)
    return (f'<div class="findings"><p class="findings-title">'
            f'{html.escape(translate("heading.key_findings", lang))}</p><ul>{items}</ul></div>')


def province_headline(overview, lang: str) -> str:
    """The headline box of the province overview (province totals)."""
    values = overview.values
    regions = overview.regions.data
    best = regions.assign(_v=pd.to_numeric(regions["tk_coverage"], errors="coerce")
                          ).sort_values("_v", ascending=False).iloc[0]
    uhc = (pd.Series(regions["uhc_category"]) != "none").sum()
    items = [
        (format_count(values["tk_active"], lang), translate("headline.tk_active", lang),
         translate("headline.tk_active_note", lang,
                   coverage=format_percent(values["tk_coverage"], lang),
                   informal=format_percent(values["tk_coverage_informal"], lang))),
        (format_count(values["tk_pemda_funded_active"], lang),
         translate("headline.pemda_funded", lang), ""),
        (format_percent(values["jkn_coverage"], lang), translate("headline.jkn_coverage", lang),
         translate("headline.jkn_note", lang,
                   active=format_percent(values["jkn_active_rate"], lang))),
        (f"{int(uhc)} / {len(overview.region_codes)}",
         translate("headline.regions_uhc", lang), ""),
        (str(best["region_name"]), translate("headline.best_tk_coverage", lang),
         format_percent(best["_v"], lang)),
        (format_rupiah_compact(values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
                               + values["budget_jkn_pemda_rp"], lang),
         translate("headline.province_spending", lang), ""),
    ]
    return cards(items)


def indicator_subset(report, group: str, lang: str) -> str:
    """The indicators of one group (jamsostek, jkn, budget) as a table."""
    table = report.totals if report.kind == "province" else report.indicators
    frame = table.published[table.published["indicator_id"].map(
        lambda i: BY_ID[i].group == group if i in BY_ID else False)]
    return html_table(reader_view(frame, lang).drop(columns=["flag"], errors="ignore"),
                      table.units, lang, table.codes)


def region_links(overview, lang: str) -> str:
    """Links from the province overview to each regency report (runner layout)."""
    page = "index.html" if lang == "id" else f"index.{lang}.html"
    items = "".join(downloads.region_item(code, name, f"{code}/{page}", lang)
                    for code, name in overview.region_names.items())
    return (f'<p class="links-title">{html.escape(translate("text.region_links", lang))}</p>'
            f'<ul class="region-links">{items}</ul>')


def scenario_summary(report, scenario: dict, lang: str) -> str:
    """Title, sentence and cards of a budget scenario."""
    group = label("scenario_group", scenario["target_group"], lang)
    title = translate("title.scenario", lang, name=report.region_name,
                      code=report.region_code, period=report.period)
    parts = [f'<h1 id="top">{html.escape(title)}</h1>',
             paragraph("text.scenario", lang, group=group,
                       share=format_percent(scenario["cover_share"], lang, 0),
                       uncovered=format_count(scenario["uncovered"], lang),
                       people=format_count(scenario["people"], lang),
                       rate=format_rupiah(scenario["monthly_rate_rp"], lang),
                       cost=format_rupiah_compact(scenario["annual_cost_rp"], lang)),
             cards([
                 (format_count(scenario["uncovered"], lang),
                  translate("headline.uncovered", lang, group=group),
                  translate("headline.target_note", lang,
                            target=format_count(scenario["target_count"], lang))
                  if scenario["target_count"] is not None else ""),
                 (format_count(scenario["people"], lang), translate("headline.to_cover", lang),
                  format_percent(scenario["cover_share"], lang, 0)),
                 (format_rupiah_compact(scenario["annual_cost_rp"], lang),
                  translate("headline.annual_cost", lang),
                  translate("headline.rate_note", lang,
                            rate=format_rupiah(scenario["monthly_rate_rp"], lang))),
                 (format_percent(scenario["share_apbd"], lang, 2),
                  translate("headline.share_apbd", lang), ""),
                 (format_percent(scenario["share_dbhcht"], lang, 1),
                  translate("headline.share_dbhcht", lang),
                  translate("headline.share_dbhcht_welfare", lang,
                            share=format_percent(scenario["share_dbhcht_welfare"], lang, 1))),
             ])]
    return "".join(parts)


def uhc_scenario_html(report, rows: pd.DataFrame, category: str, lang: str) -> str:
    """The cost of reaching a UHC category, as a heading, sentence and table."""
    cheapest = rows.sort_values("annual_cost_rp").iloc[0]
    sentence = paragraph(
        "text.uhc_scenario_met" if bool(cheapest["met"]) else "text.uhc_scenario", lang,
        category=label("uhc", category, lang), region=report.region_name,
        people=format_count(int(cheapest["people_to_enrol"]
                                + cheapest["people_to_register_by_pemda"]
                                + cheapest["people_to_reactivate"]), lang),
        cost=format_rupiah_compact(cheapest["annual_cost_rp"], lang),
        share=format_percent(cheapest["share_apbd"], lang, 2))
    units = {"people_to_enrol": "people", "people_to_register_by_pemda": "people",
             "people_to_reactivate": "people", "annual_cost_rp": "rupiah",
             "share_apbd": "fraction", "share_dbhcht": "fraction"}
    return (heading("heading.uhc_scenario", lang, anchor="uhc-scenario") + sentence
            + html_table(rows, units, lang, {"category": "uhc", "met": "yesno"}))
