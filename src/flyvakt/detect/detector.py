"""Flight events from accepted positions: takeoff, landing, stopover, go-around, airspace, ...

Shape of the work (DESIGN.md §1): positions arrive in batches sorted by (address, time). A
vectorised pre-pass marks the few rows that can matter ("hot" rows: ground/air flips, gaps,
emergency codes, low-altitude fixes, one country sample per aircraft per 20 s, first and last
fix); only those go, one aircraft at a time, through the rule modules (:data:`RULES`), or, when
they provably cannot change a phase, through the calm paths of calm.py, which do what the rules
would do with them. Everything else only moves the aircraft's "last fix".

The entry point is pure: :func:`step` ``(state, batch, now) -> (state, events)`` and
:func:`finish`; all state is plain data (:class:`~flyvakt.detect.state.DetectorState`).
:class:`Detector` bundles the state with the world for the pipeline.

Rules that protect users from a false "has landed" (DESIGN.md §4):
- an airport is named only on evidence: seen on the ground near it, or low and close;
- data that ends (or starts) at cruise names no airport: at most ``signal_lost``;
- a coverage gap is not a path: a landing hidden in a gap is ``inferred``, an airspace entry
  hidden in a gap is ``possible``;
- fixes under suspicion of GNSS spoofing never produce country events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, starmap
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.airspace import AirspaceRule
from flyvakt.detect.approach import ApproachRule
from flyvakt.detect.base import Context, Hot, Rule, WorldView
from flyvakt.detect.calm import APPROACH_LOW_FT as _APPROACH_LOW_FT
from flyvakt.detect.calm import calm as _calm
from flyvakt.detect.calm import calm_ground as _calm_ground
from flyvakt.detect.calm import calm_new_many as _calm_new_many
from flyvakt.detect.calm import may_approach as _may_approach
from flyvakt.detect.calm import remember as _remember
from flyvakt.detect.coverage import CoverageRule
from flyvakt.detect.emergency import EmergencyRule
from flyvakt.detect.expiry import DETECT_FORGET_S, drop
from flyvakt.detect.phase import PhaseRule
from flyvakt.detect.prepass import FieldSearch, emergency, fix_columns, gap_prepass, ground_estimate
from flyvakt.detect.regain import regained_on_ground as _regained_on_ground
from flyvakt.detect.regain import regained_plainly as _regained_plainly
from flyvakt.detect.spoofing import SpoofingRule
from flyvakt.detect.state import AircraftState, DetectorState, Fix
from flyvakt.detect.sweep import refresh as _refresh
from flyvakt.detect.sweep import sweep_lost as _sweep_lost
from flyvakt.model import AirportRef, Event, PositionBatch
from flyvakt.model.batches import parse_icao_hex
from flyvakt.model.runs import Runs, runs_by_key, silence_generations

COVERAGE, PHASE, SPOOFING = CoverageRule(), PhaseRule(), SpoofingRule()
AIRSPACE, APPROACH, EMERGENCY = AirspaceRule(), ApproachRule(), EmergencyRule()
# Order matters: coverage says "lost/regained" before phase reasons across the gap; spoofing
# decides before airspace whether positions may produce country events. :func:`_dispatch`
# calls them in this order, each only on the fixes it can act on (a new rule goes there too).
RULES: tuple[Rule, ...] = (COVERAGE, PHASE, SPOOFING, AIRSPACE, APPROACH, EMERGENCY)


_EVENT_TIME = attrgetter("time_s")  # the events' sort key, without a Python call per event


def step(
    state: DetectorState,
    positions: PositionBatch,
    now_s: float,
    world: WorldView,
    forget_after_s: float = DETECT_FORGET_S,
    why: Counter[str] | None = None,
) -> tuple[DetectorState, list[Event]]:
    """Apply one batch of positions (sorted by address, then time); ``now_s`` is data time.
    ``why``, when given, gets the count of hot rows per reason added to it (benchmarks).

    An aircraft heard again after more than ``forget_after_s`` of silence starts afresh, as if
    the pipeline's sweep (detect/expiry.py) had forgotten it in between, wherever the batches
    are cut: its rows after the silence go through after it is dropped (as track/silence.py)."""
    ctx = Context(world, state.ground_refs, state.tails)
    out: list[Event] = []
    if len(positions):
        runs = runs_by_key(positions.icao24)
        lf = state.lastfix
        rows = lf.find(positions.icao24[runs.starts])
        before = np.where(rows >= 0, lf.cols["t"][np.maximum(rows, 0)], np.nan)
        gen = silence_generations(runs, positions.time_s, before, forget_after_s)
        if gen is None:
            _batch(ctx, state, positions, out, why, (runs, rows))
        else:
            for g in range(int(gen.max()) + 1):
                part = positions.take(np.flatnonzero(gen == g))
                if g:
                    _forget_now(ctx, state, part, out)
                _batch(ctx, state, part, out, why)
    if now_s - state.last_sweep_s >= R.LOST_SWEEP_EVERY_S:
        state.last_sweep_s = now_s
        _sweep_lost(ctx, state, now_s, out)
    out.sort(key=_EVENT_TIME)
    return state, out


def finish(state: DetectorState, now_s: float, world: WorldView) -> list[Event]:
    """End of data: say what can be said about aircraft still airborne."""
    ctx = Context(world, state.ground_refs, state.tails)
    out: list[Event] = []
    lf = state.lastfix
    for a, row in lf.index.items():
        if lf.cols["lost"][row] and a not in state.awaiting:
            continue
        st = state.get(a)
        _refresh(st, lf.values(row))
        COVERAGE.end(ctx, st, out)
    state.awaiting.clear()
    out.sort(key=_EVENT_TIME)
    return out


@dataclass
class Detector:
    """The detector for the pipeline: state, world, and an optional fleet tagger."""

    world: WorldView
    state: DetectorState = field(default_factory=DetectorState)
    fleet_of: Callable[[int, float], list[str]] | None = None

    def step(self, positions: PositionBatch, now_s: float) -> list[Event]:
        self.state, out = step(self.state, positions, now_s, self.world)
        return self._tag(out)

    def finish(self, now_s: float) -> list[Event]:
        return self._tag(finish(self.state, now_s, self.world))

    def _tag(self, events: list[Event]) -> list[Event]:
        if self.fleet_of is not None:
            for e in events:
                e.fleet = list(self.fleet_of(parse_icao_hex(e.icao24), e.time_s))
        return events


def _batch(
    ctx: Context,
    state: DetectorState,
    p: PositionBatch,
    out: list[Event],
    why: Counter[str] | None = None,
    known: tuple[Runs, npt.NDArray[np.int64]] | None = None,
) -> None:
    """One batch (``known``: its runs and their ``LastFixes.find``, when the caller has them)."""
    icao = p.icao24
    runs, found = (runs_by_key(icao), None) if known is None else known
    start, starts, gid = runs.is_start, runs.starts, runs.gid
    ac_rows = state.lastfix.rows_for(icao[starts], found)
    ground = ground_estimate(p)
    reasons: list[tuple[str, npt.NDArray[np.bool_]]] | None = [] if why is not None else None
    hot, gap, sample, every = _hot_rows(state, p, ground, start, starts, gid, ac_rows, reasons)
    field_i, clear, high, fs = _fields(ctx, p, ground, hot)
    # Near a field every fix whose phase is in doubt goes to the rules; fixes well above it one
    # per APPROACH_SAMPLE_S (for the trends); taxiing with a ground flag, one per country sample.
    doubt = (field_i >= 0) & (~clear | (high & every))
    hot |= doubt
    if why is not None and reasons is not None:
        _count_reasons(why, hot, [*reasons, ("near a field", doubt)])
    idx = np.flatnonzero(hot)
    # The hot rows in the order the rules see them: all aircraft in time order (then address).
    # Aircraft no longer share ground references (each is the aircraft's own: gaps.ref_key), and
    # ctx's other shared parts are caches of pure look-ups, so no rule's answer depends on this
    # order; it sets only the order events are appended to ``out`` (then stably sorted by time).
    # Aircraft after aircraft would do as well (a speed question, not judged here).
    # Every per-row list below is in that order.
    idx = idx[np.lexsort((icao[idx], p.time_s[idx]))]
    is_sample = sample[idx]
    country_l: list[str | None] = [None] * len(idx)
    if is_sample.any():
        sampled = idx[is_sample]
        # The samples' countries (str or None: World.country_at) scattered into their places
        # in one object column, not per sample in Python (~65 k a state-vector replay).
        country = np.full(len(idx), None, object)
        country[is_sample] = ctx.world.country_at(p.lat_deg[sampled], p.lon_deg[sampled])
        country_l = country.tolist()
    # One Fix per hot row, built straight from the columns. starmap over zip, not map over
    # the 11 columns: map passes more than 5 arguments through an array it allocates per call,
    # where starmap hands over zip's tuple, which zip reuses once the call has let it go (~4.6
    # against ~4.1 k instructions a Fix, 16.5 k Fix objects a pass of the 5,000-aircraft burst).
    fixes: list[Fix] = list(starmap(Fix, zip(*fix_columns(p, ground, idx), strict=True)))
    # The last fix before this batch of the aircraft whose first row is hot (none recorded for
    # a new aircraft: nothing to refresh).
    is_first = start[idx]
    row_of = ac_rows[gid[idx]]  # per hot row, its aircraft's row of the last fixes
    new_ac = np.isnan(state.lastfix.cols["t"][row_of])
    first_l: list[tuple[Any, ...] | None] = [None] * len(idx)
    before = state.lastfix.values_many(row_of[is_first & ~new_ac])
    for k, last in zip(np.flatnonzero(is_first & ~new_ac).tolist(), before, strict=True):
        first_l[k] = last
    # A hot row whose row before (in the batch) is cold: the rules see that row as the fix
    # before (``st.last``, :func:`_refresh`), as they see the recorded last fix when a cut falls
    # between the two; it is not hot itself. So each hot row meets the same state whether a cut
    # falls before it or not (docs/batch-split.md; before session 12 that row was hot for this,
    # in its batch only: it entered the trend window, which later decisions read).
    after_cold = ~is_first & ~hot[np.maximum(idx - 1, 0)]
    kp = np.flatnonzero(after_cold)
    if len(kp):
        cols = fix_columns(p, ground, idx[kp] - 1)
        for k, vals in zip(kp.tolist(), zip(*cols, strict=True), strict=True):
            first_l[k] = vals
    # Rows that may take a calm path (calm.py), after no gap and with no emergency code: 1,
    # flagged airborne with no field near (_calm); 2, flagged on the ground near a field
    # (_calm_ground). The aircraft's own state and the fix's evidence decide the rest.
    plain = ~gap[idx] & ~emergency(p.squawk[idx])
    fi, on = field_i[idx], p.on_ground[idx]
    air, taxi = plain & (fi < 0) & (on == 0), plain & (fi >= 0) & (on == 1)
    calm_l = (air + 2 * taxi.astype(np.int8)).tolist()
    far_l = fs.far(idx, np.where(air, p.altitude_baro_ft[idx], np.nan))
    _approach_near(ctx, p, idx)
    gap_rows = idx[gap[idx]]
    if len(gap_rows):
        # Each gap row's aircraft's row of the last fixes, for those rows only (not for every
        # row of the batch: ~1 M a state-vector replay, for ~25 k gaps).
        gap_prepass(ctx, state, p, gap_rows, start, ac_rows[gid[gap_rows]])
    refs: dict[int, AirportRef] = {}  # the batch's fields, AirportRef built once each
    seen: dict[int, AircraftState] = {}
    aircraft = state.aircraft
    st: AircraftState | None = None
    rows = zip(
        icao[idx].tolist(), idx.tolist(), fixes, calm_l, is_sample.tolist(), country_l,
        far_l, fi.tolist(), gap[idx].tolist(), first_l, strict=True,
    )  # fmt: skip
    fresh = is_first & new_ac
    rest = _calm_new_many(
        ctx, state.aircraft, seen, icao[idx], fresh & air, fresh & taxi, fixes, fi, refs,
        is_sample, country_l,
    )  # fmt: skip
    if rest is not None:
        rows = compress(rows, rest)  # type: ignore[assignment]
    for a, i, fx, c, smp, country, far, f_i, is_gap, first in rows:
        if st is None or st.icao24 != a:
            st = seen.get(a)
            if st is None:
                # The state's dict read here, DetectorState.get only for an aircraft without
                # one: a method call less per aircraft of the batch (its first hot row).
                st = aircraft.get(a)
                if st is None:
                    st = state.get(a)
                seen[a] = st
        # The fix before, brought up as st.last (_refresh) only where a rule reads it: a calm
        # path reads its time alone, and then replaces it (one Fix fewer per such row).
        behind = None
        if first is not None:
            if c and st.last is not None and st.first is not None:
                behind = first
            else:
                _refresh(st, first)
        if c == 1 and _calm(ctx, st, fx, smp, country, p, i, far, out, behind):
            continue
        # The gap flag comes from the vectorised pass: the previous *hot* fix is not
        # necessarily the previous fix.
        field = None
        if f_i >= 0:
            field = refs.get(f_i)
            if field is None:
                field = refs[f_i] = ctx.world.airport_ref(f_i)
            if c == 2 and _calm_ground(ctx, st, fx, smp, country, p, i, field, out, behind):
                continue
        if behind is not None:
            _refresh(st, behind)
        _dispatch(ctx, st, fx, is_gap, smp, country, p, i, field, out)
    _pending_many(state, seen)
    state.tails.update(p)
    state.lastfix.record(p, runs.ends, ac_rows, ground)


def _forget_now(ctx: Context, state: DetectorState, part: PositionBatch, out: list[Event]) -> None:
    """Before an aircraft's rows after a silence longer than the forget time: what the sweeps
    during that silence would have said (signal lost, a landing inferred), then forget it."""
    runs = runs_by_key(part.icao24)
    firsts = zip(part.icao24[runs.starts].tolist(), part.time_s[runs.starts].tolist(), strict=True)
    for a, t in firsts:
        _sweep_lost(ctx, state, t, out, only=a)
    drop(state, part.icao24[runs.starts].tolist())


def _pending_many(state: DetectorState, seen: dict[int, AircraftState]) -> None:
    """After the aircraft's last hot fixes of a batch: whether every fix of each is hot next
    time (a flip or an emergency code pending)."""
    state.pending.difference_update(seen)
    state.pending.update(
        a for a, st in seen.items() if st.flip_start is not None or st.emergency_code >= 0
    )


def _hot_rows(
    state: DetectorState,
    p: PositionBatch,
    ground: npt.NDArray[np.bool_],
    start: npt.NDArray[np.bool_],
    starts: npt.NDArray[np.intp],
    gid: npt.NDArray[np.intp],
    ac_rows: npt.NDArray[np.int64],
    reasons: list[tuple[str, npt.NDArray[np.bool_]]] | None = None,
) -> tuple[
    npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_],
]:  # fmt: skip
    """(hot, gap, sample, every): the rows the rules must see, those after a gap, the country
    samples, and the first of each ``APPROACH_SAMPLE_S`` (after the fix before: for ``_batch``
    too). ``reasons``, when given, gets each reason's rows appended (for
    :func:`_count_reasons`)."""
    n = len(p)
    icao, t = p.icao24, p.time_s
    lf = state.lastfix.cols
    # The fix before each fix: in the batch, or the aircraft's last fix from earlier batches.
    prev_t = np.r_[np.nan, t[:-1]]
    prev_t[starts] = lf["t"][ac_rows]
    prev_ground = np.r_[False, ground[:-1]]
    prev_ground[starts] = lf["ground"][ac_rows]
    new = np.isnan(prev_t)
    gap = ~new & (t - prev_t > R.SIGNAL_LOST_S)
    flip = ~new & (ground != prev_ground)
    alt = p.altitude_baro_ft
    # Low fixes matter for approaches and go-arounds; one per few seconds is enough.
    every = np.floor(t / R.APPROACH_SAMPLE_S) != np.floor(prev_t / R.APPROACH_SAMPLE_S)
    low = ~ground & (alt < R.APPROACH_MAX_ALT_FT) & every
    emerg = emergency(p.squawk)
    sample = new | (np.floor(t / R.COUNTRY_SAMPLE_S) != np.floor(prev_t / R.COUNTRY_SAMPLE_S))
    lost = np.zeros(n, np.bool_)
    lost[starts] = lf["lost"][ac_rows]  # a run's first row (read per run, not per row)
    hot = new | gap | flip | low | emerg | sample | lost
    if reasons is not None:
        reasons += [("first fix", new), ("gap", gap), ("lost", lost), ("flip", flip)]
        reasons += [("emergency", emerg), ("country sample", sample), ("low", low)]
    # The fix before a hot one is not hot for that: the loop brings ``st.last`` up to it, as
    # at a batch edge (_batch). It was hot when the hot one's batch also held it, and entered
    # the trend window, which later decisions read: the events depended on where the batches
    # were cut (tests/unit/detect/test_fix_before_sample.py), and which later decision reads
    # it is decided by data after the batch, so no test here could keep it hot only where it
    # matters (docs/performance.md, session 12).
    # Aircraft with a pending flip or emergency code go fully hot.
    if state.pending:
        pend = np.fromiter(state.pending, dtype=np.int64, count=len(state.pending))
        # Asked per run (an aircraft's rows share its address), not per row: isin sorts or
        # tables what it is given (~13 runs of 65,536 rows a step in the 5,000-aircraft burst).
        pending = np.isin(icao[starts], pend)[gid]
        hot |= pending
        if reasons is not None:
            reasons.append(("pending flip or code", pending))
    # Once an aircraft flips in this batch, every later fix of it is needed for debouncing.
    if flip.any():
        flipped = np.flatnonzero(flip)
        first_flip = np.full(len(starts), n, dtype=np.int64)
        np.minimum.at(first_flip, gid[flipped], flipped)
        after = np.arange(n) >= first_flip[gid]
        hot |= after
        if reasons is not None:
            reasons.append(("after a flip", after))
    return hot, gap, sample, every


# The benchmarks' per-reason table's name for a hot row no listed reason marks (a bug if seen).
NO_REASON = "hot for no listed reason"


def _count_reasons(
    why: Counter[str],
    hot: npt.NDArray[np.bool_],
    reasons: list[tuple[str, npt.NDArray[np.bool_]]],
) -> None:
    """Each hot row counted once, under the first of ``reasons`` that marks it. Every hot row
    has one (since session 12 the fix before a hot one is not hot for that); a row hot for no
    listed reason is counted under ``NO_REASON``, which the tests require to stay absent."""
    left = hot.copy()
    for name, rows in reasons:
        mine = rows & left
        why[name] += int(mine.sum())
        left &= ~mine
    if left.any():
        why[NO_REASON] += int(left.sum())


def _fields(
    ctx: Context, p: PositionBatch, ground: npt.NDArray[np.bool_], hot: npt.NDArray[np.bool_]
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_], FieldSearch,
]:  # fmt: skip
    """Per row: the airport within ``FIELD_NM`` when the fix is low near it (or has no altitude,
    or says "ground"), else -1; whether the fix's phase is clear without the rules (flagged on
    the ground at taxi speed, or far above the field whatever the QNH); the latter alone; and
    the batch's airport search, for the rest.

    Flagged on the ground at taxi speed without an altitude (or with one level with every
    airport that may be its field: ``FieldSearch.level_with_all``), a fix is clear whatever the
    airport: its airport is looked up (``FieldSearch.at``) only when it is ``hot``. Such a row
    is never made hot after this (``_batch`` adds only rows in doubt near a field, which have
    one; since session 12 the fix before a hot one is not made hot), so its -1 stands."""
    alt = p.altitude_baro_ft
    out = np.full(len(p), -1, np.int64)
    clear = np.zeros(len(p), np.bool_)
    high_all = np.zeros(len(p), np.bool_)
    fs = FieldSearch(ctx.world, p)
    # No airport within FIELD_NM of a fix is higher than the highest candidate of its 0.25°
    # cell (-inf: none at all): higher fixes have no field (a row left out here gets -1, as the
    # search would give it) and need no search.
    top = fs.highest_ft() + (R.FIELD_LOW_FT + R.QNH_TOL_FT)
    low_enough = np.isnan(alt) | ground | (alt < top)
    with np.errstate(invalid="ignore"):
        level = np.isnan(alt) | fs.level_with_all(alt)
        taxi_blind = (p.on_ground == 1) & level & (p.groundspeed_kt < R.TAXI_MAX_KT)
    later = low_enough & taxi_blind & ~hot
    clear[later] = True
    ask = low_enough & ~later
    cand = np.flatnonzero(ask)
    # The hot fixes in the air at or above SLOW_HIGH_FT ask FieldSearch.far the same question:
    # searched with these, in the same pass (a fix that becomes hot later is searched then).
    with np.errstate(invalid="ignore"):
        ask |= hot & (p.on_ground == 0) & (alt >= R.SLOW_HIGH_FT)
    fs.search(np.flatnonzero(ask))
    if len(cand) == 0:
        return out, clear, high_all, fs
    ai = fs.at(cand)
    ok = ai >= 0
    elev = np.full(len(cand), np.nan)
    elev[ok] = ctx.world.airport_elevations_ft(ai[ok])
    a = alt[cand]
    above = a - elev
    low = np.isnan(a) | ground[cand] | (above < R.FIELD_LOW_FT + R.QNH_TOL_FT)
    keep = ok & low
    out[cand[keep]] = ai[keep]
    gs = p.groundspeed_kt[cand]
    with np.errstate(invalid="ignore"):
        level = np.isnan(a) | (np.abs(above) <= R.QNH_TOL_FT)
        taxi = (p.on_ground[cand] == 1) & level & (gs < R.TAXI_MAX_KT)
        high = above - R.QNH_TOL_FT > 2 * R.AIR_HEIGHT_FT
    clear[cand] = taxi | high
    high_all[cand] = high
    return out, clear, high_all, fs


def _approach_near(ctx: Context, p: PositionBatch, idx: npt.NDArray[np.int64]) -> None:
    """The airports within ``CLOSE_NM`` of the hot fixes that may start or lower an approach
    (not flagged on the ground, below ``APPROACH_MAX_ALT_FT``, descending faster than
    ``APPROACH_MIN_DESCENT_FPM``), searched in one vectorised pass and left in ``ctx``
    (``near_known``: the same lists as the world's search) for :class:`ApproachRule`; a fix
    not among them is searched alone, as before."""
    with np.errstate(invalid="ignore"):
        k = idx[
            (p.on_ground[idx] != 1)
            & (p.altitude_baro_ft[idx] < R.APPROACH_MAX_ALT_FT)
            & (p.vertical_rate_fpm[idx] < R.APPROACH_MIN_DESCENT_FPM)
            & np.isfinite(p.lat_deg[idx])
            & np.isfinite(p.lon_deg[idx])
        ]
    if len(k) == 0:
        return
    lat, lon = p.lat_deg[k].tolist(), p.lon_deg[k].tolist()
    ctx.near_at = ctx.world.airports_near_many(p.lat_deg[k], p.lon_deg[k], R.CLOSE_NM).at
    ctx.near_known = {(a, o, R.CLOSE_NM): j for j, (a, o) in enumerate(zip(lat, lon, strict=True))}


def _dispatch(
    ctx: Context,
    st: AircraftState,
    fx: Fix,
    is_gap: bool,
    sampled: bool,
    country: str | None,
    p: PositionBatch,
    i: int,
    field: AirportRef | None,
    out: list[Event],
) -> None:
    if fx.callsign:
        st.callsign = fx.callsign
    prev = st.last
    if prev is None:
        st.first = fx
        st.ground = fx.ground
    elif fx.t < prev.t:
        return  # late fix: already past it
    elif (is_gap or st.lost) and (
        # The first fix after a gap: with no field near most are plain; near one, those of
        # aircraft parked through the gap and seen again the same (detect/regain.py).
        _regained_plainly(ctx, st, prev, fx, sampled, country, p, i, out)
        if field is None
        else _regained_on_ground(ctx, st, prev, fx, sampled, country, p, i, field, out)
    ):
        return
    h = Hot(fx, prev, bool(is_gap or st.lost) and prev is not None, sampled, country, p, i, field)
    # Each rule of RULES, in order, on the fixes it can act on; the others it would return from
    # at once (its first lines say so).
    if h.gap:
        COVERAGE.on_fix(ctx, st, h, out)
    PHASE.on_fix(ctx, st, h, out)
    if sampled:
        SPOOFING.on_fix(ctx, st, h, out)
        AIRSPACE.on_fix(ctx, st, h, out)
    if prev is not None:
        if st.low_min is not None or (fx.alt < _APPROACH_LOW_FT and _may_approach(st, fx)):
            APPROACH.on_fix(ctx, st, h, out)
        if fx.squawk in R.EMERGENCY_SQUAWKS:
            EMERGENCY.on_fix(ctx, st, h, out)
        else:
            st.emergency_code, st.emergency_reported = -1, False  # as EmergencyRule
    _remember(st, fx)
