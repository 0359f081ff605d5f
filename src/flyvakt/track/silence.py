"""An aircraft silent for longer than the forget time starts afresh, wherever batches are cut.

The pipeline forgets aircraft silent for ``forget_after_s`` of data time (:func:`~flyvakt.track.
tracker.expire`, run once a minute of data), as readsb does: heard again, an aircraft starts
with no position, no CPR pair, no identity, and must be confirmed again. Run only at those
sweeps, forgetting would depend on where the stream was cut: a 10-minute silence inside one
batch would carry the old state across, the same silence spanning a batch edge would not. So
the tracker applies the same rule inside a step: rows after such a silence (from the table's
``last_seen_s`` or the aircraft's previous row in the batch) form a new *generation*, tracked
after the aircraft is dropped, exactly as if a sweep had forgotten it in between. The sweep is
then only memory housekeeping: whatever it drops, the step would have dropped at its next row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from flyvakt.model import ObservationBatch, PositionBatch
from flyvakt.model.runs import (
    distinct_sorted,
    first_of_run,
    order_by_key_time,
    silence_generations,
)
from flyvakt.track.table import Keyed

if TYPE_CHECKING:
    from flyvakt.track.table import StateTable
    from flyvakt.track.tracker import TrackStats

I64 = npt.NDArray[np.int64]
Step = Callable[[ObservationBatch, "Keyed | None"], "tuple[PositionBatch, TrackStats]"]


def generations(
    table: StateTable, o: ObservationBatch, forget_after_s: float, keyed: Keyed | None = None
) -> I64 | None:
    """Per row of ``o`` (sorted by address, then time): how many silences longer than
    ``forget_after_s`` lie before it; None when there are none (the common case).
    ``keyed``: the runs of ``o`` and their table rows, if the caller has them."""
    n = len(o)
    if n == 0:
        return None
    runs, known = keyed if keyed is not None else Keyed.of(table, o)
    seen = table.cols["last_seen_s"][np.maximum(known, 0)]
    before = np.where(known >= 0, seen, np.nan)
    return silence_generations(runs, o.time_s, before, forget_after_s)


def by_generation(
    table: StateTable, o: ObservationBatch, gen: I64, step: Step, keyed: Keyed
) -> tuple[PositionBatch, list[TrackStats]]:
    """Track ``o`` generation after generation with ``step``, dropping each aircraft from
    ``table`` before its next generation; positions by (address, time) as one step gives.
    ``keyed``: the runs of ``o`` and their table rows; the first generation's are cut from
    them (the table has not changed yet: no second address search over the whole batch),
    later ones are searched again after the drops (few rows)."""
    parts: list[PositionBatch] = []
    stats: list[TrackStats] = []
    icao = o.icao24
    starts_gen = (first_of_run(gen) | first_of_run(icao)) & (gen > 0)
    for g in range(int(gen.max()) + 1):
        if g:
            # np.unique's first call would import numpy.ma (distinct_sorted's docstring)
            table.drop_many(distinct_sorted(np.sort(icao[starts_gen & (gen == g)])).tolist())
        sel = gen == g
        rows = np.flatnonzero(sel)
        if len(rows) == len(o):  # every row (all aircraft back after a silence): ``o`` itself
            runs = keyed.runs
            pos, st = step(o, Keyed(runs, table.lookup(icao[runs.starts])) if g else keyed)
        else:
            pos, st = step(o.take(rows), keyed.take(sel, icao[sel]) if not g else None)
        parts.append(pos)
        stats.append(st)
    full = [p for p in parts if len(p)]
    if len(full) == 1 and _in_order(full[0].icao24, full[0].time_s):
        return full[0], stats  # what the sort would give: each step's positions are in order
    p = PositionBatch.concat(parts)
    return p.take(_by_address_time(p.icao24, p.time_s)), stats


def _in_order(icao: npt.NDArray[np.uint32], t: npt.NDArray[np.float64]) -> bool:
    """Whether rows are by address, then time (no NaN): ``order_by_key_time`` keeps them."""
    k0, k1, t0, t1 = icao[:-1], icao[1:], t[:-1], t[1:]
    return bool(np.all((k1 > k0) | ((k1 == k0) & (t1 >= t0))) and not np.isnan(t).any())


def _by_address_time(icao: npt.NDArray[np.uint32], t: npt.NDArray[np.float64]) -> I64:
    """``order_by_key_time(icao, t)`` for generations' positions concatenated in generation
    order: each part is sorted by (address, time) and an address's later generation is later
    in time, so a stable sort by address alone nearly always gives that order already (then
    it is the order: within an address, rows kept in their order and their times in order).
    Checked, else the full sort (e.g. a NaN time): the sort by time of every position (in
    generation order, times are not in order) was most of the cost of a step with a
    generation."""
    order = order_by_key_time(icao, np.zeros(len(t)))  # times all equal: by address, stable
    k, tt = icao[order], t[order]
    if bool(np.all((tt[1:] >= tt[:-1]) | (k[1:] != k[:-1]))):
        return np.asarray(order, dtype=np.int64)
    return np.asarray(order_by_key_time(icao, t), dtype=np.int64)
