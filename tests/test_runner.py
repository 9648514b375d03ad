"""The batch runner: validation before any kernel, parallel rendering, failures, manifest.

One batch on the 2 % sample (what ``make reports`` runs, scaled down) is rendered once for
this module and checked from every side: layout, landing page, HTML, CSV, manifest,
privacy. A second batch has one region forced to fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.batch import audit, plan, preflight, runner, summary
from helpers.batch.parameters import notebook_parameters, read_parameter_file, validate_parameters
from helpers.errors import ParameterError, ReportError

ROOT = Path(__file__).resolve().parents[1]
CAKUPAN = str(Path(sys.executable).parent / "cakupan")
CODES = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71",
         "52.72"]
REGENCY = ROOT / "notebooks" / "regency_report.ipynb"


def cakupan(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([CAKUPAN, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=os.environ.copy())


#: The stop and kill tests render two regions and the overview: with two workers, when
#: the first report is published the third has not finished (it starts only then), so a
#: batch is stopped with some reports published and some not, at a quarter of the time
#: of all eleven.
SUBSET = "52.01,52.02"
SUBSET_RUNS = 3


@pytest.fixture(scope="module")
def batch(small_sample, tmp_path_factory):
    """`make reports` on the 2 % sample: every NTB report in Bahasa Indonesia, 2 jobs."""
    folder, manifest = small_sample
    out = tmp_path_factory.mktemp("reports")
    started = time.perf_counter()
    process = cakupan("reports", "--province", "52", "--period", "2024", "--lang", "id",
                      "--jobs", "2", "--data-dir", str(folder), "--out", str(out),
                      "--no-progress")
    return out, process, manifest, time.perf_counter() - started


# =========================================================================== the batch


@pytest.mark.kernel
def test_batch_succeeds_and_prints_the_landing_page(batch):
    out, process, _, _ = batch
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.strip().splitlines()[-1] == str((out / "index.html").resolve())
    assert "11 of 11 report(s) rendered" in process.stderr


@pytest.mark.kernel
def test_layout_of_every_report(batch):
    out, _, _, _ = batch
    assert (out / "2024" / "index.html").is_file()
    for code in CODES:
        folder = out / "2024" / code
        for name in ("index.html", "indicators.csv", "tables.xlsx", "report.ipynb"):
            assert (folder / name).is_file(), (code, name)
        assert len(list((folder / "tables").glob("*.csv"))) >= 15


@pytest.mark.kernel
def test_landing_page_links_the_overview_and_ten_regency_reports(batch):
    out, _, _, _ = batch
    text = (out / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#]+)"', text))
    assert "2024/index.html" in links
    assert {f"2024/{code}/index.html" for code in CODES} <= links
    for link in links:
        assert (out / link).exists(), link
    overview = (out / "2024" / "index.html").read_text(encoding="utf-8")
    assert {f'href="{code}/index.html"' for code in CODES} <= set(
        re.findall(r'href="[^"]+"', overview))


@pytest.mark.kernel
def test_html_reports_are_offline_small_and_without_code(batch):
    out, _, _, _ = batch
    pages = list((out / "2024").glob("**/index.html"))
    assert len(pages) == 11
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 2 * 1024 * 1024, page
        assert not re.search(r"<(script|img|link)\b[^>]*\b(src|href)\s*=\s*[\"']?"
                             r"(https?:)?//", text, re.I), page
        assert "<script" not in text.lower()
        for code in ("from helpers", "report_data.", "region_code: str",
                     "injected-parameters", "NBVAL_CHECK_OUTPUT"):
            assert code not in text, (page, code)
        assert '<nav class="toc"' in text and 'class="param-box"' in text
        assert "Aturan pengungkapan" in text.split("<footer>")[1]
        assert re.search(r"Rp\d{1,3}(\.\d{3})+", text)  # Indonesian Rupiah
        assert re.search(r"\d+,\d%", text)  # Indonesian percentages


@pytest.mark.kernel
def test_lombok_tengah_shows_the_calibrated_programmes(batch):
    out, _, manifest, _ = batch
    calibration = manifest["calibration"]
    indicators = pd.read_csv(out / "2024" / "52.02" / "indicators.csv").set_index(
        "indicator_id")["value"]
    assert int(indicators["tk_nonasn_active"]) == calibration["tk_nonasn_active"]
    assert int(indicators["tk_tobacco_farmers_active"]) == \
        calibration["tk_tobacco_farmers_active"]
    assert int(indicators["tk_fishers_active"]) == calibration["tk_fishers_active"]
    assert int(indicators["budget_tk_dbhcht_rp"]) == \
        calibration["tk_tobacco_farmers_active"] * 16_800 * 12
    text = (out / "2024" / "52.02" / "index.html").read_text(encoding="utf-8")
    assert "petani tembakau dibiayai Pemda" in text and "DBHCHT" in text


@pytest.mark.kernel
def test_manifest_records_parameters_checksums_versions_durations(batch, small_sample):
    out, _, _, _ = batch
    folder, _ = small_sample
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["runs"]) == 11
    for key, run in manifest["runs"].items():
        assert run["status"] == "ok", key
        assert run["seconds"] > 0
        assert run["parameters"]["period"] == "2024"
        assert run["parameters"]["lang"] == "id"
    sha = hashlib.sha256((folder / "jkn.parquet").read_bytes()).hexdigest()
    assert manifest["inputs"]["jkn.parquet"]["sha256"] == sha
    assert {"python", "papermill", "nbconvert", "ibis-framework", "duckdb",
            "pandas"} <= set(manifest["packages"])
    assert manifest["last_batch"]["failed"] == []
    assert manifest["runs"]["2024/52.02/index.html"]["parameters"]["region_code"] == "52.02"


@pytest.mark.kernel
def test_outputs_hold_no_person_level_data_or_secret(batch, small_sample):
    out, _, _, _ = batch
    folder, _ = small_sample
    findings = audit.audit_path(out, registries=[folder / "jamsostek.parquet",
                                                  folder / "jkn.parquet"])
    assert findings == []
    notebook = nbformat.read(str(out / "2024" / "52.02" / "report.ipynb"), as_version=4)
    papermill_meta = notebook.metadata["papermill"]
    assert papermill_meta["environment_variables"] == {}
    assert set(papermill_meta["parameters"]) <= set(notebook_parameters(REGENCY))
    key = os.environ["CAKUPAN_KEY"]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".csv", ".json"):
            assert key not in path.read_text(encoding="utf-8", errors="ignore"), path


@pytest.mark.kernel
def test_english_twin_and_language_links(batch, small_sample):
    out, _, _, _ = batch
    folder, _ = small_sample
    process = cakupan("reports", "--province", "52", "--period", "2024", "--lang", "en",
                      "--regions", "52.02", "--jobs", "2", "--data-dir", str(folder),
                      "--out", str(out), "--no-progress")
    assert process.returncode == 0, process.stderr[-2000:]
    english = (out / "2024" / "52.02" / "index.en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "tobacco farmers paid by the Pemda" in english
    assert re.search(r"Rp\d{1,3}(,\d{3})+", english)
    assert 'href="index.html">Bahasa Indonesia</a>' in english
    indonesian = (out / "2024" / "52.02" / "index.html").read_text(encoding="utf-8")
    assert 'href="index.en.html">English</a>' in indonesian
    untranslated = (out / "2024" / "52.01" / "index.html").read_text(encoding="utf-8")
    assert "Versi bahasa Inggris belum dibuat" in untranslated
    assert (out / "2024" / "index.en.html").is_file()
    assert (out / "2024" / "52.02" / "tables.en.xlsx").is_file()
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/52.02/index.en.html"' in landing
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"2024/52.02/index.html", "2024/52.02/index.en.html"} <= set(manifest["runs"])


# =========================================================================== failures


def notebook_copy(folder: Path, name: str, source: str) -> Path:
    """The regency notebook with one more cell right after the imports."""
    notebook = nbformat.read(str(REGENCY), as_version=4)
    position = next(i for i, c in enumerate(notebook.cells)
                    if c.cell_type == "code" and "from helpers.report import" in c.source) + 1
    notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    path = folder / name
    nbformat.write(notebook, str(path))
    return path


def failing_copy(folder: Path) -> Path:
    return notebook_copy(folder, "failing.ipynb",
                         'raise RuntimeError("forced failure for the test")')


def dying_copy(folder: Path) -> Path:
    """A notebook whose kernel kills itself the first time it runs (a crash, an OOM kill)."""
    marker = folder / "died-once"
    return notebook_copy(folder, "dying.ipynb", (
        "import os, pathlib, signal\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.write_text('died once')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_manifest_matches_disk(out: Path) -> dict:
    """Every report on disk is complete and is what the manifest says, file by file."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for key, run in manifest["runs"].items():
        if run["status"] == "stale":  # its shared tables were rewritten by its twin
            assert (out / key).is_file() and "rewritten by" in run["error"], key
            continue
        shown = run if run["status"] == "ok" else run.get("published")
        if shown is None:
            assert not (out / key).exists(), key
            continue
        folder = (out / key).parent
        assert shown["outputs"], key
        for name, digest in shown["outputs"].items():
            assert sha256(folder / name) == digest, (key, name)
    for page in (out / "2024").glob("**/index*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
        assert page.relative_to(out).as_posix() in manifest["runs"], page
    assert not (out / ".staging").exists()
    assert not list(out.rglob("*.partial"))
    return manifest


@pytest.mark.kernel
def test_a_failing_region_and_a_dying_kernel_do_not_stop_the_others(batch, small_sample,
                                                                     tmp_path, capsys):
    """52.02 fails (its previous report stays), 52.03's kernel dies once (retried)."""
    out = tmp_path / "reports"
    shutil.copytree(batch[0], out)
    before = (out / "2024" / "52.02" / "index.html").read_bytes()
    specs = plan.build_specs(province_code="52", period="2024", lang="id", out=out,
                               regions=["52.01", "52.02", "52.03"],
                               data_dir=str(small_sample[0]), overview=False)
    specs[1] = replace(specs[1], notebook=str(failing_copy(tmp_path)))
    specs[2] = replace(specs[2], notebook=str(dying_copy(tmp_path)))
    result = runner.run_reports(province_code="52", period="2024",
                                data_dir=str(small_sample[0]), out=out, specs=specs,
                                progress=False, force=True)
    runs = {r.label: r for r in result.results}
    assert {label: r.status for label, r in runs.items()} == \
        {"52.01": "ok", "52.02": "failed", "52.03": "ok"}
    assert "RuntimeError: forced failure for the test" in runs["52.02"].error
    assert (runs["52.01"].attempts, runs["52.02"].attempts, runs["52.03"].attempts) == (1, 1, 2)
    assert "DeadKernelError" in runs["52.03"].retried
    assert (tmp_path / "died-once").exists()
    assert (out / "2024" / "52.02" / "index.html").read_bytes() == before  # still the old one
    manifest = assert_manifest_matches_disk(out)
    record = manifest["runs"]["2024/52.02/index.html"]
    assert record["status"] == "failed" and record["published"]["status"] == "ok"
    assert manifest["last_batch"]["failed"] == ["2024/52.02/index.html"]
    assert manifest["last_batch"]["retried"] == ["2024/52.03/index.html"]
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="2024/52.02/index.html">index.html</a> <span title="[^"]*needs to '
                     r'be rendered again, see manifest.json">⚠', landing)
    assert summary.finish(result) == 1  # the CLI's exit code
    err = capsys.readouterr().err
    assert "FAILED 2024/52.02/index.html" in err
    assert "retried 2024/52.03/index.html once after its kernel died" in err
    assert "2 of 3 report(s) rendered" in err and "1 failed" in err


