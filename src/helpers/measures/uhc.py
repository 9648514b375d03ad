"""UHC: the category a region reaches, and the people and Rupiah to reach each category.

The thresholds (``thresholds.csv``: minimum coverage, active rate and Pemda share per
category and variant) come from the reference tables; ``indicators.compute_indicators``
and the reports call these functions with a region's JKN counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["CATEGORY_ORDER", "ratio", "uhc_category", "uhc_distance"]

#: UHC categories from the highest down.
CATEGORY_ORDER = ("utama", "madya", "pratama")


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator; NaN when the denominator is zero or missing."""
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return float("nan")
    return float(numerator) / float(denominator)


def uhc_category(coverage: float, active_rate: float, pemda_share: float,
                 thresholds: pd.DataFrame, *, active_known: bool = True) -> str:
    """Highest category (utama > madya > pratama) whose minima are all met, else 'none'.

    A category with several variants (rows) is met when any one variant is met. When the
    registry cannot tell who is active (``active_known`` false), a region that meets a
    category's other minima is 'unknown', not 'none': its active rate is not 0.
    """
    for category in CATEGORY_ORDER:
        for row in thresholds[thresholds["category"] == category].itertuples(index=False):
            if _meets(row, coverage, active_rate, pemda_share):
                return category
    if not active_known:
        other_minima = thresholds.assign(min_active_rate=np.nan)
        if any(_meets(row, coverage, np.nan, pemda_share)
               for row in other_minima.itertuples(index=False)):
            return "unknown"
    return "none"


def _meets(row, coverage: float, active_rate: float, pemda_share: float) -> bool:
    checks = [(row.min_coverage, coverage), (row.min_active_rate, active_rate),
              (row.min_pemda_share, pemda_share)]
    return all(pd.isna(minimum) or (not pd.isna(value) and value >= minimum)
               for minimum, value in checks)


def uhc_distance(jkn_row: pd.Series, population: int, thresholds: pd.DataFrame,
                 unit_cost_rp: int) -> pd.DataFrame:
    """People and Rupiah needed to reach each UHC category (and variant), with the
    variant's minima (so a reader sees what each row requires).

    People to enrol = max(0, ⌈min_coverage × population⌉ − members), and for the Pemda
    share max(0, ⌈min_pemda_share × population⌉ − Pemda members); people to reactivate =
    max(0, ⌈min_active_rate × members_after⌉ − active). The cost is a year of the regional
    PBPU_PEMDA contribution for every person enrolled, registered or reactivated by the
    Pemda. When ``jkn_active`` is NaN (the registry cannot tell who is active), people to
    reactivate, whether a category with an active minimum is met, and its cost are NaN.
    """
    members, pemda = int(jkn_row["jkn_members"]), int(jkn_row["jkn_pemda_members"])
    # NaN when the registry cannot tell who is active: reactivation needs are unknown too.
    active = None if pd.isna(jkn_row["jkn_active"]) else int(jkn_row["jkn_active"])
    rows = []
    for row in thresholds.itertuples(index=False):
        enrol = 0 if pd.isna(row.min_coverage) else max(
            0, math.ceil(row.min_coverage * population - 1e-9) - members)
        pemda_register = 0 if pd.isna(row.min_pemda_share) else max(
            0, math.ceil(row.min_pemda_share * population - 1e-9) - pemda - enrol)
        after = members + enrol
        if pd.isna(row.min_active_rate):
            reactivate = 0
        elif active is None:
            reactivate = np.nan
        else:
            reactivate = max(0, math.ceil(row.min_active_rate * after - 1e-9) - (active + enrol))
        people = enrol + pemda_register + reactivate
        met = _meets(row, ratio(members, population),
                     np.nan if active is None else ratio(active, members),
                     ratio(pemda, population))
        rows.append({
            "category": row.category, "variant": row.variant,
            "min_coverage": row.min_coverage, "min_active_rate": row.min_active_rate,
            "min_pemda_share": row.min_pemda_share,
            "met": np.nan if active is None and not met and not pd.isna(row.min_active_rate)
            else met,
            "people_to_enrol": enrol, "people_to_register_by_pemda": pemda_register,
            "people_to_reactivate": reactivate,
            "annual_cost_rp": np.nan if pd.isna(people) else int(people * unit_cost_rp * 12),
        })
    return pd.DataFrame(rows)
