"""SampleTails keeps each aircraft's rows of its latest country-sample period (detect/tails.py),
checked against a plain per-aircraft definition on real recordings cut into short batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.detect.tails import SampleTails, _period
from flyvakt.model import PositionBatch
from flyvakt.model.runs import runs_by_key
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"


def _latest_by_hand(seen: PositionBatch) -> PositionBatch:
    """Per aircraft, in the order fed: its rows in the period of its latest time."""
    keep = np.zeros(len(seen), np.bool_)
    for a in np.unique(seen.icao24).tolist():
        mine = seen.icao24 == a
        keep |= mine & (_period(seen.time_s) == _period(seen.time_s[mine].max()))
    return seen.take(np.flatnonzero(keep))


def _same(a: PositionBatch, b: PositionBatch) -> bool:
    cols = [(getattr(a, c), getattr(b, c)) for c in PositionBatch._defaults]
    return len(a) == len(b) and all(
        np.array_equal(x, y, equal_nan=x.dtype.kind == "f") for x, y in cols
    )


@pytest.mark.parametrize("name", ["calfire.json.gz", "airbus_tree.json.gz"])
def test_compacted_tails_are_each_aircrafts_latest_period(name: str) -> None:
    res = replay_files([str(DATA / "traffic" / name)], keep_positions=True, detect=False)
    p = res.positions
    assert p is not None and len(p) > 2000
    cut = np.floor((p.time_s - p.time_s.min()) / 7.0)  # batches of 7 s: periods span several
    tails, compactions, dropped = SampleTails(), 0, 0
    for n, k in enumerate(np.unique(cut).tolist()):
        rows = np.flatnonzero(cut == k)
        b = p.take(rows[np.lexsort((p.time_s[rows], p.icao24[rows]))])
        runs = runs_by_key(b.icao24)
        # What update keeps of a batch: each run's rows of the period of its last row.
        kept = b.take(np.flatnonzero(_period(b.time_s) == _period(b.time_s[runs.ends])[runs.gid]))
        plain = PositionBatch.concat([tails.rows, kept])
        due = len(plain) > 2 * tails.compacted + 1024  # compaction: kept rows doubled
        tails.update(b, runs.gid, runs.ends)
        if due:
            compactions += 1
            want = _latest_by_hand(plain)
            dropped += len(plain) - len(want)
            assert _same(tails.rows, want) and tails.compacted == len(want)
        else:
            assert _same(tails.rows, plain)
        if n % 25:  # lookups on every 25th batch (calfire is 8,178 batches: every one took 2 min)
            continue
        for a in np.unique(b.icao24).tolist():  # a lookup sees the aircraft's rows, in order
            mine = tails.rows.take(np.flatnonzero(tails.rows.icao24 == a))
            t0 = float(np.median(mine.time_s))
            assert _same(tails.since(a, t0), mine.take(np.flatnonzero(mine.time_s > t0)))
    assert compactions >= 2 and dropped > 0
