"""Connection setup and write statements, as plain functions over a connection.

The :class:`~flyvakt.store.writer.StoreWriter` thread calls these inside one transaction per
queued item; tests and tools may call them directly on a connection from :func:`connect_rw`.

Durability: WAL with ``synchronous=NORMAL``. A commit appends the transaction to the ``-wal``
file with ``write()``; the data then sits in the operating system's page cache, which survives
the death of the process (SIGKILL, OOM kill, crash), so every committed batch is on the next
open. Only an OS crash or power loss before the next checkpoint's fsync can lose the last
commits (never corrupt the file: WAL frames carry checksums and a torn tail is ignored). That
trade buys ingest speed; power-loss durability would need ``synchronous=FULL`` (an fsync per
commit, ~10 per second here).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.model.batches import F64, U32, PositionBatch, parse_icao_hex
from flyvakt.model.events import Event
from flyvakt.model.runs import runs_by_key
from flyvakt.store.records import (
    AircraftRecord,
    CommBColumns,
    CommBRecord,
    FleetRecord,
    FlightRecord,
    MetaRecord,
    VerdictRecord,
)
from flyvakt.store.schema import migrate

# Why 64 MiB: live inserts interleave every aircraft in range, and the table is clustered by
# aircraft, so each commit touches one leaf page per active aircraft; keeping those pages (and
# the B-tree's interior) cached avoids re-reading them for every batch.
CACHE_KIB = 65536
# Why 10,000 pages (~40 MB of WAL): a checkpoint writes each changed page once however many
# commits changed it, and fsyncs; checkpointing every 1,000 pages (SQLite's default) would
# fsync after nearly every commit once a few thousand aircraft are in range.
WAL_AUTOCHECKPOINT_PAGES = 10_000
# Why 5 s: a reader may briefly wait for a checkpoint or the writer for a reader's snapshot;
# longer than any single transaction we run, short enough to surface a stuck process.
BUSY_TIMEOUT_MS = 5000

TRACK_COLUMNS: tuple[str, ...] = (
    "icao24",
    "time_s",
    "lat_deg",
    "lon_deg",
    "altitude_baro_ft",
    "altitude_gnss_ft",
    "groundspeed_kt",
    "track_deg",
    "vertical_rate_fpm",
    "on_ground",
    "callsign",
    "squawk",
    "source",
)


class StoreError(ValueError):
    """The file is not a flyvakt store (or cannot be opened as one); the message names it."""


def connect_rw(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the store for writing, migrated to the current schema."""
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a flyvakt store ({exc})") from exc
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB:d}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES:d}")
    migrate(conn, str(path))
    return conn


# Why 64 rows a statement: executemany runs its statement once per row, and each run (reset,
# bind, step, the VALUES row's opcodes) cost about as much as the row's B-tree work; with 64
# rows in one statement the per-run part is paid once per 64. Measured on the live benchmark's
# commits (38,000 track points): 8.1 -> 6.4 us a row; 16 rows gave most of it, 256 no more.
# 64 x 15 parameters stays far below SQLite's limit of 32,766.
ROWS_PER_STATEMENT = 64


