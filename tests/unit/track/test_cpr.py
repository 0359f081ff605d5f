from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.track import cpr


def test_nl_known_values() -> None:
    # DO-260B table: NL is 59 at the equator, 2 just below 87°, 1 above.
    lats = np.array([0.0, 10.0, 10.48, 45.0, 86.9, 87.5, -45.0])
    assert nl_list(lats) == [59, 59, 58, 42, 2, 1, 42]


def test_nl_by_bands_is_the_search_of_the_transitions() -> None:
    # The band table against the binary search it replaced, at every transition and the
    # floats either side of it, band edges, random latitudes of both signs, and values no
    # decode should give but garbage can (beyond 90°, up to 270°, inf, NaN: NL 1 there).
    t = cpr._TRANSITIONS
    edges = np.arange(0, 361) / 4.0
    rng = np.random.default_rng(12)
    lats = np.concatenate([
        t, np.nextafter(t, 0.0), np.nextafter(t, 100.0), edges, np.nextafter(edges, -1.0),
        rng.uniform(-95.0, 95.0, 20000), [90.0, 90.5, 180.0, 269.9, np.inf, -np.inf, np.nan, -0.0],
    ])  # fmt: skip
    lats = np.concatenate([lats, -lats])
    want = 59 - np.searchsorted(t, np.abs(lats), side="right")
    got = cpr.nl(lats)
    assert got.dtype == np.int64 and got.tolist() == want.tolist()


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


def _tiled(e_lat, e_lon, o_lat, o_lon, odd, refs):  # type: ignore[no-untyped-def]
    """The quadrant search as it was: every pair tiled once per reference point."""
    k = len(e_lat)
    q = np.tile(np.arange(k), len(refs))
    return cpr.global_surface(
        e_lat[q], e_lon[q], o_lat[q], o_lon[q], odd[q],
        np.repeat(refs[:, 0], k), np.repeat(refs[:, 1], k),
    )  # fmt: skip


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y, equal_nan=True)
        assert np.array_equal(np.signbit(x), np.signbit(y))  # -0.0 too: bit for bit


def test_quadrants_decode_as_the_tiled_pairs_bit_for_bit() -> None:
    # Synthetic (an identity of the arithmetic, over every zone): raw CPR values across the
    # whole 17-bit range, its ends, both parities, against the tracker's eight quadrant
    # points and against references that are not (several per latitude, repeated ones).
    from flyvakt.track.fixes import _QUADRANTS

    rng = np.random.default_rng(5)
    n = 20_000
    raw = rng.integers(0, 1 << 17, (4, n)).astype(np.float64)
    raw[:, :4] = [[0, 0, 131071, 131071]] * 4
    odd = rng.random(n) < 0.5
    others = np.array([[10.0, 3.0], [10.0, -170.0], [-60.0, 100.0], [10.0, 3.0], [0.0, 0.0]])
    for refs in (_QUADRANTS, others):
        got = cpr.global_surface_quadrants(raw[0], raw[1], raw[2], raw[3], odd, refs)
        _same(got, _tiled(raw[0], raw[1], raw[2], raw[3], odd, refs))
        assert got[2].any() and not got[2].all()  # both outcomes of the NL check are met


def test_quadrants_decode_real_surface_pairs_as_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The surface pairs the tracker resolves without a reference while replaying the bundled
    # real recording (AFR34ZG: taxi, takeoff, landing, taxi): the same candidates as before.
    from flyvakt.runtime.replay import replay_files
    from flyvakt.sample import bundled_sample

    seen: list[tuple[np.ndarray, ...]] = []
    quadrants = cpr.global_surface_quadrants

    def kept(*a):  # type: ignore[no-untyped-def]
        seen.append(tuple(np.copy(x) for x in a))
        return quadrants(*a)

    monkeypatch.setattr(cpr, "global_surface_quadrants", kept)
    replay_files([bundled_sample()], keep_positions=False)
    assert sum(len(s[0]) for s in seen) >= 10
    for e_lat, e_lon, o_lat, o_lon, odd, refs in seen:
        _same(quadrants(e_lat, e_lon, o_lat, o_lon, odd, refs),
              _tiled(e_lat, e_lon, o_lat, o_lon, odd, refs))  # fmt: skip
