"""Where the project keeps its data, reports and caches; the checksum of a file.

The *project root* is the folder whose ``data/``, ``reports/`` and ``notebooks/`` the
commands use. :func:`project_root` takes the first of:

1. ``$CAKUPAN_HOME``, when set (an explicit choice wins; report kernels get it too);
2. the current folder or its nearest parent that is a workspace (it holds
   ``cakupan.toml``, written by ``cakupan init``) or a Cakupan checkout
   (``pyproject.toml`` beside ``src/helpers``);
3. the checkout this package runs from (an editable install, ``make setup``);

else it raises :class:`~helpers.errors.WorkspaceError` (run ``cakupan init``).

The files the package ships read-only (reference tables, the data dictionary, the
notebooks) come from the project root when it has them, else from :func:`shipped_dir`:
the checkout, or ``helpers/_shipped`` inside an installed wheel (``setup.py`` copies them
there; ``docs/architecture.md`` "Installing").
"""

from __future__ import annotations

import hashlib
import os
import re
from importlib import resources
from pathlib import Path

import helpers
from helpers.errors import WorkspaceError

PACKAGE_DIR = Path(__file__).resolve().parent
if not getattr(helpers, "IS_CAKUPAN", False):  # another package's helpers/__init__.py
    raise ImportError(
        f"{PACKAGE_DIR}/__init__.py is missing or not Cakupan's: another package installed "
        "a 'helpers' package over it. Use a separate environment for Cakupan, or `pip "
        "uninstall helpers` and then `pip install --force-reinstall cakupan`.")
#: Environment variable naming the project root (a workspace or a checkout).
HOME_ENV = "CAKUPAN_HOME"
#: The file that marks a workspace (``cakupan init`` writes it).
WORKSPACE_MARKER = "cakupan.toml"
#: Where a wheel keeps the checkout's reference tables and notebooks (``setup.py``).
SHIPPED_FOLDER = "_shipped"
REFERENCE_FOLDER = Path("data") / "reference"
#: Environment variable choosing the reference set: ``ntb`` (default) or ``national``.
REFERENCE_ENV = "CAKUPAN_REFERENCE"
#: Reference sets and their subfolder of the reference folder (data/README.md, "National
#: tables"): NTB's tables, or the same tables for all 38 provinces in ``national/``.
REFERENCE_SETS = {"ntb": "", "national": "national"}
NOTEBOOKS_FOLDER = Path("notebooks")


def is_checkout(folder: str | Path) -> bool:
    """True when ``folder`` is a Cakupan source checkout: ``src/helpers`` beside a
    ``pyproject.toml`` of the project named ``cakupan``."""
    folder = Path(folder)
    pyproject = folder / "pyproject.toml"
    if not (pyproject.is_file() and (folder / "src" / "helpers").is_dir()):
        return False
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r'^name\s*=\s*["\']cakupan["\']', text, re.MULTILINE) is not None


def is_workspace(folder: str | Path) -> bool:
    """True when ``folder`` is a workspace made by ``cakupan init`` (it holds ``cakupan.toml``)."""
    return (Path(folder) / WORKSPACE_MARKER).is_file()


def source_checkout() -> Path | None:
    """The checkout this package runs from (``src/helpers`` of it), else None (a wheel)."""
    candidate = PACKAGE_DIR.parent.parent
    if PACKAGE_DIR.parent.name == "src" and is_checkout(candidate):
        return candidate
    return None


def find_project_root(start: str | Path | None = None) -> Path | None:
    """The project root (module docstring, steps 1-3), or None when there is none.

    Args:
        start: folder to search from; the current folder by default.

    Raises:
        WorkspaceError: ``$CAKUPAN_HOME`` names a folder that does not exist.
    """
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        home = Path(env).expanduser().resolve()
        if not home.is_dir():
            raise WorkspaceError(f"{HOME_ENV}={env} is not a folder",
                                 fix=f"create it with `cakupan init {env}` or unset {HOME_ENV}")
        return home
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder) or is_checkout(folder):
            return folder
    return source_checkout()


def project_root() -> Path:
    """The project root: where data, caches and reports go (module docstring).

    Raises:
        WorkspaceError: no workspace in the current folder or its parents, no
            ``$CAKUPAN_HOME`` and no checkout; the message says to run ``cakupan init``.
    """
    root = find_project_root()
    if root is None:
        raise WorkspaceError(
            f"no Cakupan workspace in {Path.cwd()} or its parents",
            fix=f"run `cakupan init DIR` and cd into DIR, or set {HOME_ENV} to a workspace")
    return root


