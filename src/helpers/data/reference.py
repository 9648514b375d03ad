"""Load and validate the committed reference tables in ``data/reference``.

Every table is a small CSV with ``source`` and ``status`` on each row (the data dictionary
is ``data/README.md``). :func:`load_table` reads a table with codes kept as strings
("52.10" never becomes 52.1), converts the numeric and date columns, checks required
columns, unique keys, ``status`` and ``source``, and raises :class:`ReferenceDataError`
naming the file, the row (1-based, header = row 1) and the column. The accessors below
(``population_total``, ``rates`` …) are what the other modules call.

Units: counts are people; money is whole Rupiah (``_rp``); shares and rates are fractions
0–1; scores are 0–10; dates are ``pandas.Timestamp``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers.data.reference_file import (
    STATUSES,
    check_province_sums,
    normalise_region_code,
    read_table_file,
    row_number,
)
from helpers.data.reference_specs import (
    NATIONAL_BOUNDARIES_FILE,
    NATIONAL_EXTENDS,
    NATIONAL_TABLES,
    TABLES,
    TableSpec,
)
from helpers.errors import ParameterError, ReferenceDataError
from helpers.paths import reference_dir

#: The population vintage used unless a notebook or CLI parameter says otherwise.
DEFAULT_POPULATION_VINTAGE = "dukcapil_2024s1"
#: Denominators for BPJS Ketenagakerjaan coverage: the BPJS TK "potensi tenaga kerja"
#: (what Paritrana and BPJS TK NTB use) or BPS employed persons (Sakernas).
LABOUR_DENOMINATORS = ("bpjs_potential", "bps_employed")
#: Worker groups a labour denominator can be asked for.
WORKER_KINDS = ("all", "formal", "informal")

DEFAULT_PROVINCE_CODE = "52"


#: UHC Awards categories from the lowest to the highest (``uhc`` is the BPJS K predicate).
UHC_CATEGORY_ORDER = ("uhc", "pratama", "madya", "utama")


# --------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------
def load_table(name: str, directory: Path | str | None = None) -> pd.DataFrame:
    """Read and validate one reference table.

    Args:
        name: Table name, a key of :data:`TABLES` (e.g. ``"population"``) or of
            :data:`NATIONAL_TABLES` (e.g. ``"national_regions"``).
        directory: Folder holding the CSVs; defaults to ``data/reference`` of the project
            (:func:`helpers.paths.reference_dir`).

    Returns:
        A fresh copy of the table: code columns as strings, counts and money as integers
        (whole Rupiah), shares as floats 0–1, ``valid_from``/``valid_to`` as Timestamps.
        Results are cached per file version, so repeated calls are cheap.

    Raises:
        ReferenceDataError: Unknown table, missing or unreadable file, missing column,
            duplicate key, empty ``source``, unknown ``status`` or value, bad number, code
            or date; the message names the file, row and column.
    """
    return _load_cached(*_version(name, directory)).copy()


def _version(name: str, directory: Path | str | None) -> tuple[str, str, int, int]:
    """The table's name, resolved path, mtime and size: the key its cached reads go by."""
    spec = _spec(name)
    folder = Path(directory) if directory is not None else reference_dir()
    path = (folder / spec.filename).resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ReferenceDataError(
            "reference table not found",
            path=path,
            fix="a workspace's data/reference needs every table (copy them all with "
                "`cakupan init DIR --reference`, or delete it to use the shipped ones); in "
                "the checkout, restore it from git or run scripts/build_reference.py",
        ) from None
    return name, str(path), stat.st_mtime_ns, stat.st_size


def clear_cache() -> None:
    """Forget cached tables (tests that rewrite a CSV in place call this)."""
    _load_cached.cache_clear()
    _region_names.cache_clear()


@lru_cache(maxsize=64)
def _load_cached(name: str, path_text: str, mtime_ns: int, size: int) -> pd.DataFrame:
    spec = _spec(name)
    return read_table_file(Path(path_text), spec.columns, spec.optional, spec.key)


