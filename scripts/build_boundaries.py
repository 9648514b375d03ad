"""Build the committed, simplified NTB boundary files in data/reference from the MIT sources.

Inputs (read-only copies, never edited): ``../shared/sources/wilayah_boundaries/db/kab/
wilayah_boundaries_kab_52.sql`` (the 10 kab/kota of NTB) and ``db/kec/
wilayah_boundaries_kec_52.sql`` (its 117 kecamatan), from github.com/cahyadsn/
wilayah_boundaries at commit 3c5a7960f4d227a38489094d84252bdbb3f978a5, MIT licence
(c) Cahya DSN. Codes are Kepmendagri codes, the same as data/reference/regions.csv and
districts.csv.

Outputs (committed): ``data/reference/boundaries_52_kabkota.geojson`` and
``boundaries_52_kecamatan.geojson`` (GeoJSON, coordinates **[longitude, latitude]** —
the sources store [latitude, longitude]) and ``LICENSE-wilayah_boundaries.txt`` (the MIT
notice the licence asks to keep with copies). Each file records its origin, licence,
the checksums of its inputs and the simplification settings under ``"metadata"``.

Simplification, deterministic (same inputs → byte-identical files):

1. Rings: consecutive duplicate points removed; rings closed.
2. Islands (polygons) smaller than ``MIN_AREA_KM2`` are dropped, except a region's
   largest polygon; holes smaller than it too. Nothing that small shows on a report map.
3. Douglas-Peucker on every ring with ``TOLERANCE_DEG`` (about 30 m), **keeping every
   vertex that a neighbouring region also uses** (exact match), so borders that meet at a
   vertex in the source still meet there. The source digitised most neighbouring borders
   separately, so they rarely share vertices; the tolerance is below one pixel of any
   report map, so neighbours still touch on screen.
4. Coordinates rounded to 5 decimals (about 1 m).

Usage::

    python scripts/build_boundaries.py            # writes the files
    python scripts/build_boundaries.py --check    # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "reference"
SOURCE_DIR = ROOT.parent / "shared" / "sources" / "wilayah_boundaries"

SOURCE_REPO = "github.com/cahyadsn/wilayah_boundaries"
SOURCE_COMMIT = "3c5a7960f4d227a38489094d84252bdbb3f978a5"
LICENCE = "MIT"
COPYRIGHT = "Copyright (c) 2024 Cahya DSN"
PROVINCE = "52"
#: Output file name → (source file under SOURCE_DIR, level, expected feature count).
LEVELS = {
    "boundaries_52_kabkota.geojson": ("db/kab/wilayah_boundaries_kab_52.sql", "kabkota", 10),
    "boundaries_52_kecamatan.geojson": ("db/kec/wilayah_boundaries_kec_52.sql", "kecamatan", 117),
}
LICENCE_FILE = "LICENSE-wilayah_boundaries.txt"
#: Douglas-Peucker tolerance in degrees (0.0003° ≈ 33 m at NTB's latitude).
TOLERANCE_DEG = 0.0003
#: Islands and holes smaller than this are dropped (km²).
MIN_AREA_KM2 = 0.05
DECIMALS = 5
KM_PER_DEG_LAT = 111.32

_ROW = re.compile(
    r"\('(?P<code>[0-9.]+)','(?P<name>(?:[^'\\]|\\.|'')*)',(?P<lat>-?[0-9.]+),"
    r"(?P<lng>-?[0-9.]+),'(?P<path>\[.*?\])'\)")


# --------------------------------------------------------------------------------------
# Load inputs
# --------------------------------------------------------------------------------------
def read_regions(sql_text: str) -> list[dict]:
    """The rows of a wilayah_boundaries INSERT file: code, name, label point, polygons.

    ``path`` holds polygons → rings → [lat, lng] points; single polygons in the source
    are one level less deep, and are normalised to the same nesting.
    """
    regions = []
    for match in _ROW.finditer(sql_text):
        polygons = json.loads(match["path"])
        depth, probe = 0, polygons
        while isinstance(probe, list):
            probe, depth = probe[0], depth + 1
        if depth == 3:  # one polygon: rings → points → [lat, lng]
            polygons = [polygons]
        elif depth != 4:
            raise ValueError(f"{match['code']}: unexpected path nesting {depth}")
        regions.append({
            "code": match["code"],
            "name": match["name"].replace("''", "'").replace("\\'", "'"),
            "label": (float(match["lat"]), float(match["lng"])),
            "polygons": [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon]
                         for polygon in polygons],
        })
    return regions


# --------------------------------------------------------------------------------------
# Process data
# --------------------------------------------------------------------------------------
def ring_area_km2(ring: list[tuple[float, float]]) -> float:
    """Area of a [lat, lng] ring in km² (shoelace on a local equirectangular plane)."""
    if len(ring) < 4:
        return 0.0
    mean_lat = sum(p[0] for p in ring) / len(ring)
    kx = KM_PER_DEG_LAT * math.cos(math.radians(mean_lat))
    total = 0.0
    for (lat1, lng1), (lat2, lng2) in zip(ring, ring[1:]):
        total += (lng1 * kx) * (lat2 * KM_PER_DEG_LAT) - (lng2 * kx) * (lat1 * KM_PER_DEG_LAT)
    return abs(total) / 2.0


def clean_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop consecutive duplicates and close the ring."""
    result: list[tuple[float, float]] = []
    for point in ring:
        if not result or point != result[-1]:
            result.append(point)
    if result and result[0] != result[-1]:
        result.append(result[0])
    return result


