"""environment.yml (conda) and pyproject.toml (pip) list the same packages and bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: conda-forge names of PyPI packages that differ (conda-forge's own name mapping):
#: on conda-forge ``playwright`` is the Node.js tool; the Python library is
#: ``playwright-python``.
CONDA_FORGE_NAMES = {"playwright": "playwright-python"}


def _requirement(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(pyproject["dependencies"])
    for extra in pyproject["optional-dependencies"].values():
        specs += extra
    expected = {CONDA_FORGE_NAMES.get(name, name): bound
                for name, bound in map(_requirement, specs)}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _requirement(d) for d in environment["dependencies"]
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    )
    assert conda == expected


def test_conda_names_are_conda_forge_names():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {_requirement(d)[0] for d in environment["dependencies"] if isinstance(d, str)}
    for pypi_name, conda_name in CONDA_FORGE_NAMES.items():
        assert conda_name in names and pypi_name not in names, pypi_name
