"""Build the committed reference tables in data/reference from documented inputs.

Every constant below cites its source (the domain notes, /work/shared/domain/
indonesia-social-security.md, give the full list). Every derived figure follows a formula
written in data/README.md ("Derivations"). The script is deterministic: running it twice
gives byte-identical CSVs, so a diff of data/reference shows exactly what changed.

Usage::

    python scripts/build_reference.py            # writes data/reference/*.csv
    python scripts/build_reference.py --check    # fails if the committed CSVs are stale
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "reference"

YEARS = (2022, 2023, 2024, 2025)
PROVINCE = "52"

# --------------------------------------------------------------------------------------
# Sources (cited in the `source` column)
# --------------------------------------------------------------------------------------
SRC_KEPMENDAGRI = (
    "Kepmendagri No. 300.2.2-2138 Tahun 2025 via github.com/cahyadsn/wilayah db/wilayah.sql (MIT)"
)
SRC_DUKCAPIL = (
    "Dukcapil population (semester 1 2024) via github.com/cahyadsn/wilayah "
    "db/wilayah_penduduk.sql; see domain notes §5.1"
)
SRC_SAKERNAS_NTB = (
    "BPS Sakernas Aug 2024 NTB: https://ekbisntb.com/05/11/2024/8701-ribu-penduduk-ntb-"
    "berstatus-pengangguran/ ; https://www.detik.com/bali/bisnis/d-7624368/87-ribu-orang-"
    "menganggur-di-ntb-terbanyak-tamatan-smk"
)
SRC_TPAK = (
    "TPAK Aug 2024: https://lombok.tribunnews.com/2025/08/13/tingkat-partisipasi-angkatan-"
    "kerja-ntb-2024-kota-mataram-paling-rendah?page=2"
)
SRC_LOBAR_LABOUR = (
    "https://ekbisntb.com/16/05/2025/pengangguran-di-lobar-berhasil-ditekan-hingga-5-361-orang"
)
SRC_INFORMAL = (
    "informal share 71.8% (Feb 2025): https://ntb.idntimes.com/news/ntb/cerita-gen-z-ntb-"
    "memilih-freelance-kerja-lebih-fleksibel-00-ldn3d-1qwqk3/amp"
)
SRC_POTENSI = (
    "BPJS TK NTB potensi 2024: https://insidelombok.id/daerah/ntb/baru-29-persen-pekerja-di-"
    "ntb-sudah-terdaftar-di-bpjs-ketenagakerjaan/ ; https://suarantb.com/2025/02/07/"
    "kepesertaan-bpjs-ketenagakerjaan-di-ntb-meningkat-sektor-informal-jadi-perhatian-utama"
)
SRC_POTENSI_2022 = (
    "392 thousand members = about 24% (May 2022): https://jabarekspres.com/berita/2022/07/27/"
    "setahun-bpjs-ketenagakerjaan-bayar-rp-443-manfaat-program-di-ntb/2"
)

# --------------------------------------------------------------------------------------
# Regions (domain notes §5.1; names and codes as in cahyadsn/wilayah db/wilayah.sql)
# --------------------------------------------------------------------------------------
REGIONS = [
    # code, name, type
    ("52", "Nusa Tenggara Barat", "provinsi"),
    ("52.01", "Lombok Barat", "kabupaten"),
    ("52.02", "Lombok Tengah", "kabupaten"),
    ("52.03", "Lombok Timur", "kabupaten"),
    ("52.04", "Sumbawa", "kabupaten"),
    ("52.05", "Dompu", "kabupaten"),
    ("52.06", "Bima", "kabupaten"),
    ("52.07", "Sumbawa Barat", "kabupaten"),
    ("52.08", "Lombok Utara", "kabupaten"),
    ("52.71", "Kota Mataram", "kota"),
    ("52.72", "Kota Bima", "kota"),
]
KABKOTA = [code for code, _, kind in REGIONS if kind != "provinsi"]

#: Kecamatan (district) codes and names, transcribed from cahyadsn/wilayah db/wilayah.sql
#: (Kepmendagri 300.2.2-2138/2025). Codes are not contiguous: gaps are codes retired or
#: moved when regencies split (e.g. 52.04.01 went to Sumbawa Barat).
DISTRICTS = {
    "52.01": {1: "Gerung", 2: "Kediri", 3: "Narmada", 7: "Sekotong", 8: "Labuapi",
              9: "Gunungsari", 12: "Lingsar", 13: "Lembar", 14: "Batu Layar", 15: "Kuripan"},
    "52.02": {1: "Praya", 2: "Jonggat", 3: "Batukliang", 4: "Pujut", 5: "Praya Barat",
              6: "Praya Timur", 7: "Janapria", 8: "Pringgarata", 9: "Kopang",
              10: "Praya Tengah", 11: "Praya Barat Daya", 12: "Batukliang Utara"},
    "52.03": {1: "Keruak", 2: "Sakra", 3: "Terara", 4: "Sikur", 5: "Masbagik",
              6: "Sukamulia", 7: "Selong", 8: "Pringgabaya", 9: "Aikmel", 10: "Sambelia",
              11: "Montong Gading", 12: "Pringgasela", 13: "Suralaga", 14: "Wanasaba",
              15: "Sembalun", 16: "Suwela", 17: "Labuhan Haji", 18: "Sakra Timur",
              19: "Sakra Barat", 20: "Jerowaru", 21: "Lenek"},
    "52.04": {2: "Lunyuk", 5: "Alas", 6: "Utan", 7: "Batu Lanteh", 8: "Sumbawa",
              9: "Moyo Hilir", 10: "Moyo Hulu", 11: "Ropang", 12: "Lape", 13: "Plampang",
              14: "Empang", 17: "Alas Barat", 18: "Labuhan Badas", 19: "Labangka",
              20: "Buer", 21: "Rhee", 22: "Unter Iwes", 23: "Moyo Utara", 24: "Maronge",
              25: "Tarano", 26: "Lopok", 27: "Lenangguar", 28: "Orong Telu", 29: "Lantung"},
    "52.05": {1: "Dompu", 2: "Kempo", 3: "Hu'u", 4: "Kilo", 5: "Woja", 6: "Pekat",
              7: "Manggalewa", 8: "Pajo"},
    "52.06": {1: "Monta", 2: "Bolo", 3: "Woha", 4: "Belo", 5: "Wawo", 6: "Sape", 7: "Wera",
              8: "Donggo", 9: "Sanggar", 10: "Ambalawi", 11: "Langgudu", 12: "Lambu",
              13: "Madapangga", 14: "Tambora", 15: "Soromandi", 16: "Parado", 17: "Lambitu",
              18: "Palibelo"},
    "52.07": {1: "Jereweh", 2: "Taliwang", 3: "Seteluk", 4: "Sekongkang", 5: "Brang Rea",
              6: "Poto Tano", 7: "Brang Ene", 8: "Maluk"},
    "52.08": {1: "Tanjung", 2: "Gangga", 3: "Kayangan", 4: "Bayan", 5: "Pemenang"},
    "52.71": {1: "Ampenan", 2: "Mataram", 3: "Cakranegara", 4: "Sekarbela", 5: "Selaparang",
              6: "Sandubaya"},
    "52.72": {1: "Rasanae Barat", 2: "Rasanae Timur", 3: "Asakota", 4: "Raba", 5: "Mpunda"},
}
#: Kecamatan per kab/kota in the domain notes §5.1 (a check on the transcription).
DISTRICT_COUNTS = {"52.01": 10, "52.02": 12, "52.03": 21, "52.04": 24, "52.05": 8,
                   "52.06": 18, "52.07": 8, "52.08": 5, "52.71": 6, "52.72": 5}
#: Desa/kelurahan per kab/kota (domain notes §5.1) and how many of them are desa (villages
#: with perangkat desa), counted in db/wilayah.sql: desa codes start with 2, kelurahan with 1.
DESA_KEL_COUNTS = {"52.01": 122, "52.02": 154, "52.03": 254, "52.04": 165, "52.05": 81,
                   "52.06": 191, "52.07": 65, "52.08": 43, "52.71": 50, "52.72": 41}
DESA_COUNTS = {"52.01": 119, "52.02": 142, "52.03": 239, "52.04": 157, "52.05": 72,
               "52.06": 191, "52.07": 58, "52.08": 43, "52.71": 0, "52.72": 0}

# --------------------------------------------------------------------------------------
# Population (domain notes §5.1): Dukcapil, about semester 1 2024, by sex
# --------------------------------------------------------------------------------------
POPULATION_2024 = {  # code: (male, female)
    "52.01": (380_974, 381_783),
    "52.02": (560_768, 567_948),
    "52.03": (726_950, 730_641),
    "52.04": (263_993, 263_722),
    "52.05": (139_345, 138_492),
    "52.06": (272_459, 271_123),
    "52.07": (78_434, 77_625),
    "52.08": (135_503, 134_486),
    "52.71": (230_016, 231_920),
    "52.72": (82_338, 82_775),
}
PROVINCE_POPULATION_2024 = (2_870_780, 2_880_515)  # 5,751,295 (domain notes §5.1)
DEFAULT_VINTAGE = "dukcapil_2024s1"
#: Assumed population growth, %/year, for the years around 2024 (an assumption between
#: recent natural increase and the 1.63 %/yr of the 2010–2020 census decade, BPS NTB,
#: https://lomboknesia.id/532-juta-penduduk-ntb-6977-persennya-usia-produktif).
POPULATION_GROWTH_RATE = 0.012
#: Illustrative alternative vintage: region-specific revision of the Dukcapil level.
#: Chosen (not observed) so that Lombok Tengah's synthetic JKN enrolment, which targets
#: ~99 % of Dukcapil 2024, falls below the 98 % UHC line when this vintage is the denominator.
BPS_PROJECTION_REVISION = {"52.01": 0.008, "52.02": 0.018, "52.03": 0.006, "52.04": 0.012,
                           "52.05": 0.010, "52.06": 0.009, "52.07": 0.015, "52.08": 0.005,
                           "52.71": 0.020, "52.72": 0.014}

# --------------------------------------------------------------------------------------
# Labour (domain notes §5.2, §1.4)
# --------------------------------------------------------------------------------------
NTB_WORKING_AGE_2024 = 4_130_000  # BPS Sakernas Aug 2024, 4,13 juta
NTB_LABOUR_FORCE_2024 = 3_190_000  # 3,19 juta
NTB_EMPLOYED_2024 = 3_110_000  # 3,11 juta
NTB_UNEMPLOYED_2024 = 87_010  # 87,01 ribu
NTB_TPT_2024 = NTB_UNEMPLOYED_2024 / NTB_LABOUR_FORCE_2024  # ≈ 2,73 %
INFORMAL_SHARE = 0.718  # Feb 2025: formal 28,20 % → informal ≈ 71,8 %
TPAK_2024 = {"52.08": 0.8086, "52.05": 0.8030, "52.02": 0.7916, "52.03": 0.7846,
             "52.06": 0.7800, "52.01": 0.7621, "52.07": 0.7566, "52.04": 0.7380,
             "52.72": 0.7321, "52.71": 0.7180}
#: Lombok Barat 2024 (ekbisntb): working-age 559.050; labour force 436.080; TPT 2,75 %.
LOBAR_WORKING_AGE_2024 = 559_050
LOBAR_LABOUR_FORCE_2024 = 436_080
LOBAR_TPT_2024 = 0.0275
NTB_POTENTIAL_2024 = 1_864_450  # BPJS TK NTB "potensi tenaga kerja", 2024
NTB_POTENTIAL_INFORMAL_2024 = 1_097_813
NTB_POTENTIAL_FORMAL_2024 = NTB_POTENTIAL_2024 - NTB_POTENTIAL_INFORMAL_2024  # 766,637
#: May 2022: 392 thousand members ≈ 24 % → implied potential 392,000 / 0.24.
NTB_MEMBERS_MAY_2022 = 392_000
NTB_COVERAGE_MAY_2022 = 0.24


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split an integer total in proportion to weights; parts sum exactly to the total.

    Largest-remainder rounding: floor every share, then give the leftover units to the
    largest fractional parts (ties broken by key, so the result is deterministic).
    """
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum")
    raw = {key: total * w / weight_sum for key, w in weights.items()}
    parts = {key: int(value // 1) for key, value in raw.items()}
    leftover = total - sum(parts.values())
    order = sorted(raw, key=lambda key: (-(raw[key] - parts[key]), key))
    for key in order[:leftover]:
        parts[key] += 1
    assert sum(parts.values()) == total, "allocation must preserve the total"
    return parts


def growth_factor(year: int, base_year: int = 2024, rate: float = POPULATION_GROWTH_RATE) -> float:
    """Compound growth factor from ``base_year`` to ``year`` (below 1 for earlier years)."""
    return (1.0 + rate) ** (year - base_year)


def write_csv(name: str, header: list[str], rows: list[dict]) -> str:
    """Render rows as CSV text (LF line ends, minimal quoting) in header order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n",
                            extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if row.get(key) is None else row[key]) for key in header})
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------
def build_regions() -> list[dict]:
    rows = []
    for code, name, kind in REGIONS:
        rows.append({
            "region_code": code,
            "region_name": name,
            "region_type": kind,
            "parent_code": "" if kind == "provinsi" else PROVINCE,
            "source": SRC_KEPMENDAGRI,
            "status": "official",
        })
    return rows


def build_districts() -> list[dict]:
    rows = []
    for region_code, names in DISTRICTS.items():
        assert len(names) == DISTRICT_COUNTS[region_code], (
            f"{region_code}: {len(names)} kecamatan transcribed, domain notes say "
            f"{DISTRICT_COUNTS[region_code]}"
        )
        for number, name in sorted(names.items()):
            rows.append({
                "district_code": f"{region_code}.{number:02d}",
                "district_name": name,
                "region_code": region_code,
                "source": SRC_KEPMENDAGRI,
                "status": "official",
            })
    assert len(rows) == 117, "NTB has 117 kecamatan (domain notes §5.1)"
    return rows


def population_levels() -> dict[tuple[str, str, int, str], int]:
    """Population by (vintage, region, year, sex) for kab/kota; province added later."""
    levels: dict[tuple[str, str, int, str], int] = {}
    for code, (male, female) in POPULATION_2024.items():
        for sex, base in (("L", male), ("P", female)):
            for year in YEARS:
                dukcapil = base if year == 2024 else round(base * growth_factor(year))
                levels[(DEFAULT_VINTAGE, code, year, sex)] = dukcapil
                revised = round(dukcapil * (1.0 + BPS_PROJECTION_REVISION[code]))
                levels[("bps_projection", code, year, sex)] = revised
    return levels


def build_population() -> list[dict]:
    assert (sum(m for m, _ in POPULATION_2024.values()),
            sum(f for _, f in POPULATION_2024.values())) == PROVINCE_POPULATION_2024, (
        "kab/kota population must add up to the province figure of the domain notes"
    )
    levels = population_levels()
    rows = []
    for vintage in (DEFAULT_VINTAGE, "bps_projection"):
        for year in YEARS:
            for code in [PROVINCE] + KABKOTA:
                for sex in ("L", "P"):
                    if code == PROVINCE:
                        count = sum(levels[(vintage, k, year, sex)] for k in KABKOTA)
                    else:
                        count = levels[(vintage, code, year, sex)]
                    source, status = population_source(vintage, code, year)
                    rows.append({
                        "region_code": code, "year": year, "vintage": vintage, "sex": sex,
                        "population_count": count, "source": source, "status": status,
                    })
    return rows


def population_source(vintage: str, code: str, year: int) -> tuple[str, str]:
    if vintage == DEFAULT_VINTAGE and year == 2024:
        if code == PROVINCE:
            return (f"sum of kab/kota rows; equals the province figure in {SRC_DUKCAPIL}",
                    "reported")
        return SRC_DUKCAPIL, "reported"
    if vintage == DEFAULT_VINTAGE:
        return ("derived: population_2024 × (1 + 0.012)^(year − 2024), by sex "
                "(data/README.md, Derivations P1)", "estimate")
    return ("derived: illustrative revision of dukcapil_2024s1 by a region-specific "
            "percentage, NOT published BPS figures (data/README.md, Derivations P2)",
            "illustrative")


def labour_2024() -> dict[str, dict[str, int]]:
    """BPS-side labour counts by kab/kota for Aug 2024 (Derivations L1–L4)."""
    population = {code: male + female for code, (male, female) in POPULATION_2024.items()}
    others = [code for code in KABKOTA if code != "52.01"]

    # L1 working age: Lombok Barat as reported; the rest of NTB in proportion to population.
    working_age = allocate(NTB_WORKING_AGE_2024 - LOBAR_WORKING_AGE_2024,
                           {code: population[code] for code in others})
    working_age["52.01"] = LOBAR_WORKING_AGE_2024

    # L2 labour force: working age × TPAK, scaled so kab/kota add up to NTB.
    labour_force = allocate(NTB_LABOUR_FORCE_2024 - LOBAR_LABOUR_FORCE_2024,
                            {code: working_age[code] * TPAK_2024[code] for code in others})
    labour_force["52.01"] = LOBAR_LABOUR_FORCE_2024

    # L3 employed: labour force × (1 − TPT), scaled to NTB; Lombok Barat with its own TPT.
    lobar_employed = round(LOBAR_LABOUR_FORCE_2024 * (1.0 - LOBAR_TPT_2024))
    employed = allocate(NTB_EMPLOYED_2024 - lobar_employed,
                        {code: labour_force[code] * (1.0 - NTB_TPT_2024) for code in others})
    employed["52.01"] = lobar_employed

    # L4 informal: employed × 71,8 %; formal = employed − informal.
    informal = {code: round(employed[code] * INFORMAL_SHARE) for code in KABKOTA}
    formal = {code: employed[code] - informal[code] for code in KABKOTA}

    # L5 BPJS TK potential, split by estimated formal / informal employed.
    potential_formal = allocate(NTB_POTENTIAL_FORMAL_2024, formal)
    potential_informal = allocate(NTB_POTENTIAL_INFORMAL_2024, informal)

    result = {}
    for code in KABKOTA:
        result[code] = {
            "working_age_count": working_age[code],
            "labour_force_count": labour_force[code],
            "employed_count": employed[code],
            "formal_employed_count": formal[code],
            "informal_employed_count": informal[code],
            "potential_formal_count": potential_formal[code],
            "potential_informal_count": potential_informal[code],
        }
    return result


def potential_total(year: int) -> int:
    """NTB BPJS TK potential workforce for a year (Derivations L6)."""
    if year == 2024:
        return NTB_POTENTIAL_2024
    potential_2022 = round(NTB_MEMBERS_MAY_2022 / NTB_COVERAGE_MAY_2022)
    if year == 2022:
        return potential_2022
    if year == 2023:
        return round((potential_2022 * NTB_POTENTIAL_2024) ** 0.5)
    if year == 2025:
        return round(NTB_POTENTIAL_2024 * growth_factor(2025))
    raise ValueError(f"no potential workforce rule for {year}")


LABOUR_COUNT_COLUMNS = [
    "working_age_count", "labour_force_count", "employed_count", "formal_employed_count",
    "informal_employed_count", "potential_workforce_count", "potential_formal_count",
    "potential_informal_count",
]


def build_labour() -> list[dict]:
    base = labour_2024()
    rows = []
    for year in YEARS:
        by_region: dict[str, dict[str, int]] = {}
        if year == 2024:
            by_region = {code: dict(values) for code, values in base.items()}
        else:
            # L6: NTB totals grow with population (BPS columns) or follow the potential
            # rule (BPJS columns); kab/kota keep their 2024 shares.
            factor = growth_factor(year)
            for column in ("working_age_count", "labour_force_count", "employed_count"):
                ntb_total = round(sum(base[c][column] for c in KABKOTA) * factor)
                parts = allocate(ntb_total, {c: base[c][column] for c in KABKOTA})
                for code in KABKOTA:
                    by_region.setdefault(code, {})[column] = parts[code]
            for code in KABKOTA:
                informal = round(by_region[code]["employed_count"] * INFORMAL_SHARE)
                by_region[code]["informal_employed_count"] = informal
                by_region[code]["formal_employed_count"] = (
                    by_region[code]["employed_count"] - informal)
            ntb_potential = potential_total(year)
            ntb_formal = round(ntb_potential * NTB_POTENTIAL_FORMAL_2024 / NTB_POTENTIAL_2024)
            formal = allocate(ntb_formal, {c: base[c]["potential_formal_count"] for c in KABKOTA})
            informal = allocate(ntb_potential - ntb_formal,
                                {c: base[c]["potential_informal_count"] for c in KABKOTA})
            for code in KABKOTA:
                by_region[code]["potential_formal_count"] = formal[code]
                by_region[code]["potential_informal_count"] = informal[code]
        for code in KABKOTA:
            values = by_region[code]
            values["potential_workforce_count"] = (
                values["potential_formal_count"] + values["potential_informal_count"])
        province = {column: sum(by_region[c][column] for c in KABKOTA)
                    for column in LABOUR_COUNT_COLUMNS}
        for code in [PROVINCE] + KABKOTA:
            values = province if code == PROVINCE else by_region[code]
            source, status = labour_source(code, year)
            row = {"region_code": code, "year": year}
            row.update({column: values[column] for column in LABOUR_COUNT_COLUMNS})
            row.update({"source": source, "status": status})
            check_labour_row(row)
            rows.append(row)
    return rows


def check_labour_row(row: dict) -> None:
    where = f"labour {row['region_code']} {row['year']}"
    assert row["formal_employed_count"] + row["informal_employed_count"] == row["employed_count"], where
    assert row["potential_formal_count"] + row["potential_informal_count"] == row["potential_workforce_count"], where
    assert row["employed_count"] <= row["labour_force_count"] <= row["working_age_count"], where
    assert row["potential_formal_count"] <= row["formal_employed_count"], where
    assert row["potential_informal_count"] <= row["informal_employed_count"], where


def labour_source(code: str, year: int) -> tuple[str, str]:
    if code == PROVINCE and year == 2024:
        return (f"sum of kab/kota rows. reported: working_age/labour_force/employed = "
                f"{SRC_SAKERNAS_NTB}; potential_* = {SRC_POTENSI}. derived: formal/informal "
                f"split = employed × 0.718 ({SRC_INFORMAL}; data/README.md, Derivations L4)",
                "estimate")
    if code == PROVINCE:
        return ("sum of kab/kota rows; derived (data/README.md, Derivations L6)"
                + (f"; 2022 potential from {SRC_POTENSI_2022}" if year == 2022 else ""),
                "estimate")
    if year == 2024:
        extra = f"; Lombok Barat working age and labour force: {SRC_LOBAR_LABOUR}" if code == "52.01" else ""
        return ("derived from BPS NTB totals, TPAK by kab/kota and BPJS TK NTB potential "
                f"(data/README.md, Derivations L1–L5); {SRC_TPAK}{extra}", "estimate")
    return ("derived: 2024 kab/kota shares × NTB totals for the year (data/README.md, "
            "Derivations L6)", "estimate")


# --------------------------------------------------------------------------------------
# Budget (domain notes §3, §5.3)
# --------------------------------------------------------------------------------------
SRC_LT_APBD_2025 = "https://mataram.antaranews.com/berita/475057/semester-i-2025-serapan-apbd-lombok-tengah-tembus-48-persen"
SRC_LOTIM_APBD_2025 = ("https://ekbisntb.com/30/11/2024/apbd-kabupaten-lotim-2025-ditetapkan-sebesar-rp-34-triliun/ ; "
                       "https://banjarsari-labuhanhaji.desa.id/artikel/2025/3/12/apbd-kabupaten-lombok-timur-tahun-anggaran-2025")
SRC_LOTIM_APBD_2024 = "https://ntbsatu.com/2023/11/25/apbd-2024-pj-bupati-lotim-jangan-lebih-besar-pasak-daripada-tiang.html"
SRC_NTB_APBD = {
    2022: "RAPBD NTB 2022 belanja daerah Rp5,36 T: https://www.mediakarya.id/pemprov-ntb-belum-menyusun-anggaran-pilkada-2024/3/?noamp=mobile",
    2023: "APBD-P NTB 2023 belanja Rp6.174.771.023.084: https://ntb.idntimes.com/news/ntb/apbd-ntb-2024-diketok-dprd-soroti-belanja-pegawai-tembus-rp2-29-t-00-ldn3d-dxgqn7/amp",
    2024: "APBD NTB 2024 belanja Rp6.108.572.143.903: https://ntb.idntimes.com/news/ntb/apbd-ntb-2024-diketok-dprd-soroti-belanja-pegawai-tembus-rp2-29-t-00-ldn3d-dxgqn7/amp",
    2025: "APBD murni NTB 2025 belanja Rp6,23 T: https://ekbisntb.com/04/09/2025/apbd-perubahan-ntb-2025-alami-defisit-rp687-miliar",
}
SRC_DBHCHT_NTB_2024 = ("NTB DBHCHT 2024 Rp459,1 miliar (PMK 6/2024): https://www.kompasnusantara.id/2024/06/kementerian-keuangan-tetapkan-dbh-cukai.html ; "
                       "split 0,8/1,2/1,0 of 3 % per UU 1/2022 art. 114: https://news.ddtc.co.id/berita/nasional/35512/ketentuan-baru-uu-hkpd-naikkan-dbh-cht-dan-pbb-p3-untuk-pemda")
SRC_LT_DBHCHT = {
    2022: "Lombok Tengah DBHCHT 2022 Rp57 miliar: domain notes §3 (https://mataram.antaranews.com/berita/286980/wabup-sebut-dbhcht-2023-loteng-difokuskan-untuk-kesehatan)",
    2023: "Lombok Tengah DBHCHT 2023 Rp71,149 miliar and its use: https://mataram.antaranews.com/berita/286980/wabup-sebut-dbhcht-2023-loteng-difokuskan-untuk-kesehatan",
    2024: "Lombok Tengah DBHCHT 2024 ≈ Rp72 miliar: https://mataram.antaranews.com/amp/berita/317157/alokasi-dana-cukai-tembakau-di-lombok-tengah-capai-rp72-miliar",
}
SRC_PMK_SPLIT = ("split 50 % welfare / 40 % health / 10 % law enforcement (PMK 215/PMK.07/2021, "
                 "kept by PMK 72/2024): https://jdih.kemenkeu.go.id/dok/pmk-72-tahun-2024/summary")

BILLION = 1_000_000_000
LT_APBD_2025 = 2_810_000_000_000  # Rp2,81 triliun
LOTIM_APBD = {2024: 3_400_000_000_000, 2025: 3_422_000_000_000}  # Rp3,4 T; Rp3,422 T spending
#: APBD growth per year for back-casting: Lombok Timur's observed 2024 → 2025 change.
APBD_GROWTH_RATE = LOTIM_APBD[2025] / LOTIM_APBD[2024] - 1.0
NTB_APBD = {2022: 5_360_000_000_000, 2023: 6_174_771_023_084, 2024: 6_108_572_143_903,
            2025: 6_230_000_000_000}
NTB_DBHCHT_2024 = 459_100_000_000  # all of NTB: province + kab/kota
DBHCHT_PROVINCE_SHARE = 0.8 / 3.0  # UU 1/2022: 0,8 % of the 3 % go to the province
DBHCHT_PRODUCER_SHARE_OF_KABKOTA = 1.2 / 2.2  # 1,2 % to producing kab/kota, 1,0 % to all
LT_DBHCHT = {2022: 57 * BILLION, 2023: 71_149_000_000, 2024: 72 * BILLION}
LT_DBHCHT_2023_USE = {"welfare": 33_238_000_000, "health": 28_459_000_000,
                      "law": 6_080_000_000, "regional_priority": 3_370_000_000}
#: Illustrative weights of tobacco production among NTB kab/kota (no public basis found):
#: Lombok Timur and Lombok Tengah are the main producers (domain notes §0, §3).
TOBACCO_WEIGHTS = {"52.03": 0.55, "52.02": 0.35, "52.01": 0.04, "52.08": 0.03, "52.04": 0.01,
                   "52.05": 0.01, "52.06": 0.01, "52.07": 0.0, "52.71": 0.0, "52.72": 0.0}
STATUS_ORDER = ("official", "reported", "estimate", "illustrative")


def weakest(*statuses: str) -> str:
    """The least certain of several statuses (a row is as good as its weakest figure)."""
    return max(statuses, key=STATUS_ORDER.index)


def round_million(value: float) -> int:
    return int(round(value / 1_000_000)) * 1_000_000


def population_total_2025(code: str) -> int:
    male, female = POPULATION_2024[code]
    return round(male * growth_factor(2025)) + round(female * growth_factor(2025))


def dbhcht_2024() -> dict[str, int]:
    """DBHCHT received in 2024 by province government and kab/kota (Derivations B3)."""
    province = round(NTB_DBHCHT_2024 * DBHCHT_PROVINCE_SHARE)
    kabkota_pool = NTB_DBHCHT_2024 - province
    population = {code: m + f for code, (m, f) in POPULATION_2024.items()}
    population_sum = sum(population.values())
    key = {code: DBHCHT_PRODUCER_SHARE_OF_KABKOTA * TOBACCO_WEIGHTS[code]
           + (1.0 - DBHCHT_PRODUCER_SHARE_OF_KABKOTA) * population[code] / population_sum
           for code in KABKOTA}
    others = allocate(kabkota_pool - LT_DBHCHT[2024], {c: key[c] for c in KABKOTA if c != "52.02"})
    result = {PROVINCE: province, "52.02": LT_DBHCHT[2024]}
    result.update(others)
    return result


def build_budget() -> list[dict]:
    # B1: APBD of the other kab/kota = a + b × population, fitted through Lombok Tengah
    # and Lombok Timur 2025.
    x1, y1 = population_total_2025("52.02"), LT_APBD_2025
    x2, y2 = population_total_2025("52.03"), LOTIM_APBD[2025]
    slope = (y2 - y1) / (x2 - x1)
    intercept = y1 - slope * x1
    dbhcht_base = dbhcht_2024()
    lt_2025_dbhcht = LT_DBHCHT[2024]  # B4: 2025 not found; carried forward
    rows = []
    for year in YEARS:
        lt_received = LT_DBHCHT.get(year, lt_2025_dbhcht)
        for code in [PROVINCE] + KABKOTA:
            # --- APBD
            if code == PROVINCE:
                apbd, apbd_status, apbd_src = NTB_APBD[year], "reported", SRC_NTB_APBD[year]
            elif code == "52.02" and year == 2025:
                apbd, apbd_status, apbd_src = LT_APBD_2025, "reported", SRC_LT_APBD_2025
            elif code == "52.02":
                apbd = round_million(LT_APBD_2025 / (1 + APBD_GROWTH_RATE) ** (2025 - year))
                apbd_status, apbd_src = "estimate", "derived: Derivations B2"
            elif code == "52.03" and year in LOTIM_APBD:
                apbd, apbd_status = LOTIM_APBD[year], "reported"
                apbd_src = SRC_LOTIM_APBD_2025 if year == 2025 else SRC_LOTIM_APBD_2024
            elif code == "52.03":
                apbd = round_million(LOTIM_APBD[2024] / (1 + APBD_GROWTH_RATE) ** (2024 - year))
                apbd_status, apbd_src = "estimate", "derived: Derivations B2"
            else:
                level_2025 = intercept + slope * population_total_2025(code)
                apbd = round_million(level_2025 / (1 + APBD_GROWTH_RATE) ** (2025 - year))
                apbd_status, apbd_src = "estimate", "derived: Derivations B1, B2"
            # --- DBHCHT
            if code == "52.02" and year in LT_DBHCHT:
                received, dbh_status, dbh_src = lt_received, "reported", SRC_LT_DBHCHT[year]
            elif code == "52.02":
                received, dbh_status, dbh_src = lt_received, "illustrative", "derived: Derivations B4"
            else:
                received = round(dbhcht_base[code] * lt_received / LT_DBHCHT[2024])
                if year == 2024 and code == PROVINCE:
                    dbh_status, dbh_src = "estimate", f"derived: Derivations B3; {SRC_DBHCHT_NTB_2024}"
                elif year == 2024:
                    dbh_status, dbh_src = "illustrative", f"derived: Derivations B3; {SRC_DBHCHT_NTB_2024}"
                else:
                    dbh_status, dbh_src = "illustrative", "derived: Derivations B3, B4"
            if code == "52.02" and year == 2023:
                # B5: the reported use, with 'regional priority' and the rounding residual
                # counted as welfare so that the three fields add up to the amount received.
                health = LT_DBHCHT_2023_USE["health"]
                law = LT_DBHCHT_2023_USE["law"]
                split_status, split_src = "reported", "split as reported; regional priority Rp3,370 M and a Rp2 M rounding residual counted as welfare (Derivations B5)"
            else:
                health = round(received * 0.40)
                law = round(received * 0.10)
                split_status, split_src = "estimate", SRC_PMK_SPLIT
            welfare = received - health - law
            status = weakest(apbd_status, dbh_status, split_status)
            source = (f"apbd_total_rp ({apbd_status}): {apbd_src} | dbhcht_received_rp "
                      f"({dbh_status}): {dbh_src} | dbhcht split ({split_status}): {split_src}")
            row = {"region_code": code, "year": year, "apbd_total_rp": apbd,
                   "dbhcht_received_rp": received, "dbhcht_welfare_rp": welfare,
                   "dbhcht_health_rp": health, "dbhcht_law_rp": law,
                   "source": source, "status": status}
            assert welfare + health + law == received and min(welfare, health, law) >= 0
            rows.append(row)
    return rows


# --------------------------------------------------------------------------------------
# Rates (domain notes §1.1–1.3, §4.2)
# --------------------------------------------------------------------------------------
SRC_PU_RATES = ("https://makassar.tribunnews.com/2020/09/08/resmi-presiden-jokowi-turunkan-iuran-bpjs-ketenagakerjaan-kapan-mulai-berlaku?page=3 ; "
                "https://fame.grid.id/amp/464096648/sadar-tidak-7-potongan-ini-ada-pada-gaji-buruh-jadi-8-karena-tapera?page=4")
SRC_JKM_JHT_JP = "https://star.grid.id/read/453676932/terlambat-bayarkan-iuran-bpjs-ketenagakerjaan-untuk-pekerja-perusahaan-bisa-kena-denda-ini-besarannya"
SRC_PP6_2025 = ("https://pasal.id/en/peraturan/pp/pp-no-6-tahun-2025/koreksi/5825012 ; "
                "https://www.kaltenglima.com/nasional/35114567574/pp-62025-resmi-berlaku-pekerja-yang-kena-phk-tetap-dapat-60-persen-gaji-hingga-6-bulan")
SRC_BPU_JKK = ("https://radarmukomuko.disway.id/read/666514/berapa-besaran-iuran-bpjs-ketenagakerjaan-begini-perhitungannya-dan-besarannya ; "
               "https://www.cnbcindonesia.com/market/20260204140501-17-708135/prabowo-beri-diskon-50-iuran-jkk-jkm-pekerja-informal-ojol-termasuk/amp")
SRC_BPU_JKM = "https://fame.grid.id/amp/464096648/sadar-tidak-7-potongan-ini-ada-pada-gaji-buruh-jadi-8-karena-tapera?page=4"
SRC_JAKON = ("https://makassar.tribunnews.com/2020/09/08/resmi-presiden-jokowi-turunkan-iuran-bpjs-ketenagakerjaan-kapan-mulai-berlaku?page=3 ; "
             "https://databoks.katadata.co.id/index.php/ketenagakerjaan/statistik/67f5ed64a9a66/provinsi-dengan-peserta-aktif-bpjs-tk-terbanyak-pada-februari-2025")
SRC_PMI = "https://makassar.tribunnews.com/2020/09/08/resmi-presiden-jokowi-turunkan-iuran-bpjs-ketenagakerjaan-kapan-mulai-berlaku?page=3"
SRC_PBI = "https://ringtimesbanyuwangi.pikiran-rakyat.com/nasional/pr-17383043/pemerintah-beri-bantuan-peserta-jkn-kis-kelas-iii-sesuai-perpres?page=3"
SRC_PBPU = ("https://star.grid.id/read/452223870/bak-angin-segar-di-tengah-pandemi-covid-19-pemerintah-pusat-tanggung-iuran-pbi-bpjs-kesehatan-tahun-ini?page=3 ; "
            "https://sekitarjambi.com/perpres-64-2020-pemerintah-berikan-bantuan-untuk-peserta-jkn-kis-kelas-iii/")
SRC_PPU = "https://bacakoran.co/amp/28266/mutakhir-ini-aturan-baru-perubahan-tarif-bpjs-kesehatan-intip-detail-iurannya-di-sini/16"

RATES_HEADER = ["scheme", "segment", "component", "risk_class", "wage_share", "flat_rp", "basis",
                "wage_cap_rp", "payer", "valid_from", "valid_to", "legal_basis", "source",
                "status"]
JKK_TABLE = {1: "0.0024", 2: "0.0054", 3: "0.0089", 4: "0.0127", 5: "0.0174"}
JKK_NET_2025 = {1: "0.0010", 2: "0.0040", 3: "0.0075", 4: "0.0113", 5: "0.0160"}


def rate(scheme, segment, component, payer, valid_from, legal_basis, source, status, *,
         risk_class="", wage_share="", flat_rp="", basis="per_month", wage_cap_rp="",
         valid_to="") -> dict:
    return {"scheme": scheme, "segment": segment, "component": component,
            "risk_class": risk_class, "wage_share": wage_share, "flat_rp": flat_rp,
            "basis": basis, "wage_cap_rp": wage_cap_rp, "payer": payer,
            "valid_from": valid_from, "valid_to": valid_to, "legal_basis": legal_basis,
            "source": source, "status": status}


def build_rates() -> list[dict]:
    rows = []
    for risk, share in JKK_TABLE.items():
        rows.append(rate("jamsostek", "PU", "JKK", "employer", "2015-07-01",
                         "PP 44/2015 Lampiran I (gross rate; from 2021-02-02 it includes the 0.14 % re-allocated to JKP)",
                         SRC_PU_RATES, "reported", risk_class=risk, wage_share=share,
                         valid_to="2025-01-31"))
    for risk, share in JKK_NET_2025.items():
        rows.append(rate("jamsostek", "PU", "JKK", "employer", "2025-02-01",
                         "PP 6/2025 (PP 44/2015 rate minus 0.14 % re-allocated to JKP)",
                         SRC_PP6_2025, "official", risk_class=risk, wage_share=share))
    rows += [
        rate("jamsostek", "PU", "JKM", "employer", "2015-07-01",
             "PP 44/2015 (gross; 2021-02-02 to 2025-01-31 it included 0.10 % re-allocated to JKP under PP 37/2021)",
             SRC_JKM_JHT_JP, "reported", wage_share="0.0030"),
        rate("jamsostek", "PU", "JHT", "employer", "2015-07-01", "PP 46/2015", SRC_JKM_JHT_JP,
             "reported", wage_share="0.0370"),
        rate("jamsostek", "PU", "JHT", "worker", "2015-07-01", "PP 46/2015", SRC_JKM_JHT_JP,
             "reported", wage_share="0.0200"),
        rate("jamsostek", "PU", "JP", "employer", "2015-07-01",
             "PP 45/2015 (a yearly JP wage cap exists; not in this table)", SRC_JKM_JHT_JP,
             "reported", wage_share="0.0200"),
        rate("jamsostek", "PU", "JP", "worker", "2015-07-01",
             "PP 45/2015 (a yearly JP wage cap exists; not in this table)", SRC_JKM_JHT_JP,
             "reported", wage_share="0.0100"),
        rate("jamsostek", "PU", "JKP", "central_government", "2021-02-02",
             "PP 37/2021: JKP 0.46 % = 0.22 % central government + 0.24 % re-allocated from JKK (0.14 %) and JKM (0.10 %), already inside the gross JKK/JKM rows",
             SRC_PP6_2025, "reported", wage_share="0.0022", valid_to="2025-01-31"),
        rate("jamsostek", "PU", "JKP", "central_government", "2025-02-01",
             "PP 6/2025: JKP 0.36 % = 0.22 % central government + 0.14 % re-allocated from JKK",
             SRC_PP6_2025, "official", wage_share="0.0022"),
        # Booked under JKK (risk_class empty) because the employer remits it with JKK: the
        # JKK cost of a spell = net class rate + this row = the PP 44/2015 gross rate.
        rate("jamsostek", "PU", "JKK", "employer", "2025-02-01",
             "PP 6/2025: the 0.14 % of JKK re-allocated to fund JKP (JKP 0.36 % = this 0.14 % + 0.22 % central government); the employer remits it with JKK, all risk classes",
             SRC_PP6_2025, "official", wage_share="0.0014"),
        rate("jamsostek", "BPU", "JKK", "participant", "2015-07-01",
             "PP 44/2015 Lampiran II as amended by PP 49/2023: 1 % of the declared income band; minimum band Rp1.000.000 gives Rp10.000 (PP 50/2025 50 % discount from 2026 not included)",
             SRC_BPU_JKK, "reported", flat_rp=10_000),
        rate("jamsostek", "BPU", "JKM", "participant", "2015-07-01",
             "PP 44/2015 as amended by PP 49/2023: flat Rp6.800 per month",
             SRC_BPU_JKM, "reported", flat_rp=6_800),
        rate("jamsostek", "JAKON", "JKK_JKM", "employer", "2015-07-01",
             "PP 44/2015 (construction projects; 0.21 % of project value is the smallest-project band, the tiering is not in our sources)",
             SRC_JAKON, "reported", wage_share="0.0021", basis="per_project_value"),
        rate("jamsostek", "PMI", "JKK_JKM", "participant", "2018-01-01",
             "Permenaker 18/2018 (UNVERIFIED: the regulation is not confirmed in our sources); Rp370.000 covers the whole protection period",
             SRC_PMI, "reported", flat_rp=370_000, basis="per_protection_period"),
        # JKN (Perpres 82/2018 as amended by Perpres 64/2020)
        rate("jkn", "PBI_APBN", "class_3", "central_government", "2020-07-01", "Perpres 64/2020",
             SRC_PBI, "reported", flat_rp=42_000),
    ]
    for segment, payer in (("PBPU", "participant"), ("BP", "participant"),
                           ("PBPU_PEMDA", "regional_government")):
        rows += [
            rate("jkn", segment, "class_3", payer, "2021-01-01",
                 "Perpres 64/2020: class III Rp42.000 = Rp35.000 paid by or for the participant + Rp7.000 bantuan iuran",
                 SRC_PBPU, "reported", flat_rp=35_000),
            rate("jkn", segment, "class_3_aid", "central_government", "2021-01-01",
                 "Perpres 64/2020: bantuan iuran Rp4.200 central government (active participants only)",
                 SRC_PBPU, "reported", flat_rp=4_200),
            rate("jkn", segment, "class_3_aid", "regional_government", "2021-01-01",
                 "Perpres 64/2020: bantuan iuran Rp2.800 regional government (active participants only)",
                 SRC_PBPU, "reported", flat_rp=2_800),
        ]
    for segment in ("PBPU", "BP"):
        rows += [
            rate("jkn", segment, "class_2", "participant", "2020-07-01", "Perpres 64/2020",
                 SRC_PBPU, "reported", flat_rp=100_000),
            rate("jkn", segment, "class_1", "participant", "2020-07-01", "Perpres 64/2020",
                 SRC_PBPU, "reported", flat_rp=150_000),
        ]
    rows += [
        rate("jkn", "PPU", "all_classes", "employer", "2020-07-01",
             "Perpres 64/2020: 5 % of wage up to the Rp12 juta cap, 4 % employer", SRC_PPU,
             "reported", wage_share="0.0400", basis="per_month_capped", wage_cap_rp=12_000_000),
        rate("jkn", "PPU", "all_classes", "worker", "2020-07-01",
             "Perpres 64/2020: 5 % of wage up to the Rp12 juta cap, 1 % worker", SRC_PPU,
             "reported", wage_share="0.0100", basis="per_month_capped", wage_cap_rp=12_000_000),
    ]
    return rows


# --------------------------------------------------------------------------------------
# Thresholds (domain notes §4.1)
# --------------------------------------------------------------------------------------
SRC_UHC = ("coverage ≥ 98 %: RPJMN 2020–2024 / Inpres 1/2022 https://nasional.kompas.com/read/2022/02/03/14475271/jokowi-teken-inpres-optimalisasi-jkn-targetkan-98-persen-penduduk-peserta ; "
           "active ≥ 80 %: https://mediaasuransinews.co.id/news-in-brief/uhc-prioritas-jaminan-jkn-langsung-aktif")
SRC_AWARDS = ("UHC Awards 2026 criteria (data to Sept 2025): https://www.kabartujuhsatu.news/2026/01/bpjs-kesehatan-anugerahkan-uhc-awards.html ; "
              "https://balleonews.com/2026/01/26/papua-barat-daya-cetak-prestasi-uhc-lima-kabupaten-raih-kategori-utama-uhc-awards-2026")
THRESHOLDS = [  # category, variant, min_coverage, min_active_rate, min_pemda_share
    ("uhc", "a", "0.98", "0.80", ""),
    ("pratama", "a", "0.98", "0.80", ""),
    ("madya", "a", "0.98", "0.85", ""),
    ("madya", "b", "0.98", "0.80", "0.25"),
    ("utama", "a", "0.99", "0.95", "0.18"),
]


def build_thresholds() -> list[dict]:
    rows = []
    for year in YEARS:
        for category, variant, coverage, active, pemda in THRESHOLDS:
            if category == "uhc":
                source = SRC_UHC
                status = "reported" if year >= 2024 else "illustrative"
                if year < 2024:
                    source += " | applied to an earlier year: the start date of the 80 % active criterion is not sourced"
            else:
                source = SRC_AWARDS
                if variant == "b":
                    source += " | variant b also requires coverage ≥ 98 %: every category requires UHC Prioritas status (Derivations T1)"
                status = "reported" if year == 2025 else "illustrative"
                if year < 2025:
                    source += " | the 2026 Awards criteria applied to an earlier year as illustrative; older criteria not known"
            rows.append({"year": year, "category": category, "variant": variant,
                         "min_coverage": coverage, "min_active_rate": active,
                         "min_pemda_share": pemda, "source": source, "status": status})
    return rows


# --------------------------------------------------------------------------------------
# Target groups (domain notes §0, §3, §5.4)
# --------------------------------------------------------------------------------------
SRC_NONASN_LT = "'belasan ribu' non-ASN staff (2021): https://insidelombok.id/berita-utama/pegawai-non-asn-di-loteng-akan-dapat-bpjs-ketenagakerjaan"
SRC_NONASN_LOTIM = "Lombok Timur non-ASN 34.555 (Paritrana 2025): https://lombok.inews.id/read/635576/lombok-timur-sabet-juara-1-paritrana-award-2025-ntb/2"
SRC_TOBACCO_LT = "about 23.000 tobacco farmers and labourers: https://insidelombok.id/?p=100003 ; https://lomboktoday.id/2025/08/kasta-ntb-apresiasi-pemkab-loteng-mulai-data-petani-tembakau"
SRC_TOBACCO_NTB = "about 45.000 tobacco farmers and labourers in NTB (2022): https://lombok.tribunnews.com/2022/10/04/10-ribu-petani-dan-buruh-tani-tembakau-di-ntb-dapat-perlindungan-jamsostek"
SRC_FISHER_LT = "about 8.000 fishermen in Lombok Tengah: https://radarmandalika.id/500-nelayan-lombok-tengah-dilindungi-bpjs-ketenagakerjaan/"
LT_NONASN = 15_000  # "belasan ribu": a number between 11.000 and 19.000; mid-range estimate
LOTIM_NONASN = 34_555
LT_TOBACCO = 23_000
NTB_TOBACCO = 45_000
LT_FISHERS = 8_000
#: Illustrative split of the NTB tobacco workforce outside Lombok Tengah (no public basis).
TOBACCO_OTHER_WEIGHTS = {"52.03": 0.85, "52.01": 0.07, "52.08": 0.05, "52.04": 0.03}
VILLAGE_OFFICIALS_PER_DESA = 12  # kepala desa, sekdes, kaur/kasi, kepala dusun (assumption)
ELECTION_PPK_PER_KECAMATAN = 5
ELECTION_PPS_PER_DESA_KEL = 3
ELECTION_KPPS_PER_TPS = 7
VOTERS_PER_RESIDENT = 0.68
VOTERS_PER_TPS = 250
TARGET_GROUPS = ("non_asn_staff", "tobacco_farmer", "fisher", "village_official", "election_staff")


def build_target_groups() -> list[dict]:
    population = {code: m + f for code, (m, f) in POPULATION_2024.items()}
    nonasn_ratio = (LT_NONASN / population["52.02"] + LOTIM_NONASN / population["52.03"]) / 2
    fisher_ratio = LT_FISHERS / population["52.02"]
    tobacco_others = allocate(NTB_TOBACCO - LT_TOBACCO, TOBACCO_OTHER_WEIGHTS)
    rows = []
    for code in KABKOTA:
        for year in YEARS:
            for group in TARGET_GROUPS:
                if group == "non_asn_staff":
                    if code == "52.02":
                        count, status, source = LT_NONASN, "estimate", f"{SRC_NONASN_LT}; 15.000 taken for 'belasan ribu' (Derivations G1)"
                    elif code == "52.03":
                        count = LOTIM_NONASN
                        status = "reported" if year == 2024 else "estimate"
                        source = SRC_NONASN_LOTIM + ("" if year == 2024 else "; held constant (Derivations G1)")
                    else:
                        count = round(population[code] * nonasn_ratio)
                        status, source = "estimate", "derived: Derivations G1"
                elif group == "tobacco_farmer":
                    if code == "52.02":
                        count = LT_TOBACCO
                        status = "reported" if year == 2025 else "estimate"
                        source = SRC_TOBACCO_LT + ("" if year == 2025 else "; held constant (Derivations G2)")
                    else:
                        count = tobacco_others.get(code, 0)
                        status, source = "illustrative", f"derived: Derivations G2; {SRC_TOBACCO_NTB}"
                elif group == "fisher":
                    if code == "52.02":
                        count = LT_FISHERS
                        status = "reported" if year == 2022 else "estimate"
                        source = SRC_FISHER_LT + ("" if year == 2022 else "; held constant (Derivations G3)")
                    else:
                        count = round(population[code] * fisher_ratio)
                        status, source = "estimate", "derived: Derivations G3"
                elif group == "village_official":
                    count = DESA_COUNTS[code] * VILLAGE_OFFICIALS_PER_DESA
                    status, source = "estimate", f"derived: Derivations G4 (desa count from {SRC_KEPMENDAGRI})"
                else:
                    count = election_staff(code, year, population[code])
                    status, source = "illustrative", "derived: Derivations G5"
                rows.append({"region_code": code, "year": year, "target_group": group,
                             "target_count": count, "source": source, "status": status})
    return rows


def election_staff(code: str, year: int, population: int) -> int:
    """Ad hoc election staff (PPK, PPS, KPPS) for the 2024 elections (Derivations G5)."""
    if year not in (2023, 2024):
        return 0
    count = (ELECTION_PPK_PER_KECAMATAN * DISTRICT_COUNTS[code]
             + ELECTION_PPS_PER_DESA_KEL * DESA_KEL_COUNTS[code])
    if year == 2024:
        polling_stations = -(-round(population * VOTERS_PER_RESIDENT) // VOTERS_PER_TPS)
        count += ELECTION_KPPS_PER_TPS * polling_stations
    return count


# --------------------------------------------------------------------------------------
# Paritrana inputs (domain notes §2)
# --------------------------------------------------------------------------------------
SRC_PARITRANA_LOTIM = "https://lombok.times.co.id/news/berita/RB8i6HAIl/Pemkab-Lombok-Timur-Raih-Peringkat-Satu-Paritrana-Award-2025-Tingkat-Provinsi-NTB"
PARITRANA_INDICATORS = ("regulasi", "penguasaan_narasumber", "materi_uji_pemahaman")
LOTIM_PARITRANA_2025 = {"regulasi": "9.00", "penguasaan_narasumber": "10.00",
                        "materi_uji_pemahaman": "9.06"}
PARITRANA_SEED = 52


def build_paritrana_inputs() -> list[dict]:
    import random

    generator = random.Random(PARITRANA_SEED)
    rows = []
    for code in KABKOTA:
        for year in YEARS:
            for indicator in PARITRANA_INDICATORS:
                illustrative_score = f"{generator.uniform(5.0, 9.5):.2f}"
                if code == "52.03" and year == 2025:
                    score, status, source = LOTIM_PARITRANA_2025[indicator], "reported", SRC_PARITRANA_LOTIM
                else:
                    score, status, source = illustrative_score, "illustrative", "derived: Derivations R1 (seeded random score, no public basis)"
                rows.append({"region_code": code, "year": year, "indicator": indicator,
                             "score": score, "source": source, "status": status})
    return rows


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
TABLE_BUILDERS = {
    "regions.csv": (["region_code", "region_name", "region_type", "parent_code", "source",
                     "status"], build_regions),
    "districts.csv": (["district_code", "district_name", "region_code", "source", "status"],
                      build_districts),
    "population.csv": (["region_code", "year", "vintage", "sex", "population_count",
                        "source", "status"], build_population),
    "labour.csv": (["region_code", "year"] + LABOUR_COUNT_COLUMNS + ["source", "status"],
                   build_labour),
    "budget.csv": (["region_code", "year", "apbd_total_rp", "dbhcht_received_rp",
                    "dbhcht_welfare_rp", "dbhcht_health_rp", "dbhcht_law_rp", "source",
                    "status"], build_budget),
    "rates.csv": (RATES_HEADER, build_rates),
    "thresholds.csv": (["year", "category", "variant", "min_coverage", "min_active_rate",
                        "min_pemda_share", "source", "status"], build_thresholds),
    "target_groups.csv": (["region_code", "year", "target_group", "target_count", "source",
                           "status"], build_target_groups),
    "paritrana_inputs.csv": (["region_code", "year", "indicator", "score", "source", "status"],
                             build_paritrana_inputs),
}


def render_all() -> dict[str, str]:
    """Return {file name: CSV text} for every reference table."""
    return {name: write_csv(name, header, builder())
            for name, (header, builder) in TABLE_BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed CSV differs from the build")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    rendered = render_all()
    stale = []
    for name, text in rendered.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{text.count(chr(10)) - 1} rows")
    if stale:
        print("stale reference tables (run scripts/build_reference.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
