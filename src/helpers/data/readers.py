"""Read registry files (Parquet, CSV, Excel .xlsx) into a form the DuckDB validation takes.

The format is recognised from the file's first bytes, not its name: ``PAR1`` is Parquet,
a ZIP archive is .xlsx, the old binary .xls is refused with a fix, and anything else must
be text (CSV). Only regular files are read: a named pipe or a device (``/dev/zero``) is
refused before it is opened, so a read never hangs. Parquet stays on disk and is read by
DuckDB; CSV and Excel files, which users export by hand and which are modest in size, are
parsed here into an Arrow table of strings (one column per source column, plus the
spreadsheet row number) and then take the same engine-side validation path as Parquet.

Text files: the encoding is UTF-8 (with or without BOM), UTF-16 (with BOM, or without one
when every other byte is zero), or cp1252 when the bytes are not valid UTF-8; ``encoding=``
overrides. A file that starts with a UTF-8 BOM but is not UTF-8 is refused (it mixes
encodings). The delimiter is the one of ``, ; TAB |`` whose split of the first lines names
the most registry columns in a header row, then splits the lines most consistently;
``delimiter=`` overrides. The header is the row, among the first ``HEADER_SEARCH_ROWS``,
whose cells name the most known columns (title rows above it are skipped). Row numbers are
those a spreadsheet shows: the first record of the file is row 1. Entirely blank rows are
skipped (they keep their number but are not counted as rows read).

Nothing is lost silently: the records of a text file are counted by a quote-aware scan of
its lines (:func:`helpers.data.csv_records.scan_records`) that is independent of the CSV
parser, and the file is refused when the two counts differ or when a quote swallows line
breaks or separators the way a stray quote does (:func:`~helpers.data.csv_records.check_quotes`).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from helpers.data import csv_records
from helpers.data.csv_records import one_line
from helpers.errors import InputFileError, SchemaError

#: How many leading rows may hold titles or notes above the header.
HEADER_SEARCH_ROWS = 20
#: A header row must name at least this many known columns.
HEADER_MIN_MATCHES = 2
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
ROW_NUMBER = "__row_number"
_SNIFF_BYTES = 64 * 1024
#: How many lines the delimiter detection looks at.
SNIFF_LINES = 50

HeaderScore = Callable[[Sequence[str]], int]


@dataclass
class SourceTable:
    """A registry file as read: original headers, and where its rows are.

    Exactly one of ``parquet_path`` and ``arrow`` is set. In ``arrow`` the source columns
    are named ``c0, c1, …`` in file order (headers may repeat or be blank) and
    ``__row_number`` holds the spreadsheet row number.

    ``numeric_cells`` maps a source column index to the first data row whose cell was
    stored as a number (Excel), so the intake can refuse a NIK that Excel may have rounded.
    ``title_lines`` holds the text of the rows above the header (a title such as "Data
    Peserta JKN per 30/06/2024" may give the extract date); it is never written anywhere.
    ``records_in_file`` is the number of records (rows) the file holds by the independent
    count of :func:`scan_records`, title, header and blank rows included.
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
    title_lines: list[str] = field(default_factory=list)
    numeric_cells: dict[int, int] = field(default_factory=dict)
    records_in_file: int | None = None
    blank_rows: int = 0


# --------------------------------------------------------------------------- format


def detect_format(path: Path) -> str:
    """Return 'parquet', 'xlsx' or 'text' for an existing, non-empty regular file.

    Raises:
        InputFileError: missing, a directory, a pipe or device, unreadable, empty, old
            .xls, or binary that is no table.
    """
    check_regular_file(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        raise InputFileError(f"cannot be read ({error.strerror or type(error).__name__})",
                             path=path, fix="check the file's permissions") from None
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
    if b"\x00" in head and utf16_without_bom(head) is not None:
        return "text"
    if _control_share(head) > 0.01:
        raise InputFileError(
            "binary file, not a table", path=path,
            fix="give a CSV, Excel .xlsx or Parquet export of the registry")
    if b"\x00" in head:
        _refuse_nul(head, path)
    return "text"


def check_regular_file(path: Path) -> None:
    """Refuse a path that is missing, a folder, or not a regular file (pipe, device, socket).

    Checked with ``stat`` before the file is opened: opening a named pipe blocks until
    someone writes to it, and ``/dev/zero`` never ends.

    Raises:
        InputFileError: with the reason and a fix.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise InputFileError("file not found", path=path,
                             fix="check the path and file name") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputFileError(f"cannot be read ({reason})", path=path,
                             fix="check the path and the file's permissions") from None
    if stat.S_ISDIR(mode):
        raise InputFileError("is a directory, not a file", path=path,
                             fix="give the registry file itself (.parquet, .csv or .xlsx)")
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise InputFileError(f"is {kind}, not a regular file", path=path,
                             fix="save the registry to a file and give that file's path")


def _control_share(data: bytes) -> float:
    controls = sum(1 for byte in data if byte < 32 and byte not in (9, 10, 12, 13))
    return controls / max(len(data), 1)


def _refuse_nul(data: bytes, path: Path) -> None:
    offset = data.index(b"\x00")
    line = data.count(b"\n", 0, offset) + 1
    raise InputFileError(
        f"contains a NUL (zero) byte at byte {offset:,} (line {line:,}); a text export has "
        "none", path=path,
        fix="export the registry again as CSV UTF-8 (or UTF-16 with its byte-order mark)")


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` looks like UTF-16 text without a BOM.

    Mostly-ASCII UTF-16 text has a zero byte in every other position (odd positions for
    little endian). Returns None when the bytes do not show that pattern.
    """
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    zero_even = sum(1 for index in range(0, 2 * pairs, 2) if sample[index] == 0) / pairs
    zero_odd = sum(1 for index in range(1, 2 * pairs, 2) if sample[index] == 0) / pairs
    if zero_odd > 0.9 and zero_even < 0.1:
        return "utf-16-le"
    if zero_even > 0.9 and zero_odd < 0.1:
        return "utf-16-be"
    return None


# --------------------------------------------------------------------------- text / CSV


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding used).

    Raises:
        InputFileError: the bytes are not valid in the given encoding, or start with a
            byte-order mark that the rest of the file does not follow.
    """
    if encoding:
        if data.startswith(codecs.BOM_UTF8) and not encoding.lower().replace("_", "-") \
                .startswith(("utf-8", "utf8")):
            data = data[len(codecs.BOM_UTF8):]  # a BOM left over from a UTF-8 export
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InputFileError(f"unknown encoding '{encoding}'", path=path,
                                 fix="use e.g. --encoding utf-8 or --encoding cp1252") from None
        except UnicodeDecodeError as error:
            raise InputFileError(
                f"not valid {encoding} at byte {error.start:,} (line {_line_of(data, error.start):,})",
                path=path,
                fix="leave out --encoding to detect it, or try --encoding cp1252") from None
        return text.lstrip("\ufeff"), encoding
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            offset = error.start + len(codecs.BOM_UTF8)
            raise InputFileError(
                f"starts with a UTF-8 byte-order mark but byte {offset:,} (line "
                f"{_line_of(data, offset):,}) is not UTF-8: the file mixes encodings",
                path=path,
                fix="save it again as 'CSV UTF-8', or read it as cp1252 with --encoding "
                    "cp1252") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(data, "utf-16", path), "utf-16"
    utf16 = utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if utf16:
        return _decode_utf16(data, utf16, path), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _decode_utf16(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"is UTF-16 text but byte {error.start:,} is not ({error.reason}; the file may be "
            "cut short)", path=path,
            fix="export the registry again, e.g. as 'CSV UTF-8'") from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_HTML_RE = re.compile(r"<\s*(!doctype\s+html|html|head|body|table)\b", re.IGNORECASE)


def _refuse_html(text: str, path: Path) -> None:
    start = text.lstrip()[:4096]
    if start.startswith("<") and _HTML_RE.search(start):
        raise InputFileError(
            "is an HTML page, not a CSV file (often a saved error or login page, or an "
            "'Excel' download that is really a web page)", path=path,
            fix="download or export the table again as CSV or .xlsx")


def allow_long_fields(length: int) -> None:
    """Let Python's csv module read fields of up to ``length`` characters.

    Its default limit (131,072 characters) turns one long value into a ``_csv.Error``; a
    field can never be longer than the text it comes from, so the text's length is a safe
    bound. The limit is only ever raised.
    """
    if length >= csv.field_size_limit():
        csv.field_size_limit(length + 1)


def sniff_delimiter(text: str, score: HeaderScore | None = None) -> str:
    """Pick the delimiter of ``, ; TAB |`` for a text file.

    With ``score`` (how many registry columns a row of cells names), the delimiter that
    yields the best header row wins, so a ``;`` inside quoted values (``"JKK;JKM"``) of a
    comma file cannot mislead it. Ties, and files without a header, go to the delimiter
    that splits the first lines into the most consistent number of fields.
    """
    lines = [line for line in itertools.islice(io.StringIO(text), SNIFF_LINES) if line.strip()]
    if not lines:
        return ","
    sample = "".join(lines)
    allow_long_fields(len(sample))
    best, best_score = ",", (0, 0, 0.0, 0)
    for candidate in DELIMITER_CANDIDATES:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=candidate))
        counts = [len(row) for row in rows if len(row) > 1]
        if not counts:
            continue
        mode, frequency = Counter(counts).most_common(1)[0]
        header = 0
        if score is not None:
            header = max((score([cell.strip() for cell in row if cell.strip()])
                          for row in rows[:HEADER_SEARCH_ROWS]), default=0)
            header = header if header >= HEADER_MIN_MATCHES else 0
        candidate_score = (header, 1, frequency / len(lines), mode)
        if candidate_score > best_score:
            best, best_score = candidate, candidate_score
    return best


def read_text(path: Path, score: HeaderScore, *, encoding: str | None = None,
              delimiter: str | None = None) -> SourceTable:
    """Read a CSV (or other delimited text) file into a :class:`SourceTable`.

    Raises:
        InputFileError: not text, NUL bytes, HTML, a bad delimiter, a stray quote, or a
            record count that the parser and the line scan do not agree on.
        SchemaError: no header row.
    """
    check_regular_file(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot be read ({error.strerror or type(error).__name__})",
                             path=path, fix="check the file's permissions") from None
    text, used_encoding = decode_text(data, path, encoding)
    if "\x00" in text:
        offset = text.index("\x00")
        raise InputFileError(
            f"contains a NUL (zero) character on line {text.count(chr(10), 0, offset) + 1:,}; "
            "a text export has none", path=path,
            fix="export the registry again as CSV UTF-8 (or give the right --encoding)")
    if not text.strip():
        raise InputFileError("file is empty", path=path,
                             fix="export the registry again; the file has no content")
    _refuse_html(text, path)
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1 or delimiter in "\r\n\"":
            raise InputFileError(f"delimiter must be one character, got {delimiter!r}",
                                 path=path, fix="use e.g. --delimiter ';' or --delimiter tab")
    used_delimiter = delimiter or sniff_delimiter(text, score)
    allow_long_fields(len(text))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=used_delimiter))
    except csv.Error as error:
        raise InputFileError(f"cannot be read as CSV: {error}", path=path,
                             fix="check quoting, or export the file again") from None
    scan = csv_records.scan_records(text, used_delimiter)
    if scan.records != len(rows):
        raise InputFileError(
            f"the CSV reader found {len(rows):,} records but a line-by-line count finds "
            f"{scan.records:,}; rows would be lost", path=path,
            fix="check the quoting of values, or export the file again")
    header_index = find_header(rows, score)
    header = rows[header_index] if header_index is not None else None
    csv_records.check_quotes(scan, rows, path, header, used_delimiter)
    source = table_from_rows(rows, path, score, first_row_number=1)
    source.source_format = "csv"
    source.encoding = used_encoding
    source.delimiter = used_delimiter
    source.records_in_file = scan.records
    _check_accounted(source)
    return source


def _check_accounted(source: SourceTable) -> None:
    """Every record of the file is a title/header row, a blank row or a row read."""
    data_rows = source.arrow.num_rows if source.arrow is not None else 0
    accounted = (source.header_row or 0) + source.blank_rows + data_rows
    if source.records_in_file is not None and accounted != source.records_in_file:
        raise InputFileError(
            f"{source.records_in_file:,} records in the file but {accounted:,} accounted for "
            f"({source.header_row} title/header, {source.blank_rows:,} blank, {data_rows:,} "
            "read)", path=source.path, fix="export the file again; report this as a bug if "
                                            "it persists")


# --------------------------------------------------------------------------- shared


def find_header(rows: list[list[str | None]], score: HeaderScore) -> int | None:
    best_index, best = None, HEADER_MIN_MATCHES - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [cell.strip() for cell in row if cell and cell.strip()]
        matches = score(cells)
        if matches > best:
            best_index, best = index, matches
    return best_index


def table_from_rows(rows: list[list[str | None]], path: Path, score: HeaderScore, *,
                     first_row_number: int, sheet: str | None = None) -> SourceTable:
    header_index = find_header(rows, score)
    if header_index is None:
        raise SchemaError(_no_header_problem(rows), path=path, fix=_no_header_fix(rows))
    header = [one_line(cell or "") for cell in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    row_numbers: list[int] = []
    blank_rows = 0
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 1):
        row_number = first_row_number + offset
        cells = [None if cell is None or not str(cell).strip() else cell for cell in row]
        if not any(cells):
            blank_rows += 1
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
    titles = [" ".join(str(cell).strip() for cell in row if cell and str(cell).strip())
              for row in rows[:header_index]]
    return SourceTable(path=path, source_format="", headers=header, arrow=pa.table(arrays),
                       header_row=first_row_number + header_index, sheet=sheet,
                       blank_rows=blank_rows, title_lines=[line for line in titles if line])


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


__all__ = [
    "DELIMITER_CANDIDATES",
    "HEADER_MIN_MATCHES",
    "HEADER_SEARCH_ROWS",
    "ROW_NUMBER",
    "SNIFF_LINES",
    "HeaderScore",
    "SourceTable",
    "allow_long_fields",
    "check_regular_file",
    "decode_text",
    "detect_format",
    "find_header",
    "one_line",
    "read_text",
    "sniff_delimiter",
    "table_from_rows",
    "utf16_without_bom",
]
