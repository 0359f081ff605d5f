"""Candidate fixes of a tracker step: CPR pairing and decoding (global, surface, local), the
source-priority gate, and the plausibility walk that accepts a fix only if it is reachable from
the previous accepted one (:func:`decode_positions`, called by :mod:`flyvakt.track.tracker`).

Rows are sorted by (address, time), as in the tracker; each row's state-table row is
``row_of`` and the first row of its aircraft's run ``start_of_row``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from flyvakt.model import ObservationBatch
from flyvakt.model.deferred import column_at, column_mapped, columns_at
from flyvakt.model.runs import ffill_index, first_of_run, last_at, last_of_run, shifted
from flyvakt.track import cpr, plausible
from flyvakt.track.gather import rows_read
from flyvakt.track.merge import union_sorted
from flyvakt.track.priority import gate_by_priority
from flyvakt.track.reach import within_nm
from flyvakt.track.table import StateTable

if TYPE_CHECKING:
    from flyvakt.track.tracker import TrackerConfig, TrackStats

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def decode_positions(
    table: StateTable,
    o: ObservationBatch,
    cfg: TrackerConfig,
    start_of_row: I64,
    row_of: I64,
    stats: TrackStats,
    gs_rows: I64,
    rows: I64,
) -> dict[str, npt.NDArray[Any]]:
    """Candidate fixes (CPR decoded, or given), then the plausibility walk. Returns accepted.

    ``gs_rows``: the rows carrying a groundspeed (sorted), for the last one before each fix;
    ``rows``: the state row of each aircraft of the batch.
    """
    cols = table.cols
    # Pairing and CPR decoding look at the CPR rows only (a minority: most messages carry no
    # position), in the same (address, time) order; results go back to all rows below.
    has_cpr_all = o.cpr_odd >= 0  # (read whole: a raw feed's CPR rows read it again below)
    sub = np.flatnonzero(has_cpr_all)
    row_of_all, start_of_row_all, n = row_of, start_of_row, sub.size
    parity = o.cpr_odd[sub]
    surf, raw_lat, raw_lon = columns_at(o, ("cpr_surface", "cpr_lat", "cpr_lon"), sub)
    has_cpr = np.ones(n, dtype=np.bool_)
    t = o.time_s[sub]
    row_of = row_of[sub]
    first = first_of_run(start_of_row[sub])
    start_of_row = np.flatnonzero(first)[np.cumsum(first) - 1]

    # Partner: last opposite-parity CPR frame of the same kind (airborne/surface), in batch
    # (forward fill) or else remembered in the state from earlier batches.
    p_lat = np.full(n, np.nan)
    p_lon = np.full(n, np.nan)
    p_t = np.full(n, -np.inf)
    for want in (0, 1):
        for kind in (False, True):
            target = has_cpr & (parity == 1 - want) & (surf == kind)
            if not target.any():
                continue
            sel = has_cpr & (parity == want) & (surf == kind)
            fi = ffill_index(sel, start_of_row) if sel.any() else np.full(n, -1)
            # (rows as indices, not masks: a boolean index costs ~20 instructions a row of
            # the mask each time, callgrind; the indices are found once)
            inb = np.flatnonzero(target & (fi >= 0))
            f = fi[inb]
            p_lat[inb] = raw_lat[f]
            p_lon[inb] = raw_lon[f]
            p_t[inb] = t[f]
            st = np.flatnonzero(target & (fi < 0))
            r = row_of[st]
            same_kind = cols[f"cpr{want}_surface"][r] == kind
            p_lat[st] = np.where(same_kind, cols[f"cpr{want}_lat"][r], np.nan)
            p_lon[st] = np.where(same_kind, cols[f"cpr{want}_lon"][r], np.nan)
            p_t[st] = np.where(same_kind, cols[f"cpr{want}_t"][r], -np.inf)
    window = np.where(surf, cfg.pair_window_surface_s, cfg.pair_window_air_s)
    paired = has_cpr & ~np.isnan(p_lat) & (t - p_t <= window) & (t >= p_t)
    # The other frame (or reference) each fix leans on: see flyvakt.track.plausible.
    partner_t = np.where(paired, p_t, np.nan)
    # A provisional first fix (flyvakt.track.plausible, rule 4) is no reference for the surface
    # quadrant: its aircraft resolve surface pairs against the airports, as with no position.
    provisional = cols["pos_provisional"][row_of]

    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    odd = parity == 1
    my_lat = raw_lat.astype(np.float64)
    my_lon = raw_lon.astype(np.float64)
    e_lat = np.where(odd, p_lat, my_lat)
    e_lon = np.where(odd, p_lon, my_lon)
    d_lat = np.where(odd, my_lat, p_lat)
    d_lon = np.where(odd, my_lon, p_lon)

    ga = np.flatnonzero(paired & ~surf)
    if len(ga):
        la, lo, ok = cpr.global_airborne(e_lat[ga], e_lon[ga], d_lat[ga], d_lon[ga], odd[ga])
        lat[ga] = np.where(ok, la, np.nan)
        lon[ga] = np.where(ok, lo, np.nan)
        if not ok.all():
            stats.rejected["cpr_nl_mismatch"] += int((~ok).sum())

    # Reference for surface globals and locals: the aircraft's own last position.
    ref_lat = cols["lat_deg"][row_of]
    ref_lon = cols["lon_deg"][row_of]
    ref_t = cols["pos_t"][row_of]
    # Airborne globals decoded earlier in this batch are better (fresher) references.
    anchor = ffill_index(~np.isnan(lat), start_of_row)
    fresh = anchor >= 0
    ref_lat = np.where(fresh, lat[np.maximum(anchor, 0)], ref_lat)
    ref_lon = np.where(fresh, lon[np.maximum(anchor, 0)], ref_lon)
    ref_t = np.where(fresh, t[np.maximum(anchor, 0)], ref_t)
    ref_lat = np.where(provisional & ~fresh, np.nan, ref_lat)

    gs = paired & surf
    if gs.any():
        _surface_global(
            cfg,
            e_lat,
            e_lon,
            d_lat,
            d_lon,
            odd,
            gs,
            ref_lat,
            ref_lon,
            lat,
            lon,
            stats,
            start_of_row,
        )

    loc = has_cpr & np.isnan(lat) & ~(paired & ~surf)
    if loc.any():
        # Surface fixes just decoded are references too.
        anchor = ffill_index(~np.isnan(lat), start_of_row)
        fresh = anchor >= 0
        ref_lat = np.where(fresh, lat[np.maximum(anchor, 0)], cols["lat_deg"][row_of])
        ref_lon = np.where(fresh, lon[np.maximum(anchor, 0)], cols["lon_deg"][row_of])
        ref_t = np.where(fresh, t[np.maximum(anchor, 0)], cols["pos_t"][row_of])
        max_age = np.where(surf, cfg.local_ref_max_age_surface_s, cfg.local_ref_max_age_air_s)
        usable_mask = loc & ~np.isnan(ref_lat) & (t - ref_t <= max_age)
        usable = np.flatnonzero(usable_mask)
        if len(usable):
            la, lo = cpr.local_decode(
                my_lat[usable],
                my_lon[usable],
                odd[usable],
                ref_lat[usable],
                ref_lon[usable],
                surf[usable],
            )
            lat[usable], lon[usable] = la, lo
            partner_t[usable] = ref_t[usable]
            if np.isnan(la).any():
                stats.rejected["cpr_beyond_pole"] += int(np.isnan(la).sum())
        if (loc & ~usable_mask).any():
            stats.rejected["cpr_no_pair_or_reference"] += int((loc & ~usable_mask).sum())

    # Back to all rows: CPR fixes where decoded, given positions (decoded feeds) elsewhere.
    n, t, row_of, has_cpr = len(o), o.time_s, row_of_all, has_cpr_all
    lat_c, lon_c, partner_c = lat, lon, partner_t
    lat, lon, partner_t = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    lat[sub], lon[sub], partner_t[sub] = lat_c, lon_c, partner_c
    indep = ~has_cpr  # given positions, and (below) global decodes: not leaning on the track
    indep[sub] = paired
    own_key, partner_key = np.full(n, np.nan), np.full(n, np.nan)
    own_key[sub], partner_key[sub] = my_lat, np.where(paired, p_lat, np.nan)
    given = np.flatnonzero(
        ~has_cpr & column_mapped(o, "lat_deg", _known) & column_mapped(o, "lon_deg", _known)
    )
    if len(given) == n:  # every row a given position (a state-vector batch): no gathers
        lat[:], lon[:] = o.lat_deg, o.lon_deg
    else:
        lat[given] = column_at(o, "lat_deg", given)
        lon[given] = column_at(o, "lon_deg", given)
    found = np.flatnonzero(~np.isnan(lat))
    cand = gate_by_priority(found, o, cols, row_of, cfg.stale_after_s, stats.rejected, rows)
    limit_kt = np.full(n, cfg.max_speed_kt)
    # Only CPR fixes are held to their groundspeed: decoded feeds (state vectors, SBS) carry
    # positions older than their velocity (OpenSky's time_position), and no CPR partner.
    # (Their limits are computed for them alone: a state-vector batch has none.)
    held_to_gs = cand[rows_read(has_cpr, cand)]
    if len(held_to_gs):
        gs_index = last_at(gs_rows, held_to_gs, start_of_row_all)
        gs_ok = gs_index >= 0
        gs_at = np.maximum(gs_index, 0)
        rows_gs = row_of[held_to_gs]
        limit_kt[held_to_gs] = plausible.speed_limits_kt(
            cfg.max_speed_kt,
            np.where(gs_ok, column_at(o, "groundspeed_kt", gs_at), cols["groundspeed_kt"][rows_gs]),
            np.where(gs_ok, t[gs_at], cols["groundspeed_kt_t"][rows_gs]),
            t[held_to_gs],
        )
    return _plausibility_walk(
        table,
        cfg,
        cand,
        lat,
        lon,
        t,
        row_of,
        o,
        stats,
        partner_t,
        limit_kt,
        indep,
        (own_key, partner_key),
    )


def has_cpr_frame(cpr_odd: npt.NDArray[np.int8]) -> B:
    """Whether a row carries a CPR frame (its parity, 0 or 1; -1: none). For
    :func:`~flyvakt.model.deferred.column_mapped`: a batch with none (state vectors) is told
    so without the column gathered in sorted order."""
    return np.asarray(cpr_odd >= 0, dtype=np.bool_)


def _known(values: F64) -> B:
    """Not NaN (a given position's coordinate): ``v == v``, one pass, where ``~isnan`` is two."""
    return np.asarray(values == values, dtype=np.bool_)


# The surface quadrant candidates' reference points (lat, lon), 90° apart: one per quadrant.
_QUADRANTS = np.array([(a, b) for a in (45.0, -45.0) for b in (-135.0, -45.0, 45.0, 135.0)])


def _surface_global(
    cfg: TrackerConfig,
    e_lat: F64,
    e_lon: F64,
    d_lat: F64,
    d_lon: F64,
    odd: B,
    gs: B,
    ref_lat: F64,
    ref_lon: F64,
    lat: F64,
    lon: F64,
    stats: TrackStats,
    start_of_row: I64,
) -> None:
    """Surface pairs: resolve the quadrant with the own position, else the nearest airport."""
    own = np.flatnonzero(gs & ~np.isnan(ref_lat))
    if len(own):
        la, lo, ok = cpr.global_surface(
            e_lat[own], e_lon[own], d_lat[own], d_lon[own], odd[own], ref_lat[own], ref_lon[own]
        )
        lat[own] = np.where(ok, la, np.nan)
        lon[own] = np.where(ok, lo, np.nan)
    rest = np.flatnonzero(gs & np.isnan(ref_lat))
    if len(rest) == 0:
        return
    if not cfg.surface_refs_lat:
        stats.rejected["surface_no_reference"] += len(rest)
        return
    # Resolve every unresolved surface pair against the reference points (8 quadrant candidates
    # each, decoded and looked up in one call): each pair on its own, so one damaged pair
    # cannot set the quadrant of the others (rule 4 of flyvakt.track.plausible). A pair with no
    # reference point near any candidate uses the first pair of its aircraft as reference.
    s = start_of_row[rest]
    new_group = np.empty(len(rest), dtype=np.bool_)
    new_group[0] = True
    np.not_equal(s[1:], s[:-1], out=new_group[1:])
    group = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]  # each row's first in ``rest``
    k = len(rest)
    la, lo, ok = cpr.global_surface_quadrants(
        e_lat[rest], e_lon[rest], d_lat[rest], d_lon[rest], odd[rest], _QUADRANTS
    )
    d = np.where(ok, cfg.ref_index().nearest_nm(la, lo, cfg.surface_ref_max_nm), np.inf)
    # The first quadrant (in _QUADRANTS order) at the least distance; none where all are inf.
    best = np.argmin(d.reshape(len(_QUADRANTS), k), axis=0) * k + np.arange(k)
    good = d[best] <= cfg.surface_ref_max_nm
    own_lat, own_lon = np.where(good, la[best], np.nan), np.where(good, lo[best], np.nan)
    r_lat = np.where(good, own_lat, own_lat[group])
    r_lon = np.where(good, own_lon, own_lon[group])
    la, lo, ok = cpr.global_surface(
        e_lat[rest], e_lon[rest], d_lat[rest], d_lon[rest], odd[rest], r_lat, r_lon
    )
    ok &= ~np.isnan(r_lat)
    lat[rest] = np.where(ok, la, np.nan)
    lon[rest] = np.where(ok, lo, np.nan)
    if not ok.all():
        stats.rejected["surface_no_reference"] += int((~ok).sum())


