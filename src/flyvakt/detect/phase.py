"""Flight phase: takeoff, landing, stopover and touch-and-go, decided by evidence."""

from __future__ import annotations

import math

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, dist_nm, duration, gap_details
from flyvakt.detect.evidence import (
    Vote,
    _recent_max_gs,
    absurd_alt,
    climbing,
    height_ft,
    plausible_alt,
    vote,
)
from flyvakt.detect.gaps import (
    across_gap,
    estimate_liftoff_s,
    estimate_touchdown_s,
    final_fits,
    flying_speed,
    ground_ref,
    over_runway,
    share_ground_ref,
    trend_rate_fpm,
)
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import AirportRef, Event
from flyvakt.model.events import iso_utc


class PhaseRule:
    """Ground/air phase changes and the takeoffs and landings they mean.

    Evidence (evidence.py), each signal possibly missing: the ground flag; height above the
    nearby field from GNSS altitude or from the pressure altitude against a ground reference
    learned from the data (never raw against the published elevation); groundspeed; vertical
    rate; the altitude trend. Every fix votes surface or air; a flip is confirmed when the votes
    since it began reach ``FLIP_CONFIRM_VOTES`` (so flapping flags still confirm, one fix never
    does), and dropped when the opposite evidence reaches ``FLIP_CANCEL_VOTES``. Across a coverage
    gap, gaps.py applies the gap rules. At the start of data a takeoff is inferred only from a
    climb observed over ``TREND_S``.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        fx = h.fx
        if absurd_alt(ctx, st, fx) or not plausible_alt(st, fx):
            fx.alt = math.nan  # a stale or corrupt altitude is missing, not evidence
        ref = self._ground_ref(ctx, st, h.field, fx)
        was_air, flagged, n = st.ground is False, fx.ground_known and fx.ground, len(out)
        v = vote(fx, st, h.field, ref)
        if v.value:
            fx.ground = v.value > 0
        elif flagged and math.isnan(fx.alt) and st.ground is not None:
            fx.ground = st.ground  # a flag that is no evidence leaves the phase as it was
        if h.field is not None:
            learn_ground_ref(ctx, st, h.field, fx, v)
        if h.prev is None:
            # Weak evidence at the first fix (a flag alone) leaves the phase unknown: the first
            # strong evidence sets it without an event (no landing from a taxi seen first).
            weak = h.field is not None and abs(v.value) < 2
            st.ground = None if weak else fx.ground
            st.start_pending = not fx.ground and h.field is not None
            return
        if h.gap:
            st.flip_start = None
            if st.rare is not None:  # else every other field of a flip holds its default
                _reset_flip(st)  # (eight descriptor calls that would store nothing)
            st.start_pending = False
            if abs(v.value) < 2 and _at_field_level(fx, h.field, ref):
                if st.ground:
                    # On the ground before the gap, weak evidence after it (an "airborne" flag
                    # at the field's level, taxiing): the next fixes decide, without the gap.
                    return
                if not math.isnan(fx.alt) and (
                    not math.isnan(ref)
                    or (not flying_speed(fx) and _final_to_field(ctx, st, h.prev, h.field))
                ):
                    # At its learned ground level after the gap (the speed is a placeholder), or
                    # at the field's raw level, not at a known flying speed, after a final to
                    # that field before it (a32bf6 at KWVI): on the surface, whatever the flag
                    # says; the fixes after it show whether it stays there or climbs away.
                    fx.ground = True
            across_gap(ctx, st, h.prev, fx, h.field, ref, out)
            st.ground = fx.ground
            if len(out) == n and was_air:
                _lift_candidate(ctx, st, h.prev, fx, h.field, ref, flagged=flagged)
            return
        if st.start_pending:
            self._start_of_data(ctx, st, fx, out)
        if st.lift_cand is not None:
            _lift_confirm(ctx, st, fx, out)
        self._phase(ctx, st, h.prev, fx, v, out)
        short = len(out) == n and was_air and fx.t - h.prev.t >= R.SHORT_LIFT_GAP_S
        if short and not _run_before_interval(ctx, st, h.prev, fx, h.field, ref, out):
            _lift_candidate(ctx, st, h.prev, fx, h.field, ref, flagged=flagged)

    # -- ground reference of the pressure altitude ------------------------------------------
    @staticmethod
    def _ground_ref(ctx: Context, st: AircraftState, field: AirportRef | None, fx: Fix) -> float:
        return math.nan if field is None else ground_ref(ctx, st, field, fx)

    # -- phase flips ----------------------------------------------------------------------
    def _phase(
        self, ctx: Context, st: AircraftState, prev: Fix, fx: Fix, v: Vote, out: list[Event]
    ) -> None:
        if v.value == 0:
            return
        toward_ground = v.value > 0
        if st.ground is None:
            if abs(v.value) >= 2:
                st.ground = toward_ground
                if toward_ground and not math.isnan(v.level_ft):
                    # The data starts on a descent that ends on the runway (aa34f1 at KSNS):
                    # the floor of that descent is a touchdown seen, not a taxi seen first.
                    t = _touchdown_s(st, prev, fx, by_flag=False)
                    landing(ctx, st, fx, out, reason=f"first seen descending, then {v.why}",
                            time_s=t, confidence=0.9)  # fmt: skip
            return
        if toward_ground == st.ground:
            if st.flip_start is not None:
                st.flip_against += abs(v.value)
                if st.flip_against >= R.FLIP_CANCEL_VOTES:
                    _reset_flip(st)
            return
        if st.flip_start is None:
            st.flip_start, st.flip_prev = fx, prev
            st.flip_count = st.flip_votes = st.flip_against = 0
            st.flip_max_gs = 0.0
            st.flip_strong, st.flip_why = False, v.why
        st.flip_count += 1
        st.flip_votes += abs(v.value)
        if abs(v.value) >= 2 and not st.flip_strong:
            st.flip_strong, st.flip_why = True, v.why
        if not math.isnan(fx.gs):
            st.flip_max_gs = max(st.flip_max_gs, fx.gs)
        confirm_pending(ctx, st, fx, out, at_end=False)

    def _start_of_data(self, ctx: Context, st: AircraftState, fx: Fix, out: list[Event]) -> None:
        """A track that starts airborne names no takeoff, unless it starts just after lift-off:
        low near a field, and then seen climbing (vertical rate or altitude trend), and, beyond
        its runways, not closing on it."""
        first = st.first
        if first is None or fx.t - first.t < R.TREND_S:
            if first is not None and not math.isnan(fx.vr) and fx.vr < R.FINAL_MIN_DESCENT_FPM:
                st.start_pending = False  # descending: an arrival, not a departure
            return
        st.start_pending = False
        up = climbing(st, fx)
        if not up or st.ground or math.isnan(first.alt):
            return
        for ap, _d in ctx.world.airports_near(first.lat, first.lon, R.START_NM):
            h, tol = height_ft(first, ap, self._ground_ref(ctx, st, ap, first))
            if math.isnan(h) or h + tol > R.START_AGL_FT:
                continue
            d0, d1 = dist_nm(first, ap), dist_nm(fx, ap)
            if d1 < d0 - R.START_CLOSING_NM and not over_runway(ctx, st, first, ap):
                continue  # closing on it above its runways' level: arriving, not just departed
            how = "" if tol == 0.0 else f" (±{tol:.0f} ft)"
            takeoff(
                ctx, st, first, first, out, basis="inferred", confidence=0.6, airport=ap,
                reason=(
                    f"first seen {h:,.0f} ft above {ap.icao}{how} and then climbing, "
                    f"{dist_nm(first, ap):.1f} NM away; lift-off not observed"
                ),
            )  # fmt: skip
            return


def learn_ground_ref(ctx: Context, st: AircraftState, field: AirportRef, fx: Fix, v: Vote) -> None:
    """What fix ``fx`` near ``field`` with vote ``v`` teaches about the field's ground reference
    of the pressure altitude for this aircraft (kept for when it comes back to the field)."""
    if st.field_icao != field.icao:
        st.field_icao, st.ref_baro_ft = field.icao, math.nan
    if fx.alt < st.ref_baro_ft - R.FLOOR_BAND_FT:
        st.ref_baro_ft = math.nan  # below its own ground reference: that was no ground
    # Physically on the surface (taxi speed at the field's level) with a pressure altitude:
    # that altitude is its ground reference at this field now (its own: encoders differ).
    slow = fx.gs == fx.gs and fx.gs < R.TAXI_MAX_KT  # x == x: not NaN (as in evidence.py)
    level = abs(fx.alt - field.elevation_ft) <= R.QNH_TOL_FT  # False when NaN
    if v.value >= 2 and slow and level:
        st.ref_baro_ft = fx.alt
        share_ground_ref(ctx, field.icao, st.icao24, fx.alt, fx.t)
    elif v.level_ft == v.level_ft:
        # The floor of this aircraft's own descent: its reference, not shared (a floor is
        # weaker evidence than a taxi).
        st.ref_baro_ft = v.level_ft


def _lift_candidate(
    ctx: Context,
    st: AircraftState,
    before: Fix,
    fx: Fix,
    field: AirportRef | None,
    ref: float,
    *,
    flagged: bool,
) -> None:
    """After an interval of at least ``LIFT_GAP_MIN_S`` with the aircraft airborne before it
    low near ``field`` (within ``FINAL_NM``, at most ``FINAL_HEIGHT_FT`` above it whatever the
    QNH) and, unless the interval is short, on final to it (``gaps.final_to``): is ``fx`` over
    its runway at its level (flagged on the ground without an altitude, or
    within ``LIFT_MAX_HEIGHT_FT`` of the ground reference, or without one within
    ``SLOW_RAW_BAND_FT`` of the elevation)? Then a climb soon after (``_lift_confirm``) means
    it landed and lifted off inside the interval."""
    st.lift_before = st.lift_cand = st.lift_field = None
    if field is None or fx.t - before.t < R.SHORT_LIFT_GAP_S or before.ground:
        return
    short = fx.t - before.t < R.LIFT_GAP_MIN_S
    hb, tb = height_ft(before, field, ref)
    if dist_nm(before, field) > R.FINAL_NM or not hb + tb <= R.FINAL_HEIGHT_FT:
        return
    if dist_nm(fx, field) > R.RUNWAY_NM:
        return
    if not short and not _final_to_field(ctx, st, before, field):
        # A climb-out after the interval shows no surface: from a downwind or a base turn at
        # pattern height it follows a low approach as well as a touch-and-go. The side before
        # must be a final to the field (the amended gap rule; a2cbcb, a864dd, a9d63a at KWVI).
        return
    h, tol = height_ft(fx, field, ref)
    if short:
        # A short interval: at the learned ground reading itself (confirmed by a second fix there
        # in _lift_confirm), not merely near it.
        level = tol == 0.0 and abs(h) <= R.ALT_STEP_FT
    elif math.isnan(h):
        level = flagged
    elif tol == 0.0:
        level = h <= R.LIFT_MAX_HEIGHT_FT
    else:
        level = abs(h) <= R.SLOW_RAW_BAND_FT
    if level:
        st.lift_before, st.lift_cand, st.lift_field = before, fx, field
        st.lift_flagged = flagged and math.isnan(h)
        st.lift_short = short


def _lift_confirm(ctx: Context, st: AircraftState, fx: Fix, out: list[Event]) -> None:
    """A candidate lift-off after an interval (``_lift_candidate``) confirmed by a climb of
    ``TREND_ALT_FT`` (or a vertical rate of ``AIR_VR_FPM``) at flying speed within
    ``LIFT_CONFIRM_S``: a landing at the field inside the interval, then a takeoff, both
    inferred (neither touchdown nor lift-off was seen)."""
    c, before, ap = st.lift_cand, st.lift_before, st.lift_field
    assert c is not None and before is not None and ap is not None
    if fx.t - c.t > R.LIFT_CONFIRM_S or st.ground is not False:
        st.lift_before = st.lift_cand = st.lift_field = None
        return
    rose = (not math.isnan(c.alt) and fx.alt - c.alt >= R.TREND_ALT_FT) or fx.vr >= R.AIR_VR_FPM
    if not (rose and fx.gs >= R.TAKEOFF_MIN_GS_KT):
        return
    # Not flagged on the surface: climbing near rotation speed, well below its speed before
    # the interval (a go-around keeps its approach speed); an unknown speed decides nothing.
    slow = before.gs > 0 and fx.gs <= R.LIFT_SLOW_RATIO * before.gs
    ref = ground_ref(ctx, st, ap, c)
    # After a short interval: two fixes at the ground reading over the runway (a81c98 rolled at
    # 65 kt for 8 s at its reading, then climbed); a go-around's lowest point is above it.
    run = [f for f in st.recent if f.t >= c.t and _at_reading(f, ap, ref)]
    ok = len(run) >= 2 if st.lift_short else st.lift_flagged or slow
    st.lift_before = st.lift_cand = st.lift_field = None
    if not ok:
        return
    if st.last_landing is not None and st.last_landing.time_s >= before.t:
        return  # already landed in this interval by another rule
    _reset_flip(st)
    gap = f"{duration(c.t - before.t)} interval without fixes"
    hb, tb = height_ft(before, ap, ref)
    how = "" if tb == 0.0 else f" (±{tb:.0f} ft)"
    # Across a long gap the touchdown time is unknown: the event is stamped at the end of the
    # gap, the latest it can have been, so that "landed by T" is never read into the gap.
    long = c.t - before.t > R.GAP_NAME_S
    when = (
        f"at an unknown time inside it, by {iso_utc(c.t)[11:19]} UTC at the latest"
        if long
        else "touchdown not observed, its time an estimate"
    )
    land = landing(
        ctx, st, c, out, basis="inferred", confidence=0.6, airport=ap, candidates=[],
        reason=f"{hb:,.0f} ft above {ap.icao}{how} {dist_nm(before, ap):.1f} NM away before a "
        f"{gap}, over its runway at its level after it and then climbing at {fx.gs:.0f} kt: it "
        f"landed there inside the interval; {when}",
        time_s=c.t if long else estimate_touchdown_s(before, c, ref, trend_rate_fpm(st, before)),
    )  # fmt: skip
    if st.lift_short:
        lift_s = estimate_liftoff_s(run[-1], fx, ref)  # rolled until the last fix at the reading
    else:
        lift_s = c.t if not math.isnan(c.alt) else estimate_liftoff_s(c, fx, ref)
    off = takeoff(
        ctx, st, c, fx, out, basis="inferred", confidence=0.6, airport=ap, candidates=[],
        reason=f"over {ap.icao}'s runway at its level after a {gap}, then climbing at "
        f"{fx.gs:.0f} kt; lift-off not observed",
        time_s=lift_s, ground_unknown=long,
    )  # fmt: skip
    for ev in (land, off):
        ev.details = {**ev.details, **gap_details(before, c)}


def _at_reading(fx: Fix, field: AirportRef, ref: float) -> bool:
    """Over ``field``'s runways at the learned ground reading (within one ``ALT_STEP_FT``)."""
    if math.isnan(ref) or dist_nm(fx, field) > R.RUNWAY_NM:
        return False
    return abs(fx.alt - ref) <= R.ALT_STEP_FT  # NaN: False


