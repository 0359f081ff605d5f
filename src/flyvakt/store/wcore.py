"""What the store writer does with its one write connection, wherever it runs.

:class:`WriterCore` is shared by the writer thread (:class:`flyvakt.store.StoreWriter`) and the
writer process (:class:`flyvakt.store.writerproc.StoreWriterProcess`): opening and migrating the
store, recovering what the write-ahead logs hold, one transaction per item (position batches
thinned after their unthinned times are recorded as coverage), the page cache sized to the
aircraft in range, retention by data time, and the final flush of thinned fixes.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from flyvakt.model.batches import PositionBatch
from flyvakt.model.events import Event
from flyvakt.store import sql
from flyvakt.store.eventlog import EventLog
from flyvakt.store.flights import rebuild_flights
from flyvakt.store.poslog import PositionLog
from flyvakt.store.records import (
    AircraftRecord,
    CommBColumns,
    CommBRecord,
    EventRows,
    FleetRecord,
    FlightRecord,
    MetaRecord,
    ReceiverFrames,
    VerdictRecord,
)
from flyvakt.store.thin import ThinParams, ThinState, flush, thin

__all__ = ["RetentionSettings", "WriterCore", "cache_kib_for"]

log = logging.getLogger("flyvakt.store.writer")

# the events that start or end a flight, or take back a landing that ended one
_LEG_TYPES = ("takeoff", "landing", "landing_withdrawn")

# Why 600 s: aircraft unheard for 10 minutes have left; their pending last fix is stored and
# their thinning state dropped, bounding memory by the number of aircraft in range.
THIN_HORIZON_S = 600.0
# Why hourly: retention deletes by age in days; checking each hour of data time is plenty and
# keeps the delete (an index range) small.
RETENTION_EVERY_S = 3600.0

# SQLite's page cache (per connection) fills with every page touched until it reaches
# cache_size, and a store grows for weeks: left at the maximum it would hold 64 MiB however few
# aircraft are in range (the soak's RSS drift). The live working set is per aircraft in range:
# the leaf page of its track points and of its coverage minutes (8 KiB; 12 with headroom for
# splits), plus the B-trees' interior pages, the time index's tail, events and meta (a few
# MiB). So the writer sizes the cache to the aircraft in its thinning state (those heard in
# the last 10-20 minutes of data time), between these bounds; sql.CACHE_KIB (64 MiB, ~5,000
# aircraft, the store benchmark's load) stays the ceiling.
CACHE_BASE_KIB = 4096
CACHE_PER_AIRCRAFT_KIB = 12
# Why 25 %: re-size only on a real change of traffic, not on every aircraft that comes or goes.
CACHE_RESIZE_RATIO = 1.25

THINNED_KEY = "positions_thinned"  # meta: did the writers thin positions (yes/no/mixed)


@dataclass(frozen=True)
class RetentionSettings:
    """Delete track points older than ``track_days`` (by data time), and the oldest ones while
    the store's used pages exceed ``max_bytes``; events, flights and coverage are kept.

    Freed pages are reused by SQLite, so the file stops growing at about ``max_bytes``."""

    track_days: float | None = None
    max_bytes: int | None = None


def cache_kib_for(n_aircraft: int, max_kib: int = sql.CACHE_KIB) -> int:
    """The writer's page cache (KiB) for ``n_aircraft`` in range, at most ``max_kib``."""
    return int(min(max_kib, CACHE_BASE_KIB + CACHE_PER_AIRCRAFT_KIB * n_aircraft))