def regions(directory: Path | str | None = None) -> pd.DataFrame:
    """Province and kab/kota rows of ``regions.csv`` (codes, names, types, parent)."""
    return load_table("regions", directory)


def kabkota_codes(province_code: str = DEFAULT_PROVINCE_CODE,
                  directory: Path | str | None = None) -> list[str]:
    """Kab/kota codes of a province, sorted (e.g. ``['52.01', …, '52.72']``).

    Raises:
        ReferenceDataError: The province is not in ``regions.csv``.
    """
    code = normalise_region_code(province_code)
    table = regions(directory)
    if code not in set(table.loc[table["region_type"] == "provinsi", "region_code"]):
        raise ReferenceDataError(
            f"province '{province_code}' is not in the reference tables",
            path=_path("regions", directory), column="region_code",
            fix="add its rows to regions.csv (and population, labour …) or use 52 (NTB)",
        )
    return sorted(table.loc[table["parent_code"] == code, "region_code"])


def region_name(code: object, directory: Path | str | None = None) -> str:
    """Name of a province or kab/kota (e.g. ``'52.02'`` → ``'Lombok Tengah'``).

    Raises:
        ReferenceDataError: The code is not in ``regions.csv``.
        ParameterError: The value is not a code at all.
    """
    normalised = normalise_region_code(code)
    names = _region_names(*_version("regions", directory))
    if normalised not in names:
        raise ReferenceDataError(
            f"unknown region code '{code}'", path=_path("regions", directory),
            column="region_code",
            fix=f"use one of: {', '.join(names)}",
        )
    return names[normalised]


@lru_cache(maxsize=8)
def _region_names(*version) -> dict[str, str]:
    """Code → name of every region in one version of ``regions.csv`` (charts ask for a
    name per kab/kota and panel: hundreds of look-ups per report)."""
    table = _load_cached(*version)
    return dict(zip(table["region_code"], table["region_name"].astype(str)))


def districts(region_code: object = None, directory: Path | str | None = None) -> pd.DataFrame:
    """Kecamatan of one kab/kota (or all, when ``region_code`` is None)."""
    table = load_table("districts", directory)
    if region_code is None:
        return table
    code = normalise_region_code(region_code)
    selected = table[table["region_code"] == code].reset_index(drop=True)
    if selected.empty:
        raise ReferenceDataError(
            f"no kecamatan for region '{region_code}'", path=_path("districts", directory),
            column="region_code", fix="check the kab/kota code or add its kecamatan",
        )
    return selected


# --------------------------------------------------------------------------------------
# Population and labour
# --------------------------------------------------------------------------------------
def population_vintages(directory: Path | str | None = None) -> list[str]:
    """Population vintages available, the default first."""
    vintages = set(load_table("population", directory)["vintage"])
    return sorted(vintages, key=lambda v: (v != DEFAULT_POPULATION_VINTAGE, v))


def population_total(region_codes: object, year: int,
                     vintage: str = DEFAULT_POPULATION_VINTAGE,
                     directory: Path | str | None = None) -> pd.Series:
    """Residents (both sexes) per region for a year and vintage.

    Args:
        region_codes: One code or an iterable of codes (province or kab/kota).
        year: Calendar year, e.g. 2024.
        vintage: Population vintage (see :func:`population_vintages`).

    Returns:
        Series of people (int64) indexed by ``region_code``, in the order asked.

    Raises:
        ReferenceDataError: A requested region/year/vintage has no rows, or lacks a sex.
    """
    codes = _as_codes(region_codes)
    table = load_table("population", directory)
    if vintage not in set(table["vintage"]):
        raise ReferenceDataError(
            f"population vintage '{vintage}' not found", path=_path("population", directory),
            column="vintage",
            fix=f"use one of: {', '.join(population_vintages(directory))}",
        )
    subset = table[(table["vintage"] == vintage) & (table["year"] == int(year))
                   & table["region_code"].isin(codes)]
    sexes = subset.groupby("region_code")["sex"].nunique()
    missing = [code for code in codes if sexes.get(code, 0) < 2]
    if missing:
        years = sorted(table.loc[table["vintage"] == vintage, "year"].unique())
        raise ReferenceDataError(
            f"no population (both sexes) for region(s) {', '.join(missing)}, year {year}, "
            f"vintage '{vintage}'",
            path=_path("population", directory), column="population_count",
            fix=f"available years for this vintage: {', '.join(map(str, years))}; add rows "
                "for the missing year or choose another year/vintage",
        )
    totals = subset.groupby("region_code")["population_count"].sum()
    return totals.reindex(codes).astype("int64").rename("population_count")


