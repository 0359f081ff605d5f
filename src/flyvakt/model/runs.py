"""Per-aircraft runs of a batch sorted by key: where each aircraft's rows start and end.

Every stage that works per aircraft on a batch sorted by (address, time) needs the same four
arrays; :func:`runs_by_key` computes them once, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Runs",
    "every_row",
    "ffill_index",
    "first_of_run",
    "last_at",
    "last_of_run",
    "order_by_key_time",
    "rows_where",
    "runs_by_key",
    "shifted",
    "silence_generations",
]


I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Runs:
    is_start: npt.NDArray[np.bool_]  # per row: the first row of its key's run
    starts: npt.NDArray[np.intp]  # per run: its first row
    ends: npt.NDArray[np.intp]  # per run: its last row
    gid: npt.NDArray[np.intp]  # per row: the index of its run

    @property
    def start_of_row(self) -> npt.NDArray[np.intp]:
        """Per row: the first row of its run."""
        return self.starts[self.gid]


def first_of_run(keys: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Per element: whether it starts a run of equal consecutive ``keys`` (the first does).

    ``np.r_[True, k[1:] != k[:-1]]`` without ``np.r_``'s parsing (~20 µs a call, a fixed cost
    of every tracker step)."""
    out = np.empty(len(keys), dtype=np.bool_)
    if len(keys):
        out[0] = True
        np.not_equal(keys[1:], keys[:-1], out=out[1:])
    return out


