"""Arrow tables of the synthetic registries: names, date strings, injected faults.

Turns the spell arrays of :mod:`helpers.data.sample_jkn` and
:mod:`helpers.data.sample_jamsostek` into tables with the DESIGN section 4 columns, and
appends faulty copies of valid rows (one fault each, at ``FAULT_RATES``) so the intake's
ledger can be checked against known counts.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.data.sample_design import FAMILY_NAMES, FIRST_NAMES_FEMALE, FIRST_NAMES_MALE
from helpers.data.sample_people import NO_DATE
from helpers.data.schema import column_names

__all__ = ["FAULT_RATES", "date_strings", "inject_faults", "prefix_mismatches", "to_table"]

#: Share of rows (relative to the valid rows) injected as faulty extra rows, by ledger reason.
FAULT_RATES = {
    "duplicate_row": 0.003,
    "invalid_nik": 0.001,
    "unparseable_date": 0.0005,
    "end_before_start": 0.0005,
    "unknown_region": 0.0003,
    "missing_value": 0.0005,
}


def date_strings(days: np.ndarray) -> pa.Array:
    mask = days == NO_DATE
    array = pa.array(np.where(mask, 0, days).astype(np.int32), type=pa.date32(),
                     mask=mask)
    return pc.strftime(array, format="%Y-%m-%d")


def _names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    size = len(female)
    male_names = pa.array(FIRST_NAMES_MALE).take(
        pa.array(rng.integers(0, len(FIRST_NAMES_MALE), size)))
    female_names = pa.array(FIRST_NAMES_FEMALE).take(
        pa.array(rng.integers(0, len(FIRST_NAMES_FEMALE), size)))
    first = pc.if_else(pa.array(female), female_names, male_names)
    family = pa.array(FAMILY_NAMES).take(pa.array(rng.integers(0, len(FAMILY_NAMES), size)))
    return pc.binary_join_element_wise(first, family, " ")


def to_table(rng: np.random.Generator, spells: dict, residents: dict,
             region_codes: tuple[str, ...], registry: str) -> pa.Table:
    """The registry table of ``spells`` (DESIGN section 4 columns, dates as ISO text)."""
    person = spells["person"]
    region_codes = np.array(region_codes)[residents["region"][person]]
    district = residents["district"][person]
    female = residents["female"][person]
    region = pa.array(region_codes)
    columns = {
        "nik": pc.cast(pa.array(residents["nik"][person]), pa.string()),
        "full_name": _names(rng, female),
        "birth_date": date_strings(residents["birth"][person]),
        "sex": pc.if_else(pa.array(female), "P", "L"),
        "region_code": region,
        "district_code": pc.binary_join_element_wise(
            region, pc.utf8_lpad(pc.cast(pa.array(district), pa.string()), 2, "0"), "."),
        "segment": pa.array(spells["segment"].astype(str)),
    }
    if registry == "jamsostek":
        risk = spells["risk"].astype(np.int8)
        columns.update({
            "occupation": pa.array(spells["occupation"].astype(str)),
            "funding_source": pa.array(spells["funding"].astype(str)),
            "wage_rp": pa.array(spells["wage"].astype(np.int64)),
            "risk_class": pa.array(risk, mask=risk == 0),
            "programmes": pa.array(spells["programmes"].astype(str)),
        })
    else:
        columns["care_class"] = pa.array(spells["care_class"].astype(np.int8))
    columns.update({
        "start_date": date_strings(spells["start"]),
        "end_date": date_strings(spells["end"]),
        "paid_through": date_strings(spells["paid"]),
    })
    assert list(columns) == column_names(registry)
    return pa.table(columns)


def _invalid_niks(rng: np.random.Generator, niks: list[str]) -> list[str]:
    """Break each NIK in one of the ways real extracts do; each breaks a DESIGN §4 rule."""
    broken = []
    for index, nik in enumerate(niks):
        kind = index % 6
        if kind == 0:
            broken.append(nik[:15])                      # 15 digits
        elif kind == 1:
            broken.append(nik + str(rng.integers(0, 10)))  # 17 digits
        elif kind == 2:
            broken.append("99" + nik[2:])                # province code outside 11-96
        elif kind == 3:
            broken.append(nik[:8] + "13" + nik[10:])     # month 13
        elif kind == 4:
            broken.append(nik[:6] + "35" + nik[8:])      # day 35 (neither 01-31 nor 41-71)
        else:
            broken.append(nik[:12] + "0000")             # serial 0000
    return broken


def inject_faults(rng: np.random.Generator, table: pa.Table, registry: str
                   ) -> tuple[pa.Table, dict[str, int]]:
    """Append faulty copies of valid rows, one fault per row, and shuffle."""
    valid_rows = table.num_rows
    counts = {reason: int(round(rate * valid_rows)) for reason, rate in FAULT_RATES.items()}
    pieces = [table]
    for reason, count in counts.items():
        if count == 0:
            continue
        rows = table.take(pa.array(rng.choice(valid_rows, size=count, replace=False)))
        if reason == "duplicate_row":
            pieces.append(rows)
            continue
        frame = rows.to_pandas()
        if reason == "invalid_nik":
            frame["nik"] = _invalid_niks(rng, list(frame["nik"]))
        elif reason == "unparseable_date":
            bad = np.array(["2024-02-30", "31/02/2024", "00/00/0000", "unknown"])
            frame["start_date"] = bad[np.arange(count) % len(bad)]
        elif reason == "end_before_start":
            start = frame["start_date"].astype("datetime64[ns]")
            frame["end_date"] = (start - np.timedelta64(30, "D")).dt.strftime("%Y-%m-%d")
        elif reason == "unknown_region":
            province = str(frame["region_code"].iloc[0])[:2]
            bad = np.array(["52.99", "53.01", "52.09"] if province == "52" else
                            [f"{province}.99", "99.01", f"{province}.98"])
            frame["region_code"] = bad[np.arange(count) % len(bad)]
            frame["district_code"] = None
        elif reason == "missing_value":
            column = np.array(["segment", "sex", "start_date"])[np.arange(count) % 3]
            for name in ("segment", "sex", "start_date"):
                frame.loc[column == name, name] = None
        pieces.append(pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False))
    combined = pa.concat_tables(pieces)
    return combined.take(pa.array(rng.permutation(combined.num_rows))), counts


def prefix_mismatches(table: pa.Table) -> int:
    """Valid rows whose NIK prefix (place of first registration) is not the domicile."""
    nik = table["nik"]
    prefix = pc.binary_join_element_wise(pc.utf8_slice_codeunits(nik, 0, 2),
                                         pc.utf8_slice_codeunits(nik, 2, 4), ".")
    return int(pc.sum(pc.not_equal(prefix, table["region_code"])).as_py() or 0)


