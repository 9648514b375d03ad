"""Build the national reference tables: all 38 provinces and 514 kab/kota.

Inputs are the read-only copies of ``cahyadsn/wilayah`` (MIT) beside the project,
``../shared/sources/wilayah/db/`` (see ``shared/sources/README.md``):

- ``wilayah.sql``: Kepmendagri codes and names (province and kab/kota rows are used);
- ``wilayah_penduduk.sql``: Dukcapil population by sex, about semester 1 2024 (the same
  figures ``scripts/build_reference.py`` transcribes for NTB);
- ``wilayah_luas.sql``: area in km² (Badan Informasi Geospasial, December 2024).

Outputs, in ``data/reference/``: ``national_regions.csv``, ``national_population.csv``,
``national_labour.csv``, ``national_budget.csv``. NTB's rows are the rows of the NTB
tables (``scripts/build_reference.py``), figure for figure; the other provinces' labour
and budget figures are estimates (data/README.md, "National tables", Derivations N1–N5).
The script is deterministic: the same inputs give byte-identical CSVs, and
``tests/test_national_reference.py`` fails when the committed files drift.

Usage::

    python scripts/build_national_reference.py            # writes the four CSVs
    python scripts/build_national_reference.py --check    # exit 1 if a committed CSV is stale
    python scripts/build_national_reference.py --sources /path/to/shared/sources
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "reference"
#: The read-only source copies; ``$CAKUPAN_SOURCES`` or ``--sources`` point elsewhere.
DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"


def _load_ntb_build():
    """scripts/build_reference.py as a module: NTB's rows and its helpers (allocate …)."""
    path = Path(__file__).resolve().with_name("build_reference.py")
    spec = importlib.util.spec_from_file_location("build_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ntb = _load_ntb_build()

YEARS = ntb.YEARS
NTB = ntb.PROVINCE
PROVINCE_COUNT = 38
KABKOTA_COUNT = 514

# --------------------------------------------------------------------------------------
# Sources (cited in the `source` column)
# --------------------------------------------------------------------------------------
WILAYAH_COMMIT = "b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7"
SRC_WILAYAH = f"github.com/cahyadsn/wilayah@{WILAYAH_COMMIT[:7]} (MIT)"
SRC_REGIONS = (f"Kepmendagri 300.2.2-2138/2025 via {SRC_WILAYAH} db/wilayah.sql; area_km2: BIG "
               "B-16.10/DIGD-BIG/IGD.04.04/12/2024 via db/wilayah_luas.sql")
SRC_POPULATION = f"Dukcapil population (semester 1 2024) via {SRC_WILAYAH} db/wilayah_penduduk.sql"

# --------------------------------------------------------------------------------------
# Constants (each cites its source)
# --------------------------------------------------------------------------------------
#: BPS Sakernas August 2024, Indonesia: https://paskerid.kemnaker.go.id/news/21 ;
#: https://goodstats.id/article/tingkat-pengangguran-terbuka-indonesia-turun-di-agustus-2024-qAoCW
ID_WORKING_AGE_2024 = 215_370_000
ID_LABOUR_FORCE_2024 = 152_110_000
ID_EMPLOYED_2024 = 144_640_000
ID_FORMAL_SHARE_2024 = 0.4205  # 42,05 % of the employed work formally
ID_INFORMAL_SHARE_2024 = 1.0 - ID_FORMAL_SHARE_2024  # 57,95 %
#: DKI Jakarta's five kota administrasi and one kabupaten administrasi are not autonomous
#: regions: they have no APBD of their own (the province budgets for them).
NO_OWN_BUDGET_PROVINCE = "31"


# --------------------------------------------------------------------------------------
# Load inputs: the SQL dumps
# --------------------------------------------------------------------------------------
def sources_dir(explicit: Path | str | None = None) -> Path:
    """The folder holding ``wilayah/`` (argument, ``$CAKUPAN_SOURCES``, ``../shared/sources``)."""
    folder = Path(explicit or os.environ.get("CAKUPAN_SOURCES") or DEFAULT_SOURCES)
    if not (folder / "wilayah" / "db" / "wilayah.sql").is_file():
        raise FileNotFoundError(
            f"{folder / 'wilayah' / 'db' / 'wilayah.sql'} not found: pass --sources or set "
            "CAKUPAN_SOURCES to the folder holding the cahyadsn/wilayah copy")
    return folder


_TEXT = r"'((?:[^'\\]|\\.|'')*)'"


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("''", "'"))


