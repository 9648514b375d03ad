"""Breakdowns of the people counts: by a column, by population vintage, across both schemes."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import CakupanError, ParameterError
from helpers.measures.indicators import (
    BREAKDOWN_COLUMNS,
    Parameters,
    age_group_of,
    count_people,
    is_active,
    is_active_known,
    is_member,
    jkn_counts,
    ratio,
    restrict,
    uhc_category,
)
from helpers.measures.series import blank_unknown_active

__all__ = ["breakdown", "coverage_by_vintage", "cross_scheme", "vintage_table"]


def breakdown(table: ibis.Table, params: Parameters, by: str,
              region_codes: list[str] | None = None) -> pd.DataFrame:
    """Members and active people per region and ``by`` (segment, occupation, sex, ...).

    ``age_group`` is derived from birth_year at the year of D. Each row's ``active_share``
    is its share of the region's active people (the shares of a region sum to 1 when no
    person is active in two groups). ``active`` is NaN where the registry cannot tell who
    is active.
    """
    if by not in BREAKDOWN_COLUMNS:
        raise ParameterError(f"cannot break down by '{by}'",
                             fix=f"use one of {', '.join(BREAKDOWN_COLUMNS)}")
    t = restrict(table, region_codes)
    if by == "age_group":
        t = t.mutate(age_group=age_group_of(t, params.reference_date))
    if by not in t.columns:
        raise ParameterError(f"this registry has no column '{by}'")
    at = params.reference_date
    result = count_people(t, ["region_code", by], {
        "members": is_member(t, at),
        "active": is_active(t, at, params.grace_months),
        "active_known": is_active_known(t, at),
    }).to_pandas()
    result = blank_unknown_active(result[(result["members"] > 0) | (result["active"] > 0)])
    totals = result.groupby("region_code")["active"].transform("sum")
    result["active_share"] = np.where(totals > 0, result["active"] / totals.where(totals > 0),
                                      np.nan)
    return result.sort_values(["region_code", by]).reset_index(drop=True)


def vintage_table(counts: pd.DataFrame, params: Parameters,
                  region_codes: list[str]) -> pd.DataFrame:
    """JKN coverage and UHC category of each region under every population vintage.

    Args:
        counts: per region (index ``region_code``) ``jkn_members``, ``jkn_active`` and
            ``jkn_pemda_members``, as :func:`~helpers.measures.indicators.jkn_counts` gives.
        params: the reference date's year picks the population figures and thresholds;
            ``population_vintage`` marks the default row.
        region_codes: regions to list; a vintage without that year is left out.

    Returns:
        region_code, vintage, population, jkn_members, jkn_coverage, uhc_category, default.
    """
    year = params.reference_date.year
    thresholds = reference.thresholds(year)
    rows = []
    for vintage in reference.population_vintages():
        try:
            population = reference.population_total(region_codes, year, vintage)
        except CakupanError:  # a vintage without that year
            continue
        for code in region_codes:
            pop = int(population[code])
            row = counts.loc[code]
            members = int(row["jkn_members"])
            coverage = ratio(members, pop)
            known = row.get("jkn_active_known")
            active_known = (not (members and known == 0) if known is not None
                            else not pd.isna(row["jkn_active"]))
            rows.append({
                "region_code": code, "vintage": vintage, "population": pop,
                "jkn_members": members, "jkn_coverage": coverage,
                "uhc_category": uhc_category(coverage, ratio(row["jkn_active"], members),
                                             ratio(row["jkn_pemda_members"], pop), thresholds,
                                             active_known=active_known),
                "default": vintage == params.population_vintage,
            })
    return pd.DataFrame(rows, columns=["region_code", "vintage", "population", "jkn_members",
                                       "jkn_coverage", "uhc_category", "default"])


def coverage_by_vintage(jkn: ibis.Table, params: Parameters,
                        region_codes: list[str]) -> pd.DataFrame:
    """:func:`vintage_table` of the JKN registry's counts at the reference date."""
    return vintage_table(jkn_counts(jkn, params, region_codes, known=True), params,
                         region_codes)


def cross_scheme(tk: ibis.Table, jkn: ibis.Table, params: Parameters,
                 region_codes: list[str]) -> pd.DataFrame:
    """Working-age (15+) overlap of the two schemes per region (ILO style, de-duplicated).

    A person counts in a region's JKN set when a JKN spell of that region is open at D and
    in its jamsostek set when a BPJS TK spell of that region is active at D. Both sets and
    the denominator count people aged 15 and over in the year of D (one age basis).
    Neither = working-age population (labour.csv) minus people in at least one scheme;
    empty (NaN) with ``exceeds_population`` True when the registries hold more people
    than that figure.
    """
    at = params.reference_date
    min_birth_year = at.year - 15

    def people(table, condition):
        t = restrict(table, region_codes)
        t = t.filter(condition(t) & (t.birth_year <= min_birth_year))
        return t.select("region_code", "person_id").distinct()

    in_jkn = people(jkn, lambda t: is_member(t, at)).mutate(in_jkn=ibis.literal(1))
    in_tk = people(tk, lambda t: is_active(t, at, params.grace_months)).mutate(
        in_tk=ibis.literal(1))
    joined = in_jkn.outer_join(in_tk, ["region_code", "person_id"])
    region = ibis.coalesce(joined.region_code, joined.region_code_right)
    flags = joined.select(region_code=region, in_jkn=joined.in_jkn.fill_null(0),
                          in_tk=joined.in_tk.fill_null(0))
    counts = flags.group_by("region_code").aggregate(
        both=((flags.in_jkn == 1) & (flags.in_tk == 1)).sum(),
        jkn_only=((flags.in_jkn == 1) & (flags.in_tk == 0)).sum(),
        jamsostek_only=((flags.in_jkn == 0) & (flags.in_tk == 1)).sum(),
    ).to_pandas().set_index("region_code").reindex(region_codes, fill_value=0)
    working_age = reference.labour(at.year).set_index("region_code")["working_age_count"]
    counts["at_least_one"] = counts[["both", "jkn_only", "jamsostek_only"]].sum(axis=1)
    counts["working_age_population"] = working_age.reindex(region_codes).astype("int64")
    # When the registries hold more people aged 15+ than the working-age figure (a census
    # or survey figure; registries keep people who moved away or died), the remainder is
    # unknown, not negative: left empty and marked, never clipped to 0.
    counts["exceeds_population"] = counts["at_least_one"] > counts["working_age_population"]
    remainder = counts["working_age_population"] - counts["at_least_one"]
    counts["neither"] = remainder.astype("float64").where(~counts["exceeds_population"])
    counts["at_least_one_share"] = counts["at_least_one"] / counts["working_age_population"]
    return counts.reset_index()
