"""Budget scenarios: the cost of covering a target group, and of reaching a UHC category."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.report.regency import RegencyReport
from helpers.report.tables import Check, ReportTable, publishable, raise_on_failure, ratio_or_nan

__all__ = ["SCENARIO_GROUPS", "budget_scenario", "check_scenario", "uhc_scenario"]

#: Groups the budget scenario explorer can cover, and where their size comes from.
SCENARIO_GROUPS = ("informal", "fisher", "tobacco_farmer", "non_asn_staff")


def budget_scenario(report: RegencyReport, target_group: str = "informal",
                    cover_share: float | None = None, *, people: int | None = None,
                    monthly_rate_rp: int | None = None) -> dict:
    """Cost of covering a share, or a number, of an uncovered group, from a regency report.

    Args:
        report: from :func:`regency_report` (its labour denominator and grace months set
            the uncovered informal workers).
        target_group: 'informal' (informal workers without active BPU), 'fisher',
            'tobacco_farmer' or 'non_asn_staff' (target group size minus active people of
            that occupation, whoever pays).
        cover_share: share 0-1 of the uncovered people to cover; default 0.5 when
            ``people`` is not given either.
        people: instead of ``cover_share``, a headcount to cover (whole people, at most
            the uncovered people); ``cover_share`` is then people / uncovered.
        monthly_rate_rp: Rupiah per person per month; None = the BPU minimum JKK + JKM in
            force at D (Rp16.800 in 2024).

    Returns:
        dict: ``uncovered`` people, ``people`` to cover, ``cover_share``,
        ``monthly_rate_rp``, ``annual_cost_rp``, ``share_apbd``, ``share_dbhcht``,
        ``share_dbhcht_welfare`` (fractions 0-1; NaN when the budget figure is missing) and
        ``sensitivity`` (a frame for cover shares 10 %..100 %).

    Raises:
        ParameterError: unknown group, share outside 0-1, both or a bad ``people``,
            negative rate.
    """

    if target_group not in SCENARIO_GROUPS:
        raise ParameterError(f"unknown target_group '{target_group}'",
                             fix="use one of " + ", ".join(SCENARIO_GROUPS))
    if people is not None and cover_share is not None:
        raise ParameterError("both cover_share and people given",
                             fix="give a share 0-1 (cover_share=0.5) or a headcount "
                                 "(people=5000), not both")
    if people is not None and (isinstance(people, bool) or not isinstance(
            people, (int, np.integer)) or people < 0):
        raise ParameterError(f"people {people!r} is not a whole number of people, 0 or more",
                             fix="e.g. people=5000")
    if cover_share is None:
        cover_share = 0.5
    if isinstance(cover_share, bool) or not 0 <= float(cover_share) <= 1:
        raise ParameterError(f"cover_share {cover_share!r} is not a share 0-1",
                             fix="e.g. 0.5 for half of the uncovered people")
    if monthly_rate_rp is not None and monthly_rate_rp < 0:
        raise ParameterError(f"monthly_rate_rp {monthly_rate_rp} is negative",
                             fix="give Rupiah per person per month, or 0 for the BPU minimum")
    rate = (reference.bpu_minimum_monthly_rp(report.reference_date)
            if not monthly_rate_rp else int(monthly_rate_rp))
    uncovered, target = _uncovered(report, target_group)
    budget = report.budget_reference
    if people is not None and people > uncovered:
        raise ParameterError(f"people {people} is more than the {uncovered} uncovered "
                             f"({target_group}) in {report.region_code}",
                             fix=f"give at most {uncovered}")

    def cost_row(share: float, headcount: int | None = None) -> dict:
        covered = (int(math.floor(uncovered * share + 1e-9)) if headcount is None
                   else int(headcount))
        cost = covered * rate * 12
        return {"cover_share": share, "people": covered, "annual_cost_rp": cost,
                "share_apbd": ratio_or_nan(cost, budget.get("apbd_total_rp")),
                "share_dbhcht": ratio_or_nan(cost, budget.get("dbhcht_received_rp")),
                "share_dbhcht_welfare": ratio_or_nan(cost, budget.get("dbhcht_welfare_rp"))}

    chosen = (cost_row(float(cover_share)) if people is None
              else cost_row(people / uncovered if uncovered else 0.0, people))
    sensitivity = pd.DataFrame([cost_row(s / 10) for s in range(1, 11)])
    return {"target_group": target_group, "target_count": target, "uncovered": uncovered,
            "monthly_rate_rp": rate, **chosen,
            "table": ReportTable("scenario_sensitivity", "table.scenario_sensitivity",
                                 sensitivity, publishable(sensitivity),
                                 units={"cover_share": "fraction", "people": "people",
                                        "annual_cost_rp": "rupiah", "share_apbd": "fraction",
                                        "share_dbhcht": "fraction",
                                        "share_dbhcht_welfare": "fraction"})}


def _uncovered(report: RegencyReport, target_group: str) -> tuple[int, int | None]:
    values = report.values
    if target_group == "informal":
        return max(0, int(values["gap_informal_workers"])), None
    targets = report.target_groups
    if target_group not in targets.index:
        raise ParameterError(f"no target group size for '{target_group}' in "
                             f"{report.region_code}",
                             path="data/reference/target_groups.csv",
                             fix="add the row or choose another group")
    people = report.programme_people
    active = int(people.loc[people["occupation"] == target_group, "active"].sum())
    target = int(targets[target_group])
    return max(0, target - active), target


def uhc_scenario(report: RegencyReport, category: str = "madya") -> pd.DataFrame:
    """People and annual cost to reach a UHC category, with shares of APBD and DBHCHT.

    Args:
        report: from :func:`regency_report`.
        category: a category of thresholds.csv ('pratama', 'madya', 'utama', ...), in any
            case ('Madya' = 'madya').

    Raises:
        ParameterError: the category is not in thresholds.csv for that year.
    """
    category = str(category).strip().lower()
    distance = report.uhc_distance.data
    rows = distance[distance["category"] == category].copy()
    if rows.empty:
        raise ParameterError(f"unknown UHC category '{category}'",
                             fix="use one of " + ", ".join(sorted(set(distance["category"]))))
    budget = report.budget_reference
    rows["share_apbd"] = [ratio_or_nan(c, budget.get("apbd_total_rp"))
                          for c in rows["annual_cost_rp"]]
    rows["share_dbhcht"] = [ratio_or_nan(c, budget.get("dbhcht_received_rp"))
                            for c in rows["annual_cost_rp"]]
    return rows.reset_index(drop=True)


def check_scenario(scenario: dict) -> list[Check]:
    """Checks of a budget scenario; raise when any fails."""
    checks = [
        Check("people_within_uncovered", 0 <= scenario["people"] <= scenario["uncovered"]),
        Check("cost_is_people_times_rate",
              scenario["annual_cost_rp"] == scenario["people"] * scenario["monthly_rate_rp"] * 12),
        Check("sensitivity_increases", bool(
            pd.Series(scenario["table"].data["annual_cost_rp"]).is_monotonic_increasing)),
    ]
    return raise_on_failure(checks, scenario["target_group"])