def _run_before_interval(
    ctx: Context,
    st: AircraftState,
    before: Fix,
    fx: Fix,
    field: AirportRef | None,
    ref: float,
    out: list[Event],
) -> bool:
    """A touch-and-go whose lift-off lies in an interval of ``SHORT_LIFT_GAP_S`` to
    ``SHORT_TNG_MAX_S``: the fixes before it end over the runway (``RUNWAY_NM``) at the field's
    level (``FLOOR_BAND_FT`` of the ground reference, or without one ``SLOW_RAW_BAND_FT`` of the
    elevation), at the lowest altitude of a descent of ``TREND_ALT_FT``, for two fixes or more,
    slowing to ``LIFT_SLOW_RATIO`` of the approach speed (a go-around adds power at its lowest
    point; it does not slow there); the first fix after it is ``AIR_TREND_FT`` higher, which the
    surface never is. Landing and takeoff are inferred (a8b7c7's 100 ft-encoder circuits at KWVI).
    """
    if field is None or st.ground is not False or math.isnan(before.alt):
        return False
    if not R.SHORT_LIFT_GAP_S <= fx.t - before.t <= R.SHORT_TNG_MAX_S:
        return False
    if dist_nm(before, field) > R.RUNWAY_NM or not fx.alt - before.alt >= R.AIR_TREND_FT:
        return False
    if st.last_landing is not None and st.last_landing.time_s >= before.t - R.ROLLOUT_S:
        return False
    h, tol = height_ft(before, field, ref)
    if not (h <= R.FLOOR_BAND_FT if tol == 0.0 else abs(h) <= R.SLOW_RAW_BAND_FT):
        return False
    run, top, high, in_run = [before], before.gs, before.alt, True
    for f in reversed(st.recent):
        if f.t >= before.t or math.isnan(f.alt):
            continue
        if before.t - f.t > R.ROLLOUT_S:
            break
        if f.alt < before.alt - R.ALT_STEP_FT:
            return False  # not the lowest point
        if in_run and f.alt <= before.alt + R.ALT_STEP_FT and dist_nm(f, field) <= R.RUNWAY_NM:
            run.append(f)
        else:
            in_run = False
        if not f.gs <= top:  # NaN speeds are skipped
            top = f.gs if not math.isnan(f.gs) else top
        high = max(high, f.alt)
    if len(run) < 2 or high - before.alt < R.TREND_ALT_FT:
        return False
    if not before.gs <= R.LIFT_SLOW_RATIO * top:  # NaN: no evidence of slowing
        return False
    _reset_flip(st)
    st.lift_before = st.lift_cand = st.lift_field = None
    td = run[-1]
    gap = f"{duration(fx.t - before.t)} interval without fixes"
    how = "" if tol == 0.0 else f" (±{tol:.0f} ft)"
    land = landing(
        ctx, st, td, out, basis="inferred", confidence=0.6, airport=field, candidates=[],
        reason=f"at {before.alt:,.0f} ft ({h:+,.0f} ft from {field.icao}'s ground level{how}) "
        f"over its runway, slowing from {top:.0f} to {before.gs:.0f} kt over {len(run)} fixes: "
        "touchdown",
        time_s=td.t,
    )  # fmt: skip
    base = ref if not math.isnan(ref) else before.alt
    off = takeoff(
        ctx, st, before, fx, out, basis="inferred", confidence=0.6, airport=field,
        candidates=[], time_s=estimate_liftoff_s(before, fx, base),
        reason=f"rolling on {field.icao}'s runway before a {gap}, {fx.alt - before.alt:,.0f} ft "
        "higher after it: it lifted off inside the interval; lift-off not observed",
    )  # fmt: skip
    for ev in (land, off):
        ev.details = {**ev.details, **gap_details(before, fx)}
    return True


