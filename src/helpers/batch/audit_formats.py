"""Reading each kind of output for the privacy audit: HTML, notebooks, CSV, XLSX, text.

Each reader cuts a file into *records* (an HTML ``<tr>`` or line, a CSV or XLSX row, a
notebook metadata object, a line of text) of ``(location, text)`` pieces and hands them
to the :class:`~helpers.batch.audit_detect.Scanner`. A file of a scanned type that
cannot be parsed is one ``unreadable`` finding: it cannot be certified clean.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from helpers.batch.audit_detect import Finding, Scanner
from helpers.data import readers, xlsx_reader

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".svg"}
NOTEBOOK_SUFFIXES = {".ipynb"}
CSV_SUFFIXES = {".csv", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".txt", ".md", ".json", ".log"}
SCANNED_SUFFIXES = HTML_SUFFIXES | NOTEBOOK_SUFFIXES | CSV_SUFFIXES | XLSX_SUFFIXES | TEXT_SUFFIXES


def file_kind(path: Path, explicit: bool) -> str | None:
    """'html', 'notebook', 'csv', 'xlsx' or 'text' by suffix; None: not scanned.

    A file named on the command line (``explicit``) is always scanned, as text when its
    suffix says nothing.
    """
    suffix = path.suffix.lower()
    for kind, suffixes in (("html", HTML_SUFFIXES), ("notebook", NOTEBOOK_SUFFIXES),
                           ("csv", CSV_SUFFIXES), ("xlsx", XLSX_SUFFIXES),
                           ("text", TEXT_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return "text" if explicit else None  # a file named on the command line is read as text


def scan_file(path: Path, kind: str, scanner: Scanner) -> Iterator[Finding]:
    """The findings of one file read as ``kind``; an unparseable file is one finding."""
    name = str(path)
    try:
        if kind == "xlsx":
            yield from _scan_xlsx(path, name, scanner)
            return
        text, _ = readers.decode_text(path.read_bytes(), path)
        if kind == "html":
            for record in _html_records(text):
                yield from scanner.scan(name, [(str(line), piece) for line, piece in record])
        elif kind == "notebook":
            yield from _scan_notebook(json.loads(text), name, scanner)
        elif kind == "csv":
            yield from _scan_csv(text, name, scanner, tab=path.suffix.lower() == ".tsv")
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                yield from scanner.scan(name, [(str(number), line)])
    except (_Unreadable, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        # Parse errors (json, csv, zip, openpyxl) and unexpected structure: the file cannot
        # be certified clean, so it fails the audit.
        reason = str(error) if isinstance(error, _Unreadable) else type(error).__name__
        yield Finding(name, "-", "unreadable",
                      f"cannot be read as {kind} ({reason}); check it by hand")


class _Unreadable(Exception):
    """A file of a scanned type that cannot be parsed (the message names the reason)."""


# =========================================================================== formats


_DATA_URI_RE = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _HtmlRecords(html.parser.HTMLParser):
    """Text and attribute values of an HTML page, grouped into records with line numbers.

    A record is one table row (``<tr>``) or, outside tables, one line of text.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.records: list[list[tuple[int, str]]] = []
        self.row: list[tuple[int, str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._close_row()
            self.row = []
        for _, value in attrs:
            if value and not value.lstrip()[:5].lower() == "data:":
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("tr", "table"):
            self._close_row()

    def handle_data(self, data):
        self._add(data)

    def _add(self, text: str) -> None:
        line = self.getpos()[0]
        text = _DATA_URI_RE.sub(" ", text)
        if self.row is not None:
            self.row.append((line, text))
            return
        for offset, piece in enumerate(text.split("\n")):
            if piece.strip():
                self.records.append([(line + offset, piece)])

    def _close_row(self) -> None:
        if self.row:
            self.records.append(self.row)
        self.row = None


def _html_records(text: str) -> list[list[tuple[int, str]]]:
    parser = _HtmlRecords()
    parser.feed(text)
    parser.close()
    parser._close_row()
    return parser.records


def _scan_notebook(notebook: dict, name: str, scanner: Scanner) -> Iterator[Finding]:
    if not isinstance(notebook, dict):
        raise _Unreadable("not a notebook: the JSON is not an object")
    yield from _scan_json(notebook.get("metadata", {}), "metadata", name, scanner)
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        where = f"cell {number}"
        yield from _scan_lines(_joined(cell.get("source", "")), f"{where} source", name,
                               scanner)
        yield from _scan_json(cell.get("metadata", {}), f"{where} metadata", name, scanner)
        for output_number, output in enumerate(cell.get("outputs", []), start=1):
            yield from _scan_output(output, f"{where} output {output_number}", name, scanner)


def _scan_output(output: dict, where: str, name: str, scanner: Scanner) -> Iterator[Finding]:
    if output.get("output_type") == "stream":
        yield from _scan_lines(_joined(output.get("text", "")), where, name, scanner)
    elif output.get("output_type") == "error":
        text = "\n".join([output.get("ename", ""), output.get("evalue", ""),
                          *output.get("traceback", [])])
        yield from _scan_lines(text, where, name, scanner)
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue  # base64 pixels
        if isinstance(value, (dict, list)) and not mime.startswith("text/"):
            yield from _scan_json(value, where, name, scanner, path_in_location=False)
        elif mime in ("text/html", "image/svg+xml"):
            for record in _html_records(_joined(value)):
                yield from scanner.scan(name, [(where, piece) for _, piece in record])
        else:
            yield from _scan_lines(_joined(value), where, name, scanner)
    yield from _scan_json(output.get("metadata", {}), where, name, scanner,
                          path_in_location=False)


def _joined(value) -> str:
    """Notebook text fields are a string or a list of lines; ANSI colours are dropped."""
    text = "".join(value) if isinstance(value, list) else str(value)
    return _ANSI_RE.sub("", text)


def _scan_lines(text: str, where: str, name: str, scanner: Scanner) -> Iterator[Finding]:
    for line in text.splitlines():
        yield from scanner.scan(name, [(where, line)])


def _scan_json(value, where: str, name: str, scanner: Scanner, *,
               path_in_location: bool = True) -> Iterator[Finding]:
    """Scan the scalar values of a JSON tree; the values of one object form a record."""
    def location(key: str) -> str:
        return f"{where}{key}" if path_in_location else where

    def walk(node, path: str) -> Iterator[Finding]:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        record, children = [], []
        for key, child in items:
            key_path = f"{path}.{key}" if isinstance(node, dict) else f"{path}[{key}]"
            if isinstance(child, (dict, list)):
                children.append((child, key_path))
            elif isinstance(child, str) or (isinstance(child, (int, float))
                                            and not isinstance(child, bool)):
                record.append((location(key_path), _ANSI_RE.sub("", str(child))))
        if record:
            yield from scanner.scan(name, record)
        for child, key_path in children:
            yield from walk(child, key_path)

    if isinstance(value, (dict, list)):
        yield from walk(value, "")


def _scan_csv(text: str, name: str, scanner: Scanner, *, tab: bool) -> Iterator[Finding]:
    delimiter = "\t" if tab else readers.sniff_delimiter(text)
    header: list[str] = []
    for row_number, row in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                delimiter=delimiter), start=1):
        if row_number == 1:
            header = [_safe_label(cell, f"{index}", scanner)
                      for index, cell in enumerate(row, start=1)]
            record = [(f"row 1, column {index}", cell) for index, cell in enumerate(row, 1)]
        else:
            record = [(f"row {row_number}, column "
                       f"{header[index] if index < len(header) else index + 1}", cell)
                      for index, cell in enumerate(row)]
        yield from scanner.scan(name, record)


