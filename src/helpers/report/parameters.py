"""Report parameters, checked once where they enter: :class:`ReportParameters`.

The command line, papermill's parameters and a notebook's own parameters cell all build
one frozen :class:`ReportParameters` with :meth:`ReportParameters.build`; every builder
below takes it as it is and checks nothing again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.measures.dates import as_reference_date, reference_date_of
from helpers.measures.engines import validate_engine
from helpers.measures.indicators import Parameters
from helpers.report.i18n import check_language
from helpers.report.registries import resolve_data_dir

__all__ = ["ReportParameters", "check_period", "check_region", "data_years", "explorer_date",
           "make_parameters", "params_dict", "province_of"]


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
    if isinstance(grace_months, bool) or not isinstance(grace_months, (int, np.integer)):
        raise ParameterError(f"grace_months {grace_months!r} is not a whole number of months",
                             fix="use 0 or more, e.g. 1")
    return Parameters(reference_date=check_period(period), grace_months=int(grace_months),
                      labour_denominator=labour_denominator,
                      population_vintage=population_vintage)


def params_dict(params) -> dict:
    """The indicator parameters as plain values (cache keys, the CSVs' metadata)."""
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
    day = as_reference_date(value)
    years = data_years()
    if day.year not in years:
        raise ParameterError(f"reference_date {day} is outside the data "
                             f"({years[0]}–{years[-1]})",
                             fix=f"choose a date from {years[0]} to {years[-1]}")
    return day


@dataclass(frozen=True)
class ReportParameters:
    """Every choice of one report, checked once (:meth:`build`), then read-only.

    Attributes:
        region_code: the kab/kota code ('52.02'), or the province code ('52') for the
            province overview.
        period: as given: '2024' (→ 31 Dec 2024) or '2024-06' (→ 30 Jun 2024); for the
            explorer, the date as ISO text.
        reference_date: D, the date coverage is measured at.
        lang: report language, 'id' or 'en'.
        engine: 'duckdb' or 'spark'.
        indicators: the indicator :class:`~helpers.measures.indicators.Parameters`
            (reference date, grace months, labour denominator, population vintage).
        data_dir: the folder of the registry files.
        thresholds: the UHC thresholds of D's year, resolved once.
    """

    region_code: str
    period: str
    reference_date: dt.date
    lang: str
    engine: str
    indicators: Parameters
    data_dir: Path
    thresholds: pd.DataFrame = field(repr=False, compare=False)

    @classmethod
    def build(cls, region_code, period=None, *, at=None, lang: str = "id",
              engine: str = "duckdb", grace_months: int = 1,
              labour_denominator: str = "bpjs_potential",
              population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE,
              data_dir: str | Path | None = "") -> ReportParameters:
        """Check every value once and resolve the year's reference inputs.

        Args:
            region_code: a kab/kota code, or a province code (two digits) for the overview.
            period: '2024' or '2024-06' (reports); or
            at: any date form (the explorer): '2024-12-31', a date, a Timestamp, '2024-06'.
            lang, engine, grace_months, labour_denominator, population_vintage: see the
                notebooks' parameters cells.
            data_dir: folder of jamsostek.parquet and jkn.parquet; empty = data/sample.

        Raises:
            ParameterError: any unknown or malformed value, named as typed.
            InputFileError: the data folder lacks a registry file.
        """
        if (period is None) == (at is None):
            raise ParameterError("give a period (reports) or a date (explorer), not both",
                                 fix="e.g. period='2024' or at='2024-06-30'")
        normalised = reference.normalise_region_code(region_code)
        kind = "provinsi" if "." not in normalised else "kabupaten/kota"
        code = check_region(region_code, kind=kind)
        if at is None:
            day = check_period(period)
            period = str(period)
        else:
            day = explorer_date(at)
            period = day.isoformat()
        indicator_parameters = make_parameters(
            str(day.year), grace_months=grace_months, labour_denominator=labour_denominator,
            population_vintage=population_vintage)
        indicator_parameters = Parameters(
            reference_date=day, grace_months=indicator_parameters.grace_months,
            labour_denominator=indicator_parameters.labour_denominator,
            population_vintage=indicator_parameters.population_vintage)
        return cls(region_code=code, period=period, reference_date=day,
                   lang=check_language(lang), engine=validate_engine(engine),
                   indicators=indicator_parameters, data_dir=resolve_data_dir(data_dir),
                   thresholds=reference.thresholds(day.year))

    @property
    def province_code(self) -> str:
        """'52.02' → '52'; a province's own code stays."""
        return self.region_code.split(".")[0]

    @property
    def is_province(self) -> bool:
        return "." not in self.region_code

    @property
    def year(self) -> int:
        return self.reference_date.year

    @property
    def grace_months(self) -> int:
        return self.indicators.grace_months

    @property
    def labour_denominator(self) -> str:
        return self.indicators.labour_denominator

    @property
    def population_vintage(self) -> str:
        return self.indicators.population_vintage

    def as_dict(self) -> dict:
        """What a report states about its parameters (the parameter box, the CSV metadata)."""
        code_key = "province_code" if self.is_province else "region_code"
        return {code_key: self.region_code, "period": self.period,
                **params_dict(self.indicators)}