def execute_rows(
    conn: sqlite3.Connection, head: str, rows: Iterable[tuple[Any, ...]], tail: str = ""
) -> None:
    """``head VALUES (?, ...), (?, ...) ... tail`` over ``rows``: the effect of executemany of
    one row a statement (rows in order, each against the ones before it: an upsert's
    conflicts included), ROWS_PER_STATEMENT rows a statement."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    width = len(rows[0])
    one = f"({', '.join('?' * width)})"
    k = ROWS_PER_STATEMENT
    full = len(rows) // k * k
    if full:
        flat = list(chain.from_iterable(rows[:full]))
        step = k * width
        conn.executemany(
            f"{head} VALUES {', '.join([one] * k)} {tail}",
            (flat[i : i + step] for i in range(0, len(flat), step)),
        )
    if full < len(rows):
        conn.executemany(f"{head} VALUES {one} {tail}", rows[full:])


def _col(values: np.ndarray[Any, Any]) -> list[Any]:
    """A column as Python values; NaN floats become NULL when bound (SQLite binds NaN as NULL)."""
    return values.tolist()  # type: ignore[no-any-return]


def insert_positions(conn: sqlite3.Connection, batch: PositionBatch) -> int:
    """INSERT OR IGNORE every fix; return how many rows were new."""
    if len(batch) == 0:
        return 0
    from flyvakt.store.packed import pack

    cols = [_col(getattr(batch, name)) for name in TRACK_COLUMNS]
    cols.append(pack(batch))
    before = conn.total_changes
    execute_rows(
        conn,
        f"INSERT OR IGNORE INTO track_points ({', '.join(TRACK_COLUMNS)}, packed)",
        zip(*cols, strict=True),
    )
    return conn.total_changes - before


def _minute_masks(
    keys: np.ndarray[Any, Any], time_s: F64
) -> tuple[np.ndarray[Any, Any], F64, np.ndarray[Any, Any], np.ndarray[Any, Any], F64, F64]:
    """Group by (key, UTC minute): (key, minute_s, 60-bit second mask, count, first, last),
    sorted by key then minute.

    One sort of a combined int64 key (key in the high 32 bits, minute number in the low), then
    reductions over the runs: a per-step batch of 6,000 fixes went 6.0 -> 1.2 ms (it was
    ``np.unique(axis=0)`` and ``ufunc.at``, twice per batch in the store writer)."""
    minute = (np.floor(time_s / 60.0) * 60.0).astype(np.int64)
    sec = (np.floor(time_s).astype(np.int64) - minute).astype(np.uint64)
    k = keys.astype(np.int64)
    if len(k) == 0:
        empty = np.zeros(0, np.float64)
        return k, empty, np.zeros(0, np.uint64), np.zeros(0, np.int64), empty, empty
    m = minute // 60
    if m.min() >= 0 and m.max() < 1 << 32 and k.min() >= -(1 << 31) and k.max() < 1 << 31:
        order = np.argsort((k << 32) + m, kind="stable")
    else:  # keys or times outside the packed range: the same order, slower
        order = np.lexsort((m, k))
    ks, ms, ts = k[order], minute[order], time_s[order]
    new = np.empty(len(order), bool)
    new[0] = True
    new[1:] = (ks[1:] != ks[:-1]) | (ms[1:] != ms[:-1])
    starts = np.flatnonzero(new)
    return (
        ks[starts],
        ms[starts].astype(np.float64),
        np.bitwise_or.reduceat(np.left_shift(np.uint64(1), sec[order]), starts),
        np.diff(np.append(starts, len(order))),
        np.minimum.reduceat(ts, starts),
        np.maximum.reduceat(ts, starts),
    )


def insert_coverage(conn: sqlite3.Connection, icao24: U32, time_s: F64) -> None:
    """Record which seconds held positions, per aircraft and per minute, and overall (-1).

    Masks are OR-ed, so replaying data is idempotent for the seconds; counts add up.
    """
    ok = np.isfinite(time_s)
    icao24, time_s = icao24[ok], time_s[ok]
    if len(time_s) == 0:
        return
    keys, minutes, masks, counts, first, last = _minute_masks(icao24, time_s)
    execute_rows(
        conn,
        "INSERT INTO coverage",
        zip(
            keys.tolist(),
            minutes.astype(np.int64).tolist(),
            masks.astype(np.int64).tolist(),
            counts.tolist(),
            first.tolist(),
            last.tolist(),
            strict=True,
        ),
        "ON CONFLICT (icao24, minute_s) DO UPDATE "
        "SET seconds_mask = seconds_mask | excluded.seconds_mask, "
        "n_points = n_points + excluded.n_points, first_s = min(first_s, excluded.first_s), "
        "last_s = max(last_s, excluded.last_s)",
    )
    insert_receiver_coverage(conn, -1, time_s)


def insert_receiver_coverage(conn: sqlite3.Connection, receiver: int, time_s: F64) -> None:
    time_s = time_s[np.isfinite(time_s)]
    if len(time_s) == 0:
        return
    keys = np.full(len(time_s), receiver, np.int64)
    _, minutes, masks, counts, _, _ = _minute_masks(keys, time_s)
    conn.executemany(
        "INSERT INTO receiver_coverage VALUES (?, ?, ?, ?) ON CONFLICT (receiver, minute_s) "
        "DO UPDATE SET seconds_mask = seconds_mask | excluded.seconds_mask, "
        "n_frames = n_frames + excluded.n_frames",
        [
            (receiver, m, k, c)
            for m, k, c in zip(
                minutes.astype(np.int64).tolist(),
                masks.astype(np.int64).tolist(),
                counts.tolist(),
                strict=True,
            )
        ],
    )


def update_aircraft_seen(conn: sqlite3.Connection, batch: PositionBatch) -> None:
    """Upsert ``aircraft.last_seen_s`` and the latest callsign from a batch of fixes."""
    if len(batch) == 0:
        return
    order = np.lexsort((batch.time_s, batch.icao24))
    icao = batch.icao24[order]
    calls = batch.callsign[order]
    runs = runs_by_key(icao)
    starts, ends = runs.starts, runs.ends
    # Per aircraft its last fix, and the last fix that had a callsign (index before the run's
    # start: none): array operations, not a Python loop over each aircraft's rows (that loop
    # was a third of this function's time at 27,000 aircraft a commit, live at 500 k msg/s).
    has_call = np.fromiter((c is not None for c in calls.tolist()), np.bool_, len(calls))
    last_call = np.maximum.accumulate(np.where(has_call, np.arange(len(calls)), -1))[ends]
    named = last_call >= starts
    callsigns = np.full(len(ends), None, dtype=object)
    callsigns[named] = calls[last_call[named]]
    rows = zip(
        icao[ends].tolist(), callsigns.tolist(), batch.time_s[order[ends]].tolist(), strict=True
    )
    execute_rows(
        conn,
        "INSERT INTO aircraft (icao24, callsign, last_seen_s)",
        rows,
        "ON CONFLICT (icao24) DO UPDATE SET "
        "callsign = coalesce(excluded.callsign, callsign), "
        "last_seen_s = max(coalesce(last_seen_s, excluded.last_seen_s), excluded.last_seen_s)",
    )


_HEX_DIGITS = "0123456789abcdefABCDEF"


def _icao_int(icao24: str) -> int:
    # The usual case, six hex digits, checked by one str.strip instead of parse_icao_hex's
    # per-character loop (that was a third of an event row's cost in the live engine).
    if isinstance(icao24, str) and len(icao24) == 6 and not icao24.strip(_HEX_DIGITS):
        return int(icao24, 16)
    try:
        return parse_icao_hex(icao24)
    except (AttributeError, ValueError):
        return -1


def event_row(ev: Event) -> dict[str, Any]:
    """An event as the plain values stored (also a line of the event log)."""
    return {
        "type": ev.type,
        "icao24": _icao_int(ev.icao24),
        "time_s": float(ev.time_s),
        "airport": ev.airport.icao if ev.airport else "",
        "country": ev.country,
        "callsign": ev.callsign,
        "basis": ev.basis,
        "record": ev.to_json(),
        "fleet": list(ev.fleet),
    }


def insert_events(conn: sqlite3.Connection, events: Iterable[Event]) -> int:
    """Insert events, ignoring ones already stored under the same natural key."""
    return insert_event_rows(conn, [event_row(ev) for ev in events])


def insert_event_rows(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Insert :func:`event_row` rows, ignoring ones already stored under the same key."""
    new = 0
    for row in rows:
        key = (row["type"], row["icao24"], row["time_s"], row["airport"])
        record = json.dumps(row["record"], sort_keys=True)
        cur = conn.execute(
            "INSERT OR IGNORE INTO events "
            "(type, icao24, time_s, airport, country, callsign, basis, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, row["country"], row["callsign"], row["basis"], record),
        )
        new += cur.rowcount
        if row["fleet"]:
            (event_id,) = conn.execute(
                "SELECT id FROM events WHERE type = ? AND icao24 = ? AND time_s = ? "
                "AND airport = ?",
                key,
            ).fetchone()
            conn.executemany(
                "INSERT OR IGNORE INTO event_fleets (fleet, event_id) VALUES (?, ?)",
                [(f, event_id) for f in row["fleet"]],
            )
    return new


