"""Flight phase: takeoff, landing, stopover and touch-and-go."""

from __future__ import annotations

import math

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, dist_nm, duration, gap_details
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import AirportRef, Event


class PhaseRule:
    """Ground/air phase changes and the takeoffs and landings they mean.

    Evidence: the ground estimate of each fix (ground flag, or altitude/speed where the source has
    none), held over a debounce window of time *and* fixes; groundspeed or movement for a takeoff;
    the airport within a few NM of the ground fix. Across a coverage gap: the phase on both sides.
    At the start and end of data: height above a nearby field, distance and vertical rate.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if h.prev is None:
            start_of_data(ctx, st, h.fx, out)
        elif h.gap:
            self._across_gap(ctx, st, h.prev, h.fx, out)
        else:
            self._phase(ctx, st, h.prev, h.fx, out)

    def _phase(self, ctx: Context, st: AircraftState, prev: Fix, fx: Fix, out: list[Event]) -> None:
        if fx.ground == st.ground:
            _reset_flip(st)
            return
        if st.flip_start is None:
            st.flip_start, st.flip_prev, st.flip_count = fx, prev, 0
            st.flip_max_gs = 0.0
        st.flip_count += 1
        if not math.isnan(fx.gs):
            st.flip_max_gs = max(st.flip_max_gs, fx.gs)
        confirm_pending(ctx, st, fx, out, at_end=False)

    def _across_gap(
        self, ctx: Context, st: AircraftState, prev: Fix, fx: Fix, out: list[Event]
    ) -> None:
        gap_s = fx.t - prev.t
        _reset_flip(st)
        already = st.last_landing is not None and st.last_landing.time_s >= prev.t
        if already and not fx.ground and st.last_landing is not None:
            # Lost low (landing inferred), seen airborne again: it left again, or went around.
            ap = st.last_landing.airport
            out.append(
                ctx.event(
                    "takeoff", st, fx, airport=ap, basis="inferred", confidence=0.5,
                    reason=(
                        "seen airborne again after a landing inferred at the start of a "
                        f"{duration(gap_s)} coverage gap"
                    ),
                )
            )  # fmt: skip
            out[-1].details = gap_details(prev, fx)
            st.last_landing = None
        if not prev.ground and fx.ground and not already:
            ap, cands = ctx.airport_for(fx, R.GROUND_AIRPORT_NM)
            landing(
                ctx, st, fx, out, basis="inferred", confidence=0.8, airport=ap,
                candidates=cands,
                reason=(
                    f"airborne before a {duration(gap_s)} coverage gap, on the ground "
                    "after it; the touchdown time lies inside the gap"
                ),
            )  # fmt: skip
            out[-1].details = gap_details(prev, fx)
        elif prev.ground and not fx.ground:
            takeoff(
                ctx, st, prev, fx, out, basis="inferred", confidence=0.8,
                reason=f"on the ground before a {duration(gap_s)} coverage gap, airborne after it",
            )  # fmt: skip
            out[-1].details = gap_details(prev, fx)
        st.ground = fx.ground


def _reset_flip(st: AircraftState) -> None:
    st.flip_start = st.flip_prev = None
    st.flip_count = 0


def confirm_pending(
    ctx: Context, st: AircraftState, fx: Fix, out: list[Event], *, at_end: bool
) -> None:
    """Commit a pending ground/air flip once it has held long enough (or at the end of data)."""
    fs = st.flip_start
    if fs is None or st.flip_prev is None:
        return
    held = fx.t - fs.t >= R.DEBOUNCE_S and st.flip_count >= R.DEBOUNCE_FIXES
    if not held and not (at_end and st.flip_count >= 2):
        return
    moved_nm = dist_nm(fx, st.flip_prev)
    if not fs.ground and st.flip_max_gs < R.TAKEOFF_MIN_GS_KT and moved_nm < R.TAKEOFF_MIN_MOVE_NM:
        # "Airborne" at taxi speed is a flapping ground flag, not a takeoff.
        _reset_flip(st)
        return
    before = st.flip_prev
    st.ground = fs.ground
    _reset_flip(st)
    if fs.ground:
        landing(ctx, st, fs, out, reason="seen airborne, then on the ground")
    else:
        takeoff(ctx, st, before, fs, out, reason="seen on the ground, then airborne")


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
) -> None:
    airport, cands = ctx.airport_for(ground_fix, R.GROUND_AIRPORT_NM)
    st.low_min = st.low_airport = None
    ev = ctx.event(
        "takeoff", st, air_fix, airport=airport, candidates=cands, reason=reason, basis=basis,
        confidence=confidence,
    )  # fmt: skip
    out.append(ev)
    last = st.last_landing
    if (
        last is not None
        and airport is not None
        and last.airport is not None
        and last.airport.icao == airport.icao
    ):
        on_ground_s = air_fix.t - last.time_s
        kind = "touch_and_go" if on_ground_s <= R.TOUCH_AND_GO_S else "stopover"
        both_seen = last.basis == "observed" and basis == "observed"
        stop = ctx.event(
            kind, st, ground_fix, airport=airport,
            reason=f"landed at {airport.icao} and took off again {duration(on_ground_s)} later",
            basis="observed" if both_seen else "inferred",
        )  # fmt: skip
        stop.time_s = last.time_s
        stop.details = {
            "arrival": last.time_iso,
            "departure": ev.time_iso,
            "on_ground_s": round(on_ground_s),
        }
        out.append(stop)
    st.last_landing = None


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
) -> None:
    if airport is None and candidates is None:
        airport, candidates = ctx.airport_for(fx, R.GROUND_AIRPORT_NM)
    ev = ctx.event(
        "landing", st, fx, airport=airport, candidates=candidates or [], reason=reason,
        basis=basis, confidence=confidence,
    )  # fmt: skip
    out.append(ev)
    st.last_landing = ev
    st.low_min = None


def start_of_data(ctx: Context, st: AircraftState, fx: Fix, out: list[Event]) -> None:
    """A track that starts airborne names no takeoff, unless it starts just after lift-off."""
    if fx.ground or not fx.alt < R.START_AGL_FT + R.HIGHEST_AIRPORT_FT:
        return
    for ap, _d in ctx.world.airports_near(fx.lat, fx.lon, R.START_NM):
        agl = fx.alt - ap.elevation_ft
        if not math.isnan(agl) and agl <= R.START_AGL_FT and not (fx.vr < 0):
            takeoff(
                ctx, st, fx, fx, out, basis="inferred", confidence=0.6,
                reason=(
                    f"first seen {agl:,.0f} ft above {ap.icao} and climbing, "
                    f"{dist_nm(fx, ap):.1f} NM away; lift-off not observed"
                ),
            )  # fmt: skip
            return


def infer_landing_at_end(ctx: Context, st: AircraftState, out: list[Event]) -> bool:
    """Data ends (or the signal is lost) low and close to an airport, descending: an inferred
    landing there. Returns whether one was emitted."""
    fx = st.last
    assert fx is not None
    if fx.vr > 0 or not fx.alt <= R.HIGHEST_AIRPORT_FT + min(
        R.LOW_AGL_FT, R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * R.CLOSE_NM
    ):
        return False  # climbing, or too high above any airport: no search needed
    best: tuple[AirportRef, float, float] | None = None
    near = ctx.world.airports_near(fx.lat, fx.lon, R.CLOSE_NM)
    for ap, d in near:
        agl = fx.alt - ap.elevation_ft
        if math.isnan(agl) or agl > R.LOW_AGL_FT or agl > R.GLIDE_BASE_FT + R.GLIDE_FT_PER_NM * d:
            continue
        if best is None or d < best[1]:
            best = (ap, d, agl)
    if best is None:
        return False
    ap, d, agl = best
    others = [a.icao for a, _ in near if a.icao != ap.icao]
    landing(
        ctx, st, fx, out, basis="inferred", confidence=0.7, airport=ap, candidates=others[:5],
        reason=(
            f"last seen {agl:,.0f} ft above {ap.icao} elevation, {d:.1f} NM away, "
            "descending; touchdown not observed"
        ),
    )  # fmt: skip
    return True
