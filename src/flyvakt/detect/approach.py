"""Approach: go-around (low pass near an airport, then a climb without touching down)."""

from __future__ import annotations

import math

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, dist_nm
from flyvakt.detect.evidence import height_ft
from flyvakt.detect.gaps import ground_ref
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.geo.distance import distance_nm
from flyvakt.model import AirportRef, Event


class ApproachRule:
    """Go-around: an approach whose lowest point is near a field and low above it (see
    :func:`approach_evidence`: within ``GO_AROUND_NM`` of its runways, descending into it like an
    approach, closing on it, lined up with a runway where runways are known), then a climb of
    ``GO_AROUND_CLIMB_FT`` with no ground contact, seen without an interval of more than
    ``GO_AROUND_BLIND_S`` between fixes from the lowest point to the climb.

    Evidence: altitude of the low fixes the pre-pass samples (one per ``APPROACH_SAMPLE_S``),
    vertical rate to see the descent begin, the fixes before the lowest point, the airports
    within ``CLOSE_NM`` of it and their runways (``data/geo/runways.tsv.gz``).
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
            st.low_why = ""
        if fx.ground or math.isnan(fx.alt) or fx.alt >= R.APPROACH_MAX_ALT_FT:
            if fx.ground:
                st.low_min = None
            return
        if st.low_min is None and not fx.vr < R.APPROACH_MIN_DESCENT_FPM:
            return  # an approach starts with a descent, never with the climb after takeoff
        if st.low_min is None and fx.t - st.approach_checked_s < R.APPROACH_RECHECK_S:
            return  # no airport was near a moment ago: don't ask again at every fix
        if st.low_min is None or fx.alt < st.low_min.alt:
            # The airports low enough near this fix (ctx: searched in advance for the batch's
            # descending fixes where it could, the same list as the world's search).
            near_low: list[AirportRef] | None = None
            if st.low_min is None:
                st.approach_checked_s = fx.t
                near_low = _low_near(ctx, fx)
                if not near_low:
                    return
                st.low_airport = near_low[0]
            # The airport of the go-around is the one nearest the lowest point, not the one
            # nearest where the descent began; judged now, while the fixes before it are kept.
            assert st.low_airport is not None
            if fx.alt - st.low_airport.elevation_ft <= R.GO_AROUND_MAX_AGL_FT:
                if near_low is None:
                    near_low = _low_near(ctx, fx)
                st.low_airport = near_low[0] if near_low else st.low_airport
                st.low_why = approach_evidence(ctx, st, fx, st.low_airport)
            else:
                st.low_why = "not low"
            st.low_min = fx
            return
        if st.low_airport is None or fx.alt - st.low_min.alt < R.GO_AROUND_CLIMB_FT:
            return
        lm, ap = st.low_min, st.low_airport
        if not st.low_why:
            above, tol = height_ft(lm, ap, ground_ref(ctx, st, ap, lm))
            how = "" if tol == 0.0 else f" (±{tol:.0f} ft)"
            out.append(
                ctx.event(
                    "go_around", st, lm, airport=ap,
                    reason=(
                        f"descended to {above:,.0f} ft above {ap.icao}{how} "
                        f"{_near_nm(lm, ap):.1f} NM from its runway, "
                        f"then climbed {fx.alt - lm.alt:,.0f} ft without touching down"
                    ),
                )
            )  # fmt: skip
        st.low_min = None
        st.low_airport = None
        st.low_why = ""


def _low_near(ctx: Context, fx: Fix) -> list[AirportRef]:
    """The airports within ``CLOSE_NM`` of ``fx`` that it is at most ``GO_AROUND_MAX_AGL_FT``
    above, nearest first."""
    near = ctx.airports_near(fx.lat, fx.lon, R.CLOSE_NM)
    return [a for a, _d in near if fx.alt - a.elevation_ft <= R.GO_AROUND_MAX_AGL_FT]


def _near_nm(fx: Fix, ap: AirportRef) -> float:
    """Distance to the nearer of ``ap``'s reference point and its runway ends."""
    from flyvakt.geo.runways import runways_of

    d = dist_nm(fx, ap)
    for la, lo, lb, lob in runways_of(ap.icao) or ():
        d = min(d, distance_nm(fx.lat, fx.lon, la, lo), distance_nm(fx.lat, fx.lon, lb, lob))
    return d


def approach_evidence(ctx: Context, st: AircraftState, lm: Fix, ap: AirportRef) -> str:
    """Empty when ``lm`` can be the lowest point of an approach to ``ap`` that went around: within
    ``GO_AROUND_NM`` of its reference point or a runway end; low above the field (the most its
    height can be, whatever the QNH, within ``GO_AROUND_MAX_AGL_FT``); descending into it like
    an approach (altitude falling from a fix ``GO_AROUND_DESCENT_S`` or more before, at most
    ``GO_AROUND_MAX_DESCENT_FPM``); closing on the field beyond its runways; lined up with a
    runway where runways are known. Otherwise why not. Reads the fixes before ``lm``."""
    from flyvakt.geo.runways import aligned_with_runway

    d = _near_nm(lm, ap)
    if d > R.GO_AROUND_NM:
        return f"{d:.1f} NM from {ap.icao}'s runways"
    h, tol = height_ft(lm, ap, ground_ref(ctx, st, ap, lm))
    if math.isnan(h) or h + tol > R.GO_AROUND_MAX_AGL_FT:
        return f"not known to be low above {ap.icao}"
    before = None
    for f in reversed(st.recent):
        if f is lm or lm.t - f.t < R.GO_AROUND_DESCENT_S or math.isnan(f.alt):
            continue
        if lm.t - f.t <= 4 * R.TREND_S:
            before = f
        break
    if before is None:
        return "the descent into the lowest point was not seen"
    fell = before.alt - lm.alt
    rate = fell / (lm.t - before.t) * 60.0
    if fell < 2 * R.ALT_STEP_FT:
        return "not descending into the lowest point"
    if rate > R.GO_AROUND_MAX_DESCENT_FPM:
        return f"diving at {rate:,.0f} ft/min, no approach"
    flown = dist_nm(before, lm)
    if dist_nm(lm, ap) > R.RUNWAY_NM and (
        flown < 0.05 or dist_nm(before, ap) - dist_nm(lm, ap) < R.HEADING_TO_MIN * flown
    ):
        return f"not closing on {ap.icao}"
    lined = aligned_with_runway(
        ap.icao, before.lat, before.lon, lm.lat, lm.lon, R.RUNWAY_ALIGN_DEG, R.RUNWAY_OFFSET_NM
    )
    if lined is False:
        return f"not lined up with a runway of {ap.icao}"
    return ""
