"""A plain regain: what the rules do with the first fix after a coverage gap that can say
nothing but ``signal_regained``, done without asking each rule (detector._dispatch sends every
fix after a gap here first, then to the rules if it is not plain).

A state-vector replay regains each of its aircraft again and again (bench_e2e's corpus: 25,000
regains of 5,000 aircraft, nearly all at cruise); each went through every rule with a
:class:`~flyvakt.detect.base.Hot` of its own, a vote, the gap rules' searches and the
lift-off checks, to the same state and the one event. tests/unit/detect/test_regain_plainly.py
replays real recordings with and without this path and compares every event and every state.
"""

from __future__ import annotations

import math

from flyvakt.detect import rules as R
from flyvakt.detect.airspace import AirspaceRule
from flyvakt.detect.approach import ApproachRule
from flyvakt.detect.base import Context, Hot
from flyvakt.detect.calm import APPROACH_LOW_FT, may_approach, remember
from flyvakt.detect.coverage import CoverageRule, regained
from flyvakt.detect.evidence import absurd_alt, flagged_blind_not_air, plausible_alt
from flyvakt.detect.gaps import across_gap, may_be_low
from flyvakt.detect.phase import _reset_flip
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import AirportRef, Event, PositionBatch

# The same (stateless) rule objects as detector.RULES.
COVERAGE, AIRSPACE, APPROACH = CoverageRule(), AirspaceRule(), ApproachRule()
_EMERGENCY = R.EMERGENCY_SQUAWKS


def regained_plainly(
    ctx: Context, st: AircraftState, prev: Fix, fx: Fix, sampled: bool, country: str | None,
    p: PositionBatch, i: int, out: list[Event],
) -> bool:  # fmt: skip
    """The first fix ``fx`` after a gap from ``prev`` (``st.last``, not later than ``fx``), with
    no field near it (the pre-pass found none), taken as the rules take it; False (and nothing
    done) when it is not plain, for the detector's dispatch to take.

    Plain: the sweep has said ``signal_lost`` (``st.lost``), or the gap lies inside one batch
    and no flip is pending (then the signal-lost rule, asked here first as by the coverage
    rule, confirms none and leaves the phase as it is); the aircraft is committed airborne
    (``st.ground`` False); the fix is airborne by its flag, or by the estimate where the source
    sends none (``fx.ground`` False); it carries no emergency code. The invariant that makes
    this exact, rule by rule:

    - coverage: ``signal_lost`` if the sweep did not say it (``CoverageRule.lost``); the
      aircraft is no longer lost, no landing is pending, ``signal_regained``
      (:func:`~flyvakt.detect.coverage.regained`), and a landing inferred when it was lost is
      judged again (``rejudge``, asked as there);
    - phase: the altitude checks (absurd or implausible altitudes become missing), by the same
      functions; with no field the vote has no side effects, and for a fix airborne by its
      flag it is negative whatever the other signals say (as in calm.py), by its estimate
      negative or nothing, so the fix stays airborne and no ground reference is learned; the
      gap resets a pending flip and the start-of-data decision; the gap rules (``across_gap``,
      with no field and no ground reference) are asked unless their answer is known without
      them: airborne on both sides with no landing since the fix before, and no final before
      the gap (too high for one) or no initial climb after it (too high for one: the finals
      are read there only with the climbs), they say nothing (their first return); the
      committed phase is the fix's (airborne); with no event from them, ``_lift_candidate``
      clears the lift-off candidate and returns (no field);
    - spoofing acts on no fix after a gap;
    - airspace, on a country sample after a gap: a change of country is "possible"
      (``after_gap``, as its ``on_fix`` asks it);
    - approach and emergency: asked as the dispatch asks them (an approach under way, or one
      that may start; no code: the code cleared);
    - the fix becomes the aircraft's last and enters its recent fixes (:func:`remember`).
    """
    if st.ground is not False or fx.ground or fx.squawk in _EMERGENCY:
        return False
    if not st.lost:
        if st.flip_start is not None:
            return False  # the signal-lost rule would confirm or keep the flip first
        COVERAGE.lost(ctx, st, prev, out)  # a gap inside one batch: said here, as by the rule
    st.lost = st.landing_pending = False
    out.append(regained(ctx, st, prev, fx))
    if st.last_landing is not None:
        COVERAGE.rejudge(ctx, st, prev, fx, out)
    if fx.alt == fx.alt and (absurd_alt(ctx, st, fx) or not plausible_alt(st, fx)):
        fx.alt = math.nan  # as PhaseRule.on_fix (both pass a missing altitude untouched)
    st.flip_start = None
    if st.rare is not None:  # else every other field of a flip holds its default already
        _reset_flip(st)
    st.start_pending = False
    n = len(out)
    ll = st.last_landing
    if (ll is not None and ll.time_s >= prev.t) or (
        may_be_low(ctx, prev, R.FINAL_HEIGHT_FT) and may_be_low(ctx, fx, R.INITIAL_CLIMB_FT)
    ):
        across_gap(ctx, st, prev, fx, None, math.nan, out)
    st.ground = fx.ground
    if len(out) == n:
        st.lift_before = st.lift_cand = st.lift_field = None  # as _lift_candidate, no field
    if sampled:
        AIRSPACE.after_gap(ctx, st, prev, fx, country, out)
    if st.low_min is not None or (fx.alt < APPROACH_LOW_FT and may_approach(st, fx)):
        APPROACH.on_fix(ctx, st, Hot(fx, prev, True, sampled, country, p, i, None), out)
    st.emergency_code, st.emergency_reported = -1, False
    remember(st, fx)
    return True


