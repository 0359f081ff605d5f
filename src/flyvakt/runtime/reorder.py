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
import numpy.typing as npt

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


def _joined(parts: list[Batch]) -> Batch:
    """``parts`` (consecutive releases) as one batch: where every column's parts lie one after
    the other in one array, a view of it, else their concatenation; the same rows either way.
    A state-vector CSV's batches are rows of one arena (sources/reader.py ``_Fill``), so a
    release of one batch's held tail and the next batch's head is a view, not a copy of every
    row of an ordered file (~93 M instructions on the 1.07 M-row corpus)."""
    cols: dict[str, np.ndarray] = {}
    for name in parts[0]._defaults:
        whole = _adjacent([getattr(p, name) for p in parts])
        if whole is None:
            return _concat(parts)
        cols[name] = whole
    return type(parts[0])(**cols)


def _adjacent(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The view of the array that ``arrays`` are consecutive row ranges of, in order, or None
    when they are not (different arrays, a gap, an overlap, not C-contiguous)."""
    base = arrays[0].base
    if not isinstance(base, np.ndarray) or not base.flags.c_contiguous or not base.ndim:
        return None
    row_bytes = base.strides[0]
    origin = base.__array_interface__["data"][0]
    first = end = -1
    for a in arrays:
        if a.base is not base or not a.flags.c_contiguous or a.shape[1:] != base.shape[1:]:
            return None
        if a.dtype != base.dtype or not len(a):
            return None
        start, rest = divmod(a.__array_interface__["data"][0] - origin, row_bytes)
        if rest or start < 0 or start + len(a) > len(base) or (end >= 0 and start != end):
            return None
        if first < 0:
            first = start
        end = start + len(a)
    view: np.ndarray = base[first:end]
    return view


def newest_before(newest_s: float, time_s: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``upto[i]``: the newest of ``newest_s`` and the times before row ``i`` (one more entry
    than rows: the last is the newest of all); rows with no time (NaN) are passed over. One
    pass (``fmax`` skips NaN), where masking NaN and concatenating took three."""
    upto = np.empty(len(time_s) + 1)
    upto[0] = newest_s
    upto[1:] = time_s
    np.fmax.accumulate(upto, out=upto)
    return upto


def in_order_after(newest_s: float, time_s: npt.NDArray[np.float64], window_s: float) -> bool:
    """Whether no row of ``time_s`` is late and every time is known, found without
    :func:`newest_before`: the times never decrease and the first is not older than
    ``newest_s`` minus the window (each row's newest before it, the larger of ``newest_s`` and
    the time above it, is then its own time or less, or ``newest_s``, within the window of it).
    One compare pass where the running maximum (a scalar ``fmax`` a row), the floors and the
    late test were four, over every batch of a time-ordered file."""
    if not len(time_s) or not time_s[0] >= newest_s - window_s:  # NaN: not >=
        return False
    return bool(np.all(time_s[1:] >= time_s[:-1]))


def order_keys(
    t: npt.NDArray[np.float64],
    floor: npt.NDArray[np.float64],
    late: npt.NDArray[np.bool_],
    nlate: int,
) -> npt.NDArray[np.float64]:
    """Each record's order key: its time, or ``floor`` for a late record or one with no time
    (``nlate``: late records). A time-ordered batch (none late, every time known) is its own
    key, ``t`` itself, without the select (~15 instructions a row)."""
    nan = np.isnan(t)
    if nlate or nan.any():
        key: npt.NDArray[np.float64] = np.where(nan | late, floor, t)
        return key
    return t


def reorder(
    batches: Iterable[Batch],
    *,
    window_s: float = REORDER_WINDOW_S,
    stats: ReorderStats | None = None,
) -> Iterator[Batch]:
    """The records of ``batches`` in key order (module docstring), late runs on their own."""
    st = stats if stats is not None else ReorderStats()
    newest = -np.inf
    buf = _Buffer()  # records not yet released
    run: list[Batch] = []  # the open run of late records
    for b in batches:
        if not len(b):
            continue
        t = b.time_s
        if in_order_after(newest, t, window_s):  # none late, every time known: keys = times
            if run:
                yield _concat(run)
                run = []
            newest = max(newest, float(t[-1]))
            buf.add(b, t)
            out = buf.release(newest - window_s)
            if out is not None:
                yield out
            continue
        upto = newest_before(newest, t)  # newest before row i: upto[i]
        newest = float(upto[-1])
        floor = upto[:-1] - window_s
        late = t < floor  # NaN: False (no time: the edge validator counts it)
        nlate = int(np.count_nonzero(late))
        st.late += nlate
        key = order_keys(t, floor, late, nlate)
        # Segments of the batch: alternating runs of on-time and late records.
        edges = np.flatnonzero(np.diff(late.astype(np.int8))) + 1
        for a, z in zip(np.r_[0, edges], np.r_[edges, len(b)], strict=True):
            part = b if (a, z) == (0, len(b)) else b.take(np.arange(a, z))
            if late[a]:
                if not run:
                    # Everything with a key up to the run's goes first (equal keys arrived
                    # earlier); what remains can only follow the run.
                    out = buf.release(float(floor[a]))
                    if out is not None:
                        yield out
                run.append(part)
                continue
            if run:
                yield _concat(run)
                run = []
            buf.add(part, key[a:z])
            out = buf.release(float(upto[z]) - window_s)
            if out is not None:
                yield out
    if run:
        yield _concat(run)
    out = buf.release(np.inf)
    if out is not None:
        yield out


class _Buffer:
    """Records waiting for release: chunks each sorted by key (stably), in key order one after
    the other; a chunk whose keys overlap those before it is merged with them (disorder)."""

    def __init__(self) -> None:
        self.chunks: list[tuple[Batch, np.ndarray]] = []

    def add(self, part: Batch, key: np.ndarray) -> None:
        if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):
            order = np.argsort(key, kind="stable")
            part, key = part.take(order), key[order]
        if self.chunks and key[0] < self.chunks[-1][1][-1]:
            merged = _concat([*(c for c, _ in self.chunks), part])
            keys = np.concatenate([*(k for _, k in self.chunks), key])
            order = np.argsort(keys, kind="stable")
            self.chunks = [(merged.take(order), keys[order])]
        else:
            self.chunks.append((part, key))

    def release(self, upto: float) -> Batch | None:
        """The records with key <= ``upto``, in key order (arrival order among equals)."""
        out: list[Batch] = []
        while self.chunks:
            part, key = self.chunks[0]
            cut = int(np.searchsorted(key, upto, side="right"))
            if cut == len(key):
                out.append(part)
                self.chunks.pop(0)
                continue
            if cut:  # views, not copies: the two parts share no row
                out.append(part.rows(0, cut))
                self.chunks[0] = (part.rows(cut, len(key)), key[cut:])
            break
        if not out:
            return None
        return out[0] if len(out) == 1 else _joined(out)