def _at_field_level(fx: Fix, field: AirportRef | None, ref: float) -> bool:
    """Whether ``fx`` may be on the surface of ``field``: within ``FLOOR_BAND_FT`` of the ground
    reference, or without one within ``SLOW_RAW_BAND_FT`` of the elevation (or no altitude)."""
    if field is None:
        return False
    h, tol = height_ft(fx, field, ref)
    band = R.FLOOR_BAND_FT if tol == 0.0 else R.SLOW_RAW_BAND_FT
    return math.isnan(h) or abs(h) <= band


def _final_to_field(ctx: Context, st: AircraftState, prev: Fix, field: AirportRef | None) -> bool:
    """Whether ``prev`` (the fix before a gap) was on final to ``field`` before all others."""
    fits = final_fits(ctx, st, prev)
    return field is not None and bool(fits) and fits[0].icao == field.icao


def _reset_flip(st: AircraftState) -> None:
    st.flip_start = st.flip_prev = None
    st.flip_count = st.flip_votes = st.flip_against = 0
    st.flip_fixes = ()
    st.flip_strong, st.flip_why = False, ""


def confirm_pending(
    ctx: Context, st: AircraftState, fx: Fix, out: list[Event], *, at_end: bool
) -> None:
    """Commit a pending ground/air flip once its evidence adds up (or at the end of data)."""
    fs, before = st.flip_start, st.flip_prev
    if fs is None or before is None:
        return
    held = st.flip_votes >= R.FLIP_CONFIRM_VOTES
    if not st.flip_strong:
        # Weak votes only (flags, estimates): they must hold as long as the old flag debounce.
        held = held and fx.t - fs.t >= R.DEBOUNCE_S and st.flip_count >= R.DEBOUNCE_FIXES
    if not held and not (at_end and st.flip_votes >= 2):
        return
    moved_nm = dist_nm(fx, before)
    if (
        not fs.ground
        and not st.flip_strong
        and st.flip_max_gs < R.TAKEOFF_MIN_GS_KT
        and moved_nm < R.TAKEOFF_MIN_MOVE_NM
    ):
        # "Airborne" flags without speed or movement are a flapping flag, not a takeoff.
        _reset_flip(st)
        return
    why = st.flip_why
    # One fix (strong votes, or at the end): its evidence stands, but nothing confirms it.
    one = st.flip_count < 2
    if one and at_end and fs.t == fx.t and fs.ground and not _surface_by_itself(st, fs, why):
        # A run's slowing at a level (the floor, or the ground reference's level) needs the
        # fixes after it to tell a rollout from a flare; on the last fix there are none, so it
        # is no surface fix, and a level it taught is no reference: the end-of-data rule
        # decides (mry0601 ab4fb1, data ending 200 ft over KMRY at 96 kt slowing from 119 kt
        # on final, got an inferred landing named there).
        _reset_flip(st)
        if st.ref_baro_ft == fs.alt:
            st.ref_baro_ft = math.nan
        return
    basis, conf = ("inferred", 0.7) if one else ("observed", 0.95)
    tail = _one_fix_tail(st, fs, fx, at_end=at_end) if one else ""
    st.ground = fs.ground
    _reset_flip(st)
    if fs.ground:
        t = _touchdown_s(st, before, fs, by_flag=why == "ground flag")
        landing(ctx, st, fs, out, reason=f"seen airborne, then on the ground ({why}){tail}",
                time_s=t, basis=basis, confidence=conf)  # fmt: skip
    else:
        t = _liftoff_s(st, before, fs)
        takeoff(ctx, st, before, fs, out, reason=f"seen on the ground, then airborne ({why}){tail}",
                time_s=t, basis=basis, confidence=conf)  # fmt: skip


