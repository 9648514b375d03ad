"""Numbers, money, percentages and dates for reports, through Babel (CLDR locale data).

Indonesian (``id``): ``13.600`` people, ``Rp1.209.600.000``, ``41,2%``, ``31 Desember 2024``.
English (``en``): ``13,600``, ``Rp1,209,600,000``, ``41.2%``, ``31 December 2024``.
Values are stored unformatted everywhere (CSV, Excel, indicators); only what a reader sees
goes through here. Missing values show as an en dash; a suppressed cell (``<5``, a string
from the disclosure step) passes through unchanged.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping

import pandas as pd
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from helpers.report.i18n import check_language, label, translate

#: Babel locale per report language.
LOCALES = {"id": "id_ID", "en": "en_GB"}
MISSING = "–"
#: Units a value can be formatted as (``indicators`` units plus a few report ones).
UNITS = ("people", "count", "rupiah", "fraction", "percent_point", "category", "number",
         "text", "date", "months", "score")


def _locale(lang: str) -> str:
    return LOCALES[check_language(lang)]


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _passthrough(value) -> str | None:
    """A suppressed cell or other text stays as it is; a missing value becomes a dash."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    return None


def format_count(value, lang: str = "id") -> str:
    """People or other whole counts: ``13.600`` (id), ``13,600`` (en)."""
    text = _passthrough(value)
    if text is not None:
        return text
    return babel_numbers.format_decimal(int(round(float(value))), format="#,##0",
                                        locale=_locale(lang))


def format_number(value, lang: str = "id", digits: int = 1) -> str:
    """A decimal number with ``digits`` decimals: ``1.234,5`` (id), ``1,234.5`` (en)."""
    text = _passthrough(value)
    if text is not None:
        return text
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(float(value), format=pattern, locale=_locale(lang))


def format_rupiah(value, lang: str = "id") -> str:
    """Whole Rupiah: ``Rp1.209.600.000`` (id), ``Rp1,209,600,000`` (en); ``-Rp5.000``."""
    text = _passthrough(value)
    if text is not None:
        return text
    amount = int(round(float(value)))
    digits = babel_numbers.format_decimal(abs(amount), format="#,##0", locale=_locale(lang))
    return f"-Rp{digits}" if amount < 0 else f"Rp{digits}"


def format_rupiah_compact(value, lang: str = "id", digits: int = 2) -> str:
    """Large amounts in words: ``Rp1,21 miliar`` (id), ``Rp1.21 billion`` (en)."""
    text = _passthrough(value)
    if text is not None:
        return text
    amount = float(value)
    if abs(amount) < 1_000_000:
        return format_rupiah(amount, lang)
    words = babel_numbers.format_compact_decimal(abs(amount), format_type="long",
                                                 fraction_digits=digits, locale=_locale(lang))
    return f"-Rp{words}" if amount < 0 else f"Rp{words}"


def format_percent(value, lang: str = "id", digits: int = 1) -> str:
    """A 0-1 fraction as a percentage: ``41,2%`` (id), ``41.2%`` (en). 1.019 → ``101,9%``."""
    text = _passthrough(value)
    if text is not None:
        return text
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(float(value), format=pattern, locale=_locale(lang))


