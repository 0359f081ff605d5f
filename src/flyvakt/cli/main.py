"""Entry point. Each sub-command lives in its own module with a ``register(subparsers)``.

Why a list of module names: sub-commands import heavy modules (pyarrow, shapely) only when run,
and adding a command is one line here plus its module.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
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
    "plot",
    "feed",
    "worker",
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
    except Exception as exc:
        if not is_input_error(exc):
            raise  # a bug: the traceback is what a report needs
        print(f"flyvakt {args.command}: {one_line(exc)}", file=sys.stderr)
        return 2
    return rc


# Commands that leave without the interpreter's clean-up once they return: a replay's last act
# is closing its outputs, and freeing its millions of objects one by one at exit cost 0.06-0.12
# CPU s of a 1.7 s replay of 1 M frames (4 runs each, alternating, load ~4). Never a server.
EXIT_AT_ONCE = frozenset({"replay"})


def entry(argv: Sequence[str] | None = None) -> None:
    """The ``flyvakt`` command: :func:`main`, then exit with its status (see EXIT_AT_ONCE)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rc = main(argv)
    if _chosen_command(argv) in EXIT_AT_ONCE:
        exit_at_once(rc)
    sys.exit(rc)


def exit_at_once(rc: int) -> None:
    """Flush standard output and error, then end the process without the interpreter's
    clean-up (every file the command wrote is closed by then)."""
    for stream in (sys.stdout, sys.stderr):
        # Closed or broken (a reader gone): nothing more can be said on it.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(rc)


# Errors that come from what the user gave (a file, an option, a store), by class name so
# that naming them here imports nothing: each says what is wrong in its message.
INPUT_ERRORS = frozenset(
    {
        "OSError",  # missing or unwritable files, ports in use
        "sqlite3.Error",
        "StoreError",
        "SchemaTooNewError",
        "SourceFormatError",
        "FleetFileError",
        "PlaneAlertError",
        "ScenarioError",
        "ClaimParseError",
        "AlertRuleError",
        "ZoneInfoNotFoundError",
        "KafkaError",
        "CheckpointError",
    }
)


def is_input_error(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    names |= {f"{c.__module__}.{c.__name__}" for c in type(exc).__mro__}
    return bool(names & INPUT_ERRORS)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (file errors: 'PATH: reason')."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named by ``argv`` (its first word), or None when help needs them all."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in COMMAND_MODULES and argv and argv[0] == first:
        return first
    return None


if __name__ == "__main__":
    entry()
