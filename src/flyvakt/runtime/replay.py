"""Replay files through the pipeline in-process (used by the Python API, scripts and tests).

Several files are several receivers: file *i* gets receiver id *i*, and the files are merged
by time into one stream (:mod:`flyvakt.runtime.merge`), copies of one frame heard by more
than one receiver counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flyvakt.model import Event, PositionBatch
from flyvakt.model.events import settled
from flyvakt.pipeline import Detector, PipelineState, PipelineStats, finish, flush
from flyvakt.runtime.filesort import SortStats, sorted_file
from flyvakt.runtime.guard import guarded_step
from flyvakt.runtime.merge import MergeStats, merge_by_time
from flyvakt.runtime.reorder import ReorderStats, reorder
from flyvakt.sources import Batch, FileReader, SourceStats


@dataclass
class ReplayResult:
    events: list[Event]
    positions: PositionBatch
    stats: PipelineStats
    state: PipelineState
    source_stats: SourceStats = field(default_factory=SourceStats)
    merge_stats: MergeStats = field(default_factory=MergeStats)


def open_readers(
    paths: Iterable[str],
    *,
    fmt: str | None = None,
    batch_size: int = 65536,
    start_time_s: float | None = None,
) -> list[FileReader]:
    """One reader per file, receiver id = the file's position in ``paths``."""
    return [
        FileReader(p, fmt, batch_size=batch_size, start_time_s=start_time_s, receiver=i)
        for i, p in enumerate(paths)
    ]


def merged_batches(
    readers: list[FileReader],
    stats: MergeStats | None = None,
    late: ReorderStats | None = None,
    sort: SortStats | None = None,
) -> Iterator[Batch]:
    """The readers' batches, each file sorted whole by time when it is out of order and fits
    in memory (runtime/filesort.py, counted in ``sort``), merged by time, then through the
    reorder window (records a few seconds out of time order sorted, later ones counted in
    ``late``: runtime/reorder.py; the fallback for streams and files too large to sort)."""
    srt = sort if sort is not None else SortStats()
    files = [sorted_file(r, srt) for r in readers]
    return reorder(merge_by_time(files, stats=stats), stats=late)


def replay_files(
    paths: Iterable[str],
    *,
    fmt: str | None = None,
    fleets_path: str | None = None,
    keep_positions: bool = True,
    batch_size: int = 65536,
    start_time_s: float | None = None,
    detect: bool = True,
) -> ReplayResult:
    from flyvakt.runtime.setup import make_detector, tracker_config

    cfg = tracker_config()
    detector: Detector | None = make_detector(fleets_path) if detect else None
    state = PipelineState()
    events: list[Event] = []
    kept: list[PositionBatch] = []
    readers = open_readers(paths, fmt=fmt, batch_size=batch_size, start_time_s=start_time_s)
    mstats = MergeStats()
    for batch in merged_batches(readers, mstats):
        state, out = guarded_step(state, batch, cfg, detector)
        events.extend(out.events)
        if keep_positions:
            kept.append(out.positions)
    state, out = flush(state, cfg, detector)  # records the edge validator held back
    events.extend(out.events + finish(state, detector))
    if keep_positions:
        kept.append(out.positions)
    events = settled(events)  # the final judgement: withdrawn landings out (batch-split.md)
    events.sort(key=lambda e: (e.time_s, e.icao24, e.type))
    src = SourceStats()
    for r in readers:
        src.merge(r.stats)
    return ReplayResult(events, PositionBatch.concat(kept), state.stats, state, src, mstats)
