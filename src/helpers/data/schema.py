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


_COMMON_HEAD = (
    Column("nik", "Nomor Induk Kependudukan, 16 digits (DESIGN §4 rules)", "string", personal=True),
    Column("full_name", "Full name", "string", personal=True),
    Column("birth_date", "Date of birth", "date", personal=True),
    Column("sex", "Sex: L (laki-laki, male) or P (perempuan, female)", "string", allowed=SEXES),
    Column("region_code", "Domicile kab/kota, Kemendagri dotted code (e.g. 52.02)", "string"),
    Column("district_code", "Domicile kecamatan, Kemendagri code (e.g. 52.02.01)", "string",
           required=False),
)
_COMMON_TAIL = (
    Column("start_date", "First day of the membership spell", "date"),
    Column("end_date", "Day the spell ended; empty while open", "date", required=False),
    Column("paid_through", "Last day of the last month with contributions paid", "date",
           required=False),
)

JAMSOSTEK_COLUMNS = _COMMON_HEAD + (
    Column("segment", "BPJS Ketenagakerjaan segment", "string", allowed=JAMSOSTEK_SEGMENTS),
    Column("occupation", "Occupation group targeted by regional programmes", "string",
           allowed=OCCUPATIONS, required=False),
    Column("funding_source", "Who pays the contributions", "string", allowed=FUNDING_SOURCES,
           required=False),
    Column("wage_rp", "Declared monthly wage or income band", "integer", unit="Rp/month",
           required=False),
    Column("risk_class", "Work-accident (JKK) risk class, 1 very low to 5 very high", "integer",
           allowed=RISK_CLASSES, required=False),
    Column("programmes", "Programmes of the spell, ';'-separated subset of JKK;JKM;JHT;JP;JKP",
           "string", required=False),
) + _COMMON_TAIL

JKN_COLUMNS = _COMMON_HEAD + (
    Column("segment", "JKN membership segment", "string", allowed=JKN_SEGMENTS),
    Column("care_class", "Class of inpatient care, 1-3", "integer", allowed=CARE_CLASSES,
           required=False),
) + _COMMON_TAIL

REGISTRY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "jamsostek": JAMSOSTEK_COLUMNS,
    "jkn": JKN_COLUMNS,
}

DATE_COLUMNS = ("birth_date", "start_date", "end_date", "paid_through")


def column_names(registry: str) -> list[str]:
    """Canonical column names of ``registry`` ('jamsostek' or 'jkn'), in file order."""
    return [c.name for c in REGISTRY_COLUMNS[registry]]


__all__ = [
    "CARE_CLASSES",
    "DATE_COLUMNS",
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
    "column_names",
]
