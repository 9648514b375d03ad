"""Each malformed registry of tests/corpus gets the outcome expected.csv names."""

from __future__ import annotations

import csv
import importlib.util
import re
import stat
from pathlib import Path

import pytest

from helpers import cli, errors
from helpers.data import intake, ledger

CORPUS = Path(__file__).parent / "corpus"
NTB_REGION_CODES = {"52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08",
                    "52.71", "52.72"}
CASES = list(csv.DictReader((CORPUS / "expected.csv").read_text(encoding="utf-8").splitlines()))


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CAKUPAN_KEY", "test-key-corpus-0123456789abcdef-0123")
    monkeypatch.delenv("CAKUPAN_ALIASES", raising=False)


def _pairs(text: str, separator: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(separator) if item)


def _options(case: dict) -> dict:
    options = _pairs(case["options"], ";")
    if "max_rejected_share" in options:
        options["max_rejected_share"] = float(options["max_rejected_share"])
    return options


def _check_counts(case: dict, result: ledger.IntakeResult) -> None:
    summary = result.summary
    assert summary.rows_read == int(case["rows_read"])
    assert summary.rows_accepted == int(case["rows_accepted"])
    expected = {reason: int(count) for reason, count in _pairs(case["rejected"], ";").items()}
    assert summary.rejected_by_reason == expected
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
    assert len(result.ledger) == summary.rows_rejected
    assert result.ledger["reason"].value_counts().to_dict() == expected


def _check_attributes(case: dict, summary: ledger.IntakeSummary) -> None:
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
    return re.escape(text)


def test_corpus_has_at_least_55_malformed_files():
    malformed = {case["file"] for case in CASES if not case["file"].startswith("ok_")}
    assert len(malformed) >= 55


def test_every_corpus_file_is_listed():
    listed = {case["file"] for case in CASES}
    on_disk = {path.name for path in CORPUS.iterdir()
               if path.name not in {"expected.csv", "make_corpus.py"} and path.is_file()}
    assert on_disk <= listed


# ---------------------------------------------------------------- through the CLI

_CLI_FLAGS = {"delimiter": "--delimiter", "encoding": "--encoding", "sheet": "--sheet",
              "max_rejected_share": "--max-rejected"}
_COUNT_RE = re.compile(r"rows (read|accepted|rejected)\s+([0-9,]+)")


def _cli_arguments(case: dict, ledger: Path) -> list[str]:
    arguments = ["validate", str(CORPUS / case["file"]), "--registry", case["registry"],
                 "--ledger", str(ledger)]
    options = _pairs(case["options"], ";")
    if case["outcome"] == "usable":  # usable = some rows accepted, whatever the share
        options.setdefault("max_rejected_share", "1")
    for name, value in options.items():
        arguments += [_CLI_FLAGS[name], value]
    return arguments


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}-{c['registry']}-{c['options']}"
                                             for c in CASES])
def test_corpus_file_through_the_cli(case, tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    code = cli.main(_cli_arguments(case, ledger))
    captured = capsys.readouterr()
    expected = 0 if case["outcome"] == "usable" else getattr(errors, case["error"]).exit_code
    assert code == expected, captured.err
    assert "Traceback" not in captured.err
    if case["outcome"] == "usable":
        assert captured.err == ""
    else:
        assert captured.err.count("\n") == 1 and captured.err.endswith("\n")
        assert captured.err.startswith("cakupan validate: error: ")
    counts = {name: int(value.replace(",", "")) for name, value in
              _COUNT_RE.findall(captured.out)}
    if case["outcome"] == "usable" or case["rows_read"]:
        assert counts["read"] == int(case["rows_read"])  # the region list does not matter
        assert counts["read"] == counts["accepted"] + counts["rejected"]
        written = list(csv.DictReader(ledger.read_text(encoding="utf-8").splitlines()))
        assert len(written) == counts["rejected"]
        assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
        _check_no_personal_data([row["detail"] for row in written])
    else:
        assert not counts


# ---------------------------------------------------------------- nothing leaked


def _corpus_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_NAMES = _corpus_generator().NAMES
_NAME_WORDS = sorted({word for name in _NAMES for word in name.split() if len(word) >= 4}
                     | set(_NAMES))


def _check_no_personal_data(details: list[str]) -> None:
    for detail in details:
        assert not re.search(r"[0-9]{6,}", detail), detail
        for word in _NAME_WORDS:
            assert not re.search(rf"\b{re.escape(word)}\b", detail, re.IGNORECASE), detail


def test_no_ledger_detail_in_the_corpus_holds_a_name_or_a_long_number():
    details = []
    for case in CASES:
        call = dict(known_region_codes=NTB_REGION_CODES, cache=False, **_options(case))
        try:
            result = intake.load_registry(CORPUS / case["file"], case["registry"], **call)
        except errors.ValidationError as error:
            result = error.result
        except errors.CakupanError:
            continue
        details += result.ledger["detail"].dropna().tolist()
    assert len(details) > 30  # the corpus has rejected rows of every reason
    _check_no_personal_data(details)
