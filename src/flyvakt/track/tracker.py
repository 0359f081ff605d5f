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

from flyvakt.model import ObservationBatch, PositionBatch, Source
from flyvakt.model.batches import SOURCE_PRIORITY, receiver_set
from flyvakt.model.deferred import column_at, column_mapped, columns_at, columns_mapped
from flyvakt.model.nones import not_none
from flyvakt.model.runs import ffill_index, last_at, rows_where
from flyvakt.track import confirm, silence
from flyvakt.track.fixes import decode_positions, has_cpr_frame
from flyvakt.track.gather import rows_of
from flyvakt.track.held import _TOP_PRIORITY, _held_rows, _last_per_run
from flyvakt.track.merge import member_of, merged_by_address_time
from flyvakt.track.refs import RefIndex
from flyvakt.track.table import TRACKED_FIELDS, Keyed, StateTable

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
    # Provisional first fixes held from earlier steps, output once confirmed (rule 4 of
    # flyvakt.track.plausible).
    held: PositionBatch = field(default_factory=lambda: PositionBatch.empty(0))


def _valid_mask(values: npt.NDArray[Any]) -> B:
    if values.dtype == object:  # (by identity: ~1 instruction a cell, not ~140)
        return not_none(values)
    if values.dtype.kind == "f":  # not NaN: ``v == v`` is one pass (~1.2 instructions a
        return np.asarray(values == values, dtype=np.bool_)  # value), ``~isnan`` two (~2.1)
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
    keyed = Keyed.of(state.table, o)
    gen = silence.generations(state.table, o, cfg.forget_after_s, keyed)
    if gen is None:
        return _step_sorted(state, o, cfg, keyed)
    stats = TrackStats()  # aircraft silent for forget_after_s start afresh (track/silence.py)
    pos, parts = silence.by_generation(
        state.table, o, gen, lambda g, k: _step_sorted(state, g, cfg, k)[1:], keyed
    )
    for part in parts:
        stats.merge(part)
    return state, pos, stats


