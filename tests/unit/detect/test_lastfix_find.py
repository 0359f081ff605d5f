"""LastFixes.find (a vectorised search over the address column) answers as its index does,
across new rows, the column's growth, and the compaction expiry does (a new index)."""

from __future__ import annotations

import numpy as np

from flyvakt.detect.expiry import drop
from flyvakt.detect.state import DetectorState


def _by_index(state: DetectorState, icaos: np.ndarray) -> list[int]:
    return [state.lastfix.index.get(a, -1) for a in icaos.tolist()]


def test_find_answers_as_the_index() -> None:
    rng = np.random.default_rng(5)
    state = DetectorState()
    lf = state.lastfix
    assert lf.find(np.array([0x4CA1], np.int64)).tolist() == [-1]  # no rows yet
    for _ in range(30):
        new = rng.integers(0, 1 << 24, rng.integers(1, 300))
        lf.rows_for(np.unique(new))
        ask = np.r_[rng.choice(lf.cols["icao24"][: lf.size], 50), rng.integers(0, 1 << 24, 50)]
        assert lf.find(ask).tolist() == _by_index(state, ask)
        # Sorted and many against the rows (a batch's aircraft): placed by a merge.
        every = np.sort(np.r_[lf.cols["icao24"][: lf.size], rng.integers(0, 1 << 24, 200)])
        assert lf.find(every).tolist() == _by_index(state, every)
        gone = rng.choice(lf.cols["icao24"][: lf.size], 20, replace=False).tolist()
        drop(state, gone)  # compacts the rows: every aircraft after them moves
        assert lf.find(np.array(gone, np.int64)).tolist() == [-1] * 20
        assert lf.find(ask).tolist() == _by_index(state, ask)
    assert lf.size > 1000  # the columns grew
