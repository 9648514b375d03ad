"""Report parameters, checked where they enter: period, region, the explorer's date, the indicator parameters."""

from __future__ import annotations

import datetime as dt

import numpy as np

from helpers.data import reference
from helpers.errors import ParameterError


def data_years() -> tuple[int, ...]:
    """Years the reference tables hold labour, budget and population figures for (2022..2025)."""
    years = set(reference.load_table("labour")["year"])
    years &= set(reference.load_table("budget")["year"])
    years &= set(reference.load_table("population")["year"])
    return tuple(sorted(int(y) for y in years))


def check_period(period: str) -> dt.date:
    """The reference date of ``period`` ('2024' → 2024-12-31), checked against the data.

    Raises:
        ParameterError: not a year or year-month, or outside the years of the data.
    """
    from helpers.measures.indicators import reference_date_of

    if isinstance(period, bool) or not isinstance(period, (str, int)):
        raise ParameterError(f"period {period!r} is not a year or a year-month",
                             fix="write it as 2024 or 2024-06")
    day = reference_date_of(str(period))
    years = data_years()
    if day.year not in years:
        raise ParameterError(
            f"period {period} is outside the data ({years[0]}–{years[-1]})",
            fix=f"choose a period from {years[0]} to {years[-1]}, e.g. {years[-2]}")
    return day


def check_region(region_code: str, *, kind: str = "kabupaten/kota") -> str:
    """A known kab/kota code (or province code with ``kind='provinsi'``), normalised.

    Raises:
        ParameterError: unknown or malformed code.
    """
    code = reference.normalise_region_code(region_code)
    table = reference.regions()
    if kind == "provinsi":
        known = table.loc[table["region_type"] == "provinsi", "region_code"]
    else:
        known = table.loc[table["region_type"] != "provinsi", "region_code"]
    if code not in set(known):
        if isinstance(region_code, (int, float)) and not isinstance(region_code, bool):
            # papermill's -p reads 52.10 as the number 52.1: say so, and how to pass text
            raise ParameterError(
                f"unknown {kind} code {code} (it arrived as the number {region_code!r}: "
                "papermill's -p reads a code such as 52.10 as a number)",
                fix=f"pass the code as text: papermill -r region_code {code} (or -y "
                    f"'region_code: \"{code}\"'); known codes: " + ", ".join(sorted(known)))
        raise ParameterError(f"unknown {kind} code '{region_code}'",
                             fix="use one of " + ", ".join(sorted(known)))
    return code


def province_of(region_code: str) -> str:
    """Province code of a kab/kota ('52.02' → '52')."""
    return check_region(region_code)[:2]


def make_parameters(period: str, *, grace_months: int = 1,
                    labour_denominator: str = "bpjs_potential",
                    population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE):
    """:class:`helpers.measures.indicators.Parameters` for a period, every choice checked.

    Raises:
        ParameterError: a period outside the data, a negative grace, an unknown
            denominator or population vintage.
    """
    from helpers.measures.indicators import Parameters

    if isinstance(grace_months, bool) or not isinstance(grace_months, (int, np.integer)):
        raise ParameterError(f"grace_months {grace_months!r} is not a whole number of months",
                             fix="use 0 or more, e.g. 1")
    return Parameters(reference_date=check_period(period), grace_months=int(grace_months),
                      labour_denominator=labour_denominator,
                      population_vintage=population_vintage)


def params_dict(params) -> dict:
    return {"reference_date": params.reference_date.isoformat(),
            "grace_months": params.grace_months,
            "labour_denominator": params.labour_denominator,
            "population_vintage": params.population_vintage}


def explorer_date(value) -> dt.date:
    """A reference date in any form ``indicators.as_reference_date`` accepts, inside the data.

    ``'2024-12-31'``, ``date``, ``datetime``, ``pd.Timestamp``, ``'2024-06'`` (→ 2024-06-30)
    and ``'2024'`` (→ 2024-12-31) all give a ``datetime.date``.

    Raises:
        ParameterError: not a date or period, or a year outside the data.
    """
    from helpers.measures.indicators import as_reference_date

    day = as_reference_date(value)
    years = data_years()
    if day.year not in years:
        raise ParameterError(f"reference_date {day} is outside the data "
                             f"({years[0]}–{years[-1]})",
                             fix=f"choose a date from {years[0]} to {years[-1]}")
    return day