class WriterCore:
    """The write connection and everything written through it (one thread uses it)."""

    def __init__(
        self,
        path: str,
        *,
        thin_params: ThinParams,
        thin_positions: bool,
        retention: RetentionSettings,
        cache_max_kib: int,
        thin_resume: tuple[ThinState, float, float] | None = None,
    ) -> None:
        self.path = path
        self.thin_params = thin_params
        self.thin_positions = thin_positions
        self.retention = retention
        self.cache_max_kib = cache_max_kib
        self.cache_kib = 0  # the page cache size set (KiB), see cache_kib_for
        self.errors: Counter[str] = Counter()
        self.points_written = 0
        self.retention_deleted = 0  # track points deleted by the size cap
        self.batches_written = 0
        self.positions_recovered = 0
        self._thinning_noted = False
        self._thin = ThinState.empty()
        self._data_through_s = -math.inf
        self._last_expiry_s = -math.inf
        self._last_retention_s = -math.inf
        self._resumed = thin_resume is not None
        if thin_resume is not None:
            self._thin, self._last_expiry_s, self._data_through_s = thin_resume
        self.conn: sqlite3.Connection | None = None

    def thin_snapshot(self) -> tuple[ThinState, float, float]:
        """The thinner's state, its last expiry time and the data time (``thin_resume``)."""
        return self._thin, self._last_expiry_s, self._data_through_s

    def open(self, event_log: EventLog, position_log: PositionLog) -> None:
        """Open (migrating), then commit what the write-ahead logs hold (a run that was
        killed) and empty them. The caller keeps appends out meanwhile."""
        conn = self.conn = sql.connect_rw(self.path)
        self.size_cache()
        through = sql.get_meta(conn, "data_through_s")
        # Resumed: the data time goes with the thinner (expiry runs where it ran before),
        # even if the store already holds later data (a kill after the checkpoint).
        if through is not None and not self._resumed:
            self._data_through_s = float(through)
        logged = event_log.read()  # events of a run that was killed
        if logged:
            self.transaction(lambda: sql.insert_event_rows(conn, logged))
            log.info("%s: %d logged events recovered", self.path, len(logged))
        event_log.clear()
        for batch in position_log.read_all():  # positions of a run that was killed
            self.positions_recovered += len(batch)
            self.write(batch)
        if self.positions_recovered:
            log.info("%s: %d logged positions replayed", self.path, self.positions_recovered)
        position_log.clear()

    def finish(self, *, flush_thin: bool = True) -> None:
        """Store the pending last fixes (unless ``flush_thin`` is False), checkpoint the WAL
        and close."""
        conn = self.connection
        if flush_thin:
            self._thin, pending = flush(self._thin)
            self.transaction(lambda: self._store_points(conn, pending))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    @property
    def connection(self) -> sqlite3.Connection:
        if self.conn is None:
            raise RuntimeError(f"{self.path}: the writer's connection is not open")
        return self.conn

    def transaction(self, body: Callable[[], object]) -> None:
        conn = self.connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            body()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def write(self, item: object) -> None:
        """One item in its own transaction; a failure is counted per reason, not raised."""
        try:
            self.transaction(lambda: self._apply(self.connection, item))
            self.batches_written += 1
        except (sqlite3.Error, ValueError, TypeError) as exc:
            # Bad input or a disk error: count it per reason and keep the writer alive.
            reason = f"{type(item).__name__}: {type(exc).__name__}"
            self.errors[reason] += 1
            log.warning("store write failed (%s): %s", reason, exc)

    def _apply(self, conn: sqlite3.Connection, item: object) -> None:
        if isinstance(item, PositionBatch):
            self._apply_positions(conn, item)
        elif isinstance(item, FlightRecord):
            sql.upsert_flight(conn, item)
        elif isinstance(item, AircraftRecord):
            sql.upsert_aircraft(conn, item)
        elif isinstance(item, FleetRecord):
            sql.upsert_fleet(conn, item)
        elif isinstance(item, VerdictRecord):
            sql.upsert_verdict(conn, item)
        elif isinstance(item, MetaRecord):
            sql.set_meta(conn, item)
        elif isinstance(item, CommBRecord | CommBColumns):
            sql.upsert_commb(conn, item)
        elif isinstance(item, ReceiverFrames):
            sql.insert_receiver_coverage(conn, item.receiver, item.time_s)
            self._advance(conn, float(np.nanmax(item.time_s)) if len(item.time_s) else None)
        elif isinstance(item, list | tuple) and all(isinstance(e, Event) for e in item):
            sql.insert_events(conn, item)
            # Flights are legs between takeoff and landing events: re-derived per aircraft.
            legs = {sql._icao_int(e.icao24) for e in item if e.type in _LEG_TYPES}
            rebuild_flights(conn, legs)
        elif isinstance(item, EventRows):  # the same, from rows made by the engine
            sql.insert_event_rows(conn, item.rows)
            rebuild_flights(conn, {int(r["icao24"]) for r in item.rows if r["type"] in _LEG_TYPES})
        else:
            raise TypeError(f"cannot store {type(item).__name__}")

    def _apply_positions(self, conn: sqlite3.Connection, batch: PositionBatch) -> None:
        if len(batch) == 0:
            return
        sql.insert_coverage(conn, batch.icao24, batch.time_s)
        self._note_thinning(conn)
        kept = batch
        if self.thin_positions:
            self._thin, kept = thin(self._thin, batch, self.thin_params)
        self._store_points(conn, kept)
        self.size_cache()
        finite = batch.time_s[np.isfinite(batch.time_s)]
        self._advance(conn, float(finite.max()) if len(finite) else None)

    def size_cache(self) -> None:
        """Fit SQLite's page cache to the aircraft in range (see CACHE_PER_AIRCRAFT_KIB)."""
        # Without thinning (replay --all-points) no per-aircraft state counts them: the ceiling.
        n = len(self._thin.icao24) if self.thin_positions else None
        want = self.cache_max_kib if n is None else cache_kib_for(n, self.cache_max_kib)
        have = self.cache_kib
        if have and have / CACHE_RESIZE_RATIO <= want <= have * CACHE_RESIZE_RATIO:
            return
        # A smaller cache_size frees the unused pages beyond it at once.
        self.connection.execute(f"PRAGMA cache_size = -{want:d}")  # our integer: no parameter
        self.cache_kib = want

    def _note_thinning(self, conn: sqlite3.Connection) -> None:
        """Meta ``positions_thinned``: yes / no / mixed (writers of both kinds), for exports."""
        if self._thinning_noted:
            return
        self._thinning_noted = True
        mode = "yes" if self.thin_positions else "no"
        before = sql.get_meta(conn, THINNED_KEY)
        if before != mode and before != "mixed":
            sql.set_meta(conn, MetaRecord(THINNED_KEY, mode if before is None else "mixed"))

    def _store_points(self, conn: sqlite3.Connection, kept: PositionBatch) -> None:
        if len(kept) == 0:
            return
        self.points_written += sql.insert_positions(conn, kept)
        sql.update_aircraft_seen(conn, kept)

    def _advance(self, conn: sqlite3.Connection, time_s: float | None) -> None:
        """Move data_through_s forward; run thinning expiry and retention by data time."""
        if time_s is None or time_s <= self._data_through_s:
            return
        self._data_through_s = time_s
        sql.set_meta(conn, MetaRecord("data_through_s", repr(time_s)))
        if time_s - self._last_expiry_s >= THIN_HORIZON_S:
            self._last_expiry_s = time_s
            self._thin, pending = flush(self._thin, time_s - THIN_HORIZON_S)
            self._store_points(conn, pending)
        days = self.retention.track_days
        if time_s - self._last_retention_s >= RETENTION_EVERY_S:
            self._last_retention_s = time_s
            if days is not None:
                sql.delete_track_points_before(conn, time_s - days * 86400.0)
            if self.retention.max_bytes is not None:
                self.retention_deleted += sql.cap_track_points(conn, self.retention.max_bytes)
