"""The intake cache: a registry's pseudonymised rows as Parquet, with summary and ledger.

Private (``0700``/``0600``) and verified by checksum before use.

An entry is ``data/cache/<registry>-<file sha256[:16]>-<key fingerprint>.parquet`` plus a
JSON file of the settings it was made with, the summary, the ledger, the source path and
the Parquet's SHA-256. A damaged entry is deleted and rebuilt; entries a new one replaces
are pruned. See ``docs/intake.md`` (Cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from helpers import paths
from helpers.data.ledger import (
    LEDGER_COLUMNS,
    IntakeResult,
    IntakeSummary,
    empty_ledger,
    tidy_ledger,
)
from helpers.locking import file_lock

#: Bump when a rule changes: cached intake results of older versions are recomputed.
INTAKE_VERSION = "3"

#: The modules and tables that define the intake's rules: a change in one invalidates
#: every cached result.
RULE_FILES = ("intake.py", "validation_sql.py", "readers.py", "xlsx_reader.py",
              "csv_records.py", "nik.py", "pseudonym.py", "schema.py", "column_aliases.py",
              "ledger.py", "parquet_source.py", "intake_cache.py", "vocabularies.py",
              "vocabularies.csv", "registry_shape.py")


def code_fingerprint() -> str:
    """Hash of the modules that define the rules: a changed rule invalidates cached results."""
    digest = hashlib.sha256()
    package = resources.files("helpers.data")
    for name in RULE_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


#: Cache entries are ``<registry>-<file sha256[:16]>-<key fingerprint>`` + .parquet/.json.
_CACHE_STEM_RE = re.compile(r"(jamsostek|jkn)-[0-9a-f]{16}-[0-9a-f]+")


def read_cache(con, table_path: Path, meta_path: Path, settings: dict,
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
            ledger = tidy_ledger(ledger) if len(ledger) else empty_ledger()
            table = con.read_parquet(table_path)
        except (KeyError, TypeError, ValueError, duckdb.Error) as error:
            problem = f"it cannot be read ({type(error).__name__})"
        else:
            summary.path = path
            return IntakeResult(table=table, summary=summary, ledger=ledger)
    print(f"cakupan: discarded a damaged intake cache entry {table_path.with_suffix('')} "
          f"({problem}); rebuilding", file=sys.stderr)
    remove_cache_entry(table_path.parent, table_path.stem)
    return None


def remove_cache_entry(folder: Path, stem: str) -> None:
    for suffix in (".parquet", ".json", ".parquet.partial", ".json.partial"):
        (folder / f"{stem}{suffix}").unlink(missing_ok=True)


def write_cache_meta(meta_path: Path, settings: dict, result: IntakeResult,
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


def prune_cache(folder: Path, keep: str, registry: str, source: Path) -> None:
    """Remove cache entries the new entry ``keep`` replaces.

    An entry goes when it was made by another intake version or other intake code, or
    when it holds an older version of the same registry file (same registry, same source
    path, other content or key). An entry another process holds the lock of is left.
    """
    current = (INTAKE_VERSION, code_fingerprint())
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
                remove_cache_entry(folder, stem)
        except BlockingIOError:
            continue
        (folder / f"{stem}.lock").unlink(missing_ok=True)


__all__ = [
    "INTAKE_VERSION",
    "RULE_FILES",
    "code_fingerprint",
    "prune_cache",
    "read_cache",
    "remove_cache_entry",
    "write_cache_meta",
]
