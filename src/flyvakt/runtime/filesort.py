"""A replayed FILE whose records are out of time order is sorted whole by time before the
pipeline, when it fits in memory.

A file is finite, so unlike a stream it can be read to its end first. Files sorted by aircraft
(traffic and OpenSky exports are often sorted by icao24, then time) are ordinary input: the
reorder window (runtime/reorder.py) would replay them run by run, with data time jumping days
backwards between runs. Sorted here, they reach the pipeline in time order, and the result is
the one of the same records pre-sorted, at any batch size.

Only a file with a record *late* by more than the reorder window (older than the newest time
before it minus :data:`~flyvakt.runtime.reorder.REORDER_WINDOW_S`) is sorted: jitter within the
window is already sorted exactly by the window, and an ordered file passes as read. A record
with no time keeps its place after the timed record before it in the file (stable sort on the
last known time). A file whose decoded columns exceed :data:`MAX_SORT_BYTES` is passed on as
read from the point the bound is crossed: the reorder window then handles it (the fallback),
and it is named in ``SortStats.too_large`` when a late record was seen in it. Standard input
is a stream here, never held back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.runtime.reorder import REORDER_WINDOW_S, in_order_after, newest_before
from flyvakt.sources import Batch, FileReader
from flyvakt.sources.stdin import STDIN

# Why 1 GiB of decoded columns (~25 M frames at ~40 B, ~4 M state vectors at ~250 B): the
# sort holds the file twice (the concatenated columns and their sorted copy) next to the
# pipeline's own state, so the peak stays near 3 GiB, which an 8 GB laptop still has. A
# larger file falls back to the 5 s reorder window rather than risk running out of memory.
MAX_SORT_BYTES = 1 << 30


@dataclass
class SortStats:
    sorted_records: int = 0  # records of files sorted whole (runtime/filesort.py)
    too_large: list[str] = field(default_factory=list)  # out of order, too big to sort


def batch_bytes(b: Batch) -> int:
    """Bytes held by a batch's columns (object columns: their pointers only)."""
    return sum(int(getattr(b, f.name).nbytes) for f in fields(b))


def _concat(parts: list[Batch]) -> Batch:
    if isinstance(parts[0], FrameBatch):
        return FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    return ObservationBatch.concat([p for p in parts if isinstance(p, ObservationBatch)])


def last_known_time(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's time, or for a row with none the time of the nearest timed row before it
    (-inf when there is none): the sort key that keeps untimed rows where the file put them."""
    idx = np.where(np.isnan(t), -1, np.arange(len(t)))
    last = np.maximum.accumulate(idx) if len(t) else idx
    return np.where(last >= 0, t[np.maximum(last, 0)], -np.inf)


class _LateCheck:
    """Whether any record so far is older than the newest before it by more than the window."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.newest = -np.inf
        self.late = False

    def see(self, t: npt.NDArray[np.float64]) -> None:
        if in_order_after(self.newest, t, self.window_s):  # none late: one compare pass
            self.newest = max(self.newest, float(t[-1]))
            return
        upto = newest_before(self.newest, t)
        self.newest = float(upto[-1])
        self.late = self.late or bool(np.any(t < upto[:-1] - self.window_s))


def _handed_on(held: list[Batch]) -> Iterator[Batch]:
    """``held``'s batches in order, each let go of as it is handed on (emptying the list): an
    ordered file's batches are then freed one by one while the replay goes on, not all at its
    end (the whole 1.07 M-row corpus, ~140 MB of columns, stayed held to the last step and
    peaked beside the positions kept for ``--positions-out``)."""
    held.reverse()
    while held:
        yield held.pop()


def sorted_file(
    reader: FileReader,
    stats: SortStats | None = None,
    *,
    max_bytes: int = MAX_SORT_BYTES,
    window_s: float = REORDER_WINDOW_S,
) -> Iterator[Batch]:
    """The reader's batches; sorted whole by time when the file is out of order (module doc)."""
    st = stats if stats is not None else SortStats()
    if reader.path == STDIN:
        yield from reader
        return
    check = _LateCheck(window_s)
    held: list[Batch] = []
    size = 0
    it = iter(reader)
    for b in it:
        if not len(b):
            continue
        check.see(b.time_s)
        held.append(b)
        size += batch_bytes(b)
        if size > max_bytes:  # the fallback: the rest as read, through the reorder window
            yield from _handed_on(held)
            for rest in it:
                check.see(rest.time_s)
                yield rest
            if check.late:
                st.too_large.append(reader.name)
            return
    if not held:
        return
    if not check.late:
        yield from _handed_on(held)
        return
    whole = _concat(held)
    del held
    order = np.argsort(last_known_time(whole.time_s), kind="stable")
    whole = whole.take(order)
    st.sorted_records += len(whole)
    step = reader.batch_size
    for a in range(0, len(whole), step):
        yield whole.take(np.arange(a, min(a + step, len(whole))))