def _step_sorted(
    state: TrackerState, o: ObservationBatch, cfg: TrackerConfig, keyed: Keyed | None = None
) -> tuple[TrackerState, PositionBatch, TrackStats]:
    """``keyed``: the runs of ``o`` and their table rows (computed here if None)."""
    stats = TrackStats(observations=len(o))
    table = state.table
    # ``keyed`` comes back for the ``o`` returned (pending frames merged in: other runs).
    o, keep, state.pending, found = confirm.confirm_new(
        table, state.pending, o, stats.rejected, keyed
    )
    keyed = found if found is not None else Keyed.of(table, o)
    o, kept = _filter_addresses(table, o, keep, cfg, stats, keyed)
    n = len(o)
    if n == 0:
        return state, PositionBatch.empty(0), stats
    if kept is not None:  # rows dropped: their runs, rows known from the runs they were in
        keyed = keyed.take(kept, o.icao24)

    icao = o.icao24
    runs = keyed.runs
    starts, gid, ends = runs.starts, runs.gid, runs.ends
    start_of_row = runs.start_of_row
    rows = table.rows_for(icao[starts], o.time_s[starts], keyed.known)
    row_of = rows[gid]
    cols = table.cols

    # Per field, the rows whose value the aircraft holds by the source preference (sorted row
    # indices); the fixes' context and the state read the last of them at or before a row.
    prio = SOURCE_PRIORITY[o.source]
    mixed = bool(prio.min() != prio.max())  # one source in the batch: no per-field levels
    # Judged on the unsorted rows and gathered as booleans: the values themselves are read
    # only at the rows that need them (column_at), never gathered whole in sorted order.
    masks = columns_mapped(o, tuple(TRACKED_FIELDS), _valid_mask)
    carried = {name: rows_where(m) for name, m in masks.items()}
    held = {
        name: _held_rows(v, prio, mixed, o.time_s, start_of_row, cols, name, (rows, row_of), cfg)
        for name, v in carried.items()
    }
    # The rows holding each field as a mask, where they are the rows carrying it (no source
    # outranked: state vectors alone), for the fixes' context.
    own = {name: masks[name] for name, v in held.items() if v is carried[name]}

    # The plausibility limit reads the last groundspeed of any source.
    gs_rows = carried["groundspeed_kt"]
    pos = decode_positions(table, o, cfg, start_of_row, row_of, stats, gs_rows, rows)
    at_rows = (row_of, start_of_row, starts)
    positions = _context(table, o, pos, (held, own), at_rows, cfg)
    positions = _hold(state, positions, pos, _context(
        table, o, {"index": pos["held"], "lat": pos["held_lat"], "lon": pos["held_lon"]},
        (held, own), at_rows, cfg,
    ), stats)  # fmt: skip
    stats.positions = len(positions)

    # Per-aircraft meta.
    cols["last_seen_s"][rows] = np.fmax(cols["last_seen_s"][rows], o.time_s[ends])
    cols["messages"][rows] += ends - starts + 1
    checked = column_mapped(o, "address_checked", _is_true)  # all (decoded feeds): not gathered
    checked_t = o.time_s if checked.all() else np.where(checked, o.time_s, -np.inf)
    cols["confirmed_s"][rows] = np.maximum(
        cols["confirmed_s"][rows], np.maximum.reduceat(checked_t, starts)
    )

    # Field updates: the value held at the end of each aircraft's run, if newer than the state.
    for name in TRACKED_FIELDS:
        run, li = _last_per_run(held[name], gid, ends)
        if not len(li):
            continue
        # (Each column read once at ``li``, cut only when some update is refused: at 50,000
        # aircraft these are gathers over ~40,000 runs per field and step.)
        r = rows_of(rows, run)
        t_new, src, p_new = o.time_s[li], o.source[li], prio[li]
        t_old = cols[f"{name}_t"][r]
        ok = t_new >= t_old
        # Values of the top source (ADS-B) alone: no state's source outranks them, so its
        # priority is not read (at 50,000 aircraft, two gathers over ~40,000 runs per field).
        if p_new.min() < _TOP_PRIORITY:
            src_old = SOURCE_PRIORITY[cols[f"{name}_src"][r]]
            ok &= (p_new >= src_old) | (t_new - t_old > cfg.stale_after_s)
        if not ok.all():
            r, li, t_new, src = r[ok], li[ok], t_new[ok], src[ok]
        cols[name][r] = column_at(o, name, li)
        cols[f"{name}_t"][r] = t_new
        cols[f"{name}_src"][r] = src

    _remember_cpr(table, o, gid, ends, rows)
    return state, positions, stats


def _hold(
    state: TrackerState,
    positions: PositionBatch,
    pos: dict[str, npt.NDArray[Any]],
    now_held: PositionBatch,
    stats: TrackStats,
) -> PositionBatch:
    """The step's positions with the earlier held fixes confirmed now (before them: they are
    older); the fixes held now replace the dropped and released ones in the state."""
    old = state.held
    if len(old) == 0 and len(now_held) == 0:
        return positions
    # The held fixes are copied only when some leave them: at a start with 50,000 new
    # aircraft ~14,000 provisional fixes wait, and a search and a copy of them per step, for
    # the few released or dropped, grew with the table.
    none = np.zeros(len(old), dtype=np.bool_)
    gone = member_of(old.icao24, pos["drop"]) if len(pos["drop"]) else none
    if gone.any():
        stats.rejected["unconfirmed_first_fix"] += int(np.count_nonzero(gone))
    out = member_of(old.icao24, pos["release"]) & ~gone if len(pos["release"]) else none
    old_kept = old.take(np.flatnonzero(~gone & ~out)) if gone.any() or out.any() else old
    state.held = PositionBatch.concat([old_kept, now_held]) if len(now_held) else old_kept
    if not out.any():
        return positions
    return merged_by_address_time(old.take(np.flatnonzero(out)), positions)