def _plausibility_walk(
    table: StateTable,
    cfg: TrackerConfig,
    cand: I64,
    lat: F64,
    lon: F64,
    t: F64,
    row_of: I64,
    o: ObservationBatch,
    stats: TrackStats,
    partner_t: F64,
    limit_kt: F64,
    indep: B,
    keys: tuple[F64, F64],
) -> dict[str, npt.NDArray[Any]]:
    """Accept a fix only if reachable from the last accepted one at a plausible speed."""
    cols = table.cols
    none = np.zeros(0, dtype=np.int64)
    if len(cand) == 0:
        return {"index": cand, "lat": lat[cand], "lon": lon[cand], "held": none,
                "held_lat": lat[none], "held_lon": lon[none], "release": none,
                "drop": none}  # fmt: skip
    # Fast path, vectorised: where every fix of an aircraft is reachable from the one before it
    # (and the first from the state), the sequential walk would accept them all.
    # (``cand`` is sorted and distinct: :mod:`flyvakt.track.gather` copies where it is every row)
    # (read only, before the walk writes ``lat``/``lon``: the arrays themselves at every row)
    rows_c = rows_read(row_of, cand)
    first = first_of_run(rows_c)
    lat_c, lon_c, t_c = rows_read(lat, cand), rows_read(lon, cand), rows_read(t, cand)
    # The state is read at each aircraft's first fix only (the rest follow their fix before).
    starts_c = np.flatnonzero(first)
    run_rows = rows_c[starts_c]
    prev_lat, prev_lon, prev_t = (
        shifted(lat_c, np.nan),
        shifted(lon_c, np.nan),
        shifted(t_c, np.nan),
    )
    prev_lat[starts_c] = cols["lat_deg"][run_rows]
    prev_lon[starts_c] = cols["lon_deg"][run_rows]
    prev_t[starts_c] = cols["pos_t"][run_rows]
    with np.errstate(invalid="ignore"):
        allowed = cfg.jump_slack_nm + np.abs(t_c - prev_t) * (rows_read(limit_kt, cand) / 3600.0)
        ok = np.isnan(prev_lat) | within_nm(prev_lat, prev_lon, lat_c, lon_c, allowed)
    ok &= (np.abs(lat_c) <= 90.0) & (np.abs(lon_c) <= 180.0)
    # An aircraft walks if any of its fixes fails or it has rejects pending (its fixes are
    # consecutive in ``cand``: one reduction per aircraft, no set operations).
    # A first surface fix, or a provisional track, walks too (rule 4 of flyvakt.track.plausible).
    # (A fix's own latitude is known: one with none before it is its aircraft's first.)
    bad_run = np.logical_or.reduceat(~ok, starts_c)
    bad_run |= (cols["pos_rejects"][run_rows] > 0) | cols["pos_provisional"][run_rows]
    new_c = cand[starts_c[np.isnan(prev_lat[starts_c])]]
    if len(new_c):
        odd_c, surface_c = columns_at(o, ("cpr_odd", "cpr_surface"), new_c)
        surface_first = (odd_c >= 0) & surface_c
        bad_run[np.isnan(prev_lat[starts_c])] |= surface_first
    if bad_run.any():
        slow = bad_run[np.cumsum(first) - 1]
        fast, walking = cand[np.flatnonzero(~slow)], cand[np.flatnonzero(slow)]
    else:  # (a state-vector batch: no aircraft walks)
        fast, walking = cand, cand[:0]
    if len(fast):
        fr = rows_read(row_of, fast)
        final = np.flatnonzero(last_of_run(fr))  # (indices: two reads of a mask cost more)
        fast_rows, fast_last = fr[final], fast[final]
        cols["lat_deg"][fast_rows] = lat[fast_last]
        cols["lon_deg"][fast_rows] = lon[fast_last]
        cols["pos_t"][fast_rows] = t[fast_last]
    walked, held, release, drop = plausible.walk(
        cols,
        cfg,
        walking,
        lat,
        lon,
        t,
        partner_t,
        limit_kt,
        row_of,
        o,
        stats.rejected,
        indep,
        keys,
    )
    # ``fast`` is sorted (a part of ``cand``): only walked rows need a sort, and in a state-
    # vector replay every row is a fix and nearly none walks (a list of every row was 4 ms of
    # each 65,536-row step).
    idx = fast.astype(np.int64, copy=False)
    if walked:
        idx = np.sort(np.concatenate([idx, np.asarray(walked, dtype=np.int64)]))
    hidx = np.sort(np.asarray(held, dtype=np.int64))
    both = union_sorted(idx, hidx) if len(hidx) else idx
    if len(both):
        # Each aircraft's last accepted or held row (its rows are consecutive in ``both``)
        # sets its position's source and surface flag, as a write at every row would.
        r = rows_read(row_of, both)
        end = np.flatnonzero(last_of_run(r))
        last, r = both[end], r[end]
        source, on_ground, surface = columns_at(o, ("source", "on_ground", "cpr_surface"), last)
        cols["pos_src"][r] = source
        cols["pos_surface"][r] = surface | (on_ground == 1)
    icao = cols["icao24"]
    return {
        "index": idx,
        # (read only: copied into the positions; ``lat``/``lon`` are not written after this)
        "lat": rows_read(lat, idx),
        "lon": rows_read(lon, idx),
        "held": hidx,
        "held_lat": lat[hidx],
        "held_lon": lon[hidx],
        # Addresses whose fixes held in earlier steps are output now, or dropped.
        "release": icao[np.asarray(sorted(release), dtype=np.int64)].astype(np.int64),
        "drop": icao[np.asarray(sorted(drop), dtype=np.int64)].astype(np.int64),
    }
