"""Where the project keeps its data, reports and caches."""

from __future__ import annotations

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
