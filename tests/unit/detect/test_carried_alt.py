"""evidence.carried_alt ends at once when ``AircraftState.alt_t`` says every fix of the ring
with an altitude is older than ALT_CARRY_S (session 14): checked against the scan of the ring
written plainly, on random streams fed through calm.remember, from a state whose ``alt_t`` is
known from the start, not known (NaN: a checkpoint written before the field), or lost midway."""

from __future__ import annotations

import math
import random

from flyvakt.detect import rules as R
from flyvakt.detect.calm import remember
from flyvakt.detect.evidence import carried_alt, newest_alt_t
from flyvakt.detect.state import AircraftState, Fix


def _fix(t: float, alt: float, gnss: float) -> Fix:
    return Fix(t, 0.0, 0.0, alt, math.nan, math.nan, True, None, -1, gnss)


def _plain(st: AircraftState, fx: Fix) -> Fix | None:
    """The rule: the newest fix of the ring with an altitude, if within ALT_CARRY_S of ``fx``
    and no fix after it in the ring is farther than that."""
    for f in reversed(st.recent):
        if fx.t - f.t > R.ALT_CARRY_S:
            return None
        if not (math.isnan(f.alt) and math.isnan(f.alt_gnss)):
            return f
    return None


def test_carried_alt_is_the_scan_of_the_ring() -> None:
    rng = random.Random(14)
    ended = 0
    for case in range(300):
        st, t = AircraftState(1), 0.0
        if case % 3 == 0:
            st.alt_t = -math.inf  # known: an empty ring
        for _ in range(rng.randrange(1, 150)):
            t += rng.choice([0.0, 0.5, 1.0, 1.9, 2.0, 2.5, 7.0, 29.0, 31.0, 121.0]) * rng.random()
            # Taxiing streams: mostly no altitude, sometimes baro or GNSS, in runs.
            kind = rng.choice("nnnnnnbg")
            fx = _fix(
                t + rng.choice([0.0, 0.0, 1.0, 20.0, 40.0]),  # asked ahead of the last fix
                100.0 if kind == "b" else math.nan,
                120.0 if kind == "g" else math.nan,
            )
            if rng.random() < 0.02:
                st.alt_t = math.nan  # not known (a state from an older checkpoint)
            want = _plain(st, fx)
            got = carried_alt(fx, st)
            assert got is want
            assert math.isnan(st.alt_t) or st.alt_t >= newest_alt_t(st.recent)
            ended += want is None
            remember(st, _fix(t, fx.alt, fx.alt_gnss))
    assert ended > 1000  # the early end was taken


def test_newest_alt_t_of_a_ring() -> None:
    assert newest_alt_t([]) == -math.inf
    ring = [_fix(1.0, 5.0, math.nan), _fix(2.0, math.nan, 7.0), _fix(3.0, math.nan, math.nan)]
    assert newest_alt_t(ring) == 2.0
