"""Checks before any kernel starts: the Jupyter kernel, the output folder, the batch lock.

A problem here is one line (``ParameterError``: exit code 2; ``ReportError``: 1) and
nothing has been written: a folder that is neither new, empty nor Cakupan's is refused,
so is one that cannot be written, and a second batch into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from helpers.batch import layout, publish
from helpers.batch.layout import LANDING_PAGE, MANIFEST
from helpers.batch.manifest import owned_files, read_manifest
from helpers.batch.summary import say
from helpers.batch.worker import KERNEL_NAME
from helpers.errors import ParameterError, ReportError
from helpers.locking import file_lock
from helpers.paths import reports_dir


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
        say(f"cakupan: registered the Jupyter kernel '{name}' for {sys.executable} "
            "(first use; the notebooks run on it)")
    return spec.argv[0] if spec.argv else ""


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
        if MANIFEST in others:
            problem = ("the --out folder holds a manifest.json that Cakupan did not write "
                       "(or cannot read)")
        else:
            shown = ", ".join(f"'{name}'" for name in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            problem = (f"the --out folder is not empty ({shown}{more}) and holds no Cakupan "
                       "manifest.json; Cakupan never replaces or deletes files it did not "
                       "write")
        raise ParameterError(problem, path=out, fix=OUT_FOLDER_FIX)
    landing = layout.landing_page(out)
    if os.path.lexists(landing) and LANDING_PAGE not in owned_files(document, out):
        raise ParameterError("index.html is not a landing page Cakupan wrote (its manifest "
                             "does not list it) and the batch would replace it", path=landing,
                             fix="move it out of the reports folder, or give another --out")


def _cakupan_leftover(entry: Path) -> bool:
    """True for what a batch leaves in a folder before it writes its first manifest."""
    if entry.is_symlink():
        return False
    if entry.name.startswith(layout.WRITE_PROBE_PREFIX):  # a probe of a batch killed at once
        return entry.is_file()
    if entry.name == layout.LOCK:
        return entry.is_file() and entry.stat().st_size == 0
    if entry.name == layout.LOGS:
        return entry.is_dir() and all(child.name == layout.WORKER_LOG and child.is_file()
                                      for child in entry.iterdir())
    if entry.name == layout.STAGING:
        return entry.is_dir() and all(child.is_dir() and publish.is_staging(child)
                                      for child in entry.iterdir())
    return False


def _probe_write(out: Path) -> None:
    """Create the folder and a probe file in it, then remove the probe."""
    probe = out / f"{layout.WRITE_PROBE_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
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


@contextlib.contextmanager
def batch_lock(out: Path) -> Iterator[None]:
    """One batch at a time per reports folder (a second one fails at once, in one line)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(file_lock(layout.lock_path(out), wait=False))
        except BlockingIOError:
            raise ReportError(f"another cakupan batch is writing to {out}",
                              fix="wait until it finishes, or write elsewhere with --out") \
                from None
        except OSError as error:
            raise ReportError(publish.describe_os_error(error, layout.lock_path(out)),
                              fix="give a folder you can write to with --out") from None
        yield


__all__ = ["OUT_FOLDER_FIX", "batch_lock", "check_kernel", "check_output_folder"]