def read_names(folder: Path) -> dict[str, str]:
    """Province and kab/kota names by code, from db/wilayah.sql (desa/kecamatan skipped)."""
    text = (folder / "wilayah" / "db" / "wilayah.sql").read_text(encoding="utf-8")
    pattern = re.compile(r"^\('(\d{2}(?:\.\d{2})?)'," + _TEXT + r"\)[,;]", re.MULTILINE)
    names = {code: _unquote(name).strip() for code, name in pattern.findall(text)}
    assert len(names) == PROVINCE_COUNT + KABKOTA_COUNT, f"{len(names)} regions in wilayah.sql"
    return names


def read_population(folder: Path) -> dict[str, tuple[int, int]]:
    """(male, female) by province and kab/kota code, from db/wilayah_penduduk.sql."""
    text = (folder / "wilayah" / "db" / "wilayah_penduduk.sql").read_text(encoding="utf-8")
    pattern = re.compile(r"^\('(\d{1,2}(?:\.\d{2})?)'," + _TEXT
                         + r",'(\d+)','(\d+)','(\d+)'\)[,;]", re.MULTILINE)
    result = {}
    for code, _, male, female, total in pattern.findall(text):
        assert int(male) + int(female) == int(total), f"penduduk {code}: male + female ≠ total"
        result[code] = (int(male), int(female))
    national = result.pop("0")  # the INDONESIA row
    provinces = [code for code in result if "." not in code]
    assert tuple(map(sum, zip(*(result[c] for c in provinces)))) == national, (
        "province rows of wilayah_penduduk.sql must add up to its INDONESIA row")
    return result


def read_area(folder: Path) -> dict[str, tuple[str, float]]:
    """(name, area in km²) by province and kab/kota code, from db/wilayah_luas.sql.

    The dump has passed through a spreadsheet: codes whose second part ends in 0 lost it
    (``11.1`` is ``11.10``) and one province became a decimal (``31.0`` is DKI Jakarta,
    ``31``); they are restored here (the names are checked against wilayah.sql by
    :class:`Inputs`).
    """
    text = (folder / "wilayah" / "db" / "wilayah_luas.sql").read_text(encoding="utf-8")
    pattern = re.compile(r"^\('(\d{2}(?:\.\d{1,2})?)'," + _TEXT + r",([\d.]+)\)[,;]",
                         re.MULTILINE)
    result = {}
    for code, name, area in pattern.findall(text):
        if re.fullmatch(r"\d{2}\.0", code):
            code = code[:2]
        elif re.fullmatch(r"\d{2}\.\d", code):
            code += "0"
        assert code not in result, f"luas: code {code} twice"
        result[code] = (_unquote(name).strip(), float(area))
    return result


def _same_name(a: str, b: str) -> bool:
    """Names equal but for the 'Kab ' abbreviation (luas writes 'Kab Timor Tengah Selatan')."""
    def expand(name: str) -> str:
        return re.sub(r"^Kab ", "Kabupaten ", name)
    return expand(a) == expand(b)


# --------------------------------------------------------------------------------------
# Process data
# --------------------------------------------------------------------------------------
def region_name(full_name: str) -> str:
    """'Kabupaten Lombok Barat' → 'Lombok Barat'; cities keep 'Kota' (as regions.csv)."""
    for prefix in ("Kabupaten Administrasi ", "Kabupaten "):
        if full_name.startswith(prefix):
            return full_name[len(prefix):]
    return full_name


def region_type(code: str, full_name: str) -> str:
    if "." not in code:
        return "provinsi"
    kind = "kota" if full_name.startswith("Kota ") else "kabupaten"
    # Kemendagri numbers cities from 71: a cross-check of the name.
    assert (kind == "kota") == (int(code[3:]) >= 71), f"{code} {full_name}: type vs code"
    return kind


