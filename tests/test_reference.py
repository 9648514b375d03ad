"""Tests for the committed reference tables and their loader (helpers.data.reference)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import reference
from helpers.data.schema import JAMSOSTEK_COLUMNS, JKN_COLUMNS
from helpers.errors import ParameterError, ReferenceDataError
from helpers.paths import project_root, reference_dir

KABKOTA = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71",
           "52.72"]
YEARS = [2022, 2023, 2024, 2025]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: reference.load_table(name) for name in reference.TABLES}


# ---------------------------------------------------------------------------------------
# Every table
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(reference.TABLES))
def test_header_is_exactly_the_contract(name):
    spec = reference.TABLES[name]
    header = (reference_dir() / spec.filename).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(spec.columns)


@pytest.mark.parametrize("name", sorted(reference.TABLES))
def test_every_row_is_sourced_with_an_allowed_status(tables, name):
    table = tables[name]
    assert len(table) > 0
    assert (table["source"].str.len() > 0).all()
    assert table["status"].isin(reference.STATUSES).all()
    derived = table["source"].str.startswith("derived")
    assert (table.loc[derived, "status"].isin(["estimate", "illustrative"])).all()


@pytest.mark.parametrize("name", sorted(reference.TABLES))
def test_keys_are_unique(tables, name):
    assert not tables[name].duplicated(list(reference.TABLES[name].key)).any()


def test_cross_table_checks_pass():
    reference.check_reference_tables()


@pytest.mark.parametrize("name", ["population", "labour", "budget", "target_groups",
                                  "paritrana_inputs", "districts"])
def test_region_codes_are_known(tables, name):
    known = set(tables["regions"]["region_code"])
    assert set(tables[name]["region_code"]) <= known


def test_build_script_reproduces_committed_tables():
    path = project_root() / "scripts" / "build_reference.py"
    spec = importlib.util.spec_from_file_location("build_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, text in module.render_all().items():
        assert (reference_dir() / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run scripts/build_reference.py")


# ---------------------------------------------------------------------------------------
# Regions and districts
# ---------------------------------------------------------------------------------------
def test_regions(tables):
    result = tables["regions"].set_index("region_code")
    assert list(result.index) == ["52"] + KABKOTA
    assert result.at["52", "region_type"] == "provinsi"
    assert result.at["52", "parent_code"] == ""
    assert (result.loc[KABKOTA, "parent_code"] == "52").all()
    assert set(result.loc[["52.71", "52.72"], "region_type"]) == {"kota"}
    assert reference.kabkota_codes() == KABKOTA
    assert reference.region_name("52.02") == "Lombok Tengah"


def test_districts_match_domain_counts_and_prefixes(tables):
    result = tables["districts"]
    expected = {"52.01": 10, "52.02": 12, "52.03": 21, "52.04": 24, "52.05": 8, "52.06": 18,
                "52.07": 8, "52.08": 5, "52.71": 6, "52.72": 5}
    assert result.groupby("region_code").size().to_dict() == expected
    assert (result["district_code"].str[:5] == result["region_code"]).all()
    assert not result["district_name"].str.startswith("Kecamatan ").any()


def test_lombok_tengah_kecamatan_in_domain_order():
    result = reference.districts("52.02")
    assert list(result["district_name"]) == [
        "Praya", "Jonggat", "Batukliang", "Pujut", "Praya Barat", "Praya Timur", "Janapria",
        "Pringgarata", "Kopang", "Praya Tengah", "Praya Barat Daya", "Batukliang Utara"]
    assert list(result["district_code"]) == [f"52.02.{n:02d}" for n in range(1, 13)]


# ---------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------
def test_population_domain_figures_present_exactly(tables):
    result = reference.population_total(["52", "52.02", "52.03"], 2024)
    assert result.to_dict() == {"52": 5_751_295, "52.02": 1_128_716, "52.03": 1_457_591}
    rows = tables["population"].set_index(["region_code", "year", "vintage", "sex"])
    assert rows.at[("52.02", 2024, "dukcapil_2024s1", "L"), "population_count"] == 560_768
    assert rows.at[("52.02", 2024, "dukcapil_2024s1", "P"), "population_count"] == 567_948


def test_population_is_complete(tables):
    result = tables["population"]
    assert len(result) == 11 * 4 * 2 * 2
    assert reference.population_vintages() == ["dukcapil_2024s1", "bps_projection"]


def test_population_growth_between_1_1_and_1_3_percent():
    for year in (2023, 2025):
        earlier = reference.population_total(KABKOTA, year - 1)
        later = reference.population_total(KABKOTA, year)
        growth = later / earlier - 1
        assert growth.between(0.011, 0.013).all(), growth


def test_bps_projection_puts_lombok_tengah_out_of_uhc():
    dukcapil = reference.population_total("52.02", 2024)["52.02"]
    revised = reference.population_total("52.02", 2024, vintage="bps_projection")["52.02"]
    assert revised / dukcapil - 1 >= 0.015
    enrolled_at_99_percent = 0.99 * dukcapil
    assert enrolled_at_99_percent / revised < 0.98


def test_population_missing_year_names_file_and_fix():
    with pytest.raises(ReferenceDataError, match=r"population\.csv.*year 2030.*available years"):
        reference.population_total("52.02", 2030)


def test_unknown_vintage_is_a_clear_error():
    with pytest.raises(ReferenceDataError, match="vintage 'sensus_2020' not found"):
        reference.population_total("52.02", 2024, vintage="sensus_2020")


# ---------------------------------------------------------------------------------------
# Labour
# ---------------------------------------------------------------------------------------
def test_labour_domain_figures_present_exactly():
    result = reference.labour(2024).set_index("region_code")
    assert result.at["52", "potential_workforce_count"] == 1_864_450
    assert result.at["52", "potential_informal_count"] == 1_097_813
    assert result.at["52", "potential_formal_count"] == 766_637
    assert result.at["52", "working_age_count"] == 4_130_000
    assert result.at["52", "labour_force_count"] == 3_190_000
    assert result.at["52", "employed_count"] == 3_110_000
    assert result.at["52.01", "working_age_count"] == 559_050
    assert result.at["52.01", "labour_force_count"] == 436_080


def test_labour_rows_are_consistent(tables):
    result = tables["labour"]
    assert len(result) == 11 * 4
    assert (result["formal_employed_count"] + result["informal_employed_count"]
            == result["employed_count"]).all()
    assert (result["potential_formal_count"] + result["potential_informal_count"]
            == result["potential_workforce_count"]).all()
    assert (result["employed_count"] <= result["labour_force_count"]).all()
    assert (result["labour_force_count"] <= result["working_age_count"]).all()
    informal_share = result["informal_employed_count"] / result["employed_count"]
    assert informal_share.between(0.717, 0.719).all()


@pytest.mark.parametrize("table_name,by,columns", [
    ("population", ["year", "vintage", "sex"], ["population_count"]),
    ("labour", ["year"], ["employed_count", "potential_workforce_count",
                          "informal_employed_count"]),
])
def test_province_equals_sum_of_kabkota(tables, table_name, by, columns):
    table = tables[table_name]
    province = table[table["region_code"] == "52"].set_index(by)[columns].sort_index()
    kabkota = (table[table["region_code"].isin(KABKOTA)].groupby(by)[columns].sum()
               .sort_index())
    pd.testing.assert_frame_equal(province, kabkota)


@pytest.mark.parametrize("denominator,kind,expected", [
    ("bpjs_potential", "all", 1_864_450),
    ("bpjs_potential", "informal", 1_097_813),
    ("bps_employed", "all", 3_110_000),
])
def test_labour_denominator(denominator, kind, expected):
    assert reference.labour_denominator("52", 2024, denominator, kind)["52"] == expected


def test_labour_denominator_rejects_unknown_choice():
    with pytest.raises(ParameterError, match="bpjs_potential"):
        reference.labour_denominator("52", 2024, "census")


# ---------------------------------------------------------------------------------------
# Budget
# ---------------------------------------------------------------------------------------
def test_budget_domain_figures_present_exactly():
    rows = {year: reference.budget(year).set_index("region_code") for year in YEARS}
    assert rows[2025].at["52.02", "apbd_total_rp"] == 2_810_000_000_000
    assert rows[2024].at["52.03", "apbd_total_rp"] == 3_400_000_000_000
    assert rows[2025].at["52.03", "apbd_total_rp"] == 3_422_000_000_000
    lt_2023 = rows[2023].loc["52.02"]
    assert lt_2023["dbhcht_received_rp"] == 71_149_000_000
    assert lt_2023["dbhcht_health_rp"] == 28_459_000_000
    assert lt_2023["dbhcht_law_rp"] == 6_080_000_000
    assert lt_2023["dbhcht_welfare_rp"] == 33_238_000_000 + 3_370_000_000 + 2_000_000
    lt_2024 = rows[2024].loc["52.02"]
    assert lt_2024["dbhcht_received_rp"] == 72_000_000_000
    assert (lt_2024["dbhcht_welfare_rp"], lt_2024["dbhcht_health_rp"],
            lt_2024["dbhcht_law_rp"]) == (36_000_000_000, 28_800_000_000, 7_200_000_000)
    assert rows[2024]["dbhcht_received_rp"].sum() == 459_100_000_000


def test_dbhcht_split_adds_up(tables):
    result = tables["budget"]
    split = result[["dbhcht_welfare_rp", "dbhcht_health_rp", "dbhcht_law_rp"]].sum(axis=1)
    assert (split == result["dbhcht_received_rp"]).all()
    assert (result["dbhcht_received_rp"] < result["apbd_total_rp"]).all()


# ---------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("on", ["2022-01-01", "2024-12-31", "2025-06-30"])
def test_bpu_minimum_is_16800(on):
    assert reference.bpu_minimum_monthly_rp(on) == 16_800


def test_jkn_pemda_cost_is_37800():
    assert reference.jkn_pemda_monthly_rp(dt.date(2024, 12, 31)) == 37_800


@pytest.mark.parametrize("on,risk_class,expected", [
    (dt.date(2024, 12, 31), 1, 0.0024),
    (dt.date(2025, 1, 31), 5, 0.0174),
    (dt.date(2025, 2, 1), 1, 0.0010),
    (dt.date(2025, 2, 1), 5, 0.0160),
])
def test_pu_jkk_switches_to_net_rate_on_1_february_2025(on, risk_class, expected):
    result = reference.rates(on)
    row = result[(result["segment"] == "PU") & (result["component"] == "JKK")
                 & (result["risk_class"] == risk_class)]
    assert len(row) == 1
    assert row["wage_share"].iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("on", [dt.date(2024, 12, 31), dt.date(2025, 2, 1)])
@pytest.mark.parametrize("risk_class,gross", [(1, 0.0024), (3, 0.0089), (5, 0.0174)])
def test_jkk_cost_of_a_spell_is_the_gross_rate(on, risk_class, gross):
    result = reference.rates(on)
    jkk = result[(result["segment"] == "PU") & (result["component"] == "JKK")
                 & (result["risk_class"].isna() | (result["risk_class"] == risk_class))]
    assert jkk["wage_share"].sum() == pytest.approx(gross)


@pytest.mark.parametrize("on", [dt.date(2024, 12, 31), dt.date(2025, 2, 1)])
def test_employer_cost_unchanged_by_jkp_reallocation(on):
    result = reference.rates(on)
    employer = result[(result["segment"] == "PU") & (result["payer"] == "employer")
                      & (result["risk_class"].isna() | (result["risk_class"] == 1))]
    # JKK 0.24 + JKM 0.30 + JHT 3.7 + JP 2 = 6.24 % before and after PP 6/2025.
    assert employer["wage_share"].sum() == pytest.approx(0.0624)


def test_jkn_rates(tables):
    result = reference.rates("2024-06-30")
    jkn = result[result["scheme"] == "jkn"].set_index(["segment", "component", "payer"])
    assert jkn.at[("PBI_APBN", "class_3", "central_government"), "flat_rp"] == 42_000
    pbpu_class_3 = jkn.loc["PBPU"].loc[["class_3", "class_3_aid"], "flat_rp"].sum()
    assert pbpu_class_3 == 42_000
    ppu = jkn.loc["PPU"]
    assert ppu["wage_share"].sum() == pytest.approx(0.05)
    assert set(ppu["wage_cap_rp"]) == {12_000_000}


def test_rates_basis_matches_amount(tables):
    result = tables["rates"]
    flat = result["flat_rp"].notna()
    assert (flat != result["wage_share"].notna()).all(), "exactly one of flat_rp / wage_share"
    pmi = result[result["segment"] == "PMI"]
    assert set(pmi["basis"]) == {"per_protection_period"}
    assert set(pmi["flat_rp"]) == {370_000}


def test_no_rate_in_force_is_an_error():
    with pytest.raises(ReferenceDataError, match="rates.csv.*1990-01-01"):
        reference.rates("1990-01-01")


# ---------------------------------------------------------------------------------------
# Thresholds, target groups, Paritrana
# ---------------------------------------------------------------------------------------
def test_thresholds(tables):
    result = reference.thresholds(2025).set_index(["category", "variant"])
    assert result.at[("uhc", "a"), "min_coverage"] == 0.98
    assert result.at[("uhc", "a"), "min_active_rate"] == 0.80
    assert result.at[("utama", "a"), "min_pemda_share"] == 0.18
    assert result.at[("madya", "b"), "min_pemda_share"] == 0.25
    assert result.at[("madya", "a"), "min_active_rate"] == 0.85
    assert set(tables["thresholds"]["year"]) == set(YEARS)
    earlier = tables["thresholds"]
    assert set(earlier.loc[(earlier["year"] < 2025) & (earlier["category"] != "uhc"),
                           "status"]) == {"illustrative"}


def test_target_groups(tables):
    result = tables["target_groups"]
    assert len(result) == 10 * 4 * 5
    rows = result.set_index(["region_code", "year", "target_group"])["target_count"]
    assert rows[("52.02", 2024, "tobacco_farmer")] == 23_000
    assert rows[("52.02", 2024, "fisher")] == 8_000
    assert rows[("52.02", 2024, "non_asn_staff")] == 15_000
    assert rows[("52.03", 2024, "non_asn_staff")] == 34_555


def test_paritrana_inputs(tables):
    result = tables["paritrana_inputs"]
    assert len(result) == 10 * 4 * 3
    lotim = reference.paritrana_inputs(2025).set_index(["region_code", "indicator"])["score"]
    assert lotim[("52.03", "regulasi")] == 9.00
    assert lotim[("52.03", "penguasaan_narasumber")] == 10.00
    assert lotim[("52.03", "materi_uji_pemahaman")] == 9.06
    assert result["score"].between(0, 10).all()


# ---------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    ("52.02", "52.02"),
    (" 52.02 ", "52.02"),
    ("5202", "52.02"),
    ("52", "52"),
    (52, "52"),
    (5202, "52.02"),
    (52.1, "52.10"),
    (52.02, "52.02"),
    ("520201", "52.02.01"),
    ("52.02.01", "52.02.01"),
    ("5202012001", "52.02.01.2001"),
    (None, None),
    ("", None),
    ("  ", None),
    (float("nan"), None),
])
def test_normalise_region_code(value, expected):
    assert reference.normalise_region_code(value) == expected


@pytest.mark.parametrize("value", ["52-02", "520", "Lombok", "52.2", "52.021", True])
def test_normalise_region_code_rejects(value):
    with pytest.raises(ParameterError, match="not a region code"):
        reference.normalise_region_code(value)


def test_unknown_region_name():
    with pytest.raises(ReferenceDataError, match="regions.csv.*unknown region code '52.99'"):
        reference.region_name("52.99")


def test_codes_stay_text(tables):
    assert tables["regions"]["region_code"].map(type).eq(str).all()
    assert "52.10" not in set(tables["districts"]["district_code"].str[:5])  # sanity
    assert tables["districts"]["district_code"].str.fullmatch(r"\d{2}\.\d{2}\.\d{2}").all()


# ---------------------------------------------------------------------------------------
# Bad tables
# ---------------------------------------------------------------------------------------
@pytest.fixture()
def bad_dir(tmp_path: Path) -> Path:
    for spec in reference.TABLES.values():
        shutil.copy(reference_dir() / spec.filename, tmp_path / spec.filename)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_duplicate_key_names_file_and_row(bad_dir):
    path = bad_dir / "regions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"regions\.csv, row 13.*duplicate key"):
        reference.load_table("regions", bad_dir)


def test_missing_source_names_file_row_and_column(bad_dir):
    path = bad_dir / "target_groups.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[1].rsplit(",", 2)
    lines[1] = f"{fields[0]},,{fields[2]}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError,
                       match=r"target_groups\.csv, row 2, column 'source': empty source"):
        reference.load_table("target_groups", bad_dir)


def test_unknown_status(bad_dir):
    _edit(bad_dir / "regions.csv", ",official\n", ",guess\n")
    with pytest.raises(ReferenceDataError, match=r"regions\.csv, row 2, column 'status'"):
        reference.load_table("regions", bad_dir)


def test_missing_column(bad_dir):
    _edit(bad_dir / "budget.csv", "dbhcht_law_rp,", "law_rp,")
    with pytest.raises(ReferenceDataError, match=r"budget\.csv: missing required column"):
        reference.load_table("budget", bad_dir)


def test_non_integer_money(bad_dir):
    path = bad_dir / "budget.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    parts = lines[1].split(",")
    parts[2] = "5.36e12"
    lines[1] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError,
                       match=r"budget\.csv, row 2, column 'apbd_total_rp'.*whole number"):
        reference.load_table("budget", bad_dir)


def test_percent_instead_of_fraction(bad_dir):
    _edit(bad_dir / "thresholds.csv", ",0.98,0.80,", ",98,0.80,")
    with pytest.raises(ReferenceDataError, match=r"thresholds\.csv, row 2, column 'min_coverage'"):
        reference.load_table("thresholds", bad_dir)


def test_province_not_sum_is_caught(bad_dir):
    path = bad_dir / "population.csv"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^52,2024,dukcapil_2024s1,L,2870780,", "52,2024,dukcapil_2024s1,L,2870781,",
                  text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"population\.csv.*sum of its kab/kota"):
        reference.check_reference_tables(bad_dir)


def test_missing_file(tmp_path):
    with pytest.raises(ReferenceDataError, match=r"regions\.csv: reference table not found"):
        reference.load_table("regions", tmp_path)


def test_unknown_table():
    with pytest.raises(ReferenceDataError, match="unknown reference table"):
        reference.load_table("prices")


def test_cached_copy_cannot_be_mutated():
    first = reference.load_table("regions")
    first.loc[0, "region_name"] = "changed"
    assert reference.load_table("regions").loc[0, "region_name"] == "Nusa Tenggara Barat"


# ---------------------------------------------------------------------------------------
# Data dictionary
# ---------------------------------------------------------------------------------------
def test_data_dictionary_lists_every_column():
    text = (project_root() / "data" / "README.md").read_text(encoding="utf-8")
    for spec in reference.TABLES.values():
        assert f"`{spec.filename}`" in text
        for column in spec.columns:
            assert f"`{column}`" in text, f"{spec.filename}: {column} not documented"
    registries = text.split("## Registries", 1)[1]
    for column in JAMSOSTEK_COLUMNS + JKN_COLUMNS:
        assert f"`{column.name}`" in registries, f"registry column {column.name} missing"


# ---------------------------------------------------------------------------------------
# Derived tables: kecamatan labour and the sample's calibration targets
# ---------------------------------------------------------------------------------------
def _derived_script():
    path = project_root() / "scripts" / "build_derived_reference.py"
    spec = importlib.util.spec_from_file_location("build_derived_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_derived_script_reproduces_committed_tables():
    for name, text in _derived_script().render_all().items():
        assert (reference_dir() / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run scripts/build_derived_reference.py")


def test_village_counts_match_the_wilayah_source():
    source = project_root().parent / "shared" / "sources" / "wilayah" / "db" / "wilayah.sql"
    if not source.exists():
        pytest.skip(f"{source} not found")
    codes = set(re.findall(r"\('(52\.\d\d\.\d\d\.\d{4})'", source.read_text(encoding="utf-8")))
    counted: dict[str, list[int]] = {}
    for code in codes:
        counted.setdefault(code[:8], [0, 0])[0 if code[9] == "2" else 1] += 1
    assert {k: tuple(v) for k, v in counted.items()} == _derived_script().VILLAGES


def test_district_labour_adds_up_to_the_kabkota_rows():
    districts = reference.district_labour(2024, "52.02")
    labour = reference.labour(2024).set_index("region_code")
    assert len(districts) == 12
    assert districts["working_age_count"].sum() == labour.at["52.02", "working_age_count"]
    assert (districts["status"] == "estimate").all()
    with pytest.raises(ReferenceDataError, match="52.99"):
        reference.district_labour(2024, "52.99")


def test_sample_targets_keep_the_published_ntb_totals():
    targets = reference.sample_targets()
    at = targets[targets["reference_date"] == pd.Timestamp("2024-12-31")].set_index(
        ["region_code", "measure"])["target_value"]
    formal = sum(at[(code, "tk_active_formal")] for code in KABKOTA)
    informal = sum(at[(code, "tk_active_informal")] for code in KABKOTA)
    assert formal + informal == at[("52", "tk_active")] == 756_783
    assert informal == at[("52", "tk_active_informal")] == 208_558
    labour = reference.labour(2024).set_index("region_code")
    coverage = {code: (at[(code, "tk_active_formal")] + at[(code, "tk_active_informal")])
                / labour.at[code, "potential_workforce_count"] for code in KABKOTA}
    informal_coverage = {code: at[(code, "tk_active_informal")]
                         / labour.at[code, "potential_informal_count"] for code in KABKOTA}
    assert max(coverage.values()) - min(coverage.values()) >= 0.10
    assert max(informal_coverage.values()) - min(informal_coverage.values()) >= 0.08
    # Lombok Tengah's golden figures are targets, unchanged.
    assert at[("52.02", "tk_nonasn_active")] == 13_600
    assert at[("52.02", "tk_tobacco_farmers_active")] == 6_000
    assert at[("52.02", "tk_fishers_active")] == 500
    assert (targets["source"].str.len() > 0).all()
