"""How much one pipeline step takes, and how late a live frame may be (used by the engine).

:class:`StepBudget` sizes steps by the rate the pipeline was measured to run at; the live
engine sheds frames that cannot reach the API within MAX_LATENCY_S
(:meth:`flyvakt.runtime.intake.LiveIntake.shed_late`), predicting a step's time, once the rate is
measured (:attr:`StepBudget.trusted`), from the slowest of the recent steps
(:meth:`StepBudget.predict_s`): on a machine whose other processes take the engine's CPU the
steps run 2-5x longer, unevenly, than the average rate says.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = [
    "EARLY_SHARE",
    "INITIAL_RATE_FPS",
    "LIVE_STEP_S",
    "MAX_LATENCY_S",
    "MAX_STEP_FRAMES",
    "MIN_STEP_FRAMES",
    "RATE_EWMA",
    "SLOW_WINDOW_STEPS",
    "TICK_SHARE",
    "TRUSTED_STEPS",
    "TRUSTED_STEP_FRAMES",
    "StepBudget",
]

# File replays as fast as possible step by StepBudget: about one tick's worth of work at the
# rate the pipeline was measured to run; live steps take what waits (see flush_buffer).
# Why 512 at least: a step has a fixed cost of a few ms, so smaller steps would spend most of
# their time on it. Why 262,144 at most: about a second of work at the measured rates; larger
# only delays the map.
MIN_STEP_FRAMES = 512
MAX_STEP_FRAMES = 262_144
# Why 100 k/s to start with: a rate below every measured one, so the first step is short and
# the measurement that follows sets the size.
INITIAL_RATE_FPS = 100_000.0
# Why 0.3: the weight of the newest step's rate; a few steps follow a change of load, one
# slow step (a burst of new aircraft) does not halve the next step.
RATE_EWMA = 0.3
# Why 2 steps of 2,048 frames: until the rate has been measured on that many steps of at least
# that size (the first one replaces INITIAL_RATE_FPS outright), a live frame is shed only once
# it has waited past the latency bound, not on a step time predicted from the guess: it is 5-8x
# below the measured rates, and at 500 k msg/s it shed ~27,000 frames in the first second that
# the steps then took in time. Tiny steps (a feed's first frames) are all fixed cost and would
# mislead as much; two steps, so that one odd step alone is not taken for the rate.
TRUSTED_STEPS = 2
TRUSTED_STEP_FRAMES = 2_048
# Why the slowest of the last 10 steps (their wall time per frame): the cost per frame that
# predicts a step's time for shedding (StepBudget.predict_s). Measured at 500 k msg/s on 2 cores
# with one CPU hog beside the engine, a step's wall time rose to 2-4x its CPU time for
# stretches of ~1 s, unevenly from step to step; predicted at the moving average (RATE_EWMA)
# 33 of 55 steps ran longer than predicted (18 by over 1.2x, up to 2.9x), at the second
# slowest of the last 10 13 (8; 2.3x), at the slowest 9 (6; 1.9x: where the contention
# jumped), and those steps made the p99. 10 steps is ~1 s at the live tick (0.1 s): the
# prediction follows a contended stretch from its first slow step and falls back a second
# after it. On a quiet machine the slowest of 10 is ~1.5x the average, which at 500 k msg/s
# (a step of ~50 k frames, ~1 us each) still fits the bound. The moving average still sizes
# steps (the slowest would make every step smaller).
SLOW_WINDOW_STEPS = 10
# Why 0.25 s: the frame -> API promise (README: live frames on the map and in /api/status
# within 250 ms of their arrival). A live frame that cannot be published within it is shed
# (counted in buffer_drops) before its step: one that waited that long already, or whose
# wait plus the step that would take it (StepBudget.predict_s) plus a hand-off would
# pass it (see LiveIntake.shed_late). Beyond the pipeline's ceiling the map so stays at most this
# late and the count says how much was dropped, instead of every frame arriving later (with
# 0.5 s measured after the wait alone, 700 k msg/s had p99 395 ms and nothing shed). Like
# readsb with a slow client, we drop rather than stall the sender: the feeds are read while
# steps run (in a child process, or in this loop between steps). ``flyvakt run --max-latency``.
MAX_LATENCY_S = 0.25
# Why 0.6: a live step starts before its tick once the oldest waiting frame, stepped now, would
# be published (LiveIntake.publish_s) later than this share of the latency bound
# (LiveIntake.start_in_s). Without it, at 500 k msg/s on 2 cores (session 13: interval 100 ms,
# steps of 50 k frames ~80 ms) the frames that waited the whole interval reached the bound's
# edge at each tick (p99 218-243 ms) and the slower predictions shed them (14-89 k of 2.5 M);
# started early, the step takes them while they can still make it, at the cost of a shorter
# interval (more steps' fixed cost) only while that is needed, and never within MIN_TICK_S of
# the last step (runtime.cadence). Session 14 set 0.8 (200 ms at the default bound): live p99
# 197-234 ms (session 16), at the line, and a step slower than its prediction then shed. At 0.6
# (150 ms) the shedding tests' simulated pipeline at session 16's picture (65 % of capacity,
# ~11 ms fixed cost a step, a reader 30 ms behind, steps 0.85-1.25x uneven) has p99 169 ms
# against 203 (75 %: 199 against 218) for ~1/3 more steps (~4 % of a core at 11 ms each): the
# 100 ms (40 %) left is the margin for what the prediction misses (the steps' spread on a
# shared machine, the reader's hand-over). Lower buys little: 0.5 gave p99 156 ms for ~10 %
# more steps again, and near the ceiling the steps run back to back whatever the share.
EARLY_SHARE = 0.6
# Why 0.4: the longest tick interval as a share of the latency bound. A frame waits up to one
# interval for its tick, then for its step (up to BUSY_HIGH = 0.6 of an interval) and its
# hand-off; with the reader's gathering (~30 ms) that is ~0.64 of the bound plus 30 ms, so a
# feed below the ceiling is not shed. At the default bound: 100 ms, the interval measured best.
TICK_SHARE = 0.4
# Why 0.5 s: the most work one live step takes, at the measured rate (the latency bound sheds
# what would be late anyway; this caps a step when a bound larger than that is set).
LIVE_STEP_S = 0.5


@dataclass
class StepBudget:
    """How many frames one step should take: ``budget_s`` of work at the measured rate."""

    budget_s: float
    rate_fps: float = INITIAL_RATE_FPS
    measured: int = 0  # steps of TRUSTED_STEP_FRAMES or more observed
    # Wall seconds per frame of the last SLOW_WINDOW_STEPS steps of TRUSTED_STEP_FRAMES or more.
    recent_s_per_frame: deque[float] = field(
        default_factory=lambda: deque(maxlen=SLOW_WINDOW_STEPS)
    )

    def frames(self) -> int:
        return int(min(max(self.rate_fps * self.budget_s, MIN_STEP_FRAMES), MAX_STEP_FRAMES))

    def observe(self, n: int, seconds: float) -> None:
        """A step of ``n`` records took ``seconds`` (wall, measured by the engine's timer)."""
        if n >= MIN_STEP_FRAMES // 2 and seconds > 0:
            big = n >= TRUSTED_STEP_FRAMES
            weight = 1.0 if big and not self.measured else RATE_EWMA  # the first replaces the guess
            self.rate_fps += weight * (n / seconds - self.rate_fps)
            self.measured += big
            if big:
                self.recent_s_per_frame.append(seconds / n)

    def predict_s(self, n: int) -> float:
        """The wall time a step of ``n`` frames may take: at the slowest cost per frame of the
        last SLOW_WINDOW_STEPS measured steps (the moving rate before any). Not the average:
        what makes frames late is the slow steps of a contended machine, and a step cannot be
        shed once it runs."""
        return n * max(self.recent_s_per_frame, default=1.0 / self.rate_fps)

    @property
    def trusted(self) -> bool:
        """Measured on enough steps to predict a step's time from (TRUSTED_STEPS)."""
        return self.measured >= TRUSTED_STEPS
