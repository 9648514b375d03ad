"""The intake's validation query: every rule a registry row must pass, as one SQL query.

:func:`build_validation_sql` turns the mapped source columns into one DuckDB query that
normalises every value (case, separators, date and amount formats), checks it, gives a
rejected row the first reason that applies and the ledger column and detail, and
computes the output columns (keyed pseudonym, birth year, defaults). It is a chain of
plain projections, so DuckDB streams the source through it in parallel.
:func:`collapse_duplicates` then marks later copies of an accepted row. The rules are
described for users in ``docs/intake.md``; :mod:`helpers.data.intake` runs the query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from helpers.data import nik as nik_rules
from helpers.data import pseudonym, schema
from helpers.data.vocabularies import value_key_known_sql, vocabulary_sql

#: Columns a row cannot be used without (an empty value is ``missing_value``).
REQUIRED_COLUMNS = ("nik", "sex", "region_code", "segment", "start_date")
#: A snapshot (every row a member at its extract date) may lack the start of membership.
SNAPSHOT_REQUIRED_COLUMNS = ("nik", "sex", "region_code", "segment")
#: Declared monthly wages above this are taken as typing errors (an intake rule of this
#: project, not a regulation: the highest contribution ceilings are around Rp12 juta).
WAGE_CEILING_RP = 1_000_000_000
#: Dates outside these years are rejected as ``unparseable_date`` (typos such as 0024, 2204).
DATE_MIN_YEAR, DATE_MAX_YEAR = 1900, 2100
#: Excel serial day numbers accepted as dates: 61 = 1900-03-01 (after Excel's phantom
#: 1900-02-29) to 73415 = 2100-12-31.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 61, 73415
#: Default ``funding_source`` of a jamsostek spell with none given: wage earners' employers
#: pay (PP 44/2015), BPU and migrant workers pay themselves.
DEFAULT_FUNDING_SOURCE = {"PU": "employer", "JAKON": "employer", "BPU": "self", "PMI": "self"}
#: A NIK written as a number: scientific notation (``5.20201E+15``, ``5,2E+15``) or a
#: decimal with only zeros after the point (``5202010101900001.0``). Either means the NIK
#: went through a number format, which keeps 15 (Excel) or about 16 (float) significant
#: digits, so the file is refused.
#: A NIK Excel turned into a number: 16 digits shown as 5.20201E+15 (exponents 13-17 cover a
#: NIK with a digit too few or too many). ``0E0`` or ``1e5`` are not NIKs written as numbers
#: but plain invalid NIKs, rejected row by row.
NIK_SCIENTIFIC_RE = r"[0-9]([.,][0-9]+)?[eE]\+?(0?1[3-7])"
NIK_DECIMAL_RE = r"[0-9]{6,}[.,]0+"
#: A ledger detail quotes a value only when it is a short code (see :func:`_shown`).
LEDGER_QUOTE_MAX_CHARS = 12
_WHITESPACE = " \t\r\n\u00a0"
_DATE_HELP = "expected YYYY-MM-DD, DD/MM/YYYY or an Excel serial number"


def quote_literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _in_list(values: Iterable[str]) -> str:
    values = list(values)
    return "(" + ", ".join(quote_literal(value) for value in values) + ")" if values else "(NULL)"


def output_columns(registry: str) -> list[str]:
    """Columns of the accepted, pseudonymised table, in order."""
    head = ["person_id", "sex", "birth_year", "region_code", "district_code",
            "nik_region_code", "segment"]
    middle = (["occupation", "funding_source", "wage_rp", "risk_class", "programmes"]
              if registry == "jamsostek" else ["care_class"])
    return head + middle + ["start_date", "end_date", "paid_through", "status", "extract_date",
                            "active_basis"]


def _text_sql(column_sql: str, duckdb_type: str) -> str:
    """A source column as trimmed text, NULL when blank, whatever its storage type."""
    upper = duckdb_type.upper()
    if upper.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                         "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")):
        return f"CAST({column_sql} AS VARCHAR)"
    if upper.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
        return (f"CASE WHEN {column_sql} = trunc({column_sql}) AND abs({column_sql}) < 1e18 "
                f"THEN CAST(CAST({column_sql} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({column_sql} AS VARCHAR) END")
    if upper == "DATE":
        return f"strftime({column_sql}, '%Y-%m-%d')"
    if upper.startswith("TIMESTAMP"):
        return f"strftime(CAST({column_sql} AS DATE), '%Y-%m-%d')"
    ws = quote_literal(_WHITESPACE)
    return f"NULLIF(trim(CAST({column_sql} AS VARCHAR), {ws}), '')"


def _date_sql(text: str) -> str:
    """Parse a text date (no range check): ISO date or timestamp, day/month/year with
    '/', '.' or '-', or an Excel serial day number. NULL when it is none of these."""
    return f"""CASE
        WHEN length({text}) = 10 AND substr({text}, 5, 1) = '-' AND substr({text}, 8, 1) = '-'
            THEN CAST(try_strptime({text}, '%Y-%m-%d') AS DATE)
        WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}')
            THEN CAST(try_strptime({text}, '%Y-%m-%d') AS DATE)
        WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]+)?)?')
            THEN CAST(try_strptime(substr({text}, 1, 10), '%Y-%m-%d') AS DATE)
        WHEN regexp_full_match({text}, '[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-][0-9]{{4}}')
            THEN CAST(try_strptime(regexp_replace({text}, '[.-]', '/', 'g'), '%d/%m/%Y') AS DATE)
        WHEN regexp_full_match({text}, '[0-9]{{1,5}}(\\.0+)?')
             AND CAST(CAST({text} AS DOUBLE) AS INTEGER) BETWEEN {EXCEL_SERIAL_MIN} AND {EXCEL_SERIAL_MAX}
            THEN DATE '1899-12-30' + CAST(CAST({text} AS DOUBLE) AS INTEGER)
        ELSE NULL END"""


def _date_in_range_sql(value: str) -> str:
    return f"CASE WHEN year({value}) BETWEEN {DATE_MIN_YEAR} AND {DATE_MAX_YEAR} THEN {value} END"


def _wage_clean_sql(text: str) -> str:
    """Drop a leading 'Rp' / 'Rp.' and every space from an amount."""
    return (f"regexp_replace(regexp_replace(upper({text}), '^RP\\.?', ''), "
            f"'[ \u00a0]', '', 'g')")


def _wage_sql(w: str) -> str:
    """Parse a cleaned Rupiah amount: 1234567, 1.234.567(,00), 16800,5, 16800.0, 1,234,567."""
    return f"""CASE
        WHEN regexp_full_match({w}, '-?[0-9]{{1,18}}') THEN CAST({w} AS BIGINT)
        WHEN regexp_full_match({w}, '-?[0-9]{{1,3}}(\\.[0-9]{{3}}){{1,5}}(,[0-9]+)?')
            THEN CAST(round(CAST(replace(replace({w}, '.', ''), ',', '.') AS DOUBLE)) AS BIGINT)
        WHEN regexp_full_match({w}, '-?[0-9]{{1,3}}(,[0-9]{{3}}){{1,5}}(\\.[0-9]+)?')
            THEN CAST(round(CAST(replace({w}, ',', '') AS DOUBLE)) AS BIGINT)
        WHEN regexp_full_match({w}, '-?[0-9]{{1,15}},[0-9]{{1,2}}')
            THEN CAST(round(CAST(replace({w}, ',', '.') AS DOUBLE)) AS BIGINT)
        WHEN regexp_full_match({w}, '-?[0-9]{{1,15}}\\.[0-9]{{1,2}}')
            THEN CAST(round(CAST({w} AS DOUBLE)) AS BIGINT)
        ELSE NULL END"""


def _shown(text: str) -> str:
    """A value as a ledger detail shows it: quoted only when it is a short code.

    A value is quoted when it has at most ``LEDGER_QUOTE_MAX_CHARS`` characters, all
    letters, digits, space or ``. _ ; -``; is one character or holds a digit, ``_`` or
    ``;`` (a value of letters alone could be a name that landed in the wrong column); holds
    no run of 5 or more digits (part of a NIK, an Excel date serial or a wage); and does
    not look like a date (three groups of digits). Otherwise the detail says only what
    kind of value it is: ``a 16-digit number`` or ``text of 11 characters``.
    """
    quotable = (f"regexp_full_match({text}, '[A-Za-z0-9 ._;-]{{1,{LEDGER_QUOTE_MAX_CHARS}}}') "
                f"AND (length({text}) = 1 OR regexp_matches({text}, '[0-9_;]')) "
                f"AND NOT regexp_matches({text}, '[0-9]{{5}}') "
                f"AND NOT regexp_matches({text}, '[0-9]+[./-][0-9]+[./-][0-9]+')")
    return (f"CASE WHEN {quotable} THEN chr(39) || {text} || chr(39) "
            f"WHEN regexp_full_match({text}, '[0-9]+') "
            f"THEN 'a ' || CAST(length({text}) AS VARCHAR) || '-digit number' "
            f"ELSE 'text of ' || CAST(length({text}) AS VARCHAR) || "
            f"CASE WHEN length({text}) = 1 THEN ' character' ELSE ' characters' END END")


def build_validation_sql(*, from_sql: str, row_number_sql: str,
                         columns: Mapping[str, tuple[str, str]], registry: str,
                         known_region_codes: Iterable[str], key: str,
                         extract_date: dt.date | None = None, active_basis: str = "paid_through",
                         required: Sequence[str] = REQUIRED_COLUMNS) -> str:
    """The one validation query: every source row with its reason (NULL when accepted),
    ledger column and detail, the flags the summary counts, a duplicate key and the output
    columns. Duplicates are marked afterwards (:func:`collapse_duplicates`).

    The query is a chain of plain projections (no joins, no subqueries, no window), so
    DuckDB streams the source through it in parallel.

    Args:
        from_sql: the FROM item (a registered table or ``read_parquet(...)``).
        row_number_sql: expression giving each row's number for the ledger.
        columns: canonical column → (source column SQL, DuckDB type); absent = NULL.
        registry: 'jamsostek' or 'jkn'.
        known_region_codes: allowed domicile kab/kota codes.
        key: pseudonymisation key (enters the SQL as a literal; do not log the query).
        extract_date: the day a snapshot registry describes; every accepted row carries it
            (``extract_date``). None for a registry of spells (a history).
        active_basis: 'paid_through', 'status' or 'none' (``schema.ACTIVE_BASES``), carried
            by every accepted row so the indicators know how to tell who is active.
        required: columns whose empty value is ``missing_value``.
    """
    names = schema.input_column_names(registry)
    texts = []
    for name in names:
        if name in columns:
            texts.append(f"{_text_sql(*columns[name])} AS t_{name}")
        else:
            texts.append(f"CAST(NULL AS VARCHAR) AS t_{name}")
    jamsostek = registry == "jamsostek"
    segments = schema.JAMSOSTEK_SEGMENTS if jamsostek else schema.JKN_SEGMENTS
    coded = ["sex", "segment", "status"] + (["occupation", "funding_source"] if jamsostek
                                            else ["care_class"])
    # Step u: normalised text (upper/lower case, separators), still unchecked; the lookup
    # keys of coded values (vocabularies.csv).
    normalised = [
        f"{nik_rules.sql_normalise_nik('t_nik')} AS nik",
        *(f"{value_key_known_sql(name, registry, f't_{name}')} AS k_{name}" for name in coded),
        ("CASE WHEN regexp_full_match(t_region_code, '[0-9]{4}') "
        "THEN substr(t_region_code, 1, 2) || '.' || substr(t_region_code, 3, 2) "
        "ELSE t_region_code END AS region_code"),
        ("CASE WHEN regexp_full_match(t_district_code, '[0-9]{6}') "
        "THEN substr(t_district_code, 1, 2) || '.' || substr(t_district_code, 3, 2) || '.' "
        "|| substr(t_district_code, 5, 2) ELSE t_district_code END AS district_code"),
    ]
    normalised += [f"{_date_sql(f't_{name}')} AS u_{name}" for name in schema.DATE_COLUMNS]
    if jamsostek:
        normalised += [
            f"{_wage_clean_sql('t_wage_rp')} AS u_wage_rp",
            ("regexp_replace(replace(upper(t_programmes), ',', ';'), '\\s', '', 'g') "
            "AS u_programmes"),
        ]
    # Step p: checked values (NULL when not allowed), NIK problem, duplicate key.
    checked = [
        (f"CASE WHEN nik IS NULL THEN NULL ELSE {nik_rules.sql_nik_problem('nik')} END "
        "AS nik_problem"),
        "coalesce(nik <> t_nik, false) AS nik_was_normalised",
        *(f"{vocabulary_sql(name, registry, f'k_{name}')} AS {name}"
          for name in coded if name != "care_class"),
    ]
    checked += [f"{_date_in_range_sql(f'u_{name}')} AS {name}" for name in schema.DATE_COLUMNS]
    if jamsostek:
        checked += [
            f"{_wage_sql('u_wage_rp')} AS wage_rp",
            ("CASE WHEN regexp_full_match(t_risk_class, '[1-5](\\.0+)?') "
            "THEN CAST(CAST(t_risk_class AS DOUBLE) AS TINYINT) END AS risk_class"),
            ("CASE WHEN regexp_full_match(u_programmes, "
            "'(JKK|JKM|JHT|JP|JKP)(;(JKK|JKM|JHT|JP|JKP))*') THEN u_programmes END "
            "AS programmes"),
        ]
    else:
        checked.append(f"CAST({vocabulary_sql('care_class', registry, 'k_care_class')} "
                       "AS TINYINT) AS care_class")
    # 128-bit digest of every mapped source value: equal digests = an exact duplicate row
    # (a chance collision needs ~2^64 rows). NULL and '' are told apart by \x1e.
    serialised = ", ".join(f"coalesce(t_{name}, chr(30))" for name in names)
    checked.append(f"md5_number(concat_ws(chr(31), {serialised})) AS duplicate_key")

    checks: list[tuple[str, str, str, str]] = []  # (condition, reason, column, detail SQL)
    for name in required:
        checks.append((f"t_{name} IS NULL", "missing_value", name, "'empty'"))
    checks.append(("nik_problem IS NOT NULL", "invalid_nik", "nik", "nik_problem"))
    invalid = [("sex", "not L or P"), ("segment", "not one of " + ", ".join(segments)),
               ("status", "not a membership status (AKTIF, NON AKTIF, PENANGGUHAN, MENINGGAL, "
                          "KELUAR …; see vocabularies.csv)")]
    if jamsostek:
        invalid += [
            ("occupation", "not one of " + ", ".join(schema.OCCUPATIONS)),
            ("funding_source", "not one of " + ", ".join(schema.FUNDING_SOURCES)),
            ("risk_class", "not a risk class 1-5"),
            ("programmes", "not a ';'-list of " + ", ".join(schema.PROGRAMMES)),
        ]
    else:
        invalid.append(("care_class", "not a care class 1-3"))
    for name, text in invalid:
        checks.append((f"t_{name} IS NOT NULL AND {name} IS NULL", "invalid_value", name,
                       f"({_shown(f't_{name}')}) || {quote_literal(' is ' + text)}"))
    checks.append((("t_district_code IS NOT NULL AND NOT regexp_full_match(district_code, "
                   "'[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}')"), "invalid_value", "district_code",
                   f"({_shown('t_district_code')}) || ' is not a kecamatan code like 52.02.01'"))
    for name in schema.DATE_COLUMNS:  # dates are never shown: one may be a birth date
        checks.append((f"t_{name} IS NOT NULL AND {name} IS NULL", "unparseable_date", name,
                       quote_literal(f"not a date, or outside {DATE_MIN_YEAR}-{DATE_MAX_YEAR} "
                              f"({_DATE_HELP})")))
    checks.append(("end_date < start_date", "end_before_start", "end_date",
                   "'end_date is before start_date'"))
    checks.append((f"region_code NOT IN {_in_list(sorted(known_region_codes))}",
                   "unknown_region", "region_code",
                   f"({_shown('t_region_code')}) || ' is not a known kab/kota code'"))
    checks.append(("district_code IS NOT NULL AND substr(district_code, 1, 5) <> region_code",
                   "unknown_region", "district_code",
                   "'district ' || district_code || ' does not lie in region ' || region_code"))
    if jamsostek:
        ceiling = f"{WAGE_CEILING_RP:,}".replace(",", ".")
        checks += [
            ("t_wage_rp IS NOT NULL AND wage_rp IS NULL", "invalid_wage", "wage_rp",
             f"({_shown('t_wage_rp')}) || ' is not an amount in Rupiah'"),
            ("wage_rp < 0", "invalid_wage", "wage_rp", "'negative wage'"),
            (f"wage_rp > {WAGE_CEILING_RP}", "invalid_wage", "wage_rp",
             quote_literal(f"above the ceiling of Rp{ceiling} a month")),
        ]

    # Each condition is evaluated once: check_id is the first that holds (1-based).
    check_id = "CASE " + " ".join(
        f"WHEN {condition} THEN {number}" for number, (condition, _, _, _) in
        enumerate(checks, start=1)) + " END"
    reason_list = "[" + ", ".join(quote_literal(check[1]) for check in checks) + "]"
    column_list = "[" + ", ".join(quote_literal(check[2]) for check in checks) + "]"
    detail_case = "CASE check_id " + " ".join(
        f"WHEN {number} THEN {check[3]}" for number, check in enumerate(checks, start=1)) + " END"

    funding_default = " ".join(f"WHEN {quote_literal(segment)} THEN {quote_literal(source)}"
                               for segment, source in DEFAULT_FUNDING_SOURCE.items())
    nik_year = "CAST(substr(nik, 11, 2) AS INTEGER)"
    # The century of a NIK's birth year: the latest that does not put the birth after the
    # spell's start (after the extract date when a snapshot has no start dates).
    start_year = ("year(start_date)" if extract_date is None else
                  f"coalesce(year(start_date), {extract_date.year})")
    extract_sql = ("CAST(NULL AS DATE)" if extract_date is None else
                   f"DATE {quote_literal(extract_date.isoformat())}")
    outputs = {
        "person_id": f"CASE WHEN reason IS NULL THEN {pseudonym.sql_person_id('nik', key)} END",
        "sex": "sex",
        # From birth_date; when it is empty, from the NIK's DDMMYY (century: the latest
        # that does not put birth after the spell's start).
        "birth_year": f"CAST(coalesce(year(birth_date), CASE WHEN nik_problem IS NULL THEN "
                      f"CASE WHEN 2000 + {nik_year} <= {start_year} THEN 2000 + {nik_year} "
                      f"ELSE 1900 + {nik_year} END END) AS SMALLINT)",
        "region_code": "region_code",
        "district_code": "district_code",
        "nik_region_code": f"CASE WHEN nik_problem IS NULL THEN "
                           f"{nik_rules.sql_nik_region_code('nik')} END",
        "segment": "segment",
        "occupation": "coalesce(occupation, 'other')",
        "funding_source": f"coalesce(funding_source, CASE segment {funding_default} END)",
        "wage_rp": "wage_rp",
        "risk_class": "risk_class",
        "programmes": "programmes",
        "care_class": "care_class",
        "start_date": "start_date",
        "end_date": "end_date",
        "paid_through": "paid_through",
        "status": "status",
        "extract_date": extract_sql,
        "active_basis": quote_literal(active_basis),
    }
    selected = ",\n    ".join(f"{outputs[name]} AS {name}" for name in output_columns(registry))
    return f"""
