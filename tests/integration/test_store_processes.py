"""The store across processes: SIGKILL of a writer mid-stream, and a reader in another process
while the writer writes. Synthetic positions (50 aircraft per batch at one time step), because
the point is transactions, not data."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flyvakt.store import StoreReader

PER_BATCH = 50

WRITER = f"""
import sys, numpy as np
from flyvakt.model.batches import PositionBatch
from flyvakt.store import StoreWriter
w = StoreWriter(sys.argv[1], thin_positions=False)
k = 0
while True:
    b = PositionBatch.empty({PER_BATCH})
    b.icao24[:] = np.arange({PER_BATCH}) + 1
    b.time_s[:] = 1_700_000_000.0 + k
    b.lat_deg[:] = 60.0
    b.lon_deg[:] = 10.0 + k * 1e-4
    b.on_ground[:] = 0
    w.offer(b)
    w.flush()  # returns once batch k is committed
    print(k, flush=True)
    k += 1
"""


def _start(path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("after", [3, 40])
def test_sigkill_loses_nothing_committed(tmp_path: Path, after: int) -> None:
    path = tmp_path / "s.db"
    proc = _start(path)
    assert proc.stdout is not None
    committed = -1
    for line in proc.stdout:
        committed = int(line)
        if committed >= after:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert committed >= after
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with StoreReader(path) as r:
        for icao in (1, PER_BATCH):
            times = r.track(icao).time_s - 1_700_000_000.0
            # every reported batch is there; at most the one in flight beyond it
            assert list(times[: committed + 1]) == list(range(committed + 1))
            assert len(times) in (committed + 1, committed + 2)


def test_reader_in_another_process_sees_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    proc = _start(path)
    assert proc.stdout is not None
    try:
        proc.stdout.readline()  # the store exists and holds batch 0
        seen: list[int] = []
        with StoreReader(path) as r:
            for _ in range(30):
                n = r._conn.execute("SELECT count(*) FROM track_points").fetchone()[0]
                seen.append(n)
                assert n % PER_BATCH == 0  # a batch is visible whole or not at all
                through = r.data_through_s()
                assert through is not None and through >= 1_700_000_000.0
                time.sleep(0.01)
        assert seen == sorted(seen) and seen[-1] > seen[0]
    finally:
        proc.kill()
        proc.wait(timeout=10)
