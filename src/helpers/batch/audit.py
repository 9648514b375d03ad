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

import os
from collections import Counter
from dataclasses import replace
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from helpers.batch.audit_detect import (
    MIN_KEY_LENGTH,
    WORD_RE,
    Finding,
    RegistryIndex,
    Scanner,
    iso_date,
    key_needles,
)
from helpers.batch.audit_formats import SCANNED_SUFFIXES, file_kind, scan_file
from helpers.data import readers, xlsx_reader
from helpers.errors import InputFileError, PrivacyError, SchemaError

# =========================================================================== public API


def audit_path(
    path: str | Path,
    *,
    registries: Sequence[str | Path] | RegistryIndex = (),
    key: str | bytes | None = None,
    skip=None,
) -> list[Finding]:
    """Scan a file or folder of outputs for NIKs, registry names and birth dates, the key.

    Args:
        path: a report file or a folder (scanned recursively; see ``SCANNED_SUFFIXES``).
        registries: registry files (Parquet, CSV or XLSX with ``full_name`` and/or
            ``birth_date``) whose names and birth dates to look for, or an index built
            once with :func:`load_registry_index`.
        key: the pseudonymisation key to look for; None = the current key
            (``CAKUPAN_KEY`` or the per-user key file if it exists).
        skip: ``skip(file)`` true for a file already audited as it is (a batch's
            reports, audited by its workers: :func:`audit_files`).

    Returns:
        The findings, file by file in path order; empty when the outputs are clean.

    Raises:
        InputFileError: ``path`` or a registry file does not exist or cannot be read.
        SchemaError: a registry file has neither a name nor a birth-date column.
        ParameterError: the key is too short to search for.
    """
    findings, _, _ = _audit(Path(path), registries, key, skip=skip)
    return findings


def audit_files(folder: str | Path, *, registries: Sequence[str | Path], shown_as: str | Path,
                skip=None) -> tuple[list[Finding], dict[str, str]]:
    """Audit a report's staging folder before it is published (in a batch worker).

    Args:
        folder: the staging folder.
        registries: registry files whose names and birth dates to look for (their index
            is read once per process).
        shown_as: the folder the files are published in; findings name the published path.
        skip: ``skip(file)`` true for a file not to read here (nor to list).

    Returns:
        The findings, and the SHA-256 of each file audited by its path relative to
        ``folder``: the batch's final audit skips a published file whose checksum is
        still that one.
    """
    from helpers.paths import file_sha256

    folder, shown_as = Path(folder), Path(shown_as)
    findings, _, _ = _audit(folder, registries, None, skip=skip)
    checksums = {}
    for file, explicit in _files(folder):
        if file_kind(file, explicit) is not None and not (skip and skip(file)):
            checksums[file.relative_to(folder).as_posix()] = file_sha256(file)
    shown = [replace(finding, path=str(shown_as / Path(finding.path).relative_to(folder)))
             for finding in findings]
    return shown, checksums


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
    paths = [Path(path) for path in paths]
    signature = _file_signature(paths)
    if signature is not None and signature in _INDEXES:
        return _INDEXES[signature]
    names: set[str] = set()
    birth_dates: set[str] = set()
    sources = []
    for path in paths:
        columns = _registry_columns(path)
        for value in columns.get("full_name", ()):
            words = WORD_RE.findall(value.casefold())
            if len(words) >= 2:
                names.add(" ".join(words))
        for value in columns.get("birth_date", ()):
            iso = iso_date(value)
            if iso:
                birth_dates.add(iso)
        sources.append(str(path))
    lengths = tuple(sorted({name.count(" ") + 1 for name in names}))
    index = RegistryIndex(frozenset(names), lengths, frozenset(birth_dates), tuple(sources))
    if signature is not None:
        _INDEXES.clear()  # the last one only: a national batch audits 38 provinces in turn
        _INDEXES[signature] = index
    return index


#: The last index read, by :func:`_file_signature` of its files: the national batch
#: audits every province against the same national registries (8 s to read each time).
_INDEXES: dict[tuple, RegistryIndex] = {}


def _file_signature(paths: list[Path]) -> tuple | None:
    """Each file's path, size and modification time; None when one cannot be read (the
    index is then read, and the error raised, as usual)."""
    from helpers.paths import file_version

    try:
        return tuple(file_version(path) for path in paths)
    except OSError:
        return None


# =========================================================================== the command


def run_audit(path: str | Path, registries: Sequence[str | Path] = ()) -> int:
    """``cakupan audit``: print the findings and a summary; raise when not clean.

    Args:
        path: a report file or folder.
        registries: registry files whose names and birth dates to look for.

    Returns:
        0 when the outputs are clean.

    Raises:
        PrivacyError: anything was found (the CLI's exit code 3).
        InputFileError, SchemaError, ParameterError: see :func:`audit_path`.
    """
    path = Path(path)
    index = load_registry_index(registries) if registries else RegistryIndex()
    key = _current_key()
    findings, scanned, skipped = _audit(path, index, key)
    for finding in findings:
        print(finding)
    files = f"{scanned} file{'s' if scanned != 1 else ''} scanned under {path}"
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
           key: str | bytes | None, *, skip=None) -> tuple[list[Finding], int, int]:
    """Findings, number of files scanned and number skipped (other types)."""
    if not path.exists():
        raise InputFileError("not found", path=path, fix="give a report file or folder")
    index = registries if isinstance(registries, RegistryIndex) \
        else load_registry_index(registries)
    scanner = Scanner(index, key_needles(_current_key() if key is None else key))
    findings: list[Finding] = []
    scanned = skipped = 0
    for file, explicit in _files(path):
        kind = file_kind(file, explicit)
        if kind is None:
            skipped += 1
            continue
        scanned += 1
        if skip is not None and skip(file):
            continue
        findings += _unique(scan_file(file, kind, scanner))
    return findings, scanned, skipped


def _files(path: Path) -> Iterator[tuple[Path, bool]]:
    if path.is_file():
        yield path, True
        return
    for folder, subfolders, names in os.walk(path):
        subfolders.sort()
        for name in sorted(names):
            yield Path(folder) / name, False


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


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


__all__ = ["MIN_KEY_LENGTH", "SCANNED_SUFFIXES", "Finding", "RegistryIndex", "audit_files",
           "audit_path",
           "load_registry_index", "run_audit"]
