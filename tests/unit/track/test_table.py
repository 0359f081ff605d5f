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


def test_rows_view_follows_the_index_in_arrival_order() -> None:
    # No dict beside the index: ``rows`` is a view of it, iterated in arrival order (the
    # order the API lists aircraft in), through drops, reused rows and a growth by 16x.
    t = StateTable(capacity=4)
    t.rows_for(np.array([50, 10, 30], np.uint32), np.zeros(3))
    t.drop_many([10, 10, 99])  # repeated and unknown addresses are ignored
    t.rows_for(np.array([20, 5], np.uint32), np.ones(2))
    t.rows_for(np.arange(100, 160, dtype=np.uint32), np.full(60, 2.0))
    assert t.capacity == 64 and len(t) == 64 and t.free.size == 0
    assert list(t.rows)[:4] == [50, 30, 20, 5]
    assert t.cols["icao24"][t.live_rows()].tolist() == list(t.rows)
    assert t.rows[20] == 1 and 20 in t.rows and 10 not in t.rows and 1 << 40 not in t.rows
    assert t.rows.contains_many(np.array([5, 10, 159], np.uint32)).tolist() == [True, False, True]
    assert t.cols["first_seen_s"][t.rows[50]] == 0.0 and t.cols["first_seen_s"][t.rows[159]] == 2.0
    restored = StateTable.from_arrays(t.to_arrays())
    assert list(restored.rows) == sorted(t.rows) and restored.rows[159] == 63
