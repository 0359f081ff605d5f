"""Phantom suppression: a new address becomes an aircraft only once a second message confirms it.

Issue 10 item 3: a frame can pass the CRC check and still be noise (a corrupted frame whose
parity happens to match, or a forger), and each one named a new aircraft: random CRC-valid DF17
frames made up to 149 phantom aircraft. A real transponder squitters several times a second, so
an address never seen before is held back (*pending*) until a second CRC-checked frame (DF11,
DF17, DF18) from it arrives within ``CONFIRM_GAP_S``; then both go through, so a real aircraft
loses nothing. An address that never repeats is dropped and counted (``phantom_suppressed``).

Only raw Mode S frames are held back: decoded feeds (SBS, state vectors, readsb JSON) were
filtered by the software that decoded them, and a snapshot names each aircraft once.

Causal like the rest of the tracker: a frame is pending until its confirmation arrives, in the
same batch or a later one, so a batch split in two gives the same result as the batch whole.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from flyvakt.model import ObservationBatch
from flyvakt.model.deferred import column_mapped, deferred_take
from flyvakt.model.runs import first_of_run, last_of_run, order_by_key_time
from flyvakt.track.table import Keyed, StateTable

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# Why 60 s: an aircraft at the edge of a receiver's range is heard every few seconds at worst,
# while noise repeating one random 24-bit address within a minute is a 1-in-millions event even
# at 20,000 junk frames/s (20,000 * 60 / 2^24 ~ 7 %, for any *pair*, never a given address).
CONFIRM_GAP_S = 60.0
# Why 200,000: a pending frame is one row per address; at 20,000 junk frames/s for 60 s that is
# 1.2 M rows (~250 MB); the cap keeps the newest (the ones that can still be confirmed).
MAX_PENDING = 200_000
_CHECKED_DF = (11, 17, 18)
_BIG = int(np.iinfo(np.int64).max)  # "no row": above every row index


def confirm_new(
    table: StateTable,
    pending: ObservationBatch,
    o: ObservationBatch,
    rejected: Counter[str],
    keyed: Keyed | None = None,
) -> tuple[ObservationBatch, B | None, ObservationBatch, Keyed | None]:
    """``o`` (sorted by address, time; with pending frames of its addresses merged in), the
    mask of its rows that may go on (None: all of them), the new pending rows and the runs of
    that ``o`` with their table rows (None if not found here: the caller's search is saved).

    ``pending`` holds the last unconfirmed frame of each address from earlier batches. The
    caller takes the rows, so that it can combine this mask with its own in one copy.
    ``keyed``: the runs of ``o`` and their table rows, if the caller has them.
    """
    if len(pending):
        # ``o`` is sorted by address: a binary search per pending frame, not a set operation.
        at = np.minimum(np.searchsorted(o.icao24, pending.icao24), max(len(o) - 1, 0))
        hit = o.icao24[at] == pending.icao24 if len(o) else np.zeros(len(pending), np.bool_)
        if hit.any():
            o = ObservationBatch.concat([pending.take(np.flatnonzero(hit)), o])
            o = o.take(order_by_key_time(o.icao24, o.time_s))
            keyed = None  # other rows
            # Only then: the step's own pending frames were merged by sorted_with_pending, so
            # a hit here is rare, and a copy of every pending column per step (50,000 rows at
            # 50,000 new aircraft) was the cost of nothing.
            pending = pending.take(np.flatnonzero(~hit))
    if keyed is None and not _subject(o).any():  # e.g. a decoded feed: no runs needed
        return o, None, _prune(pending, o, rejected), None

    n = len(o)
    keyed = keyed if keyed is not None else Keyed.of(table, o)
    runs, rows = keyed
    gid = runs.gid
    known = rows >= 0
    new_row = ~known[gid]
    # Only the rows of new aircraft (whole runs) are judged; the others all go on. Whether a
    # row is a confirmation subject is asked of those rows only (at 50,000 aircraft most
    # rows of a batch are known aircraft's).
    new_rows = np.flatnonzero(new_row)
    part = new_rows.size < n
    if part:
        checked = o.address_checked[new_rows]
        subject = _subject_of(checked, o.df[new_rows])
    else:  # the formats first: a decoded feed has none (no column gathered in sorted order)
        subject = column_mapped(o, "df", _confirming_df)
        checked = o.address_checked if subject.any() else subject
        subject = subject & checked
    if not subject.any():
        return o, None, _prune(pending, o, rejected), keyed

    keep_new, wait_new, n_sub, n_other = _judge_new(
        subject,
        checked,
        o.time_s[new_rows] if part else o.time_s,
        gid[new_rows] if part else gid,
        len(runs.starts),
    )
    if n_sub:
        rejected["phantom_suppressed"] += n_sub
    if n_other:
        rejected["unconfirmed_address"] += n_other
    keep = np.ones(n, dtype=np.bool_)
    keep[new_rows] = keep_new
    pending = _prune(pending, o, rejected, new_rows[wait_new])
    return o, None if keep.all() else keep, pending, keyed


def _judge_new(
    subject: B, checked: B, t: npt.NDArray[np.float64], gid: I64, n_runs: int
) -> tuple[B, I64, int, int]:
    """For the rows of new aircraft (sorted by address, time; ``gid``: each row's run among
    ``n_runs``, not decreasing): which rows go on, which (one per unconfirmed aircraft) wait,
    and how many are dropped (CRC-checked frames, the others)."""
    # Per new address: the first checked frame that follows another within the gap confirms it,
    # from the frame before it (the pair's first) on. Judged on the checked frames alone
    # (consecutive ones of a run form the pairs), each run's confirmation then read back per
    # row: at 50,000 new aircraft (issue 12's cold sweep) the per-row forward fill, reductions
    # and masks over every row of a new aircraft were ~35 passes a row, these ~8.
    s = np.flatnonzero(subject)
    g_s, t_s = gid[s], t[s]
    pair = g_s[1:] == g_s[:-1]
    pair &= t_s[1:] - t_s[:-1] <= CONFIRM_GAP_S  # NaN: no pair
    p = np.flatnonzero(pair)  # pairs (s[p], s[p + 1]), by run then time
    g_p = g_s[p + 1]
    p = p[first_of_run(g_p)]  # each run's first pair
    big = _BIG
    conf_at = np.full(n_runs, big, np.int64)
    conf_at[g_s[p]] = s[p + 1]
    # Unchecked frames go on from the confirmation on, the other checked ones (not of a
    # confirming format) all, checked frames from the pair's first on: of those before the
    # confirmation, the pair's first alone (the pair is two consecutive checked frames).
    keep = np.arange(len(subject)) >= conf_at[gid]
    keep |= checked & ~subject
    keep[s[p]] = True
    # Unconfirmed: the last checked frame waits for its confirmation; the rest is dropped.
    last = s[last_of_run(g_s)]
    wait = last[conf_at[gid[last]] == big]
    n_sub_dropped = len(s) - int(np.count_nonzero(keep[s]))
    n_dropped = len(keep) - int(np.count_nonzero(keep))
    return keep, wait, n_sub_dropped - len(wait), n_dropped - n_sub_dropped


def sorted_with_pending(
    pending: ObservationBatch, obs: ObservationBatch
) -> tuple[ObservationBatch, ObservationBatch]:
    """(``obs`` with the pending frames of its addresses, sorted by address then time, the
    other pending frames), as ``lexsort`` of the two concatenated (pending first) would give:
    a pending frame precedes a frame of ``obs`` with the same address and time.

    ``obs`` is sorted alone and the pending frames of its addresses (a few) are merged in by
    binary search, so neither a set operation over the batch (``np.isin`` hashes every
    address: ~6 ms per 65,536 rows) nor a second sort is needed. The caller cuts rows from
    the result before reading most columns: it is deferred (:mod:`flyvakt.model.deferred`)."""
    order = order_by_key_time(obs.icao24, obs.time_s)
    icao = obs.icao24[order]
    if len(pending) == 0 or len(obs) == 0:
        return deferred_take(obs, order, icao24=icao), pending
    at = np.minimum(np.searchsorted(icao, pending.icao24), len(icao) - 1)
    hit = icao[at] == pending.icao24
    if not hit.any():
        return deferred_take(obs, order, icao24=icao), pending
    # The pending frames by their indices, found once: a mask would be searched again for
    # each of the 31 columns, twice (those merged, those left), and at 50,000 new aircraft
    # ~2,000-9,000 frames wait per step (issue 12's cold sweep). Those merged are read from
    # ``pending`` itself, by row, when a column is read: copied first, their every column was
    # gathered twice (~11 M instructions per 1 M frames in the sweep at 50,000).
    hit_at = np.flatnonzero(hit)
    left = np.flatnonzero(~hit)
    p_order = hit_at[order_by_key_time(pending.icao24[hit_at], pending.time_s[hit_at])]
    a, t = pending.icao24[p_order], pending.time_s[p_order]
    if np.isnan(t).any():  # NaN sorts last: the search below assumes comparable times
        both = ObservationBatch.concat([pending.take(hit_at), obs])
        return deferred_take(both, order_by_key_time(both.icao24, both.time_s)), pending.take(left)
    # Per pending frame, the rows of ``obs`` before it: those of lower addresses (its place
    # found above), then those of its address at an earlier time (binary search inside the
    # address's run; NaN times, last in a run, compare as later).
    times = obs.time_s[order]
    lo = at[p_order]
    hi = np.searchsorted(icao, a, side="right")
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        before = open_ & (times[np.minimum(mid, len(times) - 1)] < t)
        lo = np.where(before, mid + 1, lo)
        hi = np.where(open_ & ~before, mid, hi)
    h = len(p_order)
    n = len(obs) + h
    at_p = lo + np.arange(h)  # place in the merged order (pending frames keep their order)
    is_p = np.zeros(n, dtype=np.bool_)
    is_p[at_p] = True
    # Rows of ``obs`` in order, the pending frames' places filled from ``pending`` when read.
    merged = np.zeros(n, dtype=np.int64)
    merged[~is_p] = order
    src = np.full(n, -1, dtype=np.int64)
    src[at_p] = p_order
    return deferred_take(obs, merged, (pending, src)), pending.take(left)


def _subject(o: ObservationBatch) -> B:
    return _subject_of(o.address_checked, o.df)


def _subject_of(checked: B, df: npt.NDArray[np.int8]) -> B:
    """CRC-checked frames of the formats that confirm a new address (``_CHECKED_DF``)."""
    out = _confirming_df(df)
    out &= checked
    return out


def _confirming_df(df: npt.NDArray[np.int8]) -> B:
    """Frames of the formats that confirm a new address (``_CHECKED_DF``), checked or not."""
    out: B = np.equal(df, _CHECKED_DF[0])
    for d in _CHECKED_DF[1:]:
        out |= df == d
    return out


def _prune(
    pending: ObservationBatch,
    o: ObservationBatch,
    rejected: Counter[str],
    wait: I64 | None = None,
) -> ObservationBatch:
    """The pending frames with the rows ``wait`` of ``o`` appended, less those too old to be
    confirmed by anything newer than this batch. Judged on the times first, so that each
    kept frame is copied once (not the whole table once to append, once more to prune)."""
    n_old, n_new = len(pending), 0 if wait is None else len(wait)
    if n_old + n_new == 0:
        return pending
    t_new = o.time_s[wait] if n_new else pending.time_s[:0]
    t = np.concatenate([pending.time_s, t_new]) if n_new else pending.time_s
    now = float(np.max(o.time_s)) if len(o) else float(np.max(t))
    alive = t >= now - CONFIRM_GAP_S
    if alive.sum() > MAX_PENDING:
        cut = np.sort(t[alive])[-MAX_PENDING]
        alive &= t >= cut
    gone = n_old + n_new - int(alive.sum())
    if gone:
        rejected["phantom_suppressed"] += gone
    old = pending if alive[:n_old].all() else pending.take(np.flatnonzero(alive[:n_old]))
    if wait is None or not n_new:
        return old
    return ObservationBatch.concat([old, o.take(wait[alive[n_old:]])])
