"""Kecamatan coverage rates: registry counts joined to the kecamatan working-age estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data import reference
from helpers.errors import ParameterError
from helpers.measures.districts import district_coverage_rates


def test_rates_join_on_district_code_with_unknown_and_total_rows():
    breakdown = pd.DataFrame({
        "region_code": ["52.72", "52.72", "52.72", "52.71"],
        "district_code": ["52.72.01", "52.72.03", None, "52.71.01"],
        "members": [120, 60, 7, 999], "active": [100, 50, 5, 999]})
    result = district_coverage_rates(breakdown, "52.72", 2024)
    labour = reference.district_labour(2024, "52.72").set_index("district_code")
    assert list(result["district_code"]) == [
        "52.72.01", "52.72.02", "52.72.03", "52.72.04", "52.72.05", "unknown", "total"]
    first = result.iloc[0]
    assert first["district_name"] == "Rasanae Barat"
    assert first["tk_coverage_working_age"] == pytest.approx(
        100 / labour.at["52.72.01", "working_age_count"])
    assert first["tk_coverage_potential"] == pytest.approx(
        100 / labour.at["52.72.01", "potential_workforce_count"])
    assert result.iloc[1]["active"] == 0 and result.iloc[1]["tk_coverage_working_age"] == 0
    unknown = result[result["district_code"] == "unknown"].iloc[0]
    assert unknown["active"] == 5 and np.isnan(unknown["tk_coverage_working_age"])
    total = result[result["district_code"] == "total"].iloc[0]
    region = reference.labour(2024).set_index("region_code").loc["52.72"]
    assert total["active"] == 155
    assert total["working_age_count"] == region["working_age_count"]
    assert (result["denominator_status"].iloc[:5] == "estimate").all()
    assert (result["flag"] == "").all()


def test_a_rate_above_one_is_flagged_not_clipped():
    breakdown = pd.DataFrame({"region_code": ["52.72"], "district_code": ["52.72.01"],
                              "members": [10**6], "active": [10**6]})
    result = district_coverage_rates(breakdown, "52.72", 2024)
    assert result.iloc[0]["flag"] == "above_one" and result.iloc[0]["tk_coverage_working_age"] > 1


def test_missing_column_is_named():
    with pytest.raises(ParameterError, match="lacks active"):
        district_coverage_rates(pd.DataFrame({"region_code": [], "district_code": [],
                                              "members": []}), "52.72", 2024)
