"""Number formatting (Babel), the translation table, and the charts' theme and labels."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.errors import ParameterError
from helpers.report import formatting, i18n, plots

ROOT = Path(__file__).resolve().parents[1]


# =========================================================================== numbers


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (1_209_600_000, "id", "Rp1.209.600.000"),
    (1_209_600_000, "en", "Rp1,209,600,000"),
    (100_800_000, "id", "Rp100.800.000"),
    (0, "id", "Rp0"),
    (-5000, "id", "-Rp5.000"),
    (16_800.4, "en", "Rp16,800"),
])
def test_rupiah(value, lang, expected):
    assert formatting.format_rupiah(value, lang) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (0.412, "id", "41,2%"),
    (0.412, "en", "41.2%"),
    (1.019, "id", "101,9%"),  # above 100 % is shown, never clipped
    (0.0, "en", "0.0%"),
])
def test_percent(value, lang, expected):
    assert formatting.format_percent(value, lang) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (13_600, "id", "13.600"), (13_600, "en", "13,600"), (6000, "id", "6.000"),
    (500, "id", "500"), (1_117_436, "en", "1,117,436"),
])
def test_people_counts(value, lang, expected):
    assert formatting.format_count(value, lang) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_values_show_a_dash(missing):
    assert formatting.format_rupiah(missing, "id") == formatting.MISSING
    assert formatting.format_percent(missing, "en") == formatting.MISSING


@pytest.mark.parametrize("function", [formatting.format_count, formatting.format_rupiah,
                                      formatting.format_percent, formatting.format_date])
def test_a_forgotten_language_is_an_error_not_indonesian(function):
    with pytest.raises(TypeError, match="lang"):
        function(1)


@pytest.mark.parametrize("marker", ["<5", "x"])
def test_suppressed_cells_pass_through(marker):
    assert formatting.format_count(marker, "id") == marker
    assert formatting.format_value(marker, "people", "en") == marker


def test_dates_and_compact_amounts():
    day = dt.date(2024, 12, 31)
    assert formatting.format_date(day, "id") == "31 Desember 2024"
    assert formatting.format_date(day, "en") == "31 December 2024"
    assert formatting.format_rupiah_compact(1_209_600_000, "id") == "Rp1,21 miliar"
    assert formatting.format_rupiah_compact(1_209_600_000, "en") == "Rp1.21 billion"


@pytest.mark.parametrize(("unit", "value", "expected"), [
    ("people", 13600, "13.600"), ("rupiah", 1209600000, "Rp1.209.600.000"),
    ("fraction", 0.0343, "3,4%"), ("category", "pratama", "UHC Pratama"),
    ("category", "none", "Belum UHC"), ("text", "abc", "abc"),
])
def test_format_value_by_unit(unit, value, expected):
    assert formatting.format_value(value, unit, "id") == expected


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_rupiah_round_trips(amount):
    for lang, separator in (("id", "."), ("en", ",")):
        text = formatting.format_rupiah(amount, lang)
        digits = text.replace("Rp", "").replace(separator, "")
        assert int(digits) == amount


def test_unknown_language_is_a_parameter_error():
    with pytest.raises(ParameterError, match="language"):
        formatting.format_count(1, "fr")


# =========================================================================== tables


def test_format_table_translates_headings_codes_and_units():
    frame = pd.DataFrame({"segment": ["BPU", "PU", "total"], "active": [853, "<5", 3049],
                          "active_share": [0.28, "x", 1.0]})
    result = formatting.format_table(frame, {"active": "people", "active_share": "fraction"},
                                     "id", codes={"segment": "segment"})
    expected = pd.DataFrame({"Segmen": ["Bukan penerima upah (BPU)", "Penerima upah (PU)",
                                        "Jumlah"],
                             "Aktif (orang)": ["853", "<5", "3.049"],
                             "Porsi peserta aktif": ["28,0%", "x", "100,0%"]}, dtype=object)
    pd.testing.assert_frame_equal(result, expected)


def test_row_units_format_each_row_by_its_unit():
    frame = pd.DataFrame({"item": ["apbd_total_rp", "budget_share_apbd"],
                          "value": [2_791_935_000_000, 0.0343], "unit": ["rupiah", "fraction"]})
    result = formatting.format_table(frame, {"value": "row"}, "en", codes={"item": "budget"})
    assert list(result.columns) == ["Item", "Value"]  # the unit column is not shown
    # a budget share has two decimals everywhere (card, sentence, table): one rounding
    assert list(result["Value"]) == ["Rp2,791,935,000,000", "3.43%"]


def test_money_is_compact_in_sentences_full_in_tables():
    assert formatting.format_value(1_507_596_511, "rupiah", "id", compact=True) == \
        "Rp1,51 miliar"
    assert formatting.format_value(1_507_596_511, "rupiah", "id") == "Rp1.507.596.511"
    assert formatting.format_value(0.0343, "fraction", "id", key="budget_share_apbd") == "3,43%"
    assert formatting.format_value(0.0343, "fraction", "id", key="tk_coverage") == "3,4%"


def test_html_table_escapes_and_aligns_numbers():
    frame = pd.DataFrame({"group": ["<b>&</b>"], "people": [1234]})
    text = formatting.html_table(frame, {"people": "people"}, "id")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in text and "<b>" not in text
    assert '<td class="num">1.234</td>' in text


# =========================================================================== translations


def test_translation_table_is_complete_in_both_languages():
    table = i18n.table()
    assert len(table) > 300
    for key, texts in table.items():
        assert texts["id"] and texts["en"], key


def test_every_coded_value_of_the_schema_has_a_label():
    from helpers.data import schema
    from helpers.data.ledger import REASONS
    from helpers.measures.definitions import INDICATOR_IDS
    from helpers.measures.indicators import AGE_GROUPS, UNKNOWN_FLAGS

    wanted = ([f"segment.{s}" for s in schema.JAMSOSTEK_SEGMENTS]
              + [f"jkn_segment.{s}" for s in schema.JKN_SEGMENTS]
              + [f"occupation.{o}" for o in schema.OCCUPATIONS]
              + [f"funding.{f}" for f in schema.FUNDING_SOURCES]
              + [f"sex.{s}" for s in schema.SEXES]
              + [f"age_group.{a[2]}" for a in AGE_GROUPS]
              + [f"indicator.{i}" for i in INDICATOR_IDS]
              + [f"reason.{r}" for r in REASONS]
              + [f"uhc.{c}" for c in ("none", "uhc", "pratama", "madya", "utama", "unknown")]
              + [f"flag.{f}" for f in set(UNKNOWN_FLAGS.values())])
    missing = [key for key in wanted if not i18n.has(key)]
    assert missing == []


def _literal_keys() -> set[str]:
    """Translation keys written as literals in the helpers and notebooks."""
    pattern = re.compile(r'(?:translate|heading|paragraph|_table|ReportTable)\(\s*f?"'
                         r'([a-z_]+\.[a-z_0-9]+)"')
    keys = set()
    sources = list((ROOT / "src" / "helpers").rglob("*.py"))
    for path in sources:
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        keys |= set(pattern.findall(path.read_text(encoding="utf-8").replace('\\"', '"')))
    for path in (ROOT / "src" / "helpers" / "report").glob("*.py"):
        keys |= set(re.findall(r'"((?:table|note|title|heading|chart|axis|headline|text)\.'
                               r'[a-z_0-9]+)"', path.read_text(encoding="utf-8")))
    return {k for k in keys if "{" not in k}


def test_every_key_used_in_code_is_in_the_table():
    missing = sorted(k for k in _literal_keys() if not i18n.has(k))
    assert missing == []


def test_unknown_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(KeyError, match="translations.csv"):
        i18n.translate("no.such.key", "id")
    assert i18n.label("segment", "NEW_CODE", "id") == "NEW_CODE"
    assert i18n.label("segment", "total", "en") == "Total"


# =========================================================================== charts


def _breakdown() -> pd.DataFrame:
    return pd.DataFrame({"segment": ["PU", "BPU", "JAKON", "total"],
                         "members": [120, 80, "<5", 203], "active": [100, 60, "<5", 163]})


@pytest.mark.parametrize("lang", ["id", "en"])
def test_active_by_group_has_title_unit_and_hidden_note(lang):
    figure = plots.active_by_group(_breakdown(), "segment", lang)
    axes = figure.axes[0]
    assert axes.get_title(loc="left") == i18n.translate("chart.active_by_segment", lang)
    assert "(" in axes.get_xlabel()  # the unit: (orang) / (people)
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert i18n.label("segment", "PU", lang) in labels and len(labels) == 2
    notes = [t.get_text() for t in figure.texts]
    assert any("1" in n for n in notes)  # one hidden group is said, not drawn
    assert plots.to_png(figure).startswith(b"\x89PNG")


def test_theme_uses_the_colour_blind_palette():
    import seaborn as sns

    assert plots.colours(3) == sns.color_palette("colorblind", 3)


def test_trend_and_budget_charts_label_their_units():
    trend = pd.DataFrame({"month_end": pd.date_range("2022-01-31", periods=24, freq="ME"),
                          "tk_active": range(100, 124), "jkn_coverage": [0.9] * 24})
    figure = plots.trend(trend, "en")
    left, right = figure.axes
    assert left.get_ylabel() == "Active participants (people)"
    assert right.get_ylabel() == "Coverage (%)"
    budget = pd.DataFrame({"item": ["budget_tk_apbd_rp", "budget_tk_dbhcht_rp"],
                           "value": [1_608_396_511, 1_209_600_000], "unit": ["rupiah"] * 2})
    figure = plots.budget_shares(budget, 2_791_935_000_000, "id")
    assert figure.axes[0].get_xlabel() == "Porsi APBD (%)"


def test_figure_html_embeds_the_chart_with_alt_text():
    text = plots.figure_html(plots.active_by_group(_breakdown(), "segment", "id"), "alt <x>")
    assert text.startswith('<figure class="chart"')
    assert '<svg role="img" aria-label="alt &lt;x&gt;"' in text


def test_parameters_help_has_no_equals_sign():
    """papermill cannot parse a parameters line with a second '=' (papermill #864)."""
    import json

    for path in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text())["cells"]
        source = "".join(next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
                         ["source"])
        for line in source.splitlines():
            assert line.count("=") == 1, (path.name, line)
            ast.parse(line)
