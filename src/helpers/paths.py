"""Where the project keeps its data, reports and caches; the checksum of a file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project root: ``$CAKUPAN_HOME`` if set, else the checkout holding ``src/``."""
    env = os.environ.get("CAKUPAN_HOME")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parent.parent
    if (candidate / "data" / "reference").is_dir():
        return candidate
    return Path.cwd()


def reference_dir() -> Path:
    """Committed reference tables (``data/reference``)."""
    return project_root() / "data" / "reference"


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


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks.

    Remembered per file version (path, inode, size, modification time in ns): a batch
    hashes each registry once although the manifest and the intake both need it.
    """
    path = Path(path)
    stat = path.stat()
    version = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
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


__all__ = ["PACKAGE_DIR", "PRIVATE_FILE_MODE", "PRIVATE_FOLDER_MODE", "cache_dir",
           "file_sha256", "open_private", "private_file", "private_folder", "project_root",
           "reference_dir", "reports_dir", "sample_dir"]
