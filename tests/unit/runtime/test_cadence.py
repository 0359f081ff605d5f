"""The live tick interval adapts to the load (runtime.cadence.TickPlan)."""

from __future__ import annotations

import pytest

from flyvakt.runtime.cadence import BUSY_HIGH, BUSY_LOW, MIN_TICK_S, TickPlan

# A step's wall time as measured at 500 k msg/s on the live benchmark's corpus: ~10 ms fixed,
# ~0.9 us per frame (docs/performance.md, session 6).
FIXED_S, PER_FRAME_S = 0.010, 0.9e-6


def _settle(plan: TickPlan, rate_fps: float, slowdown: float = 1.0, steps: int = 60) -> set[float]:
    """Run ``steps`` ticks of a feed at ``rate_fps``; the intervals of the last 20."""
    seen = []
    for _ in range(steps):
        step_s = (FIXED_S + PER_FRAME_S * rate_fps * plan.interval_s) * slowdown
        plan.observe(step_s)
        seen.append(round(plan.interval_s, 6))
    return set(seen[-20:])


def test_a_quiet_feed_steps_at_the_shortest_interval() -> None:
    plan = TickPlan(0.1)
    assert plan.interval_s == 0.1  # starts at the configured one
    assert _settle(plan, 1_000) == {MIN_TICK_S}


def test_a_heavy_feed_steps_less_often_and_holds_its_interval() -> None:
    light, heavy = TickPlan(0.1), TickPlan(0.1)
    assert _settle(light, 300_000) == {MIN_TICK_S}  # 50 ms: 23.5 ms per step, 47 % busy
    held = _settle(heavy, 500_000)  # 50 ms: 32.5 ms per step, 65 % busy: too busy
    assert len(held) == 1 and MIN_TICK_S < held.pop() < 0.1  # one interval, not alternating
    assert BUSY_LOW <= heavy.busy <= BUSY_HIGH
    assert _settle(heavy, 700_000) == {0.1}  # 73 % busy at 100 ms: as configured


def test_a_starved_engine_goes_back_to_the_configured_interval() -> None:
    """Steps that take 3x their CPU time (the machine's other processes hold the core): the
    fixed cost is paid as rarely as configured."""
    plan = TickPlan(0.1)
    _settle(plan, 100_000)
    assert plan.interval_s == MIN_TICK_S
    assert _settle(plan, 500_000, slowdown=3.0) == {0.1}


@pytest.mark.parametrize("configured", [0.02, 0.05, 0.25])
def test_never_longer_than_configured(configured: float) -> None:
    plan = TickPlan(configured)
    assert _settle(plan, 2_000_000, slowdown=5.0) == {configured}
    assert _settle(plan, 0) == {min(configured, MIN_TICK_S)}
