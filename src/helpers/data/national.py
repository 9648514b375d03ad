"""The national reference tables: all 38 provinces and 514 kab/kota (issue 16).

``national_regions.csv``, ``national_population.csv``, ``national_labour.csv`` and
``national_budget.csv`` have the columns of the NTB tables (regions adds ``area_km2``) and
NTB's rows are the NTB tables' rows; ``boundaries_national_kabkota.geojson`` holds the
simplified kab/kota outlines. They are built by ``scripts/build_national_reference.py`` and
``scripts/build_national_boundaries.py`` from ``cahyadsn/wilayah`` and
``cahyadsn/wilayah_boundaries`` (data/README.md, "National tables"). The NTB tables stay what
the reports, the sample and the intake read; :func:`helpers.data.reference.load_table`
reads these too (``load_table("national_labour")``).

Units as in :mod:`helpers.data.reference`: counts are people, money whole Rupiah, area km².
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers.data.reference import (
    NATIONAL_BOUNDARIES_FILE,
    NATIONAL_EXTENDS,
    NATIONAL_TABLES,
    TABLES,
    check_province_sums,
    load_table,
    normalise_region_code,
    table_path,
)
from helpers.errors import ReferenceDataError
from helpers.paths import base_reference_dir

__all__ = ["check_national_tables", "national_boundaries", "national_kabkota_codes",
           "national_regions"]


def _folder(directory: Path | str | None) -> Path:
    """The folder of the national source tables: the base reference folder by default
    (they are not part of a reference set, so ``$CAKUPAN_REFERENCE`` does not move them)."""
    return Path(directory) if directory is not None else base_reference_dir()


def _row_number(index: int) -> int:
    """Spreadsheet row of a data row (header = row 1)."""
    return int(index) + 2


def national_regions(directory: Path | str | None = None) -> pd.DataFrame:
    """All 38 provinces and 514 kab/kota of ``national_regions.csv`` (with ``area_km2``)."""
    return load_table("national_regions", _folder(directory))


def national_kabkota_codes(province_code: object,
                           directory: Path | str | None = None) -> list[str]:
    """Kab/kota codes of any province, sorted (``'52'`` gives the same ten as
    :func:`helpers.data.reference.kabkota_codes`).

    Raises:
        ReferenceDataError: The province is not in ``national_regions.csv``.
    """
    code = normalise_region_code(province_code)
    directory = _folder(directory)
    table = national_regions(directory)
    provinces = table.loc[table["region_type"] == "provinsi", "region_code"]
    if code not in set(provinces):
        raise ReferenceDataError(
            f"province '{province_code}' is not in the national reference tables",
            path=table_path("national_regions", directory), column="region_code",
            fix=f"use one of: {', '.join(provinces)}",
        )
    return sorted(table.loc[table["parent_code"] == code, "region_code"])


def national_boundaries(directory: Path | str | None = None) -> dict:
    """The simplified kab/kota boundaries of Indonesia, a GeoJSON FeatureCollection.

    ``data/reference/boundaries_national_kabkota.geojson`` (scripts/
    build_national_boundaries.py): one MultiPolygon Feature per kab/kota with
    ``region_code``, ``region_name``, ``province_code``, ``source`` and ``status``;
    coordinates are [longitude, latitude] (RFC 7946), simplified for a national or
    province map (data/README.md, Derivation N6).

    Raises:
        ReferenceDataError: The file is missing or not a FeatureCollection.
    """
    folder = _folder(directory)
    path = folder / NATIONAL_BOUNDARIES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError("boundary file not found", path=path,
                                 fix="run scripts/build_national_boundaries.py") from None
    except json.JSONDecodeError as error:
        raise ReferenceDataError(f"not JSON: {error}", path=path,
                                 fix="run scripts/build_national_boundaries.py") from None
    if data.get("type") != "FeatureCollection":
        raise ReferenceDataError("not a GeoJSON FeatureCollection", path=path,
                                 fix="run scripts/build_national_boundaries.py")
    return data


def check_national_tables(directory: Path | str | None = None) -> None:
    """Check the national tables against each other and against the NTB tables.

    Checks: every code is in ``national_regions.csv``; a kab/kota's parent is a province
    and its code starts with it; in every province the province population and labour
    counts equal the sum of its kab/kota; formal + informal = total and employed <= labour
    force <= working age in every labour row; the DBHCHT split adds up where it is known
    (all four DBHCHT figures or none); NTB's rows equal those of the NTB tables.

    Raises:
        ReferenceDataError: The first inconsistency found, naming the file and row.
    """
    directory = _folder(directory)
    tables = {name: load_table(name, directory) for name in NATIONAL_TABLES}
    regions_table = tables["national_regions"]
    regions_path = table_path("national_regions", directory)
    provinces = set(regions_table.loc[regions_table["region_type"] == "provinsi", "region_code"])
    for index, row in regions_table.iterrows():
        is_province = row["region_type"] == "provinsi"
        parent = row["parent_code"]
        if is_province != (parent == "") or (parent and (
                parent not in provinces or not row["region_code"].startswith(parent + "."))):
            raise ReferenceDataError(
                f"region {row['region_code']} and parent '{parent}' do not fit",
                path=regions_path, row=_row_number(index), column="parent_code",
                fix="a province has no parent; a kab/kota's parent is the province its code "
                    "starts with")
    known = set(regions_table["region_code"])
    for name, table in tables.items():
        bad = table.index[~table["region_code"].isin(known)]
        if len(bad):
            raise ReferenceDataError(
                f"unknown region code '{table.at[bad[0], 'region_code']}'",
                path=table_path(name, directory), row=_row_number(bad[0]), column="region_code",
                fix="add the region to national_regions.csv")
    parent_of = dict(zip(regions_table["region_code"], regions_table["parent_code"]))
    parent_of = {code: parent for code, parent in parent_of.items() if parent}
    check_province_sums(tables["national_population"], ["year", "vintage", "sex"],
                ["population_count"], parent_of, table_path("national_population", directory))
    labour_table = tables["national_labour"]
    labour_path = table_path("national_labour", directory)
    counts = [c for c in NATIONAL_TABLES["national_labour"].columns if c.endswith("_count")]
    check_province_sums(labour_table, ["year"], counts, parent_of, labour_path)
    for total, parts in (("employed_count", ("formal_employed_count", "informal_employed_count")),
                         ("potential_workforce_count",
                          ("potential_formal_count", "potential_informal_count"))):
        bad = labour_table.index[labour_table[list(parts)].sum(axis=1) != labour_table[total]]
        if len(bad):
            raise ReferenceDataError(f"{parts[0]} + {parts[1]} differs from {total}",
                                     path=labour_path, row=_row_number(bad[0]), column=total)
    bad = labour_table.index[(labour_table["employed_count"] > labour_table["labour_force_count"])
                             | (labour_table["labour_force_count"]
                                > labour_table["working_age_count"])]
    if len(bad):
        raise ReferenceDataError("employed > labour force or labour force > working age",
                                 path=labour_path, row=_row_number(bad[0]),
                                 column="labour_force_count")
    budget_table = tables["national_budget"]
    budget_path = table_path("national_budget", directory)
    dbhcht = budget_table[["dbhcht_received_rp", "dbhcht_welfare_rp", "dbhcht_health_rp",
                           "dbhcht_law_rp"]]
    known_count = dbhcht.notna().sum(axis=1)
    bad = budget_table.index[(known_count != 0) & (known_count != 4)]
    if len(bad):
        raise ReferenceDataError("DBHCHT figures partly empty", path=budget_path,
                                 row=_row_number(bad[0]), column="dbhcht_received_rp",
                                 fix="give the amount received and its three parts, or none")
    split = dbhcht.iloc[:, 1:].sum(axis=1)
    bad = budget_table.index[(known_count == 4) & (split != dbhcht["dbhcht_received_rp"])]
    if len(bad):
        raise ReferenceDataError("DBHCHT welfare + health + law differs from the amount received",
                                 path=budget_path, row=_row_number(bad[0]),
                                 column="dbhcht_received_rp")
    for name, ntb_name in NATIONAL_EXTENDS.items():
        _check_same_rows(tables[name], load_table(ntb_name, directory), name, directory)


def _check_same_rows(national: pd.DataFrame, ntb: pd.DataFrame, name: str,
                     directory: Path | str | None) -> None:
    """NTB's rows of a national table equal the NTB table's rows (its columns, any order).

    Regions are compared without ``source``: the national rows also cite the area's origin.
    """
    key = list(NATIONAL_TABLES[name].key)
    skip = {"source"} if name == "national_regions" else set()
    columns = [c for c in ntb.columns if c in national.columns and c not in skip]
    ours = national.loc[national["region_code"].isin(set(ntb["region_code"])), columns]
    ours = ours.astype(ntb[columns].dtypes.to_dict())
    left = ours.sort_values(key).reset_index(drop=True)
    right = ntb[columns].sort_values(key).reset_index(drop=True)
    if not left.equals(right):
        raise ReferenceDataError(
            f"NTB's rows differ from {TABLES[NATIONAL_EXTENDS[name]].filename}",
            path=table_path(name, directory), column="region_code",
            fix="rebuild both: python scripts/build_reference.py && "
                "python scripts/build_national_reference.py")
