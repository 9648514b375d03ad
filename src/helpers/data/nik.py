"""NIK (Nomor Induk Kependudukan) rules of DESIGN section 4, in Python and as DuckDB SQL.

A valid NIK has 16 digits ``PP KK CC DD MM YY SSSS``:

- digits 1-2, the province code, lie in 11-96;
- digits 7-8, the birth day, lie in 01-31 (men) or 41-71 (women: day + 40);
- digits 9-10, the birth month, lie in 01-12;
- digits 13-16, the serial number, are not ``0000``.

Before validating, spaces, dots and dashes are stripped (``3201 0101 …``, ``3201.0101.…``
and ``3201-0101-…`` are common in spreadsheets). Nothing else is repaired.

The region prefix (digits 1-4) is the place of first registration, not the domicile: a
mismatch with ``region_code`` is counted by the intake, never rejected.

The same rules exist twice: :func:`nik_problem` for Python values and :func:`sql_nik_problem`
for the DuckDB validation of whole registries. ``tests/test_nik.py`` checks that both agree.
"""

from __future__ import annotations

import re

#: Characters stripped from a NIK before validation (documented in docs/intake.md): space,
#: tab, line breaks, the non-breaking space that spreadsheets paste, dot and dash.
NIK_SEPARATORS = " \t\r\n\u00a0.-"
_SEPARATOR_CLASS = "[ \t\r\n\u00a0.\\-]"
NIK_LENGTH = 16
PROVINCE_MIN, PROVINCE_MAX = 11, 96

# One detail text per rule, in the order they are checked. The ledger shows these texts;
# none of them repeats digits of the NIK, so the ledger stays free of personal data.
DETAIL_EMPTY = "empty"
DETAIL_NOT_DIGITS = "contains characters other than digits"
DETAIL_PROVINCE = "province code (digits 1-2) not in 11-96"
DETAIL_DAY = "birth day (digits 7-8) not in 01-31 or 41-71"
DETAIL_MONTH = "birth month (digits 9-10) not in 01-12"
DETAIL_SERIAL = "serial number (digits 13-16) is 0000"


def detail_length(n_digits: int) -> str:
    """Ledger detail for a NIK of the wrong length, e.g. ``'15 digits, expected 16'``."""
    return f"{n_digits} digits, expected {NIK_LENGTH}"


_SEPARATOR_RE = re.compile(_SEPARATOR_CLASS)
_DIGITS_RE = re.compile(r"[0-9]+")


def normalise_nik(value: str) -> str:
    """Return ``value`` without whitespace, dots and dashes (see ``NIK_SEPARATORS``).

    Args:
        value: a NIK as written in the source file.

    Returns:
        The NIK with separators removed; no other change (letters stay, so they are rejected).
    """
    return _SEPARATOR_RE.sub("", value)


def nik_problem(nik: str) -> str | None:
    """Say what is wrong with an already normalised NIK, or ``None`` when it is valid.

    Args:
        nik: the NIK after :func:`normalise_nik`.

    Returns:
        ``None`` for a valid NIK, else the ledger detail of the first rule it breaks.
    """
    if nik == "":
        return DETAIL_EMPTY
    if not _DIGITS_RE.fullmatch(nik):
        return DETAIL_NOT_DIGITS
    if len(nik) != NIK_LENGTH:
        return detail_length(len(nik))
    if not PROVINCE_MIN <= int(nik[0:2]) <= PROVINCE_MAX:
        return DETAIL_PROVINCE
    day = int(nik[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return DETAIL_DAY
    if not 1 <= int(nik[8:10]) <= 12:
        return DETAIL_MONTH
    if nik[12:16] == "0000":
        return DETAIL_SERIAL
    return None


def is_valid_nik(value: str) -> bool:
    """Return True when ``value`` (separators allowed) is a valid NIK under DESIGN §4."""
    return nik_problem(normalise_nik(value)) is None


def nik_sex(nik: str) -> str:
    """Sex encoded in a valid NIK: ``'P'`` when the day (digits 7-8) is above 40, else ``'L'``."""
    return "P" if int(nik[6:8]) > 40 else "L"


def nik_region_code(nik: str) -> str:
    """Kab/kota of first registration of a NIK as a dotted code: ``'5202…'`` → ``'52.02'``."""
    return f"{nik[0:2]}.{nik[2:4]}"


# --------------------------------------------------------------------------- SQL versions


def sql_normalise_nik(expr: str) -> str:
    """DuckDB expression: ``expr`` (VARCHAR) without whitespace, dots and dashes.

    Most NIKs hold no separator: testing for one first is cheaper than rewriting every value
    (about a fifth of a microsecond per row, issue 16.5); the result is the same.
    """
    pattern = _quote(_SEPARATOR_CLASS)
    return (f"CASE WHEN regexp_matches({expr}, {pattern}) "
            f"THEN regexp_replace({expr}, {pattern}, '', 'g') ELSE {expr} END")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_nik_problem(nik: str) -> str:
    """DuckDB expression giving the same detail as :func:`nik_problem`, NULL when valid.

    Args:
        nik: SQL expression of the normalised NIK (VARCHAR, not NULL).
    """
    return f"""CASE
        WHEN {nik} = '' THEN {_quote(DETAIL_EMPTY)}
        WHEN NOT regexp_full_match({nik}, '[0-9]+') THEN {_quote(DETAIL_NOT_DIGITS)}
        WHEN length({nik}) <> {NIK_LENGTH}
            THEN CAST(length({nik}) AS VARCHAR) || ' digits, expected {NIK_LENGTH}'
        WHEN CAST(substr({nik}, 1, 2) AS INTEGER) NOT BETWEEN {PROVINCE_MIN} AND {PROVINCE_MAX}
            THEN {_quote(DETAIL_PROVINCE)}
        WHEN NOT (CAST(substr({nik}, 7, 2) AS INTEGER) BETWEEN 1 AND 31
                  OR CAST(substr({nik}, 7, 2) AS INTEGER) BETWEEN 41 AND 71)
            THEN {_quote(DETAIL_DAY)}
        WHEN CAST(substr({nik}, 9, 2) AS INTEGER) NOT BETWEEN 1 AND 12 THEN {_quote(DETAIL_MONTH)}
        WHEN substr({nik}, 13, 4) = '0000' THEN {_quote(DETAIL_SERIAL)}
        ELSE NULL
    END"""


def sql_nik_region_code(nik: str) -> str:
    """DuckDB expression: ``'PP.KK'`` of a valid NIK expression."""
    return f"substr({nik}, 1, 2) || '.' || substr({nik}, 3, 2)"


__all__ = [
    "DETAIL_DAY",
    "DETAIL_EMPTY",
    "DETAIL_MONTH",
    "DETAIL_NOT_DIGITS",
    "DETAIL_PROVINCE",
    "DETAIL_SERIAL",
    "NIK_LENGTH",
    "NIK_SEPARATORS",
    "PROVINCE_MAX",
    "PROVINCE_MIN",
    "detail_length",
    "is_valid_nik",
    "nik_problem",
    "nik_region_code",
    "nik_sex",
    "normalise_nik",
    "sql_nik_problem",
    "sql_nik_region_code",
    "sql_normalise_nik",
]
