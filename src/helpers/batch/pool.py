"""The batch's worker pool: runs in parallel processes, and a clean stop on a signal.

:func:`run_specs` starts ``jobs`` worker processes (:mod:`helpers.batch.worker`, started
with ``spawn``), lets the caller warm the caches while their kernels start, and hands
each finished run back at once (the batch commits it). :class:`StopRequest` turns
SIGINT/SIGTERM into a flag: pending runs are cancelled, the workers and their kernels
are stopped, and every unfinished run comes back as 'interrupted'.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import signal
import sys
import threading
import time
from pathlib import Path

from helpers.batch import worker
from helpers.batch.summary import say
from helpers.batch.worker import RUN_TIMEOUT, RunResult, RunSpec


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
        say(f"cakupan: {signal.Signals(signum).name} received: "
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
              on_result=None, stop: StopRequest | None = None, queued=None,
              audit_registries: tuple[str, ...] | None = None) -> list[RunResult]:
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
        queued: called in this process once every run is queued for the workers.
        audit_registries: registry files: each worker audits the reports it rendered
            (:func:`helpers.batch.worker.execute_run`).

    Returns:
        One result per spec, in the order given.
    """
    from tqdm import tqdm

    stop = stop or StopRequest()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, RunResult] = {}
    shared = _shared_pool(jobs, kernel_mode)
    pool = shared or _new_pool(jobs, log_path, kernel_mode)
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
            pool.submit(worker.execute_run, spec, timeout, audit_registries): index
            for index, spec in enumerate(specs)}
        if queued is not None:
            queued()
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
        if shared is None or stop.signum:
            pool.shutdown(wait=True, cancel_futures=True)
            if shared is not None:  # its workers were stopped: a later batch starts new ones
                _SHARED[0] = None
    for index, spec in enumerate(specs):
        if index not in results:
            results[index] = RunResult.of(
                spec, status="interrupted",
                error=f"not finished: the batch was stopped ({stop.name or 'stopped'})")
    return [results[i] for i in range(len(specs))]


def _new_pool(jobs: int, log_path: Path, kernel_mode: str):
    context = multiprocessing.get_context("spawn")  # no fork of a parent with DuckDB threads
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=worker.worker_init,
        initargs=(str(log_path), kernel_mode))


#: The pool :func:`shared_workers` keeps open: (pool, jobs, kernel_mode, log_path).
_SHARED: list = []


@contextlib.contextmanager
def shared_workers(jobs: int, log_path: Path, kernel_mode: str = "reuse"):
    """Keep one pool of workers, and their warm kernels, for every :func:`run_specs` of
    the block (the national batch runs 38 province batches: each would otherwise start
    its workers and kernels again). A pool that broke (a worker died) is replaced."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    _SHARED[:] = [None, jobs, kernel_mode, log_path]
    try:
        yield
    finally:
        pool = _SHARED[0]
        _SHARED.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _shared_pool(jobs: int, kernel_mode: str):
    """The shared pool when one is kept for these settings (started or replaced now)."""
    if not _SHARED or _SHARED[1] < jobs or _SHARED[2] != kernel_mode:
        return None
    pool = _SHARED[0]
    if pool is None or getattr(pool, "_broken", False):  # no public 'is broken'
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        pool = _SHARED[0] = _new_pool(_SHARED[1], _SHARED[3], kernel_mode)
    return pool


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


__all__ = ["StopRequest", "run_specs", "shared_workers"]
