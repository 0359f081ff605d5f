"""The evidence model: what one fix says about being on the surface or in the air.

Each signal may be missing, and a missing signal is never read as a value: no vertical rate is
not "descending", no groundspeed is not "slow", no altitude is not "on the ground". Physics
(height above the field, vertical rate, taxi speed) beats a flag when they disagree, and the
vote's reason says so.

Height above the field comes from GNSS (geometric) altitude where present, else from a ground
reference for the pressure altitude learned from the data: the barometric altitude this
aircraft reported at the same field within ``GROUND_REF_S`` while physically on the surface
(taxi speed at the field), never another aircraft's (encoders differ: gaps.ref_key). Raw
pressure altitude against the published elevation is never taken as a height: it only proves
what holds across the whole QNH band (``QNH_TOL_FT``), e.g. "more than 850 ft above the field".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from flyvakt.detect import rules as R
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.geo.distance import distance_nm
from flyvakt.model import AirportRef

if TYPE_CHECKING:
    from flyvakt.detect.base import Context

# "x != x" is this module's NaN test (True only for NaN; the values are floats): ~250 k tests per
# 1 M frames run here, on every hot fix near a field, and math.isnan's call costs ~3x the
# comparison (the 5,000-aircraft burst, session 9).


class Vote(NamedTuple):
    """+2/+1 surface, -2/-1 air, 0 no evidence; ``why`` says which signal decided.

    ``text`` is that reason, or its format for the numbers ``of``, formatted only when ``why``
    is read: the phase rule reads it where a flip starts (and a first descent lands), while
    most votes start none (a state-vector replay pass casts ~22,500 "vertical rate" votes, and
    a float's format costs ~2.9 k instructions). A NamedTuple, not a frozen dataclass: as
    immutable (the constants below are shared), and ~2.7 k instructions cheaper to build (a
    frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``)."""

    value: int
    text: str
    level_ft: float = math.nan  # a ground level of the pressure altitude this vote found
    of: tuple[float, ...] | None = None

    @property
    def why(self) -> str:
        return self.text if self.of is None else self.text.format(*self.of)


# The votes whose reason names no number, made once: a vote is cast for every fix near a field
# or without a flag, and each new object is work for the garbage collector (Vote is immutable,
# so sharing them is safe).
_GROUND_FLAG, _AIRBORNE_FLAG = Vote(2, "ground flag"), Vote(-1, "airborne flag")
_ESTIMATE_GROUND, _ESTIMATE_NONE = (
    Vote(1, "altitude/speed estimate"),
    Vote(0, "altitude/speed estimate"),
)


def height_ft(fx: Fix, field: AirportRef, ref_baro_ft: float) -> tuple[float, float]:
    """(height above the field, tolerance ft), NaN unknown. From the pressure altitude against a
    learned ground reference (tolerance 0); else GNSS altitude (geoid undulation: tolerance
    ``GNSS_TOL_FT``); else raw pressure altitude minus elevation (tolerance ``QNH_TOL_FT``)."""
    if fx.alt == fx.alt and ref_baro_ft == ref_baro_ft:
        return fx.alt - ref_baro_ft, 0.0
    if fx.alt_gnss == fx.alt_gnss:
        return fx.alt_gnss - field.elevation_ft, R.GNSS_TOL_FT
    if fx.alt != fx.alt:
        return math.nan, R.QNH_TOL_FT
    return fx.alt - field.elevation_ft, R.QNH_TOL_FT


def _source(tol: float) -> str:
    if tol == 0.0:
        return "pressure altitude against the learned ground reference"
    if tol == R.GNSS_TOL_FT:
        return "GNSS altitude"
    return "pressure altitude, whatever the QNH"


def vote(fx: Fix, st: AircraftState, field: AirportRef | None, ref_baro_ft: float) -> Vote:
    """What this fix says about surface (positive) or air (negative), and why."""
    # rate_fpm and alt_trend_ft answer a missing rate or altitude at once: not asked then (a
    # vote is cast for every fix near a field, and most surface fixes carry neither).
    vr, alt_known = fx.vr, fx.alt == fx.alt
    if vr == vr and alt_known:
        vr = rate_fpm(st, fx)
    # A descent cannot take an aircraft off the ground: on the ground (or flagged on it, with a
    # rate held over from the approach: a9d789 at KWVI) only a climb counts.
    down_ok = st.ground or (fx.ground_known and fx.ground)
    if vr == vr and abs(vr) >= R.AIR_VR_FPM and not (down_ok and vr < 0):
        return Vote(-2, "vertical rate {:+.0f} ft/min", math.nan, (vr,))
    if fx.gs == fx.gs and fx.gs > R.ROLL_MAX_KT:
        return Vote(-2, "groundspeed {:.0f} kt", math.nan, (fx.gs,))
    if vr != vr and alt_known:
        # No (believable) rate: the altitudes themselves. The surface never moves a pressure
        # altitude by AIR_TREND_FT within the trend window. A rise proves flight now; a fall
        # only that the aircraft was flying (it may have just landed), so it counts only while
        # the phase is still unknown (data starting on a descent).
        d = alt_trend_ft(st, fx)
        if d is not None and abs(d) >= R.AIR_TREND_FT and (d > 0 or st.ground is None):
            return Vote(-2, f"altitude {'rose' if d > 0 else 'fell'} {abs(d):,.0f} ft")
    if field is None:
        # Far from any known airport: no height reference; the flag is all there is.
        if fx.ground_known:
            return _GROUND_FLAG if fx.ground else _AIRBORNE_FLAG
        return _ESTIMATE_GROUND if fx.ground else _ESTIMATE_NONE
    h, tol = height_ft(fx, field, ref_baro_ft)
    if tol == 0.0 and h < -R.FLOOR_BAND_FT:
        # Below the ground reference: the reference is wrong (or the weather moved), not
        # evidence; fall back to what holds without it.
        h, tol = height_ft(fx, field, math.nan)
    flagged = fx.ground_known and fx.ground
    if fx.gs == 0.0 and not flagged and not _still(st, fx):
        fx.gs = math.nan  # "0 kt" in a position-only report is a missing speed
    gs, src = fx.gs, ""
    if gs != gs:
        gs, src = _implied_gs(st, fx, R.IMPLIED_GS_S[0]), " (from positions)"
    elif gs > R.TAXI_MAX_KT and _held_gs(st, fx):
        # Slower, it cannot exceed the positions' speed by TAXI_MAX_KT. Whether the speed is
        # held is asked first: a list look-up, against a distance for the positions' speed
        # (~3 k fixes per burst of 5,000 aircraft, most of them with a speed that changed).
        implied = _implied_gs(st, fx, R.VR_CHECK_S)
        if implied * R.STALE_GS_RATIO < gs and gs - implied > R.TAXI_MAX_KT:
            # Resampled state vectors hold the last airborne speed on the runway (102 kt while
            # the positions crawl at 20 kt, noisy_time_issue at LSZH): the positions win.
            gs, src = implied, " (from positions; the reported speed is stale)"
    if h - tol > R.AIR_HEIGHT_FT:
        beats = " (physics beats the ground flag)" if flagged else ""
        return Vote(-2, f"{h:,.0f} ft above {field.icao} by {_source(tol)}{beats}")
    if h != h and flagged:
        carried = carried_alt(fx, st)
        if carried is not None:
            hc, tc = height_ft(carried, field, ref_baro_ft)
            if hc - tc > R.AIR_HEIGHT_FT:
                return Vote(
                    -2,
                    f"ground flag without altitude {fx.t - carried.t:.0f} s after a fix "
                    f"{hc:,.0f} ft above {field.icao} (physics beats the flag)",
                )
    if flagged and h != h and not gs > 0.0:
        from flyvakt.detect.base import dist_nm

        d = dist_nm(fx, field)
        if d > R.LONE_FLAG_NM:
            # A ground flag with no altitude and no speed, away from the field's runways, is a
            # bit in a message and nothing else (a81c98 01:09:44, 3 NM from KWVI between fixes
            # at 1,175 ft and 102 kt): it is no evidence of a surface, and no vote.
            return Vote(0, f"ground flag alone (no altitude or speed) {d:.1f} NM from {field.icao}")
    if flagged:
        return _GROUND_FLAG
    if tol != 0.0:
        floor = _floor_run(st, fx, field)
        if floor is not None:
            return floor
    level = h != h or (h <= R.FLOOR_BAND_FT if tol == 0.0 else abs(h) <= R.SLOW_RAW_BAND_FT)
    steady = not (abs(vr) >= R.GROUND_VR_MAX_FPM)  # NaN: unknown, not a rate
    beats = " (physics beats the airborne flag)" if fx.ground_known else ""
    slow = gs == gs and gs < R.TAXI_MAX_KT
    if slow and level and steady and not _trend_down(st, fx):
        return Vote(2, f"{gs:.0f} kt{src} at {field.icao}'s ground level{beats}")
    top = _recent_max_gs(st, fx)
    if level and steady and gs * R.ROLLOUT_GS_RATIO <= top:
        return Vote(
            2, f"slowed from {top:.0f} to {gs:.0f} kt{src} at {field.icao}'s ground level{beats}"
        )
    if tol == 0.0:
        if h <= R.FLOOR_BAND_FT and gs < 2 * R.TAKEOFF_MIN_GS_KT:
            run = _ground_level_run_s(st, fx, field, ref_baro_ft)
            if run >= R.FLOOR_RUN_S and gs <= R.FLOOR_SLOW_RATIO * top:
                # Held at the ground reference over the runway while braking: a rollout (the
                # KWVI touch-and-goes without flags, a864dd 21:33 and a68847 23:55).
                return Vote(
                    2,
                    f"at {field.icao}'s ground level for {run:.0f} s, slowing from {top:.0f} "
                    f"to {gs:.0f} kt{src}",
                )
            return Vote(1, f"at {field.icao}'s ground level ({h:+.0f} ft) at {gs:.0f} kt")
        if h > R.FLOOR_BAND_FT:
            return Vote(-1, f"{h:,.0f} ft above the ground reference of {field.icao}")
    if fx.ground_known:
        # NaN: unknown speed, no vote from it; slow aircraft descend at 45 kt (ace95b at KSNS)
        if gs < R.TAKEOFF_MIN_GS_KT and level and not _trend_down(st, fx):
            return Vote(1, f"airborne flag at {gs:.0f} kt near {field.icao}'s ground level")
        return _AIRBORNE_FLAG
    if fx.ground:  # no flag: the altitude-0 / slow-without-altitude estimate of the source
        return _ESTIMATE_GROUND
    return Vote(0, "no evidence")


def flagged_blind_not_air(fx: Fix, st: AircraftState) -> bool:
    """Whether :func:`vote` on ``fx`` (flagged on the ground, with no altitude of either kind,
    near a field) is certain not to be for the air, answered without casting it: True only
    where the vote is surface or none. For such a fix the vote is for the air only on a climb
    of ``AIR_VR_FPM`` (a descent never counts for a flagged fix, and with no altitude the rate
    is taken as reported), a groundspeed above ``ROLL_MAX_KT``, or an altitude carried from a
    fix within ``ALT_CARRY_S`` that stands high above the field: whether there is such a fix is
    asked here (False: cast the vote, which judges it with the ground reference). What else the
    vote reads (its speed from positions, the held-speed check, the distance to the field)
    decides only between "ground flag" (+2) and "no evidence" (0), never the side; those
    distances and ring scans are most of a vote's cost (~4,400 such fixes a pass of the
    5,000-aircraft burst, calm.calm_ground). ``carried_alt`` fills ``st.alt_t`` as the vote's
    own call would. tests/unit/detect/test_vote_blind.py holds this to :func:`vote`."""
    return not fx.vr >= R.AIR_VR_FPM and not fx.gs > R.ROLL_MAX_KT and carried_alt(fx, st) is None


def _floor_run(st: AircraftState, fx: Fix, field: AirportRef) -> Vote | None:
    """A touchdown seen without flags or a learned ground reference: over the runway (within
    ``RUNWAY_NM``), after a descent of at least ``TREND_ALT_FT`` in the last ``ROLLOUT_S``, the
    pressure altitude stops at its lowest value (within one ``ALT_STEP_FT``, and within
    ``SLOW_RAW_BAND_FT`` of the published elevation) for at least ``FLOOR_RUN_S`` and
    ``FLOOR_STEPS`` altitude steps' worth of the descent, while the groundspeed drops to
    ``FLOOR_SLOW_RATIO`` of the approach speed. That floor is the field's ground level today
    (``level_ft``). A low pass keeps or gains speed; a level-off above the runway is not the
    lowest altitude for long."""
    from flyvakt.detect.base import dist_nm

    if fx.alt != fx.alt or not fx.gs < R.FLOOR_MAX_GS_KT:  # NaN speed: no floor
        return None
    if abs(fx.alt - field.elevation_ft) > R.SLOW_RAW_BAND_FT:
        return None
    if dist_nm(fx, field) > R.RUNWAY_NM:
        return None
    first, top = fx, fx.gs
    high: Fix | None = None  # the highest fix of the descent into the run
    in_run, coarse = True, fx.alt % 100 == 0
    for f in reversed(st.recent):
        if fx.t - f.t > R.ROLLOUT_S:
            break
        if f.alt != f.alt:
            continue
        if f.alt < fx.alt - R.ALT_STEP_FT:
            return None  # not the lowest: no floor here
        coarse = coarse and f.alt % 100 == 0
        if in_run and f.alt <= fx.alt + R.ALT_STEP_FT:
            first = f
        else:
            in_run = False
        if f.gs == f.gs:
            top = max(top, f.gs)
        if f.alt >= fx.alt + R.TREND_ALT_FT and (high is None or f.alt > high.alt):
            high = f
    if high is None or first.t <= high.t or fx.gs > R.FLOOR_SLOW_RATIO * top:
        return None
    from flyvakt.geo.runways import aligned_with_runway

    along = aligned_with_runway(
        field.icao,
        first.lat,
        first.lon,
        fx.lat,
        fx.lon,
        R.FLOOR_ALIGN_DEG,
        R.FLOOR_OFFSET_NM,
        R.FLOOR_PAST_END_NM,
    )
    if along is False:
        # not rolling on a runway: slowing in a turn (the wind), off the runway, or on short
        # final short of its threshold (the flare of a glide that goes on descending)
        return None
    # Level for longer than the descent needs to cross one altitude step (25 ft, or 100 ft for
    # Gillham encoders) FLOOR_STEPS times over: a stepwise descent is level for one step at most.
    rate_fpm = (high.alt - fx.alt) / (first.t - high.t) * 60.0
    step_s = (100.0 if coarse else R.ALT_STEP_FT) / rate_fpm * 60.0
    if fx.t - first.t < max(R.FLOOR_RUN_S, R.FLOOR_STEPS * step_s):
        return None
    return Vote(
        2,
        f"level at {fx.alt:,.0f} ft (its lowest) over {field.icao}'s runway for "
        f"{fx.t - first.t:.0f} s after a descent, slowing from {top:.0f} to {fx.gs:.0f} kt",
        level_ft=fx.alt,
    )


def _held_gs(st: AircraftState, fx: Fix) -> bool:
    """Whether ``fx``'s reported groundspeed repeats that of the fix before it with a speed (a
    held-over value repeats; a measured one changes)."""
    for f in reversed(st.recent):
        if f is fx or f.t >= fx.t:
            continue
        if f.gs == f.gs:
            return f.gs == fx.gs
    return False


def _ground_level_run_s(st: AircraftState, fx: Fix, field: AirportRef, ref_baro_ft: float) -> float:
    """How long the pressure altitude has stayed within ``FLOOR_BAND_FT`` of the ground
    reference up to ``fx``, over the runway (within ``RUNWAY_NM``); 0 when not over it."""
    from flyvakt.detect.base import dist_nm

    if fx.alt != fx.alt or dist_nm(fx, field) > R.RUNWAY_NM:
        return 0.0
    first = fx
    for f in reversed(st.recent):
        if fx.t - f.t > R.ROLLOUT_S:
            break
        if f.alt != f.alt:
            continue
        if f.alt - ref_baro_ft > R.FLOOR_BAND_FT:
            break
        first = f
    return fx.t - first.t


def _implied_gs(
    st: AircraftState, fx: Fix, min_dt_s: float, max_dt_s: float = R.IMPLIED_GS_S[1]
) -> float:
    """Groundspeed from the distance to the previous fix (``IMPLIED_GS_S``), NaN unknown: SBS
    position lines and some state vectors carry no speed."""
    t = fx.t
    for f in reversed(st.recent):
        dt = t - f.t
        if dt < min_dt_s:
            continue
        if dt > max_dt_s:
            break
        return distance_nm(f.lat, f.lon, fx.lat, fx.lon) / dt * 3600.0
    return math.nan


def _still(st: AircraftState, fx: Fix) -> bool:
    """Whether the positions confirm a reported 0 kt: some feeds write 0 for "no speed" (seen
    at 2,000 ft in the adsb.lol traces). Unknown (no recent fix) is not confirmation."""
    from flyvakt.detect.base import dist_nm

    if not st.recent:
        return False
    f = st.recent[-1]
    dt = fx.t - f.t
    if dt <= 0 or dt > R.ALT_CARRY_S:
        return False
    return dist_nm(f, fx) / dt * 3600.0 < R.TAXI_MAX_KT


def rate_fpm(st: AircraftState, fx: Fix) -> float:
    """The reported vertical rate, unless the altitudes contradict it (a rate held over by
    resampled data while the altitude stays put): NaN when unknown or contradicted."""
    vr = fx.vr
    if vr != vr or fx.alt != fx.alt:
        return vr
    for f in reversed(st.recent):
        dt = fx.t - f.t
        if dt < R.VR_CHECK_S:
            continue
        if dt > 4 * R.VR_CHECK_S or f.alt != f.alt:
            return vr
        expected = vr * dt / 60.0
        if abs(expected) >= 2 * R.ALT_STEP_FT and abs(fx.alt - f.alt) < 0.3 * abs(expected):
            return math.nan
        return vr
    return vr


def _recent_max_gs(st: AircraftState, fx: Fix) -> float:
    top = math.nan
    for f in reversed(st.recent):
        if fx.t - f.t > R.ROLLOUT_S:
            break
        if f.gs == f.gs and not f.gs <= top:
            top = f.gs
    return top


def _trend_down(st: AircraftState, fx: Fix) -> bool:
    d = alt_trend_ft(st, fx)
    return d is not None and d <= -R.TREND_ALT_FT


def plausible_alt(st: AircraftState, fx: Fix) -> bool:
    """Whether ``fx.alt`` can follow the aircraft's last plausible altitude (and record it)."""
    if fx.alt != fx.alt:
        return True
    dt = fx.t - st.alt_ok_t
    if dt == dt and dt >= 0:
        allowed = R.ALT_JUMP_BASE_FT + R.ALT_JUMP_FPM * dt / 60.0
        if abs(fx.alt - st.alt_ok_ft) > allowed:
            return False
    st.alt_ok_t, st.alt_ok_ft = fx.t, fx.alt
    return True