def upsert_flight(conn: sqlite3.Connection, f: FlightRecord) -> None:
    conn.execute(
        "INSERT INTO flights (icao24, first_seen_s, last_seen_s, takeoff_time_s, landing_time_s, "
        "origin, destination, callsign, takeoff_basis, landing_basis) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (icao24, first_seen_s) DO UPDATE SET "
        "last_seen_s = coalesce(excluded.last_seen_s, last_seen_s), "
        "takeoff_time_s = coalesce(excluded.takeoff_time_s, takeoff_time_s), "
        "landing_time_s = coalesce(excluded.landing_time_s, landing_time_s), "
        "origin = coalesce(excluded.origin, origin), "
        "destination = coalesce(excluded.destination, destination), "
        "callsign = coalesce(excluded.callsign, callsign), "
        "takeoff_basis = coalesce(excluded.takeoff_basis, takeoff_basis), "
        "landing_basis = coalesce(excluded.landing_basis, landing_basis)",
        (
            f.icao24,
            f.first_seen_s,
            f.last_seen_s,
            f.takeoff_time_s,
            f.landing_time_s,
            f.origin,
            f.destination,
            f.callsign,
            f.takeoff_basis,
            f.landing_basis,
        ),
    )


def upsert_aircraft(conn: sqlite3.Connection, a: AircraftRecord) -> None:
    conn.execute(
        "INSERT INTO aircraft VALUES (?, ?, ?, ?, ?) ON CONFLICT (icao24) DO UPDATE SET "
        "registration = coalesce(excluded.registration, registration), "
        "type = coalesce(excluded.type, type), "
        "callsign = coalesce(excluded.callsign, callsign), "
        "last_seen_s = coalesce(excluded.last_seen_s, last_seen_s)",
        (a.icao24, a.registration, a.type, a.callsign, a.last_seen_s),
    )


