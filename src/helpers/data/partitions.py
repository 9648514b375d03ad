"""A registry stored as a dataset partitioned by province (``province=PP/…``), read as one.

A national registry is too large for one file; it is kept as a Hive-partitioned Parquet
dataset, one folder per province::

    jkn/province=11/part-0.parquet
    jkn/province=52/part-0.parquet
    ...

Each file goes through the intake on its own (:func:`helpers.data.intake.load_registry`:
validated, pseudonymised and cached like any registry file), so memory stays at one
partition and a changed partition is the only one read again. A row's ``region_code``
must be a kab/kota of its partition's province: a row filed under the wrong province is
rejected as ``unknown_region``. The accepted rows are unioned; the summary adds the
counts up and lists every partition (``summary.partitions``); the ledger stacks the
rejected rows of every file with a first column ``file`` (``province=52/part-0.parquet``).

Usage::

    result = partitions.load_partitioned("data/national/jkn", "jkn")
    result.summary.partitions    # per partition: province, rows read / accepted / rejected
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from helpers.data import reference
from helpers.data.combine import combined_ledger, combined_summary, union_tables
from helpers.data.intake import load_registry
from helpers.data.ledger import IntakeResult
from helpers.errors import InputFileError, ReferenceDataError

__all__ = ["PARTITION_RE", "find_partitions", "is_partitioned", "load_partitioned"]

#: A partition folder: ``province=`` and a two-digit province code.
PARTITION_RE = re.compile(r"province=(\d{2})")


def is_partitioned(folder: str | Path) -> bool:
    """True when ``folder`` holds ``province=…`` subfolders."""
    folder = Path(folder)
    return folder.is_dir() and any(path.is_dir() and path.name.startswith("province=")
                                   for path in folder.iterdir())


def find_partitions(folder: str | Path) -> list[tuple[str, Path]]:
    """(province code, Parquet file) of every partition file, by province then name.

    Raises:
        InputFileError: a ``province=`` folder whose code is not two digits, a partition
            without Parquet files, or no partition at all.
    """
    folder = Path(folder)
    found = []
    for sub in sorted(path for path in folder.iterdir()
                      if path.is_dir() and path.name.startswith("province=")):
        match = PARTITION_RE.fullmatch(sub.name)
        if match is None:
            raise InputFileError(f"partition folder '{sub.name}' does not name a province",
                                 path=sub, fix="name partition folders province=PP with the "
                                               "two-digit province code, e.g. province=52")
        files = sorted(sub.glob("*.parquet"))
        if not files:
            raise InputFileError("partition holds no .parquet file", path=sub,
                                 fix="put the province's rows in a .parquet file there, or "
                                     "remove the empty folder")
        found += [(match.group(1), path) for path in files]
    if not found:
        raise InputFileError("no province=PP partition folders", path=folder,
                             fix="give a dataset folder holding province=PP/*.parquet")
    return found


def load_partitioned(folder: str | Path, registry: str, *, con=None,
                     aliases: str | Path | Mapping[str, str] | None = None,
                     key: str | None = None, max_rejected_share: float | None = None,
                     cache: bool = True) -> IntakeResult:
    """Read every partition of a registry dataset as one registry (module docstring).

    Args:
        folder: the registry's dataset folder (holds ``province=PP/*.parquet``).
        registry: 'jamsostek' or 'jkn'.
        Other arguments: as :func:`helpers.data.intake.load_registry`, for every file.

    Raises:
        InputFileError, SchemaError, ValidationError: as the intake, naming the file.
        ReferenceDataError: a partition's province is not in the reference tables (the
            national ones are selected with ``CAKUPAN_REFERENCE=national``).
    """
    import ibis

    folder = Path(folder)
    if con is None:
        con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
    results = []
    for province, path in find_partitions(folder):
        results.append((province, path, load_registry(
            path, registry, con=con, known_region_codes=_province_codes(province, path),
            aliases=aliases, key=key, max_rejected_share=max_rejected_share, cache=cache)))
    summary = combined_summary(
        folder, registry, [(path, result.summary) for _, path, result in results],
        source_format="partitions",
        partitions=[{"file": path.relative_to(folder).as_posix(), "province_code": province,
                     "rows_read": result.summary.rows_read,
                     "rows_accepted": result.summary.rows_accepted,
                     "rows_rejected": result.summary.rows_rejected,
                     "file_sha256": result.summary.file_sha256}
                    for province, path, result in results])
    ledger = combined_ledger([(path.relative_to(folder).as_posix(), result.ledger)
                              for _, path, result in results])
    return IntakeResult(table=union_tables([result for _, _, result in results]),
                        summary=summary, ledger=ledger)


def _province_codes(province: str, path: Path) -> list[str]:
    try:
        return reference.kabkota_codes(province)
    except ReferenceDataError:
        raise ReferenceDataError(
            f"partition province={province} is not a province of the reference tables",
            path=path.parent, fix="for a national dataset select the national reference "
                                  "tables: CAKUPAN_REFERENCE=national (cakupan reports "
                                  "--national does it)") from None
