"""The publication gate: every published value is checked before anything is written.

:func:`gate` reads a typed report (regency, province or explorer) and returns one
:class:`Finding` per value that cannot be published as it is:

- ``negative_count``: a count of people (or rows, months) below zero;
- ``share_outside_0_1``: a share, rate or coverage below 0 or above 1;
- ``parts_exceed_total`` / ``parts_below_total``: the rows of a breakdown do not add up to
  its total row (rows may add up to more when a person can be in two rows: the table then
  carries the overlap note, and only rows *below* the total fail);
- ``two_values``: one figure with two values (the indicator, the table's total row, the
  trend at the reference date, the budget table, the headline cards, ``indicators.csv``).

A value that is legitimately outside the usual range carries a flag with its reason in
the row (``flag`` column, e.g. ``above_one``, ``registries_exceed_population``): it is
shown with the flag and is not a finding. The report's checks fail on any finding
(:func:`~helpers.report.regency.check_regency`), so the batch lists the report as failed
with the finding, and nothing is published silently wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.report.tables import TOTAL

__all__ = ["COUNT_UNITS", "SHARE_UNITS", "Finding", "gate"]

#: Units of values that can never be negative.
COUNT_UNITS = ("people", "count", "months")
#: Units of values that must lie in 0-1 unless flagged.
SHARE_UNITS = ("fraction",)
#: Count columns of breakdowns whose rows are compared with the total row.
BREAKDOWN_COUNTS = ("members", "active")
#: Indicators checked against the budget table of a regency report.
BUDGET_ITEMS = ("budget_tk_apbd_rp", "budget_tk_dbhcht_rp", "budget_jkn_pemda_rp",
                "budget_share_apbd", "dbhcht_social_security_share")
GAP_ITEMS = ("gap_informal_workers", "gap_cost_informal_rp", "uhc_gap_people",
             "uhc_gap_cost_rp")


@dataclass(frozen=True)
class Finding:
    """One value that fails the gate: where it is, what it is, and why it fails."""

    table: str
    row: str
    column: str
    value: object
    rule: str
    reason: str

    def __str__(self) -> str:
        return f"{self.table} [{self.row}] {self.column} = {self.value}: {self.reason}"


def gate(report) -> list[Finding]:
    """Every unflagged value of ``report`` that cannot be published as it is."""
    findings = []
    for table in report.tables.values():
        findings += _ranges(table)
        findings += _parts_and_total(table)
    if report.kind == "regency":
        findings += _one_value_each(report)
    findings += _published_indicators(report)
    return findings


# =========================================================================== ranges


def _unit_of(table, column: str, row: pd.Series) -> str | None:
    unit = table.units.get(column)
    if unit in ("row", "row_count"):
        row_unit = str(row.get("unit", ""))
        if unit == "row_count":  # numerators and denominators of ratios: counts or Rupiah
            return "count" if row_unit in SHARE_UNITS + COUNT_UNITS else None
        return row_unit
    return unit


def _label(row: pd.Series, index) -> str:
    for key in ("indicator_id", "item", "group", "segment", "occupation", "sex", "age_group",
                "district_code", "category", "vintage", "region_code", "month_end"):
        if key in row.index:
            return str(row[key])
    return str(index)


def _ranges(table) -> list[Finding]:
    findings = []
    frame = table.data
    for index, row in frame.iterrows():
        if str(row.get("flag", "") or "").strip():
            continue  # shown with its flag and reason
        for column in frame.columns:
            unit = _unit_of(table, column, row)
            value = pd.to_numeric(pd.Series([row[column]]), errors="coerce").iloc[0]
            if unit is None or pd.isna(value):
                continue
            if unit in COUNT_UNITS and value < 0:
                findings.append(Finding(table.name, _label(row, index), column, row[column],
                                        "negative_count", "a count below zero"))
            elif unit in SHARE_UNITS and not 0 <= value <= 1 + 1e-9:
                findings.append(Finding(table.name, _label(row, index), column, row[column],
                                        "share_outside_0_1",
                                        "a share outside 0-100 % without a flag"))
    return findings


def _parts_and_total(table) -> list[Finding]:
    frame = table.data
    category = frame.columns[0] if len(frame.columns) else None
    if category is None or not (frame[category] == TOTAL).any():
        return []
    rows = frame[frame[category] != TOTAL]
    total = frame[frame[category] == TOTAL].iloc[0]
    findings = []
    for column in BREAKDOWN_COUNTS:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(rows[column], errors="coerce")
        if values.isna().any() or pd.isna(total[column]):
            continue  # unknown (the registry cannot tell who is active): shown as '–'
        parts, whole = int(values.sum()), int(total[column])
        if parts < whole:
            findings.append(Finding(table.name, TOTAL, column, whole, "parts_below_total",
                                    f"the rows add up to {parts}, below the total {whole}"))
        elif parts > whole and table.note_key != "note.overlap_rows":
            findings.append(Finding(table.name, TOTAL, column, whole, "parts_exceed_total",
                                    f"the rows add up to {parts}, above the total {whole}, "
                                    "and the table does not say people can be in two rows"))
    return findings


# =========================================================================== one value each


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        if pd.isna(a) and pd.isna(b):
            return True
        return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=1e-9))
    except (TypeError, ValueError):
        return str(a) == str(b)


def _one_value_each(report) -> list[Finding]:
    values = report.values
    findings = []

    def compare(table: str, row: str, column: str, shown, indicator_id: str) -> None:
        if not _same(shown, values[indicator_id]):
            findings.append(Finding(table, row, column, shown, "two_values",
                                    f"{indicator_id} is {values[indicator_id]} in the "
                                    f"indicators but {shown} here"))

    for name, members, active in (("tk_by_segment", "tk_members", "tk_active"),
                                  ("jkn_by_segment", "jkn_members", "jkn_active")):
        frame = getattr(report, name).data
        total = frame[frame["segment"] == TOTAL].iloc[0]
        compare(name, TOTAL, "members", total["members"], members)
        compare(name, TOTAL, "active", total["active"], active)
    trend = report.trend.data
    at_date = trend[trend["month_end"] == report.reference_date]
    for column in ("tk_members", "tk_active", "jkn_members", "jkn_active"):
        if len(at_date):
            compare("trend", str(report.reference_date), column, at_date[column].iloc[0],
                    column)
    for table, items in (("budget", BUDGET_ITEMS), ("gaps", GAP_ITEMS)):
        frame = getattr(report, table).data.set_index("item")["value"]
        for item in items:
            compare(table, item, "value", frame[item], item)
    for key in ("tk_active", "tk_coverage", "tk_coverage_informal", "jkn_coverage",
                "jkn_active_rate", "budget_share_apbd", "dbhcht_social_security_share",
                "uhc_gap_people", "uhc_category"):
        compare("headline", key, key, report.headline[key], key)
    return findings


def _published_indicators(report) -> list[Finding]:
    """``indicators.csv`` shows each indicator's value, or a disclosure marker."""
    findings = []
    for row in report.indicators_file.itertuples(index=False):
        if row.indicator_id not in report.values or isinstance(row.value, str) and \
                row.value in ("<5", "x"):
            continue
        if not _same(row.value, report.values[row.indicator_id]):
            findings.append(Finding("indicators.csv", row.indicator_id, "value", row.value,
                                    "two_values", f"{row.indicator_id} is "
                                    f"{report.values[row.indicator_id]} in the report"))
    return findings
