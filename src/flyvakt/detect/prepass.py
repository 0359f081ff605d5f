"""Vectorised helpers of the pre-pass: the ground estimate and fixes built from batch rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect.state import Fix
from flyvakt.model import PositionBatch


def ground_estimate(p: PositionBatch) -> npt.NDArray[np.bool_]:
    """The on-ground flag, or where unknown (some state-vector sets): altitude ≤ 0 (those data
    sets write 0 on the ground) or no altitude while slower than a taxiing aircraft."""
    known = p.on_ground >= 0
    alt = p.altitude_baro_ft
    guess = (alt <= 0) | (np.isnan(alt) & (p.groundspeed_kt < 50))
    return np.where(known, p.on_ground == 1, guess)


def fix_columns(
    p: PositionBatch, ground: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64]
) -> list[list[Any]]:
    """Rows ``rows`` of ``p`` (``ground`` is per row of ``p``) as Python lists, one per
    :class:`Fix` field in order; only the columns a Fix needs are gathered."""
    return [
        p.time_s[rows].tolist(),
        p.lat_deg[rows].tolist(),
        p.lon_deg[rows].tolist(),
        p.altitude_baro_ft[rows].tolist(),
        p.groundspeed_kt[rows].tolist(),
        p.vertical_rate_fpm[rows].tolist(),
        ground[rows].tolist(),
        p.callsign[rows].tolist(),
        p.squawk[rows].tolist(),
        p.altitude_gnss_ft[rows].tolist(),
        (p.on_ground[rows] >= 0).tolist(),
    ]


def fix_at(p: PositionBatch, r: int) -> Fix:
    """Row ``r`` of ``p`` as a :class:`Fix`."""
    one = p.take(np.array([r]))
    return Fix(*(c[0] for c in fix_columns(one, ground_estimate(one), np.array([0]))))
