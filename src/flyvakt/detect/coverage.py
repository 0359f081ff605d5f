"""Coverage: signal lost and regained, coverage gaps, end of data."""

from __future__ import annotations

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, duration, gap_details
from flyvakt.detect.phase import confirm_pending, infer_landing_at_end
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import Event


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
        gap_s = fx.t - prev.t
        why = f"seen again after {duration(gap_s)} without positions"
        regained = ctx.event("signal_regained", st, fx, reason=why)
        regained.details = gap_details(prev, fx)
        out.append(regained)

    def lost(self, ctx: Context, st: AircraftState, last: Fix, out: list[Event]) -> None:
        """Signal lost after ``last``: an inferred landing if lost low and close on a descent
        (a live feed has no end of data), else ``signal_lost`` with the last known state."""
        st.lost = True
        if not last.ground and st.flip_start is None and infer_landing_at_end(ctx, st, out):
            out[-1].details["signal_lost_after"] = True
            return
        ev = ctx.event(
            "signal_lost", st, last,
            reason=f"no position for more than {duration(R.SIGNAL_LOST_S)}; last known state given",
        )  # fmt: skip
        ev.details = {"on_ground": last.ground}
        out.append(ev)

    def end(self, ctx: Context, st: AircraftState, out: list[Event]) -> None:
        """End of data: say what can be said about an aircraft not already lost."""
        if st.last is None or st.lost:
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
