"""Faults of a batch, injected without a kernel: a folder that is not Cakupan's, a
read-only folder, a full disk at every write of the batch, a bad key.

The workers are replaced by a stand-in that writes a tiny report into a staging folder,
as :func:`helpers.batch.worker.execute_run` does; everything after that (commit, manifest,
links, landing page, audit, summary, exit code) is the real batch. A rendered batch is
tested in tests/test_runner.py.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from helpers import cli
from helpers.batch import audit, layout, publish, runner, worker
from helpers.batch.export import LANG_LINK_END, LANG_LINK_START, NAV_END, NAV_START
from helpers.batch.worker import RunResult, RunSpec
from helpers.errors import InputFileError

FIX = "give an empty or new folder, or a folder Cakupan wrote"


@pytest.fixture
def registries(tmp_path):
    """A data folder with (stand-in) registry files: the batch only hashes them here."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("jamsostek.parquet", "jkn.parquet"):
        (folder / name).write_bytes(b"registry " + name.encode())
    return folder


class FakeWorkers:
    """Stands in for :func:`helpers.batch.pool.run_specs`: each run writes a small report
    (page with its link markers, indicators, one table) into a staging folder."""

    def __init__(self):
        self.calls = 0
        self.version = "v1"

    def __call__(self, specs, jobs, *, log_path, progress, kernel_mode, before, timeout,
                 on_result, stop, queued=None, audit_registries=None):
        self.calls += 1
        log_path.parent.mkdir(parents=True, exist_ok=True)
        if queued is not None:
            queued()
        results = []
        for spec in specs:
            staging = publish.new_staging(spec.root, f"{spec.period}-{spec.label}-{spec.lang}")
            files = {spec.html_name: (f"<html><body>{NAV_START}{NAV_END}{LANG_LINK_START}"
                                      f"{LANG_LINK_END}<h1>{spec.label} {self.version}</h1>"
                                      "</body></html>\n"),
                     "indicators.csv": f"indicator_id,value\nx,{self.version}\n",
                     "tables/budget.csv": f"a,b\n1,{self.version}\n"}
            for name, text in files.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_text(text, encoding="utf-8")
            result = RunResult.of(spec, status="ok", staging=str(staging), seconds=0.1,
                                  html=str(Path(spec.out_dir) / spec.html_name))
            on_result(result)
            results.append(result)
        return results


@pytest.fixture
def workers(monkeypatch):
    """No kernel: the stand-in workers, no kernel check, an audit that finds nothing."""
    fake = FakeWorkers()
    monkeypatch.setattr(runner, "run_specs", fake)
    monkeypatch.setattr(runner, "check_kernel", lambda name=None: "")
    monkeypatch.setattr(audit, "audit_path", lambda path, **kwargs: [])
    return fake


def batch(capsys, out: Path, registries: Path, *extra: str,
          regions: str = "52.01,52.02") -> tuple[int, list[str], list[str]]:
    """``cakupan reports`` in this process: (exit code, stdout lines, stderr lines)."""
    code = cli.main(["reports", "--province", "52", "--period", "2024", "--regions", regions,
                     "--no-overview", "--jobs", "1", "--data-dir", str(registries),
                     "--out", str(out), "--no-progress", *extra])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_clean(out: Path) -> None:
    """No half-written file anywhere, no traceback-worthy leftovers."""
    assert not list(out.rglob("*.partial")), list(out.rglob("*.partial"))
    assert not list(out.glob(".cakupan-write-test-*"))