def regained_on_ground(
    ctx: Context, st: AircraftState, prev: Fix, fx: Fix, sampled: bool, country: str | None,
    p: PositionBatch, i: int, field: AirportRef, out: list[Event],
) -> bool:  # fmt: skip
    """The first fix ``fx`` after a gap from ``prev`` (``st.last``, not later than ``fx``), near
    ``field`` (the pre-pass's), taken as the rules take it when the aircraft was on the ground
    before the gap and is seen again on the ground at the same field; False (and nothing done,
    but ``st.alt_t`` filled as the vote would fill it) when it is not such a fix, for the
    detector's dispatch to take. A state-vector replay finds 5,105 of its 25,000 regains so
    (aircraft parked through the gap), each of which went through every rule.

    Such a fix: the aircraft committed on the ground (``st.ground`` True), its field the same
    (``st.field_icao``), and either said lost by the sweep or with no flip pending (as for
    :func:`regained_plainly`); the fix flagged on the ground (a flag, not an estimate), with
    no altitude of either kind and no emergency code, whose vote cannot be for the air
    (:func:`~flyvakt.detect.evidence.flagged_blind_not_air`); and the gap rules' airports on
    both sides not two different ones. The invariant that makes this exact, rule by rule:

    - coverage: as in :func:`regained_plainly` (``signal_lost`` if not said, no longer lost,
      ``signal_regained``, a landing inferred when lost judged again);
    - phase: the altitude checks pass a missing altitude untouched; the vote is surface or
      none, so the fix stays on the ground (a surface vote sets the flag it has, none keeps the
      committed phase, on the ground); the ground reference learns nothing from a flagged fix
      without an altitude at the same field (as calm.calm_ground, which casts no vote either);
      the gap resets a pending flip and the start-of-data decision; then either weak evidence
      at the field's level keeps the phase as it is (the rule's return), or the gap rules run:
      on the ground on both sides, not at two named airports, they say nothing and search
      nothing more (asked here first: ``airport_at`` on each side, pure look-ups); the phase
      stays on the ground either way, and no lift-off candidate is made (not airborne before);
    - spoofing acts on no fix after a gap; airspace, on a country sample: ``after_gap``;
    - approach: only one under way (``may_approach`` is False for a fix on the ground);
      emergency: the code cleared; the fix becomes the last and enters the recent fixes.
    """
    if (
        st.ground is not True
        or not (fx.ground and fx.ground_known)
        or fx.alt == fx.alt
        or fx.alt_gnss == fx.alt_gnss
        or st.field_icao != field.icao
        or fx.squawk in _EMERGENCY
        or (not st.lost and st.flip_start is not None)
        or not flagged_blind_not_air(fx, st)
    ):
        return False
    x = ctx.airport_at(prev, R.GROUND_AIRPORT_NM)
    if x is not None:
        y = ctx.airport_at(fx, R.GROUND_AIRPORT_NM)
        if y is not None and y.icao != x.icao:
            return False  # the gap rules may name a takeoff and a landing: the rules decide
    if not st.lost:
        COVERAGE.lost(ctx, st, prev, out)  # a gap inside one batch: said here, as by the rule
    st.lost = st.landing_pending = False
    out.append(regained(ctx, st, prev, fx))
    if st.last_landing is not None:
        COVERAGE.rejudge(ctx, st, prev, fx, out)
    st.flip_start = None
    if st.rare is not None:  # else every other field of a flip holds its default already
        _reset_flip(st)
    st.start_pending = False
    if sampled:
        AIRSPACE.after_gap(ctx, st, prev, fx, country, out)
    if st.low_min is not None:
        APPROACH.on_fix(ctx, st, Hot(fx, prev, True, sampled, country, p, i, field), out)
    st.emergency_code, st.emergency_reported = -1, False
    remember(st, fx)
    return True
