"""Small-cell suppression: hand-computed tables and an attacker on random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.errors import ParameterError
from helpers.measures import disclosure
from helpers.measures.disclosure import DisclosureRule

RULE = DisclosureRule()


def shown(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# --------------------------------------------------------------------------- the rule


def test_rule_labels_state_the_threshold_in_both_languages():
    rule = DisclosureRule(threshold=9)
    assert rule.primary_marker == "<10"
    assert rule.label("id").startswith("Angka 1–9 ditampilkan sebagai <10")
    assert rule.label("en").startswith("Counts from 1 to 9 are shown as <10")
    assert "x" in rule.label("en") and "Zeros are shown" in rule.label("en")


@pytest.mark.parametrize("threshold", [1, 0, -3, "4", 4.0, True])
def test_rule_rejects_thresholds_that_reveal_or_are_not_whole(threshold):
    with pytest.raises(ParameterError, match="threshold"):
        DisclosureRule(threshold=threshold)


def test_label_rejects_unknown_language():
    with pytest.raises(ParameterError, match="language"):
        RULE.label("fr")


# --------------------------------------------------------------------------- 2-D tables


def test_without_totals_only_counts_1_to_4_are_hidden_and_zeros_are_shown():
    counts = pd.DataFrame({"PU": [0, 4, 5], "BPU": [1, 12, 0]}, index=["a", "b", "c"])
    result = disclosure.suppression_mask(counts)
    expected = pd.DataFrame({"PU": [False, True, False], "BPU": [True, False, False]},
                            index=["a", "b", "c"])
    pd.testing.assert_frame_equal(result, expected)


def test_classic_rule_hides_the_smallest_other_cell_in_each_line():
    # Hand-computed: 1 (r1, PU) and 3 (r2, BPU) are primary. Row r1 then has one hidden
    # cell: hide its smallest other non-zero cell, 12. Column PU has one hidden: hide 10.
    # Now every row and column has two hidden cells (or none).
    counts = pd.DataFrame(
        {"PU": [1, 10, 11], "BPU": [12, 3, 15], "JAKON": [20, 30, 50], "Total": [33, 43, 76]},
        index=["r1", "r2", "Total"])
    result = disclosure.suppression_mask(counts, row_total="Total", column_total="Total")
    expected = pd.DataFrame(
        {"PU": [True, True, False], "BPU": [True, True, False],
         "JAKON": [False, False, False], "Total": [False, False, False]},
        index=["r1", "r2", "Total"])
    pd.testing.assert_frame_equal(result, expected)


def test_a_small_total_is_hidden_and_protected_through_the_other_totals():
    # Row r2 sums to 3: its cells and its total are primary. Columns PU, BPU and Total
    # then have one hidden cell each, and each hides its only other non-zero cell that is
    # not a total: all of row r1. (Any less and 33 − 30 or 12 − 10 would give r2 away.)
    counts = pd.DataFrame({"PU": [10, 2, 12], "BPU": [20, 1, 21], "Total": [30, 3, 33]},
                          index=["r1", "r2", "Total"])
    result = disclosure.suppression_mask(counts, row_total="Total", column_total="Total")
    expected = pd.DataFrame({"PU": [True, True, False], "BPU": [True, True, False],
                             "Total": [True, True, False]}, index=["r1", "r2", "Total"])
    pd.testing.assert_frame_equal(result, expected)
    assert not disclosure.disclosed_cells(counts, result, row_total="Total",
                                          column_total="Total").to_numpy().any()


def test_unknown_total_label_is_refused():
    counts = pd.DataFrame({"PU": [1, 2]}, index=["a", "b"])
    with pytest.raises(ParameterError, match="row_total 'Jumlah' is not in the table"):
        disclosure.suppression_mask(counts, row_total="Jumlah")


@pytest.mark.parametrize("bad", [-1, 2.5, np.nan])
def test_counts_must_be_whole_and_not_negative(bad):
    counts = pd.DataFrame({"PU": [10.0, bad]}, index=["a", "b"])
    with pytest.raises(ParameterError, match="row 'b', column 'PU'"):
        disclosure.suppression_mask(counts)


# --------------------------------------------------------------------------- the attacker


@pytest.mark.parametrize(
    ("cells", "hidden", "expected"),
    [
        # one hidden cell: total minus the others
        ([12, 3, 40, 55], [False, True, False, False], [False, True, False, False]),
        # <5 and x with total 6: the <5 is 1 and the x is 5
        ([1, 5, 6], [True, True, False], [True, True, False]),
        # <5 and <5 with total 8: both are 4
        ([4, 4, 8], [True, True, False], [True, True, False]),
        # <5 and <5 with total 7: 3+4 or 4+3, nothing exact
        ([3, 4, 7], [True, True, False], [False, False, False]),
        # <5 and x with total 15: the <5 is 1-4, the x 11-14
        ([12, 3, 15], [True, True, False], [False, False, False]),
    ],
)
def test_disclosed_cells_of_one_line(cells, hidden, expected):
    counts = pd.DataFrame([cells], columns=[*"abcd"[: len(cells) - 1], "Total"])
    mask = pd.DataFrame([hidden], columns=counts.columns)
    result = disclosure.disclosed_cells(counts, mask, column_total="Total")
    pd.testing.assert_frame_equal(result, pd.DataFrame([expected], columns=counts.columns))


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([12, 3, 40, 55], shown("x", "<5", 40, 55)),  # classic rule is enough
        ([1, 5, 0, 6], shown("<5", "x", 0, "x")),  # <5, x | 6 would give 1 and 5
        ([4, 4, 0, 8], shown("<5", "<5", 0, "x")),  # <5, <5 | 8 would give 4 and 4
        ([3, 4, 0, 7], shown("<5", "<5", 0, 7)),  # 3+4 or 4+3: safe as it is
        ([0, 0, 0, 0], pd.Series([0, 0, 0, 0])),  # nothing to hide: dtype kept
    ],
)
def test_breakdown_with_a_total_row(members, expected):
    frame = pd.DataFrame({"segment": ["PU", "BPU", "JAKON", "Total"], "members": members})
    result = disclosure.apply(frame, count_columns=["members"], total_label="Total")
    pd.testing.assert_series_equal(result["members"], expected, check_names=False)
    assert result["segment"].tolist() == ["PU", "BPU", "JAKON", "Total"]


def test_what_the_markers_alone_reveal_is_reported_but_not_chased():
    # At most 4 people, each of the four categories non-empty: each holds exactly 1.
    counts = pd.DataFrame([[1, 1, 1, 1, 4]], columns=["a", "b", "c", "d", "Total"])
    mask = disclosure.suppression_mask(counts, column_total="Total")
    assert mask.to_numpy().all()
    assert disclosure.disclosed_cells(counts, mask, column_total="Total").to_numpy().all()


def test_overlapping_segments_no_segment_above_the_total_is_used_by_the_attacker():
    # Distinct people: one person is in PU and BPU, so the total (5) is less than 1 + 5.
    # A segment cannot hold more people than the total: with the total shown, "x" (≥ 5)
    # under a total of 5 would be exactly 5, so the total is hidden too.
    frame = pd.DataFrame({"segment": ["PU", "BPU", "Total"], "members": [1, 5, 5]})
    result = disclosure.apply(frame, count_columns=["members"], total_label="Total")
    pd.testing.assert_series_equal(result["members"], shown("<5", "x", "x"), check_names=False)


@pytest.mark.parametrize(("counts", "row_total", "expected_hidden"), [
    # rows add up to more than the total row (overlap), no small cell: nothing hidden
    ([[10, 15], [20, 25], [25, 35]], "total", np.zeros((3, 2), dtype=bool)),
    # rows add up to less than the total row (people in no listed row), no small cell
    ([[10, 15], [20, 25], [35, 45]], "total", np.zeros((3, 2), dtype=bool)),
])
def test_non_additive_tables_without_small_counts_publish_everything(counts, row_total,
                                                                      expected_hidden):
    # Regression: this raised "bad operand type for unary ~: 'NoneType'" for every
    # period but 2024 (issue 12).
    table = pd.DataFrame(counts, index=["x", "y", "total"], columns=["a", "b"])
    mask = disclosure.suppression_mask(table, row_total=row_total)
    np.testing.assert_array_equal(mask.to_numpy(), expected_hidden)


def test_overlapping_total_with_one_small_cell_hides_a_second_cell():
    # 3 + 40 = 43 > 41 distinct people: the classic rule still hides a second cell, and
    # the bound "40 + x ≥ 41" cannot pin the <5 cell once 40 is hidden too.
    frame = pd.DataFrame({"segment": ["PU", "BPU", "Total"], "members": [3, 40, 41]})
    result = disclosure.apply(frame, count_columns=["members"], total_label="Total")
    assert result["members"].tolist() == ["<5", "x", 41]


# --------------------------------------------------------------------------- long tables


def test_long_table_by_region_with_shares():
    frame = pd.DataFrame({
        "region_code": ["52.01"] * 3 + ["52.02"] * 3,
        "segment": ["PU", "BPU", "Total"] * 2,
        "members": [120, 30, 150, 9, 2, 11],
        "active": [100, 20, 120, 7, 0, 7],
        "active_share": [100 / 120, 20 / 30, 120 / 150, 7 / 9, 0.0, 7 / 11],
    })
    result = disclosure.apply(frame, count_columns=["members", "active"],
                              group_by="region_code", total_label="Total",
                              share_columns={"active_share": ("active", "members")})
    expected = frame.copy()
    expected["members"] = shown(120, 30, 150, "x", "<5", 11)
    expected["active_share"] = shown(100 / 120, 20 / 30, 120 / 150, "x", "x", 7 / 11)
    pd.testing.assert_frame_equal(result, expected)
    assert result.attrs["disclosure_rule"] == RULE


def test_long_table_with_a_province_total_group_is_two_dimensional():
    # 3 (52.02, PU) is primary. Row 52.02 then hides its other cell, 40. Column PU
    # (10, 3 | 13) has one hidden cell: hide 10; column BPU (20, 40 | 60): hide 20.
    frame = pd.DataFrame({
        "region_code": ["52.01"] * 3 + ["52.02"] * 3 + ["52"] * 3,
        "segment": ["PU", "BPU", "Total"] * 3,
        "members": [10, 20, 30, 3, 40, 43, 13, 60, 73],
    })
    result = disclosure.apply(frame, count_columns=["members"], group_by="region_code",
                              category="segment", total_label="Total", total_group="52")
    pd.testing.assert_series_equal(
        result["members"], shown("x", "x", 30, "<5", "x", 43, 13, 60, 73), check_names=False)
    # Without the province rows the two regions are independent breakdowns.
    regions = disclosure.apply(frame[frame["region_code"] != "52"].reset_index(drop=True),
                               count_columns=["members"], group_by="region_code",
                               total_label="Total")
    pd.testing.assert_series_equal(regions["members"], shown(10, 20, 30, "<5", "x", 43),
                                   check_names=False)


def test_several_group_columns_make_independent_groups():
    frame = pd.DataFrame({
        "region_code": ["52.01"] * 4,
        "sex": ["L", "L", "P", "P"],
        "segment": ["PU", "Total", "PU", "Total"],
        "members": [2, 2, 40, 40],
    })
    result = disclosure.apply(frame, count_columns=["members"],
                              group_by=["region_code", "sex"], total_label="Total")
    pd.testing.assert_series_equal(result["members"], shown("<5", "<5", 40, 40),
                                   check_names=False)


def test_long_table_problems_are_named():
    frame = pd.DataFrame({"segment": ["PU", "PU", "Total"], "members": [5, 6, 11]})
    with pytest.raises(ParameterError, match="repeats a combination"):
        disclosure.apply(frame, count_columns=["members"], total_label="Total")
    with pytest.raises(ParameterError, match="no column 'active'"):
        disclosure.apply(frame, count_columns=["active"])
    with pytest.raises(ParameterError, match="no column holds the total label 'Jumlah'"):
        disclosure.apply(frame, count_columns=["members"], total_label="Jumlah")


def test_wide_table_with_total_row_and_column():
    counts = pd.DataFrame({"PU": [10, 2, 12], "BPU": [20, 1, 21], "Jumlah": [30, 3, 33]},
                          index=["52.01", "52.02", "Jumlah"])
    result = disclosure.apply(counts, DisclosureRule(threshold=4), total_label="Jumlah")
    expected = pd.DataFrame({"PU": ["x", "<5", 12], "BPU": ["x", "<5", 21],
                             "Jumlah": ["x", "<5", 33]}, index=["52.01", "52.02", "Jumlah"],
                            dtype=object)
    pd.testing.assert_frame_equal(result, expected)


# --------------------------------------------------------------------------- properties

small_or_large = st.one_of(st.integers(0, 6), st.integers(0, 40), st.integers(100, 5000))


@st.composite
def count_tables(draw):
    """A random table of counts with its row sums, column sums and grand total."""
    n_rows = draw(st.integers(1, 5))
    n_columns = draw(st.integers(1, 5))
    cells = np.array(draw(st.lists(small_or_large, min_size=n_rows * n_columns,
                                   max_size=n_rows * n_columns))).reshape(n_rows, n_columns)
    table = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)],
                         columns=[f"c{j}" for j in range(n_columns)])
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def recover_by_subtraction(published: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The attacker: in each row and column, one hidden cell is its total minus the rest.

    ``published`` holds numbers where shown and None where hidden; returns every
    (row, column, value) the attacker works out.
    """
    recovered = []
    inner_rows = [r for r in published.index if r != "Total"]
    inner_columns = [c for c in published.columns if c != "Total"]
    lines = [[(r, c) for c in inner_columns] + [(r, "Total")] for r in published.index]
    lines += [[(r, c) for r in inner_rows] + [("Total", c)] for c in published.columns]
    for line in lines:
        hidden = [cell for cell in line if published.at[cell] is None]
        if len(hidden) == 1:
            *parts, total = [published.at[cell] for cell in line]
            if hidden[0] == line[-1]:
                value = sum(parts)
            else:
                value = total - sum(v for v in parts if v is not None)
            recovered.append((*hidden[0], value))
    return recovered


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=count_tables(), threshold=st.integers(2, 9))
def test_random_tables_hide_small_counts_and_no_hidden_count_can_be_recovered(table, threshold):
    rule = DisclosureRule(threshold=threshold)
    mask = disclosure.suppression_mask(table, rule, row_total="Total", column_total="Total")
    published = table.astype(object).where(~mask, None)

    assert recover_by_subtraction(published) == []
    assert_small_counts_hidden_and_attacker_beaten(table, mask, rule)


