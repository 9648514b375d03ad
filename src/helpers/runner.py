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
3. **Skip what is current**: a report whose notebook, parameters, registry files,
   reference tables, code and package versions are unchanged since the manifest recorded
   it, and whose files are intact, is not rendered again (``--force`` renders it).
4. **Render in parallel**: ``ProcessPoolExecutor`` workers (:mod:`helpers.worker`) run
   papermill on the notebook (kernel ``cakupan``) and export the HTML in the same process
   (no second ``jupyter nbconvert``), into a staging folder. Each report has a time limit
   (``--timeout``); a run whose kernel died is retried once; a failing region is recorded
   and the others go on.
5. **Publish atomically**: this process moves each finished report into place
   (:mod:`helpers.publish`) and updates ``reports/manifest.json`` (:mod:`helpers.manifest`)
   at once, so a report on disk is never half-written and the manifest always matches
   the disk. Then the language and navigation links of every report, the landing page
   ``reports/index.html``, and the privacy audit of everything written.
6. **Stop cleanly**: Ctrl-C or SIGTERM stops the workers and their kernels, keeps the
   reports already finished, records the others as 'interrupted' (their previous version
   stays in place) and exits with 130 or 143. A second batch writing into the same
   folder at the same time is refused.

The end summary says what was rendered, skipped, failed, timed out, retried or
interrupted. Exit codes: 0, 1 (a report failed), 2 (bad parameters), 3 (privacy audit
finding), 130/143 (stopped).

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
import contextlib
import difflib
import html
import json
import multiprocessing
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers import publish, worker
from helpers.errors import ParameterError, ReportError
from helpers.i18n import LANGUAGES, check_language
from helpers.locking import file_lock
from helpers.manifest import Manifest, public_parameters, relative
from helpers.paths import project_root, reports_dir
from helpers.worker import KERNEL_NAME, RUN_TIMEOUT, RunResult, RunSpec, notebooks_dir

REGENCY_NOTEBOOK = "regency_report.ipynb"
OVERVIEW_NOTEBOOK = "province_overview.ipynb"
#: Parameter names that could carry a secret into papermill's metadata: refused.
SECRET_NAME = re.compile(r"(key|secret|token|password|credential)", re.I)


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
        kernel_mode: 'reuse', 'fresh' or 'papermill' (see :func:`helpers.worker.worker_init`).
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
        return RunResult.of(spec, status="failed", error=worker._one_line(error))


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
    batch, if any; ``recovered``: leftovers of an earlier, killed batch that were cleaned.
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

    @property
    def failed(self) -> list[RunResult]:
        """Runs that did not publish a report (failed, timed out or interrupted)."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def index_path(self) -> Path:
        return self.out / "index.html"

    def keys(self, *statuses: str) -> list[str]:
        return [r.key for r in self.results if r.status in statuses]



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
                pdf: bool = False, force: bool = False,
                timeout: float | None = RUN_TIMEOUT) -> Batch:
    """Render the reports of a province (or some regions) for a period.

    Every report is rendered into a staging folder and moved into place only when it is
    complete (:mod:`helpers.publish`); the manifest is updated after each one. Reports
    whose inputs, parameters and code are unchanged since they were rendered are skipped
    unless ``force``. SIGINT/SIGTERM stop the batch cleanly: finished reports are kept,
    unfinished ones are recorded as 'interrupted' and the previous good report stays.

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
        ParameterError, ReportError: before anything runs.
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
        from helpers import pdf as pdf_twin

        pdf_twin.check_ready()  # a missing Chromium is one line before anything renders
    from helpers import audit, report_data

    registry_files = [report_data.resolve_data_dir(data_dir) / name
                      for name in report_data.REGISTRY_FILES.values()]
    out.mkdir(parents=True, exist_ok=True)
    with _batch_lock(out), StopRequest() as stop:
        recovered = publish.recover(out)
        for line in recovered:
            _say(f"cakupan: {line}")
        record = Manifest(out, registry_files)
        by_key = {spec.key: spec for spec in specs}
        fingerprints = {spec.key: record.fingerprint(spec.notebook, spec.parameters)
                        for spec in specs}
        todo = [spec for spec in specs if force or not record.unchanged(
            spec.key, fingerprints[spec.key], Path(spec.out_dir),
            required=(spec.pdf_name,) if pdf else ())]
        unchanged = [spec.key for spec in specs if spec not in todo]
        _say(f"cakupan: {len(specs)} report(s) for {province_code}, period {period}, "
             f"language {lang}, {jobs} job(s)"
             + (f"; {len(unchanged)} unchanged since they were rendered, skipped "
                "(--force renders them again)" if unchanged else ""))
        warm: dict = {}
        done: list[RunResult] = []
        stale: list[str] = []

        def summary(state: str) -> dict:
            return _last_batch(state, done, unchanged, stale, warm,
                               province_code=province_code,
                               period=str(period), lang=lang, jobs=jobs, data_dir=data_dir,
                               seconds=time.perf_counter() - started, stop=stop)

        def warm_up() -> None:
            warm.update(warm_caches(province_code=province_code, period=str(period),
                                    data_dir=data_dir, extra=extra))
            _say(f"cakupan: registries ready in {warm['intake_seconds']:.1f} s, indicators "
                 f"for all regions in {warm['bundle_seconds']:.1f} s")

        def publish_run(result: RunResult) -> None:
            """Commit a finished run into its folder and record it (in this process)."""
            result.fingerprint = fingerprints[result.key]
            if result.status == "ok":
                spec = by_key[result.key]
                try:
                    result.outputs = publish.commit(Path(result.staging), Path(spec.out_dir))
                    # a PDF printed from the previous HTML no longer matches it
                    (Path(spec.out_dir) / spec.pdf_name).unlink(missing_ok=True)
                except OSError as error:  # disk full, permissions: this report fails
                    result.status = "failed"
                    result.error = f"could not publish into {spec.out_dir}: {error}"
                result.staging = None
            done.append(result)
            stale.extend(record.record(_manifest_record(result, out)))
            record.save(summary("running"), warm.get("inputs"))

        results = []
        if todo:
            results = run_specs(todo, min(jobs, len(todo)),
                                log_path=out / ".logs" / "workers.log", progress=progress,
                                kernel_mode=kernel_mode, before=warm_up, timeout=timeout,
                                on_result=publish_run, stop=stop)
        for result in results:
            if result.status == "interrupted":
                result.fingerprint = fingerprints[result.key]
                done.append(result)
                record.record(_manifest_record(result, out))
        publish.recover(out)  # staging left by workers stopped mid-run
        if pdf and not stop.signum:
            print_pdfs(results)
            for result in results:
                if result.status == "ok":
                    record.record(_manifest_record(result, out))
        batch = Batch(results=results, out=out, unchanged=unchanged, recovered=recovered,
                      stale=sorted(set(stale)),
                      seconds=round(time.perf_counter() - started, 2), stopped_by=stop.name,
                      warm_seconds=warm.get("intake_seconds", 0) + warm.get("bundle_seconds", 0))
        record.save(summary("stopped" if stop.signum else "finished"), warm.get("inputs"))
        record.refresh(finalize(out))
        batch.seconds = round(time.perf_counter() - started, 2)
        record.save(summary("stopped" if stop.signum else "finished"), warm.get("inputs"))
        if (out / str(period)).exists():  # nothing published when every run failed
            batch.privacy_findings = audit.audit_path(out / str(period),
                                                      registries=registry_files)
    return batch


