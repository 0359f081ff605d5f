"""The tracker: ``step(state, observations, config) -> (state, positions, stats)``.

Pure and batch-oriented. Observations are sorted by (address, time) once; every per-aircraft
question ("what was the last even CPR frame before this one?", "what altitude held at this
fix?") is then a forward fill of row indices inside each aircraft's run of rows, which NumPy does
for the whole batch at once. The only per-row Python is the plausibility walk over candidate
fixes, a minority of messages, because accepting a fix depends on the previous accepted one.

Causality: every decision uses only earlier rows and the state, so a batch split in two gives
the same state and positions as the batch whole (tested with hypothesis).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import haversine_nm
from flyvakt.model import ObservationBatch, PositionBatch, Source
from flyvakt.model.batches import SOURCE_PRIORITY, receiver_set
from flyvakt.model.runs import first_of_run, last_of_run, runs_by_key, shifted
from flyvakt.track import confirm, cpr, plausible, silence
from flyvakt.track.priority import gate_by_priority
from flyvakt.track.refs import RefIndex
from flyvakt.track.table import TRACKED_FIELDS, StateTable

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TrackerConfig:
    # Mode S replies without CRC-checked address (DF0/4/5/16/20/21) name an address only through
    # the parity overlay: any bit error yields a plausible, wrong address. Accept them only for
    # an aircraft heard with a checked address this recently (readsb keeps a similar filter).
    confirm_window_s: float = 60.0
    # DO-260B: an even/odd pair decodes globally only if received within 10 s (airborne) or
    # 25 s (surface, where aircraft move slowly); older pairs can straddle a zone boundary.
    pair_window_air_s: float = 10.0
    pair_window_surface_s: float = 25.0
    # Local decoding needs a reference within half a zone (≈180 NM airborne, ≈45 NM surface).
    # At 600 kt an aircraft covers 50 NM in 5 min, so a 5-min-old own position is a safe
    # airborne reference; on the surface 10 min at taxi speed is a few NM.
    local_ref_max_age_air_s: float = 300.0
    local_ref_max_age_surface_s: float = 600.0
    # Plausibility: the fastest civil and most military traffic stays below ~1,000 kt ground
    # speed; 1,300 kt leaves room for timestamp jitter. The fixed slack covers CPR resolution,
    # receiver clock noise and the first fix after a short gap.
    max_speed_kt: float = 1300.0
    jump_slack_nm: float = 0.5
    # After this many consecutive rejected fixes that agree with each other, the old position is
    # taken to be the wrong one (e.g. a bad first fix) and the track resets to the new fixes.
    reset_after_rejects: int = 3
    # Field values older than this lose their source priority (readsb's "stale" age), so a
    # lower-priority source may replace them.
    stale_after_s: float = 30.0
    # A field value older than this at a fix is missing there, not carried (missing is missing:
    # the detector must tell "not reported" from "reported"). Velocity and airborne position
    # messages (altitude, groundspeed, track, vertical rate) are broadcast at 2 Hz, so 15 s is
    # 30 missed messages; surface positions carry no altitude, and state-vector sources leave
    # cells empty for hours (a single vertical rate of the adsb.lol traces was otherwise carried
    # onto every later row). Ground flags ride on most Mode S replies: 60 s. Identity (callsign,
    # squawk) does not go stale.
    field_max_age_s: tuple[tuple[str, float], ...] = (
        ("altitude_baro_ft", 15.0),
        ("altitude_gnss_ft", 15.0),
        ("groundspeed_kt", 15.0),
        ("track_deg", 15.0),
        ("vertical_rate_fpm", 15.0),
        ("on_ground", 60.0),
    )
    # Reference points for the surface-position quadrant ambiguity when an aircraft has no
    # position yet: airports (and/or the receiver). Arrays of lat/lon in degrees.
    surface_refs_lat: tuple[float, ...] = ()
    surface_refs_lon: tuple[float, ...] = ()
    # A surface first fix is accepted only if an airport/receiver reference lies this close:
    # the quadrant candidates are 90° apart, so anything under a few hundred NM is unambiguous,
    # and 30 NM keeps out decodes that would put an aircraft on the ground far from any airport.
    surface_ref_max_nm: float = 30.0
    # Why 300 s: readsb forgets an aircraft after five minutes of silence; heard again, it starts
    # afresh (new CPR pair, confirmation, identity). The pipeline's expiry sweep uses the same.
    forget_after_s: float = 300.0
    _index: Any = field(default=None, compare=False, hash=False, repr=False)

    def ref_index(self) -> RefIndex:
        """The grid index over the surface reference points, built on first use."""
        if self._index is None:
            idx = RefIndex(np.asarray(self.surface_refs_lat), np.asarray(self.surface_refs_lon))
            object.__setattr__(self, "_index", idx)
        return self._index  # type: ignore[no-any-return]


@dataclass
class TrackStats:
    observations: int = 0
    positions: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def merge(self, other: TrackStats) -> None:
        self.observations += other.observations
        self.positions += other.positions
        self.rejected.update(other.rejected)


@dataclass
class TrackerState:
    table: StateTable = field(default_factory=StateTable)
    # First frames of never-seen addresses awaiting a second one (flyvakt.track.confirm).
    pending: ObservationBatch = field(default_factory=lambda: ObservationBatch.empty(0))


def _ffill_index(valid: B, starts_of_row: I64) -> I64:
    """For each row, the index of the last row at or before it (same aircraft) where ``valid``.

    -1 where there is none. ``starts_of_row`` is the index of the first row of each row's run.
    """
    idx = np.where(valid, np.arange(len(valid)), -1)
    np.maximum.accumulate(idx, out=idx)
    idx[idx < starts_of_row] = -1
    return idx


def _valid_mask(values: npt.NDArray[Any]) -> B:
    if values.dtype == object:
        return np.asarray(np.not_equal(values, np.array(None, dtype=object)), dtype=np.bool_)
    if values.dtype.kind == "f":
        return np.asarray(~np.isnan(values), dtype=np.bool_)
    return np.asarray(values >= 0, dtype=np.bool_)


def step(
    state: TrackerState, obs: ObservationBatch, config: TrackerConfig | None = None
) -> tuple[TrackerState, PositionBatch, TrackStats]:
    """Apply one batch of observations; return accepted positions in time order per aircraft."""
    cfg = config or TrackerConfig()
    if len(obs) == 0:
        return state, PositionBatch.empty(0), TrackStats()
    # Sorted by (address, time) with the pending frames of its addresses. The rows dropped
    # below (confirmation, parity addresses) are cut from the index first: each column is
    # copied once, in sorted order, when the step reads it.
    o, state.pending = confirm.sorted_with_pending(state.pending, obs)
    gen = silence.generations(state.table, o, cfg.forget_after_s)
    if gen is None:
        return _step_sorted(state, o, cfg)
    stats = TrackStats()  # aircraft silent for forget_after_s start afresh (track/silence.py)
    pos, parts = silence.by_generation(
        state.table, o, gen, lambda g: _step_sorted(state, g, cfg)[1:]
    )
    for part in parts:
        stats.merge(part)
    return state, pos, stats


def _step_sorted(
    state: TrackerState, o: ObservationBatch, cfg: TrackerConfig
) -> tuple[TrackerState, PositionBatch, TrackStats]:
    stats = TrackStats(observations=len(o))
    table = state.table
    o, keep, state.pending = confirm.confirm_new(table, state.pending, o, stats.rejected)
    o = _filter_addresses(table, o, keep, cfg, stats)
    n = len(o)
    if n == 0:
        return state, PositionBatch.empty(0), stats

    icao = o.icao24
    runs = runs_by_key(icao)
    starts, gid, ends = runs.starts, runs.gid, runs.ends
    start_of_row = runs.start_of_row
    rows = table.rows_for(icao[starts], o.time_s[starts])
    row_of = rows[gid]
    cols = table.cols

    # Per field, the rows whose value the aircraft holds by the source preference (sorted row
    # indices); the fixes' context and the state read the last of them at or before a row.
    prio = SOURCE_PRIORITY[o.source]
    mixed = bool(prio.min() != prio.max())  # one source in the batch: no per-field levels
    carried = {name: np.flatnonzero(_valid_mask(getattr(o, name))) for name in TRACKED_FIELDS}
    held = {
        name: _held_rows(v, prio, mixed, o.time_s, start_of_row, cols, name, row_of, cfg)
        for name, v in carried.items()
    }

    # The plausibility limit reads the last groundspeed of any source.
    pos = _decode_positions(table, o, cfg, start_of_row, row_of, stats, carried["groundspeed_kt"])
    positions = _context(table, o, pos, held, row_of, start_of_row, cfg)
    stats.positions = len(positions)

    # Per-aircraft meta.
    cols["last_seen_s"][rows] = np.fmax(cols["last_seen_s"][rows], o.time_s[ends])
    cols["messages"][rows] += ends - starts + 1
    checked_t = np.where(o.address_checked, o.time_s, -np.inf)
    cols["confirmed_s"][rows] = np.maximum(
        cols["confirmed_s"][rows], np.maximum.reduceat(checked_t, starts)
    )

    # Field updates: the value held at the end of each aircraft's run, if newer than the state.
    for name in TRACKED_FIELDS:
        run, li = _last_per_run(held[name], gid)
        if not len(li):
            continue
        r = rows[run]
        t_new = o.time_s[li]
        src_new = SOURCE_PRIORITY[o.source[li]]
        t_old = cols[f"{name}_t"][r]
        src_old = SOURCE_PRIORITY[cols[f"{name}_src"][r]]
        ok = (t_new >= t_old) & ((src_new >= src_old) | (t_new - t_old > cfg.stale_after_s))
        r, li = r[ok], li[ok]
        cols[name][r] = getattr(o, name)[li]
        cols[f"{name}_t"][r] = o.time_s[li]
        cols[f"{name}_src"][r] = o.source[li]

    _remember_cpr(table, o, start_of_row, ends, rows)
    return state, positions, stats


def _last_at(keep: I64, at: I64, start_of_row: I64) -> I64:
    """For each row in ``at``, the last row of ``keep`` (sorted) at or before it in the same
    aircraft's run; -1 where there is none. Costs the queries, not the batch."""
    j = np.searchsorted(keep, at, side="right") - 1
    found = keep[np.maximum(j, 0)] if len(keep) else np.zeros(len(at), dtype=np.int64)
    return np.where((j >= 0) & (found >= start_of_row[at]), found, -1)


