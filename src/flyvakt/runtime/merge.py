"""Several receivers' recordings merged into one stream by time, as readsb merges its feeds.

Each source is an iterator of batches (frames or decoded observations) in (roughly) time order,
carrying its receiver id on every row. :func:`merge_by_time` is a k-way merge of *batches*: it
keeps one pending batch per source and releases every row up to the *horizon*, the earliest
"latest time" among the sources still open (nothing a source sends later can be older than
its own latest time, so nothing released can be overtaken). That is a heap merge done with
NumPy on whole batches instead of row by row.

The same frame heard by several receivers (same bytes, within :data:`DUPLICATE_WINDOW_S`) is
one transmission: it is kept once, at the earliest reception, and the set of receivers that
heard it goes into the kept row's ``receivers`` bit set. Frames repeated by one receiver are
never merged (an aircraft may really send the same bytes twice; only another receiver's copy
is a duplicate). The k-th copy from each receiver in a run of identical frames is matched with
the k-th copy from every other receiver.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from flyvakt.model.batches import FrameBatch, ObservationBatch, receiver_set
from flyvakt.sources import Batch

# Copies of one transmission reach receivers well within a few ms of each other (300 km of
# radio path is 1 ms). Measured on the real AFR34ZG recording (OpenSky, several receivers in
# one file): identical frames follow each other within 10 ms 3,539 times (copies), between
# 10 and 50 ms 3 times, between 50 and 100 ms 1,169 times (re-transmissions: Mode S replies
# to repeated interrogations). 50 ms separates the two; feeds with unsynchronised clocks can
# pass a wider ``window_s`` (a re-sent identical frame carries no new information anyway).
DUPLICATE_WINDOW_S = 0.05


@dataclass
class MergeStats:
    duplicates: int = 0  # frames dropped as another receiver's copy of a kept frame
    frames_in: int = 0
    observations_in: int = 0


def _sorted(batch: Batch) -> Batch:
    t = batch.time_s
    if len(t) > 1 and not bool(np.all(t[1:] >= t[:-1])):
        return batch.take(np.argsort(t, kind="stable"))
    return batch


class _Source:
    def __init__(self, batches: Iterable[Batch]) -> None:
        self.it: Iterator[Batch] = iter(batches)
        self.pending: list[Batch] = []
        self.done = False

    def pull(self) -> None:
        """Read batches until one with rows arrives (or the source ends)."""
        while not self.pending and not self.done:
            try:
                b = next(self.it)
            except StopIteration:
                self.done = True
                return
            if len(b):
                self.pending.append(_sorted(b))

    def latest_s(self) -> float:
        t = self.pending[-1].time_s
        finite = t[np.isfinite(t)]
        return float(finite[-1]) if finite.size else float("-inf")

    def release(self, horizon_s: float) -> list[Batch]:
        """Rows up to the horizon (all of them when the source has ended)."""
        out: list[Batch] = []
        rest: list[Batch] = []
        for b in self.pending:
            if self.done or horizon_s == float("inf"):
                out.append(b)
                continue
            # Rows with no time (NaN) go out at once: they cannot be ordered anyway.
            cut = int(np.searchsorted(b.time_s, horizon_s, side="right"))
            nan = ~np.isfinite(b.time_s)
            take = np.zeros(len(b), dtype=np.bool_)
            take[:cut] = True
            take |= nan
            if take.any():
                out.append(b.take(take))
            if not take.all():
                rest.append(b.take(~take))
        self.pending = rest
        return out


def merge_by_time(
    sources: Sequence[Iterable[Batch]],
    *,
    window_s: float = DUPLICATE_WINDOW_S,
    stats: MergeStats | None = None,
) -> Iterator[Batch]:
    """One time-ordered stream from several sources; cross-receiver duplicate frames removed.

    A single source passes through unchanged (no sorting, no duplicate search): one receiver's
    frames are never duplicates of each other.
    """
    st = stats if stats is not None else MergeStats()
    if len(sources) == 1:
        for b in sources[0]:
            _count(st, b)
            yield b
        return
    srcs = [_Source(s) for s in sources]
    held = FrameBatch.empty(0)  # frames kept back until their copies can no longer arrive
    while True:
        for s in srcs:
            s.pull()
        live = [s for s in srcs if s.pending]
        if not live:
            break
        open_latest = [s.latest_s() for s in srcs if not s.done]
        horizon = min(open_latest) if open_latest else float("inf")
        frames: list[FrameBatch] = []
        obs: list[ObservationBatch] = []
        for s in live:
            for b in s.release(horizon):
                _count(st, b)
                if isinstance(b, FrameBatch):
                    frames.append(b)
                else:
                    obs.append(b)
        if frames or len(held):
            pool = _sorted(FrameBatch.concat([held, *frames]))
            assert isinstance(pool, FrameBatch)
            kept, dups = dedupe_frames(pool, window_s)
            st.duplicates += dups
            # Hold back what a copy not yet read could still join (its copies are <= window
            # later, and every source has been read up to the horizon).
            ready = ~(kept.time_s > horizon - window_s) if horizon != float("inf") else None
            if ready is None:
                out, held = kept, FrameBatch.empty(0)
            else:
                out, held = kept.take(ready), kept.take(~ready)
            if len(out):
                yield out
        if obs:
            yield _sorted(ObservationBatch.concat(obs))
    if len(held):
        yield held


def _count(st: MergeStats, b: Batch) -> None:
    if isinstance(b, FrameBatch):
        st.frames_in += len(b)
    else:
        st.observations_in += len(b)


def dedupe_frames(
    frames: FrameBatch, window_s: float = DUPLICATE_WINDOW_S
) -> tuple[FrameBatch, int]:
    """Drop other receivers' copies of each frame; the kept row gets the receiver set.

    Returns the kept rows (in input order) and the number of copies dropped.
    """
    n = len(frames)
    if n < 2:
        return frames, 0
    t = frames.time_s
    finite = np.isfinite(t)
    p = np.ascontiguousarray(frames.payload)
    k0 = p[:, :8].copy().view(np.uint64).ravel()
    k1 = np.zeros((n, 8), dtype=np.uint8)
    k1[:, :6] = p[:, 8:14]
    k1v = k1.view(np.uint64).ravel()
    order = np.lexsort((t, frames.nbytes, k1v, k0))
    ts = t[order]
    same_key = np.zeros(n, dtype=np.bool_)
    same_key[1:] = (
        (k0[order][1:] == k0[order][:-1])
        & (k1v[order][1:] == k1v[order][:-1])
        & (frames.nbytes[order][1:] == frames.nbytes[order][:-1])
    )
    close = np.zeros(n, dtype=np.bool_)
    close[1:] = (ts[1:] - ts[:-1]) <= window_s
    joined = same_key & close & finite[order] & np.roll(finite[order], 1)
    run = np.cumsum(~joined)  # run id per sorted row: identical frames close in time
    rec = frames.receiver[order]
    # k-th copy of each receiver within the run: order by (run, receiver, time), count.
    o2 = np.lexsort((ts, rec, run))
    r2, c2 = run[o2], rec[o2]
    first = np.ones(n, dtype=np.bool_)
    first[1:] = (r2[1:] != r2[:-1]) | (c2[1:] != c2[:-1])
    idx = np.arange(n)
    start = np.maximum.accumulate(np.where(first, idx, 0))
    kth = np.empty(n, dtype=np.int64)
    kth[o2] = idx - start
    # Group = (run, kth); keep its earliest row, OR the receiver sets.
    o3 = np.lexsort((ts, kth, run))
    g_new = np.ones(n, dtype=np.bool_)
    g_new[1:] = (run[o3][1:] != run[o3][:-1]) | (kth[o3][1:] != kth[o3][:-1])
    starts = np.flatnonzero(g_new)
    rows = order[o3]  # original row index, grouped
    bits = receiver_set(frames.receivers[rows], frames.receiver[rows])
    merged = np.bitwise_or.reduceat(bits, starts)
    keep_rows = rows[starts]
    dropped = n - keep_rows.size
    if dropped == 0:
        return frames, 0
    sizes = np.diff(np.append(starts, n))
    out_order = np.sort(keep_rows)
    kept = frames.take(out_order)
    by_row = np.empty(n, dtype=np.uint64)
    by_row[keep_rows] = np.where(sizes > 1, merged, frames.receivers[keep_rows])
    kept.receivers[:] = by_row[out_order]
    return kept, int(dropped)
