"""The `petition` command: each subcommand lives in `pipeline/commands/<name>.py`.

A command module defines `register(subparsers)`, which adds its parser and sets
`func(args) -> int`. Errors a user can fix are raised as `PetitionError` and printed
as one plain sentence; `--debug` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from pipeline import commands
from pipeline.errors import PetitionError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petition",
        description="信访来信分析: ingest, classify, grade, link, cluster and rank petition letters.",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"pipeline.commands.{info.name}")
        if hasattr(module, "register"):
            module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except PetitionError as error:
        if args.debug:
            raise
        print(f"错误 / error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - last resort: a human sentence, not a traceback
        if args.debug:
            raise
        print(
            f"unexpected error: {type(error).__name__}: {error}\n"
            "rerun with `petition --debug ...` to see the traceback",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
