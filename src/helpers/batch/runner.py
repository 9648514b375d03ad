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
   (:mod:`helpers.batch.publish`) and updates ``reports/manifest.json``
   (:mod:`helpers.batch.manifest`) at once, so a report on disk is never half-written
   and the manifest always matches the disk. Then the language and navigation links of every report, the landing page
   ``reports/index.html``, and the privacy audit of everything written. Only files the
   manifest lists as Cakupan's are ever replaced or deleted; a write that fails (disk
   full) fails its report, or marks the batch 'incomplete', never 'finished'.
6. **Stop cleanly**: Ctrl-C or SIGTERM stops the workers and their kernels, keeps the
   reports already finished, records the others as 'interrupted' (their previous version
   stays in place) and exits with 130 or 143. A second batch writing into the same
   folder at the same time is refused.

The end summary says what was rendered, skipped, failed, timed out, retried or
interrupted (:mod:`helpers.batch.summary`, with the exit codes). The steps live in
their own modules: :mod:`~helpers.batch.plan` (1, 2), :mod:`~helpers.batch.preflight`
(1: kernel, folder, lock), :mod:`~helpers.batch.pool` (4, 6); this module runs them in
order and commits each finished run. Where every file goes: :mod:`helpers.batch.layout`
(``docs/reports.md``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

from helpers.batch import layout, publish
from helpers.batch.landing import finalize
from helpers.batch.manifest import Manifest, public_parameters, relative
from helpers.batch.plan import build_specs, warm_caches
from helpers.batch.pool import StopRequest, run_specs
from helpers.batch.preflight import batch_lock, check_kernel, check_output_folder
from helpers.batch.summary import Batch, say
from helpers.batch.worker import RUN_TIMEOUT, RunResult, RunSpec
from helpers.errors import CakupanError, ParameterError, ReportError
from helpers.report.i18n import LANGUAGES
from helpers.paths import project_root, reports_dir

#: Held by a batch while this process does its own heavy steps: warming the caches
#: (DuckDB, Ibis) and the last steps (links, landing page, privacy audit). The national
#: batch runs two province batches at once, in threads, so that the workers render one
#: province while this process finishes the previous one or prepares the next; their
#: heavy steps then take turns instead of sharing a DuckDB connection or a cache.
PARENT_STEPS = threading.Lock()


def run_reports(*, province_code: str = "52", period: str = "2024", lang: str = "id",
                jobs: int = 2, out: str | Path | None = None, data_dir: str = "",
                regions: list[str] | None = None, extra: dict | None = None,
                overview: bool = True, progress: bool = True,
                specs: list[RunSpec] | None = None, kernel_mode: str = "reuse",
                pdf: bool = False, force: bool = False,
                timeout: float | None = RUN_TIMEOUT, stop: StopRequest | None = None,
                queued=None) -> Batch:
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
        stop: the signal handler of a caller that runs several batches at once (the
            national batch, from threads); default: this batch installs its own.
        queued: called once the reports are queued for the workers (the national batch
            then starts preparing the next province).

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
    with batch_lock(out), (nullcontext(stop) if stop else StopRequest()) as stop:
        job = _BatchJob(out=out, specs=specs, registry_files=registry_files, stop=stop,
                        started=started, province_code=province_code, period=str(period),
                        lang=lang, jobs=jobs, data_dir=data_dir, extra=extra)
        return job.run(progress=progress, kernel_mode=kernel_mode, pdf=pdf, force=force,
                       timeout=timeout, queued=queued)


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
            timeout: float | None, queued=None) -> Batch:
        out, record = self.out, self.record
        recovered = publish.recover(out, claim=self.claim)
        for line in recovered:
            say(f"cakupan: {line}")
        # the batch writes these at the end (a file there that is not Cakupan's stays)
        record.claim([path for path in (layout.landing_page(out),
                                        *(out / layout.methodology_name(lang)
                                          for lang in LANGUAGES))
                      if not os.path.lexists(path)])
        problem = self.save("running")  # the folder is on record as Cakupan's from now
        if problem:
            raise ReportError(problem, fix="free some space or give another --out, then run "
                                           "the same command again")
        try:
            return self._render_and_publish(recovered, progress=progress,
                                            kernel_mode=kernel_mode, pdf=pdf, force=force,
                                            timeout=timeout, queued=queued)
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
                            pdf: bool, force: bool, timeout: float | None,
                            queued=None) -> Batch:
        out, record, stop, specs = self.out, self.record, self.stop, self.specs
        context = self.context
        fingerprints = {spec.key: record.fingerprint(spec.notebook, spec.parameters)
                        for spec in specs}
        todo = [spec for spec in specs if force or not record.unchanged(
            spec.key, fingerprints[spec.key], Path(spec.out_dir),
            required=(spec.pdf_name,) if pdf else ())]
        self.unchanged = [spec.key for spec in specs if spec not in todo]
        say(f"cakupan: {len(specs)} report(s) for {context['province_code']}, period "
             f"{context['period']}, language {context['lang']}, {context['jobs']} job(s)"
             + (f"; {len(self.unchanged)} unchanged since they were rendered, skipped "
                "(--force renders them again)" if self.unchanged else ""))

        def warm_up() -> None:
            with PARENT_STEPS:
                self.warm.update(warm_caches(province_code=context["province_code"],
                                             period=context["period"],
                                             data_dir=context["data_dir"], extra=self.extra))
            say(f"cakupan: registries ready in {self.warm['intake_seconds']:.1f} s, "
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
                                log_path=layout.worker_log(out), progress=progress,
                                kernel_mode=kernel_mode, before=warm_up, timeout=timeout,
                                on_result=publish_run, stop=stop, queued=queued,
                                audit_registries=tuple(map(str, self.registry_files)))
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
        with PARENT_STEPS:
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

        from helpers.paths import file_sha256

        folder = self.out / self.context["period"]
        if not folder.exists():  # nothing published when every run failed
            return
        # the workers audited the reports they rendered: only a file changed since then
        # (a link rewritten, a PDF printed) or not rendered now is read again here
        audited, found = {}, []
        for result in self.done:
            if result.status == "ok" and result.audited and result.html:
                base = Path(result.html).parent.resolve()
                audited.update({base / name: sha for name, sha in result.audited.items()})
                found += result.findings

        def already(path: Path) -> bool:
            path = path.resolve()
            return path in audited and file_sha256(path) == audited[path]

        try:
            rest = audit.audit_path(folder, registries=self.registry_files, skip=already)
            batch.privacy_findings = sorted(found + rest, key=lambda f: f.path)
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


def _manifest_record(result: RunResult, out: Path) -> dict:
    record = asdict(result)
    for name in ("staging", "findings", "audited"):  # the summary reports the findings
        record.pop(name, None)
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
        staged.append((result, staging, staging / layout.pdf_name(result.lang)))
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
    say(f"cakupan: {len(done)} PDF(s) printed in {time.perf_counter() - started:.1f} s")


__all__ = ["print_pdfs", "run_reports"]
