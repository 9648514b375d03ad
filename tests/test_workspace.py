"""Where the project root is (workspace, checkout, CAKUPAN_HOME) and what `cakupan init` makes.

Unit tier: folders in ``tmp_path``, no kernel. ``tests/test_wheel.py`` runs the same
steps from an installed wheel.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.batch import manifest, workspace
from helpers.cli import main
from helpers.errors import WorkspaceError

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """The current folder is an empty folder outside any workspace; no CAKUPAN_HOME."""
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def installed(monkeypatch):
    """As after ``pip install cakupan-*.whl``: the package runs from no checkout, and its
    shipped files (``helpers/_shipped`` in a wheel) have the checkout's layout."""
    monkeypatch.setattr(paths, "source_checkout", lambda: None)
    monkeypatch.setattr(paths, "shipped_dir", lambda: CHECKOUT)


# ------------------------------------------------------------------ the project root


def test_workspace_is_found_from_a_folder_below_it(outside):
    ws = workspace.init_workspace(outside / "ws")
    (ws / "notebooks" / "drafts").mkdir()
    result = paths.find_project_root(ws / "notebooks" / "drafts")
    assert result == ws


def test_checkout_is_recognised_by_its_layout(outside):
    assert paths.find_project_root(CHECKOUT / "tests") == CHECKOUT
    assert paths.is_checkout(CHECKOUT) and not paths.is_workspace(CHECKOUT)


def test_cakupan_home_wins_over_the_current_folder(outside, tmp_path, monkeypatch):
    home = workspace.init_workspace(tmp_path / "home")
    workspace.init_workspace(outside / "here")
    monkeypatch.chdir(outside / "here")
    monkeypatch.setenv(paths.HOME_ENV, str(home))
    assert paths.project_root() == home
    assert paths.reports_dir() == home / "reports"


def test_cakupan_home_that_is_no_folder_is_one_line_with_the_fix(outside, monkeypatch):
    monkeypatch.setenv(paths.HOME_ENV, str(outside / "missing"))
    with pytest.raises(WorkspaceError, match=r"CAKUPAN_HOME=.*missing is not a folder — "
                                             r"create it with `cakupan init"):
        paths.project_root()


def test_no_workspace_anywhere_says_run_cakupan_init(outside, installed):
    with pytest.raises(WorkspaceError, match=r"no Cakupan workspace in .*elsewhere or its "
                                             r"parents — run `cakupan init DIR`"):
        paths.sample_dir()


def test_an_editable_install_falls_back_to_its_checkout(outside):
    assert paths.source_checkout() == CHECKOUT
    assert paths.project_root() == CHECKOUT


def test_outputs_go_to_the_workspace(outside):
    ws = workspace.init_workspace(outside / "ws")
    (ws / "data" / "x").mkdir()
    for folder in (ws, ws / "data" / "x"):
        os.chdir(folder)
        result = (paths.sample_dir(), paths.cache_dir(), paths.reports_dir())
        expected = (ws / "data" / "sample", ws / "data" / "cache", ws / "reports")
        assert result == expected


# ------------------------------------------------------------- shipped or the workspace's


def test_reference_tables_come_from_the_package_when_the_workspace_has_none(outside):
    ws = workspace.init_workspace(outside / "ws")
    os.chdir(ws)
    assert paths.reference_dir() == CHECKOUT / "data" / "reference"  # the shipped tables
    (ws / "data" / "reference").mkdir()  # an empty folder does not count
    assert paths.reference_dir() == CHECKOUT / "data" / "reference"
    (ws / "data" / "reference" / "regions.csv").write_text("region_code\n", encoding="utf-8")
    assert paths.reference_dir() == ws / "data" / "reference"


def test_notebooks_come_from_the_workspace_else_the_package(outside):
    ws = workspace.init_workspace(outside / "ws")
    os.chdir(ws)
    assert paths.notebooks_dir() == ws / "notebooks"
    shutil.rmtree(ws / "notebooks")
    assert paths.notebooks_dir() == CHECKOUT / "notebooks"


def test_reference_tables_need_no_workspace(outside, installed, monkeypatch, tmp_path):
    shipped = tmp_path / "site" / "helpers" / "_shipped"
    (shipped / "data" / "reference").mkdir(parents=True)
    monkeypatch.setattr(paths, "shipped_dir", lambda: shipped)
    assert paths.reference_dir() == shipped / "data" / "reference"
    assert paths.notebooks_dir() == shipped / "notebooks"


def test_a_wheel_without_its_data_is_one_line(monkeypatch):
    monkeypatch.setattr(paths, "source_checkout", lambda: None)
    # The checkout's helpers/ has no _shipped folder (only wheels have it).
    with pytest.raises(WorkspaceError, match=r"_shipped is missing\) — reinstall Cakupan"):
        paths.shipped_dir()


