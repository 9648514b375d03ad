"""The synthetic sample's design: calibration targets per region, and the shape constants.

Two kinds of numbers shape ``data/sample``:

- **Calibration targets**, one row each in ``data/reference/sample_targets.csv`` with its
  source and status (built by ``scripts/build_derived_reference.py``, Derivations S1-S9
  in ``data/README.md``): active BPJS TK people per kab/kota (formal and informal, adding
  up to the published NTB totals), regional programmes, JKN enrolment, active rate and
  Pemda-paid members. :func:`region_targets` reads them into one :class:`RegionTargets`
  per kab/kota. The generator meets every target at scale 1 within its tolerance.
- **Shape constants** below (illustrative): how many members lapse, leave or join, the
  segment mixes, dates. Everything not a target **emerges** from the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from helpers.data import reference
from helpers.errors import ParameterError

__all__ = ["AS_OF_DATE", "CALIBRATION_DATE", "DISTRICT_SIZE_NOISE", "FAMILY_NAMES",
           "FIRST_NAMES_FEMALE", "FIRST_NAMES_MALE", "FORMAL_SPLIT", "FORMER_NON_ASN_SHARE",
           "GRACE_MONTHS", "JKN_ARREARS_SHARE", "JKN_CHANGED_SEGMENT_SHARE", "JKN_MIX_CITY",
           "JKN_MIX_OTHER", "JKN_RECENT_SHARE", "LAPSED_FROM", "LAPSED_UNTIL",
           "NIK_ELSEWHERE_NTB", "NIK_OUTSIDE_NTB", "OTHER_PROVINCES", "POPULATION_YEAR",
           "RegionTargets", "SELF_FUNDED_SHARE", "TK_ENDED_SHARE", "TK_JOINERS_2025_SHARE",
           "TK_LAPSED_SHARE", "TK_RECENT_SHARE", "TOBACCO_GROWTH_2025", "URBAN_FORMAL_WEIGHT",
           "region_targets", "resident_factor", "scaled", "targets_manifest"]

#: The synthetic registries are extracts as of this date (spells 2022-2025).
AS_OF_DATE = date(2025, 12, 31)
#: The date most calibrated figures hold at.
CALIBRATION_DATE = date(2024, 12, 31)
POPULATION_YEAR = 2024
#: Arrears allowed to count as active (the indicators' default ``grace_months``).
GRACE_MONTHS = 1

# ----------------------------------------------------------------------------------------
# Shape constants (illustrative; documented in data/README.md, "Sample registries")
# ----------------------------------------------------------------------------------------

#: JKN segment mix of members (PBI_APBN, PBPU_PEMDA, PPU, PBPU, BP) where no mix is
#: published: kabupaten and kota.
JKN_MIX_OTHER = (0.55, 0.17, 0.18, 0.08, 0.02)
JKN_MIX_CITY = (0.38, 0.12, 0.35, 0.12, 0.03)
#: Share of members in arrears (paid_through lapsed) by JKN segment. PBI deactivations and
#: PBPU arrears bring the active rate near the published 78-81 % for Lombok Tengah.
JKN_ARREARS_SHARE = {"PBI_APBN": 0.25, "PBPU_PEMDA": 0.02, "PPU": 0.12, "PBPU": 0.55, "BP": 0.25}
#: Share of JKN members whose spell began in 2022-2024 (the rest 2014-2021): NTB's
#: enrolment rises from about 87 % at the start of 2022 (Indonesia: 86,17 % at the end of
#: 2021, domain notes §4.3) to the 2024 targets.
JKN_RECENT_SHARE = 0.12
#: Members in arrears stopped paying between these dates (spread over the years, so the
#: active rate of earlier periods is not 100 %).
LAPSED_FROM = date(2019, 1, 1)
LAPSED_UNTIL = date(2024, 9, 30)
#: Share of JKN members with an earlier spell in another segment.
JKN_CHANGED_SEGMENT_SHARE = 0.04

#: Formal segment split (PU, JAKON, PMI) of formal active workers outside the programmes.
FORMAL_SPLIT = (0.78, 0.17, 0.05)
#: Members with an open spell but contributions lapsed, relative to active, by segment.
TK_LAPSED_SHARE = {"PU": 0.12, "BPU": 0.55, "JAKON": 0.05, "PMI": 0.10}
#: Ended spells (people who left or changed job), relative to active members.
TK_ENDED_SHARE = 0.30
#: New members in 2025, relative to members active at 2024-12-31 (where no 2025 target).
TK_JOINERS_2025_SHARE = 0.08
#: Share of general BPJS TK members whose spell began in 2022-2024 (the rest 2015-2021).
TK_RECENT_SHARE = 0.55
#: Self-funded members of a target group (not Pemda-paid): fishers, tobacco farmers.
SELF_FUNDED_SHARE = {"fisher": 0.05, "tobacco_farmer": 0.02}
#: Former non-ASN staff (spell ended before 2024-12-31), relative to the active ones.
FORMER_NON_ASN_SHARE = 0.03
#: Without a 2025 target, a DBHCHT tobacco programme grows by this share in 2025.
TOBACCO_GROWTH_2025 = 0.01
#: How much more likely a resident of an all-kelurahan (urban) kecamatan is to be a formal
#: member than one of an all-desa kecamatan (1 + this × kelurahan share). Gives kecamatan
#: coverage rates a realistic urban gradient.
URBAN_FORMAL_WEIGHT = 2.0
#: Kecamatan population: its share of desa + kelurahan (district_labour.csv, D1) times
#: a random factor within 1 ± this, so the sample does not equal the estimate exactly.
DISTRICT_SIZE_NOISE = 0.10

#: Share of residents whose NIK was first registered elsewhere in NTB / outside NTB.
NIK_ELSEWHERE_NTB = 0.05
NIK_OUTSIDE_NTB = 0.03
OTHER_PROVINCES = (35, 51, 53, 31, 32, 33, 73, 64)

FIRST_NAMES_MALE = (
    "Ahmad Agus Bagus Budi Dedi Eko Fajar Gede Hadi Hendra Imam Iwan Joko Komang Lalu "
    "Made Muhammad Nyoman Putu Rahmat Rizki Sahrul Slamet Sugeng Taufik Wayan Yusuf Zainal "
    "Amaq Baiq Dani Firman Hasan Irwan Junaidi Kurniawan Lukman Mahsun Nasrullah Rusdi"
).split()
FIRST_NAMES_FEMALE = (
    "Aisyah Ani Baiq Dewi Endang Fitri Hikmah Indah Juwita Kartini Lestari Maya Ni Nurul "
    "Putri Rahma Rina Sari Siti Sri Suryani Tuti Wati Yanti Zahra Inaq Halimah Mariani "
    "Nurhayati Ratna Sumiati Wulan Yuliana Fatimah Hasanah Khairunnisa Laila Muslimah"
).split()
FAMILY_NAMES = (
    "Hidayat Saputra Pratama Wijaya Kurnia Ramadhan Santoso Nugroho Setiawan Hakim Hasan "
    "Mahendra Putra Putri Maulana Firdaus Syahputra Gunawan Irawan Permana Susanto Rahman "
    "Fadli Habibi Zulkarnain Sahid Mustafa Anwar Arifin Bahri Fauzi Hamdani Iskandar Jamal "
    "Kamal Latif Munir Nasution Rasyid Subhan Thohir Umar Wahid Yasin Zakaria Amrullah"
).split()


def resident_factor(jkn_coverage: float) -> float:
    """Actual residents relative to the Dukcapil figure: where JKN enrolment exceeds the
    (stale) population figure, more people live there than the figure says (Lombok Utara
    101,93 % → 1,021)."""
    return max(1.0, round(jkn_coverage + 0.002, 3))


def scaled(count: float, scale: float) -> int:
    """A count at the sample's scale (rounded)."""
    return int(round(count * scale))


