"""World.highest_airport_near_ft: never lower than an airport within the radius (the detector
skips the airport search above it), and lower than the table's highest where it can be."""

from __future__ import annotations

import numpy as np

from flyvakt.geo import get_world


def test_no_airport_within_the_radius_is_higher() -> None:
    w = get_world()
    ap = w.airports
    rng = np.random.default_rng(11)
    # Points a few NM from real airports (the highest ones included), anywhere on earth,
    # near the poles and across the antimeridian.
    some = rng.choice(len(ap.lat_deg), 1500, replace=False)
    high = np.argsort(ap.elevation_ft)[-50:]
    at = np.r_[some, high]
    lats = np.r_[ap.lat_deg[at] + rng.uniform(-0.08, 0.08, len(at)), rng.uniform(-90, 90, 500)]
    lons = np.r_[ap.lon_deg[at] + rng.uniform(-0.1, 0.1, len(at)), rng.uniform(-180, 180, 500)]
    lats = np.r_[np.clip(lats, -90, 90), 89.5, -88.0, 84.0, 51.0, -16.5]
    lons = np.r_[(lons + 180) % 360 - 180, 10.0, 170.0, -179.99, 179.98, -179.95]
    for radius in (5.0, 10.0):
        top = w.highest_airport_near_ft(lats, lons, radius)
        for k in range(len(lats)):
            near = w.airports_near(
                float(lats[k]), float(lons[k]), radius, exclude_heliports=False,
                exclude_seaplane=False,
            )  # fmt: skip
            if near:
                assert max(a.elevation_ft for a, _d in near) <= top[k], (lats[k], lons[k])
        assert np.mean(top < w.highest_airport_ft()) > 0.9  # a bound that helps
    assert w.highest_airport_near_ft(np.r_[89.5], np.r_[0.0], 5.0)[0] == w.highest_airport_ft()
    assert w.highest_airport_near_ft(np.r_[np.nan], np.r_[0.0], 5.0)[0] == w.highest_airport_ft()
