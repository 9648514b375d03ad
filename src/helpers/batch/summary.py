"""What a batch did (:class:`Batch`), the lines it prints on stderr, and its exit code.

Exit codes: 0 all published, 1 a report failed or a step of the batch could not be
written, 3 the privacy audit found something (or could not run); stopped by a signal:
128 + its number (130 Ctrl-C, 143 SIGTERM), as a shell reports it. A user mistake
(bad parameters or output folder) never gets this far: the CLI prints it in one line
with exit code 2.
"""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from helpers.batch import layout
from helpers.batch.worker import RunResult

EXIT_FAILED, EXIT_PRIVACY = 1, 3


def say(text: str) -> None:
    """One line for the user on stderr (stdout carries only the landing page's path)."""
    print(text, file=sys.stderr, flush=True)


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
        return layout.landing_page(self.out)

    def keys(self, *statuses: str) -> list[str]:
        return [r.key for r in self.results if r.status in statuses]


def finish(batch: Batch, *, landing: bool = True) -> int:
    """Print the end summary of a batch; return the command's exit code.

    stderr gets one line per failed, retried or warned run, the counts, stale twins,
    problems and privacy findings; stdout gets the landing page's path when it was
    written (unless ``landing`` is False: a national batch prints its own page).
    """
    for result in batch.results:
        if result.status in ("failed", "timeout"):
            say(f"cakupan: {'TIMEOUT' if result.status == 'timeout' else 'FAILED'} "
                f"{result.key}: {result.error}")
        if result.retried:
            outcome = "succeeded" if result.status == "ok" else "failed too"
            say(f"cakupan: retried {result.key} once after its kernel died "
                f"({result.retried}); the retry {outcome}")
        for warning in result.warnings:
            say(f"cakupan: warning {result.key}: {warning}")
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
    say("cakupan: " + "; ".join(parts))
    for key in batch.stale:
        say(f"cakupan: warning {key} is now stale: this batch rewrote the tables it shares "
            "with its other-language twin using other parameters; render it again")
    for problem in batch.problems:
        say(f"cakupan: ERROR {problem}")
    if failed or interrupted or batch.stale or batch.problems:
        say(f"cakupan: details in {layout.manifest_path(batch.out)}")
    for finding in batch.privacy_findings:
        say(f"cakupan: PRIVACY {finding}")
    if batch.privacy_findings:
        say(f"cakupan: the privacy audit found {len(batch.privacy_findings)} problem(s) in "
            f"the reports: do not publish them")
        return EXIT_PRIVACY
    if batch.audit_error:
        say(f"cakupan: the reports were not audited: do not publish them before `cakupan "
            f"audit {batch.out}` passes")
        return EXIT_PRIVACY
    if batch.stopped_by:
        say(f"cakupan: stopped by {batch.stopped_by}; run the same command again to finish "
            "(finished reports are skipped)")
        return 128 + signal.Signals[batch.stopped_by].value
    if batch.problems:
        say("cakupan: the batch is incomplete; fix the above, then run the same command "
            "again (finished reports are skipped)")
    if batch.landing_page is not None and landing:
        print(batch.landing_page.resolve())
    return EXIT_FAILED if failed or batch.problems else 0


__all__ = ["EXIT_FAILED", "EXIT_PRIVACY", "Batch", "finish", "say"]
