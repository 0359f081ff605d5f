"""Python's ``round`` for whole arrays (positions out, the detector's gap details)."""

from __future__ import annotations

from typing import Any

import numpy as np


def round_half_even_like_python(a: np.ndarray[Any, Any], nd: int) -> np.ndarray[Any, Any]:
    """``round(float(x), nd)`` for a whole array, bit-identical to Python's.

    ``np.round`` scales by 10**nd and rounds, which can differ from Python's correctly rounded
    result by one unit in the last place when the scaled value lands within a few ulps of .5;
    only those rare rows are redone with Python's ``round``.
    """
    out: np.ndarray[Any, Any] = np.round(a, nd)
    if nd == 0:  # no scaling: NumPy rounds half to even exactly, as Python does
        return out
    scaled = np.abs(a) * 10.0**nd
    with np.errstate(invalid="ignore"):
        # Scaling is off by at most an ulp or two; 8 ulps of margin catches every such row.
        ulps = 8 * np.finfo(np.float64).eps * np.maximum(scaled, 1.0)
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= ulps
    for i in np.flatnonzero(near_half).tolist():
        out[i] = round(float(a[i]), nd)
    return out
