"""``flyvakt run`` stopped mid-stream (SIGTERM, SIGKILL) and restarted on the same recording:
the store stays sound and ends up holding what one clean run stores, nothing twice.

Real data: the bundled AFR34ZG recording (57,793 frames, takeoff LFPG, landing LFBO). The
interrupted run is paced (``--speed 600``, ~8 s for the whole file) so it can be stopped
mid-stream reliably; where batches are cut changes nothing in what is stored (the exact
equalities below show it). The other runs use ``--speed 0`` (as fast as possible).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flyvakt.cli.replay import bundled_sample

LAST_FRAME_S = 1_720_252_967.494935  # time of the recording's last frame
FIRST_FRAME_S = 1_720_248_189.525094


def _run(db: Path, *extra: str, wait: bool = True) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "flyvakt.cli.run", "--no-serve", "--db", str(db), *extra]
    cmd.append(bundled_sample())
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if wait:
        _out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
    return proc


def _rows(db: Path) -> tuple[set[tuple[int, float]], list[tuple[str, int, float]], int]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        points = conn.execute("SELECT icao24, time_s FROM track_points").fetchall()
        events = conn.execute("SELECT type, icao24, time_s FROM events ORDER BY time_s").fetchall()
        cov = conn.execute("SELECT count(*) FROM coverage").fetchone()[0]
    assert len(points) == len(set(points))  # the primary key holds
    return set(points), events, int(cov)


def _through(db: Path) -> float | None:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'data_through_s'").fetchone()
    except sqlite3.Error:
        return None
    return float(row[0]) if row else None


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[tuple[int, float]], list, int]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    _run(db, "--speed", "0")
    points, events, cov = _rows(db)
    assert [e[0] for e in events] == ["takeoff", "landing"] and len(points) > 500
    return points, events, cov


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stop_mid_stream_and_restart(
    tmp_path: Path, clean: tuple[set[tuple[int, float]], list, int], sig: signal.Signals
) -> None:
    clean_points, clean_events, clean_cov = clean
    db = tmp_path / "run.db"
    proc = _run(db, "--speed", "600", wait=False)
    try:
        deadline = time.monotonic() + 60
        # Stop once ~20 minutes of the recording (about 2 s of wall time) are stored.
        while (t := _through(db)) is None or t < FIRST_FRAME_S + 1200:
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "no data stored within 60 s"
            time.sleep(0.05)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGTERM:
        assert proc.returncode == 0, err
        assert "stored in" in err  # the clean shutdown summary
    else:
        assert proc.returncode == -signal.SIGKILL
    # The interrupted store opens, is sound, and holds a prefix of the clean run.
    points, events, _ = _rows(db)
    through = _through(db)
    assert through is not None and FIRST_FRAME_S + 1200 <= through < LAST_FRAME_S
    assert 0 < len(points) < len(clean_points)
    assert set(events) <= set(clean_events)
    extra = points - clean_points
    if sig == signal.SIGKILL:
        assert extra == set()  # no shutdown flush: only what committed batches held
    else:
        assert len(extra) <= 1  # the close flushes the thinner's pending last fix (1 aircraft)
    # Restart on the same source, to the end.
    _run(db, "--speed", "0")
    points2, events2, cov2 = _rows(db)
    assert events2 == clean_events  # none lost, none twice
    assert clean_points <= points2  # no track point lost
    assert points2 - clean_points == extra  # nothing twice; only the first run's flushed fix
    assert cov2 == clean_cov