def absurd_alt(ctx: Context, st: AircraftState, fx: Fix) -> bool:
    """Whether ``fx.alt`` is far above a nearby field while the positions crawl at taxi speed:
    no aeroplane flies ``SLOW_HIGH_FT`` up at under ``TAXI_MAX_KT`` over the ground, so that
    altitude is corrupt, not evidence (OpenSky state vectors of AFR181L taxiing at LSZH read
    36,150 ft at 16 kt). Unknown speed or no airport within ``FIELD_NM``: not judged."""
    if fx.alt != fx.alt or fx.alt < R.SLOW_HIGH_FT:
        return False
    if not _implied_gs(st, fx, R.VR_CHECK_S, R.SLOW_HIGH_S) < R.TAXI_MAX_KT:  # NaN: not judged
        return False
    near = ctx.world.airports_near(fx.lat, fx.lon, R.FIELD_NM)
    return bool(near) and fx.alt - near[0][0].elevation_ft >= R.SLOW_HIGH_FT


def carried_alt(fx: Fix, st: AircraftState) -> Fix | None:
    """The most recent fix of this aircraft with an altitude, within ``ALT_CARRY_S``."""
    t, carry_s = fx.t, R.ALT_CARRY_S  # bound once: the loop runs for most surface fixes
    newest = st.alt_t
    if newest != newest:  # not known (NaN): from the ring, once
        newest = st.alt_t = newest_alt_t(st.recent)
    if t - newest > carry_s:
        # Every fix of the ring with an altitude is older than ALT_CARRY_S (none: -inf): the
        # scan below would return None, whatever the order of the ring. Most calls end here.
        return None
    for f in reversed(st.recent):
        if t - f.t > carry_s:
            return None
        if f.alt == f.alt or f.alt_gnss == f.alt_gnss:
            return f
    return None


