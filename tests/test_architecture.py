"""The package's shape: one subpackage per stage, imports pointing down the data flow only.

``helpers.data`` → ``helpers.measures`` → ``helpers.report`` → ``helpers.batch`` →
``helpers.cli`` (STYLE.md item 15, ``docs/architecture.md``). ``errors``, ``paths`` and
``locking`` serve every stage and import none. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "helpers"
#: Stages in data-flow order; a module may import its own stage and those before it.
STAGES = ("common", "data", "measures", "report", "batch", "cli")
COMMON = {"errors", "paths", "locking"}


def stage_of(module: str) -> str:
    """'helpers.report.plots' → 'report'; 'helpers.errors' → 'common'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "common"  # the package itself (__version__)
    if parts[1] in COMMON:
        return "common"
    if parts[1] == "cli":
        return "cli"
    assert parts[1] in STAGES, f"{module} is in no stage"
    return parts[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imported(path: Path) -> set[str]:
    """Every ``helpers`` module a file imports (``from helpers.x import y`` gives
    ``helpers.x.y`` when that is a module, else ``helpers.x``)."""
    known = modules()
    result = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            result |= {alias.name for alias in node.names if alias.name.startswith("helpers")}
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("helpers"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                result.add(candidate if candidate in known else node.module)
    return result


MODULES = modules()


def test_every_module_lives_in_a_stage_folder():
    flat = [name for name in MODULES if name.count(".") == 1
            and name.split(".")[1] not in COMMON | {"cli", *STAGES}]
    assert flat == [], "put each module in helpers/data, measures, report or batch"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_data_flow(name):
    own = STAGES.index(stage_of(name))
    upward = sorted(target for target in imported(MODULES[name])
                    if STAGES.index(stage_of(target)) > own)
    assert upward == [], f"{name} ({STAGES[own]}) imports a later stage"


def test_no_two_modules_import_each_other():
    edges = {name: imported(path) - {name} for name, path in MODULES.items()}
    pairs = sorted((a, b) for a, targets in edges.items() for b in targets
                   if a < b and a in edges.get(b, set()))
    assert pairs == []


#: About 600 lines a module, one concern each (issue 13). Modules still over it, to split.
MAX_MODULE_LINES = 600
OVER_LIMIT_TO_SPLIT = {"helpers.data.reference", "helpers.data.sample"}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("helpers.data")))
def test_every_data_module_says_what_it_exports(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    exported = [node for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                and any(getattr(target, "id", None) == "__all__"
                        for target in getattr(node, "targets", [getattr(node, "target", None)]))]
    assert exported, f"{name} has no __all__"
    module = __import__(name, fromlist=["__all__"])
    missing = [item for item in module.__all__ if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names what it does not define"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("helpers.data")))
def test_data_modules_stay_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    if name in OVER_LIMIT_TO_SPLIT:
        pytest.skip(f"{name}: {lines} lines, still to split (docs/architecture.md)")
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines; split it along its concerns"