def _last_per_run(keep: I64, gid: I64) -> tuple[I64, I64]:
    """(runs, rows): the last row of ``keep`` (sorted) in each run that has one; ``gid`` is
    each row's run. Costs the rows of ``keep``, not a search per run."""
    g = gid[keep]
    last = np.empty(len(keep), dtype=np.bool_)
    if len(keep):
        last[-1] = True
        np.not_equal(g[1:], g[:-1], out=last[:-1])
    return g[last], keep[last]


def _held_rows(
    v: I64,
    prio: npt.NDArray[Any],
    mixed: bool,
    t: F64,
    start_of_row: I64,
    cols: dict[str, npt.NDArray[Any]],
    name: str,
    row_of: I64,
    cfg: TrackerConfig,
) -> I64:
    """Of the rows ``v`` carrying the field (sorted), those whose value the aircraft holds: a
    value replaces the held one unless that came from a better source within ``stale_after_s``
    (readsb's rule). Applied row by row, so a batch split anywhere holds the same values as the
    batch whole (exact for two source priorities, as in raw Mode S feeds: ADS-B over replies).
    Costs the rows carrying the field; the levels pass runs only where it has two sources."""
    if len(v) == 0:
        return v
    stale = cfg.stale_after_s
    pv, tv = prio[v], t[v]
    lowest = pv.min()
    rv = row_of[v]  # the state of the rows carrying the field only (not of every aircraft)
    st_prio = SOURCE_PRIORITY[cols[f"{name}_src"][rv]]
    blocked = np.zeros(len(v), dtype=np.bool_)
    if (st_prio > lowest).any():
        with np.errstate(invalid="ignore"):
            blocked = (st_prio > pv) & (tv - cols[f"{name}_t"][rv] <= stale)
    if mixed and pv.max() != lowest:
        levels = np.flatnonzero(np.bincount(pv))
        sv = start_of_row[v]
        first = first_of_run(sv)
        start_v = np.flatnonzero(first)[np.cumsum(first) - 1]  # run starts among ``v``
        for q in levels[1:].tolist():
            lq = _ffill_index(pv == q, start_v)
            blocked |= (pv < q) & (lq >= 0) & (tv - tv[np.maximum(lq, 0)] <= stale)
    return v[~blocked] if blocked.any() else v


