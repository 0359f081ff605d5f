"""runs_by_key: one place for the per-aircraft run boundaries of a sorted batch."""

from __future__ import annotations

import numpy as np

from flyvakt.model.runs import runs_by_key


def test_runs_of_a_sorted_key_column() -> None:
    r = runs_by_key(np.array([5, 5, 7, 9, 9, 9], dtype=np.uint32))
    assert r.is_start.tolist() == [True, False, True, True, False, False]
    assert r.starts.tolist() == [0, 2, 3] and r.ends.tolist() == [1, 2, 5]
    assert r.gid.tolist() == [0, 0, 1, 2, 2, 2]
    assert r.start_of_row.tolist() == [0, 0, 2, 3, 3, 3]


def test_empty_and_single() -> None:
    e = runs_by_key(np.array([], dtype=np.uint32))
    assert len(e.starts) == len(e.ends) == len(e.gid) == 0
    one = runs_by_key(np.array([3], dtype=np.uint32))
    assert one.starts.tolist() == [0] and one.ends.tolist() == [0]
