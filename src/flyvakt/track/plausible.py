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
from flyvakt.track import cpr

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
) -> list[int]:
    """The sequential walk over candidate fixes of aircraft that need it; returns accepted rows.

    ``lat``/``lon``/``t``/``partner_t``/``limit_kt`` are per row of the batch (``cand``: the
    rows to walk); ``lat``/``lon`` are updated in place where a fix is re-decoded. The
    per-aircraft walk state (last accepted fix, the run of rejected fixes) is read from and
    written back to ``cols``.
    """
    accepted: list[int] = []
    c_rows = row_of[cand].tolist()
    c_lat = lat[cand].tolist()
    c_lon = lon[cand].tolist()
    c_t = t[cand].tolist()
    c_p = partner_t[cand].tolist()
    c_lim = (limit_kt[cand] / 3600.0).tolist()
    has_cpr = (o.cpr_odd[cand] >= 0).tolist()
    slack = cfg.jump_slack_nm
    k_max = cfg.max_speed_kt / 3600.0
    last: dict[int, list[float]] = {}
    for k, r in enumerate(c_rows):
        st = last.get(r)
        if st is None:
            st = [
                float(cols["lat_deg"][r]),
                float(cols["lon_deg"][r]),
                float(cols["pos_t"][r]),
                float(cols["pos_rejects"][r]),
                float(cols["cand_lat"][r]),
                float(cols["cand_lon"][r]),
                float(cols["cand_t"][r]),
                float(cols["cand_dep0_t"][r]),
                float(cols["cand_dep1_t"][r]),
            ]
            last[r] = st
        la, lo, tt, pt, kk = c_lat[k], c_lon[k], c_t[k], c_p[k], c_lim[k]
        if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
            rejected["position_out_of_range"] += 1
            continue
        ok = math.isnan(st[0])
        reason = ""
        if not ok:
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
        chained = not math.isnan(st[4]) and dist_nm(
            st[4], st[5], la, lo
        ) <= slack + abs(tt - st[6]) * kk
        if chained and st[3] > 0:
            st[7] = st[7] if st[7] in (tt, pt) else math.nan
            st[8] = st[8] if st[8] in (tt, pt) else math.nan
        else:
            st[7], st[8] = tt, pt
        st[3] += 1
        st[4], st[5], st[6] = la, lo, tt
        rejected[reason] += 1
    for r, st in last.items():
        if not math.isnan(st[0]):
            cols["lat_deg"][r], cols["lon_deg"][r], cols["pos_t"][r] = st[0], st[1], st[2]
        cols["pos_rejects"][r] = int(st[3])
        cols["cand_lat"][r], cols["cand_lon"][r], cols["cand_t"][r] = st[4], st[5], st[6]
        cols["cand_dep0_t"][r], cols["cand_dep1_t"][r] = st[7], st[8]
    return accepted


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