def assert_small_counts_hidden_and_attacker_beaten(table: pd.DataFrame, mask: pd.DataFrame,
                                                   rule: DisclosureRule) -> None:
    """No count 1..threshold shown, no zero hidden, and the interval attacker (markers give
    bounds: <5 is 1-4, x is above 4; totals give equations or, for overlapping tables,
    inequalities) recovers nothing beyond what the markers alone reveal when every
    non-zero cell is hidden."""
    values, hidden = table.to_numpy(), mask.to_numpy()
    assert not (~hidden & (values >= 1) & (values <= rule.threshold)).any()
    assert not (hidden & (values == 0)).any(), "zeros are never hidden"
    disclosed = disclosure.disclosed_cells(table, mask, rule, row_total="Total",
                                           column_total="Total")
    by_markers_alone = disclosure.disclosed_cells(table, table > 0, rule, row_total="Total",
                                                  column_total="Total")
    assert not (disclosed & ~by_markers_alone).to_numpy().any()


@settings(max_examples=100, deadline=None)
@given(table=count_tables())
def test_random_long_tables_through_apply(table):
    long = (table.rename_axis("region_code").reset_index()
            .melt(id_vars="region_code", var_name="segment", value_name="members"))
    result = disclosure.apply(long, count_columns=["members"], group_by="region_code",
                              total_label="Total")
    published = result.pivot(index="region_code", columns="segment", values="members")
    published = published.reindex(index=table.index, columns=table.columns).astype(object)
    published = published.where(~published.isin(["<5", "x"]), None)

    assert recover_by_subtraction(published) == []
    numbers = [v for v in result["members"] if not isinstance(v, str)]
    assert not any(1 <= v <= 4 for v in numbers)


