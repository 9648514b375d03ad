"""Privacy audit of published outputs: ``cakupan audit PATH`` (DESIGN §9).

Scans every HTML, notebook, CSV and XLSX file under ``PATH`` (a file or a folder,
recursively; also .svg, .tsv, .txt, .md, .json, .log) for person-level data and secrets,
and fails when it finds any. What it looks for (``Finding.kind``):

- ``nik`` — a NIK-like number: 16 digits, written together or in groups separated by
  single spaces, dots or dashes (``5202 0141 0990 0001``, ``5202.0141.0990.0001``,
  ``5202-014109-900001``) that also has the NIK structure of DESIGN §4 (province 11–96,
  day 01–31 or 41–71, month 01–12, serial not 0000; :func:`helpers.data.nik.nik_problem`).
  To keep false alarms low: the digits must not touch a letter or digit (so hex strings,
  pseudonyms and ``Rp1.209.600.000`` are not candidates); a grouped candidate has at most
  5 groups of at least 2 digits each (a printed array of 0/1 flags is not a NIK); and
  digits grouped in thousands (``1.209.600.000.000.000``) are money, not a NIK.
- ``name`` — a full name from the registries given with ``--registry`` (column
  ``full_name`` or an alias such as ``Nama``). Only names of at least two words are
  used, so common single words never match. The text is cut into words (letters only,
  case ignored) and every run of 2, 3, … words separated only by white space is looked
  up in the set of registry names: one set lookup per word and name length, whatever
  the number of names.
- ``birth_date`` — a date (``1991-02-16``, ``16/02/1991``, ``16-02-1991``,
  ``16.02.1991``) that is a registry birth date **and** stands in the same record as a
  name or NIK-like number: the same table row (HTML ``<tr>``, CSV or XLSX row), line of
  text, or notebook metadata object. A birth date alone identifies nobody, and the
  registry holds nearly every date of the last 90 years, so a report's reference date
  (``2024-12-31``), as-of date or period end is never flagged on its own.
- ``key`` — the pseudonymisation key (``helpers.data.pseudonym.get_key()``: ``CAKUPAN_KEY``
  or the per-user key file, which the audit never creates), and the hex form of its
  bytes, case ignored.
- ``unreadable`` — a file of a scanned type that cannot be parsed: it cannot be
  certified clean, so it fails the audit too.

Where: HTML and text files, the line (``report.html:12``); notebooks, ``cell 3 source``,
``cell 3 output 1``, ``cell 3 metadata.tags[0]`` or ``metadata.papermill.parameters.nik``
(cells and outputs counted from 1; papermill's parameters live in the metadata);
XLSX, ``Sheet!B7`` (the values a reader sees: cached results of formulas); CSV,
``row 12, column nik`` (the header is row 1). Embedded images (``data:`` URIs, PNG and
JPEG outputs) are not scanned; nor are XLSX comments and document properties.

No finding repeats the value found: NIKs keep their first and last 4 digits
(``5202********0001``), names the first letter of each word (``B*** M***``), dates the
century (``19**-**-**``); the key is never shown.
"""

from __future__ import annotations

import argparse
import csv
import html.parser
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.data import nik as nik_rules
from helpers.data import readers, xlsx_reader
from helpers.errors import InputFileError, ParameterError, PrivacyError, SchemaError

#: Shortest key the audit can search for without false alarms (characters).
MIN_KEY_LENGTH = 8
#: Most groups a written NIK is split into (``PP KK CC DDMMYY SSSS`` has 5).
MAX_NIK_GROUPS = 5

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".svg"}
NOTEBOOK_SUFFIXES = {".ipynb"}
CSV_SUFFIXES = {".csv", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".txt", ".md", ".json", ".log"}
SCANNED_SUFFIXES = HTML_SUFFIXES | NOTEBOOK_SUFFIXES | CSV_SUFFIXES | XLSX_SUFFIXES | TEXT_SUFFIXES


