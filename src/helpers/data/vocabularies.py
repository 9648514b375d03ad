"""Value vocabularies: the spellings real exports use for coded values, mapped to canonical codes.

One table, ``vocabularies.csv`` (``field,value,code,registry,note,source``), drives the
normalisation of sex, segment, care class, funding source, occupation and membership
status (``Laki-laki`` → ``L``, ``PBI APBD`` → ``PBPU_PEMDA``, ``Kelas III`` → ``3``,
``NON AKTIF`` → ``inactive``). Every canonical code also maps to itself. A value is
looked up by its key (:func:`value_key`: upper case, a trailing ``.0`` dropped, every run
of other characters than A-Z and 0-9 one space), so ``Laki-laki``, ``LAKI LAKI`` and
``laki_laki`` are one value. A value the table does not know is rejected by the intake as
``invalid_value`` in its column; the ledger describes it by its kind, never shows it when
it could be personal data (:func:`helpers.data.validation_sql.shown_value_sql`).

Each row names its source (a regulation, a BPJS service, the domain notes, or "project
choice"); ``docs/intake.md`` lists them.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from helpers.data import schema
from helpers.errors import SchemaError

#: The shipped table, in the package next to this module.
VOCABULARY_FILE = "vocabularies.csv"
VOCABULARY_COLUMNS = ("field", "value", "code", "registry", "note", "source")


def allowed_codes(field: str, registry: str) -> tuple[str, ...]:
    """Canonical codes of ``field`` in ``registry`` (as text), empty when the registry has
    no such field."""
    jamsostek = registry == "jamsostek"
    codes = {
        "sex": schema.SEXES,
        "segment": schema.JAMSOSTEK_SEGMENTS if jamsostek else schema.JKN_SEGMENTS,
        "care_class": () if jamsostek else tuple(str(c) for c in schema.CARE_CLASSES),
        "funding_source": schema.FUNDING_SOURCES if jamsostek else (),
        "occupation": schema.OCCUPATIONS if jamsostek else (),
        "status": schema.STATUSES,
    }
    return tuple(codes[field])


#: Fields whose values go through the table, in the order of ``vocabularies.csv``.
FIELDS = ("sex", "segment", "care_class", "funding_source", "occupation", "status")


def value_key(text: str) -> str:
    """The lookup key of a raw value: ``'Laki-laki'`` → ``'LAKI LAKI'``, ``'3.0'`` → ``'3'``,
    ``'PBI (APBN)'`` → ``'PBI APBN'``. :func:`value_key_sql` is the same in SQL."""
    upper = re.sub(r"\.0+$", "", str(text).strip().upper())
    return re.sub(r"[^A-Z0-9]+", " ", upper).strip()


def value_key_sql(text_sql: str) -> str:
    """:func:`value_key` as a DuckDB expression over the text ``text_sql``."""
    upper = f"regexp_replace(upper({text_sql}), '\\.0+$', '')"
    return f"trim(regexp_replace({upper}, '[^A-Z0-9]+', ' ', 'g'))"


@dataclass(frozen=True)
class Vocabulary:
    """Key → canonical code for every (field, registry)."""

    mappings: dict[tuple[str, str], dict[str, str]]

    def lookup(self, field: str, registry: str) -> dict[str, str]:
        """Key → code of ``field`` in ``registry`` (canonical codes included)."""
        return self.mappings[(field, registry)]

    def spellings(self, field: str, registry: str) -> list[str]:
        """The keys of ``field`` in ``registry``, for messages."""
        return sorted(self.lookup(field, registry))


@functools.lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The shipped ``vocabularies.csv``, checked.

    Raises:
        SchemaError: a row names an unknown field or registry, a code its field does not
            allow, or a value that another row of the same field maps to another code.
    """
    text = resources.files("helpers.data").joinpath(VOCABULARY_FILE).read_text(encoding="utf-8")
    where = f"helpers/data/{VOCABULARY_FILE}"
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != VOCABULARY_COLUMNS:
        raise SchemaError(f"the header must be {','.join(VOCABULARY_COLUMNS)}", path=where, row=1,
                          fix="restore the header of the vocabulary table")
    mappings: dict[tuple[str, str], dict[str, str]] = {}
    for registry in schema.REGISTRIES:
        for field in FIELDS:
            mappings[(field, registry)] = {value_key(code): code
                                           for code in allowed_codes(field, registry)}
    for row_number, row in enumerate(reader, start=2):
        field, registry = row["field"].strip(), row["registry"].strip()
        if field not in FIELDS:
            raise SchemaError(f"unknown field '{field}'", path=where, row=row_number,
                              column="field", fix="use one of " + ", ".join(FIELDS))
        if registry and registry not in schema.REGISTRIES:
            raise SchemaError(f"unknown registry '{registry}'", path=where, row=row_number,
                              column="registry", fix="use jamsostek, jkn or leave it empty")
        key, code = value_key(row["value"]), row["code"].strip()
        if not key:
            raise SchemaError("empty value", path=where, row=row_number, column="value",
                              fix="write the spelling as an export shows it")
        for name in [registry] if registry else list(schema.REGISTRIES):
            allowed = allowed_codes(field, name)
            if code not in allowed:
                raise SchemaError(f"'{code}' is not a {field} code of the {name} registry",
                                  path=where, row=row_number, column="code",
                                  fix="use one of " + ", ".join(allowed))
            lookup = mappings[(field, name)]
            if lookup.get(key, code) != code:
                raise SchemaError(f"'{row['value']}' already means '{lookup[key]}'",
                                  path=where, row=row_number, column="value",
                                  fix="keep one row per spelling")
            lookup[key] = code
    return Vocabulary(mappings)


def value_key_known_sql(field: str, registry: str, text_sql: str) -> str:
    """:func:`value_key_sql` of ``text_sql``, skipping the two regular expressions when the
    text is already one of the keys of ``field`` (a key is its own key), as nearly every
    value of a clean export is. Same result, a fraction of the cost on 7 million rows."""
    keys = sorted(load_vocabulary().lookup(field, registry))
    if not keys:
        return value_key_sql(text_sql)
    known = ", ".join(_literal(key) for key in keys)
    return f"CASE WHEN {text_sql} IN ({known}) THEN {text_sql} ELSE {value_key_sql(text_sql)} END"


def vocabulary_sql(field: str, registry: str, key_sql: str) -> str:
    """The canonical code of a value whose key (:func:`value_key_sql`) is ``key_sql``, as a
    DuckDB ``CASE``; NULL when the table does not know the value."""
    lookup = load_vocabulary().lookup(field, registry)
    if not lookup:
        return "CAST(NULL AS VARCHAR)"
    cases = " ".join(f"WHEN {_literal(key)} THEN {_literal(code)}"
                     for key, code in sorted(lookup.items()))
    return f"CASE {key_sql} {cases} END"


def normalise_value(field: str, registry: str, text: str | None) -> str | None:
    """The canonical code of one raw value (Python twin of :func:`vocabulary_sql`)."""
    if text is None or not str(text).strip():
        return None
    return load_vocabulary().lookup(field, registry).get(value_key(text))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


__all__ = [
    "FIELDS",
    "VOCABULARY_COLUMNS",
    "VOCABULARY_FILE",
    "Vocabulary",
    "allowed_codes",
    "load_vocabulary",
    "normalise_value",
    "value_key",
    "value_key_known_sql",
    "value_key_sql",
    "vocabulary_sql",
]