def distinct_sorted(keys: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values of an already sorted array, in order: ``np.unique`` of it without
    ``np.unique``, whose first call in a process imports ``numpy.ma`` (to rule out a masked
    array: ~20 ms, ~40 M instructions) for a plain array."""
    out: npt.NDArray[Any] = keys[first_of_run(keys)]
    return out


def last_of_run(keys: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Per element: whether it ends a run of equal consecutive ``keys`` (the last does)."""
    out = np.empty(len(keys), dtype=np.bool_)
    if len(keys):
        out[-1] = True
        np.not_equal(keys[1:], keys[:-1], out=out[:-1])
    return out


def shifted(values: npt.NDArray[Any], fill: Any) -> npt.NDArray[Any]:
    """``values`` moved one place later, ``fill`` first: each element's predecessor."""
    out = np.empty_like(values)
    if len(values):
        out[0] = fill
        out[1:] = values[:-1]
    return out


def order_by_key_time(
    keys: npt.NDArray[np.uint32], time_s: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """``np.lexsort((time_s, keys))``: rows by key, then time, ties in row order.

    Two stable 16-bit radix passes over the key (NumPy sorts 16-bit integers by radix),
    after a stable sort by time only when the rows are not in time order already (a stream's
    batches nearly always are). ``lexsort`` merge-sorts both keys, and its cost grows with
    the number of distinct keys: 9 ms per 65,536 rows of 50,000 aircraft against ~1.5 ms here
    (3 ms against ~1.3 ms for 1,000 aircraft), measured on a loaded 2-core machine."""
    k = np.asarray(keys, dtype=np.uint32)
    n = len(k)
    t = np.asarray(time_s)
    by_time: npt.NDArray[np.intp] | None = None
    if n > 1 and not bool(np.all(t[1:] >= t[:-1])):  # False on NaN: sorted (NaN last) then
        by_time = np.argsort(t, kind="stable")
        k = k[by_time]
    low = np.argsort((k & 0xFFFF).astype(np.uint16), kind="stable")
    order = low[np.argsort((k[low] >> 16).astype(np.uint16), kind="stable")]
    return order if by_time is None else by_time[order]


def runs_by_key(keys: npt.NDArray[Any]) -> Runs:
    """Runs of equal consecutive ``keys`` (sorted by key, so one run per key)."""
    n = len(keys)
    is_start = first_of_run(keys)
    starts = np.flatnonzero(is_start)
    ends = np.empty_like(starts)
    if n:
        ends[:-1] = starts[1:] - 1
        ends[-1] = n - 1
    gid = np.cumsum(is_start) - 1
    return Runs(is_start, starts, ends, gid.astype(np.intp))


def silence_generations(
    runs: Runs, time_s: npt.NDArray[np.float64], before_s: npt.NDArray[np.float64], gap_s: float
) -> npt.NDArray[np.int64] | None:
    """Per row (rows sorted by key, then time): how many silences longer than ``gap_s`` of its
    key lie before it, counting from ``before_s`` (per run: the key's last time before the
    batch, NaN when unknown); None when there are none (the common case)."""
    t = time_s
    prev_t = shifted(t, np.nan)
    prev_t[runs.starts] = before_s
    with np.errstate(invalid="ignore"):
        fresh = t - prev_t > gap_s
    if not fresh.any():
        return None
    count = np.cumsum(fresh)
    before_run = (count - fresh)[runs.starts]
    return np.asarray(count - before_run[runs.gid], dtype=np.int64)


# ``np.arange(n)`` as a read-only view of one array kept here, grown to the largest ``n`` asked
# (twice what was asked, so a few growths serve a replay): writing it the indices afresh costs
# ~5 instructions a row (callgrind), a cost of every forward fill; the view costs none.
_EVERY: list[I64] = [np.zeros(0, dtype=np.int64)]
_EVERY[0].flags.writeable = False


def every_row(n: int) -> I64:
    """``np.arange(n)`` (int64), read-only: a view shared by every caller."""
    if len(_EVERY[0]) < n:
        grown = np.arange(2 * n, dtype=np.int64)
        grown.flags.writeable = False
        _EVERY[0] = grown
    return _EVERY[0][:n]


def rows_where(mask: npt.NDArray[np.bool_]) -> I64:
    """``np.flatnonzero(mask)``; when every row is True, :func:`every_row`'s read-only view (a
    state-vector batch carries most fields at every row: ~9 instructions a row each, saved)."""
    if mask.all():
        return every_row(len(mask))
    return np.flatnonzero(mask)


def ffill_index(valid: npt.NDArray[np.bool_], starts_of_row: I64) -> I64:
    """For each row, the index of the last row at or before it (same aircraft) where ``valid``.

    -1 where there is none. ``starts_of_row`` is the index of the first row of each row's run.
    """
    idx = np.where(valid, every_row(len(valid)), -1)
    np.maximum.accumulate(idx, out=idx)
    # (a ``where``: ~13 instructions a row, callgrind; a boolean index's write ~22)
    return np.where(idx < starts_of_row, -1, idx)


# ``last_at`` answers queries for at least this share of the batch's rows by one forward fill
# over the batch (its cost: the batch) instead of a binary search per query (its cost: the
# queries, each a search of ``keep``). Measured on 65,536 rows of 5,000 aircraft: the search
# 1.7-2.4 ms for every row, the fill 0.5-0.9 ms (and nothing when every row is kept); at an
# eighth of the rows the search costs about what the fill does. Both give the same rows.
_FILL_SHARE = 8


def last_at(
    keep: I64,
    at: I64,
    start_of_row: I64,
    kept: npt.NDArray[np.bool_] | None = None,
    start_at: I64 | None = None,
) -> I64:
    """For each row in ``at``, the last row of ``keep`` (sorted, distinct) at or before it in
    the same aircraft's run; -1 where there is none. Costs the queries, not the batch, unless
    they are many (``_FILL_SHARE``: a state-vector batch asks for every row). ``kept``: the
    same rows as a mask, when the caller has it (the fill then needs no scatter of ``keep``);
    ``start_at``: ``start_of_row[at]``, when the caller asks at the same rows for many fields."""
    n = len(start_of_row)  # the batch's rows: ``keep`` and ``at`` index them
    if len(at) * _FILL_SHARE >= n:
        if len(keep) == n:  # every row kept (``keep`` sorted, distinct): each row its own
            return np.asarray(at, dtype=np.int64).copy()
        if kept is not None:
            return ffill_index(kept, start_of_row)[at]
        last = np.full(n, -1, dtype=np.int64)
        last[keep] = keep
        np.maximum.accumulate(last, out=last)
        out = last[at]
        return np.where(out < (start_of_row[at] if start_at is None else start_at), -1, out)
    j = np.searchsorted(keep, at, side="right") - 1
    found = keep[np.maximum(j, 0)] if len(keep) else np.zeros(len(at), dtype=np.int64)
    start = start_of_row[at] if start_at is None else start_at
    return np.where((j >= 0) & (found >= start), found, -1)