def _filter_addresses(
    table: StateTable,
    o: ObservationBatch,
    keep: B | None,
    cfg: TrackerConfig,
    stats: TrackStats,
    keyed: Keyed,
) -> tuple[ObservationBatch, B | None]:
    """The rows of ``o`` in ``keep`` (None: all), without those whose address was recovered
    from parity and is not recently confirmed; one copy for both.

    Judged on all of ``o``, not only the kept rows: the same answer for every kept row, because
    confirmation keeps every row of a known aircraft, and of a new one every checked row from
    its confirming pair on, so the last checked row before a kept one is always kept.

    Also returns the mask of the rows taken (None: all of ``o``, the same object)."""
    if column_mapped(o, "address_checked", _is_true).all():
        return (o, None) if keep is None else (o.take(keep), keep)
    runs, known = keyed
    start_of_row = runs.start_of_row
    last_checked = ffill_index(o.address_checked, start_of_row)
    conf_t = o.time_s[np.maximum(last_checked, 0)]
    # Rows with no checked row before them in the batch take the state's confirmation time:
    # written at those rows only (a run's first rows), not gathered for every row and chosen.
    miss = np.flatnonzero(last_checked < 0)
    if len(miss):
        known_conf = np.where(known >= 0, table.cols["confirmed_s"][np.maximum(known, 0)], -np.inf)
        conf_t[miss] = known_conf[runs.gid[miss]]
    ok = o.address_checked | (o.time_s - conf_t <= cfg.confirm_window_s)
    if keep is not None:
        bad = int(np.count_nonzero(keep & ~ok))
        ok &= keep
    else:
        bad = len(o) - int(np.count_nonzero(ok))
    if bad:
        stats.rejected["unconfirmed_address"] += bad
    return (o, None) if keep is None and not bad else (o.take(ok), ok)


def _context(
    table: StateTable,
    o: ObservationBatch,
    pos: dict[str, npt.NDArray[Any]],
    held_own: tuple[dict[str, I64], dict[str, B]],
    at_rows: tuple[I64, I64, I64],
    cfg: TrackerConfig,
) -> PositionBatch:
    """Positions with the field values that held at each fix (batch first, then state).
    ``held_own``: per field the rows holding it (sorted), and for some the same as a mask;
    ``at_rows``: each row's table row and its run's first row, and the runs' first rows."""
    held, own = held_own
    row_of, start_of_row, starts = at_rows
    idx = pos["index"]
    if len(idx) == 0:
        return PositionBatch.empty(0)
    # Every column is written below, whole: not filled first (``empty`` filled 14 columns).
    out = PositionBatch.blank(len(idx))
    # A fix at every row (a state-vector batch): the columns are read whole, not gathered
    # (``idx`` is sorted and distinct: all rows, in order; :mod:`flyvakt.track.gather`).
    n = len(start_of_row)
    every = len(idx) == n
    sel: slice | I64 = slice(None) if every else idx
    out.time_s[:] = o.time_s[sel]
    out.icao24[:] = o.icao24[sel]
    out.lat_deg[:] = pos["lat"]
    out.lon_deg[:] = pos["lon"]
    out.source[:] = o.source[sel]
    if isinstance(sel, slice):
        out.receivers[:] = receiver_set(o.receivers[sel], o.receiver[sel])
    else:
        out.receivers[:] = receiver_set(*columns_at(o, ("receivers", "receiver"), sel))
    rows = row_of[sel]
    t = out.time_s
    max_age = dict(cfg.field_max_age_s)
    start_at = None if every else start_of_row[idx]  # (asked for each field at the same fixes)
    asked: list[tuple[I64, I64]] = []  # (held rows, the last of them at each fix) so far
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
        if every and max_age.get(name, 0.0) >= 0:
            _context_every(
                table, o, (held[name], own.get(name)), name, max_age.get(name), rows,
                (start_of_row, starts), out,
            )  # fmt: skip
            continue
        # At every row: a forward fill over the batch, not a gather of it at each fix.
        fi = ffill_index(_at_rows(held[name], n), start_of_row) if every else None
        if fi is None:  # fields held at the same rows share one search (a Beast batch's
            keep = held[name]  # groundspeed and track: both from the velocity messages)
            fi = next(
                (f for k, f in asked if len(k) == len(keep) and np.array_equal(k, keep)), None
            )
            if fi is None:
                fi = last_at(keep, idx, start_of_row, start_at=start_at)
                asked.append((keep, fi))
        inb = fi >= 0
        if inb.all():  # every fix has the field from the batch (state vectors: most fields)
            vals = column_at(o, name, fi)
            when = o.time_s[fi] if name in max_age else t
        else:
            vals, when = _batch_else_state(table, o, name, (fi, start_at), rows, name in max_age)
        if name in max_age:  # (``vals`` is a new array: the stale fixes written over)
            stale = np.flatnonzero(t - when > max_age[name])
            if len(stale):
                vals[stale] = PositionBatch._defaults[name][1]
        getattr(out, name)[:] = vals
    # A surface CPR fix is on the ground and an airborne CPR fix is airborne, whatever an older
    # flight-status bit said.
    has_cpr = column_mapped(o, "cpr_odd", has_cpr_frame)[sel]
    if has_cpr.any():  # (none in a state-vector batch: the flags stand)
        surface = _read(o, "cpr_surface", sel).astype(np.int8)
        out.on_ground[:] = np.where(has_cpr, surface, out.on_ground)
    return out


