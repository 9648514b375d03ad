"""Cakupan helpers: shared logic for social-security coverage and budget analysis.

One subpackage per stage of the data flow; imports point down this list only
(``tests/test_architecture.py`` checks it):

- ``helpers.data``: registries and reference tables in: ``schema``, ``nik``,
  ``pseudonym``, ``readers``, ``reference``, ``sample``, ``intake``;
- ``helpers.measures``: ``definitions`` and ``indicators`` (one definition per
  indicator), ``engines`` (DuckDB, Spark), ``disclosure``, ``scorecard``;
- ``helpers.report``: what a report shows: ``report_data`` (the report builders),
  ``bundle_cache``, ``outputs`` (CSV and workbook files), ``formatting``, ``plots``,
  ``i18n``, ``methodology``;
- ``helpers.batch``: rendering many reports: ``runner``, ``worker``, ``publish``,
  ``manifest``, ``export`` (HTML), ``pdf``, ``audit``;
- ``helpers.cli``: the ``cakupan`` command.

``errors``, ``paths`` and ``locking`` serve every stage. Notebooks only narrate and call
these modules (``docs/architecture.md``).

The import name ``helpers`` is generic (PyPI has a ``helpers`` project): importing it checks
that this package is Cakupan's — a checkout, or the files of the installed ``cakupan``
distribution — and raises ``ImportError`` naming the clash otherwise
(``docs/architecture.md``, "The import name").
"""

__version__ = "0.1.0"
#: Marks Cakupan's ``helpers/__init__.py`` (``helpers.paths`` checks it is the one loaded).
IS_CAKUPAN = True


def _check_origin() -> None:
    """Raise ``ImportError`` when this ``helpers`` is not Cakupan's, or shares its folder.

    A checkout (``src/helpers`` beside ``pyproject.toml``: editable install or
    ``PYTHONPATH=src``) costs two ``stat`` calls; an installed package reads the
    ``cakupan`` distribution's file list (a few milliseconds).
    """
    from pathlib import Path

    here = Path(__file__).resolve()
    source = here.parent.parent
    if source.name == "src" and (source.parent / "pyproject.toml").is_file():
        return
    from importlib import metadata

    try:
        distribution = metadata.distribution("cakupan")
    except metadata.PackageNotFoundError:
        problem = "no 'cakupan' distribution is installed"
    else:
        owned = [Path(distribution.locate_file(name)).resolve()
                 for name in distribution.files or [] if name.as_posix() == "helpers/__init__.py"]
        editable = '"editable": true' in (distribution.read_text("direct_url.json") or "")
        if here not in owned and not editable:
            problem = "the installed 'cakupan' distribution does not own it"
        else:
            try:
                other = metadata.distribution("helpers")
            except metadata.PackageNotFoundError:
                return
            if not any(Path(other.locate_file(name)).resolve().parent == here.parent
                       for name in other.files or [] if name.parts[0] == "helpers"):
                return  # installed elsewhere: this package is the one imported
            problem = "PyPI's 'helpers' distribution is installed in the same folder"
    owners = sorted(metadata.packages_distributions().get("helpers", []))
    raise ImportError(
        f"the 'helpers' package at {here.parent} is not Cakupan's ({problem}; distributions "
        f"installing a 'helpers' package here: {', '.join(owners) or 'none'}). Cakupan's "
        "import name clashes with another package: use a separate environment for Cakupan, "
        "or `pip uninstall helpers` and then `pip install --force-reinstall cakupan`.")


_check_origin()