# ----------------------------------------------------------------------------------------
# Calibration targets
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionTargets:
    """What one kab/kota's sample must show (people already at the sample's scale).

    Attributes:
        region_code: Kab/kota.
        tk_formal, tk_informal: Active PU+JAKON+PMI and BPU people at 2024-12-31.
        tk_total_by_date: Active BPJS TK people at other dates (e.g. 2023-12-31).
        non_asn, fishers, village_officials, election_staff: Active programme members at
            2024-12-31 (non-ASN and fishers paid by the APBD).
        tobacco_by_date: Active DBHCHT tobacco farmers by date (2023, 2024, 2025 ends).
        jkn_coverage: JKN members ÷ Dukcapil 2024 population at 2024-12-31.
        jkn_by_date: {date: (coverage or None, active rate or None)} to meet at that date.
        jkn_pemda_members: PBPU_PEMDA members at 2024-12-31, or None (from the mix).
        jkn_mix: Segment shares of JKN members (JKN_SEGMENTS order), or None (default).
    """

    region_code: str
    tk_formal: int
    tk_informal: int
    non_asn: int
    fishers: int
    village_officials: int
    election_staff: int
    tobacco_by_date: dict[date, int] = field(default_factory=dict)
    tk_total_by_date: dict[date, int] = field(default_factory=dict)
    jkn_coverage: float = 0.98
    jkn_by_date: dict[date, tuple[float | None, float | None]] = field(default_factory=dict)
    jkn_pemda_members: int | None = None
    jkn_mix: tuple[float, ...] | None = None

    def tobacco_at(self, year: int) -> int:
        """Active tobacco farmers at the end of ``year`` (2023-2025)."""
        values = {day.year: count for day, count in self.tobacco_by_date.items()}
        if not values:
            return 0
        if year == 2023:
            return values.get(2023, values.get(2024, 0))
        if year == 2025 and 2025 not in values:
            return values[2024] + int(round(values[2024] * TOBACCO_GROWTH_2025))
        return values[year]


