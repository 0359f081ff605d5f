"""``within_nm`` answers as the haversine does, on pairs the bound settles and on those it
leaves (synthetic points: near the limit, far apart, across the antimeridian, NaN, bad limits)."""

from __future__ import annotations

import numpy as np

from flyvakt.geo.distance import haversine_nm
from flyvakt.track.reach import within_nm


def _check(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray, lim: np.ndarray
) -> None:
    with np.errstate(invalid="ignore"):
        want = haversine_nm(lat1, lon1, lat2, lon2) <= lim
    got = within_nm(lat1, lon1, lat2, lon2, lim)
    assert got.dtype == np.bool_
    assert got.tolist() == want.tolist()


def test_random_pairs_and_limits_at_the_distance() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    lat1 = rng.uniform(-89.0, 89.0, n)
    lon1 = rng.uniform(-180.0, 180.0, n)
    # Steps from a metre to the far side of the Earth.
    step = 10.0 ** rng.uniform(-5.0, 2.2, n)
    lat2 = np.clip(lat1 + step * rng.normal(size=n), -90.0, 90.0)
    lon2 = (lon1 + step * rng.normal(size=n) + 180.0) % 360.0 - 180.0
    d = haversine_nm(lat1, lon1, lat2, lon2)
    for lim in (
        d,
        np.nextafter(d, np.inf),
        np.nextafter(d, -np.inf),
        d * (1 + 1e-12),
        d * (1 - 1e-12),
        d * 1.5,
        d * 0.99,
        d + 0.5,
        np.full(n, 4.0),
    ):
        _check(lat1, lon1, lat2, lon2, lim)


def test_moves_along_a_meridian_at_the_limit() -> None:
    # Due north the bound is the distance itself (up to A), so rounding alone decides: the
    # margin leaves these to the haversine.
    dlat = 10.0 ** np.linspace(-9.0, 1.5, 400)
    lat1 = np.full(len(dlat), 47.3)
    lon = np.full(len(dlat), 8.5)
    d = haversine_nm(lat1, lon, lat1 + dlat, lon)
    for lim in (d, np.nextafter(d, np.inf), np.nextafter(d, -np.inf), d + 1e-7, d - 1e-7):
        _check(lat1, lon, lat1 + dlat, lon, lim)


def test_the_bound_settles_nearby_fixes() -> None:
    # Fixes 10 s apart at 450 kt against the walk's limit (0.5 NM + 10 s at 1,300 kt): true,
    # decided without the haversine where most of a state-vector batch lies.
    lat1, lon1 = np.array([52.0, 60.0, -33.9]), np.array([4.0, 179.99, 151.2])
    lat2, lon2 = lat1 + 0.01, lon1 + 0.015
    lim = np.full(3, 0.5 + 10 * 1300 / 3600)
    assert within_nm(lat1, lon1, lat2, lon2, lim).all()


def test_edges() -> None:
    nan, inf = np.nan, np.inf
    lat1 = np.array([0.0, nan, 0.0, 0.0, 0.0, 10.0, 0.0, 95.0, 0.0, 0.0, 0.0, 0.0])
    lon1 = np.array([179.9, 0.0, nan, 0.0, 0.0, 0.0, 0.0, 0.0, -179.99, 0.0, 1e300, 0.0])
    lat2 = np.array([0.0, 0.0, 0.0, nan, 0.0, 10.0, 0.0, 95.0, 0.0, 0.0, 0.0, 0.0])
    lon2 = np.array([-179.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 179.99, 0.0, -1e300, 0.001])
    lim = np.array([12.1, 5.0, 5.0, 5.0, 0.0, -1.0, nan, 1.0, 1.3, inf, 5.0, 0.06])
    _check(lat1, lon1, lat2, lon2, lim)