def labour(year: int, directory: Path | str | None = None) -> pd.DataFrame:
    """Labour rows (counts of people) for one year, province and kab/kota.

    Raises:
        ReferenceDataError: ``labour.csv`` has no rows for that year.
    """
    return _rows_for_year("labour", year, directory)


def labour_denominator(region_codes: object, year: int, denominator: str = "bpjs_potential",
                       kind: str = "all", directory: Path | str | None = None) -> pd.Series:
    """Workers to divide BPJS Ketenagakerjaan coverage by.

    Args:
        region_codes: One code or an iterable of codes.
        year: Calendar year.
        denominator: ``"bpjs_potential"`` (BPJS TK potensi) or ``"bps_employed"`` (BPS).
        kind: ``"all"``, ``"formal"`` or ``"informal"`` workers.

    Returns:
        Series of people (int64) indexed by ``region_code``.

    Raises:
        ParameterError: Unknown denominator or kind.
        ReferenceDataError: A region has no labour row for that year.
    """
    if denominator not in LABOUR_DENOMINATORS:
        raise ParameterError(f"unknown labour denominator '{denominator}'",
                             fix=f"use one of: {', '.join(LABOUR_DENOMINATORS)}")
    if kind not in WORKER_KINDS:
        raise ParameterError(f"unknown worker kind '{kind}'",
                             fix=f"use one of: {', '.join(WORKER_KINDS)}")
    columns = {
        ("bpjs_potential", "all"): "potential_workforce_count",
        ("bpjs_potential", "formal"): "potential_formal_count",
        ("bpjs_potential", "informal"): "potential_informal_count",
        ("bps_employed", "all"): "employed_count",
        ("bps_employed", "formal"): "formal_employed_count",
        ("bps_employed", "informal"): "informal_employed_count",
    }
    column = columns[(denominator, kind)]
    codes = _as_codes(region_codes)
    table = labour(year, directory).set_index("region_code")
    missing = [code for code in codes if code not in table.index]
    if missing:
        raise ReferenceDataError(
            f"no labour row for region(s) {', '.join(missing)}, year {year}",
            path=_path("labour", directory), column="region_code",
            fix="add the rows to labour.csv (see data/README.md, Derivations L1–L6)",
        )
    return table.loc[codes, column].astype("int64").rename(column)


# --------------------------------------------------------------------------------------
# Budget, rates, thresholds, target groups, Paritrana
# --------------------------------------------------------------------------------------
def budget(year: int, directory: Path | str | None = None) -> pd.DataFrame:
    """APBD and DBHCHT (whole Rupiah) for one year.

    The province row (``52``) is the provincial government's own budget, not a sum of
    the kab/kota rows.
    """
    return _rows_for_year("budget", year, directory)


