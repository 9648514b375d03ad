"""An exclusive file lock: report workers compute a shared cache once; one batch per folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from helpers.paths import PRIVATE_FILE_MODE


@contextlib.contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created ``0600`` if missing) for the ``with`` block.

    POSIX only (fcntl); elsewhere it does not lock, and the worst case is a cache
    computed twice.

    Args:
        path: the lock file.
        wait: wait for the lock; False raises ``BlockingIOError`` at once when another
            process holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    # Created owner-only (0600): lock files sit beside private caches.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["file_lock"]
