"""GNSS spoofing: positions that disagree with the aircraft's own velocity."""

from __future__ import annotations

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, dist_nm, duration
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import Event


class SpoofingRule:
    """Positions frozen or jumping while the aircraft reports a speed.

    Evidence: the distance between two sampled positions against the distance the reported
    groundspeed covers in the same time, over ``SPOOF_INTERVALS`` consecutive intervals; only
    checked airborne, fast (``SPOOF_MIN_GS_KT``) and outside gaps. Sets ``st.spoofing``, which keeps
    the aircraft out of country events.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if h.prev is None or h.gap or not h.sampled:
            return
        self.sample(ctx, st, h.fx, out)

    def sample(self, ctx: Context, st: AircraftState, fx: Fix, out: list[Event]) -> None:
        """:meth:`on_fix` for a country sample ``fx`` after no gap, with a fix before it: the
        calm paths (calm.py) call this without building a :class:`Hot` per sample."""
        ref = st.spoof_ref
        if ref is None or fx.ground or fx.t - ref.t > R.SIGNAL_LOST_S:
            st.spoof_ref = ref = fx
        if not (fx.gs >= R.SPOOF_MIN_GS_KT and fx.t - ref.t >= R.SPOOF_MIN_DT_S):
            return
        st.spoof_ref = fx
        flown = fx.gs * (fx.t - ref.t) / 3600.0
        moved = dist_nm(fx, ref)
        ratio = moved / flown if flown > 0 else 1.0
        odd = ratio < R.SPOOF_RATIO_LOW or ratio > R.SPOOF_RATIO_HIGH
        st.spoof_count = st.spoof_count + 1 if odd else 0
        # One odd interval can be a tight orbit; spoofed positions stay wrong for minutes.
        suspect = st.spoof_count >= R.SPOOF_INTERVALS
        if suspect and not st.spoofing:
            out.append(
                ctx.event(
                    "spoofing_suspected", st, fx, basis="inferred", confidence=0.6,
                    reason=(
                        f"positions moved {moved:.1f} NM in {duration(fx.t - ref.t)} while the "
                        f"aircraft reported {fx.gs:.0f} kt ({flown:.1f} NM): positions kept out "
                        "of country events"
                    ),
                )
            )  # fmt: skip
        st.spoofing = suspect
