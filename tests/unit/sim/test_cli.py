"""``flyvakt simulate`` sub-command (registered on a bare parser, as cli/main.py does)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from flyvakt.cli import simulate


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="flyvakt")
    simulate.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["simulate", *argv])
    rc: int = args.func(args)
    return rc


def test_bundled_scenario_window_prints_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sv.jsonl"
    rc = _run(
        [
            "june-2024-state-visit",
            "--start",
            "2024-06-18T00:20:00Z",
            "--end",
            "2024-06-18T00:40:00Z",
            "--rate-scale",
            "0.2",
            "--format",
            "jsonl",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "APPROXIMATE RECONSTRUCTION" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(1718670000 <= r["timestamp"] <= 1718671300 for r in rows)
    assert {r["frame"][2:8] for r in rows if r["frame"].startswith("8d")} == {
        "157711",
        "157718",
        "157719",
    }


def test_corpus_to_beast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.bin"
    assert _run(["--corpus", "100", "--frames", "5000", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:1] == b"\x1a" and len(data) > 5000 * 16
    assert "SYNTHETIC load corpus: 5,000 frames, 100 aircraft" in capsys.readouterr().err


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[aircraft]]\nicao24 = "zz"\n')
    assert _run([str(bad)]) == 2
    assert "bad.toml: aircraft[0]: icao24" in capsys.readouterr().err
    assert _run([]) == 2
