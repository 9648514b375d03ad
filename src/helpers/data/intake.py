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

import contextlib
import hashlib
import math
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from helpers import paths
from helpers.data import pseudonym, readers, schema, xlsx_reader
from helpers.data.column_aliases import (
    AliasTable,
    header_key,
    load_aliases,
    map_headers,
    require_columns,
)
from helpers.data.intake_cache import (
    INTAKE_VERSION,
    code_fingerprint,
    prune_cache,
    read_cache,
    write_cache_meta,
)
from helpers.data.intake_notes import missing_columns
from helpers.data.ledger import REASONS, IntakeResult, IntakeSummary, check_usable, tidy_ledger
from helpers.data.parquet_source import describe_parquet, parquet_error, plain_parquet_path
from helpers.data.registry_shape import (
    PARQUET_METADATA_KEY,
    date_in_file_name,
    decide_shape,
    parse_extract_date,
)
from helpers.data.validation_sql import (
    SNAPSHOT_REQUIRED_COLUMNS,
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

#: Excel keeps 15 significant digits, so a 16-digit NIK typed or pasted as a number gets 0
#: as its 16th digit. By chance about 1 NIK in 10 ends in 0 (fewer in practice: serial
#: numbers are mostly small). When at least ``EXCEL_TRUNCATION_MIN_ROWS`` accepted rows are
#: checked and more than ``EXCEL_TRUNCATION_ZERO_SHARE`` of them end in 0, the summary warns
#: with the count (``niks_possibly_truncated``); the rows are kept.
EXCEL_TRUNCATION_MIN_ROWS = 20
EXCEL_TRUNCATION_ZERO_SHARE = 0.3
NIK_AS_TEXT_FIX = ("store NIK as text; Excel keeps only 15 digits (format the NIK column as "
                   "Text, enter or import the NIKs again, and export again)")


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
    extract_date=None,
    snapshot: bool = False,
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
        extract_date: the day the list was drawn (a date or ``'YYYY-MM-DD'``); None =
            from the Parquet metadata, a title row or the file name
            (:mod:`helpers.data.registry_shape`). A file without paid_through and with
            an extract date is a snapshot: members and active people at that date only.
        snapshot: read the file as a snapshot even when it has paid_through (a folder of
            dated snapshots, :func:`helpers.data.snapshots.load_snapshots`).

    Returns:
        IntakeResult with the accepted rows as an Ibis table, the summary and the ledger.

    Raises:
        InputFileError: missing, empty, unreadable or not a table (pipe, device, damaged
            workbook or Parquet, zip bomb, NUL bytes, mixed encodings, a stray quote); no
            data rows; NIKs written as numbers (``5.2E+15``, ``….0``).
        SchemaError: a required column is missing or a column appears twice; the NIK
            column is stored as numbers; a status column without paid_through and without
            an extract date; the file's own extract dates disagree.
        ValidationError: every row rejected, or the rejected share above the limit (the
            error's ``result`` attribute holds the IntakeResult, ledger included).
        ParameterError: an extract date that is not a day.
    """
    registry = _check_registry(registry)
    _check_share(max_rejected_share)
    path = Path(path)
    shape_options = {"extract_date": parse_extract_date(extract_date), "snapshot": snapshot}
    key = key if key is not None else pseudonym.get_key()
    con = _connect(con)
    alias_table = load_aliases(aliases)
    file_format = readers.detect_format(path)
    codes = _known_codes(known_region_codes)
    file_sha256 = paths.file_sha256(path)
    settings = {  # a cached result is reused only when all of these are the same
        "intake_version": INTAKE_VERSION,
        "intake_code": code_fingerprint(),
        "registry": registry,
        "aliases": alias_table.fingerprint(),
        "regions": hashlib.sha256(",".join(sorted(codes)).encode()).hexdigest()[:16],
        "delimiter": delimiter,
        "encoding": encoding,
        "sheet": sheet,
        "extract_date": str(shape_options["extract_date"]),
        "snapshot": snapshot,
        "date_in_file_name": str(date_in_file_name(path)),
    }
    if not cache:
        source = _read_source(path, file_format, registry, alias_table, delimiter, encoding, sheet)
        result = _run_intake(con, source, registry, alias_table, codes, key, file_sha256,
                             shape_options=shape_options)
        return _checked(result, max_rejected_share)
    folder = paths.private_folder(paths.cache_dir())
    stem = f"{registry}-{file_sha256[:16]}-{pseudonym.key_fingerprint(key)}"
    table_path = folder / f"{stem}.parquet"
    meta_path = folder / f"{stem}.json"
    lock_path = folder / f"{stem}.lock"
    with file_lock(lock_path):
        cached = read_cache(con, table_path, meta_path, settings, str(path))
        if cached is None:
            source = _read_source(path, file_format, registry, alias_table, delimiter, encoding,
                                  sheet)
            cached = _run_intake(con, source, registry, alias_table, codes, key, file_sha256,
                                 write_to=table_path, shape_options=shape_options)
            write_cache_meta(meta_path, settings, cached, table_path, path)
            prune_cache(folder, stem, registry, path)
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
    extract_date=None,
    snapshot: bool = False,
) -> IntakeResult:
    """Validate and pseudonymise an in-memory registry frame, exactly as :func:`load_registry`.

    Columns are canonical names (or aliases); values may be strings or typed (dates,
    integers). Row numbers in the ledger are 1-based positions in the frame. Not cached.
    ``name`` may carry the extract date like a file name (``jkn_2024-06-30``).
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
    result = _run_intake(con, source, registry, alias_table, codes, key, None,
                         shape_options={"extract_date": parse_extract_date(extract_date),
                                        "snapshot": snapshot})
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
        return xlsx_reader.read_xlsx(path, score, sheet=sheet)
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


# --------------------------------------------------------------------------- engine work


def _run_intake(con, source: readers.SourceTable, registry: str, alias_table: AliasTable,
                codes: set[str], key: str, file_sha256: str | None,
                write_to: Path | None = None, shape_options: dict | None = None) -> IntakeResult:
    raw = con.con  # the duckdb connection under the Ibis backend
    tag = uuid.uuid4().hex[:12]
    source_name = f"_cakupan_source_{tag}"
    validated = f"_cakupan_validated_{tag}"
    with contextlib.ExitStack() as stack:
        if source.parquet_path is not None:
            scan_path = stack.enter_context(plain_parquet_path(source.parquet_path))
            # a partition's path (province=52/…) names no column: the file's own are read
            from_sql = (f"read_parquet({quote_literal(str(scan_path))}, "
                        "file_row_number = true, hive_partitioning = false)")
            duckdb_names, types, rows_read = describe_parquet(raw, source, scan_path, from_sql)
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
        mapping, ignored = map_headers(source.headers, registry, alias_table, source.path,
                                       required=SNAPSHOT_REQUIRED_COLUMNS)
        shape = decide_shape(mapping, source.path, title_lines=source.title_lines,
                             metadata_date=_parquet_extract_date(source),
                             status_header=(source.headers[mapping["status"]]
                                            if "status" in mapping else None),
                             **(shape_options or {}))
        require_columns(mapping, shape.required, registry, alias_table, source.path)
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
            extract_date=shape.extract_date,
            active_basis=shape.active_basis,
            required=shape.required,
        )
        try:
            raw.execute(f"CREATE TEMP TABLE {validated} AS {query}")
        except duckdb.Error as error:
            if source.parquet_path is None:
                raise  # text and frames arrive as Arrow strings: an error here is a bug
            raise parquet_error(raw, error, source, from_sql, mapping, column_sql) from None
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
    ledger = tidy_ledger(ledger)
    invalid = ledger[ledger["reason"] == "invalid_value"]["column"].value_counts()
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
        ignored_positions=[index + 1 for index, header in enumerate(source.headers)
                           if header and header in ignored],
        missing_columns=missing_columns(registry, mapping, shape.active_basis, shape.snapshot),
        active_basis=shape.active_basis,
        snapshot=shape.snapshot,
        extract_date=shape.extract_date.isoformat() if shape.extract_date else None,
        extract_date_source=shape.extract_date_source,
        invalid_values={str(column): int(count) for column, count in invalid.items()},
        key_fingerprint=pseudonym.key_fingerprint(key),
        niks_possibly_truncated=_truncation_warning(int(niks_checked), int(niks_ending_zero)),
    )
    return IntakeResult(table=table, summary=summary, ledger=ledger)