@pytest.mark.kernel
def test_a_report_over_its_time_limit_is_stopped(small_sample, tmp_path):
    folder, _ = small_sample
    out = tmp_path / "reports"
    spec = plan.build_specs(province_code="52", period="2024", lang="id", out=out,
                              regions=["52.01"], data_dir=str(folder), overview=False)[0]
    spec = replace(spec, notebook=str(notebook_copy(tmp_path, "slow.ipynb",
                                                    "import time\ntime.sleep(600)")))
    started = time.perf_counter()
    result = runner.run_reports(province_code="52", period="2024", data_dir=str(folder),
                                out=out, specs=[spec], progress=False, timeout=15)
    assert time.perf_counter() - started < 120
    run = result.results[0]
    assert run.status == "timeout" and run.attempts == 1
    assert "time limit" in run.error and "--timeout" in run.error
    assert not (out / "2024" / "52.01" / "index.html").exists()
    manifest = assert_manifest_matches_disk(out)
    assert manifest["last_batch"]["timed_out"] == ["2024/52.01/index.html"]
    assert summary.finish(result) == 1


def wait_for_a_published_report(process: subprocess.Popen, out: Path) -> None:
    """Wait until a running batch has published its first report (the manifest says so)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            last = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["last_batch"]
        except (OSError, ValueError):
            last = {}
        if last.get("state") == "running" and last.get("rendered"):
            return
        time.sleep(0.2)
    raise AssertionError(f"no report published (batch exit code {process.poll()})")


@pytest.mark.kernel
def test_sigterm_mid_batch_keeps_finished_reports_and_a_consistent_manifest(
        batch, small_sample, tmp_path):
    """Stop a batch with SIGTERM once a report is published, then resume it."""
    out = tmp_path / "reports"
    shutil.copytree(batch[0], out)
    folder = str(small_sample[0])
    command = [CAKUPAN, "reports", "--province", "52", "--period", "2024", "--jobs", "2",
               "--data-dir", folder, "--out", str(out), "--no-progress",
               "--regions", SUBSET, "-p", "grace_months=2"]  # a new parameter: every report is out of date
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_for_a_published_report(process, out)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "SIGTERM received: stopping the workers" in err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    manifest = assert_manifest_matches_disk(out)
    last = manifest["last_batch"]
    assert last["state"] == "stopped" and last["stopped_by"] == "SIGTERM"
    rendered, interrupted = last["rendered"], last["interrupted"]
    assert rendered and interrupted and len(rendered) + len(interrupted) == SUBSET_RUNS
    for key in interrupted:  # the previous report is still there, whole
        record = manifest["runs"][key]
        assert record["status"] == "interrupted"
        assert record["published"]["parameters"].get("grace_months", 1) == 1
        assert (out / key).is_file()
    for key in rendered:
        assert manifest["runs"][key]["parameters"]["grace_months"] == 2
    # resume: the finished reports are skipped, the interrupted ones rendered
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                           check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{len(interrupted)} of {SUBSET_RUNS} report(s) rendered" in again.stderr
    assert f"{len(rendered)} unchanged (skipped" in again.stderr
    manifest = assert_manifest_matches_disk(out)
    assert sorted(manifest["last_batch"]["rendered"]) == sorted(interrupted)
    # Indonesian reports all current; an English twin rendered earlier with the old
    # grace_months no longer matches the tables both share: stale, to render again
    for key, run in manifest["runs"].items():
        assert run["status"] == ("stale" if key.endswith(".en.html") else "ok"), key


@pytest.mark.kernel
def test_a_batch_killed_outright_is_cleaned_up_by_the_next_one(batch, small_sample,
                                                               tmp_path):
    """SIGKILL (no clean stop possible): workers leave, the next batch recovers."""
    out = tmp_path / "reports"
    shutil.copytree(batch[0], out)
    command = [CAKUPAN, "reports", "--province", "52", "--period", "2024", "--jobs", "2",
               "--data-dir", str(small_sample[0]), "--out", str(out), "--no-progress",
               "--regions", SUBSET, "-p", "grace_months=3"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for_a_published_report(process, out)
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                             text=True, check=False).stdout.split()
    assert workers
    process.kill()
    process.wait(timeout=30)
    time.sleep(5)  # each worker notices within a second that its parent is gone
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                           check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    manifest = assert_manifest_matches_disk(out)
    last = manifest["last_batch"]
    assert last["state"] == "finished" and last["unchanged"]
    assert len(last["rendered"]) + len(last["unchanged"]) == SUBSET_RUNS
    assert all(manifest["runs"][key]["parameters"].get("grace_months") == 3
               for key in last["rendered"] + last["unchanged"])


@pytest.mark.kernel
def test_unchanged_reports_are_skipped_unless_forced(batch, small_sample, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(batch[0], out)
    page = out / "2024" / "52.01" / "index.html"
    stamp = page.stat().st_mtime_ns
    args = ("report", "--region", "52.01", "--period", "2024",
            "--data-dir", str(small_sample[0]), "--out", str(out), "--no-progress")
    skipped = cakupan(*args)
    assert skipped.returncode == 0, skipped.stderr[-2000:]
    assert "0 of 1 report(s) rendered" in skipped.stderr and "1 unchanged" in skipped.stderr
    assert page.stat().st_mtime_ns == stamp
    forced = cakupan(*args, "--force")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert "1 of 1 report(s) rendered" in forced.stderr
    assert page.stat().st_mtime_ns != stamp
    assert_manifest_matches_disk(out)


@pytest.mark.kernel
def test_a_second_batch_into_the_same_folder_is_refused(small_sample, tmp_path):
    from helpers.locking import file_lock

    folder, _ = small_sample
    out = tmp_path / "reports"
    with file_lock(out / ".lock"):
        process = cakupan("report", "--region", "52.01", "--data-dir", str(folder),
                          "--out", str(out), "--no-progress", timeout=120)
    assert process.returncode == 1
    lines = process.stderr.strip().splitlines()
    assert "another cakupan batch is writing to" in lines[-1], lines


# =========================================================================== validation


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2031"], "period 2031 is outside the data (2022–2025)"),
    (["--period", "twenty"], "is not a year or a year-month"),
    (["--province", "99"], "unknown provinsi code '99'"),
    (["--regions", "52.99"], "unknown kabupaten/kota code '52.99'"),
    (["-p", "grace_mnths=2"], "unknown parameter 'grace_mnths'"),
    (["-p", "grace_months=two"], "'grace_months' must be a whole number"),
    (["-p", "labour_denominator=census"], "unknown labour_denominator"),
    (["-p", "api_key=abc"], "looks like a secret"),
    (["--jobs", "0"], "--jobs 0"),
])
def test_bad_parameters_fail_in_one_line_before_any_kernel(tmp_path, capsys, args, message):
    from helpers import cli

    out = tmp_path / "reports"
    assert cli.main(["reports", "--out", str(out), *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cakupan reports: error:"), lines
    assert message in lines[0]
    assert captured.out == ""
    assert not out.exists()  # nothing ran


def test_the_cakupan_command_fails_in_one_line_at_once(tmp_path):
    out = tmp_path / "reports"
    started = time.perf_counter()
    process = cakupan("reports", "--out", str(out), "--period", "2031", timeout=120)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cakupan reports: error: period 2031 is "
                                                   "outside the data"), lines
    assert not out.exists()  # nothing ran
    assert time.perf_counter() - started < 30


def test_unknown_name_gets_a_suggestion():
    with pytest.raises(ParameterError, match="did you mean 'region_code'"):
        validate_parameters(REGENCY, {"regoin_code": "52.02"})


@pytest.mark.parametrize(("name", "value"), [("region_code", 52.02), ("grace_months", True),
                                             ("grace_months", 1.5), ("period", 2024)])
def test_wrong_types_are_refused(name, value):
    with pytest.raises(ParameterError, match=f"'{name}' must be"):
        validate_parameters(REGENCY, {name: value})


def test_cli_text_is_coerced_to_the_declared_type():
    assert validate_parameters(REGENCY, {"grace_months": "2"}) == {"grace_months": 2}


def test_parameters_are_what_papermill_sees():
    import ast

    import papermill

    for path in (ROOT / "notebooks").glob("*.ipynb"):
        ours = notebook_parameters(path)
        theirs = papermill.inspect_notebook(str(path))  # name → parameter
        assert list(ours) == list(theirs), path.name
        for name, parameter in ours.items():
            assert theirs[name]["inferred_type_name"] == parameter.type_name
            assert ast.literal_eval(theirs[name]["default"]) == parameter.default
            assert theirs[name]["help"] == parameter.help
            assert parameter.help, (path.name, name)


def parameters_notebook(tmp_path: Path, *sources: str) -> Path:
    """A notebook with one code cell tagged 'parameters' per source."""
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {"tags": ["parameters"]},
              "source": source, "outputs": [], "execution_count": None}
             for i, source in enumerate(sources)]
    path = tmp_path / "params.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_a_text_parameter_may_hold_a_hash_or_an_equals_sign(tmp_path):
    path = parameters_notebook(tmp_path, 'colour: str = "#fff"  # bar colour, e.g. #000\n'
                                         'note: str = "a=b"  # free text\n'
                                         'grace_months: int = 1')
    result = {name: (p.default, p.help) for name, p in notebook_parameters(path).items()}
    expected = {"colour": ("#fff", "bar colour, e.g. #000"), "note": ("a=b", "free text"),
                "grace_months": (1, "")}
    assert result == expected


@pytest.mark.parametrize(("sources", "message"), [
    (("x = 1  # no type",), "line 1 is not 'name: type = literal'"),
    (("x: int = 1\ny: int = x + 1",), "line 2 is not 'name: type = literal'"),
    (("x: str = make()",), "line 1 is not 'name: type = literal'"),
    (("x: int = (1",), "line 1 is not Python"),
    (("x: int = 1", "y: int = 2"), "has 2 cells tagged 'parameters'"),
    ((), "has 0 cells tagged 'parameters'"),
])
def test_a_parameters_cell_papermill_would_half_read_is_refused(tmp_path, sources, message):
    path = parameters_notebook(tmp_path, *sources)
    with pytest.raises(ParameterError, match=re.escape(message)):
        notebook_parameters(path)


def test_parameter_files_are_valid():
    for path in (ROOT / "notebooks" / "parameters").glob("*.yaml"):
        values = read_parameter_file(path)
        validate_parameters(REGENCY, values)


SECRET = "s3cret-value-from-the-file"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("folder.yaml", None, "the parameter file is a folder"),
    ("binary.yaml", b"\x00\x01" + SECRET.encode(), "is a binary file, not YAML or JSON text"),
    ("latin1.yaml", f"grace_months: 2\nnote: caf\xe9 {SECRET}\n".encode("latin-1"),
     "is not UTF-8 text (line 2, column 10)"),
    ("mapping.yaml", f"password: {SECRET}: x\n".encode(),
     ("not valid YAML: a syntax error at line 1, column 37 (mapping values are not allowed "
      "here)")),
    ("tag.yaml", f"grace_months: 2\nnote: !{SECRET} x\n".encode(),
     ("not valid YAML: a value that cannot be read at line 2, column 7 (could not determine "
      "a constructor for the tag …)")),
    ("escape.yaml", f'note: "{SECRET}\\q"\n'.encode(),
     "not valid YAML: a syntax error at line 1, column 35 (found unknown escape character …)"),
    ("broken.json", f'{{"grace_months": {SECRET}}}'.encode(),
     "not valid JSON: Expecting value at line 1, column 18"),
    ("empty.yaml", b"", "is empty or not a mapping of names to values"),
    ("list.yaml", f"- {SECRET}\n".encode(), "is empty or not a mapping of names to values"),
    ("missing.yaml", False, "parameter file not found"),
])
def test_parameter_file_errors_name_the_place_never_the_content(tmp_path, name, content,
                                                               message):
    path = tmp_path / name
    if content is None:
        path.mkdir()
    elif content is not False:
        path.write_bytes(content)
    with pytest.raises(ParameterError) as caught:
        read_parameter_file(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text, text
    assert SECRET not in text and "\n" not in text


def test_an_unreadable_parameter_file_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "params.yaml"
    path.write_text("grace_months: 2\n", encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ParameterError, match=r"cannot read the parameter file \(permission "
                                             r"denied\) — check that the file is readable"):
        read_parameter_file(path)


def test_a_bad_parameter_file_is_one_line_from_the_cli(tmp_path, capsys):
    from helpers import cli

    path = tmp_path / "params.yaml"
    path.write_text(f"grace_months: 2\napi: {SECRET}: x\n", encoding="utf-8")
    assert cli.main(["reports", "--param-file", str(path), "--out",
                     str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [(f"cakupan reports: error: {path}: the parameter file is not valid "
                      "YAML: a syntax error at line 2, column 32 (mapping values are not "
                      "allowed here) — write name: value lines")]
    assert not (tmp_path / "out").exists()


def test_missing_kernel_is_a_clear_error_when_not_registering():
    with pytest.raises(ReportError, match="ipykernel install"):
        preflight.check_kernel("no-such-kernel-cakupan-test", register=False)


def test_missing_kernel_is_registered_on_first_use_with_one_line(monkeypatch, tmp_path,
                                                                   capsys):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))  # register into a scratch prefix
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    python = preflight.check_kernel("cakupan-first-use-test")
    assert python  # the kernel's interpreter
    assert (tmp_path / "share" / "jupyter" / "kernels" / "cakupan-first-use-test"
            / "kernel.json").is_file()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "registered the Jupyter kernel 'cakupan-first-use-test'" \
        in lines[0]
    preflight.check_kernel("cakupan-first-use-test")  # the second time: silent
    assert capsys.readouterr().err == ""


def test_a_kernel_that_cannot_be_registered_is_one_line(monkeypatch):
    import ipykernel.kernelspec

    def refuse(**_):
        raise PermissionError("read-only prefix")

    monkeypatch.setattr(ipykernel.kernelspec, "install", refuse)
    with pytest.raises(ReportError, match="could not be registered .*ipykernel install"):
        preflight.check_kernel("no-such-kernel-cakupan-test")


# =========================================================================== warm caches


class CacheRead(Exception):
    """Raised where a province bundle would be read from (or written to) the cache."""


@pytest.fixture
def cache_names(monkeypatch, tmp_path):
    """Record the cache entry of every province bundle asked for, and the engine of every
    registry load, without an intake, an engine or a kernel.

    ``report_data.load_registries`` (the call the batch and the notebooks share) gives
    stand-in registries on the engine asked for; the bundle cache's one way in records
    the entry name (province and key: registries, parameters, engine, code) and stops.
    """
    from types import SimpleNamespace

    from helpers.report import bundle_cache, report_data
    from helpers.report.registries import Registries

    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("jamsostek.parquet", "jkn.parquet"):
        (folder / name).write_bytes(b"registry " + name.encode())
    seen = SimpleNamespace(folder=folder, engines=[], names=[])

    def load_registries(data_dir=None, engine="duckdb", **_):
        seen.engines.append(engine)
        intake = {name: SimpleNamespace(summary=SimpleNamespace(
            path=str(folder / f"{name}.parquet"), file_sha256=name * 4, rows_read=12,
            rows_accepted=10, rows_rejected=2)) for name in ("jamsostek", "jkn")}
        return Registries(tk=intake["jamsostek"], jkn=intake["jkn"], tk_table=None,
                          jkn_table=None, data_dir=folder, engine=engine)

    def load_or_compute(cache_folder, name, code, compute):
        seen.names.append(name)
        raise CacheRead(name)

    monkeypatch.setattr(report_data, "load_registries", load_registries)
    monkeypatch.setattr(bundle_cache, "load_or_compute", load_or_compute)
    return seen


def run_notebook_code(spec) -> None:
    """The notebook's code cells in this process, its parameters set as papermill sets
    them, up to the first cache read."""
    notebook = json.loads(Path(spec.notebook).read_text(encoding="utf-8"))
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        exec(compile(source, spec.notebook, "exec"), namespace)  # noqa: S102
        if "parameters" in cell["metadata"].get("tags", []):
            namespace.update(spec.parameters)  # papermill's injected-parameters cell


@pytest.mark.parametrize("extra", [{}, {"engine": "spark"},
                                   {"engine": "spark", "grace_months": 2,
                                    "labour_denominator": "bps_employed"}],
                         ids=["defaults", "spark", "spark-grace-2-bps"])
def test_the_warmed_bundle_is_the_one_every_notebook_reads(cache_names, tmp_path, extra):
    specs = plan.build_specs(province_code="52", period="2024-06", lang="id",
                             out=tmp_path / "reports", regions=["52.02"],
                             data_dir=str(cache_names.folder), extra=extra)
    assert [spec.kind for spec in specs] == ["province", "regency"]
    with pytest.raises(CacheRead):
        plan.warm_caches(province_code="52", period="2024-06",
                         data_dir=str(cache_names.folder), extra=extra)
    for spec in specs:
        with pytest.raises(CacheRead):
            run_notebook_code(spec)
    engine = extra.get("engine", "duckdb")
    assert cache_names.engines == [engine] * 3  # the warm, the overview, the regency report
    warmed, *read = cache_names.names
    assert read == [warmed, warmed]


def test_the_engine_is_part_of_the_warmed_bundle(cache_names):
    for engine in ("duckdb", "spark"):
        with pytest.raises(CacheRead):
            plan.warm_caches(province_code="52", period="2024",
                             data_dir=str(cache_names.folder), extra={"engine": engine})
    assert cache_names.engines == ["duckdb", "spark"]
    duckdb_entry, spark_entry = cache_names.names
    assert duckdb_entry != spark_entry