def _filter_addresses(
    table: StateTable, o: ObservationBatch, keep: B | None, cfg: TrackerConfig, stats: TrackStats
) -> ObservationBatch:
    """The rows of ``o`` in ``keep`` (None: all), without those whose address was recovered
    from parity and is not recently confirmed; one copy for both.

    Judged on all of ``o``, not only the kept rows: the same answer for every kept row, because
    confirmation keeps every row of a known aircraft, and of a new one every checked row from
    its confirming pair on, so the last checked row before a kept one is always kept."""
    if o.address_checked.all():
        return o if keep is None else o.take(keep)
    icao = o.icao24
    runs = runs_by_key(icao)
    starts, start_of_row = runs.starts, runs.start_of_row
    known = table.lookup(icao[starts])
    known_conf = np.where(known >= 0, table.cols["confirmed_s"][np.maximum(known, 0)], -np.inf)
    state_conf = known_conf[runs.gid]
    last_checked = _ffill_index(o.address_checked, start_of_row)
    conf_t = np.where(last_checked >= 0, o.time_s[np.maximum(last_checked, 0)], state_conf)
    ok = o.address_checked | (o.time_s - conf_t <= cfg.confirm_window_s)
    if keep is not None:
        bad = int(np.count_nonzero(keep & ~ok))
        ok &= keep
    else:
        bad = len(o) - int(np.count_nonzero(ok))
    if bad:
        stats.rejected["unconfirmed_address"] += bad
    return o if keep is None and not bad else o.take(ok)