def newest_alt_t(recent: list[Fix]) -> float:
    """The time of the latest fix of ``recent`` with an altitude (-inf: none):
    ``AircraftState.alt_t`` worked out from the ring."""
    # A plain loop, not max() over a generator: asked once per aircraft (a new one too, whose
    # ring holds a fix or two: 50,000 of them in bench_instr's cold-start sweep).
    newest = -math.inf
    for f in recent:
        if (f.alt == f.alt or f.alt_gnss == f.alt_gnss) and f.t > newest:  # an altitude
            newest = f.t
    return newest


def descending(st: AircraftState, fx: Fix) -> bool | None:
    """True/False from the vertical rate or the altitude trend over ``TREND_S``; None unknown."""
    vr = rate_fpm(st, fx)
    if vr == vr:
        return vr <= R.FINAL_MIN_DESCENT_FPM
    d = alt_trend_ft(st, fx)
    return None if d is None else d <= -R.TREND_ALT_FT


def climbing(st: AircraftState, fx: Fix) -> bool | None:
    vr = rate_fpm(st, fx)
    if vr == vr:
        return vr >= -R.FINAL_MIN_DESCENT_FPM
    d = alt_trend_ft(st, fx)
    return None if d is None else d >= R.TREND_ALT_FT


def alt_trend_ft(st: AircraftState, fx: Fix) -> float | None:
    """Altitude change from a fix at least ``TREND_S`` earlier (within 4×), None unknown."""
    if fx.alt != fx.alt:
        return None
    t, trend_s = fx.t, R.TREND_S  # bound once: the loop runs for most fixes near a field
    for f in reversed(st.recent):
        dt = t - f.t
        if f is fx or dt < trend_s:
            continue
        if dt > 4 * trend_s:
            return None
        if f.alt == f.alt:
            return fx.alt - f.alt
    return None


def heading_to(st: AircraftState, fx: Fix, ap: AirportRef) -> float | None:
    """Over the last ``TREND_S`` or more: how much closer to ``ap`` the aircraft got, as a share
    of the distance it flew (1: straight at it; negative: moving away). None unknown."""
    from flyvakt.detect.base import dist_nm

    for f in reversed(st.recent):
        if f is fx or fx.t - f.t < R.TREND_S:
            continue
        if fx.t - f.t > 4 * R.TREND_S:
            return None
        flown = dist_nm(f, fx)
        if flown < 0.05:
            return None  # hardly moved: no direction
        return (dist_nm(f, ap) - dist_nm(fx, ap)) / flown
    return None
