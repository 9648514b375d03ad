"""Numbers, money, percentages and dates for reports, through Babel (CLDR locale data).

Indonesian (``id``): ``13.600`` people, ``Rp1.209.600.000``, ``41,2%``, ``31 Desember 2024``.
English (``en``): ``13,600``, ``Rp1,209,600,000``, ``41.2%``, ``31 December 2024``.
Values are stored unformatted everywhere (CSV, Excel, indicators); only what a reader sees
goes through here. Every function takes the language: a forgotten ``lang`` is an error,
never Indonesian in an English report. The report's HTML blocks are in
:mod:`helpers.report.present`. Missing values show as an en dash; a suppressed cell
(``<5``, a string from the disclosure step) passes through unchanged.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping

import pandas as pd
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from helpers.report.i18n import check_language, has, label, translate

__all__ = ["BUDGET_SHARES", "LOCALES", "MISSING", "NUMERIC_UNITS", "UNITS", "column_label",
           "excel_frame", "format_count", "format_date", "format_number", "format_percent",
           "format_rupiah", "format_rupiah_compact", "format_table", "format_value",
           "html_table", "is_missing", "percent_digits"]

#: Babel locale per report language.
LOCALES = {"id": "id_ID", "en": "en_GB"}
MISSING = "–"
#: Units a value can be formatted as (``indicators`` units plus a few report ones).
UNITS = ("people", "count", "rupiah", "fraction", "percent_point", "category", "number",
         "text", "date", "months", "score")


def _locale(lang: str) -> str:
    return LOCALES[check_language(lang)]


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _passthrough(value) -> str | None:
    """A suppressed cell or other text stays as it is; a missing value becomes a dash."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    return None


def format_count(value, lang: str) -> str:
    """People or other whole counts: ``13.600`` (id), ``13,600`` (en)."""
    text = _passthrough(value)
    if text is not None:
        return text
    return babel_numbers.format_decimal(int(round(float(value))), format="#,##0",
                                        locale=_locale(lang))


def format_number(value, lang: str, digits: int = 1) -> str:
    """A decimal number with ``digits`` decimals: ``1.234,5`` (id), ``1,234.5`` (en)."""
    text = _passthrough(value)
    if text is not None:
        return text
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(float(value), format=pattern, locale=_locale(lang))


def format_rupiah(value, lang: str) -> str:
    """Whole Rupiah: ``Rp1.209.600.000`` (id), ``Rp1,209,600,000`` (en); ``-Rp5.000``."""
    text = _passthrough(value)
    if text is not None:
        return text
    amount = int(round(float(value)))
    digits = babel_numbers.format_decimal(abs(amount), format="#,##0", locale=_locale(lang))
    return f"-Rp{digits}" if amount < 0 else f"Rp{digits}"


def format_rupiah_compact(value, lang: str, digits: int = 2) -> str:
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


def format_percent(value, lang: str, digits: int = 1) -> str:
    """A 0-1 fraction as a percentage: ``41,2%`` (id), ``41.2%`` (en). 1.019 → ``101,9%``."""
    text = _passthrough(value)
    if text is not None:
        return text
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(float(value), format=pattern, locale=_locale(lang))


def format_date(value, lang: str, style: str = "long") -> str:
    """``31 Desember 2024`` (id), ``31 December 2024`` (en); style 'month' → ``Des 2024``."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = value.date()
    pattern = "MMM yyyy" if style == "month" else style
    return babel_dates.format_date(value, format=pattern, locale=_locale(lang))


def format_value(value, unit: str, lang: str, *, key: str = "", compact: bool = False) -> str:
    """Format one value by its unit (the ``unit`` column of ``indicators.csv``).

    ``people``/``count``/``months`` → counts; ``rupiah`` → Rupiah; ``fraction`` →
    percentage; ``percent_point`` → ``+1,2 poin``; ``category`` → its translated label;
    ``score`` → one decimal; ``date`` → long date; anything else as text.

    ``key`` (an indicator id, budget item or column) picks the decimals of a share
    (:func:`percent_digits`); ``compact`` writes Rupiah in words (cards and sentences:
    ``Rp1,51 miliar``), full Rupiah otherwise (tables).
    """
    text = _passthrough(value)
    if text is not None and unit not in ("category", "text", "date"):
        return text
    if unit in ("people", "count", "months"):
        return format_count(value, lang)
    if unit == "rupiah":
        return format_rupiah_compact(value, lang) if compact else format_rupiah(value, lang)
    if unit == "fraction":
        return format_percent(value, lang, percent_digits(key))
    if unit == "percent_point":
        points = format_number(float(value) * 100, lang, 1)
        sign = "+" if float(value) > 0 else ""
        return f"{sign}{points} {translate('unit.percent_point', lang)}"
    if unit == "category":
        return MISSING if is_missing(value) else label("uhc", value, lang)
    if unit == "score":
        return format_number(value, lang, 2)
    if unit == "number":
        return format_number(value, lang, 1)
    if unit == "date":
        return format_date(value, lang)
    return MISSING if is_missing(value) else str(value)


#: Shares of a budget: small numbers (0,05 %), shown with two decimals wherever they
#: appear (cards, sentences, tables, the workbook), so one figure has one rounding.
BUDGET_SHARES = ("budget_share_apbd", "dbhcht_social_security_share",
                 "gap_cost_informal_share_apbd", "uhc_gap_cost_share_apbd", "share_apbd",
                 "share_dbhcht", "share_dbhcht_welfare")
def percent_digits(key: str) -> int:
    """Decimals a share is shown with: 2 for :data:`BUDGET_SHARES`, else 1."""
    return 2 if key in BUDGET_SHARES else 1


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


def format_table(frame: pd.DataFrame, units: Mapping[str, str], lang: str,
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
            shown = [MISSING if is_missing(v) else label(codes[column], v, lang)
                     for v in frame[column]]
        elif column in units:
            shown = [format_value(v, _cell_unit(units[column], row), lang,
                                  key=row.get("indicator_id", row.get("item", column)))
                     for v, (_, row) in zip(frame[column], frame.iterrows())]
        else:
            shown = [MISSING if is_missing(v) else
                     translate("label.total", lang) if str(v) == "total" else str(v)
                     for v in frame[column]]
        key = (labels or {}).get(column, f"col.{column}")
        result[column_label(key, column, lang)] = shown
    return pd.DataFrame(result, dtype=object)


def column_label(key: str, fallback: str, lang: str) -> str:
    """Translated heading of a table column (``fallback`` when the key has no row)."""
    return translate(key, lang) if has(key) else fallback


def html_table(frame: pd.DataFrame, units: Mapping[str, str], lang: str,
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


def excel_frame(table, lang: str) -> pd.DataFrame:
    """A table for the Excel workbook: translated headings and codes, numbers kept numbers."""
    codes = table.codes or {}
    result = {}
    for column in table.published.columns:
        values = table.published[column]
        if column in codes:
            values = values.map(lambda v, p=codes[column]: v if is_missing(v)
                                else label(p, v, lang))
        elif column == "unit" and "row" in table.units.values():
            values = values.map(lambda v: label("unit", v, lang))
        result[column_label(f"col.{column}", column, lang)] = values.to_numpy()
    return pd.DataFrame(result)
