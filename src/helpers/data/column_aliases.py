"""Column mapping: export headers (``NIK``, ``Tgl Lahir`` …) to canonical registry columns.

The shipped table is ``aliases.csv`` (``alias,column,registry,note``); ``$CAKUPAN_ALIASES``
and ``--aliases FILE`` (or a dict) add to it, later sources winning. Matching ignores case
and punctuation (:func:`header_key`). Described for users in ``docs/intake.md``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from helpers.data import readers, schema
from helpers.data.validation_sql import REQUIRED_COLUMNS
from helpers.errors import InputFileError, SchemaError

ALIASES_ENV = "CAKUPAN_ALIASES"


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
        for column in schema.input_column_names(registry):
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
            if column not in schema.input_column_names(name):
                if registry:
                    raise SchemaError(
                        f"'{column}' is not a column of the {name} registry", path=where,
                        row=row_number, column="column",
                        fix="use one of " + ", ".join(schema.input_column_names(name)))
                if not any(column in schema.input_column_names(r) for r in schema.REGISTRIES):
                    raise SchemaError(
                        f"'{column}' is not a registry column", path=where, row=row_number,
                        column="column", fix="use a canonical name from docs/intake.md")
                continue
            tables[name][header_key(alias)] = column
            spellings[header_key(alias)] = alias


def map_headers(headers: list[str], registry: str, aliases: AliasTable, path: str | Path,
                required: Iterable[str] = REQUIRED_COLUMNS) -> tuple[dict[str, int], list[str]]:
    """Map source headers to canonical columns; refuse a file without a ``required`` column.

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
    require_columns(mapping, required, registry, aliases, path)
    return mapping, ignored


def require_columns(mapping: Mapping[str, int], required: Iterable[str], registry: str,
                    aliases: AliasTable, path: str | Path) -> None:
    """Refuse a file that lacks one of the ``required`` columns, naming headers that would do.

    Raises:
        SchemaError: a required column is missing.
    """
    for column in required:
        if column not in mapping:
            names = sorted({alias for alias in aliases.headers_for(registry, column)})
            raise SchemaError(
                f"required column '{column}' is missing (no header like "
                + ", ".join(f"'{name}'" for name in names[:6]) + ")",
                path=path,
                fix="add the column, rename its header, or map it with --aliases FILE "
                    "(CSV alias,column)")


__all__ = [
    "ALIASES_ENV",
    "AliasTable",
    "header_key",
    "load_aliases",
    "map_headers",
    "require_columns",
]
