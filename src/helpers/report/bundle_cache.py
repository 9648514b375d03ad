"""The report cache on disk: province bundles (aggregates) as checksummed JSON, never pickle.

A province bundle (:func:`helpers.report.report_data.province_bundle`) is a tree of dicts, lists,
numbers, text, dates and small pandas frames of aggregates. It is stored as one JSON file
``data/cache/reports/<province>-<key>.json``::

    {"format": "cakupan-bundle", "version": 2, "code": "<code fingerprint>",
     "sha256": "<SHA-256 of the canonical payload>", "payload": {...}}

Reading a cache entry never runs code (no pickle): JSON is data only, and a frame is
rebuilt from its column values and dtype names (only the plain dtypes listed in
``_DTYPES`` are accepted). An entry that does not parse, has another format or version,
or whose payload does not match its checksum (a truncated or edited file) is discarded
and rebuilt, with one line on stderr.

The folder is private (``0700``) and every entry ``0600`` (the bundle holds only
aggregates, but small counts before suppression are among them). When an entry is
written, entries made by other code versions, and entries not used for
``PRUNE_AFTER_DAYS``, are deleted (those of other code versions once unused for an hour:
another batch, e.g. on the national reference set, may be reading them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.locking import file_lock
from helpers.paths import open_private, private_folder

FORMAT = "cakupan-bundle"
#: Bump when the layout of the file changes.
VERSION = 2
#: Entries not read or written for this long are deleted when another entry is written.
PRUNE_AFTER_DAYS = 30
#: Entries of another code version (other code, or another reference set such as the
#: national one) are deleted once unused for this long, not at once: another batch may be
#: reading them now (the NTB reports and the national batch run side by side).
OTHER_CODE_UNUSED_SECONDS = 3600
#: dtype names a cached frame may declare, and how a column of that dtype is rebuilt.
_DTYPES = {"int64", "float64", "bool", "object", "string", "str", "datetime64[ns]",
           "datetime64[us]", "Int64", "boolean"}


class DamagedEntry(ValueError):
    """A cache entry that cannot be trusted (truncated, edited, other format)."""


# =========================================================================== public


def load_or_compute(folder: Path, name: str, code: str,
                    compute: Callable[[], dict]) -> dict:
    """The bundle stored as ``folder/<name>.json``, or ``compute()`` stored there first.

    Args:
        folder: the cache folder (created ``0700``).
        name: the entry's file stem (province and key).
        code: fingerprint of the code that computes the bundle; entries of other
            fingerprints are pruned when this one is written.
        compute: makes the bundle when there is no good entry.

    Returns:
        The bundle (read back from JSON or freshly computed).
    """
    folder = private_folder(folder)
    path = folder / f"{name}.json"
    with file_lock(folder / f"{name}.lock"):
        if path.exists():
            try:
                bundle = read_entry(path)
                _touch(path)  # used now: not pruned as unused
                return bundle
            except DamagedEntry as error:
                print(f"cakupan: discarded a damaged report cache entry {path.name} "
                      f"({error}); computing it again", file=sys.stderr, flush=True)
                path.unlink(missing_ok=True)
        bundle = compute()
        write_entry(path, bundle, code)
    prune(folder, code, keep=path)
    return bundle


def write_entry(path: Path, bundle: dict, code: str) -> None:
    """Write ``bundle`` to ``path`` atomically (``0600``)."""
    payload = encode(bundle)
    document = {"format": FORMAT, "version": VERSION, "code": code,
                "sha256": _payload_sha256(payload), "payload": payload}
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open_private(partial, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, allow_nan=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read_entry(path: Path) -> dict:
    """Read and verify an entry.

    Raises:
        DamagedEntry: unreadable, not this format or version, checksum mismatch, or a
            value that is not a plain cached value.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedEntry(f"unreadable: {type(error).__name__}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DamagedEntry("not a Cakupan report cache file")
    if document.get("version") != VERSION:
        raise DamagedEntry(f"cache version {document.get('version')!r}, expected {VERSION}")
    payload = document.get("payload")
    if _payload_sha256(payload) != document.get("sha256"):
        raise DamagedEntry("checksum does not match its content")
    try:
        return decode(payload)
    except (KeyError, TypeError, ValueError) as error:
        raise DamagedEntry(f"undecodable value ({type(error).__name__})") from None


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except FileNotFoundError:  # pruned by another process after we read it: we have it
        pass


def prune(folder: Path, code: str, *, keep: Path | None = None) -> list[Path]:
    """Delete entries unused for PRUNE_AFTER_DAYS, and entries of other code versions
    unused for OTHER_CODE_UNUSED_SECONDS.

    Returns:
        The files deleted.
    """
    deleted = []
    now = time.time()
    cutoff = now - PRUNE_AFTER_DAYS * 86_400
    for path in Path(folder).glob("*.json"):
        if keep is not None and path == keep:
            continue
        try:
            used = path.stat().st_mtime
            stale = used < cutoff or (used < now - OTHER_CODE_UNUSED_SECONDS
                                      and _entry_code(path) != code)
        except OSError:
            continue
        if stale:
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
            deleted.append(path)
    for path in Path(folder).glob("*.pkl"):  # caches of versions that used pickle
        path.unlink(missing_ok=True)
        deleted.append(path)
    return deleted


# =========================================================================== codec


def encode(value):
    """A bundle as plain JSON values (frames, dates and numpy scalars tagged)."""
    if isinstance(value, pd.DataFrame):
        return {"__frame__": _encode_frame(value)}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("bundle dicts must have text keys")
        return {"__dict__": {key: encode(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    return _encode_scalar(value)


def decode(value):
    """The inverse of :func:`encode`."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if "__frame__" in value:
            return _decode_frame(value["__frame__"])
        if "__dict__" in value:
            return {key: decode(item) for key, item in value["__dict__"].items()}
        return _decode_scalar(value)
    return value


def _encode_scalar(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return {"__float__": repr(value)} if not math.isfinite(value) else value
    if value is pd.NA:
        return {"__na__": True}
    if isinstance(value, pd.Timestamp):
        return {"__timestamp__": value.isoformat()}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(f"cannot cache a value of type {type(value).__name__}")


def _decode_scalar(value: dict):
    if "__float__" in value:
        return float(value["__float__"])
    if "__na__" in value:
        return pd.NA
    if "__timestamp__" in value:
        return pd.Timestamp(value["__timestamp__"])
    if "__datetime__" in value:
        return dt.datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return dt.date.fromisoformat(value["__date__"])
    raise ValueError("unknown tagged value")


def _encode_frame(frame: pd.DataFrame) -> dict:
    columns = []
    for name in frame.columns:
        if not isinstance(name, str):
            raise TypeError("cached frames must have text column names")
        series = frame[name]
        dtype = str(series.dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"cannot cache column {name!r} of dtype {dtype}")
        values = [_encode_scalar(None if _is_missing(v) and dtype != "object" else v)
                  for v in series.tolist()]
        columns.append({"name": name, "dtype": dtype, "values": values})
    index = frame.index
    plain_index = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    return {"columns": columns, "length": len(frame),
            "index": None if plain_index else [_encode_scalar(v) for v in index.tolist()],
            "attrs": encode(dict(frame.attrs)) if frame.attrs else None}


def _decode_frame(data: dict) -> pd.DataFrame:
    length = int(data["length"])
    series = {}
    for column in data["columns"]:
        dtype = column["dtype"]
        if dtype not in _DTYPES:
            raise ValueError(f"dtype {dtype!r} is not allowed in the cache")
        values = [decode(v) for v in column["values"]]
        if len(values) != length:
            raise ValueError("column length differs from the frame's")
        if dtype == "object":
            series[column["name"]] = pd.Series(values, dtype=object)
        elif dtype == "float64":
            series[column["name"]] = pd.Series([np.nan if v is None else v for v in values],
                                               dtype="float64")
        else:
            series[column["name"]] = pd.Series(values).astype(dtype)
    frame = pd.DataFrame(series, index=pd.RangeIndex(length))
    if not data["columns"]:
        frame = pd.DataFrame(index=pd.RangeIndex(length))
    if data.get("index") is not None:
        frame.index = pd.Index([decode(v) for v in data["index"]])
    if data.get("attrs"):
        frame.attrs.update(decode(data["attrs"]))
    return frame


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _payload_sha256(payload) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry_code(path: Path) -> str | None:
    """The code fingerprint an entry was written by (read from its first bytes)."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        head = handle.read(512)
    marker = '"code": "'
    start = head.find(marker)
    if start < 0:
        return None
    end = head.find('"', start + len(marker))
    return head[start + len(marker):end] if end > 0 else None


__all__ = [
    "PRUNE_AFTER_DAYS",
    "DamagedEntry",
    "decode",
    "encode",
    "load_or_compute",
    "prune",
    "read_entry",
    "write_entry",
]
