"""NIK rules (DESIGN §4): examples, Hypothesis properties, and Python = DuckDB SQL."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import nik


def _valid_nik_parts():
    return st.tuples(
        st.integers(11, 96),                                   # province
        st.integers(0, 99), st.integers(0, 99),                # kab/kota, kecamatan
        st.one_of(st.integers(1, 31), st.integers(41, 71)),    # day (women + 40)
        st.integers(1, 12),                                    # month
        st.integers(0, 99),                                    # year
        st.integers(1, 9999),                                  # serial
    )


def _join(province, kabupaten, kecamatan, day, month, year, serial) -> str:
    return f"{province:02d}{kabupaten:02d}{kecamatan:02d}{day:02d}{month:02d}{year:02d}{serial:04d}"


valid_niks = _valid_nik_parts().map(lambda parts: _join(*parts))


@pytest.mark.parametrize("value, expected", [
    ("5202010101900001", None),
    ("5202014101900001", None),                      # woman: day 01 + 40
    ("5202017101900001", None),                      # day 31 + 40
    ("1101010101000001", None),                      # province 11
    ("9601010101000001", None),                      # province 96
    ("", nik.DETAIL_EMPTY),
    ("520201010190000", "15 digits, expected 16"),
    ("52020101019000011", "17 digits, expected 16"),
    ("52020101019O0001", nik.DETAIL_NOT_DIGITS),
    ("1001010101900001", nik.DETAIL_PROVINCE),
    ("9701010101900001", nik.DETAIL_PROVINCE),
    ("5202010001900001", nik.DETAIL_DAY),
    ("5202013201900001", nik.DETAIL_DAY),
    ("5202014001900001", nik.DETAIL_DAY),
    ("5202017201900001", nik.DETAIL_DAY),
    ("5202010100900001", nik.DETAIL_MONTH),
    ("5202010113900001", nik.DETAIL_MONTH),
    ("5202010101900000", nik.DETAIL_SERIAL),
])
def test_nik_problem_examples(value, expected):
    assert nik.nik_problem(value) == expected


@pytest.mark.parametrize("value", ["5202 0101 0190 0001", "5202.0101.0190.0001",
                                   "5202-0101-0190-0001", " 5202010101900001\t",
                                   "5202\u00a00101\u00a00190\u00a00001"])
def test_separators_are_stripped(value):
    assert nik.normalise_nik(value) == "5202010101900001"
    assert nik.is_valid_nik(value)


@given(valid_niks)
def test_every_nik_built_by_the_rules_is_valid(value):
    assert nik.nik_problem(value) is None
    assert nik.nik_sex(value) == ("P" if int(value[6:8]) > 40 else "L")
    assert nik.nik_region_code(value) == f"{value[:2]}.{value[2:4]}"


@given(valid_niks, st.lists(st.sampled_from(" .-"), max_size=6), st.randoms())
def test_separators_anywhere_keep_a_nik_valid(value, separators, random):
    chars = list(value)
    for separator in separators:
        chars.insert(random.randint(0, len(chars)), separator)
    assert nik.is_valid_nik("".join(chars))


@given(valid_niks, st.integers(0, 99))
def test_province_outside_11_96_is_invalid(value, province):
    candidate = f"{province:02d}{value[2:]}"
    expected = None if 11 <= province <= 96 else nik.DETAIL_PROVINCE
    assert nik.nik_problem(candidate) == expected


@given(valid_niks, st.integers(0, 99))
def test_day_must_be_01_31_or_41_71(value, day):
    candidate = f"{value[:6]}{day:02d}{value[8:]}"
    ok = 1 <= day <= 31 or 41 <= day <= 71
    assert nik.nik_problem(candidate) == (None if ok else nik.DETAIL_DAY)


@given(valid_niks, st.integers(0, 99))
def test_month_must_be_01_12(value, month):
    candidate = f"{value[:8]}{month:02d}{value[10:]}"
    assert nik.nik_problem(candidate) == (None if 1 <= month <= 12 else nik.DETAIL_MONTH)


@given(valid_niks)
def test_serial_0000_is_invalid(value):
    assert nik.nik_problem(value[:12] + "0000") == nik.DETAIL_SERIAL


@given(valid_niks, st.integers(1, 30).filter(lambda n: n != 16))
def test_wrong_length_is_invalid(value, length):
    candidate = (value * 2)[:length]
    assert nik.nik_problem(candidate) == f"{length} digits, expected 16"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
def test_any_text_is_either_valid_by_every_rule_or_has_a_problem(value):
    problem = nik.nik_problem(nik.normalise_nik(value))
    normalised = nik.normalise_nik(value)
    by_rules = (len(normalised) == 16 and normalised.isascii() and normalised.isdigit()
                and 11 <= int(normalised[:2]) <= 96
                and (1 <= int(normalised[6:8]) <= 31 or 41 <= int(normalised[6:8]) <= 71)
                and 1 <= int(normalised[8:10]) <= 12 and normalised[12:] != "0000")
    assert (problem is None) == by_rules


_mixed = st.one_of(
    valid_niks,
    valid_niks.map(lambda v: v[:15]),
    st.text(alphabet="0123456789 .-xO\u00a0", max_size=20),
    st.text(max_size=18),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(_mixed, min_size=1, max_size=40))
def test_python_and_duckdb_rules_agree(values):
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT v, {nik.sql_normalise_nik('v')} AS n, "
        f"CASE WHEN {nik.sql_normalise_nik('v')} IS NULL THEN NULL "
        f"ELSE {nik.sql_nik_problem(nik.sql_normalise_nik('v'))} END AS problem "
        f"FROM (SELECT unnest(?::VARCHAR[]) AS v)", [values]).fetchall()
    for value, normalised, problem in rows:
        assert normalised == nik.normalise_nik(value)
        assert problem == nik.nik_problem(nik.normalise_nik(value)), value
