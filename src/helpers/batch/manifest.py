"""``reports/manifest.json``: what is published, how it was made, and whether it is current.

One record per report (key: the HTML path under the reports root, e.g.
``2024/52.02/index.html``) with its parameters, status, duration, attempts and the
SHA-256 of every file it published (``outputs``). A run that failed, timed out or was
interrupted keeps, under ``published``, the whole record of the previous good report that
is still on disk, so the manifest always describes exactly the files a reader can open. A
report whose shared, language-neutral files were rewritten by its other-language twin run
with other parameters is marked ``stale``.

**Fingerprint.** Each record carries the fingerprint of what the report depends on: the
notebook, its parameters, the registry files, the reference tables, the ``helpers`` code
and the package versions. A batch skips a report whose fingerprint is unchanged and whose
files are intact (``--force`` renders it again).

The file is rewritten atomically (write + rename) after every finished report, so a batch
stopped at any moment leaves a manifest that matches the disk.

**What is Cakupan's.** ``files`` lists every file Cakupan wrote into the folder (paths
relative to it). A batch replaces or deletes only those (and its own ``.staging``,
``.logs`` and ``.lock``); a new name is added to the list, and the list saved, before the
file is created. A manifest written before the list existed counts the outputs of its
records and the landing page.

**The batch's state** (``last_batch.state``): ``running`` while it renders (and what a
batch killed outright leaves), ``finished`` when every report was rendered or was
current and everything was written, ``failed`` when a report failed or timed out (the
others are published), ``incomplete`` when a step of the batch could not be written
(the landing page, the links, the privacy audit, the manifest itself; ``problems``
says which), ``stopped`` after Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from importlib import metadata, resources
from pathlib import Path

from helpers import __version__
from helpers.batch.layout import DESCRIPTION, LANDING_PAGE, manifest_path
from helpers.batch.publish import atomic_write_text, intact
from helpers.paths import PACKAGE_DIR, file_sha256, notebooks_dir, project_root, reference_dir

#: Packages whose versions the manifest records (and the fingerprint includes).
PACKAGES = ("cakupan", "pandas", "numpy", "pyarrow", "ibis-framework", "duckdb", "papermill",
            "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client", "matplotlib",
            "seaborn", "babel", "openpyxl", "tqdm", "markdown-it-py")
#: What ``last_batch.state`` can say (see the module docstring).
STATES = ("running", "finished", "failed", "incomplete", "stopped")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that produce a report."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def folder_checksums(folder: Path, pattern: str) -> dict[str, str]:
    """SHA-256 of the files of ``folder`` matching ``pattern``, by name."""
    return {path.name: file_sha256(path) for path in sorted(Path(folder).glob(pattern))}


def code_sha256() -> str:
    """One hash of the ``helpers`` package: its modules and its data files."""
    digest = hashlib.sha256()
    package = Path(str(resources.files("helpers")))
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
            name = path.relative_to(package).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, ``helpers/…`` when inside the installed
    package (a shipped notebook), else as given: the manifest never holds a home path."""
    resolved = Path(path).resolve()
    for base in (Path(root).resolve(), PACKAGE_DIR):
        if resolved.is_relative_to(base):
            start = base if base != PACKAGE_DIR else PACKAGE_DIR.parent
            return str(resolved.relative_to(start))
    return str(path)


def is_cakupan_manifest(document: object) -> bool:
    """True when ``document`` (parsed JSON) is a reports manifest Cakupan wrote."""
    return (isinstance(document, dict) and document.get("tool") == "cakupan"
            and isinstance(document.get("runs"), dict)
            and isinstance(document.get("last_batch"), dict))


def read_manifest(out: str | Path) -> dict | None:
    """The manifest of a reports folder, or None when there is none that Cakupan wrote
    (no ``manifest.json``, an unreadable one, or another tool's)."""
    path = manifest_path(out)
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return document if is_cakupan_manifest(document) else None


