"""Reading one reference CSV: column types, allowed values, code formats and unique keys;
region codes in their one written form (:func:`normalise_region_code`).

:mod:`helpers.data.reference` knows which tables exist (their specs) and what they mean;
this module turns one file into a typed, checked frame, or raises
:class:`~helpers.errors.ReferenceDataError` naming the file, the row (1-based, header =
row 1) and the column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from helpers.errors import ParameterError, ReferenceDataError

__all__ = ["STATUSES", "check_province_sums", "normalise_region_code", "read_table_file",
           "row_number"]

#: Allowed values of ``status`` on every row, from most to least certain.
STATUSES = ("official", "reported", "estimate", "illustrative")

_INT_COLUMNS = {
    "year", "population_count", "working_age_count", "labour_force_count", "employed_count",
    "formal_employed_count", "informal_employed_count", "potential_workforce_count",
    "potential_formal_count", "potential_informal_count", "apbd_total_rp",
    "dbhcht_received_rp", "dbhcht_welfare_rp", "dbhcht_health_rp", "dbhcht_law_rp",
    "target_count", "desa_count", "kelurahan_count",
}
_OPTIONAL_INT_COLUMNS = {"risk_class", "flat_rp", "wage_cap_rp"}
_FLOAT_COLUMNS = {"score", "target_value", "tolerance", "area_km2"}
_OPTIONAL_FLOAT_COLUMNS = {"wage_share", "min_coverage", "min_active_rate", "min_pemda_share"}
_DATE_COLUMNS = {"valid_from", "reference_date"}
_OPTIONAL_DATE_COLUMNS = {"valid_to"}
_OPTIONAL_TEXT_COLUMNS = {"parent_code"}
#: Columns that must lie within [0, 1] (fractions) or [0, 10] (scores).
_FRACTION_COLUMNS = {"wage_share", "min_coverage", "min_active_rate", "min_pemda_share"}
_SCORE_COLUMNS = {"score"}

_ALLOWED_VALUES = {
    "status": STATUSES,
    "region_type": ("provinsi", "kabupaten", "kota"),
    "sex": ("L", "P"),
    "scheme": ("jamsostek", "jkn"),
    "basis": ("per_month", "per_protection_period", "per_month_capped", "per_project_value"),
    "payer": ("employer", "worker", "participant", "central_government", "regional_government"),
    "category": ("uhc", "pratama", "madya", "utama"),
    "variant": ("a", "b"),
    "target_group": ("non_asn_staff", "tobacco_farmer", "fisher", "village_official",
                     "election_staff"),
    "indicator": ("regulasi", "penguasaan_narasumber", "materi_uji_pemahaman"),
    "risk_class": (1, 2, 3, 4, 5),
    "unit": ("people", "fraction"),
}

_REGION_CODE_RE = re.compile(r"^\d{2}(\.\d{2})?$")
_DISTRICT_CODE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_CODE_COLUMNS = {"region_code": _REGION_CODE_RE, "parent_code": _REGION_CODE_RE,
                 "district_code": _DISTRICT_CODE_RE}


def read_table_file(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = (),
                    key: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read ``path`` as text, check the header and every value, convert the typed columns.

    Args:
        path: the CSV (UTF-8, header row).
        columns: the required columns.
        optional: columns that may be empty on a row.
        key: columns whose combination must be unique.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                          encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ReferenceDataError(f"cannot read the table: {error}", path=path,
                                 fix="save it as UTF-8 CSV with a header row") from None
    missing = [column for column in columns if column not in raw.columns]
    if missing:
        raise ReferenceDataError(
            f"missing required column(s): {', '.join(missing)}",
            path=path,
            fix=f"the header must be: {','.join(columns)}",
        )
    table = raw.apply(lambda column: column.str.strip())
    _check_text_columns(table, path)
    table = _convert_columns(table, path, optional=set(optional))
    _check_key(table, key, path)
    return table

def row_number(index: int) -> int:
    """Spreadsheet row of a data row (header = row 1)."""
    return int(index) + 2


def _check_text_columns(table: pd.DataFrame, path: Path) -> None:
    empty_source = table.index[table["source"] == ""]
    if len(empty_source):
        raise ReferenceDataError(
            "empty source", path=path, row=row_number(empty_source[0]), column="source",
            fix="cite a URL or publication, or 'derived: <formula in data/README.md>'",
        )
    for column, allowed in _ALLOWED_VALUES.items():
        if column not in table.columns or column in _OPTIONAL_INT_COLUMNS:
            continue
        bad = table.index[~table[column].isin(allowed)]
        if len(bad):
            value = table.at[bad[0], column]
            raise ReferenceDataError(
                f"'{value}' is not an allowed value", path=path, row=row_number(bad[0]),
                column=column, fix=f"use one of: {', '.join(map(str, allowed))}",
            )
    for column, pattern in _CODE_COLUMNS.items():
        if column not in table.columns:
            continue
        values = table[column]
        optional = column in _OPTIONAL_TEXT_COLUMNS
        bad = table.index[~values.map(lambda v: bool(pattern.match(v)) or (optional and v == ""))]
        if len(bad):
            raise ReferenceDataError(
                f"'{values[bad[0]]}' is not a Kemendagri dotted code", path=path,
                row=row_number(bad[0]), column=column,
                fix="write codes as text, e.g. 52, 52.02 or 52.02.01",
            )


def _convert_columns(table: pd.DataFrame, path: Path, optional: set[str] = frozenset()
                     ) -> pd.DataFrame:
    result = table.copy()
    for column in table.columns:
        values = table[column]
        if column in _INT_COLUMNS or column in _OPTIONAL_INT_COLUMNS:
            result[column] = _to_int(values, column, path,
                                     optional=column in _OPTIONAL_INT_COLUMNS | optional)
        elif column in _FLOAT_COLUMNS or column in _OPTIONAL_FLOAT_COLUMNS:
            result[column] = _to_float(values, column, path,
                                       optional=column in _OPTIONAL_FLOAT_COLUMNS)
        elif column in _DATE_COLUMNS or column in _OPTIONAL_DATE_COLUMNS:
            result[column] = _to_date(values, column, path, optional=column in _OPTIONAL_DATE_COLUMNS)
    if "risk_class" in result.columns:
        bad = result.index[result["risk_class"].notna()
                           & ~result["risk_class"].isin(_ALLOWED_VALUES["risk_class"])]
        if len(bad):
            raise ReferenceDataError(
                f"risk class {result.at[bad[0], 'risk_class']} is not 1–5", path=path,
                row=row_number(bad[0]), column="risk_class", fix="leave empty or use 1–5",
            )
    if {"valid_from", "valid_to"} <= set(result.columns):
        bad = result.index[result["valid_to"].notna() & (result["valid_to"] < result["valid_from"])]
        if len(bad):
            raise ReferenceDataError(
                "valid_to is before valid_from", path=path, row=row_number(bad[0]),
                column="valid_to", fix="valid_to is the last day the row applies (inclusive)",
            )
    return result


def _to_int(values: pd.Series, column: str, path: Path, *, optional: bool) -> pd.Series:
    def parse(text: str) -> int | None:
        if text == "":
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(text)
        return int(text)

    parsed = []
    for index, text in values.items():
        try:
            number = parse(text)
        except ValueError:
            raise ReferenceDataError(
                f"'{text}' is not a whole number", path=path, row=row_number(index),
                column=column, fix="write whole numbers without separators (Rupiah, people)",
            ) from None
        if number is None and not optional:
            raise ReferenceDataError("missing value", path=path, row=row_number(index),
                                     column=column, fix="fill in a whole number")
        if number is not None and number < 0:
            raise ReferenceDataError(f"negative value {number}", path=path,
                                     row=row_number(index), column=column,
                                     fix="counts and Rupiah amounts cannot be negative")
        parsed.append(number)
    return pd.Series(parsed, index=values.index, dtype="Int64" if optional else "int64")


def _to_float(values: pd.Series, column: str, path: Path, *, optional: bool) -> pd.Series:
    parsed = []
    upper = 1.0 if column in _FRACTION_COLUMNS else 10.0 if column in _SCORE_COLUMNS else math.inf
    for index, text in values.items():
        if text == "":
            if not optional:
                raise ReferenceDataError("missing value", path=path, row=row_number(index),
                                         column=column, fix="fill in a number")
            parsed.append(math.nan)
            continue
        try:
            number = float(text)
        except ValueError:
            raise ReferenceDataError(
                f"'{text}' is not a number", path=path, row=row_number(index), column=column,
                fix="use a dot as decimal separator; shares are fractions 0–1 (0.98, not 98%)",
            ) from None
        if not 0.0 <= number <= upper:
            raise ReferenceDataError(
                f"{number} is outside 0–{upper:g}", path=path, row=row_number(index),
                column=column, fix="shares are fractions 0–1; scores 0–10",
            )
        parsed.append(number)
    return pd.Series(parsed, index=values.index, dtype="float64")


def _to_date(values: pd.Series, column: str, path: Path, *, optional: bool) -> pd.Series:
    parsed = []
    for index, text in values.items():
        if text == "":
            if not optional:
                raise ReferenceDataError("missing date", path=path, row=row_number(index),
                                         column=column, fix="write an ISO date, e.g. 2025-02-01")
            parsed.append(pd.NaT)
            continue
        try:
            parsed.append(pd.Timestamp(dt.date.fromisoformat(text)))
        except ValueError:
            raise ReferenceDataError(
                f"'{text}' is not an ISO date", path=path, row=row_number(index),
                column=column, fix="write dates as YYYY-MM-DD",
            ) from None
    return pd.Series(parsed, index=values.index, dtype="datetime64[ns]")


def _check_key(table: pd.DataFrame, key: tuple[str, ...], path: Path) -> None:
    duplicated = table.index[table.duplicated(list(key), keep="first")]
    if len(duplicated):
        index = duplicated[0]
        values = ", ".join(f"{column}={table.at[index, column]}" for column in key)
        raise ReferenceDataError(
            f"duplicate key ({values})", path=path, row=row_number(index), column=key[0],
            fix=f"keep one row per ({', '.join(key)})",
        )


# --------------------------------------------------------------------------------------
# Region codes
# --------------------------------------------------------------------------------------


def check_province_sums(table: pd.DataFrame, by: list[str], columns: list[str],
                        parent_of: dict[str, str], path: Path) -> None:
    """Check that every province row equals the sum of its kab/kota rows.

    Args:
        table: A table with ``region_code`` and the ``by`` and ``columns`` columns.
        by: Columns that, with the region, identify a figure (e.g. ``["year", "sex"]``).
        columns: Count columns to compare.
        parent_of: Kab/kota code → province code.
        path: The table's file, for the message.

    Raises:
        ReferenceDataError: The first province value that differs, with file and row.
    """
    frame = table.copy()
    frame["parent_code"] = frame["region_code"].map(parent_of)
    sums = frame.dropna(subset=["parent_code"]).groupby(["parent_code", *by])[columns].sum()
    for index, row in frame[frame["region_code"].isin(set(parent_of.values()))].iterrows():
        key = (row["region_code"], *[row[column] for column in by])
        if key not in sums.index:
            continue
        for column in columns:
            if int(sums.loc[key, column]) != int(row[column]):
                raise ReferenceDataError(
                    f"province value {row[column]} differs from the sum of its kab/kota "
                    f"{int(sums.loc[key, column])}",
                    path=path, row=row_number(index), column=column,
                    fix="province rows must equal the sum of their kab/kota",
                )


def normalise_region_code(value: object) -> str | None:
    """Return a region or district code in Kemendagri dotted form.

    Accepts the dotted form with stray spaces (``" 52.02 "``), the undotted BPS/NIK form
    (``"5202"``, ``"520201"``, ``"5202012001"``), integers (``52``, ``5202``) and floats
    mangled by a spreadsheet (``52.1`` → ``"52.10"``, ``52.02`` → ``"52.02"``).

    Policy: a missing value (``None``, NaN, empty or blank string) returns ``None`` so
    optional code columns stay missing; anything else that is not a code raises. The
    function checks the form only; use :func:`region_name` to check that a code exists.

    Args:
        value: The code as read from a file or parameter.

    Returns:
        ``"52"``, ``"52.02"``, ``"52.02.01"`` or ``"52.02.01.2001"`` style text, or None.

    Raises:
        ParameterError: The value is not a province, kab/kota, kecamatan or desa code.
    """
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
        else:
            text = f"{value:.2f}"
            if float(text) != value:
                raise ParameterError(f"'{value}' is not a region code",
                                     fix="write codes as text, e.g. '52.02'")
            value = text
    if isinstance(value, bool):
        raise ParameterError(f"'{value}' is not a region code", fix="write codes as text, e.g. '52.02'")
    text = str(value).strip()
    if text == "":
        return None
    if re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
        return text
    if re.fullmatch(r"\d+", text) and len(text) in (2, 4, 6, 10):
        parts = [text[0:2], text[2:4], text[4:6], text[6:10]]
        return ".".join(part for part in parts if part)
    raise ParameterError(
        f"'{value}' is not a region code",
        fix="use the Kemendagri dotted form (52, 52.02, 52.02.01) or its digits (5202)",
    )
