"""The gap and abstention rules (docs/detection.md): what may be said across missing data.

- Across a gap longer than ``GAP_NAME_S`` an airport is named only when the evidence on both
  sides points to it: before the gap on its surface or on final to it (low, close, descending,
  getting closer); after the gap on its surface or in initial climb from it. Otherwise the
  event says "landed somewhere": ``airport`` null, ``candidates`` in order, ``basis: inferred``;
  or nothing is said.
- A landing is never inferred from a track that is climbing, level above pattern altitude,
  moving away from the field, or whose trend is unknown (missing is missing).
- When two airports fit the last fix, none is named (the candidates are).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort_right
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, dist_nm, duration, gap_details
from flyvakt.detect.evidence import alt_trend_ft, descending, heading_to, height_ft, rate_fpm
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import AirportRef, Event


def ground_ref(ctx: Context, st: AircraftState, ap: AirportRef, fx: Fix) -> float:
    if st.field_icao == ap.icao and st.ref_baro_ft == st.ref_baro_ft:  # not NaN
        return st.ref_baro_ft
    # Only references learned before this fix's time: a batch holds other aircraft's later
    # fixes, and a fix must not depend on data after it (nor on how the stream was batched:
    # one learned at the same time may lie in the batch before or in this one). The list is in
    # time order (at most two per aircraft and field): the newest one before fx.t.
    refs = ctx.ground_refs.get(ref_key(ap.icao, st.icao24))
    if not refs:
        return math.nan
    ref_ft, t = refs[-1]
    if not t < fx.t:  # the newest is not before fx (else it is the answer: no search)
        k = bisect_left(refs, fx.t, key=_time_of)
        if k == 0:
            return math.nan
        ref_ft, t = refs[k - 1]
    return ref_ft if fx.t - t <= R.GROUND_REF_S else math.nan


# Why cached: a fix near a field asks for its aircraft's reference there at every hot fix (the
# 5,000-aircraft burst: 10.7 k keys per run), and formatting the address costs ~2x a cache
# hit; 65,536 keys (~13 MB) bound its memory, and a miss costs no more than formatting.
@lru_cache(maxsize=1 << 16)
def ref_key(icao: str, icao24: int) -> str:
    """References are kept per field AND aircraft: a pressure altitude's ground reading is
    this aircraft's encoder's, not the field's. At KWVI on 2025-12-13 aircraft taxiing within
    the same hour read 25, 50, 75 and 100 ft (kwvi1213.csv.gz), so another aircraft's reading
    put a34b61 (ground 25 ft) "at ground level" 75 ft over the runway in a low pass."""
    return f"{icao} {icao24:06x}"


def share_ground_ref(ctx: Context, icao: str, icao24: int, ref_ft: float, t: float) -> None:
    """Record aircraft ``icao24``'s ground reference at field ``icao`` learned at ``t``, in
    time order, for when it comes back to that field after another. Its fixes come in time
    order, so a fix asks for the newest learned strictly before it: the last or the one before
    (learned at the fix's own time); two per aircraft and field are all that can answer."""
    refs = ctx.ground_refs.setdefault(ref_key(icao, icao24), [])
    if refs and refs[-1][1] <= t and t - refs[-1][1] < R.GROUND_REF_STEP_S:
        refs[-1] = (ref_ft, t)  # one per GROUND_REF_STEP_S is enough: QNH moves slowly
    else:
        insort_right(refs, (ref_ft, t), key=_time_of)  # = append + stable sort by time
    del refs[:-2]


def _time_of(ref: tuple[float, float]) -> float:
    return ref[1]


def final_to(
    ctx: Context, st: AircraftState, fx: Fix, *, strict: bool = True
) -> tuple[list[AirportRef], bool, str]:
    """Airports ``fx`` is on final to, nearest first; whether the choice is ambiguous (another
    airport nearly fits); and why not, if none. Always: descending (vertical rate or trend) and
    getting closer. ``strict`` (evidence for the gap rule): short final, at most
    ``FINAL_HEIGHT_FT`` (whatever the QNH) and ``FINAL_NM``. Otherwise (one side only: the signal
    is lost or the data ends): on an approach path, within the glide envelope and ``CLOSE_NM``,
    at approach speed."""
    if fx.ground or (math.isnan(fx.alt) and math.isnan(fx.alt_gnss)):
        return [], False, "no altitude"
    down = descending(st, fx)
    if down is not True:
        return [], False, "not seen descending" if down is None else "not descending"
    fits: list[AirportRef] = []
    nearly: list[AirportRef] = []
    for ap, d in ctx.airports_near(fx.lat, fx.lon, R.CLOSE_NM):
        h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
        if math.isnan(h):
            continue
        # The most the height can be (raw pressure altitude: the top of the QNH band) must fit
        # the envelope; the least it can be decides whether the airport nearly fits.
        hi, lo = h + tol, h - tol
        glide = R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d
        envelope = min(R.FINAL_HEIGHT_FT, glide)
        toward = heading_to(st, fx, ap)
        ahead = toward is not None and toward >= R.HEADING_TO_MIN
        short = d <= R.FINAL_NM and hi <= envelope
        approach = not strict and h <= min(R.LOW_AGL_FT, glide) and _reaches(st, fx, h, d)
        if (short or approach) and ahead:
            fits.append(ap)
        elif lo <= 1.5 * envelope and (toward is None or toward > 0):
            nearly.append(ap)
    if not fits:
        return [], False, "not low and close on a descent towards an airport"
    d0 = dist_nm(fx, fits[0])
    ambiguous = len(fits) > 1 or any(dist_nm(fx, a) < d0 for a in nearly)
    return fits, ambiguous, ""


def lands_after_loss(ctx: Context, st: AircraftState, fx: Fix) -> bool:
    """``bool(final_to(ctx, st, fx, strict=False)[0])`` (the signal lost after ``fx``: may a
    landing be inferred?), with less work: the first airport that fits answers, and the
    heading is asked only of an airport the height puts on short final or on an approach
    path (the airports that can only nearly fit make ``final_to``'s ambiguity, which is not
    read here). Every piece is a pure look-up, so the answer is ``final_to``'s
    (tests/unit/detect/test_final_fits.py). Asked for every aircraft the signal-lost sweep
    loses within reach of a field (8,664 at 50,000 aircraft in bench_e2e's sweep)."""
    if fx.ground or (math.isnan(fx.alt) and math.isnan(fx.alt_gnss)):
        return False
    if descending(st, fx) is not True:
        return False
    for ap, d in ctx.airports_near(fx.lat, fx.lon, R.CLOSE_NM):
        h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
        if math.isnan(h):
            continue
        glide = R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d
        short = d <= R.FINAL_NM and h + tol <= min(R.FINAL_HEIGHT_FT, glide)
        if short or (h <= min(R.LOW_AGL_FT, glide) and _reaches(st, fx, h, d)):
            toward = heading_to(st, fx, ap)
            if toward is not None and toward >= R.HEADING_TO_MIN:
                return True
    return False


def final_fits(ctx: Context, st: AircraftState, fx: Fix) -> list[AirportRef]:
    """``final_to(ctx, st, fx)[0]`` (strict), with less work: a strict fit is within
    ``FINAL_NM``, so only the airports within ``FINAL_NM`` are searched (a shorter list than
    ``CLOSE_NM``'s, the same airports in the same order at the same distances, and searched in
    advance across a gap: detect/prepass.py), the descent is asked only when one is there, and
    the heading only of an airport the height fits (the airports that can only nearly fit make
    ``final_to``'s ambiguity, which its strict callers do not read). Every piece is a pure
    look-up, so the answer is ``final_to``'s (tests/unit/detect/test_final_fits.py)."""
    if fx.ground or (math.isnan(fx.alt) and math.isnan(fx.alt_gnss)):
        return []
    near = [(ap, d) for ap, d in ctx.airports_near(fx.lat, fx.lon, R.FINAL_NM) if d <= R.FINAL_NM]
    if not near or descending(st, fx) is not True:
        return []
    fits: list[AirportRef] = []
    for ap, d in near:
        h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
        if math.isnan(h) or h + tol > min(
            R.FINAL_HEIGHT_FT, R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d
        ):
            continue
        toward = heading_to(st, fx, ap)
        if toward is not None and toward >= R.HEADING_TO_MIN:
            fits.append(ap)
    return fits


def may_be_low(ctx: Context, fx: Fix, limit_ft: float) -> bool:
    """Whether ``fx`` may be at most ``limit_ft`` above some airport by :func:`height_ft` (its
    height plus tolerance): False when both its altitudes are unknown or above every airport by
    more than that. Each of height_ft's readings is at least the altitude minus the highest
    elevation and ``QNH_TOL_FT``: a ground reference of the pressure altitude is learned within
    ``QNH_TOL_FT`` of the field's elevation (a taxi) or ``SLOW_RAW_BAND_FT`` (a floor), raw
    pressure altitude adds ``QNH_TOL_FT``, GNSS altitude ``GNSS_TOL_FT``. So False means that
    no airport is within ``limit_ft`` of it for :func:`final_fits` (``FINAL_HEIGHT_FT``) or
    :func:`initial_climb_from` (``INITIAL_CLIMB_FT``): their answer is [] without a search."""
    top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + limit_ft
    # "Not above the top and known" is "at most the top" (NaN compares False): no isnan calls
    # (~36 k calls a state-vector replay, two per plain regain).
    return fx.alt <= top or fx.alt_gnss <= top


def may_be_low_many(
    ctx: Context,
    alt_ft: npt.NDArray[np.float64],
    alt_gnss_ft: npt.NDArray[np.float64],
    limit_ft: float,
) -> npt.NDArray[np.bool_]:
    """:func:`may_be_low` of many fixes with these altitudes (the same answers)."""
    top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + limit_ft
    with np.errstate(invalid="ignore"):
        return ~((alt_ft > top) | np.isnan(alt_ft)) | ~((alt_gnss_ft > top) | np.isnan(alt_gnss_ft))


def _reachable(before: Fix, after: Fix, ap: AirportRef) -> bool:
    """Whether the aircraft can have flown from ``before`` to ``ap`` and on to ``after`` within
    the interval, at the faster of its two groundspeeds (it is slower while landing): mry0601
    ac155c, 3.0 NM from 9CL2 before and 3.7 NM after 202 s at 80-100 kt, had a landing named
    there. An unknown speed decides nothing."""
    speeds = [v for v in (before.gs, after.gs) if v > 0]  # NaN and the 0 placeholder: unknown
    if not speeds:
        return True
    kt = max(speeds)
    return (dist_nm(before, ap) + dist_nm(after, ap)) / kt * 3600.0 <= after.t - before.t


def _reaches(st: AircraftState, fx: Fix, h: float, d_nm: float) -> bool:
    """The descent would reach the ground near the field: the time to lose the height at the
    current descent rate and the time to fly there at the current groundspeed agree within
    ``GLIDE_TIME_RATIO`` (a glide path of about 1.5-6 degrees)."""
    rate = trend_rate_fpm(st, fx)
    if math.isnan(rate) or rate >= 0 or not fx.gs > 0:
        return False
    to_ground = max(h, 0.0) / -rate
    to_field = d_nm / fx.gs * 60.0
    if to_field <= 0:
        return True
    ratio = to_ground / to_field
    return 1 / R.GLIDE_TIME_RATIO <= ratio <= R.GLIDE_TIME_RATIO


def over_runway(ctx: Context, st: AircraftState, fx: Fix, ap: AirportRef) -> bool:
    """Whether ``fx`` is over ``ap``'s runways (within ``RUNWAY_NM``) at its ground level:
    within ``FLOOR_BAND_FT`` of the ground reference, or without one within
    ``SLOW_RAW_BAND_FT`` of the published elevation."""
    if dist_nm(fx, ap) > R.RUNWAY_NM:
        return False
    h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
    return abs(h) <= (R.FLOOR_BAND_FT if tol == 0.0 else R.SLOW_RAW_BAND_FT)  # NaN: False


def initial_climb_from(ctx: Context, st: AircraftState, fx: Fix) -> list[AirportRef]:
    """Airports ``fx`` may be in initial climb from: low and close, not descending; and, when
    it may still be on that airport's surface (at its level: ``FLOOR_BAND_FT`` of the ground
    reference, or ``SLOW_RAW_BAND_FT`` of the elevation without one; and not at a known flying
    speed), seen climbing (``CLIMB_SEEN_FPM``). An unknown vertical rate there is no climb: the
    fixes after it decide (a81f3c's first fix after a 230 s gap, 12 ft above KWVI by raw
    pressure altitude with a placeholder speed, read as a climb-out, gave an unnamed takeoff at
    the instant of the landing it was rolling out from)."""
    if fx.ground or (math.isnan(fx.alt) and math.isnan(fx.alt_gnss)):
        return []
    if not math.isnan(fx.vr) and fx.vr <= R.FINAL_MIN_DESCENT_FPM:
        return []
    seen_climbing = not math.isnan(fx.vr) and fx.vr >= R.CLIMB_SEEN_FPM
    out = []
    for ap, d in ctx.airports_near(fx.lat, fx.lon, R.FINAL_NM):
        h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
        hi = h + tol
        band = R.FLOOR_BAND_FT if tol == 0.0 else R.SLOW_RAW_BAND_FT
        if abs(h) <= band and not seen_climbing and not flying_speed(fx):
            continue  # maybe still on its surface: not in initial climb by any evidence
        if d <= R.FINAL_NM and hi <= R.INITIAL_CLIMB_FT:
            out.append(ap)
    return out


def flying_speed(fx: Fix) -> bool:
    """A known groundspeed of at least ``TAKEOFF_MIN_GS_KT`` (NaN, and the 0 that the feeds put
    in the first fix after a gap, are unknown)."""
    return fx.gs >= R.TAKEOFF_MIN_GS_KT


def trend_rate_fpm(st: AircraftState, fx: Fix) -> float:
    """Vertical rate: reported (unless contradicted by the altitudes), else from the trend."""
    vr = rate_fpm(st, fx)
    if not math.isnan(vr):
        return vr
    d = alt_trend_ft(st, fx)
    return math.nan if d is None else d * 60.0 / R.TREND_S


def estimate_touchdown_s(
    before: Fix, after: Fix, ref_baro_ft: float, rate_fpm: float = math.nan
) -> float:
    """Touchdown between an airborne fix and a later surface fix: the time the last descent
    rate (or ``NOMINAL_RATE_FPM``) takes from the last height, within the interval."""
    base = ref_baro_ft if not math.isnan(ref_baro_ft) else after.alt
    h = before.alt - base if not (math.isnan(before.alt) or math.isnan(base)) else math.nan
    rate = rate_fpm
    if math.isnan(rate) or rate > -100:
        rate = -R.NOMINAL_RATE_FPM
    if math.isnan(h):
        return (before.t + after.t) / 2
    return min(max(before.t + max(h, 0.0) / -rate * 60.0, before.t), after.t)


def estimate_liftoff_s(before: Fix, after: Fix, ref_baro_ft: float = math.nan) -> float:
    """Lift-off between a surface fix and a later airborne fix, from the climb seen after it."""
    base = ref_baro_ft if not math.isnan(ref_baro_ft) else before.alt
    h = after.alt - base if not (math.isnan(after.alt) or math.isnan(base)) else math.nan
    rate = after.vr if not math.isnan(after.vr) and after.vr > 100 else R.NOMINAL_RATE_FPM
    if math.isnan(h):
        return (before.t + after.t) / 2
    return min(max(after.t - max(h, 0.0) / rate * 60.0, before.t), after.t)


def short_final_to(ctx: Context, st: AircraftState, fx: Fix, ap: AirportRef) -> str:
    """Empty when ``fx`` is on short final to ``ap`` with every piece of evidence present (none
    defaulted): within ``SHORT_FINAL_NM``; at most ``SHORT_FINAL_FT`` above the field by GNSS
    altitude or the learned ground reference (raw pressure altitude is no height); descending
    over the last fixes; closing on the field; lined up with a runway where runways are known.
    Otherwise the first piece missing, for the event's reason."""
    from flyvakt.geo.runways import aligned_with_runway

    d = dist_nm(fx, ap)
    if d > R.SHORT_FINAL_NM:
        return f"{d:.1f} NM out"
    h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
    if math.isnan(h) or tol == R.QNH_TOL_FT:
        return "its height above the field is unknown (pressure altitude only)"
    if h + tol > R.SHORT_FINAL_FT:
        return f"up to {h + tol:,.0f} ft above it"
    if tol == 0.0 and h < -R.FLOOR_BAND_FT:
        return "below the field's ground reading (the reference is in doubt)"
    if descending(st, fx) is not True:
        return "not seen descending"
    toward = heading_to(st, fx, ap)
    if toward is None or toward < R.HEADING_TO_MIN:
        return "not seen closing on it"
    prior = _trend_fix(st, fx)
    assert prior is not None  # heading_to found it
    lined = aligned_with_runway(
        ap.icao, prior.lat, prior.lon, fx.lat, fx.lon, R.RUNWAY_ALIGN_DEG, R.RUNWAY_OFFSET_NM
    )
    if lined is False:
        return "not lined up with a runway"
    return ""


def _trend_fix(st: AircraftState, fx: Fix) -> Fix | None:
    """The fix :func:`heading_to` measures from (``TREND_S`` to 4 x ``TREND_S`` before)."""
    for f in reversed(st.recent):
        if f is fx or fx.t - f.t < R.TREND_S:
            continue
        return f if fx.t - f.t <= 4 * R.TREND_S else None
    return None


def reach_candidates(
    ctx: Context, st: AircraftState, fx: Fix, first: list[AirportRef]
) -> list[str]:
    """``first``, then every other airport within ``CLOSE_NM`` that the descent could still
    reach (its least possible height there within the glide envelope), nearest first: all the
    places a landing after ``fx`` can have been (``verify`` reads a country from them)."""
    out = [a.icao for a in first]
    for ap, d in ctx.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM):
        if ap.icao in out:
            continue
        h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
        if math.isnan(h) or h - tol <= R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d:
            out.append(ap.icao)
    return out