class Inputs:
    """The parsed sources, checked against each other and against NTB's transcription."""

    def __init__(self, folder: Path):
        self.names = read_names(folder)
        self.population = read_population(folder)
        self.area = read_area(folder)
        codes = set(self.names)
        assert set(self.population) == codes, "penduduk and wilayah.sql codes differ"
        assert set(self.area) == codes, "luas and wilayah.sql codes differ"
        for code, (name, _) in self.area.items():  # also checks the restored codes
            assert _same_name(name, self.names[code]), f"luas {code} '{name}'"
        self.provinces = sorted(code for code in codes if "." not in code)
        self.kabkota = sorted(code for code in codes if "." in code)
        assert len(self.provinces) == PROVINCE_COUNT and len(self.kabkota) == KABKOTA_COUNT
        self.children = {p: [k for k in self.kabkota if k[:2] == p] for p in self.provinces}
        for province, kids in self.children.items():
            sums = tuple(map(sum, zip(*(self.population[k] for k in kids))))
            assert sums == self.population[province], f"penduduk {province} ≠ its kab/kota"
        ntb_names = {code: name for code, name, _ in ntb.REGIONS}
        for code in ntb_names:
            assert region_name(self.names[code]) == ntb_names[code], f"NTB name {code}"
        for code, pair in ntb.POPULATION_2024.items():
            assert self.population[code] == pair, f"NTB population {code} ≠ build_reference.py"
        self.others = [k for k in self.kabkota if k[:2] != NTB]

    def total(self, code: str) -> int:
        """Residents (both sexes) in 2024."""
        return sum(self.population[code])

    def total_in(self, code: str, year: int) -> int:
        """Residents in ``year`` as national_population.csv has them (P1; province = sum)."""
        if "." not in code:
            return sum(self.total_in(kid, year) for kid in self.children[code])
        if year == 2024:
            return self.total(code)
        return sum(round(count * ntb.growth_factor(year)) for count in self.population[code])


def build_regions(inputs: Inputs) -> list[dict]:
    """N1: every province and kab/kota; NTB's names and types as regions.csv."""
    rows = []
    for province in inputs.provinces:
        for code in [province] + inputs.children[province]:
            full = inputs.names[code]
            rows.append({
                "region_code": code,
                "region_name": region_name(full),
                "region_type": region_type(code, full),
                "parent_code": "" if code == province else province,
                "area_km2": f"{inputs.area[code][1]:.3f}",
                "source": SRC_REGIONS,
                "status": "official",
            })
    return rows


def build_population(inputs: Inputs) -> list[dict]:
    """N2: Dukcapil 2024 by sex for every region; other years as NTB's Derivation P1.

    NTB's rows (both vintages) are those of population.csv; other provinces have the
    default vintage only. Province rows are the sum of their kab/kota.
    """
    ntb_rows = ntb.build_population()
    rows = []
    for province in inputs.provinces:
        if province == NTB:
            rows += [row for row in ntb_rows if row["vintage"] == ntb.DEFAULT_VINTAGE]
            continue
        for year in YEARS:
            counts = {}
            for code in inputs.children[province]:
                for sex, base in zip(("L", "P"), inputs.population[code]):
                    counts[(code, sex)] = (base if year == 2024
                                           else round(base * ntb.growth_factor(year)))
            for code in [province] + inputs.children[province]:
                for sex in ("L", "P"):
                    if code == province:
                        count = sum(counts[(k, sex)] for k in inputs.children[province])
                    else:
                        count = counts[(code, sex)]
                    source, status = population_source(code == province, year)
                    rows.append({"region_code": code, "year": year,
                                 "vintage": ntb.DEFAULT_VINTAGE, "sex": sex,
                                 "population_count": count, "source": source,
                                 "status": status})
    rows += [row for row in ntb_rows if row["vintage"] != ntb.DEFAULT_VINTAGE]
    return rows


