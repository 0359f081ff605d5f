"""Plausibility of candidate fixes: reachable from the last accepted fix at the aircraft's speed.

Issue 10 item 3: CPR frames with flipped bits and a *recomputed* CRC pass the parity check
(a receiver that recomputes parity after a bit error, or a forger). One such frame poisons
every global decode it is the partner of, and on the surface a partner is reused for several
frames in a row (same-parity runs), so the wrong fixes agree with each other. Three rules keep
that error from spreading:

1. **Speed.** A fix must be reachable from the last accepted one at the aircraft's own reported
   groundspeed (with a margin), not only at the fastest speed any aircraft flies; a fix beyond it
   but within ``max_speed_kt`` is counted as ``implausible_speed``, beyond that as
   ``implausible_jump``.
2. **Re-decode, not discard.** A rejected CPR fix may be wrong through its partner (or its
   in-batch reference), not its own frame: it is decoded again locally against the last
   *accepted* position, and accepted if that agrees (``cpr_redecoded_local``). A frame whose own
   bits are wrong stays rejected.
3. **Independent evidence to reset.** A track restarts at rejected fixes only when they agree
   with each other *and* share no CPR frame: fixes that all lean on one bad frame agree with
   each other but are not independent evidence.

4. **First surface fixes.** A surface fix with no reference (a new track's pair resolved against
   the nearest airport) may itself be the damaged one, and local decodes against it then agree
   with it forever (a local decode lands within half a zone of its reference whatever the
   zone). It is *provisional*: held, not output, until a global decode sharing no frame with it
   agrees (then every held fix is output, late but unchanged); a global decode that disagrees
   drops the held fixes (``unconfirmed_first_fix``) and starts over from itself. readsb's
   position reliability counters follow the same idea. Airborne first fixes are trusted as
   before: the airborne global decode has no quadrant ambiguity, and holding them would cost
   every aircraft heard for fewer than ~4 position frames its position.

Frames are identified by their time (``partner_t`` is the time of a fix's partner frame, or of
its local reference); two frames at the same instant count as one, which only makes a reset
wait a little longer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import distance_nm as dist_nm
from flyvakt.model.runs import first_of_run
from flyvakt.track import cpr, firstfix
from flyvakt.track.merge import distinct

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Why 1.5 x groundspeed + 60 kt: groundspeed is reported to a few knots and refreshed twice a
# second, but between two fixes an aircraft can accelerate (a takeoff roll gains ~3 kt/s) and
# timestamps from merged receivers jitter; the margin keeps every fix of the real recordings,
# while a CPR bit error moves a fix by whole zone fractions (tens to thousands of NM).
SPEED_FACTOR = 1.5
SPEED_MARGIN_KT = 60.0
# Why 30 s: older groundspeeds say little about the speed now (readsb's "stale" age as well).
SPEED_MAX_AGE_S = 30.0


def speed_limits_kt(
    max_speed_kt: float, groundspeed_kt: F64, groundspeed_t: F64, fix_t: F64
) -> F64:
    """Per fix: the speed it may imply, from its reported groundspeed when known and fresh."""
    fresh = ~np.isnan(groundspeed_kt) & (fix_t - groundspeed_t <= SPEED_MAX_AGE_S)
    own = np.nan_to_num(groundspeed_kt) * SPEED_FACTOR + SPEED_MARGIN_KT
    return np.asarray(np.where(fresh, np.minimum(own, max_speed_kt), max_speed_kt), np.float64)


def walk(
    cols: dict[str, npt.NDArray[Any]],
    cfg: Any,
    cand: I64,
    lat: F64,
    lon: F64,
    t: F64,
    partner_t: F64,
    limit_kt: F64,
    row_of: I64,
    o: Any,
    rejected: Any,
    indep: Any,
    keys: tuple[F64, F64],
    rounds: int | None = None,
) -> tuple[list[int], list[int], set[int], set[int]]:
    """The sequential walk over candidate fixes of aircraft that need it; returns accepted rows.

    ``lat``/``lon``/``t``/``partner_t``/``limit_kt`` are per row of the batch (``cand``: the
    rows to walk); ``lat``/``lon`` are updated in place where a fix is re-decoded. The
    per-aircraft walk state (last accepted fix, the run of rejected fixes) is read from and
    written back to ``cols``. ``indep``: per row, whether the fix is evidence independent of the
    track (a global decode or a given position, not a local decode against it); ``keys``: per
    row, the raw CPR latitude of its own frame and of its partner (frame identity with the time).

    ``rounds``: how many first fixes per aircraft are decided for all aircraft at once
    (default ``firstfix.ROUNDS``) before the walk in Python; 0: all in Python (the reference).

    Returns (accepted rows, rows still held as a provisional first fix, table rows whose fixes
    held in earlier steps are confirmed, table rows whose earlier held fixes are dropped).
    """
    if len(cand) == 0:  # no aircraft walks (a state-vector batch): nothing read, nothing set
        return [], [], set(), set()
    slack = cfg.jump_slack_nm
    k_max = cfg.max_speed_kt / 3600.0
    # The walk state of every aircraft walked, gathered at once: a row of floats per aircraft,
    # in the order of ``_STATE``.
    urows = distinct(row_of[cand])
    gathered = np.column_stack([cols[name][urows].astype(np.float64) for name in _STATE])
    gathered[:, _PENDING] = 1.0  # the fixes held in earlier steps are still pending
    # Rule 4 (first fixes) for every aircraft at once, as far as each stays on it
    # (flyvakt.track.firstfix); the rows left walk on below from the state reached.
    ac = np.searchsorted(urows, row_of[cand])
    surf = o.cpr_surface[cand] & (o.cpr_odd[cand] >= 0)  # rule 4 applies
    lim = limit_kt[cand] / 3600.0
    grouped = np.count_nonzero(first_of_run(ac)) == len(urows)  # each aircraft's rows together
    if rounds is None:
        rounds = firstfix.ROUNDS
    ff = firstfix.first_fixes(
        gathered, ac, (lat[cand], lon[cand], t[cand], partner_t[cand], lim),
        (keys[0][cand], keys[1][cand]), surf, np.asarray(indep[cand], dtype=np.bool_), slack,
        rejected, rounds if grouped else 0,
    )  # fmt: skip
    accepted: list[int] = cand[ff.accepted].tolist()
    release: set[int] = set(urows[ff.release].tolist())
    drop: set[int] = set(urows[ff.drop].tolist())
    rest = np.flatnonzero(~ff.handled)
    going_on = np.zeros(len(urows), dtype=np.bool_)
    going_on[ac[rest]] = True
    held: dict[int, list[int]] = {}  # rows held in this step, per aircraft still walking
    for r, i in zip(row_of[cand[ff.held & going_on[ac]]].tolist(),
                    cand[ff.held & going_on[ac]].tolist(), strict=True):  # fmt: skip
        held.setdefault(r, []).append(i)
    still_done = cand[ff.held & ~going_on[ac] & (gathered[ac, _PROVISIONAL] != 0)].tolist()
    cand, surf, lim = cand[rest], surf[rest], lim[rest]
    c_ind = indep[cand].tolist()
    c_surf = surf.tolist()
    c_k0, c_k1 = keys[0][cand].tolist(), keys[1][cand].tolist()
    c_rows = row_of[cand].tolist()
    c_lat = lat[cand].tolist()
    c_lon = lon[cand].tolist()
    c_t = t[cand].tolist()
    c_p = partner_t[cand].tolist()
    c_lim = lim.tolist()
    has_cpr = (o.cpr_odd[cand] >= 0).tolist()
    # Python lists of the state only for the aircraft walked on in Python (few).
    last: dict[int, list[float]] = dict(
        zip(urows[going_on].tolist(), gathered[going_on].tolist(), strict=True)
    )
    for k, r in enumerate(c_rows):
        st = last[r]
        la, lo, tt, pt, kk = c_lat[k], c_lon[k], c_t[k], c_p[k], c_lim[k]
        if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
            rejected["position_out_of_range"] += 1
            continue
        if math.isnan(st[0]) or st[9]:
            _first_fix(st, r, int(cand[k]), la, lo, tt, pt, (c_k0[k], c_k1[k]), kk, slack,
                       c_surf[k], c_ind[k], held, accepted, release, drop, rejected)  # fmt: skip
            continue
        reason = ""
        dt = abs(tt - st[2])
        d = dist_nm(st[0], st[1], la, lo)
        ok = d <= slack + dt * kk
        if not ok:
            reason = "implausible_speed" if d <= slack + dt * k_max else "implausible_jump"
            if has_cpr[k] and tt - st[2] <= _ref_max_age(cfg, o, int(cand[k])):
                la2, lo2 = _redecode(o, int(cand[k]), st[0], st[1])
                if dist_nm(st[0], st[1], la2, lo2) <= slack + dt * kk:
                    ok, la, lo = True, la2, lo2
                    lat[cand[k]], lon[cand[k]] = la2, lo2
                    rejected["cpr_redecoded_local"] += 1
        if not ok and st[3] + 1 >= cfg.reset_after_rejects and not math.isnan(st[4]):
            # Several rejects in a row: if this fix agrees with the previous rejected ones and
            # shares no frame with them all, the old track was the outlier (a bad first fix or
            # a long gap): restart from here.
            dt = abs(tt - st[6])
            agrees = dist_nm(st[4], st[5], la, lo) <= slack + dt * kk
            if agrees and not _common(st[7], st[8], tt, pt):
                ok = True
                rejected["track_reset"] += 1
        if ok:
            st[0], st[1], st[2], st[3] = la, lo, tt, 0.0
            st[7] = st[8] = math.nan
            accepted.append(int(cand[k]))
            continue
        # Rejected: extend the run of agreeing rejects (keeping the frames they all share) or
        # start a new one at this fix.
        chained = (
            not math.isnan(st[4]) and dist_nm(st[4], st[5], la, lo) <= slack + abs(tt - st[6]) * kk
        )
        if chained and st[3] > 0:
            st[7] = st[7] if st[7] in (tt, pt) else math.nan
            st[8] = st[8] if st[8] in (tt, pt) else math.nan
        else:
            st[7], st[8] = tt, pt
        st[3] += 1
        st[4], st[5], st[6] = la, lo, tt
        rejected[reason] += 1
    if last:
        gathered[going_on] = np.asarray(list(last.values()), dtype=np.float64)
    _write_back(cols, urows, gathered)
    still = still_done + [i for r, rows in held.items() if last[r][9] for i in rows]
    return accepted, still, release, drop


# The walk state per aircraft: its table columns, in this order (``st[i]``); slot _PENDING is
# not a column (whether fixes held in earlier steps are still pending), gathered as 1.0.
_STATE = (
    "lat_deg", "lon_deg", "pos_t", "pos_rejects", "cand_lat", "cand_lon", "cand_t",
    "cand_dep0_t", "cand_dep1_t", "pos_provisional", "pos_provisional", "prov_key0", "prov_key1",
)  # fmt: skip
_PENDING = 10
_PROVISIONAL = 9


def _write_back(cols: dict[str, npt.NDArray[Any]], urows: I64, st: F64) -> None:
    """The walk state of the aircraft walked (``st``, a row per aircraft of ``urows``) back
    into their table rows, at once."""
    if not len(urows):
        return
    has = ~np.isnan(st[:, 0])  # an aircraft never placed keeps its (empty) position columns
    for i, name in enumerate(_STATE[:3]):
        cols[name][urows[has]] = st[has, i]
    cols["pos_rejects"][urows] = st[:, 3].astype(np.int64)
    for i in (4, 5, 6, 7, 8, 11, 12):
        cols[_STATE[i]][urows] = st[:, i]
    cols["pos_provisional"][urows] = st[:, 9] != 0.0


def _first_fix(
    st: list[float],
    r: int,
    i: int,
    la: float,
    lo: float,
    tt: float,
    pt: float,
    key: tuple[float, float],
    kk: float,
    slack: float,
    provisional_kind: bool,
    indep: bool,
    held: dict[int, list[int]],
    accepted: list[int],
    release: set[int],
    drop: set[int],
    rejected: Any,
) -> None:
    """Rule 4: a fix of an aircraft with no position or a provisional one (``st[9]``).
    ``provisional_kind``: a CPR surface fix (the only kind that starts a provisional track)."""
    if not math.isnan(st[0]):
        agrees = dist_nm(st[0], st[1], la, lo) <= slack + abs(tt - st[2]) * kk
        if agrees:
            st[0], st[1], st[2] = la, lo, tt
            mine = ((st[7], st[11]), (st[8], st[12]))
            if indep and (tt, key[0]) not in mine and (pt, key[1]) not in mine:
                # Confirmed by independent evidence: the held fixes and this one are output.
                accepted.extend(held.pop(r, []))
                accepted.append(i)
                if st[10]:
                    release.add(r)
                    st[10] = 0.0
                st[7] = st[8] = st[11] = st[12] = math.nan
                st[9] = 0.0
            else:
                held.setdefault(r, []).append(i)
            return
        if not indep:
            # A local decode that disagrees with the fix it was decoded against: a bad frame.
            rejected["implausible_jump"] += 1
            return
        # An independent fix that disagrees: one of the two is wrong; start over from the new.
        rejected["unconfirmed_first_fix"] += len(held.pop(r, []))
    if st[10]:
        drop.add(r)
        st[10] = 0.0
    st[0], st[1], st[2], st[3] = la, lo, tt, 0.0
    st[4] = st[5] = math.nan
    st[6] = -math.inf
    if not provisional_kind:
        # Airborne CPR and given positions (decoded feeds) are trusted as before: no quadrant.
        st[7] = st[8] = st[11] = st[12] = math.nan
        st[9] = 0.0
        accepted.append(i)
        return
    st[7], st[8], st[9] = tt, pt, 1.0
    st[11], st[12] = key
    held[r] = [i]


def _common(dep0: float, dep1: float, t: float, partner_t: float) -> bool:
    """Whether a fix from frames (t, partner_t) shares a frame with every fix of the run."""
    return dep0 in (t, partner_t) or dep1 in (t, partner_t)


def _ref_max_age(cfg: Any, o: Any, i: int) -> float:
    return float(
        cfg.local_ref_max_age_surface_s if o.cpr_surface[i] else cfg.local_ref_max_age_air_s
    )


def _redecode(o: Any, i: int, ref_lat: float, ref_lon: float) -> tuple[float, float]:
    """Local decode of row ``i``'s own CPR frame against an accepted reference position."""
    la, lo = cpr.local_decode(
        o.cpr_lat[i : i + 1].astype(np.float64),
        o.cpr_lon[i : i + 1].astype(np.float64),
        o.cpr_odd[i : i + 1] == 1,
        np.array([ref_lat]),
        np.array([ref_lon]),
        o.cpr_surface[i : i + 1],
    )
    return float(la[0]), float(lo[0])
