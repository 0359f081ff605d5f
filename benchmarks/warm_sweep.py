"""Issue 12's sweep at N **concurrent** aircraft (bench_e2e's concurrent sweep, bench_instr
``--only sweepwarm``): the steady state of ``bench_pipeline --warm`` at each size, not the cold
start of ``build_corpus`` (every aircraft new, ~20 messages each at 50,000, then lost).

Per size: ``build_warm`` (N aircraft in range at any time, each heard for its 10-minute window
at its real rate, N/600 arriving and as many leaving per second), the warm-up frames run
untimed and the resulting state kept (pickled: every repeat, and the callgrind child, starts
from the same warmed state without paying the warm-up again), then one window of the frames
after it measured.

The window. At 50,000 aircraft one second of data is ~900,000 frames, so the measured part is
shorter than the detector's 20 s country-sample period (every aircraft's country is sampled
once per period, at its first fix after the period's start: a window of under 20 s holds all
50,000 samples or none). Both sizes therefore measure a window **between** two sample instants:
it starts ``SAMPLE_LAG_S`` after one (the samples of that instant are in the untimed part) and
ends before the next, so neither size counts the once-per-20-s samples (nor, normally, the
tracker's once-per-60-s expiry scan: the number that fell in the window is returned). Frames
between the warm-up and the window join the untimed part. What the window holds: every
per-message cost, arrivals (first fixes, new states) and departures (the signal-lost sweep) at
their steady rate; not the periodic country sample and expiry scan, whose cost is per aircraft
per period, so about the same per message at every size.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
from bench_pipeline import GcClock, build_warm, run_timed

from flyvakt.detect import rules as R
from flyvakt.detect.state import DetectorState
from flyvakt.fleets.events import FleetState
from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState

# The window starts this long after a country-sample instant: every aircraft in range has a
# position within ~2 s (airborne positions come at ~2 per second, and the tracker outputs each
# aircraft's fixes a batch at a time), so its sample for that period is taken before the window.
SAMPLE_LAG_S = 3.0
# The warm-up (seconds of data before the measured part, untimed). Aircraft in range when it
# begins start cold; ``unconfirmed`` counts those still without a confirmed position at the
# window (1,000 in range, seed 1): 17 after 1 s, 9 after 2 s, 6 after 3-5 s, 2 after 10 s, 1
# after 20 s, 0 after 60 s (the last few fly a part of the recording with sparse positions).
# 20 s leaves 1 in 1,000, and the window's instructions match a 60 s warm-up's within a point
# (docs/performance.md, session 13); 60 s would be ~55 M untimed frames at 50,000.
WARM_S = 20.0


@dataclass
class Warmed:
    """One size's warmed state (pickled) and the window measured after it."""

    n_aircraft: int
    state: dict[bool, bytes]  # detect? -> pickled PipelineState after the untimed part
    window: FrameBatch
    untimed: FrameBatch  # the warm-up and the frames up to the window (run untimed)
    warm_from_s: float  # data time where the warm-up proper begins (departed tails before it)
    window_s: float

    def start(self, detect: bool) -> PipelineState:
        """A fresh copy of the warmed state (each run changes its state)."""
        out: PipelineState = pickle.loads(self.state[detect])
        return out


def split_window(measured: FrameBatch, frames: int) -> tuple[int, int]:
    """(first, end) rows of the window in ``measured`` (time-sorted): from ``SAMPLE_LAG_S`` after
    a country-sample instant, at most ``frames`` frames, ending before the next instant."""
    period = R.COUNTRY_SAMPLE_S
    t = measured.time_s
    t_first = float(t[0])
    a = math.floor(t_first / period) * period + SAMPLE_LAG_S
    if a < t_first:  # the part of this period after the lag is too short: the next period
        a += period
    i0 = int(np.searchsorted(t, a))
    i1 = int(np.searchsorted(t, math.floor(a / period) * period + period))  # before the next
    if i1 <= i0:
        raise ValueError("no frames between two country-sample instants: more --frames")
    return i0, min(i1, i0 + frames)


def warm_up(warm: FrameBatch, batch: int, detect: bool) -> PipelineState:
    """The state after ``warm`` (untimed): bench_pipeline's own loop, on no measured frames."""
    _, state, _ = run_timed(warm.take(np.arange(0)), batch, detect, warm=warm)
    return state


def _addresses(frames: FrameBatch) -> np.ndarray:
    """The DF11/17 addresses (bytes 1-3) of ``frames``, unique."""
    df = frames.payload[:, 0] >> 3
    p = frames.payload[(df == 11) | (df == 17)].astype(np.int64)
    return np.unique((p[:, 1] << 16) | (p[:, 2] << 8) | p[:, 3])


def unconfirmed(w: Warmed) -> int:
    """Aircraft heard in the window's first second that were already heard in the first second
    of the warm-up (in range when it began: its cold start) and have no confirmed position at
    the window's start. 0 means the warm-up was long enough; aircraft that arrived since are
    arrivals at the steady rate, first fixes included, and are measured as such."""
    t = w.untimed.time_s
    early = w.untimed.take(np.flatnonzero((t >= w.warm_from_s) & (t < w.warm_from_s + 1.0)))
    t = w.window.time_s
    first = w.window.take(np.flatnonzero(t < t[0] + 1.0))
    old = np.intersect1d(_addresses(early), _addresses(first))
    cols = w.start(True).tracker.table.cols
    have = cols["icao24"][np.isfinite(cols["pos_t"]) & ~cols["pos_provisional"]]
    return int(np.setdiff1d(old, have.astype(np.int64)).size)


def prepare(n_aircraft: int, frames: int, warm_s: float, batch: int) -> Warmed:
    """build_warm's steady state at ``n_aircraft``, warmed (with and without detection)."""
    # Enough measured data for the window after the lag (build_warm gives whole 20 s periods).
    warm, measured = build_warm(frames, n_aircraft, warm_s)
    i0, i1 = split_window(measured, frames)
    untimed = FrameBatch.concat([warm, measured.take(np.arange(i0))])
    window = measured.take(np.arange(i0, i1))
    # One warm-up, with detection; the state without it is the same tracker state (the tracker
    # never reads the detector's) with the detector's and fleets' parts empty, as a run without
    # a detector leaves them: half the warm-up time (at 50,000, ~30 M frames each).
    state = warm_up(untimed, batch, True)
    states = {True: pickle.dumps(state)}
    state.detector, state.fleets = DetectorState(), FleetState()
    states[False] = pickle.dumps(state)
    span = float(window.time_s[-1] - window.time_s[0])
    warm_from = float(measured.time_s[0]) - warm_s
    return Warmed(n_aircraft, states, window, untimed, warm_from, span)


def run_window(
    w: Warmed, batch: int, detect: bool, gc_clock: GcClock | None = None
) -> tuple[float, int, PipelineState]:
    """(CPU s, expiry scans, final state) of one timed pass over the window from a fresh copy of
    the warmed state; the scans are 0 or 1 in a window under EXPIRE_EVERY_S, and printed."""
    state = w.start(detect)
    scanned = state.expired_through_s
    cpu_s, state, _ = run_timed(w.window, batch, detect, gc_clock=gc_clock, start=state)
    return cpu_s, int(state.expired_through_s > scanned), state
