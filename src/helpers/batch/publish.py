"""Atomic publication of a report: render into a staging folder, then move it into place.

A run never writes into ``reports/<period>/<region>/`` directly. The notebook and the
HTML export write into ``reports/.staging/<name>/``; only a run that finished is
*committed*:

1. every published name is checked: a file there that Cakupan did not write (the caller
   decides, from the manifest) stops the commit before anything moves; the caller then
   records the new names as Cakupan's (``claim``) before they exist;
2. a commit record ``.commit.json`` (target folder and file list) is written into the
   staging folder, atomically (write + rename): from then on the staging folder is
   complete and the commit can only go forward;
3. each file is moved over its published name with ``os.replace`` (atomic per file,
   same file system), the HTML page last;
4. the staging folder is removed.

A run killed while rendering leaves only a staging folder without a commit record, and
the previous good report untouched. A process killed *during* the commit (a few renames,
milliseconds; the batch's SIGINT/SIGTERM handler only sets a flag, so only SIGKILL or a
power cut can do it) leaves a commit record; :func:`recover`, run at the start of every batch,
finishes such commits and deletes staging folders that never completed. It only touches
folders named as :func:`new_staging` names them, inside the reports folder's own
``.staging``, and only finishes commits whose target lies inside the reports folder.

Files of the other language (``index.en.html`` beside ``index.html``) and the other
reports of the period are never touched: a commit only replaces the files its run wrote.
A write that fails (disk full, read-only file system) leaves no ``.partial`` file behind.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from helpers.batch.layout import STAGING
from helpers.errors import ReportError
from helpers.paths import file_sha256

#: The commit record inside a staging folder.
COMMIT_RECORD = ".commit.json"
#: Names :func:`new_staging` gives: ``<name>-<pid>-<8 hex>``. Nothing else is removed.
STAGING_NAME = re.compile(r"[A-Za-z0-9_-]*-\d+-[0-9a-f]{8}")
#: errno values that mean the disk (or the user's quota) is full.
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class InTheWayError(ReportError):
    """A file Cakupan did not write sits where a report file would be published."""


def describe_os_error(error: OSError, path: str | Path | None = None) -> str:
    """What a failed write means, in words, naming the path (never the file's content).

    Args:
        error: the error of the write, rename or folder creation.
        path: the path to name (default: the error's own file name).

    Returns:
        e.g. ``no space left on reports/2024/52.02 (disk full)`` or
        ``cannot write to reports (read-only file system)``.
    """
    where = path if path is not None else (error.filename or "the reports folder")
    if error.errno in NO_SPACE:
        reason = "disk quota exceeded" if error.errno == errno.EDQUOT else "disk full"
        return f"no space left on {where} ({reason})"
    if error.errno == errno.EROFS:
        return f"cannot write to {where} (read-only file system)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write to {where} (permission denied)"
    reason = error.strerror or type(error).__name__
    return f"cannot write to {where} ({reason[0].lower() + reason[1:]})"


def new_staging(root: Path, name: str) -> Path:
    """A new, empty staging folder for one run attempt under ``root/.staging``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    folder = Path(root) / STAGING / f"{safe}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


def is_staging(folder: Path) -> bool:
    """True for a folder :func:`new_staging` made: inside ``.staging``, named as it names."""
    folder = Path(folder)
    return folder.parent.name == STAGING and STAGING_NAME.fullmatch(folder.name) is not None


def staged_files(staging: Path) -> list[str]:
    """Files of a staging folder (relative, POSIX), HTML pages last, the record excluded."""
    staging = Path(staging)
    files = [p.relative_to(staging).as_posix() for p in staging.rglob("*")
             if p.is_file() and p.name != COMMIT_RECORD and not p.name.endswith(".partial")]
    return sorted(files, key=lambda name: (name.endswith(".html"), name))


def in_the_way(target: Path, files: list[str],
               may_replace: Callable[[Path], bool]) -> Path | None:
    """The first path under ``target`` that publishing ``files`` would replace or write
    through although Cakupan did not write it; None when the way is clear.

    A file that exists is in the way unless ``may_replace`` says it is Cakupan's; a folder
    on the way (``tables/``) must be a real folder, not a file or a symbolic link.
    """
    target = Path(target)
    for name in files:
        parts = Path(name).parts
        for depth in range(1, len(parts)):
            folder = target.joinpath(*parts[:depth])
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return folder
        destination = target / name
        if os.path.lexists(destination) and (destination.is_dir()
                                             or not may_replace(destination)):
            return destination
    return None


def commit(staging: Path, target: Path, *, may_replace: Callable[[Path], bool],
           claim: Callable[[Path, list[str]], None] | None = None) -> dict[str, str]:
    """Move a finished run's files from ``staging`` into ``target``; remove ``staging``.

    Args:
        staging: the run's staging folder.
        target: the report's published folder.
        may_replace: whether an existing file is Cakupan's to replace (the manifest says).
        claim: called with ``target`` and the file names before anything moves, so the
            caller records them as Cakupan's first; an error it raises stops the commit.

    Returns:
        The published files (relative to ``target``) and their SHA-256.

    Raises:
        InTheWayError: a file Cakupan did not write is where a file would go; nothing
            moved.
        OSError: the commit record could not be written (nothing moved; no ``.partial``
            left) or a move failed (the record stays: the next batch finishes the commit).
    """
    staging, target = Path(staging), Path(target)
    files = staged_files(staging)
    blocking = in_the_way(target, files, may_replace)
    if blocking is not None:
        raise InTheWayError(
            "a file Cakupan did not write is where the report would be published, and "
            "Cakupan never replaces files it did not write", path=blocking,
            fix="move it out of the reports folder, then run the same command again")
    checksums = {name: file_sha256(staging / name) for name in files}
    if claim is not None:
        claim(target, files)
    _write_atomically(staging / COMMIT_RECORD,
                      json.dumps({"target": str(target.resolve()), "files": files}))
    _move_files(staging, target, files)  # from here on the commit goes forward
    shutil.rmtree(staging, ignore_errors=True)
    return checksums


def _move_files(staging: Path, target: Path, files: list[str]) -> None:
    for name in files:
        source = staging / name
        if not source.exists():  # already moved by an interrupted commit
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)


def discard(staging: Path | None) -> None:
    """Remove a staging folder that will not be committed (failed or interrupted run).

    Only a folder :func:`new_staging` made is removed; anything else is left alone.
    """
    if staging is not None and is_staging(Path(staging)):
        shutil.rmtree(staging, ignore_errors=True)


def recover(root: Path, *, finish: bool = True,
            claim: Callable[[Path, list[str]], None] | None = None) -> list[str]:
    """Finish interrupted commits and delete incomplete staging folders under ``root``.

    Only call it while holding the batch lock of ``root`` (no other batch is rendering).
    Only folders named as :func:`new_staging` names them are touched; only commits whose
    target is inside ``root`` are finished. A commit that cannot be finished (disk full)
    keeps its staging folder, so the next batch can finish it.

    Args:
        root: the reports folder.
        finish: False leaves staging folders with a commit record in place (a commit
            of this batch that failed half-way: the next batch finishes it).
        claim: called with the target folder and file names of a commit before it is
            finished (the batch records them as Cakupan's).

    Returns:
        One line per folder dealt with (what the batch prints).
    """
    root = Path(root)
    base = root / STAGING
    messages: list[str] = []
    if not base.is_dir() or base.is_symlink():
        return messages
    for staging in sorted(base.iterdir()):
        if not (staging.is_dir() and not staging.is_symlink() and is_staging(staging)):
            messages.append(f"left {staging} alone: not a folder Cakupan made")
            continue
        record = staging / COMMIT_RECORD
        if record.is_file():
            if not finish:
                continue
            message = _finish_commit(root, staging, record, claim)
            messages.append(message)
            if message.startswith("could not finish"):
                continue  # kept: the next batch tries again
        else:
            messages.append(f"removed the unfinished run {staging.name}")
        shutil.rmtree(staging, ignore_errors=True)
    try:
        base.rmdir()
    except OSError:
        pass  # not empty: a commit kept for the next batch, or something not ours
    return messages


def _finish_commit(root: Path, staging: Path, record: Path, claim) -> str:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        target, files = Path(data["target"]), data["files"]
        if not isinstance(files, list) or not all(isinstance(n, str) for n in files):
            raise TypeError("files is not a list of names")
    except (OSError, ValueError, KeyError, TypeError) as error:
        return (f"discarded the commit in {staging.name}: its record cannot be read "
                f"({type(error).__name__}); its report will be rendered again")
    if not target.resolve().is_relative_to(root.resolve()) or any(
            Path(name).is_absolute() or ".." in Path(name).parts for name in files):
        return (f"discarded the commit in {staging.name}: it points outside {root}; "
                "its report will be rendered again")
    try:
        if claim is not None:
            claim(target, files)
        _move_files(staging, target, files)
    except OSError as error:
        return (f"could not finish the commit into {target} "
                f"({describe_os_error(error, target)}); kept for the next batch")
    return f"finished an interrupted commit into {target}"


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file so that a reader sees the old or the new content, never a part.

    Raises:
        OSError: the write failed (disk full, read-only); the old file is unchanged, no
            ``.partial`` file is left, and the error names ``path``.
    """
    _write_atomically(Path(path), text)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
    try:
        _write_new_file(partial, text)
        os.replace(partial, path)
    except OSError as error:
        _remove_quietly(partial)
        raise OSError(error.errno, error.strerror, str(path)) from None


def _write_new_file(path: Path, text: str) -> None:
    """Create ``path`` (it must not exist) holding ``text`` (UTF-8)."""
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # the write failed already; that is the error to report


def intact(folder: Path, checksums: dict[str, str]) -> bool:
    """True when every file of ``checksums`` exists in ``folder`` with that SHA-256."""
    folder = Path(folder)
    for name, sha in checksums.items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != sha:
            return False
    return bool(checksums)


__all__ = ["COMMIT_RECORD", "NO_SPACE", "STAGING_NAME", "InTheWayError", "atomic_write_text",
           "commit", "describe_os_error", "discard", "file_sha256", "in_the_way", "intact",
           "is_staging", "new_staging", "recover", "staged_files"]
