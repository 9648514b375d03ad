"""The shape of a registry file (a history, or a snapshot at an extract date); how "active" is told.

A registry with ``paid_through`` is a history (DESIGN section 4): active = paid no more
than ``grace_months`` before the month of the reference date. BPJS lists given to a Pemda
are often *snapshots*: one row per member at the day the list was drawn (the extract
date), with a status column (``Status Peserta``: AKTIF / NON AKTIF …) and no
paid_through. Then "active" means status AKTIF at the extract date, and members and
active people are known at that date only.

The extract date comes, in this order, from the ``extract_date`` parameter
(``--extract-date``), the Parquet metadata key ``extract_date``, a title row above the
header (``Data per 30/06/2024``, ``Posisi: 30 Juni 2024``) or the file name
(``jkn_2024-06-30.csv``, ``jkn_20240630.xlsx``). Two of the last three that disagree are
refused. A status without paid_through and without an extract date is refused: the day
the status describes is not known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers.data.validation_sql import REQUIRED_COLUMNS, SNAPSHOT_REQUIRED_COLUMNS
from helpers.errors import ParameterError, SchemaError

#: Parquet key-value metadata that names the extract date (``YYYY-MM-DD``).
PARQUET_METADATA_KEY = "extract_date"
#: Months as Indonesian and English exports write them (``30 Juni 2024``, ``30 Jun 2024``).
MONTHS = {"januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "february": 2,
          "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
          "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "agustus": 8,
          "agu": 8, "agt": 8, "aug": 8, "august": 8, "september": 9, "sep": 9, "sept": 9,
          "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11, "nov": 11,
          "nopember": 11, "desember": 12, "des": 12, "dec": 12, "december": 12}
#: Words of a title row that introduce the day a list describes.
TITLE_WORDS = (r"(per|posisi|keadaan|tanggal|tgl|tanggal data|tgl data|tarik data|as of|"
               r"extract(?:ed)?|status)")

_ISO = r"(?P<y>(?:19|20)[0-9]{2})[-_.]?(?P<m>0[1-9]|1[0-2])[-_.]?(?P<d>0[1-9]|[12][0-9]|3[01])"
_NAME_DATE_RE = re.compile(rf"(?<![0-9]){_ISO}(?![0-9])")
_DMY_RE = re.compile(r"(?<![0-9])(?P<d>[0-9]{1,2})[/.-](?P<m>[0-9]{1,2})[/.-]"
                     r"(?P<y>(?:19|20)[0-9]{2})(?![0-9])")
_WORD_DATE_RE = re.compile(r"(?<![0-9])(?P<d>[0-9]{1,2})\s+(?P<month>[A-Za-z]+)\.?\s+"
                           r"(?P<y>(?:19|20)[0-9]{2})(?![0-9])")


@dataclass(frozen=True)
class RegistryShape:
    """How a registry file is read.

    Attributes:
        active_basis: 'paid_through', 'status' or 'none'.
        snapshot: every row is a member at ``extract_date`` only (no history).
        extract_date: the day a snapshot describes; None for a history.
        extract_date_source: 'parameter', 'parquet metadata', 'title row', 'file name' or ''.
        required: columns a row cannot be used without.
    """

    active_basis: str
    snapshot: bool
    extract_date: dt.date | None
    extract_date_source: str
    required: tuple[str, ...]


def parse_extract_date(value) -> dt.date | None:
    """The ``extract_date`` parameter as a date (a date, or text ``YYYY-MM-DD``).

    Raises:
        ParameterError: anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ParameterError(f"extract date {value!r} is not a day written YYYY-MM-DD",
                             fix="give the day the list was drawn, e.g. --extract-date "
                                 "2024-06-30") from None