def rates(on: dt.date | str | pd.Timestamp, directory: Path | str | None = None) -> pd.DataFrame:
    """Contribution rates in force on a date.

    A row is in force when ``valid_from <= on`` and (``valid_to`` is empty or
    ``on <= valid_to``; ``valid_to`` is inclusive). Summing ``wage_share`` (or
    ``flat_rp``) over a segment's rows in force gives its total contribution without
    double counting (see data/README.md, rates).

    Args:
        on: The date (``datetime.date``, ISO string or Timestamp).

    Returns:
        The rows in force; ``wage_share`` is a fraction of the monthly wage, ``flat_rp``
        Rupiah per person per month (per protection period where ``basis`` says so).

    Raises:
        ReferenceDataError: No rate is in force on that date.
    """
    when = pd.Timestamp(on).normalize()
    table = load_table("rates", directory)
    in_force = (table["valid_from"] <= when) & (table["valid_to"].isna() | (when <= table["valid_to"]))
    result = table[in_force].reset_index(drop=True)
    if result.empty:
        raise ReferenceDataError(
            f"no contribution rate is in force on {when.date()}", path=_path("rates", directory),
            column="valid_from", fix="add rows whose valid_from/valid_to cover that date",
        )
    return result


def bpu_minimum_monthly_rp(on: dt.date | str | pd.Timestamp,
                           directory: Path | str | None = None) -> int:
    """Minimum BPU (informal worker) JKK + JKM contribution, Rupiah per person per month.

    This is the amount regencies pay for vulnerable workers (Rp16.800 since PP 49/2023:
    JKK Rp10.000 + JKM Rp6.800).

    Raises:
        ReferenceDataError: The BPU JKK or JKM row is missing for that date.
    """
    table = rates(on, directory)
    rows = table[(table["scheme"] == "jamsostek") & (table["segment"] == "BPU")
                 & table["component"].isin(["JKK", "JKM"]) & table["flat_rp"].notna()]
    if set(rows["component"]) != {"JKK", "JKM"}:
        raise ReferenceDataError(
            f"BPU JKK and JKM flat rates not both in force on {pd.Timestamp(on).date()}",
            path=_path("rates", directory), column="flat_rp",
            fix="add jamsostek/BPU rows for JKK and JKM with flat_rp",
        )
    return int(rows["flat_rp"].sum())


def jkn_pemda_monthly_rp(on: dt.date | str | pd.Timestamp,
                         directory: Path | str | None = None) -> int:
    """Regional-government cost of one PBPU_PEMDA member, Rupiah per month.

    Class III: Rp35.000 contribution + Rp2.800 regional bantuan iuran = Rp37.800 under
    Perpres 64/2020 (the central government adds Rp4.200).

    Raises:
        ReferenceDataError: No PBPU_PEMDA regional-government row is in force.
    """
    table = rates(on, directory)
    rows = table[(table["scheme"] == "jkn") & (table["segment"] == "PBPU_PEMDA")
                 & (table["payer"] == "regional_government") & table["flat_rp"].notna()]
    if rows.empty:
        raise ReferenceDataError(
            f"no PBPU_PEMDA regional-government rate in force on {pd.Timestamp(on).date()}",
            path=_path("rates", directory), column="flat_rp",
            fix="add jkn/PBPU_PEMDA rows paid by regional_government",
        )
    return int(rows["flat_rp"].sum())


def thresholds(year: int, directory: Path | str | None = None) -> pd.DataFrame:
    """UHC predicate and UHC Awards thresholds (fractions 0–1) for one year.

    A region meets a (category, variant) row when coverage >= ``min_coverage``, active
    rate >= ``min_active_rate`` and, where given, Pemda share >= ``min_pemda_share``; a
    category is met when any of its variants is met.
    """
    return _rows_for_year("thresholds", year, directory)


def target_groups(year: int, directory: Path | str | None = None) -> pd.DataFrame:
    """Size (people) of the groups regional programmes target, per kab/kota, one year."""
    return _rows_for_year("target_groups", year, directory)


def paritrana_inputs(year: int, directory: Path | str | None = None) -> pd.DataFrame:
    """Assessed Paritrana indicators (scores 0–10) per kab/kota for one year."""
    return _rows_for_year("paritrana_inputs", year, directory)


