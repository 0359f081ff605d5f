"""The single writer: a thread owning the store's only write connection.

Producers (the runtime's pipeline) call :meth:`StoreWriter.offer`, which never blocks: when
the bounded queue is full (a slow disk), the item is dropped and counted, because ingest must
never stall behind storage. Each queued item is written in its own transaction (one commit per
~100 ms batch). Position batches are thinned here (:mod:`flyvakt.store.thin`) after their
unthinned times have been recorded as coverage, so coverage reflects every fix heard.
"""

from __future__ import annotations

import logging
import math
import queue
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flyvakt.model.batches import PositionBatch
from flyvakt.model.events import Event
from flyvakt.store import sql
from flyvakt.store.eventlog import EventLog
from flyvakt.store.flights import rebuild_flights
from flyvakt.store.poslog import ROTATE_BYTES, PositionLog
from flyvakt.store.records import (
    AircraftRecord,
    CommBRecord,
    FleetRecord,
    FlightRecord,
    MetaRecord,
    ReceiverFrames,
    VerdictRecord,
)
from flyvakt.store.thin import ThinParams, ThinState, flush, thin

__all__ = ["Record", "RetentionSettings", "StoreWriter"]

log = logging.getLogger(__name__)

Record = (
    PositionBatch
    | Sequence[Event]
    | FlightRecord
    | AircraftRecord
    | FleetRecord
    | VerdictRecord
    | ReceiverFrames
    | MetaRecord
    | CommBRecord
)

# Why 1024: at one batch per ~100 ms that is ~100 s of backlog a slow disk can absorb before
# dropping, while bounding memory to ~1024 batches.
DEFAULT_QUEUE_SIZE = 1024
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

# Why 50: up to ~5 s of live data per transaction when behind; bounded so one commit stays
# well under a second and a crash loses little.
COALESCE_MAX_BATCHES = 50

_CLOSE = object()


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