def no_space_for(predicate):
    """A stand-in for publish._write_new_file: the disk is full for the writes that
    ``predicate(path, text)`` selects (half the file is written, then ENOSPC)."""
    real = publish._write_new_file

    def write_new_file(path, text):
        if not predicate(Path(path), text):
            return real(path, text)
        Path(path).write_text(text[: len(text) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    return write_new_file


# =========================================================================== the folder


def test_a_batch_into_a_new_folder_records_every_file_it_wrote(workers, registries, tmp_path,
                                                               capsys):
    out = tmp_path / "reports"
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 0, stderr
    assert stdout == [str((out / "index.html").resolve())]
    manifest = manifest_of(out)
    assert manifest["last_batch"]["state"] == "finished"
    assert manifest["last_batch"]["problems"] == []
    written = {name for name in tree(out) if not name.startswith(".")} - {"manifest.json"}
    assert set(manifest["files"]) == written
    assert "index.html" in written and "2024/52.01/tables/budget.csv" in written
    assert_clean(out)
    assert not (out / layout.STAGING).exists()


@pytest.mark.parametrize("content", ["notes", "manifest", "file"])
def test_a_folder_cakupan_did_not_write_is_refused_before_anything_runs(
        workers, registries, tmp_path, capsys, content):
    out = tmp_path / "mine"
    if content == "file":
        out.write_text("not a folder", encoding="utf-8")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("my notes", encoding="utf-8")
        if content == "manifest":  # another tool's manifest (the sample generator's)
            (out / "notes.txt").unlink()
            (out / "manifest.json").write_text('{"seed": 1, "registries": {}}',
                                               encoding="utf-8")
    before = out.read_bytes() if out.is_file() else tree(out)
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 2 and stdout == []
    assert len(stderr) == 1 and stderr[0].startswith("cakupan reports: error: "), stderr
    assert str(out) in stderr[0] and FIX in stderr[0]
    assert (out.read_bytes() if out.is_file() else tree(out)) == before  # untouched
    assert workers.calls == 0


def test_what_an_earlier_batch_left_does_not_make_a_folder_foreign(workers, registries,
                                                                    tmp_path, capsys):
    """A batch killed before its first manifest leaves a lock, a log and a staging run."""
    out = tmp_path / "reports"
    (out / ".logs").mkdir(parents=True)
    (out / ".logs" / "workers.log").write_text("kernel output\n", encoding="utf-8")
    (out / ".lock").touch()
    publish.new_staging(out, "2024-52.01-id")
    code, _, stderr = batch(capsys, out, registries)
    assert code == 0, stderr
    assert any("removed the unfinished run" in line for line in stderr)
    assert manifest_of(out)["last_batch"]["state"] == "finished"


def test_a_landing_page_cakupan_did_not_write_is_refused(workers, registries, tmp_path,
                                                         capsys):
    out = tmp_path / "reports"
    assert batch(capsys, out, registries)[0] == 0
    manifest = manifest_of(out)
    manifest["files"].remove("index.html")  # as if someone put their own page there
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "index.html").write_text("our team's page", encoding="utf-8")
    code, _, stderr = batch(capsys, out, registries, "--force")
    assert code == 2 and len(stderr) == 1
    assert f"{out / 'index.html'}: index.html is not a landing page Cakupan wrote" in stderr[0]
    assert (out / "index.html").read_text(encoding="utf-8") == "our team's page"


def test_files_cakupan_did_not_write_are_never_replaced_deleted_or_rewritten(
        workers, registries, tmp_path, capsys):
    out = tmp_path / "reports"
    assert batch(capsys, out, registries, regions="52.01")[0] == 0
    theirs = {  # put into Cakupan's folder by someone else
        "2024/52.02/tables/budget.csv": "their budget",  # where 52.02 would publish
        "2024/52.01/index.pdf": "their PDF",  # a batch deletes its own out-of-date PDF
        "2024/52.01/index.en.html": f"<html>{NAV_START}{NAV_END}{LANG_LINK_START}"
                                    f"{LANG_LINK_END}</html>",  # finalize rewrites pages
        "2024/52.03/index.html": "a page of theirs"}
    for name, text in theirs.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    workers.version = "v2"
    code, _, stderr = batch(capsys, out, registries, "--force")
    assert code == 1
    failed = [line for line in stderr if line.startswith("cakupan: FAILED")]
    assert failed == [(f"cakupan: FAILED 2024/52.02/index.html: not published: "
                       f"{out / '2024/52.02/tables/budget.csv'}: a file Cakupan did not "
                       "write is where the report would be published, and Cakupan never "
                       "replaces files it did not write — move it out of the reports "
                       "folder, then run the same command again")]
    for name, text in theirs.items():
        assert (out / name).read_text(encoding="utf-8") == text, name
    assert "v2" in (out / "2024/52.01/index.html").read_text(encoding="utf-8")  # ours: new
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert "2024/52.01/index.html" in landing
    assert "index.pdf" not in landing and "index.en.html" not in landing
    assert "2024/52.03" not in landing
    manifest = manifest_of(out)
    assert manifest["last_batch"]["state"] == "failed"
    assert not set(theirs) & set(manifest["files"])
    assert_clean(out)


@pytest.fixture
def printer(monkeypatch):
    """No Chromium: 'printing' writes a small PDF where the batch asks for it."""
    from helpers.batch import pdf

    printed = []

    def print_pdfs(paths):
        results = []
        for html_path, pdf_path in paths:
            printed.append(Path(pdf_path))
            Path(pdf_path).write_bytes(b"%PDF " + Path(html_path).read_bytes()[-40:])
            results.append(pdf.PrintResult(Path(html_path), Path(pdf_path), pages=2,
                                           seconds=0.1))
        return results

    monkeypatch.setattr(pdf, "check_ready", lambda: "chromium")
    monkeypatch.setattr(pdf, "print_pdfs", print_pdfs)
    return printed


def test_pdfs_are_printed_aside_and_replace_only_cakupans(workers, printer, registries,
                                                           tmp_path, capsys):
    out = tmp_path / "reports"
    assert batch(capsys, out, registries, regions="52.01")[0] == 0
    (out / "2024" / "52.02").mkdir()
    (out / "2024" / "52.02" / "index.pdf").write_text("their PDF", encoding="utf-8")
    code, _, stderr = batch(capsys, out, registries, "--pdf")
    assert code == 0, stderr
    assert all(layout.STAGING in path.parts for path in printer)  # never in place
    assert (out / "2024" / "52.02" / "index.pdf").read_text(encoding="utf-8") == "their PDF"
    assert any(line.startswith("cakupan: warning 2024/52.02/index.html: PDF not published: ")
               and "a file Cakupan did not write" in line for line in stderr), stderr
    manifest = manifest_of(out)
    assert "index.pdf" in manifest["runs"]["2024/52.01/index.html"]["outputs"]
    assert "index.pdf" not in manifest["runs"]["2024/52.02/index.html"]["outputs"]
    assert "2024/52.01/index.pdf" in manifest["files"]
    assert "2024/52.02/index.pdf" not in manifest["files"]
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/52.01/index.pdf"' in landing and "2024/52.02/index.pdf" not in landing
    ours = (out / "2024" / "52.01" / "index.pdf").read_bytes()
    workers.version = "v2"  # a new HTML: its old PDF (Cakupan's) is replaced
    assert batch(capsys, out, registries, "--pdf", "--force", regions="52.01")[0] == 0
    assert (out / "2024" / "52.01" / "index.pdf").read_bytes() != ours
    for key, run in manifest_of(out)["runs"].items():
        assert publish.intact((out / key).parent, run["outputs"]), key
    assert not (out / layout.STAGING).exists()
    assert_clean(out)


# =========================================================================== can't write


@pytest.mark.parametrize(("code", "words"), [(errno.EROFS, "read-only file system"),
                                             (errno.EACCES, "permission denied")])
def test_a_read_only_folder_is_one_line_before_any_kernel(workers, registries, tmp_path,
                                                          capsys, monkeypatch, code, words):
    out = tmp_path / "reports"
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if ".cakupan-write-test" in str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    exit_code, stdout, stderr = batch(capsys, out, registries)
    assert exit_code == 2 and stdout == [] and workers.calls == 0
    assert stderr == [(f"cakupan reports: error: cannot write to {out} ({words}) — give a "
                       "folder you can write to with --out")]
    assert list(out.iterdir()) == []


def test_a_full_disk_before_the_first_report_stops_the_batch_in_one_line(
        workers, registries, tmp_path, capsys, monkeypatch):
    out = tmp_path / "reports"
    monkeypatch.setattr(publish, "_write_new_file",
                        no_space_for(lambda path, text: "manifest.json" in path.name))
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 1 and stdout == [] and workers.calls == 0
    assert len(stderr) == 1 and "no space left on" in stderr[0], stderr
    assert str(out / "manifest.json") in stderr[0]
    assert not (out / "manifest.json").exists()
    assert_clean(out)


def test_a_full_disk_while_publishing_fails_that_report(workers, registries, tmp_path,
                                                        capsys, monkeypatch):
    out = tmp_path / "reports"
    monkeypatch.setattr(publish, "_write_new_file", no_space_for(
        lambda path, text: ".commit.json" in path.name and "52-02" in str(path)))
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 1
    assert f"cakupan: FAILED 2024/52.02/index.html: not published: no space left on " \
           f"{out / '2024' / '52.02'} (disk full); free some space or fix the folder, then " \
           "run the same command again" in stderr
    manifest = manifest_of(out)
    last = manifest["last_batch"]
    assert last["state"] == "failed" and last["failed"] == ["2024/52.02/index.html"]
    assert manifest["runs"]["2024/52.02/index.html"]["status"] == "failed"
    assert manifest["runs"]["2024/52.01/index.html"]["status"] == "ok"
    assert not (out / "2024" / "52.02").exists()  # nothing half-published
    assert stdout == [str((out / "index.html").resolve())]  # the rest is published
    assert_clean(out)
    assert not (out / layout.STAGING).exists()


def test_a_commit_cut_short_by_a_full_disk_is_finished_by_the_next_batch(
        workers, registries, tmp_path, capsys, monkeypatch):
    out = tmp_path / "reports"
    real_move = publish._move_files

    def move_one_then_full(staging, target, files):
        if "52.02" not in str(target):
            return real_move(staging, target, files)
        real_move(staging, target, files[:1])
        raise OSError(errno.ENOSPC, "No space left on device", str(target / files[1]))

    monkeypatch.setattr(publish, "_move_files", move_one_then_full)
    code, _, stderr = batch(capsys, out, registries)
    assert code == 1
    assert any("FAILED 2024/52.02/index.html: not published: no space left on" in line
               for line in stderr)
    assert manifest_of(out)["last_batch"]["state"] == "failed"
    kept = list((out / layout.STAGING).iterdir())
    assert len(kept) == 1 and (kept[0] / publish.COMMIT_RECORD).is_file()
    monkeypatch.setattr(publish, "_move_files", real_move)  # space was freed
    code, _, stderr = batch(capsys, out, registries)
    assert code == 0, stderr
    assert any("finished an interrupted commit" in line for line in stderr)
    manifest = manifest_of(out)
    assert manifest["last_batch"]["state"] == "finished"
    for key in ("2024/52.01/index.html", "2024/52.02/index.html"):
        run = manifest["runs"][key]
        assert run["status"] == "ok"
        assert publish.intact((out / key).parent, run["outputs"]), key
    assert not (out / layout.STAGING).exists()
    assert_clean(out)


@pytest.mark.parametrize(("step", "predicate", "message"), [
    ("landing page", lambda path, text: path.name.startswith(".index.html")
     and path.parent.name == "reports", "could not write the landing page: no space left on"),
    ("links", lambda path, text: path.name.startswith(".index.html")
     and path.parent.name == "52.01", "could not update the links of"),
    ("manifest", lambda path, text: "manifest.json" in path.name
     and '"state": "running"' not in text, "could not save the manifest: no space left on"),
])
def test_a_step_the_batch_cannot_write_makes_it_incomplete(
        workers, registries, tmp_path, capsys, monkeypatch, step, predicate, message):
    out = tmp_path / "reports"
    real_write = publish._write_new_file
    monkeypatch.setattr(publish, "_write_new_file", no_space_for(predicate))
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 1, stderr
    errors = [line for line in stderr if line.startswith("cakupan: ERROR")]
    assert len(errors) == 1 and message in errors[0], stderr
    assert "Traceback" not in "\n".join(stderr)
    last = manifest_of(out)["last_batch"]
    assert last["state"] != "finished"
    assert last["state"] == ("running" if step == "manifest" else "incomplete")
    if step == "landing page":
        assert stdout == [] and not (out / "index.html").exists()
    else:
        assert stdout == [str((out / "index.html").resolve())]
    assert_clean(out)
    if step != "manifest":  # the manifest matches the disk
        for key, run in manifest_of(out)["runs"].items():
            assert publish.intact((out / key).parent, run["outputs"]), key
    if step == "links":  # the page kept its old links; the next batch updates them
        page = out / "2024" / "52.01" / "index.html"
        assert "Versi bahasa Inggris" not in page.read_text(encoding="utf-8")
        monkeypatch.setattr(publish, "_write_new_file", real_write)  # space was freed
        assert batch(capsys, out, registries)[0] == 0
        assert len(manifest_of(out)["last_batch"]["unchanged"]) == 2
        assert "Versi bahasa Inggris" in page.read_text(encoding="utf-8")
        for key, run in manifest_of(out)["runs"].items():
            assert publish.intact((out / key).parent, run["outputs"]), key


def test_an_audit_that_cannot_run_fails_the_batch(workers, registries, tmp_path, capsys,
                                                  monkeypatch):
    out = tmp_path / "reports"

    def broken_audit(path, **kwargs):
        raise InputFileError("registry file cannot be read", path=registries / "jkn.parquet")

    monkeypatch.setattr(audit, "audit_path", broken_audit)
    code, _, stderr = batch(capsys, out, registries)
    assert code == 3
    assert any(line.startswith("cakupan: ERROR the privacy audit could not run: ")
               for line in stderr)
    assert any("do not publish them" in line for line in stderr)
    last = manifest_of(out)["last_batch"]
    assert last["state"] == "incomplete" and last["privacy_findings"] is None


def test_a_full_disk_while_rendering_names_the_folder(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    spec = RunSpec("regency", "52.01", str(tmp_path / "nb.ipynb"), {}, str(out / "2024/52.01"),
                   "id", "2024")

    class CellError(Exception):  # what papermill raises for an error inside a cell
        evalue = "[Errno 28] No space left on device: '/somewhere/tables/budget.csv'"

    for error in (OSError(errno.ENOSPC, "No space left on device", "x.csv"), CellError("x")):
        def fail(spec, staging, result, error=error):
            raise error

        monkeypatch.setattr(worker, "_execute_and_export", fail)
        result = worker.execute_run(spec, timeout=None)
        assert result.status == "failed" and result.attempts == 1
        assert result.error == (f"no space left on {out} (disk full) while rendering — free "
                                "some space, then run the same command again")
    assert not list((out / layout.STAGING).iterdir())  # each attempt's staging removed

    def no_space_for_staging(root, name):
        raise OSError(errno.ENOSPC, "No space left on device", str(root))

    monkeypatch.setattr(publish, "new_staging", no_space_for_staging)
    result = worker.execute_run(spec, timeout=None)
    assert result.status == "failed" and result.error.startswith(f"no space left on {out} ")


# =========================================================================== the key


@pytest.mark.parametrize("key", ["   ", "too-short"])
def test_a_bad_key_is_refused_before_anything_is_written(workers, registries, tmp_path,
                                                         capsys, monkeypatch, key):
    out = tmp_path / "reports"
    monkeypatch.setenv("CAKUPAN_KEY", key)
    code, stdout, stderr = batch(capsys, out, registries)
    assert code == 2 and stdout == []
    assert len(stderr) == 1 and "CAKUPAN_KEY" in stderr[0], stderr
    assert key.strip() not in stderr[0] or not key.strip()  # the key is never printed
    assert not out.exists() and workers.calls == 0


def test_the_workers_audit_is_kept_and_only_changed_files_are_read_again(
        registries, tmp_path, monkeypatch, capsys):
    """The workers audit what they render: their findings reach the summary and the exit
    code (3), and the final audit reads only what changed since (the report pages, whose
    links are rewritten) or what no worker audited."""
    from helpers.batch.audit_detect import Finding
    from helpers.paths import file_sha256

    fake = FakeWorkers()

    def auditing_workers(specs, jobs, **options):
        def audited(result):
            folder = Path(result.staging)
            result.audited = {p.relative_to(folder).as_posix(): file_sha256(p)
                              for p in folder.rglob("*.csv")}
            if result.label == "52.02":
                result.findings = [Finding(str(Path(result.html).parent / "indicators.csv"),
                                           "line 2", "nik", "5202********0001")]
            on_result(result)

        on_result = options.pop("on_result")
        assert options["audit_registries"] == tuple(
            str(registries / name) for name in ("jamsostek.parquet", "jkn.parquet"))
        return fake(specs, jobs, on_result=audited, **options)

    read = []

    def final_audit(path, *, registries=(), key=None, skip=None):
        read.extend(p.relative_to(path).as_posix() for p in sorted(Path(path).rglob("*"))
                    if p.is_file() and not skip(p))
        return []

    monkeypatch.setattr(runner, "run_specs", auditing_workers)
    monkeypatch.setattr(runner, "check_kernel", lambda name=None: "")
    monkeypatch.setattr(audit, "audit_path", final_audit)
    out = tmp_path / "reports"
    code, _, err = batch(capsys, out, registries)

    assert code == 3, err
    assert any("5202********0001" in line and "52.02" in line for line in err), err
    assert manifest_of(out)["last_batch"]["privacy_findings"] == 1
    assert "findings" not in json.dumps(manifest_of(out)["runs"])
    assert sorted(read) == ["52.01/index.html", "52.02/index.html"]
