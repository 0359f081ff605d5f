"""Bounded detector state: forget aircraft (and ground references) after long silence.

Pure, on data time: the pipeline step calls :func:`forget` with the data's "now", so live
memory holds only the aircraft heard recently, whatever the uptime (DESIGN.md §1). History is
in the store, not here.
"""

from __future__ import annotations

import numpy as np

from flyvakt.detect import rules as R
from flyvakt.detect.state import DetectorState

# Why 2 x GROUND_REF_S: a learned reference is never used for a fix more than GROUND_REF_S from
# it (detect/gaps.py), and fixes arrive at most minutes out of order; twice that is safe.
GROUND_REF_KEEP_S = 2 * R.GROUND_REF_S
# Why 24 h: the detector pairs a landing with the next takeoff (stopover) and reasons across
# coverage gaps; an overnight stay on the ground with the transponder off is the longest such
# silence worth bridging. After a day of silence the aircraft starts afresh (its history is in
# the store), so the detector holds at most the aircraft heard in the last day.
DETECT_FORGET_S = 24 * 3600.0


def forget(state: DetectorState, now_s: float, silence_s: float) -> int:
    """Drop every aircraft whose last fix is older than ``now_s - silence_s`` and that waits
    for nothing (no inferred landing pending); return how many were dropped.

    An aircraft heard again after that starts afresh (first fix), as in the tracker.
    """
    lf = state.lastfix
    n = lf.size
    t = lf.cols["t"][:n]
    with np.errstate(invalid="ignore"):
        old = t < now_s - silence_s
    if state.awaiting:
        waiting = np.fromiter(state.awaiting, dtype=np.int64, count=len(state.awaiting))
        old &= ~np.isin(lf.cols["icao24"][:n], waiting)
    stale = [
        k
        for k, refs in state.ground_refs.items()
        if not refs or now_s - refs[-1][1] > GROUND_REF_KEEP_S  # refs are in time order
    ]
    for k in stale:
        del state.ground_refs[k]
    if not old.any():
        return 0
    return _drop(state, old)


def drop(state: DetectorState, icaos: list[int]) -> None:
    """Forget these aircraft now, except those waiting for an inferred landing (as
    :func:`forget`): the detector step's rule for an aircraft heard again after more than
    :data:`DETECT_FORGET_S` of silence inside one batch, where no sweep ran in between."""
    lf = state.lastfix
    rows = [r for a in icaos if a not in state.awaiting and (r := lf.index.get(a)) is not None]
    if rows:
        mask = np.zeros(lf.size, dtype=np.bool_)
        mask[rows] = True
        _drop(state, mask)


def _drop(state: DetectorState, old: np.ndarray) -> int:
    lf = state.lastfix
    n = lf.size
    gone = lf.cols["icao24"][:n][old].tolist()
    keep = np.flatnonzero(~old)
    # Compact the columns: rows are internal, aircraft are found through the index.
    for name, col in lf.cols.items():
        col[: len(keep)] = col[keep]
        col[len(keep) : n] = np.full(n - len(keep), _fill(name), dtype=col.dtype)
    lf.size = len(keep)
    lf.index = {int(a): i for i, a in enumerate(lf.cols["icao24"][: lf.size].tolist())}
    state.tails.drop(gone)
    for a in gone:
        state.aircraft.pop(int(a), None)
        state.pending.discard(int(a))
    return len(gone)


def _fill(name: str) -> object:
    from flyvakt.detect.lastfix import _COLS

    return _COLS[name][1]
