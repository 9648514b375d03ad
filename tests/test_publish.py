"""Atomic publication (helpers.batch.publish) and the manifest's bookkeeping (helpers.batch.manifest).

Fast tests on hand-made folders; the batch-level behaviour (SIGTERM mid-batch, a failing
region, a dying kernel, a time limit, resume) is tested in tests/test_runner.py.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from helpers.batch import layout, manifest, publish


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
    checksums = publish.commit(staging, target, may_replace=lambda path: True)
    assert read(target) == {"index.en.html": "old en", "index.html": "new id",
                            "indicators.csv": "new", "tables.en.xlsx": "old en",
                            "tables.xlsx": "new", "tables/budget.csv": "new"}
    assert set(checksums) == {"index.html", "tables.xlsx", "indicators.csv",
                              "tables/budget.csv"}
    assert publish.intact(target, checksums)
    assert not staging.exists()


def test_commit_never_replaces_a_file_cakupan_did_not_write(published):
    root, target = published
    before = read(target)
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id", "tables/budget.csv": "new"})
    claimed = []
    ours = {target / "index.html"}  # tables/budget.csv: not Cakupan's
    with pytest.raises(publish.InTheWayError, match="did not write") as caught:
        publish.commit(staging, target, may_replace=lambda path: path in ours,
                       claim=lambda folder, names: claimed.append(names))
    assert str(target / "tables" / "budget.csv") in str(caught.value)
    assert read(target) == before and claimed == []  # nothing moved, nothing claimed
    assert not (staging / publish.COMMIT_RECORD).exists()


@pytest.mark.parametrize("obstacle", ["file", "symlink"])
def test_commit_does_not_write_through_a_file_or_link_on_the_way(published, tmp_path,
                                                                 obstacle):
    root, target = published
    (target / "tables" / "budget.csv").unlink()
    (target / "tables").rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if obstacle == "file":
        (target / "tables").write_text("someone's notes", encoding="utf-8")
    else:
        (target / "tables").symlink_to(elsewhere, target_is_directory=True)
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id", "tables/budget.csv": "new"})
    with pytest.raises(publish.InTheWayError):
        publish.commit(staging, target, may_replace=lambda path: True)
    assert list(elsewhere.iterdir()) == []
    assert (target / "index.html").read_text(encoding="utf-8") == "old id"


def test_commit_claims_new_names_before_anything_moves(published):
    root, target = published
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id", "index.pdf": "new pdf"})

    def claim(folder, names):
        assert folder == target and sorted(names) == ["index.html", "index.pdf"]
        assert not (target / "index.pdf").exists()
        raise OSError(errno.ENOSPC, "No space left on device", "manifest.json")

    with pytest.raises(OSError):
        publish.commit(staging, target, may_replace=lambda path: True, claim=claim)
    assert (target / "index.html").read_text(encoding="utf-8") == "old id"
    assert not (target / "index.pdf").exists()


def full_disk_after(count: int):
    """A stand-in for publish._write_new_file: the first ``count`` writes work, then the
    disk is full half-way through a write (the file exists, partly written)."""
    calls = []
    real = publish._write_new_file

    def write_new_file(path, text):
        calls.append(path)
        if len(calls) <= count:
            return real(path, text)
        Path(path).write_text(text[: len(text) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    return write_new_file


def test_commit_on_a_full_disk_moves_nothing_and_leaves_no_partial(published, monkeypatch):
    root, target = published
    before = read(target)
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id"})
    monkeypatch.setattr(publish, "_write_new_file", full_disk_after(0))
    with pytest.raises(OSError) as caught:
        publish.commit(staging, target, may_replace=lambda path: True)
    assert caught.value.errno == errno.ENOSPC
    assert read(target) == before
    assert not list(root.rglob("*.partial"))
    assert not (staging / publish.COMMIT_RECORD).exists()


def test_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "index.html"
    publish.atomic_write_text(path, "old")
    monkeypatch.setattr(publish, "_write_new_file", full_disk_after(0))
    with pytest.raises(OSError) as caught:
        publish.atomic_write_text(path, "new " * 100)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]  # no .partial


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "no space left on /r/2024 (disk full)"),
    (errno.EDQUOT, "no space left on /r/2024 (disk quota exceeded)"),
    (errno.EROFS, "cannot write to /r/2024 (read-only file system)"),
    (errno.EACCES, "cannot write to /r/2024 (permission denied)"),
    (errno.EIO, "cannot write to /r/2024 (input/output error)"),
])
def test_write_errors_in_words(code, expected):
    error = OSError(code, os.strerror(code), "/r/2024/.staging/x/.commit.json.partial")
    assert publish.describe_os_error(error, "/r/2024") == expected


def test_recover_only_touches_what_cakupan_made(published, tmp_path):
    root, _ = published
    foreign = root / layout.STAGING / "my-notes"
    write(foreign, {"todo.txt": "keep me"})
    outside = tmp_path / "outside"
    outside.mkdir()
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id"})
    (staging / publish.COMMIT_RECORD).write_text(
        json.dumps({"target": str(outside), "files": ["index.html"]}), encoding="utf-8")
    messages = publish.recover(root)
    assert read(foreign) == {"todo.txt": "keep me"}
    assert list(outside.iterdir()) == []  # a record pointing elsewhere is not followed
    assert any("left" in line and "my-notes" in line for line in messages)
    assert any("points outside" in line for line in messages)
    assert not staging.exists()
    publish.discard(foreign)  # discard too only removes folders Cakupan made
    assert foreign.exists()


def test_recover_keeps_a_commit_it_cannot_finish_for_the_next_batch(published, monkeypatch):
    root, target = published
    staging = publish.new_staging(root, "2024-52.02-id")
    write(staging, {"index.html": "new id"})
    (staging / publish.COMMIT_RECORD).write_text(
        json.dumps({"target": str(target.resolve()), "files": ["index.html"]}),
        encoding="utf-8")
    assert publish.recover(root, finish=False) == [] and staging.exists()

    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "_move_files", no_space)
    messages = publish.recover(root)
    assert "no space left on" in messages[0] and "kept for the next batch" in messages[0]
    assert staging.exists()
    monkeypatch.undo()
    claimed = []
    messages = publish.recover(root, claim=lambda folder, names: claimed.append(names))
    assert "finished an interrupted commit" in messages[0] and claimed == [["index.html"]]
    assert (target / "index.html").read_text(encoding="utf-8") == "new id"
    assert not (root / layout.STAGING).exists()


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
    assert not (root / layout.STAGING).exists()
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
    assert not (root / layout.STAGING).exists()


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


# =========================================================================== ownership


def test_the_manifest_lists_the_files_cakupan_wrote(published, registry):
    root, target = published
    record = manifest.Manifest(root, [registry])
    assert record.files == set()  # no manifest yet: nothing is Cakupan's
    new = record.claim([target / "index.html", target / "tables" / "budget.csv"])
    assert new == ["2024/52.02/index.html", "2024/52.02/tables/budget.csv"]
    assert record.claim([target / "index.html"]) == []
    assert record.owns(target / "index.html") and not record.owns(target / "index.en.html")
    with pytest.raises(ValueError, match="outside the reports folder"):
        record.claim([root.parent / "elsewhere.txt"])
    record.save({"state": "running"})
    (target / "tables" / "budget.csv").unlink()  # gone: no longer Cakupan's
    again = manifest.Manifest(root, [registry])
    assert again.files == {"2024/52.02/index.html"}
    again.unclaim(["2024/52.02/index.html"])
    assert not again.owns(target / "index.html")


def test_an_older_manifest_owns_its_outputs_and_the_landing_page(published):
    root, _ = published
    (root / "index.html").write_text("landing", encoding="utf-8")
    document = {"tool": "cakupan", "last_batch": {}, "runs": {
        "2024/52.02/index.html": {"status": "failed", "outputs": {}, "published": {
            "status": "ok", "outputs": {"index.html": "x", "tables/budget.csv": "y"}}},
        "2024/52.02/index.en.html": {"status": "ok", "outputs": {"index.en.html": "z",
                                                                 "gone.csv": "w"}}}}
    assert manifest.owned_files(document, root) == {
        "index.html", "2024/52.02/index.html", "2024/52.02/tables/budget.csv",
        "2024/52.02/index.en.html"}


@pytest.mark.parametrize("text", [
    '{"registries": {}, "seed": 1}',  # the sample generator's manifest.json
    '{"tool": "cakupan", "runs": []}',
    "not json",
    '["a list"]',
])
def test_only_a_cakupan_reports_manifest_counts(tmp_path, text):
    (tmp_path / "manifest.json").write_text(text, encoding="utf-8")
    assert manifest.read_manifest(tmp_path) is None
    assert manifest.owned_files(manifest.read_manifest(tmp_path), tmp_path) == set()


# =========================================================================== layout


@pytest.mark.parametrize(("lang", "names"), [
    ("id", ("index.html", "index.pdf", "report.ipynb", "tables.xlsx")),
    ("en", ("index.en.html", "index.en.pdf", "report.en.ipynb", "tables.en.xlsx")),
])
def test_one_naming_rule_for_every_file_of_a_report(lang, names):
    result = (layout.page_name(lang), layout.pdf_name(lang), layout.notebook_name(lang),
              layout.workbook_name(lang))
    assert result == names
    assert layout.page_language(names[0]) == lang


@pytest.mark.parametrize(("name", "expected"), [
    ("2024/index.html", "id"), ("2024/52.02/index.en.html", "en"),
    ("index.html", None), (".staging/run-1-0a1b2c3d/index.html", None),
    ("2024/52.02/tables/index.html", None), ("2024/52.02/index.fr.html", None),
    ("2024/52.02/index.pdf", None), ("2024/52.02/report.html", None),
])
def test_report_pages_are_told_apart_from_other_files(name, expected):
    assert layout.report_page_language(name) == expected


def test_a_report_folder_its_key_and_its_root(tmp_path):
    regency = layout.report_folder(tmp_path, "2024-06", "52.02")
    overview = layout.report_folder(tmp_path, "2024-06")
    assert regency == tmp_path / "2024-06" / "52.02" and overview == tmp_path / "2024-06"
    assert layout.reports_root(regency, regency=True) == tmp_path
    assert layout.reports_root(overview, regency=False) == tmp_path
    assert layout.report_key("2024-06", "en", "52.02") == "2024-06/52.02/index.en.html"
    assert layout.report_key("2024-06", "id") == "2024-06/index.html"
    assert layout.landing_link(2) == "../../index.html"
    assert layout.overview_link("en") == "../index.en.html"
