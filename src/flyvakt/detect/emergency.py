"""Emergency squawks (7500, 7600, 7700) held long enough to be meant."""

from __future__ import annotations

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, duration
from flyvakt.detect.state import AircraftState
from flyvakt.model import Event

_MEANING = {7500: "unlawful interference", 7600: "radio failure", 7700: "emergency"}


class EmergencyRule:
    """An emergency code held for ``EMERGENCY_HOLD_S``.

    Evidence: the squawk of consecutive fixes (every fix of an aircraft squawking one is hot).
    The event is stamped when the code was first seen.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if h.prev is None:
            return
        fx = h.fx
        code = fx.squawk
        if code not in R.EMERGENCY_SQUAWKS:
            st.emergency_code, st.emergency_reported = -1, False
            return
        if code != st.emergency_code:
            st.emergency_code, st.emergency_since, st.emergency_reported = code, fx.t, False
        if not st.emergency_reported and fx.t - st.emergency_since >= R.EMERGENCY_HOLD_S:
            st.emergency_reported = True
            meaning = _MEANING[code]
            ev = ctx.event(
                "emergency_squawk", st, fx,
                reason=f"squawking {code} ({meaning}) for {duration(fx.t - st.emergency_since)}",
            )  # fmt: skip
            ev.time_s = st.emergency_since
            ev.details = {"squawk": f"{code:04d}", "meaning": meaning}
            out.append(ev)