def test_a_shipped_notebook_is_recorded_inside_the_package():
    notebook = paths.PACKAGE_DIR / "_shipped" / "notebooks" / "regency_report.ipynb"
    assert manifest.relative(notebook, Path("/nowhere")) == (
        "helpers/_shipped/notebooks/regency_report.ipynb")
    assert manifest.relative(CHECKOUT / "notebooks" / "x.ipynb", CHECKOUT) == "notebooks/x.ipynb"


# ----------------------------------------------------------------------- cakupan init


def test_init_makes_notebooks_data_readme_and_the_marker(outside):
    result = workspace.init_workspace(outside / "ws")
    assert result == outside / "ws"
    assert sorted(p.name for p in result.iterdir()) == [
        "README.md", "cakupan.toml", "data", "notebooks"]
    shipped = sorted(p.relative_to(CHECKOUT / "notebooks").as_posix()
                     for p in (CHECKOUT / "notebooks").rglob("*") if p.is_file()
                     and ".ipynb_checkpoints" not in p.parts)
    copied = sorted(p.relative_to(result / "notebooks").as_posix()
                    for p in (result / "notebooks").rglob("*") if p.is_file())
    assert copied == shipped
    assert "parameters/sample.yaml" in copied
    assert (result / "notebooks" / "regency_report.ipynb").read_bytes() == (
        CHECKOUT / "notebooks" / "regency_report.ipynb").read_bytes()
    readme = (result / "README.md").read_text(encoding="utf-8")
    for command in ("cakupan sample --scale 0.01", "cakupan report --region 52.02 --period 2024",
                    "jupyter lab notebooks/", "the reference tables shipped with Cakupan"):
        assert command in readme
    assert not (result / "data" / "reference").exists()
    assert paths.is_workspace(result)


def test_init_reference_copies_every_table_and_the_dictionary(outside):
    result = workspace.init_workspace(outside / "ws", reference=True)
    tables = sorted(p.name for p in (CHECKOUT / "data" / "reference").glob("*.csv"))
    assert sorted(p.name for p in (result / "data" / "reference").glob("*.csv")) == tables
    assert (result / "data" / "reference" / "README.md").read_text(encoding="utf-8").startswith(
        "# Data dictionary")
    assert "your copy of the reference tables" in (result / "README.md").read_text("utf-8")


def test_init_in_an_existing_empty_folder(outside):
    (outside / "ws").mkdir()
    assert paths.is_workspace(workspace.init_workspace(outside / "ws"))


@pytest.mark.parametrize(("prepare", "message"), [
    (lambda f: workspace.init_workspace(f), "is already a Cakupan workspace"),
    (lambda f: workspace.init_workspace(f.parent), "lies inside .*, a Cakupan workspace"),
    (lambda f: f.write_text("x"), "is a file, not a folder"),
    (lambda f: (f / "notebooks").mkdir(parents=True), "already holds notebooks — .*never "
                                                      "overwrites"),
    (lambda f: (f.mkdir(), (f / "README.md").write_text("mine")), "already holds README.md"),
])
def test_init_refuses_what_it_would_overwrite(outside, prepare, message):
    target = outside / "ws"
    prepare(target)
    before = sorted(p.as_posix() for p in outside.rglob("*"))
    with pytest.raises(WorkspaceError, match=message):
        workspace.init_workspace(target)
    assert sorted(p.as_posix() for p in outside.rglob("*")) == before


def test_init_refuses_the_checkout():
    with pytest.raises(WorkspaceError, match="is a Cakupan checkout"):
        workspace.init_workspace(CHECKOUT)


# ------------------------------------------------------------------------ the command


def test_cli_init_says_what_to_type_next(outside, capsys):
    assert main(["init", "ws"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["created the Cakupan workspace ws (notebooks/, data/, README.md)",
                   "next: cd ws && cakupan sample --scale 0.01 && "
                   "cakupan report --region 52.02 --period 2024"]


def test_cli_outside_a_workspace_is_one_line_and_exit_2(outside, installed, capsys):
    assert main(["sample", "--scale", "0.01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("cakupan sample: error: no Cakupan workspace in ")
    assert "run `cakupan init DIR` and cd into DIR" in captured.err
    assert not list(outside.iterdir())  # nothing written


def test_cli_init_of_a_workspace_twice_is_one_line(outside, capsys):
    assert main(["init", "ws"]) == 0
    capsys.readouterr()
    assert main(["init", "ws"]) == 2
    assert "is already a Cakupan workspace" in capsys.readouterr().err


def test_another_project_with_src_helpers_is_no_checkout(tmp_path):
    (tmp_path / "src" / "helpers").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "helpers"\n', encoding="utf-8")
    assert not paths.is_checkout(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "cakupan"\n', encoding="utf-8")
    assert paths.is_checkout(tmp_path)
