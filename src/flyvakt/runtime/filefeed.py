"""File sources of the live engine (adapter): replayed paced by their own timestamps, or as
fast as possible in steps sized by the engine's measured rate (:func:`replay_into`).

The cuts depend on the data only, never on the wall clock, so a paced replay is reproducible.
A file out of time order gets what ``flyvakt replay`` gives it: sorted whole by time when it
fits in memory (runtime/filesort.py), then the reorder window (runtime/reorder.py), so
``run FILE`` and ``replay FILE`` find the same events in a file sorted by aircraft. The
counts are in the source's progress (``sorted_records``, ``late``) and logged once per file.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from flyvakt.runtime.filesort import MAX_SORT_BYTES, SortStats, sorted_file
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.reorder import REORDER_WINDOW_S, ReorderStats, reorder
from flyvakt.sources import Batch, FileReader

log = logging.getLogger("flyvakt.runtime")

__all__ = ["replay_into"]


def _time_slices(batch: Batch, span_s: float) -> list[Batch]:
    """Cut a batch where its data time crosses a multiple of ``span_s`` (one wall tick of data).

    The cuts depend only on the data, so a paced replay is reproducible.
    """
    if len(batch) == 0 or not span_s > 0:
        return [batch]
    t = batch.time_s
    key = np.floor(np.where(np.isfinite(t), t, -np.inf) / span_s)
    key = np.maximum.accumulate(key)  # frames without a time stay with the one before
    cuts = np.flatnonzero(np.diff(key)) + 1
    if len(cuts) == 0:
        return [batch]
    bounds = [0, *cuts.tolist(), len(batch)]
    return [batch.take(np.arange(a, b)) for a, b in itertools.pairwise(bounds)]


def _budget_slices(batch: Batch, budget: Any) -> Iterator[Batch]:
    """As-fast-as-possible replay: consecutive pieces of one step's budget each (the size
    is read again before every piece, so it follows the rate measured on the last step)."""
    a = 0
    while a < len(batch):
        b = min(a + budget.frames(), len(batch))
        yield batch if (a, b) == (0, len(batch)) else batch.take(np.arange(a, b))
        a = b


async def replay_into(
    eng: Any,
    urls: list[str],
    *,
    speed: float | None,
    stop_event: asyncio.Event,
    clock: Callable[[], float],
    hub: Hub,
    batch_frames: int | None,
    tick_s: float,
    max_step_frames: int,
) -> None:
    """Replay ``urls`` one after another through ``eng.process`` (see run_engine): paced at
    ``speed`` × real time in cuts of one tick of data, else as fast as possible in steps of
    the engine's measured budget (reads of at most ``max_step_frames``)."""
    for url in urls:
        progress: dict[str, Any] = {"state": "replaying", "frames": 0, "speed": speed}
        hub.register_source(url, progress)
        reader = FileReader(url, batch_size=batch_frames or max_step_frames)
        t_first: float | None = None
        wall0 = 0.0
        sort, late = SortStats(), ReorderStats()
        for big in reorder(sorted_file(reader, sort), stats=late):
            pieces = (
                _time_slices(big, speed * tick_s)
                if speed
                else [big]
                if batch_frames
                else _budget_slices(big, eng.budget)
            )
            for batch in pieces:
                if stop_event.is_set():
                    break
                finite = batch.time_s[np.isfinite(batch.time_s)]
                if speed and len(finite):
                    t0 = float(finite[0])
                    if t_first is None or t0 < t_first:
                        t_first, wall0 = t0, clock()  # (re-)anchor: start, or time went back
                    delay = wall0 + (t0 - t_first) / speed - clock()
                    if delay > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop_event.wait(), timeout=delay)
                        if stop_event.is_set():
                            break
                await eng.process(batch)
                progress["frames"] += len(batch)
                await asyncio.sleep(0)  # let the server and the live feeds run
            if stop_event.is_set():
                break
        progress["state"] = "stopped" if stop_event.is_set() else "done"
        progress["skipped"] = dict(reader.stats.skipped)
        _say_order(url, sort, late, progress)
        # Skipped lines named, as replay's summary names them: a malformed file says where.
        for msg in reader.stats.bad_lines:
            log.warning("skipped %s", msg)
        for k, v in reader.stats.skipped.items():
            eng.summary.source_skipped[k] = eng.summary.source_skipped.get(k, 0) + v
        if stop_event.is_set():
            return


def _say_order(url: str, sort: SortStats, late: ReorderStats, progress: dict[str, Any]) -> None:
    """What was done about a file's time order (as ``flyvakt replay`` says it in its summary)."""
    progress["sorted_records"] = sort.sorted_records
    progress["late"] = late.late
    if sort.sorted_records:
        log.warning("%s: not in time order: sorted by time (%s records)", url,
                    f"{sort.sorted_records:,}")  # fmt: skip
    if sort.too_large:
        log.warning("%s: not in time order and larger than %d GiB decoded, not sorted whole",
                    url, MAX_SORT_BYTES >> 30)  # fmt: skip
    if late.late:
        log.warning("%s: records out of time order by more than %g s: %s (kept, replayed in "
                    "their own runs)", url, REORDER_WINDOW_S, f"{late.late:,}")  # fmt: skip
