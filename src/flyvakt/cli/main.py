"""Entry point. Each sub-command lives in its own module with a ``register(subparsers)``.

Why a list of module names: sub-commands import heavy modules (pyarrow, shapely) only when run,
and adding a command is one line here plus its module.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from flyvakt import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "serve",
    "replay",
    "events",
    "verify",
    "timeline",
    "simulate",
    "fleets",
    "export",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flyvakt",
        description="Watch aircraft through ADS-B and say, with evidence, where they went.",
    )
    parser.add_argument("--version", action="version", version=f"flyvakt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"flyvakt.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return rc


if __name__ == "__main__":
    sys.exit(main())