@st.composite
def overlapping_tables(draw):
    """A random table of distinct-people counts where a person may sit in several cells.

    Each person belongs to one row and to one or more columns; cells count people, the
    total column counts distinct people of the row and the total row sums the rows (rows
    do not overlap). So the cells of a row add up to its total or more.
    """
    n_rows = draw(st.integers(1, 4))
    n_columns = draw(st.integers(2, 4))
    people = draw(st.lists(st.tuples(st.integers(0, n_rows - 1),
                                     st.sets(st.integers(0, n_columns - 1), min_size=1)),
                           min_size=0, max_size=60))
    cells = np.zeros((n_rows, n_columns), dtype=np.int64)
    distinct = np.zeros(n_rows, dtype=np.int64)
    for row, columns in people:
        distinct[row] += 1
        for column in columns:
            cells[row, column] += 1
    table = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)],
                         columns=[f"c{j}" for j in range(n_columns)])
    table["Total"] = distinct
    table.loc["Total"] = table.sum(axis=0)
    return table


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=overlapping_tables(), threshold=st.integers(2, 6))
def test_non_additive_tables_hide_small_counts_and_resist_the_attacker(table, threshold):
    rule = DisclosureRule(threshold=threshold)
    mask = disclosure.suppression_mask(table, rule, row_total="Total", column_total="Total")
    hidden = mask.to_numpy()

    assert_small_counts_hidden_and_attacker_beaten(table, mask, rule)
    # No line (row with its total, column with its total) has exactly one hidden cell.
    assert not (hidden.sum(axis=1) == 1).any() and not (hidden.sum(axis=0) == 1).any()
