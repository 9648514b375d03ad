"""Batch rendering: ``cakupan report`` and ``cakupan reports`` (papermill + nbconvert).

One command renders every kab/kota of a province and the province overview for a period,
in parallel worker processes, with a progress bar:

1. **Validate before any kernel starts**: every parameter name against the notebook's
   ``parameters`` cell (a typo is an error, with a suggestion), every type (text, whole
   number, share...), the region and province codes against ``regions.csv``, the period
   against the years of the data (2022-2025), the language, the data folder and the
   ``cakupan`` Jupyter kernel. A problem is one ``ParameterError`` line and exit code 2.
2. **Warm the caches in the parent**: the intake of both registries (``data/cache``) and
   the province bundle of aggregates (``data/cache/reports``), once, so the notebooks
   only read them.
3. **Render in parallel**: ``ProcessPoolExecutor`` workers run papermill on the notebook
   (kernel ``cakupan``) and export the HTML in the same process (no second
   ``jupyter nbconvert``). A failing region is recorded and the others go on; a worker
   whose kernel died is retried once.
4. **Record**: ``reports/manifest.json`` (parameters, input checksums, package versions,
   duration and status of every run), the language and navigation links of every
   report, and the landing page ``reports/index.html``. The exit code is 1 when any run
   failed.

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
import ast
import concurrent.futures
import datetime as dt
import difflib
import hashlib
import html
import json
import multiprocessing
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from helpers import __version__
from helpers.errors import ParameterError, ReportError
from helpers.i18n import LANGUAGES, check_language
from helpers.paths import project_root, reference_dir, reports_dir

KERNEL_NAME = "cakupan"
REGENCY_NOTEBOOK = "regency_report.ipynb"
OVERVIEW_NOTEBOOK = "province_overview.ipynb"
#: Seconds a single cell may run; a whole notebook normally takes seconds.
CELL_TIMEOUT = 900
#: Parameter names that could carry a secret into papermill's metadata: refused.
SECRET_NAME = re.compile(r"(key|secret|token|password|credential)", re.I)
#: Packages whose versions the manifest records.
PACKAGES = ("cakupan", "pandas", "numpy", "pyarrow", "ibis-framework", "duckdb", "papermill",
            "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client", "matplotlib",
            "seaborn", "babel", "openpyxl", "tqdm")


def notebooks_dir() -> Path:
    """The notebooks folder of the project."""
    return project_root() / "notebooks"


# =========================================================================== parameters


@dataclass(frozen=True)
class NotebookParameter:
    """One line of a notebook's ``parameters`` cell: name, type, default, help."""

    name: str
    type_name: str
    default: object
    help: str


def notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The typed parameters declared in a notebook's ``parameters`` cell.

    Raises:
        ParameterError: no cell tagged ``parameters``, or a line that is not
            ``name: type = literal  # help``.
    """
    path = Path(notebook)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))  # json: nbformat imports slowly
    except (OSError, json.JSONDecodeError) as error:
        raise ParameterError(f"cannot read notebook ({error})", path=path,
                             fix="check the notebook path") from None
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{path.name} has {len(cells)} cells tagged 'parameters'",
                             path=path, fix="tag exactly one cell 'parameters'")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    lines = source.splitlines()
    result = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and node.value is not None):
            raise ParameterError(f"{path.name}: parameters cell line {node.lineno} is not "
                                 "'name: type = literal'", path=path,
                                 fix="write one typed literal per line")
        line = lines[node.lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        result[node.target.id] = NotebookParameter(
            name=node.target.id, type_name=ast.unparse(node.annotation),
            default=ast.literal_eval(node.value), help=comment)
    return result


_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def coerce_parameter(declared: NotebookParameter, value, *, where: str) -> object:
    """``value`` as the declared type: CLI text is parsed, anything else must match.

    Raises:
        ParameterError: the value cannot be the declared type.
    """
    wanted = _TYPES.get(declared.type_name)
    if wanted is None:
        return value
    name = declared.name
    if isinstance(value, str) and wanted is not str:
        text = value.strip()
        try:
            if wanted is bool:
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return text.lower() in ("true", "1", "yes")
            return wanted(text)
        except ValueError:
            raise ParameterError(f"{where}: parameter '{name}' must be {_type_words(wanted)}, "
                                 f"got '{value}'", fix=f"e.g. {name}={declared.default!r}") \
                from None
    if wanted is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if wanted is not bool and isinstance(value, bool):
        raise ParameterError(f"{where}: parameter '{name}' must be {_type_words(wanted)}, "
                             f"got {value!r}", fix=f"e.g. {name}={declared.default!r}")
    if not isinstance(value, wanted):
        raise ParameterError(
            f"{where}: parameter '{name}' must be {_type_words(wanted)}, got {value!r} "
            f"({type(value).__name__})",
            fix=f"e.g. {name}: {declared.default!r}"
                + (" (quote it in YAML)" if wanted is str else ""))
    return value


def _type_words(kind: type) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}[kind]


def validate_parameters(notebook: str | Path, parameters: dict) -> dict:
    """Check a parameter set against a notebook, before any kernel starts.

    Checks names (unknown → error with the closest name), types (coerced from CLI
    text), and values: region/province codes, period within the data years, language,
    labour denominator, population vintage, grace months, shares, data folder.

    Returns:
        The parameters coerced to their declared types.

    Raises:
        ParameterError: the first problem, as one line.
    """
    from helpers import reference, report_data

    path = Path(notebook)
    declared = notebook_parameters(path)
    where = path.name
    result = {}
    for name, value in parameters.items():
        if SECRET_NAME.search(name):
            raise ParameterError(f"{where}: parameter '{name}' looks like a secret; secrets "
                                 "must not be notebook parameters (papermill stores them in "
                                 "the output notebook)",
                                 fix="use an environment variable such as CAKUPAN_KEY")
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ParameterError(f"{where}: unknown parameter '{name}'",
                                 fix=f"{hint}known: {', '.join(declared)}")
        result[name] = coerce_parameter(declared[name], value, where=where)
    merged = {name: p.default for name, p in declared.items()} | result
    if "region_code" in merged:
        result_code = report_data.check_region(merged["region_code"])
        if "region_code" in result:
            result["region_code"] = result_code
    if "province_code" in merged:
        code = report_data.check_region(merged["province_code"], kind="provinsi")
        if "province_code" in result:
            result["province_code"] = code
    if "period" in merged:
        report_data.check_period(merged["period"])
    if "reference_date" in merged:
        report_data._explorer_date(merged["reference_date"])
    if "lang" in merged:
        check_language(merged["lang"])
    if "labour_denominator" in merged and \
            merged["labour_denominator"] not in reference.LABOUR_DENOMINATORS:
        raise ParameterError(f"{where}: unknown labour_denominator "
                             f"'{merged['labour_denominator']}'",
                             fix="use one of " + ", ".join(reference.LABOUR_DENOMINATORS))
    if "population_vintage" in merged and \
            merged["population_vintage"] not in reference.population_vintages():
        raise ParameterError(f"{where}: unknown population_vintage "
                             f"'{merged['population_vintage']}'",
                             fix="use one of " + ", ".join(reference.population_vintages()))
    if "grace_months" in merged and merged["grace_months"] < 0:
        raise ParameterError(f"{where}: grace_months {merged['grace_months']} is negative",
                             fix="use 0 or more whole months (default 1)")
    if "cover_share" in merged and not 0 <= merged["cover_share"] <= 1:
        raise ParameterError(f"{where}: cover_share {merged['cover_share']} is not a share 0-1",
                             fix="e.g. 0.5 for half")
    if merged.get("data_dir"):
        report_data.resolve_data_dir(merged["data_dir"])
    return result


def parse_assignments(items: list[str] | None) -> dict:
    """``-p name=value`` options as a dict (values stay text; validation coerces)."""
    result = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"-p {item}: expected name=value", fix="e.g. -p grace_months=2")
        name, value = item.split("=", 1)
        result[name.strip()] = value
    return result


def read_parameter_file(path: str | Path) -> dict:
    """A parameter set from a YAML or JSON file (``notebooks/parameters/*.yaml``)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError("parameter file not found", path=path,
                             fix="give a YAML or JSON file of name: value lines")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as error:  # yaml and json raise different types
        raise ParameterError(f"cannot read parameters ({str(error).splitlines()[0]})",
                             path=path, fix="write name: value lines") from None
    if not isinstance(data, dict):
        raise ParameterError("parameter file is not a mapping", path=path,
                             fix="write name: value lines")
    return data


def check_kernel(name: str = KERNEL_NAME) -> str:
    """The kernel's Python, checking the kernelspec exists (papermill needs it).

    Raises:
        ReportError: the kernel is not installed.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise ReportError(
            f"Jupyter kernel '{name}' is not installed",
            fix=f"run `make setup`, or `{sys.executable} -m ipykernel install --sys-prefix "
                f"--name {name} --display-name \"Python ({name})\"`") from None
    return spec.argv[0] if spec.argv else ""


# =========================================================================== runs


@dataclass(frozen=True)
class RunSpec:
    """One notebook run: what to execute with which parameters, and where it goes.

    Attributes:
        kind: 'regency' or 'province'.
        label: region or province code (what the progress bar and manifest show).
        notebook: the notebook to execute.
        parameters: papermill parameters (validated).
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
        return "index.html" if self.lang == "id" else f"index.{self.lang}.html"

    @property
    def ipynb_name(self) -> str:
        return "report.ipynb" if self.lang == "id" else f"report.{self.lang}.ipynb"

    @property
    def key(self) -> str:
        """Manifest key: the HTML path relative to the reports root."""
        return f"{self.period}/{self.label}/{self.html_name}" if self.kind == "regency" \
            else f"{self.period}/{self.html_name}"


@dataclass
class RunResult:
    """Outcome of one run (what the manifest records)."""

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
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0
    timings: dict = field(default_factory=dict)


def _relative(path: str | Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def execute_run(spec: RunSpec) -> RunResult:
    """Execute one notebook with papermill and export its HTML (runs in a worker).

    Never raises for a failing notebook: the failure is in the result.
    """
    started = time.perf_counter()
    result = RunResult(key=spec.key, kind=spec.kind, label=spec.label, lang=spec.lang,
                       notebook=Path(spec.notebook).name, parameters=dict(spec.parameters),
                       started=dt.datetime.now().isoformat(timespec="seconds"))
    out_dir = Path(spec.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        result.attempts = attempt
        try:
            _execute_and_export(spec, out_dir, result)
            result.status = "ok"
            result.error = None
            break
        except Exception as error:  # noqa: BLE001 - any failure is recorded, others go on
            result.status = "failed"
            result.error = _one_line(error)
            if not _kernel_died(error):
                break
    result.seconds = round(time.perf_counter() - started, 2)
    return result


#: Run in a spare kernel as soon as it starts, so the notebook's imports are instant. It
#: only imports modules and reads the reference tables; the namespace is left empty.
WARM_UP_CODE = """
def _cakupan_warm_up():
    import duckdb, ibis, matplotlib.figure, pandas, seaborn
    import helpers.export, helpers.formatting, helpers.plots, helpers.reference
    import helpers.report_data
    for name in helpers.reference.TABLES:
        helpers.reference.load_table(name)
    helpers.report_data.data_years()
    helpers.i18n.table()
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
#                        'fresh': a new kernel per notebook ('--fresh-kernels')


def _start_kernel(warm: bool = True):
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name=KERNEL_NAME)
    manager.start_kernel(cwd=str(notebooks_dir()))
    client = manager.client(session=_new_session(manager))  # never papermill's identity
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


def _run_silently(kernel, code: str, timeout: float = 120) -> bool:
    """Run code in the kernel and wait for its reply; False when it failed or timed out.

    Clients of one kernel manager share its session, hence their socket identity, and
    the kernel replies to whichever connected last: every client here gets a session of
    its own (same signing key), and so does papermill's client of the next notebook.
    """
    manager, _ = kernel
    client = manager.client(session=_new_session(manager))
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


def _new_session(manager):
    """A session with the kernel's signing key and a new id (a socket identity of its own)."""
    from jupyter_client.session import Session

    return Session(key=manager.session.key, signature_scheme=manager.session.signature_scheme)


def _take_kernel():
    """A warm kernel for the next notebook.

    'reuse' (default): this worker's kernel, its namespace reset and execution count set to
    1, so the notebook runs as in a fresh kernel without paying start-up and imports
    again; a kernel that died or whose reset fails is replaced. 'fresh': a new kernel
    per notebook, started (and warmed) while the previous notebook ran.
    """
    global _KERNEL
    kernel = _KERNEL
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
    if _KERNEL_MODE == "fresh" or not ok:
        _stop_kernel(kernel)
        if kernel is _KERNEL:
            _KERNEL = None


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        _stop_kernel(_KERNEL)
        _KERNEL = None


def _execute_and_export(spec: RunSpec, out_dir: Path, result: RunResult) -> None:
    import nbformat
    import papermill

    from helpers import export

    ipynb = out_dir / spec.ipynb_name
    clock = time.perf_counter()
    kernel = _take_kernel() if _KERNEL_MODE != "papermill" else None
    result.timings["kernel"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    ok = False
    try:
        papermill.execute_notebook(
            spec.notebook, str(ipynb), parameters=spec.parameters, kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            cwd=str(Path(spec.notebook).parent), execution_timeout=CELL_TIMEOUT,
            start_timeout=60, **({"km": kernel[0]} if kernel else {}))
        ok = True
    finally:
        if kernel is not None:
            _release_kernel(kernel, ok)
        result.timings["execute"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        if ipynb.exists():
            _scrub_metadata(ipynb)
    nb = nbformat.read(str(ipynb), as_version=4)
    result.timings["scrub"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    twin_lang = "en" if spec.lang == "id" else "id"
    twin = "index.html" if twin_lang == "id" else f"index.{twin_lang}.html"
    nav = export.Nav(index="../../index.html" if spec.kind == "regency" else "../index.html",
                     overview=f"../{spec.html_name}" if spec.kind == "regency" else None,
                     twin=twin, twin_exists=(out_dir / twin).exists())
    exported = export.export_notebook(nb, out_dir / spec.html_name, lang=spec.lang, nav=nav)
    result.timings["export"] = round(time.perf_counter() - clock, 2)
    result.html = str(out_dir / spec.html_name)
    result.html_bytes = exported["bytes"]
    result.warnings = exported["warnings"]
    result.files = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*")
                          if p.is_file() and not p.name.startswith("."))


def _scrub_metadata(path: Path) -> None:
    """Keep papermill's metadata free of secrets and machine paths (peers: papermill #416).

    Parameters are the validated, non-secret set; paths are made relative to the project.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    meta = nb.metadata.get("papermill", {})
    root = project_root()
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = _relative(meta[key], root)
    meta["environment_variables"] = {}
    params = meta.get("parameters", {})
    for key in ("data_dir", "output_dir"):
        if params.get(key):
            params[key] = _relative(params[key], root)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = re.sub(r'((?:data_dir|output_dir) = ")([^"]*)(")',
                                 lambda m: m.group(1) + _relative(m.group(2), root)
                                 + m.group(3), cell.source)
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


def _kernel_died(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}"
    return "DeadKernel" in text or "Kernel died" in text or "Kernel didn't respond" in text


def _worker_init(log_path: str, kernel_mode: str = "reuse") -> None:
    """Set up a worker: its (and its kernels') output goes to a log, not over the progress
    bar; its first kernel starts and warms up at once; kernels stop when the worker exits.

    ``kernel_mode``: 'reuse' (default), 'fresh' or 'papermill' (papermill starts a cold
    kernel per notebook: the plain, slowest path).
    """
    global _KERNEL_MODE, _KERNEL
    handle = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)
    _KERNEL_MODE = kernel_mode
    import nbformat  # noqa: F401 - imported now, while the parent warms the caches
    import papermill  # noqa: F401

    from helpers import export

    export._exporter()
    if kernel_mode in ("reuse", "fresh"):
        from multiprocessing import util

        util.Finalize(None, _shutdown_kernel, exitpriority=10)
        _KERNEL = _start_kernel()


def _ping() -> int:
    return os.getpid()


def run_specs(specs: list[RunSpec], jobs: int, *, log_path: Path, progress: bool = True,
              kernel_mode: str = "reuse", before=None) -> list[RunResult]:
    """Run every spec in ``jobs`` worker processes with a progress bar; never stops early.

    Args:
        specs: the runs.
        jobs: worker processes.
        log_path: where workers and kernels write their output.
        progress: show the progress bar.
        kernel_mode: 'reuse', 'fresh' or 'papermill' (see :func:`_worker_init`).
        before: called in this process once the workers are starting (their kernels
            warm up meanwhile), e.g. to warm the caches.

    Returns:
        One result per spec, in the order given.
    """
    from tqdm import tqdm

    log_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, RunResult] = {}
    context = multiprocessing.get_context("spawn")  # no fork of a parent with DuckDB threads
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                                initializer=_worker_init,
                                                initargs=(str(log_path),
                                                          kernel_mode)) as pool:
        started = [pool.submit(_ping) for _ in range(jobs)]  # start the workers now
        if before is not None:
            before()
        concurrent.futures.wait(started)
        futures = {pool.submit(execute_run, spec): index for index, spec in enumerate(specs)}
        with tqdm(total=len(specs), desc="reports", unit="report", disable=not progress,
                  file=sys.stderr, dynamic_ncols=True) as bar:
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                spec = specs[index]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a crashed worker fails one run
                    result = RunResult(key=spec.key, kind=spec.kind, label=spec.label,
                                       lang=spec.lang, notebook=Path(spec.notebook).name,
                                       parameters=dict(spec.parameters), status="failed",
                                       error=_one_line(error))
                results[index] = result
                bar.set_postfix_str(f"{spec.label} {result.status}")
                bar.update(1)
    return [results[i] for i in range(len(specs))]


# =========================================================================== batch


@dataclass
class Batch:
    """What a ``reports`` or ``report`` command did."""

    results: list[RunResult]
    out: Path
    seconds: float
    warm_seconds: float
    privacy_findings: list = field(default_factory=list)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def index_path(self) -> Path:
        return self.out / "index.html"


def build_specs(*, province_code: str, period: str, lang: str, out: Path,
                regions: list[str] | None = None, data_dir: str = "",
                extra: dict | None = None, overview: bool = True) -> list[RunSpec]:
    """Validated run specs of a batch (regency reports of the regions, then the overview).

    Raises:
        ParameterError: any parameter of any run.
    """
    from helpers import reference, report_data

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
    from helpers import report_data

    extra = extra or {}
    started = time.perf_counter()
    registries = report_data.load_registries(data_dir or None)
    intake_seconds = time.perf_counter() - started
    params = report_data.make_parameters(
        str(period), grace_months=int(extra.get("grace_months", 1)),
        labour_denominator=extra.get("labour_denominator", "bpjs_potential"),
        population_vintage=extra.get("population_vintage",
                                     report_data.reference.DEFAULT_POPULATION_VINTAGE))
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


def run_reports(*, province_code: str = "52", period: str = "2024", lang: str = "id",
                jobs: int = 2, out: str | Path | None = None, data_dir: str = "",
                regions: list[str] | None = None, extra: dict | None = None,
                overview: bool = True, progress: bool = True,
                specs: list[RunSpec] | None = None, kernel_mode: str = "reuse",
                pdf: bool = False) -> Batch:
    """Render the reports of a province (or some regions) for a period.

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
            'fresh' (a new kernel per notebook) or 'papermill' (papermill's own cold
            kernel per notebook).
        pdf: also print every rendered report to PDF next to its HTML (Chromium).

    Returns:
        The batch; ``batch.failed`` lists failed runs.

    Raises:
        ParameterError, ReportError: before anything runs.
    """
    started = time.perf_counter()
    out = Path(out) if out else reports_dir()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs {jobs} is not a whole number of at least 1",
                             fix="e.g. --jobs 2")
    if specs is None:
        specs = build_specs(province_code=province_code, period=str(period), lang=lang,
                            out=out, regions=regions, data_dir=data_dir, extra=extra,
                            overview=overview)
    check_kernel()
    if pdf:
        from helpers import pdf as pdf_twin

        pdf_twin.check_ready()  # a missing Chromium is one line before anything renders
    _say(f"cakupan: {len(specs)} report(s) for {province_code}, period {period}, "
         f"language {lang}, {jobs} job(s)")
    warm: dict = {}

    def warm_up() -> None:
        warm.update(warm_caches(province_code=province_code, period=str(period),
                                data_dir=data_dir, extra=extra))
        _say(f"cakupan: registries ready in {warm['intake_seconds']:.1f} s, indicators for "
             f"all regions in {warm['bundle_seconds']:.1f} s")

    results = run_specs(specs, min(jobs, len(specs)), log_path=out / ".logs" / "workers.log",
                        progress=progress, kernel_mode=kernel_mode, before=warm_up)
    if pdf:
        print_pdfs(results)
    seconds = time.perf_counter() - started
    batch = Batch(results=results, out=out, seconds=round(seconds, 2),
                  warm_seconds=warm["intake_seconds"] + warm["bundle_seconds"])
    write_manifest(batch, warm, province_code=province_code, period=str(period), lang=lang,
                   jobs=jobs, data_dir=data_dir)
    finalize(out)
    batch.privacy_findings = audit_outputs(out / str(period), data_dir)
    return batch


def audit_outputs(folder: Path, data_dir: str = "") -> list:
    """The privacy audit (``cakupan audit``) of what a batch wrote, against its registries."""
    from helpers import audit, report_data

    registries = [report_data.resolve_data_dir(data_dir) / name
                  for name in report_data.REGISTRY_FILES.values()]
    return audit.audit_path(folder, registries=registries)


def print_pdfs(results: list[RunResult]) -> None:
    """Print every rendered report to PDF next to its HTML, with one Chromium for the batch.

    A report that fails to print keeps its HTML; the failure becomes a warning of its run.
    """
    from helpers import pdf

    done = [result for result in results if result.status == "ok" and result.html]
    started = time.perf_counter()
    for result, printed in zip(done, pdf.print_pdfs([r.html for r in done]), strict=True):
        if printed.error:
            result.warnings.append(f"PDF not printed: {printed.error}")
            continue
        result.files = sorted({*result.files, printed.pdf_path.name})
        result.timings["pdf"] = printed.seconds
    _say(f"cakupan: {len(done)} PDF(s) printed in {time.perf_counter() - started:.1f} s")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# =========================================================================== manifest


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that produce a report."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _reference_checksums() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(reference_dir().glob("*.csv"))}


def _notebook_checksums() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(notebooks_dir().glob("*.ipynb"))}


def write_manifest(batch: Batch, warm: dict, *, province_code: str, period: str, lang: str,
                   jobs: int, data_dir: str) -> Path:
    """Write or update ``manifest.json``: every run ever rendered into this folder.

    Runs of earlier batches that this batch did not redo are kept, so the English and
    Indonesian runs of a period both stay on record.
    """
    path = batch.out / "manifest.json"
    previous = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            previous = {}
    root = project_root()
    runs = dict(previous.get("runs", {}))
    for result in batch.results:
        record = asdict(result)
        record["parameters"] = {k: (_relative(v, root) if k in ("data_dir", "output_dir")
                                    and v else v) for k, v in result.parameters.items()}
        if record["html"]:
            record["html"] = _relative(record["html"], batch.out)
        record["inputs"] = warm["inputs"]
        runs[result.key] = record
    manifest = {
        "tool": "cakupan", "version": __version__,
        "updated": dt.datetime.now().isoformat(timespec="seconds"),
        "layout": "reports/<period>/<region_code>/index.html (id), index.en.html (en); "
                  "reports/<period>/index.html the province overview",
        "last_batch": {
            "command": " ".join(["cakupan", *sys.argv[1:]]) if sys.argv else "",
            "province_code": province_code, "period": period, "lang": lang, "jobs": jobs,
            "data_dir": _relative(data_dir, root) if data_dir else "data/sample",
            "seconds": batch.seconds, "intake_seconds": warm["intake_seconds"],
            "bundle_seconds": warm["bundle_seconds"],
            "runs": len(batch.results), "failed": [r.key for r in batch.failed],
        },
        "inputs": warm["inputs"],
        "reference_tables_sha256": _reference_checksums(),
        "notebooks_sha256": _notebook_checksums(),
        "packages": package_versions(),
        "kernel": KERNEL_NAME,
        "runs": dict(sorted(runs.items())),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                       encoding="utf-8")
    os.replace(partial, path)
    return path


# =========================================================================== finalize


def finalize(out: Path) -> Path:
    """Update every report's navigation and language links, then write the landing page."""
    from helpers import export

    out = Path(out)
    for path in sorted(out.glob("*/index*.html")) + sorted(out.glob("*/*/index*.html")):
        lang = "id" if path.name == "index.html" else path.name.split(".")[1]
        if lang not in LANGUAGES:
            continue
        twin = "index.html" if lang != "id" else "index.en.html"
        export.update_language_link(path, lang, twin, (path.parent / twin).exists())
        _update_nav(path, lang, out)
    return write_landing_page(out)


def _update_nav(path: Path, lang: str, out: Path) -> None:
    from helpers.export import NAV_END, NAV_START
    from helpers.i18n import translate

    depth = len(path.relative_to(out).parts) - 1
    up = "../" * depth
    links = [f'<a href="{up}index.html">{html.escape(translate("page.back_to_index", lang))}'
             "</a>"]
    if depth == 2:
        overview = path.parent.parent / path.name
        if overview.exists():
            links.append(f'<a href="../{path.name}">'
                         f'{html.escape(translate("page.back_to_overview", lang))}</a>')
    text = path.read_text(encoding="utf-8")
    block = NAV_START + " ".join(links) + NAV_END
    new = re.sub(re.escape(NAV_START) + ".*?" + re.escape(NAV_END), lambda _: block, text,
                 count=1, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")


def write_landing_page(out: Path) -> Path:
    """``reports/index.html``: every period, the province overview and each regency report
    in both languages where rendered, with the status of failed runs."""
    from helpers import export, reference
    from helpers.i18n import translate

    out = Path(out)
    manifest = {}
    if (out / "manifest.json").exists():
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    failed = {key for key, run in manifest.get("runs", {}).items() if run.get("status") != "ok"}
    names = reference.regions().set_index("region_code")["region_name"]
    parts = [f'<h1 id="top">{html.escape(translate("page.landing_title", "id"))} · '
             f'{html.escape(translate("page.landing_title", "en"))}</h1>',
             f'<p>{html.escape(translate("page.landing_intro", "id"))}</p>',
             f'<p lang="en">{html.escape(translate("page.landing_intro", "en"))}</p>']
    periods = sorted((p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.name, reverse=True)
    for folder in periods:
        period = folder.name
        rows = []
        overview_cells = _language_cells(folder, f"{period}/", failed)
        if overview_cells:
            rows.append(f"<tr><td><strong>{html.escape(translate('page.province_overview', 'id'))}"
                        f" · {html.escape(translate('page.province_overview', 'en'))}</strong>"
                        f"</td><td></td>{overview_cells}</tr>")
        for region in sorted(p for p in folder.iterdir() if p.is_dir()):
            cells = _language_cells(region, f"{period}/{region.name}/", failed)
            if not cells:
                continue
            name = names.get(region.name, region.name)
            rows.append(f"<tr><td>{html.escape(str(name))}</td>"
                        f"<td>{html.escape(region.name)}</td>{cells}</tr>")
        if not rows:
            continue
        parts.append(f'<h2 id="period-{html.escape(period)}">'
                     f'{html.escape(translate("page.period", "id", period=period))}</h2>')
        parts.append('<div class="table-wrap"><table class="data"><thead><tr>'
                     "<th>Wilayah · Region</th><th>Kode · Code</th><th>Bahasa Indonesia</th>"
                     "<th>English</th><th>Berkas · Files</th></tr></thead><tbody>"
                     + "".join(rows) + "</tbody></table></div>")
    parts.append(f'<p class="note">{html.escape(translate("page.manifest", "id"))}<br>'
                 f'{html.escape(translate("page.manifest", "en"))}</p>')
    text = export.page("".join(parts), title=translate("page.landing_title", "id"), lang="id",
                       nav=None, toc=False)
    text = text.replace(export.LANG_LINK_START + export.LANG_LINK_END, "")
    path = out / "index.html"
    path.write_text(text, encoding="utf-8")
    return path


def _language_cells(folder: Path, prefix: str, failed: set[str]) -> str:
    cells = []
    any_file = False
    for lang, name in (("id", "index.html"), ("en", "index.en.html")):
        key = prefix + name
        if (folder / name).exists():
            any_file = True
            mark = " ⚠" if key in failed else ""
            cells.append(f'<td><a href="{html.escape(key)}">{name}</a>{mark}</td>')
        elif key in failed:
            any_file = True
            cells.append("<td>gagal · failed</td>")
        else:
            cells.append("<td>–</td>")
    files = []
    for name in ("index.pdf", "index.en.pdf", "indicators.csv", "tables.xlsx",
                 "tables.en.xlsx", "report.ipynb", "report.en.ipynb"):
        if (folder / name).exists():
            files.append(f'<a href="{html.escape(prefix + name)}">{name}</a>')
    if (folder / "tables").is_dir():
        files.append(f'<a href="{html.escape(prefix)}tables/">tables/</a>')
    if not any_file:
        return ""
    return "".join(cells) + f"<td>{' · '.join(files)}</td>"


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
    from helpers import report_data

    region = report_data.check_region(args.region)
    return _finish(run_reports(province_code=region[:2], period=args.period, lang=args.lang,
                               jobs=1, out=args.out, data_dir=args.data_dir,
                               regions=[region], extra=_extra(args), overview=False,
                               progress=not args.no_progress, pdf=args.pdf))


def _run_reports_cli(args) -> int:
    regions = [r.strip() for r in args.regions.split(",")] if args.regions else None
    return _finish(run_reports(province_code=args.province, period=args.period,
                               lang=args.lang, jobs=args.jobs, out=args.out,
                               data_dir=args.data_dir, regions=regions, extra=_extra(args),
                               overview=not args.no_overview,
                               progress=not args.no_progress, pdf=args.pdf))


def _finish(batch: Batch) -> int:
    for result in batch.failed:
        _say(f"cakupan: FAILED {result.key}: {result.error}")
    for result in batch.results:
        for warning in result.warnings:
            _say(f"cakupan: warning {result.key}: {warning}")
    ok = len(batch.results) - len(batch.failed)
    _say(f"cakupan: {ok} of {len(batch.results)} report(s) rendered in {batch.seconds:.1f} s"
         + (f"; {len(batch.failed)} failed (see {batch.out / 'manifest.json'})"
            if batch.failed else ""))
    for finding in batch.privacy_findings:
        _say(f"cakupan: PRIVACY {finding}")
    if batch.privacy_findings:
        _say(f"cakupan: the privacy audit found {len(batch.privacy_findings)} problem(s) in "
             f"the reports: do not publish them")
        return 3
    print(batch.index_path.resolve())
    return 1 if batch.failed else 0


__all__ = ["RunSpec", "RunResult", "Batch", "notebook_parameters", "validate_parameters",
           "coerce_parameter", "build_specs", "run_specs", "run_reports", "execute_run",
           "write_manifest", "finalize", "write_landing_page", "check_kernel",
           "read_parameter_file", "parse_assignments"]