def _decode_positions(
    table: StateTable,
    o: ObservationBatch,
    cfg: TrackerConfig,
    start_of_row: I64,
    row_of: I64,
    stats: TrackStats,
    gs_rows: I64,
) -> dict[str, npt.NDArray[Any]]:
    """Candidate fixes (CPR decoded, or given), then the plausibility walk. Returns accepted.

    ``gs_rows``: the rows carrying a groundspeed (sorted), for the last one before each fix.
    """
    cols = table.cols
    # Pairing and CPR decoding look at the CPR rows only (a minority: most messages carry no
    # position), in the same (address, time) order; results go back to all rows below.
    sub = np.flatnonzero(o.cpr_odd >= 0)
    row_of_all, start_of_row_all, n = row_of, start_of_row, sub.size
    parity = o.cpr_odd[sub]
    surf = o.cpr_surface[sub]
    has_cpr = np.ones(n, dtype=np.bool_)
    t = o.time_s[sub]
    raw_lat, raw_lon = o.cpr_lat[sub], o.cpr_lon[sub]
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
            fi = _ffill_index(sel, start_of_row) if sel.any() else np.full(n, -1)
            inb = target & (fi >= 0)
            p_lat[inb] = raw_lat[fi[inb]]
            p_lon[inb] = raw_lon[fi[inb]]
            p_t[inb] = t[fi[inb]]
            st = target & (fi < 0)
            r = row_of[st]
            same_kind = cols[f"cpr{want}_surface"][r] == kind
            p_lat[st] = np.where(same_kind, cols[f"cpr{want}_lat"][r], np.nan)
            p_lon[st] = np.where(same_kind, cols[f"cpr{want}_lon"][r], np.nan)
            p_t[st] = np.where(same_kind, cols[f"cpr{want}_t"][r], -np.inf)
    window = np.where(surf, cfg.pair_window_surface_s, cfg.pair_window_air_s)
    paired = has_cpr & ~np.isnan(p_lat) & (t - p_t <= window) & (t >= p_t)
    # The other frame (or reference) each fix leans on: see flyvakt.track.plausible.
    partner_t = np.where(paired, p_t, np.nan)

    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    odd = parity == 1
    my_lat = raw_lat.astype(np.float64)
    my_lon = raw_lon.astype(np.float64)
    e_lat = np.where(odd, p_lat, my_lat)
    e_lon = np.where(odd, p_lon, my_lon)
    d_lat = np.where(odd, my_lat, p_lat)
    d_lon = np.where(odd, my_lon, p_lon)

    ga = paired & ~surf
    if ga.any():
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
    anchor = _ffill_index(~np.isnan(lat), start_of_row)
    fresh = anchor >= 0
    ref_lat = np.where(fresh, lat[np.maximum(anchor, 0)], ref_lat)
    ref_lon = np.where(fresh, lon[np.maximum(anchor, 0)], ref_lon)
    ref_t = np.where(fresh, t[np.maximum(anchor, 0)], ref_t)

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
        anchor = _ffill_index(~np.isnan(lat), start_of_row)
        fresh = anchor >= 0
        ref_lat = np.where(fresh, lat[np.maximum(anchor, 0)], cols["lat_deg"][row_of])
        ref_lon = np.where(fresh, lon[np.maximum(anchor, 0)], cols["lon_deg"][row_of])
        ref_t = np.where(fresh, t[np.maximum(anchor, 0)], cols["pos_t"][row_of])
        max_age = np.where(surf, cfg.local_ref_max_age_surface_s, cfg.local_ref_max_age_air_s)
        usable = loc & ~np.isnan(ref_lat) & (t - ref_t <= max_age)
        if usable.any():
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
        if (loc & ~usable).any():
            stats.rejected["cpr_no_pair_or_reference"] += int((loc & ~usable).sum())

    # Back to all rows: CPR fixes where decoded, given positions (decoded feeds) elsewhere.
    n, t, row_of, has_cpr = len(o), o.time_s, row_of_all, o.cpr_odd >= 0
    lat_c, lon_c, partner_c = lat, lon, partner_t
    lat, lon, partner_t = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    lat[sub], lon[sub], partner_t[sub] = lat_c, lon_c, partner_c
    given = ~has_cpr & ~np.isnan(o.lat_deg) & ~np.isnan(o.lon_deg)
    lat[given] = o.lat_deg[given]
    lon[given] = o.lon_deg[given]
    found = np.flatnonzero(~np.isnan(lat))
    cand = gate_by_priority(found, o, cols, row_of, cfg.stale_after_s, stats.rejected)
    gs_index = _last_at(gs_rows, cand, start_of_row_all)
    gs_ok = gs_index >= 0
    gs_at = np.maximum(gs_index, 0)
    limit_kt = np.full(n, cfg.max_speed_kt)
    # Only CPR fixes are held to their groundspeed: decoded feeds (state vectors, SBS) carry
    # positions older than their velocity (OpenSky's time_position), and no CPR partner.
    limit_kt[cand] = np.where(
        has_cpr[cand],
        plausible.speed_limits_kt(
            cfg.max_speed_kt,
            np.where(gs_ok, o.groundspeed_kt[gs_at], cols["groundspeed_kt"][row_of[cand]]),
            np.where(gs_ok, t[gs_at], cols["groundspeed_kt_t"][row_of[cand]]),
            t[cand],
        ),
        cfg.max_speed_kt,
    )
    return _plausibility_walk(table, cfg, cand, lat, lon, t, row_of, o, stats, partner_t, limit_kt)


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
    own = gs & ~np.isnan(ref_lat)
    if own.any():
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
    # Resolve the first unresolved surface pair of each aircraft against the reference points
    # (8 quadrant candidates each, decoded and looked up in one call); later pairs of the same
    # aircraft use that fix as reference.
    s = start_of_row[rest]
    new_group = np.empty(len(rest), dtype=np.bool_)
    new_group[0] = True
    np.not_equal(s[1:], s[:-1], out=new_group[1:])
    first = rest[new_group]
    group = np.cumsum(new_group) - 1  # per row of ``rest``: its aircraft among ``first``
    k = len(first)
    q = np.tile(first, len(_QUADRANTS))
    la, lo, ok = cpr.global_surface(
        e_lat[q], e_lon[q], d_lat[q], d_lon[q], odd[q],
        np.repeat(_QUADRANTS[:, 0], k), np.repeat(_QUADRANTS[:, 1], k),
    )  # fmt: skip
    d = np.where(ok, cfg.ref_index().nearest_nm(la, lo, cfg.surface_ref_max_nm), np.inf)
    # The first quadrant (in _QUADRANTS order) at the least distance; none where all are inf.
    best = np.argmin(d.reshape(len(_QUADRANTS), k), axis=0) * k + np.arange(k)
    good = d[best] <= cfg.surface_ref_max_nm
    r_lat = np.where(good, la[best], np.nan)[group]
    r_lon = np.where(good, lo[best], np.nan)[group]
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
) -> dict[str, npt.NDArray[Any]]:
    """Accept a fix only if reachable from the last accepted one at a plausible speed."""
    cols = table.cols
    if len(cand) == 0:
        return {"index": cand, "lat": lat[cand], "lon": lon[cand]}
    # Fast path, vectorised: where every fix of an aircraft is reachable from the one before it
    # (and the first from the state), the sequential walk would accept them all.
    rows_c = row_of[cand]
    first = first_of_run(rows_c)
    prev_lat = np.where(first, cols["lat_deg"][rows_c], shifted(lat[cand], np.nan))
    prev_lon = np.where(first, cols["lon_deg"][rows_c], shifted(lon[cand], np.nan))
    prev_t = np.where(first, cols["pos_t"][rows_c], shifted(t[cand], np.nan))
    with np.errstate(invalid="ignore"):
        d = haversine_nm(prev_lat, prev_lon, lat[cand], lon[cand])
        allowed = cfg.jump_slack_nm + np.abs(t[cand] - prev_t) * (limit_kt[cand] / 3600.0)
        ok = np.isnan(prev_lat) | (d <= allowed)
    ok &= (np.abs(lat[cand]) <= 90.0) & (np.abs(lon[cand]) <= 180.0)
    # An aircraft walks if any of its fixes fails or it has rejects pending (its fixes are
    # consecutive in ``cand``: one reduction per aircraft, no set operations).
    bad = ~ok | (cols["pos_rejects"][rows_c] > 0)
    starts_c = np.flatnonzero(first)
    slow = np.logical_or.reduceat(bad, starts_c)[np.cumsum(first) - 1]
    fast = cand[~slow]
    if len(fast):
        fr = row_of[fast]
        final = last_of_run(fr)
        fast_rows = fr[final]
        cols["lat_deg"][fast_rows] = lat[fast][final]
        cols["lon_deg"][fast_rows] = lon[fast][final]
        cols["pos_t"][fast_rows] = t[fast][final]
    accepted: list[int] = fast.tolist()
    accepted += plausible.walk(
        cols, cfg, cand[slow], lat, lon, t, partner_t, limit_kt, row_of, o, stats.rejected
    )
    idx = np.sort(np.asarray(accepted, dtype=np.int64))
    if len(idx):
        r = row_of[idx]
        cols["pos_src"][r] = o.source[idx]
        cols["pos_surface"][r] = o.cpr_surface[idx] | (o.on_ground[idx] == 1)
    return {"index": idx, "lat": lat[idx], "lon": lon[idx]}