def district_labour(year: int, region_code: object = None,
                    directory: Path | str | None = None) -> pd.DataFrame:
    """Working-age population and BPJS TK potential workforce per kecamatan (people).

    Estimates (Derivation D1): the kab/kota figures of ``labour.csv`` split by each
    kecamatan's share of desa + kelurahan. Rows of one kab/kota when ``region_code`` is
    given; they add up to its ``labour.csv`` row.

    Raises:
        ReferenceDataError: no rows for that year (or region).
    """
    table = _rows_for_year("district_labour", year, directory)
    if region_code is None:
        return table
    code = normalise_region_code(region_code)
    selected = table[table["region_code"] == code].reset_index(drop=True)
    if selected.empty:
        raise ReferenceDataError(f"no kecamatan labour rows for region '{region_code}'",
                                 path=_path("district_labour", directory),
                                 column="region_code", fix="use a kab/kota code such as 52.02")
    return selected


def sample_targets(directory: Path | str | None = None) -> pd.DataFrame:
    """The figures the synthetic sample is calibrated to (region, measure, date, value).

    ``target_value`` is people or a fraction 0–1 (above 1 for enrolment above a stale
    population), as ``unit`` says; ``tolerance`` is how far the sample may be from it.
    """
    return load_table("sample_targets", directory)


# --------------------------------------------------------------------------------------
# Cross-table checks
# --------------------------------------------------------------------------------------
def check_reference_tables(directory: Path | str | None = None) -> None:
    """Load every table and check the relations between them.

    Checks: every ``region_code`` is in ``regions.csv``; a district code starts with its
    region code; province population and labour counts equal the sum of their kab/kota;
    formal + informal = total; the DBHCHT split adds up to the amount received.

    Raises:
        ReferenceDataError: The first inconsistency found, naming the file and row.
    """
    tables = {name: load_table(name, directory) for name in TABLES}
    known = set(tables["regions"]["region_code"])
    for name, table in tables.items():
        for column in ("region_code", "parent_code"):
            if column not in table.columns:
                continue
            values = table[column]
            bad = table.index[(values != "") & ~values.isin(known)]
            if len(bad):
                raise ReferenceDataError(
                    f"unknown region code '{values[bad[0]]}'", path=_path(name, directory),
                    row=row_number(bad[0]), column=column, fix="add the region to regions.csv",
                )
    district_table = tables["districts"]
    bad = district_table.index[
        district_table["district_code"].str[:5] != district_table["region_code"]]
    if len(bad):
        raise ReferenceDataError("district code does not start with its region code",
                                 path=_path("districts", directory), row=row_number(bad[0]),
                                 column="district_code")
    children = tables["regions"].loc[tables["regions"]["parent_code"] != "",
                                     ["region_code", "parent_code"]]
    parent_of = dict(zip(children["region_code"], children["parent_code"]))
    check_province_sums(tables["population"], ["year", "vintage", "sex"], ["population_count"],
                parent_of, _path("population", directory))
    labour_counts = [c for c in TABLES["labour"].columns if c.endswith("_count")]
    check_province_sums(tables["labour"], ["year"], labour_counts, parent_of, _path("labour", directory))
    labour_table = tables["labour"]
    for total, parts in (("employed_count", ("formal_employed_count", "informal_employed_count")),
                         ("potential_workforce_count",
                          ("potential_formal_count", "potential_informal_count"))):
        bad = labour_table.index[labour_table[list(parts)].sum(axis=1) != labour_table[total]]
        if len(bad):
            raise ReferenceDataError(f"{parts[0]} + {parts[1]} differs from {total}",
                                     path=_path("labour", directory), row=row_number(bad[0]),
                                     column=total)
    labour_2 = labour_table.set_index(["region_code", "year"])
    district_sums = tables["district_labour"].groupby(["region_code", "year"])[
        ["working_age_count", "potential_workforce_count"]].sum()
    for (code, year), row in district_sums.iterrows():
        if (code, year) in labour_2.index and (
                int(row["working_age_count"]) != int(labour_2.at[(code, year), "working_age_count"])
                or int(row["potential_workforce_count"])
                != int(labour_2.at[(code, year), "potential_workforce_count"])):
            raise ReferenceDataError(
                f"kecamatan of {code} in {year} do not add up to its labour.csv row",
                path=_path("district_labour", directory), column="working_age_count",
                fix="rebuild with python scripts/build_derived_reference.py")
    budget_table = tables["budget"]
    dbhcht = budget_table[["dbhcht_received_rp", "dbhcht_welfare_rp", "dbhcht_health_rp",
                           "dbhcht_law_rp"]]
    known = dbhcht.notna().sum(axis=1)  # all four, or none (unknown outside NTB)
    split = dbhcht.iloc[:, 1:].sum(axis=1)
    bad = budget_table.index[((known != 0) & (known != 4))
                             | ((known == 4) & (split != dbhcht["dbhcht_received_rp"]))]
    if len(bad):
        raise ReferenceDataError("DBHCHT welfare + health + law differs from the amount received",
                                 path=_path("budget", directory), row=row_number(bad[0]),
                                 column="dbhcht_received_rp")


