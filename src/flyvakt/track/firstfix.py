"""Rule 4 of :mod:`flyvakt.track.plausible` (first fixes), for many aircraft at once.

The plausibility walk is sequential per aircraft, but aircraft are independent of each other.
An aircraft with no position yet, or a provisional one, takes the first-fix path
(:func:`flyvakt.track.plausible._first_fix`) for each fix until it leaves it (its track is
confirmed, or starts from an airborne fix). At many aircraft (a feed's start-up, or a burst of
new aircraft) most walked aircraft are such: new on the surface, one to three fixes a step.
Here the k-th walked fix of every such aircraft is decided in one NumPy pass, k = 0, 1, ...,
the same transitions as ``_first_fix``; what is left (rows after an aircraft leaves the path,
or beyond :data:`ROUNDS`) goes on through the Python walk from the state reached here.

Exact: the same decisions, state, counts and rows as the Python walk (tested on real and
synthetic fixes against it). The great-circle distance is NumPy's form of the walk's formula;
the two may differ in the last bit, so a fix within a hair of its limit is decided again with
the walk's own scalar :func:`~flyvakt.geo.distance.distance_nm`.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import distance_nm, haversine_nm
from flyvakt.model.runs import first_of_run

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# Why 4: a new surface aircraft has one to three walked fixes in a step (98.8 % of the 22 k
# walked aircraft at 50,000 aircraft in bench_pipeline's 65,536-frame steps); each round is ~40
# array operations over the aircraft still on the path, so more rounds would cost more than the
# few rows left, which the Python walk takes on.
ROUNDS = 4
# Relative distance from its limit below which a fix is decided with the scalar formula: NumPy's
# and math's sine/arcsine differ by at most a few units in the last place (~2.6e-16 measured).
NEAR_LIMIT = 1e-12

# Columns of the walk state (flyvakt.track.plausible._STATE).
LAT, LON, T, REJECTS, CLAT, CLON, CT, DEP0, DEP1, PROV, PENDING, KEY0, KEY1 = range(13)
_PAIR = (DEP0, DEP1, KEY0, KEY1)  # the provisional first fix's frames (times, raw latitudes)


class FirstFixes(NamedTuple):
    handled: B  # per walked row: decided here (a prefix of each aircraft's rows)
    accepted: B  # per walked row: output
    held: B  # per walked row: held as part of a provisional first fix
    release: B  # per aircraft: its fixes held in earlier steps are output now
    drop: B  # per aircraft: its fixes held in earlier steps are dropped


def first_fixes(
    st: F64,
    ac: I64,
    fix: tuple[F64, F64, F64, F64, F64],
    keys: tuple[F64, F64],
    surface: B,
    indep: B,
    slack_nm: float,
    rejected: Counter[str],
    rounds: int = ROUNDS,
) -> FirstFixes:
    """Decide the first-fix prefix of every walked aircraft; ``st`` (one row of walk state per
    aircraft, ``plausible._STATE``) is updated in place.

    ``ac``: each walked row's aircraft (row of ``st``), the rows of an aircraft consecutive and
    in time order. ``fix``: per row (lat, lon, time, partner time, speed limit in NM/s);
    ``keys``: per row, its own and its partner's raw CPR latitude; ``surface``: a CPR surface
    fix (provisional kind); ``indep``: evidence independent of the track."""
    n, n_ac = len(ac), len(st)
    handled = np.zeros(n, dtype=np.bool_)
    accepted = np.zeros(n, dtype=np.bool_)
    held = np.zeros(n, dtype=np.bool_)
    release = np.zeros(n_ac, dtype=np.bool_)
    drop = np.zeros(n_ac, dtype=np.bool_)
    out = FirstFixes(handled, accepted, held, release, drop)
    if n == 0:
        return out
    first = first_of_run(ac)
    rank = np.arange(n) - np.flatnonzero(first)[np.cumsum(first) - 1]
    active = np.isnan(st[:, LAT]) | (st[:, PROV] != 0)
    lat, lon, t, pt, kk = fix
    counts = {"position_out_of_range": 0, "implausible_jump": 0, "unconfirmed_first_fix": 0}
    for j in range(rounds):
        rows = np.flatnonzero((rank == j) & active[ac])
        if rows.size == 0:
            break
        handled[rows] = True
        la, lo = lat[rows], lon[rows]
        inr = (la >= -90.0) & (la <= 90.0) & (lo >= -180.0) & (lo <= 180.0)
        counts["position_out_of_range"] += int(rows.size - np.count_nonzero(inr))
        rows, la, lo = rows[inr], la[inr], lo[inr]
        a = ac[rows]
        s = st[a]
        tt, pp, lim, k0, k1 = t[rows], pt[rows], kk[rows], keys[0][rows], keys[1][rows]
        has = ~np.isnan(s[:, LAT])
        agree = has & _within(s[:, LAT], s[:, LON], la, lo, slack_nm + np.abs(tt - s[:, T]) * lim)
        own = ((tt == s[:, DEP0]) & (k0 == s[:, KEY0])) | ((tt == s[:, DEP1]) & (k0 == s[:, KEY1]))
        par = ((pp == s[:, DEP0]) & (k1 == s[:, KEY0])) | ((pp == s[:, DEP1]) & (k1 == s[:, KEY1]))
        ind = indep[rows]
        confirm = agree & ind & ~own & ~par
        restart = ~agree & (~has | ind)  # no position yet, or independent and disagreeing
        counts["implausible_jump"] += int(np.count_nonzero(has & ~agree & ~ind))
        s[agree, LAT], s[agree, LON], s[agree, T] = la[agree], lo[agree], tt[agree]
        held[rows[agree & ~confirm]] = True
        # Confirmed: the fixes held in this step and this one are output.
        mine = _of(ac, a[confirm], n_ac) & held
        accepted[mine] = True
        held[mine] = False
        accepted[rows[confirm]] = True
        release[a[confirm & (s[:, PENDING] != 0)]] = True
        s[confirm, PENDING] = 0.0
        for c in _PAIR:
            s[confirm, c] = np.nan
        s[confirm, PROV] = 0.0
        # Start over from this fix; a disagreeing one drops what was held in this step.
        lost = _of(ac, a[restart & has], n_ac) & held
        counts["unconfirmed_first_fix"] += int(np.count_nonzero(lost))
        held[lost] = False
        drop[a[restart & (s[:, PENDING] != 0)]] = True
        s[restart, PENDING] = 0.0
        s[restart, LAT], s[restart, LON], s[restart, T] = la[restart], lo[restart], tt[restart]
        s[restart, REJECTS] = 0.0
        s[restart, CLAT] = s[restart, CLON] = np.nan
        s[restart, CT] = -np.inf
        air = restart & ~surface[rows]  # airborne or given: trusted, no longer provisional
        for c in _PAIR:
            s[air, c] = np.nan
        s[air, PROV] = 0.0
        accepted[rows[air]] = True
        gnd = restart & surface[rows]
        s[gnd, DEP0], s[gnd, DEP1], s[gnd, PROV] = tt[gnd], pp[gnd], 1.0
        s[gnd, KEY0], s[gnd, KEY1] = k0[gnd], k1[gnd]
        held[rows[gnd]] = True
        st[a] = s
        active[a] = np.isnan(s[:, LAT]) | (s[:, PROV] != 0)
    for reason, c in counts.items():
        if c:
            rejected[reason] += c
    return out


def _of(ac: I64, some: I64, n_ac: int) -> B:
    """Per walked row: whether its aircraft is one of ``some``."""
    flag = np.zeros(n_ac, dtype=np.bool_)
    flag[some] = True
    return flag[ac]


def _within(lat1: F64, lon1: F64, lat2: F64, lon2: F64, limit_nm: F64) -> B:
    """``distance_nm(lat1, lon1, lat2, lon2) <= limit_nm`` per element, as the scalar walk
    decides it (NaN: False)."""
    with np.errstate(invalid="ignore"):
        d = haversine_nm(lat1, lon1, lat2, lon2)
        ok = np.asarray(d <= limit_nm, dtype=np.bool_)
        near = np.flatnonzero(np.abs(d - limit_nm) <= NEAR_LIMIT * np.abs(limit_nm))
    for i in near.tolist():
        ok[i] = distance_nm(
            float(lat1[i]), float(lon1[i]), float(lat2[i]), float(lon2[i])
        ) <= float(limit_nm[i])
    return ok
