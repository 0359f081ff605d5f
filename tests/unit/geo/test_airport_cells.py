"""geo/cells.py's AirportCells, against the per-point search (Airports.near, brute force over
the grid): the nearest airport is near()'s first to the bit, a point whose cell is not listed
has no airport within the radius, and no airport within the radius is higher (or lower) than
its cell's bound (the detector skips the search above it, and for fixes level with all)."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.geo import get_world


def _points() -> tuple[np.ndarray, np.ndarray]:
    """Points a few NM from real airports (the highest ones included), around dense fields
    (Paris, Southern California), anywhere on earth, near the poles, across the antimeridian,
    and positions that are not finite."""
    ap = get_world().airports
    rng = np.random.default_rng(11)
    some = rng.choice(len(ap.lat_deg), 1500, replace=False)
    high = np.argsort(ap.elevation_ft)[-50:]
    at = np.r_[some, high]
    lats = np.r_[ap.lat_deg[at] + rng.uniform(-0.08, 0.08, len(at)), rng.uniform(-90, 90, 500)]
    lons = np.r_[ap.lon_deg[at] + rng.uniform(-0.1, 0.1, len(at)), rng.uniform(-180, 180, 500)]
    lats = np.r_[
        np.clip(lats, -90, 90), rng.uniform(48.3, 49.3, 400), rng.uniform(33.0, 38.0, 400),
        89.5, -88.0, 84.0, 51.0, -16.5, 90.0, -90.0, np.nan, 40.0, 91.0,
    ]  # fmt: skip
    lons = np.r_[
        (lons + 180) % 360 - 180, rng.uniform(1.8, 3.2, 400), rng.uniform(-123.0, -117.0, 400),
        10.0, 170.0, -179.99, 179.98, -179.95, 0.0, 0.0, 2.0, np.inf, 0.0,
    ]  # fmt: skip
    return lats, lons


@pytest.mark.parametrize("radius_nm", [5.0, 10.0])
def test_nearest_is_near_first_and_the_bound_holds(radius_nm: float) -> None:
    w = get_world()
    ap = w.airports
    lats, lons = _points()
    grid = w.airport_cells(radius_nm)
    cell = grid.cells(lats, lons)
    nearest, chord2 = grid.nearest(lats, lons, cell)
    top = grid.highest_ft(cell)
    bottom = grid.lowest_ft(cell)
    found = 0
    for k in range(len(lats)):
        if not (np.isfinite(lats[k]) and np.isfinite(lons[k]) and abs(lats[k]) <= 90):
            assert cell[k] == -1 and nearest[k] == -1 and top[k] == -np.inf
            continue
        near = ap.near(float(lats[k]), float(lons[k]), radius_nm)
        if not near:
            assert nearest[k] == -1 and np.isinf(chord2[k]), k
            continue
        found += 1
        assert cell[k] >= 0, k  # a listed cell
        assert nearest[k] == near[0][0], k
        assert max(ap.elevation_ft[i] for i, _d in near) <= top[k], k
        assert min(ap.elevation_ft[i] for i, _d in near) >= bottom[k], k
    assert found > 1000
    assert (cell == -1).sum() > 300  # the points far from any field are not searched
    assert np.mean(top[cell >= 0] < w.highest_airport_ft()) > 0.9  # a bound that helps
    assert np.all(bottom[cell == -1] == np.inf) and np.all(bottom[cell >= 0] <= top[cell >= 0])
    # With NumPy's sin/cos (the detector's field search): the same airports, but where two
    # distances, or a distance and the radius, are equal to within rounding.
    loose, _c2 = grid.nearest(lats, lons, cell, exact=False)
    same = 0
    for k in np.flatnonzero(cell >= 0).tolist():
        near = ap.near(float(lats[k]), float(lons[k]), radius_nm + 1e-6)
        tie = bool(near) and (
            abs(near[0][1] - radius_nm) < 1e-6 or (len(near) > 1 and near[1][1] - near[0][1] < 1e-6)
        )
        if not tie:
            assert loose[k] == nearest[k], k
            same += 1
    assert same > 1000
    # Searching part of the points answers the same for those.
    half = np.flatnonzero(cell >= 0)[::2]
    again, c2 = grid.nearest(lats[half], lons[half], cell[half])
    assert np.array_equal(again, nearest[half]) and np.array_equal(c2, chord2[half])


def test_cell_keys_in_range_fast_path_matches_the_general_one() -> None:
    """Points all in range take ``cell_keys``' path without ``np.where``; one point out of
    range (here NaN) sends the whole array down the general path. The in-range points' keys
    must be the same either way (cell edges, the antimeridian and the poles included)."""
    from flyvakt.geo.cells import _NOWHERE, cell_keys

    lats, lons = _points()
    ok = np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) < 90) & (np.abs(lons) <= 180)
    edges = np.arange(-89.75, 90.0, 0.25)
    lats = np.r_[lats[ok], edges, np.full(3, 12.5)]
    lons = np.r_[lons[ok], np.resize(np.arange(-180.0, 180.25, 0.25), len(edges)), -180, 0, 180]
    fast = cell_keys(lats, lons)
    general = cell_keys(np.r_[lats, np.nan], np.r_[lons, 0.0])
    assert general[-1] == _NOWHERE  # the general path was taken
    assert fast.dtype == general.dtype == np.int64
    # Longitude 180 exactly: the table's extra column (fast) or column 0 (general, wrapped),
    # the same cell either way; every other key is the same.
    east = lons == 180.0
    assert east.sum() >= 1
    assert np.array_equal(fast[~east], general[:-1][~east])
    table = get_world().airport_cells(5.0)._table
    assert np.array_equal(table[fast], table[general[:-1]])
