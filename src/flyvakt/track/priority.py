"""Positions gated by source priority, as readsb does it.

A position from a lower-priority source (MLAT, TIS-B, a state vector... see
:data:`flyvakt.model.batches.SOURCE_PRIORITY`) does not replace a higher-priority one that is
still fresh: when ADS-B from the aircraft itself was heard within the stale window, an MLAT or
TIS-B fix of the same aircraft is dropped rather than making the track zigzag between the two
(their errors differ: MLAT is often off by a few hundred metres). Once the better source has
gone quiet for longer than the window, the lower one takes over.

Causal: "fresh" is judged against the state (positions accepted in earlier batches) and the
candidates of this batch at or before each fix. A higher-priority candidate later rejected by
the plausibility walk still holds lower ones back for the window: a missing fix, never a false
one.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.model import ObservationBatch
from flyvakt.model.batches import SOURCE_PRIORITY
from flyvakt.track.gather import rows_read

I64 = npt.NDArray[np.int64]


def gate_by_priority(
    cand: I64,
    o: ObservationBatch,
    cols: dict[str, npt.NDArray[Any]],
    row_of: I64,
    stale_after_s: float,
    rejected: Counter[str],
    rows: I64,
) -> I64:
    """``cand`` (candidate fix rows, in aircraft then time order; ``row_of``: each row's state
    row; ``rows``: the state rows of the batch's aircraft) without the fixes a fresher
    higher-priority position outranks; the dropped ones are counted as
    ``lower_source_priority``."""
    if len(cand) == 0:
        return cand
    # (``cand`` sorted, distinct: the columns themselves, not gathered, when it is every row;
    # read only)
    prio = SOURCE_PRIORITY[rows_read(o.source, cand)]
    t = rows_read(o.time_s, cand)
    r = rows_read(row_of, cand)
    lowest = prio.min()
    # Against the state: the last accepted position (earlier batches) and its source. Asked
    # per candidate only if some aircraft's position outranks the batch's lowest source (per
    # aircraft first: in a state-vector feed none ever does).
    if SOURCE_PRIORITY[cols["pos_src"][rows]].max() > lowest:
        pos_prio = SOURCE_PRIORITY[cols["pos_src"][r]]
        drop = (pos_prio > prio) & (t - cols["pos_t"][r] <= stale_after_s)
    else:
        drop = np.zeros(len(cand), dtype=np.bool_)
    # The levels present, ascending (np.unique sorted every candidate: ~3 ms per 65,536).
    levels = np.flatnonzero(np.bincount(prio)) if lowest != prio.max() else prio[:1]
    if len(levels) > 1:
        pos = np.arange(len(cand))
        for level in levels[:-1]:
            # The last candidate of a higher priority at or before each one, same aircraft.
            last = np.where(prio > level, pos, -1)
            np.maximum.accumulate(last, out=last)
            ok = last >= 0
            ok[ok] &= r[last[ok]] == r[ok]  # r: the aircraft's state row
            at = np.flatnonzero((prio == level) & ok)
            drop[at] |= t[at] - t[last[at]] <= stale_after_s
    if drop.any():
        rejected["lower_source_priority"] += int(drop.sum())
    kept: I64 = cand[~drop] if drop.any() else cand
    return kept
