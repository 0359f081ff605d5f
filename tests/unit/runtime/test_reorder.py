"""The reorder window (flyvakt.runtime.reorder): a replay of a file a few seconds out of time
order gives the same positions and events whatever its batch size.

Real data: the bundled AFR34ZG recording and calfire.json.gz (traffic, MIT; tests/data/
PROVENANCE.md). calfire is really out of order (grouped per aircraft); the AFR34ZG disorder
is SYNTHETIC damage: rows shuffled within 3 s (jitter), a few moved a minute later (late).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.model import FrameBatch, ObservationBatch, PositionBatch
from flyvakt.pipeline import PipelineState, finish, flush, step
from flyvakt.runtime.reorder import REORDER_WINDOW_S, ReorderStats, reorder
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sources import Batch, FileReader

DATA = Path(__file__).resolve().parents[2] / "data" / "traffic"
AFR = DATA / "full_flight_short.jsonl.gz"
CALFIRE = DATA / "calfire.json.gz"
DET = make_detector()


@pytest.fixture(scope="module")
def frames() -> FrameBatch:
    return FrameBatch.concat([b for b in FileReader(str(AFR)) if isinstance(b, FrameBatch)])


def _jittered(fb: FrameBatch, late_rows: int = 0) -> FrameBatch:
    """Rows shuffled within 3 s; ``late_rows`` rows moved 60 s later in the file."""
    rng = np.random.default_rng(4)
    order = np.argsort(fb.time_s + rng.uniform(0.0, 3.0, len(fb)), kind="stable")
    if late_rows:
        moved = rng.choice(len(order) - 5000, late_rows, replace=False)
        t = fb.time_s[order]
        at = np.searchsorted(t, t[moved] + 60.0)  # placed among rows a minute newer
        keep = np.setdiff1d(np.arange(len(order)), moved)
        pos = np.r_[keep.astype(np.float64), at - 0.5]
        order = np.r_[order[keep], order[moved]][np.argsort(pos, kind="stable")]
    return fb.take(order)


def _chunks(fb: Batch, size: int) -> list[Batch]:
    return [fb.take(np.arange(a, min(a + size, len(fb)))) for a in range(0, len(fb), size)]


def _replay(
    fb: Batch, size: int, *, window: bool = True
) -> tuple[list[Any], list[dict[str, Any]], int]:
    state, cfg = PipelineState(), tracker_config()
    stats = ReorderStats()
    pos, events = [], []
    chunks = _chunks(fb, size)
    for b in reorder(chunks, stats=stats) if window else chunks:
        state, out = step(state, b, cfg, DET)
        pos.append(out.positions)
        events += out.events
    state, out = flush(state, cfg, DET)
    pos.append(out.positions)
    events += out.events + finish(state, DET)
    p = PositionBatch.concat(pos)
    rows = sorted(zip(p.icao24.tolist(), p.time_s.tolist(), p.lat_deg.tolist(), strict=True))
    return rows, sorted((e.as_dict() for e in events), key=str), stats.late


def test_output_sequence_does_not_depend_on_input_batches(frames: FrameBatch) -> None:
    fb = _jittered(frames, late_rows=40)
    want: np.ndarray | None = None
    for size in (1, 7, 500, 65536):
        stats = ReorderStats()
        out = [b for b in reorder(_chunks(fb.take(np.arange(3000)), size), stats=stats)]
        got = np.concatenate([b.time_s for b in out])
        assert len(got) == 3000
        if want is None:
            want = got
        np.testing.assert_array_equal(got, want, err_msg=str(size))


def test_jitter_within_the_window_is_sorted_and_nothing_is_late(frames: FrameBatch) -> None:
    fb = _jittered(frames)
    assert (np.diff(fb.time_s) < 0).sum() > 1000  # really out of order
    stats = ReorderStats()
    t = np.concatenate([b.time_s for b in reorder(_chunks(fb, 4096), stats=stats)])
    assert stats.late == 0 and (np.diff(t) >= 0).all() and len(t) == len(fb)


def test_replay_with_late_rows_does_not_depend_on_batch_size(frames: FrameBatch) -> None:
    fb = _jittered(frames, late_rows=40)
    p0, e0, late0 = _replay(fb, 65536)
    assert len(p0) > 1000 and len(e0) > 0
    assert 40 <= late0 < 80 and REORDER_WINDOW_S < 60.0  # the moved rows are late, counted
    for size in (512, 4096):
        p1, e1, late1 = _replay(fb, size)
        assert (late1, p1, e1) == (late0, p0, e0), size


def test_calfire_grouped_per_aircraft_replays_the_same_at_any_batch_size() -> None:
    """calfire.json.gz (real, grouped per aircraft, days out of time order): one cut changed
    a hundred events before the window; now its late runs are cut the same way every time."""
    fb = ObservationBatch.concat([b for b in FileReader(str(CALFIRE))])  # type: ignore[misc]
    p0, e0, late0 = _replay(fb, len(fb))
    p1, e1, late1 = _replay(fb, 1000)
    assert late0 == late1 > len(fb) // 2
    assert (p1, e1) == (p0, e0)
    # Without the window the same cuts change events (what the window is for).
    assert _replay(fb, 1000, window=False)[1] != _replay(fb, len(fb), window=False)[1]


def test_newest_before_passes_over_rows_without_time() -> None:
    from flyvakt.runtime.reorder import newest_before

    t = np.array([np.nan, 5.0, 3.0, np.nan, 9.0, 1.0])
    assert newest_before(-np.inf, t).tolist() == [-np.inf, -np.inf, 5.0, 5.0, 5.0, 9.0, 9.0]
    assert newest_before(7.0, t).tolist() == [7.0, 7.0, 7.0, 7.0, 7.0, 9.0, 9.0]
    assert newest_before(2.0, np.zeros(0)).tolist() == [2.0]


def test_an_in_order_batch_leaves_the_window_as_views_of_itself() -> None:
    # Released in two parts (the last REORDER_WINDOW_S held back), neither copied.
    n = 1000
    b = FrameBatch.empty(n)
    b.time_s[:] = np.linspace(0.0, 60.0, n)
    parts = list(reorder([b]))
    assert sum(map(len, parts)) == n and len(parts) == 2
    assert all(np.shares_memory(p.time_s, b.time_s) for p in parts)
    assert all(np.shares_memory(p.payload, b.payload) for p in parts)
    assert np.array_equal(np.concatenate([p.time_s for p in parts]), b.time_s)


def test_order_keys_are_the_select_of_times_and_floors() -> None:
    """order_keys (the times themselves when none is late or unknown) gives what the select
    of the floor for late or unknown records, the time otherwise, gives: ordered batches,
    with late records, with unknown times."""
    from flyvakt.runtime.reorder import newest_before, order_keys

    rng = np.random.default_rng(12)
    ordered = 1.7e9 + np.cumsum(rng.uniform(0.0, 2.0, 500))
    jitter = ordered + rng.uniform(-3.0, 3.0, 500)
    late = ordered.copy()
    late[[40, 41, 300]] -= 60.0
    unknown = ordered.copy()
    unknown[[7, 450]] = np.nan
    for t in (ordered, jitter, late, unknown, ordered[:0]):
        upto = newest_before(-np.inf, t)
        floor = upto[:-1] - REORDER_WINDOW_S
        is_late = t < floor
        key = order_keys(t, floor, is_late, int(np.count_nonzero(is_late)))
        want = np.where(np.isnan(t) | is_late, floor, t)
        np.testing.assert_array_equal(key, want)
    assert order_keys(ordered, ordered - 5.0, np.zeros(500, bool), 0) is ordered  # no select


def _copied(b: ObservationBatch) -> ObservationBatch:
    return b.take(np.arange(len(b)))  # arrays of its own: releases across it concatenate


def test_releases_across_batches_of_one_buffer_are_views_and_the_same_rows() -> None:
    """Batches that are consecutive rows of one buffer (a state-vector CSV's arena, sources/
    reader.py ``_Fill``) leave the window as views of that buffer where a release takes the
    held tail of one and the head of the next (or of several: 5 s of rows longer than a
    batch), with the same rows and the same batches as batches of their own (concatenated)."""
    rng = np.random.default_rng(21)
    n = 5000
    buf = ObservationBatch.empty(n)
    buf.time_s[:] = 1.7e9 + np.cumsum(rng.uniform(0.0, 0.2, n))
    buf.icao24[:] = rng.integers(0, 1 << 24, n)
    buf.callsign[:] = [f"C{i}" for i in range(n)]
    for size in (7, 100, 700, 4999):
        own = [_copied(buf.rows(a, min(a + size, n))) for a in range(0, n, size)]
        shared = [buf.rows(a, min(a + size, n)) for a in range(0, n, size)]
        want, got = list(reorder(own)), list(reorder(shared))
        assert [len(b) for b in got] == [len(b) for b in want]
        for g, w in zip(got, want, strict=True):
            for name in ObservationBatch._defaults:
                np.testing.assert_array_equal(getattr(g, name), getattr(w, name))
        assert all(np.shares_memory(b.time_s, buf.time_s) for b in got)
        assert all(np.shares_memory(b.callsign, buf.callsign) for b in got)


def test_joined_is_a_view_only_of_consecutive_rows_of_one_array() -> None:
    from flyvakt.runtime.reorder import _adjacent, _joined

    buf = FrameBatch.empty(50)
    buf.time_s[:] = np.arange(50.0)
    buf.payload[:, 0] = np.arange(50)
    whole = _joined([buf.rows(3, 10), buf.rows(10, 11), buf.rows(11, 30)])
    assert np.shares_memory(whole.payload, buf.payload) and whole.time_s.tolist() == list(
        range(3, 30)
    )
    assert whole.payload[:, 0].tolist() == list(range(3, 30))
    other = FrameBatch.empty(50)
    other.time_s[:] = np.arange(50.0)
    for parts in (
        [buf.rows(3, 10), buf.rows(11, 30)],  # a gap
        [buf.rows(10, 20), buf.rows(3, 10)],  # out of order
        [buf.rows(3, 10), buf.rows(9, 30)],  # an overlap
        [buf.rows(3, 10), other.rows(10, 30)],  # another array
        [_copied_frames(buf.rows(3, 10)), buf.rows(10, 30)],  # one of its own
    ):
        got = _joined(parts)
        assert not np.shares_memory(got.time_s, buf.time_s)
        want = np.concatenate([p.time_s for p in parts])
        assert got.time_s.tolist() == want.tolist()
    assert _adjacent([buf.time_s[::2][:3], buf.time_s[::2][3:5]]) is None  # strided


def _copied_frames(b: FrameBatch) -> FrameBatch:
    return b.take(np.arange(len(b)))


def test_in_order_after_only_where_no_row_is_late_or_unknown() -> None:
    """``in_order_after`` (the window's and the file sort's one-pass test) is True only for
    batches the running maximum finds no late row and no unknown time in, with the same
    newest time after them; and True for every ordered batch within the window of the newest
    before it."""
    from flyvakt.runtime.reorder import in_order_after, newest_before

    rng = np.random.default_rng(5)
    w = REORDER_WINDOW_S
    cases = 0
    for _ in range(400):
        n = int(rng.integers(0, 12))
        t = 1.7e9 + np.cumsum(rng.choice([0.0, 0.5, 3.0, -2.0, -7.0, 40.0], n))
        if n and rng.random() < 0.2:
            t[rng.integers(0, n)] = np.nan
        newest = float(rng.choice([-np.inf, 1.7e9 - 10.0, 1.7e9 - 3.0, 1.7e9, 1.7e9 + 8.0]))
        upto = newest_before(newest, t)
        quiet = not np.isnan(t).any() and not bool(np.any(t < upto[:-1] - w))
        if in_order_after(newest, t, w):
            cases += 1
            assert quiet and n and max(newest, float(t[-1])) == float(upto[-1])
        else:  # an ordered batch none of whose rows is late is always taken
            assert not (quiet and n and bool(np.all(np.diff(t) >= 0)))
    assert cases > 50