def infer_landing_at_end(ctx: Context, st: AircraftState, out: list[Event]) -> bool:
    """Data ends (or the signal is lost for good) on an approach: an inferred landing. The
    airport is named only on short final to it (:func:`short_final_to`); otherwise "landed
    somewhere" (``airport`` null) with every airport within reach as ``candidates``, nearest
    fitting first. Nothing when the track is not on an approach path (climbing, level, moving
    away: :func:`final_to`). Returns whether a landing was emitted."""
    from flyvakt.detect.phase import landing

    fx = st.last
    assert fx is not None
    if not fx.alt <= ctx.world.highest_airport_ft() + R.FINAL_HEIGHT_FT + R.QNH_TOL_FT:
        return False  # far above the table's highest airport: no search needed
    fits, ambiguous, _why = final_to(ctx, st, fx, strict=False)
    if not fits:
        return False
    ap = fits[0]
    h, tol = height_ft(fx, ap, ground_ref(ctx, st, ap, fx))
    how = "" if tol == 0.0 else f" (±{tol:.0f} ft)"
    where = f"{h:,.0f} ft above {ap.icao} elevation{how}, {dist_nm(fx, ap):.1f} NM away"
    if ambiguous:
        why = f"last seen descending {where}, but another airport fits too: none is named"
    else:
        not_short = short_final_to(ctx, st, fx, ap)
        if not not_short:
            landing(
                ctx, st, fx, out, basis="inferred", confidence=0.7, airport=ap,
                candidates=[c for c in reach_candidates(ctx, st, fx, fits) if c != ap.icao],
                reason=f"last seen on short final {where}, descending towards it; touchdown "
                "not observed",
            )  # fmt: skip
            out[-1].details["candidates_within_nm"] = R.CLOSE_NM
            return True
        why = (
            f"last seen descending {where}, but not on short final ({not_short}): it may "
            "have landed there or elsewhere within reach; none is named"
        )
    landing(
        ctx, st, fx, out, basis="inferred", confidence=0.4, airport=None,
        candidates=reach_candidates(ctx, st, fx, fits), reason=why,
    )  # fmt: skip
    # Every airport within reach of the last fix is a candidate: what ``verify`` may read a
    # country from ("landed in Y" when all of them lie in Y). The zone of the last fix gives
    # readers the local time that no airport gives.
    out[-1].details["candidates_within_nm"] = R.CLOSE_NM
    if out[-1].local_tz:
        out[-1].details["tz"] = out[-1].local_tz
    return True


