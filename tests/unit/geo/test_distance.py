"""One great-circle distance (geo/distance.py): the array and float forms agree, and match
known distances."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.geo.distance import EARTH_RADIUS_NM, distance_nm, haversine_nm


def test_known_distances() -> None:
    # LFPG (49.0097, 2.5479) to LFBO (43.6291, 1.3638): 327 NM by great circle.
    assert distance_nm(49.0097, 2.5479, 43.6291, 1.3638) == pytest.approx(327.5, abs=1.0)
    # A quarter of a meridian.
    assert distance_nm(0.0, 0.0, 90.0, 0.0) == pytest.approx(np.pi / 2 * EARTH_RADIUS_NM)
    # Across the antimeridian the short way round: 1 degree of longitude on the equator = 60 NM.
    assert distance_nm(0.0, 179.5, 0.0, -179.5) == pytest.approx(60.04, abs=0.01)


def test_array_and_float_forms_agree() -> None:
    rng = np.random.default_rng(7)
    la1, la2 = rng.uniform(-89, 89, (2, 200))
    lo1, lo2 = rng.uniform(-180, 180, (2, 200))
    arr = haversine_nm(la1, lo1, la2, lo2)
    one = [distance_nm(*v) for v in zip(la1, lo1, la2, lo2, strict=True)]
    np.testing.assert_allclose(arr, one, rtol=1e-12)
    assert float(haversine_nm(10.0, 20.0, 10.0, 20.0)) == 0.0
