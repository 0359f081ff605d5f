"""Issue 10 item 6: the store keeps a bounded amount of track (``run --keep``, ``--max-db-size``).

Real data: the traffic ``calfire`` state vectors (45 aircraft over several days).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flyvakt.runtime.replay import replay_files
from flyvakt.store import RetentionSettings, StoreWriter
from flyvakt.store.sql import used_bytes

CALFIRE = Path(__file__).resolve().parents[2] / "data" / "traffic" / "calfire.json.gz"


def _store(path: Path, retention: RetentionSettings) -> tuple[float, float, int, int]:
    """(first fix, last fix, events, track points) stored."""
    res = replay_files([str(CALFIRE)])
    w = StoreWriter(path, retention=retention, thin_positions=False)
    order = res.positions.time_s.argsort()
    pos = res.positions.take(order)
    for i in range(0, len(pos), 500):  # as a live run delivers them, in time order
        assert w.offer(pos.take(slice(i, i + 500)))
        w.flush()  # one transaction each (the writer would coalesce a backlog)
    assert w.offer(res.events)
    w.close()
    with sqlite3.connect(path) as conn:
        lo, hi = conn.execute("SELECT min(time_s), max(time_s) FROM track_points").fetchone()
        n_events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        n_points = conn.execute("SELECT count(*) FROM track_points").fetchone()[0]
        return lo, hi, n_events, n_points


def test_keep_deletes_old_track_points_not_events(tmp_path: Path) -> None:
    lo_all, hi_all, ev_all, _ = _store(tmp_path / "all.db", RetentionSettings())
    lo, hi, ev, _ = _store(tmp_path / "keep.db", RetentionSettings(track_days=1.0))
    assert hi - lo_all > 2 * 86400  # the recording spans more than two days
    assert hi == hi_all and lo >= hi - 86400 - 3600  # one day kept (checked hourly)
    assert ev == ev_all  # events are never deleted


def test_size_cap_deletes_the_oldest_track(tmp_path: Path) -> None:
    _, hi_all, ev_all, n_all = _store(tmp_path / "all.db", RetentionSettings())
    with sqlite3.connect(tmp_path / "all.db") as conn:
        full = used_bytes(conn)
    _lo, hi, ev, n = _store(tmp_path / "cap.db", RetentionSettings(max_bytes=full // 5))
    assert n < n_all * 0.75  # the oldest went
    assert hi == hi_all and ev == ev_all  # the newest fix and every event stay
