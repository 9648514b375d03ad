"""environment.yml (conda) and pyproject.toml (pip) list the same packages and bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _requirement(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(pyproject["dependencies"])
    for extra in pyproject["optional-dependencies"].values():
        specs += extra
    expected = dict(_requirement(s) for s in specs)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _requirement(d) for d in environment["dependencies"]
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    )
    assert conda == expected
