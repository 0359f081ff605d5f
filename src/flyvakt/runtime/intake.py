"""The live engine's intake: the buffer of live frames waiting for a step, and its shedding.

:class:`LiveIntake` is mixed into :class:`flyvakt.runtime.engine._Engine`: frames from the feed
readers are buffered with the timer reading of their arrival; a step takes at most
:meth:`LiveIntake.live_limit` of them; those that cannot reach the API within
``max_latency_s`` of their arrival (waited too long already, or would with the step that took
them, as :class:`flyvakt.runtime.budget.StepBudget` predicts) are shed and counted, never
stepped late. Nothing here reads the clock but through ``timer``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyvakt.decode.ahead import DecodedFrames
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.runtime.budget import (
    EARLY_SHARE,
    LIVE_STEP_S,
    MAX_STEP_FRAMES,
    MIN_STEP_FRAMES,
    StepBudget,
)

if TYPE_CHECKING:
    from flyvakt.runtime.hub import Hub

__all__ = ["MAX_BUFFER_FRAMES", "LiveBatch", "LiveIntake"]

# What the feed readers hand over: frames (the in-process reader), frames decoded ahead (the
# reader process, flyvakt.decode.ahead), or observations (text feeds); len() counts frames.
LiveBatch = FrameBatch | DecodedFrames | ObservationBatch

# Why 1,000,000 frames: ~30 MB of buffered frames, 50 s of a 20 k msg/s feed. Should the
# pipeline ever fall that far behind, the oldest frames are dropped (counted) rather than
# letting memory grow without bound.
MAX_BUFFER_FRAMES = 1_000_000


class LiveIntake:
    """Buffer and shedding state of the engine (attributes set by the engine's ``__init__``)."""

    hub: Hub
    summary: Any  # flyvakt.runtime.engine.EngineSummary (buffer_drops)
    # Live frames waiting for a step, with the timer reading when each batch arrived.
    buffer: deque[tuple[float, LiveBatch]]
    buffered: int
    timer: Callable[[], float]
    budget: StepBudget
    max_latency_s: float
    # The last steps' hand-off times (store write-ahead, hub), for publish_s.
    handoffs_s: deque[float]

    def on_live_batch(self, batch: LiveBatch, age_s: float = 0.0) -> None:
        """Called by the feed readers (``age_s``: how long ago the bytes were received, for a
        reader in another process); never blocks (a full buffer sheds its oldest frames)."""
        if len(batch):
            self.buffer.append((self.timer() - age_s, batch))
            self.buffered += len(batch)
            while self.buffered > MAX_BUFFER_FRAMES and len(self.buffer) > 1:
                self._shed(self.buffer.popleft()[1])

    def _shed(self, batch: LiveBatch) -> None:
        self.buffered -= len(batch)
        self.on_reader_drop(len(batch))

    def on_reader_drop(self, n: int) -> None:
        """``n`` live frames shed before they reached the buffer (a reader process's outbox
        overflowed while this process fell behind), or from the buffer (:meth:`_shed`)."""
        self.summary.buffer_drops += n
        self.hub.engine["buffer_drops"] = self.summary.buffer_drops

    def live_limit(self) -> int:
        """The most frames one live step takes: LIVE_STEP_S of work at the measured rate."""
        fit = int(self.budget.rate_fps * LIVE_STEP_S)
        return min(MAX_STEP_FRAMES, max(MIN_STEP_FRAMES, fit))

    @property
    def backlog(self) -> bool:
        """More frames wait than one step takes."""
        return self.buffered > self.live_limit()

    def publish_s(self, n: int) -> float:
        """How long until a step of ``n`` frames starting now is published: its work at the
        slowest recent steps' cost (StepBudget.predict_s), then its hand-off (store
        write-ahead, hub) as the slowest recent one took."""
        return self.budget.predict_s(n) + max(self.handoffs_s, default=0.0)

    def start_in_s(self, now: float) -> float:
        """Seconds from ``now`` until a step must start for the oldest waiting frame to be
        published within EARLY_SHARE of ``max_latency_s`` (its wait plus :meth:`publish_s` of
        the step that would take it; <= 0: now). ``inf`` when nothing waits, without a bound,
        or before the cost is measured (StepBudget.trusted): the tick alone decides then.
        Frames that arrive meanwhile make the step larger, so the answer only shrinks: the
        caller asks again before it runs out."""
        bound = self.max_latency_s
        if not bound or not self.buffer or not self.budget.trusted:
            return math.inf
        waited = now - self.buffer[0][0]
        return EARLY_SHARE * bound - waited - self.publish_s(min(self.buffered, self.live_limit()))

    def shed_late(self, now: float) -> None:
        """Shed (count) the oldest buffered frames that cannot be published within
        ``max_latency_s`` of their arrival: those that waited that long already, and, while
        more than the newest batch waits, those whose wait plus :meth:`publish_s` of the step
        that would take them passes it (once the rate is measured: StepBudget.trusted). The
        newest batch is kept when not late yet, so that a step runs and the rate it is judged
        by stays measured."""
        bound = self.max_latency_s
        if not bound:  # no bound (--max-latency 0): every frame is stepped, however late
            return
        limit = self.live_limit()
        predict = self.budget.trusted
        while self.buffer:
            waited = now - self.buffer[0][0]
            if waited <= bound and (
                len(self.buffer) == 1
                or not predict
                or waited + self.publish_s(min(self.buffered, limit)) <= bound
            ):
                return
            self._shed(self.buffer.popleft()[1])

    def take_buffered(self, *, everything: bool) -> list[LiveBatch]:
        """The buffered batches for the next step, oldest first (see ``_Engine.flush_buffer``):
        late frames shed first (not when ``everything``), then up to :meth:`live_limit`
        frames (``everything``: all); the oldest one's wait is published as ``lag_s``."""
        if not self.buffer:
            return []
        now = self.timer()
        if not everything:
            self.shed_late(now)
        parts: list[LiveBatch] = []
        taken = 0
        oldest = now
        limit = self.live_limit()
        while self.buffer and (everything or not parts or taken + len(self.buffer[0][1]) <= limit):
            t_in, batch = self.buffer.popleft()
            oldest = min(oldest, t_in)
            parts.append(batch)
            taken += len(batch)
        self.buffered -= taken
        self.hub.engine["lag_s"] = round(now - oldest, 3)
        return parts
