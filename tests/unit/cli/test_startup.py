"""Startup: a sub-command imports only what it needs (replay never loads the web stack)."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from flyvakt.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_replay_help_does_not_import_other_commands() -> None:
    mods = _modules_after(["replay", "--help"])
    assert "flyvakt.cli.replay" in mods
    assert not {"starlette", "flyvakt.serve", "flyvakt.cli.serve", "flyvakt.cli.run"} & mods


def test_top_level_help_still_lists_every_command() -> None:
    from flyvakt.cli.main import COMMAND_MODULES, build_parser

    text = build_parser().format_help()
    assert all(name in text for name in COMMAND_MODULES)


def test_quiet_replay_loads_neither_progress_bar_nor_store(tmp_path: object) -> None:
    # tqdm (a bar only on a terminal) and the SQLite store (only with --db) were imported by
    # every replay: 0.05-0.1 s of start-up each, on a loaded machine.
    mods = _modules_after(["replay", "--quiet", "--positions-out", f"{tmp_path}/p.parquet"])
    assert "flyvakt.pipeline" in mods and "pyarrow.parquet" in mods
    assert not {"tqdm", "flyvakt.store", "pandas"} & mods
