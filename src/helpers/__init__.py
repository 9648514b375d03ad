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
"""

__version__ = "0.1.0"
