"""The ``cakupan`` command: a thin wrapper over ``helpers`` functions.

Each command lives beside its logic: a module listed in ``COMMAND_MODULES`` defines
``register_cli(subparsers)``, which adds its sub-parser and sets ``func`` to a function
taking the parsed arguments and returning an exit code. User mistakes raise
``CakupanError`` and are printed as one line, without a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from helpers.errors import CakupanError

#: Modules that contribute sub-commands, in the order ``cakupan --help`` lists them.
COMMAND_MODULES = (
    "helpers.data.sample",
    "helpers.data.validate_cli",
    "helpers.batch.runner",
    "helpers.batch.audit",
)


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: list[str] | None = None) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
