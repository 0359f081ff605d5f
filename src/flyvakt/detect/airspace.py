"""Airspace: country entries and exits (land + 12 NM territorial sea)."""

from __future__ import annotations

import numpy as np

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context, Hot, duration, gap_details
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import Event, PositionBatch


class AirspaceRule:
    """Country changes between sampled positions.

    Evidence: the country under one position per aircraft per ``COUNTRY_SAMPLE_S`` (the pre-pass
    looks them up in one vectorised call), held for ``COUNTRY_DWELL_S``; the exact crossing is
    located on the fixes between two samples. Across a coverage gap an entry is only
    ``possible``. Aircraft under suspicion of spoofing produce no country events.
    """

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None:
        if not h.sampled:
            return
        fx, country = h.fx, h.country
        if h.prev is None:
            st.country, st.country_fix = country, fx
            return
        if h.gap:
            self.after_gap(ctx, st, h.prev, fx, country, out)
            return
        self.sample(ctx, st, fx, country, h.batch, h.row, out)

    def after_gap(
        self, ctx: Context, st: AircraftState, prev: Fix, fx: Fix, country: str | None,
        out: list[Event],
    ) -> None:  # fmt: skip
        """:meth:`on_fix` for a country sample ``fx`` after a gap from ``prev``: a change of
        country is only possible (the crossing is not observed). detect/regain.py calls this
        without building a :class:`Hot` per regain."""
        if country != st.country and not st.spoofing:
            _change(ctx, st, prev, fx, st.country, country, out, basis="possible")
        st.country, st.country_fix = country, fx

    def sample(
        self, ctx: Context, st: AircraftState, fx: Fix, country: str | None, p: PositionBatch,
        i: int, out: list[Event],
    ) -> None:  # fmt: skip
        """:meth:`on_fix` for a country sample ``fx`` (row ``i`` of ``p``) after no gap, with a
        fix before it: the calm paths (calm.py) call this without building a :class:`Hot` per
        sample."""
        if st.spoofing:
            st.country_fix = fx
            return
        ref = st.country_fix
        if country == st.country:
            st.pending_active = False
        elif ref is not None:
            if not st.pending_active or st.pending_country != country:
                # A new country must hold for a while: aircraft patrolling a 12 NM line would
                # otherwise produce an exit/entry pair every sample.
                st.pending_active, st.pending_country = True, country
                st.pending_ref, st.pending_fix = ref, fx
                st.pending_cross = _crossing(ctx, ref, fx, country, p, i)
            elif st.pending_fix is not None and fx.t - st.pending_fix.t >= R.COUNTRY_DWELL_S:
                before = st.pending_ref or fx
                _change(ctx, st, before, st.pending_cross or fx, st.country, country, out,
                        basis="observed")  # fmt: skip
                st.country = country
                st.pending_active = False
        else:
            st.country = country
        st.country_fix = fx


def _change(
    ctx: Context,
    st: AircraftState,
    before: Fix,
    after: Fix,
    old: str | None,
    new: str | None,
    out: list[Event],
    *,
    basis: str,
) -> None:
    reason = (
        "observed crossing between consecutive positions"
        if basis == "observed"
        else f"country changed across a {duration(after.t - before.t)} coverage gap: "
        "the crossing was not observed"
    )
    conf = 0.95 if basis == "observed" else 0.5
    if old is not None:
        ex = ctx.event("airspace_exit", st, after, basis=basis, confidence=conf, reason=reason)
        ex.country = old
        out.append(ex)
    if new is not None:
        en = ctx.event("airspace_entry", st, after, basis=basis, confidence=conf, reason=reason)
        en.country = new
        if basis != "observed":
            en.details = gap_details(before, after)
        out.append(en)


def _crossing(
    ctx: Context, before: Fix, after: Fix, new: str | None, p: PositionBatch, i: int
) -> Fix:
    """The first fix in the new country between two samples (the sample itself if none): on
    the fixes of this batch, and of earlier ones when a batch edge lies between the samples."""
    from flyvakt.detect.prepass import fix_at

    lo = max(0, i - 2000)
    seg = slice(lo, i + 1)
    same = (p.icao24[seg] == p.icao24[i]) & (p.time_s[seg] > before.t)
    q = p.take(np.flatnonzero(same) + lo)
    if ctx.tails is not None:
        earlier = ctx.tails.since(int(p.icao24[i]), before.t)
        if len(earlier):
            q = PositionBatch.concat([earlier, q])
    if not len(q):
        return after
    cs = ctx.world.country_at(q.lat_deg, q.lon_deg)
    hit = np.flatnonzero(np.asarray([c == new for c in cs.tolist()]))
    if len(hit) == 0:
        return after
    return fix_at(q, int(hit[0]))
