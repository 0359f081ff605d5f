"""SampleTails keeps each aircraft's rows of its latest country-sample period (detect/tails.py),
checked against a plain per-aircraft definition on real recordings cut into short batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.detect.tails import SampleTails, _joined, _period
from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"


def _latest_by_hand(seen: PositionBatch) -> PositionBatch:
    """Per aircraft, in the order fed: its rows in the period of its latest time."""
    keep = np.zeros(len(seen), np.bool_)
    for a in np.unique(seen.icao24).tolist():
        mine = seen.icao24 == a
        keep |= mine & (_period(seen.time_s) == _period(seen.time_s[mine].max()))
    return seen.take(np.flatnonzero(keep))


def _keys(p: PositionBatch) -> set[tuple[int, float, float]]:
    return set(zip(p.icao24.tolist(), p.time_s.tolist(), p.lat_deg.tolist(), strict=True))


def _same(a: PositionBatch, b: PositionBatch) -> bool:
    cols = [(getattr(a, c), getattr(b, c)) for c in PositionBatch._defaults]
    return len(a) == len(b) and all(
        x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f") for x, y in cols
    )


def _from_last_sample(tails: SampleTails, fed: PositionBatch, a: int) -> None:
    """From aircraft ``a``'s last sample (the first row of its latest period), as the airspace
    rule asks: a lookup gives its rows after it of all rows ``fed``, whatever was kept."""
    own = fed.take(np.flatnonzero(fed.icao24 == a))
    s = float(own.time_s[_period(own.time_s) == _period(own.time_s.max())].min())
    assert _same(tails.since(a, s), own.take(np.flatnonzero(own.time_s > s)))


@pytest.mark.parametrize("name", ["calfire.json.gz", "airbus_tree.json.gz"])
def test_compacted_tails_are_each_aircrafts_latest_period(name: str) -> None:
    res = replay_files([str(DATA / "traffic" / name)], keep_positions=True, detect=False)
    p = res.positions
    assert p is not None and len(p) > 2000
    cut = np.floor((p.time_s - p.time_s.min()) / 7.0)  # batches of 7 s: periods span several
    tails, compactions, dropped = SampleTails(), 0, 0
    fed: list[PositionBatch] = []
    for n, k in enumerate(np.unique(cut).tolist()):
        rows = np.flatnonzero(cut == k)
        b = p.take(rows[np.lexsort((p.time_s[rows], p.icao24[rows]))])
        # update keeps the batch whole (the rows of older periods leave at a compaction); the
        # rows (a checkpoint's) are each aircraft's latest period of all fed, at every step.
        plain = PositionBatch.concat([tails.rows, b])
        fed.append(b)
        due = tails.total + len(b) > 2 * tails.compacted + 1024  # kept rows doubled
        tails.update(b)
        want = _latest_by_hand(plain)
        assert _same(tails.rows, want)
        dropped += len(plain) - len(want)
        if due:
            compactions += 1
            assert tails.compacted == tails.total == len(want)
        if n % 25:  # lookups on every 25th batch (calfire is 8,178 batches: every one took 2 min)
            continue
        for a in np.unique(b.icao24).tolist():  # a lookup sees the aircraft's rows, in order
            mine = tails.rows.take(np.flatnonzero(tails.rows.icao24 == a))
            t0 = float(np.median(mine.time_s))
            assert _same(tails.since(a, t0), mine.take(np.flatnonzero(mine.time_s > t0)))
            _from_last_sample(tails, PositionBatch.concat(fed), a)
    assert compactions >= 2 and dropped > 0


def test_dropped_aircraft_are_forgotten_until_heard_again() -> None:
    # drop() only notes the aircraft (its rows leave memory at the next compaction): lookups
    # and the rows kept (checkpoints) must still see none of its rows from before the drop, and
    # every row of it fed after, across compactions, as if the rows had been removed at once.
    # Real recording (calfire) in 7-s batches; every 10th batch drops a third of its aircraft.
    path = str(DATA / "traffic" / "calfire.json.gz")
    res = replay_files([path], keep_positions=True, detect=False)
    p = res.positions
    assert p is not None
    cut = np.floor((p.time_s - p.time_s.min()) / 7.0)
    tails = SampleTails()
    fed: list[PositionBatch] = []  # every batch, minus the rows of dropped aircraft
    drops = compacted = 0
    for n, k in enumerate(np.unique(cut).tolist()):
        rows = np.flatnonzero(cut == k)
        b = p.take(rows[np.lexsort((p.time_s[rows], p.icao24[rows]))])
        before = len(tails.chunks)
        tails.update(b)
        compacted += before > 0 and len(tails.chunks) == 1  # compacted into one chunk
        fed.append(b)  # kept whole (rows of older periods leave at a compaction)
        if n % 10 == 9:
            gone = np.unique(b.icao24)[::3]
            tails.drop(gone.tolist())
            drops += len(gone)
            fed = [f.take(np.flatnonzero(~np.isin(f.icao24, gone))) for f in fed]
        if n % 25:
            continue
        fed = [PositionBatch.concat(fed)]
        everything = fed[0]
        # No row of a forgotten aircraft from before its drop is kept or seen ...
        assert _keys(tails.rows) <= _keys(everything)
        # ... and its latest period (all that a lookup may ask for) is there in full.
        for a in np.unique(b.icao24).tolist():
            mine = everything.take(np.flatnonzero(everything.icao24 == a))
            if not len(mine):
                assert not len(tails.since(a, -np.inf))
                continue
            t0 = float(_period(mine.time_s.max())) * 20.0 - 1e-6  # COUNTRY_SAMPLE_S
            assert _same(tails.since(a, t0), mine.take(np.flatnonzero(mine.time_s > t0)))
            _from_last_sample(tails, everything, a)
    assert drops > 100 and compacted >= 2


def _seen_by_row(tails: SampleTails) -> np.ndarray | None:
    """_seen's definition, row by row: False for a forgotten aircraft's row in a chunk from
    before it was forgotten."""
    out = [
        a not in tails.forgotten or k >= tails.forgotten[a]
        for k, c in enumerate(tails.chunks)
        for a in c.icao24.tolist()
    ]
    return None if all(out) else np.array(out)


@pytest.mark.parametrize("seed", range(6))
def test_forgotten_rows_are_found_per_run_as_per_row(seed: int) -> None:
    # _seen asks per run (an address's rows in one chunk) and gives each row its run's answer:
    # the same rows as asking row by row, also where one address ends a chunk and starts the
    # next with a drop in between (the run must end at the chunk's edge).
    rng = np.random.default_rng(seed)
    tails = SampleTails()
    tails.compacted = 10**9  # no compaction: the chunks and marks as fed
    for k in range(8):
        icao = np.sort(rng.integers(1, 12, rng.integers(1, 40))).astype(np.uint32)
        if k:
            icao[0] = tails.chunks[-1].icao24[-1]  # the same address across the edge
        b = PositionBatch.empty(len(icao))
        b.icao24[:] = icao
        b.time_s[:] = np.arange(len(icao)) + 100.0 * k
        tails.update(b)
        if rng.random() < 0.5:
            tails.drop(rng.choice(12, 3, replace=False).tolist())
    assert tails.forgotten
    icao = np.concatenate([c.icao24 for c in tails.chunks])
    want, got = _seen_by_row(tails), tails._seen(icao)
    assert (want is None) == (got is None)
    if want is not None and got is not None:
        assert np.array_equal(got, want)


def test_joined_columns_are_concatenated_takes() -> None:
    # A compaction's columns (_joined): each chunk's kept rows taken into their place, the
    # values and dtype np.concatenate of the chunks' takes gives; chunks whose column dtypes
    # differ (here squawk) are joined by np.concatenate itself (its promotion), as before.
    rng = np.random.default_rng(3)
    chunks = [PositionBatch.empty(n) for n in (5, 0, 7)]
    for c in chunks:
        c.time_s = rng.uniform(0, 100, len(c))
        c.callsign = np.array([f"C{i}" for i in range(len(c))], dtype=object)
    chunks[2].squawk = chunks[2].squawk.astype(np.int32) + 70000
    parts = [(chunks[0], np.array([1, 3, 4])), (chunks[1], np.zeros(0, np.int64)),
             (chunks[2], np.array([0, 6]))]  # fmt: skip
    spans = [(0, 3), (3, 3), (3, 5)]
    for name in PositionBatch._defaults:
        want = np.concatenate([getattr(c, name).take(k) for c, k in parts])
        got = _joined(name, parts, spans)
        assert got.dtype == want.dtype, name
        assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), name
    assert _joined("squawk", parts, spans).dtype == np.int32
