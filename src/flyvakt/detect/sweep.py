"""The signal-lost sweep: aircraft not heard for ``SIGNAL_LOST_S`` get their ``signal_lost``.

Run by the detector's step every ``LOST_SWEEP_EVERY_S`` of data time (and for one aircraft
before its rows after a silence longer than the forget time). The start-up burst of a big feed
loses tens of thousands of aircraft in one sweep (33,439 at 50,000 aircraft in bench_e2e's
sweep), so the work per lost aircraft is what counts.

Done in arrays, for all lost aircraft at once: which aircraft are lost (their last fix older
than ``SIGNAL_LOST_S``), the time zones of their last positions (one batch lookup), and which
have an airport within ``CLOSE_NM`` at all (:func:`field_near`: one vectorised search over
those low enough to be within reach of one). Then each lost aircraft, in row order, is either
decided at once or judged by the rules, with those answers in hand.

Invariant of the shortcut (what makes it exact): an aircraft is decided without the rules only
when :meth:`CoverageRule.lost` would do nothing with it but mark it lost and say
``signal_lost`` with its last known state, inferring no landing:
:meth:`CoverageRule.says_nothing_more`, i.e. no flip pending (nothing for
:func:`~flyvakt.detect.phase.confirm_pending` to confirm) and either committed on the ground
or with no landing within reach of its last fix (no airport within ``CLOSE_NM``, or too high
for any: :meth:`CoverageRule.out_of_reach`). Its event is then built from the recorded last
fix (:meth:`CoverageRule.lost_plainly`, field for field the rule's); its state's ``last`` may
stay behind the recorded fix, as whatever reads it next (the detector's batch when the aircraft
is heard again, ``finish``) brings it up to the recorded fix first (:func:`refresh`). An
aircraft with no flip pending but a landing within reach takes
:meth:`CoverageRule.lost_unflipped` (the same event, then the rule's own landing judgement);
the others, :meth:`CoverageRule.lost`. ``tests/unit/detect/test_sweep.py`` checks, on a burst of
aircraft cut from real tracks, that the sweep gives the same events and states as the rule for
every aircraft, and that it does not when the invariant is broken.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.base import Context
from flyvakt.detect.coverage import CoverageRule, within_reach_many
from flyvakt.detect.lastfix import LastFixes
from flyvakt.detect.state import AircraftState, DetectorState, Fix
from flyvakt.model import Event
from flyvakt.model.batches import icao_hex_many

COVERAGE = CoverageRule()  # stateless: the detector's own instance would do the same


def sweep_lost(
    ctx: Context, state: DetectorState, now_s: float, out: list[Event], only: int | None = None
) -> None:
    """Aircraft not heard for ``SIGNAL_LOST_S``: ``signal_lost`` for each (and the landing
    inferred later for those lost on an approach). ``only``: that aircraft alone (the
    detector's step, before its rows after a long silence)."""
    lf = state.lastfix
    t = lf.cols["t"][: lf.size]
    with np.errstate(invalid="ignore"):
        gone = np.flatnonzero(~lf.cols["lost"][: lf.size] & (now_s - t > R.SIGNAL_LOST_S))
    if only is not None:
        gone = gone[lf.cols["icao24"][gone] == only]
    if len(gone):
        _lost(ctx, state, gone, out)
    for a in list(state.awaiting) if only is None else [only] if only in state.awaiting else []:
        st = state.aircraft[a]
        if not st.landing_pending or st.last is None:
            state.awaiting.discard(a)
        elif now_s - st.last.t >= R.LOST_LANDING_S:
            state.awaiting.discard(a)
            COVERAGE.land_lost(ctx, st, out)


def _lost(ctx: Context, state: DetectorState, gone: npt.NDArray[np.intp], out: list[Event]) -> None:
    """The rows ``gone`` of the last fixes are lost now: their events, in row order."""
    lf = state.lastfix
    c = lf.cols
    c["lost"][gone] = True
    lat, lon = c["lat"][gone], c["lon"][gone]
    tz = ctx.world.tz_many(lat, lon)
    near = field_near(ctx, lf, gone)
    quiet = COVERAGE.out_of_reach(ctx, c["alt"][gone], c["alt_gnss"][gone], near)
    quiet_l = quiet.tolist()
    # The recorded last fixes of those that may be brought up to it for the rules (not quiet:
    # a landing may be within reach), read in one pass per column (the values LastFixes.values
    # gives one at a time, ~2 us each); any other is read alone.
    maybe = np.flatnonzero(~quiet)
    recorded = dict(zip(maybe.tolist(), lf.values_many(gone[maybe]), strict=True))
    near_l = near.tolist()
    icaos = c["icao24"][gone].tolist()
    hexes = icao_hex_many(c["icao24"][gone])
    state.tails.drop(icaos)  # the next fix comes after a gap: no crossing to locate
    t_l, lat_l, lon_l = c["t"][gone].tolist(), lat.tolist(), lon.tolist()
    alt_l, gnd_l = c["alt"][gone].tolist(), c["ground"][gone].tolist()
    gnss_l = c["alt_gnss"][gone].tolist()
    aircraft = state.aircraft
    says, plainly = COVERAGE.says_nothing_more, COVERAGE.lost_plainly
    for k, a in enumerate(icaos):
        st = aircraft.get(a) or state.get(a)
        t, la, lo = t_l[k], lat_l[k], lon_l[k]
        cur = st.last
        if cur is None or cur.t < t or (cur.t == t and (cur.lat != la or cur.lon != lo)):
            # The recorded last fix is the aircraft's last (what refresh would make st.last).
            # Lost plainly (most: at cruise, or far from any field), its event comes from the
            # columns; st.last stays behind, as whatever reads it next (the detector's batch
            # when the aircraft is heard again, finish) brings it up to the recorded fix first.
            if st.first is not None and says(st, quiet_l[k]):
                out.append(plainly(st, hexes[k], t, la, lo, alt_l[k], gnd_l[k], tz[k]))
                continue
            refresh(st, recorded.get(k) or lf.values(int(gone[k])))
        fx = st.last
        if fx is None:
            continue
        # The search (and the zone) was for the recorded last position: another position
        # kept as the last (refresh) gets the search of its own.
        near_k = near_l[k]
        if fx.lat != la or fx.lon != lo:
            near_k = True
        else:
            # Out of reach as the columns found it when the fix holds the recorded heights
            # (NaN for NaN; the rules may have cleared an implausible altitude, and another fix
            # at the same time and place may be the one kept): a test of those two numbers.
            a_ft, g_ft, ca_ft, cg_ft = fx.alt, fx.alt_gnss, alt_l[k], gnss_l[k]
            if (a_ft == ca_ft or (a_ft != a_ft and ca_ft != ca_ft)) and (
                g_ft == cg_ft or (g_ft != g_ft and cg_ft != cg_ft)
            ):
                quiet_k = quiet_l[k]
            else:
                quiet_k = COVERAGE.fix_out_of_reach(ctx, fx, near_k)
            if says(st, quiet_k):
                out.append(plainly(st, hexes[k], fx.t, la, lo, fx.alt, fx.ground, tz[k]))
                continue
            if st.flip_start is None:
                # Not said plainly with no flip pending: not committed on the ground, and
                # within reach (an airport within CLOSE_NM, low enough for one).
                if COVERAGE.lost_unflipped(ctx, st, fx, out, tz[k], icao=hexes[k]):
                    state.awaiting.add(a)
                continue
        # Another position kept as the last, or a flip pending: the rule itself.
        ctx.tz_known[(la, lo)] = tz[k]  # the zone there, for ctx.event (any aircraft)
        if COVERAGE.lost(ctx, st, fx, out, field_near=near_k):
            state.awaiting.add(a)
    ctx.tz_known, ctx.near_known, ctx.near_at = {}, {}, None


def refresh(st: AircraftState, last: tuple[Any, ...]) -> None:
    """Bring ``st.last`` up to the aircraft's last fix ``last`` (recorded in columns, in
    :class:`Fix` field order). At an equal time too, when it is another fix: two fixes can
    share a time, the recorded one is the later in the stream, and a batch edge may fall
    between them. (The same fix stays: the rules may have set its phase from evidence.)"""
    t = last[0]
    cur = st.last
    if not math.isnan(t) and (
        cur is None or cur.t < t or (cur.t == t and (cur.lat, cur.lon) != (last[1], last[2]))
    ):
        st.last = Fix(*last)
        if st.first is None:
            st.first = st.last


def field_near(ctx: Context, lf: LastFixes, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Per row of ``lf``: False where no airport lies within ``CLOSE_NM`` of its last position
    (a property of the position alone: :func:`~flyvakt.detect.gaps.final_to` would find
    none), else True. Searched (one vectorised search: ``World.airports_near_many``, the same
    lists as ``airports_near``) only for the last fixes that ``CoverageRule.lost`` would search
    from: not on the ground, within reach of the highest airport (its ``_within_reach``); the
    others keep True and are turned away by those same cheap checks. The lists found are left
    in ``ctx`` (``near_known``) for ``final_to`` to take instead of searching again."""
    reach = within_reach_many(ctx, lf.cols["alt"][rows], lf.cols["alt_gnss"][rows])
    out = np.ones(len(rows), np.bool_)
    k = np.flatnonzero(reach & ~lf.cols["ground"][rows])
    if len(k):
        r = rows[k]
        lat, lon = lf.cols["lat"][r], lf.cols["lon"][r]
        found = ctx.world.airports_near_many(lat, lon, R.CLOSE_NM)
        count, ctx.near_at = found.counts, found.at
        some = count > 0
        out[k] = some
        keys = zip(lat[some].tolist(), lon[some].tolist(), strict=True)
        ctx.near_known = {
            (a, o, R.CLOSE_NM): j
            for (a, o), j in zip(keys, np.flatnonzero(some).tolist(), strict=True)
        }
    return out
