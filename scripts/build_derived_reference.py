"""Build the reference tables derived from other committed tables: kecamatan labour and sample targets.

- ``data/reference/district_labour.csv``: working-age population and BPJS TK potential
  workforce of every kecamatan (Derivation D1 in data/README.md), so that kecamatan
  breakdowns can be coverage rates and not only counts.
- ``data/reference/sample_targets.csv``: every figure the synthetic sample generator
  (``helpers.data.sample``) is calibrated to, per region and date, with its source and
  status (Derivations S1-S9). Everything else in the sample emerges from these targets and
  the sample-design constants of ``helpers.data.sample_design``.

Inputs: the committed ``labour.csv``, ``population.csv`` and ``target_groups.csv``, the
constants of ``scripts/build_reference.py`` (TPAK, village counts) and the constants below,
each citing its source. Deterministic; ``--check`` fails when the committed CSVs are stale
(``tests/test_reference.py`` does the same).

Usage::

    python scripts/build_derived_reference.py            # writes the two CSVs
    python scripts/build_derived_reference.py --check    # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "reference"


def _build_reference():
    """scripts/build_reference.py as a module (its constants and helpers are reused)."""
    spec = importlib.util.spec_from_file_location("build_reference",
                                                  ROOT / "scripts" / "build_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASE = _build_reference()
KABKOTA = BASE.KABKOTA
YEARS = BASE.YEARS
allocate = BASE.allocate

# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------
SRC_WILAYAH = "github.com/cahyadsn/wilayah db/wilayah.sql (MIT), Kepmendagri No. 300.2.2-2138 Tahun 2025"
SRC_AREA = "area km²: github.com/cahyadsn/wilayah db/wilayah_luas.sql (MIT)"
SRC_NTB_TK = ("BPJS TK NTB 31 Dec 2024: 756.783 active, 208.558 informal: "
              "https://suarantb.com/2025/02/07/kepesertaan-bpjs-ketenagakerjaan-di-ntb-meningkat-"
              "sektor-informal-jadi-perhatian-utama")
SRC_LOTIM_TK = ("Lombok Timur 144.110 participants in 2024 (110.300 in Dec 2023); non-ASN 32.644 of "
                "34.555; vulnerable workers 17.195: https://mataram.antaranews.com/berita/486225/"
                "peserta-bpjs-ketenagakerjaan-di-lombok-timur-capai-144110")
SRC_LOTIM_2026 = ("Lombok Timur 164.828 active (Jan 2026): https://www.mandalikapost.com/2026/02/"
                  "momentum-roah-1001-tebolak-beak-bpjs.html")
SRC_LOTIM_FORMAL = ("Lombok Timur early 2024: formal 51.960 of 92.978 (57,13 %), informal 30.355 (5,71 %): "
                    "https://www.dimensintb.com/2024/03/pemkab-lotim-asuransikan-pekerja-sektor.html")
SRC_LOTIM_TOBACCO = ("Lombok Timur tobacco farmers: 12.698 (kabupaten DBHCHT) + 4.000 (province) in "
                     "2023, 17.195 in 2024, 17.395 in 2025: https://mataram.antaranews.com/amp/berita/"
                     "279588/pemkab-lombok-timur-berikan-perlindungan-sosial-16-ribu-petani-tembakau ; "
                     "https://info-denpasar.biz.id/17-395-petani-tembakau-di-lombok-timur-dapat-"
                     "jaminan-bpjs-ketenagakerjaan")
SRC_SUMBAWA = ("Sumbawa 23,8 % coverage in May 2025 (37.783 covered, potential 158.000): "
               "https://dinamikasumbawa.com/pemda-sumbawa-upayakan-20-000-warga-dapat-jaminan-kerja ; "
               "NTB 32 % in June 2025: https://kicknews.today/pemprov-ntb-berupaya-tingkatkan-"
               "universal-coverage-62-persen-2025-untuk-pekerja-konstruksi-dan-informal")
SRC_LT_NEWS = ("regional news report on Lombok Tengah (domain notes §0): 13.600 non-ASN (UNVERIFIED), "
               "6.000 tobacco farmers since 2023, 500 fishermen: https://radarmandalika.id/500-nelayan-"
               "lombok-tengah-dilindungi-bpjs-ketenagakerjaan/")
SRC_LT_TOBACCO_2025 = "12.050 tobacco farmers and labourers (Oct 2025): https://insidelombok.id/?p=100003"
SRC_LT_JKN = ("Lombok Tengah JKN early 2025: coverage 99,82 %, PBI APBN 678.154, PBI APBD 214.330, "
              "PPU 160.537, PBPU 41.357, BP 10.221: https://mataram.antaranews.com/amp/berita/403222/"
              "program-uhc-2025-di-lombok-tengah-dialokasi-anggaran-rp101-miliar ; 98,99 % on "
              "1 Jan 2026: https://ekbisntb.com/?p=30704")
SRC_LOTIM_JKN = ("Lombok Timur JKN March 2024: 95,95 % enrolled, 71,67 % active: "
                 "https://ntbsatu.com/tag/ditodong-senpi?random-post=1")
SRC_LOTIM_UHC_BUDGET = ("Lombok Timur APBD 2026: Rp60 miliar for UHC (desil 1-5): "
                        "https://suarantb.com/?p=101508")
SRC_KLU_JKN = ("Lombok Utara Sept 2025: 275.204 enrolled = 101,93 % of 269.989, 99,4 % active, "
               "Rp18 miliar budgeted for 2025: https://radarmandalika.id/keaktifan-kepesertaan-bpjs-"
               "warga-klu-diangka-994-persen")

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------
CALIBRATION_DATE = "2024-12-31"
NTB_TK_ACTIVE_2024 = 756_783
NTB_TK_INFORMAL_2024 = 208_558
LOTIM_TK_2023 = 110_300  # "terdaftar" Dec 2023, used as active (domain notes §1.4, §5.4)
LOTIM_TK_2024 = 144_110  # "terdaftar" 2024, used as active
LOTIM_TK_2025 = 164_828  # active, Jan 2026 (used for 31 Dec 2025)
#: Lombok Timur early 2024: 51.960 formal and 30.355 informal workers covered: the
#: composition (63 % formal) splits the 2024 total (the counts themselves predate it).
LOTIM_FORMAL_EARLY_2024 = 51_960
LOTIM_INFORMAL_EARLY_2024 = 30_355
LOTIM_NON_ASN = 32_644
LOTIM_TOBACCO = {"2023-12-31": 12_698 + 4_000, "2024-12-31": 17_195, "2025-12-31": 17_395}
#: Sumbawa's coverage relative to NTB's in mid-2025 (23,8 % vs 32 %), applied to 2024.
SUMBAWA_RELATIVE = 23.8 / 32.0
LT_NON_ASN = 13_600
LT_TOBACCO = {"2023-12-31": 6_000, "2024-12-31": 6_000, "2025-12-31": 12_050}
LT_FISHERS = 500
#: Other regions' DBHCHT tobacco programmes (illustrative, no public figure).
OTHER_TOBACCO = {"52.01": 2_000, "52.04": 1_000}
#: Share of a target group (target_groups.csv) a Pemda programme covers elsewhere
#: (illustrative; Lombok Timur's non-ASN share is 32.644 / 34.555 = 94 %).
PROGRAMME_SHARE = {"non_asn_staff": 0.75, "fisher": 0.06, "village_official": 0.85,
                   "election_staff": 0.40}
#: Area in km² (db/wilayah_luas.sql): the urban/rural proxy is population density.
AREA_KM2 = {"52": 19_631.991, "52.01": 919.44, "52.02": 1_167.029, "52.03": 1_602.377,
            "52.04": 6_645.723, "52.05": 2_270.36, "52.06": 4_208.861, "52.07": 1_739.564,
            "52.08": 810.185, "52.71": 60.063, "52.72": 208.389}
NTB_TPAK_2024 = 0.7723  # BPS Sakernas Aug 2024: 3,19 m labour force / 4,13 m working age
#: Elasticity of informal coverage to population density (urban proxy). Illustrative.
DENSITY_ELASTICITY = 0.10
#: JKN members ÷ Dukcapil 2024 population at 31 Dec 2024 where no figure is published
#: (illustrative; the sample's values since issue 2).
JKN_COVERAGE_ILLUSTRATIVE = {"52.01": 0.985, "52.04": 0.982, "52.05": 0.976, "52.06": 0.972,
                             "52.07": 0.992, "52.71": 0.991, "52.72": 0.986}
LT_JKN_COVERAGE = 0.990
LT_JKN_SEGMENTS = {"PBI_APBN": 678_154, "PBPU_PEMDA": 214_330, "PPU": 160_537,
                   "PBPU": 41_357, "BP": 10_221}
LOTIM_JKN_MARCH_2024 = ("2024-03-31", 0.9595, 0.7167)
LOTIM_JKN_COVERAGE_DEC_2024 = 0.968  # illustrative: March 2024 plus enrolment in 2024
KLU_JKN = (1.0193, 0.994)
#: Regional cost of one PBPU_PEMDA member per year: (Rp35.000 + Rp2.800) × 12 (rates.csv).
PEMDA_MEMBER_YEAR_RP = (35_000 + 2_800) * 12
LOTIM_UHC_BUDGET_RP = 60_000_000_000
KLU_JKN_BUDGET_RP = 18_000_000_000

#: Desa and kelurahan per kecamatan, counted in db/wilayah.sql (desa codes start with 2,
#: kelurahan with 1). Sums per kab/kota equal build_reference.DESA_COUNTS / DESA_KEL_COUNTS.
VILLAGES = {  # kecamatan: (desa, kelurahan)
    "52.01.01": (11, 3), "52.01.02": (10, 0), "52.01.03": (21, 0), "52.01.07": (9, 0),
    "52.01.08": (12, 0), "52.01.09": (16, 0), "52.01.12": (15, 0), "52.01.13": (10, 0),
    "52.01.14": (9, 0), "52.01.15": (6, 0),
    "52.02.01": (6, 9), "52.02.02": (13, 0), "52.02.03": (11, 0), "52.02.04": (18, 0),
    "52.02.05": (10, 0), "52.02.06": (14, 0), "52.02.07": (16, 0), "52.02.08": (11, 0),
    "52.02.09": (13, 0), "52.02.10": (10, 3), "52.02.11": (12, 0), "52.02.12": (8, 0),
    "52.03.01": (15, 0), "52.03.02": (12, 0), "52.03.03": (16, 0), "52.03.04": (14, 0),
    "52.03.05": (10, 0), "52.03.06": (9, 0), "52.03.07": (1, 11), "52.03.08": (15, 0),
    "52.03.09": (14, 0), "52.03.10": (11, 0), "52.03.11": (8, 0), "52.03.12": (10, 0),
    "52.03.13": (15, 0), "52.03.14": (14, 0), "52.03.15": (6, 0), "52.03.16": (8, 0),
    "52.03.17": (8, 4), "52.03.18": (10, 0), "52.03.19": (18, 0), "52.03.20": (15, 0),
    "52.03.21": (10, 0),
    "52.04.02": (7, 0), "52.04.05": (8, 0), "52.04.06": (9, 0), "52.04.07": (6, 0),
    "52.04.08": (0, 8), "52.04.09": (10, 0), "52.04.10": (12, 0), "52.04.11": (5, 0),
    "52.04.12": (4, 0), "52.04.13": (11, 0), "52.04.14": (10, 0), "52.04.17": (8, 0),
    "52.04.18": (7, 0), "52.04.19": (5, 0), "52.04.20": (6, 0), "52.04.21": (4, 0),
    "52.04.22": (8, 0), "52.04.23": (6, 0), "52.04.24": (4, 0), "52.04.25": (8, 0),
    "52.04.26": (7, 0), "52.04.27": (4, 0), "52.04.28": (4, 0), "52.04.29": (4, 0),
    "52.05.01": (9, 6), "52.05.02": (8, 0), "52.05.03": (8, 0), "52.05.04": (6, 0),
    "52.05.05": (11, 3), "52.05.06": (12, 0), "52.05.07": (12, 0), "52.05.08": (6, 0),
    "52.06.01": (14, 0), "52.06.02": (14, 0), "52.06.03": (15, 0), "52.06.04": (9, 0),
    "52.06.05": (9, 0), "52.06.06": (18, 0), "52.06.07": (14, 0), "52.06.08": (9, 0),
    "52.06.09": (6, 0), "52.06.10": (6, 0), "52.06.11": (15, 0), "52.06.12": (14, 0),
    "52.06.13": (11, 0), "52.06.14": (7, 0), "52.06.15": (7, 0), "52.06.16": (5, 0),
    "52.06.17": (6, 0), "52.06.18": (12, 0),
    "52.07.01": (4, 0), "52.07.02": (9, 7), "52.07.03": (10, 0), "52.07.04": (7, 0),
    "52.07.05": (9, 0), "52.07.06": (8, 0), "52.07.07": (6, 0), "52.07.08": (5, 0),
    "52.08.01": (8, 0), "52.08.02": (8, 0), "52.08.03": (10, 0), "52.08.04": (12, 0),
    "52.08.05": (5, 0),
    "52.71.01": (0, 10), "52.71.02": (0, 9), "52.71.03": (0, 10), "52.71.04": (0, 5),
    "52.71.05": (0, 9), "52.71.06": (0, 7),
    "52.72.01": (0, 6), "52.72.02": (0, 8), "52.72.03": (0, 6), "52.72.04": (0, 11),
    "52.72.05": (0, 10),
}


def _labour(year: int) -> dict[str, dict[str, int]]:
    """labour.csv rows of a year as {region: {column: count}} (read as text, no pandas)."""
    import csv

    with open(OUT_DIR / "labour.csv", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if int(row["year"]) == year]
    return {row["region_code"]: {k: int(v) for k, v in row.items() if k.endswith("_count")}
            for row in rows}


# --------------------------------------------------------------------------------------
# district_labour.csv (Derivation D1)
# --------------------------------------------------------------------------------------
DISTRICT_HEADER = ["district_code", "region_code", "year", "desa_count", "kelurahan_count",
                   "working_age_count", "potential_workforce_count", "source", "status"]


def build_district_labour() -> list[dict]:
    for code in KABKOTA:
        counts = [v for k, v in VILLAGES.items() if k.startswith(code + ".")]
        assert len(counts) == BASE.DISTRICT_COUNTS[code], f"{code}: kecamatan count"
        assert sum(d for d, _ in counts) == BASE.DESA_COUNTS[code], f"{code}: desa count"
        assert sum(d + k for d, k in counts) == BASE.DESA_KEL_COUNTS[code], f"{code}: villages"
    known = {f"{region}.{number:02d}" for region, names in BASE.DISTRICTS.items()
             for number in names}
    assert set(VILLAGES) == known, "VILLAGES must list exactly the kecamatan of districts.csv"
    source = ("derived: kab/kota working age and potential workforce (labour.csv) split by "
              "the kecamatan's share of desa + kelurahan (data/README.md, Derivations D1); "
              f"village counts: {SRC_WILAYAH}")
    rows = []
    for year in YEARS:
        labour = _labour(year)
        for region in KABKOTA:
            rows += district_rows(region, year, VILLAGES, labour[region], source)
    return rows


def district_rows(region: str, year: int, villages: dict[str, tuple[int, int]],
                  labour: dict[str, int], source: str) -> list[dict]:
    """D1 for one kab/kota and year: its ``labour`` row's working age and potential split
    over its kecamatan (keys of ``villages`` starting with ``region``) by desa + kelurahan."""
    weights = {k: sum(v) for k, v in villages.items() if k.startswith(region + ".")}
    working = allocate(labour["working_age_count"], weights)
    potential = allocate(labour["potential_workforce_count"], weights)
    rows = []
    for district in sorted(weights):
        desa, kelurahan = villages[district]
        rows.append({
            "district_code": district, "region_code": region, "year": year,
            "desa_count": desa, "kelurahan_count": kelurahan,
            "working_age_count": working[district],
            "potential_workforce_count": potential[district],
            "source": source, "status": "estimate",
        })
    return rows


# --------------------------------------------------------------------------------------
# sample_targets.csv (Derivations S1-S9)
# --------------------------------------------------------------------------------------
TARGET_HEADER = ["region_code", "measure", "reference_date", "target_value", "unit",
                 "tolerance", "source", "status"]


def _row(region, measure, value, unit, source, status, *, day=CALIBRATION_DATE, tolerance=0):
    text = f"{value:.4f}" if unit == "fraction" else str(int(value))
    tol = f"{tolerance:.4f}" if unit == "fraction" else str(int(tolerance))
    return {"region_code": region, "measure": measure, "reference_date": day,
            "target_value": text, "unit": unit, "tolerance": tol, "source": source,
            "status": status}


def tk_split_2024() -> dict[str, tuple[int, int, str, str]]:
    """Active formal and informal people per kab/kota at 31 Dec 2024 (S1-S4).

    Returns {region: (formal, informal, source, status)}; formal and informal each add up
    exactly to the NTB totals.
    """
    labour = _labour(2024)
    formal_total = NTB_TK_ACTIVE_2024 - NTB_TK_INFORMAL_2024
    formal_rate = formal_total / labour["52"]["potential_formal_count"]
    informal_rate = NTB_TK_INFORMAL_2024 / labour["52"]["potential_informal_count"]
    result: dict[str, tuple[int, int, str, str]] = {}
    # S2 Lombok Tengah: no published total; held at the NTB rates.
    result["52.02"] = (round(formal_rate * labour["52.02"]["potential_formal_count"]),
                       round(informal_rate * labour["52.02"]["potential_informal_count"]),
                       f"derived: NTB formal and informal rates (Derivations S2; {SRC_NTB_TK})",
                       "illustrative")
    # S3 Lombok Timur: total as reported, split by the reported early-2024 composition.
    formal = round(LOTIM_TK_2024 * LOTIM_FORMAL_EARLY_2024
                   / (LOTIM_FORMAL_EARLY_2024 + LOTIM_INFORMAL_EARLY_2024))
    result["52.03"] = (formal, LOTIM_TK_2024 - formal,
                       f"derived: total {SRC_LOTIM_TK}; formal : informal as 51.960 : 30.355, "
                       f"{SRC_LOTIM_FORMAL} (Derivations S3)", "estimate")
    # S4 Sumbawa: NTB rates × Sumbawa's coverage relative to NTB in mid-2025.
    result["52.04"] = (
        round(SUMBAWA_RELATIVE * formal_rate * labour["52.04"]["potential_formal_count"]),
        round(SUMBAWA_RELATIVE * informal_rate * labour["52.04"]["potential_informal_count"]),
        f"derived: {SRC_SUMBAWA} (Derivations S4)", "estimate")
    # S1 the other regions share what is left, weighted by a proxy index.
    rest = [code for code in KABKOTA if code not in result]
    population = {code: m + f for code, (m, f) in BASE.POPULATION_2024.items()}
    density_ntb = sum(population.values()) / AREA_KM2["52"]
    formal_weight, informal_weight = {}, {}
    for code in rest:
        participation = NTB_TPAK_2024 / BASE.TPAK_2024[code]
        density = population[code] / AREA_KM2[code] / density_ntb
        formal_weight[code] = labour[code]["potential_formal_count"] * participation
        informal_weight[code] = (labour[code]["potential_informal_count"] * participation
                                 * density ** DENSITY_ELASTICITY)
    formal_parts = allocate(formal_total - sum(v[0] for v in result.values()), formal_weight)
    informal_parts = allocate(NTB_TK_INFORMAL_2024 - sum(v[1] for v in result.values()),
                              informal_weight)
    for code in rest:
        result[code] = (formal_parts[code], informal_parts[code],
                        f"derived: NTB totals ({SRC_NTB_TK}) less the regions above, shared by "
                        f"the proxy index of Derivations S1 (TPAK: {BASE.SRC_TPAK}; density: "
                        f"Dukcapil 2024 population, {SRC_AREA})", "illustrative")
    assert sum(v[0] for v in result.values()) == formal_total
    assert sum(v[1] for v in result.values()) == NTB_TK_INFORMAL_2024
    for code, (formal, informal, _, _) in result.items():
        assert formal <= labour[code]["potential_formal_count"], f"{code}: formal above 100 %"
        assert informal <= labour[code]["potential_informal_count"], code
    return dict(sorted(result.items()))


def _groups() -> dict[tuple[str, str], int]:
    import csv

    with open(OUT_DIR / "target_groups.csv", encoding="utf-8") as handle:
        return {(row["region_code"], row["target_group"]): int(row["target_count"])
                for row in csv.DictReader(handle) if row["year"] == "2024"}


def build_sample_targets() -> list[dict]:
    rows = [
        _row("52", "tk_active", NTB_TK_ACTIVE_2024, "people", SRC_NTB_TK, "reported"),
        _row("52", "tk_active_informal", NTB_TK_INFORMAL_2024, "people", SRC_NTB_TK, "reported"),
    ]
    for code, (formal, informal, source, status) in tk_split_2024().items():
        rows += [_row(code, "tk_active_formal", formal, "people", source, status),
                 _row(code, "tk_active_informal", informal, "people", source, status)]
    # S5 Lombok Timur's growth, programmes and coverage by date.
    rows += [
        _row("52.03", "tk_active", LOTIM_TK_2023, "people", SRC_LOTIM_TK + " (registered, "
             "used as active; Derivations S5)", "reported", day="2023-12-31", tolerance=1_500),
        _row("52.03", "tk_active", LOTIM_TK_2025, "people", SRC_LOTIM_2026 + " (Jan 2026, used "
             "for 31 Dec 2025; Derivations S5)", "reported", day="2025-12-31", tolerance=200),
        _row("52.03", "tk_nonasn_active", LOTIM_NON_ASN, "people", SRC_LOTIM_TK, "reported"),
    ]
    rows += [_row("52.03", "tk_tobacco_farmers_active", count, "people", SRC_LOTIM_TOBACCO,
                  "reported", day=day) for day, count in LOTIM_TOBACCO.items()]
    # S6 Lombok Tengah: the regional news report (the golden figures).
    rows += [
        _row("52.02", "tk_nonasn_active", LT_NON_ASN, "people", SRC_LT_NEWS, "reported"),
        _row("52.02", "tk_fishers_active", LT_FISHERS, "people", SRC_LT_NEWS, "reported"),
    ]
    rows += [_row("52.02", "tk_tobacco_farmers_active", count, "people",
                  SRC_LT_TOBACCO_2025 if day.startswith("2025") else SRC_LT_NEWS, "reported",
                  day=day) for day, count in LT_TOBACCO.items()]
    # S7 the other regions' programmes: shares of the target groups (illustrative).
    groups = _groups()
    for code in KABKOTA:
        for group, share in PROGRAMME_SHARE.items():
            measure = {"non_asn_staff": "tk_nonasn_active", "fisher": "tk_fishers_active",
                       "village_official": "tk_village_officials_active",
                       "election_staff": "tk_election_staff_active"}[group]
            if (code == "52.02" and group in ("non_asn_staff", "fisher")) or (
                    code == "52.03" and group == "non_asn_staff"):
                continue
            count = round(groups[(code, group)] * share)
            rows.append(_row(code, measure, count, "people",
                             f"derived: {share:.0%} of target_groups.csv {group} 2024 "
                             "(Derivations S7)", "illustrative"))
        if code in OTHER_TOBACCO:
            rows.append(_row(code, "tk_tobacco_farmers_active", OTHER_TOBACCO[code], "people",
                             "derived: illustrative DBHCHT programme (Derivations S7)",
                             "illustrative"))
    # S8 JKN coverage and active rate.
    for code in KABKOTA:
        if code == "52.02":
            rows.append(_row(code, "jkn_coverage", LT_JKN_COVERAGE, "fraction",
                             f"derived: between 99,82 % (early 2025) and 98,99 % (1 Jan 2026): "
                             f"{SRC_LT_JKN} (Derivations S8)", "estimate", tolerance=0.0005))
            total = sum(LT_JKN_SEGMENTS.values())
            for segment, count in LT_JKN_SEGMENTS.items():
                rows.append(_row(code, f"jkn_segment_share_{segment}", count / total, "fraction",
                                 f"derived: share of the published counts, {SRC_LT_JKN}",
                                 "estimate", tolerance=0.005))
        elif code == "52.03":
            day, coverage, active = LOTIM_JKN_MARCH_2024
            rows += [
                _row(code, "jkn_coverage", coverage, "fraction", SRC_LOTIM_JKN, "reported",
                     day=day, tolerance=0.0005),
                _row(code, "jkn_active_rate", active, "fraction", SRC_LOTIM_JKN, "reported",
                     day=day, tolerance=0.002),
                _row(code, "jkn_coverage", LOTIM_JKN_COVERAGE_DEC_2024, "fraction",
                     "derived: March 2024 figure plus enrolment during 2024 (Derivations S8)",
                     "illustrative", tolerance=0.0005),
                _row(code, "jkn_members_PBPU_PEMDA",
                     LOTIM_UHC_BUDGET_RP // PEMDA_MEMBER_YEAR_RP, "people",
                     f"derived: Rp60 miliar ÷ Rp453.600 per member-year; {SRC_LOTIM_UHC_BUDGET} "
                     "(Derivations S9)", "estimate", tolerance=50),
            ]
        elif code == "52.08":
            coverage, active = KLU_JKN
            rows += [
                _row(code, "jkn_coverage", coverage, "fraction", SRC_KLU_JKN + " (Sept 2025 "
                     "figure on the Dukcapil 2024 denominator, used for 31 Dec 2024)", "reported",
                     tolerance=0.0005),
                _row(code, "jkn_active_rate", active, "fraction", SRC_KLU_JKN, "reported",
                     tolerance=0.002),
                _row(code, "jkn_members_PBPU_PEMDA", KLU_JKN_BUDGET_RP // PEMDA_MEMBER_YEAR_RP,
                     "people", f"derived: Rp18 miliar ÷ Rp453.600 per member-year; {SRC_KLU_JKN} "
                     "(Derivations S9)", "estimate", tolerance=50),
            ]
        else:
            rows.append(_row(code, "jkn_coverage", JKN_COVERAGE_ILLUSTRATIVE[code], "fraction",
                             "derived: illustrative enrolment between 97 and 99 % (Derivations "
                             "S8)", "illustrative", tolerance=0.0005))
    rows.sort(key=lambda r: (r["region_code"], r["measure"], r["reference_date"]))
    assert not math.isnan(sum(float(r["target_value"]) for r in rows))
    return rows


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
TABLE_BUILDERS = {
    "district_labour.csv": (DISTRICT_HEADER, build_district_labour),
    "sample_targets.csv": (TARGET_HEADER, build_sample_targets),
}


def render_all() -> dict[str, str]:
    """Return {file name: CSV text} for the derived tables."""
    return {name: BASE.write_csv(name, header, builder())
            for name, (header, builder) in TABLE_BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed CSV differs from the build")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render_all().items():
        path = OUT_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {text.count(chr(10)) - 1} rows")
    if stale:
        print("stale tables (run scripts/build_derived_reference.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