def format_date(value, lang: str = "id", style: str = "long") -> str:
    """``31 Desember 2024`` (id), ``31 December 2024`` (en); style 'month' → ``Des 2024``."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = value.date()
    pattern = "MMM yyyy" if style == "month" else style
    return babel_dates.format_date(value, format=pattern, locale=_locale(lang))


def format_value(value, unit: str, lang: str = "id") -> str:
    """Format one value by its unit (the ``unit`` column of ``indicators.csv``).

    ``people``/``count``/``months`` → counts; ``rupiah`` → Rupiah; ``fraction`` →
    percentage; ``percent_point`` → ``+1,2 poin``; ``category`` → its translated label;
    ``score`` → one decimal; ``date`` → long date; anything else as text.
    """
    text = _passthrough(value)
    if text is not None and unit not in ("category", "text", "date"):
        return text
    if unit in ("people", "count", "months"):
        return format_count(value, lang)
    if unit == "rupiah":
        return format_rupiah(value, lang)
    if unit == "fraction":
        return format_percent(value, lang)
    if unit == "percent_point":
        points = format_number(float(value) * 100, lang, 1)
        sign = "+" if float(value) > 0 else ""
        return f"{sign}{points} {translate('unit.percent_point', lang)}"
    if unit == "category":
        return MISSING if _is_missing(value) else label("uhc", value, lang)
    if unit == "score":
        return format_number(value, lang, 2)
    if unit == "number":
        return format_number(value, lang, 1)
    if unit == "date":
        return format_date(value, lang)
    return MISSING if _is_missing(value) else str(value)


#: Ratio indicators whose numerator and denominator are Rupiah, not people.
RUPIAH_RATIOS = ("budget_share_apbd", "dbhcht_social_security_share")
#: Unit of a column whose unit differs per row (long tables with a ``unit`` column).
ROW_UNIT = "row"
#: Unit of numerator/denominator columns of long indicator tables.
ROW_COUNT_UNIT = "row_count"
NUMERIC_UNITS = ("people", "count", "rupiah", "fraction", "percent_point", "score", "number",
                 "months", ROW_UNIT, ROW_COUNT_UNIT)


def _cell_unit(unit: str, row: pd.Series) -> str:
    if unit == ROW_UNIT:
        return str(row.get("unit", "text"))
    if unit == ROW_COUNT_UNIT:
        key = row.get("indicator_id", row.get("item", ""))
        return "rupiah" if key in RUPIAH_RATIOS or str(row.get("unit")) == "rupiah" else "people"
    return unit


def format_table(frame: pd.DataFrame, units: Mapping[str, str], lang: str = "id",
                 codes: Mapping[str, str] | None = None,
                 labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as display text and translated headings.

    Args:
        frame: values as stored (numbers; '<5' / 'x' strings where hidden).
        units: column → unit (see :func:`format_value`); ``'row'`` takes each row's
            ``unit`` column (which is then not shown); columns not named stay as text.
        lang: 'id' or 'en'.
        codes: column → label prefix for coded values (e.g. ``{'segment': 'segment'}``).
        labels: column → translation key of its heading (default ``col.<column>``).

    Returns:
        A frame of strings, same row order.
    """
    codes = codes or {}
    result = {}
    hide_unit = ROW_UNIT in units.values() and "unit" in frame.columns
    for column in frame.columns:
        if hide_unit and column == "unit":
            continue
        if column in codes:
            shown = [MISSING if _is_missing(v) else label(codes[column], v, lang)
                     for v in frame[column]]
        elif column in units:
            shown = [format_value(v, _cell_unit(units[column], row), lang)
                     for v, (_, row) in zip(frame[column], frame.iterrows())]
        else:
            shown = [MISSING if _is_missing(v) else
                     translate("label.total", lang) if str(v) == "total" else str(v)
                     for v in frame[column]]
        key = (labels or {}).get(column, f"col.{column}")
        result[column_label(key, column, lang)] = shown
    return pd.DataFrame(result, dtype=object)


def column_label(key: str, fallback: str, lang: str) -> str:
    """Translated heading of a table column (``fallback`` when the key has no row)."""
    from helpers.report.i18n import has

    return translate(key, lang) if has(key) else fallback


