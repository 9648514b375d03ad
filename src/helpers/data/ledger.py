"""What the intake of one registry found: summary, ledger of rejected rows, usability.

:class:`IntakeSummary` holds the counts (rows read = accepted + rejected), the column map
and what the file lacks; the ledger is one row per rejected row (``LEDGER_COLUMNS``: row
number, reason, column, a detail that never shows a NIK, a name or a date). Rules and
reasons are described in ``docs/intake.md``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from helpers.data.intake_notes import quality_notes
from helpers.errors import ValidationError

#: Ledger reason codes, in order of precedence: a rejected row gets the first that applies.
REASONS = (
    "missing_value",
    "invalid_nik",
    "invalid_value",
    "unparseable_date",
    "end_before_start",
    "unknown_region",
    "invalid_wage",
    "duplicate_row",
)



@dataclass
class IntakeSummary:
    """What the intake of one registry file found. Counts are rows (membership spells)."""

    path: str
    registry: str
    file_sha256: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    duplicates_collapsed: int
    prefix_mismatches: int
    niks_normalised: int
    source_format: str = ""
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    key_fingerprint: str = ""
    niks_possibly_truncated: int = 0
    #: 1-based positions of ``ignored_columns`` in the file.
    ignored_positions: list[int] = field(default_factory=list)
    #: Optional columns the file lacks that cost the indicators something
    #: (:func:`helpers.data.intake_notes.missing_columns`).
    missing_columns: list[str] = field(default_factory=list)
    #: How "active" is told: 'paid_through', 'status' or 'none' (``schema.ACTIVE_BASES``).
    active_basis: str = "paid_through"
    #: True when every row is a member at ``extract_date`` (a snapshot, not a history).
    snapshot: bool = False
    #: The day a snapshot describes (ISO), and where it came from: 'parameter',
    #: 'file name', 'title row' or 'parquet metadata'.
    extract_date: str | None = None
    extract_date_source: str = ""
    #: Rows rejected as ``invalid_value`` per column: values the vocabulary does not know.
    invalid_values: dict[str, int] = field(default_factory=dict)
    #: A folder of snapshots: one dict per file (file, extract_date, rows_read,
    #: rows_accepted, rows_rejected, file_sha256).
    snapshots: list[dict] = field(default_factory=list)
    #: A partitioned dataset (``province=PP/…``): one dict per partition file (file,
    #: province_code, rows_read, rows_accepted, rows_rejected, file_sha256).
    partitions: list[dict] = field(default_factory=list)

    @property
    def rows_with_faults(self) -> int:
        """Rejected rows other than collapsed duplicates."""
        return self.rows_rejected - self.duplicates_collapsed

    @property
    def rejected_share(self) -> float:
        """Share (0-1) of rows read rejected for a fault; collapsed duplicates excluded."""
        return self.rows_with_faults / self.rows_read if self.rows_read else 0.0

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return dataclasses.asdict(self)

    def render(self, lang: str = "en") -> str:
        """Short text block for a terminal or a notebook cell ('en' or 'id')."""
        words = _RENDER_WORDS[lang if lang in _RENDER_WORDS else "en"]
        sep = "." if lang == "id" else ","

        def number(value: int) -> str:
            return f"{value:,}".replace(",", sep)

        width = max(len(number(self.rows_read)), 1)
        lines = [
            f"{words['registry']} {self.registry}: {self.path}",
            f"  {words['read']:<24}{number(self.rows_read):>{width}}",
            f"  {words['accepted']:<24}{number(self.rows_accepted):>{width}}",
            f"  {words['rejected']:<24}{number(self.rows_rejected):>{width}}",
        ]
        for reason in REASONS:
            count = self.rejected_by_reason.get(reason, 0)
            if count:
                lines.append(f"    {reason:<22}{number(count):>{width}}")
        lines += [
            f"  {words['duplicates']:<24}{number(self.duplicates_collapsed):>{width}}",
            (f"  {words['prefix']:<24}{number(self.prefix_mismatches):>{width}}"
            f"  {words['prefix_note']}"),
            (f"  {words['normalised']:<24}{number(self.niks_normalised):>{width}}"
            f"  {words['normalised_note']}"),
        ]
        if self.niks_possibly_truncated:
            lines.append(f"  {words['truncated']:<24}{number(self.niks_possibly_truncated):>{width}}"
                         f"  {words['truncated_note']}")
        notes = quality_notes(self, lang)
        if notes:
            lines.append(f"  {words['notes']}")
            lines += [f"  - {note}" for note in notes]
        return "\n".join(lines)

    def quality_notes(self, lang: str = "en") -> list[str]:
        """What this registry's columns cannot tell, in sentences
        (:func:`helpers.data.intake_notes.quality_notes`)."""
        return quality_notes(self, lang)


_RENDER_WORDS = {
    "en": {
        "registry": "Registry", "read": "rows read", "accepted": "rows accepted",
        "rejected": "rows rejected", "duplicates": "duplicates collapsed",
        "prefix": "NIK prefix mismatches", "prefix_note": "(NIK region ≠ domicile; counted, kept)",
        "normalised": "NIKs normalised", "normalised_note": "(spaces, dots or dashes removed)",
        "truncated": "warning: NIKs ending 0",
        "truncated_note": ("(far more than 1 in 10: NIKs cut to 15 digits by Excel? store NIK "
                           "as text)"),
        "notes": "notes:",
    },
    "id": {
        "registry": "Registri", "read": "baris dibaca", "accepted": "baris diterima",
        "rejected": "baris ditolak", "duplicates": "duplikat digabung",
        "prefix": "prefiks NIK berbeda", "prefix_note": "(wilayah NIK ≠ domisili; dihitung, tetap)",
        "normalised": "NIK dinormalkan", "normalised_note": "(spasi, titik atau tanda hubung dihapus)",
        "truncated": "peringatan: NIK ujung 0",
        "truncated_note": ("(jauh di atas 1 dari 10: NIK terpotong 15 digit oleh Excel? simpan "
                           "NIK sebagai teks)"),
        "notes": "catatan:",
    },
}


@dataclass
class IntakeResult:
    """Accepted, pseudonymised rows (``table``), the counts (``summary``) and the ledger."""

    table: object  # ibis.Table
    summary: IntakeSummary
    ledger: pd.DataFrame


LEDGER_COLUMNS = ("row_number", "reason", "column", "detail")



def check_usable(summary: IntakeSummary, ledger: pd.DataFrame,
                 max_rejected_share: float | None = None) -> None:
    """Raise ValidationError when the registry cannot be used.

    Raises:
        ValidationError: no row accepted, or ``summary.rejected_share`` above the limit.
    """
    if summary.rows_accepted == 0:
        raise ValidationError(
            f"every row was rejected ({summary.rows_read:,} rows; most common: "
            f"{_most_common_problem(ledger)})",
            path=summary.path,
            fix="see the ledger for each row's reason; check --registry and the column names")
    if max_rejected_share is not None and summary.rejected_share > max_rejected_share:
        raise ValidationError(
            f"{summary.rejected_share:.1%} of rows rejected ({summary.rows_with_faults:,} of "
            f"{summary.rows_read:,}; most common: {_most_common_problem(ledger)}), above the "
            f"limit of {max_rejected_share:.1%}",
            path=summary.path,
            fix="fix the rows listed in the ledger, or raise --max-rejected if they may be left out")


def _most_common_problem(ledger: pd.DataFrame) -> str:
    faults = ledger[ledger["reason"] != "duplicate_row"]
    if faults.empty:
        return "none"
    counts = faults.groupby(["reason", "column"], dropna=False).size().sort_values(
        ascending=False, kind="stable")
    (reason, column), count = counts.index[0], int(counts.iloc[0])
    return f"{reason} in column '{column}', {count:,} row{'s' if count != 1 else ''}"



def tidy_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger with its column types and order (``LEDGER_COLUMNS``)."""
    ledger = ledger.astype({"row_number": "int64"})
    for column in ("reason", "column", "detail"):
        ledger[column] = ledger[column].astype("string")
    return ledger.reset_index(drop=True)[list(LEDGER_COLUMNS)]


def empty_ledger() -> pd.DataFrame:
    """A ledger without rows."""
    return tidy_ledger(pd.DataFrame({name: pd.Series([], dtype="object")
                                     for name in LEDGER_COLUMNS}).astype({"row_number": "int64"}))


__all__ = [
    "LEDGER_COLUMNS",
    "REASONS",
    "IntakeResult",
    "IntakeSummary",
    "check_usable",
    "empty_ledger",
    "tidy_ledger",
]
