"""Atomic publication of a report: render into a staging folder, then move it into place.

A run never writes into ``reports/<period>/<region>/`` directly. The notebook and the
HTML export write into ``reports/.staging/<name>/``; only a run that finished is
*committed*:

1. a commit record ``.commit.json`` (target folder and file list) is written into the
   staging folder, atomically (write + rename): from then on the staging folder is
   complete and the commit can only go forward;
2. each file is moved over its published name with ``os.replace`` (atomic per file,
   same file system), the HTML page last;
3. the staging folder is removed.

A run killed while rendering leaves only a staging folder without a commit record, and
the previous good report untouched. A process killed *during* the commit (a few renames,
milliseconds; the batch's SIGINT/SIGTERM handler only sets a flag, so only SIGKILL or a
power cut can do it) leaves a commit record; :func:`recover`, run at the start of every batch,
finishes such commits and deletes staging folders that never completed.

Files of the other language (``index.en.html`` beside ``index.html``) and the other
reports of the period are never touched: a commit only replaces the files its run wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from helpers.paths import file_sha256

#: Folder under the reports root where runs render before they are committed.
STAGING = ".staging"
#: The commit record inside a staging folder.
COMMIT_RECORD = ".commit.json"


def new_staging(root: Path, name: str) -> Path:
    """A new, empty staging folder for one run attempt under ``root/.staging``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    folder = Path(root) / STAGING / f"{safe}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


def staged_files(staging: Path) -> list[str]:
    """Files of a staging folder (relative, POSIX), HTML pages last, the record excluded."""
    staging = Path(staging)
    files = [p.relative_to(staging).as_posix() for p in staging.rglob("*")
             if p.is_file() and p.name != COMMIT_RECORD and not p.name.endswith(".partial")]
    return sorted(files, key=lambda name: (name.endswith(".html"), name))


def commit(staging: Path, target: Path) -> dict[str, str]:
    """Move a finished run's files from ``staging`` into ``target``; remove ``staging``.

    Returns:
        The published files (relative to ``target``) and their SHA-256.
    """
    staging, target = Path(staging), Path(target)
    files = staged_files(staging)
    checksums = {name: file_sha256(staging / name) for name in files}
    record = staging / COMMIT_RECORD
    partial = staging / (COMMIT_RECORD + ".partial")
    partial.write_text(json.dumps({"target": str(target.resolve()), "files": files}),
                       encoding="utf-8")
    os.replace(partial, record)  # from here on the commit goes forward
    _move_files(staging, target, files)
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
    """Remove a staging folder that will not be committed (failed or interrupted run)."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)


def recover(root: Path) -> list[str]:
    """Finish interrupted commits and delete incomplete staging folders under ``root``.

    Only call it while holding the batch lock of ``root`` (no other batch is rendering).

    Returns:
        One line per folder dealt with (what the batch prints).
    """
    base = Path(root) / STAGING
    messages = []
    if not base.is_dir():
        return messages
    for staging in sorted(p for p in base.iterdir() if p.is_dir()):
        record = staging / COMMIT_RECORD
        if record.is_file():
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
                _move_files(staging, Path(data["target"]), list(data["files"]))
                messages.append(f"finished an interrupted commit into {data['target']}")
            except (OSError, ValueError, KeyError) as error:
                messages.append(f"could not finish the commit in {staging.name} ({error}); "
                                "its report will be rendered again")
        else:
            messages.append(f"removed the unfinished run {staging.name}")
        shutil.rmtree(staging, ignore_errors=True)
    try:
        base.rmdir()
    except OSError:
        pass
    return messages


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file so that a reader sees the old or the new content, never a part."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def intact(folder: Path, checksums: dict[str, str]) -> bool:
    """True when every file of ``checksums`` exists in ``folder`` with that SHA-256."""
    folder = Path(folder)
    for name, sha in checksums.items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != sha:
            return False
    return bool(checksums)


__all__ = ["STAGING", "COMMIT_RECORD", "new_staging", "staged_files", "commit", "discard",
           "recover", "atomic_write_text", "file_sha256", "intact"]
