"""The store writer in a child process (store.writerproc): the same store as the writer thread,
and a child that dies is restarted with nothing lost.

Real data: AFR34ZG's positions and events (takeoff LFPG, landing LFBO) replayed from the bundled
recording (MIT, traffic).
"""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import ReplayResult, replay_files
from flyvakt.store import MetaRecord, StoreError, StoreWriter
from flyvakt.store.writerproc import StoreWriterProcess

TABLES = {
    "track_points": "SELECT * FROM track_points ORDER BY icao24, time_s",
    "coverage": "SELECT * FROM coverage ORDER BY 1, 2",
    "events": "SELECT type, icao24, time_s, airport FROM events ORDER BY time_s",
    "flights": "SELECT * FROM flights ORDER BY 1, 2",
    "aircraft": "SELECT icao24, callsign, last_seen_s FROM aircraft ORDER BY 1",
}


@pytest.fixture(scope="module")
def afr() -> ReplayResult:
    return replay_files([bundled_sample()], keep_positions=True)


def _parts(pos: PositionBatch, n: int) -> list[PositionBatch]:
    return [pos.take(p) for p in np.array_split(np.arange(len(pos)), n)]


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {name: conn.execute(q).fetchall() for name, q in TABLES.items()}


def _write(cls: type, db: Path, afr: ReplayResult) -> None:
    w = cls(db)
    for part in _parts(afr.positions, 30):
        assert w.offer(part)
    assert w.offer(list(afr.events))
    w.close()


def test_process_stores_what_the_thread_stores(tmp_path: Path, afr: ReplayResult) -> None:
    _write(StoreWriter, tmp_path / "thread.db", afr)
    _write(StoreWriterProcess, tmp_path / "process.db", afr)
    thread, process = _rows(tmp_path / "thread.db"), _rows(tmp_path / "process.db")
    assert len(thread["track_points"]) > 500  # thinned, but a whole flight
    assert [r[0] for r in thread["events"]] == ["takeoff", "landing"]
    assert process == thread
    assert not list(tmp_path.glob("*-log*"))  # a clean close empties the write-ahead logs


def test_writer_process_killed_is_restarted_and_nothing_is_lost(
    tmp_path: Path, afr: ReplayResult
) -> None:
    db = tmp_path / "s.db"
    pos = afr.positions
    parts = _parts(pos, 40)
    w = StoreWriterProcess(db, thin_positions=False)
    try:
        for part in parts[:10]:
            assert w.offer(part)
        w.flush()  # committed
        first = w.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        # Offered while the child is dead or starting: positions and events are in the logs,
        # the meta record (not logged) is sent again to the new child.
        for part in parts[10:]:
            assert w.offer(part)
        assert w.offer(list(afr.events))
        assert w.offer(MetaRecord("note", "after the kill"))
        w.flush()
        assert w.restarts == 1
        assert w.pid not in (None, first)
        assert w.positions_recovered > 0
    finally:
        w.close()
    keys = set(zip(pos.icao24.tolist(), pos.time_s.tolist(), strict=True))
    rows = _rows(db)
    assert len(rows["track_points"]) == len(keys)  # every fix, none doubled
    assert [(r[0], r[3]) for r in rows["events"]] == [("takeoff", "LFPG"), ("landing", "LFBO")]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'note'").fetchone() == (
            "after the kill",
        )
    assert not list(tmp_path.glob("*-log*"))


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not sqlite, " * 100)
    with pytest.raises(StoreError, match=r"notes\.db: not a flyvakt store"):
        StoreWriterProcess(bad)


def test_offer_never_waits_for_a_stopped_writer_process(tmp_path: Path, afr: ReplayResult) -> None:
    """A child that hangs (SIGSTOP) does not hold up offers: they queue, then are refused and
    counted (kept in the write-ahead log); once it runs again, every fix is stored."""
    import time

    db = tmp_path / "s.db"
    pos = afr.positions
    w = StoreWriterProcess(db, queue_size=2, thin_positions=False)
    pid = w.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.perf_counter()
        parts = _parts(pos, 4)  # ~2,000 fixes, ~150 kB each: more than a pipe holds
        accepted = [w.offer(part) for part in parts]
        took_s = time.perf_counter() - t0
    finally:
        os.kill(pid, signal.SIGCONT)
    assert accepted == [True, True, False, False]
    assert w.drops == 2
    assert took_s < 10.0  # appends and fsyncs only (a blocked send would never return)
    w.close()
    keys = set(zip(pos.icao24.tolist(), pos.time_s.tolist(), strict=True))
    assert len(_rows(db)["track_points"]) == len(keys)


def test_live_steps_are_gathered_into_few_commits(tmp_path: Path, afr: ReplayResult) -> None:
    """Position batches and events offered a step at a time are committed together, within
    ``commit_every_s`` of the last commit: fewer transactions, the rows the thread stores;
    ``flush`` ends the gathering rather than waiting for it."""
    import time

    _write(StoreWriter, tmp_path / "thread.db", afr)
    w = StoreWriterProcess(tmp_path / "process.db", commit_every_s=30.0)
    events = list(afr.events)
    for i, part in enumerate(_parts(afr.positions, 30)):
        assert w.offer(part)
        if i in (10, 20):  # the takeoff, then the landing, each between two steps
            assert w.offer(events[:1] if i == 10 else events[1:])
        time.sleep(0.01)
    t0 = time.monotonic()
    w.flush()
    assert time.monotonic() - t0 < 10.0  # not the 30 s gathering
    assert w.batches_written <= 5  # 32 offers: the first alone, then positions + events
    w.close()
    assert _rows(tmp_path / "process.db") == _rows(tmp_path / "thread.db")


def test_the_log_rotates_while_live_batches_wait_for_their_commit(
    tmp_path: Path, afr: ReplayResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A steady flow (a batch every 30 ms, commits gathered over 0.3 s) never leaves the queue
    empty at an ack: the log is set aside anyway and deleted once what it holds is committed,
    and nothing is lost."""
    import itertools
    import time

    from flyvakt.store import writerproc

    monkeypatch.setattr(writerproc, "ROTATE_BYTES", 50_000)
    _write(StoreWriter, tmp_path / "thread.db", afr)
    w = StoreWriterProcess(tmp_path / "process.db", commit_every_s=0.3)
    rotated = []
    rotate = w.position_log.rotate
    monkeypatch.setattr(w.position_log, "rotate", lambda: rotated.append(1) or rotate())
    sizes = []
    for part in _parts(afr.positions, 60):
        assert w.offer(part)
        old = w.position_log.old
        sizes.append(w.position_log.size() + (old.stat().st_size if old.exists() else 0))
        time.sleep(0.03)
    assert w.offer(list(afr.events))
    w.close()
    # Set aside and deleted while the flow went on (without: one file growing to ~760 kB).
    assert len(rotated) >= 2 and sum(b < a for a, b in itertools.pairwise(sizes)) >= 1
    assert _rows(tmp_path / "process.db") == _rows(tmp_path / "thread.db")
    assert not list(tmp_path.glob("*-log*"))