def html_table(frame: pd.DataFrame, units: Mapping[str, str], lang: str = "id",
               codes: Mapping[str, str] | None = None, caption: str | None = None,
               css_class: str = "data", bold_total: bool = True) -> str:
    """A frame as a plain, escaped HTML table with the report's number formats.

    Numeric columns are right-aligned (class ``num``); a ``total`` row is bold.
    """
    shown = format_table(frame, units, lang, codes)
    numeric = []
    for column in frame.columns:
        if units.get(column) in NUMERIC_UNITS:
            numeric.append(column_label(f"col.{column}", column, lang))
    head = "".join(f'<th class="num">{html.escape(c)}</th>' if c in numeric
                   else f"<th>{html.escape(c)}</th>" for c in shown.columns)
    rows = []
    raw_rows = frame.reset_index(drop=True)
    for index, row in shown.iterrows():
        cells = "".join(f'<td class="num">{html.escape(str(v))}</td>' if c in numeric
                        else f"<td>{html.escape(str(v))}</td>" for c, v in row.items())
        is_total = bold_total and any(str(v) == "total" for v in raw_rows.iloc[index].tolist())
        rows.append(f'<tr class="total">{cells}</tr>' if is_total else f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table class="{css_class}">{cap}<thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _has_hidden(frame: pd.DataFrame) -> bool:
    return bool(frame.isin(["<5", "x"]).any().any()) or any(
        frame[c].astype(str).str.fullmatch(r"<\d+").any() for c in frame.columns
        if frame[c].dtype == object)


def table_html(table, lang: str = "id", *, title: bool = True) -> str:
    """A :class:`helpers.report.report_data.ReportTable` as HTML: table with its title as the
    ``<caption>`` (not a heading: headings are the report's outline), then its note.

    A table with hidden cells gets a one-line reminder of the disclosure rule.
    """
    parts = [html_table(table.frame, table.units, lang, table.codes,
                        caption=translate(table.title_key, lang) if title else None)]
    notes = []
    if table.note_key:
        notes.append(translate(table.note_key, lang))
    if _has_hidden(table.frame):
        notes.append(translate("note.hidden_cells", lang))
    notes.append(translate("note.csv_file", lang, name=f"tables/{table.name}.csv"))
    parts.append(f'<p class="note">{html.escape(" ".join(notes))}</p>')
    extra = getattr(table, "notes", {}).get(lang, [])  # what the data cannot tell
    if extra:
        parts.append('<ul class="note">' + "".join(f"<li>{html.escape(note)}</li>"
                                                   for note in extra) + "</ul>")
    return "".join(parts)


def excel_frame(table, lang: str = "id") -> pd.DataFrame:
    """A table for the Excel workbook: translated headings and codes, numbers kept numbers."""
    codes = table.codes or {}
    result = {}
    for column in table.frame.columns:
        values = table.frame[column]
        if column in codes:
            values = values.map(lambda v, p=codes[column]: v if _is_missing(v)
                                else label(p, v, lang))
        elif column == "unit" and "row" in table.units.values():
            values = values.map(lambda v: label("unit", v, lang))
        result[column_label(f"col.{column}", column, lang)] = values.to_numpy()
    return pd.DataFrame(result)


# =========================================================================== blocks


def heading(key: str, lang: str = "id", level: int = 2, anchor: str | None = None,
            **values) -> str:
    """``<h2 id="...">`` with translated text; the id feeds the table of contents."""
    text = translate(key, lang, **values)
    anchor = anchor or key.split(".")[-1].replace("_", "-")
    return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'


def paragraph(key: str, lang: str = "id", **values) -> str:
    """A translated paragraph; ``values`` (already formatted) fill its placeholders."""
    return f"<p>{html.escape(translate(key, lang, **values))}</p>"


def definition_list(rows: list[tuple[str, str]], css_class: str = "params") -> str:
    """Label/value pairs as an HTML table (the parameter-and-method box)."""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return f'<table class="{css_class}"><tbody>{body}</tbody></table>'


def cards(items: list[tuple[str, str, str]]) -> str:
    """Headline cards: (big value, label, small print) each."""
    parts = []
    for value, text, small in items:
        parts.append(f'<div class="card"><div class="card-value">{html.escape(value)}</div>'
                     f'<div class="card-label">{html.escape(text)}</div>'
                     + (f'<div class="card-note">{html.escape(small)}</div>' if small else "")
                     + "</div>")
    return f'<div class="cards">{"".join(parts)}</div>'


def show(*fragments: str) -> None:
    """Display HTML fragments in a notebook (one output)."""
    from IPython.display import HTML, display

    display(HTML("".join(fragments)))


# =========================================================================== report blocks


def facts(report: dict, lang: str = "id") -> dict[str, str]:
    """Formatted values for the narrative sentences (translation placeholders)."""
    values = report.get("values", {})
    result = {
        "region": report.get("region_name") or report.get("province_name", ""),
        "date": format_date(report["reference_date"], lang),
        "denominator": label("denominator", report["parameters"]["labour_denominator"], lang),
        "vintage": label("vintage", report["parameters"]["population_vintage"], lang),
    }
    for key, value in values.items():
        unit = _unit_of(key)
        result[key] = format_value(value, unit, lang)
    return result


def _unit_of(indicator_id: str) -> str:
    from helpers.measures.definitions import BY_ID

    return BY_ID[indicator_id].unit if indicator_id in BY_ID else "text"


def report_title(report: dict, lang: str = "id") -> str:
    """The report's ``<h1>`` and subtitle."""
    if report["kind"] == "province":
        title = translate("title.province", lang, name=report["province_name"],
                          code=report["province_code"], period=report["period"])
    elif report["kind"] == "regency":
        title = translate("title.regency", lang, name=report["region_name"],
                          code=report["region_code"], period=report["period"])
    else:
        title = translate(f"title.{report['kind']}", lang, name=report.get("region_name", ""),
                          code=report.get("region_code", ""))
    subtitle = translate("title.subtitle", lang, date=format_date(report["reference_date"], lang))
    return (f'<h1 id="top">{html.escape(title)}</h1>'
            f'<p class="subtitle">{html.escape(subtitle)}</p>')


def parameter_box(report: dict, lang: str = "id") -> str:
    """The parameter-and-method box at the top of every report."""
    from helpers.data import reference
    from helpers.measures.disclosure import DEFAULT_RULE

    params = report["parameters"]
    meta = report.get("meta", {})
    rows = []
    if report["kind"] == "province":
        rows.append((translate("param.province_code", lang),
                     f"{report['province_name']} ({report['province_code']}), "
                     + translate("text.n_regions", lang, count=len(report["region_codes"]))))
    else:
        region = reference.regions().set_index("region_code").loc[report["region_code"]]
        rows.append((translate("param.region_code", lang),
                     f"{report['region_name']} ({report['region_code']}), "
                     f"{label('region_type', region['region_type'], lang)}, "
                     f"{reference.region_name(report['region_code'][:2])}"))
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
                     translate("text.registry_file", lang, file=info["file"],
                               sha=(info.get("sha256") or "")[:12],
                               rows=format_count(info["rows_read"], lang),
                               accepted=format_count(info["rows_accepted"], lang))))
    rows += [
        (translate("param.method", lang), translate("text.method_pointer", lang)),
        (translate("param.disclosure", lang), DEFAULT_RULE.label(lang)),
    ]
    return (f'<div class="param-box" id="parameters"><div class="param-box-title">'
            f'{html.escape(translate("heading.parameters", lang))}</div>'
            + definition_list(rows) + "</div>")


