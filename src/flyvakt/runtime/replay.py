"""Replay files through the pipeline in-process (used by scripts, tests and the demo)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flyvakt.model import Event, PositionBatch
from flyvakt.pipeline import PipelineState, PipelineStats, finish
from flyvakt.runtime.guard import guarded_step


@dataclass
class ReplayResult:
    events: list[Event]
    positions: PositionBatch
    stats: PipelineStats
    state: PipelineState


def replay_files(
    paths: Iterable[str],
    *,
    fmt: str | None = None,
    fleets_path: str | None = None,
    keep_positions: bool = True,
    batch_size: int = 65536,
) -> ReplayResult:
    from flyvakt.runtime.setup import make_detector, tracker_config
    from flyvakt.sources import FileReader

    cfg = tracker_config()
    detector = make_detector(fleets_path)
    state = PipelineState()
    events: list[Event] = []
    kept: list[PositionBatch] = []
    for path in paths:
        for batch in FileReader(path, fmt, batch_size=batch_size):
            state, out = guarded_step(state, batch, cfg, detector)
            events.extend(out.events)
            if keep_positions:
                kept.append(out.positions)
    events.extend(finish(state, detector))
    events.sort(key=lambda e: (e.time_s, e.icao24, e.type))
    return ReplayResult(events, PositionBatch.concat(kept), state.stats, state)
