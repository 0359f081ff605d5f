"""Startup: a sub-command imports only what it needs (replay never loads the web stack)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BEAST = Path(__file__).resolve().parents[2] / "data" / "traffic" / "sample_dump1090.bin"


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
    assert "flyvakt.pipeline" in mods and "pyarrow._parquet" in mods
    assert not {"tqdm", "flyvakt.store", "pandas"} & mods


# What a Beast replay writing Parquet does not need: the web stack, Arrow's file systems (S3
# included, ~0.07 s, loaded by the public ``pyarrow.parquet``), its compute kernels (~0.05 s, loaded
# by ``Array.take``), the text-frame and state-vector parsers.
_NOT_FOR_BEAST = {
    "starlette",
    "uvicorn",
    "flyvakt.serve",
    "pyarrow.fs",
    "pyarrow._s3fs",
    "pyarrow.parquet",
    "pyarrow.compute",
    "pyarrow.csv",
    "pyarrow.json",
    "pandas",
    "tqdm",
    "asyncio",
    "flyvakt.sources.hexframes",
    "flyvakt.sources.lines",
    "flyvakt.sources.statevec",
    "flyvakt.sources.opensky",
    "flyvakt.sources.svlines",
}


def test_beast_replay_imports_only_what_it_uses(tmp_path: Path) -> None:
    out = tmp_path / "p.parquet"
    mods = _modules_after(["replay", str(BEAST), "--quiet", "--positions-out", str(out)])
    assert {"flyvakt.sources.beast", "flyvakt.pipeline", "pyarrow._parquet"} <= mods
    assert not _NOT_FOR_BEAST & mods, sorted(_NOT_FOR_BEAST & mods)
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == 3  # the sample's 3 positions written, not skipped


def test_beast_replay_to_csv_imports_no_arrow(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    mods = _modules_after(["replay", str(BEAST), "--quiet", "--positions-out", str(out)])
    assert not {m for m in mods if m.split(".")[0] == "pyarrow"} | (_NOT_FOR_BEAST & mods)
    assert len(out.read_text().splitlines()) == 1 + 3  # header and the sample's 3 positions


def _blas_threads_env(env: dict[str, str]) -> str:
    code = "import os, flyvakt.cli, numpy\nprint(os.environ['OPENBLAS_NUM_THREADS'])\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.strip()


def test_the_command_line_asks_for_one_blas_thread_unless_the_user_chose() -> None:
    # OpenBLAS starts (and spins) a thread per further core on NumPy's import; no command uses
    # BLAS, so the CLI asks for one thread before NumPy loads. A user's own value is kept.
    import os

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _blas_threads_env(env) == "1"
    assert _blas_threads_env({**env, "OPENBLAS_NUM_THREADS": "3"}) == "3"
