"""The store across processes: SIGKILL of a writer mid-stream, and a reader in another process
while the writer writes. Synthetic positions (50 aircraft per batch at one time step), because
the point is transactions, not data. Both writers: the thread (StoreWriter) and the process
(StoreWriterProcess, whose child must end when the process holding it is killed)."""

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
from flyvakt.store.writerproc import StoreWriterProcess
cls = StoreWriterProcess if sys.argv[2] == "process" else StoreWriter
w = cls(sys.argv[1], thin_positions=False)
print("child", getattr(w, "pid", None) or 0, flush=True)
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


def _start(path: Path, kind: str = "thread") -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), kind],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    word, pid = proc.stdout.readline().split()
    assert word == "child"
    return proc, int(pid)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaps counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.parametrize(("after", "kind"), [(3, "thread"), (40, "thread"), (40, "process")])
def test_sigkill_loses_nothing_committed(tmp_path: Path, after: int, kind: str) -> None:
    path = tmp_path / "s.db"
    proc, child = _start(path, kind)
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
    # The writer runs on while this test reads: every batch it reported before the kill is
    # committed (its flush returned first), the pipe still holds those lines.
    for line in proc.stdout:
        if line.strip():
            committed = max(committed, int(line))
    if child:  # the writer process notices its parent is gone and ends
        deadline = time.monotonic() + 10.0
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(child)
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
    proc, _ = _start(path)
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
