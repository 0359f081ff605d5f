"""The sequential plausibility walk holds each fix to its own speed limit.

SYNTHETIC, labelled: one aircraft's state and a two-row batch built by hand, because the case
needs a candidate fix that is not the batch's first row and whose groundspeed limit differs
from the row before it; the real-data consequence is in test_cpr_corruption.py (stray fixes
at 10 % CRC-valid CPR damage).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from flyvakt.model import ObservationBatch
from flyvakt.track import plausible
from flyvakt.track.table import StateTable
from flyvakt.track.tracker import TrackerConfig

NM_DEG = 1.0 / 60.0  # a nautical mile of latitude


def _walk(limit_row1_kt: float) -> tuple[list[int], Counter[str]]:
    """Row 0: a message without a position (limit: the default); row 1: a fix 2 NM north of
    the last accepted position, 10 s later (~540 kt beyond the jump slack)."""
    cfg = TrackerConfig()
    table = StateTable()
    row = int(table.rows_for(np.array([0x3C6444], np.uint32), np.array([0.0]))[0])
    cols = table.cols
    cols["lat_deg"][row], cols["lon_deg"][row], cols["pos_t"][row] = 45.0, 5.0, 0.0
    o = ObservationBatch.empty(2)
    o.time_s[:] = [5.0, 10.0]
    lat = np.array([np.nan, 45.0 + 2.0 * NM_DEG])
    lon = np.array([np.nan, 5.0])
    limit_kt = np.array([cfg.max_speed_kt, limit_row1_kt])
    rejected: Counter[str] = Counter()
    accepted, held, _, _ = plausible.walk(
        cols, cfg, np.array([1]), lat, lon, o.time_s, np.full(2, np.nan), limit_kt,
        np.array([row, row]), o, rejected, np.ones(2, dtype=np.bool_),
        (np.full(2, np.nan), np.full(2, np.nan)),
    )  # fmt: skip
    assert held == []  # a trusted track (not provisional) holds nothing
    return accepted, rejected


def test_a_fix_beyond_its_own_groundspeed_limit_is_rejected() -> None:
    # 100 kt reported: limit 1.5 x 100 + 60 = 210 kt, so 2 NM in 10 s is too fast. The walk
    # read the limit of the batch's row at the candidate's rank (row 0: 1,300 kt) and kept it.
    accepted, rejected = _walk(
        plausible.speed_limits_kt(1300.0, np.array([100.0]), np.array([9.0]), np.array([10.0]))[0]
    )
    assert accepted == []
    assert rejected["implausible_speed"] == 1


def test_the_same_fix_within_a_fast_limit_is_accepted() -> None:
    accepted, rejected = _walk(1300.0)
    assert accepted == [1]
    assert not rejected
