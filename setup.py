"""Build hook: the wheel carries the reference tables and notebooks (``helpers/_shipped``).

Everything else about the package is in ``pyproject.toml``. ``data/reference/``,
``data/README.md`` and ``notebooks/`` stay where they are in the checkout (one copy in
git); building a wheel copies them into ``helpers/_shipped/`` with the same layout, where
``helpers.paths`` finds them through ``importlib.resources``. An editable install
(``pip install -e .``, ``make setup``) copies nothing: the package then reads the checkout.
``MANIFEST.in`` puts the same files in the sdist, so ``python -m build`` (sdist, then a
wheel from it) ships them too. ``docs/architecture.md`` "Installing" explains the choice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Checkout paths shipped in the wheel, relative to the root; the same paths under
#: ``helpers/_shipped`` (``helpers.paths.SHIPPED_FOLDER``).
SHIPPED = ("data/reference", "data/README.md", "notebooks")
SHIPPED_FOLDER = Path("helpers") / "_shipped"


def _wanted(path: Path) -> bool:
    """Files to ship: no hidden files or folders (checkpoints), no bytecode."""
    return not any(part.startswith(".") or part == "__pycache__" for part in path.parts)


class BuildPyWithShippedData(build_py):
    """``build_py`` that also copies the checkout's reference tables and notebooks."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own files
        target = Path(self.build_lib) / SHIPPED_FOLDER
        if target.exists():
            shutil.rmtree(target)  # no file left over from an earlier build
        for name in SHIPPED:
            source = ROOT / name
            if not source.exists():
                raise FileNotFoundError(f"{source}: missing; the wheel must ship it")
            files = [source] if source.is_file() else sorted(
                path for path in source.rglob("*")
                if path.is_file() and _wanted(path.relative_to(source)))
            for path in files:
                destination = target / path.relative_to(ROOT)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)


setup(cmdclass={"build_py": BuildPyWithShippedData})
