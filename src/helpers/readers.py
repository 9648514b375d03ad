"""Read registry files (Parquet, CSV, Excel .xlsx) into a form the DuckDB validation takes.

The format is recognised from the file's first bytes, not its name: ``PAR1`` is Parquet,
a ZIP archive is .xlsx, the old binary .xls is refused with a fix, and anything else must
be text (CSV). Parquet stays on disk and is read by DuckDB; CSV and Excel files, which
users export by hand and which are modest in size, are parsed here into an Arrow table of
strings (one column per source column, plus the spreadsheet row number) and then take the
same engine-side validation path as Parquet.

Text files: the encoding is UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode
text"), or cp1252 when the bytes are not valid UTF-8; ``encoding=`` overrides. The
delimiter is the one of ``, ; TAB |`` that splits the first lines into the most consistent
number of fields; ``delimiter=`` overrides. The header is the row, among the first
``HEADER_SEARCH_ROWS``, whose cells name the most known columns (title rows above it are
skipped). Row numbers are those a spreadsheet shows: the first line of the file is row 1.
Entirely blank rows are skipped (they keep their number but are not counted as rows read).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from helpers.errors import InputFileError, SchemaError

#: How many leading rows may hold titles or notes above the header.
HEADER_SEARCH_ROWS = 20
#: A header row must name at least this many known columns.
HEADER_MIN_MATCHES = 2
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
ROW_NUMBER = "__row_number"
_SNIFF_BYTES = 64 * 1024

HeaderScore = Callable[[Sequence[str]], int]


@dataclass
class SourceTable:
    """A registry file as read: original headers, and where its rows are.

    Exactly one of ``parquet_path`` and ``arrow`` is set. In ``arrow`` the source columns
    are named ``c0, c1, …`` in file order (headers may repeat or be blank) and
    ``__row_number`` holds the spreadsheet row number.
    """

    path: Path
    source_format: str  # 'parquet', 'csv', 'xlsx' or 'frame'
    headers: list[str]
    parquet_path: Path | None = None
    arrow: pa.Table | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- format


def detect_format(path: Path) -> str:
    """Return 'parquet', 'xlsx' or 'text' for an existing, non-empty file.

    Raises:
        InputFileError: missing, a directory, empty, old .xls, or binary that is no table.
    """
    if not path.exists():
        raise InputFileError("file not found", path=path, fix="check the path and file name")
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path=path,
                             fix="give the registry file itself (.parquet, .csv or .xlsx)")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise InputFileError("file is empty", path=path,
                             fix="export the registry again; the file has no content")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            "old Excel .xls format (or another OLE document) is not supported", path=path,
            fix="open it in Excel or LibreOffice and save as .xlsx or CSV UTF-8")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if b"\x00" in head or _control_share(head) > 0.01:
        raise InputFileError(
            "binary file, not a table", path=path,
            fix="give a CSV, Excel .xlsx or Parquet export of the registry")
    return "text"


def _control_share(data: bytes) -> float:
    controls = sum(1 for byte in data if byte < 32 and byte not in (9, 10, 12, 13))
    return controls / max(len(data), 1)


# --------------------------------------------------------------------------- text / CSV


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding used).

    Raises:
        InputFileError: the bytes are not valid in the given encoding.
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InputFileError(f"unknown encoding '{encoding}'", path=path,
                                 fix="use e.g. --encoding utf-8 or --encoding cp1252") from None
        except UnicodeDecodeError as error:
            raise InputFileError(
                f"not valid {encoding} at byte {error.start}", path=path,
                fix="leave out --encoding to detect it, or try --encoding cp1252") from None
        return text.lstrip("\ufeff"), encoding
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


_HTML_RE = re.compile(r"<\s*(!doctype\s+html|html|head|body|table)\b", re.IGNORECASE)


def _refuse_html(text: str, path: Path) -> None:
    start = text.lstrip()[:4096]
    if start.startswith("<") and _HTML_RE.search(start):
        raise InputFileError(
            "is an HTML page, not a CSV file (often a saved error or login page, or an "
            "'Excel' download that is really a web page)", path=path,
            fix="download or export the table again as CSV or .xlsx")


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter of ``, ; TAB |`` that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0.0, 0)
    sample = "\n".join(lines)
    for candidate in DELIMITER_CANDIDATES:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate)]
        counts = [n for n in counts if n > 1]
        if not counts:
            continue
        mode, frequency = Counter(counts).most_common(1)[0]
        score = (1, frequency / len(lines), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_text(path: Path, score: HeaderScore, *, encoding: str | None = None,
              delimiter: str | None = None) -> SourceTable:
    """Read a CSV (or other delimited text) file into a :class:`SourceTable`."""
    data = path.read_bytes()
    text, used_encoding = decode_text(data, path, encoding)
    if not text.strip():
        raise InputFileError("file is empty", path=path,
                             fix="export the registry again; the file has no content")
    _refuse_html(text, path)
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise InputFileError(f"delimiter must be one character, got {delimiter!r}",
                                 path=path, fix="use e.g. --delimiter ';' or --delimiter tab")
    used_delimiter = delimiter or sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=used_delimiter))
    except csv.Error as error:
        raise InputFileError(f"cannot be read as CSV: {error}", path=path,
                             fix="check quoting, or export the file again") from None
    source = _table_from_rows(rows, path, score, first_row_number=1)
    source.source_format = "csv"
    source.encoding = used_encoding
    source.delimiter = used_delimiter
    return source


# --------------------------------------------------------------------------- Excel


def read_xlsx(path: Path, score: HeaderScore, *, sheet: str | None = None) -> SourceTable:
    """Read one sheet of an Excel .xlsx workbook into a :class:`SourceTable`.

    Without ``sheet``, the first sheet with a recognisable header row is used.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise InputFileError(f"not a readable Excel .xlsx file ({type(error).__name__})",
                             path=path, fix="open it in Excel and save it again as .xlsx") from None
    try:
        names = workbook.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise InputFileError(
                    f"no sheet named '{sheet}'", path=path,
                    fix="use one of: " + ", ".join(f"'{name}'" for name in names))
            candidates = [sheet]
        else:
            candidates = names
        for name in candidates:
            worksheet = workbook[name]
            head = [[_excel_text(value) for value in row] for row in worksheet.iter_rows(
                min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)]
            if _find_header(head, score) is None:
                continue
            rows = [[_excel_text(value) for value in row]
                    for row in worksheet.iter_rows(min_row=1, values_only=True)]
            source = _table_from_rows(rows, path, score, first_row_number=1, sheet=name)
            source.source_format = "xlsx"
            return source
    finally:
        workbook.close()
    raise SchemaError(
        "no sheet has a header row naming the registry columns "
        f"(looked in the first {HEADER_SEARCH_ROWS} rows of sheets "
        + ", ".join(f"'{name}'" for name in candidates) + ")",
        path=path,
        fix="name the columns e.g. NIK, Jenis Kelamin, Kode Wilayah, Segmen, TMT, or add "
            "aliases with --aliases FILE (see docs/intake.md)")


