"""Registry intake: read, map columns, validate inside DuckDB, ledger, pseudonymise NIK.

One path for every input. A Parquet registry stays on disk and is read by DuckDB; a CSV
or Excel file (see :mod:`helpers.data.readers`) or an in-memory frame is handed to DuckDB as an
Arrow table of strings. The same generated SQL then maps the columns, checks every row,
gives each rejected row the first reason that applies (``REASONS``), collapses exact
duplicates, replaces the NIK by a keyed pseudonym (:mod:`helpers.data.pseudonym`) and drops
names and birth dates. Person-level rows leave this module only as the Ibis table of
:class:`IntakeResult`, for the indicator layer.

Usage::

    result = intake.load_registry("data/sample/jkn.parquet", "jkn")
    result.summary.rows_accepted, result.ledger.head()
    members = result.table  # ibis Table on DuckDB

Rules, reasons and the alias table are described in ``docs/intake.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from helpers import paths
from helpers.data import pseudonym, readers, schema
from helpers.data.validation_sql import (
    REQUIRED_COLUMNS,
    build_validation_sql,
    collapse_duplicates,
    output_columns,
    quote_identifier,
    quote_literal,
)
from helpers.errors import (
    InputFileError,
    ParameterError,
    ReferenceDataError,
    SchemaError,
    ValidationError,
)
from helpers.locking import file_lock

#: Bump when a rule changes: cached intake results of older versions are recomputed.
INTAKE_VERSION = "2"

#: Ledger reason codes, in order of precedence: a rejected row gets the first that applies.
REASONS = (
    "missing_value",
    "invalid_nik",
    "invalid_value",
    "unparseable_date",
    "end_before_start",
    "unknown_region",
    "invalid_wage",
    "duplicate_row",
)

#: Excel keeps 15 significant digits, so a 16-digit NIK typed or pasted as a number gets 0
#: as its 16th digit. By chance about 1 NIK in 10 ends in 0 (fewer in practice: serial
#: numbers are mostly small). When at least ``EXCEL_TRUNCATION_MIN_ROWS`` accepted rows are
#: checked and more than ``EXCEL_TRUNCATION_ZERO_SHARE`` of them end in 0, the summary warns
#: with the count (``niks_possibly_truncated``); the rows are kept.
EXCEL_TRUNCATION_MIN_ROWS = 20
EXCEL_TRUNCATION_ZERO_SHARE = 0.3
NIK_AS_TEXT_FIX = ("store NIK as text; Excel keeps only 15 digits (format the NIK column as "
                   "Text, enter or import the NIKs again, and export again)")
#: Characters DuckDB's ``read_parquet`` reads as a file pattern; a path holding one is read
#: through a link with a plain name.
GLOB_CHARACTERS = "*?[]{}"

ALIASES_ENV = "CAKUPAN_ALIASES"


# =========================================================================== results


@dataclass
class IntakeSummary:
    """What the intake of one registry file found. Counts are rows (membership spells)."""

    path: str
    registry: str
    file_sha256: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    duplicates_collapsed: int
    prefix_mismatches: int
    niks_normalised: int
    source_format: str = ""
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    key_fingerprint: str = ""
    niks_possibly_truncated: int = 0

    @property
    def rows_with_faults(self) -> int:
        """Rejected rows other than collapsed duplicates."""
        return self.rows_rejected - self.duplicates_collapsed

    @property
    def rejected_share(self) -> float:
        """Share (0-1) of rows read rejected for a fault; collapsed duplicates excluded."""
        return self.rows_with_faults / self.rows_read if self.rows_read else 0.0

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return dataclasses.asdict(self)

    def render(self, lang: str = "en") -> str:
        """Short text block for a terminal or a notebook cell ('en' or 'id')."""
        words = _RENDER_WORDS[lang if lang in _RENDER_WORDS else "en"]
        sep = "." if lang == "id" else ","

        def number(value: int) -> str:
            return f"{value:,}".replace(",", sep)

        width = max(len(number(self.rows_read)), 1)
        lines = [
            f"{words['registry']} {self.registry}: {self.path}",
            f"  {words['read']:<24}{number(self.rows_read):>{width}}",
            f"  {words['accepted']:<24}{number(self.rows_accepted):>{width}}",
            f"  {words['rejected']:<24}{number(self.rows_rejected):>{width}}",
        ]
        for reason in REASONS:
            count = self.rejected_by_reason.get(reason, 0)
            if count:
                lines.append(f"    {reason:<22}{number(count):>{width}}")
        lines += [
            f"  {words['duplicates']:<24}{number(self.duplicates_collapsed):>{width}}",
            (f"  {words['prefix']:<24}{number(self.prefix_mismatches):>{width}}"
            f"  {words['prefix_note']}"),
            (f"  {words['normalised']:<24}{number(self.niks_normalised):>{width}}"
            f"  {words['normalised_note']}"),
        ]
        if self.niks_possibly_truncated:
            lines.append(f"  {words['truncated']:<24}{number(self.niks_possibly_truncated):>{width}}"
                         f"  {words['truncated_note']}")
        return "\n".join(lines)


_RENDER_WORDS = {
    "en": {
        "registry": "Registry", "read": "rows read", "accepted": "rows accepted",
        "rejected": "rows rejected", "duplicates": "duplicates collapsed",
        "prefix": "NIK prefix mismatches", "prefix_note": "(NIK region ≠ domicile; counted, kept)",
        "normalised": "NIKs normalised", "normalised_note": "(spaces, dots or dashes removed)",
        "truncated": "warning: NIKs ending 0",
        "truncated_note": ("(far more than 1 in 10: NIKs cut to 15 digits by Excel? store NIK "
                           "as text)"),
    },
    "id": {
        "registry": "Registri", "read": "baris dibaca", "accepted": "baris diterima",
        "rejected": "baris ditolak", "duplicates": "duplikat digabung",
        "prefix": "prefiks NIK berbeda", "prefix_note": "(wilayah NIK ≠ domisili; dihitung, tetap)",
        "normalised": "NIK dinormalkan", "normalised_note": "(spasi, titik atau tanda hubung dihapus)",
        "truncated": "peringatan: NIK ujung 0",
        "truncated_note": ("(jauh di atas 1 dari 10: NIK terpotong 15 digit oleh Excel? simpan "
                           "NIK sebagai teks)"),
    },
}


@dataclass
class IntakeResult:
    """Accepted, pseudonymised rows (``table``), the counts (``summary``) and the ledger."""

    table: object  # ibis.Table
    summary: IntakeSummary
    ledger: pd.DataFrame


LEDGER_COLUMNS = ("row_number", "reason", "column", "detail")


# =========================================================================== aliases


def header_key(text: str) -> str:
    """Normalise a column header for alias lookup: lower case, runs of non-alphanumerics
    become one space (``'Tgl. Lahir'``, ``'TGL_LAHIR'`` and ``'tgl lahir'`` are one key)."""
    return re.sub(r"[^0-9a-z]+", " ", text.casefold()).strip()


@dataclass(frozen=True)
class AliasTable:
    """Header key → canonical column, per registry."""

    by_registry: dict[str, dict[str, str]]
    sources: tuple[str, ...] = ()
    spellings: dict[str, str] = field(default_factory=dict)  # header key → alias as written

    def lookup(self, registry: str) -> dict[str, str]:
        return self.by_registry[registry]

    def headers_for(self, registry: str, column: str) -> list[str]:
        """Headers (as written in the alias files) that mean ``column``."""
        return [self.spellings.get(key, key) for key, target in self.lookup(registry).items()
                if target == column]

    def fingerprint(self) -> str:
        text = json.dumps(self.by_registry, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_aliases(extra: str | Path | Mapping[str, str] | None = None) -> AliasTable:
    """Build the alias table: canonical names, the shipped ``aliases.csv``, then the file
    named by ``$CAKUPAN_ALIASES``, then ``extra`` (a CSV path or a {header: column} dict).
    Later sources win when they map the same header.

    Raises:
        SchemaError: an alias file lacks the ``alias`` or ``column`` header, or names a
            column that does not exist.
    """
    tables: dict[str, dict[str, str]] = {registry: {} for registry in schema.REGISTRIES}
    spellings: dict[str, str] = {}
    for registry in schema.REGISTRIES:
        for column in schema.column_names(registry):
            tables[registry][header_key(column)] = column
    sources = ["helpers/data/aliases.csv"]
    shipped = resources.files("helpers.data").joinpath("aliases.csv").read_text(encoding="utf-8")
    _add_alias_rows(tables, _read_alias_csv(shipped, "helpers/data/aliases.csv"), spellings)
    env = os.environ.get(ALIASES_ENV)
    if env:
        path = Path(env)
        if not path.is_file():
            raise InputFileError(f"alias file named by {ALIASES_ENV} not found", path=path,
                                 fix=f"fix or unset {ALIASES_ENV}")
        _add_alias_rows(tables, _read_alias_csv(_read_text_file(path), str(path)), spellings)
        sources.append(str(path))
    if isinstance(extra, Mapping):
        _add_alias_rows(tables, [(alias, column, "", "argument", index + 1)
                                 for index, (alias, column) in enumerate(extra.items())],
                        spellings)
        sources.append("argument")
    elif extra is not None:
        path = Path(extra)
        if not path.is_file():
            raise InputFileError("alias file not found", path=path,
                                 fix="give a CSV with columns alias,column[,registry]")
        _add_alias_rows(tables, _read_alias_csv(_read_text_file(path), str(path)), spellings)
        sources.append(str(path))
    return AliasTable(tables, tuple(sources), spellings)


def _read_text_file(path: Path) -> str:
    text, _ = readers.decode_text(path.read_bytes(), path)
    return text


def _read_alias_csv(text: str, where: str) -> list[tuple[str, str, str, str, int]]:
    reader = csv.DictReader(text.splitlines())
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    if "alias" not in fields or "column" not in fields:
        raise SchemaError("alias file needs the header 'alias,column' (and optionally "
                          "'registry')", path=where, row=1,
                          fix="write one line per alias, e.g. 'No. Peserta KTP,nik'")
    rows = []
    for row_number, row in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not row.get("alias"):
            continue
        rows.append((row["alias"], row.get("column", ""), row.get("registry", ""), where,
                     row_number))
    return rows


def _add_alias_rows(tables: dict[str, dict[str, str]],
                    rows: Iterable[tuple[str, str, str, str, int]],
                    spellings: dict[str, str]) -> None:
    for alias, column, registry, where, row_number in rows:
        registries = [registry] if registry else list(schema.REGISTRIES)
        for name in registries:
            if name not in tables:
                raise SchemaError(f"unknown registry '{name}'", path=where, row=row_number,
                                  column="registry", fix="use jamsostek, jkn or leave it empty")
            if column not in schema.column_names(name):
                if registry:
                    raise SchemaError(
                        f"'{column}' is not a column of the {name} registry", path=where,
                        row=row_number, column="column",
                        fix="use one of " + ", ".join(schema.column_names(name)))
                if not any(column in schema.column_names(r) for r in schema.REGISTRIES):
                    raise SchemaError(
                        f"'{column}' is not a registry column", path=where, row=row_number,
                        column="column", fix="use a canonical name from docs/intake.md")
                continue
            tables[name][header_key(alias)] = column
            spellings[header_key(alias)] = alias


def map_headers(headers: list[str], registry: str, aliases: AliasTable,
                path: str | Path) -> tuple[dict[str, int], list[str]]:
    """Map source headers to canonical columns.

    Returns:
        ({canonical column: source column index}, [headers that were ignored]).

    Raises:
        SchemaError: two source columns mean the same canonical column, or a required
            column is missing.
    """
    lookup = aliases.lookup(registry)
    mapping: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = lookup.get(header_key(header)) if header else None
        if column is None:
            if header:
                ignored.append(header)
            continue
        if column in mapping:
            first = headers[mapping[column]]
            where = f"columns {mapping[column] + 1} and {index + 1}"
            problem = (f"column '{header}' appears twice ({where})" if first == header else
                       f"columns '{first}' and '{header}' both mean '{column}' ({where})")
            raise SchemaError(
                problem, path=path, column=header,
                fix="delete or rename one of them so each registry column appears once")
        mapping[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in mapping:
            names = sorted({alias for alias in aliases.headers_for(registry, column)})
            raise SchemaError(
                f"required column '{column}' is missing (no header like "
                + ", ".join(f"'{name}'" for name in names[:6]) + ")",
                path=path,
                fix="add the column, rename its header, or map it with --aliases FILE "
                    "(CSV alias,column)")
    return mapping, ignored


# =========================================================================== public API


def load_registry(
    path: str | Path,
    registry: str,
    *,
    con=None,
    known_region_codes: Iterable[str] | None = None,
    aliases: str | Path | Mapping[str, str] | None = None,
    key: str | None = None,
    max_rejected_share: float | None = None,
    cache: bool = True,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> IntakeResult:
    """Read, validate and pseudonymise one registry file.

    Args:
        path: a Parquet, CSV or Excel .xlsx file (format recognised from its content).
        registry: 'jamsostek' or 'jkn'.
        con: an Ibis DuckDB backend; default a new in-process ``ibis.duckdb.connect()``.
        known_region_codes: kab/kota codes a domicile may have; None = every kab/kota code
            of ``helpers.data.reference.regions()``.
        aliases: extra header aliases: a CSV path (alias,column[,registry]) or a dict.
        key: pseudonymisation key; None = :func:`helpers.data.pseudonym.get_key`.
        max_rejected_share: 0-1; raise when a larger share of rows is rejected for a
            fault (collapsed duplicates are not faults). None = no limit.
        cache: reuse or write ``data/cache/<registry>-<sha>-<key fingerprint>.parquet``.
        delimiter, encoding: for text files; None = detect.
        sheet: Excel sheet name; None = the sheet whose header names the most registry
            columns (two sheets that tie are refused).

    Returns:
        IntakeResult with the accepted rows as an Ibis table, the summary and the ledger.

    Raises:
        InputFileError: missing, empty, unreadable or not a table (pipe, device, damaged
            workbook or Parquet, zip bomb, NUL bytes, mixed encodings, a stray quote); no
            data rows; NIKs written as numbers (``5.2E+15``, ``….0``).
        SchemaError: a required column is missing or a column appears twice; the NIK
            column is stored as numbers.
        ValidationError: every row rejected, or the rejected share above the limit (the
            error's ``result`` attribute holds the IntakeResult, ledger included).
    """
    registry = _check_registry(registry)
    _check_share(max_rejected_share)
    path = Path(path)
    key = key if key is not None else pseudonym.get_key()
    con = _connect(con)
    alias_table = load_aliases(aliases)
    file_format = readers.detect_format(path)
    codes = _known_codes(known_region_codes)
    file_sha256 = paths.file_sha256(path)
    settings = {  # a cached result is reused only when all of these are the same
        "intake_version": INTAKE_VERSION,
        "intake_code": _code_fingerprint(),
        "registry": registry,
        "aliases": alias_table.fingerprint(),
        "regions": hashlib.sha256(",".join(sorted(codes)).encode()).hexdigest()[:16],
        "delimiter": delimiter,
        "encoding": encoding,
        "sheet": sheet,
    }
    if not cache:
        source = _read_source(path, file_format, registry, alias_table, delimiter, encoding, sheet)
        result = _run_intake(con, source, registry, alias_table, codes, key, file_sha256)
        return _checked(result, max_rejected_share)
    folder = paths.private_folder(paths.cache_dir())
    stem = f"{registry}-{file_sha256[:16]}-{pseudonym.key_fingerprint(key)}"
    table_path = folder / f"{stem}.parquet"
    meta_path = folder / f"{stem}.json"
    lock_path = folder / f"{stem}.lock"
    with file_lock(lock_path):
        cached = _read_cache(con, table_path, meta_path, settings, str(path))
        if cached is None:
            source = _read_source(path, file_format, registry, alias_table, delimiter, encoding,
                                  sheet)
            cached = _run_intake(con, source, registry, alias_table, codes, key, file_sha256,
                                 write_to=table_path)
            _write_cache_meta(meta_path, settings, cached, table_path, path)
            _prune_cache(folder, stem, registry, path)
    return _checked(cached, max_rejected_share)


def load_frame(
    frame: pd.DataFrame,
    registry: str,
    *,
    con=None,
    known_region_codes: Iterable[str] | None = None,
    aliases: str | Path | Mapping[str, str] | None = None,
    key: str | None = None,
    max_rejected_share: float | None = None,
    name: str = "<frame>",
) -> IntakeResult:
    """Validate and pseudonymise an in-memory registry frame, exactly as :func:`load_registry`.

    Columns are canonical names (or aliases); values may be strings or typed (dates,
    integers). Row numbers in the ledger are 1-based positions in the frame. Not cached.
    """
    registry = _check_registry(registry)
    _check_share(max_rejected_share)
    key = key if key is not None else pseudonym.get_key()
    con = _connect(con)
    alias_table = load_aliases(aliases)
    codes = _known_codes(known_region_codes)
    headers = [str(column) for column in frame.columns]
    arrays = {f"c{index}": _column_to_arrow(frame.iloc[:, index])
              for index in range(len(headers))}
    arrays[readers.ROW_NUMBER] = pa.array(range(1, len(frame) + 1), type=pa.int64())
    table = pa.table(arrays)
    source = readers.SourceTable(path=Path(name), source_format="frame", headers=headers,
                                 arrow=table)
    result = _run_intake(con, source, registry, alias_table, codes, key, None)
    return _checked(result, max_rejected_share)


def _column_to_arrow(series: pd.Series) -> pa.Array:
    """One frame column as Arrow; a column of mixed Python types becomes text."""
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        def as_text(value):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return None
            if hasattr(value, "isoformat"):
                return value.isoformat()
            return str(value)

        return pa.array([as_text(value) for value in series], type=pa.string())


def check_usable(summary: IntakeSummary, ledger: pd.DataFrame,
                 max_rejected_share: float | None = None) -> None:
    """Raise ValidationError when the registry cannot be used.

    Raises:
        ValidationError: no row accepted, or ``summary.rejected_share`` above the limit.
    """
    if summary.rows_accepted == 0:
        raise ValidationError(
            f"every row was rejected ({summary.rows_read:,} rows; most common: "
            f"{_most_common_problem(ledger)})",
            path=summary.path,
            fix="see the ledger for each row's reason; check --registry and the column names")
    if max_rejected_share is not None and summary.rejected_share > max_rejected_share:
        raise ValidationError(
            f"{summary.rejected_share:.1%} of rows rejected ({summary.rows_with_faults:,} of "
            f"{summary.rows_read:,}; most common: {_most_common_problem(ledger)}), above the "
            f"limit of {max_rejected_share:.1%}",
            path=summary.path,
            fix="fix the rows listed in the ledger, or raise --max-rejected if they may be left out")


# =========================================================================== internals


def _check_registry(registry: str) -> str:
    if registry not in schema.REGISTRIES:
        raise ParameterError(f"unknown registry '{registry}'",
                             fix="use one of: " + ", ".join(schema.REGISTRIES))
    return registry


def _connect(con):
    if con is None:
        import ibis

        con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
        return con
    if getattr(con, "name", None) != "duckdb":
        raise ParameterError("the intake runs on the DuckDB backend only",
                             fix="pass con=ibis.duckdb.connect() or leave con out")
    return con


def _known_codes(known_region_codes: Iterable[str] | None) -> set[str]:
    if known_region_codes is not None:
        return {str(code) for code in known_region_codes}
    try:
        from helpers.data import reference
    except ModuleNotFoundError as error:  # pragma: no cover - until reference.py exists
        raise ReferenceDataError(
            "the region reference (helpers.data.reference) is not available",
            fix="pass known_region_codes explicitly") from error
    regions = reference.regions()
    codes = {str(code) for code in regions["region_code"]
             if re.fullmatch(r"[0-9]{2}\.[0-9]{2}", str(code))}
    if not codes:
        raise ReferenceDataError("no kab/kota codes in the region reference",
                                 path="data/reference/regions.csv",
                                 fix="add kab/kota rows with codes like 52.02")
    return codes


def _code_fingerprint() -> str:
    """Hash of the modules that define the rules: a changed rule invalidates cached results."""
    digest = hashlib.sha256()
    package = resources.files("helpers.data")
    for name in ("intake.py", "validation_sql.py", "readers.py", "csv_records.py", "nik.py",
                 "pseudonym.py", "schema.py"):
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _read_source(path: Path, file_format: str, registry: str, alias_table: AliasTable,
                 delimiter: str | None, encoding: str | None,
                 sheet: str | None) -> readers.SourceTable:
    lookup = alias_table.lookup(registry)

    def score(cells) -> int:
        return len({lookup[key] for key in map(header_key, cells) if key in lookup})

    if file_format == "parquet":
        return readers.SourceTable(path=path, source_format="parquet", headers=[],
                                   parquet_path=path)
    if file_format == "xlsx":
        return readers.read_xlsx(path, score, sheet=sheet)
    return readers.read_text(path, score, encoding=encoding, delimiter=delimiter)


def _check_share(max_rejected_share: float | None) -> None:
    if max_rejected_share is not None and not 0 <= max_rejected_share <= 1:
        raise ParameterError(f"max_rejected_share must lie in 0-1, got {max_rejected_share}",
                             fix="give a share such as 0.05 for 5%")


def _checked(result: IntakeResult, max_rejected_share: float | None) -> IntakeResult:
    try:
        check_usable(result.summary, result.ledger, max_rejected_share)
    except ValidationError as error:
        error.result = result
        raise
    return result


def _most_common_problem(ledger: pd.DataFrame) -> str:
    faults = ledger[ledger["reason"] != "duplicate_row"]
    if faults.empty:
        return "none"
    counts = faults.groupby(["reason", "column"], dropna=False).size().sort_values(
        ascending=False, kind="stable")
    (reason, column), count = counts.index[0], int(counts.iloc[0])
    return f"{reason} in column '{column}', {count:,} row{'s' if count != 1 else ''}"








# --------------------------------------------------------------------------- engine work


def _run_intake(con, source: readers.SourceTable, registry: str, alias_table: AliasTable,
                codes: set[str], key: str, file_sha256: str | None,
                write_to: Path | None = None) -> IntakeResult:
    raw = con.con  # the duckdb connection under the Ibis backend
    tag = uuid.uuid4().hex[:12]
    source_name = f"_cakupan_source_{tag}"
    validated = f"_cakupan_validated_{tag}"
    with contextlib.ExitStack() as stack:
        if source.parquet_path is not None:
            scan_path = stack.enter_context(_plain_parquet_path(source.parquet_path))
            from_sql = f"read_parquet({quote_literal(str(scan_path))}, file_row_number = true)"
            duckdb_names, types, rows_read = _describe_parquet(raw, source, scan_path, from_sql)
            column_sql = {index: quote_identifier(name) for index, name in enumerate(duckdb_names)}
            row_number_sql = "file_row_number + 1"
        else:
            raw.register(source_name, source.arrow)
            stack.callback(raw.unregister, source_name)
            from_sql = source_name
            column_sql = {index: quote_identifier(f"c{index}") for index in range(len(source.headers))}
            arrow_types = {index: source.arrow.schema.field(f"c{index}").type
                           for index in range(len(source.headers))}
            types = {index: _duckdb_type(arrow_type) for index, arrow_type in arrow_types.items()}
            row_number_sql = quote_identifier(readers.ROW_NUMBER)
            rows_read = source.arrow.num_rows
        mapping, ignored = map_headers(source.headers, registry, alias_table, source.path)
        _check_nik_storage(source, mapping["nik"], types[mapping["nik"]])
        if rows_read == 0:
            raise InputFileError("has a header but no data rows", path=source.path,
                                 fix="export the registry again with its rows")
        query = build_validation_sql(
            from_sql=from_sql,
            row_number_sql=row_number_sql,
            columns={column: (column_sql[index], types[index])
                     for column, index in mapping.items()},
            registry=registry,
            known_region_codes=codes,
            key=key,
        )
        try:
            raw.execute(f"CREATE TEMP TABLE {validated} AS {query}")
        except duckdb.Error as error:
            if source.parquet_path is None:
                raise  # text and frames arrive as Arrow strings: an error here is a bug
            raise _parquet_error(raw, error, source, from_sql, mapping, column_sql) from None
    try:
        _refuse_nik_written_as_number(raw, validated, source, mapping)
        collapse_duplicates(raw, validated)
    except BaseException:
        raw.execute(f"DROP TABLE IF EXISTS {validated}")
        raise

    counts = dict(raw.execute(
        f"SELECT coalesce(reason, ''), count(*) FROM {validated} GROUP BY ALL").fetchall())
    rows_accepted = counts.pop("", 0)
    rejected_by_reason = {reason: counts[reason] for reason in REASONS if reason in counts}
    rows_rejected = sum(rejected_by_reason.values())
    if rows_read != rows_accepted + rows_rejected:
        raise AssertionError(
            f"intake lost rows: {rows_read} read but {rows_accepted} accepted + "
            f"{rows_rejected} rejected")
    prefix_mismatches, niks_normalised, niks_checked, niks_ending_zero = raw.execute(
        f"SELECT count(*) FILTER (reason IS NULL AND nik_region_code <> region_code), "
        f"count(*) FILTER (nik_was_normalised), "
        f"count(nik_ends_in_zero) FILTER (reason IS NULL), "
        f"count(*) FILTER (reason IS NULL AND nik_ends_in_zero) FROM {validated}").fetchone()
    ledger = raw.execute(
        f'SELECT row_number, reason, "column", detail FROM {validated} '
        f"WHERE reason IS NOT NULL ORDER BY row_number").df()
    ledger = _tidy_ledger(ledger)
    output = ", ".join(quote_identifier(name) for name in output_columns(registry))
    accepted_sql = f"SELECT {output} FROM {validated} WHERE reason IS NULL"
    if write_to is not None:
        paths.private_folder(write_to.parent)
        partial = write_to.with_suffix(".parquet.partial")
        raw.execute(f"COPY ({accepted_sql}) TO {quote_literal(str(partial))} "
                    "(FORMAT parquet, COMPRESSION zstd)")
        raw.execute(f"DROP TABLE {validated}")
        paths.private_file(partial)
        os.replace(partial, write_to)
        table = con.read_parquet(write_to)
    else:
        table = con.sql(accepted_sql)
    summary = IntakeSummary(
        path=str(source.path),
        registry=registry,
        file_sha256=file_sha256,
        rows_read=int(rows_read),
        rows_accepted=int(rows_accepted),
        rows_rejected=int(rows_rejected),
        rejected_by_reason={reason: int(count) for reason, count in rejected_by_reason.items()},
        duplicates_collapsed=int(rejected_by_reason.get("duplicate_row", 0)),
        prefix_mismatches=int(prefix_mismatches),
        niks_normalised=int(niks_normalised),
        source_format=source.source_format,
        header_row=source.header_row,
        encoding=source.encoding,
        delimiter=source.delimiter,
        sheet=source.sheet,
        column_map={column: source.headers[index] for column, index in mapping.items()},
        ignored_columns=ignored,
        key_fingerprint=pseudonym.key_fingerprint(key),
        niks_possibly_truncated=_truncation_warning(int(niks_checked), int(niks_ending_zero)),
    )
    return IntakeResult(table=table, summary=summary, ledger=ledger)


def _truncation_warning(niks_checked: int, niks_ending_zero: int) -> int:
    """The count of accepted NIKs ending in 0 when they show Excel's 15-digit cut, else 0."""
    if niks_checked < EXCEL_TRUNCATION_MIN_ROWS:
        return 0
    return niks_ending_zero if niks_ending_zero > EXCEL_TRUNCATION_ZERO_SHARE * niks_checked else 0


@contextlib.contextmanager
def _plain_parquet_path(path: Path) -> Iterator[Path]:
    """``path``, or a link to it with a plain name when it holds glob characters.

    DuckDB's ``read_parquet`` reads ``*``, ``?``, ``[`` and ``{`` as a file pattern, so
    ``jkn[1]*.parquet`` could match other files or none. Such a file is read through a
    symbolic link in a private temporary folder, removed afterwards.
    """
    if not any(character in str(path) for character in GLOB_CHARACTERS):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="cakupan-intake-") as folder:
        link = Path(folder) / "registry.parquet"
        try:
            link.symlink_to(Path(path).resolve())
        except OSError as error:
            raise InputFileError(
                f"the file name holds one of {' '.join(GLOB_CHARACTERS)}, which DuckDB reads "
                f"as a pattern, and no link to it could be made ({error.strerror})",
                path=path, fix="rename the file without those characters") from None
        yield link


