"""Kecamatan coverage rates: BPJS TK active people per kecamatan over its working-age population.

The registries give counts per kecamatan (``district_code``); ``data/reference/
district_labour.csv`` gives each kecamatan's residents aged 15+ and BPJS TK potential
workforce (estimates, Derivation D1 in ``data/README.md``). Joined on ``district_code``,
they give rates, so a kecamatan table or map compares places of different size.

Two rates, both fractions 0-1:

- ``tk_coverage_working_age`` = active ÷ residents aged 15+ (the issue's definition; lower
  than the headline coverage because the denominator is larger);
- ``tk_coverage_potential`` = active ÷ potential workforce (the same denominator family as
  the headline ``tk_coverage`` with ``bpjs_potential``; the kecamatan rows average to it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import ParameterError

__all__ = ["RATE_COLUMNS", "TOTAL", "UNKNOWN", "district_coverage_rates"]

#: Label of the row of people whose registry row has no (known) kecamatan.
UNKNOWN = "unknown"
TOTAL = "total"
RATE_COLUMNS = ("tk_coverage_working_age", "tk_coverage_potential")


def district_coverage_rates(breakdown: pd.DataFrame, region_code: str, year: int
                            ) -> pd.DataFrame:
    """Members, active people and coverage rates of every kecamatan of a kab/kota.

    Args:
        breakdown: counts by kecamatan: ``region_code``, ``district_code``, ``members``,
            ``active`` (people), e.g. ``bundle["tk_breakdowns"]["district_code"]`` or
            :func:`helpers.measures.indicators.breakdown` with ``by="district_code"``.
            Other regions' rows are ignored.
        region_code: the kab/kota, e.g. '52.02'.
        year: the year of the reference date (selects the denominators).

    Returns:
        One row per kecamatan of ``districts.csv`` (zero when nobody is registered there),
        then an ``unknown`` row when some people have no known kecamatan, then a ``total``
        row: ``district_code``, ``district_name``, ``members``, ``active``,
        ``working_age_count``, ``potential_workforce_count``, ``tk_coverage_working_age``,
        ``tk_coverage_potential`` (fractions 0-1), ``denominator_status`` ('estimate'),
        ``flag`` ('above_one' when a rate exceeds 1: shown, not clipped).

    Raises:
        ParameterError: ``breakdown`` lacks a column, or has a kecamatan twice.
        ReferenceDataError: no kecamatan labour rows for that region or year.
    """
    missing = {"region_code", "district_code", "members", "active"} - set(breakdown.columns)
    if missing:
        raise ParameterError(f"the kecamatan breakdown lacks {', '.join(sorted(missing))}",
                             fix="pass bundle['tk_breakdowns']['district_code']")
    counts = breakdown[breakdown["region_code"] == region_code]
    counts = counts[["district_code", "members", "active"]].copy()
    counts["district_code"] = counts["district_code"].fillna(UNKNOWN).astype(str)
    known = reference.district_labour(year, region_code)
    names = reference.districts(region_code).set_index("district_code")["district_name"]
    counts.loc[~counts["district_code"].isin(known["district_code"]), "district_code"] = UNKNOWN
    counts = counts.groupby("district_code", as_index=False)[["members", "active"]].sum()
    if counts["district_code"].duplicated().any():  # pragma: no cover - groupby makes keys unique
        raise ParameterError("a kecamatan appears twice in the breakdown")
    # Load inputs → join: every kecamatan of the reference table, counts where registered.
    frame = known[["district_code", "working_age_count", "potential_workforce_count",
                   "status"]].merge(counts, on="district_code", how="left",
                                    validate="one_to_one")
    frame[["members", "active"]] = frame[["members", "active"]].fillna(0).astype("int64")
    frame.insert(1, "district_name", frame["district_code"].map(names))
    unknown = counts[counts["district_code"] == UNKNOWN]
    rows = [frame]
    if len(unknown) and int(unknown["active"].sum() + unknown["members"].sum()) > 0:
        rows.append(pd.DataFrame({"district_code": [UNKNOWN], "district_name": [""],
                                  "members": [int(unknown["members"].sum())],
                                  "active": [int(unknown["active"].sum())],
                                  "working_age_count": [np.nan],
                                  "potential_workforce_count": [np.nan], "status": [""]}))
    total = pd.DataFrame({
        "district_code": [TOTAL], "district_name": [""],
        "members": [int(counts["members"].sum())], "active": [int(counts["active"].sum())],
        "working_age_count": [int(frame["working_age_count"].sum())],
        "potential_workforce_count": [int(frame["potential_workforce_count"].sum())],
        "status": ["estimate"]})
    result = pd.concat(rows + [total], ignore_index=True)
    # Process data: the rates; a rate above 1 is flagged, never clipped.
    for column, denominator in zip(RATE_COLUMNS, ("working_age_count",
                                                  "potential_workforce_count")):
        divisor = pd.to_numeric(result[denominator], errors="coerce")
        result[column] = np.where(divisor > 0, result["active"] / divisor.where(divisor > 0),
                                  np.nan)
    result["flag"] = np.where((result[list(RATE_COLUMNS)] > 1).any(axis=1), "above_one", "")
    result = result.rename(columns={"status": "denominator_status"})
    # Check: the kecamatan add up to the total; every kecamatan is of the region.
    assert int(result.loc[result["district_code"] != TOTAL, "active"].sum()) == int(
        total["active"].iloc[0]), "kecamatan rows must add up to the total"
    assert frame["district_code"].str.startswith(region_code + ".").all()
    return result[["district_code", "district_name", "members", "active", "working_age_count",
                   "potential_workforce_count", "tk_coverage_working_age",
                   "tk_coverage_potential", "denominator_status", "flag"]]
