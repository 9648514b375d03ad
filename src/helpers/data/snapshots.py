"""A folder of dated snapshots of one registry (``jkn_2024-04-30.csv`` …) as one registry.

A BPJS list given to a Pemda is a snapshot: one row per member at the day it was drawn,
often with a status and without history. One snapshot tells members and active people at
its date only; a series of them gives the trend, one point per snapshot. Each file goes
through the intake (:func:`helpers.data.intake.load_registry`, cached as usual) with the
date of its name as its extract date; the accepted rows are put together, each carrying
its ``extract_date``, and the indicators count a row only in its own month
(:func:`helpers.measures.indicators.is_member`).

Usage::

    result = snapshots.load_snapshots("data/jkn_snapshots", "jkn")
    result.summary.snapshots     # one entry per file: date, rows read / accepted / rejected
    result.ledger                # rejected rows of every file, with a 'file' column
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from helpers.data.combine import combined_ledger, combined_summary, union_tables
from helpers.data.intake import load_registry
from helpers.data.ledger import IntakeResult
from helpers.errors import InputFileError, SchemaError

#: File types a snapshot may have.
SNAPSHOT_SUFFIXES = (".csv", ".txt", ".tsv", ".parquet", ".xlsx")


def snapshot_name_re(registry: str) -> re.Pattern:
    """``<registry>_YYYY-MM-DD.<ext>`` (also ``-`` before the date, or ``YYYYMMDD``)."""
    suffixes = "|".join(re.escape(suffix) for suffix in SNAPSHOT_SUFFIXES)
    return re.compile(
        rf"{re.escape(registry)}[_-](?P<y>[0-9]{{4}})-?(?P<m>[0-9]{{2}})-?(?P<d>[0-9]{{2}})"
        rf"(?:{suffixes})", re.IGNORECASE)


def find_snapshots(folder: str | Path, registry: str) -> list[tuple[dt.date, Path]]:
    """The dated snapshots of ``registry`` in ``folder``, oldest first.

    Raises:
        InputFileError: not a folder, no snapshot in it, a name whose date is not a day,
            or two files of one date.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError("is not a folder", path=folder,
                             fix=f"give the folder that holds {registry}_YYYY-MM-DD.csv files")
    pattern = snapshot_name_re(registry)
    found: dict[dt.date, Path] = {}
    for path in sorted(folder.iterdir()):
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise InputFileError("the date in the file name is not a day of the calendar",
                                 path=path, fix=f"name it {registry}_YYYY-MM-DD, e.g. "
                                                f"{registry}_2024-06-30.csv") from None
        if day in found:
            raise InputFileError(f"two snapshots of {day.isoformat()}: {found[day].name} and "
                                 f"{path.name}", path=folder, fix="keep one file per date")
        found[day] = path
    if not found:
        raise InputFileError(
            f"holds no snapshot of the {registry} registry", path=folder,
            fix=f"name each file {registry}_YYYY-MM-DD with the day it was drawn, e.g. "
                f"{registry}_2024-06-30.csv")
    return sorted(found.items())


def load_snapshots(folder: str | Path, registry: str, *, con=None,
                   known_region_codes: Iterable[str] | None = None,
                   aliases: str | Path | Mapping[str, str] | None = None,
                   key: str | None = None, max_rejected_share: float | None = None,
                   cache: bool = True, delimiter: str | None = None,
                   encoding: str | None = None, sheet: str | None = None) -> IntakeResult:
    """Read every dated snapshot of ``registry`` in ``folder`` as one registry.

    Args:
        folder: holds ``<registry>_YYYY-MM-DD.csv`` (or .parquet, .xlsx) files.
        registry: 'jamsostek' or 'jkn'.
        Other arguments: as :func:`helpers.data.intake.load_registry`, for every file.

    Returns:
        IntakeResult: ``table`` holds the accepted rows of every snapshot (each with its
        ``extract_date``); ``summary`` adds the counts up (rows read = accepted +
        rejected), and lists the files in ``summary.snapshots``; ``ledger`` has the
        rejected rows of every file with a first column ``file``.

    Raises:
        InputFileError, SchemaError, ValidationError: as the intake, naming the file; a
            folder without snapshots; snapshots that tell "active" differently (one with
            a status column, another without).
    """
    import ibis

    if con is None:
        con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
    found = find_snapshots(folder, registry)
    results = [(day, path, load_registry(
        path, registry, con=con, known_region_codes=known_region_codes, aliases=aliases,
        key=key, max_rejected_share=max_rejected_share, cache=cache, delimiter=delimiter,
        encoding=encoding, sheet=sheet, extract_date=day, snapshot=True))
        for day, path in found]
    bases = {result.summary.active_basis: path for _, path, result in results}
    if len(bases) > 1:
        said = "; ".join(f"{path.name} tells it by {basis}" for basis, path in bases.items())
        raise SchemaError(f"the snapshots tell 'active' differently ({said})", path=folder,
                          fix="export every snapshot with the same columns (a status column, "
                              "or paid_through, in each)")
    table = union_tables([result for _, _, result in results])
    summary = combined_summary(
        Path(folder), registry, [(path, result.summary) for _, path, result in results],
        source_format="snapshots", snapshot=True,
        extract_date=results[-1][2].summary.extract_date, extract_date_source="folder",
        snapshots=[{"file": path.name, "extract_date": day.isoformat(),
                    "rows_read": result.summary.rows_read,
                    "rows_accepted": result.summary.rows_accepted,
                    "rows_rejected": result.summary.rows_rejected,
                    "file_sha256": result.summary.file_sha256}
                   for day, path, result in results])
    return IntakeResult(table=table, summary=summary, ledger=combined_ledger(
        [(path.name, result.ledger) for _, path, result in results]))


__all__ = ["SNAPSHOT_SUFFIXES", "find_snapshots", "load_snapshots", "snapshot_name_re"]