def _describe_parquet(raw, source: readers.SourceTable, scan_path: Path,
                      from_sql: str) -> tuple[list[str], dict[int, str], int]:
    """Set ``source.headers`` to the file's column names; return DuckDB's names for the
    columns, their DuckDB types by column index, and the row count.

    The names come from the Parquet schema itself: DuckDB renames a repeated column
    (``nik``, ``nik_1``), which would hide the repetition from :func:`map_headers`.

    Raises:
        InputFileError: the file cannot be read as Parquet.
    """
    import pyarrow.parquet as pq

    fix = "write the file again (e.g. df.to_parquet) or export the registry as CSV"
    try:
        names = pq.read_schema(scan_path).names
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputFileError(f"cannot be read as Parquet ({type(error).__name__}: the file may "
                             "be cut short or damaged)", path=source.path, fix=fix) from None
    if "file_row_number" in names:
        raise InputFileError(
            "has a column named file_row_number, a name DuckDB's Parquet reader keeps for "
            "the row numbers the ledger needs", path=source.path, column="file_row_number",
            fix="rename or drop that column and write the file again")
    try:
        described = [row for row in raw.execute(f"DESCRIBE SELECT * FROM {from_sql}").fetchall()
                     if row[0] != "file_row_number"]
        rows_read = raw.execute(
            f"SELECT count(*) FROM read_parquet({quote_literal(str(scan_path))})").fetchone()[0]
    except duckdb.Error as error:
        raise InputFileError(f"cannot be read as Parquet ({_duckdb_problem(error)})",
                             path=source.path, fix=fix) from None
    if len(described) != len(names):
        raise InputFileError(
            f"cannot be read as Parquet (DuckDB sees {len(described)} columns, the Parquet "
            f"schema {len(names)})", path=source.path, fix=fix)
    source.headers = [readers.one_line(name) for name in names]
    return ([row[0] for row in described], {index: row[1] for index, row in enumerate(described)},
            rows_read)


