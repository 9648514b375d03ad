"""Build intake-shaped Ibis tables from a few rows written inside a test (STYLE 9)."""

from __future__ import annotations

import ibis
import pandas as pd

DATE_COLUMNS = ("start_date", "end_date", "paid_through")
TYPED_COLUMNS = {"wage_rp": "int64", "risk_class": "int8", "district_code": "string",
                 "nik_region_code": "string"}


def intake_table(rows: list[dict], defaults: dict) -> ibis.Table:
    """An in-memory table with the intake's column types; ``defaults`` fill unset columns."""
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    for column in DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    table = ibis.memtable(frame)
    casts = {column: table[column].cast("date") for column in DATE_COLUMNS}
    casts.update({column: table[column].cast(kind) for column, kind in TYPED_COLUMNS.items()
                  if column in table.columns})
    return table.mutate(**casts)
