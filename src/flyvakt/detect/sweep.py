"""The signal-lost sweep: aircraft not heard for ``SIGNAL_LOST_S`` get their ``signal_lost``.

Run by the detector's step every ``LOST_SWEEP_EVERY_S`` of data time (and for one aircraft
before its rows after a silence longer than the forget time). The start-up burst of a big feed
loses tens of thousands of aircraft in one sweep (33,439 at 50,000 aircraft in bench_e2e's
sweep), so the work per lost aircraft is what counts.

Done in arrays, for all lost aircraft at once: which aircraft are lost (their last fix older
than ``SIGNAL_LOST_S``), the time zones of their last positions (one batch lookup), and which
have an airport within ``CLOSE_NM`` at all (:func:`field_near`: one vectorised search over
those low enough to be within reach of one, by the highest airport of their 0.25° cell).
Then each lost aircraft, in row order, is either decided at once or judged by the rules, with
those answers in hand.

Invariant of the shortcut (what makes it exact): an aircraft is decided without the rules only
when :meth:`CoverageRule.lost` would do nothing with it but mark it lost and say
``signal_lost`` with its last known state, inferring no landing:
:meth:`CoverageRule.says_nothing_more`, i.e. no flip pending (nothing for
:func:`~flyvakt.detect.phase.confirm_pending` to confirm) and either committed on the ground
or with no landing within reach of its last fix (no airport within ``CLOSE_NM``, or too high
for any: :meth:`CoverageRule.out_of_reach` with the highest airport of all, :func:`low_near`
with the highest near the fix). Its event is then built from the recorded last
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
from typing import Any, cast

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
# The plain paths of the sweep on; tests/unit/detect/test_sweep.py turns them off to compare
# with every lost aircraft through the rule.
PLAIN = True


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
    alt, gnss = c["alt"][gone], c["alt_gnss"][gone]
    near, low = field_near(ctx, lf, gone)
    quiet = COVERAGE.out_of_reach(ctx, alt, gnss, near) | ~low
    quiet_l = quiet.tolist()
    # The recorded last fixes of those that may be brought up to it for the rules (not quiet:
    # a landing may be within reach), read in one pass per column (the values LastFixes.values
    # gives one at a time, ~2 us each); any other is read alone.
    maybe = gone[~quiet]
    recorded = dict(zip(maybe.tolist(), lf.values_many(maybe), strict=True))
    icaos = c["icao24"][gone].tolist()
    hexes = icao_hex_many(c["icao24"][gone])
    state.tails.drop(icaos)  # the next fix comes after a gap: no crossing to locate
    # The states read in one C-level pass (a dict lookup each); an aircraft without one (none
    # in the sweeps measured: each lost aircraft had a hot fix) gets it made. (``all``, not
    # ``None in``: the states' __eq__ is Python, a call per state.)
    found: list[AircraftState | None] = list(map(state.aircraft.get, icaos))
    if not all(found):
        found = [st or state.get(a) for st, a in zip(found, icaos, strict=True)]
    rows = zip(
        cast(list[AircraftState], found), hexes, c["t"][gone].tolist(), lat.tolist(),
        lon.tolist(), quiet_l, alt.tolist(), c["ground"][gone].tolist(), tz, gnss.tolist(),
        near.tolist(), gone.tolist(), strict=True,
    )  # fmt: skip
    plain, says, plainly = PLAIN, COVERAGE.says_nothing_more, COVERAGE.lost_plainly
    for st, icao, t, la, lo, q, a_ft, gnd, zone, g_ft, near_k, row in rows:
        cur = st.last
        # Lost plainly (most: at cruise, or far from any field): no flip pending, and committed
        # on the ground or no landing within reach, with the last fix one of these two:
        if plain and says(st, q):
            if cur is None or cur.t < t or (cur.t == t and (cur.lat != la or cur.lon != lo)):
                # The recorded fix, not yet brought up as st.last (what refresh would make
                # it): the event comes from the columns; st.last stays behind, as whatever
                # reads it next (the detector's batch when the aircraft is heard again,
                # finish) brings it up to the recorded fix first.
                if st.first is not None:
                    out.append(plainly(st, icao, t, la, lo, a_ft, gnd, zone))
                    continue
            elif (
                cur.lat == la
                and cur.lon == lo
                and (cur.alt == a_ft or (cur.alt != cur.alt and a_ft != a_ft))
                and (cur.alt_gnss == g_ft or (cur.alt_gnss != cur.alt_gnss and g_ft != g_ft))
            ):
                # st.last at the recorded position with the recorded heights (NaN for NaN):
                # what the columns found holds for it (as in _lost_one).
                out.append(plainly(st, icao, cur.t, la, lo, cur.alt, cur.ground, zone))
                continue
        if cur is None or cur.t < t or (cur.t == t and (cur.lat != la or cur.lon != lo)):
            if st.first is not None and says(st, q):
                out.append(plainly(st, icao, t, la, lo, a_ft, gnd, zone))
                continue
            refresh(st, recorded.get(row) or lf.values(row))
        _lost_one(ctx, state, st, out, (t, la, lo, a_ft, g_ft), near_k, q, icao, zone)
    ctx.tz_known, ctx.near_known, ctx.near_at = {}, {}, None


def _lost_one(
    ctx: Context, state: DetectorState, st: AircraftState, out: list[Event],
    recorded: tuple[float, float, float, float, float], near: bool, quiet: bool, icao: str,
    tz: str,
) -> None:  # fmt: skip
    """One lost aircraft whose last fix (``st.last``) is the recorded one (``recorded``: its
    time, position and heights as the columns hold them; ``near``, ``quiet``: what the sweep
    found for them), or another kept as the last."""
    fx = st.last
    if fx is None:
        return
    _t, la, lo, ca_ft, cg_ft = recorded
    # The search (and the zone) was for the recorded last position: another position kept as
    # the last (refresh) gets the search of its own.
    if fx.lat != la or fx.lon != lo:
        near = True
    else:
        # Out of reach as the columns found it when the fix holds the recorded heights (NaN
        # for NaN; the rules may have cleared an implausible altitude, and another fix at the
        # same time and place may be the one kept): a test of those two numbers.
        a_ft, g_ft = fx.alt, fx.alt_gnss
        if not (
            (a_ft == ca_ft or (a_ft != a_ft and ca_ft != ca_ft))
            and (g_ft == cg_ft or (g_ft != g_ft and cg_ft != cg_ft))
        ):
            quiet = COVERAGE.fix_out_of_reach(ctx, fx, near)
        if COVERAGE.says_nothing_more(st, quiet):
            out.append(COVERAGE.lost_plainly(st, icao, fx.t, la, lo, fx.alt, fx.ground, tz))
            return
        if st.flip_start is None:
            # Not said plainly with no flip pending: not committed on the ground, and within
            # reach (an airport within CLOSE_NM, low enough for one).
            if COVERAGE.lost_unflipped(ctx, st, fx, out, tz, icao=icao):
                state.awaiting.add(st.icao24)
            return
    # Another position kept as the last, or a flip pending: the rule itself.
    ctx.tz_known[(la, lo)] = tz  # the zone there, for ctx.event (any aircraft)
    if COVERAGE.lost(ctx, st, fx, out, field_near=near):
        state.awaiting.add(st.icao24)


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


def field_near(
    ctx: Context, lf: LastFixes, rows: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per row of ``lf``: (``near``, ``low``). ``near``: False where no airport lies within
    ``CLOSE_NM`` of its last position (a property of the position alone:
    :func:`~flyvakt.detect.gaps.final_to` would find none), else True. ``low``: False where the
    recorded heights put the last fix too high above every airport within ``CLOSE_NM`` for
    ``final_to`` to fit any (:func:`low_near`), else True.

    Searched (one vectorised search: ``World.airports_near_many``, the same lists as
    ``airports_near``) only for the last fixes that ``CoverageRule.lost`` would search from:
    not on the ground, within reach of the highest airport (its ``_within_reach``) and
    ``low``; the others keep True and are turned away by those cheap checks (or ``low``). The
    lists found are left in ``ctx`` (``near_known``) for ``final_to`` to take instead of
    searching again."""
    c = lf.cols
    alt, gnss = c["alt"][rows], c["alt_gnss"][rows]
    reach = within_reach_many(ctx, alt, gnss)
    out = np.ones(len(rows), np.bool_)
    low = np.ones(len(rows), np.bool_)
    k = np.flatnonzero(reach & ~c["ground"][rows])
    if len(k):
        r = rows[k]
        lat, lon = c["lat"][r], c["lon"][r]
        cells = ctx.world.airport_cells(R.CLOSE_NM)
        cell = cells.cells(lat, lon)
        out[k[cell < 0]] = False  # no airport within CLOSE_NM of the cell's points
        low_k = low_near(alt[k], gnss[k], cells.highest_ft(cell))
        low[k] = low_k
        k, lat, lon = k[low_k], lat[low_k], lon[low_k]
    if len(k):
        found = ctx.world.airports_near_many(lat, lon, R.CLOSE_NM)
        count, ctx.near_at = found.counts, found.at
        some = count > 0
        out[k] = some
        keys = zip(lat[some].tolist(), lon[some].tolist(), strict=True)
        ctx.near_known = {
            (a, o, R.CLOSE_NM): j
            for (a, o), j in zip(keys, np.flatnonzero(some).tolist(), strict=True)
        }
    return out, low