def douglas_peucker(points: list[tuple[float, float]], tolerance: float,
                    locked: set[tuple[float, float]]) -> list[tuple[float, float]]:
    """Simplify an open polyline; its ends and every ``locked`` point are kept."""
    if len(points) <= 2:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    for index, point in enumerate(points):
        if point in locked:
            keep[index] = True
    anchors = [i for i, flag in enumerate(keep) if flag]
    for start, end in zip(anchors, anchors[1:]):
        stack = [(start, end)]
        while stack:
            first, last = stack.pop()
            if last - first < 2:
                continue
            (y1, x1), (y2, x2) = points[first], points[last]
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy)
            worst, worst_index = -1.0, first
            for index in range(first + 1, last):
                y0, x0 = points[index]
                if length == 0:
                    distance = math.hypot(x0 - x1, y0 - y1)
                else:
                    distance = abs(dy * x0 - dx * y0 + x2 * y1 - y2 * x1) / length
                if distance > worst:
                    worst, worst_index = distance, index
            if worst > tolerance:
                keep[worst_index] = True
                stack += [(first, worst_index), (worst_index, last)]
    return [point for point, flag in zip(points, keep) if flag]


def simplify_ring(ring, locked):
    """A closed ring simplified; None when it collapses below a triangle."""
    if len(ring) < 4:
        return None
    simplified = douglas_peucker(ring, TOLERANCE_DEG, locked)
    if len(simplified) < 4:  # keep the ring's extreme points instead of losing it
        simplified = douglas_peucker(ring, TOLERANCE_DEG / 10, locked)
    return simplified if len(simplified) >= 4 else None


def shared_vertices(regions: list[dict]) -> set[tuple[float, float]]:
    """Vertices used by two or more regions (exact coordinates)."""
    owners: dict[tuple[float, float], set[str]] = {}
    for region in regions:
        for polygon in region["polygons"]:
            for ring in polygon:
                for point in ring:
                    owners.setdefault(point, set()).add(region["code"])
    return {point for point, codes in owners.items() if len(codes) > 1}


def simplify_region(region: dict, locked: set) -> list[list[list[tuple[float, float]]]]:
    """Polygons of a region after steps 1-3, largest first; never empty."""
    polygons = []
    for polygon in region["polygons"]:
        rings = [clean_ring(ring) for ring in polygon]
        if not rings or len(rings[0]) < 4:
            continue
        polygons.append((ring_area_km2(rings[0]), rings))
    if not polygons:
        raise ValueError(f"{region['code']}: no polygon with at least three corners")
    polygons.sort(key=lambda item: -item[0])
    result = []
    for index, (area, rings) in enumerate(polygons):
        if area < MIN_AREA_KM2 and index > 0:
            continue
        outer = simplify_ring(rings[0], locked)
        if outer is None:
            continue
        holes = [simplify_ring(ring, locked) for ring in rings[1:]
                 if ring_area_km2(ring) >= MIN_AREA_KM2]
        result.append([outer] + [hole for hole in holes if hole is not None])
    if not result:
        raise ValueError(f"{region['code']}: every polygon collapsed when simplified")
    return result