def _context(
    table: StateTable,
    o: ObservationBatch,
    pos: dict[str, npt.NDArray[Any]],
    held: dict[str, I64],
    row_of: I64,
    start_of_row: I64,
    cfg: TrackerConfig,
) -> PositionBatch:
    """Positions with the field values that held at each fix (batch first, then state)."""
    idx = pos["index"]
    out = PositionBatch.empty(len(idx))
    if len(idx) == 0:
        return out
    out.time_s[:] = o.time_s[idx]
    out.icao24[:] = o.icao24[idx]
    out.lat_deg[:] = pos["lat"]
    out.lon_deg[:] = pos["lon"]
    out.source[:] = o.source[idx]
    out.receivers[:] = receiver_set(o.receivers[idx], o.receiver[idx])
    rows = row_of[idx]
    t = out.time_s
    max_age = dict(cfg.field_max_age_s)
    for name in (
        "altitude_baro_ft",
        "altitude_gnss_ft",
        "groundspeed_kt",
        "track_deg",
        "vertical_rate_fpm",
        "on_ground",
        "callsign",
        "squawk",
    ):
        fi = _last_at(held[name], idx, start_of_row)
        inb = fi >= 0
        vals = np.where(inb, getattr(o, name)[np.maximum(fi, 0)], table.cols[name][rows])
        if name in max_age:
            when = np.where(inb, o.time_s[np.maximum(fi, 0)], table.cols[f"{name}_t"][rows])
            vals = np.where(t - when > max_age[name], PositionBatch._defaults[name][1], vals)
        getattr(out, name)[:] = vals
    # A surface CPR fix is on the ground and an airborne CPR fix is airborne, whatever an older
    # flight-status bit said.
    has_cpr = o.cpr_odd[idx] >= 0
    out.on_ground[:] = np.where(has_cpr, o.cpr_surface[idx].astype(np.int8), out.on_ground)
    return out


