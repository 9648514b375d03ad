"""The two registries of a data folder through the intake, as Ibis tables on the chosen engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.errors import InputFileError
from helpers.paths import sample_dir

#: Registry files a data folder holds (or, per registry, its dated snapshots:
#: :func:`registry_source`).
REGISTRY_FILES = {"jamsostek": "jamsostek.parquet", "jkn": "jkn.parquet"}


@dataclass
class Registries:
    """The two intake results and where they came from.

    Attributes:
        tk: IntakeResult of BPJS Ketenagakerjaan (``.table``, ``.summary``, ``.ledger``).
        jkn: IntakeResult of JKN.
        tk_table, jkn_table: the Ibis tables on the chosen engine.
        data_dir: folder of the registry files.
        engine: 'duckdb' or 'spark'.
    """

    tk: object
    jkn: object
    tk_table: object
    jkn_table: object
    data_dir: Path
    engine: str = "duckdb"

    def fingerprint(self) -> dict:
        """File checksums and intake counts: what a cached bundle depends on."""
        return {name: {"sha256": result.summary.file_sha256,
                       "rows_accepted": result.summary.rows_accepted}
                for name, result in (("jamsostek", self.tk), ("jkn", self.jkn))}


def registry_source(folder: Path, registry: str) -> Path | None:
    """Where a data folder keeps ``registry``: the file ``<registry>.parquet``; else a folder
    of its dated snapshots (``<registry>_YYYY-MM-DD.csv`` …), ``<folder>/<registry>/`` or
    the data folder itself; None when neither is there."""
    from helpers.data.snapshots import snapshot_name_re

    file = folder / REGISTRY_FILES[registry]
    if file.is_file():
        return file
    pattern = snapshot_name_re(registry)
    for candidate in (folder / registry, folder):
        if candidate.is_dir() and any(pattern.fullmatch(path.name)
                                      for path in candidate.iterdir()):
            return candidate
    return None


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The folder holding ``jamsostek.parquet`` and ``jkn.parquet`` (or, for either, its
    dated snapshots); empty = ``data/sample``.

    Raises:
        InputFileError: the folder or one of the registries is missing.
    """
    folder = Path(data_dir) if data_dir not in (None, "") else sample_dir()
    for registry, name in REGISTRY_FILES.items():
        if registry_source(folder, registry) is None:
            raise InputFileError(
                f"registry file {name} not found", path=folder / name,
                fix="run `make data` (or `cakupan sample`) for the synthetic registries, or "
                    "set data_dir to the folder holding jamsostek.parquet and jkn.parquet "
                    f"(or dated snapshots such as {registry}_2024-06-30.csv)")
    return folder


def registry_paths(data_dir: str | Path | None = None) -> list[Path]:
    """Every registry file of a data folder (each snapshot file of a snapshot folder), for
    checksums and the privacy audit."""
    from helpers.data.snapshots import find_snapshots

    folder = resolve_data_dir(data_dir)
    found = []
    for registry in REGISTRY_FILES:
        source = registry_source(folder, registry)
        found += ([path for _, path in find_snapshots(source, registry)] if source.is_dir()
                  else [source])
    return found


def load_registries(data_dir: str | Path | None = None, engine: str = "duckdb", *,
                    con=None, cache: bool = True) -> Registries:
    """Run the intake on both registries of ``data_dir`` (cached in data/cache).

    Args:
        data_dir: folder with jamsostek.parquet and jkn.parquet, or for either a folder of
            dated snapshots (:func:`registry_source`); None or '' = data/sample.
        engine: 'duckdb' (default) or 'spark' for the indicator queries; the intake
            itself always runs on DuckDB.
        con: an Ibis DuckDB backend to reuse; default a new one.
        cache: reuse the intake's pseudonymised result (data/cache).

    Returns:
        Registries with both intake results.

    Raises:
        InputFileError, SchemaError, ValidationError: from the intake.
        ParameterError: unknown engine.
    """
    import ibis

    from helpers.data import intake, snapshots
    from helpers.measures import engines

    engines.validate_engine(engine)
    folder = resolve_data_dir(data_dir)
    con = con if con is not None else ibis.duckdb.connect()

    def load(registry: str):
        source = registry_source(folder, registry)
        if source.is_dir():  # dated snapshots: one trend point each
            return snapshots.load_snapshots(source, registry, con=con, cache=cache)
        return intake.load_registry(source, registry, con=con, cache=cache)

    tk, jkn = load("jamsostek"), load("jkn")
    if engine == "duckdb":
        tk_table, jkn_table = tk.table, jkn.table
    else:
        backend = engines.connect(engine)
        tk_table, jkn_table = engines.registry_tables([tk, jkn], backend)
    return Registries(tk=tk, jkn=jkn, tk_table=tk_table, jkn_table=jkn_table,
                      data_dir=folder, engine=engine)
