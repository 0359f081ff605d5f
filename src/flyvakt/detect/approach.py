"""Approach: go-around (low pass near an airport, then a climb without touching down)."""

from __future__ import annotations

import math

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot
from flyvakt.detect.state import AircraftState
from flyvakt.model import Event


class ApproachRule:
    """Go-around: a descent to within ``GO_AROUND_MAX_AGL_FT`` of a nearby field's elevation,
    then a climb of ``GO_AROUND_CLIMB_FT`` with no ground contact, seen without an interval of
    more than ``GO_AROUND_BLIND_S`` between fixes from the lowest point to the climb.

    Evidence: altitude of the low fixes the pre-pass samples (one per ``APPROACH_SAMPLE_S``),
    vertical rate to see the descent begin, the airports within ``CLOSE_NM`` of the lowest point.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if h.prev is None:
            return
        fx = h.fx
        if st.low_min is not None and fx.t - h.prev.t > R.GO_AROUND_BLIND_S:
            # Unseen for a while since the lowest point: it may have touched down (or landed and
            # left again) in the interval, so "without touching down" is no longer observed.
            st.low_min = None
            st.low_airport = None
        if fx.ground or math.isnan(fx.alt) or fx.alt >= R.APPROACH_MAX_ALT_FT:
            if fx.ground:
                st.low_min = None
            return
        if st.low_min is None and not fx.vr < R.APPROACH_MIN_DESCENT_FPM:
            return  # an approach starts with a descent, never with the climb after takeoff
        if st.low_min is None and fx.t - st.approach_checked_s < R.APPROACH_RECHECK_S:
            return  # no airport was near a moment ago: don't ask again at every fix
        if st.low_min is None or fx.alt < st.low_min.alt:
            if st.low_min is None:
                st.approach_checked_s = fx.t
                near = ctx.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM)
                hit = [a for a, _d in near if fx.alt - a.elevation_ft <= R.GO_AROUND_MAX_AGL_FT]
                if not hit:
                    return
                st.low_airport = hit[0]
            st.low_min = fx
            return
        if st.low_airport is None or fx.alt - st.low_min.alt < R.GO_AROUND_CLIMB_FT:
            return
        lm = st.low_min
        # The airport of the go-around is the one nearest the lowest point, not the one
        # nearest where the descent began.
        near_low = [
            a
            for a, _d in ctx.world.airports_near(lm.lat, lm.lon, R.CLOSE_NM)
            if lm.alt - a.elevation_ft <= R.GO_AROUND_MAX_AGL_FT
        ]
        ap = near_low[0] if near_low else st.low_airport
        if lm.alt - ap.elevation_ft <= R.GO_AROUND_MAX_AGL_FT:
            out.append(
                ctx.event(
                    "go_around", st, lm, airport=ap,
                    reason=(
                        f"descended to {lm.alt - ap.elevation_ft:,.0f} ft above {ap.icao}, "
                        f"then climbed {fx.alt - lm.alt:,.0f} ft without touching down"
                    ),
                )
            )  # fmt: skip
        st.low_min = None
        st.low_airport = None
