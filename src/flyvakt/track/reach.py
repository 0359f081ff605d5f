"""Whether a fix is within a distance of the one before it, decided without the great circle
where a cheap upper bound of it already is (:func:`within_nm`).

The plausibility walk's fast path asks this of every fix, and a state-vector batch has a fix
at every row: the haversine (two cosines, two sines, an arcsine per pair) was most of the
walk's instructions. Consecutive fixes of an aircraft are a few NM apart against a limit of
a few NM more, so a bound from the coordinate differences alone settles nearly every pair;
the haversine decides the rest, so every answer is the haversine's.

The bound: with Δφ, Δλ in radians, ``sin² x <= x²`` and ``cos φ1 cos φ2 <= 1`` give the
haversine's ``a <= A = (Δφ/2)² + (Δλ/2)²`` (its clip to [0, 1] keeps that). For ``s = √A <= 1``
the arcsine's series (positive terms, ``asin 1 - 1 < 1``) gives ``asin s <= s (1 + s²)``, and
for ``s > 1`` that exceeds π/2, the most the arcsine of a clipped ``a`` can be. So the
distance ``2 R asin √a <= 2 R √A (1 + A)``. A pair is settled when that bound is below the
limit less a margin far above the rounding of either computation; NaN anywhere settles nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import EARTH_RADIUS_NM, haversine_nm

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

__all__ = ["within_nm"]

_HALF_RAD = np.pi / 360.0  # degrees to radians, halved
_FOUR_R2 = 4.0 * EARTH_RADIUS_NM * EARTH_RADIUS_NM
# Why 1e-9 and 1e-6 NM: the haversine in doubles is off the exact distance by ~1e-15 relative
# plus ~1e-11 NM (rounding of the latitudes' radians, times the Earth's radius), the bound by
# as little; a pair within a millionth of a NM (or a billionth of the limit) of the limit is
# left to the haversine.
_REL = 1e-9
_ABS_NM = 1e-6


def within_nm(lat1: F64, lon1: F64, lat2: F64, lon2: F64, limit_nm: F64) -> B:
    """``haversine_nm(lat1, lon1, lat2, lon2) <= limit_nm`` element-wise (degrees, arrays of
    one length), the same answers; the haversine computed only for pairs the bound leaves."""
    with np.errstate(invalid="ignore", over="ignore"):
        dlat = (lat2 - lat1) * _HALF_RAD
        dlon = (lon2 - lon1) * _HALF_RAD
        a = dlat * dlat + dlon * dlon
        lim = limit_nm * (1.0 - _REL) - _ABS_NM
        grow = 1.0 + a
        sure: B = (lim > 0) & (_FOUR_R2 * a * grow * grow <= lim * lim)
        # NaN (a coordinate unknown, e.g. an aircraft's first fix) is no distance: false, as
        # the haversine's NaN compares.
        rest = np.flatnonzero(~sure & ~np.isnan(a))
        if len(rest):
            d = haversine_nm(lat1[rest], lon1[rest], lat2[rest], lon2[rest])
            sure[rest] = d <= limit_nm[rest]
    return sure
