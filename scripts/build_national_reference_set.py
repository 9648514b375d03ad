"""Build the national reference set: every NTB reference table, for all 38 provinces.

``data/reference/national/`` holds the same files as ``data/reference/`` (same names and
columns), covering all 38 provinces, 514 kab/kota and 7.285 kecamatan, so that the whole
pipeline runs for any province with ``CAKUPAN_REFERENCE=national``
(``helpers.paths.reference_dir``). NTB's rows are byte-identical to the NTB tables' rows.

Inputs: the committed NTB tables and national tables in ``data/reference/``
(``scripts/build_reference.py``, ``build_derived_reference.py``,
``build_national_reference.py``, ``build_national_boundaries.py``) and the read-only source
copies in ``../shared/sources/`` (kecamatan and desa of ``wilayah/db/wilayah.sql``, label
points and names of ``wilayah_boundaries/db/kab/*.sql``).

- ``regions.csv``, ``population.csv``, ``labour.csv``, ``budget.csv``: the ``national_*``
  tables (regions without ``area_km2``); NTB's rows from the NTB tables.
- ``rates.csv``, ``thresholds.csv``, ``target_groups.csv``, ``paritrana_inputs.csv``,
  ``LICENSE-wilayah_boundaries.txt`` and NTB's two boundary files: copies (rates and
  thresholds are national; target groups and Paritrana scores exist for NTB only).
- ``districts.csv``, ``district_labour.csv``: every kecamatan of ``wilayah.sql``;
  Derivation D1 (``build_derived_reference.district_rows``) on ``national_labour.csv``.
- ``sample_targets.csv``: NTB's rows, plus Derivations S10 (BPJS TK active) and S11 (JKN
  enrolment) for every other kab/kota and province.
- ``boundaries_PP_kabkota.geojson`` for every other province: its features of
  ``boundaries_national_kabkota.geojson`` with the properties of the NTB file.

Deterministic; ``tests/test_national_reference_set.py`` rebuilds it and fails on drift.

Usage::

    python scripts/build_national_reference_set.py            # writes data/reference/national
    python scripts/build_national_reference_set.py --check    # exit 1 if a file is stale
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
OUT_DIR = REFERENCE / "national"


def _load(name: str):
    """A sibling build script as a module (its constants and helpers are reused)."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


national = _load("build_national_reference")
derived = _load("build_derived_reference")
ntb = national.ntb
NTB = ntb.PROVINCE
allocate = ntb.allocate

#: Copied unchanged: national constants (no region column) and NTB-only tables.
COPIED = ("rates.csv", "thresholds.csv", "target_groups.csv", "paritrana_inputs.csv",
          "LICENSE-wilayah_boundaries.txt", "boundaries_52_kabkota.geojson",
          "boundaries_52_kecamatan.geojson")

# --------------------------------------------------------------------------------------
# Sources and constants of Derivations S10, S11 (data/README.md)
# --------------------------------------------------------------------------------------
SRC_TK_NATIONAL = ("BPJS TK active participants Feb 2025, Indonesia: 41,38 m (PU 26,26 m, "
                   "BPU 9,58 m, Jakon 5,53 m): https://databoks.katadata.co.id/index.php/"
                   "ketenagakerjaan/statistik/67f5ed64a9a66/provinsi-dengan-peserta-aktif-bpjs-"
                   "tk-terbanyak-pada-februari-2025")
SRC_JKN_NATIONAL = ("JKN 31 Oct 2024: 277.538.004 members = 98,25 % of Indonesia (Dukcapil "
                    "semester I 2024): https://liputanmalam.com/jumlah-peserta-jkn-hampir-100-"
                    "bpjs-kesehatan-as-kalah-2777.html")
SRC_JKN_JATENG = ("Jawa Tengah and DIY 31 Dec 2024: 41,5 m members = 98,9 %: https://jateng."
                  "jpnn.com/jateng-terkini/14771/sepanjang-2024-peserta-jkn-di-jateng-diy-"
                  "capai-415-juta-jiwa")
SRC_JKN_2023 = ("Dec 2023: Sumatera Utara, Jambi, Kalimantan Barat about 90 %; Sumatera Barat, "
                "Jawa Tengah, Jawa Timur, Maluku Utara below 95 %: https://news.harianjogja.com/"
                "read/2024/01/09/500/1160919/")
