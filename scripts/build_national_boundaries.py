"""Build the simplified kab/kota boundaries of Indonesia for a national map (GeoJSON).

Input: the read-only copy of ``cahyadsn/wilayah_boundaries`` (MIT) beside the project,
``../shared/sources/wilayah_boundaries/db/kab/wilayah_boundaries_kab_NN.sql`` (38 files,
514 kab/kota; see ``shared/sources/README.md``). Each row holds a JSON ``path``: a list of
polygons (rings, holes after the outer ring) whose points are **[latitude, longitude]**.

Output: ``data/reference/boundaries_national_kabkota.geojson``, one Feature per kab/kota
with ``region_code``, ``region_name`` (as ``national_regions.csv``), ``province_code``,
``source`` and ``status``; coordinates [longitude, latitude] (RFC 7946), outer rings
counter-clockwise.

Simplification keeps the topology of shared borders (data/README.md, Derivation N6):

1. points are snapped to a 0.00001° grid (about 1 m) so that neighbours' copies of a
   border point are equal;
2. a point where the set of regions using it changes along a ring is a *junction*; rings
   are cut at junctions into arcs, and a border shared by two regions becomes the same
   arc in both;
3. every arc is simplified once with Douglas–Peucker in a canonical direction, so both
   neighbours get the same points and still touch; the tolerance is ``TOLERANCE_DEG``,
   finer for small regions (``SMALL_REGION_TOLERANCE_SHARE``), the finer of the two for
   a shared border;
4. rings that collapse and islands or holes smaller than ``MIN_AREA_DEG2`` are dropped
   (a region always keeps its largest polygon); coordinates are rounded to
   ``DECIMALS`` places.

Deterministic: the same input gives a byte-identical file; ``tests/test_national_reference.py``
rebuilds it in memory and fails when the committed file drifts.

Usage::

    python scripts/build_national_boundaries.py            # writes the GeoJSON
    python scripts/build_national_boundaries.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_PATH = ROOT / "data" / "reference" / "boundaries_national_kabkota.geojson"


def _load_national_build():
    path = Path(__file__).resolve().with_name("build_national_reference.py")
    spec = importlib.util.spec_from_file_location("build_national_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


national = _load_national_build()

BOUNDARIES_COMMIT = "3c5a7960f4d227a38489094d84252bdbb3f978a5"
SOURCE = (f"github.com/cahyadsn/wilayah_boundaries@{BOUNDARIES_COMMIT[:7]} db/kab (MIT), "
          "simplified (data/README.md, Derivation N6)")
LICENCE = "MIT, Copyright (c) 2024 Cahya DSN (cahyadsn/wilayah_boundaries LICENSE)"

#: Grid the points are snapped to before borders are matched, in degrees (≈ 1.1 m).
GRID = 100_000
#: Douglas–Peucker tolerance, degrees (0.005° ≈ 550 m: a pixel of a 1,000-px map of
#: Indonesia is about 5 km, of NTB about 400 m; 1.2 MB for the 514 kab/kota).
TOLERANCE_DEG = 0.005
#: Small regions (cities) get a finer tolerance: this share of the square root of their
#: area, so that a 60 km² city keeps a recognisable outline (a shared border uses the
#: finer tolerance of its two regions, so neighbours still get the same points).
SMALL_REGION_TOLERANCE_SHARE = 0.02
#: Islands and holes smaller than this are dropped (degrees², ≈ 3.7 km² at the equator).
MIN_AREA_DEG2 = 0.0003
#: Decimals of the written coordinates (0.001° ≈ 110 m).
DECIMALS = 3

Point = tuple[int, int]  # (longitude, latitude) on the GRID


# --------------------------------------------------------------------------------------
# Load inputs
# --------------------------------------------------------------------------------------
_ROW = re.compile(r"^\s*\('(\d{2}\.\d{2})','((?:[^'\\]|\\.|'')*)',(-?[\d.]+),(-?[\d.]+),"
                  r"'(\[.*\])'\)[,;]?\s*$", re.MULTILINE)


def read_boundaries(sources: Path) -> dict[str, tuple[str, list[list[list[Point]]]]]:
    """{code: (name, polygons)}; a polygon is a list of rings of grid points (lng, lat)."""
    folder = sources / "wilayah_boundaries" / "db" / "kab"
    files = sorted(folder.glob("wilayah_boundaries_kab_*.sql"))
    assert len(files) == national.PROVINCE_COUNT, f"{len(files)} province files in {folder}"
    result = {}
    for path in files:
        for code, name, _, _, path_json in _ROW.findall(path.read_text(encoding="utf-8")):
            assert code not in result, f"{code} twice in the boundaries"
            shapes = json.loads(path_json)
            polygons = shapes if _depth(shapes) == 4 else [shapes]
            result[code] = (national._unquote(name).strip(),
                            [[_ring(ring) for ring in polygon] for polygon in polygons])
    assert len(result) == national.KABKOTA_COUNT, f"{len(result)} kab/kota boundaries"
    return result


def _depth(value) -> int:
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return depth


def _ring(points: list[list[float]]) -> list[Point]:
    """[lat, lng] points → closed ring of grid points (lng, lat) without repeats."""
    ring: list[Point] = []
    for lat, lng in points:
        point = (round(lng * GRID), round(lat * GRID))
        if not ring or ring[-1] != point:
            ring.append(point)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


# --------------------------------------------------------------------------------------
# Process data
# --------------------------------------------------------------------------------------
def simplify_all(boundaries: dict) -> dict[str, list[list[list[Point]]]]:
    """Topology-preserving simplification of every region (steps 2–4 of the docstring)."""
    users: dict[Point, set[str]] = defaultdict(set)
    for code, (_, polygons) in boundaries.items():
        for polygon in polygons:
            for ring in polygon:
                for point in ring:
                    users[point].add(code)
    cache: dict[tuple[Point, ...], list[Point]] = {}
    tolerances = {code: _region_tolerance(polygons)
                  for code, (_, polygons) in boundaries.items()}
    result = {}
    for code, (_, polygons) in sorted(boundaries.items()):
        tolerance = tolerances[code]
        kept = []
        for polygon in polygons:
            rings = [_simplify_ring(ring, users, cache, tolerances) for ring in polygon
                     if len(ring) >= 4]
            if not rings or not _big_enough(rings[0]):
                continue
            holes = [ring for ring in rings[1:] if _big_enough(ring)]
            kept.append([rings[0], *holes])
        if not kept:  # a small island region: keep its largest polygon, lightly simplified
            largest = max(polygons, key=lambda polygon: abs(_area(polygon[0])))
            kept = [[_douglas_peucker_closed(largest[0], tolerance / 10)]]
        result[code] = kept
    return result


def _big_enough(ring: list[Point]) -> bool:
    """A ring worth keeping: not collapsed, not smaller than MIN_AREA_DEG2."""
    return len(ring) >= 4 and abs(_area(ring)) >= MIN_AREA_DEG2 * GRID ** 2


def _region_tolerance(polygons) -> float:
    """Douglas–Peucker tolerance of a region, grid units (finer for small regions)."""
    area = sum(abs(_area(polygon[0])) for polygon in polygons)
    return min(TOLERANCE_DEG * GRID, SMALL_REGION_TOLERANCE_SHARE * area ** 0.5)


def _simplify_ring(ring: list[Point], users: dict[Point, set[str]],
                   cache: dict, tolerances: dict[str, float]) -> list[Point]:
    points = ring[:-1]
    n = len(points)
    junctions = [i for i in range(n)
                 if users[points[i - 1]] != users[points[i]]
                 or users[points[(i + 1) % n]] != users[points[i]]
                 or len(users[points[i]]) > 2]
    if not junctions:  # an island, or a ring wholly shared with one neighbour (an enclave)
        return _douglas_peucker_closed(
            ring, min(tolerances[code] for code in users[points[0]]))
    result = [points[junctions[0]]]
    for k, start in enumerate(junctions):
        end = junctions[(k + 1) % len(junctions)]
        arc = (points[start:end + 1] if end > start
               else points[start:] + points[:end + 1])
        # the regions along the arc (its inner points all have the same users)
        along = users[arc[len(arc) // 2]]
        result += _simplify_arc(arc, cache, min(tolerances[code] for code in along))[1:]
    return _dedupe(result)


def _simplify_arc(arc: list[Point], cache: dict, tolerance: float) -> list[Point]:
    """Douglas–Peucker of an arc in its canonical direction: neighbours get equal points."""
    forward = tuple(arc)
    backward = forward[::-1]
    key = min(forward, backward)
    if key not in cache:
        cache[key] = _douglas_peucker(list(key), tolerance)
    simplified = cache[key]
    return simplified if key == forward else simplified[::-1]


def _douglas_peucker_closed(ring: list[Point], tolerance: float) -> list[Point]:
    """A closed ring without junctions: start at its smallest point (canonical), split at
    the point farthest from it, simplify both halves."""
    points = ring[:-1]
    start = points.index(min(points))
    points = points[start:] + points[:start]
    if tuple(points[1:]) > tuple(points[:0:-1]):  # canonical direction as well
        points = [points[0]] + points[:0:-1]
    far = max(range(len(points)), key=lambda i: _distance2(points[i], points[0]))
    first = _douglas_peucker(points[:far + 1], tolerance)
    second = _douglas_peucker(points[far:] + [points[0]], tolerance)
    return _dedupe(first + second[1:])


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        worst, worst_index = -1.0, -1
        for index in range(first + 1, last):
            distance = _segment_distance2(points[index], points[first], points[last])
            if distance > worst:
                worst, worst_index = distance, index
        if worst > limit:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return [point for point, kept in zip(points, keep) if kept]


def _segment_distance2(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float((x - x1) ** 2 + (y - y1) ** 2)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2


def _distance2(a: Point, b: Point) -> int:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _area(ring) -> float:
    """Signed shoelace area in grid units² (positive = counter-clockwise)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2.0