def to_feature(region: dict, polygons, level: str) -> dict:
    """A GeoJSON feature with [lng, lat] coordinates rounded to DECIMALS."""
    def point(p):
        return [round(p[1], DECIMALS), round(p[0], DECIMALS)]

    code = region["code"]
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": region["name"],
            "level": level,
            "parent_code": code.rsplit(".", 1)[0],
            "label_lng": round(region["label"][1], DECIMALS),
            "label_lat": round(region["label"][0], DECIMALS),
        },
        "geometry": {"type": "MultiPolygon",
                     "coordinates": [[[point(p) for p in ring] for ring in polygon]
                                     for polygon in polygons]},
    }


def build_level(sql_text: str, level: str, expected: int) -> list[dict]:
    regions = sorted(read_regions(sql_text), key=lambda region: region["code"])
    codes = [region["code"] for region in regions]
    assert len(codes) == expected == len(set(codes)), (
        f"{level}: {len(codes)} regions in the source, expected {expected}")
    assert all(code.startswith(PROVINCE + ".") for code in codes), f"{level}: not all in NTB"
    locked = shared_vertices(regions)
    return [to_feature(region, simplify_region(region, locked), level) for region in regions]


def render(features: list[dict], level: str, source_file: str, source_sha256: str) -> str:
    """The GeoJSON text: one feature per line, so a diff shows which region changed."""
    metadata = {
        "title": f"NTB ({PROVINCE}) {level} boundaries, simplified",
        "source": f"{SOURCE_REPO} {source_file} at commit {SOURCE_COMMIT}",
        "source_sha256": source_sha256,
        "licence": f"{LICENCE} ({COPYRIGHT}); full text in {LICENCE_FILE}",
        "codes": "Kepmendagri No. 300.2.2-2138 Tahun 2025 (same as regions.csv / districts.csv)",
        "coordinates": "[longitude, latitude], WGS84 degrees (the source stores [lat, lng])",
        "built_by": "scripts/build_boundaries.py",
        "simplification": {"tolerance_deg": TOLERANCE_DEG, "min_area_km2": MIN_AREA_KM2,
                           "decimals": DECIMALS, "shared_vertices": "kept"},
        "status": "official",
    }
    lines = ['{"type":"FeatureCollection",',
             '"metadata":' + json.dumps(metadata, ensure_ascii=False, sort_keys=True) + ",",
             '"features":[']
    body = [json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            for feature in features]
    lines.append(",\n".join(body))
    lines.append("]}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Save outputs
# --------------------------------------------------------------------------------------
def render_all(source_dir: Path = SOURCE_DIR) -> dict[str, str]:
    """Return {file name: text} for every output file, built from ``source_dir``."""
    source_dir = Path(source_dir)
    outputs = {}
    for name, (source_file, level, expected) in LEVELS.items():
        data = (source_dir / source_file).read_bytes()
        features = build_level(data.decode("utf-8"), level, expected)
        outputs[name] = render(features, level, source_file, hashlib.sha256(data).hexdigest())
    outputs[LICENCE_FILE] = (
        f"The boundary files boundaries_52_*.geojson in this folder are derived from\n"
        f"{SOURCE_REPO} (commit {SOURCE_COMMIT}) by scripts/build_boundaries.py.\n"
        f"That data is distributed under the following licence:\n\n"
        + (source_dir / "LICENSE").read_text(encoding="utf-8"))
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed file differs from the build")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR,
                        help="folder of the wilayah_boundaries copy (default ../shared/sources/…)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    rendered = render_all(args.source)
    stale = []
    for name, text in rendered.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        if name.endswith(".geojson"):
            features = json.loads(text)["features"]
            points = sum(len(ring) for f in features for polygon in
                         f["geometry"]["coordinates"] for ring in polygon)
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"{len(features)} regions, {points:,} points, {len(text) / 1024:,.0f} KiB")
    if stale:
        print("stale boundary files (run scripts/build_boundaries.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
