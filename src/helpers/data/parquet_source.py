"""Parquet registries read where they lie by DuckDB, with the file's own names and one-line errors.

DuckDB reads ``*?[]{}`` in a path as a pattern, renames a repeated column (``nik_1``) and
quotes the offending value in its errors; this module works around all three so that
:mod:`helpers.data.intake` sees the file as written and never shows a value.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from helpers.data import readers
from helpers.data.validation_sql import quote_literal
from helpers.errors import InputFileError

#: Characters DuckDB's ``read_parquet`` reads as a file pattern; a path holding one is read
#: through a link with a plain name.
GLOB_CHARACTERS = "*?[]{}"


@contextlib.contextmanager
def plain_parquet_path(path: Path) -> Iterator[Path]:
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


def describe_parquet(raw, source: readers.SourceTable, scan_path: Path,
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
            f"SELECT count(*) FROM read_parquet({quote_literal(str(scan_path))}, "
            "hive_partitioning = false)").fetchone()[0]
    except duckdb.Error as error:
        raise InputFileError(f"cannot be read as Parquet ({duckdb_problem(error)})",
                             path=source.path, fix=fix) from None
    if len(described) != len(names):
        raise InputFileError(
            f"cannot be read as Parquet (DuckDB sees {len(described)} columns, the Parquet "
            f"schema {len(names)})", path=source.path, fix=fix)
    source.headers = [readers.one_line(name) for name in names]
    return ([row[0] for row in described], {index: row[1] for index, row in enumerate(described)},
            rows_read)


def duckdb_problem(error: Exception) -> str:
    """First line of a DuckDB error, every quoted part replaced by ``…``: DuckDB quotes the
    offending value (which may be a name or a NIK) and the file path (already named)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', "…", text)


def parquet_error(raw, error: Exception, source: readers.SourceTable, from_sql: str,
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
    return InputFileError(f"cannot be read as Parquet ({duckdb_problem(error)})",
                          path=source.path, fix=fix)


__all__ = [
    "GLOB_CHARACTERS",
    "describe_parquet",
    "duckdb_problem",
    "parquet_error",
    "plain_parquet_path",
]
