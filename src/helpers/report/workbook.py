"""The report's Excel workbook (``tables.xlsx``, ``tables.en.xlsx``), made for a budget office.

The first sheet is the cover (``Sampul`` / ``Cover``): the report's title, a clearly visible
line when the numbers come from the synthetic sample, the parameters, the registry files,
the reference tables, the disclosure rule, the time it was made and a table of contents
that links to every sheet. Then one sheet per table of the report, named in the report's
language (``sheet.<title>`` keys of ``translations.csv``, at most 31 characters).

Every value stays a number (a percentage is the 0-1 fraction, Rupiah and people whole
numbers); its unit only chooses the cell's number format (:data:`NUMBER_FORMATS`), and
Excel shows thousands and decimal separators in the reader's locale. Dates are dates.
Cells hidden by the disclosure rule (``<5``, ``x``) are text, right-aligned like the
numbers beside them. Each table sheet has a bold, frozen header row, an autofilter over
the table and columns fitted to their contents.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

import helpers
from helpers.data import reference
from helpers.measures.definitions import BY_ID
from helpers.report import formatting
from helpers.report.i18n import has, label, translate
from helpers.report.registries import is_synthetic_sample
from helpers.report.tables import TOTAL, ReportTable, disclosure_rule

__all__ = ["BUDGET_SHARE_FORMAT", "DATE_FORMATS", "MAX_SHEET_NAME", "MAX_WIDTH", "MIN_WIDTH",
           "NUMBER_FORMATS", "RUPIAH_FORMAT", "SOURCES", "sheet_name",
           "sheet_names", "write_workbook"]

#: Whole Rupiah: ``Rp1.209.600.000`` in an Indonesian Excel, ``Rp1,209,600,000`` in an
#: English one (the same code; Excel puts in the locale's separators). Negative: ``-Rp5.000``.
RUPIAH_FORMAT = '"Rp"#,##0;-"Rp"#,##0'
#: Number format of a cell by its unit (``ReportTable.units``, the ``unit`` column of
#: indicator rows). Units not named here (category, text) are written as they are.
NUMBER_FORMATS = {
    "people": "#,##0",
    "count": "#,##0",
    "months": "#,##0",
    "rupiah": RUPIAH_FORMAT,
    "fraction": "0.0%",
    "score": "0.00",
    "number": "#,##0.0",
}
#: Shares of a budget (APBD, DBHCHT) are often below 1 %: two decimals, as the report
#: prints them (0,07 %, not 0,1 %).
BUDGET_SHARE_FORMAT = "0.00%"
#: Dates in the report's language whatever the reader's Excel language: ``31 Des 2024``
#: (LCID 0x421, Indonesian) or ``31 Dec 2024`` (0x809, English, United Kingdom).
DATE_FORMATS = {"id": "[$-421]d mmm yyyy", "en": "[$-809]d mmm yyyy"}
#: Excel's limit on a sheet name, and the characters it refuses in one.
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: The reference tables a report reads, as named by the ``source.<name>`` keys.
SOURCES = ("regions", "population", "labour", "budget", "rates", "thresholds",
           "target_groups", "paritrana_inputs")

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WARNING = Font(bold=True, size=13, color="9C0006")
_WARNING_FILL = PatternFill("solid", fgColor="FFC7CE")
_RIGHT = Alignment(horizontal="right")
#: Width of a column in characters: at least, at most (longer text overflows or is cut).
MIN_WIDTH, MAX_WIDTH = 8, 60
#: Characters of a heading on one line before it wraps (the column stays narrow).
HEADER_LINE = 18
#: Width of the cover's value column (parameters, sources, titles), in characters.
COVER_VALUE_WIDTH = 80


def write_workbook(report, path: str | Path, lang: str, *, decimals: int) -> Path:
    """Write the report's workbook: the cover, then one sheet per table.

    Args:
        report: a RegencyReport, ProvinceReport or ExplorerReport.
        path: the ``.xlsx`` file to write.
        lang: 'id' or 'en' (sheet names, headings, labels, the cover).
        decimals: decimals kept for ratios and scores (as in the CSV files).

    Returns:
        ``path``.
    """
    tables = [_sheet_table(report, table, lang) for table in report.tables.values()]
    names = sheet_names(tables, lang)
    book = Workbook()
    cover = book.active
    cover.title = sheet_name(translate("workbook.cover_sheet", lang))
    for table in tables:
        _write_table(book.create_sheet(names[table.name]), table, lang, decimals)
    _write_cover(cover, report, tables, names, lang)
    book.save(path)
    return Path(path)


# =========================================================================== sheet names


def sheet_name(text: str) -> str:
    """``text`` as a sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters.

    A long name loses a part in brackets first, then is cut at a word boundary, so it
    stays readable ('Peserta menurut rincian yang dipilih' → 'Peserta menurut rincian yang').
    """
    text = " ".join(_FORBIDDEN.sub("-", text).split()).strip("'")
    if len(text) > MAX_SHEET_NAME:
        text = " ".join(re.sub(r"\s*\([^)]*\)", "", text).split()) or text
    if len(text) > MAX_SHEET_NAME:
        cut = text[:MAX_SHEET_NAME + 1].rsplit(" ", 1)[0]
        text = cut if len(cut) >= MAX_SHEET_NAME // 2 else text[:MAX_SHEET_NAME]
    return text[:MAX_SHEET_NAME].rstrip(" ,;-–'") or "-"


def sheet_names(tables: Iterable[ReportTable], lang: str) -> dict[str, str]:
    """Table name → its sheet's name in ``lang``, unique (Excel ignores case in them).

    The name is the ``sheet.<key>`` translation of the table's title key
    (``table.tk_by_segment`` → ``sheet.tk_by_segment``: 'BPJS TK menurut segmen'), a
    short form of the title written for the workbook; a table without one gets its
    translated title, shortened by :func:`sheet_name`. The cover's name is taken first.
    """
    used = {sheet_name(translate("workbook.cover_sheet", lang)).casefold()}
    result = {}
    for table in tables:
        key = "sheet." + table.title_key.removeprefix("table.")
        name = sheet_name(translate(key, lang) if has(key) else translate(table.title_key, lang))
        number = 2
        candidate = name
        while candidate.casefold() in used:
            suffix = f" ({number})"
            candidate = sheet_name(name[:MAX_SHEET_NAME - len(suffix)]) + suffix
            number += 1
        used.add(candidate.casefold())
        result[table.name] = candidate
    return result


# =========================================================================== tables


def _sheet_table(report, table: ReportTable, lang: str) -> ReportTable:
    """The table as its sheet shows it.

    The indicator rows get the columns of ``indicators.csv`` (reference date, definition),
    the definition in ``lang`` and last (long text overflows to the right), and the
    indicator's code beside its translated name.
    """
    frame = table.published
    if table.name == "indicators":
        frame = report.indicators_file
    if "indicator_id" not in frame.columns or "definition" not in frame.columns:
        return table
    frame = frame.copy()
    frame["definition"] = [BY_ID[i].definition(lang) if i in BY_ID else text
                           for i, text in zip(frame["indicator_id"], frame["definition"])]
    frame["indicator_code"] = frame["indicator_id"]
    order = [c for c in frame.columns if c != "definition"] + ["definition"]
    units = {**table.units, "reference_date": "date"}
    return replace(table, published=frame[order].reset_index(drop=True), units=units)


def _write_table(sheet, table: ReportTable, lang: str, decimals: int) -> None:
    """One table: bold frozen header, autofilter, number formats by unit, fitted widths."""
    frame = table.published.reset_index(drop=True)
    shown = formatting.excel_frame(table, lang)
    headings = [translate("workbook.indicator_code", lang) if column == "indicator_code"
                else heading for column, heading in zip(frame.columns, shown.columns)]
    units = [table.units.get(column) for column in frame.columns]
    numeric = [unit in formatting.NUMERIC_UNITS or unit == "date" for unit in units]
    widths = [min(len(h), HEADER_LINE) * 1.1 for h in headings]
    sheet.append(headings)
    for cell, is_numeric in zip(sheet[1], numeric):
        cell.font = _BOLD
        cell.alignment = Alignment(horizontal="right" if is_numeric else "left",
                                   vertical="top", wrap_text=True)
    for index, row in frame.iterrows():
        is_total = any(isinstance(v, str) and v == TOTAL for v in row.tolist())
        for position, (column, unit) in enumerate(zip(frame.columns, units), start=1):
            value = shown.iloc[index, position - 1]
            cell_unit = formatting._cell_unit(unit, row) if unit else None
            if cell_unit == "category" and isinstance(value, str):
                value = label("uhc", value, lang)
            elif isinstance(value, str) and value == TOTAL:  # an uncoded column's total row
                value = translate("label.total", lang)
            value = _cell_value(value, cell_unit, decimals)
            cell = sheet.cell(row=index + 2, column=position, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            number_format = _number_format(cell_unit, column, row, lang)
            if number_format and not isinstance(value, str) and value is not None:
                cell.number_format = number_format
            elif isinstance(value, str) and numeric[position - 1]:
                cell.alignment = _RIGHT  # '<5', 'x' beside the numbers
            if is_total:
                cell.font = _BOLD
            widths[position - 1] = max(widths[position - 1], _shown_width(value, cell_unit))
    widths = [min(max(MIN_WIDTH, math.ceil(width) + 2), MAX_WIDTH) for width in widths]
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    lines = max([math.ceil(len(h) * 1.1 / (w - 1)) for h, w in zip(headings, widths)] or [1])
    sheet.row_dimensions[1].height = 15 * max(1, lines)  # a wrapped heading shows whole
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(headings)))}{len(frame) + 1}"


def _number_format(unit: str | None, column: str, row: pd.Series, lang: str) -> str | None:
    """The cell's number format: by its unit; a share of a budget with two decimals."""
    if unit == "date":
        return DATE_FORMATS[lang]
    if unit == "fraction":
        name = str(row.get("indicator_id", row.get("item", column))) if column in (
            "value", "numerator", "denominator") else column
        if name in formatting.RUPIAH_RATIOS or name.endswith("share_apbd"):
            return BUDGET_SHARE_FORMAT
    return NUMBER_FORMATS.get(unit) if unit else None


