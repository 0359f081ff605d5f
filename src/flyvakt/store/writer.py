"""The single writer: a thread owning the store's only write connection.

Producers (the runtime's pipeline) call :meth:`StoreWriter.offer`, which never blocks: when
the bounded queue is full (a slow disk), the item is dropped and counted, because ingest must
never stall behind storage. Each queued item is written in its own transaction (one commit per
~100 ms batch). Position batches are thinned (:mod:`flyvakt.store.thin`) after their
unthinned times have been recorded as coverage, so coverage reflects every fix heard. What is
done with the connection is :class:`flyvakt.store.wcore.WriterCore`, shared with the writer
process (:mod:`flyvakt.store.writerproc`), which keeps the SQLite work off the caller's GIL.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from flyvakt.model.batches import PositionBatch
from flyvakt.model.events import Event
from flyvakt.store import sql
from flyvakt.store.eventlog import EventLog
from flyvakt.store.poslog import ROTATE_BYTES, PositionLog
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
from flyvakt.store.thin import ThinParams, ThinState
from flyvakt.store.wcore import (
    CACHE_BASE_KIB,
    CACHE_PER_AIRCRAFT_KIB,
    THIN_HORIZON_S,
    THINNED_KEY,
    RetentionSettings,
    WriterCore,
    cache_kib_for,
)

__all__ = [
    "CACHE_BASE_KIB",
    "CACHE_PER_AIRCRAFT_KIB",
    "THINNED_KEY",
    "THIN_HORIZON_S",
    "Record",
    "RetentionSettings",
    "StoreWriter",
    "cache_kib_for",
]

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
    | CommBColumns
    | EventRows
)

# Why 1024: at one batch per ~100 ms that is ~100 s of backlog a slow disk can absorb before
# dropping, while bounding memory to ~1024 batches.
DEFAULT_QUEUE_SIZE = 1024

# Why 50: up to ~5 s of live data per transaction when behind; bounded so one commit stays
# well under a second and a crash loses little.
COALESCE_MAX_BATCHES = 50

_CLOSE = object()


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
        self.core = WriterCore(
            self.path,
            thin_params=thin_params or ThinParams(),
            thin_positions=thin_positions,
            retention=retention or RetentionSettings(),
            cache_max_kib=cache_max_kib,
            thin_resume=thin_resume,
        )
        self._flush_thin_on_close = True
        self.drops = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        # Events are logged to disk before they are queued (flyvakt.store.eventlog).
        self.event_log = EventLog(f"{self.path}.events-log")
        # ... and so are position batches (flyvakt.store.poslog), refused ones included.
        self.position_log = PositionLog(f"{self.path}.positions-log")
        self._last_refused: object = None  # the last refused batch: a retry is not logged twice
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="flyvakt-store", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            raise self._startup_error

    # What the core counted (written from the writer thread; read anywhere).
    @property
    def errors(self) -> Counter[str]:
        return self.core.errors

    @property
    def points_written(self) -> int:
        return self.core.points_written

    @property
    def batches_written(self) -> int:
        return self.core.batches_written

    @property
    def positions_recovered(self) -> int:
        return self.core.positions_recovered

    @property
    def retention_deleted(self) -> int:
        return self.core.retention_deleted

    @property
    def cache_kib(self) -> int:
        return self.core.cache_kib

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
        elif isinstance(item, EventRows):
            self.event_log.append(list(item.rows))
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
        return self.core.thin_snapshot()

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
        core = self.core
        try:
            core.open(self.event_log, self.position_log)
        except BaseException as exc:
            core.close()
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
                    core.write(item)
                finally:
                    for _ in range(n_items - (follow is not None)):
                        self._queue.task_done()
                if follow is None:
                    self._rotate_log(force=False)
                item = follow if follow is not None else self._queue.get()
            self._queue.task_done()  # the close marker
            self._rotate_log(force=True)
            core.finish(flush_thin=self._flush_thin_on_close)
            self.event_log.clear()  # everything offered is committed
            self.position_log.clear()
        finally:
            core.close()

    def _rotate_log(self, *, force: bool) -> None:
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
                self.core.write(batch)
        log_.clear_old()