def population_source(is_province: bool, year: int) -> tuple[str, str]:
    if year == 2024 and is_province:
        return (f"sum of kab/kota rows; equals the province row of {SRC_POPULATION}",
                "reported")
    if year == 2024:
        return SRC_POPULATION, "reported"
    return "derived: data/README.md, Derivations P1, N2", "estimate"


def labour_2024_others(inputs: Inputs) -> dict[str, dict[str, int]]:
    """N3: Sakernas Indonesia minus NTB, allocated to the other 504 kab/kota."""
    ntb_rows = {row["region_code"]: row for row in ntb.build_labour() if row["year"] == 2024}
    ntb_total = ntb_rows[NTB]
    population = {code: inputs.total(code) for code in inputs.others}
    working_age = ntb.allocate(ID_WORKING_AGE_2024 - ntb_total["working_age_count"], population)
    labour_force = ntb.allocate(ID_LABOUR_FORCE_2024 - ntb_total["labour_force_count"],
                                working_age)
    employed = ntb.allocate(ID_EMPLOYED_2024 - ntb_total["employed_count"], labour_force)
    return {code: {"working_age_count": working_age[code],
                   "labour_force_count": labour_force[code],
                   "employed_count": employed[code]} for code in inputs.others}


def potential_ratios() -> tuple[float, float]:
    """N3: BPJS TK potential ÷ BPS employed in NTB 2024, formal and informal."""
    row = next(r for r in ntb.build_labour() if r["region_code"] == NTB and r["year"] == 2024)
    return (row["potential_formal_count"] / row["formal_employed_count"],
            row["potential_informal_count"] / row["informal_employed_count"])


def build_labour(inputs: Inputs) -> list[dict]:
    """N3: labour rows for every region and year; NTB's as labour.csv."""
    ntb_rows = ntb.build_labour()
    base = labour_2024_others(inputs)
    formal_ratio, informal_ratio = potential_ratios()
    rows = []
    for province in inputs.provinces:
        if province == NTB:
            rows += ntb_rows
            continue
        for year in YEARS:
            by_region = {}
            for code in inputs.children[province]:
                values = {column: (value if year == 2024
                                   else round(value * ntb.growth_factor(year)))
                          for column, value in base[code].items()}
                informal = round(values["employed_count"] * ID_INFORMAL_SHARE_2024)
                values["informal_employed_count"] = informal
                values["formal_employed_count"] = values["employed_count"] - informal
                values["potential_formal_count"] = round(
                    values["formal_employed_count"] * formal_ratio)
                values["potential_informal_count"] = round(informal * informal_ratio)
                values["potential_workforce_count"] = (values["potential_formal_count"]
                                                       + values["potential_informal_count"])
                by_region[code] = values
            totals = {column: sum(by_region[k][column] for k in inputs.children[province])
                      for column in ntb.LABOUR_COUNT_COLUMNS}
            for code in [province] + inputs.children[province]:
                values = totals if code == province else by_region[code]
                row = {"region_code": code, "year": year}
                row.update({column: values[column] for column in ntb.LABOUR_COUNT_COLUMNS})
                row.update({"source": labour_source(code == province, year),
                            "status": "estimate"})
                ntb.check_labour_row(row)
                rows.append(row)
    return rows


def labour_source(is_province: bool, year: int) -> str:
    rule = "N3" if year == 2024 else "N3, N4"
    if is_province:
        return f"sum of kab/kota rows; derived (data/README.md, Derivations {rule})"
    return f"derived: data/README.md, Derivations {rule}"


def apbd_line() -> tuple[float, float]:
    """Derivation B1's line (intercept, Rupiah per resident) through NTB's two regencies."""
    x1, y1 = ntb.population_total_2025("52.02"), ntb.LT_APBD_2025
    x2, y2 = ntb.population_total_2025("52.03"), ntb.LOTIM_APBD[2025]
    slope = (y2 - y1) / (x2 - x1)
    return y1 - slope * x1, slope


