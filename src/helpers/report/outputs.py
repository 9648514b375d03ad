"""The files a report leaves behind: ``indicators.csv``, ``tables/*.csv`` and a workbook.

CSV files are language-neutral (machine-readable ids, raw values, the disclosure markers
where a cell is hidden) and identical for both languages; the Excel workbook has
translated headings and an 'about' sheet. Everything written passed the disclosure rule
in :mod:`helpers.report.report_data`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from helpers.report import formatting
from helpers.report.i18n import check_language, translate
from helpers.report.tables import disclosure_rule, publishable


def save_outputs(report: dict, output_dir: str | Path, lang: str = "id") -> list[Path]:
    """Write ``indicators.csv``, ``tables/<name>.csv`` and one Excel workbook.

    CSV files are language-neutral (machine-readable ids and raw values, markers where
    hidden) and identical for both languages; the workbook has translated headings and
    an 'about' sheet: ``tables.xlsx`` (id) or ``tables.en.xlsx`` (en).

    Returns:
        The files written.
    """
    check_language(lang)
    folder = Path(output_dir)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written = []
    indicators_path = folder / "indicators.csv"
    rounded(report["indicators"]).to_csv(indicators_path, index=False)
    written.append(indicators_path)
    for table in report["tables"].values():
        path = folder / "tables" / f"{table.name}.csv"
        rounded(table.frame).to_csv(path, index=False)
        written.append(path)
    workbook = folder / ("tables.xlsx" if lang == "id" else f"tables.{lang}.xlsx")
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        about = pd.DataFrame(
            [(translate(f"param.{k}", lang), str(v)) for k, v in report["parameters"].items()]
            + [(translate("about.disclosure", lang), disclosure_rule().label(lang)),
               (translate("about.generated", lang), dt.datetime.now().strftime("%Y-%m-%d %H:%M"))],
            columns=[translate("col.item", lang), translate("col.value", lang)])
        about.to_excel(writer, sheet_name=_sheet_name(translate("about.sheet", lang)),
                       index=False)
        rounded(report["indicators"]).to_excel(writer, sheet_name="indicators", index=False)
        used = {"indicators"}
        for table in report["tables"].values():
            if table.name == "indicators":
                continue
            display = rounded(formatting.excel_frame(table, lang))
            sheet = _sheet_name(table.name)
            while sheet in used:
                sheet = _sheet_name(sheet[:28] + "_2")
            used.add(sheet)
            display.to_excel(writer, sheet_name=sheet, index=False)
        for sheet in writer.book.worksheets:
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[:60])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    written.append(workbook)
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
        elif values.dtype == object:
            result[column] = values.map(
                lambda v: round(v, decimals) if isinstance(v, float) else v)
    return result


def _sheet_name(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31]




def save_scenario(scenario: dict, uhc: pd.DataFrame, output_dir: str | Path) -> list[Path]:
    """Write the scenario's sensitivity table and the UHC rows as CSV (language-neutral)."""
    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "scenario_sensitivity.csv", folder / "uhc_scenario.csv"]
    rounded(scenario["table"].frame).to_csv(paths[0], index=False)
    rounded(publishable(uhc)).to_csv(paths[1], index=False)
    return paths

__all__ = ["DECIMALS", "rounded", "save_outputs", "save_scenario"]
