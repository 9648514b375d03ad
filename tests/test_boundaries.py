"""The committed NTB boundary files: rebuilt in memory they equal the committed ones."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from helpers.data import boundaries
from helpers.errors import ReferenceDataError
from helpers.paths import project_root, reference_dir


def _build_script():
    path = project_root() / "scripts" / "build_boundaries.py"
    spec = importlib.util.spec_from_file_location("build_boundaries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_reproduces_the_committed_files():
    script = _build_script()
    if not (script.SOURCE_DIR / "LICENSE").exists():
        pytest.skip(f"boundary sources not found at {script.SOURCE_DIR}")
    for name, text in script.render_all().items():
        assert (reference_dir() / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python scripts/build_boundaries.py")


def test_codes_are_the_reference_codes():
    boundaries.check_boundaries()
    kecamatan = boundaries.load_shapes("kecamatan", "52.02")
    assert [s.code for s in kecamatan] == [f"52.02.{n:02d}" for n in range(1, 13)]
    assert len(boundaries.load_shapes("kabkota")) == 10


@pytest.mark.parametrize("level", ["kabkota", "kecamatan"])
def test_files_carry_origin_licence_and_lon_lat_order(level):
    metadata = boundaries.boundary_metadata(level)
    assert "cahyadsn/wilayah_boundaries" in metadata["source"]
    assert metadata["licence"].startswith("MIT")
    assert len(metadata["source_sha256"]) == 64
    assert (reference_dir() / "LICENSE-wilayah_boundaries.txt").exists()
    # NTB lies at 115.8-119.4 °E and 8.0-9.2 °S: [lng, lat], not the source's [lat, lng].
    for shape in boundaries.load_shapes(level):
        west, south, east, north = shape.bounds()
        assert 115.5 < west <= east < 119.5 and -9.3 < south <= north < -7.9, shape.code


def test_every_ring_is_closed_and_simplified():
    collection = json.loads(boundaries.boundary_path("kabkota").read_text(encoding="utf-8"))
    points = 0
    for feature in collection["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                points += len(ring)
    assert points < 3000  # the source has 3,472 points; a few hundred per region suffice


def test_douglas_peucker_keeps_locked_points_and_ends():
    script = _build_script()
    line = [(0.0, 0.0), (0.0, 1.0), (0.00001, 2.0), (0.0, 3.0), (0.0, 4.0)]
    assert script.douglas_peucker(line, 0.001, set()) == [(0.0, 0.0), (0.0, 4.0)]
    assert script.douglas_peucker(line, 0.001, {(0.00001, 2.0)}) == [
        (0.0, 0.0), (0.00001, 2.0), (0.0, 4.0)]


def test_unknown_parent_is_refused():
    with pytest.raises(ReferenceDataError, match="52.99"):
        boundaries.load_shapes("kecamatan", "52.99")
    assert isinstance(boundaries.load_shapes("kecamatan", "52.71")[0].polygons[0][0],
                      np.ndarray)
