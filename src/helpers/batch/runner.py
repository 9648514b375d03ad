"""Batch rendering: ``cakupan report`` and ``cakupan reports`` (papermill + nbconvert).

One command renders every kab/kota of a province and the province overview for a period,
in parallel worker processes, with a progress bar:

1. **Validate before any kernel starts**: every parameter name against the notebook's
   ``parameters`` cell (a typo is an error, with a suggestion), every type (text, whole
   number, share...), the region and province codes against ``regions.csv``, the period
   against the years of the data (2022-2025), the language, the data folder, the
   ``cakupan`` Jupyter kernel and the pseudonymisation key; then the output folder: new,
   empty or Cakupan's (it holds Cakupan's ``manifest.json``), and writable. A problem is
   one line and exit code 2.
2. **Warm the caches in the parent**: the intake of both registries (``data/cache``) and
   the province bundle of aggregates (``data/cache/reports``), once, so the notebooks
   only read them.
3. **Skip what is current**: a report whose notebook, parameters, registry files,
   reference tables, code and package versions are unchanged since the manifest recorded
   it, and whose files are intact, is not rendered again (``--force`` renders it).
4. **Render in parallel**: ``ProcessPoolExecutor`` workers (:mod:`helpers.batch.worker`) run
   papermill on the notebook (kernel ``cakupan``) and export the HTML in the same process
   (no second ``jupyter nbconvert``), into a staging folder. Each report has a time limit
   (``--timeout``); a run whose kernel died is retried once; a failing region is recorded
   and the others go on.
5. **Publish atomically**: this process moves each finished report into place
   (:mod:`helpers.batch.publish`) and updates ``reports/manifest.json`` (:mod:`helpers.batch.manifest`)
   at once, so a report on disk is never half-written and the manifest always matches
   the disk. Then the language and navigation links of every report, the landing page
   ``reports/index.html``, and the privacy audit of everything written. Only files the
   manifest lists as Cakupan's are ever replaced or deleted; a write that fails (disk
   full) fails its report, or marks the batch 'incomplete', never 'finished'.
6. **Stop cleanly**: Ctrl-C or SIGTERM stops the workers and their kernels, keeps the
   reports already finished, records the others as 'interrupted' (their previous version
   stays in place) and exits with 130 or 143. A second batch writing into the same
   folder at the same time is refused.

The end summary says what was rendered, skipped, failed, timed out, retried or
interrupted. Exit codes: 0, 1 (a report failed, or a step of the batch could not be
written), 2 (bad parameters or output folder), 3 (privacy audit finding, or the audit
could not run), 130/143 (stopped).

Layout (``docs/reports.md``)::

    reports/index.html                      landing page, links everything
    reports/manifest.json
    reports/<period>/index.html             province overview (id); index.en.html (en)
    reports/<period>/<region>/index.html    regency report (id); index.en.html (en)
    reports/<period>/<region>/indicators.csv, tables/*.csv   (language-neutral)
    reports/<period>/<region>/tables.xlsx (id), tables.en.xlsx (en)
    reports/<period>/<region>/report.ipynb (id), report.en.ipynb (en): executed, for audit
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers.batch import publish, worker
from helpers.batch.landing import finalize
from helpers.batch.manifest import (
    FILE_NAME,
    LANDING_PAGE,
    Manifest,
    owned_files,
    public_parameters,
    read_manifest,
    relative,
)
from helpers.batch.parameters import (
    notebook_parameters,
    parse_assignments,
    read_parameter_file,
    validate_parameters,
)
from helpers.batch.worker import KERNEL_NAME, RUN_TIMEOUT, RunResult, RunSpec, notebooks_dir
from helpers.errors import CakupanError, ParameterError, ReportError
from helpers.locking import file_lock
from helpers.paths import project_root, reports_dir
from helpers.report.i18n import LANGUAGES, check_language

REGENCY_NOTEBOOK = "regency_report.ipynb"
OVERVIEW_NOTEBOOK = "province_overview.ipynb"


def check_kernel(name: str = KERNEL_NAME, *, register: bool = True) -> str:
    """The kernel's Python, registering the kernel on first use when it is missing.

    Every notebook names the ``cakupan`` kernel. ``make setup`` registers it; after a
    plain ``pip install`` or ``conda env create`` it may be missing, so the first report
    registers it for this interpreter (``--sys-prefix``), with a one-line notice.

    Args:
        name: kernel name.
        register: register the kernel when it is missing (False: only check).

    Raises:
        ReportError: the kernel is missing and cannot be registered here.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        manual = (f"`{sys.executable} -m ipykernel install --sys-prefix --name {name} "
                  f"--display-name \"Python ({name})\"`")
        if not register:
            raise ReportError(f"Jupyter kernel '{name}' is not installed",
                              fix=f"run `make setup`, or {manual}") from None
        try:
            from ipykernel.kernelspec import install

            install(kernel_name=name, display_name=f"Python ({name})", prefix=sys.prefix)
            spec = KernelSpecManager().get_kernel_spec(name)
        except (OSError, NoSuchKernel) as error:
            raise ReportError(
                f"Jupyter kernel '{name}' is not installed and could not be registered "
                f"({type(error).__name__})", fix=f"run {manual}") from None
        _say(f"cakupan: registered the Jupyter kernel '{name}' for {sys.executable} "
             "(first use; the notebooks run on it)")
    return spec.argv[0] if spec.argv else ""


