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


# =========================================================================== module shape

#: Longest module, in lines: past this a module holds more than one concern (issue 13).
MAX_LINES = 600
#: Modules still without ``__all__`` (their owners add it; empty this set as they do).
TODO_ALL: set[str] = set()
#: Modules still over MAX_LINES (their owners split them; empty this set as they do).
TODO_LENGTH: set[str] = set()
#: A package's ``__init__`` only says what its stage is; its public names are its modules.
PLAIN_MODULES = sorted(name for name, path in MODULES.items() if path.name != "__init__.py")


def expected_failures(names, todo: set[str], reason: str) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(reason=reason)) if name in todo
            else name for name in names]


def public_names(path: Path) -> tuple[list[str] | None, set[str]]:
    """A module's ``__all__`` (None when it has none) and every name bound at its top."""
    listed, bound = None, set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound.add(name.id)
                if isinstance(target, ast.Name) and target.id == "__all__":
                    listed = ast.literal_eval(node.value)
    return listed, bound


@pytest.mark.parametrize("name", expected_failures(PLAIN_MODULES, TODO_ALL,
                                                   "TODO_ALL: no __all__ yet"))
def test_every_module_lists_its_public_names(name):
    listed, bound = public_names(MODULES[name])
    assert listed is not None, f"{name} has no __all__"
    assert len(listed) == len(set(listed)), f"{name}.__all__ repeats a name"
    assert sorted(set(listed) - bound) == [], f"{name}.__all__ names what it does not define"


@pytest.mark.parametrize("name", expected_failures(sorted(MODULES), TODO_LENGTH,
                                                   f"TODO_LENGTH: over {MAX_LINES} lines"))
def test_no_module_is_longer_than_600_lines(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by concern"


def test_the_todo_sets_name_modules_that_exist():
    assert sorted((TODO_ALL | TODO_LENGTH) - set(MODULES)) == []
