"""The interval attacker: which hidden cells of a table can be worked out from the rest.

A table with published totals is a set of *lines* (a row or column and its total). The
attacker knows every shown cell, reads ``<5`` as 1 to the threshold and ``x`` as more
than it, and propagates these bounds through every line with interval arithmetic until
nothing changes (step 4 of the rule in :mod:`helpers.measures.disclosure`). A hidden cell
it pins to a single value is disclosed.
"""

from __future__ import annotations

import numpy as np

from helpers.measures.disclosure_rule import DisclosureRule

#: Propagation rounds of the interval attacker; tables of a report converge in a handful.
MAX_ATTACK_ROUNDS = 200

#: A line is (flat indices of its cells, flat index of its total): Σ cells = total.
Line = tuple[np.ndarray, int]


def single_hidden_cells(hidden: np.ndarray, lines: list[Line]) -> np.ndarray:
    """Hidden cells that are the only hidden cell of some line."""
    flat_hidden = hidden.ravel()
    single = np.zeros_like(flat_hidden)
    for cells, total in lines:
        members = np.append(cells, total)
        if flat_hidden[members].sum() == 1:
            single[members[flat_hidden[members]]] = True
    return single.reshape(hidden.shape)


def pinned_cells(values: np.ndarray, hidden: np.ndarray, lines: list[Line],
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


__all__ = ["MAX_ATTACK_ROUNDS", "Line", "pinned_cells", "single_hidden_cells"]
