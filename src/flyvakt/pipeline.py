"""The pure pipeline step: ``step(state, batch, now_s) -> (state, output)``.

frames → decode → track → detect, one batch at a time. No I/O and no clock: the runtime (live)
and ``flyvakt replay`` (files) feed it batches and pass "now" (the data's time). The state is
keyed by aircraft, so a partitioned engine can run the same step per key range.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from flyvakt.decode.ahead import DecodedFrames, commb_rows, decode_into
from flyvakt.decode.commb import CommBLatest
from flyvakt.detect.expiry import DETECT_FORGET_S as _DETECT_FORGET_S
from flyvakt.detect.expiry import forget as detect_forget
from flyvakt.detect.state import DetectorState
from flyvakt.fleets.events import FleetState
from flyvakt.model import Event, FrameBatch, ObservationBatch, PositionBatch
from flyvakt.model.batches import address_of
from flyvakt.track import TrackerConfig, TrackerState
from flyvakt.track import expire as track_expire
from flyvakt.track import step as track_step
from flyvakt.validate import EdgeState, batch_now, check_values, judge_times

if TYPE_CHECKING:
    from flyvakt.detect.base import WorldView
    from flyvakt.fleets.registry import FleetRegistry


class Detector(Protocol):
    """What the pipeline needs of event detection: logic only, over ``state.detector`` and
    ``state.fleets`` (:class:`EventDetector` is the one in use)."""

    def step(self, state: PipelineState, positions: PositionBatch, now_s: float) -> list[Event]: ...

    def finish(self, state: PipelineState, now_s: float) -> list[Event]: ...


# Why 300 s: readsb forgets an aircraft after five minutes of silence, and so does the live map;
# an aircraft heard again starts afresh (new CPR pair), as in readsb. History is in the store.
# The tracker applies the same rule inside a step (track/silence.py), so the sweep, run only
# between batches, changes memory and nothing else.
EXPIRE_SILENCE_S = TrackerConfig.forget_after_s
# Why every 60 s of data time: expiry scans the live rows, so it runs once a minute of data,
# not every ~100 ms batch; memory then holds at most the aircraft heard in the last 6 minutes.
EXPIRE_EVERY_S = 60.0
# The detector forgets an aircraft after a day of silence (why: detect/expiry.py); the
# detector step applies the same rule inside a batch, so the sweep only frees memory.
DETECT_FORGET_S = _DETECT_FORGET_S


@dataclass
class PipelineStats:
    frames: int = 0
    observations: int = 0
    positions: int = 0
    events: int = 0
    decode_dropped: Counter[str] = field(default_factory=Counter)
    track_rejected: Counter[str] = field(default_factory=Counter)
    edge_dropped: Counter[str] = field(default_factory=Counter)  # flyvakt.validate reasons
    step_errors: int = 0  # batches that failed and were skipped (flyvakt.runtime.guard)
    expired: int = 0  # aircraft forgotten by the tracker after EXPIRE_SILENCE_S of silence
    detect_expired: int = 0  # aircraft forgotten by the detector after DETECT_FORGET_S

    def as_dict(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "observations": self.observations,
            "positions": self.positions,
            "events": self.events,
            "decode_dropped": dict(self.decode_dropped),
            "track_rejected": dict(self.track_rejected),
            "edge_dropped": dict(self.edge_dropped),
            "step_errors": self.step_errors,
            "expired": self.expired,
            "detect_expired": self.detect_expired,
        }


@dataclass
class PipelineState:
    """Everything that outlives a batch: a checkpoint is this and nothing else
    (:mod:`flyvakt.checkpoint` writes and reads it)."""

    tracker: TrackerState = field(default_factory=TrackerState)
    detector: DetectorState = field(default_factory=DetectorState)
    fleets: FleetState = field(default_factory=FleetState)
    stats: PipelineStats = field(default_factory=PipelineStats)
    edge: EdgeState = field(default_factory=EdgeState)
    data_through_s: float = float("-inf")
    expired_through_s: float = float("-inf")  # data time of the last expiry scan
    commb: CommBLatest = field(default_factory=CommBLatest)  # newest BDS 4,0/5,0/6,0 values


@dataclass
class StepOutput:
    positions: PositionBatch
    events: list[Event]


def step(
    state: PipelineState,
    batch: FrameBatch | DecodedFrames | ObservationBatch,
    tracker_config: TrackerConfig,
    detector: Detector | None = None,
    *,
    final: bool = False,
    comm_b: bool = True,
) -> tuple[PipelineState, StepOutput]:
    """Run one batch through validation, decode (if raw frames: ``decode.ahead.decode_into``;
    frames decoded ahead, :class:`DecodedFrames`, are taken alike), track and detect.

    The edge validator may hold a batch's last few records back into the next step
    (``state.edge.held``: a time it cannot judge yet); ``final`` (end of data, :func:`flush`)
    judges them with what there is. ``comm_b=False``: ``state.commb`` (a side table that
    neither the tracker nor the detector reads) is left as it is, for callers that never read
    it (a replay without a store: 0.04 CPU s per 1 M frames)."""
    stats = state.stats
    if isinstance(batch, FrameBatch):
        stats.frames += len(batch)
        obs, commb, mb = decode_into(batch, stats.edge_dropped, stats.decode_dropped, comm_b=comm_b)
    elif isinstance(batch, DecodedFrames):  # decoded ahead (the live reader process)
        stats.frames += batch.frames
        stats.edge_dropped.update(batch.edge_dropped)
        stats.decode_dropped.update(batch.decode_dropped)
        obs = batch.obs
        commb = commb_rows(obs) if comm_b else np.zeros(0, dtype=np.intp)
        mb = batch.mb[commb]
    else:
        obs, commb, mb = batch, None, None
    if commb is not None and mb is not None and commb.size:  # a side table, not tracked
        state.commb.update(obs.icao24[commb], obs.time_s[commb], mb)
    if len(state.edge.held):
        obs = ObservationBatch.concat([state.edge.held, obs])
    keep, held = judge_times(obs.time_s, state.edge, stats.edge_dropped, final=final)
    if held.size or len(state.edge.held):  # nearly always none: keep the empty batch
        state.edge.held = obs.take(held)
    if not keep.all():
        obs = obs.take(keep)
    check_values(obs, stats.edge_dropped)
    stats.observations += len(obs)
    state.tracker, positions, tstats = track_step(state.tracker, obs, tracker_config)
    stats.positions += len(positions)
    stats.track_rejected.update(tstats.rejected)
    if len(obs):
        state.data_through_s = max(state.data_through_s, batch_now(obs.time_s))
    events: list[Event] = []
    if detector is not None:
        events = detector.step(state, positions, state.data_through_s)
        stats.events += len(events)
    _expire(state)
    return state, StepOutput(positions, events)


def advance(state: PipelineState, now_s: float, detector: Detector | None) -> list[Event]:
    """Move the data clock to ``now_s`` without data (a watermark): a partition whose own
    aircraft fell silent still sweeps for lost signals and expires state as the others do."""
    if not now_s > state.data_through_s:
        return []
    state.data_through_s = now_s
    events: list[Event] = []
    if detector is not None:
        events = detector.step(state, PositionBatch.empty(0), now_s)
        state.stats.events += len(events)
    _expire(state)
    return events


def _expire(state: PipelineState) -> None:
    """Bounded live memory: forget aircraft silent for EXPIRE_SILENCE_S of data time."""
    now = state.data_through_s
    if now - state.expired_through_s < EXPIRE_EVERY_S:
        return
    if state.expired_through_s == float("-inf"):
        state.expired_through_s = now  # first batch: nothing can be silent yet
        return
    state.expired_through_s = now
    state.stats.expired += len(track_expire(state.tracker, now, EXPIRE_SILENCE_S))
    state.stats.detect_expired += detect_forget(state.detector, now, DETECT_FORGET_S)


def flush(
    state: PipelineState, tracker_config: TrackerConfig, detector: Detector | None = None
) -> tuple[PipelineState, StepOutput]:
    """End of data, before :func:`finish`: the records the edge validator held back are
    judged and run through the pipeline (their positions and events are in the output)."""
    return step(state, ObservationBatch.empty(0), tracker_config, detector, final=True)


def finish(
    state: PipelineState, detector: Detector | None, tracker_config: TrackerConfig | None = None
) -> list[Event]:
    """End of data: the detector says what it can about aircraft still in the air. Records
    still held back by the edge validator go through :func:`flush` first (their events are
    returned; call :func:`flush` yourself to have their positions)."""
    events: list[Event] = []
    if len(state.edge.held):
        events = flush(state, tracker_config or TrackerConfig(), detector)[1].events
    if detector is None:
        return events
    last = detector.finish(state, state.data_through_s)
    state.stats.events += len(last)
    return events + last


@dataclass
class EventDetector:
    """Event detection as logic over the pipeline state: per-aircraft rules
    (:mod:`flyvakt.detect`), then, with a fleet registry, fleet tags and fleet events
    (``fleet_departed``, ``fleet_landed``, ``fleet_together``). Holds no state of its own.

    ``fleet_events=False``: tags only. A partitioned worker sees a fleet's members in
    different partitions, so fleet events are computed downstream over the merged streams
    (:mod:`flyvakt.stream.fleetstage`) with :func:`fleet_stage`, the same code."""

    world: WorldView
    registry: FleetRegistry | None = None
    fleet_events: bool = True

    def step(self, state: PipelineState, positions: PositionBatch, now_s: float) -> list[Event]:
        from flyvakt.detect.detector import step as detect_step

        state.detector, events = detect_step(state.detector, positions, now_s, self.world)
        return self._fleets(state, positions, events)

    def finish(self, state: PipelineState, now_s: float) -> list[Event]:
        from flyvakt.detect.detector import finish as detect_finish

        return self._fleets(state, None, detect_finish(state.detector, now_s, self.world))

    def _fleets(
        self, state: PipelineState, positions: PositionBatch | None, events: list[Event]
    ) -> list[Event]:
        reg = self.registry
        if reg is None:
            return events
        tag_fleets(events, reg)
        if not self.fleet_events:
            return events
        state.fleets, fleet_events = fleet_stage(state.fleets, reg, positions, events)
        if not fleet_events:
            return events
        return sorted([*events, *fleet_events], key=lambda e: e.time_s)


def tag_fleets(events: list[Event], registry: FleetRegistry) -> None:
    """Set each event's ``fleet`` to the fleets its aircraft belongs to at the event's time.

    An address in no fleet by address (nearly every event's) gets the empty tuple, an
    event's "no fleets" (:class:`flyvakt.model.events.Event`), without a ``match`` call or a
    list made per event (55,025 events in a state-vector replay of 5,000 aircraft)."""
    match = registry.match
    members = registry.addresses
    for e in events:
        addr = address_of(e.icao24)
        e.fleet = match(addr, None, e.time_s) if addr in members else ()


def fleet_stage(
    fleets: FleetState,
    registry: FleetRegistry,
    positions: PositionBatch | None,
    events: list[Event],
) -> tuple[FleetState, list[Event]]:
    """Fleet events from one step's (fleet-tagged) events, then its positions: waves
    (``fleet_departed``/``fleet_landed``), then ``fleet_together``. Returns only the new
    fleet events."""
    from flyvakt.fleets.events import step as fleet_step
    from flyvakt.fleets.together import together_step

    out: list[Event] = []
    if events:
        fleets, fleet_events = fleet_step(fleets, events, registry)
        out += fleet_events
    if positions is not None and len(positions):
        fleets, together = together_step(fleets, positions, registry)
        out += together
    return fleets, out
