"""docs/methodology.md is generated from the indicator definitions the code uses."""

from pathlib import Path

from helpers.measures import definitions, indicators
from helpers.report import methodology

ROOT = Path(__file__).resolve().parent.parent


def test_methodology_matches_the_definitions_in_code():
    committed = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert committed == methodology.render_document(), "run `make docs` and commit the result"


def test_every_indicator_is_documented_in_both_languages():
    text = methodology.render_document()
    english, indonesian = text.split("# Bahasa Indonesia")
    for indicator in definitions.INDICATORS:
        assert f"`{indicator.indicator_id}`" in english
        assert f"`{indicator.indicator_id}`" in indonesian
        assert indicator.definition_en in english and indicator.definition_id in indonesian


def test_every_computed_indicator_has_one_definition():
    assert set(indicators.INDICATOR_IDS) == {i.indicator_id for i in definitions.INDICATORS}
    assert len(definitions.INDICATOR_IDS) == len(definitions.INDICATORS)
