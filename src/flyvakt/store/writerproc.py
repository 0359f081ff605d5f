"""The store writer in a process of its own (adapter): SQLite work off the engine's GIL.

``StoreWriterProcess(path)`` has :class:`flyvakt.store.StoreWriter`'s interface and contract
(``offer`` never blocks on the disk and counts what a full queue refuses; ``flush``; ``close``
drains, stores the pending thinned fixes and checkpoints), but the write connection and its
work (coverage, thinning, track points, events, flights: :class:`flyvakt.store.wcore.WriterCore`)
run in a child process (``python -m flyvakt.store.writerproc``).

Why: measured live at 100 k msg/s, the writer thread took ~3.2 µs of CPU per frame in the
engine process, more than the pipeline step itself, and held the step's GIL while it bound
parameters. In a child it has its own core when the machine has one free.

The contract stays where it was:
- **Write-ahead before acknowledge.** ``offer`` appends position batches and events to the
  write-ahead logs (:mod:`flyvakt.store.poslog`, :mod:`flyvakt.store.eventlog`, fsynced) in
  this process, then sends them: the position record's bytes are encoded once, for the log and
  for the pipe. What ``offer`` accepted survives a ``kill -9`` of either process.
- **The queue** is what was sent but not yet committed (the child acknowledges each commit):
  at ``queue_size`` items an offer is refused and counted in ``drops``; a refused position
  batch stays in the log and is committed later, as with the thread.
- **Log rotation** is decided here: the log is set aside when large, and deleted once
  everything sent before is committed (the child replays it first when batches were refused
  since).
- **A child that dies** (``kill -9``, out of memory) is restarted at once, counted in
  ``restarts``. The new child commits what the logs hold (its start-up recovery, as after a
  crash of the whole service) and this process sends again what is not logged (Comm-B, meta,
  flight records). Offers wait while a child starts (~0.5 s), so that nothing is appended
  between the child's reading of the logs and their deletion. Thinning state (the newest fix
  of each aircraft, not yet stored) is lost with the child, as with a crash of the service.
- **A parent that dies** closes the pipe: the child finishes the transaction it is in and
  exits without touching the logs; the next start replays them (inserts are idempotent).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flyvakt.model.batches import PositionBatch
from flyvakt.model.events import Event
from flyvakt.store import sql
from flyvakt.store.eventlog import EventLog
from flyvakt.store.poslog import ROTATE_BYTES, PositionLog, decode_all, encode
from flyvakt.store.records import EventRows
from flyvakt.store.thin import ThinParams
from flyvakt.store.wcore import RetentionSettings, WriterCore
from flyvakt.store.writer import COALESCE_MAX_BATCHES, DEFAULT_QUEUE_SIZE, Record

__all__ = ["StoreWriterProcess"]

log = logging.getLogger("flyvakt.store.writer")

# Why 1 s: between attempts to start a child that failed to start (a disk error); a child that
# died is restarted at once, one that cannot start is not retried in a tight loop.
RESTART_DELAY_S = 1.0
# Why 60 s: a child that has not finished closing by then (a final checkpoint on a stalled
# disk) is killed; what it had not committed is in the logs and replayed at the next start.
CLOSE_TIMEOUT_S = 60.0
# Why 3: while closing, a child that cannot start after three tries (~3 s) is given up on, so a
# shutdown is not held forever; what was offered stays in the logs, replayed at the next start.
MAX_START_ATTEMPTS_CLOSING = 3

# Why 1 s: live position batches (one per 50-100 ms step) are gathered in the child for up to
# this long after its last commit, and committed in one transaction. Each commit writes a WAL
# page per aircraft with positions, and the coverage and last-seen upserts are per aircraft and
# minute per transaction: measured on the live benchmark's corpus (300 k msg/s, 16,500
# aircraft, 30 k-frame steps), the child's CPU per frame was 0.6-0.77 us with one step per
# commit, 0.36 with five, 0.27-0.29 with ten, 0.23-0.27 with twenty. Nothing waits for it: the
# hub is told after the write-ahead log (this process), and flush() asks the child not to
# wait; readers of the store see positions up to ~1 s later than the live map.
COMMIT_EVERY_S = 1.0

# Message kinds (parent -> child): positions (poslog record bytes), events (EventRows),
# another record, replay the rotated positions log, commit now (flush), close. Child ->
# parent: ready, error, ack, closed.
_POS, _EVENTS, _RECORD, _OLD, _FLUSH, _CLOSE = "p", "e", "r", "old", "flush", "close"
_LOGGED = (_POS, _EVENTS, _OLD)  # what a new child's recovery commits from the logs
_COUNTERS = ("points_written", "batches_written", "positions_recovered", "retention_deleted")


def _stats(core: WriterCore) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(core, k) for k in _COUNTERS}
    out["errors"] = dict(core.errors)
    out["cache_kib"] = core.cache_kib
    out["cpu_s"] = time.process_time()
    return out


class StoreWriterProcess:
    """A store writer whose SQLite work runs in a child process; see the module docstring."""

    def __init__(
        self,
        path: str | Path,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        thin_params: ThinParams | None = None,
        thin_positions: bool = True,
        retention: RetentionSettings | None = None,
        cache_max_kib: int = sql.CACHE_KIB,
        commit_every_s: float = COMMIT_EVERY_S,
    ) -> None:
        self.path = str(path)
        self.queue_size = queue_size
        self._settings = {
            "thin_params": asdict(thin_params or ThinParams()),
            "thin_positions": thin_positions,
            "retention": asdict(retention or RetentionSettings()),
            "cache_max_kib": cache_max_kib,
            "commit_every_s": commit_every_s,
        }
        self.drops = 0
        self.restarts = 0
        self.errors: Counter[str] = Counter()
        self.cache_kib = 0
        self.child_cpu_s = 0.0  # CPU seconds of the writer children (as last reported)
        self._base: dict[str, float] = dict.fromkeys((*_COUNTERS, "cpu_s"), 0.0)
        self._now: dict[str, float] = dict(self._base)
        self._base_errors: Counter[str] = Counter()
        self.event_log = EventLog(f"{self.path}.events-log")
        self.position_log = PositionLog(f"{self.path}.positions-log")
        self._last_refused: object = None  # a retry of a refused batch is not logged twice
        self._old_until: int | None = None  # the log set aside holds items up to this seq
        self._cv = threading.Condition()
        self._pending: deque[tuple[str, int, Any]] = deque()  # sent, not yet committed
        self._seq = 0
        self._closed = False
        self._ended = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._tx: Any = None
        self._outbox: deque[tuple[str, int, Any]] = deque()  # to send, by the sender thread
        rx = self._start()  # a store that cannot be opened raises here, as the thread does
        self._acks = threading.Thread(
            target=self._ack_loop, args=(rx,), name="flyvakt-store-acks", daemon=True
        )
        self._acks.start()
        # Sending waits for the pipe (a large batch, a child that is stopped or hung): a thread
        # of its own does it, so that offer never waits for the child.
        threading.Thread(target=self._send_loop, name="flyvakt-store-send", daemon=True).start()

    # -- counters ------------------------------------------------------------------------
    @property
    def points_written(self) -> int:
        return int(self._base["points_written"] + self._now["points_written"])

    @property
    def batches_written(self) -> int:
        return int(self._base["batches_written"] + self._now["batches_written"])

    @property
    def positions_recovered(self) -> int:
        return int(self._base["positions_recovered"] + self._now["positions_recovered"])

    @property
    def retention_deleted(self) -> int:
        return int(self._base["retention_deleted"] + self._now["retention_deleted"])

    @property
    def pid(self) -> int | None:
        """The current child's process id."""
        return None if self._proc is None else self._proc.pid

    def _take_stats(self, stats: dict[str, Any]) -> None:
        for k in (*_COUNTERS, "cpu_s"):
            self._now[k] = float(stats[k])
        self.errors = self._base_errors + Counter(stats["errors"])
        self.cache_kib = int(stats["cache_kib"])
        self.child_cpu_s = self._base["cpu_s"] + self._now["cpu_s"]

    # -- producer side -------------------------------------------------------------------
    def offer(self, item: Record) -> bool:
        """Log (positions, events), then send; False (and a counted drop) when ``queue_size``
        items wait for their commit. Never waits for the disk (only for a child starting)."""
        if self._closed:
            raise RuntimeError(f"{self.path}: StoreWriterProcess is closed")
        is_pos = isinstance(item, PositionBatch)
        if is_pos and not len(item):  # type: ignore[arg-type]
            return True
        with self._cv:
            if len(self._pending) >= self.queue_size:
                self.drops += 1
                if is_pos:  # stays in the log, committed at the next rotation
                    if item is not self._last_refused:
                        self.position_log.append(item)  # type: ignore[arg-type]
                    self._last_refused = item
                    self.position_log.refused = True
                return False
            self._last_refused = None
            if is_pos:
                record = encode(item)  # type: ignore[arg-type]
                self.position_log.append_record(record)
                self._send_new(_POS, record)
            elif isinstance(item, EventRows) or (
                isinstance(item, list | tuple) and item and all(isinstance(e, Event) for e in item)
            ):
                # The rows are made once: for the log, and for the child (no Event pickled).
                if isinstance(item, EventRows):
                    rows = item
                else:
                    rows = EventRows(tuple(sql.event_row(e) for e in item))
                self.event_log.append(list(rows.rows))
                self._send_new(_EVENTS, rows)
            else:
                self._send_new(_RECORD, item)
        return True

    def _send_new(self, kind: str, payload: Any) -> None:
        """Queue and send (with ``_cv`` held)."""
        self._seq += 1
        self._pending.append((kind, self._seq, payload))
        self._send((kind, self._seq, payload))

    def _send(self, msg: tuple[str, int, Any]) -> None:
        """Hand ``msg`` to the sender thread (with ``_cv`` held)."""
        self._outbox.append(msg)
        self._cv.notify_all()

    def _send_loop(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: (self._outbox and self._tx is not None) or self._ended)
                if self._ended:
                    return
                msg, tx = self._outbox.popleft(), self._tx  # together: a restart clears both
            # A child that died: the ack thread restarts it and sends again what is needed.
            with contextlib.suppress(OSError, ValueError):
                tx.send(msg)

    def flush(self) -> None:
        """Block until everything offered so far is committed."""
        with self._cv:
            if self._pending and not self._closed:
                self._send_new(_FLUSH, None)  # the child stops gathering (COMMIT_EVERY_S)
            self._cv.wait_for(lambda: not self._pending or self._ended)

    def close(self) -> None:
        """Drain, store pending thinned fixes, checkpoint the WAL, end the child."""
        if self._closed:
            return
        with self._cv:
            self._closed = True
            # Refused batches still in the log are committed before the close.
            self._send_new(_CLOSE, self.position_log.refused)
        self._acks.join()

    def __enter__(self) -> StoreWriterProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- children ------------------------------------------------------------------------
    def _start(self) -> Any:
        """Start a child and wait until it has opened the store and recovered the logs (with
        ``_cv`` held, or before the ack thread exists); the pipe to read its answers from."""
        from multiprocessing.connection import Connection

        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    __name__,
                    self.path,
                    str(to_child_r),
                    str(from_child_w),
                    json.dumps(self._settings),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=(to_child_r, from_child_w),
            )
        except BaseException:
            for fd in (to_child_w, from_child_r):
                os.close(fd)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        tx = Connection(to_child_w, readable=False)
        rx = Connection(from_child_r, writable=False)
        try:
            kind, _, payload = rx.recv()
        except (EOFError, OSError):
            kind, payload = "error", RuntimeError(f"{self.path}: the store writer process died")
        if kind != "ready":
            tx.close()
            rx.close()
            proc.wait()
            raise payload if isinstance(payload, BaseException) else RuntimeError(str(payload))
        self._proc, self._tx = proc, tx
        self._take_stats(payload)
        return rx

    def _restart(self) -> Any:
        """The child died: start another (retrying while it cannot start); the pipe to it."""
        old = self._proc
        if old is not None:
            old.wait()
            log.warning(
                "%s: store writer process exited (code %s); restarting", self.path, old.returncode
            )
        with self._cv:
            if self._tx is not None:
                self._tx.close()
            self._tx = None
            self._outbox.clear()  # what is still needed is in _pending, sent again below
            self.restarts += 1
            for k in self._base:  # the dead child's counters
                self._base[k] += self._now[k]
                self._now[k] = 0.0
            self._base_errors = Counter(self.errors)
        attempts = 0
        while True:
            attempts += 1
            if self._closed and attempts > MAX_START_ATTEMPTS_CLOSING:
                # Closing, and no child will start: the logs keep what was offered.
                log.error(
                    "%s: store writer cannot start; the logs are replayed next time", self.path
                )
                return None
            with self._cv:  # no offer appends to the logs while the child recovers them
                try:
                    rx = self._start()
                except Exception as exc:
                    self.errors[f"writer start: {type(exc).__name__}"] += 1
                    self._base_errors = Counter(self.errors)
                    log.warning("%s: store writer did not start: %s", self.path, exc)
                    rx = None
                if rx is not None:
                    # What the logs held is committed now; the rest is sent again, in order.
                    kept = [m for m in self._pending if m[0] not in _LOGGED]
                    self._pending = deque(kept)
                    self.position_log.refused = False
                    self._last_refused = None
                    self._old_until = None  # the recovery committed and deleted both files
                    self._outbox.clear()
                    for msg in kept:
                        self._send(msg)
                    self._cv.notify_all()
                    return rx
            time.sleep(RESTART_DELAY_S)

    def _ack_loop(self, rx: Any) -> None:
        """Ack thread: commits acknowledged, logs rotated, a dead child restarted."""
        try:
            while True:
                try:
                    kind, seq, stats = rx.recv()
                except (EOFError, OSError):
                    rx.close()
                    rx = self._restart()
                    if rx is None:
                        break
                    continue
                with self._cv:
                    self._take_stats(stats)
                    while self._pending and self._pending[0][1] <= seq:
                        self._pending.popleft()
                    if not self._closed:
                        self._rotate_log(seq)
                    self._cv.notify_all()
                if kind == "closed":
                    break
        finally:
            if rx is not None:
                rx.close()
            with self._cv:
                self._ended = True
                if self._tx is not None:
                    self._tx.close()
                    self._tx = None
                self._cv.notify_all()
            if self._proc is not None:
                try:
                    self._proc.wait(CLOSE_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()

    def _rotate_log(self, acked: int) -> None:
        """After the ack of ``acked`` (``_cv`` held): delete the log set aside once everything
        in it is committed; set the log aside when it is large, or batches were refused.

        Items may still wait for their commit (the child gathers live batches, COMMIT_EVERY_S,
        so a moment with none pending may never come): the log is then set aside anyway and
        deleted once the ack reaches the last item sent before. Refused batches are replayed
        from the set-aside file only when nothing else waits (a replay must not commit a
        batch twice: coverage counts add up)."""
        log_ = self.position_log
        if self._old_until is not None:
            if acked < self._old_until:
                return  # the set-aside file still holds batches not committed
            log_.clear_old()
            self._old_until = None
        if not (log_.refused or log_.size() >= ROTATE_BYTES):
            return
        if self._pending:
            if not log_.refused and log_.rotate():
                self._old_until = self._seq
            return
        refused, log_.refused = log_.refused, False
        if not log_.rotate():
            return
        if refused:
            self._send_new(_OLD, None)  # the child replays and deletes it
            self._old_until = self._seq
        else:
            log_.clear_old()


# -- child side ------------------------------------------------------------------------------
def _child_main(argv: list[str]) -> None:
    """``python -m flyvakt.store.writerproc PATH FD_IN FD_OUT SETTINGS``."""
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which closes us
    path, settings = argv[0], json.loads(argv[3])
    rx = Connection(int(argv[1]), writable=False)
    tx = Connection(int(argv[2]), readable=False)
    parent = os.getppid()
    core = WriterCore(
        path,
        thin_params=ThinParams(**settings["thin_params"]),
        thin_positions=bool(settings["thin_positions"]),
        retention=RetentionSettings(**settings["retention"]),
        cache_max_kib=int(settings["cache_max_kib"]),
    )
    event_log = EventLog(f"{path}.events-log")
    position_log = PositionLog(f"{path}.positions-log")
    try:
        core.open(event_log, position_log)
    except BaseException as exc:
        core.close()
        try:
            tx.send(("error", 0, exc))
        except Exception:
            tx.send(("error", 0, f"{type(exc).__name__}: {exc}"))
        return
    tx.send(("ready", 0, _stats(core)))
    inbox: queue.Queue[tuple[str, int, Any] | None] = queue.Queue()

    def read() -> None:  # the pipe is drained at once: the parent's send never waits on SQLite
        try:
            while True:
                inbox.put(rx.recv())
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        every_s = float(settings.get("commit_every_s", COMMIT_EVERY_S))
        _serve(core, inbox, tx, event_log, position_log, parent, every_s)
    except (BrokenPipeError, EOFError, OSError):
        pass  # the parent is gone
    finally:
        core.close()


def _serve(
    core: WriterCore,
    inbox: queue.Queue[tuple[str, int, Any] | None],
    tx: Any,
    event_log: EventLog,
    position_log: PositionLog,
    parent: int,
    commit_every_s: float = 0.0,
) -> None:
    held: tuple[str, int, Any] | None = None
    last_commit = -float("inf")  # time.monotonic() at the end of the last position commit
    while True:
        msg = held if held is not None else inbox.get()
        held = None
        if msg is None or os.getppid() != parent:
            return  # the parent died: what was not committed is in its logs
        kind, seq, payload = msg
        if kind in (_POS, _EVENTS):
            # Merge the position batches (and the events: rows of other tables, which no
            # position changes) that wait, or arrive within COMMIT_EVERY_S of the last commit,
            # into a transaction each (a backlog merges as the thread's does); acknowledged
            # together, after both.
            parts: list[PositionBatch] = []
            rows: list[dict[str, Any]] = []
            due = last_commit + commit_every_s
            while True:
                if kind == _POS:
                    parts += decode_all(payload)[0]
                else:
                    rows += payload.rows
                if len(parts) >= COALESCE_MAX_BATCHES:
                    break
                wait = due - time.monotonic()
                try:
                    nxt = inbox.get(timeout=wait) if wait > 0 else inbox.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:  # the parent is gone: stop after this transaction
                    inbox.put(None)
                    break
                if nxt[0] not in (_POS, _EVENTS):
                    held = nxt
                    break
                kind, seq, payload = nxt
            if parts:
                core.write(parts[0] if len(parts) == 1 else PositionBatch.concat(parts))
            if rows:
                core.write(EventRows(tuple(rows)))
            last_commit = time.monotonic()
        elif kind == _RECORD:
            core.write(payload)
        elif kind == _FLUSH:
            pass  # it only ended the gathering above: acknowledged below
        elif kind == _OLD:
            for batch in position_log.read_old():
                core.write(batch)
            position_log.clear_old()
        elif kind == _CLOSE:
            if payload:  # batches were refused since the last rotation
                for batch in position_log.read_all():
                    core.write(batch)
            core.finish()
            event_log.clear()  # everything offered is committed
            position_log.clear()
            tx.send(("closed", seq, _stats(core)))
            return
        tx.send(("ack", seq, _stats(core)))


if __name__ == "__main__":
    # Run from the imported module, so that the records the parent pickles resolve by name.
    from flyvakt.store import writerproc

    writerproc._child_main(sys.argv[1:])