def low_near(
    alt_ft: npt.NDArray[np.float64], alt_gnss_ft: npt.NDArray[np.float64],
    top_ft: npt.NDArray[np.float64],
) -> npt.NDArray[np.bool_]:  # fmt: skip
    """Per fix with these heights, no airport within ``CLOSE_NM`` of it higher than ``top_ft``
    (``AirportCells.highest_ft``; -inf: none): whether :func:`~flyvakt.detect.gaps.final_to`
    (``strict=False``) may fit an airport. Every fit is at most ``LOW_AGL_FT`` above the
    airport by :func:`~flyvakt.detect.evidence.height_ft` (short final: ``FINAL_HEIGHT_FT``
    with its tolerance; an approach path: ``LOW_AGL_FT``), and each of height_ft's readings is
    at least the GNSS altitude minus the elevation, or the pressure altitude minus the
    elevation and ``QNH_TOL_FT`` (a ground reference of the pressure altitude is learned within
    ``QNH_TOL_FT`` of the field's elevation, a taxi, or ``SLOW_RAW_BAND_FT``, a floor:
    ``phase.learn_ground_ref``). False: both altitudes unknown, or both that high above
    ``top_ft``. The same bound as ``CoverageRule``'s ``_within_reach``, with the highest
    airport near the fix instead of the highest of all: at 50,000 aircraft it turns away
    three in four of the fixes within reach of the highest (issue 12's cold sweep)."""
    with np.errstate(invalid="ignore"):
        least = np.fmin(alt_ft - R.QNH_TOL_FT, alt_gnss_ft) - top_ft  # NaN: both unknown
        return least <= R.LOW_AGL_FT