@contextlib.contextmanager
def _batch_lock(out: Path) -> Iterator[None]:
    """One batch at a time per reports folder (a second one fails at once, in one line)."""
    try:
        with file_lock(out / ".lock", wait=False):
            yield
    except BlockingIOError:
        raise ReportError(f"another cakupan batch is writing to {out}",
                          fix="wait until it finishes, or write elsewhere with --out") from None


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
                seconds: float, stop: StopRequest) -> dict:
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
    }


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
        result.outputs[printed.pdf_path.name] = publish.file_sha256(printed.pdf_path)
        result.timings["pdf"] = printed.seconds
    _say(f"cakupan: {len(done)} PDF(s) printed in {time.perf_counter() - started:.1f} s")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# =========================================================================== finalize


def finalize(out: Path) -> dict[Path, str]:
    """Update every report's navigation and language links, then write the landing page.

    Pages are rewritten atomically, and only when a link changed.

    Returns:
        The pages rewritten (resolved path) and their new SHA-256, for the manifest.
    """
    from helpers import export

    out = Path(out)
    rewritten = {}
    for path in sorted(out.glob("*/index*.html")) + sorted(out.glob("*/*/index*.html")):
        lang = "id" if path.name == "index.html" else path.name.split(".")[1]
        if lang not in LANGUAGES:
            continue
        twin = "index.html" if lang != "id" else "index.en.html"
        changed = export.update_language_link(path, lang, twin, (path.parent / twin).exists())
        if _update_nav(path, lang, out) or changed:
            rewritten[path.resolve()] = publish.file_sha256(path)
    write_landing_page(out)
    return rewritten


def _update_nav(path: Path, lang: str, out: Path) -> bool:
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
    if new == text:
        return False
    publish.atomic_write_text(path, new)
    return True


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
    publish.atomic_write_text(path, text)
    return path


def _language_cells(folder: Path, prefix: str, failed: set[str]) -> str:
    cells = []
    any_file = False
    for lang, name in (("id", "index.html"), ("en", "index.en.html")):
        key = prefix + name
        if (folder / name).exists():
            any_file = True
            mark = (' <span title="perlu dibuat ulang, lihat manifest.json · needs to be '
                    'rendered again, see manifest.json">⚠</span>') if key in failed else ""
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
    from helpers import report_data

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


#: Exit codes: 0 all published, 1 a report failed, 3 the privacy audit found something;
#: stopped by a signal: 128 + its number (130 Ctrl-C, 143 SIGTERM), as a shell reports it.
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
    if failed or interrupted or batch.stale:
        _say(f"cakupan: details in {batch.out / 'manifest.json'}")
    for finding in batch.privacy_findings:
        _say(f"cakupan: PRIVACY {finding}")
    if batch.privacy_findings:
        _say(f"cakupan: the privacy audit found {len(batch.privacy_findings)} problem(s) in "
             f"the reports: do not publish them")
        return EXIT_PRIVACY
    if batch.stopped_by:
        _say(f"cakupan: stopped by {batch.stopped_by}; run the same command again to finish "
             "(finished reports are skipped)")
        return 128 + signal.Signals[batch.stopped_by].value
    print(batch.index_path.resolve())
    return EXIT_FAILED if failed else 0


__all__ = ["RunSpec", "RunResult", "Batch", "notebook_parameters", "validate_parameters",
           "coerce_parameter", "build_specs", "run_specs", "run_reports", "finalize",
           "write_landing_page", "check_kernel", "StopRequest",
           "read_parameter_file", "parse_assignments"]