def regency_headline(report: dict, lang: str = "id") -> str:
    """The headline box of a regency report: coverage, the three programmes, UHC, budget."""
    head = report["headline"]
    values = report["values"]
    reference_budget = report.get("budget_reference", {})

    def programme(key: str) -> tuple[str, str, str]:
        item = head[key]
        sources = ", ".join(label("funding", s, lang) for s in item["funding_sources"]) or "–"
        return (format_count(item["people"], lang), translate(f"headline.{key}", lang),
                translate("headline.programme_note", lang, sources=sources,
                          cost=format_rupiah(item["annual_cost_rp"], lang)))

    spend = (values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
             + values["budget_jkn_pemda_rp"])
    items = [
        (format_count(head["tk_active"], lang), translate("headline.tk_active", lang),
         translate("headline.tk_active_note", lang,
                   coverage=format_percent(head["tk_coverage"], lang),
                   informal=format_percent(head["tk_coverage_informal"], lang))),
        programme("non_asn_staff"),
        programme("tobacco_farmer"),
        programme("fisher"),
        (format_percent(head["jkn_coverage"], lang), translate("headline.jkn_coverage", lang),
         translate("headline.jkn_note", lang,
                   active=format_percent(head["jkn_active_rate"], lang))),
        (label("uhc", head["uhc_category"], lang), translate("headline.uhc_category", lang),
         translate("headline.uhc_note", lang,
                   gap=format_count(head["uhc_gap_people"], lang))
         if head["uhc_gap_people"] else translate("headline.uhc_reached", lang)),
        (format_percent(head["budget_share_apbd"], lang, 2),
         translate("headline.budget_share_apbd", lang),
         translate("headline.budget_note", lang, spend=format_rupiah(spend, lang),
                   apbd=format_rupiah(reference_budget.get("apbd_total_rp"), lang))),
        (format_percent(head["dbhcht_social_security_share"], lang, 2),
         translate("headline.dbhcht_share", lang),
         translate("headline.dbhcht_note", lang,
                   amount=format_rupiah(values["budget_tk_dbhcht_rp"], lang),
                   received=format_rupiah(reference_budget.get("dbhcht_received_rp"), lang))),
    ]
    return cards(items)


