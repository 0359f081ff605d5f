"""``flyvakt run`` with no SOURCE: the bundled real recording replays at 60x, the map server
answers with the live aircraft, a status line appears, Ctrl-C stops cleanly with data stored."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def test_run_demo_serves_live_aircraft(tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "demo.db"
    err_path = tmp_path / "stderr.txt"
    base = f"http://127.0.0.1:{port}"
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flyvakt.cli.run", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 40
        aircraft: list[dict[str, Any]] = []
        while not aircraft:
            assert proc.poll() is None, err_path.read_text()
            assert time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.2)
            try:
                aircraft = _get(f"{base}/data/aircraft.json")["aircraft"]
            except OSError:
                continue
        ac = aircraft[0]
        assert ac["hex"] == "393322" and ac.get("flight", "AFR34ZG").strip() == "AFR34ZG"
        assert ac["fleet"] == [] and ac["source"] in ("adsb", "mode_s") and "field_age_s" in ac
        status = _get(f"{base}/api/status")
        assert status["live"] is True and status["hub"]["now_s"] > 1_720_248_189
        # The 5-second status line (frames/s, aircraft, events, drops) on stderr.
        while "frames/s" not in err_path.read_text():
            assert time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err_path.read_text()
    assert f"map at {base}/" in text
    line = next(ln for ln in text.splitlines() if "frames/s" in ln)
    assert " aircraft " in line and " events " in line and line.rstrip().count(" drops") == 1
    assert "stored in" in text.splitlines()[-1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM track_points").fetchone()[0] > 0
