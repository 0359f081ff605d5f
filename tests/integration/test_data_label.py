"""The "reconstruction / synthetic" label reaches the store (and so the map's watermark) through
the commands a user runs: ``simulate --out`` writes it beside the frames, ``replay --db`` stores
it; a real recording gets none.

Data: SYNTHETIC (the bundled June 2024 reconstruction, 40 minutes of it at rate scale 0.05) and
the bundled real recording of AFR34ZG.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from flyvakt.cli.main import main
from flyvakt.serve.app import create_app


def _label(db: Path) -> str | None:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'data_label'").fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def _status_label(db: Path) -> str | None:
    with TestClient(create_app(str(db))) as c:
        label: str | None = c.get("/api/status").json()["data_label"]
    return label


@pytest.mark.parametrize("fmt", ["beast", "jsonl"])
def test_simulated_frames_replayed_into_a_store_carry_the_label(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = tmp_path / f"sv.{'bin' if fmt == 'beast' else 'jsonl'}"
    argv = ["simulate", "june-2024-state-visit", "--format", fmt, "--out", str(frames)]
    argv += ["--rate-scale", "0.05", "--start", "2024-06-18T12:30:00Z"]
    argv += ["--end", "2024-06-18T13:10:00Z"]
    assert main(argv) == 0
    assert (tmp_path / f"{frames.name}.label").read_text().startswith("APPROXIMATE RECONSTRUCTION")
    db = tmp_path / "sv.db"
    argv = ["replay", str(frames), "--db", str(db), "--quiet"]
    if fmt == "beast":
        argv += ["--start-time", "2024-06-18T12:30:00Z"]
    assert main(argv) == 0
    assert "data label: APPROXIMATE RECONSTRUCTION" in capsys.readouterr().err
    label = _label(db)
    assert label is not None and label.startswith("APPROXIMATE RECONSTRUCTION (synthetic")
    assert _status_label(db) == label


def test_a_real_recording_has_no_label(tmp_path: Path) -> None:
    db = tmp_path / "afr.db"
    assert main(["replay", "--db", str(db), "--quiet"]) == 0
    assert _label(db) is None
    assert _status_label(db) is None


def test_data_label_option_marks_frames_made_elsewhere(tmp_path: Path) -> None:
    db = tmp_path / "marked.db"
    assert main(["replay", "--db", str(db), "--quiet", "--data-label", "SYNTHETIC test"]) == 0
    assert _label(db) == "SYNTHETIC test"


def test_simulate_takes_the_format_from_the_out_suffix(tmp_path: Path) -> None:
    # `simulate --out x.jsonl` once wrote Beast bytes into x.jsonl, which replay then refused.
    frames = tmp_path / "sv.jsonl"
    argv = ["simulate", "june-2024-state-visit", "--out", str(frames), "--end", "2024-06-18T01:00Z"]
    assert main(argv) == 0
    first = frames.read_text().splitlines()[0]
    assert first.startswith("{") and '"frame"' in first
