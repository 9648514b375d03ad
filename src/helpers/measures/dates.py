"""The one date convention of the package: periods and reference dates in any form.

``'2024'`` → 31 Dec 2024, ``'2024-06'`` → 30 Jun 2024 (:func:`reference_date_of`);
``'2024-12-31'``, a ``date``, a ``datetime``, a ``pd.Timestamp`` or a period
(:func:`as_reference_date`). Every parameter that names a day goes through here.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from helpers.errors import ParameterError

__all__ = ["DAY_PATTERN", "PERIOD_PATTERN", "as_reference_date", "month_ends_of_year",
           "reference_date_of"]


#: A period: a year (``2024``) or a year and month 01-12 (``2024-06``), ASCII digits only.
PERIOD_PATTERN = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>0[1-9]|1[0-2]))?", re.ASCII)


def reference_date_of(period: str) -> date:
    """Reference date of a period: '2024' → 2024-12-31, '2024-06' → 2024-06-30.

    Raises:
        ParameterError: not ``YYYY`` or ``YYYY-MM`` with ASCII digits and a month 01-12
            (``2024-13``, ``2024-00``, ``2024-6``, full-width digits, spaces are refused).
    """
    match = PERIOD_PATTERN.fullmatch(str(period))
    if match is None:
        raise ParameterError(
            f"period {str(period)!r} is not a year or a year-month with a month 01-12",
            fix="write it as 2024 (year) or 2024-06 (June 2024), with plain digits")
    year = int(match["year"])
    if match["month"] is None:
        return date(year, 12, 31)
    month = int(match["month"])
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


#: A day written 'YYYY-MM-DD', optionally followed by a time ('2024-12-31 00:00:00').
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.+\-Z]*)?", re.ASCII)


def as_reference_date(value) -> date:
    """The one date convention of the package: any way of writing a reference date → a date.

    Accepted: ``datetime.date``; ``datetime.datetime``, ``pd.Timestamp`` and
    ``numpy.datetime64`` (their day; the time is ignored); text ``'2024-12-31'`` (a day,
    a time after it is ignored); a period ``'2024-06'`` → 2024-06-30 and ``'2024'`` or
    ``2024`` → 2024-12-31 (:func:`reference_date_of`). Whether the data cover the date is
    checked where the data are known (``report_data``).

    Raises:
        ParameterError: anything else (``'2024-6'``, ``'31/12/2024'``, ``2024-02-30``,
            full-width digits, NaT, None, True), in one line.
    """
    fix = ("give a day (date(2024, 12, 31), pd.Timestamp('2024-12-31'), '2024-12-31') or "
           "a period ('2024-06' = 2024-06-30, '2024' = 2024-12-31)")
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is pd.NaT or value is None or isinstance(value, bool):
        raise ParameterError(f"reference date {value!r} is not a date", fix=fix)
    if isinstance(value, date):  # datetime and pd.Timestamp are dates too
        return date(value.year, value.month, value.day)
    if isinstance(value, (int, np.integer)):
        return reference_date_of(str(int(value)))
    if isinstance(value, str):
        text = value.strip()
        if DAY_PATTERN.fullmatch(text):
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                raise ParameterError(f"reference date '{value}' is not a day of the calendar",
                                     fix=fix) from None
        if re.fullmatch(r"[0-9]{4}(?:-[0-9]{1,2})?", text, re.ASCII):
            return reference_date_of(text)  # its own message for '2024-13', '2024-6'
    raise ParameterError(f"reference date {value!r} is not a date, a year-month or a year",
                         fix=fix)


def month_ends_of_year(year: int, last_month: int) -> list[date]:
    """The month ends of ``year`` from January to ``last_month``."""
    ends = []
    for month in range(1, last_month + 1):
        first_next = date(year + month // 12, month % 12 + 1, 1)
        ends.append(date.fromordinal(first_next.toordinal() - 1))
    return ends