def _cell_value(value, unit: str | None, decimals: int):
    """A value Excel stores as it is: numbers as numbers (floats rounded as in the CSV),
    ISO dates as dates, missing values empty, anything else as text."""
    if formatting.is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), decimals)
    if unit == "date":
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
            return dt.date.fromisoformat(value[:10])
    return str(value)


def _shown_width(value, unit: str | None) -> float:
    """About how many characters Excel shows for ``value`` in its number format."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return len(str(value))
    if unit == "fraction":
        return len(f"{value * 100:,.1f}%")
    if unit == "score":
        return len(f"{value:,.2f}")
    if unit == "number":
        return len(f"{value:,.1f}")
    if unit in NUMBER_FORMATS:
        return len(f"{value:,.0f}") + (2 if unit == "rupiah" else 0)
    return len(repr(value))


# =========================================================================== cover


def _title(report, lang: str) -> str:
    if report.kind == "province":
        return translate("title.province", lang, name=report.province_name,
                         code=report.province_code, period=report.period)
    key = "title.explorer" if report.kind == "explorer" else "title.regency"
    return translate(key, lang, name=report.region_name, code=report.region_code,
                     period=report.period)


def _parameter_value(report, key: str, value, lang: str) -> str:
    """A parameter as a reader reads it ('dukcapil_2024s1' → its label, dates in words)."""
    if key == "region_code":
        return f"{report.region_name} ({value})"
    if key == "province_code":
        return f"{report.province_name} ({value}), " + translate(
            "text.n_regions", lang, count=len(report.region_codes))
    if key == "reference_date":
        return formatting.format_date(value, lang)
    if key == "grace_months":
        return translate("text.months", lang, count=formatting.format_count(value, lang))
    prefixes = {"population_vintage": "vintage", "labour_denominator": "denominator",
                "registry": "registry"}
    if key in prefixes:
        return label(prefixes[key], value, lang)
    if key == "breakdown_by":
        return formatting.column_label(f"col.{value}", str(value), lang)
    return str(value)


def _cover_rows(report, lang: str) -> list[tuple[str, str]]:
    """The parameters, registry files, disclosure rule and generation time."""
    rows = [(translate(f"param.{key}", lang) if has(f"param.{key}") else key,
             _parameter_value(report, key, value, lang))
            for key, value in report.parameters.items()]
    meta = getattr(report, "meta", None) or {}
    if meta.get("data_as_of"):
        rows.append((translate("param.data_as_of", lang),
                     formatting.format_date(meta["data_as_of"], lang)))
    for name, info in meta.get("registries", {}).items():
        rows.append((label("registry", name, lang), translate(
            "text.registry_file", lang, file=info["file"], sha=(info.get("sha256") or "")[:12],
            rows=formatting.format_count(info["rows_read"], lang),
            accepted=formatting.format_count(info["rows_accepted"], lang))))
    rows += [(translate("param.disclosure", lang), disclosure_rule().label(lang)),
             (translate("workbook.numbers", lang), translate("workbook.numbers_note", lang)),
             (translate("about.generated", lang),
              f"{dt.datetime.now():%Y-%m-%d %H:%M} (Cakupan {helpers.__version__})")]
    return rows


def _write_cover(sheet, report, tables: list[ReportTable], names: Mapping[str, str],
                 lang: str) -> None:
    """Title, synthetic-data line, parameters, sources, units note, table of contents."""
    sheet.append([_title(report, lang)])
    sheet["A1"].font = _TITLE
    sheet.append([translate("title.subtitle", lang,
                            date=formatting.format_date(report.reference_date, lang))])
    if is_synthetic_sample(report.params.data_dir):
        sheet.append([translate("workbook.synthetic", lang)])
        sheet.cell(row=sheet.max_row, column=1).font = _WARNING
        for column in (1, 2):
            sheet.cell(row=sheet.max_row, column=column).fill = _WARNING_FILL
        sheet.append([translate("page.synthetic", lang)])
    sheet.append([])
    parameters = _cover_rows(report, lang)
    _cover_section(sheet, translate("heading.parameters", lang), parameters)
    sources = [(f"data/reference/{reference.TABLES[name].filename}",
                translate(f"source.{name}", lang))
               for name in SOURCES if name in reference.TABLES]
    _cover_section(sheet, translate("heading.sources", lang), sources)
    sheet.append([translate("page.toc", lang)])
    sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    sheet.append([translate(key, lang) for key in ("workbook.sheet", "workbook.title",
                                                    "col.rows", "workbook.csv_file",
                                                    "workbook.note")])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = _BOLD
    for table in tables:
        name = names[table.name]
        sheet.append([name, translate(table.title_key, lang), len(table.published),
                      f"tables/{table.name}.csv",
                      translate(table.note_key, lang) if table.note_key else None])
        link = sheet.cell(row=sheet.max_row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate,
                                   location="'{}'!A1".format(name.replace("'", "''")))
        link.style = "Hyperlink"
        sheet.cell(row=sheet.max_row, column=3).number_format = NUMBER_FORMATS["count"]
    first = [*names.values(), *(key for key, _ in parameters + sources)]
    widths = {"A": min(max(len(text) for text in first) + 2, MAX_WIDTH),
              "B": COVER_VALUE_WIDTH, "C": 10, "D": 32, "E": 60}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.sheet_view.showGridLines = False


def _cover_section(sheet, heading: str, rows: list[tuple[str, str]]) -> None:
    sheet.append([heading])
    sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    for key, value in rows:
        sheet.append([key, value])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(vertical="top")
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(vertical="top",
                                                                      wrap_text=True)
        lines = math.ceil(len(value) / (COVER_VALUE_WIDTH - 4))
        if lines > 1:  # Excel keeps a row's stored height: room for the wrapped lines
            sheet.row_dimensions[sheet.max_row].height = 15 * lines
    sheet.append([])