def _batch_else_state(
    table: StateTable,
    o: ObservationBatch,
    name: str,
    fi_floor: tuple[I64, I64 | None],
    rows: I64,
    aged: bool,
) -> tuple[npt.NDArray[Any], F64]:
    """Field ``name`` at each fix, and its time (if ``aged``): the batch's row ``fi``, or
    where that is -1 the state's (``rows``: each fix's table row). The state is read at
    those fixes only (a Beast batch has most fields of most fixes from the batch), where
    ``np.where`` read it at every fix; the same values when the dtypes agree (else as before).
    ``fi_floor``: ``fi``, and each fix's run's first row (None: 0), read where ``fi`` is -1
    and written over: ascending fixes then read ascending rows (a cheaper deferred read)."""
    fi, floor = fi_floor
    at = np.maximum(fi, 0 if floor is None else floor)
    vals = column_at(o, name, at)
    when = o.time_s[at] if aged else o.time_s[:0]
    state, state_t = table.cols[name], table.cols[f"{name}_t"]
    if vals.dtype != state.dtype or when.dtype != state_t.dtype:
        inb = fi >= 0
        vals = np.where(inb, vals, state[rows])
        return vals, np.where(inb, when, state_t[rows]) if aged else when
    miss = np.flatnonzero(fi < 0)
    vals[miss] = state[rows[miss]]
    if aged:
        when[miss] = state_t[rows[miss]]
    return vals, when


def _context_every(
    table: StateTable,
    o: ObservationBatch,
    held_own: tuple[I64, B | None],
    name: str,
    max_age_s: float | None,
    rows: I64,
    run_starts: tuple[I64, I64],
    out: PositionBatch,
) -> None:
    """Field ``name`` of ``out`` when every row is a fix, as the general path of
    :func:`_context` gives it: read whole, then only the rows that do not hold their own value
    (a state-vector feed leaves some cells empty: vertical rate on a third of the rows, the
    geometric altitude of the corpus on all) are looked up in the batch or the state.

    A row that holds its own value (in ``held``: sorted, distinct) takes it, of its own time,
    so never older than a max age >= 0 (``t - t`` is 0, or NaN for a time that is not finite:
    neither is above it); ``max_age_s`` None: the field does not go stale. ``held_own``: those
    rows, and the same as a mask if at hand (None: made here). ``run_starts``: each row's
    run's first row, and the runs' first rows."""
    held, own = held_own
    start_of_row, starts = run_starts
    dest = getattr(out, name)
    n = len(start_of_row)
    if len(held) == n:  # every row holds its own value: the column as it is
        dest[:] = getattr(o, name)
        return
    if len(held) == 0:  # no row holds one: each fix's is its aircraft's state's
        if max_age_s is not None and _stale_from_start(table, name, max_age_s, rows, starts, out):
            dest[:] = PositionBatch._defaults[name][1]  # (as the state's value, made stale)
            return
        vals = table.cols[name][rows]
        if max_age_s is not None:
            when = table.cols[f"{name}_t"][rows]
            vals = np.where(out.time_s - when > max_age_s, PositionBatch._defaults[name][1], vals)
        dest[:] = vals
        return
    own = _at_rows(held, n) if own is None else own
    miss = np.flatnonzero(~own)
    dest[:] = getattr(o, name)  # the rows in ``miss`` are written over below
    # Each missing row's last holding row before it (a fill of the mask when they are many).
    fi = last_at(held, miss, start_of_row, own)
    inb = fi >= 0
    at = np.maximum(fi, 0)
    r = rows[miss]
    vals = np.where(inb, column_at(o, name, at), table.cols[name][r])
    if max_age_s is not None:
        when = np.where(inb, o.time_s[at], table.cols[f"{name}_t"][r])
        vals = np.where(out.time_s[miss] - when > max_age_s, PositionBatch._defaults[name][1], vals)
    dest[miss] = vals