def province_headline(overview: dict, lang: str = "id") -> str:
    """The headline box of the province overview (province totals)."""
    values = overview["values"]
    best = overview["regions_raw"].assign(
        _v=pd.to_numeric(overview["regions_raw"]["tk_coverage"], errors="coerce")
    ).sort_values("_v", ascending=False).iloc[0]
    uhc = (pd.Series(overview["regions_raw"]["uhc_category"]) != "none").sum()
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
        (f"{int(uhc)} / {len(overview['region_codes'])}",
         translate("headline.regions_uhc", lang), ""),
        (str(best["region_name"]), translate("headline.best_tk_coverage", lang),
         format_percent(best["_v"], lang)),
        (format_rupiah(values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
                       + values["budget_jkn_pemda_rp"], lang),
         translate("headline.province_spending", lang), ""),
    ]
    return cards(items)


def indicator_subset(report: dict, group: str, lang: str = "id") -> str:
    """The indicators of one group (jamsostek, jkn, budget) as a table."""
    from helpers.measures.definitions import BY_ID

    table = report["tables"]["indicators"] if "indicators" in report["tables"] else \
        report["tables"]["totals"]
    frame = table.frame[table.frame["indicator_id"].map(
        lambda i: BY_ID[i].group == group if i in BY_ID else False)]
    return html_table(frame.drop(columns=["flag"], errors="ignore"), table.units, lang,
                      table.codes)