def _scan_xlsx(path: Path, name: str, scanner: Scanner) -> Iterator[Finding]:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException) as error:
        raise _Unreadable(type(error).__name__) from None
    try:
        for number, sheet in enumerate(workbook.worksheets, start=1):
            title = sheet.title
            label = title if re.fullmatch(r"\w+", title) else "'" + title.replace("'", "''") + "'"
            label = _safe_label(title, f"sheet{number}", scanner, shown=label)
            yield from scanner.scan(name, [(f"sheet {number} name", title)])
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                record = [(f"{label}!{get_column_letter(column)}{row_number}", text)
                          for column, value in enumerate(row, start=1)
                          if (text := xlsx_reader.excel_text(value)) is not None]
                yield from scanner.scan(name, record)
    finally:
        workbook.close()


def _safe_label(text: str, fallback: str, scanner: Scanner, *, shown: str | None = None) -> str:
    """A header or sheet name for locations, unless it holds a finding itself."""
    if not text.strip() or any(scanner.scan("", [("", text)])):
        return fallback
    return text if shown is None else shown


__all__ = ["CSV_SUFFIXES", "HTML_SUFFIXES", "NOTEBOOK_SUFFIXES", "SCANNED_SUFFIXES",
           "TEXT_SUFFIXES", "XLSX_SUFFIXES", "file_kind", "scan_file"]
