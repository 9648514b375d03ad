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

from helpers.i18n import check_language, label, translate

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


def format_table(frame: pd.DataFrame, units: Mapping[str, str], lang: str = "id",
                 labels: Mapping[str, str] | None = None,
                 codes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as display text.

    Args:
        frame: values as stored (numbers; ``<5`` strings where suppressed).
        units: column → unit (see :func:`format_value`); columns not named stay as text.
        lang: 'id' or 'en'.
        labels: column → translation key of its heading (default ``col.<column>``; a
            column without a row keeps its name).
        codes: column → label prefix for coded values (e.g. ``{'segment': 'segment'}``).

    Returns:
        A frame of strings with translated column headings, same row order.
    """
    result = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if codes and column in codes:
            shown = values.map(lambda v, p=codes[column]: MISSING if _is_missing(v)
                               else label(p, v, lang))
        elif column in units:
            shown = values.map(lambda v, u=units[column]: format_value(v, u, lang))
        else:
            shown = values.map(lambda v: MISSING if _is_missing(v) else str(v))
        key = (labels or {}).get(column, f"col.{column}")
        result[column_label(key, column, lang)] = shown.astype(object)
    return result.reset_index(drop=True)


def column_label(key: str, fallback: str, lang: str) -> str:
    """Translated heading of a table column (``fallback`` when the key has no row)."""
    from helpers.i18n import has

    return translate(key, lang) if has(key) else fallback


def to_html_table(frame: pd.DataFrame, numeric_columns: list[str] | None = None,
                  caption: str | None = None, css_class: str = "data") -> str:
    """An already formatted frame as a plain, escaped HTML table (no pandas styling).

    Numeric columns (by position of their display heading) are right-aligned through the
    ``num`` class so digits line up.
    """
    numeric = set(numeric_columns or [])
    head = "".join(
        f'<th class="num">{html.escape(str(c))}</th>' if c in numeric
        else f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="num">{html.escape(str(v))}</td>' if c in numeric
            else f"<td>{html.escape(str(v))}</td>" for c, v in zip(frame.columns, row))
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<table class="{css_class}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
