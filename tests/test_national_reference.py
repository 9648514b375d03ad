"""Tests for the national reference tables: 38 provinces, 514 kab/kota (issue 16).

The tables are built by scripts/build_national_reference.py from the read-only copies of
cahyadsn/wilayah in ../shared/sources; NTB's rows are the NTB tables' rows.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import national, reference
from helpers.errors import ReferenceDataError
from helpers.paths import project_root, reference_dir

NTB_KABKOTA = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08",
               "52.71", "52.72"]


def _build_module():
    path = project_root() / "scripts" / "build_national_reference.py"
    spec = importlib.util.spec_from_file_location("build_national_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: reference.load_table(name) for name in reference.NATIONAL_TABLES}


# ---------------------------------------------------------------------------------------
# Built from the sources, consistent
# ---------------------------------------------------------------------------------------
def test_build_script_reproduces_committed_tables():
    module = _build_module()
    try:
        rendered = module.render_all()
    except FileNotFoundError as error:  # the sources belong beside the checkout
        pytest.fail(str(error), pytrace=False)
    for name, text in rendered.items():
        assert (reference_dir() / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run scripts/build_national_reference.py")


@pytest.mark.parametrize("name", sorted(reference.NATIONAL_TABLES))
def test_header_is_exactly_the_contract(name):
    spec = reference.NATIONAL_TABLES[name]
    header = (reference_dir() / spec.filename).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(spec.columns)


@pytest.mark.parametrize("name", sorted(reference.NATIONAL_TABLES))
def test_every_row_is_sourced_with_an_allowed_status(tables, name):
    table = tables[name]
    assert (table["source"].str.len() > 0).all()
    assert table["status"].isin(reference.STATUSES).all()
    derived = table["source"].str.startswith("derived")
    assert table.loc[derived, "status"].isin(["estimate", "illustrative"]).all()


def test_cross_table_checks_pass():
    national.check_national_tables()


def test_ntb_tables_are_unchanged_by_the_national_build():
    # The NTB tables' own drift test (tests/test_reference.py) also still passes.
    reference.check_reference_tables()
    assert reference.kabkota_codes("52") == NTB_KABKOTA


# ---------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------
def test_38_provinces_and_514_kabkota(tables):
    result = tables["national_regions"]
    assert (result["region_type"] == "provinsi").sum() == 38
    assert (result["region_type"] != "provinsi").sum() == 514
    per_province = result[result["parent_code"] != ""].groupby("parent_code").size()
    assert len(per_province) == 38
    assert per_province["52"] == 10
    assert per_province["35"] == 38  # Jawa Timur: 29 kabupaten + 9 kota
    assert (result["area_km2"] > 0).all()


def test_national_kabkota_codes_keep_ntb_and_cover_every_province():
    assert national.national_kabkota_codes("52") == NTB_KABKOTA
    assert national.national_kabkota_codes(96) == ["96.01", "96.02", "96.03", "96.04",
                                                    "96.05", "96.71"]
    with pytest.raises(ReferenceDataError, match="province '99' is not in the national"):
        national.national_kabkota_codes("99")


def test_names_follow_the_ntb_convention(tables):
    result = tables["national_regions"].set_index("region_code")
    ntb = reference.regions().set_index("region_code")
    pd.testing.assert_frame_equal(result.loc[ntb.index, ["region_name", "region_type",
                                                         "parent_code"]],
                                  ntb[["region_name", "region_type", "parent_code"]])
    assert result.at["31.01", "region_name"] == "Kepulauan Seribu"
    assert result.at["35.78", "region_name"] == "Kota Surabaya"
    assert not result["region_name"].str.startswith("Kabupaten").any()
    assert (result["region_name"] == result["region_name"].str.strip()).all()
    kota = result["region_type"] == "kota"
    assert result.loc[kota, "region_name"].str.startswith("Kota ").all()
    assert (result.loc[kota].index.str[3:].astype(int) >= 71).all()


def test_area_codes_restored_from_the_spreadsheet_mangled_dump(tables):
    area = tables["national_regions"].set_index("region_code")["area_km2"]
    assert area["11.10"] == pytest.approx(1851.615)  # '11.1' in wilayah_luas.sql
    assert area["31"] == pytest.approx(661.53)  # '31.0'


# ---------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------
def test_population_2024_is_dukcapil_exactly(tables):
    result = tables["national_population"]
    dukcapil = result[(result["vintage"] == "dukcapil_2024s1") & (result["year"] == 2024)]
    provinces = dukcapil[~dukcapil["region_code"].str.contains(".", regex=False)]
    assert provinces["population_count"].sum() == 284_973_643  # INDONESIA row of the source
    rows = dukcapil.set_index(["region_code", "sex"])["population_count"]
    assert (rows[("11.01", "L")], rows[("11.01", "P")]) == (120_041, 119_588)
    assert (rows[("96.71", "L")], rows[("96.71", "P")]) == (150_236, 135_792)
    assert set(dukcapil.loc[dukcapil["region_code"].str.len() == 5, "status"]) == {"reported"}


def test_population_is_complete(tables):
    result = tables["national_population"]
    default = result[result["vintage"] == "dukcapil_2024s1"]
    assert len(default) == 552 * 4 * 2
    assert set(result.loc[result["vintage"] == "bps_projection", "region_code"]) == {
        "52", *NTB_KABKOTA}  # the illustrative vintage stays NTB's


# ---------------------------------------------------------------------------------------
# Labour
# ---------------------------------------------------------------------------------------
def test_labour_reproduces_sakernas_indonesia_2024(tables):
    result = tables["national_labour"]
    provinces = result[(result["year"] == 2024) & (result["region_code"].str.len() == 2)]
    assert provinces["working_age_count"].sum() == 215_370_000
    assert provinces["labour_force_count"].sum() == 152_110_000
    assert provinces["employed_count"].sum() == 144_640_000
    informal = provinces["informal_employed_count"].sum() / provinces["employed_count"].sum()
    assert informal == pytest.approx(0.5795, abs=0.005)
    # sanity: near the 92 m "potensi" of Inpres 2/2021 (domain notes §1.4)
    assert 85e6 < provinces["potential_workforce_count"].sum() < 100e6


def test_labour_outside_ntb_is_an_estimate(tables):
    result = tables["national_labour"]
    assert len(result) == 552 * 4
    assert set(result.loc[~result["region_code"].str.startswith("52"), "status"]) == {"estimate"}
    assert (result["potential_formal_count"] <= result["formal_employed_count"]).all()
    assert (result["potential_informal_count"] <= result["informal_employed_count"]).all()


# ---------------------------------------------------------------------------------------
# Budget
# ---------------------------------------------------------------------------------------
def test_budget_outside_ntb(tables):
    result = tables["national_budget"]
    others = result[~result["region_code"].str.startswith("52")]
    assert others[["dbhcht_received_rp", "dbhcht_welfare_rp", "dbhcht_health_rp",
                   "dbhcht_law_rp"]].isna().all().all()
    kabkota = others[others["region_code"].str.len() == 5]
    assert set(kabkota["status"]) == {"estimate"}
    assert set(others.loc[others["region_code"].str.len() == 2, "status"]) == {"illustrative"}
    # DKI Jakarta's kota/kabupaten administrasi have no APBD of their own
    assert not result["region_code"].str.startswith("31.").any()
    assert (result["region_code"] == "31").sum() == 4
    assert len(result) == (552 - 6) * 4
    assert (result["apbd_total_rp"] > 0).all()
    assert (others["apbd_total_rp"] % 1_000_000 == 0).all()  # rounded to the million


# ---------------------------------------------------------------------------------------
# Loader and checks
# ---------------------------------------------------------------------------------------
@pytest.fixture()
def bad_dir(tmp_path: Path) -> Path:
    for spec in [*reference.TABLES.values(), *reference.NATIONAL_TABLES.values()]:
        shutil.copy(reference_dir() / spec.filename, tmp_path / spec.filename)
    return tmp_path


def test_province_not_sum_is_caught(bad_dir):
    path = bad_dir / "national_population.csv"
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(r"^11,2024,dukcapil_2024s1,L,(\d+),",
                          lambda m: f"11,2024,dukcapil_2024s1,L,{int(m[1]) + 1},", text,
                          flags=re.MULTILINE)
    assert count == 1
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"national_population\.csv.*sum of its kab/kota"):
        national.check_national_tables(bad_dir)


def test_changed_ntb_row_is_caught(bad_dir):
    path = bad_dir / "national_labour.csv"
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(r"^(52\.01,2024,559050,.*),estimate$", r"\1,illustrative", text,
                          flags=re.MULTILINE)
    assert count == 1
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"national_labour\.csv.*NTB's rows differ"):
        national.check_national_tables(bad_dir)


def test_partly_empty_dbhcht_is_caught(bad_dir):
    path = bad_dir / "national_budget.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("11.01,2024,"))
    parts = lines[number].split(",")
    parts[3] = "1000"
    lines[number] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"national_budget\.csv, row \d+.*partly empty"):
        national.check_national_tables(bad_dir)


def test_unknown_table_lists_the_national_ones():
    with pytest.raises(ReferenceDataError, match="national_regions"):
        reference.load_table("national_prices")


def test_data_dictionary_lists_every_national_column():
    text = (project_root() / "data" / "README.md").read_text(encoding="utf-8")
    for spec in reference.NATIONAL_TABLES.values():
        assert f"`{spec.filename}`" in text
        for column in spec.columns:
            assert f"`{column}`" in text, f"{spec.filename}: {column} not documented"


# ---------------------------------------------------------------------------------------
# Boundaries (GeoJSON)
# ---------------------------------------------------------------------------------------
def _build_boundaries_module():
    path = project_root() / "scripts" / "build_national_boundaries.py"
    spec = importlib.util.spec_from_file_location("build_national_boundaries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return national.national_boundaries()


def test_boundary_script_reproduces_committed_file():
    module = _build_boundaries_module()
    committed = reference_dir() / reference.NATIONAL_BOUNDARIES_FILE
    assert committed.read_text(encoding="utf-8") == module.render(), (
        "boundaries are stale: run scripts/build_national_boundaries.py")


def test_boundaries_small_and_sourced(boundaries):
    path = reference_dir() / reference.NATIONAL_BOUNDARIES_FILE
    assert path.stat().st_size < 3_000_000
    assert boundaries["source_commit"] == "3c5a7960f4d227a38489094d84252bdbb3f978a5"
    assert boundaries["licence"].startswith("MIT")
    assert {f["properties"]["status"] for f in boundaries["features"]} == {"official"}
    assert all("wilayah_boundaries" in f["properties"]["source"]
               for f in boundaries["features"])


def test_one_feature_per_kabkota_named_as_national_regions(boundaries, tables):
    regions = tables["national_regions"]
    kabkota = regions[regions["region_type"] != "provinsi"].set_index("region_code")
    result = {f["properties"]["region_code"]: f["properties"] for f in boundaries["features"]}
    assert sorted(result) == sorted(kabkota.index)
    assert all(props["region_name"] == kabkota.at[code, "region_name"]
               and props["province_code"] == kabkota.at[code, "parent_code"]
               for code, props in result.items())


def _rings(feature):
    for polygon in feature["geometry"]["coordinates"]:
        yield from enumerate(polygon)


def _signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2.0


def test_geometry_is_lon_lat_closed_and_wound_as_rfc_7946(boundaries):
    for feature in boundaries["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for index, ring in _rings(feature):
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(94 < lon < 142 and -11.5 < lat < 6.5 for lon, lat in ring), (
                feature["properties"]["region_code"])  # [lon, lat], not the source's [lat, lon]
            assert (_signed_area(ring) > 0) == (index == 0)  # outer counter-clockwise


def test_neighbours_still_touch_after_simplification(boundaries):
    points = {f["properties"]["region_code"]: {tuple(p) for _, ring in _rings(f) for p in ring}
              for f in boundaries["features"]}
    for first, second in [("52.01", "52.02"), ("52.02", "52.03"), ("52.01", "52.71"),
                          ("52.01", "52.08"), ("52.04", "52.07"), ("52.06", "52.72"),
                          ("31.71", "31.74"), ("35.78", "35.15")]:
        assert len(points[first] & points[second]) >= 2, (first, second)


def test_ntb_regions_have_a_province_map_worth_of_points(boundaries):
    counts = {f["properties"]["region_code"]: sum(len(r) for _, r in _rings(f))
              for f in boundaries["features"] if f["properties"]["province_code"] == "52"}
    assert len(counts) == 10
    assert sum(counts.values()) >= 1_000
    assert all(count >= 7 for count in counts.values()), counts  # Mataram's source has 7
