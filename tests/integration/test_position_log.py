"""Issue 10 item 7: positions acknowledged under load survive ``kill -9`` (write-ahead log).

Real positions: AFR34ZG's fixes from the bundled recording, offered in 100 batches to a store
whose queue holds 4 (a live overload: most are refused) and whose writer cannot commit (another
connection holds the write lock: a disk far behind). Before the log, all of them were lost.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import replay_files
from flyvakt.store import StoreWriter
from flyvakt.store.poslog import decode_all, encode
from flyvakt.store.writerproc import StoreWriterProcess

CHILD = """
import os, sqlite3, sys
import numpy as np
import pytest
from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime.replay import replay_files
from flyvakt.store import StoreWriter
from flyvakt.store.writerproc import StoreWriterProcess
db = sys.argv[1]
pos = replay_files([bundled_sample()], keep_positions=True).positions
cls = StoreWriterProcess if sys.argv[2] == "process" else StoreWriter
w = cls(db, queue_size=4, thin_positions=False)
blocker = sqlite3.connect(db, timeout=60)
blocker.execute("BEGIN IMMEDIATE")
acked = 0
for part in np.array_split(np.arange(len(pos)), 100):
    w.offer(pos.take(part))  # live mode: refused or not, the status counts them
    acked += len(part)
keys = len(set(zip(pos.icao24.tolist(), pos.time_s.tolist())))  # the store's key
print(acked, w.drops, keys, flush=True)
os.kill(os.getpid(), 9)
"""


def _points(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM track_points").fetchone()[0])


WRITERS = {"thread": StoreWriter, "process": StoreWriterProcess}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_positions_offered_before_kill_9_are_stored_at_restart(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "flyvakt.db"
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), kind], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == -9, res.stderr
    acked, drops, keys = map(int, res.stdout.split())
    assert acked > 8000 and drops >= 90  # an overload: the queue refused most batches
    if kind == "thread":  # (a writer process may commit what it holds once the lock frees)
        assert _points(db) == 0  # nothing was committed before the kill
    w = WRITERS[kind](db, thin_positions=False)  # the restart
    w.close()
    if kind == "thread":
        assert w.positions_recovered >= acked
    assert _points(db) == keys  # every acknowledged fix, none lost, none doubled
    assert not Path(f"{db}.positions-log").exists()
    StoreWriter(db, thin_positions=False).close()
    assert _points(db) == keys


@pytest.mark.parametrize("kind", list(WRITERS))
def test_refused_batches_are_stored_once_the_queue_drains(tmp_path: Path, kind: str) -> None:
    sample = Path(__file__).parents[2] / "src/flyvakt/data/sample_afr34zg.jsonl.gz"
    pos = replay_files([str(sample)], keep_positions=True).positions
    db = tmp_path / "flyvakt.db"
    w = WRITERS[kind](db, queue_size=2, thin_positions=False)
    blocker = sqlite3.connect(db, timeout=60)
    blocker.execute("BEGIN IMMEDIATE")
    for part in np.array_split(np.arange(len(pos)), 50):
        w.offer(pos.take(part))
    assert w.drops > 0
    blocker.rollback()
    blocker.close()
    w.flush()
    w.close()
    keys = set(zip(pos.icao24.tolist(), pos.time_s.tolist(), strict=True))
    assert _points(db) == len(keys)


def test_log_records_round_trip_and_stop_at_a_torn_one() -> None:
    b = PositionBatch.empty(3)
    b.time_s[:] = [1.0, 2.0, 3.0]
    b.icao24[:] = 0x393322
    b.callsign[:] = ["AFR34ZG", None, "<b>x</b>"]
    data = encode(b) + encode(b.take(np.arange(2)))
    got, torn = decode_all(data + data[:30])
    assert [len(g) for g in got] == [3, 2] and torn == 30
    assert got[0].callsign.tolist() == ["AFR34ZG", None, "<b>x</b>"]
    np.testing.assert_array_equal(got[0].time_s, b.time_s)
    bad = bytearray(data)
    bad[20] ^= 0xFF  # a flipped byte: the CRC stops the read there
    assert len(decode_all(bytes(bad))[0]) == 0
