"""Issue 10 item 7: events the store acknowledged survive ``kill -9`` even when the writer was
behind (they used to be lost with its in-memory queue).

Real events: AFR34ZG's takeoff (LFPG) and landing (LFBO) from the bundled recording. The
"slow disk" is another connection holding the store's write lock.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flyvakt.store import StoreWriter

CHILD = """
import os, sqlite3, sys
from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime.replay import replay_files
from flyvakt.store import StoreWriter
from flyvakt.store.writerproc import StoreWriterProcess
db = sys.argv[1]
events = replay_files([bundled_sample()], keep_positions=False).events
w = (StoreWriterProcess if sys.argv[2] == "process" else StoreWriter)(db)
blocker = sqlite3.connect(db, timeout=60)
blocker.execute("BEGIN IMMEDIATE")  # the writer cannot commit: a disk far behind
assert w.offer(events)
print(len(events), flush=True)
os.kill(os.getpid(), 9)
"""


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_events_offered_before_kill_9_are_stored_at_restart(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "flyvakt.db"
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), kind], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == -9, res.stderr
    assert res.stdout.strip() == "2"
    if kind == "thread":  # (a writer process may commit what it holds once the lock frees)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    StoreWriter(db).close()  # the restart
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, airport FROM events ORDER BY time_s").fetchall()
    assert rows == [("takeoff", "LFPG"), ("landing", "LFBO")]
    assert not Path(f"{db}.events-log").exists()
    StoreWriter(db).close()  # a second restart doubles nothing
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2
