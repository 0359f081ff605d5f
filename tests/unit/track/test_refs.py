"""The surface-reference index against a brute-force scan of every airport."""

from __future__ import annotations

import numpy as np

from flyvakt.geo.distance import haversine_nm
from flyvakt.runtime.setup import tracker_config
from flyvakt.track.refs import RefIndex


def _airport_index() -> tuple[np.ndarray, np.ndarray, RefIndex]:
    """Every airport (no heliports/seaplane bases), as the tracker uses, and their index."""
    cfg = tracker_config()
    lats = np.asarray(cfg.surface_refs_lat)
    lons = np.asarray(cfg.surface_refs_lon)
    return lats, lons, RefIndex(lats, lons)


def test_nearest_nm_equals_brute_force_over_all_airports() -> None:
    lats, lons, index = _airport_index()
    rng = np.random.default_rng(3)
    # Synthetic query points: near real airports (clustered, as aircraft on the ground are),
    # anywhere on the globe, near the antimeridian and the poles, and not finite.
    near = rng.choice(lats.size, 3_000)
    q_lat = np.concatenate(
        [
            lats[near] + rng.normal(0, 0.3, near.size),
            rng.uniform(-90, 90, 1_000),
            rng.uniform(-60, 60, 200),
            [89.5, -89.9, np.nan, 10.0],
        ]
    )
    q_lon = np.concatenate(
        [
            lons[near] + rng.normal(0, 0.3, near.size),
            rng.uniform(-180, 180, 1_000),
            rng.choice([-179.9, 179.9], 200),
            [0.0, 120.0, 5.0, np.inf],
        ]
    )
    q_lat = np.clip(q_lat, -90, 90)
    max_nm = 30.0
    got = index.nearest_nm(q_lat, q_lon, max_nm)
    ok = np.isfinite(q_lat) & np.isfinite(q_lon)
    brute = np.full(q_lat.size, np.inf)
    for k in np.flatnonzero(ok):
        d = haversine_nm(q_lat[k], q_lon[k], lats, lons).min()
        brute[k] = d if d <= max_nm else np.inf
    assert np.isfinite(got).sum() > 2_500  # most points near airports have one within 30 NM
    # Known limit, kept as it was: within 0.5° of a pole the window (cos φ clipped at 89°) can
    # miss a reference across the pole; there the answer may be "none" (the safe side).
    polar = np.abs(q_lat) > 89.0
    assert np.allclose(got[~polar], brute[~polar], rtol=0, atol=1e-9)
    assert (np.isinf(got[~polar]) == np.isinf(brute[~polar])).all()
    assert (np.isinf(got[polar]) | (got[polar] == brute[polar])).all()


def test_query_cells_give_the_window_search_bit_for_bit() -> None:
    # nearest_nm measures each point against its 0.1° query cell's candidates only (the
    # nearest to the cell's centre and those that can beat it): the same distances, to the bit,
    # as measuring it against every reference of its window (_nearest_window, the search it
    # replaced), on points crowded on airports (as surface aircraft are), spread around them,
    # across the antimeridian, and asked twice (the second time from the kept cells).
    lats, lons, index = _airport_index()
    rng = np.random.default_rng(11)
    near = rng.choice(lats.size, 2_000)
    q_lat = np.concatenate(
        [
            np.repeat(lats[near[:50]], 20) + rng.normal(0, 0.01, 1_000),
            lats[near] + rng.normal(0, 0.4, near.size),
            rng.uniform(-88, 88, 500),
            rng.uniform(-60, 60, 200),
        ]
    )
    q_lon = np.concatenate(
        [
            np.repeat(lons[near[:50]], 20) + rng.normal(0, 0.01, 1_000),
            lons[near] + rng.normal(0, 0.4, near.size),
            rng.uniform(-180, 180, 500),
            rng.choice([-179.97, 179.97], 200),
        ]
    )
    q_lat = np.clip(q_lat, -88.9, 88.9)
    for max_nm in (30.0, 5.0):
        want = index._nearest_window(q_lat, q_lon, max_nm)
        assert np.isfinite(want).sum() > 1_000
        for _ in range(2):
            got = index.nearest_nm(q_lat, q_lon, max_nm)
            assert np.array_equal(got, want)