def _remember_cpr(
    table: StateTable, o: ObservationBatch, start_of_row: I64, ends: I64, rows: I64
) -> None:
    cols = table.cols
    for p in (0, 1):
        fi = _ffill_index(o.cpr_odd == p, start_of_row)[ends]
        has = fi >= 0
        r, li = rows[has], fi[has]
        cols[f"cpr{p}_lat"][r] = o.cpr_lat[li]
        cols[f"cpr{p}_lon"][r] = o.cpr_lon[li]
        cols[f"cpr{p}_t"][r] = o.time_s[li]
        cols[f"cpr{p}_surface"][r] = o.cpr_surface[li]


def expire(state: TrackerState, now_s: float, silence_s: float = 300.0) -> list[int]:
    """Forget aircraft not heard for ``silence_s``; return their addresses.

    Five minutes is readsb's default for dropping an aircraft from the live table; history is
    kept by the store, not here.
    """
    table = state.table
    live = table.live_rows()
    if len(live) == 0:
        return []
    gone = live[table.cols["last_seen_s"][live] < now_s - silence_s]
    addresses = [int(a) for a in table.cols["icao24"][gone].tolist()]
    table.drop_many(addresses)
    return addresses


__all__ = [
    "Source",
    "TrackStats",
    "TrackerConfig",
    "TrackerState",
    "expire",
    "step",
]
