"""One translation table (``translations.csv``: key,id,en) for every label of the reports.

Headings, table columns, segment/occupation/funding names, chart titles and axis labels all
come from this table, so the Indonesian and English reports say the same thing. A missing
key is an error (never a silent fallback to the key), so a typo cannot reach a report.

Usage::

    from helpers.report.i18n import translate as t
    t("heading.jamsostek", "id")          # 'Cakupan BPJS Ketenagakerjaan'
    t("chart.trend.title", "en", region="Lombok Tengah")   # placeholders use str.format
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from helpers.errors import ParameterError

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "TABLE_FILE", "check_language", "has", "label",
           "other_language", "table", "translate"]

#: Report languages: Bahasa Indonesia (the default) and English.
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
TABLE_FILE = "translations.csv"


def check_language(lang: str) -> str:
    """Return ``lang`` when it is a report language.

    Raises:
        ParameterError: not 'id' or 'en'.
    """
    if lang not in LANGUAGES:
        raise ParameterError(f"unknown language '{lang}'",
                             fix="use id (Bahasa Indonesia) or en (English)")
    return lang


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """The translation table: key → {'id': text, 'en': text}.

    Raises:
        ValueError: a row lacks a field, a key appears twice or a text is empty (the
            table ships with the package; tests check it).
    """
    text = resources.files("helpers.report").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    result: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        key = (row.get("key") or "").strip()
        if not key:
            raise ValueError(f"{TABLE_FILE} row {line}: empty key")
        if key in result:
            raise ValueError(f"{TABLE_FILE} row {line}: key '{key}' appears twice")
        texts = {lang: (row.get(lang) or "").strip() for lang in LANGUAGES}
        empty = [lang for lang, value in texts.items() if not value]
        if empty:
            raise ValueError(f"{TABLE_FILE} row {line}: key '{key}' has no {empty[0]} text")
        result[key] = texts
    return result


def translate(key: str, lang: str, **values) -> str:
    """The text of ``key`` in ``lang``; ``values`` fill ``{placeholders}``.

    Raises:
        KeyError: the key is not in translations.csv (add it there).
        ParameterError: unknown language.
    """
    check_language(lang)
    try:
        text = table()[key][lang]
    except KeyError:
        raise KeyError(f"'{key}' is not in src/helpers/{TABLE_FILE}; add a row key,id,en") \
            from None
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether ``key`` is in the table."""
    return key in table()


def label(prefix: str, value: object, lang: str) -> str:
    """Label of a coded value, e.g. ``label('segment', 'BPU', 'id')``.

    Codes without a row (a new occupation in a registry) are shown as they are, so a
    report never fails on an unexpected code; tests check every code of the schema.
    """
    key = f"{prefix}.{value}"
    if has(key):
        return translate(key, lang)
    if str(value) == "total":
        return translate("label.total", lang)
    return str(value)


def other_language(lang: str) -> str:
    """The twin report's language."""
    return "en" if check_language(lang) == "id" else "id"
