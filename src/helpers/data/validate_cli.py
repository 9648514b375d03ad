"""``cakupan validate``: check a registry, print what the intake found, write the ledger."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from helpers import paths
from helpers.data import schema
from helpers.data.intake import load_registry
from helpers.data.ledger import IntakeResult
from helpers.data.snapshots import load_snapshots
from helpers.errors import InputFileError, ParameterError, ValidationError


def register_cli(subparsers) -> None:
    """Add ``cakupan validate``."""
    parser = subparsers.add_parser(
        "validate",
        help="check a registry file; print counts and write the ledger of rejected rows",
        description="Read a jamsostek or JKN registry (Parquet, CSV or .xlsx), validate every "
                    "row, print rows read / accepted / rejected by reason, the columns not "
                    "used and not found, and write the ledger (row number and reason; no NIK, "
                    "no name) as CSV. A folder of dated snapshots (jkn_2024-06-30.csv, …) is "
                    "read as one registry. Exits 0 when the registry is usable.",
    )
    parser.add_argument("path", type=Path,
                        help="registry file (.parquet, .csv, .xlsx), or a folder of snapshots "
                             "named <registry>_YYYY-MM-DD.csv")
    parser.add_argument("--registry", required=True, choices=schema.REGISTRIES)
    parser.add_argument("--ledger", type=Path, default=None,
                        help="where to write the ledger CSV (default: ./<file stem>.ledger.csv)")
    parser.add_argument("--max-rejected", type=float, default=0.05, metavar="SHARE",
                        help="fail when more than this share (0-1) of rows is rejected for a "
                             "fault; duplicates do not count (default 0.05)")
    parser.add_argument("--aliases", type=Path, default=None,
                        help="CSV of extra header aliases: alias,column[,registry]")
    parser.add_argument("--delimiter", default=None, help="CSV delimiter (default: detect)")
    parser.add_argument("--encoding", default=None,
                        help="text encoding, e.g. utf-8 or cp1252 (default: detect)")
    parser.add_argument("--sheet", default=None,
                        help="Excel sheet (default: the one whose header names the most "
                             "registry columns)")
    parser.add_argument("--extract-date", default=None, metavar="YYYY-MM-DD",
                        help="the day the list was drawn (a snapshot with a status column and "
                             "no paid_through needs it); default: from the file's title row, "
                             "Parquet metadata or name (jkn_2024-06-30.csv)")
    parser.add_argument("--lang", choices=("en", "id"), default="en", help="language of the summary")
    parser.add_argument("--cache", action="store_true",
                        help="also store the pseudonymised result in data/cache for reports")
    parser.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Run ``cakupan validate``; return the exit code (0 = usable)."""
    if not 0 <= args.max_rejected <= 1:
        raise ParameterError(f"--max-rejected must lie in 0-1, got {args.max_rejected}",
                             fix="give a share, e.g. --max-rejected 0.05 for 5%")
    stem = args.path.resolve().name if args.path.is_dir() else args.path.stem
    ledger_path = args.ledger or Path.cwd() / f"{stem}.ledger.csv"
    _check_ledger_path(ledger_path, [args.path, args.aliases])
    options = dict(aliases=args.aliases, cache=args.cache, max_rejected_share=args.max_rejected,
                   delimiter=args.delimiter, encoding=args.encoding, sheet=args.sheet,
                   known_region_codes=None)
    try:
        if args.path.is_dir():
            if args.extract_date:
                raise ParameterError("--extract-date is for one file; a folder's snapshots "
                                     "take their dates from their names",
                                     fix="leave --extract-date out, or give one file")
            result = load_snapshots(args.path, args.registry, **options)
        else:
            result = load_registry(args.path, args.registry, extract_date=args.extract_date,
                                   **options)
    except ValidationError as error:
        result = getattr(error, "result", None)
        if result is not None:
            _report(result, ledger_path, args.lang)
        raise
    _report(result, ledger_path, args.lang)
    return 0


def _check_ledger_path(ledger_path: Path, inputs: list[Path | None]) -> None:
    """Refuse a ledger destination that is an input file or not a regular file.

    Raises:
        ParameterError: ``--ledger`` names the registry or alias file (writing it would
            destroy the input), a folder, or a pipe or device.
    """
    for given in inputs:
        if given is not None and _same_file(ledger_path, Path(given)):
            raise ParameterError(
                f"--ledger {ledger_path} is an input file; writing the ledger would overwrite it",
                fix="give another path, e.g. --ledger rejected.ledger.csv")
    try:
        mode = os.stat(ledger_path).st_mode
    except (OSError, ValueError):
        return  # does not exist yet (or cannot be used: writing it will say why)
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ParameterError(f"--ledger {ledger_path} is {kind}",
                             fix="give the path of a CSV file to write, e.g. --ledger out.csv")


def _same_file(first: Path, second: Path) -> bool:
    """True when both paths name one file (hard and symbolic links included)."""
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # one does not exist (yet), or cannot be looked up
        return os.path.realpath(first) == os.path.realpath(second)


def _report(result: IntakeResult, ledger_path: Path, lang: str) -> None:
    """Write the ledger (``0600``; a missing folder is created ``0700``); print the summary."""
    try:
        if not ledger_path.parent.exists():
            paths.private_folder(ledger_path.parent)
        with paths.open_private(ledger_path, "w", encoding="utf-8", newline="") as handle:
            result.ledger.to_csv(handle, index=False)
    except OSError as error:
        raise InputFileError(f"cannot write the ledger ({error.strerror or type(error).__name__})",
                             path=ledger_path, fix="give a writable path with --ledger") from None
    print(result.summary.render(lang))
    for item in result.summary.snapshots:
        print(f"  {item['file']}: {item['extract_date']}, {item['rows_read']:,} read, "
              f"{item['rows_accepted']:,} accepted, {item['rows_rejected']:,} rejected")
    print(f"Ledger: {ledger_path} ({len(result.ledger):,} rows)")
    sys.stdout.flush()


__all__ = ["register_cli", "run_validate"]
