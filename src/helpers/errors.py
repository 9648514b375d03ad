"""Exception types for user mistakes; the CLI turns each into one line and an exit code.

Every error names, where it applies, the file, the row (1-based, as a spreadsheet shows it,
header = row 1), the column, what is wrong and how to fix it.
"""

from __future__ import annotations

from pathlib import Path


class CakupanError(Exception):
    """A problem the user can fix. ``str(error)`` is the one-line message the CLI prints."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        fix: str | None = None,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = problem
        self.fix = fix
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        super().__init__(self.message())

    def message(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        text = ", ".join(where)
        text = f"{text}: {self.problem}" if text else self.problem
        if self.fix:
            text = f"{text} — {self.fix}"
        return text


class InputFileError(CakupanError):
    """A registry or reference file is missing, empty, unreadable or not a table."""


class SchemaError(CakupanError):
    """A required column is missing, duplicated or of the wrong type."""


class ValidationError(CakupanError):
    """The rows cannot be used (every row rejected, or too many rejected)."""


class ReferenceDataError(CakupanError):
    """A reference table in data/reference is inconsistent or lacks a needed figure."""


class ParameterError(CakupanError):
    """A notebook or CLI parameter is unknown, of the wrong type or out of range."""


class EngineError(CakupanError):
    """An engine cannot be started (Java or pyspark missing, master unreachable)."""


class ReportError(CakupanError):
    """A report run failed."""

    exit_code = 1


class PrivacyError(CakupanError):
    """The privacy audit found person-level data or a secret in an output."""

    exit_code = 3


class WorkspaceError(CakupanError):
    """No Cakupan workspace here, or ``cakupan init`` cannot create one."""


__all__ = ["CakupanError", "EngineError", "InputFileError", "ParameterError", "PrivacyError",
           "ReferenceDataError", "ReportError", "SchemaError", "ValidationError", "WorkspaceError"]
