"""Many intake results read as one registry: a folder of dated snapshots, or a dataset
partitioned by province. The counts add up (rows read = accepted + rejected, checked), the
ledgers are stacked with the file they came from, and the tables are unioned."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from helpers.data.ledger import LEDGER_COLUMNS, REASONS, IntakeResult, IntakeSummary

__all__ = ["combined_ledger", "combined_summary", "union_tables"]


def union_tables(results: list[IntakeResult]):
    """One Ibis table of every result's accepted rows (UNION ALL)."""
    tables = [result.table for result in results]
    return tables[0].union(*tables[1:]) if len(tables) > 1 else tables[0]


def combined_summary(folder: Path, registry: str, parts: list[tuple[Path, IntakeSummary]],
                     **fields) -> IntakeSummary:
    """The summary of many files read as one registry.

    Args:
        folder: the folder the files came from (the summary's ``path``).
        registry: 'jamsostek' or 'jkn'.
        parts: (file, its summary), in reading order.
        fields: further IntakeSummary fields (``source_format``, ``snapshots`` …).

    Raises:
        AssertionError: rows were lost (read ≠ accepted + rejected).
    """
    summaries = [summary for _, summary in parts]
    first = summaries[0]
    digest = hashlib.sha256()
    for path, summary in parts:
        name = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name
        digest.update(f"{name}\0{summary.file_sha256}\n".encode())

    def total(name: str) -> int:
        return sum(int(getattr(summary, name)) for summary in summaries)

    rejected = {reason: sum(s.rejected_by_reason.get(reason, 0) for s in summaries)
                for reason in REASONS}
    invalid: dict[str, int] = {}
    for summary in summaries:
        for column, count in summary.invalid_values.items():
            invalid[column] = invalid.get(column, 0) + count
    combined = IntakeSummary(**{
        "path": str(folder), "registry": registry, "file_sha256": digest.hexdigest(),
        "rows_read": total("rows_read"), "rows_accepted": total("rows_accepted"),
        "rows_rejected": total("rows_rejected"),
        "rejected_by_reason": {reason: count for reason, count in rejected.items() if count},
        "duplicates_collapsed": total("duplicates_collapsed"),
        "prefix_mismatches": total("prefix_mismatches"),
        "niks_normalised": total("niks_normalised"), "column_map": dict(first.column_map),
        "ignored_columns": list(dict.fromkeys(n for s in summaries for n in s.ignored_columns)),
        "key_fingerprint": first.key_fingerprint,
        "niks_possibly_truncated": total("niks_possibly_truncated"),
        "missing_columns": list(dict.fromkeys(n for s in summaries for n in s.missing_columns)),
        "active_basis": first.active_basis, "snapshot": first.snapshot,
        "extract_date": first.extract_date, "extract_date_source": first.extract_date_source,
        "invalid_values": invalid, **fields})
    if combined.rows_read != combined.rows_accepted + combined.rows_rejected:
        raise AssertionError(f"{folder}: rows lost: read ≠ accepted + rejected")
    return combined


def combined_ledger(parts: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The ledgers of many files stacked, with a first column ``file`` (its name)."""
    frames = [ledger.assign(file=name) for name, ledger in parts]
    ledger = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    ledger["file"] = ledger["file"].astype("string")
    return ledger[["file", *LEDGER_COLUMNS]]
