"""Coverage: signal lost and regained, coverage gaps, end of data."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, dist_nm, duration, gap_details, hex_of
from flyvakt.detect.gaps import final_to, infer_landing_at_end, lands_after_loss
from flyvakt.detect.phase import confirm_pending
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import Event

_new_event = object.__new__  # an Event with no slot filled yet (lost_plainly fills them all)

_LOST_WHY = f"no position for more than {duration(R.SIGNAL_LOST_S)}; last known state given"


# Why cached: state vectors come in whole seconds, so a replay's 25,000 regains share a few
# thousand gap lengths, and a hit (~0.1 us) costs a fraction of the text made (~0.9 us); 4,096
# texts of ~40 characters are ~0.5 MB.
@lru_cache(maxsize=4096)
def _regained_why(gap_s: float) -> str:
    """The reason of a ``signal_regained`` after a gap of ``gap_s``."""
    return f"seen again after {duration(gap_s)} without positions"


def regained(ctx: Context, st: AircraftState, prev: Fix, fx: Fix) -> Event:
    """``signal_regained`` at ``fx`` after the gap from ``prev``: field for field what
    ``ctx.event("signal_regained", st, fx, reason=..., details=gap_details(prev, fx,
    ctx.round5))`` builds, without its keywords and branches (one per regain: 25 k in a
    state-vector replay)."""
    alt = fx.alt
    # Every slot stored on an instance made without its __init__, as lost_plainly does (a
    # class call with 16 arguments costs ~1.6 k instructions more: type_call, slot_tp_init);
    # tests/unit/detect/test_event_slots.py checks it against Event(...), field by field.
    ev = _new_event(Event)
    ev.type = "signal_regained"
    ev.icao24 = hex_of(st.icao24)
    ev.time_s = fx.t
    ev.callsign = st.callsign
    ev.airport = None
    ev.country = None
    ev.basis = "observed"
    ev.confidence = 0.95
    ev.reason = _regained_why(fx.t - prev.t)
    ev.candidates = ()
    ev.lat = fx.lat
    ev.lon = fx.lon
    ev.altitude_baro_ft = alt if alt == alt else None  # NaN: None
    ev.local_tz = ctx.zone_at(fx)
    ev.fleet = ()
    ev.details = gap_details(prev, fx, ctx.round5)
    return ev


def _within_reach(ctx: Context, fx: Fix) -> bool:
    """Whether ``fx`` may be within ``LOW_AGL_FT`` of some airport, the most any fix that
    :func:`final_to` accepts can be above it: False saves its airport search, never changes its
    answer. Its heights come from the pressure altitude against a ground reference (learned
    where the pressure altitude read within ``QNH_TOL_FT`` of the elevation, so at most that
    above the highest airport) or the elevation, or from GNSS altitude against the elevation."""
    return _heights_within_reach(ctx, fx.alt, fx.alt_gnss)


def _heights_within_reach(ctx: Context, alt_ft: float, alt_gnss_ft: float) -> bool:
    """:func:`_within_reach` of a fix with these pressure and GNSS altitudes."""
    top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + R.LOW_AGL_FT
    return not (alt_ft > top or math.isnan(alt_ft)) or not (
        alt_gnss_ft > top or math.isnan(alt_gnss_ft)
    )


def within_reach_many(
    ctx: Context, alt_ft: npt.NDArray[np.float64], alt_gnss_ft: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """:func:`_heights_within_reach` of many fixes at once (the same answers)."""
    top = ctx.world.highest_airport_ft() + R.QNH_TOL_FT + R.LOW_AGL_FT
    with np.errstate(invalid="ignore"):
        return ~((alt_ft > top) | np.isnan(alt_ft)) | ~((alt_gnss_ft > top) | np.isnan(alt_gnss_ft))


class CoverageRule:
    """Gaps in reception and what may be said across them.

    Evidence: the time between an aircraft's consecutive fixes (a gap is longer than
    ``SIGNAL_LOST_S``), the data time passed in by the caller (``now``: live signal loss), and
    the last fix before the gap (its height above nearby fields, distance, vertical rate) for the
    landing that may be inferred when the signal is lost low on an approach.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if h.prev is None or not h.gap:
            return
        prev, fx = h.prev, h.fx
        if not st.lost:
            # The sweep did not see this gap (it fell inside one batch): say it now, so that
            # the events do not depend on where batches happen to be cut.
            self.lost(ctx, st, prev, out)
        st.lost = False
        st.landing_pending = False  # seen again: the gap rules decide, with both sides
        out.append(regained(ctx, st, prev, fx))
        if st.last_landing is not None:  # else rejudge has nothing to withdraw
            self.rejudge(ctx, st, prev, fx, out)

    def rejudge(
        self, ctx: Context, st: AircraftState, prev: Fix, fx: Fix, out: list[Event]
    ) -> None:
        """Seen again (``fx``) after a landing was inferred at the start of this gap because
        the signal was lost on an approach and stayed lost ``LOST_LANDING_S`` (the sweep's
        :meth:`land_lost`): that landing rested on the side before the gap alone. It is
        withdrawn (``landing_withdrawn``), the aircraft's state is put back as it was, and the
        gap rules judge the gap with both sides (``gaps.across_gap``, next in the phase rule),
        as they do when the whole gap lies inside one batch. calfire a54127: a landing named at
        KSTS from a fix 0.5 NM out at 621 ft, then seen 35 min later 7.3 NM away climbing
        through 2,400 ft: nothing after the gap points to KSTS."""
        ev = st.last_landing
        if ev is None or ev.time_s < prev.t or not ev.details.get("signal_lost_after"):
            return
        st.last_landing, st.landing_before_lost = st.landing_before_lost, None
        gap = f"{duration(fx.t - prev.t)} coverage gap"
        where = ev.airport.icao if ev.airport is not None else "an airport not named"
        after = f"{dist_nm(fx, ev.airport):.1f} NM from it" if ev.airport is not None else ""
        alt = "unknown altitude" if math.isnan(fx.alt) else f"{fx.alt:,.0f} ft"
        w = ctx.event(
            "landing_withdrawn", st, fx, airport=ev.airport, candidates=list(ev.candidates),
            basis="inferred", confidence=ev.confidence,
            reason=f"the landing inferred at {where} when the signal was lost on an approach "
            f"(not seen for {duration(R.LOST_LANDING_S)}) rested on the fixes before the {gap} "
            f"alone; seen again at {alt}{', ' + after if after else ''}: withdrawn, the gap "
            "rules judge the gap with both sides",
        )  # fmt: skip
        w.details = {"withdrawn": ev.time_iso, **gap_details(prev, fx)}
        out.append(w)

    def lost(
        self, ctx: Context, st: AircraftState, last: Fix, out: list[Event], *,
        field_near: bool = True,
    ) -> bool:  # fmt: skip
        """Signal lost after ``last``: ``signal_lost`` with the last known state. Returns whether
        it was lost on an approach: then a landing is inferred if it is not seen again within
        ``LOST_LANDING_S`` (or before the data ends); if it is, the gap rules decide.
        ``field_near`` False: the caller knows that no airport lies within ``CLOSE_NM`` of
        ``last`` (then :func:`final_to` finds none: its search is skipped)."""
        st.lost = True
        confirm_pending(ctx, st, last, out, at_end=True)
        out.append(
            ctx.event("signal_lost", st, last, reason=_LOST_WHY, details={"on_ground": last.ground})
        )
        st.landing_pending = (
            not st.ground
            and st.flip_start is None
            and field_near
            and _within_reach(ctx, last)
            and bool(final_to(ctx, st, last, strict=False)[0])
        )
        return st.landing_pending

    def lost_unflipped(
        self, ctx: Context, st: AircraftState, last: Fix, out: list[Event], tz: str, *,
        icao: str,
    ) -> bool:  # fmt: skip
        """:meth:`lost` of an aircraft with no flip pending whose last fix is within reach of a
        landing: not committed on the ground, an airport within ``CLOSE_NM``, low enough for
        one (:meth:`says_nothing_more` said no; the signal-lost sweep asks, with ``tz`` the
        zone at ``last`` and ``icao`` the hex address it made for all at once): nothing to
        confirm, the event built as :meth:`lost_plainly` builds it (the same, field for field),
        then whether a landing may follow, decided as :meth:`lost` decides it (its first three
        tests hold: :func:`lands_after_loss` is the rest)."""
        assert st.flip_start is None and not st.ground
        out.append(
            self.lost_plainly(st, icao, last.t, last.lat, last.lon, last.alt, last.ground, tz)
        )
        st.landing_pending = lands_after_loss(ctx, st, last)
        return st.landing_pending

    def says_nothing_more(self, st: AircraftState, out_of_reach: bool) -> bool:
        """Whether :meth:`lost` would only mark the aircraft lost and say ``signal_lost``: no
        flip pending (nothing to confirm), and no landing within reach (committed on the
        ground, or ``out_of_reach``: its last fix has no airport within ``CLOSE_NM`` or is too
        high for any, :meth:`out_of_reach`). Then :meth:`lost_plainly` does the same, without
        the rest."""
        return st.flip_start is None and (bool(st.ground) or out_of_reach)

    @staticmethod
    def out_of_reach(
        ctx: Context, alt_ft: npt.NDArray[np.float64], alt_gnss_ft: npt.NDArray[np.float64],
        field_near: npt.NDArray[np.bool_],
    ) -> npt.NDArray[np.bool_]:  # fmt: skip
        """Per last fix with these altitudes: whether :meth:`lost` can infer no landing from it,
        whatever the aircraft's state: ``field_near`` False (the caller knows that no airport
        lies within ``CLOSE_NM``), or too high for any airport (:func:`_within_reach`)."""
        return ~field_near | ~within_reach_many(ctx, alt_ft, alt_gnss_ft)

    @staticmethod
    def fix_out_of_reach(ctx: Context, fx: Fix, field_near: bool) -> bool:
        """:meth:`out_of_reach` of one fix."""
        return not field_near or not _within_reach(ctx, fx)

    def lost_plainly(
        self, st: AircraftState, icao: str, t: float, lat: float, lon: float, alt_ft: float,
        on_ground: bool, tz: str,
    ) -> Event:  # fmt: skip
        """:meth:`lost` where :meth:`says_nothing_more` (the signal-lost sweep asks): the same
        state change and the same event, field for field, as :meth:`lost` through
        :meth:`Context.event`, built from the last fix's values and what the sweep computed for
        all lost aircraft at once (``icao``: the hex address; ``tz``: the zone at the fix)."""
        st.lost = True
        st.landing_pending = False
        # Every slot stored here, in Event's field order, on an instance made without its
        # __init__: a class call with 16 arguments goes through type_call and slot_tp_init
        # (an argument tuple made twice, a new C-level frame), ~3.5 k instructions, where
        # these stores cost ~1.9 k; a sweep at start-up builds one per lost aircraft (5,000
        # per 1 M frames in bench_pipeline's burst). tests/unit/detect/test_sweep.py checks
        # that the event equals the one Event(...) makes, every field.
        ev = _new_event(Event)
        ev.type = "signal_lost"
        ev.icao24 = icao
        ev.time_s = t
        ev.callsign = st.callsign
        ev.airport = None
        ev.country = None
        ev.basis = "observed"
        ev.confidence = 0.95
        ev.reason = _LOST_WHY
        ev.candidates = ()
        ev.lat = lat
        ev.lon = lon
        ev.altitude_baro_ft = alt_ft if alt_ft == alt_ft else None  # NaN: None
        ev.local_tz = tz
        ev.fleet = ()
        ev.details = {"on_ground": on_ground}
        return ev

    def land_lost(self, ctx: Context, st: AircraftState, out: list[Event]) -> None:
        """Lost on an approach and not seen again: the inferred landing."""
        st.landing_pending = False
        st.landing_before_lost = st.last_landing  # put back if it is seen again (rejudge)
        if st.last is not None and infer_landing_at_end(ctx, st, out):
            out[-1].details["signal_lost_after"] = True

    def end(self, ctx: Context, st: AircraftState, out: list[Event]) -> None:
        """End of data: say what can be said about an aircraft."""
        if st.last is None:
            return
        if st.lost:
            if st.landing_pending:
                self.land_lost(ctx, st, out)
            return
        confirm_pending(ctx, st, st.last, out, at_end=True)
        if st.ground:
            return
        if not infer_landing_at_end(ctx, st, out):
            out.append(
                ctx.event(
                    "signal_lost", st, st.last,
                    reason="data ends with the aircraft airborne: no landing is named",
                )
            )  # fmt: skip
