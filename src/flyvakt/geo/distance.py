"""Great-circle distance, written once: the Earth radius and the haversine formula.

Two forms of one formula: :func:`haversine_nm` over NumPy arrays (broadcasting) for batches,
and :func:`distance_nm` on plain floats for the per-event Python paths, where NumPy's call
overhead would dominate. Both return nautical miles on a sphere of the mean Earth radius.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["EARTH_RADIUS_NM", "distance_nm", "haversine_nm", "haversine_rad_nm"]

# Mean Earth radius (IUGG, 6,371.0088 km) in nautical miles (1,852 m). A sphere is within
# 0.5 % of the ellipsoid everywhere: far below what any rule here distinguishes.
EARTH_RADIUS_NM = 3440.065


def haversine_nm(lat1_deg: Any, lon1_deg: Any, lat2_deg: Any, lon2_deg: Any) -> Any:
    """Great-circle distance in NM, element-wise over arrays (degrees in)."""
    p1 = np.radians(np.asarray(lat1_deg, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2_deg, dtype=np.float64))
    dlon = np.asarray(lon2_deg, dtype=np.float64) - np.asarray(lon1_deg, dtype=np.float64)
    return haversine_rad_nm(p1, np.cos(p1), p2, np.cos(p2), dlon)


def haversine_rad_nm(p1: Any, cos1: Any, p2: Any, cos2: Any, dlon_deg: Any) -> Any:
    """:func:`haversine_nm` from latitudes in radians and their cosines (``p``, ``cos``) and
    the longitude difference in degrees: for many pairs over few points, each point's
    radians and cosine are taken once (the same operations: the same distances)."""
    a = np.sin((p2 - p1) / 2) ** 2 + cos1 * cos2 * np.sin(np.radians(dlon_deg) / 2) ** 2
    return 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_nm(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance in NM between two points given as floats (degrees)."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2_deg - lon1_deg) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(h)))
