from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.track import cpr


def test_nl_known_values() -> None:
    # DO-260B table: NL is 59 at the equator, 2 just below 87°, 1 above.
    lats = np.array([0.0, 10.0, 10.48, 45.0, 86.9, 87.5, -45.0])
    assert nl_list(lats) == [59, 59, 58, 42, 2, 1, 42]


def nl_list(lats: np.ndarray) -> list[int]:
    return [int(x) for x in cpr.nl(lats)]


def test_global_airborne_textbook_pair() -> None:
    # The even/odd pair of the public ADS-B decoding guide (1090 MHz Riddle): 52.2572, 3.9194.
    lat, lon, ok = cpr.global_airborne(
        np.array([93000.0]),
        np.array([51372.0]),
        np.array([74158.0]),
        np.array([50194.0]),
        np.array([False]),
    )
    assert ok[0]
    assert abs(lat[0] - 52.25720) < 1e-4
    assert abs(lon[0] - 3.91937) < 1e-4


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-85, 85),
    lon=st.floats(-179.9, 179.9),
    surface=st.booleans(),
)
def test_encode_then_decode_pair_within_resolution(lat: float, lon: float, surface: bool) -> None:
    la = np.array([lat])
    lo = np.array([lon])
    s = np.array([surface])
    ye, xe = cpr.encode(la, lo, np.array([False]), s)
    yo, xo = cpr.encode(la, lo, np.array([True]), s)
    if surface:
        got_lat, got_lon, ok = cpr.global_surface(
            ye.astype(float),
            xe.astype(float),
            yo.astype(float),
            xo.astype(float),
            np.array([True]),
            la + 0.2,
            lo - 0.2,
        )
        tol = 90.0 / 60.0 / 2**17 * 2  # surface: ~1.3 m per step
    else:
        got_lat, got_lon, ok = cpr.global_airborne(
            ye.astype(float), xe.astype(float), yo.astype(float), xo.astype(float), np.array([True])
        )
        tol = 360.0 / 59.0 / 2**17 * 2  # airborne: ~5 m per step
    if not ok[0]:
        return  # the pair straddles an NL boundary: the decoder must say so, not guess
    assert abs(got_lat[0] - lat) <= tol
    lon_tol = tol / max(np.cos(np.radians(lat)), 0.05) * 2
    assert abs(((got_lon[0] - lon) + 180) % 360 - 180) <= lon_tol


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-85, 85),
    lon=st.floats(-179.9, 179.9),
    odd=st.booleans(),
    surface=st.booleans(),
    dlat=st.floats(-0.3, 0.3),
    dlon=st.floats(-0.3, 0.3),
)
def test_local_decode_inverts_encode(
    lat: float, lon: float, odd: bool, surface: bool, dlat: float, dlon: float
) -> None:
    la, lo = np.array([lat]), np.array([lon])
    y, x = cpr.encode(la, lo, np.array([odd]), np.array([surface]))
    got_lat, got_lon = cpr.local_decode(
        y.astype(float), x.astype(float), np.array([odd]), la + dlat, lo + dlon, np.array([surface])
    )
    assert abs(got_lat[0] - lat) < 1e-3
    assert abs(((got_lon[0] - lon) + 180) % 360 - 180) < 1e-3 / max(np.cos(np.radians(lat)), 0.05)


def test_local_decode_never_goes_past_a_pole() -> None:
    # A reference 0.001° from the south pole and a (CRC-valid garbage) latitude code 0.9 of a
    # zone: the nearest zone solution is -90.6°, which is nowhere; the decoder says NaN.
    yz = np.array([0.9 * cpr.CPR_SCALE])
    lat, lon = cpr.local_decode(
        yz, np.array([1000.0]), np.array([False]), np.array([-89.999]), np.array([10.0]),
        np.array([False]),
    )  # fmt: skip
    assert np.isnan(lat[0]) and np.isnan(lon[0])
    # The same code against a reference in the zone decodes normally.
    lat, _ = cpr.local_decode(
        yz, np.array([1000.0]), np.array([False]), np.array([-84.0]), np.array([10.0]),
        np.array([False]),
    )  # fmt: skip
    assert abs(lat[0] - (-84.6)) < 1e-9
