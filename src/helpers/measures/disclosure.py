"""Small-cell suppression for every published table (HTML, CSV, XLSX).

Rule (DESIGN §9, domain notes §7.2; the threshold is the project's choice, BPS publishes
no number): with ``DisclosureRule(threshold=4)``

1. **Primary suppression.** Every count from 1 to the threshold — inner cells *and*
   totals — is shown as ``<5`` (``<{threshold + 1}``).
2. **Zeros are shown.** A 0 says "nobody in this cell"; it singles out no person, and
   hiding zeros would hide most of a sparse table. The markers below therefore always
   stand for a count of at least 1, and the attacker in step 4 is told so.
3. **Secondary suppression (the classic rule).** A table with published totals is a set
   of *lines*: every row with its row total and every column with its column total
   (the total row and the total column are lines too, ending in the grand total). If a
   line has exactly one hidden cell, that cell is its total minus the others, so one
   more cell of that line is hidden: the smallest non-zero shown cell other than the
   line's total, or the total when no such cell is left. Repeat until no line has
   exactly one hidden cell. Secondarily hidden cells are shown as ``x``.
4. **Attacker check.** The markers themselves say something: ``<5`` is 1–4 and ``x``
   is at least 5. With the totals, that can still pin a hidden cell exactly: a line
   ``<5, x | 6`` gives 1 and 5, and ``<5, <5 | 8`` gives 4 and 4. For tables whose
   totals add up, an interval attacker propagates these bounds through every line
   (``x_k = total − Σ others``, interval arithmetic, repeated until nothing changes).
   Any hidden cell it pins to a single value gets one more hidden cell in the line
   through it with the fewest hidden cells (same choice as in step 3), and steps 3–4
   repeat. Hidden cells only ever get added, so the loop ends; zeros are never hidden.

   One thing no suppression can prevent is left alone: what the markers give away when
   every non-zero cell is hidden. Four categories shown as ``<5`` under a total shown
   as ``<5`` hold at most 4 people and at least 1 each, so each holds exactly 1. Such a
   table is too fine to publish: merge categories or publish at a higher level.
   :func:`disclosed_cells` reports these cells too.

When totals do not add up, step 4 still runs, with what the attacker knows about such
a line: a person counted in two categories makes the cells add up to *more* than the
total (and no cell can exceed it); people in no listed category make them add up to
*less*. The attacker turns these inequalities into bounds the same way. Such tables are
legitimate (a person may hold a PU and a BPU spell) and their note says so.

Share and percentage columns are hidden (``x``) wherever a count they are computed
from is hidden: ``active_share = active / members`` with ``members`` shown and
``active`` hidden would give ``active`` back.

Entry points: :func:`suppression_mask` (2-D count table → bool mask),
:func:`suppress_long` (long table of counts per group and category → display frame),
:func:`apply` (the one function the report pipeline calls for every published table),
and :func:`disclosed_cells` (what an attacker recovers from a given suppression pattern).
The algorithm is described for readers in ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from helpers.errors import ParameterError, PrivacyError

#: Propagation rounds of the interval attacker; tables of a report converge in a handful.
MAX_ATTACK_ROUNDS = 200


@dataclass(frozen=True)
class DisclosureRule:
    """The small-cell rule: counts 1..``threshold`` are hidden, zeros are shown.

    Attributes:
        threshold: largest count that is hidden (people). Default 4: counts 1–4 are
            shown as ``<5``. Must be at least 2 — with 1, ``<2`` would reveal the 1.
    """

    threshold: int = 4
    #: Marker of a cell hidden by secondary suppression, and of a share of a hidden count.
    hidden_marker: ClassVar[str] = "x"

    def __post_init__(self) -> None:
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, np.integer)):
            raise ParameterError(
                f"disclosure threshold must be a whole number, got {self.threshold!r}",
                fix="use e.g. DisclosureRule(threshold=4)")
        if self.threshold < 2:
            raise ParameterError(
                f"disclosure threshold must be at least 2, got {self.threshold}",
                fix=f"with threshold {self.threshold} the marker <{self.threshold + 1} would "
                    "reveal the count; use 4 (the default) or more")

    @property
    def primary_marker(self) -> str:
        """Text shown for a count from 1 to the threshold, e.g. ``'<5'``."""
        return f"<{self.threshold + 1}"

    def label(self, lang: str = "id") -> str:
        """The footer sentence every report prints under its tables.

        Args:
            lang: ``'id'`` (Bahasa Indonesia) or ``'en'``.

        Raises:
            ParameterError: unknown language.
        """
        t, shown, hidden = self.threshold, self.primary_marker, self.hidden_marker
        if lang == "id":
            return (f"Angka 1–{t} ditampilkan sebagai {shown} dan sel lain disembunyikan "
                    f"({hidden}) bila perlu agar tidak dapat dihitung ulang dari total; "
                    "persentase dari angka yang disembunyikan juga ditandai "
                    f"{hidden}. Angka 0 ditampilkan apa adanya.")
        if lang == "en":
            return (f"Counts from 1 to {t} are shown as {shown}, and further cells are hidden "
                    f"({hidden}) where needed so that no hidden count can be recovered from "
                    f"totals; percentages of hidden counts are marked {hidden} too. Zeros are "
                    "shown as they are.")
        raise ParameterError(f"unknown report language '{lang}'", fix="use 'id' or 'en'")


DEFAULT_RULE = DisclosureRule()


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
    disclosed = _single_hidden_cells(hidden, lines) | _pinned_cells(values, hidden, lines, rule)
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


#: A line is (flat indices of its cells, flat index of its total): Σ cells = total.
Line = tuple[np.ndarray, int]


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
    inherent = _pinned_cells(flat, flat > 0, lines, rule).ravel()
    while True:
        _apply_classic_rule(flat, hidden, lines)
        pinned = _pinned_cells(flat, hidden, lines, rule).ravel() & ~inherent
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


def _single_hidden_cells(hidden: np.ndarray, lines: list[Line]) -> np.ndarray:
    """Hidden cells that are the only hidden cell of some line."""
    flat_hidden = hidden.ravel()
    single = np.zeros_like(flat_hidden)
    for cells, total in lines:
        members = np.append(cells, total)
        if flat_hidden[members].sum() == 1:
            single[members[flat_hidden[members]]] = True
    return single.reshape(hidden.shape)


def _pinned_cells(values: np.ndarray, hidden: np.ndarray, lines: list[Line],
                  rule: DisclosureRule) -> np.ndarray:
    """Hidden cells the interval attacker pins to one value.

    Bounds: a shown cell is its value; a hidden cell from 1 to the threshold is
    ``[1, threshold]`` (its marker says so); any other hidden cell is
    ``[threshold + 1, ∞)``. Each line then tightens the bounds of its members from the
    bounds of the others, until no bound changes. The attacker is assumed to know how
    each line relates to its total (:func:`_line_kind`):

    - ``'equal'``: the cells add up to the total (``Σ cells = total``);
    - ``'overlap'``: people counted in several cells (``Σ cells ≥ total``, and no cell
      exceeds the total, as every cell is a subset of the total's people);
    - ``'partial'``: people in no listed cell (``Σ cells ≤ total``).
    """
    flat = values.ravel()
    flat_hidden = hidden.ravel()
    if not lines or not flat_hidden.any():
        return np.zeros_like(hidden)
    lo = flat.astype("float64")
    hi = lo.copy()
    small = flat_hidden & (flat <= rule.threshold)
    lo[small], hi[small] = 1, rule.threshold
    large = flat_hidden & ~small
    lo[large], hi[large] = rule.threshold + 1, np.inf
    equations = [(np.append(cells, total), np.append(np.ones(len(cells)), -1.0),
                  _line_kind(flat, cells, total))
                 for cells, total in lines
                 if flat_hidden[cells].any() or flat_hidden[total]]
    for _ in range(MAX_ATTACK_ROUNDS):
        changed = False
        for members, signs, kind in equations:
            new_lo, new_hi = _line_bounds(lo[members], hi[members], signs)
            cells = signs > 0
            if kind == "overlap":  # Σ cells ≥ total and every cell ≤ total
                total_lo, total_hi = lo[members[-1]], hi[members[-1]]
                new_lo = np.where(cells, new_lo, max(total_lo, lo[members[cells]].max()))
                new_hi = np.where(cells, total_hi, new_hi)
            elif kind == "partial":  # Σ cells ≤ total
                new_lo = np.where(cells, -np.inf, new_lo)
                new_hi = np.where(cells, new_hi, np.inf)
            tighter_lo = np.maximum(lo[members], new_lo)
            tighter_hi = np.minimum(hi[members], new_hi)
            if (tighter_lo != lo[members]).any() or (tighter_hi != hi[members]).any():
                lo[members], hi[members] = tighter_lo, tighter_hi
                changed = True
        if not changed:
            break
    return (flat_hidden & (lo == hi)).reshape(hidden.shape)


def _line_kind(flat: np.ndarray, cells: np.ndarray, total: int) -> str:
    """'equal', 'overlap' (cells add up to more than the total) or 'partial' (less)."""
    difference = flat[cells].sum() - flat[total]
    return "equal" if difference == 0 else ("overlap" if difference > 0 else "partial")


def _line_bounds(lo: np.ndarray, hi: np.ndarray,
                 signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each member k of ``Σ signs·x = 0`` given the bounds of the others."""
    term_min = np.where(signs > 0, lo, -hi)  # smallest value of signs_k·x_k
    term_max = np.where(signs > 0, hi, -lo)
    others_min = _sum_of_others(term_min, -np.inf)
    others_max = _sum_of_others(term_max, np.inf)
    # signs_k·x_k = −Σ others, so it lies in [−others_max, −others_min].
    new_lo = np.where(signs > 0, -others_max, others_min)
    new_hi = np.where(signs > 0, -others_min, others_max)
    return new_lo, new_hi


def _sum_of_others(terms: np.ndarray, infinity: float) -> np.ndarray:
    """For each k, the sum of all terms but the k-th (terms hold at most one sign of ∞)."""
    infinite = np.isinf(terms)
    finite_sum = terms[~infinite].sum()
    n_infinite = infinite.sum()
    result = finite_sum - np.where(infinite, 0.0, terms)
    return np.where(n_infinite - infinite > 0, infinity, result)


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
        result[column] = _display(frame[column], mask, rule)
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


def _display(values: pd.Series, hidden: np.ndarray, rule: DisclosureRule) -> pd.Series:
    """Counts as shown: markers where hidden; untouched (same dtype) when nothing is."""
    if not hidden.any():
        return values
    shown = values.astype(object)
    numeric = pd.to_numeric(values, errors="coerce").to_numpy()
    small = hidden & (numeric >= 1) & (numeric <= rule.threshold)
    shown[small] = rule.primary_marker
    shown[hidden & ~small] = rule.hidden_marker
    return shown


# =========================================================================== pipeline


def apply(
    frame: pd.DataFrame,
    rule: DisclosureRule | None = None,
    *,
    count_columns: Sequence[str] | None = None,
    group_by: str | Sequence[str] | None = None,
    category: str | None = None,
    total_label: Hashable | None = None,
    total_group: Hashable | None = None,
    share_columns: Mapping[str, str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Apply the disclosure rule to a table about to be published; every table goes here.

    Two shapes are accepted:

    - **long** (``count_columns`` given): see :func:`suppress_long`;
    - **wide** (``count_columns`` omitted): every column is a count; ``total_label``
      names the total row (index label) and/or the total column, e.g. a region ×
      segment table with a ``'Jumlah'`` row and column.

    Args:
        frame: the table as computed (counts, not yet formatted).
        rule: the disclosure rule; None = the default (counts 1–4 shown as ``<5``).
        count_columns: long tables: the count columns.
        group_by: long tables: see :func:`suppress_long`.
        category: long tables: see :func:`suppress_long`.
        total_label: label of the total row/column (long: value in ``category``).
        total_group: long tables: see :func:`suppress_long`.
        share_columns: long tables: see :func:`suppress_long`.

    Returns:
        The display frame (markers in hidden cells), with ``attrs['disclosure_rule']``
        set to the rule so the renderer can print ``rule.label(lang)`` under it.

    Raises:
        ParameterError: see :func:`suppress_long` and :func:`suppression_mask`.
        PrivacyError: a count from 1 to the threshold would still be shown (a bug: the
            check guards the published output).
    """
    rule = DEFAULT_RULE if rule is None else rule
    if count_columns is None:
        if any(value is not None for value in (group_by, category, total_group,
                                               share_columns)):
            raise ParameterError(
                "group_by, category, total_group and share_columns need count_columns "
                "(a long table)",
                fix="name the count columns, or leave these out for a wide count table")
        row_total = total_label if total_label is not None and total_label in frame.index \
            else None
        column_total = total_label if total_label is not None and total_label in frame.columns \
            else None
        if total_label is not None and row_total is None and column_total is None:
            raise ParameterError(f"total label {total_label!r} is neither a row nor a column",
                                 fix="give the label of the published total row or column")
        mask = suppression_mask(frame, rule, row_total=row_total, column_total=column_total)
        result = frame.copy()
        for column in frame.columns:
            result[column] = _display(frame[column], mask[column].to_numpy(), rule)
        checked = list(frame.columns)
    else:
        result = suppress_long(frame, count_columns, rule, group_by=group_by,
                               category=category, total_label=total_label,
                               total_group=total_group, share_columns=share_columns)
        checked = list(count_columns)
    _check_no_small_count_shown(result, checked, rule)
    result.attrs["disclosure_rule"] = rule
    return result


def _check_no_small_count_shown(result: pd.DataFrame, columns: list[str],
                                rule: DisclosureRule) -> None:
    for column in columns:
        numeric = pd.to_numeric(result[column].where(
            ~result[column].isin([rule.primary_marker, rule.hidden_marker])), errors="coerce")
        if ((numeric >= 1) & (numeric <= rule.threshold)).any():
            raise PrivacyError(f"column '{column}' would show a count from 1 to "
                               f"{rule.threshold} after suppression",
                               fix="report this as a bug in helpers.measures.disclosure")
