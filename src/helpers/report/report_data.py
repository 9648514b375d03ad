"""What the notebooks call: registries in, the report's frames and values out (aggregates only).

The notebooks narrate and present; every number they show comes from the modules
re-exported here, computed by :mod:`helpers.measures.indicators` (one definition per
indicator) and :mod:`helpers.measures.scorecard`; every published table passes through
:func:`~helpers.report.tables.publishable` (the disclosure rule).

- :mod:`~helpers.report.parameters`: period, region, the explorer's date, indicator parameters;
- :mod:`~helpers.report.registries`: the registries of a data folder through the intake;
- :mod:`~helpers.report.tables`: published tables and report checks;
- :mod:`~helpers.report.bundle`: every aggregate of a province in one pass, cached;
- :mod:`~helpers.report.regency`, :mod:`~helpers.report.province`,
  :mod:`~helpers.report.explorer`, :mod:`~helpers.report.scenarios`: the report builders.

Usage (a notebook's Derive, Load inputs and Compute cells)::

    params = report_data.ReportParameters.build("52.02", "2024", lang="en")  # checked once
    registries = report_data.load_registries(params.data_dir, engine=params.engine)
    report = report_data.regency_report(registries, params)
    report.tk_by_segment.data        # the numbers, for analysis
    report.tk_by_segment.published   # what readers get (disclosure rule applied)

Speed. All regions of a province are computed in one pass per query and kept as a
*province bundle* (aggregates only, no person-level rows) in ``data/cache/reports/``,
keyed by the registries' checksums, the parameters, and the code and reference tables
that produce it. The runner computes the bundle once in the parent process; the ten
regency notebooks and the overview then read it (milliseconds) instead of re-running the
same queries. A notebook run on its own computes the bundle itself, so "Run All" in
JupyterLab works without the runner.

Units: people are counts of distinct pseudonymised persons; money is whole Rupiah
(``_rp``); ``_share``, ``_coverage``, ``_rate`` are fractions 0-1.
"""

from __future__ import annotations

from helpers.report.bundle import province_bundle
from helpers.report.explorer import ExplorerReport, check_explorer, explore_coverage
from helpers.report.parameters import (
    ReportParameters,
    check_period,
    check_region,
    data_years,
    explorer_date,
    make_parameters,
    province_of,
)
from helpers.report.province import (
    ProvinceReport,
    build_province,
    check_province,
    province_overview,
)
from helpers.report.regency import (
    RegencyReport,
    build_regency,
    check_regency,
    headline_line,
    regency_report,
)
from helpers.report.registries import REGISTRY_FILES, Registries, load_registries, resolve_data_dir
from helpers.report.scenarios import SCENARIO_GROUPS, budget_scenario, check_scenario, uhc_scenario
from helpers.report.tables import (
    TOTAL,
    Check,
    ReportTable,
    disclosure_rule,
    publishable,
    publishable_indicators,
)

__all__ = [
    "REGISTRY_FILES", "SCENARIO_GROUPS", "TOTAL", "Check", "ExplorerReport", "ProvinceReport",
    "RegencyReport", "Registries", "ReportParameters", "ReportTable", "budget_scenario",
    "build_province", "build_regency", "check_explorer", "check_period", "check_province",
    "check_region", "check_regency", "check_scenario", "data_years", "disclosure_rule",
    "explore_coverage", "explorer_date", "headline_line", "load_registries", "make_parameters",
    "province_bundle", "province_of", "province_overview", "publishable",
    "publishable_indicators", "regency_report", "resolve_data_dir", "uhc_scenario",
]
