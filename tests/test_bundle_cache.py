"""The report cache: JSON with a checksum, never pickle; damaged entries are rebuilt."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import stat
import time

import numpy as np
import pandas as pd
import pytest

from helpers.report import bundle_cache


def a_bundle() -> dict:
    """A bundle with every kind of value the report layer caches."""
    return {
        "indicators": pd.DataFrame({
            "region_code": pd.Series(["52.01", "52.02"], dtype="str"),
            "value": pd.Series([0.41, "madya"], dtype=object),
            "numerator": [np.nan, 3.0],
            "flag": pd.Series(["", None], dtype="string"),
        }),
        "trend": pd.DataFrame({"month_end": [dt.date(2024, 1, 31), dt.date(2024, 2, 29)],
                               "members": np.array([5, 0], dtype="int64"),
                               "share": [float("inf"), 0.5],
                               "ok": [True, False]}),
        "empty": pd.DataFrame({"reason": pd.Series([], dtype="string"),
                               "rows": pd.Series([], dtype="int64")}),
        "labelled": pd.DataFrame({"x": [1, 2]}, index=["a", "b"]),
        "nested": {"rows_read": np.int64(12), "when": dt.date(2024, 12, 31),
                   "seconds": 1.25, "codes": ["52.01", "52.02"], "none": None,
                   "by_reason": {"invalid_nik": 3}},
        "scorecard": {"unavailable": "no assessed scores for 2022"},
    }


def assert_same(result, expected, where="bundle"):
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(result, expected, check_exact=True)
    elif isinstance(expected, dict):
        assert result.keys() == expected.keys(), where
        for key in expected:
            assert_same(result[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, np.integer):  # numpy integers come back as int
        assert result == int(expected) and isinstance(result, (int, np.integer)), where
    else:
        assert result == expected and type(result) is type(expected), where


def test_round_trip_keeps_values_and_dtypes(tmp_path):
    path = tmp_path / "52-abc.json"
    bundle_cache.write_entry(path, a_bundle(), "code1")
    assert_same(bundle_cache.read_entry(path), a_bundle())


def test_entries_are_private_files_in_a_private_folder(tmp_path):
    folder = tmp_path / "reports"
    bundle_cache.load_or_compute(folder, "52-abc", "code1", a_bundle)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "52-abc.json").stat().st_mode) == 0o600


def test_second_load_reads_the_entry_without_computing(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return a_bundle()

    first = bundle_cache.load_or_compute(tmp_path, "52-abc", "code1", compute)
    second = bundle_cache.load_or_compute(tmp_path, "52-abc", "code1", compute)
    assert len(calls) == 1
    assert_same(second, first)


class Planted:
    """Unpickling this object writes a file: proof that a pickle was executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_planted_pickle_is_never_executed_and_is_removed(tmp_path):
    marker = tmp_path / "executed"
    planted = tmp_path / "cache" / "52-abc.pkl"
    planted.parent.mkdir()
    planted.write_bytes(pickle.dumps(Planted(marker)))
    # and a "JSON" entry with the same name whose payload tries to smuggle a pickle
    (tmp_path / "cache" / "52-abc.json").write_text(json.dumps(
        {"format": "cakupan-bundle", "version": bundle_cache.VERSION, "code": "code1",
         "sha256": "0" * 64, "payload": pickle.dumps(Planted(marker)).hex()}))
    result = bundle_cache.load_or_compute(tmp_path / "cache", "52-abc", "code1", a_bundle)
    assert_same(result, a_bundle())
    assert not marker.exists()
    assert not planted.exists()


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                       # truncated
    lambda text: text.replace('"52.02"', '"52.03"', 1),        # edited figure
    lambda text: "",                                           # empty
    lambda text: "\x00\x01 not json",                          # garbage
    lambda text: text.replace('"cakupan-bundle"', '"other"'),  # another format
    lambda text: text.replace('"int64"', '"category"', 1).replace(
        '"sha256": "', '"sha256": "x', 1),                     # unknown dtype, bad sum
])
def test_a_damaged_entry_is_discarded_and_rebuilt_with_one_line(tmp_path, capsys, damage):
    bundle_cache.load_or_compute(tmp_path, "52-abc", "code1", a_bundle)
    path = tmp_path / "52-abc.json"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    calls = []

    def compute():
        calls.append(1)
        return a_bundle()

    result = bundle_cache.load_or_compute(tmp_path, "52-abc", "code1", compute)
    assert calls == [1]
    assert_same(result, a_bundle())
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "discarded a damaged report cache entry 52-abc.json" in lines[0]
    assert_same(bundle_cache.read_entry(path), a_bundle())  # rebuilt on disk


def test_a_checksum_mismatch_is_detected(tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"format": "cakupan-bundle", "version": bundle_cache.VERSION,
                                "code": "c", "sha256": "0" * 64,
                                "payload": bundle_cache.encode({"x": 1})}))
    with pytest.raises(bundle_cache.DamagedEntry, match="checksum"):
        bundle_cache.read_entry(path)


def test_writing_prunes_other_code_versions_and_unused_entries(tmp_path):
    bundle_cache.load_or_compute(tmp_path, "52-old", "code0", a_bundle)
    bundle_cache.load_or_compute(tmp_path, "35-in-use", "code0", a_bundle)
    bundle_cache.load_or_compute(tmp_path, "52-other-period", "code1", a_bundle)
    bundle_cache.load_or_compute(tmp_path, "53-unused", "code1", a_bundle)
    long_ago = time.time() - (bundle_cache.PRUNE_AFTER_DAYS + 1) * 86_400
    os.utime(tmp_path / "53-unused.json", (long_ago, long_ago))
    an_hour_ago = time.time() - bundle_cache.OTHER_CODE_UNUSED_SECONDS - 60
    os.utime(tmp_path / "52-old.json", (an_hour_ago, an_hour_ago))
    bundle_cache.load_or_compute(tmp_path, "52-new", "code1", a_bundle)
    left = sorted(p.name for p in tmp_path.glob("*.json"))
    # another code version's entry used within the hour (another batch, e.g. on the
    # national reference set, may be reading it) is kept
    assert left == ["35-in-use.json", "52-new.json", "52-other-period.json"]


def test_an_entry_pruned_by_another_process_while_read_is_still_returned(tmp_path,
                                                                         monkeypatch):
    bundle_cache.load_or_compute(tmp_path, "52-x", "code1", a_bundle)
    read = bundle_cache.read_entry

    def read_then_vanish(path):
        bundle = read(path)
        path.unlink()  # another process prunes it between our read and our touch
        return bundle

    monkeypatch.setattr(bundle_cache, "read_entry", read_then_vanish)
    computed = []
    bundle = bundle_cache.load_or_compute(tmp_path, "52-x", "code1",
                                          lambda: computed.append(1) or a_bundle())
    assert not computed and set(bundle) == set(a_bundle())
    pd.testing.assert_frame_equal(bundle["indicators"], a_bundle()["indicators"])


def test_values_that_are_not_plain_data_are_refused():
    with pytest.raises(TypeError, match="cannot cache a value of type"):
        bundle_cache.encode({"x": object()})
    with pytest.raises(TypeError, match="dtype category"):
        bundle_cache.encode({"x": pd.DataFrame({"c": pd.Categorical(["a"])})})
