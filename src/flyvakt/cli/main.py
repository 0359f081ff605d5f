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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` just that sub-command's (the others are not imported:
    startup then costs one command's imports, e.g. ``replay`` never loads Starlette)."""
    parser = argparse.ArgumentParser(
        prog="flyvakt",
        description="Watch aircraft through ADS-B and say, with evidence, where they went.",
    )
    parser.add_argument("--version", action="version", version=f"flyvakt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if only is None else (only,):
        module = importlib.import_module(f"flyvakt.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_chosen_command(argv))
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


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named by ``argv`` (its first word), or None when help needs them all."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in COMMAND_MODULES and argv and argv[0] == first:
        return first
    return None


if __name__ == "__main__":
    sys.exit(main())