def _dedupe(points: list[Point]) -> list[Point]:
    result: list[Point] = []
    for point in points:
        if not result or result[-1] != point:
            result.append(point)
    if result[0] != result[-1]:
        result.append(result[0])
    return result


# --------------------------------------------------------------------------------------
# Save outputs
# --------------------------------------------------------------------------------------
def _coordinates(ring: list[Point], outer: bool) -> list[list[float]]:
    """Grid ring → [lng, lat] rounded, outer rings counter-clockwise, holes clockwise."""
    rounded: list[tuple[float, float]] = []
    for x, y in ring:
        point = (round(x / GRID, DECIMALS), round(y / GRID, DECIMALS))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if (_area(rounded) > 0) != outer:
        rounded.reverse()
    return [[x, y] for x, y in rounded]


def render(sources: Path | str | None = None) -> str:
    """The GeoJSON text: a header line, one Feature per line (diff-friendly)."""
    folder = national.sources_dir(sources)
    names = national.read_names(folder)
    boundaries = read_boundaries(folder)
    for code, (name, _) in boundaries.items():
        assert national._same_name(name, names[code]), f"boundary {code} '{name}'"
    simplified = simplify_all(boundaries)
    features = []
    for code in sorted(simplified):
        polygons = []
        for polygon in simplified[code]:
            rings = [_coordinates(ring, outer=index == 0) for index, ring in enumerate(polygon)]
            if all(len(ring) >= 4 for ring in rings):
                polygons.append(rings)
        assert polygons, f"{code}: no polygon left"
        features.append({
            "type": "Feature",
            "properties": {"region_code": code,
                           "region_name": national.region_name(names[code]),
                           "province_code": code[:2], "source": SOURCE,
                           "status": "official"},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        })
    header = {"type": "FeatureCollection",
              "name": "boundaries_national_kabkota",
              "source": "github.com/cahyadsn/wilayah_boundaries db/kab/*.sql",
              "source_commit": BOUNDARIES_COMMIT,
              "licence": LICENCE,
              "simplification": (f"snap {1 / GRID:g} deg; shared arcs; Douglas-Peucker "
                                 f"{TOLERANCE_DEG:g} deg, at most {SMALL_REGION_TOLERANCE_SHARE:g}"
                                 " x sqrt(region area); islands and holes < "
                                 f"{MIN_AREA_DEG2:g} deg2 dropped; {DECIMALS} decimals")}
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    lines = [head + ',"features":[']
    lines += [json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
              + ("," if index < len(features) - 1 else "")
              for index, feature in enumerate(features)]
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the committed file differs")
    parser.add_argument("--out", type=Path, default=OUT_PATH, help="output file")
    parser.add_argument("--sources", type=Path, default=None,
                        help="folder holding wilayah/ and wilayah_boundaries/")
    args = parser.parse_args(argv)
    text = render(args.sources)
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
            print(f"stale: {args.out} (run scripts/build_national_boundaries.py)",
                  file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    data = json.loads(text)
    points = sum(len(ring) for feature in data["features"]
                 for polygon in feature["geometry"]["coordinates"] for ring in polygon)
    print(f"{args.out}: {len(data['features'])} kab/kota, {points:,} points, "
          f"{len(text.encode()) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
