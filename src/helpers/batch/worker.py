"""What runs in a batch worker process: one notebook run, its kernel, its time limit.

``cakupan reports`` (:mod:`helpers.batch.runner`) starts worker processes; each executes runs
with :func:`execute_run`:

* papermill executes the notebook in a warm ``cakupan`` kernel that the worker keeps
  between notebooks (namespace reset in between), and the HTML is exported in the same
  process, with the CSV archive (:func:`helpers.batch.downloads.write_csv_zip`);
* everything is written into a **staging folder** (:mod:`helpers.batch.publish`); the parent
  process commits it into the reports folder only once the run has finished, so a report
  on disk is never half-written;
* a **time limit** per report (``--timeout``): a watchdog kills the kernel when the run
  takes longer, and the run is recorded as ``timeout``;
* **one retry** when the kernel died (crash, out of memory): the run starts again in a
  new kernel; the first failure is kept in ``retried``;
* a run that cannot write (disk full, read-only file system) fails with one line naming
  the reports folder, e.g. ``no space left on reports (disk full) while rendering``; its
  staging folder is removed;
* on SIGTERM (the parent stopping the batch) the worker kills its kernels and exits at
  once; Ctrl-C is left to the parent, which stops the workers itself; a worker whose
  parent died (SIGKILL) does the same within a second.

Kernels are started in a session of their own (jupyter_client), so a Ctrl-C in the
terminal does not reach them; they also exit when their worker dies (ipykernel watches
its parent process).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.batch import layout, publish
from helpers.batch.manifest import relative
from helpers.paths import HOME_ENV, notebooks_dir, project_root

KERNEL_NAME = "cakupan"
#: Seconds a single cell may run; a whole notebook normally takes seconds.
CELL_TIMEOUT = 900
#: Default time limit of one report (kernel, notebook and HTML export), in seconds.
RUN_TIMEOUT = 1800


# =========================================================================== runs


@dataclass(frozen=True)
class RunSpec:
    """One notebook run: what to execute with which parameters, and where it goes.

    Attributes:
        kind: 'regency' or 'province'.
        label: region or province code (what the progress bar and manifest show).
        notebook: the notebook to execute.
        parameters: papermill parameters (validated); ``output_dir`` is the published
            folder (the run itself writes into a staging folder).
        out_dir: the report's folder.
        lang: report language.
        period: the period.
    """

    kind: str
    label: str
    notebook: str
    parameters: dict
    out_dir: str
    lang: str
    period: str

    @property
    def html_name(self) -> str:
        return layout.page_name(self.lang)

    @property
    def ipynb_name(self) -> str:
        return layout.notebook_name(self.lang)

    @property
    def pdf_name(self) -> str:
        return layout.pdf_name(self.lang)

    @property
    def key(self) -> str:
        """Manifest key: the HTML path relative to the reports root."""
        return layout.report_key(self.period, self.lang,
                                 self.label if self.kind == "regency" else None)

    @property
    def root(self) -> Path:
        """The reports root (``reports/``) this run publishes into."""
        return layout.reports_root(self.out_dir, regency=self.kind == "regency")


@dataclass
class RunResult:
    """Outcome of one run (what the manifest records).

    ``status``: 'ok', 'failed', 'timeout' or 'interrupted'. ``outputs``: published files
    and their SHA-256 (set when the parent commits the run). ``staging``: where a finished
    run waits to be committed (not recorded). ``findings`` and ``audited``: the privacy
    audit of the staged files in the worker, and the checksum of each file it read (not
    recorded).
    """

    key: str
    kind: str
    label: str
    lang: str
    notebook: str
    parameters: dict
    status: str = "pending"
    seconds: float = 0.0
    started: str = ""
    html: str | None = None
    html_bytes: int | None = None
    outputs: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0
    retried: str | None = None
    fingerprint: str | None = None
    timings: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    audited: dict = field(default_factory=dict)
    staging: str | None = None

    @classmethod
    def of(cls, spec: RunSpec, **values) -> RunResult:
        return cls(key=spec.key, kind=spec.kind, label=spec.label, lang=spec.lang,
                   notebook=Path(spec.notebook).name, parameters=dict(spec.parameters),
                   **values)


def execute_run(spec: RunSpec, timeout: float | None = RUN_TIMEOUT,
                audit_registries: tuple[str, ...] | None = None) -> RunResult:
    """Execute one notebook with papermill and export its HTML into a staging folder.

    Never raises for a failing notebook: the failure is in the result. A run whose kernel
    died is tried once more; a run longer than ``timeout`` seconds is stopped. With
    ``audit_registries`` (the batch's registry files), the staged files also go through
    the privacy audit here, in parallel with the other workers (``result.findings``,
    ``result.audited``); the batch's final audit then skips them.
    """
    started = time.perf_counter()
    result = RunResult.of(spec, started=dt.datetime.now().isoformat(timespec="seconds"))
    for attempt in (1, 2):
        result.attempts = attempt
        staging = None
        watchdog = _Watchdog(timeout)
        try:
            staging = publish.new_staging(spec.root,
                                          f"{spec.period}-{spec.label}-{spec.lang}")
            with watchdog:
                _execute_and_export(spec, staging, result)
            if audit_registries is not None:
                _audit_staging(staging, spec, audit_registries, result)
            result.status, result.error, result.staging = "ok", None, str(staging)
            break
        except Exception as error:  # noqa: BLE001 - any failure is recorded, others go on
            publish.discard(staging)
            if watchdog.fired:
                result.status = "timeout"
                result.error = (f"stopped after {timeout:g} s, the time limit of one report "
                                "(raise it with --timeout)")
                break
            result.status = "failed"
            result.error = _write_failure(error, spec.root) or _one_line(error)
            if attempt == 1 and _kernel_died(error):
                result.retried = result.error
                continue
            break
    result.seconds = round(time.perf_counter() - started, 2)
    return result


class _Watchdog:
    """Kill the running kernel when a run exceeds its time limit (None: no limit)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.fired = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        self.fired = True
        _kill_kernels(running_only=True)

    def __enter__(self) -> _Watchdog:
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()


# =========================================================================== kernels

#: Run in a spare kernel as soon as it starts, so the notebook's imports are instant. It
#: only imports modules and reads the reference tables; the namespace is left empty.
WARM_UP_CODE = """
def _cakupan_warm_up():
    import duckdb, ibis, matplotlib.figure, pandas, seaborn
    import helpers.batch.export, helpers.report.formatting, helpers.report.plots, helpers.data.reference
    import helpers.report.report_data
    for name in helpers.data.reference.TABLES:
        helpers.data.reference.load_table(name)
    helpers.report.report_data.data_years()
    helpers.report.i18n.table()
_cakupan_warm_up()
del _cakupan_warm_up
"""

#: Run between two notebooks in a reused kernel: an empty namespace and execution
#: count 1, as in a fresh kernel (imported modules stay loaded: that is the point).
RESET_CODE = """
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""

_KERNEL = None  # this worker's (KernelManager, client)
_KERNEL_MODE = "reuse"  # 'reuse': one warm kernel per worker, reset between notebooks;
#                        'fresh': a new kernel per notebook; 'papermill': a cold one
_RUNNING = None  # the kernel manager executing the current notebook
_STARTED: list = []  # every kernel manager this worker started and has not stopped


def _start_kernel(warm: bool = True):
    """Start (and warm up) a kernel; papermill's clients of it will be asynchronous.

    nbclient notices a dead kernel only with an asynchronous client: with a blocking one
    it waits forever for the output of a cell whose kernel was killed (out of memory,
    a crash, the time limit). This module's own clients are blocking ones.
    """
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name=KERNEL_NAME)
    # The kernel uses this process's project root even when the notebooks come from the
    # installed package (its working folder is then outside the workspace).
    manager.start_kernel(cwd=str(notebooks_dir()),
                         env={**os.environ, HOME_ENV: str(project_root())})
    manager.client_factory = AsyncKernelClient  # what manager.client() gives papermill
    _STARTED.append(manager)
    client = _blocking_client(manager)
    client.start_channels()
    if warm:
        client.execute(WARM_UP_CODE, silent=True, store_history=False)
    return manager, client


def _stop_kernel(kernel) -> None:
    manager, client = kernel
    try:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone
        pass
    if manager in _STARTED:
        _STARTED.remove(manager)


def _kill_kernels(*, running_only: bool = False) -> None:
    """SIGKILL kernel process groups at once (time limit, or the worker stopping)."""
    managers = [_RUNNING] if running_only else [*_STARTED, _RUNNING]
    for manager in managers:
        provisioner = getattr(manager, "provisioner", None)
        if provisioner is None:
            continue
        try:
            if getattr(provisioner, "pgid", None):
                os.killpg(provisioner.pgid, signal.SIGKILL)
            elif getattr(provisioner, "process", None) is not None:
                provisioner.process.kill()
        except (OSError, ProcessLookupError):
            pass  # already gone


def _run_silently(kernel, code: str, timeout: float = 120) -> bool:
    """Run code in the kernel and wait for its reply; False when it failed or timed out.

    Clients of one kernel manager share its session, hence their socket identity, and
    the kernel replies to whichever connected last: every client here gets a session of
    its own (same signing key), and so does papermill's client of the next notebook.
    """
    manager, _ = kernel
    client = _blocking_client(manager)
    client.start_channels()
    try:
        msg_id = client.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - queue.Empty on timeout
                return False
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply["content"].get("status") == "ok"
        return False
    finally:
        client.stop_channels()


def _blocking_client(manager):
    """A blocking client of the kernel with a session of its own (never papermill's)."""
    from jupyter_client.blocking import BlockingKernelClient

    return BlockingKernelClient(**{**manager.get_connection_info(session=True),
                                   "connection_file": manager.connection_file,
                                   "parent": manager, "session": _new_session(manager)})


def _new_session(manager):
    """A session with the kernel's signing key and a new id (a socket identity of its own)."""
    from jupyter_client.session import Session

    return Session(key=manager.session.key, signature_scheme=manager.session.signature_scheme)


def _take_kernel():
    """A kernel for the next notebook.

    'reuse' (default): this worker's kernel, its namespace reset and execution count set to
    1, so the notebook runs as in a fresh kernel without paying start-up and imports
    again; a kernel that died or whose reset fails is replaced. 'fresh': a new kernel
    per notebook, started (and warmed) while the previous notebook ran. 'papermill': a
    new cold kernel, as papermill would start it.
    """
    global _KERNEL
    kernel = _KERNEL
    if _KERNEL_MODE == "papermill":
        return _start_kernel(warm=False)
    if _KERNEL_MODE == "fresh":
        if kernel is None or not kernel[0].is_alive():
            kernel = _start_kernel()
        _KERNEL = _start_kernel()
        return kernel
    if kernel is not None and kernel[0].is_alive() and _run_silently(kernel, RESET_CODE):
        kernel[0].session = _new_session(kernel[0])  # papermill's next client: a new identity
        return kernel
    if kernel is not None:
        _stop_kernel(kernel)
    _KERNEL = _start_kernel()
    return _KERNEL


def _release_kernel(kernel, ok: bool) -> None:
    """After a notebook: keep the reused kernel when the run succeeded, else stop it."""
    global _KERNEL
    if _KERNEL_MODE != "reuse" or not ok:
        _stop_kernel(kernel)
        if kernel is _KERNEL:
            _KERNEL = None


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        _stop_kernel(_KERNEL)
        _KERNEL = None


# =========================================================================== one run


def _execute_and_export(spec: RunSpec, staging: Path, result: RunResult) -> None:
    """Execute the notebook writing into ``staging``; export its HTML there too."""
    global _RUNNING
    import nbformat
    import papermill

    from helpers.batch import downloads, export
    from helpers.report.i18n import other_language

    ipynb = staging / spec.ipynb_name
    parameters = dict(spec.parameters)
    if "output_dir" in parameters:
        parameters["output_dir"] = str(staging)
    clock = time.perf_counter()
    kernel = _take_kernel()
    _RUNNING = kernel[0]
    result.timings["kernel"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    ok = False
    try:
        papermill.execute_notebook(
            spec.notebook, str(ipynb), parameters=parameters, kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            cwd=str(Path(spec.notebook).parent), execution_timeout=CELL_TIMEOUT,
            start_timeout=60, km=kernel[0])
        ok = True
    finally:
        _RUNNING = None
        _release_kernel(kernel, ok)
        result.timings["execute"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        if ipynb.exists():
            _scrub_metadata(ipynb, staging, Path(spec.out_dir))
    nb = nbformat.read(str(ipynb), as_version=4)
    result.timings["scrub"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    out_dir = Path(spec.out_dir)
    regency = spec.kind == "regency"
    twin = layout.page_name(other_language(spec.lang))
    nav = export.Nav(index=layout.landing_link(2 if regency else 1),
                     overview=layout.overview_link(spec.lang) if regency else None,
                     twin=twin, twin_exists=(out_dir / twin).exists())
    exported = export.export_notebook(nb, staging / spec.html_name, lang=spec.lang, nav=nav)
    downloads.write_csv_zip(staging)  # the CSV archive, committed with the run's files
    result.timings["export"] = round(time.perf_counter() - clock, 2)
    result.html = str(out_dir / spec.html_name)
    result.html_bytes = exported["bytes"]
    result.warnings = exported["warnings"]


def _audit_staging(staging: Path, spec: RunSpec, registries: tuple[str, ...],
                   result: RunResult) -> None:
    """The privacy audit of a staged report, its findings named by the published paths."""
    from helpers.batch import audit

    from helpers.errors import CakupanError

    clock = time.perf_counter()
    page = staging / spec.html_name  # its links are rewritten once published: audited then
    try:
        result.findings, result.audited = audit.audit_files(
            staging, registries=registries, shown_as=spec.out_dir,
            skip=lambda file: file == page)
    except (OSError, CakupanError):  # the batch's final audit reads these files and says why
        result.findings, result.audited = [], {}
    result.timings["audit"] = round(time.perf_counter() - clock, 2)


def _scrub_metadata(path: Path, staging: Path, published: Path) -> None:
    """Keep papermill's metadata free of secrets and machine paths (peers: papermill #416).

    Parameters are the validated, non-secret set; paths are made relative to the project,
    and the staging folder is recorded as the folder the report is published in.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    meta = nb.metadata.get("papermill", {})
    root = project_root()
    final_ipynb = published / path.name
    if meta.get("input_path"):
        meta["input_path"] = relative(meta["input_path"], root)
    if meta.get("output_path"):
        meta["output_path"] = relative(final_ipynb, root)
    meta["environment_variables"] = {}
    params = meta.get("parameters", {})
    if params.get("output_dir"):
        params["output_dir"] = relative(published, root)
    if params.get("data_dir"):
        params["data_dir"] = relative(params["data_dir"], root)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = re.sub(
                r'((?:data_dir|output_dir) = ")([^"]*)(")',
                lambda m: m.group(1) + relative(published if m.group(1).startswith("output")
                                                else m.group(2), root) + m.group(3),
                cell.source)
    nbformat.write(nb, str(path))


def _one_line(error: BaseException) -> str:
    """One line saying what failed (the notebook's own exception for cell errors)."""
    name = type(error).__name__
    if name == "PapermillExecutionError":
        evalue = str(getattr(error, "evalue", "")).splitlines()
        return (f"cell {getattr(error, 'exec_count', '?')}: {getattr(error, 'ename', name)}: "
                f"{evalue[0] if evalue else ''}").strip()
    text = str(error).splitlines()
    return f"{name}: {text[0] if text else ''}"


#: How a failed write shows in an error's text (a notebook cell's error arrives as text).
_WRITE_ERRORS = ((errno.ENOSPC, ("[Errno 28]", "No space left on device")),
                 (errno.EDQUOT, ("[Errno 122]", "Disk quota exceeded")),
                 (errno.EROFS, ("[Errno 30]", "Read-only file system")))


def _write_failure(error: BaseException, root: Path) -> str | None:
    """The run's error line when it failed to write (disk full, read-only), else None.

    The notebook, its tables and the HTML are written into the reports folder's
    ``.staging``; the line names the reports folder, the problem and the fix.
    """
    code = error.errno if isinstance(error, OSError) else None
    if code not in (number for number, _ in _WRITE_ERRORS):
        text = f"{error} {getattr(error, 'evalue', '')}"
        code = next((number for number, markers in _WRITE_ERRORS
                     if any(marker in text for marker in markers)), None)
    if code is None:
        return None
    words = publish.describe_os_error(OSError(code, os.strerror(code)), root)
    fix = "give a folder you can write to with --out" if code == errno.EROFS else \
        "free some space, then run the same command again"
    return f"{words} while rendering — {fix}"


def _kernel_died(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}"
    return "DeadKernel" in text or "Kernel died" in text or "Kernel didn't respond" in text


# =========================================================================== the process


def _on_stop(signum, frame) -> None:
    """SIGTERM from the parent: kill this worker's kernels and leave at once."""
    _kill_kernels()
    os._exit(128 + signum)


def _watch_parent(parent: int) -> None:
    """Leave when the batch process is gone (killed with SIGKILL, say): no orphan keeps
    rendering reports nobody will publish."""
    while os.getppid() == parent:
        time.sleep(1)
    _kill_kernels()
    os._exit(1)


def worker_init(log_path: str, kernel_mode: str = "reuse") -> None:
    """Set up a worker: its (and its kernels') output goes to a log, not over the progress
    bar; its first kernel starts and warms up at once; kernels stop when the worker exits.

    ``kernel_mode``: 'reuse' (default), 'fresh' or 'papermill' (a cold kernel per
    notebook: the plain, slowest path).
    """
    global _KERNEL_MODE, _KERNEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, _on_stop)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True,
                     name="watch-parent").start()
    handle = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)
    _KERNEL_MODE = kernel_mode
    import nbformat  # noqa: F401 - imported now, while the parent warms the caches
    import papermill  # noqa: F401

    from helpers.batch import export

    export._exporter()
    if kernel_mode in ("reuse", "fresh"):
        from multiprocessing import util

        util.Finalize(None, _shutdown_kernel, exitpriority=10)
        _KERNEL = _start_kernel()


def ping() -> int:
    """A no-op task that makes a worker start (its kernel warms up meanwhile)."""
    return os.getpid()


__all__ = ["CELL_TIMEOUT", "KERNEL_NAME", "RESET_CODE", "RUN_TIMEOUT", "WARM_UP_CODE",
           "RunResult", "RunSpec", "execute_run", "notebooks_dir", "ping", "worker_init"]
