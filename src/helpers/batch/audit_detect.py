"""What the privacy audit looks for in a piece of text: NIKs, registry names and birth
dates, the key; and how a finding is masked (the rules: :mod:`helpers.batch.audit`).

A :class:`Scanner` looks at one *record* at a time (the pieces of text of one table
row, line or notebook metadata object), because a birth date only counts next to a name
or NIK-like number in the same record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from helpers.data import nik as nik_rules
from helpers.errors import ParameterError

#: Shortest key the audit can search for without false alarms (characters).
MIN_KEY_LENGTH = 8
#: Most groups a written NIK is split into (``PP KK CC DDMMYY SSSS`` has 5).
MAX_NIK_GROUPS = 5


@dataclass(frozen=True)
class Finding:
    """One piece of person-level data or secret found in an output.

    The same masked value at the same location is reported once (a notebook output
    holds a table twice, as HTML and as plain text).

    Attributes:
        path: the file, as given or found under the audited folder.
        location: where in the file (line, notebook cell and output, sheet cell, CSV row).
        kind: ``nik``, ``name``, ``birth_date``, ``key`` or ``unreadable``.
        excerpt: the masked value (never the value itself).
    """

    path: str
    location: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}:{self.location}: {self.kind}: {self.excerpt}"


@dataclass(frozen=True)
class RegistryIndex:
    """What the audit looks up from the registries: names and birth dates.

    Attributes:
        names: full names of at least two words, lower case, one space between words.
        name_lengths: the word counts that occur in ``names``.
        birth_dates: birth dates as ISO strings (``YYYY-MM-DD``).
        sources: the registry files read.
    """

    names: frozenset[str] = frozenset()
    name_lengths: tuple[int, ...] = ()
    birth_dates: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()


WORD_RE = re.compile(r"[^\W\d_]+")
_DIGIT_RUN_RE = re.compile(r"[0-9]+(?:[ .\-\u00a0][0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")
DATE_RE = re.compile(
    r"(?<![0-9])(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{2})([/.-])([0-9]{2})\5([0-9]{4}))"
    r"(?![0-9])")


class Scanner:
    """Finds NIK-like numbers, registry names and birth dates, and the key, in records."""

    def __init__(self, index: RegistryIndex, key_needles: list[tuple[str, str]]) -> None:
        self.index = index
        self.key_needles = key_needles
        self._seen: dict[str, tuple] = {}  # piece of text -> what it holds (_look)

    def scan(self, name: str, record: list[tuple[str, str]]) -> list[Finding]:
        """Findings in one record: (location, text) pieces of one row, line or object."""
        findings: list[Finding] = []
        dates: list[Finding] = []
        for location, text in record:
            if not text:
                continue
            found = self._seen.get(text)
            if found is None:
                found = self._look(text)
                if len(self._seen) < MEMO_PIECES:
                    self._seen[text] = found
            if found is _NOTHING:
                continue
            kinds, masked_dates = found
            findings += [Finding(name, location, kind, masked) for kind, masked in kinds]
            dates += [Finding(name, location, "birth_date", masked) for masked in masked_dates]
        if dates and any(finding.kind in ("nik", "name") for finding in findings):
            findings += dates
        return findings

    def _look(self, text: str) -> tuple:
        """What one piece of text holds: ((kind, masked) of NIKs, names and the key), and
        the masked registry birth dates; :data:`_NOTHING` when neither."""
        kinds = [("nik", masked) for masked in _nik_like(text)]
        kinds += [("name", masked) for masked in _names(text, self.index)]
        folded = text.casefold()
        kinds += [("key", label) for needle, label in self.key_needles if needle in folded]
        dates = (list(_birth_dates(text, self.index.birth_dates))
                 if self.index.birth_dates else [])
        return (tuple(kinds), tuple(dates)) if kinds or dates else _NOTHING


#: A piece of text that holds nothing (most of them: chart geometry, styles, labels).
_NOTHING = ((), ())
#: Pieces of text a :class:`Scanner` remembers: an SVG chart repeats its styles, glyphs
#: and transforms thousands of times, and a report's notebook holds its page's charts too.
MEMO_PIECES = 200_000


#: Sixteen digits, each pair at most one separator apart: a text without such a stretch
#: holds no NIK-like number (checked first: most text, e.g. SVG path data, has none).
_SIXTEEN_DIGITS_RE = re.compile(r"[0-9](?:[ .\-\u00a0]?[0-9]){15}")
#: Two words separated only by white space: a text without them holds no registry name.
_TWO_WORDS_RE = re.compile(r"[^\W\d_]\s+[^\W\d_]")


def _nik_like(text: str) -> Iterator[str]:
    """Masked NIK-like numbers in ``text`` (see the module docstring for the rules)."""
    if not _SIXTEEN_DIGITS_RE.search(text):
        return
    for run in _DIGIT_RUN_RE.finditer(text):
        start, end = run.span()
        if (start > 0 and text[start - 1].isalnum()) or (end < len(text)
                                                          and text[end].isalnum()):
            continue
        groups = list(_GROUP_RE.finditer(run.group()))
        for first in range(len(groups)):
            digits = 0
            for last in range(first, min(first + MAX_NIK_GROUPS, len(groups))):
                digits += len(groups[last].group())
                if digits >= nik_rules.NIK_LENGTH:
                    break
            if digits != nik_rules.NIK_LENGTH:
                continue
            chosen = groups[first:last + 1]
            if len(chosen) > 1 and (any(len(g.group()) < 2 for g in chosen)
                                    or _thousands(chosen)):
                continue
            written = run.group()[chosen[0].start():chosen[-1].end()]
            if nik_rules.nik_problem(nik_rules.normalise_nik(written)) is None:
                yield _mask_digits(written, keep_first=4, keep_last=4)


def _thousands(groups: list[re.Match]) -> bool:
    """Digits grouped like money: a first group of 1-3 digits, then groups of 3."""
    return len(groups[0].group()) <= 3 and all(len(g.group()) == 3 for g in groups[1:])


def _mask_digits(written: str, *, keep_first: int, keep_last: int) -> str:
    positions = [index for index, char in enumerate(written) if char.isdigit()]
    hidden = set(positions[keep_first:len(positions) - keep_last])
    return "".join("*" if index in hidden else char for index, char in enumerate(written))


def _names(text: str, index: RegistryIndex) -> Iterator[str]:
    """Masked registry names: runs of words separated only by white space."""
    if not index.names or not _TWO_WORDS_RE.search(text):
        return
    words = list(WORD_RE.finditer(text))
    joined_by_space = [text[a.end():b.start()].isspace() for a, b in zip(words, words[1:])]
    folded = [word.group().casefold() for word in words]
    for start in range(len(words)):
        for length in index.name_lengths:
            stop = start + length
            if stop > len(words) or not all(joined_by_space[start:stop - 1]):
                continue
            if " ".join(folded[start:stop]) in index.names:
                yield " ".join(word.group()[0] + "***" for word in words[start:stop])


def _birth_dates(text: str, birth_dates: frozenset[str]) -> Iterator[str]:
    for match in DATE_RE.finditer(text):
        if _iso_from_match(match) in birth_dates:
            written = match.group()
            year_at = 0 if match.group(1) else written.rindex(match.group(7))
            yield "".join(char if (not char.isdigit() or year_at <= i < year_at + 2) else "*"
                          for i, char in enumerate(written))


def _iso_from_match(match: re.Match) -> str:
    if match.group(1):
        return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    return f"{match.group(7)}-{match.group(6)}-{match.group(4)}"


def iso_date(value: str) -> str | None:
    """A registry birth date as ISO text, from ISO or dd/mm/yyyy (also - or .) forms."""
    match = DATE_RE.search(value.strip())
    return _iso_from_match(match) if match else None


def key_needles(key: str | bytes | None) -> list[tuple[str, str]]:
    """Strings to look for (lower case) and how a finding describes each."""
    if key is None or key == "" or key == b"":
        return []
    raw = key if isinstance(key, bytes) else key.encode("utf-8")
    if len(raw) < MIN_KEY_LENGTH:
        raise ParameterError(
            f"the pseudonymisation key is only {len(raw)} characters long: the audit cannot "
            "look for it without false alarms",
            fix="use a key of at least 32 random characters (unset CAKUPAN_KEY to use the "
                "per-user key file)")
    needles = [(raw.hex(), "[pseudonymisation key, hex form]")]
    try:
        needles.insert(0, (raw.decode("utf-8").casefold(), "[pseudonymisation key]"))
    except UnicodeDecodeError:
        pass
    return list(dict.fromkeys(needles))


__all__ = ["DATE_RE", "MAX_NIK_GROUPS", "MIN_KEY_LENGTH", "WORD_RE", "Finding", "RegistryIndex",
           "Scanner", "iso_date", "key_needles"]
