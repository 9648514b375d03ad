"""The researcher's words for a query: region codes or names, filter values, groupings.

:func:`resolve_regions` turns '52.03', 'Lombok Timur', 'Kab. Lombok Timur' or the province
into kab/kota codes; :func:`resolve_filters` checks each filter value against the
registry's codes (with aliases such as 'informal', 'perempuan', '25-34' or a kecamatan
name) and says what is allowed when a value is not. Used by :mod:`helpers.report.query`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.data.schema import (
    CARE_CLASSES,
    FORMAL_SEGMENTS,
    FUNDING_SOURCES,
    INFORMAL_SEGMENTS,
    JAMSOSTEK_SEGMENTS,
    JKN_SEGMENTS,
    OCCUPATIONS,
    SEXES,
)
from helpers.errors import ParameterError
from helpers.measures import indicators

__all__ = ["AGE_GROUP_LABELS", "BY_COLUMNS", "COLUMN_ALIASES", "FILTER_COLUMNS", "REGISTRIES",
           "SEGMENT_GROUPS", "SEX_ALIASES", "allowed_values", "check_by", "check_registry",
           "resolve_filters", "resolve_regions"]

REGISTRIES = ("jamsostek", "jkn")
#: Columns a query can filter on or group by, per registry (region: the ``region`` argument).
FILTER_COLUMNS = {
    "jamsostek": ("segment", "sex", "occupation", "funding_source", "age_group",
                  "district_code"),
    "jkn": ("segment", "sex", "age_group", "district_code", "care_class"),
}
BY_COLUMNS = {name: ("region_code", *columns) for name, columns in FILTER_COLUMNS.items()}
#: Segment groups a jamsostek filter may name (DESIGN §6: formal = PU + JAKON + PMI).
SEGMENT_GROUPS = {"formal": FORMAL_SEGMENTS, "informal": INFORMAL_SEGMENTS}
SEX_ALIASES = {"male": "L", "laki_laki": "L", "female": "P", "perempuan": "P"}
#: Other names of a filter or ``by`` column.
COLUMN_ALIASES = {"region": "region_code", "district": "district_code",
                  "kecamatan": "district_code", "age": "age_group"}
AGE_GROUP_LABELS = tuple(label for _, _, label in indicators.AGE_GROUPS) + ("unknown",)


# =========================================================================== regions


def resolve_regions(region) -> list[str]:
    """Kab/kota codes for a code, a name, a province, or a list of these (order kept).

    Names are matched case-insensitively; 'Kab.', 'Kabupaten' and 'Kota' prefixes are
    tolerated ('Bima' is the kabupaten, 'Kota Bima' the city); a province ('52',
    'Nusa Tenggara Barat', 'NTB') stands for its kab/kota.

    Raises:
        ParameterError: an unknown or ambiguous region, naming the close matches.
    """
    items = [region] if isinstance(region, (str, int, np.integer)) else region
    if items is None or isinstance(items, (bool, float)) or not isinstance(items, Iterable):
        raise ParameterError(f"region {region!r} is not a code or a name",
                             fix="give e.g. '52.03', 'Lombok Timur' or a list of them")
    codes: list[str] = []
    for item in items:
        for code in _resolve_region(item):
            if code not in codes:
                codes.append(code)
    if not codes:
        raise ParameterError("no region given", fix="give e.g. '52.03' or 'Lombok Timur'")
    return codes


def _resolve_region(item) -> list[str]:
    if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
        raise ParameterError(f"region {item!r} is not a code or a name",
                             fix="give e.g. '52.03' or 'Lombok Timur'")
    text = str(item).strip()
    table = reference.regions()
    if re.fullmatch(r"[0-9.]+", text, re.ASCII):
        code = reference.normalise_region_code(text)
        if code is not None and code.count(".") >= 2:
            raise ParameterError(
                f"'{text}' is a kecamatan code, not a kab/kota",
                fix=f"use region='{code[:5]}', filters={{'district_code': '{code[:8]}'}}")
        row = table[table["region_code"] == code]
        if row.empty:
            raise ParameterError(f"unknown region code '{text}'",
                                 fix="use one of " + _listing(table, code))
        return _kabkota(row.iloc[0])
    kind, bare = _split_name(text)
    if not bare:
        raise ParameterError("empty region name", fix="give e.g. 'Lombok Timur' or '52.03'")
    names = table.assign(bare=[_split_name(n)[1] for n in table["region_name"]],
                         full=[_key(n) for n in table["region_name"]])
    initials = ["".join(w[0] for w in n.split()) if t == "provinsi" else ""
                for n, t in zip(names["bare"], names["region_type"])]
    found = names[((names["bare"] == bare) | (pd.Series(initials, index=names.index) == bare))
                  & ((names["region_type"] == kind) if kind else True)]
    if len(found) > 1:
        exact = found[found["full"] == _key(text)]
        found = exact if len(exact) == 1 else found
    if len(found) > 1:
        raise ParameterError(f"region '{text}' is ambiguous: " + _describe(found),
                             fix="add 'Kota' or 'Kab.' or give the code")
    if found.empty:
        close = difflib.get_close_matches(bare, list(dict.fromkeys(names["bare"])), n=3,
                                          cutoff=0.6)
        hint = " or ".join(_describe(names[names["bare"] == bare_name])
                           for bare_name in close)
        raise ParameterError(f"unknown region '{text}'",
                             fix=(f"did you mean {hint}? " if hint else "")
                             + "use a name or code of data/reference/regions.csv, e.g. "
                               "'Lombok Timur' or '52.03'")
    return _kabkota(found.iloc[0])


def _kabkota(row) -> list[str]:
    if row["region_type"] == "provinsi":
        return reference.kabkota_codes(row["region_code"])
    return [row["region_code"]]


def _split_name(text: str) -> tuple[str | None, str]:
    """('kota' / 'kabupaten' / 'provinsi' / None, the name without that prefix), lower case."""
    key = _key(text).replace("_", " ")
    for prefixes, kind in ((("kabupaten ", "kab. ", "kab "), "kabupaten"), (("kota ",), "kota"),
                           (("provinsi ", "prov. ", "prov "), "provinsi")):
        for prefix in prefixes:
            if key.startswith(prefix):
                return kind, key[len(prefix):].strip()
    return None, key


def _describe(rows: pd.DataFrame) -> str:
    return " or ".join(f"{name} ({code})" for name, code in
                       zip(rows["region_name"], rows["region_code"]))


def _listing(table: pd.DataFrame, code: str | None) -> str:
    province = (code or "")[:2]
    rows = table[table["parent_code"] == province]
    rows = rows if len(rows) else table[table["region_type"] == "provinsi"]
    return ", ".join(f"{c} {n}" for c, n in zip(rows["region_code"], rows["region_name"]))


# =========================================================================== filters


def resolve_filters(registry: str, filters: Mapping[str, object] | None,
                    region_codes: list[str]) -> dict[str, tuple]:
    """Filters with every value checked and written as the registry writes it.

    Returns:
        column → tuple of values; for age_group, labels and (low, high) age ranges.

    Raises:
        ParameterError: an unknown column or value, naming the allowed ones.
    """
    registry = check_registry(registry)
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise ParameterError(f"filters {filters!r} is not a dict",
                             fix="give e.g. {'segment': 'BPU', 'sex': 'P'}")
    result = {}
    for column, value in filters.items():
        column = _check_column(registry, column, FILTER_COLUMNS, "filter")
        items = _as_items(column, value)
        if not items:
            raise ParameterError(f"filter '{column}' has no value",
                                 fix="give a value or a list of values")
        values: list = []
        for item in items:
            for canonical in _canonical(registry, column, item, region_codes):
                if canonical not in values:
                    values.append(canonical)
        result[column] = tuple(values)
    return result


def _as_items(column: str, value) -> list:
    if column == "age_group" and _is_age_range(value):
        return [value]
    if isinstance(value, (str, int, np.integer)) or np.isscalar(value):
        return [value]
    return list(value)


def _is_age_range(value) -> bool:
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    for v in value))


def _canonical(registry: str, column: str, item, region_codes: list[str]) -> list:
    allowed = allowed_values(registry, column, region_codes)
    if column == "age_group" and _is_age_range(item):
        low, high = int(item[0]), int(item[1])
        if not 0 <= low <= high:
            raise ParameterError(f"age range {tuple(item)} is not (youngest, oldest)",
                                 fix="give whole years, e.g. (25, 34)")
        return [(low, high)]
    if column == "care_class":
        text = str(item).strip()
        if isinstance(item, bool) or not re.fullmatch(r"[0-9]+", text, re.ASCII) or \
                int(text) not in allowed:
            raise ParameterError(f"unknown care_class '{item}'",
                                 fix=f"use one of {', '.join(map(str, allowed))}")
        return [int(text)]
    if not isinstance(item, str):
        raise ParameterError(f"{column} value {item!r} is not text",
                             fix=f"use one of {', '.join(map(str, allowed))}")
    key = _key(item.replace("–", "-"))
    if column == "segment" and registry == "jamsostek" and key in SEGMENT_GROUPS:
        return list(SEGMENT_GROUPS[key])
    if column == "sex" and key in SEX_ALIASES:
        return [SEX_ALIASES[key]]
    if column == "district_code":
        return [_district(item, region_codes)]
    by_key = {_key(value): value for value in allowed}
    if key in by_key:
        return [by_key[key]]
    extra = {"segment": " (or formal, informal)" if registry == "jamsostek" else "",
             "age_group": " (or ages, e.g. (25, 29))", "sex": " (or male, female)"}.get(column, "")
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    hint = f"did you mean '{by_key[close[0]]}'? " if close else ""
    raise ParameterError(f"unknown {column} '{item}' in {registry}",
                         fix=f"{hint}use one of {', '.join(map(str, allowed))}{extra}")


def allowed_values(registry: str, column: str, region_codes: list[str]) -> tuple:
    if column == "segment":
        return JAMSOSTEK_SEGMENTS if registry == "jamsostek" else JKN_SEGMENTS
    return {"sex": SEXES, "occupation": OCCUPATIONS, "funding_source": FUNDING_SOURCES,
            "care_class": CARE_CLASSES, "age_group": AGE_GROUP_LABELS,
            "district_code": tuple(_districts(region_codes)["district_code"])}[column]


def _districts(region_codes: list[str]) -> pd.DataFrame:
    table = reference.districts()
    return table[table["region_code"].isin(region_codes)].reset_index(drop=True)


def _district(item: str, region_codes: list[str]) -> str:
    """A kecamatan of the chosen regions, by code ('52.02.01', '520201') or name ('Praya')."""
    table = _districts(region_codes)
    text = item.strip()
    if re.fullmatch(r"[0-9.]+", text, re.ASCII):
        code = reference.normalise_region_code(text)
        if code in set(table["district_code"]):
            return code
        raise ParameterError(f"district_code '{item}' is not a kecamatan of "
                             f"{', '.join(region_codes)}",
                             fix="use one of " + ", ".join(
                                 f"{c} {n}" for c, n in zip(table["district_code"],
                                                            table["district_name"])))
    keys = [_key(name) for name in table["district_name"]]
    found = table[[k == _key(text) for k in keys]]
    if len(found) == 1:
        return str(found["district_code"].iloc[0])
    if len(found) > 1:
        raise ParameterError(f"kecamatan '{item}' is ambiguous: " + ", ".join(
            found["district_code"]), fix="give its code")
    close = difflib.get_close_matches(_key(text), keys, n=3, cutoff=0.6)
    hint = ", ".join(f"{table['district_name'][keys.index(k)]} "
                     f"({table['district_code'][keys.index(k)]})" for k in close)
    raise ParameterError(f"unknown kecamatan '{item}' in {', '.join(region_codes)}",
                         fix=(f"did you mean {hint}? " if hint else "")
                         + "give a kecamatan code or name of data/reference/districts.csv")


# =========================================================================== small checks


def check_registry(registry) -> str:
    name = str(registry).strip().lower() if isinstance(registry, str) else registry
    if name not in REGISTRIES:
        raise ParameterError(f"unknown registry {registry!r}",
                             fix="use 'jamsostek' (BPJS Ketenagakerjaan) or 'jkn'")
    return name


def _check_column(registry: str, column, known: Mapping[str, tuple], what: str) -> str:
    name = _key(column) if isinstance(column, str) else column
    name = COLUMN_ALIASES.get(name, name)
    if name == "region_code" and what == "filter":
        raise ParameterError(f"cannot {what} by '{column}'",
                             fix="choose regions with region=, e.g. region=['52.01', '52.02']")
    if name not in known[registry]:
        other = [r for r in REGISTRIES if r != registry and name in known[r]]
        where = f" ({other[0]} has it)" if other else ""
        raise ParameterError(f"cannot {what} {registry} by '{column}'{where}",
                             fix="use one of " + ", ".join(known[registry]))
    return name


def check_by(registry: str, by) -> list[str]:
    if by is None:
        return []
    items = [by] if isinstance(by, str) else list(by)
    groups: list[str] = []
    for item in items:
        column = _check_column(registry, item, BY_COLUMNS, "group")
        if column not in groups:
            groups.append(column)
    return groups


def _key(text: str) -> str:
    """Case- and spacing-insensitive form: 'Tobacco farmer' → 'tobacco_farmer'."""
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())
