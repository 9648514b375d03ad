"""Tests for the national reference set, ``data/reference/national`` (issue 16).

It holds every NTB reference table for all 38 provinces (built by
scripts/build_national_reference_set.py); ``CAKUPAN_REFERENCE=national`` makes
``helpers.paths.reference_dir`` and so every reader use it. NTB's rows are byte-identical
to the NTB tables' rows.
"""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from helpers.data import boundaries, reference, sample_design
from helpers.errors import WorkspaceError
from helpers.paths import REFERENCE_ENV, project_root, reference_dir

NTB_DIR = project_root() / "data" / "reference"
NATIONAL_DIR = NTB_DIR / "national"
NTB_CSV = sorted(spec.filename for spec in reference.TABLES.values())


def _build_module():
    path = project_root() / "scripts" / "build_national_reference_set.py"
    spec = importlib.util.spec_from_file_location("build_national_reference_set", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def national_env(monkeypatch):
    monkeypatch.setenv(REFERENCE_ENV, "national")


# ---------------------------------------------------------------------------------------
# Selecting the set
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["", "ntb", " NTB "])
def test_unset_or_ntb_is_todays_folder(monkeypatch, value):
    monkeypatch.setenv(REFERENCE_ENV, value)
    assert reference_dir() == NTB_DIR


def test_national_is_the_subfolder(national_env):
    assert reference_dir() == NATIONAL_DIR


def test_unknown_set_is_one_clear_line(monkeypatch):
    monkeypatch.setenv(REFERENCE_ENV, "jatim")
    with pytest.raises(WorkspaceError) as error:
        reference_dir()
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{REFERENCE_ENV}=jatim is not a reference set")
    assert "ntb or national" in message


def test_switching_sets_in_one_process_reads_the_right_tables(monkeypatch):
    """The table cache is keyed by file, so a change of set is never served stale."""
    assert len(reference.regions()) == 11
    monkeypatch.setenv(REFERENCE_ENV, "national")
    assert len(reference.regions()) == 552
    assert reference.kabkota_codes("52") == reference.kabkota_codes("52", NTB_DIR)
    monkeypatch.delenv(REFERENCE_ENV)
    assert len(reference.regions()) == 11


# ---------------------------------------------------------------------------------------
# Built from the sources and committed tables, NTB unchanged
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    try:
        return _build_module().render_all()
    except FileNotFoundError as error:  # the sources belong beside the checkout
        pytest.fail(str(error), pytrace=False)


def test_rebuild_gives_identical_files(rendered):
    for name, content in rendered.items():
        assert (NATIONAL_DIR / name).read_bytes() == content, (
            f"national/{name} is stale: run scripts/build_national_reference_set.py")
    assert {path.name for path in NATIONAL_DIR.iterdir()} == set(rendered)


def test_every_ntb_file_has_a_national_twin_with_the_same_header(rendered):
    ntb_files = [*NTB_CSV, "boundaries_52_kabkota.geojson", "boundaries_52_kecamatan.geojson"]
    for name in ntb_files:
        assert name in rendered, name
    for name in NTB_CSV:
        assert (rendered[name].split(b"\n", 1)[0]
                == (NTB_DIR / name).read_bytes().split(b"\n", 1)[0]), name


@pytest.mark.parametrize("name", NTB_CSV)
def test_ntb_rows_are_byte_identical(rendered, name):
    ours = rendered[name].decode().splitlines()
    ntb_lines = (NTB_DIR / name).read_text(encoding="utf-8").splitlines()
    ntb_codes = ("52", "52.")
    if name in ("rates.csv", "thresholds.csv", "target_groups.csv", "paritrana_inputs.csv"):
        assert ours == ntb_lines  # national constants, or NTB only
        return
    selected = [line for line in ours[1:] if line.split(",", 1)[0] == "52"
                or line.startswith(ntb_codes[1])]
    assert selected == ntb_lines[1:]


def test_ntb_boundaries_are_copies(rendered):
    for name in ("boundaries_52_kabkota.geojson", "boundaries_52_kecamatan.geojson",
                 "LICENSE-wilayah_boundaries.txt"):
        assert rendered[name] == (NTB_DIR / name).read_bytes()