def _stale_from_start(
    table: StateTable, name: str, max_age_s: float, rows: I64, starts: I64, out: PositionBatch
) -> bool:
    """Whether the state's value of field ``name`` is older than ``max_age_s`` at every row
    (``out``: a fix at every row): judged at each run's first row, per aircraft, not gathered
    per row (a state-vector feed that never fills a field, as the geometric altitude of the
    corpus, asked its aircraft's state at each of its rows: ~50 instructions a row).
    Exact: a run's times ascend (sorted by address, then time; none NaN, checked), so each of
    its rows is at least as far from the state's time as its first (rounding is monotonic)."""
    t = out.time_s
    when = table.cols[f"{name}_t"][rows[starts]]
    return bool(np.all(t[starts] - when > max_age_s)) and not bool(np.isnan(t).any())


def _is_true(values: npt.NDArray[Any]) -> B:
    """A boolean column as it is (for :func:`~flyvakt.model.deferred.column_mapped`)."""
    return np.asarray(values, dtype=np.bool_)


def _at_rows(rows: I64, n: int) -> B:
    """A mask of ``n`` rows, True at ``rows``."""
    mask = np.zeros(n, dtype=np.bool_)
    mask[rows] = True
    return mask


def _read(o: ObservationBatch, name: str, sel: slice | I64) -> npt.NDArray[Any]:
    """Column ``name`` at ``sel``: whole (a view, to be copied) for a slice, else gathered."""
    return getattr(o, name)[sel] if isinstance(sel, slice) else column_at(o, name, sel)


def _remember_cpr(table: StateTable, o: ObservationBatch, gid: I64, ends: I64, rows: I64) -> None:
    """The last even and odd CPR frame of each aircraft, for pairing in later batches."""
    cols = table.cols
    if not column_mapped(o, "cpr_odd", has_cpr_frame).any():
        return  # no CPR frame in the batch (state vectors): nothing to remember
    for p in (0, 1):
        run, li = _last_per_run(np.flatnonzero(o.cpr_odd == p), gid, ends)
        r = rows[run]
        lat, lon, surface = columns_at(o, ("cpr_lat", "cpr_lon", "cpr_surface"), li)
        cols[f"cpr{p}_lat"][r] = lat
        cols[f"cpr{p}_lon"][r] = lon
        cols[f"cpr{p}_t"][r] = o.time_s[li]
        cols[f"cpr{p}_surface"][r] = surface


def expire(state: TrackerState, now_s: float, silence_s: float = 300.0) -> list[int]:
    """Forget aircraft not heard for ``silence_s``; return their addresses.

    Five minutes is readsb's default for dropping an aircraft from the live table; history is
    kept by the store, not here.
    """
    table = state.table
    live = table.indexed_rows()
    if len(live) == 0:
        return []
    gone = live[table.cols["last_seen_s"][live] < now_s - silence_s]
    addresses: list[int] = table.cols["icao24"][gone].tolist()
    table.drop_many(addresses)
    if len(state.held):
        state.held = state.held.take(np.flatnonzero(~np.isin(state.held.icao24, addresses)))
    return addresses


__all__ = [
    "Source",
    "TrackStats",
    "TrackerConfig",
    "TrackerState",
    "expire",
    "step",
]