def shipped_dir() -> Path:
    """The package's read-only files: the checkout, or ``helpers/_shipped`` of a wheel.

    Both have the same layout (``data/reference``, ``data/README.md``, ``notebooks``).

    Raises:
        WorkspaceError: the package is neither in a checkout nor a wheel built with its
            data (``helpers/_shipped`` missing): reinstall it from a wheel.
    """
    checkout = source_checkout()
    if checkout is not None:
        return checkout
    shipped = resources.files("helpers").joinpath(SHIPPED_FOLDER)
    if not isinstance(shipped, Path) or not shipped.is_dir():
        raise WorkspaceError(
            f"the installed package has no reference tables or notebooks ({PACKAGE_DIR}"
            f"/{SHIPPED_FOLDER} is missing)",
            fix="reinstall Cakupan from a wheel built with `pip wheel . -w dist` "
                "(docs/architecture.md, Installing)")
    return shipped


def _own_or_shipped(folder: Path, pattern: str) -> Path:
    """``folder`` of the project root when it holds ``pattern`` files, else the shipped one."""
    root = find_project_root()
    if root is not None and any((root / folder).glob(pattern)):
        return root / folder
    return shipped_dir() / folder


def reference_dir() -> Path:
    """The reference tables: the project's ``data/reference`` if it has CSVs, else the shipped
    ones; its ``national/`` subfolder when ``$CAKUPAN_REFERENCE`` is ``national``. Works
    without a workspace (a notebook or script anywhere).

    Raises:
        WorkspaceError: ``$CAKUPAN_REFERENCE`` is not ``ntb`` or ``national``, or the
            national set is chosen and the folder does not hold it.
    """
    value = os.environ.get(REFERENCE_ENV, "")
    choice = value.strip().lower() or "ntb"
    if choice not in REFERENCE_SETS:
        raise WorkspaceError(f"{REFERENCE_ENV}={value} is not a reference set",
                             fix=f"use {' or '.join(REFERENCE_SETS)}, or unset {REFERENCE_ENV}")
    folder = _own_or_shipped(REFERENCE_FOLDER, "*.csv") / REFERENCE_SETS[choice]
    if not folder.is_dir():
        raise WorkspaceError(f"{folder} is missing ({REFERENCE_ENV}={choice})",
                             fix="copy data/reference/national from the checkout, or unset "
                                 f"{REFERENCE_ENV}")
    return folder


def base_reference_dir() -> Path:
    """The reference folder itself, whatever ``$CAKUPAN_REFERENCE`` selects: where the
    national source tables (``national_*.csv``, the national boundaries) and NTB's tables
    are."""
    return _own_or_shipped(REFERENCE_FOLDER, "*.csv")


def notebooks_dir() -> Path:
    """The notebooks: the project's ``notebooks/`` if it has any, else the shipped ones."""
    return _own_or_shipped(NOTEBOOKS_FOLDER, "*.ipynb")


def sample_dir() -> Path:
    """Generated synthetic registries (``data/sample``, not committed)."""
    return project_root() / "data" / "sample"


def cache_dir() -> Path:
    """Pseudonymised intake results (``data/cache``, not committed; person-level, keep local)."""
    return project_root() / "data" / "cache"


def reports_dir() -> Path:
    """Generated reports (``reports/``)."""
    return project_root() / "reports"


_CHECKSUMS: dict[tuple, str] = {}


def file_version(path: str | Path) -> tuple[str, int, int, int]:
    """A file's version, cheaply: its resolved path, inode, size and modification time
    (ns). What is remembered per file version (a checksum, a loaded registry) is
    recomputed when it changes.

    Raises:
        OSError: the file cannot be read.
    """
    path = Path(path)
    stat = path.stat()
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks.

    Remembered per file version (path, inode, size, modification time in ns): a batch
    hashes each registry once although the manifest and the intake both need it.
    """
    path = Path(path)
    version = file_version(path)
    if version not in _CHECKSUMS:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _CHECKSUMS[version] = digest.hexdigest()
    return _CHECKSUMS[version]


#: Person-level caches and ledgers: readable by their owner only (like ~/.ssh).
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_folder(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) and make it ``0700``; return it.

    For folders holding person-level data (``data/cache``) or ledgers: other users of a
    shared machine can neither list nor read them.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_FOLDER_MODE)
    return path


def private_file(path: str | Path) -> Path:
    """Make an existing file ``0600`` (owner read/write only); return it."""
    path = Path(path)
    os.chmod(path, PRIVATE_FILE_MODE)
    return path


def open_private(path: str | Path, mode: str = "w", **kwargs):
    """``open`` a new file for writing created ``0600`` from the start (no readable window).

    An existing file is truncated and set to ``0600`` too. ``mode`` is ``'w'`` or ``'wb'``.
    """
    path = Path(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)
    return os.fdopen(descriptor, mode, **kwargs)


__all__ = ["PACKAGE_DIR", "PRIVATE_FILE_MODE", "PRIVATE_FOLDER_MODE", "REFERENCE_ENV",
           "REFERENCE_SETS", "base_reference_dir", "cache_dir",
           "file_sha256", "open_private", "private_file", "private_folder", "project_root",
           "reference_dir", "reports_dir", "sample_dir"]
