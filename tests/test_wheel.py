"""The wheel works anywhere: built, installed into a fresh venv outside the checkout, used
from an empty folder (``cakupan init``, ``sample``, ``report``).

Slow (about 1-2 minutes: the venv installs the wheel's dependencies with pip, from its
cache or PyPI) and starts a kernel, so it is not in ``make test-fast``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.kernel]

CHECKOUT = Path(__file__).resolve().parents[1]
#: Environment variables that could point the new venv back at the checkout.
DROPPED = ("PYTHONPATH", "VIRTUAL_ENV", "CAKUPAN_HOME", "PYTHONHOME", "PYTHONSTARTUP")


def run(command: list[str], cwd: Path, env: dict, timeout: float = 600):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel --no-deps`` of the checkout, into a temporary folder."""
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                             str(CHECKOUT), "-w", str(dist)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    (found,) = dist.glob("cakupan-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> tuple[Path, dict, float]:
    """A fresh venv outside the checkout with the wheel (and its dependencies) installed:
    (folder, environment for its commands, seconds the install took)."""
    root = tmp_path_factory.mktemp("installed")
    folder = root / "venv"
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env |= {"PATH": f"{folder / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "JUPYTER_DATA_DIR": str(root / "jupyter"),  # no user-level kernel of another env
            "XDG_CONFIG_HOME": str(root / "config"),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    started = time.perf_counter()
    result = run([sys.executable, "-m", "venv", str(folder)], root, env)
    assert result.returncode == 0, result.stderr
    result = run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                  str(wheel)], root, env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    seconds = time.perf_counter() - started
    print(f"\nvenv + pip install of the wheel with its dependencies: {seconds:.0f} s")
    return folder, env, seconds


def test_the_wheel_ships_licence_reference_tables_notebooks_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "cakupan-0.1.0.dist-info/licenses/LICENSE",
        "cakupan-0.1.0.dist-info/licenses/NOTICE",
        "helpers/report/translations.csv",
        "helpers/data/aliases.csv",
        "helpers/_shipped/data/README.md",
        *(f"helpers/_shipped/data/reference/{p.name}"
          for p in (CHECKOUT / "data" / "reference").glob("*.csv")),
        *(f"helpers/_shipped/notebooks/{p.relative_to(CHECKOUT / 'notebooks').as_posix()}"
          for p in (CHECKOUT / "notebooks").rglob("*")
          if p.is_file() and ".ipynb_checkpoints" not in p.parts),
    }
    assert expected - names == set()
    assert "helpers/_shipped/notebooks/regency_report.ipynb" in names
    assert "helpers/_shipped/notebooks/parameters/sample.yaml" in names
    assert not [name for name in names if "__pycache__" in name or "/." in name]


def test_installed_package_is_the_wheel_not_the_checkout(venv, tmp_path):
    folder, env, _ = venv
    result = run([str(folder / "bin" / "python"), "-c",
                  "import helpers, helpers.paths as p; print(helpers.__file__); "
                  "print(p.source_checkout()); print(p.reference_dir())"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    module, checkout, reference = result.stdout.splitlines()
    assert Path(module).is_relative_to(folder)
    assert checkout == "None"
    assert Path(reference).is_relative_to(folder) and reference.endswith(
        "helpers/_shipped/data/reference")


def test_init_sample_report_from_an_empty_folder(venv, tmp_path):
    folder, env, install_seconds = venv
    cakupan = str(folder / "bin" / "cakupan")
    outside = run([cakupan, "sample", "--scale", "0.01"], tmp_path, env)
    assert outside.returncode == 2
    assert outside.stderr.splitlines() == [
        f"cakupan sample: error: no Cakupan workspace in {tmp_path.resolve()} or its parents "
        "— run `cakupan init DIR` and cd into DIR, or set CAKUPAN_HOME to a workspace"]

    started = time.perf_counter()
    result = run([cakupan, "init", "ws"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created the Cakupan workspace ws")
    assert "registered the Jupyter kernel 'cakupan'" in result.stderr
    ws = tmp_path / "ws"
    result = run([cakupan, "sample", "--scale", "0.01"], ws, env)
    assert result.returncode == 0, result.stderr
    result = run([cakupan, "report", "--region", "52.02", "--period", "2024", "--no-progress"],
                 ws, env)
    assert result.returncode == 0, result.stderr
    seconds = time.perf_counter() - started
    print(f"\ninit + sample + report in the installed venv: {seconds:.0f} s "
          f"(install {install_seconds:.0f} s)")

    kernel = json.loads((folder / "share" / "jupyter" / "kernels" / "cakupan" / "kernel.json")
                        .read_text())
    assert Path(kernel["argv"][0]).is_relative_to(folder)
    landing = Path(result.stdout.strip().splitlines()[-1])
    assert landing.resolve() == (ws / "reports" / "index.html").resolve()
    report = ws / "reports" / "2024" / "52.02"
    for name in ("index.html", "indicators.csv", "tables/tk_by_segment.csv", "tables.xlsx",
                 "report.ipynb"):
        assert (report / name).stat().st_size > 0, name
    assert len(list((report / "tables").glob("*.csv"))) >= 10
    assert sorted(p.name for p in (ws / "data" / "sample").glob("*.parquet")) == [
        "jamsostek.parquet", "jkn.parquet"]
    assert (ws / "data" / "cache").is_dir()
    recorded = json.loads((report / "report.ipynb").read_text())["metadata"]["papermill"]
    assert recorded["input_path"] == "notebooks/regency_report.ipynb"  # the workspace's copy


def test_a_helpers_clash_fails_loudly(venv, tmp_path):
    folder, env, _ = venv
    (site,) = folder.glob("lib/python*/site-packages")
    other = site / "helpers-9.9.dist-info"
    other.mkdir()
    try:
        (other / "METADATA").write_text("Metadata-Version: 2.1\nName: helpers\nVersion: 9.9\n")
        (other / "RECORD").write_text("helpers/__init__.py,,\nhelpers-9.9.dist-info/RECORD,,\n")
        result = run([str(folder / "bin" / "python"), "-c", "import helpers"], tmp_path, env)
    finally:
        for path in other.iterdir():
            path.unlink()
        other.rmdir()
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the 'helpers' package at ")
    assert "PyPI's 'helpers' distribution is installed in the same folder" in last
    assert "helpers, cakupan" in last or "cakupan, helpers" in last
