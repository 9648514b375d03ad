"""Which reference tables exist: file name, key and required columns of each (NTB and national).

The meaning of every column is in ``data/README.md``; reading and checking one file is
:mod:`helpers.data.reference_file`; the accessors are :mod:`helpers.data.reference`.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["NATIONAL_BOUNDARIES_FILE", "NATIONAL_EXTENDS", "NATIONAL_TABLES", "TABLES",
           "TableSpec"]


class TableSpec(NamedTuple):
    """File name, key columns and required columns (in file order) of a reference table.

    ``optional`` names the number columns that may be empty in this table (unknown), on top
    of those that are optional in every table.
    """

    filename: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()


TABLES: dict[str, TableSpec] = {
    "regions": TableSpec(
        "regions.csv",
        ("region_code",),
        ("region_code", "region_name", "region_type", "parent_code", "source", "status"),
    ),
    "districts": TableSpec(
        "districts.csv",
        ("district_code",),
        ("district_code", "district_name", "region_code", "source", "status"),
    ),
    "population": TableSpec(
        "population.csv",
        ("region_code", "year", "vintage", "sex"),
        ("region_code", "year", "vintage", "sex", "population_count", "source", "status"),
    ),
    "labour": TableSpec(
        "labour.csv",
        ("region_code", "year"),
        (
            "region_code", "year", "working_age_count", "labour_force_count", "employed_count",
            "formal_employed_count", "informal_employed_count", "potential_workforce_count",
            "potential_formal_count", "potential_informal_count", "source", "status",
        ),
    ),
    "budget": TableSpec(
        "budget.csv",
        ("region_code", "year"),
        (
            "region_code", "year", "apbd_total_rp", "dbhcht_received_rp", "dbhcht_welfare_rp",
            "dbhcht_health_rp", "dbhcht_law_rp", "source", "status",
        ),
        # unknown outside NTB (data/reference/national/budget.csv, Derivation N5)
        optional=("dbhcht_received_rp", "dbhcht_welfare_rp", "dbhcht_health_rp",
                  "dbhcht_law_rp"),
    ),
    "rates": TableSpec(
        "rates.csv",
        ("scheme", "segment", "component", "risk_class", "payer", "valid_from"),
        (
            "scheme", "segment", "component", "risk_class", "wage_share", "flat_rp", "basis",
            "wage_cap_rp", "payer", "valid_from", "valid_to", "legal_basis", "source", "status",
        ),
    ),
    "thresholds": TableSpec(
        "thresholds.csv",
        ("year", "category", "variant"),
        (
            "year", "category", "variant", "min_coverage", "min_active_rate", "min_pemda_share",
            "source", "status",
        ),
    ),
    "target_groups": TableSpec(
        "target_groups.csv",
        ("region_code", "year", "target_group"),
        ("region_code", "year", "target_group", "target_count", "source", "status"),
    ),
    "paritrana_inputs": TableSpec(
        "paritrana_inputs.csv",
        ("region_code", "year", "indicator"),
        ("region_code", "year", "indicator", "score", "source", "status"),
    ),
    "district_labour": TableSpec(
        "district_labour.csv",
        ("district_code", "year"),
        ("district_code", "region_code", "year", "desa_count", "kelurahan_count",
         "working_age_count", "potential_workforce_count", "source", "status"),
    ),
    "sample_targets": TableSpec(
        "sample_targets.csv",
        ("region_code", "measure", "reference_date"),
        ("region_code", "measure", "reference_date", "target_value", "unit", "tolerance",
         "source", "status"),
    ),
}

#: The national tables: all 38 provinces and 514 kab/kota (issue 16), built by
#: scripts/build_national_reference.py from cahyadsn/wilayah. Same columns as the NTB
#: tables (regions adds ``area_km2``); NTB's rows are the NTB tables' rows. The tables
#: above stay NTB's: the reports, the intake's known codes and the sample read them.
#: Accessors and cross checks of the national tables: :mod:`helpers.data.national`.
NATIONAL_TABLES: dict[str, TableSpec] = {
    "national_regions": TableSpec(
        "national_regions.csv",
        ("region_code",),
        ("region_code", "region_name", "region_type", "parent_code", "area_km2", "source",
         "status"),
    ),
    "national_population": TableSpec(
        "national_population.csv", TABLES["population"].key, TABLES["population"].columns),
    "national_labour": TableSpec(
        "national_labour.csv", TABLES["labour"].key, TABLES["labour"].columns),
    "national_budget": TableSpec(
        "national_budget.csv", TABLES["budget"].key, TABLES["budget"].columns,
        optional=TABLES["budget"].optional,
    ),
}
#: Simplified kab/kota boundaries of Indonesia (GeoJSON; :func:`national_boundaries`).
NATIONAL_BOUNDARIES_FILE = "boundaries_national_kabkota.geojson"
#: The NTB table each national table extends (NTB's rows must be equal).
NATIONAL_EXTENDS = {"national_regions": "regions", "national_population": "population",
                    "national_labour": "labour", "national_budget": "budget"}
