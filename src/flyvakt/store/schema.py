"""Store schema and its numbered migrations.

The schema version lives in ``PRAGMA user_version`` (an integer in the database header, so it is
read without touching any table). Migration ``n`` takes a database at version ``n - 1`` to
version ``n``; every pending migration runs in one transaction together with the version bump,
so a crash mid-migration leaves the previous version intact. A database whose version is newer
than the newest migration this code knows is refused with :class:`SchemaTooNewError` (an older
flyvakt must never write into a layout it does not understand).

Tables (times are UTC epoch seconds, ``icao24`` is the 24-bit address as an INTEGER):

- ``track_points``: one row per kept position, ``WITHOUT ROWID`` clustered on
  ``(icao24, time_s)`` so one aircraft's day is one contiguous range scan, and a replay after a
  crash re-inserts nothing (``INSERT OR IGNORE`` on the primary key).
- ``events``: the JSON record of :meth:`flyvakt.model.Event.to_json` plus indexed columns; the
  natural key ``(type, icao24, time_s, airport)`` makes re-detection after a restart idempotent.
  ``event_fleets`` maps events to fleet ids (an event can belong to several fleets).
- ``flights``, ``aircraft``, ``fleets``, ``verdicts``: small tables keyed as their names say.
- ``coverage``: per aircraft and UTC minute, which seconds held at least one position (a 60-bit
  mask: bit ``k`` set = second ``minute_s + k`` had data), the position count and the first/last
  time. Kept after track points expire, so "was icao X seen between t0 and t1, and where were
  the gaps?" stays answerable.
- ``receiver_coverage``: the same per receiver and minute, counting frames, so a gap can be told
  apart from "the receivers heard nothing at all". Receiver ``-1`` is "any position from any
  source" (written from position batches when the runtime gives no frame counts).
- ``commb_latest``: the newest Comm-B value (BDS 4,0/5,0/6,0, readsb's ``aircraft.json`` key:
  ``nav_altitude_mcp``, ``ias``, ``mach``...) per aircraft and key, with the time it was heard,
  so a stored ``aircraft.json`` shows what the live one showed.
- ``meta``: key/value text (``data_through_s``, ``sources``...).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["SCHEMA_VERSION", "SchemaTooNewError", "migrate", "schema_version"]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer flyvakt than this one."""


def _m1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE track_points (
            icao24 INTEGER NOT NULL,
            time_s REAL NOT NULL,
            lat_deg REAL,
            lon_deg REAL,
            altitude_baro_ft REAL,
            altitude_gnss_ft REAL,
            groundspeed_kt REAL,
            track_deg REAL,
            vertical_rate_fpm REAL,
            on_ground INTEGER,
            callsign TEXT,
            squawk INTEGER,
            source INTEGER,
            PRIMARY KEY (icao24, time_s)
        ) WITHOUT ROWID"""
    )
    # Why a time index: retention deletes by age, and "every aircraft at time t" scans a window
    # of time rather than every aircraft's history.
    conn.execute("CREATE INDEX track_points_time ON track_points (time_s)")
    conn.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            icao24 INTEGER NOT NULL,
            time_s REAL NOT NULL,
            airport TEXT NOT NULL DEFAULT '',
            country TEXT,
            callsign TEXT,
            basis TEXT,
            record TEXT NOT NULL,
            UNIQUE (type, icao24, time_s, airport)
        )"""
    )
    conn.execute("CREATE INDEX events_icao_time ON events (icao24, time_s)")
    conn.execute("CREATE INDEX events_time ON events (time_s)")
    conn.execute("CREATE INDEX events_country_time ON events (country, time_s)")
    conn.execute("CREATE INDEX events_airport_time ON events (airport, time_s)")
    conn.execute(
        """CREATE TABLE event_fleets (
            fleet TEXT NOT NULL,
            event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            PRIMARY KEY (fleet, event_id)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE flights (
            icao24 INTEGER NOT NULL,
            first_seen_s REAL NOT NULL,
            last_seen_s REAL,
            takeoff_time_s REAL,
            landing_time_s REAL,
            origin TEXT,
            destination TEXT,
            callsign TEXT,
            PRIMARY KEY (icao24, first_seen_s)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX flights_takeoff ON flights (takeoff_time_s)")
    conn.execute(
        """CREATE TABLE aircraft (
            icao24 INTEGER PRIMARY KEY,
            registration TEXT,
            type TEXT,
            callsign TEXT,
            last_seen_s REAL
        )"""
    )
    conn.execute(
        """CREATE TABLE fleets (
            fleet TEXT PRIMARY KEY,
            record TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE verdicts (
            key TEXT PRIMARY KEY,
            as_of_s REAL,
            record TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE coverage (
            icao24 INTEGER NOT NULL,
            minute_s INTEGER NOT NULL,
            seconds_mask INTEGER NOT NULL,
            n_points INTEGER NOT NULL,
            first_s REAL NOT NULL,
            last_s REAL NOT NULL,
            PRIMARY KEY (icao24, minute_s)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE receiver_coverage (
            receiver INTEGER NOT NULL,
            minute_s INTEGER NOT NULL,
            seconds_mask INTEGER NOT NULL,
            n_frames INTEGER NOT NULL,
            PRIMARY KEY (receiver, minute_s)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _m2_packed_track_points(conn: sqlite3.Connection) -> None:
    """Each track point also as one packed record (flyvakt.store.packed): fast range reads.

    Rows written before this version keep NULL there; readers fall back to the columns.
    """
    conn.execute("ALTER TABLE track_points ADD COLUMN packed BLOB")


def _m3_flight_end_basis(conn: sqlite3.Connection) -> None:
    """How each end of a flight is known (observed / inferred), from its event's basis."""
    conn.execute("ALTER TABLE flights ADD COLUMN takeoff_basis TEXT")
    conn.execute("ALTER TABLE flights ADD COLUMN landing_basis TEXT")


def _m4_commb_latest(conn: sqlite3.Connection) -> None:
    """The newest Comm-B value per aircraft and readsb key (one row each, upserted)."""
    conn.execute(
        """CREATE TABLE commb_latest (
            icao24 INTEGER NOT NULL,
            key TEXT NOT NULL,
            value REAL NOT NULL,
            time_s REAL NOT NULL,
            PRIMARY KEY (icao24, key)
        ) WITHOUT ROWID"""
    )
    # Why a time index: aircraft.json at time t reads the values heard in the minute before t.
    conn.execute("CREATE INDEX commb_latest_time ON commb_latest (time_s)")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _m1_initial,
    _m2_packed_track_points,
    _m3_flight_end_basis,
    _m4_commb_latest,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_version(conn: sqlite3.Connection, path: str) -> int:
    """The database's version; raise if it is newer than this code understands."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path}: store schema version {version} is newer than this flyvakt knows "
            f"({SCHEMA_VERSION}); upgrade flyvakt to read it"
        )
    return version


def migrate(conn: sqlite3.Connection, path: str = "<store>") -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; return the version it was at before.

    ``conn`` must be in autocommit mode (``isolation_level=None``): the migrations and the
    version bump run inside one explicit ``BEGIN IMMEDIATE`` ... ``COMMIT``.
    """
    if check_version(conn, path) == SCHEMA_VERSION:
        return SCHEMA_VERSION  # nothing to do: no write lock taken
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = check_version(conn, path)  # again, under the lock
        for number in range(before + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[number - 1](conn)
        if before != SCHEMA_VERSION:
            # PRAGMA takes no bound parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before