def _surface_by_itself(st: AircraftState, fs: Fix, why: str) -> bool:
    """Whether fix ``fs`` shows a surface on its own: a ground flag, or a known speed no
    aircraft flies at (taxi speed, or ``ROLLOUT_GS_RATIO`` below its speed of the last
    ``ROLLOUT_S``: kiwi's last fix at NZCH, 68 kt after 134)."""
    if why == "ground flag":
        return True
    top = _recent_max_gs(st, fs)
    return fs.gs < R.TAXI_MAX_KT or fs.gs * R.ROLLOUT_GS_RATIO <= top  # NaN: False


def _one_fix_tail(st: AircraftState, fs: Fix, fx: Fix, *, at_end: bool) -> str:
    """What a flip on one fix ``fs`` rests on, as far as the detector knows at ``fx``: the
    last fix of the data (or before the signal was lost) only when ``fs`` is that fix."""
    if not at_end or fs.t != fx.t:
        return "; on one position only"
    # At the end, ``fx`` is the aircraft's last fix: ``lost`` sets ``st.lost`` before asking.
    last = "the last before the signal was lost" if st.lost else "the last fix of the data"
    return f"; on one position only, {last}"


def _liftoff_s(st: AircraftState, before: Fix, fs: Fix) -> float:
    """Lift-off: the first fix of the flip, or, when it has no altitude (surface reports carry
    none), the first later fix with one (ADS-B switches to airborne reports at lift-off); an
    estimate inside a long interval."""
    if fs.t - before.t > R.STAMP_GAP_S:
        return estimate_liftoff_s(before, fs)
    if math.isnan(fs.alt):
        for f in st.recent:
            if f.t > fs.t and not math.isnan(f.alt):
                return f.t
    return fs.t


