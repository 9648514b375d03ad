"""Excel .xlsx registries: zip-bomb check, the best sheet, cells as text.

A workbook is a ZIP archive: the sizes its directory declares are checked before a byte is
decompressed. The chosen sheet's cells become text (dates ISO, whole numbers without
``.0``), and the rows then take the shared header search of :mod:`helpers.data.readers`.
A NIK cell stored as a number is remembered (``SourceTable.numeric_cells``) so the intake
can refuse it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from helpers.data.csv_records import one_line
from helpers.data.readers import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    SourceTable,
    check_regular_file,
    find_header,
    table_from_rows,
)
from helpers.errors import InputFileError, SchemaError

#: Excel workbooks are ZIP archives. Before a byte of one is decompressed, the sizes its
#: directory declares are checked: a real registry sheet of a million rows is a few hundred
#: MiB of XML, so more than this in total is refused as a "zip bomb" (memory stays bounded).
XLSX_MAX_UNCOMPRESSED_BYTES = 1 << 30
#: A worksheet's XML compresses about 5-20 : 1; a member of more than
#: ``XLSX_RATIO_CHECK_BYTES`` that compresses better than this is refused as a zip bomb.
XLSX_MAX_COMPRESSION_RATIO = 200
XLSX_RATIO_CHECK_BYTES = 16 << 20
#: Exceptions openpyxl raises on a damaged workbook (truncated member, bad CRC, broken or
#: hostile XML, impossible cell values, a compression method zipfile lacks, an encrypted
#: member). They are turned into one line naming the file.
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError,
                IndexError, OverflowError, OSError, ParseError, NotImplementedError,
                RuntimeError)


def check_zip_sizes(path: Path) -> None:
    """Refuse an .xlsx whose ZIP directory declares too much data (a "zip bomb").

    Only the directory is read; nothing is decompressed. Python's zipfile stops reading a
    member at its declared size (and checks its CRC), so these limits bound the work.

    Raises:
        InputFileError: not a ZIP archive, no Excel workbook inside, more than
            ``XLSX_MAX_UNCOMPRESSED_BYTES`` in total, or a large member compressed more
            than ``XLSX_MAX_COMPRESSION_RATIO`` : 1.
    """
    fix = "open it in Excel and save it again as .xlsx, or export the registry as CSV"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputFileError("not a readable Excel .xlsx file (its ZIP directory cannot be "
                             "read: the file may be cut short)", path=path, fix=fix) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        shown = ", ".join(sorted(names)[:3]) + (", …" if len(names) > 3 else "")
        raise InputFileError(f"is a ZIP archive, not an Excel .xlsx workbook (it holds {shown})",
                             path=path, fix="unzip it and give the registry file inside")
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED_BYTES:
        raise InputFileError(
            f"unpacks to {total / 2**20:,.0f} MiB, above the limit of "
            f"{XLSX_MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB for a workbook (a 'zip bomb' or "
            "a far too large sheet)", path=path, fix="export the registry as CSV or Parquet")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_CHECK_BYTES and ratio > XLSX_MAX_COMPRESSION_RATIO:
            raise InputFileError(
                f"member {member.filename} is compressed {ratio:,.0f} : 1 (more than "
                f"{XLSX_MAX_COMPRESSION_RATIO} : 1 is a 'zip bomb', not a worksheet)",
                path=path, fix="export the registry as CSV or Parquet")


def read_xlsx(path: Path, score: HeaderScore, *, sheet: str | None = None) -> SourceTable:
    """Read one sheet of an Excel .xlsx workbook into a :class:`SourceTable`.

    Without ``sheet``, the sheet whose header row names the most registry columns is used;
    when two or more sheets tie, or none has a header, the file is refused with the sheet
    names (choose with ``sheet=`` / ``--sheet``).

    Raises:
        InputFileError: not a readable workbook (damaged, truncated, zip bomb), or no sheet
            of the given name, or several sheets match equally well.
        SchemaError: no sheet has a header row.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_regular_file(path)
    check_zip_sizes(path)
    fix = ("open it in Excel and save it again as .xlsx (the registry sheet alone), or "
           "save that sheet as CSV UTF-8")
    # openpyxl gets an open file, not the path: given a path it insists on an .xlsx name,
    # and the format was recognised from the content already. In read-only mode the
    # workbook reads the archive lazily, so the file stays open until the end.
    handle = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, AttributeError, *_XLSX_ERRORS) as error:
        # AttributeError: openpyxl 3.1 fails so on some chart sheets.
        handle.close()
        raise InputFileError(f"not a readable Excel .xlsx file ({_xlsx_damage(error)})",
                             path=path, fix=fix) from None
    try:
        worksheets = {one_line(worksheet.title): worksheet for worksheet in workbook.worksheets}
        names = list(worksheets)
        if sheet is not None and sheet not in worksheets:
            raise InputFileError(
                f"no sheet named '{sheet}'", path=path,
                fix="use one of: " + ", ".join(f"'{name}'" for name in names))
        candidates = [sheet] if sheet is not None else names
        try:
            heads = {name: _sheet_rows(worksheets[name], max_row=HEADER_SEARCH_ROWS)[0]
                     for name in candidates}
        except _XLSX_ERRORS as error:
            raise InputFileError(f"not a readable Excel .xlsx file ({_xlsx_damage(error)})",
                                 path=path, fix=fix) from None
        scores = {}
        for name, head in heads.items():
            index = find_header(head, score)
            if index is not None:
                scores[name] = score([cell.strip() for cell in head[index] if cell and cell.strip()])
        chosen = _choose_sheet(scores, candidates, path)
        try:
            rows, numeric = _sheet_rows(worksheets[chosen])
        except _XLSX_ERRORS as error:
            raise InputFileError(f"not a readable Excel .xlsx file ({_xlsx_damage(error)})",
                                 path=path, fix=fix) from None
    finally:
        workbook.close()
        handle.close()
    source = table_from_rows(rows, path, score, first_row_number=1, sheet=chosen)
    source.source_format = "xlsx"
    source.numeric_cells = {column: next(row for row in found if row > source.header_row)
                            for column, found in numeric.items()
                            if any(row > source.header_row for row in found)}
    return source