def owned_files(document: dict | None, out: str | Path) -> set[str]:
    """The files of ``out`` that a manifest says Cakupan wrote and that are still there.

    Args:
        document: the parsed manifest (None: no manifest, nothing is Cakupan's).
        out: the reports folder.

    Returns:
        Paths relative to ``out`` (POSIX). For a manifest older than the ``files`` list:
        the outputs of its records (the last and the kept good ones) and the landing page.
    """
    if not document:
        return set()
    listed = document.get("files")
    if isinstance(listed, list):
        names = {name for name in listed if isinstance(name, str)}
    else:
        names = {LANDING_PAGE}
        for key, run in (document.get("runs") or {}).items():
            folder = Path(key).parent
            for holder in (run, run.get("published") or {}):
                names.update((folder / name).as_posix() for name in holder.get("outputs") or {})
    root = Path(out)
    return {name for name in names if _inside(name) and os.path.lexists(root / name)}


def _inside(name: str) -> bool:
    path = Path(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def public_parameters(parameters: dict) -> dict:
    """Parameters as recorded: folders relative to the project."""
    root = project_root()
    return {k: (relative(v, root) if k in ("data_dir", "output_dir") and v else v)
            for k, v in parameters.items()}


class Manifest:
    """The manifest of one reports folder, updated run by run.

    Args:
        out: the reports root.
        registry_files: the registry files of this batch (their checksums enter every
            fingerprint).
    """

    def __init__(self, out: Path, registry_files: list[Path]):
        self.out = Path(out)
        self.path = manifest_path(self.out)
        self.data = self._read()
        self.runs: dict[str, dict] = dict(self.data.get("runs", {}))
        #: Files of the folder Cakupan wrote (relative, POSIX): the only ones it replaces.
        self.files: set[str] = owned_files(self.data, self.out) if self.data else set()
        self.inputs = {Path(p).name: {"sha256": file_sha256(p), "bytes": Path(p).stat().st_size}
                       for p in registry_files}
        self.context = {  # what every report depends on (its notebook comes per run)
            "inputs": {name: info["sha256"] for name, info in self.inputs.items()},
            "reference_tables_sha256": folder_checksums(reference_dir(), "*.csv"),
            "code_sha256": code_sha256(),
            "packages": package_versions(),
        }

    def _read(self) -> dict:
        # None: no manifest, or one that is not Cakupan's (the batch refuses such a folder
        # before it gets here); every report is then rendered again
        return read_manifest(self.out) or {}

    def _name(self, path: str | Path) -> str | None:
        """``path`` relative to the reports folder (POSIX), None when outside it."""
        try:
            name = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.out))
        except ValueError:
            return None
        return name.as_posix()

    def owns(self, path: str | Path) -> bool:
        """True when Cakupan wrote the file at ``path`` (so it may replace or delete it)."""
        return self._name(path) in self.files

    def claim(self, paths) -> list[str]:
        """Record files Cakupan is about to create; return the names that were new.

        Save the manifest before creating them, so a folder never holds a file of
        Cakupan's that its manifest does not list (undo with :meth:`unclaim` if the save
        fails).

        Raises:
            ValueError: a path outside the reports folder.
        """
        new = []
        for path in paths:
            name = self._name(path)
            if name is None or not _inside(name):
                raise ValueError(f"{path} is outside the reports folder {self.out}")
            if name not in self.files:
                self.files.add(name)
                new.append(name)
        return new

    def unclaim(self, names: list[str]) -> None:
        """Forget names :meth:`claim` added (their files were not created)."""
        self.files.difference_update(names)

    def fingerprint(self, notebook: str | Path, parameters: dict) -> str:
        """Hash of everything a report depends on (see the module docstring)."""
        content = {k: v for k, v in public_parameters(parameters).items()
                   if k != "output_dir"}  # where a report is written does not change it
        document = {"notebook": Path(notebook).name,
                    "notebook_sha256": file_sha256(Path(notebook)),
                    "parameters": content, **self.context}
        text = json.dumps(document, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def unchanged(self, key: str, fingerprint: str, folder: Path,
                  required: tuple[str, ...] = ()) -> bool:
        """True when the report on disk for ``key`` has this fingerprint and is intact.

        That is the last run's report, or, when the last run did not publish (failed,
        timed out, interrupted), the previous good one it kept; in that case the record
        of the good one becomes the current record again. ``required``: files that must
        be among its outputs (e.g. the PDF when asked for).
        """
        record = self.runs.get(key)
        if record and record.get("status") != "ok":
            record = record.get("published")
        if not record or record.get("fingerprint") != fingerprint:
            return False
        outputs = record.get("outputs") or {}
        if not (all(name in outputs for name in required) and intact(folder, outputs)):
            return False
        self.runs[key] = record
        return True

    def record(self, run: dict) -> list[str]:
        """Record a finished run. A run that did not publish keeps the previous good one.

        Returns:
            Keys of reports this run made stale (see :meth:`_overwritten`).
        """
        previous = self.runs.get(run["key"])
        if run["status"] != "ok" and previous:
            kept = previous if previous.get("status") == "ok" else previous.get("published")
            if kept:
                run["published"] = kept
        run["inputs"] = self.inputs
        self.runs[run["key"]] = run
        return self._overwritten(run) if run["status"] == "ok" else []

    def _overwritten(self, run: dict) -> list[str]:
        """Mark 'stale' the reports of the same folder whose shared files this run changed.

        The two languages of a report share ``indicators.csv`` and ``tables/*.csv``. Run
        with the same parameters they write the same bytes; with other parameters (say
        ``grace_months``), the other language's page no longer matches the folder's
        tables: it is marked stale, shown with ⚠, and rendered again by the next batch
        of its language.
        """
        folder = Path(run["key"]).parent
        stale = []
        for key, other in self.runs.items():
            if key == run["key"] or Path(key).parent != folder or other.get("status") != "ok":
                continue
            outputs = other.get("outputs") or {}
            changed = sorted(name for name, sha in run.get("outputs", {}).items()
                             if name in outputs and outputs[name] != sha)
            if changed:
                other["status"] = "stale"
                other["error"] = (f"{len(changed)} shared file(s) ({', '.join(changed[:2])}"
                                  f"{', …' if len(changed) > 2 else ''}) were rewritten by "
                                  f"{run['key']} with other values (other parameters); "
                                  "render this report again")
                stale.append(key)
        return stale

    def refresh(self, rewritten: dict[Path, str]) -> None:
        """New checksums of pages the batch rewrote in place (navigation, language links)."""
        for key, run in self.runs.items():
            for holder in (run, run.get("published") or {}):
                outputs = holder.get("outputs") or {}
                folder = self.out / Path(key).parent
                for name in outputs:
                    sha = rewritten.get((folder / name).resolve())
                    if sha:
                        outputs[name] = sha

    def save(self, last_batch: dict, warm_inputs: dict | None = None) -> Path:
        """Write the manifest atomically.

        Raises:
            OSError: it could not be written (disk full, read-only); the previous
                manifest is unchanged and no ``.partial`` file is left.
        """
        inputs = warm_inputs or {name: {**self.data.get("inputs", {}).get(name, {}), **info}
                                 for name, info in self.inputs.items()}
        document = {
            "tool": "cakupan", "version": __version__,
            "updated": dt.datetime.now().isoformat(timespec="seconds"),
            "layout": DESCRIPTION,
            "last_batch": last_batch,
            "inputs": inputs,
            "reference_tables_sha256": self.context["reference_tables_sha256"],
            "notebooks_sha256": folder_checksums(notebooks_dir(), "*.ipynb"),
            "code_sha256": self.context["code_sha256"],
            "packages": self.context["packages"],
            "kernel": "cakupan",
            "runs": dict(sorted(self.runs.items())),
            "files": sorted(self.files),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(document, indent=2, ensure_ascii=False,
                                                default=str))
        return self.path


__all__ = ["Manifest", "package_versions", "code_sha256", "folder_checksums", "relative",
           "public_parameters", "is_cakupan_manifest", "read_manifest", "owned_files",
           "PACKAGES", "STATES"]
