"""The two registries of a data folder through the intake, as Ibis tables on the chosen engine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import ibis

from helpers.data import intake, partitions, snapshots
from helpers.errors import InputFileError
from helpers.measures import engines
from helpers.paths import sample_dir

__all__ = ["REGISTRY_FILES", "Registries", "is_synthetic_sample", "load_registries",
           "registry_paths", "registry_source", "resolve_data_dir", "sample_scale"]

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
    """Where a data folder keeps ``registry``: the file ``<registry>.parquet``; else a
    dataset partitioned by province (``<folder>/<registry>/province=PP/*.parquet``,
    :mod:`helpers.data.partitions`); else a folder of its dated snapshots
    (``<registry>_YYYY-MM-DD.csv`` …), ``<folder>/<registry>/`` or the data folder itself;
    None when none is there."""
    from helpers.data.snapshots import snapshot_name_re

    file = folder / REGISTRY_FILES[registry]
    if file.is_file():
        return file
    if partitions.is_partitioned(folder / registry):
        return folder / registry
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
                    f"(or dated snapshots such as {registry}_2024-06-30.csv, or a dataset "
                    f"{registry}/province=PP/*.parquet)")
    return folder


def registry_paths(data_dir: str | Path | None = None) -> list[Path]:
    """Every registry file of a data folder (each snapshot file of a snapshot folder), for
    checksums and the privacy audit."""
    from helpers.data.snapshots import find_snapshots

    folder = resolve_data_dir(data_dir)
    found = []
    for registry in REGISTRY_FILES:
        source = registry_source(folder, registry)
        if source.is_file():
            found.append(source)
        elif partitions.is_partitioned(source):
            found += [path for _, path in partitions.find_partitions(source)]
        else:
            found += [path for _, path in find_snapshots(source, registry)]
    return found


def load_registries(data_dir: str | Path | None = None, engine: str = "duckdb", *,
                    con=None, cache: bool = True) -> Registries:
    """Run the intake on both registries of ``data_dir`` (cached in data/cache).

    Args:
        data_dir: folder with jamsostek.parquet and jkn.parquet, or for either a dataset partitioned by province or a folder of
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
    engines.validate_engine(engine)
    folder = resolve_data_dir(data_dir)
    reusable = con is None and cache and engine == "duckdb"
    signature = _signature(folder) if reusable else None
    if signature is not None and signature in _LOADED:
        return _LOADED[signature]
    con = con if con is not None else ibis.duckdb.connect()

    def load(registry: str):
        source = registry_source(folder, registry)
        if partitions.is_partitioned(source):  # one partition per province
            return partitions.load_partitioned(source, registry, con=con, cache=cache)
        if source.is_dir():  # dated snapshots: one trend point each
            return snapshots.load_snapshots(source, registry, con=con, cache=cache)
        return intake.load_registry(source, registry, con=con, cache=cache)

    tk, jkn = load("jamsostek"), load("jkn")
    if engine == "duckdb":
        tk_table, jkn_table = tk.table, jkn.table
    else:
        backend = engines.connect(engine)
        tk_table, jkn_table = engines.registry_tables([tk, jkn], backend)
    registries = Registries(tk=tk, jkn=jkn, tk_table=tk_table, jkn_table=jkn_table,
                            data_dir=folder, engine=engine)
    if signature is not None:
        _LOADED.clear()  # one data folder at a time: a batch kernel renders one after another
        _LOADED[signature] = registries
    return registries


#: The last registries loaded in this process, by :func:`_signature`: a batch kernel
#: renders many reports of one data folder, and the intake of a national dataset (76
#: partition files, each cache entry checksummed) costs 1.6 s per report otherwise.
_LOADED: dict[tuple, Registries] = {}


def _signature(folder: Path) -> tuple:
    """What a loaded intake depends on, cheaply: the registry files and the intake cache
    entries (:func:`helpers.paths.file_version`), the reference tables in use and the
    pseudonymisation key. Any change loads the registries again."""
    from helpers.data import pseudonym
    from helpers.paths import cache_dir, file_version, reference_dir

    def versions(paths) -> tuple:
        found = []
        for path in paths:
            try:
                found.append(file_version(path))
            except OSError:  # removed meanwhile: no longer part of the signature
                continue
        return tuple(sorted(found))

    cache = cache_dir()
    entries = cache.glob("*") if cache.is_dir() else ()
    return (str(folder.resolve()), versions(registry_paths(folder)),
            versions(path for path in entries if path.suffix in (".parquet", ".json")),
            str(reference_dir()), pseudonym.key_fingerprint(pseudonym.get_key()))


def is_synthetic_sample(data_dir: str | Path) -> bool:
    """Whether ``data_dir`` holds the synthetic sample, not real registries.

    True for the sample folder (``data/sample``), and for a folder whose registry files
    are the ones the sample generator wrote there: its ``manifest.json`` names them and
    their sizes still match (a real registry copied over a sample file does not).
    """
    folder = Path(data_dir)
    if folder.resolve() == sample_dir().resolve():
        return True
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = [(folder / info["file"], info["bytes"])
                 for info in manifest["registries"].values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return "generator_version" in manifest and bool(files) and all(
        path.is_file() and path.stat().st_size == size for path, size in files)


def sample_scale(data_dir: str | Path) -> float | None:
    """The scale the synthetic sample in ``data_dir`` was generated at (1.0 = the full NTB
    sample), or None when the folder does not hold the synthetic sample."""
    if not is_synthetic_sample(data_dir):
        return None
    try:
        manifest = json.loads((Path(data_dir) / "manifest.json").read_text(encoding="utf-8"))
        return float(manifest["scale"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
