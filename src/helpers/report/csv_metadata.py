"""``csv-metadata.json``: what the CSV files of a report hold, for the people and tools
that open them without the report (W3C CSV on the Web, CSVW, "Metadata Vocabulary for
Tabular Data").

One file beside ``indicators.csv`` describes ``indicators.csv`` and every
``tables/<name>.csv``: each column's machine name (the CSV heading), its title in
Bahasa Indonesia and English, its datatype and unit, and the disclosure markers that
read as empty values. On the synthetic sample it says so twice: ``"synthetic": true``
and a note in both languages, so a table taken out of its report still carries the
warning.

Like the CSV files, it is language-neutral (both languages in one file) and holds no
date of writing: the Indonesian and English runs of a report write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers.measures.disclosure import DEFAULT_RULE
from helpers.report.downloads import title_text
from helpers.report.formatting import ROW_COUNT_UNIT, ROW_UNIT, column_label
from helpers.report.i18n import LANGUAGES, translate
from helpers.report.registries import is_synthetic_sample, sample_scale

__all__ = ["CSVW_CONTEXT", "DATATYPES", "INDICATORS_FILE", "METADATA_FILE", "build_metadata",
           "write_metadata"]

#: The file's name: CSVW's default for the metadata of the CSV files of a folder.
METADATA_FILE = "csv-metadata.json"
#: The indicators file the metadata describes first (written by ``outputs.save_outputs``).
INDICATORS_FILE = "indicators.csv"
#: The CSVW JSON-LD context (a name, never fetched).
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
#: CSVW datatype of a column by its unit (``ReportTable.units``); other units: string.
DATATYPES = {"people": "integer", "count": "integer", "rupiah": "integer",
             "months": "integer", "fraction": "number", "percent_point": "number",
             "score": "number", "number": "number", "date": "date"}
#: Units a reader needs spelt out (what a bare number means).
UNIT_NOTES = {"people": "people (distinct persons)", "rupiah": "whole Rupiah",
              "fraction": "fraction 0-1 (shown as a percentage in the report)",
              "percent_point": "percentage points", "months": "whole months"}


def build_metadata(report) -> dict:
    """The CSVW description of a report's CSV files (see the module docstring).

    Args:
        report: a regency, province or explorer report (``tables``, ``indicators_file``).

    Returns:
        The JSON document as a dict.
    """
    rule = DEFAULT_RULE
    markers = [rule.primary_marker, rule.hidden_marker]
    data_dir = report.params.data_dir
    synthetic = is_synthetic_sample(data_dir)
    notes = [_texts("csvw.format")]
    notes.append({lang: translate("csvw.hidden", lang, markers=", ".join(markers)) + " "
                  + rule.label(lang) for lang in LANGUAGES})
    if synthetic:
        notes.insert(0, _texts("csvw.synthetic"))
    tables = [_schema_of(INDICATORS_FILE, report.indicators_file, _indicator_units(report),
                         markers)]
    tables += [_schema_of(f"tables/{table.name}.csv", table.published, table.units, markers,
                          title_key=table.title_key)
               for table in report.tables.values()]
    document = {
        "@context": [CSVW_CONTEXT, {"@language": "id"}],
        "dc:title": [_tagged(translate("csvw.title", lang, title=title_text(report, lang)),
                             lang) for lang in LANGUAGES],
        "dc:publisher": "Cakupan",
        "dc:coverage": _coverage(report),
        "synthetic": synthetic,
        "notes": [_tagged(text, lang) for note in notes for lang, text in note.items()],
        "tables": tables,
    }
    scale = sample_scale(data_dir)
    if synthetic and scale is not None:
        document["sample_scale"] = scale
    return document


def write_metadata(report, folder: str | Path) -> Path:
    """Write ``csv-metadata.json`` into the report folder (next to ``indicators.csv``).

    Returns:
        The file written.
    """
    path = Path(folder) / METADATA_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_metadata(report), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


# =========================================================================== helpers


def _texts(key: str) -> dict[str, str]:
    return {lang: translate(key, lang) for lang in LANGUAGES}


def _tagged(text: str, lang: str) -> dict:
    return {"@value": text, "@language": lang}


def _coverage(report) -> str:
    """Region and period (or reference date) the files describe."""
    code = report.province_code if report.kind == "province" else report.region_code
    return f"{code} {report.reference_date.isoformat()}"


def _indicator_units(report) -> dict[str, str]:
    """Units of ``indicators.csv``: those of its indicator table, and its two text columns."""
    table = report.tables.get("indicators") or report.tables.get("totals")
    units = dict(table.units) if table is not None else {}
    return {**units, "reference_date": "date"}


def _schema_of(url: str, frame: pd.DataFrame, units: dict[str, str], markers: list[str], *,
               title_key: str | None = None) -> dict:
    columns = [_column(str(name), frame[name], units.get(name), markers)
               for name in frame.columns]
    result: dict = {"url": url,
                    "dialect": {"encoding": "utf-8", "delimiter": ",", "header": True}}
    if title_key:
        result["dc:title"] = [_tagged(translate(title_key, lang), lang) for lang in LANGUAGES]
    result["tableSchema"] = {"columns": columns}
    return result


def _column(name: str, values: pd.Series, unit: str | None, markers: list[str]) -> dict:
    titles = {"und": name}
    titles |= {lang: column_label(f"col.{name}", name, lang) for lang in LANGUAGES}
    column: dict = {"name": name, "titles": titles, "datatype": _datatype(values, unit)}
    if unit in (ROW_UNIT, ROW_COUNT_UNIT):
        column["dc:description"] = ("a number in the unit of the row's 'unit' column (a "
                                    "fraction 0-1, people, whole Rupiah), or a category code"
                                    if unit == ROW_UNIT else
                                    "a number: people, or whole Rupiah for a budget ratio")
    elif unit in UNIT_NOTES:
        column["dc:description"] = UNIT_NOTES[unit]
    if values.dtype == object and values.isin(markers).any() or unit in ("people", "count"):
        column["null"] = ["", *markers]
    return column


def _datatype(values: pd.Series, unit: str | None) -> str:
    """The CSVW datatype: by unit; else by the column's values; text stays ``string``."""
    if unit in DATATYPES:
        return DATATYPES[unit]
    if unit == ROW_COUNT_UNIT:
        return "number"
    if unit == ROW_UNIT:  # numbers in several units, and category codes (uhc_category)
        return "string"
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    return "string"