# --------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------
def table_path(name: str, directory: Path | str | None = None) -> Path:
    """The file of a reference table (NTB or national) in ``directory`` or the default."""
    folder = Path(directory) if directory is not None else reference_dir()
    return folder / _spec(name).filename


_path = table_path


def _spec(name: str) -> TableSpec:
    spec = TABLES.get(name) or NATIONAL_TABLES.get(name)
    if spec is None:
        raise ReferenceDataError(
            f"unknown reference table '{name}'",
            fix=f"use one of: {', '.join(sorted([*TABLES, *NATIONAL_TABLES]))}",
        )
    return spec


def _as_codes(region_codes: object) -> list[str]:
    if isinstance(region_codes, (str, int, float)):
        values: Iterable[object] = [region_codes]
    else:
        values = list(region_codes)  # type: ignore[arg-type]
    codes = [normalise_region_code(value) for value in values]
    if any(code is None for code in codes) or not codes:
        raise ParameterError("region codes must not be empty",
                             fix="pass a code such as '52.02' or a list of codes")
    return codes  # type: ignore[return-value]


def _rows_for_year(name: str, year: int, directory: Path | str | None) -> pd.DataFrame:
    table = load_table(name, directory)
    result = table[table["year"] == int(year)].reset_index(drop=True)
    if result.empty:
        years = ", ".join(map(str, sorted(table["year"].unique())))
        raise ReferenceDataError(
            f"no rows for year {year}", path=_path(name, directory), column="year",
            fix=f"available years: {years}; add rows for {year} (data/README.md explains "
                "the derivations) or choose an available year",
        )
    return result


__all__ = [
    "DEFAULT_POPULATION_VINTAGE",
    "NATIONAL_BOUNDARIES_FILE",
    "NATIONAL_EXTENDS",
    "NATIONAL_TABLES",
    "DEFAULT_PROVINCE_CODE",
    "LABOUR_DENOMINATORS",
    "STATUSES",
    "TABLES",
    "UHC_CATEGORY_ORDER",
    "WORKER_KINDS",
    "TableSpec",
    "bpu_minimum_monthly_rp",
    "budget",
    "check_province_sums",
    "check_reference_tables",
    "clear_cache",
    "districts",
    "jkn_pemda_monthly_rp",
    "kabkota_codes",
    "labour",
    "labour_denominator",
    "load_table",
    "normalise_region_code",
    "paritrana_inputs",
    "population_total",
    "population_vintages",
    "rates",
    "region_name",
    "regions",
    "target_groups",
    "thresholds",
]
