"""Reader text holds no code names, file names, column names or commands (issue 14, item 5).

Those belong in the technical annex of the method section (helpers.report.method), which is
the only place that prints indicator codes, numerator expressions, files and the command.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from helpers.data import schema
from helpers.measures.definitions import INDICATORS
from helpers.report import i18n

TRANSLATIONS = Path(i18n.__file__).with_name("translations.csv")

#: What a reader must never see: snake_case names, file names, commands, formula code.
CODE_WORDS = [
    (re.compile(r"\b[a-z]+_[a-z0-9_]+\b"), "a code name (snake_case)"),
    (re.compile(r"\b[\w/-]+\.(csv|xlsx|parquet|md|ipynb|json)\b"), "a file name"),
    (re.compile(r"\bcakupan (report|reports|sample|validate|init)\b"), "a command"),
    (re.compile(r"--[a-z]"), "a command-line option"),
    (re.compile(r"[≤≥] ?D\b"), "a formula"),
]


def reader_strings():
    with TRANSLATIONS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for lang in ("id", "en"):
                yield f"translation {row['key']} ({lang})", row[lang]
    for indicator in INDICATORS:
        for lang in ("id", "en"):
            yield f"definition of {indicator.indicator_id} ({lang})", indicator.definition(lang)


@pytest.mark.parametrize(("where", "text"), list(reader_strings()))
def test_reader_text_has_no_code_words(where, text):
    # Placeholders ({tk_active}) are filled with values before a reader sees them.
    shown = re.sub(r"\{[a-z_]+\}", "", text)
    found = [(kind, match.group(0)) for pattern, kind in CODE_WORDS
             for match in [pattern.search(shown)] if match]
    assert not found, f"{where}: {found} in {text!r}"


def test_every_registry_column_has_a_reader_label():
    columns = {c if isinstance(c, str) else c.name
               for c in schema.JAMSOSTEK_COLUMNS + schema.JKN_COLUMNS}
    for column in columns:
        for lang in ("id", "en"):
            shown = i18n.label("field", column, lang)
            assert shown != column and "_" not in shown, (column, lang)


def test_definitions_differ_by_language():
    for indicator in INDICATORS:
        assert indicator.definition("id") != indicator.definition("en"), indicator.indicator_id
