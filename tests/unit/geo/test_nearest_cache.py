"""Airports.nearest_index keeps each query cell's candidates: answers with them kept, after the
cache starts again, and with none kept are the same."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.geo import airports as A
from flyvakt.geo import get_world


def test_kept_candidates_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    ap = get_world().airports
    rng = np.random.default_rng(2)
    lats = np.r_[48.9 + rng.normal(0, 1.0, 3000), rng.uniform(-80, 80, 3000)]
    lons = np.r_[2.5 + rng.normal(0, 1.5, 3000), rng.uniform(-180, 180, 3000)]
    ap._cell_cands.clear()
    fresh = ap.nearest_index(lats, lons, 5.0)
    assert len(ap._cell_cands) > 100
    kept = ap.nearest_index(lats, lons, 5.0)
    assert np.array_equal(fresh[0], kept[0]) and np.array_equal(fresh[1], kept[1])
    assert (fresh[0] >= 0).sum() > 500
    # A full cache starts again, and answers the same.
    monkeypatch.setattr(A, "QUERY_CELLS_KEPT", 50)
    ap._cell_cands.clear()
    again = ap.nearest_index(lats, lons, 5.0)
    assert len(ap._cell_cands) <= 50
    assert np.array_equal(fresh[0], again[0]) and np.array_equal(fresh[1], again[1])
