"""Suppression of count tables: a 2-D table with its totals, and long tables of counts.

:func:`suppression_mask` hides cells of a 2-D count table (primary suppression, the
classic rule, then the attacker check until stable); :func:`disclosed_cells` says what an
attacker recovers from a given pattern; :func:`suppress_long` applies the rule to a long
table (one row per group and category) by way of a group × category matrix per count
column. The rule and its steps: :mod:`helpers.measures.disclosure`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.errors import ParameterError, PrivacyError
from helpers.measures.disclosure_attack import Line, pinned_cells, single_hidden_cells
from helpers.measures.disclosure_rule import DEFAULT_RULE, DisclosureRule

# =========================================================================== 2-D tables


def suppression_mask(
    counts: pd.DataFrame,
    rule: DisclosureRule = DEFAULT_RULE,
    *,
    row_total: Hashable | None = None,
    column_total: Hashable | None = None,
) -> pd.DataFrame:
    """Which cells of a count table to hide (primary and secondary suppression).

    Args:
        counts: whole, non-negative counts of people; index = rows, columns = categories.
            The published totals are part of the table.
        rule: the disclosure rule.
        row_total: index label of the total row (the column sums), if published.
        column_total: column label of the total column (the row sums), if published.

    Returns:
        A bool frame shaped like ``counts``: True = hide the cell. Cells from 1 to the
        threshold are hidden (show ``rule.primary_marker``); the other hidden cells are
        secondary (show ``rule.hidden_marker``). Zeros are never hidden.

    Raises:
        ParameterError: a count is missing, negative or not whole, or a total label is
            not in the table.
    """
    values = _count_matrix(counts)
    lines = _lines(counts, row_total, column_total)
    hidden = _suppress(values, lines, rule)
    return pd.DataFrame(hidden, index=counts.index, columns=counts.columns)


def disclosed_cells(
    counts: pd.DataFrame,
    mask: pd.DataFrame,
    rule: DisclosureRule = DEFAULT_RULE,
    *,
    row_total: Hashable | None = None,
    column_total: Hashable | None = None,
) -> pd.DataFrame:
    """Hidden cells an attacker can recover exactly from the published table.

    The attacker sees every cell not in ``mask``, knows that a hidden cell from 1 to the
    threshold is shown as ``<{threshold + 1}`` and that any other hidden cell is above the
    threshold, and solves each line (row or column with its total). A line with exactly
    one hidden cell always gives it away; when the totals add up, bounds are propagated
    through all lines until nothing changes, and a cell pinned to one value is disclosed.

    Args:
        counts: the true counts (as for :func:`suppression_mask`).
        mask: True where a cell is hidden.
        rule: the disclosure rule the markers follow.
        row_total: index label of the total row, if published.
        column_total: column label of the total column, if published.

    Returns:
        A bool frame shaped like ``counts``: True = hidden but recoverable. This includes
        cells the markers alone give away (``disclosed_cells(counts, counts > 0)``), which
        :func:`suppression_mask` cannot prevent.
    """
    values = _count_matrix(counts)
    lines = _lines(counts, row_total, column_total)
    hidden = mask.reindex(index=counts.index, columns=counts.columns).to_numpy(dtype=bool)
    disclosed = single_hidden_cells(hidden, lines) | pinned_cells(values, hidden, lines, rule)
    return pd.DataFrame(disclosed, index=counts.index, columns=counts.columns)


def _count_matrix(counts: pd.DataFrame) -> np.ndarray:
    """Check the counts are whole and non-negative; return them as an int64 matrix."""
    try:
        numeric = counts.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        numeric = counts.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64",
                                                                        na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = np.isnan(numeric) | (numeric < 0) | (numeric != np.floor(numeric))
    if bad.any():
        i, j = (int(position[0]) for position in np.nonzero(bad))
        raise ParameterError(
            f"count at row {counts.index[i]!r}, column {counts.columns[j]!r} is "
            f"{counts.iat[i, j]!r}; counts must be whole numbers of at least 0",
            fix="fill missing counts with 0 or drop the row before suppression")
    return numeric.astype(np.int64)





def _lines(counts: pd.DataFrame, row_total: Hashable | None,
           column_total: Hashable | None) -> list[Line]:
    """The rows and columns of the table with their totals, as flat cell indices."""
    n_rows, n_columns = counts.shape
    flat = np.arange(n_rows * n_columns).reshape(n_rows, n_columns)
    lines: list[Line] = []
    if column_total is not None:
        j = _position(counts.columns, column_total, "column_total", "column")
        others = [c for c in range(n_columns) if c != j]
        lines += [(flat[i, others], int(flat[i, j])) for i in range(n_rows)]
    if row_total is not None:
        i = _position(counts.index, row_total, "row_total", "index")
        others = [r for r in range(n_rows) if r != i]
        lines += [(flat[others, j], int(flat[i, j])) for j in range(n_columns)]
    return lines


def _position(labels: pd.Index, label: Hashable, name: str, where: str) -> int:
    positions = np.flatnonzero(labels == label)
    if len(positions) != 1:
        found = "is not" if len(positions) == 0 else "appears more than once"
        raise ParameterError(f"{name} {label!r} {found} in the table's {where}",
                             fix=f"give the label of the published total {where} entry")
    return int(positions[0])


def _suppress(values: np.ndarray, lines: list[Line], rule: DisclosureRule) -> np.ndarray:
    """Primary suppression, then the classic rule and the attacker check until stable."""
    flat = values.ravel()
    hidden = (flat >= 1) & (flat <= rule.threshold)
    # What the markers alone give away, with every non-zero cell hidden: no suppression
    # pattern can prevent it (see the module docstring), so it is not chased.
    inherent = pinned_cells(flat, flat > 0, lines, rule).ravel()
    while True:
        _apply_classic_rule(flat, hidden, lines)
        pinned = pinned_cells(flat, hidden, lines, rule).ravel() & ~inherent
        if not pinned.any():
            break
        _protect(int(np.flatnonzero(pinned)[0]), flat, hidden, lines)
    return hidden.reshape(values.shape)


def _apply_classic_rule(flat: np.ndarray, hidden: np.ndarray, lines: list[Line]) -> None:
    """In every line with exactly one hidden cell, hide one more (until none is left)."""
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            members = np.append(cells, total)
            if hidden[members].sum() == 1:
                _protect(int(members[hidden[members]][0]), flat, hidden, lines)
                changed = True


def _protect(cell: int, flat: np.ndarray, hidden: np.ndarray, lines: list[Line]) -> None:
    """Hide one more cell in the line through ``cell`` with the fewest hidden cells."""
    through = [(cells, total) for cells, total in lines if cell == total or cell in cells]
    through.sort(key=lambda line: hidden[np.append(*line)].sum())
    for cells, total in through:
        candidate = _candidate(cells, total, flat, hidden)
        if candidate is not None:
            hidden[candidate] = True
            return
    # Every non-zero cell of the lines through ``cell`` is hidden already: hide the
    # smallest non-zero cell left anywhere, which loosens the system (rare; ends the loop).
    shown = np.flatnonzero(~hidden & (flat > 0))
    if len(shown) == 0:
        raise PrivacyError(
            "secondary suppression cannot protect this table: every non-zero cell is "
            "hidden and a hidden count can still be worked out from the totals",
            fix="publish the table without totals, or merge small categories")
    hidden[shown[np.argmin(flat[shown])]] = True


def _candidate(cells: np.ndarray, total: int, flat: np.ndarray,
               hidden: np.ndarray) -> int | None:
    """The smallest non-zero shown cell of a line, else its total when shown and non-zero."""
    shown = cells[~hidden[cells] & (flat[cells] > 0)]
    if len(shown):
        return int(shown[np.argmin(flat[shown])])  # first of equal values: deterministic
    if not hidden[total] and flat[total] > 0:
        return total
    return None


# =========================================================================== long tables


def suppress_long(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    rule: DisclosureRule = DEFAULT_RULE,
    *,
    group_by: str | Sequence[str] | None = None,
    category: str | None = None,
    total_label: Hashable | None = None,
    total_group: Hashable | None = None,
    share_columns: Mapping[str, str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Suppress a long table of counts, e.g. ``region_code, segment, members, active``.

    Each count column is its own table: rows of one ``group_by`` group are the cells of a
    line, and the row whose ``category`` is ``total_label`` is that line's published
    total. With a single ``group_by`` column, a ``total_group`` (e.g. the province
    ``'52'`` below its kab/kota rows) makes the table two-dimensional: each category
    across the groups sums to the total group's row, and those columns are lines too.
    With several ``group_by`` columns, groups are independent.

    Args:
        frame: one row per group and category; counts are whole numbers of people.
        count_columns: columns holding counts.
        rule: the disclosure rule.
        group_by: column(s) naming the group whose rows add up to a total; None = the
            whole frame is one group (a breakdown with one total row).
        category: column naming the category of each row (e.g. ``segment``). Needed only
            with ``total_label``; when omitted, the one other column holding
            ``total_label`` is used.
        total_label: value marking total rows (e.g. ``'Jumlah'`` or ``'Total'``); None =
            no totals are published, so only primary suppression applies.
        total_group: value of the single ``group_by`` column whose rows are the sums of
            the other groups' rows; default ``total_label`` when a group has that value.
        share_columns: ``{share column: count column or columns it is computed from}``,
            e.g. ``{'active_share': ('active', 'members')}``; a share is hidden where any
            of its counts is hidden.

    Returns:
        A copy of ``frame`` for display. In count columns with hidden cells, counts from 1
        to the threshold read ``rule.primary_marker`` (``'<5'``), other hidden cells read
        ``rule.hidden_marker`` (``'x'``) and shown counts keep their value (object dtype).
        Hidden shares read ``'x'``. Columns with nothing hidden keep their dtype.

    Raises:
        ParameterError: a named column is missing, a group repeats a category, a count
            is not a whole number of at least 0, or the total rows cannot be found.
    """
    count_columns = list(count_columns)
    groups = _as_list(group_by)
    shares = {name: _as_list(source) for name, source in (share_columns or {}).items()}
    _require_columns(frame, count_columns + groups + list(shares)
                     + [c for sources in shares.values() for c in sources])
    if total_label is not None and category is None:
        category = _find_category(frame, total_label, count_columns + groups + list(shares))
    if category is not None:
        _require_columns(frame, [category])

    result = frame.copy()
    hidden_by_column = {}
    for column in count_columns:
        mask = _long_mask(frame, column, rule, groups, category, total_label, total_group)
        hidden_by_column[column] = mask
        result[column] = mark_hidden(frame[column], mask, rule)
    for share, sources in shares.items():
        hidden = np.zeros(len(frame), dtype=bool)
        for source in sources:
            if source not in hidden_by_column:
                raise ParameterError(
                    f"share column '{share}' is tied to '{source}', which is not a count column",
                    fix="name it in count_columns, or tie the share to a count column")
            hidden |= hidden_by_column[source]
        if hidden.any():
            values = frame[share].astype(object)
            values[hidden] = rule.hidden_marker
            result[share] = values
    return result


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _require_columns(frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [column for column in dict.fromkeys(columns) if column not in frame.columns]
    if missing:
        raise ParameterError(
            "the table has no column " + ", ".join(repr(c) for c in missing),
            fix="use one of " + ", ".join(repr(c) for c in frame.columns))


def _find_category(frame: pd.DataFrame, total_label: Hashable, exclude: list[str]) -> str:
    found = [column for column in frame.columns
             if column not in exclude and (frame[column] == total_label).any()]
    if len(found) != 1:
        what = "no column holds" if not found else "several columns hold"
        raise ParameterError(f"{what} the total label {total_label!r}",
                             fix="name the category column with category=...")
    return found[0]


def _long_mask(frame: pd.DataFrame, column: str, rule: DisclosureRule, groups: list[str],
               category: str | None, total_label: Hashable | None,
               total_group: Hashable | None) -> np.ndarray:
    """Hidden rows of one count column, by way of a group × category matrix."""
    values = _count_matrix(frame[[column]])[:, 0]
    group_codes, group_names = _codes(frame, groups)
    if category is None:  # without a category there are no lines: primary suppression only
        category_codes, category_names = np.arange(len(frame)), list(range(len(frame)))
    else:
        category_codes, category_names = _codes(frame, [category])
    cells = group_codes * len(category_names) + category_codes
    _, first, repeats = np.unique(cells, return_index=True, return_counts=True)
    if (repeats > 1).any():
        row = frame.index[np.sort(first[repeats > 1])[0]]
        raise ParameterError(
            f"row {row!r} repeats a combination of {groups + [category]!r} that another row "
            "has; each group may hold each category once",
            fix="aggregate the rows first, or name every grouping column in group_by")
    counts = np.zeros((len(group_names), len(category_names)), dtype=np.int64)
    counts[group_codes, category_codes] = values  # a category a group lacks: unpublished 0
    row_total = None
    if total_group is not None:
        row_total = _index_of(group_names, total_group)
        if len(groups) != 1 or row_total is None:
            raise ParameterError(
                f"total_group {total_group!r} is not a value of the one group_by column",
                fix="give group_by a single column and total_group one of its values")
    elif len(groups) == 1 and total_label is not None:
        row_total = _index_of(group_names, total_label)
    column_total = (_index_of(category_names, total_label)
                    if category is not None and total_label is not None else None)
    mask = suppression_mask(pd.DataFrame(counts), rule, row_total=row_total,
                            column_total=column_total).to_numpy()
    return mask[group_codes, category_codes]


def _codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list]:
    """Integer code per row of the values in ``columns`` (one code when there are none)."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    missing = frame[columns].isna().any(axis=1)
    if missing.any():
        raise ParameterError(
            f"row {frame.index[missing.to_numpy()][0]!r} has no value in {columns!r}",
            fix="fill in the group and category of every row")
    keys = list(frame[columns].itertuples(index=False, name=None))
    names = list(dict.fromkeys(keys))
    position = {key: index for index, key in enumerate(names)}
    codes = np.array([position[key] for key in keys], dtype=np.int64)
    return codes, [name[0] if len(columns) == 1 else name for name in names]


def _index_of(names: list, label: Hashable) -> int | None:
    matches = [index for index, name in enumerate(names) if name == label]
    return matches[0] if matches else None


def mark_hidden(values: pd.Series, hidden: np.ndarray, rule: DisclosureRule) -> pd.Series:
    """Counts as shown: markers where hidden; untouched (same dtype) when nothing is."""
    if not hidden.any():
        return values
    shown = values.astype(object)
    numeric = pd.to_numeric(values, errors="coerce").to_numpy()
    small = hidden & (numeric >= 1) & (numeric <= rule.threshold)
    shown[small] = rule.primary_marker
    shown[hidden & ~small] = rule.hidden_marker
    return shown



__all__ = ["disclosed_cells", "mark_hidden", "suppress_long", "suppression_mask"]
