"""Counting a CSV file's records without the CSV parser, and catching stray quotes.

A stray quote makes a CSV parser read many physical records as one value: rows vanish
and nothing fails. :func:`scan_records` walks the lines of a text file with its own
quote rules and counts records independently of :mod:`csv`; :func:`check_quotes`
compares the two readings and refuses the file, naming the line, when they disagree or
when a quoted value swallows line breaks or separators the way a stray quote does.
A quoted value may legitimately hold a line break (an address over two lines).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import InputFileError

#: A quoted CSV value may hold line breaks (an address over two lines); one that runs over
#: more lines than this has swallowed whole records behind a stray quote.
QUOTED_VALUE_MAX_LINES = 10
#: A line inside a quoted value "looks like a record" when it holds at least this many
#: separators, or half the separators of a full row when that is more.
RECORD_MIN_SEPARATORS = 2


@dataclass(frozen=True)
class QuotedValue:
    """A quoted CSV value that spans lines, closes mid-value or never closes.

    Attributes:
        record: 0-based index of the record (row) the value belongs to.
        line: physical line (1-based) where the opening quote stands.
        field: 0-based index of the field the quote opens.
        end_line: line of the closing quote; None when the quote never closes.
        closes_mid_value: text follows the closing quote before the next separator, the
            mark of a stray quote that paired with the opening quote of a later value.
        separators: separators (the delimiter) inside the quotes.
        line_breaks: line breaks inside the quotes.
        record_like_lines: largest number of separators on one line inside the quotes
            after the first (a swallowed record shows its separators here).
    """

    record: int
    line: int
    field: int
    end_line: int | None
    closes_mid_value: bool
    separators: int
    line_breaks: int
    record_like_lines: int


@dataclass
class RecordScan:
    """Records of a text file as counted by :func:`scan_records`."""

    records: int
    quoted: list[QuotedValue]


_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def scan_records(text: str, delimiter: str) -> RecordScan:
    """Count the records of delimited text with a small quote-aware scan of its lines.

    It follows the rules of Python's csv reader (a quote opens a quoted value only at the
    start of a field; ``""`` inside quotes is one quote; a line break inside quotes
    belongs to the value) but is written separately, so its count checks the parser's.
    Lines whose quotes are simple pass a regular expression; the rest are walked
    character by character and every quoted value that spans lines, closes in the middle
    of a value or never closes is reported.

    Args:
        text: the decoded file.
        delimiter: the one-character field separator.

    Returns:
        The number of records (blank ones included) and the unusual quoted values.
    """
    d = re.escape(delimiter)
    field_re = rf'(?:"(?:[^"]|"")*+"(?={d}|\Z)|[^{d}"][^{d}]*+|)'
    simple = re.compile(rf"{field_re}(?:{d}{field_re})*+")
    if not text:
        return RecordScan(records=0, quoted=[])
    lines = _LINE_BREAK_RE.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # text ending in a line break has no empty record after it
    records = 0
    quoted: list[QuotedValue] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if '"' not in line or simple.fullmatch(line):
            records += 1
            index += 1
            continue
        index = _walk_record(lines, index, delimiter, records, quoted)
        records += 1
    return RecordScan(records=records, quoted=quoted)


_START_FIELD, _IN_FIELD, _IN_QUOTES, _QUOTE_IN_QUOTES = range(4)


def _walk_record(lines: list[str], index: int, delimiter: str, record: int,
                 quoted: list[QuotedValue]) -> int:
    """Walk one record from ``lines[index]``; report unusual quoted values; return the
    index of the line after the record."""
    state, field_index = _START_FIELD, 0
    opened = (0, 0)  # (line index, field) of the quote being read
    separators = breaks = record_like = 0
    while True:
        line = lines[index]
        position, length = 0, len(line)
        while position < length:
            if state == _START_FIELD:
                char = line[position]
                position += 1
                if char == '"':
                    state, opened = _IN_QUOTES, (index, field_index)
                    separators = breaks = record_like = 0
                elif char == delimiter:
                    field_index += 1
                else:
                    state = _IN_FIELD
            elif state == _IN_FIELD:
                found = line.find(delimiter, position)
                if found < 0:
                    position = length
                else:
                    field_index, state, position = field_index + 1, _START_FIELD, found + 1
            elif state == _IN_QUOTES:
                found = line.find('"', position)
                end = length if found < 0 else found
                inside = line.count(delimiter, position, end)
                separators += inside
                if index > opened[0]:
                    record_like = max(record_like, inside)
                position = end if found < 0 else found + 1
                if found >= 0:
                    state = _QUOTE_IN_QUOTES
            else:  # _QUOTE_IN_QUOTES: the quote closed, unless another quote follows
                char = line[position]
                position += 1
                if char == '"':
                    state = _IN_QUOTES
                    continue
                closes_mid = char != delimiter
                if closes_mid and (separators or breaks) or breaks:
                    quoted.append(QuotedValue(record, opened[0] + 1, opened[1], index + 1,
                                              closes_mid, separators, breaks, record_like))
                if closes_mid:
                    state = _IN_FIELD
                else:
                    field_index, state = field_index + 1, _START_FIELD
        if state == _IN_QUOTES:
            breaks += 1
            index += 1
            if index == len(lines):  # the last line's end is the end of the file
                quoted.append(QuotedValue(record, opened[0] + 1, opened[1], None, False,
                                          separators, breaks - 1, record_like))
                return index
            continue
        if state == _QUOTE_IN_QUOTES and breaks:
            quoted.append(QuotedValue(record, opened[0] + 1, opened[1], index + 1, False,
                                      separators, breaks, record_like))
        return index + 1


def check_quotes(scan: RecordScan, rows: list[list[str]], path: Path,
                 header: Sequence[str] | None, delimiter: str) -> None:
    """Refuse a text file in which a quote swallowed separators or whole records.

    A quoted value may hold the delimiter (``"JKK,JKM"``) and a line break or two (an
    address); it may not:

    - open and never close (the rest of the file would become one value);
    - close in the middle of a later value after swallowing separators or line breaks
      (a stray quote that paired with the opening quote of another value);
    - run over more than ``QUOTED_VALUE_MAX_LINES`` lines, or hold a line with as many
      separators as a record;
    - in a row with fewer fields than the header, hold as many separators as a record.

    Args:
        scan: from :func:`scan_records`.
        rows: the parsed records (same count as ``scan.records``).
        path: for the message.
        header: the header cells when found (names the column), else None.
        delimiter: the field separator.

    Raises:
        InputFileError: naming the row, the line of the opening quote and the fix.
    """
    width = len(header) if header else _typical_width(rows)
    record_like = max(RECORD_MIN_SEPARATORS, (width - 1) // 2)
    fix = "close the quote or remove it; export again"
    for value in scan.quoted:
        problem = None
        if value.end_line is None:
            problem = (f"a quote opens this value on line {value.line:,} and never closes, so "
                       f"the remaining {_plural(value.line_breaks, 'line')} would be read as "
                       "one value")
        elif value.closes_mid_value:
            where = ("the same line" if value.end_line == value.line else
                     f"line {value.end_line:,}")
            swallowed = _plural(value.separators, "separator") + (
                f" and {_plural(value.line_breaks, 'line break')}" if value.line_breaks else "")
            problem = (f"a quote opens this value on line {value.line:,} and closes inside a "
                       f"later value on {where}, swallowing {swallowed}")
        elif value.line_breaks + 1 > QUOTED_VALUE_MAX_LINES:
            problem = (f"the quoted value opened on line {value.line:,} runs over "
                       f"{value.line_breaks + 1:,} lines (to line {value.end_line:,}), more "
                       f"than the {QUOTED_VALUE_MAX_LINES} a value may have")
        elif value.record_like_lines >= record_like:
            problem = (f"the quoted value opened on line {value.line:,} runs to line "
                       f"{value.end_line:,} and holds a line with {value.record_like_lines} "
                       "separators, like a whole record")
        if problem:
            raise InputFileError(problem, path=path, row=value.record + 1,
                                 column=_column_name(header, value.field), fix=fix)
    for index, row in enumerate(rows):
        if 1 < len(row) < width:
            for position, cell in enumerate(row):
                inside = cell.count(delimiter)
                if inside >= record_like:
                    raise InputFileError(
                        f"this row has {len(row)} fields, not {width}, and one quoted value "
                        f"holds {inside} separators: a stray pair of quotes joined several "
                        "values into one", path=path, row=index + 1,
                        column=_column_name(header, position), fix=fix)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) as one space, trimmed.

    Headers and sheet names appear in one-line error messages; a quoted header such as
    ``"Nama\nLengkap"`` would otherwise split the message.
    """
    return " ".join(text.split())


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def _typical_width(rows: list[list[str]]) -> int:
    counts = Counter(len(row) for row in rows[:1000] if len(row) > 1)
    return counts.most_common(1)[0][0] if counts else 1


def _column_name(header: Sequence[str] | None, index: int) -> str | None:
    if header and index < len(header) and header[index] and header[index].strip():
        return one_line(header[index])
    return None


__all__ = ["QuotedValue", "RecordScan", "check_quotes", "one_line", "scan_records"]
