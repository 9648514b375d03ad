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
