"""World.tz_many finds the points' H3 cells itself (geo/world.py::_zone_names): the same
answers as timezonefinder's own batch lookup, and as its fallback when that path is missing."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.geo import get_world
from flyvakt.geo import world as W


def _points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(16)
    # The whole globe, a crowded region of zone borders (Europe), and the edges.
    lats = np.r_[rng.uniform(-90, 90, 4000), rng.uniform(35, 60, 4000), 90.0, -90.0, 0.0, 0.0]
    lons = np.r_[rng.uniform(-180, 180, 4000), rng.uniform(-10, 30, 4000), 0.0, 0.0, 180.0, -180.0]
    return lats, lons


def test_own_cells_answer_as_timezonefinder() -> None:
    world = get_world()
    tzf = world._tz_finder()
    lats, lons = _points()
    assert W._tz_parts() is not None  # the path is taken with this timezonefinder and h3
    own = W._zone_names(tzf, lats, lons)
    assert own == tzf.timezone_names_at(lngs=lons, lats=lats)
    assert world.tz_many(lats, lons) == [str(z) if z else "UTC" for z in own or []]
    assert len(set(own or [])) > 40


def test_without_the_parts_timezonefinder_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    world = get_world()
    lats, lons = _points()
    want = world.tz_many(lats, lons)
    monkeypatch.setattr(W, "_tz_parts", lambda: None)
    assert W._zone_names(world._tz_finder(), lats, lons) is None
    assert world.tz_many(lats, lons) == want