# =========================================================================== runs


class StopRequest:
    """SIGINT/SIGTERM handler of a batch: remembers the signal, the batch stops the workers.

    The handler only sets a flag, so whatever the batch is doing when a signal arrives
    (moving a finished report into place, writing the manifest) completes first. A
    second signal while stopping only repeats the message.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict = {}

    @property
    def name(self) -> str | None:
        return signal.Signals(self.signum).name if self.signum else None

    def __call__(self, signum, frame) -> None:
        first = self.signum is None
        self.signum = self.signum or signum
        _say(f"cakupan: {signal.Signals(signum).name} received: "
             + ("stopping the workers; finished reports are kept" if first
                else "already stopping, please wait"))

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def run_specs(specs: list[RunSpec], jobs: int, *, log_path: Path, progress: bool = True,
              kernel_mode: str = "reuse", before=None, timeout: float | None = RUN_TIMEOUT,
              on_result=None, stop: StopRequest | None = None) -> list[RunResult]:
    """Run every spec in ``jobs`` worker processes with a progress bar.

    A failing run does not stop the others. When ``stop`` records a signal, pending runs
    are cancelled, the workers (and their kernels) are stopped, and every run that had
    not finished is returned with status 'interrupted'.

    Args:
        specs: the runs.
        jobs: worker processes.
        log_path: where workers and kernels write their output.
        progress: show the progress bar.
        kernel_mode: 'reuse', 'fresh' or 'papermill' (see :func:`helpers.batch.worker.worker_init`).
        before: called in this process once the workers are starting (their kernels
            warm up meanwhile), e.g. to warm the caches.
        timeout: time limit of one run, in seconds (None: none).
        on_result: called in this process with each finished result (the batch
            commits the run's files and records it).
        stop: the batch's signal handler.

    Returns:
        One result per spec, in the order given.
    """
    from tqdm import tqdm

    stop = stop or StopRequest()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, RunResult] = {}
    context = multiprocessing.get_context("spawn")  # no fork of a parent with DuckDB threads
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=worker.worker_init,
        initargs=(str(log_path), kernel_mode))
    bar = tqdm(total=len(specs), desc="reports", unit="report", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)

    def finished(index: int, result: RunResult) -> None:
        if on_result is not None:
            on_result(result)
        results[index] = result
        bar.set_postfix_str(f"{specs[index].label} {result.status}")
        bar.update(1)

    try:
        started = [pool.submit(worker.ping) for _ in range(jobs)]  # start the workers now
        if before is not None and not stop.signum:
            before()
        concurrent.futures.wait(started)
        futures = {} if stop.signum else {
            pool.submit(worker.execute_run, spec, timeout): index
            for index, spec in enumerate(specs)}
        pending = set(futures)
        while pending and not stop.signum:
            done, pending = concurrent.futures.wait(
                pending, timeout=0.5, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                finished(futures[future], _outcome(future, specs[futures[future]]))
        if stop.signum:
            # Stopped workers break the pool: every unfinished future then fails with
            # BrokenProcessPool (cancelling them first trips a Python 3.11 bug).
            _stop_workers(pool)
            concurrent.futures.wait(pending, timeout=30)
            for future in pending:  # a run that finished before its worker stopped is kept
                if future.done() and future.exception() is None:
                    finished(futures[future], future.result())
    finally:
        bar.close()
        pool.shutdown(wait=True, cancel_futures=True)
    for index, spec in enumerate(specs):
        if index not in results:
            results[index] = RunResult.of(
                spec, status="interrupted",
                error=f"not finished: the batch was stopped ({stop.name or 'stopped'})")
    return [results[i] for i in range(len(specs))]


def _outcome(future: concurrent.futures.Future, spec: RunSpec) -> RunResult:
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - a crashed worker fails one run
        return RunResult.of(spec, status="failed",
                            error=worker._write_failure(error, spec.root)
                            or worker._one_line(error))


def _stop_workers(pool: concurrent.futures.ProcessPoolExecutor, grace: float = 10) -> None:
    """SIGTERM every worker (each kills its kernels and exits); SIGKILL the slow ones.

    ``ProcessPoolExecutor`` has no public way to stop running tasks before Python 3.14
    (``terminate_workers``); its worker table is read here.
    """
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)


# =========================================================================== batch


@dataclass
class Batch:
    """What a ``reports`` or ``report`` command did.

    ``results``: the runs this batch executed; ``unchanged``: keys of reports skipped
    because nothing they depend on changed; ``stale``: other-language reports whose
    shared tables this batch rewrote with other values; ``stopped_by``: the signal that stopped the
    batch, if any; ``recovered``: leftovers of an earlier, killed batch that were cleaned;
    ``problems``: one line per step of the batch that could not be written (the links,
    the landing page, the manifest); ``audit_error``: why the privacy audit could not run;
    ``landing_page``: the landing page written (None when it could not be);
    ``state``: what ``last_batch.state`` says (see :mod:`helpers.batch.manifest`).
    """

    results: list[RunResult]
    out: Path
    seconds: float
    warm_seconds: float
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    stopped_by: str | None = None
    recovered: list[str] = field(default_factory=list)
    privacy_findings: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    audit_error: str | None = None
    landing_page: Path | None = None
    state: str = "running"

    @property
    def failed(self) -> list[RunResult]:
        """Runs that did not publish a report (failed, timed out or interrupted)."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def index_path(self) -> Path:
        return self.out / LANDING_PAGE

    def keys(self, *statuses: str) -> list[str]:
        return [r.key for r in self.results if r.status in statuses]


def build_specs(*, province_code: str, period: str, lang: str, out: Path,
                regions: list[str] | None = None, data_dir: str = "",
                extra: dict | None = None, overview: bool = True) -> list[RunSpec]:
    """Validated run specs of a batch (regency reports of the regions, then the overview).

    Raises:
        ParameterError: any parameter of any run.
    """
    from helpers.data import reference
    from helpers.report import report_data

    province_code = report_data.check_region(province_code, kind="provinsi")
    report_data.check_period(period)
    check_language(lang)
    codes = regions or reference.kabkota_codes(province_code)
    codes = [report_data.check_region(code) for code in codes]
    outside = [c for c in codes if c[:2] != province_code]
    if outside:
        raise ParameterError(f"region {outside[0]} is not in province {province_code}",
                             fix="use regions of that province or another --province")
    folder = notebooks_dir()
    regency_nb, overview_nb = folder / REGENCY_NOTEBOOK, folder / OVERVIEW_NOTEBOOK
    extra = dict(extra or {})
    common = {"period": str(period), "lang": lang,
              **({"data_dir": str(Path(data_dir).resolve())} if data_dir else {})}
    specs = []
    for code in codes:
        out_dir = out / str(period) / code
        params = validate_parameters(regency_nb, {**common, **extra, "region_code": code,
                                                  "output_dir": str(out_dir)})
        specs.append(RunSpec("regency", code, str(regency_nb), params, str(out_dir), lang,
                             str(period)))
    if overview:
        out_dir = out / str(period)
        overview_extra = {k: v for k, v in extra.items()
                          if k in notebook_parameters(overview_nb)}
        params = validate_parameters(overview_nb, {**common, **overview_extra,
                                                   "province_code": province_code,
                                                   "output_dir": str(out_dir),
                                                   "report_links": True})
        specs.insert(0, RunSpec("province", province_code, str(overview_nb), params,
                                str(out_dir), lang, str(period)))
    return specs


def warm_caches(*, province_code: str, period: str, data_dir: str = "",
                extra: dict | None = None) -> dict:
    """Run the intake and compute the province bundle once, in this process.

    Returns:
        dict with ``inputs`` (file checksums and counts) and timings.
    """
    from helpers.report import report_data

    # The notebooks' own defaults and types, so the bundle warmed here is the one the
    # notebooks read (same engine, grace months, denominator and vintage).
    notebook = notebooks_dir() / REGENCY_NOTEBOOK
    chosen = {name: p.default for name, p in notebook_parameters(notebook).items()}
    chosen |= validate_parameters(notebook, {name: value for name, value in (extra or {}).items()
                                             if name in chosen})
    started = time.perf_counter()
    registries = report_data.load_registries(data_dir or None, engine=chosen["engine"])
    intake_seconds = time.perf_counter() - started
    params = report_data.make_parameters(
        str(period), grace_months=chosen["grace_months"],
        labour_denominator=chosen["labour_denominator"],
        population_vintage=chosen["population_vintage"])
    report_data.province_bundle(registries, province_code, params)
    inputs = {}
    for name, result in (("jamsostek", registries.tk), ("jkn", registries.jkn)):
        summary = result.summary
        path = Path(summary.path)
        inputs[path.name] = {"registry": name, "sha256": summary.file_sha256,
                             "bytes": path.stat().st_size, "rows_read": summary.rows_read,
                             "rows_accepted": summary.rows_accepted,
                             "rows_rejected": summary.rows_rejected}
    return {"inputs": inputs, "intake_seconds": round(intake_seconds, 2),
            "bundle_seconds": round(time.perf_counter() - started - intake_seconds, 2)}


# --------------------------------------------------------------------------- output folder

#: Fix of every refusal of an --out folder.
OUT_FOLDER_FIX = "give an empty or new folder, or a folder Cakupan wrote"


def check_output_folder(out: Path) -> None:
    """Refuse a reports folder Cakupan must not write into; create it; test a write.

    A folder is Cakupan's when it is new, empty, or holds a ``manifest.json`` that
    Cakupan wrote. Besides that, an empty ``.lock``, a ``.logs`` folder of worker logs and
    a ``.staging`` folder of run folders (what a batch leaves before its first manifest)
    do not make a folder someone else's, nor does ``README.md`` in the project's own
    ``reports/``. A landing page ``index.html`` that the manifest does not list is a
    file Cakupan did not write and would replace: refused too. Then a probe file is
    created and removed, so a read-only folder is one line before any kernel starts.

    Raises:
        ParameterError: ``out`` is a file; a non-empty folder that is not Cakupan's; a
            landing page that is not Cakupan's; the folder cannot be read or written
            (read-only file system, permission denied).
        ReportError: no space left to write in it.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError("the --out folder is a file, not a folder", path=out,
                             fix=OUT_FOLDER_FIX)
    if out.is_dir():
        try:
            _check_folder_is_ours(out)
        except OSError as error:
            reason = publish.describe_os_error(error, out).replace("write to", "read")
            raise ParameterError(reason, fix="give a folder you can read and write with "
                                             "--out") from None
    _probe_write(out)


def _check_folder_is_ours(out: Path) -> None:
    document = read_manifest(out)
    if document is None:
        project_folder = out.resolve() == reports_dir().resolve()
        others = sorted(entry.name for entry in out.iterdir()
                        if not _cakupan_leftover(entry)
                        and not (project_folder and entry.name == "README.md"))
        if not others:
            return
        if FILE_NAME in others:
            problem = ("the --out folder holds a manifest.json that Cakupan did not write "
                       "(or cannot read)")
        else:
            shown = ", ".join(f"'{name}'" for name in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            problem = (f"the --out folder is not empty ({shown}{more}) and holds no Cakupan "
                       "manifest.json; Cakupan never replaces or deletes files it did not "
                       "write")
        raise ParameterError(problem, path=out, fix=OUT_FOLDER_FIX)
    landing = out / LANDING_PAGE
    if os.path.lexists(landing) and LANDING_PAGE not in owned_files(document, out):
        raise ParameterError("index.html is not a landing page Cakupan wrote (its manifest "
                             "does not list it) and the batch would replace it", path=landing,
                             fix="move it out of the reports folder, or give another --out")


def _cakupan_leftover(entry: Path) -> bool:
    """True for what a batch leaves in a folder before it writes its first manifest."""
    if entry.is_symlink():
        return False
    if entry.name.startswith(".cakupan-write-test-"):  # a probe of a batch killed at once
        return entry.is_file()
    if entry.name == ".lock":
        return entry.is_file() and entry.stat().st_size == 0
    if entry.name == ".logs":
        return entry.is_dir() and all(child.name == "workers.log" and child.is_file()
                                      for child in entry.iterdir())
    if entry.name == publish.STAGING:
        return entry.is_dir() and all(child.is_dir() and publish.is_staging(child)
                                      for child in entry.iterdir())
    return False


def _probe_write(out: Path) -> None:
    """Create the folder and a probe file in it, then remove the probe."""
    probe = out / f".cakupan-write-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, b"cakupan write test\n")
        finally:
            os.close(descriptor)
        probe.unlink()
    except OSError as error:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        problem = publish.describe_os_error(error, out)
        if error.errno in publish.NO_SPACE:
            raise ReportError(problem, fix="free some space, or give a folder on another "
                                           "disk with --out") from None
        raise ParameterError(problem, fix="give a folder you can write to with --out") \
            from None


# --------------------------------------------------------------------------- run_reports


def run_reports(*, province_code: str = "52", period: str = "2024", lang: str = "id",
                jobs: int = 2, out: str | Path | None = None, data_dir: str = "",
                regions: list[str] | None = None, extra: dict | None = None,
                overview: bool = True, progress: bool = True,
                specs: list[RunSpec] | None = None, kernel_mode: str = "reuse",
                pdf: bool = False, force: bool = False,
                timeout: float | None = RUN_TIMEOUT) -> Batch:
    """Render the reports of a province (or some regions) for a period.

    Every report is rendered into a staging folder and moved into place only when it is
    complete (:mod:`helpers.batch.publish`); the manifest is updated after each one. Reports
    whose inputs, parameters and code are unchanged since they were rendered are skipped
    unless ``force``. SIGINT/SIGTERM stop the batch cleanly: finished reports are kept,
    unfinished ones are recorded as 'interrupted' and the previous good report stays.

    Before anything is written: the parameters, the kernel, the pseudonymisation key and
    the output folder are checked (a folder that is neither new, empty nor Cakupan's is
    refused, and so is one that cannot be written). The batch replaces or deletes only
    files its manifest lists as Cakupan's (:class:`helpers.batch.manifest.Manifest`). A write
    that fails (disk full) fails the report concerned; a step of the batch that cannot
    be written (links, landing page, audit, manifest) is in ``Batch.problems``, and
    ``last_batch.state`` is then never 'finished'.

    Args:
        province_code, period, lang: what to render.
        jobs: worker processes (2 on this project's machines).
        out: reports root (default ``reports/``).
        data_dir: registry folder ('' = data/sample).
        regions: a subset of kab/kota (default all of the province).
        extra: further notebook parameters (grace_months, labour_denominator, ...).
        overview: also render the province overview.
        progress: show the progress bar.
        specs: run these specs instead of building them (tests use it).
        kernel_mode: 'reuse' (one warm kernel per worker, reset between notebooks),
            'fresh' (a new kernel per notebook) or 'papermill' (a cold kernel per
            notebook).
        pdf: also print every rendered report to PDF next to its HTML (Chromium).
        force: render every report even when unchanged.
        timeout: time limit of one report in seconds (None: no limit).

    Returns:
        The batch; ``batch.failed`` lists runs that did not publish.

    Raises:
        ParameterError, PrivacyError, ReportError: before anything runs; ReportError
            also when the batch cannot go on (its manifest cannot be written at all).
    """
    started = time.perf_counter()
    out = Path(out) if out else reports_dir()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs {jobs} is not a whole number of at least 1",
                             fix="e.g. --jobs 2")
    if timeout is not None and not timeout > 0:
        raise ParameterError(f"--timeout {timeout} is not a positive number of seconds",
                             fix="e.g. --timeout 1800 (30 minutes per report)")
    if specs is None:
        specs = build_specs(province_code=province_code, period=str(period), lang=lang,
                            out=out, regions=regions, data_dir=data_dir, extra=extra,
                            overview=overview)
    check_kernel()
    if pdf:
        from helpers.batch import pdf as pdf_twin

        pdf_twin.check_ready()  # a missing Chromium is one line before anything renders
    from helpers.data import pseudonym
    from helpers.report.registries import registry_paths

    pseudonym.get_key()  # a bad key is refused (exit 2) before anything is written
    registry_files = registry_paths(data_dir)  # a snapshot folder: each of its files
    check_output_folder(out)
    with _batch_lock(out), StopRequest() as stop:
        job = _BatchJob(out=out, specs=specs, registry_files=registry_files, stop=stop,
                        started=started, province_code=province_code, period=str(period),
                        lang=lang, jobs=jobs, data_dir=data_dir, extra=extra)
        return job.run(progress=progress, kernel_mode=kernel_mode, pdf=pdf, force=force,
                       timeout=timeout)


class _BatchJob:
    """One batch, from the lock to the last manifest save (what :func:`run_reports` does)."""

    def __init__(self, *, out: Path, specs: list[RunSpec], registry_files: list[Path],
                 stop: StopRequest, started: float, province_code: str, period: str,
                 lang: str, jobs: int, data_dir: str, extra: dict | None):
        self.out, self.specs, self.stop, self.started = out, specs, stop, started
        self.registry_files = registry_files
        self.context = {"province_code": province_code, "period": period, "lang": lang,
                        "jobs": jobs, "data_dir": data_dir}
        self.extra = extra
        self.record = Manifest(out, registry_files)
        self.by_key = {spec.key: spec for spec in specs}
        self.warm: dict = {}
        self.done: list[RunResult] = []
        self.unchanged: list[str] = []
        self.stale: list[str] = []
        self.problems: list[str] = []
        self.findings: list | None = None

    # ------------------------------------------------------------------ the manifest

    def summary(self, state: str) -> dict:
        return _last_batch(state, self.done, self.unchanged, self.stale, self.warm,
                           **self.context, seconds=time.perf_counter() - self.started,
                           stop=self.stop, problems=self.problems, findings=self.findings)

    def save(self, state: str) -> str | None:
        """Save the manifest; the problem line when it cannot be written, else None."""
        try:
            self.record.save(self.summary(state), self.warm.get("inputs"))
        except OSError as error:
            return ("could not save the manifest: "
                    + publish.describe_os_error(error, self.record.path))
        return None

    def claim(self, target: Path, names: list[str]) -> None:
        """Record files as Cakupan's, and save, before they are created.

        Raises:
            OSError: the manifest could not be saved (the files are then not created).
        """
        new = self.record.claim(Path(target) / name for name in names)
        if not new:
            return
        try:
            self.record.save(self.summary("running"), self.warm.get("inputs"))
        except OSError:
            self.record.unclaim(new)
            raise

    def commit(self, staging: Path, target: Path) -> dict[str, str]:
        """:func:`helpers.batch.publish.commit`, replacing only files the manifest lists."""
        return publish.commit(staging, target, may_replace=self.record.owns,
                              claim=self.claim)

    # ------------------------------------------------------------------ the steps

    def run(self, *, progress: bool, kernel_mode: str, pdf: bool, force: bool,
            timeout: float | None) -> Batch:
        out, record = self.out, self.record
        recovered = publish.recover(out, claim=self.claim)
        for line in recovered:
            _say(f"cakupan: {line}")
        if not os.path.lexists(out / LANDING_PAGE):
            record.claim([out / LANDING_PAGE])  # the batch writes it at the end
        problem = self.save("running")  # the folder is on record as Cakupan's from now
        if problem:
            raise ReportError(problem, fix="free some space or give another --out, then run "
                                           "the same command again")
        try:
            return self._render_and_publish(recovered, progress=progress,
                                            kernel_mode=kernel_mode, pdf=pdf, force=force,
                                            timeout=timeout)
        except (OSError, CakupanError) as error:
            # a step this batch cannot go on without (its worker log, the caches): the
            # manifest says 'incomplete' if it can still be written, else 'running'
            self.problems.append(publish.describe_os_error(error)
                                 if isinstance(error, OSError) else str(error))
            self.save("incomplete")
            if isinstance(error, CakupanError):
                raise
            raise ReportError(f"the batch stopped: {self.problems[-1]}",
                              fix="fix that, then run the same command again (finished "
                                  "reports are skipped)") from None

    def _render_and_publish(self, recovered: list[str], *, progress: bool, kernel_mode: str,
                            pdf: bool, force: bool, timeout: float | None) -> Batch:
        out, record, stop, specs = self.out, self.record, self.stop, self.specs
        context = self.context
        fingerprints = {spec.key: record.fingerprint(spec.notebook, spec.parameters)
                        for spec in specs}
        todo = [spec for spec in specs if force or not record.unchanged(
            spec.key, fingerprints[spec.key], Path(spec.out_dir),
            required=(spec.pdf_name,) if pdf else ())]
        self.unchanged = [spec.key for spec in specs if spec not in todo]
        _say(f"cakupan: {len(specs)} report(s) for {context['province_code']}, period "
             f"{context['period']}, language {context['lang']}, {context['jobs']} job(s)"
             + (f"; {len(self.unchanged)} unchanged since they were rendered, skipped "
                "(--force renders them again)" if self.unchanged else ""))

        def warm_up() -> None:
            self.warm.update(warm_caches(province_code=context["province_code"],
                                         period=context["period"],
                                         data_dir=context["data_dir"], extra=self.extra))
            _say(f"cakupan: registries ready in {self.warm['intake_seconds']:.1f} s, "
                 f"indicators for all regions in {self.warm['bundle_seconds']:.1f} s")

        def publish_run(result: RunResult) -> None:
            result.fingerprint = fingerprints[result.key]
            if result.status == "ok":
                self._publish(result, self.by_key[result.key])
            self.done.append(result)
            self.stale.extend(record.record(_manifest_record(result, out)))
            self.save("running")  # a failed save is retried by the next one

        results = []
        if todo:
            results = run_specs(todo, min(context["jobs"], len(todo)),
                                log_path=out / ".logs" / "workers.log", progress=progress,
                                kernel_mode=kernel_mode, before=warm_up, timeout=timeout,
                                on_result=publish_run, stop=stop)
        for result in results:
            if result.status == "interrupted":
                result.fingerprint = fingerprints[result.key]
                self.done.append(result)
                record.record(_manifest_record(result, out))
        if pdf and not stop.signum:
            print_pdfs(results, out=out, commit=self.commit)
            for result in results:
                if result.status == "ok":
                    record.record(_manifest_record(result, out))
        # staging left by workers stopped mid-run; a commit that failed half-way is kept
        # for the next batch to finish
        publish.recover(out, finish=False)
        batch = Batch(results=results, out=out, unchanged=self.unchanged,
                      recovered=recovered, stale=sorted(set(self.stale)),
                      seconds=round(time.perf_counter() - self.started, 2),
                      stopped_by=stop.name,
                      warm_seconds=self.warm.get("intake_seconds", 0)
                      + self.warm.get("bundle_seconds", 0))
        self.save("running")  # every record on disk before the pages are rewritten
        finished = finalize(out, owned=record.files, runs=record.runs)
        record.refresh(finished.rewritten)
        self.problems.extend(finished.problems)
        batch.landing_page = finished.landing_page
        self._audit(batch)
        batch.seconds = round(time.perf_counter() - self.started, 2)
        batch.state = self._state()
        problem = self.save(batch.state)
        if problem:
            self.problems.append(problem)
            batch.state = "incomplete"  # the manifest on disk still says 'running'
        batch.problems = list(self.problems)
        return batch

    def _publish(self, result: RunResult, spec: RunSpec) -> None:
        """Commit a finished run into its folder (in this process); a failure fails it."""
        target = Path(spec.out_dir)
        try:
            result.outputs = self.commit(Path(result.staging), target)
        except OSError as error:  # disk full, read-only, permissions: this report fails
            result.status = "failed"
            result.error = (f"not published: {publish.describe_os_error(error, target)}; "
                            "free some space or fix the folder, then run the same command "
                            "again")
        except publish.InTheWayError as error:
            result.status, result.error = "failed", f"not published: {error}"
        else:
            old_pdf = target / spec.pdf_name  # printed from the previous HTML: out of date
            if self.record.owns(old_pdf):
                try:
                    old_pdf.unlink(missing_ok=True)
                except OSError as error:
                    result.warnings.append(f"the previous {spec.pdf_name} no longer matches "
                                           "the report and could not be removed: "
                                           + publish.describe_os_error(error, old_pdf))
        result.staging = None

    def _audit(self, batch: Batch) -> None:
        """The privacy audit of the period's reports; a failure to run it is a problem."""
        from helpers.batch import audit

        folder = self.out / self.context["period"]
        if not folder.exists():  # nothing published when every run failed
            return
        try:
            batch.privacy_findings = audit.audit_path(folder, registries=self.registry_files)
        except OSError as error:
            batch.audit_error = f"cannot read {error.filename or folder} ({error.strerror})"
        except CakupanError as error:
            batch.audit_error = str(error)
        if batch.audit_error:
            self.problems.append(f"the privacy audit could not run: {batch.audit_error}")
        else:
            self.findings = batch.privacy_findings

    def _state(self) -> str:
        if self.stop.signum:
            return "stopped"
        if self.problems:
            return "incomplete"
        if any(result.status != "ok" for result in self.done):
            return "failed"
        return "finished"


@contextlib.contextmanager
def _batch_lock(out: Path) -> Iterator[None]:
    """One batch at a time per reports folder (a second one fails at once, in one line)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(file_lock(out / ".lock", wait=False))
        except BlockingIOError:
            raise ReportError(f"another cakupan batch is writing to {out}",
                              fix="wait until it finishes, or write elsewhere with --out") \
                from None
        except OSError as error:
            raise ReportError(publish.describe_os_error(error, out / ".lock"),
                              fix="give a folder you can write to with --out") from None
        yield


def _manifest_record(result: RunResult, out: Path) -> dict:
    record = asdict(result)
    record.pop("staging", None)
    record["parameters"] = public_parameters(result.parameters)
    if record["html"]:
        record["html"] = relative(record["html"], out)
    return record


def _last_batch(state: str, done: list[RunResult], unchanged: list[str], stale: list[str],
                warm: dict, *,
                province_code: str, period: str, lang: str, jobs: int, data_dir: str,
                seconds: float, stop: StopRequest, problems: list[str] | None = None,
                findings: list | None = None) -> dict:
    return {
        "command": " ".join(["cakupan", *sys.argv[1:]]) if sys.argv else "",
        "state": state, "stopped_by": stop.name,
        "province_code": province_code, "period": period, "lang": lang, "jobs": jobs,
        "data_dir": relative(data_dir, project_root()) if data_dir else "data/sample",
        "seconds": round(seconds, 2), "intake_seconds": warm.get("intake_seconds"),
        "bundle_seconds": warm.get("bundle_seconds"),
        "runs": len(done) + len(unchanged),
        "rendered": [r.key for r in done if r.status == "ok"],
        "unchanged": list(unchanged),
        "failed": [r.key for r in done if r.status in ("failed", "timeout")],
        "timed_out": [r.key for r in done if r.status == "timeout"],
        "interrupted": [r.key for r in done if r.status == "interrupted"],
        "made_stale": sorted(set(stale)),
        "retried": [r.key for r in done if r.retried],
        "privacy_findings": len(findings) if findings is not None else None,
        "problems": list(problems or []),
    }


def print_pdfs(results: list[RunResult], *, out: Path, commit=None) -> None:
    """Print every rendered report to PDF next to its HTML, with one Chromium for the batch.

    Each PDF is printed into a staging folder and committed like a report (a PDF that
    Cakupan did not write is never replaced). A report that fails to print keeps its
    HTML; the failure becomes a warning of its run.

    Args:
        results: the batch's runs; those with status 'ok' are printed.
        out: the reports folder (its ``.staging`` receives the PDFs first).
        commit: ``commit(staging, target)`` moving a PDF into place; default
            :func:`helpers.batch.publish.commit` replacing nothing that exists.
    """
    from helpers.batch import pdf

    if commit is None:
        def commit(staging: Path, target: Path) -> dict[str, str]:
            return publish.commit(staging, target, may_replace=lambda path: False)

    done = [result for result in results if result.status == "ok" and result.html]
    started = time.perf_counter()
    staged = []
    for result in done:
        html_path = Path(result.html)
        staging = publish.new_staging(out, f"pdf-{html_path.parent.name}-{result.lang}")
        staged.append((result, staging, staging / html_path.with_suffix(".pdf").name))
    printed_all = pdf.print_pdfs([(Path(r.html), pdf_path) for r, _, pdf_path in staged])
    for (result, staging, pdf_path), printed in zip(staged, printed_all, strict=True):
        try:
            if printed.error:
                result.warnings.append(f"PDF not printed: {printed.error}")
                continue
            try:
                checksums = commit(staging, Path(result.html).parent)
            except OSError as error:
                result.warnings.append("PDF not published: " + publish.describe_os_error(
                    error, Path(result.html).parent / pdf_path.name))
                continue
            except publish.InTheWayError as error:
                result.warnings.append(f"PDF not published: {error}")
                continue
            result.outputs.update(checksums)
            result.timings["pdf"] = printed.seconds
        finally:
            publish.discard(staging)
    _say(f"cakupan: {len(done)} PDF(s) printed in {time.perf_counter() - started:.1f} s")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# =========================================================================== CLI


def register_cli(subparsers) -> None:
    """Add ``cakupan report`` and ``cakupan reports``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--period", default="2024",
                        help="year (2024) or year-month (2024-06) within the data (2022-2025); "
                             "default 2024")
    common.add_argument("--lang", default="id", choices=LANGUAGES,
                        help="report language: id (Bahasa Indonesia, default) or en")
    common.add_argument("--data-dir", default="",
                        help="folder with jamsostek.parquet and jkn.parquet (default data/sample)")
    common.add_argument("--out", default=None, help="reports folder (default reports/)")
    common.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                        help="another notebook parameter, e.g. -p grace_months=2 (repeatable)")
    common.add_argument("--param-file", default=None, metavar="FILE",
                        help="YAML or JSON file of notebook parameters")
    common.add_argument("--no-progress", action="store_true", help="no progress bar")
    common.add_argument("--engine", default=None, choices=("duckdb", "spark"),
                        help="query engine for the indicators (default duckdb; Spark's master "
                             "from CAKUPAN_SPARK_MASTER, else local[2])")
    common.add_argument("--force", action="store_true",
                        help="render every report again, even those whose inputs, parameters "
                             "and code are unchanged since the manifest recorded them")
    common.add_argument("--timeout", type=float, default=RUN_TIMEOUT, metavar="SECONDS",
                        help=f"time limit of one report (default {RUN_TIMEOUT}); a report "
                             "that takes longer is stopped and recorded as timed out")
    common.add_argument("--pdf", action="store_true",
                        help="also print each report to PDF next to its HTML (index.pdf, "
                             "index.en.pdf) with Chromium (scripts/ensure_chromium.sh)")

    one = subparsers.add_parser(
        "report", parents=[common], help="render one regency report (HTML, CSV, Excel)",
        description="Render the report of one kab/kota for a period into "
                    "reports/<period>/<region>/ and update reports/index.html.")
    one.add_argument("--region", required=True, help="kab/kota code, e.g. 52.02")
    one.set_defaults(func=_run_report_cli)

    many = subparsers.add_parser(
        "reports", parents=[common],
        help="render every regency report of a province and the overview, in parallel",
        description="Render every kab/kota report of a province and the province overview "
                    "for a period, in parallel, with a progress bar. A failing region does not "
                    "stop the others; the exit code is 1 if any failed. Records "
                    "reports/manifest.json and prints the path of reports/index.html.")
    many.add_argument("--province", default="52", help="province code (default 52, NTB)")
    many.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    many.add_argument("--regions", default=None,
                      help="only these kab/kota, comma-separated (e.g. 52.01,52.02)")
    many.add_argument("--no-overview", action="store_true",
                      help="skip the province overview")
    many.set_defaults(func=_run_reports_cli)


