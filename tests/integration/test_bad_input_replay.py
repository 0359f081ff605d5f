"""Issue 10 item 1: one bad timestamp must not stop ``replay`` or the live engine.

Real data: AFR34ZG (bundled) written as SBS lines from rs1090's decode of its positions
(synthetic text, real content), and the traffic ``kiwi`` state vectors; one line of each gets
an absurd time (``10:00:1e12``, a row past year 9999), as found by the issue.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime import guard
from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub

DATA = Path(__file__).resolve().parent.parent / "data"


def _replay(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "flyvakt.cli.main", "replay", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _sbs_positions() -> list[str]:
    out = []
    with gzip.open(DATA / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        for line in fh:
            m = json.loads(line)
            if "latitude" not in m or m.get("icao24") != "393322":
                continue
            dt = datetime.fromtimestamp(m["timestamp"], tz=UTC)
            when = dt.strftime("%Y/%m/%d,%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"
            alt = m.get("altitude") or ""
            out.append(
                f"MSG,3,1,1,393322,1,{when},{when},,{alt},,,"
                f"{m['latitude']:.5f},{m['longitude']:.5f},,,0,0,0,0"
            )
    return out


def test_sbs_line_with_absurd_time_is_counted_not_fatal(tmp_path: Path) -> None:
    lines = _sbs_positions()
    bad = lines[len(lines) // 2].split(",")
    bad[7] = bad[9] = "10:00:1e12"
    lines.insert(len(lines) // 2, ",".join(bad))
    path = tmp_path / "afr34zg.sbs"
    path.write_text("\n".join(lines) + "\n")
    res = _replay(str(path))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "time_out_of_range 1" in res.stderr
    assert "landing" in res.stdout and "LFBO" in res.stdout


def test_state_vector_past_year_9999_is_counted_not_fatal(tmp_path: Path) -> None:
    with gzip.open(DATA / "traffic/kiwi.json.gz", "rt") as fh:
        rows: list[dict[str, Any]] = json.load(fh)
    rows[len(rows) // 2]["timestamp"] = 253_402_300_800_000 + 1000  # year 10000, in ms
    path = tmp_path / "kiwi.json"
    path.write_text(json.dumps(rows))
    res = _replay(str(path))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    # (read as microseconds by its magnitude, it lands in 1978: a jump, not out of range)
    assert re.search(r"dropped at the edge: time_(jump|out_of_range) 1\n", res.stderr)
    assert "NZCH" in res.stdout


def test_engine_goes_on_after_a_failing_batch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever fails inside a step is logged with the batch, counted, and the loop goes on."""
    real_step = guard.step
    calls = {"n": 0}

    def flaky(*a: Any, **k: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("year 33713 is out of range")
        return real_step(*a, **k)

    monkeypatch.setattr(guard, "step", flaky)
    hub = Hub()

    async def go() -> Any:
        return await run_engine(
            [bundled_sample()],
            db_path=None,
            hub=hub,
            stop_event=asyncio.Event(),
            clock=lambda: 0.0,
            keep_events=True,
            file_batch_frames=512,  # many small steps: the ones after the failure are counted
        )

    summary = asyncio.run(go())
    assert summary.step_errors == 1 and hub.status()["step_errors"] == 1
    assert summary.files_done and summary.frames == 57_793
    assert calls["n"] > 100  # every later batch still went through the pipeline
    assert [e.type for e in summary.events if e.type in ("takeoff", "landing")] == [
        "takeoff",
        "landing",
    ]
    assert "pipeline step failed; batch skipped: 512 frames" in caplog.text
