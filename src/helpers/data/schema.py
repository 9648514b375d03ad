"""The registry contract (DESIGN section 4): canonical columns, types and allowed values.

One data dictionary in code. The generator writes it, the intake checks it, and
``data/README.md`` describes the same columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REGISTRIES = ("jamsostek", "jkn")

JAMSOSTEK_SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
#: BPJS TK NTB groups formal = PU + Jakon + PMI and informal = BPU (domain notes §1.3).
FORMAL_SEGMENTS = ("PU", "JAKON", "PMI")
INFORMAL_SEGMENTS = ("BPU",)
OCCUPATIONS = (
    "non_asn_staff",
    "tobacco_farmer",
    "fisher",
    "village_official",
    "election_staff",
    "other",
)
FUNDING_SOURCES = ("self", "employer", "apbd", "dbhcht", "apbdes", "other")
#: Funding sources paid by the regional government (Pemda): the regional budget and its DBHCHT.
PEMDA_FUNDING_SOURCES = ("apbd", "dbhcht")
PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
RISK_CLASSES = (1, 2, 3, 4, 5)

JKN_SEGMENTS = ("PBI_APBN", "PBPU_PEMDA", "PPU", "PBPU", "BP")
CARE_CLASSES = (1, 2, 3)
SEXES = ("L", "P")

#: Membership status at the extract date, the canonical codes of a status column
#: (``Status Peserta``: AKTIF, NON AKTIF, PENANGGUHAN, MENINGGAL, KELUAR …; the spellings
#: and their sources are in ``vocabularies.csv``).
STATUSES = ("active", "inactive", "suspended", "deceased", "left")
#: Statuses of a person who is still a member (registered) at the extract date; a
#: deceased person or one who left is not.
MEMBER_STATUSES = ("active", "inactive", "suspended")
#: The status of an active member.
ACTIVE_STATUS = "active"
#: How a registry tells who is active (``active_basis`` of the intake's output):
#: 'paid_through' (months paid, DESIGN 4), 'status' (the status at the extract date) or
#: 'none' (neither column: active counts cannot be computed).
ACTIVE_BASES = ("paid_through", "status", "none")


@dataclass(frozen=True)
class Column:
    """One registry column: canonical name, meaning, unit, type and allowed values."""

    name: str
    meaning: str
    dtype: str
    unit: str = ""
    allowed: tuple = field(default_factory=tuple)
    required: bool = True
    personal: bool = False
    if_missing: str = ""  # what the intake and the indicators lose without the column


_COMMON_HEAD = (
    Column("nik", "Nomor Induk Kependudukan, 16 digits (DESIGN §4 rules)", "string", personal=True),
    Column("full_name", "Full name", "string", personal=True, required=False),
    Column("birth_date", "Date of birth", "date", personal=True, required=False,
           if_missing="age comes from the NIK's birth digits (DDMMYY)"),
    Column("sex", "Sex: L (laki-laki, male) or P (perempuan, female)", "string", allowed=SEXES),
    Column("region_code", "Domicile kab/kota, Kemendagri dotted code (e.g. 52.02)", "string"),
    Column("district_code", "Domicile kecamatan, Kemendagri code (e.g. 52.02.01)", "string",
           required=False, if_missing="no kecamatan: the tables by kecamatan stay empty"),
)
_COMMON_TAIL = (
    Column("start_date", "First day of the membership spell", "date"),
    Column("end_date", "Day the spell ended; empty while open", "date", required=False,
           if_missing="no end dates: every spell is taken as still open"),
    Column("paid_through", "Last day of the last month with contributions paid", "date",
           required=False,
           if_missing="no paid_through: active counts and the budget of paid months cannot "
                      "be computed from payments"),
)
#: Columns real exports carry beyond the contract of DESIGN section 4: a BPJS list given to
#: a Pemda is often a snapshot with the status at its extract date and no paid_through.
EXTRA_COLUMNS = (
    Column("status", "Membership status at the extract date (active, inactive, suspended, "
           "deceased, left)", "string", allowed=STATUSES, required=False),
)

JAMSOSTEK_COLUMNS = _COMMON_HEAD + (
    Column("segment", "BPJS Ketenagakerjaan segment", "string", allowed=JAMSOSTEK_SEGMENTS),
    Column("occupation", "Occupation group targeted by regional programmes", "string",
           allowed=OCCUPATIONS, required=False,
           if_missing="no occupation: everyone is 'other', so the non-ASN, tobacco-farmer "
                      "and fisher counts are 0"),
    Column("funding_source", "Who pays the contributions", "string", allowed=FUNDING_SOURCES,
           required=False,
           if_missing="no funding source: the payer follows the segment (employer or self), "
                      "so Pemda-funded counts and budgets are 0"),
    Column("wage_rp", "Declared monthly wage or income band", "integer", unit="Rp/month",
           required=False, if_missing="no wage: wage-based contributions count Rp0 in budgets"),
    Column("risk_class", "Work-accident (JKK) risk class, 1 very low to 5 very high", "integer",
           allowed=RISK_CLASSES, required=False,
           if_missing="no risk class: the JKK rate of PU spells is left out of budgets"),
    Column("programmes", "Programmes of the spell, ';'-separated subset of JKK;JKM;JHT;JP;JKP",
           "string", required=False,
           if_missing="no programmes: budgets count no contribution"),
) + _COMMON_TAIL

JKN_COLUMNS = _COMMON_HEAD + (
    Column("segment", "JKN membership segment", "string", allowed=JKN_SEGMENTS),
    Column("care_class", "Class of inpatient care, 1-3", "integer", allowed=CARE_CLASSES,
           required=False, if_missing="no care class: the class of every member is unknown"),
) + _COMMON_TAIL

REGISTRY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "jamsostek": JAMSOSTEK_COLUMNS,
    "jkn": JKN_COLUMNS,
}

DATE_COLUMNS = ("birth_date", "start_date", "end_date", "paid_through")


def column_names(registry: str) -> list[str]:
    """Canonical column names of ``registry`` ('jamsostek' or 'jkn'), in file order."""
    return [c.name for c in REGISTRY_COLUMNS[registry]]


def input_column_names(registry: str) -> list[str]:
    """Every column the intake reads from a ``registry`` file: the contract's columns
    (:func:`column_names`) and ``EXTRA_COLUMNS`` (the status)."""
    return column_names(registry) + [c.name for c in EXTRA_COLUMNS]


def column(registry: str, name: str) -> Column:
    """The :class:`Column` ``name`` of ``registry`` (contract or extra)."""
    return next(c for c in REGISTRY_COLUMNS[registry] + EXTRA_COLUMNS if c.name == name)


__all__ = [
    "STATUSES",
    "MEMBER_STATUSES",
    "ACTIVE_STATUS",
    "ACTIVE_BASES",
    "CARE_CLASSES",
    "DATE_COLUMNS",
    "EXTRA_COLUMNS",
    "FORMAL_SEGMENTS",
    "FUNDING_SOURCES",
    "INFORMAL_SEGMENTS",
    "JAMSOSTEK_COLUMNS",
    "JAMSOSTEK_SEGMENTS",
    "JKN_COLUMNS",
    "JKN_SEGMENTS",
    "OCCUPATIONS",
    "PEMDA_FUNDING_SOURCES",
    "PROGRAMMES",
    "REGISTRIES",
    "REGISTRY_COLUMNS",
    "RISK_CLASSES",
    "SEXES",
    "Column",
    "column",
    "column_names",
    "input_column_names",
]
