"""The fix before a hot one (a country sample, a low row, ...) is not hot for that, and so the
events do not depend on where the batches are cut (docs/batch-split.md): the rules see it as
the aircraft's last fix, brought up to it as at a batch edge. SYNTHETIC tracks: situations the
real recordings do not contain.

Before session 12 that fix was hot when the sample's batch also held it, and cold when a cut
fell between the two. A hot fix enters the aircraft's trend window (``st.recent``), where a later
decision may read it: here an aircraft cruising at FL350 far from any field, whose data go on
to report "on the ground" with neither a speed nor a vertical rate (a corrupt flag), got its
(corrupt) landing at 20 s with one batch and at 40.5 s with a cut between 19 s and 20 s. Which
later decision reads that fix is decided by data after the batch (docs/performance.md, session
12), so no test inside the batch can keep it hot exactly: it is cold, wherever the cuts fall.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from flyvakt.detect.detector import finish, step
from flyvakt.detect.state import DetectorState
from flyvakt.geo import get_world
from flyvakt.model import Event, PositionBatch

T0 = 1_720_000_000.0  # a multiple of COUNTRY_SAMPLE_S: samples at 0 s, 20 s, 40 s


def _batch(ts: npt.NDArray[np.float64], alt_ft: npt.NDArray[np.float64] | float, ground: int,
           gs_kt: float, vr_fpm: float) -> PositionBatch:  # fmt: skip
    p = PositionBatch.empty(len(ts))
    p.time_s[:] = T0 + ts
    p.lat_deg[:] = 50.0  # mid-Atlantic: no airport within reach
    p.lon_deg[:] = -30.0 + 0.002 * ts
    p.altitude_baro_ft[:] = alt_ft
    p.on_ground[:] = ground
    p.icao24[:] = 0x4CA123
    p.groundspeed_kt[:] = gs_kt
    p.vertical_rate_fpm[:] = vr_fpm
    p.squawk[:] = 2000
    p.callsign[:] = "EIN123"
    return p


def _cruise_then_flag(low: bool) -> tuple[PositionBatch, PositionBatch]:
    """Cruise, one fix a second, 0-20 s (34,000 ft at 0 s, then 35,000 ft: the only hot fixes
    are the first, the sample at 20 s and, before session 12, the fix at 19 s); then from
    39.5 s "on the ground" at 35,000 ft with no speed and no rate. ``low``: at 6,000 ft, then
    7,000 ft from 19 s (below APPROACH_MAX_ALT_FT: a "low" row every APPROACH_SAMPLE_S, the
    one at 20 s too; the fix before such a row was hot in its batch until session 12)."""
    ts = np.arange(0.0, 21.0)
    top = 7_000.0 if low else 35_000.0
    alt = np.full(len(ts), top)
    if low:
        alt[:19] = 6_000.0
    else:
        alt[0] = 34_000.0
    flag = _batch(39.5 + np.arange(8.0), top, 1, np.nan, np.nan)
    return _batch(ts, alt, 0, 450.0, 0.0), flag


def _events(cut: int | None, low: bool = False) -> list[Event]:
    cruise, flag = _cruise_then_flag(low)
    parts = [cruise]
    if cut is not None:
        parts = [cruise.take(np.arange(cut)), cruise.take(np.arange(cut, len(cruise)))]
    state, out = DetectorState(), []
    for q in [*parts, flag]:
        state, ev = step(state, q, float(q.time_s.max()), get_world())
        out += ev
    return out + finish(state, T0 + 48.0, get_world())


@pytest.mark.parametrize("low", [False, True])
@pytest.mark.parametrize("cut", [20, 19, 10, 1])
def test_fix_before_a_hot_one_gives_the_same_events_wherever_the_batch_is_cut(
    cut: int, low: bool
) -> None:
    # cut 20: the fix at 19 s ends the first batch, the sample at 20 s starts the second.
    whole = _events(None, low)
    assert [(e.type, e.time_s - T0) for e in whole] == [("landing", 40.5)]
    split = _events(cut, low)
    assert [e.to_json() for e in split] == [e.to_json() for e in whole]