def upsert_commb(conn: sqlite3.Connection, c: CommBRecord | CommBColumns) -> None:
    """Each row replaces the stored value of its (aircraft, key) only if it is newer."""
    execute_rows(
        conn,
        "INSERT INTO commb_latest",
        c.rows,
        "ON CONFLICT (icao24, key) DO UPDATE SET "
        "value = excluded.value, time_s = excluded.time_s "
        "WHERE excluded.time_s >= commb_latest.time_s",
    )


def upsert_fleet(conn: sqlite3.Connection, f: FleetRecord) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO fleets VALUES (?, ?)",
        (f.fleet, json.dumps(f.record, sort_keys=True)),
    )


def upsert_verdict(conn: sqlite3.Connection, v: VerdictRecord) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)",
        (v.key, v.as_of_s, json.dumps(v.record, sort_keys=True)),
    )


def set_meta(conn: sqlite3.Connection, m: MetaRecord) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (m.key, m.value))


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


# Why 10 % under: the size cap trims the track to 90 % of what fits, so a pass is one
# index-range delete and the store has room before the next pass (hourly, by data time).
CAP_HEADROOM = 0.9


def used_bytes(conn: sqlite3.Connection) -> int:
    """Bytes in use by the store (pages not on the free list)."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    return (pages - free) * size


def cap_track_points(conn: sqlite3.Connection, max_bytes: int) -> int:
    """Delete the oldest track points when the store uses more than ``max_bytes``.

    Rows are deleted, pages are not returned (SQLite reuses the space of deleted rows for new
    ones): the share of track points deleted is the share of the store over the cap."""
    used = used_bytes(conn)
    if used <= max_bytes:
        return 0
    (count,) = conn.execute("SELECT count(*) FROM track_points").fetchone()
    excess = int(count - count * CAP_HEADROOM * max_bytes / used)
    if count == 0 or excess <= 0:
        return 0
    row = conn.execute(
        "SELECT time_s FROM track_points ORDER BY time_s LIMIT 1 OFFSET ?",
        (min(excess, count - 1),),
    ).fetchone()
    return delete_track_points_before(conn, float(row[0])) if row else 0


def delete_track_points_before(conn: sqlite3.Connection, cutoff_s: float) -> int:
    """Retention: drop fixes older than ``cutoff_s`` (events and coverage are kept)."""
    cur = conn.execute("DELETE FROM track_points WHERE time_s < ?", (cutoff_s,))
    return cur.rowcount
