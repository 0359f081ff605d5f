"""The `flyvakt` command ends a finished replay at once (cli/main.py EXIT_AT_ONCE): standard
output and error flushed, every output file whole, the status kept; other commands exit the
ordinary way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flyvakt.cli import main as cli_main


def test_replay_through_the_command_flushes_and_keeps_its_status(tmp_path: Path) -> None:
    """A real run of ``python -m flyvakt replay`` (the bundled real AFR34ZG sample): the summary
    reaches stderr, the events stdout, the Parquet file is complete; a bad input still says why
    and exits 2."""
    out = tmp_path / "p.parquet"
    done = subprocess.run(
        [sys.executable, "-m", "flyvakt", "replay", "--positions-out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "positions written to" in done.stderr
    assert "takeoff" in done.stdout or "landing" in done.stdout
    assert pq.read_table(out).num_rows > 100
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a recording at all\n" * 10)
    done = subprocess.run(
        [sys.executable, "-m", "flyvakt", "replay", str(bad), "--format", "beast"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "not a Beast stream" in done.stderr


def test_only_replay_leaves_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_exit(rc: int) -> None:
        calls.append(rc)
        raise SystemExit(rc)

    monkeypatch.setattr(os, "_exit", fake_exit)
    out = tmp_path / "p.parquet"
    with pytest.raises(SystemExit) as stop:
        cli_main.entry(["replay", "--quiet", "--no-events", "--positions-out", str(out)])
    assert stop.value.code == 0 and calls == [0]
    with pytest.raises(SystemExit) as stop:
        cli_main.entry(["events", str(tmp_path / "missing.db")])
    assert calls == [0]  # the ordinary exit: os._exit not called again
    assert stop.value.code != 0