def across_gap(
    ctx: Context,
    st: AircraftState,
    prev: Fix,
    fx: Fix,
    field: AirportRef | None,
    ref: float,
    out: list[Event],
) -> None:
    """Phase events across a coverage gap between ``prev`` and ``fx``, by the gap rules."""
    before_ground, after_ground = bool(st.ground), fx.ground
    already = st.last_landing is not None and st.last_landing.time_s >= prev.t
    # Each search only where a branch below reads its answer (each is a pure look-up): the
    # airport after the gap, when there is one before it to differ from or when it may name a
    # landing; the finals, when it was airborne and had not landed; the initial climb, when
    # it was on the ground, had landed, or was on final (most gaps, airborne at cruise on
    # both sides, need no search at all).
    # The finals are also skipped where their answer is known without a search: [] from a fix
    # too high for any (final_fits: at most FINAL_HEIGHT_FT above the field), and unread when
    # airborne after the gap from a fix too high for any initial climb (read only with the
    # climbs, which are none then): most of a state-vector replay's 25 k regains, at cruise.
    x = ctx.airport_at(prev, R.GROUND_AIRPORT_NM) if before_ground else None
    y = None
    if after_ground and (x is not None if before_ground else not already):
        y = ctx.airport_at(fx, R.GROUND_AIRPORT_NM)
    finals = (
        []
        if before_ground
        or already
        or not may_be_low(ctx, prev, R.FINAL_HEIGHT_FT)
        or not (after_ground or may_be_low(ctx, fx, R.INITIAL_CLIMB_FT))
        else final_fits(ctx, st, prev)
    )
    climbs: list[AirportRef] = []
    if not after_ground and (before_ground or already or finals):
        climbs = initial_climb_from(ctx, st, fx)
    if before_ground and after_ground:
        if x is None or y is None or x.icao == y.icao:
            return  # on the ground on both sides, not at two named airports: nothing to say
    elif not (before_ground or after_ground or already or (finals and climbs)):
        # Airborne on both sides, no landing inferred before it, not on final then climbing
        # out: no branch below says anything (most of a state-vector replay's 25 k regains).
        return
    from flyvakt.detect.phase import landing, takeoff

    gap_s = fx.t - prev.t
    long = gap_s > R.GAP_NAME_S
    gap = f"{duration(gap_s)} coverage gap"
    fin_codes = [a.icao for a in finals]
    climb_codes = [a.icao for a in climbs]
    events: list[Event] = []
    if before_ground and after_ground:
        if x is not None and y is not None and x.icao != y.icao:
            events.append(takeoff(
                ctx, st, prev, prev, out, basis="inferred", confidence=0.8, airport=x,
                candidates=[], time_s=prev.t,
                reason=f"on the ground at {x.icao} before a {gap}, at {y.icao} after it; "
                "the times lie inside the gap",
            ))  # fmt: skip
            events.append(landing(
                ctx, st, fx, out, basis="inferred", confidence=0.8, airport=y, candidates=[],
                reason=f"on the ground at {x.icao} before a {gap}, at {y.icao} after it",
            ))  # fmt: skip
    elif before_ground:
        # On an airport's surface before the gap and airborne after it: it took off from there
        # (whatever else it did in the gap), at a time inside the gap. Named even across a long
        # gap: the evidence of the departure airport is the surface fix itself.
        named = x
        seen = named is not None and named.icao in climb_codes
        cands = [c for c in climb_codes if named is None or c != named.icao]
        if named is None:
            why = f"on the ground before a {gap} (no airport within reach), airborne after it"
        elif not long or seen:
            why = f"on the ground at {named.icao} before a {gap}, airborne after it"
        else:
            why = (
                f"on the ground at {named.icao} before a {gap}, airborne {dist_nm(fx, named):.0f}"
                " NM away after it: it took off from there inside the gap; the time is an "
                "estimate, and where it went in the gap is unknown"
            )
        events.append(takeoff(
            ctx, st, prev, fx, out, basis="inferred",
            confidence=0.8 if named and (seen or not long) else 0.6 if named else 0.4,
            airport=named, candidates=cands, reason=why,
            time_s=estimate_liftoff_s(prev, fx, ref) if named else fx.t,
        ))  # fmt: skip
    elif after_ground:
        if not already:
            named = y if y is not None and (not long or y.icao in fin_codes) else None
            cands = ([y.icao] if y is not None and named is None else []) + [
                c for c in fin_codes if named is None or c != named.icao
            ]
            why = (
                f"airborne before a {gap}, on the ground at {named.icao} after it; the touchdown "
                "lies inside the gap"
                if named is not None
                else f"airborne before a {gap} and not on final to this airport, on the ground "
                "after it: it landed somewhere in the gap, perhaps more than once"
            )
            rate = trend_rate_fpm(st, prev)
            events.append(landing(
                ctx, st, fx, out, basis="inferred", confidence=0.8 if named else 0.4,
                airport=named, candidates=cands, reason=why,
                time_s=estimate_touchdown_s(prev, fx, ref, rate) if named else fx.t,
            ))  # fmt: skip
    elif already and st.last_landing is not None:
        # Lost low (landing inferred), seen airborne again: it left again, or went around.
        ap = st.last_landing.airport
        named = ap if ap is not None and ap.icao in climb_codes else None
        events.append(takeoff(
            ctx, st, prev, fx, out, basis="inferred", confidence=0.5 if named else 0.3,
            airport=named, candidates=[] if named else ([ap.icao] if ap else []) + climb_codes,
            reason=f"seen airborne again after a landing inferred at the start of a {gap}",
        ))  # fmt: skip
    elif finals and climbs:
        common = [a for a in finals if a.icao in climb_codes]
        # Over a runway at its level, the aircraft has reached that field: farther airports that
        # fit the glide envelope are no longer in question (a68847 at KWVI, CA66 3 NM away).
        there = over_runway(ctx, st, prev, finals[0])
        # Both sides must point to it first: after the gap, a nearer airport fitting the initial
        # climb is where the aircraft is (a81f3c over KWVI's surface after a 4 min gap, named
        # CA66 3 NM away because its heading over KWVI's reference point read "not towards").
        if (
            common
            and (len(finals) == 1 or there)
            and common[0] is finals[0]
            and climbs[0] is finals[0]
            and _reachable(prev, fx, finals[0])
        ):
            ap = common[0]
            how = "over the runway of" if there else "on final to"
            why = f"{how} {ap.icao} before a {gap}, climbing out of it after"
            events.append(landing(
                ctx, st, prev, out, basis="inferred", confidence=0.6, airport=ap, candidates=[],
                reason=why,
                time_s=estimate_touchdown_s(prev, fx, ref, trend_rate_fpm(st, prev)),
            ))  # fmt: skip
            events.append(takeoff(
                ctx, st, prev, fx, out, basis="inferred", confidence=0.6, airport=ap,
                candidates=[], reason=why,
                time_s=estimate_liftoff_s(prev, fx, ref),
            ))  # fmt: skip
        else:
            events.append(landing(
                ctx, st, prev, out, basis="inferred", confidence=0.3, airport=None,
                candidates=fin_codes + [c for c in climb_codes if c not in fin_codes],
                reason=f"on final before a {gap} and climbing out near another airport after "
                "it: it landed somewhere, not named",
            ))  # fmt: skip
            events.append(takeoff(
                ctx, st, prev, fx, out, basis="inferred", confidence=0.3, airport=None,
                candidates=climb_codes, reason=f"climbing out near an airport after a {gap}",
            ))  # fmt: skip
    for ev in events:
        ev.details = {**ev.details, **gap_details(prev, fx)}
