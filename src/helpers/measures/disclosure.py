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
They are all importable from here; the work is done in :mod:`~helpers.measures.disclosure_rule`
(the rule), :mod:`~helpers.measures.disclosure_tables` (steps 1–3 and long tables) and
:mod:`~helpers.measures.disclosure_attack` (step 4). The algorithm is described for
readers in ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from helpers.errors import ParameterError, PrivacyError
from helpers.measures.disclosure_attack import MAX_ATTACK_ROUNDS
from helpers.measures.disclosure_rule import DEFAULT_RULE, DisclosureRule
from helpers.measures.disclosure_tables import (
    disclosed_cells,
    mark_hidden,
    suppress_long,
    suppression_mask,
)


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
            result[column] = mark_hidden(frame[column], mask[column].to_numpy(), rule)
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


__all__ = ["DEFAULT_RULE", "MAX_ATTACK_ROUNDS", "DisclosureRule", "apply", "disclosed_cells",
           "suppress_long", "suppression_mask"]