def _excel_text(value: object) -> str | None:
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


# --------------------------------------------------------------------------- shared


def _find_header(rows: list[list[str | None]], score: HeaderScore) -> int | None:
    best_index, best = None, HEADER_MIN_MATCHES - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [cell.strip() for cell in row if cell and cell.strip()]
        matches = score(cells)
        if matches > best:
            best_index, best = index, matches
    return best_index


def _table_from_rows(rows: list[list[str | None]], path: Path, score: HeaderScore, *,
                     first_row_number: int, sheet: str | None = None) -> SourceTable:
    header_index = _find_header(rows, score)
    if header_index is None:
        raise SchemaError(_no_header_problem(rows), path=path, fix=_no_header_fix(rows))
    header = [(cell or "").strip() for cell in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    row_numbers: list[int] = []
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 1):
        row_number = first_row_number + offset
        cells = [None if cell is None or not str(cell).strip() else cell for cell in row]
        if not any(cells):
            continue
        if len(cells) > width:
            extra = cells[width:]
            if any(extra):
                raise InputFileError(
                    f"has {len(cells)} fields but the header has {width}",
                    path=path, row=row_number,
                    fix="a value contains the delimiter without quotes: quote it, remove it, "
                        "or give the right --delimiter")
            cells = cells[:width]
        cells += [None] * (width - len(cells))
        for index, cell in enumerate(cells):
            columns[index].append(cell)
        row_numbers.append(row_number)
    arrays = {f"c{index}": pa.array(values, type=pa.string())
              for index, values in enumerate(columns)}
    arrays[ROW_NUMBER] = pa.array(row_numbers, type=pa.int64())
    return SourceTable(path=path, source_format="", headers=header, arrow=pa.table(arrays),
                       header_row=first_row_number + header_index, sheet=sheet)


def _no_header_problem(rows: list[list[str | None]]) -> str:
    # The first row is not echoed: without a header it may well be a person's data.
    first = next((row for row in rows if any(cell and cell.strip() for cell in row)), [])
    cells = sum(1 for cell in first if cell and cell.strip())
    return (f"no header row naming the registry columns in the first {HEADER_SEARCH_ROWS} "
            f"rows (the first row has {cells} filled cell{'s' if cells != 1 else ''}, none "
            f"of them a known column name)")


def _no_header_fix(rows: list[list[str | None]]) -> str:
    first = next((row for row in rows if any(cell and cell.strip() for cell in row)), [])
    if len(first) == 1 and first[0]:
        for candidate in DELIMITER_CANDIDATES:
            if candidate in first[0]:
                shown = "tab" if candidate == "\t" else candidate
                return f"the rows look split by '{shown}': give --delimiter '{shown}'"
    return ("name the columns e.g. NIK, Jenis Kelamin, Kode Wilayah, Segmen, TMT, or add "
            "aliases with --aliases FILE (see docs/intake.md)")
