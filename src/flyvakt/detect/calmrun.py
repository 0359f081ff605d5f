"""Calm runs: an aircraft whose hot fixes of a batch would all take
:func:`~flyvakt.detect.calm.calm` and could not make a rule act, done outside the per-row loop.

The loop sends each hot fix through :func:`~flyvakt.detect.calm.calm`, which already does for a
calm fix what the rules would do. Most of what it checks is known for the whole batch in advance
(the fix's flags, altitude and field), so the pre-pass picks the aircraft whose hot fixes are
calm in those respects; then, per aircraft, its state is checked once and only what
:func:`calm` would change is done, fix by fix: callsign, plausible altitude, the lift-off
candidate, the country sample's spoofing and airspace state (their rules' own arithmetic, done
once: a sample that would raise an event or start a pending country leaves its aircraft to the
loop) and the trend window (:func:`~flyvakt.detect.calm.remember`).

Why it is exact (the same state and the same events as the loop, tests/unit/detect/
test_shortcuts.py and ``scripts/events_compare.py``): such a run changes only its own aircraft's
state and raises no event, so doing it before the loop, not in time order among the other
aircraft's hot fixes, changes nothing that another aircraft's fix reads (ground references are
learned only near fields; the sample tails are read-only in the loop).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.base import dist_nm
from flyvakt.detect.calm import remember
from flyvakt.detect.evidence import plausible_alt
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.model import PositionBatch


def calm_runs(
    aircraft: dict[int, AircraftState], seen: dict[int, AircraftState], p: PositionBatch,
    idx: npt.NDArray[np.int64], code: npt.NDArray[np.int8], far: npt.NDArray[np.bool_],
    rest_in: list[bool] | None, fixes: list[Fix], sampled: npt.NDArray[np.bool_],
    countries: list[str | None], first: list[Any],
) -> list[bool] | None:  # fmt: skip
    """Per hot row (``idx``, in the loop's order; ``code`` 1 where the pre-pass offers the row to
    :func:`~flyvakt.detect.calm.calm`, ``far`` its answer for the absurd-altitude search,
    ``rest_in`` whether it is still for the loop, None: every row): the calm runs done, and
    whether each row is still for the loop (None: every row). Their aircraft go into ``seen``.

    Done here: an aircraft whose every hot fix of the batch is offered to ``calm`` (flagged
    airborne with no field near, after no gap, with no emergency code) and can neither start an
    approach (descending below ``APPROACH_MAX_ALT_FT``: the approach rule's own search) nor have
    an absurd altitude (at or above ``SLOW_HIGH_FT`` with an airport within ``FIELD_NM``: the
    search over its trend window), at most one of them a country sample; the aircraft has a
    state with a last fix, is settled in the air (``calm._settled``), no fix is late; the
    sample raises no spoofing or airspace event and starts no pending country."""
    n = len(idx)
    if n == 0:
        return rest_in
    icao = p.icao24[idx]
    alt = p.altitude_baro_ft[idx]
    with np.errstate(invalid="ignore"):
        ok = (code == 1) & ~(~far & (alt >= R.SLOW_HIGH_FT))
        vr = p.vertical_rate_fpm[idx]
        ok &= ~((alt < R.APPROACH_MAX_ALT_FT) & (vr < R.APPROACH_MIN_DESCENT_FPM))
    if rest_in is not None:
        ok &= np.asarray(rest_in, np.bool_)
    # Each aircraft's hot rows together (in the loop's order within it): the aircraft whose
    # rows all qualify, with at most one country sample among them.
    o = np.argsort(icao, kind="stable")
    first_of = np.flatnonzero(np.r_[True, icao[o][1:] != icao[o][:-1]])
    bad = np.add.reduceat((~ok[o]).astype(np.int64), first_of)
    samples = np.add.reduceat(sampled[o].astype(np.int64), first_of)
    good = np.flatnonzero((bad == 0) & (samples <= 1))
    if len(good) == 0:
        return rest_in
    rest = [True] * n if rest_in is None else rest_in
    get = aircraft.get
    order = o.tolist()
    ends = np.r_[first_of[1:], n][good].tolist()
    smp_l = sampled.tolist()
    for g0, g1, a in zip(
        first_of[good].tolist(), ends, icao[o[first_of[good]]].tolist(), strict=True
    ):
        ks = order[g0:g1]
        st = get(a)
        if st is None or not _settled_air(st):
            continue
        k = ks[0]
        prev = st.last
        f = first[k]
        if f is not None:  # detector._refresh's test: the fix recorded before the batch
            t = f[0]
            if t == t and (
                prev is None or prev.t < t or (prev.t == t and (prev.lat, prev.lon) != (f[1], f[2]))
            ):
                prev = Fix(*f)
        if prev is None or any(fixes[j].t < t0 for j, t0 in _pairs(ks, prev.t, fixes)):
            continue  # a late fix: the loop passes over it
        spoof: tuple[Fix, int, bool] | None = None
        spoofing = False
        smp_k = next((k for k in ks if smp_l[k]), -1)
        if smp_k >= 0:
            spoof = _spoof_after(st, fixes[smp_k])
            if spoof is None:
                continue  # spoofing_suspected: the loop raises it
            spoofing = spoof[2]
            if not (spoofing or countries[smp_k] == st.country or st.country_fix is None):
                continue  # a new country: the airspace rule's pending change
        # Now each fix as calm() and, for the sample, SpoofingRule and AirspaceRule.
        if prev is not st.last:  # as detector._refresh
            st.last = prev
            if st.first is None:
                st.first = prev
        for k in ks:
            fx = fixes[k]
            if fx.callsign:
                st.callsign = fx.callsign
            if not plausible_alt(st, fx):
                fx.alt = math.nan  # as PhaseRule.on_fix
            if fx.t - prev.t >= R.SHORT_LIFT_GAP_S:
                st.lift_before = st.lift_cand = st.lift_field = None  # no field: _lift_candidate
            if k == smp_k:
                assert spoof is not None
                st.spoof_ref, st.spoof_count, st.spoofing = spoof
                if not spoofing:
                    if countries[k] == st.country:
                        st.pending_active = False
                    else:
                        st.country = countries[k]  # no country yet
                st.country_fix = fx
            st.emergency_code, st.emergency_reported = -1, False
            remember(st, fx)
            rest[k] = False
            prev = fx
        seen[a] = st
    return rest


def _pairs(ks: list[int], t0: float, fixes: list[Fix]) -> zip[tuple[int, float]]:
    """(row, time of the fix before it) for the rows ``ks`` of one aircraft, the first after a
    fix at ``t0``."""
    return zip(ks, [t0, *(fixes[k].t for k in ks[:-1])], strict=True)


def _settled_air(st: AircraftState) -> bool:
    """``calm._settled`` for the air, the state's part: committed airborne, waiting for
    nothing (no flip, no start-of-data or lift-off decision, no approach under way), not lost."""
    return (
        st.ground is False
        and not st.lost
        and st.flip_start is None
        and not st.start_pending
        and st.lift_cand is None
        and st.low_min is None
    )


def _spoof_after(st: AircraftState, fx: Fix) -> tuple[Fix, int, bool] | None:
    """:class:`~flyvakt.detect.spoofing.SpoofingRule` on the country sample ``fx`` (airborne,
    after no gap) of ``st``, as its state after it (``spoof_ref``, ``spoof_count``,
    ``spoofing``), the state untouched; None when it would raise ``spoofing_suspected``."""
    ref = st.spoof_ref
    if ref is None or fx.t - ref.t > R.SIGNAL_LOST_S:
        ref = fx
    if not (fx.gs >= R.SPOOF_MIN_GS_KT and fx.t - ref.t >= R.SPOOF_MIN_DT_S):
        return ref, st.spoof_count, st.spoofing
    flown = fx.gs * (fx.t - ref.t) / 3600.0
    ratio = dist_nm(fx, ref) / flown if flown > 0 else 1.0
    odd = ratio < R.SPOOF_RATIO_LOW or ratio > R.SPOOF_RATIO_HIGH
    count = st.spoof_count + 1 if odd else 0
    suspect = count >= R.SPOOF_INTERVALS
    if suspect and not st.spoofing:
        return None
    return fx, count, suspect