class StoreWriter:
    """Write thread for one store file.

    >>> w = StoreWriter("flyvakt.db")   # doctest: +SKIP
    >>> w.offer(position_batch)         # False when the queue is full (counted in drops)
    >>> w.close()                       # drain, flush thinning state, checkpoint
    """

    def __init__(
        self,
        path: str | Path,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        thin_params: ThinParams | None = None,
        thin_positions: bool = True,
        retention: RetentionSettings | None = None,
        cache_max_kib: int = sql.CACHE_KIB,
        thin_resume: tuple[ThinState, float, float] | None = None,
        position_log: bool = True,
    ) -> None:
        """``thin_resume``: a :meth:`thin_snapshot` to continue thinning from (a consumer that
        resumes from its checkpoint: ``run --from``); ``position_log=False``: no positions
        write-ahead, for a source that can be read again from the checkpoint (Kafka)."""
        self.path = str(path)
        self.use_position_log = position_log
        self.cache_max_kib = cache_max_kib
        self.cache_kib = 0  # the page cache size set (KiB), see cache_kib_for
        self.thin_params = thin_params or ThinParams()
        self.thin_positions = thin_positions
        self._thinning_noted = False
        self.retention = retention or RetentionSettings()
        self.drops = 0
        self.errors: Counter[str] = Counter()
        self.points_written = 0
        self.retention_deleted = 0  # track points deleted by the size cap
        self.batches_written = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        # Events are logged to disk before they are queued (flyvakt.store.eventlog).
        self.event_log = EventLog(f"{self.path}.events-log")
        # ... and so are position batches (flyvakt.store.poslog), refused ones included.
        self.position_log = PositionLog(f"{self.path}.positions-log")
        self._last_refused: object = None  # the last refused batch: a retry is not logged twice
        self.positions_recovered = 0
        self._thin = ThinState.empty()
        self._data_through_s = -math.inf
        self._last_expiry_s = -math.inf
        self._flush_thin_on_close = True
        self._resumed = thin_resume is not None
        if thin_resume is not None:
            self._thin, self._last_expiry_s, self._data_through_s = thin_resume
        self._last_retention_s = -math.inf
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="flyvakt-store", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            raise self._startup_error

    # -- producer side -------------------------------------------------------------------
    def offer(self, item: Record) -> bool:
        """Queue ``item`` for writing; False (and a counted drop) when the queue is full."""
        if self._closed:
            raise RuntimeError(f"{self.path}: StoreWriter is closed")
        if isinstance(item, PositionBatch) and len(item):
            return self._offer_positions(item)
        if self._queue.full():
            self.drops += 1
            return False
        if isinstance(item, list | tuple) and item and all(isinstance(e, Event) for e in item):
            self.event_log.append([sql.event_row(e) for e in item])
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.drops += 1
            return False
        return True

    def _offer_positions(self, item: PositionBatch) -> bool:
        """Log, then queue; a batch the full queue refuses stays in the log (replayed later)."""
        log_ = self.position_log
        with log_.lock:
            if item is not self._last_refused and self.use_position_log:
                log_.append(item)
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                self.drops += 1
                self._last_refused = item
                log_.refused = True
                return False
            self._last_refused = None
        return True

    def flush(self) -> None:
        """Block until everything offered so far is committed."""
        self._queue.join()

    def thin_snapshot(self) -> tuple[ThinState, float, float]:
        """The thinner's state, its last expiry time and the data time, to resume from
        (``thin_resume``). Call it right after :meth:`flush`: nothing is then being written."""
        return self._thin, self._last_expiry_s, self._data_through_s

    def close(self, *, flush_thin: bool = True) -> None:
        """Drain the queue, store pending last fixes (unless ``flush_thin`` is False: a
        consumer that resumes from :meth:`thin_snapshot` stores them later, when thinning
        decides), checkpoint the WAL and close."""
        if self._closed:
            return
        self._closed = True
        self._flush_thin_on_close = flush_thin
        self._queue.put(_CLOSE)
        self._thread.join()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writer thread -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            conn = sql.connect_rw(self.path)
            self._size_cache(conn)
            through = sql.get_meta(conn, "data_through_s")
            # Resumed: the data time goes with the thinner (expiry runs where it ran before),
            # even if the store already holds later data (a kill after the checkpoint).
            if through is not None and not self._resumed:
                self._data_through_s = float(through)
            logged = self.event_log.read()  # events of a run that was killed
            if logged:

                def recover() -> None:
                    sql.insert_event_rows(conn, logged)

                self._transaction(conn, recover)
                log.info("%s: %d logged events recovered", self.path, len(logged))
            self.event_log.clear()
            for batch in self.position_log.read_all():  # positions of a run that was killed
                self.positions_recovered += len(batch)
                self._write(conn, batch)
            if self.positions_recovered:
                log.info("%s: %d logged positions replayed", self.path, self.positions_recovered)
            self.position_log.clear()
        except BaseException as exc:
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            item: object = self._queue.get()
            while item is not _CLOSE:
                n_items = 1
                follow: object = None
                if isinstance(item, PositionBatch):
                    # Backlog (a replay, a slow disk): merge queued position batches into one
                    # transaction; each commit touches one page per aircraft, so fewer, larger
                    # commits write far less. In live flow the queue is empty and nothing merges.
                    parts = [item]
                    while len(parts) < COALESCE_MAX_BATCHES:
                        try:
                            follow = self._queue.get_nowait()
                        except queue.Empty:
                            follow = None
                            break
                        n_items += 1
                        if not isinstance(follow, PositionBatch):
                            break
                        parts.append(follow)
                        follow = None
                    if len(parts) > 1:
                        item = PositionBatch.concat(parts)
                try:
                    self._write(conn, item)
                finally:
                    for _ in range(n_items - (follow is not None)):
                        self._queue.task_done()
                if follow is None:
                    self._rotate_log(conn, force=False)
                item = follow if follow is not None else self._queue.get()
            self._queue.task_done()  # the close marker
            self._rotate_log(conn, force=True)
            if self._flush_thin_on_close:
                self._thin, pending = flush(self._thin)
                self._transaction(conn, lambda: self._store_points(conn, pending))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.event_log.clear()  # everything offered is committed
            self.position_log.clear()
        finally:
            conn.close()

    def _rotate_log(self, conn: sqlite3.Connection, *, force: bool) -> None:
        """With the queue empty (all queued is committed), set the positions log aside: replay
        it first if batches were refused since, then delete it."""
        log_ = self.position_log
        with log_.lock:
            if not self._queue.empty():
                return
            if not (force or log_.refused or log_.size() >= ROTATE_BYTES):
                return
            refused, log_.refused = log_.refused, False
            if not log_.rotate():
                return
        if refused:
            for batch in log_.read_old():
                self._write(conn, batch)
        log_.clear_old()

    def _transaction(self, conn: sqlite3.Connection, body: Callable[[], None]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            body()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _write(self, conn: sqlite3.Connection, item: object) -> None:
        try:
            self._transaction(conn, lambda: self._apply(conn, item))
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
        elif isinstance(item, CommBRecord):
            sql.upsert_commb(conn, item)
        elif isinstance(item, ReceiverFrames):
            sql.insert_receiver_coverage(conn, item.receiver, item.time_s)
            self._advance(conn, float(np.nanmax(item.time_s)) if len(item.time_s) else None)
        elif isinstance(item, list | tuple) and all(isinstance(e, Event) for e in item):
            sql.insert_events(conn, item)
            # Flights are legs between takeoff and landing events: re-derived per aircraft.
            legs = {sql._icao_int(e.icao24) for e in item if e.type in ("takeoff", "landing")}
            rebuild_flights(conn, legs)
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
        self._size_cache(conn)
        finite = batch.time_s[np.isfinite(batch.time_s)]
        self._advance(conn, float(finite.max()) if len(finite) else None)

    def _size_cache(self, conn: sqlite3.Connection) -> None:
        """Fit SQLite's page cache to the aircraft in range (see CACHE_PER_AIRCRAFT_KIB)."""
        # Without thinning (replay --all-points) no per-aircraft state counts them: the ceiling.
        n = len(self._thin.icao24) if self.thin_positions else None
        want = self.cache_max_kib if n is None else cache_kib_for(n, self.cache_max_kib)
        have = self.cache_kib
        if have and have / CACHE_RESIZE_RATIO <= want <= have * CACHE_RESIZE_RATIO:
            return
        # A smaller cache_size frees the unused pages beyond it at once.
        conn.execute(f"PRAGMA cache_size = -{want:d}")  # our own integer: no bound parameter
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