def region_targets(codes: tuple[str, ...], scale: float) -> dict[str, RegionTargets]:
    """The calibration targets of each kab/kota, scaled.

    Raises:
        ParameterError: a region lacks a required target (tk_active_formal/informal,
            jkn_coverage at 2024-12-31) in sample_targets.csv.
    """
    from helpers.data.schema import JKN_SEGMENTS

    table = reference.sample_targets()
    result = {}
    for code in codes:
        rows = table[table["region_code"] == code]
        values = {(m, d.date()): v for m, d, v in
                  zip(rows["measure"], rows["reference_date"], rows["target_value"])}

        def people(measure, day=CALIBRATION_DATE, default=None):
            value = values.get((measure, day), default)
            if value is None:
                raise ParameterError(f"sample_targets.csv has no {measure} for {code} on {day}",
                                     fix="rebuild it with scripts/build_derived_reference.py")
            return scaled(value, scale)

        def dated(measure):
            return {day: value for (m, day), value in values.items() if m == measure}

        jkn_by_date: dict[date, tuple[float | None, float | None]] = {}
        for day in sorted(set(dated("jkn_coverage")) | set(dated("jkn_active_rate"))):
            jkn_by_date[day] = (dated("jkn_coverage").get(day),
                                dated("jkn_active_rate").get(day))
        coverage = jkn_by_date.pop(CALIBRATION_DATE, (None, None))
        if coverage[0] is None:
            raise ParameterError(f"sample_targets.csv has no jkn_coverage for {code} on "
                                 f"{CALIBRATION_DATE}")
        if coverage[1] is not None:
            jkn_by_date[CALIBRATION_DATE] = (None, coverage[1])
        mix = [values.get((f"jkn_segment_share_{s}", CALIBRATION_DATE)) for s in JKN_SEGMENTS]
        pemda = values.get(("jkn_members_PBPU_PEMDA", CALIBRATION_DATE))
        result[code] = RegionTargets(
            region_code=code,
            tk_formal=people("tk_active_formal"),
            tk_informal=people("tk_active_informal"),
            non_asn=people("tk_nonasn_active", default=0),
            fishers=people("tk_fishers_active", default=0),
            village_officials=people("tk_village_officials_active", default=0),
            election_staff=people("tk_election_staff_active", default=0),
            tobacco_by_date={day: scaled(v, scale)
                             for day, v in dated("tk_tobacco_farmers_active").items()},
            tk_total_by_date={day: scaled(v, scale) for day, v in dated("tk_active").items()},
            jkn_coverage=float(coverage[0]),
            jkn_by_date=jkn_by_date,
            jkn_pemda_members=None if pemda is None else scaled(pemda, scale),
            jkn_mix=None if any(v is None for v in mix) else tuple(float(v) for v in mix),
        )
    return result


def targets_manifest(targets: dict[str, RegionTargets]) -> dict:
    """The scaled targets as plain JSON for ``manifest.json`` (what the sample must show)."""
    out = {}
    for code, t in targets.items():
        out[code] = {
            "tk_active_formal": t.tk_formal, "tk_active_informal": t.tk_informal,
            "tk_nonasn_active": t.non_asn, "tk_fishers_active": t.fishers,
            "tk_tobacco_farmers_active": {d.isoformat(): v for d, v in t.tobacco_by_date.items()},
            "tk_active": {d.isoformat(): v for d, v in t.tk_total_by_date.items()},
            "jkn_coverage": t.jkn_coverage,
            "jkn_by_date": {d.isoformat(): list(v) for d, v in t.jkn_by_date.items()},
            "jkn_members_PBPU_PEMDA": t.jkn_pemda_members,
        }
    return out