@dataclass(frozen=True)
class Finding:
    """One piece of person-level data or secret found in an output.

    The same masked value at the same location is reported once (a notebook output
    holds a table twice, as HTML and as plain text).

    Attributes:
        path: the file, as given or found under the audited folder.
        location: where in the file (line, notebook cell and output, sheet cell, CSV row).
        kind: ``nik``, ``name``, ``birth_date``, ``key`` or ``unreadable``.
        excerpt: the masked value (never the value itself).
    """

    path: str
    location: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}:{self.location}: {self.kind}: {self.excerpt}"


@dataclass(frozen=True)
class RegistryIndex:
    """What the audit looks up from the registries: names and birth dates.

    Attributes:
        names: full names of at least two words, lower case, one space between words.
        name_lengths: the word counts that occur in ``names``.
        birth_dates: birth dates as ISO strings (``YYYY-MM-DD``).
        sources: the registry files read.
    """

    names: frozenset[str] = frozenset()
    name_lengths: tuple[int, ...] = ()
    birth_dates: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()


# =========================================================================== public API


def audit_path(
    path: str | Path,
    *,
    registries: Sequence[str | Path] | RegistryIndex = (),
    key: str | bytes | None = None,
) -> list[Finding]:
    """Scan a file or folder of outputs for NIKs, registry names and birth dates, the key.

    Args:
        path: a report file or a folder (scanned recursively; see ``SCANNED_SUFFIXES``).
        registries: registry files (Parquet, CSV or XLSX with ``full_name`` and/or
            ``birth_date``) whose names and birth dates to look for, or an index built
            once with :func:`load_registry_index`.
        key: the pseudonymisation key to look for; None = the current key
            (``CAKUPAN_KEY`` or the per-user key file if it exists).

    Returns:
        The findings, file by file in path order; empty when the outputs are clean.

    Raises:
        InputFileError: ``path`` or a registry file does not exist or cannot be read.
        SchemaError: a registry file has neither a name nor a birth-date column.
        ParameterError: the key is too short to search for.
    """
    findings, _, _ = _audit(Path(path), registries, key)
    return findings


def load_registry_index(paths: Iterable[str | Path]) -> RegistryIndex:
    """Read the distinct full names and birth dates of registry files.

    Args:
        paths: Parquet, CSV or XLSX registries; the columns are found by the intake's
            alias table (``full_name``/``Nama``…, ``birth_date``/``Tgl Lahir``…).

    Returns:
        The names of two or more words and the birth dates, ready for :func:`audit_path`.

    Raises:
        InputFileError: a file is missing or unreadable.
        SchemaError: a file has neither a name nor a birth-date column.
    """
    names: set[str] = set()
    birth_dates: set[str] = set()
    sources = []
    for path in map(Path, paths):
        columns = _registry_columns(path)
        for value in columns.get("full_name", ()):
            words = _WORD_RE.findall(value.casefold())
            if len(words) >= 2:
                names.add(" ".join(words))
        for value in columns.get("birth_date", ()):
            iso = _iso_date(value)
            if iso:
                birth_dates.add(iso)
        sources.append(str(path))
    lengths = tuple(sorted({name.count(" ") + 1 for name in names}))
    return RegistryIndex(frozenset(names), lengths, frozenset(birth_dates), tuple(sources))


# =========================================================================== CLI