def _parquet_extract_date(source: readers.SourceTable):
    """The date under the Parquet metadata key ``extract_date``, if any."""
    if source.parquet_path is None:
        return None
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(source.parquet_path).metadata or {}
    except (OSError, ValueError, pa.ArrowException):
        return None  # the read itself reports a damaged file
    value = metadata.get(PARQUET_METADATA_KEY.encode())
    if value is None:
        return None
    try:
        return parse_extract_date(value.decode("utf-8", "replace"))
    except ParameterError:
        raise SchemaError("the Parquet metadata 'extract_date' is not a day written YYYY-MM-DD",
                          path=source.path, fix="write the metadata again, or give "
                          "--extract-date YYYY-MM-DD") from None


def _truncation_warning(niks_checked: int, niks_ending_zero: int) -> int:
    """The count of accepted NIKs ending in 0 when they show Excel's 15-digit cut, else 0."""
    if niks_checked < EXCEL_TRUNCATION_MIN_ROWS:
        return 0
    return niks_ending_zero if niks_ending_zero > EXCEL_TRUNCATION_ZERO_SHARE * niks_checked else 0


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




__all__ = [
    "EXCEL_TRUNCATION_MIN_ROWS",
    "EXCEL_TRUNCATION_ZERO_SHARE",
    "NIK_AS_TEXT_FIX",
    "load_frame",
    "load_registry",
]
