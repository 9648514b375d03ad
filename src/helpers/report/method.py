"""The method section at the end of every report: plain words first, the technical annex last.

Readers get each indicator's definition and the reference data with their status, in the
report's language, with no code names, file names or commands. Everything a technician
needs to reproduce or audit the numbers (indicator codes, numerator and denominator
expressions, reference-table files, registry files and their checksums, the command that
renders the report) is in a collapsed "Technical annex" at the very end.
"""

from __future__ import annotations

import html
import shlex
from pathlib import Path

from helpers.data import reference
from helpers.errors import CakupanError
from helpers.measures.definitions import INDICATORS
from helpers.paths import sample_dir
from helpers.report.formatting import format_count
from helpers.report.html_blocks import definition_list, heading, paragraph
from helpers.report.i18n import label, translate
from helpers.report.registries import is_synthetic_sample

__all__ = ["REFERENCE_TABLES", "method_section", "reproduce_command", "technical_annex"]

#: The reference tables a report draws on, in the order the method section lists them.
REFERENCE_TABLES = ("regions", "population", "labour", "budget", "rates", "thresholds",
                    "target_groups", "paritrana_inputs")


def _reference_tables(year: int) -> list[tuple[str, object]]:
    """(name, rows of the report's year) of every reference table this checkout ships."""
    tables = []
    for name in REFERENCE_TABLES:
        try:
            table = reference.load_table(name)
        except (CakupanError, KeyError):  # a table not shipped in this checkout
            continue
        if "year" in table.columns:
            table = table[table["year"] == year]
        tables.append((name, table))
    return tables


def method_section(report, lang: str) -> str:
    """Method and sources in the reader's language, then the technical annex (collapsed)."""
    parts = [heading("heading.method", lang, 2, "method"), paragraph("text.method_intro", lang),
             heading("heading.definitions", lang, 3, "definitions"),
             definition_list([(translate(f"indicator.{i.indicator_id}", lang),
                               i.definition(lang)) for i in INDICATORS], css_class="definitions"),
             heading("heading.sources", lang, 3, "sources")]
    rows = []
    for name, table in _reference_tables(report.reference_date.year):
        statuses = table["status"].value_counts()
        summary = ", ".join(f"{label('status', s, lang)} {format_count(n, lang)}"
                            for s, n in statuses.items())
        rows.append((translate(f"source.{name}", lang), summary))
    parts.append(definition_list(rows, css_class="definitions"))
    if is_synthetic_sample(report.params.data_dir):
        parts.append(paragraph("text.sources_note", lang))
    parts.append(technical_annex(report, lang))
    return "".join(parts)


def reproduce_command(report) -> str:
    """The command that renders this report again with the same parameters."""
    params = report.params
    if report.kind == "province":
        words = ["cakupan", "reports", "--province", params.region_code]
    else:
        words = ["cakupan", "report", "--region", params.region_code]
    words += ["--period", str(params.period), "--lang", params.lang]
    if Path(params.data_dir).resolve() != sample_dir().resolve():
        words += ["--data-dir", str(params.data_dir)]
    indicators = report.parameters
    for option, key in (("grace_months", "grace_months"),
                        ("labour_denominator", "labour_denominator"),
                        ("population_vintage", "population_vintage")):
        if key in indicators:
            words += ["-p", f"{option}={indicators[key]}"]
    return shlex.join(words)


def _code(text) -> str:
    return f"<code>{html.escape(str(text))}</code>"


def technical_annex(report, lang: str) -> str:
    """Codes, expressions, files and the command, for whoever audits or reproduces the
    report: a ``<details>`` block, collapsed, after everything a reader needs."""
    indicator_rows = "".join(
        f"<tr><td>{html.escape(translate(f'indicator.{i.indicator_id}', lang))}</td>"
        f"<td>{_code(i.indicator_id)}</td><td>{html.escape(i.numerator)}</td>"
        f"<td>{html.escape(i.denominator or '—')}</td></tr>" for i in INDICATORS)
    headings = "".join(f"<th>{html.escape(translate(key, lang))}</th>" for key in (
        "annex.indicator", "annex.code", "annex.numerator", "annex.denominator"))
    files = [(translate(f"source.{name}", lang),
              f"data/reference/{reference.TABLES[name].filename}")
             for name, _ in _reference_tables(report.reference_date.year)]
    for name, info in getattr(report, "meta", {}).get("registries", {}).items():
        files.append((translate(f"registry.{name}", lang),
                      f"{info['file']} (SHA-256 {info.get('sha256') or '—'})"))
    file_items = "".join(f"<dt>{html.escape(term)}</dt><dd>{_code(path)}</dd>"
                         for term, path in files)
    parameter_items = "".join(f"<dt>{html.escape(str(key))}</dt><dd>{_code(value)}</dd>"
                              for key, value in report.parameters.items())
    return (
        '<details class="annex" id="technical-annex">'
        f"<summary>{html.escape(translate('annex.title', lang))}</summary>"
        f"<p>{html.escape(translate('annex.intro', lang))}</p>"
        f'<div class="table-scroll"><table class="data"><thead><tr>{headings}</tr></thead>'
        f"<tbody>{indicator_rows}</tbody></table></div>"
        f"<h4>{html.escape(translate('annex.files', lang))}</h4>"
        f'<dl class="definitions">{file_items}</dl>'
        f"<h4>{html.escape(translate('annex.parameters', lang))}</h4>"
        f'<dl class="definitions">{parameter_items}</dl>'
        f"<h4>{html.escape(translate('annex.command', lang))}</h4>"
        f"<pre>{html.escape(reproduce_command(report))}</pre></details>")
