"""calm.APPROACH_LOW_FT: the altitude test asked before ``may_approach`` (session 21: the
call made only for fixes below it) answers as ``may_approach`` itself, on any fix."""

from __future__ import annotations

import math
import random

from flyvakt.detect import rules as R
from flyvakt.detect.calm import APPROACH_LOW_FT, may_approach
from flyvakt.detect.state import AircraftState, Fix


def test_the_guard_never_changes_the_answer() -> None:
    rng = random.Random(21)
    top = R.APPROACH_MAX_ALT_FT
    alts = [top, math.nextafter(top, -math.inf), math.nextafter(top, math.inf), 0.0, 800.0,
            top / 2, 35000.0, math.nan, -math.inf, math.inf]  # fmt: skip
    rates = [R.APPROACH_MIN_DESCENT_FPM - 1.0, R.APPROACH_MIN_DESCENT_FPM, 0.0, math.nan]
    seen = set()
    for _ in range(4000):
        st = AircraftState(1, approach_checked_s=rng.choice([-math.inf, 0.0, 990.0, 1000.0]))
        alt, vr = rng.choice(alts), rng.choice(rates)
        fx = Fix(1000.0, 45.0, 7.0, alt, 140.0, vr, rng.random() < 0.2, None, 0)
        want = may_approach(st, fx)
        assert (fx.alt < APPROACH_LOW_FT and may_approach(st, fx)) is want
        seen.add(want)
    assert seen == {True, False}