def method_section(report: dict, lang: str = "id") -> str:
    """Method and sources: indicator definitions, reference tables, synthetic data note."""
    from helpers.data import reference
    from helpers.errors import CakupanError
    from helpers.measures.definitions import INDICATORS

    parts = [heading("heading.method", lang, anchor="method"),
             paragraph("text.method_intro", lang)]
    rows = [(translate(f"indicator.{i.indicator_id}", lang) + f" ({i.indicator_id})",
             i.definition(lang)) for i in INDICATORS]
    parts.append(heading("heading.definitions", lang, level=3, anchor="definitions"))
    parts.append(definition_list(rows, css_class="definitions"))
    parts.append(heading("heading.sources", lang, level=3, anchor="sources"))
    year = report["reference_date"].year
    source_rows = []
    for name in ("regions", "population", "labour", "budget", "rates", "thresholds",
                 "target_groups", "paritrana_inputs"):
        try:
            table = reference.load_table(name)
        except (CakupanError, KeyError):  # a table not shipped in this checkout
            continue
        if "year" in table.columns:
            table = table[table["year"] == year]
        statuses = table["status"].value_counts()
        summary = ", ".join(f"{label('status', s, lang)} {format_count(n, lang)}"
                            for s, n in statuses.items())
        source_rows.append((f"data/reference/{reference.TABLES[name].filename}",
                            translate(f"source.{name}", lang) + f" — {summary}"))
    parts.append(definition_list(source_rows, css_class="definitions"))
    parts.append(paragraph("text.sources_note", lang))
    return "".join(parts)


def region_links(overview: dict, lang: str = "id") -> str:
    """Links from the province overview to each regency report (runner layout)."""
    page = "index.html" if lang == "id" else f"index.{lang}.html"
    items = "".join(
        f'<li><a href="{html.escape(code)}/{page}">{html.escape(name)}</a> '
        f'<span class="code">{html.escape(code)}</span></li>'
        for code, name in zip(overview["regions_raw"]["region_code"],
                              overview["regions_raw"]["region_name"]))
    return (f'<p class="links-title">{html.escape(translate("text.region_links", lang))}</p>'
            f'<ul class="region-links">{items}</ul>')


def scenario_summary(report: dict, scenario: dict, lang: str = "id") -> str:
    """Title, sentence and cards of a budget scenario."""
    group = label("scenario_group", scenario["target_group"], lang)
    title = translate("title.scenario", lang, name=report["region_name"],
                      code=report["region_code"], period=report["period"])
    parts = [f'<h1 id="top">{html.escape(title)}</h1>',
             paragraph("text.scenario", lang, group=group,
                       share=format_percent(scenario["cover_share"], lang, 0),
                       uncovered=format_count(scenario["uncovered"], lang),
                       people=format_count(scenario["people"], lang),
                       rate=format_rupiah(scenario["monthly_rate_rp"], lang),
                       cost=format_rupiah(scenario["annual_cost_rp"], lang)),
             cards([
                 (format_count(scenario["uncovered"], lang),
                  translate("headline.uncovered", lang, group=group),
                  translate("headline.target_note", lang,
                            target=format_count(scenario["target_count"], lang))
                  if scenario["target_count"] is not None else ""),
                 (format_count(scenario["people"], lang), translate("headline.to_cover", lang),
                  format_percent(scenario["cover_share"], lang, 0)),
                 (format_rupiah(scenario["annual_cost_rp"], lang),
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


def uhc_scenario_html(report: dict, rows: pd.DataFrame, category: str, lang: str = "id") -> str:
    """The cost of reaching a UHC category, as a heading, sentence and table."""
    cheapest = rows.sort_values("annual_cost_rp").iloc[0]
    sentence = paragraph(
        "text.uhc_scenario_met" if bool(cheapest["met"]) else "text.uhc_scenario", lang,
        category=label("uhc", category, lang), region=report["region_name"],
        people=format_count(int(cheapest["people_to_enrol"]
                                + cheapest["people_to_register_by_pemda"]
                                + cheapest["people_to_reactivate"]), lang),
        cost=format_rupiah(cheapest["annual_cost_rp"], lang),
        share=format_percent(cheapest["share_apbd"], lang, 2))
    units = {"people_to_enrol": "people", "people_to_register_by_pemda": "people",
             "people_to_reactivate": "people", "annual_cost_rp": "rupiah",
             "share_apbd": "fraction", "share_dbhcht": "fraction"}
    return (heading("heading.uhc_scenario", lang, anchor="uhc-scenario") + sentence
            + html_table(rows, units, lang, {"category": "uhc", "met": "yesno"}))
