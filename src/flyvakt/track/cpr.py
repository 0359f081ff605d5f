"""Compact Position Reporting (CPR), vectorised over arrays.

CPR splits the world into latitude zones of ``Dlat = 360/(4*NZ - i)`` degrees (airborne; 90° for
surface) where ``NZ = 15`` and ``i`` is the frame's parity (0 even, 1 odd). A position message
carries only the 17-bit fractional position inside its zone::

    +--------+-----------------+-----------------+
    | F (1b) | LAT-CPR (17 b)  | LON-CPR (17 b)  |     F = 0 even, 1 odd
    +--------+-----------------+-----------------+

Two ways to recover the zone (DO-260B §A.1.7):

* **global**: an even and an odd message received close together (10 s airborne, 25 s surface)
  fix the zone index ``j`` unambiguously for airborne positions; surface positions still have a
  90° ambiguity in longitude (and north/south in latitude) that a reference point resolves;
* **local**: one message plus a reference known to be within half a zone (≈180 NM airborne,
  ≈45 NM surface).

Everything here is pure math on NumPy arrays; choosing partners and references is the
tracker's job.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

NZ = 15  # number of latitude zones between the equator and a pole (DO-260B)
CPR_SCALE = float(1 << 17)  # 17-bit encoding of the fraction inside a zone


def _nl_transitions() -> F64:
    """Latitudes where the number of longitude zones drops by one, ascending.

    NL(lat) = n for |lat| between the transition of n+1 and that of n; the closed form
    ``acos(sqrt((1 - cos(pi/(2 NZ))) / (1 - cos(2 pi / n))))`` gives the transition latitude
    for n = 2..59, and a table lookup is exact and faster than the arccos formula per point.
    """
    n = np.arange(2, 4 * NZ, dtype=np.float64)  # 2..59
    a = 1.0 - np.cos(np.pi / (2.0 * NZ))
    b = 1.0 - np.cos(2.0 * np.pi / n)
    lat = np.degrees(np.arccos(np.sqrt(a / b)))
    return np.asarray(lat[::-1], dtype=np.float64)  # ascending: NL 59 zone edge first


_TRANSITIONS = _nl_transitions()

# NL by a table of latitude bands rather than a binary search of the transitions (~90
# instructions a value, callgrind; the table ~46). Why a quarter degree: the bands are exact in
# binary (``|lat| * 4`` and its floor are exact), and the closest transitions (87.0 and 86.54,
# near the pole) are further apart, so a band holds at most one: NL is the band's NL at its
# floor, less one if the latitude is at or past the band's transition (+inf if none).
_BANDS_PER_DEG = 4
_BAND_FLOOR = np.arange(90 * _BANDS_PER_DEG + 1) / _BANDS_PER_DEG  # 0, 1/4, ... 90 (90: NaN)
# A transition on a floor (87.0) is counted in the band's edge, not in its NL (side="left").
_BAND_NL = np.asarray(59 - np.searchsorted(_TRANSITIONS, _BAND_FLOOR), dtype=np.int64)
_BAND_EDGE = np.full(len(_BAND_FLOOR), np.inf)
for _t in _TRANSITIONS.tolist():
    assert _BAND_EDGE[int(_t * _BANDS_PER_DEG)] == np.inf  # one transition a band at most
    _BAND_EDGE[int(_t * _BANDS_PER_DEG)] = _t


def nl(lat_deg: F64) -> I64:
    """Number of longitude zones at each latitude (1..59): ``59 - searchsorted(transitions,
    |lat|, side="right")``, the same for every value (NaN and beyond 90°: 1, as there)."""
    a = np.fmin(np.abs(lat_deg), 90.0)  # (fmin: NaN -> 90, as the search puts NaN last)
    band = (a * _BANDS_PER_DEG).astype(np.intp)
    return np.asarray(_BAND_NL.take(band) - (a >= _BAND_EDGE.take(band)), dtype=np.int64)


def global_airborne(
    lat_even: F64,
    lon_even: F64,
    lat_odd: F64,
    lon_odd: F64,
    latest_is_odd: npt.NDArray[np.bool_],
) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """Global decode of airborne pairs. Inputs are raw 17-bit CPR values as floats.

    Returns (lat, lon, ok). ``ok`` is False when the two messages straddle a change of NL
    (they then belong to different longitude zonings and no position can be computed).
    """
    le, lo = lat_even / CPR_SCALE, lat_odd / CPR_SCALE
    d_even, d_odd = 360.0 / 60.0, 360.0 / 59.0
    j = np.floor(59.0 * le - 60.0 * lo + 0.5)
    rlat_e = d_even * (np.mod(j, 60.0) + le)
    rlat_o = d_odd * (np.mod(j, 59.0) + lo)
    rlat_e = np.where(rlat_e >= 270.0, rlat_e - 360.0, rlat_e)
    rlat_o = np.where(rlat_o >= 270.0, rlat_o - 360.0, rlat_o)
    nl_e, nl_o = nl(rlat_e), nl(rlat_o)
    ok = (nl_e == nl_o) & (np.abs(rlat_e) <= 90.0) & (np.abs(rlat_o) <= 90.0)
    lat = np.where(latest_is_odd, rlat_o, rlat_e)
    # Garbage that passes the CRC can put the pair beyond a pole (the zones reach past 90°).
    ok &= np.abs(lat) <= 90.0
    nl_lat = nl_e.astype(np.float64)
    ni = np.maximum(nl_lat - latest_is_odd.astype(np.float64), 1.0)
    m = np.floor(lon_even / CPR_SCALE * (nl_lat - 1.0) - lon_odd / CPR_SCALE * nl_lat + 0.5)
    frac = np.where(latest_is_odd, lon_odd, lon_even) / CPR_SCALE
    lon = (360.0 / ni) * (np.mod(m, ni) + frac)
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    return lat, lon, ok


def global_surface(
    lat_even: F64,
    lon_even: F64,
    lat_odd: F64,
    lon_odd: F64,
    latest_is_odd: npt.NDArray[np.bool_],
    ref_lat: F64,
    ref_lon: F64,
) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """Global decode of surface pairs, the quadrant ambiguity resolved by a reference point.

    Surface zones are a quarter of airborne ones (90° instead of 360°), so the pair gives the
    latitude north or south of the equator (lat or lat - 90) and the longitude modulo 90°:
    the candidate nearest the reference (receiver or airport within ~45 NM) is the answer.
    """
    lat, lon0, ok = _surface_zone(lat_even, lon_even, lat_odd, lon_odd, latest_is_odd, ref_lat)
    return lat, _lon_nearest(lon0, ref_lon), ok


def global_surface_quadrants(
    lat_even: F64,
    lon_even: F64,
    lat_odd: F64,
    lon_odd: F64,
    latest_is_odd: npt.NDArray[np.bool_],
    refs: F64,
) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """:func:`global_surface` of every pair against each of the reference points ``refs``
    ((lat, lon) rows), reference-major: the same arrays, bit for bit, as one call on the pairs
    tiled ``len(refs)`` times with each reference repeated. The zone (latitude, NL, the
    longitude within 90°) depends on the reference's latitude only: it is decoded once per
    distinct latitude (the eight quadrant points have two), not once per reference."""
    n = len(lat_even)
    zones: dict[float, tuple[F64, F64, npt.NDArray[np.bool_]]] = {}
    lats, lons, oks = [], [], []
    for r_lat, r_lon in refs.tolist():
        if r_lat not in zones:
            zones[r_lat] = _surface_zone(
                lat_even, lon_even, lat_odd, lon_odd, latest_is_odd, np.full(n, r_lat)
            )
        lat, lon0, ok = zones[r_lat]
        lats.append(lat)
        lons.append(_lon_nearest(lon0, np.full(n, r_lon)))
        oks.append(ok)
    return np.concatenate(lats), np.concatenate(lons), np.concatenate(oks)


def _surface_zone(
    lat_even: F64,
    lon_even: F64,
    lat_odd: F64,
    lon_odd: F64,
    latest_is_odd: npt.NDArray[np.bool_],
    ref_lat: F64,
) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """(latitude, longitude within its 90° quadrant, ok) of surface pairs, the hemisphere
    chosen by the reference latitude (:func:`global_surface`)."""
    le, lo = lat_even / CPR_SCALE, lat_odd / CPR_SCALE
    d_even, d_odd = 90.0 / 60.0, 90.0 / 59.0
    j = np.floor(59.0 * le - 60.0 * lo + 0.5)
    rlat_e = d_even * (np.mod(j, 60.0) + le)
    rlat_o = d_odd * (np.mod(j, 59.0) + lo)
    # Northern-hemisphere solution first; the southern one is 90° below.
    rlat_e_s, rlat_o_s = rlat_e - 90.0, rlat_o - 90.0
    use_south = np.abs(ref_lat - (rlat_e - 90.0)) < np.abs(ref_lat - rlat_e)
    rlat_e = np.where(use_south, rlat_e_s, rlat_e)
    rlat_o = np.where(use_south, rlat_o_s, rlat_o)
    nl_e, nl_o = nl(rlat_e), nl(rlat_o)
    ok = nl_e == nl_o
    lat = np.where(latest_is_odd, rlat_o, rlat_e)
    # Garbage that passes the CRC can put the pair beyond a pole (the zones reach past 90°).
    ok &= np.abs(lat) <= 90.0
    nl_lat = nl_e.astype(np.float64)
    ni = np.maximum(nl_lat - latest_is_odd.astype(np.float64), 1.0)
    m = np.floor(lon_even / CPR_SCALE * (nl_lat - 1.0) - lon_odd / CPR_SCALE * nl_lat + 0.5)
    frac = np.where(latest_is_odd, lon_odd, lon_even) / CPR_SCALE
    lon0 = (90.0 / ni) * (np.mod(m, ni) + frac)
    return lat, lon0, ok


def _lon_nearest(lon0: F64, ref_lon: F64) -> F64:
    """Of the four longitudes 90° apart (``lon0`` + k · 90°), the one closest to the
    reference longitude, in [-180, 180)."""
    k = np.round((ref_lon - lon0) / 90.0)
    lon = lon0 + 90.0 * k
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    return np.asarray(np.where(lon < -180.0, lon + 360.0, lon), dtype=np.float64)


def local_decode(
    cpr_lat: F64,
    cpr_lon: F64,
    is_odd: npt.NDArray[np.bool_],
    ref_lat: F64,
    ref_lon: F64,
    surface: npt.NDArray[np.bool_],
) -> tuple[F64, F64]:
    """Local (reference-relative) decode of single messages.

    Valid only when the reference is within half a zone of the true position: ≈180 NM for
    airborne, ≈45 NM for surface messages. The caller enforces that.
    """
    span = np.where(surface, 90.0, 360.0)
    i = is_odd.astype(np.float64)
    dlat = span / (60.0 - i)
    yz = cpr_lat / CPR_SCALE
    # floor(r/d) + floor(mod(r, d)/d - yz + 1/2) == floor(r/d - yz + 1/2); one division keeps
    # positions exactly on a zone edge from landing a zone off through rounding.
    j = np.floor(ref_lat / dlat - yz + 0.5)
    lat = dlat * (j + yz)
    ni = np.maximum(nl(lat).astype(np.float64) - i, 1.0)
    dlon = span / ni
    xz = cpr_lon / CPR_SCALE
    m = np.floor(ref_lon / dlon - xz + 0.5)
    lon = dlon * (m + xz)
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    lon = np.where(lon < -180.0, lon + 360.0, lon)
    # A reference near a pole can put the zone past it (seen with CRC-valid garbage): no
    # position there, NaN, which the callers count as not decoded.
    beyond = np.abs(lat) > 90.0
    if beyond.any():
        lat, lon = np.where(beyond, np.nan, lat), np.where(beyond, np.nan, lon)
    return lat, lon


def encode(
    lat_deg: F64, lon_deg: F64, is_odd: npt.NDArray[np.bool_], surface: npt.NDArray[np.bool_]
) -> tuple[I64, I64]:
    """CPR-encode positions (the inverse of the decoders above, used by tests and the simulator).

    Follows DO-260B §A.1.7.3: YZ = floor(2^17 * mod(lat, Dlat)/Dlat + 1/2), and the longitude
    likewise against Dlon = span / max(NL(Rlat) - i, 1) where Rlat is the latitude the encoded
    YZ stands for.
    """
    span = np.where(surface, 90.0, 360.0)
    i = is_odd.astype(np.float64)
    dlat = span / (60.0 - i)
    yz = np.floor(CPR_SCALE * np.mod(lat_deg, dlat) / dlat + 0.5)
    rlat = dlat * (yz / CPR_SCALE + np.floor(lat_deg / dlat))
    dlon = span / np.maximum(nl(rlat).astype(np.float64) - i, 1.0)
    xz = np.floor(CPR_SCALE * np.mod(lon_deg, dlon) / dlon + 0.5)
    return (
        np.mod(yz, CPR_SCALE).astype(np.int64),
        np.mod(xz, CPR_SCALE).astype(np.int64),
    )