def _touchdown_s(st: AircraftState, before: Fix, fs: Fix, *, by_flag: bool) -> float:
    """Touchdown: the first fix at the ground reference's level before the first surface vote
    (when the reference was learned only at taxi speed), or an estimate inside a long interval."""
    t = fs.t
    level = st.ref_baro_ft if not math.isnan(st.ref_baro_ft) else fs.alt
    if not math.isnan(level) and not by_flag:
        for f in reversed(st.recent):
            if f.t >= fs.t:
                continue
            if fs.t - f.t > R.ROLLOUT_S or math.isnan(f.alt) or f.alt > level:
                break
            t = f.t
    if t == fs.t and fs.t - before.t > R.STAMP_GAP_S:
        rate = trend_rate_fpm(st, before)
        return estimate_touchdown_s(before, fs, st.ref_baro_ft, rate)
    return t


def takeoff(
    ctx: Context,
    st: AircraftState,
    ground_fix: Fix,
    air_fix: Fix,
    out: list[Event],
    *,
    reason: str,
    basis: str = "observed",
    confidence: float = 0.95,
    airport: AirportRef | None = None,
    candidates: list[str] | None = None,
    time_s: float | None = None,
    ground_unknown: bool = False,
) -> Event:
    """A takeoff, and the touch-and-go or stopover it ends when the last landing was at the
    same airport; ``ground_unknown``: the time on the ground lies inside a long gap (a stopover
    of unknown length, no ``on_ground_s``)."""
    if airport is None and candidates is None:
        airport, candidates = ctx.airport_for(ground_fix, R.GROUND_AIRPORT_NM)
    st.low_min = st.low_airport = None
    ev = ctx.event(
        "takeoff", st, air_fix, airport=airport, candidates=candidates, reason=reason,
        basis=basis, confidence=confidence,
    )  # fmt: skip
    if time_s is not None:
        ev.time_s = time_s
    out.append(ev)
    last = st.last_landing
    if (
        last is not None
        and airport is not None
        and last.airport is not None
        and last.airport.icao == airport.icao
    ):
        on_ground_s = ev.time_s - last.time_s
        short = on_ground_s <= R.TOUCH_AND_GO_S and not ground_unknown
        kind = "touch_and_go" if short else "stopover"
        both_seen = last.basis == "observed" and basis == "observed"
        later = (
            "took off again after a time on the ground hidden in a coverage gap"
            if ground_unknown
            else f"took off again {duration(on_ground_s)} later"
        )
        stop = ctx.event(
            kind, st, ground_fix, airport=airport, reason=f"landed at {airport.icao} and {later}",
            basis="observed" if both_seen else "inferred",
        )  # fmt: skip
        stop.time_s = last.time_s
        stop.details = {"arrival": last.time_iso, "departure": ev.time_iso}
        if not ground_unknown:
            stop.details["on_ground_s"] = round(on_ground_s)
        out.append(stop)
    st.last_landing = None
    return ev


def landing(
    ctx: Context,
    st: AircraftState,
    fx: Fix,
    out: list[Event],
    *,
    reason: str,
    basis: str = "observed",
    confidence: float = 0.95,
    airport: AirportRef | None = None,
    candidates: list[str] | None = None,
    time_s: float | None = None,
) -> Event:
    if airport is None and candidates is None:
        airport, candidates = ctx.airport_for(fx, R.GROUND_AIRPORT_NM)
    ev = ctx.event(
        "landing", st, fx, airport=airport, candidates=candidates or [], reason=reason,
        basis=basis, confidence=confidence,
    )  # fmt: skip
    if time_s is not None:
        ev.time_s = time_s
    out.append(ev)
    st.last_landing = ev
    st.low_min = None
    return ev


def details_gap(ev: Event, before: Fix, after: Fix) -> None:
    ev.details = gap_details(before, after)
