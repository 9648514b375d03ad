"""The first screen of a regency report: UHC status with its reason, change, key findings.

Hand-made reports (a few numbers written here) for the rules; the 2 % sample for the page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from helpers.report import findings, present, report_data


@pytest.fixture(scope="module")
def report(small_sample):
    folder, _ = small_sample
    params = report_data.ReportParameters.build("52.02", "2024", data_dir=folder)
    return report_data.regency_report(report_data.load_registries(folder), params)


def with_values(report, **values):
    return replace(report, values={**report.values, **values})


def test_not_uhc_names_the_threshold_it_misses_and_the_cost(report):
    """99 % enrolled but 79 % active: not UHC because of the active rate, said as such."""
    distance = pd.DataFrame([
        {"category": "uhc", "variant": "a", "met": False, "people_to_enrol": 0,
         "people_to_register_by_pemda": 0, "people_to_reactivate": 1_200,
         "annual_cost_rp": 1_200 * 37_800 * 12}])
    table = replace(report.uhc_distance, data=distance)
    case = replace(with_values(report, uhc_category="none", jkn_coverage=0.991,
                               jkn_active_rate=0.79, jkn_pemda_share=0.3),
                   uhc_distance=table, budget_reference={"apbd_total_rp": 1_000_000_000_000})
    status = findings.uhc_status(case)
    assert status["target"] == "uhc"
    assert status["missing"] == [("jkn_active_rate", 0.79, 0.80)]
    assert (status["people"], status["cost_rp"]) == (1_200, 544_320_000)
    assert status["share_apbd"] == pytest.approx(544_320_000 / 1e12)
    note = present.uhc_note(case, "en")
    assert "79.0%, needs 80%" in note and "1,200 people" in note
    assert "Rp544.32 million" in note
    note_id = present.uhc_note(case, "id")
    assert "79,0%, syarat 80%" in note_id and "Rp544,32 juta" in note_id


def test_the_cheapest_variant_of_the_next_category(report):
    status = findings.uhc_status(report)
    distance = report.uhc_distance.data
    if status["target"] is not None:
        rows = distance[distance["category"] == status["target"]]
        assert status["cost_rp"] == int(rows["annual_cost_rp"].min())


def test_change_since_last_year_reads_the_trend(report):
    trend = report.trend.data
    now = trend[trend["month_end"] == date(2024, 12, 31)]["tk_coverage"].iloc[0]
    before = trend[trend["month_end"] == date(2023, 12, 31)]["tk_coverage"].iloc[0]
    change = findings.change_since_last_year(report)
    assert change["tk_coverage"] == pytest.approx(now - before)


def test_the_first_screen_answers_in_both_languages(report):
    for lang, words in (("id", ("Temuan utama", "dari APBD", "setahun")),
                        ("en", ("Key findings", "of the APBD", "a year"))):
        page = present.Presenter(report, lang)
        text = re.sub(r"<[^>]+>", " ", page.title() + page.headline())
        for word in words:
            assert word in text, (lang, word)
        assert len(re.findall(r"<li>", page.headline())) == 3  # three findings
        # money in cards and sentences is compact, never a long Rupiah figure
        assert not re.search(r"Rp\d{1,3}([.,]\d{3}){3,}", text), text


def test_the_banner_says_synthetic_and_scaled(report):
    html = present.Presenter(report, "en").title()
    assert "SYNTHETIC DATA" in html and "scaled to 2%" in html
    assert "DATA SINTETIS" in present.Presenter(report, "id").title()


def test_no_banner_on_real_data(report, tmp_path):
    real = replace(report, params=replace(report.params, data_dir=tmp_path))
    assert present.banner(real, "en") == ""


def test_a_region_without_a_programme_says_none_not_zero_from_dash(report):
    headline = {**report.headline, "tobacco_farmer": {"people": 0, "funding_sources": [],
                                                       "annual_cost_rp": 0}}
    html = present.regency_headline(replace(report, headline=headline), "en")
    assert "none with contributions paid by the Pemda" in html
    assert "from –" not in html and "Rp0 a year" not in html
