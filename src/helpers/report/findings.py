"""What a regency report's first screen says: UHC status and why, change, key findings.

Everything here is computed from a :class:`~helpers.report.regency.RegencyReport`'s raw
numbers; :mod:`helpers.report.present` formats and translates it. No new number is
invented: the UHC reasons come from the thresholds of the year and the report's own
``uhc_distance`` table, the change from its trend, the costs from its budget values.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from helpers.measures.indicators import CATEGORY_ORDER

__all__ = ["UhcStatus", "change_since_last_year", "uhc_status"]

#: Thresholds of a UHC category and the indicator each one is compared with.
CRITERIA = (("min_coverage", "jkn_coverage"), ("min_active_rate", "jkn_active_rate"),
            ("min_pemda_share", "jkn_pemda_share"))


class UhcStatus(dict):
    """``category`` reached ('none' when not even UHC), ``target`` (the next category),
    ``missing`` ([(indicator id, value, threshold)] the target fails), and the cheapest
    way there: ``people`` (to enrol, register or reactivate), ``cost_rp`` a year,
    ``share_apbd``."""


def uhc_status(report) -> UhcStatus:
    """The region's UHC status, and for the next category what is missing and its cost.

    The next category is 'uhc' when the region is not UHC yet, else the next of
    pratama → madya → utama. Of its variants (a, b) the cheapest one is taken.
    """
    values = report.values
    reached = str(values["uhc_category"])
    order = ["none", "uhc", *reversed(CATEGORY_ORDER)]  # none, uhc, pratama, madya, utama
    distance = report.uhc_distance.data
    target = next((c for c in order[order.index(reached) + 1:]
                   if c in set(distance["category"])), None) if reached in order else None
    result = UhcStatus(category=reached, target=target, missing=[], people=0, cost_rp=0,
                       share_apbd=float("nan"))
    if target is None:
        return result
    rows = distance[distance["category"] == target].copy()
    rows["people"] = (rows["people_to_enrol"] + rows["people_to_register_by_pemda"]
                      + rows["people_to_reactivate"])
    cheapest = rows.sort_values(["annual_cost_rp", "variant"]).iloc[0]
    thresholds = report.params.thresholds
    rule = thresholds[(thresholds["category"] == target)
                      & (thresholds["variant"] == cheapest["variant"])].iloc[0]
    for column, indicator_id in CRITERIA:
        threshold = rule[column]
        value = values.get(indicator_id)
        if pd.notna(threshold) and (value is None or pd.isna(value) or value < threshold):
            result["missing"].append((indicator_id, value, float(threshold)))
    apbd = report.budget_reference.get("apbd_total_rp")
    result.update(people=int(cheapest["people"]), cost_rp=int(cheapest["annual_cost_rp"]),
                  share_apbd=cheapest["annual_cost_rp"] / apbd if apbd else float("nan"))
    return result


def change_since_last_year(report) -> dict[str, float]:
    """Coverage at D minus coverage twelve months earlier, in fractions (0.012 = +1.2
    points), for ``tk_coverage`` and ``jkn_coverage``; NaN when the trend has no such month.
    """
    trend = report.trend.data
    day = report.reference_date
    year_before = _month_end(day.year - 1, day.month)
    now = trend[trend["month_end"] == day]
    before = trend[trend["month_end"] == year_before]
    result = {}
    for column in ("tk_coverage", "jkn_coverage"):
        if len(now) and len(before):
            result[column] = float(now[column].iloc[0]) - float(before[column].iloc[0])
        else:
            result[column] = math.nan
    return result


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
