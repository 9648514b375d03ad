"""The ``cakupan`` command: every option, and a thin call into ``helpers`` per command.

The argument parsers of ``report``, ``reports`` and ``audit`` live here; the functions
they call take plain values (:func:`helpers.batch.runner.run_reports`,
:func:`helpers.batch.audit.run_audit`). ``sample`` and ``validate`` are still added by
their modules (``register_cli`` in ``COMMAND_MODULES``). User mistakes raise
``CakupanError`` and are printed as one line, without a traceback (``--debug`` shows
it), with the error's exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from helpers.batch.worker import RUN_TIMEOUT
from helpers.errors import CakupanError, ParameterError
from helpers.measures.engines import ENGINES
from helpers.report.i18n import LANGUAGES

#: Modules that still add their own sub-commands, listed first by ``cakupan --help``.
COMMAND_MODULES = (
    "helpers.batch.workspace",
    "helpers.data.sample_national",
    "helpers.data.validate_cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``cakupan`` command."""
    parser = argparse.ArgumentParser(
        prog="cakupan",
        description="Social-security coverage and budget reports for Indonesian regions.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:  # command not built yet in this checkout
                continue
            raise
        module.register_cli(subparsers)
    _add_report_commands(subparsers)
    _add_audit_command(subparsers)
    return parser


# =========================================================================== report(s)


def _add_report_commands(subparsers) -> None:
    """``cakupan report`` and ``cakupan reports``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--period", default="2024",
                        help="year (2024) or year-month (2024-06) within the data (2022-2025); "
                             "default 2024")
    common.add_argument("--lang", default="id", choices=LANGUAGES,
                        help="report language: id (Bahasa Indonesia, default) or en")
    common.add_argument("--data-dir", default="",
                        help="folder with jamsostek.parquet and jkn.parquet (default data/sample)")
    common.add_argument("--out", default=None, help="reports folder (default reports/)")
    common.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                        help="another notebook parameter, e.g. -p grace_months=2 (repeatable)")
    common.add_argument("--param-file", default=None, metavar="FILE",
                        help="YAML or JSON file of notebook parameters")
    common.add_argument("--no-progress", action="store_true", help="no progress bar")
    common.add_argument("--engine", default=None, choices=ENGINES,
                        help="query engine for the indicators (default duckdb; Spark's master "
                             "from CAKUPAN_SPARK_MASTER, else local[2])")
    common.add_argument("--force", action="store_true",
                        help="render every report again, even those whose inputs, parameters "
                             "and code are unchanged since the manifest recorded them")
    common.add_argument("--timeout", type=float, default=RUN_TIMEOUT, metavar="SECONDS",
                        help=f"time limit of one report (default {RUN_TIMEOUT}); a report "
                             "that takes longer is stopped and recorded as timed out")
    common.add_argument("--pdf", action="store_true",
                        help="also print each report to PDF next to its HTML (index.pdf, "
                             "index.en.pdf) with Chromium (scripts/ensure_chromium.sh)")

    one = subparsers.add_parser(
        "report", parents=[common], help="render one regency report (HTML, CSV, Excel)",
        description="Render the report of one kab/kota for a period into "
                    "reports/<period>/<region>/ and update reports/index.html.")
    one.add_argument("--region", required=True, help="kab/kota code, e.g. 52.02")
    one.set_defaults(func=run_report_command)

    many = subparsers.add_parser(
        "reports", parents=[common],
        help="render every regency report of a province and the overview, in parallel",
        description="Render every kab/kota report of a province and the province overview "
                    "for a period, in parallel, with a progress bar. A failing region does not "
                    "stop the others; the exit code is 1 if any failed. Records "
                    "reports/manifest.json and prints the path of reports/index.html.")
    many.add_argument("--province", default="52",
                      help="province code (default 52, NTB); 'all' = --national")
    many.add_argument("--national", action="store_true",
                      help="every province of Indonesia and the national page, from the "
                           "national sample (data/national; `cakupan sample --national`), "
                           "into reports/national/")
    many.add_argument("--provinces", default=None,
                      help="with --national: only these provinces, e.g. 35,52,53")
    many.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    many.add_argument("--regions", default=None,
                      help="only these kab/kota, comma-separated (e.g. 52.01,52.02)")
    many.add_argument("--no-overview", action="store_true",
                      help="skip the province overview")
    many.set_defaults(func=run_reports_command)


def _batch_options(args: argparse.Namespace) -> dict:
    """The options ``report`` and ``reports`` share, as run_reports' keyword arguments."""
    from helpers.batch.parameters import command_parameters

    return {"period": args.period, "lang": args.lang, "out": args.out,
            "data_dir": args.data_dir,
            "extra": command_parameters(args.param_file, args.param, engine=args.engine),
            "progress": not args.no_progress, "pdf": args.pdf, "force": args.force,
            "timeout": args.timeout}


def run_report_command(args: argparse.Namespace) -> int:
    """``cakupan report --region CODE``: one regency report, no overview."""
    from helpers.batch import runner, summary
    from helpers.report import report_data

    region = report_data.check_region(args.region)
    return summary.finish(runner.run_reports(province_code=region[:2], jobs=1,
                                             regions=[region], overview=False,
                                             **_batch_options(args)))


def run_reports_command(args: argparse.Namespace) -> int:
    """``cakupan reports``: every regency report of a province and its overview."""
    from helpers.batch import runner, summary

    if args.national or args.province == "all":
        return _run_national_command(args)
    if args.provinces:
        raise ParameterError("--provinces needs --national",
                             fix="add --national, or give one --province")
    regions = [r.strip() for r in args.regions.split(",")] if args.regions else None
    return summary.finish(runner.run_reports(province_code=args.province, jobs=args.jobs,
                                             regions=regions,
                                             overview=not args.no_overview,
                                             **_batch_options(args)))


def _run_national_command(args: argparse.Namespace) -> int:
    """``cakupan reports --national``: every province, then the national page."""
    from helpers.batch import national

    if args.regions or args.no_overview:
        raise ParameterError("--regions and --no-overview do not go with --national",
                             fix="choose provinces with --provinces, e.g. --provinces 35,52")
    provinces = ([c.strip() for c in args.provinces.split(",") if c.strip()]
                 if args.provinces else None)
    options = _batch_options(args)
    return national.finish_national(national.run_national(
        provinces=provinces, jobs=args.jobs, **options))


# =========================================================================== audit


def _add_audit_command(subparsers) -> None:
    """``cakupan audit PATH [--registry FILE ...]``."""
    parser = subparsers.add_parser(
        "audit",
        help="scan reports for NIKs, registry names and birth dates, and the key",
        description="Scan HTML, notebooks, CSV and XLSX under PATH for NIK-like numbers, "
                    "names and birth dates from the registries, and the pseudonymisation "
                    "key. Prints one line per finding (values masked); exits 0 when clean, "
                    "3 when anything is found.")
    parser.add_argument("path", type=Path, metavar="PATH", help="a report file or folder")
    parser.add_argument("--registry", action="append", default=[], type=Path, metavar="FILE",
                        help="registry whose names and birth dates to look for "
                             "(Parquet, CSV or XLSX; repeatable)")
    parser.set_defaults(func=run_audit_command)


def run_audit_command(args: argparse.Namespace) -> int:
    """``cakupan audit``: exit 0 when clean; a finding raises PrivacyError (exit 3)."""
    from helpers.batch import audit

    return audit.run_audit(args.path, args.registry)


# =========================================================================== main


def main(argv: list[str] | None = None) -> int:
    """Run ``cakupan`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CakupanError as error:
        if args.debug:
            raise
        print(f"cakupan {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"cakupan {args.command}: interrupted", file=sys.stderr)
        return 130


__all__ = ["COMMAND_MODULES", "build_parser", "main", "run_audit_command",
           "run_report_command", "run_reports_command"]


if __name__ == "__main__":
    sys.exit(main())
