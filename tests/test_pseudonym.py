"""Keyed pseudonyms: the key's origin, and HMAC in Python = HMAC in DuckDB."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import pseudonym
from helpers.errors import ParameterError, PrivacyError
from helpers.paths import project_root


def test_person_id_is_hmac_sha256_prefix():
    expected = hmac.new(b"secret", b"5202010101900001", hashlib.sha256).hexdigest()[:32]
    assert pseudonym.person_id("5202010101900001", "secret") == expected


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=100), st.lists(st.text(max_size=20), min_size=1,
                                                   max_size=10))
def test_duckdb_person_id_equals_python(key, niks):
    rows = duckdb.execute(
        f"SELECT v, {pseudonym.sql_person_id('v', key)} FROM (SELECT unnest(?::VARCHAR[]) AS v)",
        [niks]).fetchall()
    assert rows == [(value, pseudonym.person_id(value, key)) for value in niks]


def test_different_keys_give_unrelated_ids():
    assert pseudonym.person_id("5202010101900001", "a") != pseudonym.person_id(
        "5202010101900001", "b")


def test_fingerprint_is_short_and_hides_the_key():
    key = "a" * 64
    fingerprint = pseudonym.key_fingerprint(key)
    assert len(fingerprint) == 8 and fingerprint not in key


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", "from-env-" + "k" * 32)
    assert pseudonym.get_key() == "from-env-" + "k" * 32


@pytest.mark.parametrize("key", ["abc", "x" * 31])
def test_short_environment_key_is_refused(monkeypatch, key):
    monkeypatch.setenv("CAKUPAN_KEY", key)
    with pytest.raises(ParameterError, match=f"CAKUPAN_KEY has {len(key)} characters; .* "
                                             "at least 32") as raised:
        pseudonym.get_key()
    assert key not in str(raised.value)  # the key itself is never printed


def _key_file(monkeypatch, tmp_path) -> os.PathLike:
    monkeypatch.delenv("CAKUPAN_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = pseudonym.key_file_path()
    path.parent.mkdir(parents=True)
    return path


def test_key_file_readable_by_others_is_refused_with_the_chmod_fix(monkeypatch, tmp_path):
    path = _key_file(monkeypatch, tmp_path)
    path.write_text("k" * 64 + "\n")
    os.chmod(path, 0o644)
    with pytest.raises(ParameterError, match=r"accessible by other users \(permissions 0644\)"
                                             r".*chmod 600"):
        pseudonym.get_key()
    os.chmod(path, 0o600)
    assert pseudonym.get_key() == "k" * 64


@pytest.mark.parametrize(("make", "message"), [
    (lambda path: path.mkdir(), "is a folder"),
    (lambda path: (path.write_bytes(b"\xff\xfe" + b"k" * 40), os.chmod(path, 0o600)),
     "not UTF-8"),
    (lambda path: (path.write_text("short"), os.chmod(path, 0o600)), "has 5 characters"),
    (lambda path: (path.write_text(""), os.chmod(path, 0o600)), "is empty"),
    (lambda path: path.symlink_to(path.parent / "missing"), "cannot read"),
])
def test_bad_key_files_give_one_line(monkeypatch, tmp_path, make, message):
    path = _key_file(monkeypatch, tmp_path)
    make(path)
    with pytest.raises(ParameterError, match=message) as raised:
        pseudonym.get_key()
    assert "\n" not in str(raised.value)


def test_empty_environment_key_is_refused(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", " ")
    with pytest.raises(ParameterError, match="CAKUPAN_KEY is set but empty"):
        pseudonym.get_key()


def test_key_file_created_once_with_message(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("CAKUPAN_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    first = pseudonym.get_key()
    path = pseudonym.key_file_path()
    assert path.is_relative_to(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) == 64 and int(first, 16) >= 0
    message = capsys.readouterr().err
    assert str(path) in message and "never commit" in message
    assert pseudonym.get_key() == first
    assert capsys.readouterr().err == ""


def test_key_file_inside_the_repository_is_refused(monkeypatch):
    monkeypatch.delenv("CAKUPAN_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(project_root() / "not-here"))
    with pytest.raises(PrivacyError, match="inside the project checkout"):
        pseudonym.get_key()
    assert not (project_root() / "not-here").exists()
