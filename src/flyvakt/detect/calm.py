"""Calm fixes: what the rules would do with a hot fix that cannot change any phase, done without
asking each rule (detector.py sends every hot fix here first, then to the rules if it is not).

Each path states the invariant that makes it exact (the same state, the same events as
:data:`~flyvakt.detect.detector.RULES` in order); tests/unit/detect/test_shortcuts.py replays
real recordings with and without these paths and compares every event.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.airspace import AirspaceRule
from flyvakt.detect.approach import ApproachRule
from flyvakt.detect.base import Context, Hot
from flyvakt.detect.evidence import absurd_alt, flagged_blind_not_air, plausible_alt, vote
from flyvakt.detect.gaps import ground_ref
from flyvakt.detect.phase import learn_ground_ref
from flyvakt.detect.spoofing import SpoofingRule
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.detect.sweep import refresh
from flyvakt.model import AirportRef, Event, PositionBatch

# The same (stateless) rule objects as detector.RULES.
SPOOFING, AIRSPACE, APPROACH = SpoofingRule(), AirspaceRule(), ApproachRule()

_STEP_S, _RING, _KEEP_S = R.RECENT_STEP_S, R.RECENT_FIXES, R.RECENT_KEEP_S  # for remember()
# may_approach's altitude test, asked before the call where most fixes fail it (at cruise:
# ~50 k calm rows and plain regains a state-vector replay), so that the call is made only for
# the low ones: ``fx.alt < APPROACH_LOW_FT and may_approach(st, fx)`` is ``may_approach(st,
# fx)`` (its own first altitude test; NaN: False both ways).
APPROACH_LOW_FT = R.APPROACH_MAX_ALT_FT


def may_approach(st: AircraftState, fx: Fix) -> bool:
    """Whether :class:`ApproachRule` can act on ``fx`` with no approach under way: airborne,
    below ``APPROACH_MAX_ALT_FT``, descending faster than ``APPROACH_MIN_DESCENT_FPM``, and
    ``APPROACH_RECHECK_S`` after its last airport search."""
    return (
        not fx.ground
        and fx.alt < R.APPROACH_MAX_ALT_FT  # NaN: False
        and fx.vr < R.APPROACH_MIN_DESCENT_FPM
        and fx.t - st.approach_checked_s >= R.APPROACH_RECHECK_S
    )


def calm(
    ctx: Context,
    st: AircraftState,
    fx: Fix,
    sampled: bool,
    country: str | None,
    p: PositionBatch,
    i: int,
    far: bool,
    out: list[Event],
    before: tuple[Any, ...] | None = None,
) -> bool:
    """A calm fix: what the rules would do with it, without asking each rule; False (and
    nothing done) when the fix is not calm, for the detector's dispatch to take.

    ``before``: the aircraft's last fix before this one as the detector's loop has it (in
    :class:`Fix` field order), not yet brought up as ``st.last`` (:func:`refresh`): the fix
    before is the later of the two (refresh's rule: the recorded one at an equal time), so its
    time is the larger; it is made ``st.last`` only where a rule needs the fix (approach), and
    a calm fix then replaces it as the last (:func:`remember`), so it is never built otherwise.

    Calm: the fix is flagged airborne with no field near (the pre-pass: no airport within
    ``FIELD_NM`` below the altitude that could make it low near one), after no gap, with no
    emergency code; the aircraft is committed airborne and waits for nothing (no flip, no
    start-of-data or lift-off decision, no approach under way, not lost); and the fix is not
    late. The invariant that makes this exact, rule by rule, for such a fix:

    - coverage acts only across a gap;
    - phase: the vote far from any field with an "airborne" flag is negative whatever the other
      signals say, and the vote has no side effects there; a negative vote for an aircraft
      committed airborne with no flip pending changes nothing; with no field the lift-off and
      touch-and-go checks after an interval only clear the (already empty) lift-off candidate.
      What remains is the altitude check (absurd or implausible altitudes become missing), done
      here by the same functions; ``far`` (no airport within ``FIELD_NM``, from
      ``prepass.FieldSearch.far``) answers the absurd-altitude check's airport search in advance;
    - spoofing and airspace act only on country samples: those get the rules themselves;
    - approach with no approach under way acts only on a descending fix below
      ``APPROACH_MAX_ALT_FT`` once ``APPROACH_RECHECK_S`` has passed: that fix gets the rule;
    - emergency, for a code that is none, clears the code, as here;
    - every fix then becomes the aircraft's last and enters its recent fixes (:func:`remember`),
      so the trends of later fixes see the same fixes as before.

    The aircraft's first fix (no state yet) has a path of its own: :func:`_calm_first`.
    """
    prev = st.last
    if prev is None:
        return _calm_first(st, fx, sampled, country)
    prev_t = prev.t  # the fix before's time: the later of st.last's and before's (NaN: not)
    if before is not None and before[0] > prev_t:  # (max() without the builtin's call)
        prev_t = before[0]
    if not _settled(st, prev_t, fx, False):
        return False
    if fx.callsign:
        st.callsign = fx.callsign
    # Both checks pass a missing altitude untouched (their first lines): most surface fixes and
    # some airborne ones carry none, and the two calls are then work without an answer.
    if fx.alt == fx.alt and ((not far and absurd_alt(ctx, st, fx)) or not plausible_alt(st, fx)):
        fx.alt = math.nan  # as PhaseRule.on_fix
    if fx.t - prev_t >= R.SHORT_LIFT_GAP_S:
        st.lift_before = st.lift_cand = st.lift_field = None  # as _lift_candidate, no field
    if sampled:  # as SpoofingRule and AirspaceRule.on_fix, with a fix before and no gap
        SPOOFING.sample(ctx, st, fx, out)
        AIRSPACE.sample(ctx, st, fx, country, p, i, out)
    if fx.alt < APPROACH_LOW_FT and may_approach(st, fx):
        if before is not None:
            refresh(st, before)  # the detector's loop left it
            prev = st.last
        APPROACH.on_fix(ctx, st, Hot(fx, prev, False, sampled, country, p, i, None), out)
    st.emergency_code, st.emergency_reported = -1, False
    remember(st, fx)
    return True


def _settled(st: AircraftState, prev_t: float, fx: Fix, ground: bool) -> bool:
    """Whether the aircraft is committed to the phase ``ground`` and waits for nothing (no
    flip, no start-of-data or lift-off decision, no approach under way, not lost), and ``fx``
    (whose flag says ``ground`` too) is not late. (``ground`` is passed by position: a keyword
    makes every call carry a names tuple, on every calm row.)"""
    return (
        st.ground is ground
        and fx.ground is ground
        and not st.lost
        and st.flip_start is None
        and not st.start_pending
        and st.lift_cand is None
        and st.low_min is None
        and fx.t >= prev_t
    )


def _calm_first(st: AircraftState, fx: Fix, sampled: bool, country: str | None) -> bool:
    """The first fix of an aircraft (no last fix, no recent fixes), flagged airborne with no
    field near (as for :func:`calm`): what the rules leave, without them. Exact because:

    - the dispatch makes it the first fix and sets the phase from its flag (airborne);
    - phase: with no recent fix the absurd-altitude check cannot judge (no implied speed), the
      plausibility check is done here by the same function; far from any field with an
      "airborne" flag every vote is negative (vertical rate, speed or the flag itself: with no
      recent fix there is no altitude trend), so the flag stays, and the first fix then sets
      the phase to airborne with no start-of-data decision pending (that needs a field);
    - coverage, spoofing, approach and emergency act only from an aircraft's second fix;
    - airspace takes the country of a sampled first fix as the aircraft's country.
    """
    if st.recent:
        return False
    if fx.callsign:
        st.callsign = fx.callsign
    st.first = fx
    if not plausible_alt(st, fx):
        fx.alt = math.nan  # as PhaseRule.on_fix
    st.ground = False
    st.start_pending = False
    if sampled:
        st.country, st.country_fix = country, fx  # as AirspaceRule.on_fix, first fix
    remember(st, fx)
    return True


def calm_first_many(
    aircraft: dict[int, AircraftState], icaos: list[int], fixes: list[Fix], sampled: list[bool],
    countries: list[str | None],
) -> list[AircraftState]:  # fmt: skip
    """:func:`_calm_first` for many aircraft never seen before (not in ``aircraft``, no last
    fix recorded; each fix the aircraft's first hot fix, flagged airborne with no field near,
    after no gap, with no emergency code): their states, built at once and added to
    ``aircraft``, the same as ``DetectorState.get`` then :func:`calm` would leave them. Exact
    because, on a new state: the recorded last fix is empty (nothing to refresh); there is no
    plausible altitude to follow, so any altitude is plausible and recorded; and the fix
    becomes the first, the last and the only recent fix (:func:`remember` on an empty ring).
    The rest is :func:`_calm_first`'s, read for a new state."""
    out: list[AircraftState] = []
    for a, fx, smp, country in zip(icaos, fixes, sampled, countries, strict=True):
        st = aircraft[a] = _new_state(a, fx, fx, False, [fx])
        if fx.callsign:
            st.callsign = fx.callsign
        if fx.alt == fx.alt:  # not NaN: plausible_alt records it
            st.alt_ok_t, st.alt_ok_ft = fx.t, fx.alt
        if smp:
            st.country, st.country_fix = country, fx  # as AirspaceRule.on_fix, first fix
        out.append(st)
    return out


_new = object.__new__  # a state with no slot filled yet (_new_state fills them all)
_NEG_INF, _NAN = -math.inf, math.nan


def _new_state(
    icao24: int, first: Fix, last: Fix | None, ground: bool, recent: list[Fix]
) -> AircraftState:
    """``AircraftState(icao24, first, last, ground, recent=recent)``: the same state, every
    slot stored here in field order on an instance made without its ``__init__`` (the class
    call with 27 defaults, through type_call and slot_tp_init, costs ~4.3 k instructions a
    state, these stores ~3.2 k; the cold sweep builds one per new aircraft, 33,000 at 50,000
    aircraft, issue 12). tests/unit/detect/test_calm_new.py checks that it equals the class
    call, every slot (a field added to the class and not here fails there)."""
    st: AircraftState = _new(AircraftState)
    st.icao24 = icao24
    st.first = first
    st.last = last
    st.ground = ground
    st.flip_start = None
    st.approach_checked_s = _NEG_INF
    st.spoof_ref = None
    st.spoof_count = 0
    st.last_landing = None
    st.country = None
    st.country_fix = None
    st.lost = False
    st.low_min = None
    st.emergency_code = -1
    st.emergency_reported = False
    st.spoofing = False
    st.callsign = None
    st.pending_active = False
    st.recent = recent
    st.field_icao = None
    st.ref_baro_ft = _NAN
    st.alt_ok_t = _NAN
    st.alt_ok_ft = _NAN
    st.landing_pending = False
    st.start_pending = False
    st.lift_before = None
    st.lift_cand = None
    st.lift_field = None
    st.alt_t = _NAN
    st.rare = None
    return st


def calm_first_ground_many(
    ctx: Context, aircraft: dict[int, AircraftState], icaos: list[int], fixes: list[Fix],
    fields: list[AirportRef], sampled: list[bool], countries: list[str | None],
) -> list[AircraftState]:  # fmt: skip
    """The first hot fixes of many aircraft never seen before (not in ``aircraft``, no last fix
    recorded), each flagged on the ground near its field ``fields[k]``, after no gap, with no
    emergency code: their states, built at once and added to ``aircraft``, the same as
    ``DetectorState.get`` then the dispatch through the rules would leave them (no event: the
    rules name none at an aircraft's first fix). Exact because, on a new state:

    - the dispatch makes the fix the first and sets the phase from its flag (on the ground);
    - phase: the absurd-altitude check cannot judge with no recent fix (no implied speed), the
      plausibility check has no altitude to follow (any altitude is plausible and recorded);
      the ground reference and the vote are the rule's own calls, on the state as the rule
      sees it (no recent fix, the phase on the ground; the vote reads nothing else of it, and
      with the flag set it leaves the fix's speed as it is); the flag follows a vote that has
      a side, and a vote of none keeps it (the flag is the phase already); the reference is
      learned by the rule's own function; then, as at any first fix, weak evidence (a vote
      under 2) leaves the phase unknown, and a start-of-data decision waits when the vote put
      the fix in the air near its field;
    - coverage, spoofing, approach and emergency act only from an aircraft's second fix;
      airspace takes the country of a sampled first fix as the aircraft's country;
    - the fix becomes the last and the only recent fix (:func:`remember` on an empty ring).

    Only the aircraft's own state and its own ground references (``gaps.ref_key``) are read or
    written, so building these before the batch's other hot fixes (of other aircraft) changes
    nothing; the aircraft's later fixes still come after its first."""
    out: list[AircraftState] = []
    for a, fx, field, smp, country in zip(icaos, fixes, fields, sampled, countries, strict=True):
        st = aircraft[a] = _new_state(a, fx, None, True, [])
        if fx.callsign:
            st.callsign = fx.callsign
        if fx.alt == fx.alt:  # not NaN: plausible_alt records it
            st.alt_ok_t, st.alt_ok_ft = fx.t, fx.alt
        v = vote(fx, st, field, ground_ref(ctx, st, field, fx))
        if v.value:
            fx.ground = v.value > 0
        learn_ground_ref(ctx, st, field, fx, v)
        st.ground = None if abs(v.value) < 2 else fx.ground  # weak evidence: unknown
        st.start_pending = not fx.ground
        if smp:
            st.country, st.country_fix = country, fx  # as AirspaceRule.on_fix, first fix
        st.last = fx
        st.recent.append(fx)
        out.append(st)
    return out


def calm_new_many(
    ctx: Context, aircraft: dict[int, AircraftState], seen: dict[int, AircraftState],
    icaos: npt.NDArray[Any], air: npt.NDArray[np.bool_], taxi: npt.NDArray[np.bool_],
    fixes: list[Fix], fi: npt.NDArray[np.int64], refs: dict[int, AirportRef],
    sampled: npt.NDArray[np.bool_], countries: list[str | None],
) -> list[bool] | None:  # fmt: skip
    """The first hot fixes of new aircraft that take a calm path (per hot row: first row,
    nothing recorded before, after no gap, no emergency code), done at once, their states built
    (in ``aircraft``, the detector's, and in ``seen``): ``air``, flagged airborne with no field
    near (:func:`calm_first_many`); ``taxi``, flagged on the ground near the field ``fi``
    (:func:`calm_first_ground_many`; ``refs``: the batch's AirportRef of each field). Per hot
    row, whether it is still for the rules' loop (None: every row). An aircraft with a state
    but no last fix is left to the loop."""
    ks = np.flatnonzero(air | taxi)
    if len(ks) == 0:
        return None
    # The new aircraft's rows picked in arrays (33,439 new aircraft at 50,000 in bench_e2e's
    # sweep), their fixes and countries by index from the lists: an object array of every hot
    # row's fix (np.fromiter) cost ~100 ns a hot row in every batch that met a new aircraft.
    ks = ks[[a not in aircraft for a in icaos[ks].tolist()]]
    on = taxi[ks]
    ka, kg = ks[~on], ks[on]
    ka_l, kg_l = ka.tolist(), kg.tolist()
    icao_a = icaos[ka].tolist()
    built = calm_first_many(
        aircraft, icao_a, [fixes[k] for k in ka_l], sampled[ka].tolist(),
        [countries[k] for k in ka_l],
    )  # fmt: skip
    fields: list[AirportRef] = []
    for f_i in fi[kg].tolist():
        ref = refs.get(f_i)
        if ref is None:
            ref = refs[f_i] = ctx.world.airport_ref(f_i)
        fields.append(ref)
    icao_g = icaos[kg].tolist()
    built_g = calm_first_ground_many(
        ctx, aircraft, icao_g, [fixes[k] for k in kg_l], fields, sampled[kg].tolist(),
        [countries[k] for k in kg_l],
    )  # fmt: skip
    seen.update(zip(icao_a, built, strict=True))
    seen.update(zip(icao_g, built_g, strict=True))
    rest = np.ones(len(air), np.bool_)
    rest[ks] = False
    out: list[bool] = rest.tolist()
    return out


def calm_ground(
    ctx: Context,
    st: AircraftState,
    fx: Fix,
    sampled: bool,
    country: str | None,
    p: PositionBatch,
    i: int,
    field: AirportRef,
    out: list[Event],
    before: tuple[Any, ...] | None = None,
) -> bool:
    """A fix on the surface that leaves the phase as it is: what the rules would do with it,
    with the phase rule's own evidence functions but without the rest of the rules; False when
    it may change the phase, for the detector's dispatch to take.

    Such a fix: flagged on the ground with ``field`` near (the pre-pass), after no gap, with no
    emergency code; the aircraft is committed on the ground and waits for nothing (no flip, no
    start-of-data or lift-off decision, no approach under way, not lost); the fix is not late;
    and its vote (:func:`~flyvakt.detect.evidence.vote`, after the same altitude checks as
    ``PhaseRule.on_fix``) is not for the air (not cast for a fix without an altitude at the
    aircraft's own field where it cannot be: ``evidence.flagged_blind_not_air``). The invariant
    that makes this exact, rule by rule:

    - coverage acts only across a gap;
    - phase: the altitude checks and the vote are the rule's own calls, on the same state; a
      vote of surface or none, for a flagged fix of an aircraft committed on the ground with no
      flip pending, keeps the flag and the phase and starts no flip; the ground reference is
      learned from the fix by the rule's own function (not called for a fix without an
      altitude, at the same field, whose vote found no floor: it would learn nothing from
      it); no lift-off or touch-and-go check runs
      for an aircraft that was on the ground. A vote for the air goes to the rules: the checks
      done here are idempotent (an altitude found implausible is missing the second time, and
      the vote only changes the fix's speed when the fix is not flagged);
    - spoofing and airspace act only on country samples: those get the rules themselves;
    - approach acts on no fix on the ground with no approach under way;
    - emergency, for a code that is none, clears the code, as here;
    - every fix then becomes the aircraft's last and enters its recent fixes (:func:`remember`).

    ``before``: as for :func:`calm` (read for its time alone: no rule here needs the fix).
    """
    prev = st.last
    if prev is None or not fx.ground_known:
        return False
    prev_t = prev.t  # as in calm
    if before is not None and before[0] > prev_t:
        prev_t = before[0]
    if not _settled(st, prev_t, fx, True):
        return False
    if fx.alt == fx.alt and (absurd_alt(ctx, st, fx) or not plausible_alt(st, fx)):
        fx.alt = math.nan  # as PhaseRule.on_fix (a missing altitude passes both: as calm)
    # Without an altitude of either kind (three quarters of these fixes), at the same field,
    # the vote is not cast when it cannot be for the air (flagged_blind_not_air): whether it is
    # +2 or 0 changes nothing here, learn_ground_ref learns nothing from such a fix (below), and
    # the ground reference is read only through a carried altitude, for which the vote is cast.
    if (
        fx.alt == fx.alt
        or fx.alt_gnss == fx.alt_gnss
        or st.field_icao != field.icao
        or not flagged_blind_not_air(fx, st)
    ):
        v = vote(fx, st, field, ground_ref(ctx, st, field, fx))
        if v.value < 0:
            return False  # evidence for the air: the rules decide
        # Without an altitude learn_ground_ref learns nothing but a change of field or the
        # floor of a descent (the vote's level; a flagged fix gets none today): not called
        # then (tests/unit/detect/test_shortcuts.py holds it to that).
        if fx.alt == fx.alt or v.level_ft == v.level_ft or st.field_icao != field.icao:
            learn_ground_ref(ctx, st, field, fx, v)
    if fx.callsign:
        st.callsign = fx.callsign
    if sampled:  # as SpoofingRule and AirspaceRule.on_fix, with a fix before and no gap
        SPOOFING.sample(ctx, st, fx, out)
        AIRSPACE.sample(ctx, st, fx, country, p, i, out)
    st.emergency_code, st.emergency_reported = -1, False
    remember(st, fx)
    return True


def remember(st: AircraftState, fx: Fix) -> None:
    """``fx`` becomes the aircraft's last fix and enters its recent fixes (one per
    ``RECENT_STEP_S``, at most ``RECENT_FIXES``, none older than ``RECENT_KEEP_S`` before it or
    before a pending flip). Every hot fix comes here: written for speed (constants bound once,
    no tuple per call), the same ring as ever; ``AircraftState.alt_t`` follows a fix with an
    altitude (a NaN there, not known, stays so: carried_alt works it out)."""
    st.last = fx
    rec = st.recent
    t = fx.t
    if (fx.alt == fx.alt or fx.alt_gnss == fx.alt_gnss) and t > st.alt_t:  # an altitude
        st.alt_t = t
    if len(rec) > 1 and t - rec[-1].t < _STEP_S and t - rec[-2].t < _STEP_S:
        rec[-1] = fx
        return
    rec.append(fx)
    if len(rec) > _RING:
        del rec[0]
    if rec[0].t >= t - _KEEP_S:
        return  # none too old (a pending flip only moves the limit earlier): most calls
    keep_from = t
    f = st.flip_start
    if f is not None and f.t < keep_from:
        keep_from = f.t
    r = st.rare  # flip_prev lives there (None without one: no descriptor call for its default)
    if r is not None:
        f = r.flip_prev
        if f is not None and f.t < keep_from:
            keep_from = f.t
    keep_from -= _KEEP_S
    # The fixes too old, counted from the front, then dropped in one slice (26 k of a
    # state-vector replay's 90 k calls trim, ~3 fixes each: one del per fix moved the rest
    # each time). The scan stops at fx itself at the latest (its time is not below keep_from).
    k = 0
    while rec[k].t < keep_from:
        k += 1
    del rec[:k]
