"""The small-cell rule itself: which counts are hidden and how hidden cells read.

The rule and why it is so: :mod:`helpers.measures.disclosure` and ``docs/privacy.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from helpers.errors import ParameterError


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

    def label(self, lang: str) -> str:
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


__all__ = ["DEFAULT_RULE", "DisclosureRule"]