WITH t AS (
    SELECT {row_number_sql} AS row_number, {", ".join(texts)}
    FROM {from_sql}
), u AS (
    SELECT t.*, {", ".join(normalised)} FROM t
), p AS (
    SELECT u.*, {", ".join(checked)} FROM u
), c AS (
    SELECT p.*, {check_id} AS check_id FROM p
), j AS (
    SELECT c.*, {reason_list}[check_id] AS reason, {column_list}[check_id] AS "column",
        {detail_case} AS detail
    FROM c
)
SELECT
    row_number, reason, "column", detail, nik_was_normalised, duplicate_key,
    CASE WHEN NOT regexp_matches(t_nik, '[.,eE]') THEN NULL
         WHEN regexp_full_match(t_nik, {quote_literal(NIK_SCIENTIFIC_RE)}) THEN 'scientific'
         WHEN regexp_full_match(t_nik, {quote_literal(NIK_DECIMAL_RE)}) THEN 'decimal'
    END AS nik_written_as_number,
    CASE WHEN nik_problem IS NULL THEN nik LIKE '%0' END AS nik_ends_in_zero,
    {selected}
FROM j
"""


def collapse_duplicates(raw, validated: str) -> None:
    """Reject later copies of an accepted row as ``duplicate_row`` (the first copy stays).

    The keys that occur more than once are found first by one aggregation; only the rows
    with such a key are then ranked and updated (an UPDATE joined to every accepted row
    cost seconds on the NTB sample, issue 16.5).
    """
    raw.execute(f"""
        UPDATE {validated} SET reason = 'duplicate_row', "column" = NULL,
            detail = 'exact copy of row ' || CAST(first_row AS VARCHAR) || ' (collapsed)'
        FROM (
            SELECT row_number AS copy_row, first_row FROM (
                SELECT row_number,
                    min(row_number) OVER (PARTITION BY duplicate_key) AS first_row
                FROM {validated}
                WHERE reason IS NULL AND duplicate_key IN (
                    SELECT duplicate_key FROM {validated} WHERE reason IS NULL
                    GROUP BY duplicate_key HAVING count(*) > 1))
            WHERE row_number > first_row
        ) AS copies
        WHERE {validated}.row_number = copies.copy_row""")


__all__ = [
    "DATE_MAX_YEAR",
    "DATE_MIN_YEAR",
    "DEFAULT_FUNDING_SOURCE",
    "EXCEL_SERIAL_MAX",
    "EXCEL_SERIAL_MIN",
    "LEDGER_QUOTE_MAX_CHARS",
    "NIK_DECIMAL_RE",
    "NIK_SCIENTIFIC_RE",
    "REQUIRED_COLUMNS",
    "SNAPSHOT_REQUIRED_COLUMNS",
    "WAGE_CEILING_RP",
    "build_validation_sql",
    "collapse_duplicates",
    "output_columns",
    "quote_identifier",
    "quote_literal",
]