def build_budget(inputs: Inputs) -> list[dict]:
    """N5: APBD estimates for the other provinces; DBHCHT left empty (not known)."""
    intercept, slope = apbd_line()
    ntb_rows = ntb.build_budget()
    rows = []
    for province in inputs.provinces:
        if province == NTB:
            rows += ntb_rows
            continue
        for year in YEARS:
            back_cast = (1 + ntb.APBD_GROWTH_RATE) ** (2025 - year)
            for code in [province] + inputs.children[province]:
                if code != province and province == NO_OWN_BUDGET_PROVINCE:
                    continue
                if code == province:
                    # the provincial government: NTB's reported APBD per NTB resident; off
                    # by a factor of 4-7 for rich provinces, hence illustrative (N5)
                    per_resident = ntb.NTB_APBD[year] / inputs.total_in(NTB, year)
                    apbd = ntb.round_million(per_resident * inputs.total_in(code, year))
                    rule, status = "N5 (province)", "illustrative"
                else:
                    level_2025 = intercept + slope * inputs.total_in(code, 2025)
                    apbd = ntb.round_million(level_2025 / back_cast)
                    rule, status = "N5 (kab/kota), B1, B2", "estimate"
                rows.append({
                    "region_code": code, "year": year, "apbd_total_rp": apbd,
                    "dbhcht_received_rp": None, "dbhcht_welfare_rp": None,
                    "dbhcht_health_rp": None, "dbhcht_law_rp": None,
                    "source": (f"derived: data/README.md, Derivations {rule}; dbhcht_* empty: "
                               "not known outside NTB"),
                    "status": status,
                })
    return rows


# --------------------------------------------------------------------------------------
# Save outputs
# --------------------------------------------------------------------------------------
LABOUR_HEADER = ["region_code", "year"] + ntb.LABOUR_COUNT_COLUMNS + ["source", "status"]
TABLE_BUILDERS = {
    "national_regions.csv": (["region_code", "region_name", "region_type", "parent_code",
                              "area_km2", "source", "status"], build_regions),
    "national_population.csv": (["region_code", "year", "vintage", "sex", "population_count",
                                 "source", "status"], build_population),
    "national_labour.csv": (LABOUR_HEADER, build_labour),
    "national_budget.csv": (["region_code", "year", "apbd_total_rp", "dbhcht_received_rp",
                             "dbhcht_welfare_rp", "dbhcht_health_rp", "dbhcht_law_rp",
                             "source", "status"], build_budget),
}


def render_all(sources: Path | str | None = None) -> dict[str, str]:
    """Return {file name: CSV text} for every national table."""
    inputs = Inputs(sources_dir(sources))
    return {name: ntb.write_csv(name, header, builder(inputs))
            for name, (header, builder) in TABLE_BUILDERS.items()}


def summary(rendered: dict[str, str]) -> str:
    """Rows per table and the national totals a reader can check against the sources."""
    import csv
    import io

    lines = []
    for name, text in rendered.items():
        rows = list(csv.DictReader(io.StringIO(text)))
        lines.append(f"{name}: {len(rows)} rows")
        if name == "national_population.csv":
            total = sum(int(r["population_count"]) for r in rows
                        if "." not in r["region_code"] and r["year"] == "2024"
                        and r["vintage"] == ntb.DEFAULT_VINTAGE)
            lines.append(f"  Indonesia 2024 (sum of provinces): {total:,} residents")
        if name == "national_labour.csv":
            provinces = [r for r in rows if "." not in r["region_code"] and r["year"] == "2024"]
            for column in ("working_age_count", "employed_count", "potential_workforce_count"):
                lines.append(f"  Indonesia 2024 {column}: "
                             f"{sum(int(r[column]) for r in provinces):,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed CSV differs from the build")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    parser.add_argument("--sources", type=Path, default=None,
                        help="folder holding wilayah/ (default $CAKUPAN_SOURCES or "
                             "../shared/sources)")
    args = parser.parse_args(argv)
    rendered = render_all(args.sources)
    stale = []
    for name, text in rendered.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(summary(rendered))
    if stale:
        print("stale national tables (run scripts/build_national_reference.py): "
              + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
