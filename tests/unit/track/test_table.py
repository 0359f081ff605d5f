"""The state table's bulk row creation: freed rows are reused and every column starts unknown."""

from __future__ import annotations

import numpy as np

from flyvakt.track.table import COLUMNS, StateTable


def test_bulk_rows_reuse_freed_rows_and_reset_every_column() -> None:
    t = StateTable(capacity=4)
    first = t.rows_for(np.array([1, 2, 3], np.uint32), np.array([10.0, 11.0, 12.0]))
    assert first.tolist() == [0, 1, 2]
    t.cols["altitude_baro_ft"][1] = 35000.0  # state that must not leak into a reused row
    t.cols["callsign"][1] = "AFR34ZG"
    t.drop(2)
    # Five new aircraft and one known: the freed row is reused, the table grows past 4.
    got = t.rows_for(np.array([7, 1, 8, 9, 10, 11], np.uint32), np.arange(6, dtype=np.float64))
    assert got[1] == 0 and got[0] == 1
    assert sorted(got.tolist()) == [0, 1, 3, 4, 5, 6] and t.capacity == 8
    assert len(t) == 7 and t.row_of(2) is None and t.row_of(11) == got[5]
    r = int(got[0])
    for name, (_dt, fill) in COLUMNS.items():
        if name in ("icao24", "first_seen_s"):
            continue
        v = t.cols[name][r]
        assert (v is fill) or (v == fill) or (np.isnan(v) and np.isnan(fill)), name
    assert t.cols["icao24"][r] == 7 and t.cols["first_seen_s"][r] == 0.0