def _extra(args) -> dict:
    extra = read_parameter_file(args.param_file) if args.param_file else {}
    extra.update(parse_assignments(args.param))
    if getattr(args, "engine", None):
        extra["engine"] = args.engine
    for reserved in ("region_code", "province_code", "period", "lang", "data_dir",
                     "output_dir", "report_links"):
        if reserved in extra:
            raise ParameterError(f"parameter '{reserved}' is set by the command",
                                 fix=f"use the command's option instead of -p {reserved}=…")
    return extra


def _run_report_cli(args) -> int:
    from helpers.report import report_data

    region = report_data.check_region(args.region)
    return _finish(run_reports(province_code=region[:2], period=args.period, lang=args.lang,
                               jobs=1, out=args.out, data_dir=args.data_dir,
                               regions=[region], extra=_extra(args), overview=False,
                               progress=not args.no_progress, pdf=args.pdf,
                               force=args.force, timeout=args.timeout))


def _run_reports_cli(args) -> int:
    regions = [r.strip() for r in args.regions.split(",")] if args.regions else None
    return _finish(run_reports(province_code=args.province, period=args.period,
                               lang=args.lang, jobs=args.jobs, out=args.out,
                               data_dir=args.data_dir, regions=regions, extra=_extra(args),
                               overview=not args.no_overview,
                               progress=not args.no_progress, pdf=args.pdf,
                               force=args.force, timeout=args.timeout))


