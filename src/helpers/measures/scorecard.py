"""Province scorecard: a Paritrana-style composite and the ranking of regions.

The Paritrana Award (Kemenko PMK and BPJS Ketenagakerjaan) scored NTB's kab/kota in 2025
on seven indicators; the published result for Lombok Timur is the plain sum of its seven
scores (7.75 + 5.16 + 1.09 + 9.00 + 9.45 + 10.00 + 9.06 = 51.51; domain notes §2). The
official weights and scoring rules are not public, so this scorecard is ILLUSTRATIVE:
four indicators are computed from the registries on a 0-10 scale, three assessed ones come
from ``data/reference/paritrana_inputs.csv``, and the weights are a parameter (default 1
each, which reproduces the published summation).

Scores computed here (each 10 × a fraction; growth can be negative and is shown as is):
- ``coverage_kepesertaan``: 10 × tk_coverage;
- ``perlindungan_pekerja_rentan``: 10 × active Pemda-funded BPU workers / informal workers;
- ``pertumbuhan_coverage``: 10 × (tk_active at D / tk_active a year earlier − 1);
- ``coverage_non_asn_pemilu``: 10 × active non-ASN and election staff (whoever pays) /
  their target groups (target_groups.csv). Lombok Timur's published 9.45
  is exactly 10 × 32,644 / 34,555.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import ibis
import pandas as pd

from helpers.data import reference
from helpers.data.schema import PEMDA_FUNDING_SOURCES
from helpers.errors import ParameterError
from helpers.measures.indicators import (
    Parameters,
    is_active,
    jamsostek_counts,
    labour_denominators,
    ratio,
    restrict,
)

SCORECARD_INDICATORS = (
    "coverage_kepesertaan",
    "perlindungan_pekerja_rentan",
    "pertumbuhan_coverage",
    "regulasi",
    "coverage_non_asn_pemilu",
    "penguasaan_narasumber",
    "materi_uji_pemahaman",
)
ASSESSED_INDICATORS = ("regulasi", "penguasaan_narasumber", "materi_uji_pemahaman")
DEFAULT_WEIGHTS = {name: 1.0 for name in SCORECARD_INDICATORS}
STATUS = "illustrative"


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def scorecard(tk: ibis.Table, params: Parameters, region_codes: list[str],
              weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Scores, weighted total and rank of each region (rank 1 = highest total).

    Args:
        tk: intake table of BPJS Ketenagakerjaan spells.
        params: reference date and choices (the labour denominator matters here).
        region_codes: the kab/kota to rank.
        weights: weight per indicator name; missing names weigh 1, unknown names are an error.

    Returns:
        One row per region: region_code, region_name, the seven scores, total_score, rank,
        status ('illustrative').
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = sorted(set(weights) - set(SCORECARD_INDICATORS))
    if unknown:
        raise ParameterError(f"unknown scorecard indicator(s) {', '.join(unknown)}",
                             fix=f"use {', '.join(SCORECARD_INDICATORS)}")
    now = jamsostek_counts(tk, params, region_codes)
    before = jamsostek_counts(tk, replace(params, reference_date=_year_earlier(
        params.reference_date)), region_codes)
    workers = labour_denominators(params, region_codes)
    staff_active = _pemda_staff_active(tk, params, region_codes)
    targets = reference.target_groups(params.reference_date.year)
    targets = targets[targets["target_group"].isin(["non_asn_staff", "election_staff"])]
    staff_target = targets.groupby("region_code")["target_count"].sum()
    assessed = reference.paritrana_inputs(params.reference_date.year).pivot(
        index="region_code", columns="indicator", values="score")
    missing = [c for c in region_codes if c not in assessed.index]
    if missing:
        raise ParameterError(
            f"no Paritrana assessment scores for {', '.join(missing)} in "
            f"{params.reference_date.year}", path="data/reference/paritrana_inputs.csv",
            fix="add the three assessed scores for those regions and year")
    rows = []
    for code in region_codes:
        scores = {
            "coverage_kepesertaan": 10 * ratio(now.at[code, "tk_active"],
                                                workers.at[code, "workers"]),
            "perlindungan_pekerja_rentan": 10 * ratio(
                staff_active.at[code, "vulnerable_active"], workers.at[code, "informal_workers"]),
            "pertumbuhan_coverage": 10 * (ratio(now.at[code, "tk_active"],
                                                 before.at[code, "tk_active"]) - 1),
            "coverage_non_asn_pemilu": 10 * ratio(staff_active.at[code, "staff_active"],
                                                   staff_target.get(code, 0)),
            **{name: float(assessed.at[code, name]) for name in ASSESSED_INDICATORS},
        }
        total = sum(weights[name] * scores[name] for name in SCORECARD_INDICATORS
                    if not pd.isna(scores[name]))
        rows.append({"region_code": code, "region_name": reference.region_name(code),
                     **{name: scores[name] for name in SCORECARD_INDICATORS},
                     "total_score": total})
    result = pd.DataFrame(rows)
    result["rank"] = result["total_score"].rank(ascending=False, method="min").astype("int64")
    result["status"] = STATUS
    return result.sort_values(["rank", "region_code"]).reset_index(drop=True)


def _pemda_staff_active(tk: ibis.Table, params: Parameters,
                        region_codes: list[str]) -> pd.DataFrame:
    """Active Pemda-funded BPU workers, and active non-ASN and election staff, per region."""
    t = restrict(tk, region_codes)
    active = is_active(t, params.reference_date, params.grace_months)
    pemda = t.funding_source.isin(PEMDA_FUNDING_SOURCES)
    staff = t.occupation.isin(["non_asn_staff", "election_staff"])
    result = t.group_by("region_code").aggregate(
        vulnerable_active=t.person_id.nunique(where=active & pemda & (t.segment == "BPU")),
        staff_active=t.person_id.nunique(where=active & staff),
    ).to_pandas().set_index("region_code")
    return result.reindex(region_codes, fill_value=0)


__all__ = ["ASSESSED_INDICATORS", "DEFAULT_WEIGHTS", "SCORECARD_INDICATORS", "STATUS",
           "scorecard"]