def date_in_file_name(path: str | Path) -> dt.date | None:
    """The date a file name carries: ``jkn_2024-06-30.csv``, ``jkn_20240630.xlsx``.
    None when it carries none, or two different ones."""
    found = {_day(match["y"], match["m"], match["d"])
             for match in _NAME_DATE_RE.finditer(Path(path).name)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def date_in_title_rows(lines: Iterable[str]) -> dt.date | None:
    """The date a title row above the header gives (``Data Peserta JKN per 30/06/2024``,
    ``Posisi: 30 Juni 2024``, ``Tanggal data 2024-06-30``); None when none or several."""
    found = set()
    for line in lines:
        text = " ".join(str(line).split())
        if not re.search(rf"\b{TITLE_WORDS}\b", text, re.IGNORECASE):
            continue
        for match in _DMY_RE.finditer(text):
            found.add(_day(match["y"], match["m"], match["d"]))
        for match in _NAME_DATE_RE.finditer(text):
            found.add(_day(match["y"], match["m"], match["d"]))
        for match in _WORD_DATE_RE.finditer(text):
            month = MONTHS.get(match["month"].lower())
            if month:
                found.add(_day(match["y"], month, match["d"]))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _day(year, month, day) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def decide_shape(mapped: Iterable[str], path: str | Path, *, extract_date=None,
                 snapshot: bool = False, title_lines: Iterable[str] = (),
                 metadata_date: dt.date | None = None,
                 status_header: str | None = None) -> RegistryShape:
    """Decide how a file is read from the columns it has and the dates it carries.

    Args:
        mapped: canonical columns the file has.
        path: the file (its name may carry the extract date).
        extract_date: the extract date given by the user (wins over the file's own).
        snapshot: read the file as a snapshot even when it has paid_through (a folder of
            dated snapshots).
        title_lines: text of the rows above the header.
        metadata_date: the date of the Parquet metadata key ``extract_date``.
        status_header: the file's header of the status column, for the message.

    Raises:
        SchemaError: the file's own dates disagree; a status column without paid_through
            and without an extract date.
        ParameterError: a snapshot without an extract date.
    """
    mapped = set(mapped)
    given = parse_extract_date(extract_date)
    found = {source: day for source, day in (
        ("parquet metadata", metadata_date), ("title row", date_in_title_rows(title_lines)),
        ("file name", date_in_file_name(path))) if day is not None}
    if given is not None:
        day, source = given, "parameter"
    elif len(set(found.values())) > 1:
        said = ", ".join(f"the {source} says {day.isoformat()}" for source, day in found.items())
        raise SchemaError(f"the extract date is ambiguous: {said}", path=path,
                          fix="give the day the list was drawn with --extract-date YYYY-MM-DD")
    elif found:
        source, day = next(iter(found.items()))
    else:
        day, source = None, ""
    basis = ("paid_through" if "paid_through" in mapped else
             "status" if "status" in mapped else "none")
    if basis == "status" and day is None:
        raise SchemaError(
            "has a status column but no paid_through and no extract date: the status describes "
            "a day that is not known", path=path, column=status_header or "status",
            fix="give the day the list was drawn with --extract-date YYYY-MM-DD (extract_date= "
                "in Python), or name the file like jkn_2024-06-30.csv")
    is_snapshot = snapshot or (basis != "paid_through" and day is not None)
    if is_snapshot and day is None:
        raise ParameterError("a snapshot needs the day it describes", fix="give --extract-date "
                             "YYYY-MM-DD or name the file like jkn_2024-06-30.csv")
    return RegistryShape(
        active_basis=basis, snapshot=is_snapshot, extract_date=day if is_snapshot else None,
        extract_date_source=source if is_snapshot else "",
        required=SNAPSHOT_REQUIRED_COLUMNS if is_snapshot else REQUIRED_COLUMNS)


__all__ = [
    "MONTHS",
    "PARQUET_METADATA_KEY",
    "RegistryShape",
    "date_in_file_name",
    "date_in_title_rows",
    "decide_shape",
    "parse_extract_date",
]