def _duckdb_problem(error: Exception) -> str:
    """First line of a DuckDB error, every quoted part replaced by ``…``: DuckDB quotes the
    offending value (which may be a name or a NIK) and the file path (already named)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', "…", text)


def _parquet_error(raw, error: Exception, source: readers.SourceTable, from_sql: str,
                   mapping: dict[str, int], column_sql: dict[int, str]) -> InputFileError:
    """One-line error for a Parquet file DuckDB could describe but not read through.

    Invalid UTF-8 in a text column is the usual case; each mapped column is read alone to
    name the one that fails. DuckDB quotes the offending value, which is never shown.
    """
    fix = "write the file again (e.g. df.to_parquet) or export the registry as CSV"
    text = str(error)
    if "UTF8" in text or "UTF-8" in text or "encoding" in text.lower():
        for index in mapping.values():
            try:
                raw.execute(f"SELECT max(length(CAST({column_sql[index]} AS VARCHAR))) "
                            f"FROM {from_sql}").fetchone()
            except duckdb.Error:
                return InputFileError(
                    "holds text that is not valid UTF-8 (bytes of another encoding, or "
                    "damage)", path=source.path, column=source.headers[index],
                    fix="write the column again as UTF-8 text (decode it from its encoding, "
                        "e.g. cp1252, first)")
        return InputFileError("holds text that is not valid UTF-8", path=source.path, fix=fix)
    return InputFileError(f"cannot be read as Parquet ({_duckdb_problem(error)})",
                          path=source.path, fix=fix)


#: DuckDB types of numbers (the start of the type name).
_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL")


def _check_nik_storage(source: readers.SourceTable, index: int, duckdb_type: str) -> None:
    """Refuse a NIK column stored as numbers: in Parquet (any integer, float or decimal
    type), in a frame, or in Excel cells formatted as numbers.

    A number has no leading zeros, a float keeps about 16 significant digits and Excel
    15, so NIKs stored as numbers may already be wrong, and two people merged into one.

    Raises:
        SchemaError: with the column, the first Excel row, and the fix.
    """
    header = source.headers[index] or None
    if duckdb_type.upper().startswith(_NUMBER_TYPES):
        raise SchemaError(
            f"the NIK column is stored as numbers ({duckdb_type}), not text: a number loses "
            "leading zeros and digits beyond 15-16, so NIKs may be changed or merged",
            path=source.path, column=header, fix=NIK_AS_TEXT_FIX)
    if index in source.numeric_cells:
        raise SchemaError(
            "NIK stored in a cell formatted as a number: Excel keeps only 15 significant "
            "digits, so the 16th may already be lost", path=source.path,
            row=source.numeric_cells[index], column=header, fix=NIK_AS_TEXT_FIX)


def _refuse_nik_written_as_number(raw, validated: str, source: readers.SourceTable,
                                  mapping: dict[str, int]) -> None:
    """Refuse a file whose NIKs are written as numbers (``5.20201E+15``, ``…0001.0``).

    Raises:
        InputFileError: naming the first such row, how many there are, and the fix.
    """
    kind, row, total = raw.execute(
        f"SELECT arg_min(nik_written_as_number, row_number), min(row_number), count(*) "
        f"FROM {validated} WHERE nik_written_as_number IS NOT NULL").fetchone()
    if not total:
        return
    shape = ("in scientific notation (like 5.2E+15): all but the first digits are lost"
             if kind == "scientific" else
             "as a decimal number (ending in .0): it went through a number format that "
             "keeps 15-16 significant digits")
    raise InputFileError(
        f"NIK written {shape} ({total:,} row{'s' if total != 1 else ''})",
        path=source.path, row=int(row), column=source.headers[mapping["nik"]] or None,
        fix=NIK_AS_TEXT_FIX)


def _tidy_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    ledger = ledger.astype({"row_number": "int64"})
    for column in ("reason", "column", "detail"):
        ledger[column] = ledger[column].astype("string")
    return ledger.reset_index(drop=True)[list(LEDGER_COLUMNS)]


def _duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "VARCHAR"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "DOUBLE"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    return "OTHER"


# --------------------------------------------------------------------------- cache

#: Cache entries are ``<registry>-<file sha256[:16]>-<key fingerprint>`` + .parquet/.json.
_CACHE_STEM_RE = re.compile(r"(jamsostek|jkn)-[0-9a-f]{16}-[0-9a-f]+")


def _read_cache(con, table_path: Path, meta_path: Path, settings: dict,
                path: str) -> IntakeResult | None:
    """The cached result, or None when there is none or it was made with other settings.

    A damaged entry (summary file missing or not JSON, table missing, checksum mismatch,
    table unreadable) is removed with a one-line notice on stderr; the caller rebuilds it.
    """
    if not (table_path.exists() or meta_path.exists()):
        return None
    meta, problem = None, None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem = "its summary file is missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        problem = "its summary file is not readable JSON"
    if meta is not None:
        if not isinstance(meta, dict) or not isinstance(meta.get("settings"), dict):
            problem = "its summary file lacks the settings"
        elif meta["settings"] != settings:
            return None  # made by other settings or code: rebuilt and overwritten
        elif not table_path.exists():
            problem = "its table file is missing"
        elif paths.file_sha256(table_path) != meta.get("table_sha256"):
            problem = "its table file does not match its SHA-256 checksum"
    if problem is None:
        try:
            summary = IntakeSummary(**meta["summary"])
            ledger = pd.DataFrame(meta["ledger"], columns=list(LEDGER_COLUMNS))
            ledger = _tidy_ledger(ledger) if len(ledger) else _empty_ledger()
            table = con.read_parquet(table_path)
        except (KeyError, TypeError, ValueError, duckdb.Error) as error:
            problem = f"it cannot be read ({type(error).__name__})"
        else:
            summary.path = path
            return IntakeResult(table=table, summary=summary, ledger=ledger)
    print(f"cakupan: discarded a damaged intake cache entry {table_path.with_suffix('')} "
          f"({problem}); rebuilding", file=sys.stderr)
    _remove_cache_entry(table_path.parent, table_path.stem)
    return None


def _remove_cache_entry(folder: Path, stem: str) -> None:
    for suffix in (".parquet", ".json", ".parquet.partial", ".json.partial"):
        (folder / f"{stem}{suffix}").unlink(missing_ok=True)


def _empty_ledger() -> pd.DataFrame:
    return _tidy_ledger(pd.DataFrame({name: pd.Series([], dtype="object")
                                      for name in LEDGER_COLUMNS}).astype({"row_number": "int64"}))


def _write_cache_meta(meta_path: Path, settings: dict, result: IntakeResult,
                      table_path: Path, source: Path) -> None:
    """Write the summary, the ledger, the table's SHA-256 and the source file (``0600``)."""
    ledger = result.ledger.astype(object).where(result.ledger.notna(), None)
    meta = {
        "settings": settings,
        "source": str(Path(source).resolve()),
        "table_sha256": paths.file_sha256(table_path),
        "summary": result.summary.as_dict(),
        "ledger": ledger.to_dict(orient="list"),
    }
    partial = meta_path.with_suffix(".json.partial")
    with paths.open_private(partial, "w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False)
    os.replace(partial, meta_path)


def _prune_cache(folder: Path, keep: str, registry: str, source: Path) -> None:
    """Remove cache entries the new entry ``keep`` replaces.

    An entry goes when it was made by another intake version or other intake code, or
    when it holds an older version of the same registry file (same registry, same source
    path, other content or key). An entry another process holds the lock of is left.
    """
    current = (INTAKE_VERSION, _code_fingerprint())
    source_name = str(Path(source).resolve())
    for meta_path in folder.glob("*.json"):
        stem = meta_path.stem
        if stem == keep or not _CACHE_STEM_RE.fullmatch(stem):
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            settings = meta["settings"]
            made_by = (settings["intake_version"], settings["intake_code"])
            same_file = settings["registry"] == registry and meta.get("source") == source_name
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            continue  # damaged: found and rebuilt when that entry is next read
        if made_by == current and not same_file:
            continue
        try:
            with file_lock(folder / f"{stem}.lock", wait=False):
                _remove_cache_entry(folder, stem)
        except BlockingIOError:
            continue
        (folder / f"{stem}.lock").unlink(missing_ok=True)


# =========================================================================== CLI


def register_cli(subparsers) -> None:
    """Add ``cakupan validate``."""
    parser = subparsers.add_parser(
        "validate",
        help="check a registry file; print counts and write the ledger of rejected rows",
        description="Read a jamsostek or JKN registry (Parquet, CSV or .xlsx), validate every "
                    "row, print rows read / accepted / rejected by reason, and write the "
                    "ledger (row number and reason; no NIK, no name) as CSV. Exits 0 when the "
                    "registry is usable.",
    )
    parser.add_argument("path", type=Path, help="registry file (.parquet, .csv, .xlsx)")
    parser.add_argument("--registry", required=True, choices=schema.REGISTRIES)
    parser.add_argument("--ledger", type=Path, default=None,
                        help="where to write the ledger CSV (default: ./<file stem>.ledger.csv)")
    parser.add_argument("--max-rejected", type=float, default=0.05, metavar="SHARE",
                        help="fail when more than this share (0-1) of rows is rejected for a "
                             "fault; duplicates do not count (default 0.05)")
    parser.add_argument("--aliases", type=Path, default=None,
                        help="CSV of extra header aliases: alias,column[,registry]")
    parser.add_argument("--delimiter", default=None, help="CSV delimiter (default: detect)")
    parser.add_argument("--encoding", default=None,
                        help="text encoding, e.g. utf-8 or cp1252 (default: detect)")
    parser.add_argument("--sheet", default=None,
                        help="Excel sheet (default: the one whose header names the most "
                             "registry columns)")
    parser.add_argument("--lang", choices=("en", "id"), default="en", help="language of the summary")
    parser.add_argument("--cache", action="store_true",
                        help="also store the pseudonymised result in data/cache for reports")
    parser.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Run ``cakupan validate``; return the exit code (0 = usable)."""
    if not 0 <= args.max_rejected <= 1:
        raise ParameterError(f"--max-rejected must lie in 0-1, got {args.max_rejected}",
                             fix="give a share, e.g. --max-rejected 0.05 for 5%")
    ledger_path = args.ledger or Path.cwd() / f"{args.path.stem}.ledger.csv"
    _check_ledger_path(ledger_path, [args.path, args.aliases])
    try:
        result = load_registry(
            args.path, args.registry, aliases=args.aliases, cache=args.cache,
            max_rejected_share=args.max_rejected, delimiter=args.delimiter,
            encoding=args.encoding, sheet=args.sheet, known_region_codes=None)
    except ValidationError as error:
        result = getattr(error, "result", None)
        if result is not None:
            _report(result, ledger_path, args.lang)
        raise
    _report(result, ledger_path, args.lang)
    return 0


def _check_ledger_path(ledger_path: Path, inputs: list[Path | None]) -> None:
    """Refuse a ledger destination that is an input file or not a regular file.

    Raises:
        ParameterError: ``--ledger`` names the registry or alias file (writing it would
            destroy the input), a folder, or a pipe or device.
    """
    for given in inputs:
        if given is not None and _same_file(ledger_path, Path(given)):
            raise ParameterError(
                f"--ledger {ledger_path} is an input file; writing the ledger would overwrite it",
                fix="give another path, e.g. --ledger rejected.ledger.csv")
    try:
        mode = os.stat(ledger_path).st_mode
    except (OSError, ValueError):
        return  # does not exist yet (or cannot be used: writing it will say why)
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ParameterError(f"--ledger {ledger_path} is {kind}",
                             fix="give the path of a CSV file to write, e.g. --ledger out.csv")


def _same_file(first: Path, second: Path) -> bool:
    """True when both paths name one file (hard and symbolic links included)."""
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # one does not exist (yet), or cannot be looked up
        return os.path.realpath(first) == os.path.realpath(second)


def _report(result: IntakeResult, ledger_path: Path, lang: str) -> None:
    """Write the ledger (``0600``; a missing folder is created ``0700``); print the summary."""
    try:
        if not ledger_path.parent.exists():
            paths.private_folder(ledger_path.parent)
        with paths.open_private(ledger_path, "w", encoding="utf-8", newline="") as handle:
            result.ledger.to_csv(handle, index=False)
    except OSError as error:
        raise InputFileError(f"cannot write the ledger ({error.strerror or type(error).__name__})",
                             path=ledger_path, fix="give a writable path with --ledger") from None
    print(result.summary.render(lang))
    print(f"Ledger: {ledger_path} ({len(result.ledger):,} rows)")
    sys.stdout.flush()


__all__ = [
    "REASONS",
    "IntakeResult",
    "IntakeSummary",
    "check_usable",
    "load_aliases",
    "load_frame",
    "load_registry",
    "output_columns",
    "register_cli",
]
