"""Kab/kota and kecamatan boundaries of NTB for maps, from the committed GeoJSON files.

``scripts/build_boundaries.py`` builds ``data/reference/boundaries_52_kabkota.geojson`` and
``boundaries_52_kecamatan.geojson`` once from the MIT-licensed cahyadsn/wilayah_boundaries
data (simplified; Kepmendagri codes, the same as ``regions.csv`` and ``districts.csv``).
This module reads them and checks that their codes are the reference codes. Coordinates
are [longitude, latitude] in degrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from helpers.data import reference
from helpers.errors import ReferenceDataError
from helpers.paths import reference_dir

__all__ = ["LEVELS", "Shape", "boundary_metadata", "boundary_path", "check_boundaries",
           "load_shapes"]

#: Map levels and their files (per province code).
LEVELS = {"kabkota": "boundaries_{province}_kabkota.geojson",
          "kecamatan": "boundaries_{province}_kecamatan.geojson"}


@dataclass(frozen=True)
class Shape:
    """One region's outline.

    Attributes:
        code: Kemendagri code ('52.02' or '52.02.01').
        name: Name in the source ('Kabupaten Lombok Tengah', 'Praya').
        parent_code: The province (kab/kota level) or the kab/kota (kecamatan level).
        label_point: (longitude, latitude) where the source puts the region's label.
        polygons: Polygons, each a list of rings (outer first, then holes), each ring an
            array of shape (n, 2) of (longitude, latitude).
    """

    code: str
    name: str
    parent_code: str
    label_point: tuple[float, float]
    polygons: tuple[tuple[np.ndarray, ...], ...]

    def bounds(self) -> tuple[float, float, float, float]:
        """(min longitude, min latitude, max longitude, max latitude)."""
        points = np.concatenate([ring for polygon in self.polygons for ring in polygon])
        return (float(points[:, 0].min()), float(points[:, 1].min()),
                float(points[:, 0].max()), float(points[:, 1].max()))


def boundary_path(level: str, province_code: str = reference.DEFAULT_PROVINCE_CODE,
                  directory: Path | str | None = None) -> Path:
    """The committed file of a level ('kabkota' or 'kecamatan')."""
    if level not in LEVELS:
        raise ValueError(f"unknown map level '{level}': use one of {', '.join(LEVELS)}")
    folder = Path(directory) if directory is not None else reference_dir()
    return folder / LEVELS[level].format(province=province_code)


def load_shapes(level: str, parent_code: str | None = None,
                province_code: str = reference.DEFAULT_PROVINCE_CODE,
                directory: Path | str | None = None) -> list[Shape]:
    """The shapes of a level, sorted by code; only those under ``parent_code`` if given.

    Args:
        level: 'kabkota' (the kab/kota of the province) or 'kecamatan'.
        parent_code: For 'kecamatan', a kab/kota code such as '52.02'.
        province_code: Province of the boundary file ('52', NTB).

    Raises:
        ReferenceDataError: the file is missing, or its codes differ from regions.csv /
            districts.csv (rebuild it with scripts/build_boundaries.py).
    """
    shapes = _load(str(boundary_path(level, province_code, directory)))
    if parent_code is None:
        return list(shapes)
    selected = [shape for shape in shapes if shape.parent_code == parent_code]
    if not selected:
        raise ReferenceDataError(f"no {level} boundaries under '{parent_code}'",
                                 path=boundary_path(level, province_code, directory),
                                 fix="check the code; kecamatan maps need a kab/kota code")
    return selected


def check_boundaries(province_code: str = reference.DEFAULT_PROVINCE_CODE,
                     directory: Path | str | None = None) -> None:
    """Check that the boundary files hold exactly the reference codes of the province.

    Raises:
        ReferenceDataError: a code is missing from, or extra in, a boundary file.
    """
    expected = {
        "kabkota": set(reference.kabkota_codes(province_code)),
        "kecamatan": {code for code in reference.districts()["district_code"]
                      if code.startswith(province_code + ".")},
    }
    for level, codes in expected.items():
        found = {shape.code for shape in load_shapes(level, None, province_code, directory)}
        if found != codes:
            missing = sorted(codes - found)
            extra = sorted(found - codes)
            raise ReferenceDataError(
                f"{level} boundaries do not match the reference codes (missing "
                f"{', '.join(missing) or 'none'}; extra {', '.join(extra) or 'none'})",
                path=boundary_path(level, province_code, directory),
                fix="rebuild with python scripts/build_boundaries.py")


@lru_cache(maxsize=8)
def _load(path_text: str) -> tuple[Shape, ...]:
    path = Path(path_text)
    if not path.exists():
        raise ReferenceDataError("boundary file not found", path=path,
                                 fix="run python scripts/build_boundaries.py")
    collection = json.loads(path.read_text(encoding="utf-8"))
    shapes = []
    for feature in collection["features"]:
        properties = feature["properties"]
        polygons = tuple(tuple(np.asarray(ring, dtype=float) for ring in polygon)
                         for polygon in feature["geometry"]["coordinates"])
        shapes.append(Shape(code=properties["code"], name=properties["name"],
                            parent_code=properties["parent_code"],
                            label_point=(properties["label_lng"], properties["label_lat"]),
                            polygons=polygons))
    return tuple(sorted(shapes, key=lambda shape: shape.code))


def boundary_metadata(level: str, province_code: str = reference.DEFAULT_PROVINCE_CODE,
                      directory: Path | str | None = None) -> dict:
    """The file's ``metadata``: source, commit, licence, checksum, simplification."""
    path = boundary_path(level, province_code, directory)
    return json.loads(path.read_text(encoding="utf-8"))["metadata"]
