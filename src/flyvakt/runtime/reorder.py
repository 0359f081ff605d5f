"""A bounded reorder window for replayed files whose records are not quite in time order.

Recordings merged from receivers with jittery clocks, or written by several threads, come a few
seconds out of time order. The pipeline sorts inside a batch, not across batches, so without
this the result of a replay depended on its batch size. Here every record gets an order key:
its time, or, for a record *late* by more than :data:`REORDER_WINDOW_S` (older than the newest
time seen before it minus the window), that newest time minus the window. Records leave in
key order (arrival order among equal keys) as soon as no later record can come before them:
keys up to the newest time minus the window. The output is the same sequence whatever the
input batches, so the pipeline (batch-split invariant on ordered data) gives the same result.

Late records keep their own time. They are counted (``late``), and each run of consecutive
late records leaves as a batch of its own, cut before and after, so that which batch they
share with other records never depends on the input's batches. (A file grouped per aircraft
or per flight, e.g. calfire.json.gz, is late almost throughout: it is replayed run by run.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources import Batch

# Why 5 s: receivers' clocks and merged feeds disagree by well under a second; threads that
# write a recording flush every second or two; OpenSky state vectors are polled every 5-10 s
# with positions up to a poll old. A wider window only delays output and memory (all records
# of the last 5 s of data); data later than that is not jitter but a different order
# (grouped per aircraft), kept in its own runs.
REORDER_WINDOW_S = 5.0


@dataclass
class ReorderStats:
    late: int = 0  # records older than the newest seen before them by more than the window


def _concat(parts: list[Batch]) -> Batch:
    if isinstance(parts[0], FrameBatch):
        return FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    return ObservationBatch.concat([p for p in parts if isinstance(p, ObservationBatch)])


def reorder(
    batches: Iterable[Batch],
    *,
    window_s: float = REORDER_WINDOW_S,
    stats: ReorderStats | None = None,
) -> Iterator[Batch]:
    """The records of ``batches`` in key order (module docstring), late runs on their own."""
    st = stats if stats is not None else ReorderStats()
    newest = -np.inf
    buf: Batch | None = None  # records not yet released, in arrival order
    buf_key = np.empty(0)
    run: list[Batch] = []  # the open run of late records
    for b in batches:
        if not len(b):
            continue
        t = b.time_s
        finite = np.where(np.isnan(t), -np.inf, t)
        upto = np.maximum.accumulate(np.r_[newest, finite])  # newest before row i: upto[i]
        newest = float(upto[-1])
        floor = upto[:-1] - window_s
        late = t < floor  # NaN: False (no time: the edge validator counts it)
        key = np.where(np.isnan(t) | late, floor, t)
        st.late += int(np.count_nonzero(late))
        # Segments of the batch: alternating runs of on-time and late records.
        edges = np.flatnonzero(np.diff(late.astype(np.int8))) + 1
        for a, z in zip(np.r_[0, edges], np.r_[edges, len(b)], strict=True):
            part = b.take(np.arange(a, z))
            if late[a]:
                if not run and buf is not None:
                    # Everything with a key up to the run's goes first (equal keys arrived
                    # earlier); what remains can only follow the run.
                    out, buf, buf_key = _release(buf, buf_key, float(floor[a]))
                    if out is not None:
                        yield out
                run.append(part)
                continue
            if run:
                yield _concat(run)
                run = []
            buf = part if buf is None else _concat([buf, part])
            buf_key = np.r_[buf_key, key[a:z]]
            out, buf, buf_key = _release(buf, buf_key, float(upto[z]) - window_s)
            if out is not None:
                yield out
    if run:
        yield _concat(run)
    if buf is not None and len(buf):
        yield buf.take(np.argsort(buf_key, kind="stable"))


def _release(
    buf: Batch, key: np.ndarray, upto: float
) -> tuple[Batch | None, Batch | None, np.ndarray]:
    """Split ``buf`` into the records with key <= ``upto`` (sorted by key, stably) and the
    rest (arrival order kept)."""
    ready = key <= upto
    if not ready.any():
        return None, buf, key
    idx = np.flatnonzero(ready)
    out = buf.take(idx[np.argsort(key[idx], kind="stable")])
    rest = np.flatnonzero(~ready)
    return out, (buf.take(rest) if len(rest) else None), key[rest]
