"""How often the live engine steps: the tick interval, adapted to the load (pure, no clock).

A live frame waits for the next tick, then for its step: its latency is about one interval
plus one step. A step costs a fixed part (~10 ms measured at 500 k msg/s: the tracker's and
detector's per-step NumPy calls) plus a part per frame, so a short interval lowers the latency
but spends more of the engine's core on fixed costs. :class:`TickPlan` takes the shortest
interval between ``min_s`` and ``max_s`` at which the steps keep the engine busy for less
than BUSY_HIGH of the time: a quiet feed steps every ``min_s``; a heavy one, or a machine
whose other processes take the engine's core (a step's wall time grows), every ``max_s``,
where the fixed cost is paid least often. The steps' results do not depend on the interval
(the pipeline is batch-split invariant).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUSY_HIGH", "BUSY_LOW", "MIN_TICK_S", "TickPlan"]

# Why 50 ms: the shortest live interval. Measured at 500 k msg/s (27,500 aircraft), a step of
# 25 k frames (50 ms of feed) took 28-33 ms and one of 50 k frames 48-54 ms: halving the
# interval from 100 ms costs ~10 % of a core and takes ~50 ms off every frame's wait. Shorter
# would double the fixed cost again for 25 ms, and publish to the map faster than it redraws.
MIN_TICK_S = 0.05
# Why 0.6: the share of the interval the step may take before the interval grows (the engine
# shares the machine with the feed reader and the store writer; above ~60 % a burst has no
# room). Why 0.45: the share under which it shrinks; a shrink by TICK_FACTOR raises the share
# by less than that factor (the per-frame part stays), so to under 0.56: below BUSY_HIGH, and
# one interval is kept while the load is steady rather than alternating between two.
BUSY_HIGH = 0.6
BUSY_LOW = 0.45
# Why 0.3: the weight of the newest step's share: a few steps follow a change of load, one slow
# step (a burst of new aircraft) does not lengthen the interval at once.
BUSY_EWMA = 0.3
# Why 1.25: the interval's change per step when out of band: from 50 to 100 ms in ~3 steps.
TICK_FACTOR = 1.25


@dataclass
class TickPlan:
    """The live tick interval between ``min_s`` and ``max_s``; ``observe`` each step."""

    max_s: float
    min_s: float = MIN_TICK_S
    interval_s: float = 0.0  # 0: starts at max_s
    busy: float = 0.0  # moving average of step wall time / interval

    def __post_init__(self) -> None:
        self.min_s = min(self.min_s, self.max_s)
        if not self.interval_s:
            self.interval_s = self.max_s

    def observe(self, step_s: float) -> None:
        """A tick's step (and the wait for the one before it) took ``step_s`` of wall time."""
        self.busy += BUSY_EWMA * (step_s / self.interval_s - self.busy)
        if self.busy > BUSY_HIGH:
            self.interval_s = min(self.max_s, self.interval_s * TICK_FACTOR)
        elif self.busy < BUSY_LOW:
            self.interval_s = max(self.min_s, self.interval_s / TICK_FACTOR)