def register_cli(subparsers) -> None:
    """Add ``cakupan audit PATH [--registry FILE ...]``."""
    parser = subparsers.add_parser(
        "audit",
        help="scan reports for NIKs, registry names and birth dates, and the key",
        description="Scan HTML, notebooks, CSV and XLSX under PATH for NIK-like numbers, "
                    "names and birth dates from the registries, and the pseudonymisation "
                    "key. Prints one line per finding (values masked); exits 0 when clean, "
                    "3 when anything is found.")
    parser.add_argument("path", type=Path, metavar="PATH", help="a report file or folder")
    parser.add_argument("--registry", action="append", default=[], type=Path, metavar="FILE",
                        help="registry whose names and birth dates to look for "
                             "(Parquet, CSV or XLSX; repeatable)")
    parser.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    """Run the audit for the CLI: print findings and a summary; raise when not clean."""
    index = load_registry_index(args.registry) if args.registry else RegistryIndex()
    key = _current_key()
    findings, scanned, skipped = _audit(args.path, index, key)
    for finding in findings:
        print(finding)
    files = f"{scanned} file{'s' if scanned != 1 else ''} scanned under {args.path}"
    if skipped:
        files += f" ({skipped} of other types skipped)"
    if findings:
        kinds = Counter(finding.kind for finding in findings)
        n_files = len({finding.path for finding in findings})
        raise PrivacyError(
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ("
            + ", ".join(f"{kind} {count}" for kind, count in kinds.items())
            + f") in {n_files} of {files}",
            fix="outputs must hold aggregates only: remove person-level data (re-run with "
                "the disclosure rule), never print or pass the key as a parameter")
    checked = ["NIK-like numbers"]
    checked.append(f"names and birth dates from {len(index.sources)} registr"
                   f"{'y' if len(index.sources) == 1 else 'ies'}" if index.sources
                   else "no names or birth dates (give --registry FILE)")
    checked.append("the pseudonymisation key" if key else "no key (none is set)")
    print(f"cakupan audit: clean: {files}; checked " + ", ".join(checked))
    return 0


# =========================================================================== walking


def _audit(path: Path, registries: Sequence[str | Path] | RegistryIndex,
           key: str | bytes | None) -> tuple[list[Finding], int, int]:
    """Findings, number of files scanned and number skipped (other types)."""
    if not path.exists():
        raise InputFileError("not found", path=path, fix="give a report file or folder")
    index = registries if isinstance(registries, RegistryIndex) \
        else load_registry_index(registries)
    scanner = _Scanner(index, _key_needles(_current_key() if key is None else key))
    findings: list[Finding] = []
    scanned = skipped = 0
    for file, explicit in _files(path):
        kind = _file_kind(file, explicit)
        if kind is None:
            skipped += 1
            continue
        scanned += 1
        findings += _unique(_scan_file(file, kind, scanner))
    return findings, scanned, skipped


def _files(path: Path) -> Iterator[tuple[Path, bool]]:
    if path.is_file():
        yield path, True
        return
    for folder, subfolders, names in os.walk(path):
        subfolders.sort()
        for name in sorted(names):
            yield Path(folder) / name, False


def _file_kind(path: Path, explicit: bool) -> str | None:
    suffix = path.suffix.lower()
    for kind, suffixes in (("html", HTML_SUFFIXES), ("notebook", NOTEBOOK_SUFFIXES),
                           ("csv", CSV_SUFFIXES), ("xlsx", XLSX_SUFFIXES),
                           ("text", TEXT_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return "text" if explicit else None  # a file named on the command line is read as text


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _scan_file(path: Path, kind: str, scanner: _Scanner) -> Iterator[Finding]:
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


def _scan_notebook(notebook: dict, name: str, scanner: _Scanner) -> Iterator[Finding]:
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


def _scan_output(output: dict, where: str, name: str, scanner: _Scanner) -> Iterator[Finding]:
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


def _scan_lines(text: str, where: str, name: str, scanner: _Scanner) -> Iterator[Finding]:
    for line in text.splitlines():
        yield from scanner.scan(name, [(where, line)])


def _scan_json(value, where: str, name: str, scanner: _Scanner, *,
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


def _scan_csv(text: str, name: str, scanner: _Scanner, *, tab: bool) -> Iterator[Finding]:
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


def _scan_xlsx(path: Path, name: str, scanner: _Scanner) -> Iterator[Finding]:
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


def _safe_label(text: str, fallback: str, scanner: _Scanner, *, shown: str | None = None) -> str:
    """A header or sheet name for locations, unless it holds a finding itself."""
    if not text.strip() or any(scanner.scan("", [("", text)])):
        return fallback
    return text if shown is None else shown


# =========================================================================== detection

_WORD_RE = re.compile(r"[^\W\d_]+")
_DIGIT_RUN_RE = re.compile(r"[0-9]+(?:[ .\-\u00a0][0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")
_DATE_RE = re.compile(
    r"(?<![0-9])(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{2})([/.-])([0-9]{2})\5([0-9]{4}))"
    r"(?![0-9])")


class _Scanner:
    """Finds NIK-like numbers, registry names and birth dates, and the key, in records."""

    def __init__(self, index: RegistryIndex, key_needles: list[tuple[str, str]]) -> None:
        self.index = index
        self.key_needles = key_needles

    def scan(self, name: str, record: list[tuple[str, str]]) -> list[Finding]:
        """Findings in one record: (location, text) pieces of one row, line or object."""
        findings: list[Finding] = []
        dates: list[Finding] = []
        for location, text in record:
            if not text:
                continue
            findings += [Finding(name, location, "nik", masked)
                         for masked in _nik_like(text)]
            findings += [Finding(name, location, "name", masked)
                         for masked in _names(text, self.index)]
            folded = text.casefold()
            findings += [Finding(name, location, "key", label)
                         for needle, label in self.key_needles if needle in folded]
            if self.index.birth_dates:
                dates += [Finding(name, location, "birth_date", masked)
                          for masked in _birth_dates(text, self.index.birth_dates)]
        if dates and any(finding.kind in ("nik", "name") for finding in findings):
            findings += dates
        return findings


def _nik_like(text: str) -> Iterator[str]:
    """Masked NIK-like numbers in ``text`` (see the module docstring for the rules)."""
    for run in _DIGIT_RUN_RE.finditer(text):
        start, end = run.span()
        if (start > 0 and text[start - 1].isalnum()) or (end < len(text)
                                                          and text[end].isalnum()):
            continue
        groups = list(_GROUP_RE.finditer(run.group()))
        for first in range(len(groups)):
            digits = 0
            for last in range(first, min(first + MAX_NIK_GROUPS, len(groups))):
                digits += len(groups[last].group())
                if digits >= nik_rules.NIK_LENGTH:
                    break
            if digits != nik_rules.NIK_LENGTH:
                continue
            chosen = groups[first:last + 1]
            if len(chosen) > 1 and (any(len(g.group()) < 2 for g in chosen)
                                    or _thousands(chosen)):
                continue
            written = run.group()[chosen[0].start():chosen[-1].end()]
            if nik_rules.nik_problem(nik_rules.normalise_nik(written)) is None:
                yield _mask_digits(written, keep_first=4, keep_last=4)


def _thousands(groups: list[re.Match]) -> bool:
    """Digits grouped like money: a first group of 1-3 digits, then groups of 3."""
    return len(groups[0].group()) <= 3 and all(len(g.group()) == 3 for g in groups[1:])


def _mask_digits(written: str, *, keep_first: int, keep_last: int) -> str:
    positions = [index for index, char in enumerate(written) if char.isdigit()]
    hidden = set(positions[keep_first:len(positions) - keep_last])
    return "".join("*" if index in hidden else char for index, char in enumerate(written))


def _names(text: str, index: RegistryIndex) -> Iterator[str]:
    """Masked registry names: runs of words separated only by white space."""
    if not index.names:
        return
    words = list(_WORD_RE.finditer(text))
    joined_by_space = [text[a.end():b.start()].isspace() for a, b in zip(words, words[1:])]
    folded = [word.group().casefold() for word in words]
    for start in range(len(words)):
        for length in index.name_lengths:
            stop = start + length
            if stop > len(words) or not all(joined_by_space[start:stop - 1]):
                continue
            if " ".join(folded[start:stop]) in index.names:
                yield " ".join(word.group()[0] + "***" for word in words[start:stop])


def _birth_dates(text: str, birth_dates: frozenset[str]) -> Iterator[str]:
    for match in _DATE_RE.finditer(text):
        if _iso_from_match(match) in birth_dates:
            written = match.group()
            year_at = 0 if match.group(1) else written.rindex(match.group(7))
            yield "".join(char if (not char.isdigit() or year_at <= i < year_at + 2) else "*"
                          for i, char in enumerate(written))


def _iso_from_match(match: re.Match) -> str:
    if match.group(1):
        return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    return f"{match.group(7)}-{match.group(6)}-{match.group(4)}"


def _iso_date(value: str) -> str | None:
    """A registry birth date as ISO text, from ISO or dd/mm/yyyy (also - or .) forms."""
    match = _DATE_RE.search(value.strip())
    return _iso_from_match(match) if match else None


# =========================================================================== key


def _current_key() -> str | None:
    """The pseudonymisation key in use, without creating a key file when there is none."""
    try:
        from helpers.data import pseudonym
    except ImportError:  # the module is optional for the audit
        return os.environ.get("CAKUPAN_KEY", "").strip() or None
    if os.environ.get(pseudonym.KEY_ENV, "").strip() or pseudonym.key_file_path().exists():
        return pseudonym.get_key()
    return None


def _key_needles(key: str | bytes | None) -> list[tuple[str, str]]:
    """Strings to look for (lower case) and how a finding describes each."""
    if key is None or key == "" or key == b"":
        return []
    raw = key if isinstance(key, bytes) else key.encode("utf-8")
    if len(raw) < MIN_KEY_LENGTH:
        raise ParameterError(
            f"the pseudonymisation key is only {len(raw)} characters long: the audit cannot "
            "look for it without false alarms",
            fix="use a key of at least 32 random characters (unset CAKUPAN_KEY to use the "
                "per-user key file)")
    needles = [(raw.hex(), "[pseudonymisation key, hex form]")]
    try:
        needles.insert(0, (raw.decode("utf-8").casefold(), "[pseudonymisation key]"))
    except UnicodeDecodeError:
        pass
    return list(dict.fromkeys(needles))


# =========================================================================== registries


def _registry_columns(path: Path) -> dict[str, list[str]]:
    """Distinct values of the name and birth-date columns of one registry file."""
    from helpers.data.column_aliases import header_key, load_aliases

    aliases = load_aliases()
    lookup = {**aliases.lookup("jkn"), **aliases.lookup("jamsostek")}
    wanted = ("full_name", "birth_date")

    def score(cells: Sequence[str]) -> int:
        return sum(1 for cell in cells if header_key(cell) in lookup)

    file_format = readers.detect_format(path)
    columns: dict[str, list[str]] = {}
    if file_format == "parquet":
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
            found = {lookup.get(header_key(name)): name for name in names}
            for column in wanted:
                if column in found:
                    values = pq.read_table(path, columns=[found[column]]).column(0)
                    values = pc.unique(pc.cast(values, "string")).drop_null()
                    columns[column] = values.to_pylist()
        except (OSError, ValueError) as error:
            raise InputFileError(f"not a readable Parquet file ({type(error).__name__})",
                                 path=path, fix="write the registry again") from None
    else:
        source = (xlsx_reader.read_xlsx(path, score) if file_format == "xlsx"
                  else readers.read_text(path, score))
        for position, header in enumerate(source.headers):
            column = lookup.get(header_key(header)) if header else None
            if column in wanted:
                values = source.arrow.column(f"c{position}").drop_null().unique()
                columns[column] = values.to_pylist()
    if not columns:
        raise SchemaError("has no name or birth-date column to look for", path=path,
                          fix="give a registry with full_name (Nama) and/or birth_date "
                              "(Tgl Lahir), e.g. data/sample/jamsostek.parquet")
    return columns
