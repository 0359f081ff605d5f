"""Python's ``round`` for whole arrays (positions out, the detector's gap details)."""

from __future__ import annotations

from typing import Any

import numpy as np

# How far (in ulps of the scaled value) from .5 a row may be and still be one where NumPy's
# scaled rounding and Python's correctly rounded result part: scaling by 10**nd is off by at
# most an ulp or two, so 8 leaves a margin. Rows within it are redone with Python's ``round``.
_NEAR_HALF_ULPS = 8


def round_half_even_like_python(a: np.ndarray[Any, Any], nd: int) -> np.ndarray[Any, Any]:
    """``round(float(x), nd)`` for a whole array, bit-identical to Python's.

    ``np.round`` scales by 10**nd, rounds to even and scales back; that can differ from
    Python's correctly rounded result by one unit in the last place when the scaled value
    lands within a few ulps of .5; only those rare rows are redone with Python's ``round``.

    The same three steps as ``np.round`` (multiply, ``rint``, divide: NumPy's own way for
    ``nd > 0``, so the same bits), keeping the scaled values to find the rows near .5 by their
    distance to the nearest whole number, against one bound for the whole array (the largest
    value's margin: a few more rows may be redone, never fewer): 6 passes over the array, not
    the 12 of rounding, then scaling and measuring again."""
    if nd == 0:  # no scaling: NumPy rounds half to even exactly, as Python does
        out0: np.ndarray[Any, Any] = np.round(a, 0)
        return out0
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        empty: np.ndarray[Any, Any] = np.round(a, nd)
        return empty
    scale = 10.0**nd
    scaled = a * scale
    with np.errstate(invalid="ignore"):
        # NaN rows are left out of the bound (fmax/fmin skip them); an all-NaN array has none
        # to redo (every comparison with NaN is false).
        top = max(float(np.fmax.reduce(scaled, axis=None)), -float(np.fmin.reduce(scaled)), 1.0)
        margin = _NEAR_HALF_ULPS * float(np.finfo(np.float64).eps) * top
        out: np.ndarray[Any, Any] = np.rint(scaled)
        dist = np.subtract(scaled, out, out=scaled)  # to the nearest whole number: [0, .5]
        np.abs(dist, out=dist)
        # |frac - .5| <= margin, as dist >= .5 - margin; twice the margin, as .5 - margin is
        # itself rounded (by at most 2**-54, far below the margin).
        near_half = dist >= 0.5 - 2 * margin
        np.divide(out, scale, out=out)
    for i in np.flatnonzero(near_half).tolist():
        out[i] = round(float(a[i]), nd)
    return out
