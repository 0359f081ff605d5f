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


def fix_columns(p: PositionBatch, ground: npt.NDArray[np.bool_]) -> list[list[Any]]:
    """Columns of ``p`` as Python lists in :class:`Fix` field order."""
    return [
        p.time_s.tolist(),
        p.lat_deg.tolist(),
        p.lon_deg.tolist(),
        p.altitude_baro_ft.tolist(),
        p.groundspeed_kt.tolist(),
        p.vertical_rate_fpm.tolist(),
        ground.tolist(),
        p.callsign.tolist(),
        p.squawk.tolist(),
        p.altitude_gnss_ft.tolist(),
        (p.on_ground >= 0).tolist(),
    ]


def fix_at(p: PositionBatch, r: int) -> Fix:
    """Row ``r`` of ``p`` as a :class:`Fix`."""
    one = p.take(np.array([r]))
    return Fix(*(c[0] for c in fix_columns(one, ground_estimate(one))))
