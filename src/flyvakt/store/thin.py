"""Track thinning: keep the positions that say something, drop the ones that repeat.

A receiver hears an airborne aircraft about twice a second; stored raw, one busy day is hundreds
of millions of rows. Most fixes repeat what a straight line between neighbours already says.
:func:`thin` keeps a fix when something changed materially since the last *kept* fix of that
aircraft (heading, altitude, speed, ground/air state, squawk, callsign), and at least every
:attr:`ThinParams.max_interval_air_s` (airborne or taxiing) or
:attr:`ThinParams.max_interval_ground_s` (parked) so coverage stays visible in the store.

Transitions are kept exactly: when the ground/air state flips, or a fix arrives after a gap,
the last fix *before* it is emitted too (if it was not already kept), so the stored track
brackets the moment of lift-off or touchdown and the edge of every gap to the second.

The function is pure: ``thin(state, batch) -> (state, kept)`` never mutates its inputs, and the
state (per-aircraft last kept values and last seen fix) is plain arrays, so it can be
checkpointed. Work is vectorised across aircraft: round ``k`` handles the ``k``-th fix of every
aircraft in the batch at once, which keeps exact "since the last kept fix" semantics while the
Python loop runs only as many times as the busiest aircraft has fixes in the batch (1–3 in live
~100 ms batches).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from flyvakt.model.batches import F64, I8, I16, U32, B, Obj, PositionBatch
from flyvakt.model.runs import runs_by_key

__all__ = ["ThinParams", "ThinState", "flush", "thin"]


@dataclass(frozen=True)
class ThinParams:
    # Why 3°: a standard-rate turn is 3°/s, so a turn shows up within about a second, while
    # straight flight (track jitter well under 1°) keeps only the periodic fixes.
    track_change_deg: float = 3.0
    # Why 100 ft: the resolution of Gillham (Mode C) altitude, and ADS-B's 25 ft steps jitter
    # by one or two steps in level flight; 100 ft marks real climb or descent.
    altitude_change_ft: float = 100.0
    # Why 10 kt: groundspeed reports wobble by a few knots with wind and rounding; 10 kt is a
    # real acceleration (take-off roll, deceleration after touchdown).
    speed_change_kt: float = 10.0
    # Why 10 s: at 450 kt that is 1.25 NM between stored fixes, finer than any map of a country
    # needs, and 6 fixes per minute let coverage gaps of 60 s be told from thinning.
    max_interval_air_s: float = 10.0
    # Why 30 s: a parked aircraft says nothing new; 30 s still proves it was heard (coverage)
    # and stays under the 60 s gap threshold.
    max_interval_ground_s: float = 30.0
    # Why 3 kt: below this an aircraft on the ground is parked or holding; taxiing is faster.
    ground_moving_kt: float = 3.0
    # Why 60 s: a pause longer than this between two fixes of one aircraft is a coverage gap
    # (DESIGN.md: "a gap is not a path"); its edges are kept exactly.
    gap_s: float = 60.0


@dataclass(frozen=True, eq=False)
class ThinState:
    """Per-aircraft thinning state, rows sorted by ``icao24``.

    ``kept_*`` are the values of the last kept fix (``kept_time_s`` is -inf before any);
    ``last`` is the last fix seen (kept or not) and ``last_kept`` whether it was kept.
    """

    icao24: U32
    kept_time_s: F64
    kept_track_deg: F64
    kept_altitude_ft: F64
    kept_groundspeed_kt: F64
    kept_on_ground: I8
    kept_squawk: I16
    kept_callsign: Obj
    last: PositionBatch
    last_kept: B

    @classmethod
    def empty(cls) -> ThinState:
        return cls._blank(0)

    @classmethod
    def _blank(cls, n: int) -> ThinState:
        last = PositionBatch.empty(n)
        last.time_s[:] = -np.inf
        return cls(
            icao24=np.zeros(n, np.uint32),
            kept_time_s=np.full(n, -np.inf),
            kept_track_deg=np.full(n, np.nan),
            kept_altitude_ft=np.full(n, np.nan),
            kept_groundspeed_kt=np.full(n, np.nan),
            kept_on_ground=np.full(n, -1, np.int8),
            kept_squawk=np.full(n, -1, np.int16),
            kept_callsign=np.full(n, None, dtype=object),
            last=last,
            last_kept=np.ones(n, np.bool_),
        )

    def __len__(self) -> int:
        return int(self.icao24.shape[0])

    def _with_aircraft(self, icao24: U32) -> ThinState:
        """A copy that also has rows for every address in ``icao24`` (sorted and unique; new
        rows blank)."""
        have = self.icao24
        # The addresses not yet in the state, by one search of the sorted rows (np.union1d
        # sorted both again: a third of thin's time at 27,000 aircraft a commit, nearly all
        # of them known).
        at = np.searchsorted(have, icao24)
        known = np.zeros(len(icao24), np.bool_)
        inside = at < len(have)
        known[inside] = have[at[inside]] == icao24[inside]
        union = np.sort(np.concatenate([have, icao24[~known]])).astype(np.uint32)
        out = ThinState._blank(len(union))
        at = np.searchsorted(union, self.icao24)
        for f in fields(self):
            if f.name == "last":
                for g in fields(PositionBatch):
                    getattr(out.last, g.name)[at] = getattr(self.last, g.name)
            else:
                getattr(out, f.name)[at] = getattr(self, f.name)
        out.icao24[:] = union
        out.last.icao24[:] = union
        return out


def _altitude(batch: PositionBatch) -> F64:
    baro = batch.altitude_baro_ft
    return np.where(np.isfinite(baro), baro, batch.altitude_gnss_ft)


def _callsign_changed(new: Obj, old: Obj) -> B:
    pairs = zip(new.tolist(), old.tolist(), strict=True)  # lists: no NumPy scalar per item
    return np.fromiter((n is not None and n != o for n, o in pairs), np.bool_, len(new))


def thin(
    state: ThinState, batch: PositionBatch, params: ThinParams | None = None
) -> tuple[ThinState, PositionBatch]:
    """Return the new state and the fixes of ``batch`` worth storing, sorted by (icao24, time).

    Fixes not newer than the aircraft's last seen fix (duplicates, out-of-order arrivals) and
    fixes without a finite time are dropped. The output may contain a fix from an earlier batch:
    the last fix before a ground/air transition or a gap, emitted when the transition is seen.
    """
    p = params or ThinParams()
    good = np.isfinite(batch.time_s)
    if not good.all():
        batch = batch.take(good)
    if len(batch) == 0:
        return state, PositionBatch.empty(0)
    b = batch.take(np.lexsort((batch.time_s, batch.icao24)))
    starts = runs_by_key(b.icao24).starts
    st = state._with_aircraft(b.icao24[starts])
    last = st.last
    slot = np.searchsorted(st.icao24, b.icao24)
    n = len(b)
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.arange(n) - group_start
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))]
    alt_all = _altitude(b)
    keep = np.zeros(n, np.bool_)
    previous: list[PositionBatch] = []
    # The last fix seen per aircraft: its time updated each round, the rest only at the end,
    # from ``last_row`` (its row in ``b``, -1: still the state's), not all 14 columns a round.
    last_t = last.time_s
    last_row = np.full(len(st), -1, np.intp)
    for k in range(len(bounds) - 1):
        rows = by_rank[bounds[k] : bounds[k + 1]]
        s = slot[rows]
        t = b.time_s[rows]
        valid = t > last_t[s]
        rows, s, t = rows[valid], s[valid], t[valid]
        if len(rows) == 0:
            continue
        og = b.on_ground[rows]
        gs = b.groundspeed_kt[rows]
        trk = b.track_deg[rows]
        alt = alt_all[rows]
        sq = b.squawk[rows]
        parked = (og == 1) & ~(gs >= p.ground_moving_kt)
        interval = np.where(parked, p.max_interval_ground_s, p.max_interval_air_s)
        with np.errstate(invalid="ignore"):
            dtrack = np.abs((trk - st.kept_track_deg[s] + 180.0) % 360.0 - 180.0)
            material = (
                (dtrack > p.track_change_deg)
                | (np.abs(alt - st.kept_altitude_ft[s]) > p.altitude_change_ft)
                | (np.abs(gs - st.kept_groundspeed_kt[s]) > p.speed_change_kt)
            )
        material |= (sq >= 0) & (sq != st.kept_squawk[s])
        material |= _callsign_changed(b.callsign[rows], st.kept_callsign[s])
        transition = (og >= 0) & (og != st.kept_on_ground[s])
        gap = (t - last_t[s]) > p.gap_s
        k_mask = (t - st.kept_time_s[s] >= interval) | transition | gap | material
        emit_prev = (transition | gap) & ~st.last_kept[s] & np.isfinite(last_t[s])
        if emit_prev.any():
            at = last_row[s[emit_prev]]
            previous.append(last.take(s[emit_prev][at < 0]))
            previous.append(b.take(at[at >= 0]))
        keep[rows[k_mask]] = True
        ks, kr = s[k_mask], rows[k_mask]
        st.kept_time_s[ks] = b.time_s[kr]
        st.kept_track_deg[ks] = b.track_deg[kr]
        st.kept_altitude_ft[ks] = alt_all[kr]
        st.kept_groundspeed_kt[ks] = b.groundspeed_kt[kr]
        st.kept_on_ground[ks] = b.on_ground[kr]
        st.kept_squawk[ks] = b.squawk[kr]
        st.kept_callsign[ks] = b.callsign[kr]
        last_t[s] = t
        last_row[s] = rows
        st.last_kept[s] = k_mask
    seen = np.flatnonzero(last_row >= 0)
    for g in fields(PositionBatch):
        getattr(last, g.name)[seen] = getattr(b, g.name)[last_row[seen]]
    out = PositionBatch.concat([*previous, b.take(keep)])
    if previous:
        out = out.take(np.lexsort((out.time_s, out.icao24)))
    return st, out


def flush(state: ThinState, before_s: float = np.inf) -> tuple[ThinState, PositionBatch]:
    """Forget aircraft last seen before ``before_s``; return their unkept last fixes.

    Call with the default at shutdown (every pending last fix is stored, so a track ends where
    the aircraft was last heard) and periodically with ``data_time - horizon`` to bound memory.
    """
    gone = state.last.time_s < before_s
    if not gone.any():
        return state, PositionBatch.empty(0)
    pending = state.last.take(gone & ~state.last_kept & np.isfinite(state.last.time_s))
    stay = ~gone
    kept = {f.name: getattr(state, f.name)[stay] for f in fields(state) if f.name != "last"}
    new = replace(state, **kept, last=state.last.take(stay))
    return new, pending
