"""``cakupan init DIR``: a workspace for an installed Cakupan (notebooks, data, reports).

After ``pip install cakupan-*.whl`` there is no checkout: ``cakupan init myworkspace``
makes a folder that every ``cakupan`` command run in it (or below it) uses as its project
root (:func:`helpers.paths.project_root`):

- ``cakupan.toml``: marks the workspace;
- ``README.md``: what is where and the next commands;
- ``notebooks/``: copies of the shipped notebooks and parameter sets, to edit;
- ``data/``: registries go here; ``data/sample`` (``cakupan sample``) and ``data/cache``
  are made on first use;
- ``data/reference/``: only with ``--reference``, copies of the shipped reference tables
  to edit; without it the tables shipped with the package are used.

Reports go to ``reports/`` when first rendered.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import __version__
from helpers.errors import WorkspaceError
from helpers.paths import (
    NOTEBOOKS_FOLDER,
    REFERENCE_FOLDER,
    WORKSPACE_MARKER,
    is_checkout,
    shipped_dir,
)

MARKER_TEXT = f"""\
# A Cakupan workspace: `cakupan` commands run in this folder, or in a folder below it,
# read and write here (data/, reports/, notebooks/). Written by `cakupan init`; keep it.
[workspace]
created_by = "cakupan {__version__}"
"""

README_TEXT = """\
# Cakupan workspace

Made by `cakupan init` (Cakupan {version}). Every `cakupan` command run in this folder, or
in a folder below it, reads and writes here.

| Path | What |
|---|---|
| `notebooks/` | the report and explorer notebooks, yours to edit: `cakupan report(s)` renders these |
| `notebooks/parameters/` | parameter sets for papermill (`papermill -f notebooks/parameters/sample.yaml …`) |
| `data/` | your registry files; `data/sample/` (synthetic, from `cakupan sample`) and `data/cache/` (the pseudonymised intake cache, private to you) appear on first use |
| `data/reference/` | {reference} |
| `reports/` | rendered reports (`reports/index.html` links them all) |
| `cakupan.toml` | marks this folder as a workspace |

## Next steps

```bash
cakupan sample --scale 0.01                   # 1 % synthetic NTB registries in data/sample (seconds)
cakupan report --region 52.02 --period 2024   # reports/2024/52.02/index.html (Lombok Tengah)
cakupan reports --province 52 --period 2024   # every NTB report and the overview, reports/index.html
jupyter lab notebooks/                        # explore; the kernel is "Python (cakupan)"
```

`cakupan init` registered the notebooks' Jupyter kernel, `cakupan`, for the Python it runs
on (if it is missing: `python -m ipykernel install --sys-prefix --name cakupan`).

`cakupan sample` without `--scale` writes the full sample (about 7 million rows, a minute
or two). Your own registries: check a file with
`cakupan validate FILE --registry jkn` (or `jamsostek`), then render from a folder holding
`jamsostek.parquet` and `jkn.parquet` with `--data-dir FOLDER`. NIKs are pseudonymised
with a key from `CAKUPAN_KEY` or a per-user key file (created on first use, outside this
folder); outputs hold aggregates only. `cakupan --help` lists every command.
"""

REFERENCE_SHIPPED = ("not here: the reference tables shipped with Cakupan are used; "
                     "`cakupan init DIR --reference` copies them here to edit (then all of them "
                     "are read from here)")
REFERENCE_COPIED = ("your copy of the reference tables (every row with `source` and `status`; "
                    "`data/reference/README.md` describes each column); delete the folder to "
                    "use the tables shipped with Cakupan again")


def init_workspace(folder: str | Path, *, reference: bool = False) -> Path:
    """Create a workspace in ``folder`` (made when missing); return its resolved path.

    Args:
        folder: the new workspace; may exist, but must hold none of the files written.
        reference: also copy the shipped reference tables to ``data/reference``.

    Returns:
        The workspace folder.

    Raises:
        WorkspaceError: ``folder`` is a file, already a workspace or a checkout, lies inside
            another workspace, or holds a file or folder ``init`` would write.
    """
    folder = Path(folder).expanduser().resolve()
    _check_target(folder, reference)
    shipped = shipped_dir()
    notebooks = shipped / NOTEBOOKS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    _copy_folder(notebooks, folder / NOTEBOOKS_FOLDER)
    if reference:
        _copy_folder(shipped / REFERENCE_FOLDER, folder / REFERENCE_FOLDER)
        shutil.copy2(shipped / "data" / "README.md", folder / REFERENCE_FOLDER / "README.md")
    (folder / "README.md").write_text(
        README_TEXT.format(version=__version__,
                           reference=REFERENCE_COPIED if reference else REFERENCE_SHIPPED),
        encoding="utf-8")
    (folder / WORKSPACE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # last: complete
    return folder


def _check_target(folder: Path, reference: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise WorkspaceError("is a file, not a folder", path=folder,
                             fix="choose a new folder name")
    if is_checkout(folder):
        raise WorkspaceError("is a Cakupan checkout; it needs no workspace", path=folder,
                             fix="run `cakupan` commands in the checkout, or init another folder")
    enclosing = _enclosing_workspace(folder)
    if enclosing is not None:
        where = "is already" if enclosing == folder else f"lies inside {enclosing},"
        raise WorkspaceError(f"{where} a Cakupan workspace", path=folder,
                             fix="use that workspace, or init a folder outside it")
    written = ["README.md", "notebooks", *(["data/reference"] if reference else [])]
    taken = [name for name in written if (folder / name).exists()]
    if taken:
        raise WorkspaceError(f"already holds {taken[0]}", path=folder,
                             fix="choose a new or empty folder (init never overwrites a file)")


def _enclosing_workspace(folder: Path) -> Path | None:
    """The workspace ``folder`` is or lies in (a ``cakupan.toml`` at it or above), else None."""
    for candidate in (folder, *folder.parents):
        if (candidate / WORKSPACE_MARKER).is_file():
            return candidate
    return None


def _copy_folder(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (new), without hidden files or bytecode."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


# =========================================================================== command line


def register_cli(subparsers) -> None:
    parser = subparsers.add_parser(
        "init", help="create a workspace (notebooks, data/, reports/) to run Cakupan in",
        description="Create a workspace: copies of the notebooks to edit, a data/ folder and "
                    "a README with the next commands. Every `cakupan` command run in the "
                    "workspace (or below it) reads and writes there.")
    parser.add_argument("folder", type=Path, help="the workspace folder (made when missing)")
    parser.add_argument("--reference", action="store_true",
                        help="also copy the reference tables to data/reference, to edit them "
                             "(default: use the tables shipped with Cakupan)")
    parser.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    from helpers.batch.runner import check_kernel

    folder = init_workspace(args.folder, reference=args.reference)
    check_kernel()  # `jupyter lab` in the workspace finds the notebooks' kernel at once
    shown = _shown(folder)
    print(f"created the Cakupan workspace {shown} (notebooks/, data/, README.md)")
    print(f"next: cd {shown} && cakupan sample --scale 0.01 && "
          "cakupan report --region 52.02 --period 2024")
    return 0


def _shown(folder: Path) -> str:
    """``folder`` as the user would type it: relative to the current folder when inside it."""
    try:
        return str(folder.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(folder)


__all__ = ["init_workspace", "register_cli", "MARKER_TEXT", "README_TEXT"]
