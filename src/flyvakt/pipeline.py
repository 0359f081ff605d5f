"""The pure pipeline step: ``step(state, batch, now_s) -> (state, output)``.

frames → decode → track → detect, one batch at a time. No I/O and no clock: the runtime (live)
and ``flyvakt replay`` (files) feed it batches and pass "now" (the data's time). The state is
keyed by aircraft, so a partitioned engine can run the same step per key range.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from flyvakt.decode.adsb import me_field
from flyvakt.decode.commb import CommBLatest
from flyvakt.decode.core import decode_indexed
from flyvakt.model import Event, FrameBatch, ObservationBatch, PositionBatch
from flyvakt.track import TrackerConfig, TrackerState
from flyvakt.track import expire as track_expire
from flyvakt.track import step as track_step
from flyvakt.validate import EdgeState, batch_now, check_time_range, check_times, check_values


class Detector(Protocol):
    """What the pipeline needs of event detection (flyvakt.detect provides it)."""

    def step(self, positions: PositionBatch, now_s: float) -> list[Event]: ...

    def finish(self, now_s: float) -> list[Event]: ...


# Why 300 s: readsb forgets an aircraft after five minutes of silence, and so does the live map;
# an aircraft heard again starts afresh (new CPR pair), as in readsb. History is in the store.
EXPIRE_SILENCE_S = 300.0
# Why every 60 s of data time: expiry scans the live rows, so it runs once a minute of data,
# not every ~100 ms batch; memory then holds at most the aircraft heard in the last 6 minutes.
EXPIRE_EVERY_S = 60.0


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
        }


@dataclass
class PipelineState:
    tracker: TrackerState = field(default_factory=TrackerState)
    stats: PipelineStats = field(default_factory=PipelineStats)
    edge: EdgeState = field(default_factory=EdgeState)
    data_through_s: float = float("-inf")
    expired_through_s: float = float("-inf")  # data time of the last expiry scan
    commb: CommBLatest = field(default_factory=CommBLatest)  # newest BDS 4,0/5,0/6,0 values


@dataclass
class StepOutput:
    positions: PositionBatch
    events: list[Event]


_DROP_FIELDS = (
    "mode_ac",
    "bad_length",
    "unsupported_df",
    "wrong_length",
    "crc_failed",
    "df18_non_adsb",
)


def step(
    state: PipelineState,
    batch: FrameBatch | ObservationBatch,
    tracker_config: TrackerConfig,
    detector: Detector | None = None,
) -> tuple[PipelineState, StepOutput]:
    """Run one batch through validation, decode (if raw frames), track and detect."""
    stats = state.stats
    if isinstance(batch, FrameBatch):
        stats.frames += len(batch)
        keep = check_time_range(batch.time_s, stats.edge_dropped)
        frames = batch if keep.all() else batch.take(keep)
        obs, dstats, index = decode_indexed(frames)
        commb = np.flatnonzero((obs.df == 20) | (obs.df == 21))
        if commb.size:  # a side table: the tracker's path is untouched
            mb = me_field(frames.payload[index[commb]])
            state.commb.update(obs.icao24[commb], obs.time_s[commb], mb)
        for name in _DROP_FIELDS:
            n = int(getattr(dstats, name, 0))
            if n:
                stats.decode_dropped[name] += n
    else:
        obs = batch
    keep = check_times(obs.time_s, state.edge, stats.edge_dropped)
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
        events = detector.step(positions, state.data_through_s)
        stats.events += len(events)
    _expire(state)
    return state, StepOutput(positions, events)


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


def finish(state: PipelineState, detector: Detector | None) -> list[Event]:
    """End of data: the detector says what it can about aircraft still in the air."""
    if detector is None:
        return []
    events = detector.finish(state.data_through_s)
    state.stats.events += len(events)
    return events