# ---------------------------------------------------------------------------------------
# Read through the package with CAKUPAN_REFERENCE=national
# ---------------------------------------------------------------------------------------
def test_jawa_timur_has_its_38_kabkota(national_env):
    codes = reference.kabkota_codes("35")
    assert len(codes) == 38
    assert codes[0] == "35.01" and codes[-1] == "35.79"
    assert reference.region_name("35.78") == "Kota Surabaya"
    assert reference.population_total(codes, 2024).sum() == reference.population_total(
        "35", 2024).iloc[0]


@pytest.mark.slow  # about 5 s: reads the 29.140 kecamatan rows
def test_reference_checks_pass(national_env):
    reference.check_reference_tables()
    assert len(reference.districts()) == 7285
    assert len(reference.district_labour(2024)) == 7285


def test_every_province_has_kabkota_boundaries(national_env):
    table = reference.regions()
    for province in table.loc[table["region_type"] == "provinsi", "region_code"]:
        shapes = boundaries.load_shapes("kabkota", province_code=province)
        assert [s.code for s in shapes] == reference.kabkota_codes(province), province
        assert all(s.parent_code == province and s.name for s in shapes)
    boundaries.check_boundaries("52")  # NTB: kab/kota and kecamatan


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    table = reference.sample_targets(NATIONAL_DIR)
    return table[table["reference_date"] == pd.Timestamp("2024-12-31")].pivot_table(
        index="region_code", columns="measure", values="target_value")


def test_every_kabkota_has_the_required_sample_targets(national_env, targets):
    table = reference.regions()
    codes = table.loc[table["region_type"] != "provinsi", "region_code"]
    assert len(codes) == 514
    required = ["tk_active_formal", "tk_active_informal", "jkn_coverage"]
    assert targets.loc[codes, required].notna().all().all()
    subset = tuple(reference.kabkota_codes("35") + reference.kabkota_codes("52")
                   + reference.kabkota_codes("91"))
    result = sample_design.region_targets(subset, 0.01)
    assert set(result) == set(subset)
    other = [t for code, t in result.items() if not code.startswith("52.")]
    assert all(t.non_asn == 0 and t.tobacco_by_date == {} for t in other)  # NTB only


def test_bpjs_tk_targets_add_up_to_indonesia_and_differ_by_province(targets):
    kabkota = targets[targets.index.str.len() == 5]
    assert kabkota["tk_active_formal"].sum() + kabkota["tk_active_informal"].sum() == 41_380_000
    assert kabkota["tk_active_informal"].sum() == 9_580_000
    provinces = targets[targets.index.str.len() == 2]
    sums = kabkota.groupby(kabkota.index.str[:2])[["tk_active_formal", "tk_active_informal"]].sum()
    assert (provinces["tk_active"] == sums.sum(axis=1)).all()
    assert (provinces["tk_active_informal"] == sums["tk_active_informal"]).all()
    labour = reference.labour(2024, NATIONAL_DIR).set_index("region_code")
    rate = (sums["tk_active_formal"] / labour.loc[sums.index, "potential_formal_count"])
    assert rate.max() - rate.min() > 0.3  # Jakarta far above rural Papua
    assert (kabkota["tk_active_formal"]
            <= labour.loc[kabkota.index, "potential_formal_count"]).all()


def test_jkn_targets_spread_around_the_national_anchor(targets):
    kabkota = targets[targets.index.str.len() == 5]["jkn_coverage"]
    population = reference.population_total(kabkota.index, 2024, directory=NATIONAL_DIR)
    mean = (kabkota * population).sum() / population.sum()
    assert mean == pytest.approx(0.9825, abs=0.0002)
    by_province = (kabkota * population).groupby(kabkota.index.str[:2]).sum() / \
        population.groupby(kabkota.index.str[:2]).sum()
    assert (by_province < 0.98).sum() >= 5 and (by_province >= 0.98).sum() >= 20
    assert by_province[["33", "34"]].round(3).tolist() == [0.989, 0.989]