def _xlsx_damage(error: Exception) -> str:
    """What an openpyxl or zipfile error says about the workbook, in plain words."""
    if isinstance(error, zipfile.BadZipFile):
        return "a part of it is cut short or fails its checksum"
    if isinstance(error, (zlib.error, EOFError)):
        return "a part of it is cut short or damaged"
    if isinstance(error, ParseError):
        return "the XML of a part is cut off or not well formed"
    if isinstance(error, NotImplementedError):
        return "a part is compressed with a method that cannot be read"
    if isinstance(error, RuntimeError) and "encrypted" in str(error):
        return "a part is encrypted"
    if isinstance(error, KeyError):
        return "a part it needs is missing"
    return f"{type(error).__name__} while reading it"


def _choose_sheet(scores: dict[str, int], candidates: list[str], path: Path) -> str:
    """The sheet whose header names the most registry columns; refuse ties and none."""
    listed = ", ".join(f"'{name}'" for name in candidates)
    if not candidates:
        raise InputFileError("has no worksheet (only chart sheets, or none)", path=path,
                             fix="save the registry table as a sheet of an .xlsx, or as CSV")
    if not scores:
        raise SchemaError(
            f"no sheet has a header row naming the registry columns (looked in the first "
            f"{HEADER_SEARCH_ROWS} rows of sheet{'s' if len(candidates) != 1 else ''} {listed})",
            path=path,
            fix="name the columns e.g. NIK, Jenis Kelamin, Kode Wilayah, Segmen, TMT, or add "
                "aliases with --aliases FILE (see docs/intake.md)")
    best = max(scores.values())
    tied = [name for name, value in scores.items() if value == best]
    if len(tied) > 1:
        raise InputFileError(
            "sheets " + ", ".join(f"'{name}'" for name in tied) + f" all have a header naming "
            f"{best} registry columns; the intake reads one sheet", path=path,
            fix="choose one with --sheet NAME (or sheet= in Python), or put the rows in one sheet")
    return tied[0]


#: Row numbers of numeric cells remembered per column: enough to pass the title and
#: header rows and still name the first data row.
_NUMERIC_ROWS_KEPT = HEADER_SEARCH_ROWS + 2


def _sheet_rows(worksheet, max_row: int | None = None
                ) -> tuple[list[list[str | None]], dict[int, list[int]]]:
    """Cells of a worksheet as text, and the rows where a column held a number."""
    rows: list[list[str | None]] = []
    numeric: dict[int, list[int]] = {}
    for row_number, row in enumerate(worksheet.iter_rows(min_row=1, max_row=max_row,
                                                         values_only=True), start=1):
        cells = []
        for column, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found = numeric.setdefault(column, [])
                if len(found) < _NUMERIC_ROWS_KEPT:
                    found.append(row_number)
            cells.append(excel_text(value))
        rows.append(cells)
    return rows, numeric


def excel_text(value: object) -> str | None:
    """One Excel cell as text: dates ISO, whole numbers without '.0', blanks as None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


__all__ = [
    "XLSX_MAX_COMPRESSION_RATIO",
    "XLSX_MAX_UNCOMPRESSED_BYTES",
    "XLSX_RATIO_CHECK_BYTES",
    "check_zip_sizes",
    "excel_text",
    "read_xlsx",
]
