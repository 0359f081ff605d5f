"""Which rows' field values an aircraft holds (source priority, readsb's rule) and each run's
last such row: the tracker's per-field state updates (:mod:`flyvakt.track.tracker`).

Rows are sorted by (address, time), as in the tracker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import SOURCE_PRIORITY
from flyvakt.model.runs import every_row

if TYPE_CHECKING:
    from flyvakt.track.tracker import TrackerConfig

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_TOP_PRIORITY = int(SOURCE_PRIORITY.max())  # ADS-B's: a value of it is never outranked


# Why 3: a binary search per run (sorted needles: NumPy narrows each from the last) costs about
# a third of what a pass over the carrying rows does (a gather of their runs, a comparison,
# two selections), so below a third as many runs as carrying rows the search is cheaper
# (state vectors: ~5,000 runs for ~25,000-38,000 carrying rows; a Beast batch at 50,000
# aircraft has more runs than rows carrying most fields, and keeps the pass).
_SEARCH_RUNS_BELOW = 3


def _last_per_run(keep: I64, gid: I64, ends: I64) -> tuple[I64, I64]:
    """(runs, rows): the last row of ``keep`` (sorted, distinct) in each run that has one;
    ``gid`` is each row's run, ``ends`` each run's last row. Costs the rows of ``keep``, not a
    search per run; nothing when ``keep`` is every row (a state-vector batch's fields)."""
    if len(keep) == len(gid):  # sorted, distinct: every row, so every run's last
        return np.arange(len(ends)), ends
    if len(ends) * _SEARCH_RUNS_BELOW < len(keep):
        # Few runs for the rows carrying the field (state vectors: ~8 rows an aircraft, most
        # carrying): the last of ``keep`` at or before each run's end, kept if in the run.
        j = np.searchsorted(keep, ends, side="right") - 1
        li = keep[np.maximum(j, 0)]
        run = np.flatnonzero((j >= 0) & (gid[li] == np.arange(len(ends))))
        return run, li[run]
    g = gid[keep]
    last = np.empty(len(keep), dtype=np.bool_)
    if len(keep):
        last[-1] = True
        np.not_equal(g[1:], g[:-1], out=last[:-1])
    at = np.flatnonzero(last)  # (indices: two reads of a mask cost more)
    return g[at], keep[at]


def _held_rows(
    v: I64,
    prio: npt.NDArray[Any],
    mixed: bool,
    t: F64,
    start_of_row: I64,
    cols: dict[str, npt.NDArray[Any]],
    name: str,
    rows_row_of: tuple[I64, I64],
    cfg: TrackerConfig,
) -> I64:
    """Of the rows ``v`` carrying the field (sorted), those whose value the aircraft holds: a
    value replaces the held one unless that came from a better source within ``stale_after_s``
    (readsb's rule). Applied row by row, so a batch split anywhere holds the same values as the
    batch whole (exact for two source priorities, as in raw Mode S feeds: ADS-B over replies).
    ``rows_row_of``: the table row of each run, of each row.
    Costs the rows carrying the field; the levels pass runs only where it has two sources."""
    if len(v) == 0:
        return v
    stale = cfg.stale_after_s
    rows, row_of = rows_row_of
    # One source, more rows carrying the field than aircraft (state vectors: every row): the
    # state's source asked per aircraft first; none above the batch's, none blocked.
    if (
        not mixed
        and len(v) > len(rows)
        and SOURCE_PRIORITY[cols[f"{name}_src"][rows]].max() <= prio[0]
    ):
        return v
    pv = prio[v]
    lowest = pv.min()
    levels_too = mixed and pv.max() != lowest
    if lowest >= _TOP_PRIORITY and not levels_too:  # ADS-B alone: nothing outranks it
        return v
    tv = t[v]
    blocked = np.zeros(len(v), dtype=np.bool_)
    if lowest < _TOP_PRIORITY:  # else no state's source can outrank a row's (ADS-B only)
        rv = row_of[v]  # the state of the rows carrying the field only (not of every aircraft)
        st_prio = SOURCE_PRIORITY[cols[f"{name}_src"][rv]]
        if (st_prio > lowest).any():
            with np.errstate(invalid="ignore"):
                blocked = (st_prio > pv) & (tv - cols[f"{name}_t"][rv] <= stale)
    if levels_too:
        levels = np.flatnonzero(np.bincount(pv))
        sv = start_of_row[v]
        for q in levels[1:].tolist():
            # The last row of ``v`` at level q at or before each (a fill over ``v``), kept
            # where it is in the same aircraft's run: its batch row at or after the run's
            # first (``v`` is sorted), where the run starts among ``v`` cost ~35 instructions
            # a row to find (a flatnonzero, a cumsum and a gather).
            lq = np.where(pv == q, every_row(len(v)), -1)
            np.maximum.accumulate(lq, out=lq)
            at = np.maximum(lq, 0)
            blocked |= (pv < q) & (lq >= 0) & (v[at] >= sv) & (tv - tv[at] <= stale)
    return v[np.flatnonzero(~blocked)] if blocked.any() else v
