"""Keyed pseudonyms for NIK: HMAC-SHA256 with a secret key that never enters the repository.

The key comes from the ``CAKUPAN_KEY`` environment variable or, when that is not set, from
a per-user key file (``platformdirs.user_config_dir("cakupan")/key``) created on first use
with 32 random bytes (64 hex characters, mode 600). The same key gives the same
``person_id`` for the same NIK across registries and runs, so JKN and jamsostek persons can
be linked; without the key a ``person_id`` cannot be turned back into a NIK.

``person_id`` = the first 32 hex characters (128 bits) of HMAC-SHA256(key, NIK), where the
key is the UTF-8 bytes of the key text and NIK is the normalised 16-digit string. It is
computed inside DuckDB (:func:`sql_person_id`) for whole registries and in Python
(:func:`person_id`) for tests and single values; both give the same result.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
from pathlib import Path

from helpers.errors import ParameterError, PrivacyError

KEY_ENV = "CAKUPAN_KEY"
#: Length of ``person_id`` in hex characters (128 bits: no collision among 280 M people).
PERSON_ID_LENGTH = 32
_BLOCK_SIZE = 64  # SHA-256 block size in bytes (RFC 2104)


def key_file_path() -> Path:
    """Where the per-user key lives: ``<user config dir>/cakupan/key``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("cakupan")) / "key"


#: Shortest key accepted, in characters. A key is what keeps a person_id from being
#: turned back into a NIK by hashing every possible NIK (about 10^12 plausible values):
#: a short, guessable key would undo the pseudonymisation. The generated key has 64.
MIN_KEY_LENGTH = 32


def get_key() -> str:
    """Return the pseudonymisation key, creating the per-user key file on first use.

    Every command that reads a registry calls this before any work, so a bad key is one
    line and exit code 2 before anything is read or rendered.

    Returns:
        ``$CAKUPAN_KEY`` when set, else the content of :func:`key_file_path`.

    Raises:
        ParameterError: the key is empty or shorter than ``MIN_KEY_LENGTH`` characters;
            the key file is readable or writable by other users (like ssh, Cakupan
            refuses it: fix with ``chmod 600``), is a folder, cannot be read, or is not
            UTF-8 text.
        PrivacyError: the key file would lie inside the project checkout.
    """
    env = os.environ.get(KEY_ENV)
    if env is not None:
        if not env.strip():
            raise ParameterError(
                f"{KEY_ENV} is set but empty",
                fix=f"unset {KEY_ENV} to use the per-user key file, or set it to a long secret",
            )
        return _checked_key(env.strip(), f"{KEY_ENV} has")
    path = key_file_path()
    _refuse_key_inside_repository(path)
    if path.exists() or path.is_symlink():
        return _checked_key(_read_key_file(path), f"the key file {path} has")
    return _create_key_file(path)


def _checked_key(key: str, origin: str) -> str:
    if len(key) < MIN_KEY_LENGTH:
        raise ParameterError(
            f"{origin} {len(key)} characters; a pseudonymisation key needs at least "
            f"{MIN_KEY_LENGTH}, or the person ids could be turned back into NIKs",
            fix="use a long random secret, e.g. the output of "
                "`python -c \"import secrets; print(secrets.token_hex(32))\"`")
    return key


def _read_key_file(path: Path) -> str:
    """The key file's text, refused when it is not a private, readable UTF-8 file."""
    if path.is_dir():
        raise ParameterError("the pseudonymisation key path is a folder, not a file",
                             path=path, fix="remove the folder, or set CAKUPAN_KEY")
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise ParameterError(f"cannot read the pseudonymisation key file ({error.strerror})",
                             path=path, fix="check the file, or set CAKUPAN_KEY") from None
    if not stat.S_ISREG(mode):
        raise ParameterError("the pseudonymisation key path is not a regular file",
                             path=path, fix="point it at a key file, or set CAKUPAN_KEY")
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise ParameterError(
            f"the pseudonymisation key file is accessible by other users "
            f"(permissions {stat.S_IMODE(mode):04o})", path=path,
            fix=f"run `chmod 600 {path}` so that only you can read it")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParameterError(f"cannot read the pseudonymisation key file ({error.strerror})",
                             path=path, fix="check its owner and permissions, or set "
                                            "CAKUPAN_KEY") from None
    try:
        key = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ParameterError("the pseudonymisation key file is not UTF-8 text", path=path,
                             fix="restore the key file from your backup (person ids depend "
                                 "on it), or delete it to create a new key") from None
    if not key:
        raise ParameterError(
            "the pseudonymisation key file is empty",
            path=path,
            fix="delete it to create a new key (person_ids will change) or restore it",
        )
    return key


def _create_key_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    print(
        f"cakupan: created a new pseudonymisation key in {path} (keep it secret, back it up, "
        f"never commit it; set {KEY_ENV} to use another key)",
        file=sys.stderr,
    )
    return key


def _refuse_key_inside_repository(path: Path) -> None:
    from helpers.paths import find_project_root, is_checkout, source_checkout

    checkouts = {root.resolve() for root in (find_project_root(), source_checkout())
                 if root is not None and is_checkout(root)}
    if any(path.resolve().is_relative_to(root) for root in checkouts):
        raise PrivacyError(
            "the key file would be created inside the project checkout",
            path=path,
            fix=f"set {KEY_ENV} or XDG_CONFIG_HOME to a directory outside the repository",
        )


def key_fingerprint(key: str) -> str:
    """Short public identifier of a key (8 hex characters); never reveals the key itself."""
    return hashlib.sha256(b"cakupan-key-fingerprint:" + key.encode("utf-8")).hexdigest()[:8]


def person_id(nik: str, key: str) -> str:
    """Pseudonym of one normalised NIK: the first 32 hex characters of HMAC-SHA256(key, nik)."""
    digest = hmac.new(key.encode("utf-8"), nik.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PERSON_ID_LENGTH]


def _hmac_pads(key: str) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8")
    if len(raw) > _BLOCK_SIZE:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK_SIZE, b"\0")
    inner = bytes(byte ^ 0x36 for byte in raw)
    outer = bytes(byte ^ 0x5C for byte in raw)
    return inner, outer


def _blob_literal(data: bytes) -> str:
    return "unhex('" + data.hex() + "')"


def sql_person_id(nik: str, key: str) -> str:
    """DuckDB expression computing :func:`person_id` of the VARCHAR expression ``nik``.

    HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104), with DuckDB's ``sha256``
    over BLOBs. The padded key enters the query as a literal: the query text is secret too,
    so it is never logged or written to disk.
    """
    inner, outer = _hmac_pads(key)
    inner_hash = f"unhex(sha256({_blob_literal(inner)} || encode({nik})))"
    return f"substr(sha256({_blob_literal(outer)} || {inner_hash}), 1, {PERSON_ID_LENGTH})"


__all__ = [
    "KEY_ENV",
    "MIN_KEY_LENGTH",
    "PERSON_ID_LENGTH",
    "get_key",
    "key_file_path",
    "key_fingerprint",
    "person_id",
    "sql_person_id",
]
