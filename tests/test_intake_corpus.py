"""Each malformed registry of tests/corpus gets the outcome expected.csv names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from helpers import errors, intake

CORPUS = Path(__file__).parent / "corpus"
NTB_REGION_CODES = {"52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08",
                    "52.71", "52.72"}
CASES = list(csv.DictReader((CORPUS / "expected.csv").read_text(encoding="utf-8").splitlines()))


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", "test-key-corpus")
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


def _pairs(text: str, separator: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(separator) if item)


def _options(case: dict) -> dict:
    options = _pairs(case["options"], ";")
    if "max_rejected_share" in options:
        options["max_rejected_share"] = float(options["max_rejected_share"])
    return options


def _check_counts(case: dict, result: intake.IntakeResult) -> None:
    summary = result.summary
    assert summary.rows_read == int(case["rows_read"])
    assert summary.rows_accepted == int(case["rows_accepted"])
    expected = {reason: int(count) for reason, count in _pairs(case["rejected"], ";").items()}
    assert summary.rejected_by_reason == expected
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
    assert len(result.ledger) == summary.rows_rejected
    assert result.ledger["reason"].value_counts().to_dict() == expected


def _check_attributes(case: dict, summary: intake.IntakeSummary) -> None:
    for name, value in _pairs(case["checks"], "|").items():
        actual = getattr(summary, name)
        value = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(value, value)
        assert str(actual) == value, name


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}-{c['registry']}-{c['options']}"
                                             for c in CASES])
def test_corpus_file_gets_expected_outcome(case):
    path = CORPUS / case["file"]
    call = dict(known_region_codes=NTB_REGION_CODES, cache=False, **_options(case))
    if case["outcome"] == "usable":
        result = intake.load_registry(path, case["registry"], **call)
        _check_counts(case, result)
        _check_attributes(case, result.summary)
        assert result.table.count().execute() == result.summary.rows_accepted
        return
    error_type = getattr(errors, case["error"])
    with pytest.raises(error_type, match=_regex(case["message"])) as raised:
        intake.load_registry(path, case["registry"], **call)
    message = str(raised.value)
    assert "\n" not in message
    assert str(path) in message
    if case["rows_read"]:
        _check_counts(case, raised.value.result)


def _regex(text: str) -> str:
    import re

    return re.escape(text)


def test_corpus_has_at_least_20_malformed_files():
    malformed = {case["file"] for case in CASES if not case["file"].startswith("ok_")}
    assert len(malformed) >= 20


def test_every_corpus_file_is_listed():
    listed = {case["file"] for case in CASES}
    on_disk = {path.name for path in CORPUS.iterdir()
               if path.name not in {"expected.csv", "make_corpus.py"} and path.is_file()}
    assert on_disk <= listed
