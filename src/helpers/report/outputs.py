"""The files a report leaves behind: ``indicators.csv``, ``tables/*.csv`` and a workbook.

CSV files are language-neutral (machine-readable ids, raw values, the disclosure markers
where a cell is hidden) and identical for both languages; the Excel workbook
(:mod:`helpers.report.workbook`) is in the report's language: a cover sheet, sheet names,
headings and labels translated, numbers kept numbers with a format per unit. Everything
written passed the disclosure rule in :mod:`helpers.report.tables`.

Every CSV comes twice (:func:`write_csv`):

- ``indicators.csv``, ``tables/<name>.csv``: for machines and for Excel or LibreOffice in
  an English locale: ``,`` between fields, ``.`` before decimals;
- ``excel-id/indicators.csv``, ``excel-id/tables/<name>.csv``: for a spreadsheet in an
  Indonesian locale (Excel's default list separator there is ``;`` and its decimal mark
  ``,``), so a double click opens one value per cell and decimals as numbers.

Both are UTF-8 with a byte-order mark (so Excel reads ``≤`` and accented names right;
Python's ``csv``/pandas and R read it too), and whole numbers are written as integers
(``152812``, not ``152812.0``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.report.csv_metadata import write_metadata
from helpers.report.i18n import check_language
from helpers.report.tables import publishable
from helpers.report.workbook import write_workbook


def save_outputs(report, output_dir: str | Path, lang: str) -> list[Path]:
    """Write ``indicators.csv``, ``tables/<name>.csv``, their ``csv-metadata.json`` and one
    Excel workbook.

    CSV files and their metadata (:mod:`helpers.report.csv_metadata`: column titles in
    both languages, datatypes, and on the synthetic sample ``"synthetic": true``) are
    language-neutral (machine-readable ids and raw values, markers where hidden) and
    identical for both languages; the workbook is in ``lang``, with a cover
    sheet first (:func:`helpers.report.workbook.write_workbook`): ``tables.xlsx`` (id) or
    ``tables.en.xlsx`` (en).

    Returns:
        The files written.
    """
    check_language(lang)
    folder = Path(output_dir)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written = []
    written += write_csv(report.indicators_file, folder, "indicators.csv")
    for table in report.tables.values():
        written += write_csv(table.published, folder, f"tables/{table.name}.csv")
    written.append(write_metadata(report, folder))
    workbook = folder / ("tables.xlsx" if lang == "id" else f"tables.{lang}.xlsx")
    written.append(write_workbook(report, workbook, lang, decimals=DECIMALS))
    return written


#: Decimals kept for ratios and scores in CSV and Excel (a share to 1e-6 is 0.0001 %).
DECIMALS = 6


def rounded(frame: pd.DataFrame, decimals: int = DECIMALS) -> pd.DataFrame:
    """Floats rounded for publication (whole numbers and markers untouched).

    Full float precision adds nothing a reader can use and prints 16-17 digit runs that
    look like NIKs to the privacy audit.
    """
    result = frame.copy()
    for column in result.columns:
        values = result[column]
        if pd.api.types.is_float_dtype(values):
            result[column] = values.round(decimals)
        elif values.dtype == object:  # a list keeps ints ints (map would infer floats)
            result[column] = pd.Series(
                [round(v, decimals) if isinstance(v, float) else v for v in values],
                index=values.index, dtype=object)
    return result


#: Folder of the Indonesian-locale twin of every CSV (``;`` separator, ``,`` decimals).
EXCEL_ID_FOLDER = "excel-id"
#: CSV text encoding: UTF-8 with a byte-order mark, which Excel needs to read UTF-8.
CSV_ENCODING = "utf-8-sig"
#: Column names ending so hold fractions 0-1: kept as decimals even when all are whole.
RATIO_SUFFIXES = ("share", "rate", "coverage", "score")


def write_csv(frame: pd.DataFrame, folder: str | Path, relative: str) -> list[Path]:
    """Write ``frame`` as ``folder/relative`` and its Indonesian-locale twin.

    Args:
        frame: a published (or purely numeric) table.
        folder: the report folder.
        relative: path of the machine-readable CSV inside ``folder``
            (e.g. ``tables/tk_by_segment.csv``); the twin goes to ``excel-id/<relative>``.

    Returns:
        The two files written.
    """
    table = _whole_as_integers(rounded(frame))
    machine = Path(folder) / relative
    excel = Path(folder) / EXCEL_ID_FOLDER / relative
    for path in (machine, excel):
        path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(machine, index=False, encoding=CSV_ENCODING)
    _with_decimal_comma(table).to_csv(excel, index=False, sep=";", decimal=",",
                                      encoding=CSV_ENCODING)
    return [machine, excel]


def _whole_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole numbers (counts, Rupiah) as integers, outside ratio columns; NA kept.

    A float column whose values are all whole becomes ``Int64``; in a text column (numbers
    beside ``'<5'`` markers) each whole float becomes an ``int``.
    """
    result = frame.copy()
    for column in result.columns:
        values = result[column]
        if str(column).endswith(RATIO_SUFFIXES):
            continue
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            if len(present) and (present == present.round()).all() and \
                    present.abs().max() < 2 ** 53:
                result[column] = values.astype("Int64")
        elif values.dtype == object:
            result[column] = pd.Series([_whole(v) for v in values], index=values.index,
                                       dtype=object)
    return result


def _whole(value):
    """``12.0`` → ``12``; anything else unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _with_decimal_comma(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats inside text columns (a column mixing numbers and '<5') with a decimal comma;
    float columns get theirs from ``to_csv(decimal=',')``."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object:
            result[column] = pd.Series(
                [repr(v).replace(".", ",") if isinstance(v, float) and v == v else v
                 for v in result[column]], index=result.index, dtype=object)
    return result


def save_scenario(scenario: dict, uhc: pd.DataFrame, output_dir: str | Path) -> list[Path]:
    """Write the scenario's sensitivity table and the UHC rows as CSV (language-neutral)."""
    folder = Path(output_dir)
    return (write_csv(scenario["table"].published, folder, "tables/scenario_sensitivity.csv")
            + write_csv(publishable(uhc), folder, "tables/uhc_scenario.csv"))

__all__ = ["CSV_ENCODING", "DECIMALS", "EXCEL_ID_FOLDER", "rounded", "save_outputs",
           "save_scenario", "write_csv"]
