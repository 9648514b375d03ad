"""Published tables: the disclosure rule, the ReportTable, breakdowns with their total row, and report checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.errors import ReportError
from helpers.measures import disclosure

__all__ = ["PERSON_LEVEL_COLUMNS", "TOTAL", "Check", "ReportTable", "code_prefix",
           "disclosure_rule", "indicator_rows_table", "make_table", "overlap_note",
           "publishable", "publishable_indicators", "raise_on_failure", "ratio_or_nan",
           "safe_divide", "with_total"]

#: Columns that would identify a person; no published table may have one.
PERSON_LEVEL_COLUMNS = ("person_id", "nik", "full_name", "birth_date", "nik_region_code")


TOTAL = "total"


def disclosure_rule():
    """The disclosure rule every published table follows (helpers.measures.disclosure)."""
    return disclosure.DEFAULT_RULE


def publishable(frame: pd.DataFrame, count_columns: Sequence[str] = (), *,
                category: str | None = None, share_columns: Mapping[str, object] | None = None,
                ) -> pd.DataFrame:
    """The one gate every published table passes: the disclosure rule, then a privacy check.

    Args:
        frame: an aggregate table as computed.
        count_columns: columns of people counts (hidden when 1-4, plus secondary cells).
        category: the column whose value ``'total'`` marks a published total row.
        share_columns: share column → count column(s) it is computed from.

    Returns:
        The display frame: counts as numbers or markers ('<5', 'x').

    Raises:
        ReportError: the frame has a person-level column (person_id, NIK, name, birth date).
    """
    leaked = [c for c in frame.columns if c in PERSON_LEVEL_COLUMNS]
    if leaked:
        raise ReportError(f"table has person-level column(s) {', '.join(leaked)}",
                          fix="publish aggregates only")
    if not count_columns or frame.empty:
        return frame.reset_index(drop=True)
    frame = frame.reset_index(drop=True)
    # A count the registry cannot give (NaN: e.g. active people of a registry without
    # paid_through and status) is not a small cell: it is suppressed as if 0 and shown
    # empty, never as 0 (it reveals less than any number would).
    unknown = {column: frame[column].isna() for column in count_columns
               if frame[column].isna().any()}
    has_total = category is not None and (frame[category] == TOTAL).any()
    result = disclosure.apply(
        frame.fillna({column: 0 for column in unknown}) if unknown else frame,
        count_columns=list(count_columns),
        category=category if has_total else None,
        total_label=TOTAL if has_total else None,
        share_columns=dict(share_columns) if share_columns else None)
    for column, missing in unknown.items():
        result[column] = result[column].astype(object).where(~missing.to_numpy(), np.nan)
    return result


def publishable_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """``indicators.csv`` rows with people counts from 1 to the threshold hidden.

    A ratio whose numerator is hidden is hidden too (``x``): numerator = ratio ×
    denominator would give it back.
    """
    rule = disclosure_rule()
    result = frame.copy().astype({"value": object, "numerator": object,
                                  "denominator": object})

    def small(value) -> bool:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        return bool(not pd.isna(number) and 1 <= number <= rule.threshold)

    for index, row in frame.iterrows():
        if row["unit"] == "people" and small(row["value"]):
            result.at[index, "value"] = rule.primary_marker
        if small(row["numerator"]):
            result.at[index, "numerator"] = rule.primary_marker
            if row["unit"] == "fraction":
                result.at[index, "value"] = rule.hidden_marker
    return result


@dataclass(frozen=True)
class ReportTable:
    """One table of a report: its numbers for analysis and its published view for readers.

    Attributes:
        name: file stem (``tables/<name>.csv``) and sheet name.
        title_key: translation key of its title.
        data: the numbers as computed (numeric columns; nothing hidden). For analysis in a
            notebook; never published.
        published: the view readers get: the disclosure rule applied (counts 1-4 shown as
            '<5', secondary cells as 'x'); machine-readable column names (the CSV headings).
        units: column → unit for display (people, rupiah, fraction, ...).
        codes: column → label prefix for coded values (segment, occupation, ...).
        note_key: translation key of a note printed under the table, if any.
        notes: sentences by language ('id', 'en') printed after the note: what the data
            cannot tell (the data-quality table's notes from the intake).
    """

    name: str
    title_key: str
    data: pd.DataFrame = field(repr=False)
    published: pd.DataFrame = field(repr=False)
    units: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    note_key: str | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)

    def _repr_html_(self) -> str:  # JupyterLab shows the numbers when a table is typed alone
        return self.data._repr_html_()


def make_table(name: str, title_key: str, frame: pd.DataFrame, units: Mapping[str, str],
               codes: Mapping[str, str] | None = None, count_columns: Sequence[str] = (),
               category: str | None = None, share_columns: Mapping[str, object] | None = None,
               note_key: str | None = None, can_exceed_one: Sequence[str] = ()) -> ReportTable:
    """A :class:`ReportTable` of ``frame``, its published view through :func:`publishable`.

    ``can_exceed_one``: share columns that can honestly be above 100 % (a registry count
    over a stale population or an estimated target size). The table gets a ``flag``
    column, ``above_one`` on such rows, so the value is shown with its reason (never
    clipped) and the publication gate (:mod:`helpers.report.gate`) accepts it.
    """
    if can_exceed_one:
        above = pd.concat([pd.to_numeric(frame[c], errors="coerce") > 1 + 1e-9
                           for c in can_exceed_one], axis=1).any(axis=1)
        frame = frame.assign(flag=np.where(above, "above_one", ""))
        codes = {**dict(codes or {}), "flag": "flag"}
    shown = publishable(frame, count_columns, category=category, share_columns=share_columns)
    return ReportTable(name=name, title_key=title_key, data=frame.reset_index(drop=True),
                       published=shown, units=dict(units), codes=dict(codes or {}),
                       note_key=note_key)


def indicator_rows_table(frame: pd.DataFrame, *, name: str = "indicators",
                         title_key: str = "table.indicators",
                         codes: Mapping[str, str] | None = None, note_key: str | None = None) -> ReportTable:
    """A table of indicator rows (indicator_id, value, numerator, denominator, unit, ...),
    published through :func:`publishable_indicators`."""
    return ReportTable(name, title_key, data=frame.reset_index(drop=True),
                       published=publishable_indicators(frame),
                       units={"value": "row", "numerator": "row_count",
                              "denominator": "row_count"},
                       codes=dict(codes if codes is not None
                                  else {"indicator_id": "indicator", "flag": "flag"}),
                       note_key=note_key)


def code_prefix(by: str) -> str:
    return {"segment": "segment", "occupation": "occupation", "sex": "sex",
            "age_group": "age_group", "funding_source": "funding"}.get(by, by)


def with_total(frame: pd.DataFrame, by: str, totals: Mapping[str, int]) -> pd.DataFrame:
    """A breakdown with its total row (the indicators' distinct counts), shares recomputed.

    The total is the region's distinct people, so rows can add up to more than it when a
    person is in two groups (the table then gets :func:`overlap_note`; the disclosure
    step's attacker check works with that inequality).
    """
    frame = frame.copy()
    frame[by] = frame[by].astype(object)
    total = {by: TOTAL, **{k: (np.nan if pd.isna(v) else int(v)) for k, v in totals.items()}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["active_share"] = safe_divide(frame["active"], total["active"])
    for column in ("members", "active"):  # NaN: the registry cannot tell who is active
        if not frame[column].isna().any():
            frame[column] = frame[column].astype("int64")
    return frame.reset_index(drop=True)


def overlap_note(frame: pd.DataFrame, by: str) -> str | None:
    """``'note.overlap_rows'`` when a breakdown's rows do not add up to its total row.

    That is legitimate (a person with a PU and a BPU spell is in both rows; the total
    counts each person once), and the reader is told so under the table.
    """
    rows = frame[frame[by] != TOTAL]
    total = frame[frame[by] == TOTAL]
    for column in ("members", "active"):
        if int(rows[column].sum()) != int(total[column].sum()):
            return "note.overlap_rows"
    return None


def safe_divide(numerator, denominator):
    numerator = pd.Series(numerator, dtype="float64")
    if np.isscalar(denominator):
        return numerator / denominator if denominator else pd.Series(np.nan, index=numerator.index)
    denominator = pd.Series(denominator, dtype="float64", index=numerator.index)
    return numerator / denominator.where(denominator != 0)


def ratio_or_nan(numerator, denominator) -> float:
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return float("nan")
    return float(numerator) / float(denominator)


@dataclass(frozen=True)
class Check:
    """One consistency check of a report: name, whether it passed, what was compared."""

    name: str
    passed: bool
    detail: str = ""


def raise_on_failure(checks: list[Check], where: str) -> list[Check]:
    failed = [c for c in checks if not c.passed]
    if failed:
        raise ReportError(f"{where}: check(s) failed: " + "; ".join(
            f"{c.name} ({c.detail})" if c.detail else c.name for c in failed),
            fix="the inputs or the computation are inconsistent; see the Check cell")
    return checks