#: Exit codes: 0 all published, 1 a report failed or a step of the batch could not be
#: written, 3 the privacy audit found something (or could not run); stopped by a signal:
#: 128 + its number (130 Ctrl-C, 143 SIGTERM), as a shell reports it.
EXIT_FAILED, EXIT_PRIVACY = 1, 3


def _finish(batch: Batch) -> int:
    """Print the end summary of a batch; return the command's exit code."""
    for result in batch.results:
        if result.status in ("failed", "timeout"):
            _say(f"cakupan: {'TIMEOUT' if result.status == 'timeout' else 'FAILED'} "
                 f"{result.key}: {result.error}")
        if result.retried:
            outcome = "succeeded" if result.status == "ok" else "failed too"
            _say(f"cakupan: retried {result.key} once after its kernel died "
                 f"({result.retried}); the retry {outcome}")
        for warning in result.warnings:
            _say(f"cakupan: warning {result.key}: {warning}")
    rendered = batch.keys("ok")
    failed = batch.keys("failed", "timeout")
    interrupted = batch.keys("interrupted")
    total = len(batch.results) + len(batch.unchanged)
    parts = [f"{len(rendered)} of {total} report(s) rendered in {batch.seconds:.1f} s"]
    if batch.unchanged:
        parts.append(f"{len(batch.unchanged)} unchanged (skipped; --force renders them again)")
    if failed:
        parts.append(f"{len(failed)} failed")
    if interrupted:
        parts.append(f"{len(interrupted)} interrupted (not finished; the previous version, "
                     "if any, is still in place)")
    _say("cakupan: " + "; ".join(parts))
    for key in batch.stale:
        _say(f"cakupan: warning {key} is now stale: this batch rewrote the tables it shares "
             "with its other-language twin using other parameters; render it again")
    for problem in batch.problems:
        _say(f"cakupan: ERROR {problem}")
    if failed or interrupted or batch.stale or batch.problems:
        _say(f"cakupan: details in {batch.out / FILE_NAME}")
    for finding in batch.privacy_findings:
        _say(f"cakupan: PRIVACY {finding}")
    if batch.privacy_findings:
        _say(f"cakupan: the privacy audit found {len(batch.privacy_findings)} problem(s) in "
             f"the reports: do not publish them")
        return EXIT_PRIVACY
    if batch.audit_error:
        _say(f"cakupan: the reports were not audited: do not publish them before `cakupan "
             f"audit {batch.out}` passes")
        return EXIT_PRIVACY
    if batch.stopped_by:
        _say(f"cakupan: stopped by {batch.stopped_by}; run the same command again to finish "
             "(finished reports are skipped)")
        return 128 + signal.Signals[batch.stopped_by].value
    if batch.problems:
        _say("cakupan: the batch is incomplete; fix the above, then run the same command "
             "again (finished reports are skipped)")
    if batch.landing_page is not None:
        print(batch.landing_page.resolve())
    return EXIT_FAILED if failed or batch.problems else 0


__all__ = ["Batch", "RunResult", "RunSpec", "StopRequest", "build_specs", "check_kernel",
           "check_output_folder", "run_reports", "run_specs", "warm_caches"]
