"""The data-quality tables every report publishes: the intake's counts, rejection reasons,
and what the registries cannot tell."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from helpers.data.intake_notes import quality_notes as registry_notes
from helpers.report.i18n import label
from helpers.report.tables import ReportTable, make_table

__all__ = ["quality_notes", "quality_tables"]


def quality_tables(bundle: dict) -> dict[str, ReportTable]:
    """The intake's counts and rejection reasons, as published in every report.

    The data-quality table carries :func:`quality_notes` in both languages: the columns a
    registry did not use, those it lacks and what that costs, how "active" is told.
    """
    quality, rejections = _quality_frames(bundle)
    data_quality = replace(make_table(
        "data_quality", "table.data_quality", quality,
        {c: "count" for c in quality.columns if c != "registry"}, {"registry": "registry"},
        note_key="note.data_quality"),
        notes={lang: quality_notes(bundle, lang) for lang in ("id", "en")})
    return {
        "data_quality": data_quality,
        "rejections": make_table("rejections", "table.rejections", rejections, {"rows": "count"},
                             {"registry": "registry", "reason": "reason",
                              "column": "field"},
                             count_columns=("rows",)),
    }


def quality_notes(bundle_or_report, lang: str) -> list[str]:
    """What the registries cannot tell, one sentence each, for the data-quality section.

    Args:
        bundle_or_report: a province bundle (dict), or a report built from one (its
            ``data_quality.notes``).
        lang: 'id' or 'en'.

    Returns:
        Sentences like "JKN registry (BPJS Kesehatan): Not found: paid_through and status.
        No paid_through and no status: active rates cannot be computed; …", registry by
        registry; empty when the registries have all the columns and use them all.
    """
    if not isinstance(bundle_or_report, dict):
        return list(bundle_or_report.data_quality.notes.get(lang, []))
    notes = []
    for name, summary in bundle_or_report["intake"].items():
        for sentence in registry_notes({"registry": name, **summary}, lang):
            notes.append(f"{label('registry', name, lang)}: {sentence}")
    return notes


def _quality_frames(bundle: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, reasons = [], []
    for name, summary in bundle["intake"].items():
        rows.append({"registry": name, "rows_read": summary["rows_read"],
                     "rows_accepted": summary["rows_accepted"],
                     "rows_rejected": summary["rows_rejected"],
                     "duplicates_collapsed": summary["duplicates_collapsed"],
                     "prefix_mismatches": summary["prefix_mismatches"]})
        detail = summary["by_reason_column"]
        for record in detail.itertuples(index=False):
            reasons.append({"registry": name, "reason": record.reason,
                            "column": record.column, "rows": int(record.rows)})
    rejections = pd.DataFrame(reasons, columns=["registry", "reason", "column", "rows"])
    return pd.DataFrame(rows), rejections