#: S10: national active BPJS TK people used for 31 Dec 2024 (Feb 2025 figures).
ID_TK_ACTIVE = 41_380_000
ID_TK_INFORMAL = 9_580_000  # BPU
#: S10: elasticity of coverage to population density relative to Indonesia's (urban proxy),
#: formal and informal (S1 uses 0,10 for informal in NTB). Illustrative.
FORMAL_DENSITY_ELASTICITY = 0.15
INFORMAL_DENSITY_ELASTICITY = derived.DENSITY_ELASTICITY
#: S10: no kab/kota gets more active members than this share of its BPJS TK potential.
TK_CAP = 0.95
#: S11: the national JKN enrolment (members ÷ population) the kab/kota average to.
ID_JKN_COVERAGE = 0.9825
#: S11: provinces with a reported figure for 31 Dec 2024 (Jawa Tengah and DIY together).
JKN_PROVINCE_REPORTED = {"33": 0.989, "34": 0.989}
#: S11: provinces lagging in Dec 2023, below the national level by this much (illustrative).
JKN_LAGGARDS = {"12": -0.030, "15": -0.030, "61": -0.030, "13": -0.015, "35": -0.015,
                "82": -0.015}
#: S11: spread of the other provinces and of kab/kota within a province (uniform ±).
JKN_PROVINCE_SPREAD = 0.008
JKN_KABKOTA_SPREAD = 0.015
JKN_SEED = 16


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------
def read_rows(name: str, folder: Path = REFERENCE) -> tuple[list[str], list[dict]]:
    """Header and rows (text) of a committed CSV."""
    with open(folder / name, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def read_kecamatan(sources: Path) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """Kecamatan names and (desa, kelurahan) counts of db/wilayah.sql (desa codes start
    with 2, kelurahan with 1)."""
    text = (sources / "wilayah" / "db" / "wilayah.sql").read_text(encoding="utf-8")
    names = {code: national._unquote(name).strip() for code, name in re.findall(
        r"^\('(\d{2}\.\d{2}\.\d{2})'," + national._TEXT + r"\)[,;]", text, re.MULTILINE)}
    villages = {code: [0, 0] for code in names}
    for district, kind in re.findall(r"^\('(\d{2}\.\d{2}\.\d{2})\.([12])\d{3}',", text,
                                     re.MULTILINE):
        villages[district][0 if kind == "2" else 1] += 1
    return names, {code: (desa, kelurahan) for code, (desa, kelurahan) in villages.items()}


def render_csv(name: str, header: list[str], rows: list[dict]) -> str:
    return ntb.write_csv(name, header, rows)


# --------------------------------------------------------------------------------------
# Tables from the national tables
# --------------------------------------------------------------------------------------
def build_regions() -> tuple[list[str], list[dict]]:
    """national_regions.csv without area_km2, NTB's rows as regions.csv."""
    header, ntb_rows = read_rows("regions.csv")
    _, rows = read_rows("national_regions.csv")
    ntb_by_code = {row["region_code"]: row for row in ntb_rows}
    result = []
    for row in rows:
        if row["region_code"] in ntb_by_code:
            result.append(ntb_by_code[row["region_code"]])
        else:
            result.append({**{c: row[c] for c in header}, "source": ntb.SRC_KEPMENDAGRI})
    return header, result


def build_extended(name: str) -> tuple[list[str], list[dict]]:
    """population, labour, budget: the national table (NTB's rows are the NTB table's)."""
    header, rows = read_rows(f"national_{name}")
    ntb_header, _ = read_rows(name)
    assert header == ntb_header, f"national_{name} columns differ from {name}"
    return header, rows


def build_districts(names: dict[str, str]) -> tuple[list[str], list[dict]]:
    header, ntb_rows = read_rows("districts.csv")
    ntb_names = {row["district_code"]: row["district_name"] for row in ntb_rows}
    assert {c: n for c, n in names.items() if c[:2] == NTB} == ntb_names, "NTB kecamatan"
    rows = []
    for code in sorted(names):
        if code[:2] == NTB:
            rows.append(next(r for r in ntb_rows if r["district_code"] == code))
            continue
        rows.append({"district_code": code, "district_name": names[code],
                     "region_code": code[:5], "source": ntb.SRC_KEPMENDAGRI,
                     "status": "official"})
    return header, rows


def build_district_labour(villages: dict[str, tuple[int, int]]) -> tuple[list[str], list[dict]]:
    """D1 on national_labour.csv for every kab/kota outside NTB; NTB's rows as committed."""
    assert {c: v for c, v in villages.items() if c[:2] == NTB} == derived.VILLAGES
    header, ntb_rows = read_rows("district_labour.csv")
    _, labour_rows = read_rows("national_labour.csv")
    labour = {(row["region_code"], int(row["year"])): {k: int(v) for k, v in row.items()
                                                       if k.endswith("_count")}
              for row in labour_rows}
    source = "derived: data/README.md, Derivations D1, N7"
    by_region: dict[str, dict[str, tuple[int, int]]] = {}
    for code, counts in villages.items():
        by_region.setdefault(code[:5], {})[code] = counts
    rows = []
    for year in ntb.YEARS:
        for region in sorted(by_region):
            if region[:2] == NTB:
                rows += [r for r in ntb_rows if r["region_code"] == region
                         and r["year"] == str(year)]
                continue
            rows += derived.district_rows(region, year, by_region[region],
                                          labour[(region, year)], source)
    return header, rows


# --------------------------------------------------------------------------------------
# sample_targets.csv: Derivations S10, S11
# --------------------------------------------------------------------------------------
class Facts:
    """Population, area and BPJS TK potential (2024) of every kab/kota."""

    def __init__(self):
        _, regions = read_rows("national_regions.csv")
        self.area = {r["region_code"]: float(r["area_km2"]) for r in regions}
        self.kabkota = sorted(r["region_code"] for r in regions if r["parent_code"])
        self.provinces = sorted(r["region_code"] for r in regions if not r["parent_code"])
        _, population = read_rows("national_population.csv")
        self.population = {}
        for row in population:
            if row["year"] == "2024" and row["vintage"] == ntb.DEFAULT_VINTAGE:
                code = row["region_code"]
                self.population[code] = self.population.get(code, 0) + int(
                    row["population_count"])
        _, labour = read_rows("national_labour.csv")
        self.labour = {r["region_code"]: r for r in labour if r["year"] == "2024"}
        total_area = sum(self.area[k] for k in self.kabkota)
        self.density_id = sum(self.population[k] for k in self.kabkota) / total_area
        self.others = [k for k in self.kabkota if k[:2] != NTB]

    def density(self, code: str) -> float:
        """Residents per km² relative to Indonesia's."""
        return self.population[code] / self.area[code] / self.density_id

    def potential(self, code: str, kind: str) -> int:
        return int(self.labour[code][f"potential_{kind}_count"])


def capped_allocate(total: int, weights: dict[str, float], caps: dict[str, int]
                    ) -> dict[str, int]:
    """:func:`allocate`, but no part above its cap (capped parts are fixed, the rest re-split)."""
    fixed: dict[str, int] = {}
    while True:
        free = {k: w for k, w in weights.items() if k not in fixed}
        parts = allocate(total - sum(fixed.values()), free)
        over = [k for k, v in parts.items() if v > caps[k]]
        if not over:
            return {**fixed, **parts}
        fixed.update({k: caps[k] for k in over})


def tk_targets(facts: Facts, ntb_rows: list[dict]) -> dict[str, tuple[int, int]]:
    """S10: active formal and informal BPJS TK people per kab/kota outside NTB."""
    ntb_value = {(r["region_code"], r["measure"]): int(r["target_value"]) for r in ntb_rows
                 if r["reference_date"] == derived.CALIBRATION_DATE and r["unit"] == "people"}
    ntb_informal = ntb_value[(NTB, "tk_active_informal")]
    ntb_formal = ntb_value[(NTB, "tk_active")] - ntb_informal
    result = {}
    for kind, total, elasticity in (
            ("formal", ID_TK_ACTIVE - ID_TK_INFORMAL - ntb_formal, FORMAL_DENSITY_ELASTICITY),
            ("informal", ID_TK_INFORMAL - ntb_informal, INFORMAL_DENSITY_ELASTICITY)):
        weights = {k: facts.potential(k, kind) * facts.density(k) ** elasticity
                   for k in facts.others}
        caps = {k: int(facts.potential(k, kind) * TK_CAP) for k in facts.others}
        result[kind] = capped_allocate(total, weights, caps)
    return {k: (result["formal"][k], result["informal"][k]) for k in facts.others}


def jkn_targets(facts: Facts, ntb_rows: list[dict]) -> dict[str, float]:
    """S11: JKN members ÷ Dukcapil 2024 population per kab/kota outside NTB."""
    provinces = [p for p in facts.provinces if p != NTB]
    draw = random.Random(JKN_SEED)
    offset = {p: JKN_LAGGARDS.get(p, draw.uniform(-JKN_PROVINCE_SPREAD, JKN_PROVINCE_SPREAD))
              for p in provinces}
    deviation = {k: draw.uniform(-JKN_KABKOTA_SPREAD, JKN_KABKOTA_SPREAD) for k in facts.others}
    population = facts.population
    coverage = {}
    for province, level in JKN_PROVINCE_REPORTED.items():
        kids = [k for k in facts.others if k[:2] == province]
        mean = sum(deviation[k] * population[k] for k in kids) / sum(population[k] for k in kids)
        coverage.update({k: level + deviation[k] - mean for k in kids})
    free = [k for k in facts.others if k not in coverage]
    members = sum(float(r["target_value"]) * population[r["region_code"]] for r in ntb_rows
                  if r["measure"] == "jkn_coverage"
                  and r["reference_date"] == derived.CALIBRATION_DATE)
    members += sum(coverage[k] * population[k] for k in coverage)
    members += sum((offset[k[:2]] + deviation[k]) * population[k] for k in free)
    # the level c that brings the population-weighted mean of all 514 to ID_JKN_COVERAGE
    level = ((ID_JKN_COVERAGE * sum(population[k] for k in facts.kabkota) - members)
             / sum(population[k] for k in free))
    coverage.update({k: level + offset[k[:2]] + deviation[k] for k in free})
    assert all(0.90 <= value <= 1.02 for value in coverage.values()), "S11 out of range"
    return {k: round(coverage[k], 4) for k in sorted(coverage)}


def build_sample_targets(facts: Facts) -> tuple[list[str], list[dict]]:
    header, ntb_rows = read_rows("sample_targets.csv")
    tk = tk_targets(facts, ntb_rows)
    jkn = jkn_targets(facts, ntb_rows)
    tk_source = "derived: data/README.md, Derivations S10 (BPJS TK Indonesia, Feb 2025)"
    jkn_source = "derived: data/README.md, Derivations S11 (JKN Indonesia, Oct 2024)"
    rows = list(ntb_rows)
    for code in facts.others:
        formal, informal = tk[code]
        rows += [derived._row(code, "tk_active_formal", formal, "people", tk_source,
                              "illustrative"),
                 derived._row(code, "tk_active_informal", informal, "people", tk_source,
                              "illustrative"),
                 derived._row(code, "jkn_coverage", jkn[code], "fraction", jkn_source,
                              "illustrative", tolerance=0.0005)]
    for province in facts.provinces:
        if province == NTB:
            continue
        kids = [k for k in facts.others if k[:2] == province]
        source = "sum of kab/kota rows (data/README.md, Derivations S10)"
        rows += [derived._row(province, "tk_active", sum(sum(tk[k]) for k in kids), "people",
                              source, "illustrative"),
                 derived._row(province, "tk_active_informal", sum(tk[k][1] for k in kids),
                              "people", source, "illustrative")]
    rows.sort(key=lambda r: (r["region_code"], r["measure"], r["reference_date"]))
    return header, rows


# --------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------
_LABEL_ROW = re.compile(r"^\s*\('(\d{2}\.\d{2})','((?:[^'\\]|\\.|'')*)',(-?[\d.]+),(-?[\d.]+),",
                        re.MULTILINE)


def build_boundaries(sources: Path) -> dict[str, str]:
    """{file name: GeoJSON text}: each province's kab/kota of the national file (N6), with
    the properties of boundaries_52_kabkota.geojson (name and label point of the source)."""
    collection = json.loads((REFERENCE / "boundaries_national_kabkota.geojson").read_text(
        encoding="utf-8"))
    ntb_metadata = json.loads((REFERENCE / "boundaries_52_kabkota.geojson").read_text(
        encoding="utf-8"))["metadata"]
    folder = sources / "wilayah_boundaries" / "db" / "kab"
    result = {}
    provinces = sorted({f["properties"]["province_code"] for f in collection["features"]})
    for province in provinces:
        if province == NTB:
            continue
        path = folder / f"wilayah_boundaries_kab_{province}.sql"
        raw = path.read_bytes()
        labels = {code: (national._unquote(name).strip(), float(lat), float(lng))
                  for code, name, lat, lng in _LABEL_ROW.findall(raw.decode("utf-8"))}
        features = []
        for feature in collection["features"]:
            code = feature["properties"]["region_code"]
            if code[:2] != province:
                continue
            name, lat, lng = labels[code]
            features.append({"type": "Feature",
                             "properties": {"code": code, "name": name, "level": "kabkota",
                                            "parent_code": province,
                                            "label_lng": round(lng, 5),
                                            "label_lat": round(lat, 5)},
                             "geometry": feature["geometry"]})
        assert set(labels) == {f["properties"]["code"] for f in features}, province
        metadata = {**ntb_metadata,
                    "built_by": "scripts/build_national_reference_set.py (features of "
                                "boundaries_national_kabkota.geojson, Derivation N6)",
                    "simplification": collection["simplification"],
                    "source": (f"github.com/cahyadsn/wilayah_boundaries db/kab/{path.name} at "
                               f"commit {collection['source_commit']}"),
                    "source_sha256": hashlib.sha256(raw).hexdigest(),
                    "title": f"{province} kabkota boundaries, simplified"}
        head = json.dumps({"type": "FeatureCollection", "metadata": metadata},
                          ensure_ascii=False, separators=(",", ":"))[:-1]
        lines = [head + ',"features":[']
        lines += [json.dumps(f, ensure_ascii=False, separators=(",", ":"))
                  + ("," if i < len(features) - 1 else "") for i, f in enumerate(features)]
        result[f"boundaries_{province}_kabkota.geojson"] = "\n".join(lines + ["]}"]) + "\n"
    return result


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def render_all(sources: Path | str | None = None) -> dict[str, bytes]:
    """{file name: content} of every file of data/reference/national."""
    folder = national.sources_dir(sources)
    names, villages = read_kecamatan(folder)
    facts = Facts()
    tables = {"regions.csv": build_regions(),
              "districts.csv": build_districts(names),
              "population.csv": build_extended("population.csv"),
              "labour.csv": build_extended("labour.csv"),
              "budget.csv": build_extended("budget.csv"),
              "district_labour.csv": build_district_labour(villages),
              "sample_targets.csv": build_sample_targets(facts)}
    result = {name: render_csv(name, *table).encode() for name, table in tables.items()}
    result.update({name: (REFERENCE / name).read_bytes() for name in COPIED})
    result.update({name: text.encode() for name, text in build_boundaries(folder).items()})
    return dict(sorted(result.items()))


def check_ntb_rows(rendered: dict[str, bytes]) -> None:
    """Every line of an NTB table is a line of its national twin (NTB rows byte-identical)."""
    for name in rendered:
        ntb_path = REFERENCE / name
        if not name.endswith(".csv") or not ntb_path.exists():
            continue
        ours = set(rendered[name].decode().splitlines())
        missing = [line for line in ntb_path.read_text(encoding="utf-8").splitlines()
                   if line not in ours]
        assert not missing, f"{name}: NTB line not in the national set: {missing[0][:80]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed file differs from the build")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    parser.add_argument("--sources", type=Path, default=None,
                        help="folder holding wilayah/ and wilayah_boundaries/")
    args = parser.parse_args(argv)
    rendered = render_all(args.sources)
    check_ntb_rows(rendered)
    stale = []
    for name, content in rendered.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_bytes() != content:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if args.check:
        extra = sorted({p.name for p in args.out.glob("*")} - set(rendered)) \
            if args.out.is_dir() else []
        stale += [f"{name} (not built)" for name in extra]
    for name, content in rendered.items():
        lines = content.count(b"\n")
        print(f"{name}: {lines} lines, {len(content) / 1e3:,.0f} kB")
    if stale:
        print("stale (run scripts/build_national_reference_set.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
