"""calm.remember keeps the trend window (AircraftState.recent) by its written rule, checked
against that rule written plainly, on random streams with pending flips (session 13 added an
early return for the common case: nothing too old to drop)."""

from __future__ import annotations

import math
import random

from flyvakt.detect import rules as R
from flyvakt.detect.calm import remember
from flyvakt.detect.state import AircraftState, Fix


def _fix(t: float) -> Fix:
    return Fix(t, 0.0, 0.0, math.nan, math.nan, math.nan, False, None, -1)


def _plain(rec: list[Fix], fx: Fix, flips: list[Fix]) -> list[Fix]:
    """The rule: ``fx`` replaces the newest when within RECENT_STEP_S of the two newest, else
    joins; at most RECENT_FIXES; none older than RECENT_KEEP_S before ``fx`` or a flip's fix."""
    t = fx.t
    if len(rec) > 1 and t - rec[-1].t < R.RECENT_STEP_S and t - rec[-2].t < R.RECENT_STEP_S:
        return [*rec[:-1], fx]
    out = [*rec, fx][-R.RECENT_FIXES :]
    limit = min([t, *(f.t for f in flips)]) - R.RECENT_KEEP_S
    while out[0].t < limit:
        out = out[1:]
    return out


def test_the_window_follows_its_rule() -> None:
    rng = random.Random(13)
    for _ in range(300):
        st, want, t = AircraftState(1), [], 0.0
        for _ in range(rng.randrange(1, 200)):
            # Steps from bursts to long silences (past RECENT_KEEP_S), so that every branch runs.
            t += rng.choice([0.0, 0.3, 1.0, 1.9, 2.0, 2.5, 7.0, 60.0, 121.0, 400.0]) * rng.random()
            if rng.random() < 0.05:  # a flip starts (or ends) at some earlier fix of the window
                st.flip_prev = rng.choice(st.recent) if st.recent else None
                st.flip_start = st.flip_prev
            fx = _fix(t)
            flips = [f for f in (st.flip_start, st.flip_prev) if f is not None]
            want = _plain(want, fx, flips)
            remember(st, fx)
            assert st.last is fx
            assert [f.t for f in st.recent] == [f.t for f in want]
            assert all(a is b for a, b in zip(st.recent, want, strict=True))


def test_the_window_follows_its_rule_with_either_flip_fix_alone() -> None:
    """flip_prev (kept in the state's Rare) and flip_start each move the limit on their own,
    and a Rare made by another field (flip_prev None) moves nothing; several fixes too old
    at once are dropped together (session 21: one slice, flip_prev read from the Rare)."""
    rng = random.Random(21)
    for _ in range(300):
        st, want, t = AircraftState(1), [], 0.0
        for _ in range(rng.randrange(1, 200)):
            t += rng.choice([0.0, 1.0, 2.5, 7.0, 60.0, 121.0, 400.0]) * rng.random()
            u = rng.random()
            if u < 0.04 and st.recent:
                st.flip_prev = rng.choice(st.recent)  # alone: flip_start as it was
            elif u < 0.08 and st.recent:
                st.flip_start = rng.choice(st.recent)
            elif u < 0.10:
                st.flip_prev = st.flip_start = None
                st.flip_count = rng.randrange(3)  # a Rare (or none) without a flip fix
            fx = _fix(t)
            flips = [f for f in (st.flip_start, st.flip_prev) if f is not None]
            want = _plain(want, fx, flips)
            remember(st, fx)
            assert [f.t for f in st.recent] == [f.t for f in want]
            assert all(a is b for a, b in zip(st.recent, want, strict=True))


def test_only_the_old_front_is_dropped_from_a_ring_out_of_order() -> None:
    """A ring given whole (a checkpoint) need not be in time order: the fixes dropped are the
    front ones older than the limit, up to the first that is not, as the rule says."""
    st = AircraftState(1, recent=[_fix(0.0), _fix(10.0), _fix(500.0), _fix(5.0), _fix(600.0)])
    remember(st, _fix(610.0))
    assert [f.t for f in st.recent] == [500.0, 5.0, 600.0, 610.0]
    st = AircraftState(1, recent=[_fix(0.0), _fix(10.0), _fix(20.0)])
    remember(st, _fix(1000.0))
    assert [f.t for f in st.recent] == [1000.0]
