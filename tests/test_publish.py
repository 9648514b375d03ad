"""Atomic publication (helpers.publish) and the manifest's bookkeeping (helpers.manifest).

Fast tests on hand-made folders; the batch-level behaviour (SIGTERM mid-batch, a failing
region, a dying kernel, a time limit, resume) is tested in tests/test_runner.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import manifest, publish


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def read(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(tmp_path):
    """A report folder with an Indonesian and an English report on disk."""
    target = tmp_path / "reports" / "2024" / "52.02"
    write(target, {"index.html": "old id", "index.en.html": "old en", "tables.xlsx": "old",
                   "tables.en.xlsx": "old en", "indicators.csv": "old",
                   "tables/budget.csv": "old"})
    return tmp_path / "reports", target


def test_commit_replaces_only_the_runs_files(published):
    root, target = published
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id", "tables.xlsx": "new", "indicators.csv": "new",
                    "tables/budget.csv": "new"})
    checksums = publish.commit(staging, target)
    assert read(target) == {"index.en.html": "old en", "index.html": "new id",
                            "indicators.csv": "new", "tables.en.xlsx": "old en",
                            "tables.xlsx": "new", "tables/budget.csv": "new"}
    assert set(checksums) == {"index.html", "tables.xlsx", "indicators.csv",
                              "tables/budget.csv"}
    assert publish.intact(target, checksums)
    assert not staging.exists()


def test_staged_files_put_the_page_last(tmp_path):
    write(tmp_path, {"index.html": "", "a.csv": "", "tables/z.csv": "", "report.ipynb": ""})
    assert publish.staged_files(tmp_path)[-1] == "index.html"


def test_recover_discards_an_unfinished_run_and_keeps_the_old_report(published):
    root, target = published
    before = read(target)
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "half", "tables/budget.csv": "half"})  # killed here
    messages = publish.recover(root)
    assert read(target) == before
    assert not (root / publish.STAGING).exists()
    assert len(messages) == 1 and "removed the unfinished run" in messages[0]


def test_recover_finishes_a_commit_cut_short(published):
    root, target = published
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id", "tables.xlsx": "new", "indicators.csv": "new"})
    files = publish.staged_files(staging)
    (staging / publish.COMMIT_RECORD).write_text(
        json.dumps({"target": str(target.resolve()), "files": files}), encoding="utf-8")
    (staging / "indicators.csv").replace(target / "indicators.csv")  # one move done, then killed
    messages = publish.recover(root)
    assert "finished an interrupted commit" in messages[0]
    after = read(target)
    assert (after["index.html"], after["tables.xlsx"], after["indicators.csv"]) == \
        ("new id", "new", "new")
    assert after["index.en.html"] == "old en"
    assert not (root / publish.STAGING).exists()


def test_intact_notices_a_changed_or_missing_file(published):
    _, target = published
    checksums = {"index.html": publish.file_sha256(target / "index.html")}
    assert publish.intact(target, checksums)
    (target / "index.html").write_text("edited", encoding="utf-8")
    assert not publish.intact(target, checksums)
    assert not publish.intact(target, {"gone.csv": "0" * 64})
    assert not publish.intact(target, {})


def test_atomic_write_leaves_no_partial_file(tmp_path):
    path = tmp_path / "index.html"
    publish.atomic_write_text(path, "one")
    publish.atomic_write_text(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


# =========================================================================== manifest


@pytest.fixture
def registry(tmp_path):
    path = tmp_path / "jkn.parquet"
    path.write_bytes(b"registry v1")
    return path


def run_record(key: str, status: str, fingerprint: str, outputs: dict) -> dict:
    return {"key": key, "status": status, "fingerprint": fingerprint, "outputs": outputs,
            "parameters": {}}


def test_fingerprint_follows_parameters_inputs_and_notebook(tmp_path, registry):
    notebook = tmp_path / "report.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    record = manifest.Manifest(tmp_path / "reports", [registry])
    base = record.fingerprint(notebook, {"region_code": "52.02", "grace_months": 1})
    assert base == record.fingerprint(notebook, {"grace_months": 1, "region_code": "52.02"})
    assert base != record.fingerprint(notebook, {"region_code": "52.02", "grace_months": 2})
    notebook.write_text('{"cells": []}', encoding="utf-8")
    assert base != record.fingerprint(notebook, {"region_code": "52.02", "grace_months": 1})
    registry.write_bytes(b"registry v2")
    changed = manifest.Manifest(tmp_path / "reports", [registry])
    assert changed.fingerprint(notebook, {"region_code": "52.02", "grace_months": 1}) != \
        record.fingerprint(notebook, {"region_code": "52.02", "grace_months": 1})


def test_a_failed_run_keeps_the_previous_good_report_on_record(published, registry):
    root, target = published
    key = "2024/52.02/index.html"
    outputs = {"index.html": publish.file_sha256(target / "index.html")}
    record = manifest.Manifest(root, [registry])
    record.record(run_record(key, "ok", "fp1", outputs))
    record.record(run_record(key, "failed", "fp2", {}))
    record.record(run_record(key, "interrupted", "fp2", {}))
    assert record.runs[key]["status"] == "interrupted"
    assert record.runs[key]["published"]["fingerprint"] == "fp1"
    assert record.runs[key]["published"]["outputs"] == outputs
    assert not record.unchanged(key, "fp2", target)
    assert record.unchanged(key, "fp1", target)  # the good report is current...
    assert record.runs[key]["status"] == "ok"  # ...and is the record again


def test_unchanged_needs_intact_files_and_required_outputs(published, registry):
    root, target = published
    key = "2024/52.02/index.html"
    record = manifest.Manifest(root, [registry])
    record.record(run_record(key, "ok", "fp", {
        "index.html": publish.file_sha256(target / "index.html")}))
    assert record.unchanged(key, "fp", target)
    assert not record.unchanged(key, "fp", target, required=("index.pdf",))
    (target / "index.html").write_text("edited by hand", encoding="utf-8")
    assert not record.unchanged(key, "fp", target)


def test_saved_manifest_round_trips(published, registry):
    root, target = published
    record = manifest.Manifest(root, [registry])
    record.record(run_record("2024/52.02/index.html", "ok", "fp", {"index.html": "x"}))
    record.refresh({(target / "index.html").resolve(): "y"})
    path = record.save({"state": "finished"})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["runs"]["2024/52.02/index.html"]["outputs"] == {"index.html": "y"}
    assert data["inputs"]["jkn.parquet"]["sha256"] == publish.file_sha256(registry)
    assert manifest.Manifest(root, [registry]).runs == data["runs"]


def test_a_twin_with_other_parameters_makes_the_other_language_stale(published, registry):
    root, _ = published
    record = manifest.Manifest(root, [registry])
    shared = {"indicators.csv": "a" * 64, "tables/budget.csv": "b" * 64}
    record.record(run_record("2024/52.02/index.en.html", "ok", "fp-en",
                             {**shared, "index.en.html": "c" * 64}))
    same = record.record(run_record("2024/52.02/index.html", "ok", "fp-id",
                                    {**shared, "index.html": "d" * 64}))
    assert same == []  # same parameters, same bytes: nothing stale
    other = record.record(run_record("2024/52.02/index.html", "ok", "fp-id2",
                                     {**shared, "indicators.csv": "e" * 64,
                                      "index.html": "f" * 64}))
    assert other == ["2024/52.02/index.en.html"]
    english = record.runs["2024/52.02/index.en.html"]
    assert english["status"] == "stale" and "indicators.csv" in english["error"]
    assert record.record(run_record("2024/52.03/index.html", "ok", "x",
                                    {"indicators.csv": "0" * 64})) == []  # other folder
