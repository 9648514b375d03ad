"""What a registry table can tell: a history or snapshots, and how "active" is known.

A registry is a *history* (spells with start and end dates, paid_through) or a set of
*snapshots* (one row per member at an extract date, often with a status and no
paid_through). :func:`registry_basis` finds out with one small query; indicators at a date
no snapshot describes are refused (:func:`check_date_known`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pandas as pd

from helpers.errors import ParameterError

__all__ = ["RegistryBasis", "check_date_known", "registry_basis"]


@dataclass(frozen=True)
class RegistryBasis:
    """What a registry table can tell (one small query, :func:`registry_basis`).

    Attributes:
        extract_dates: the days its snapshot rows describe, oldest first.
        history_rows: whether it has rows of a history (no extract date).
        active_bases: how its rows tell "active" ('paid_through', 'status', 'none').
    """

    extract_dates: tuple[date, ...] = ()
    history_rows: bool = True
    active_bases: frozenset = frozenset({"paid_through"})

    @property
    def snapshot_only(self) -> bool:
        """Every row belongs to a snapshot: known at the extract dates only."""
        return bool(self.extract_dates) and not self.history_rows

    def covers(self, at: date) -> bool:
        """True when the registry tells members at ``at`` (its month has a snapshot, or
        the registry is a history)."""
        return self.history_rows or any((d.year, d.month) == (at.year, at.month)
                                        for d in self.extract_dates)


def registry_basis(table: ibis.Table) -> RegistryBasis:
    """Extract dates and active bases of a registry table (an intake result, or a test
    table without those columns, which is a history by payments)."""
    if "extract_date" not in table.columns:
        return RegistryBasis()
    basis = table.active_basis if "active_basis" in table.columns else ibis.literal(
        "paid_through")
    rows = table.group_by(extract_date=table.extract_date, active_basis=basis).aggregate(
        rows=table.count()).to_pandas()
    dates = sorted({pd.Timestamp(d).date() for d in rows["extract_date"] if not pd.isna(d)})
    return RegistryBasis(extract_dates=tuple(dates),
                         history_rows=bool(rows["extract_date"].isna().any()),
                         active_bases=frozenset(rows["active_basis"].dropna()))


def check_date_known(basis: RegistryBasis, at: date, registry: str) -> None:
    """Refuse indicators at a date a snapshot registry does not describe.

    Raises:
        ParameterError: ``registry`` holds snapshots only, none of them in the month of ``at``.
    """
    if basis.covers(at):
        return
    dates = ", ".join(d.isoformat() for d in basis.extract_dates)
    periods = ", ".join(sorted({d.strftime("%Y-%m") for d in basis.extract_dates}))
    raise ParameterError(
        f"the {registry} registry is a snapshot at {dates}: members and active people are "
        f"known at {'that date' if len(basis.extract_dates) == 1 else 'those dates'} only, "
        f"not at {at.isoformat()}",
        fix=f"choose the period of a snapshot ({periods}), or add a snapshot of "
            f"{at.strftime('%Y-%m')}, or give a registry with paid_through and end dates")
