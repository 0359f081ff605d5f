"""Live TCP feeds read in a process of their own (adapter): socket and framing off the step.

``await FeedProcess(url, state, on_batch, on_drop).run(stop_event)`` starts a child process
(``python -m flyvakt.sources.feedproc``: nothing of the caller's main module is imported) that
runs :func:`flyvakt.sources.tcp.stream_tcp` for ``url`` (connect, read in bulk, frame with
the vectorised parsers, reconnect with backoff, notice stalls) and hands the parsed batches back
over a pipe. In this process a receiver thread waits on the pipe and calls, in the event loop,
``on_batch(batch, age_s)`` (``age_s``: how long ago the bytes reached this machine: the
child's receipt, less the time they had waited in the socket's buffers before it
(:mod:`flyvakt.sources.queuewait`), so the engine's lag and shedding count from the socket, not
from the pipe) and ``on_drop(n)``.

Why a process, not a thread: measured live at 200 k msg/s (5,000 aircraft), reading and Beast
framing took about a third of the engine process's CPU, in the same interpreter (and GIL) as
the pipeline step; the step alone needs a whole core near 500 k msg/s. In its own process the
reading has its own core (when the machine has one free) and never waits for the step's GIL.

Nothing stalls the sender silently:
- the child reads the socket whatever the parent does: batches wait in a bounded outbox
  (OUTBOX_MAX_FRAMES, and OUTBOX_MAX_AGE_S or the ``outbox_max_age_s`` option: the engine
  passes its latency bound); when the parent falls that far behind, the oldest are
  dropped and counted, and the parent adds them to the engine's shed count (``on_drop``);
- the child's TcpState (connection state, bytes, frames, errors, skipped input) is copied into
  ``state`` (the one the hub shows) with every message and at least every STATE_EVERY_S;
- a child that dies is restarted (after RESTART_DELAY_S), counted in ``state.reader_restarts``;
- on stop the parent closes the child's stdin; the child hands over its last frames (the
  partial frame at the cut is counted as "truncated", as in-process) and exits; a child that
  does not end within STOP_TIMEOUT_S is killed. A parent that dies closes the stdin too, so no
  child outlives it.

The child reads the wall clock (``time.time``) for the Beast counters' anchor, as the in-process
reader does through its ``clock``; it cannot take a fake clock (tests of clock handling use the
in-process reader).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from flyvakt.model import FrameBatch
from flyvakt.sources._common import Batch
from flyvakt.sources.tcp import TcpState, stream_tcp

if TYPE_CHECKING:  # imported where frames are decoded: the decoder's tables cost a reader
    # that does not decode (the default) ~0.04 s of CPU at every start
    from flyvakt.decode.ahead import DecodedFrames

__all__ = ["FeedProcess", "snapshot"]

log = logging.getLogger("flyvakt.sources")

# Why 1,000,000 frames: ~2 s of a 500 k msg/s feed (~50 MB). The engine sheds frames that cannot
# reach the API within its latency bound (0.25 s by default) anyway; a parent that has not taken
# anything for this long is starved, and holding more would only grow the child's memory.
OUTBOX_MAX_FRAMES = 1_000_000
# Why 1 s: frames that waited this long in the outbox are dropped (counted) while newer ones wait;
# the engine sheds frames that cannot reach the API within its latency bound (0.25 s by default,
# runtime.budget.MAX_LATENCY_S), and passes that bound as ``outbox_max_age_s``: older frames
# would only be shed on arrival, after costing the copy. This default is for other callers.
OUTBOX_MAX_AGE_S = 1.0
# Why 5 ms: at most ~200 messages a second, each with everything read meanwhile: the parent
# pays its per-message cost (unpickling, a loop callback) rarely. With GATHER_S (below) it
# bounds how long parsed frames wait in the child; measured on bench_live's peer at 500 k msg/s
# (session 17, the child alone, 2 alternating runs, load ~4): 10 ms and 20 ms gathering, the
# batches' age on delivery p50 26 ms, child 1.51-1.62 CPU s, parent 0.17-0.18 s; 5 ms and
# 10 ms: p50 13 ms, 1.57-1.65 s, 0.21-0.22 s (~200 messages a second against ~40); 2 ms and
# 5 ms: p50 8 ms but 1.81-1.90 s and 0.27-0.29 s. 13 ms off every frame's wait for the cost
# of the noise between runs.
SEND_EVERY_S = 0.005
# Why 10 ms: the child's pause after a short read (stream_tcp's gather_s), so the Beast parser
# gets ~10 ms of feed per call: measured in the child at 200 k msg/s, reads of ~1,600 frames
# spent more time in the parser's fixed cost per call than in the frames; at 500 k msg/s 10 ms
# is ~5,000 frames a call (20 ms, session 7 to 16, held every frame 13 ms longer for no CPU
# that could be measured: see SEND_EVERY_S). It adds at most 10 ms to the frame -> API latency.
GATHER_S = 0.01
# Why 0.25 s: how stale the connection state shown in /api/status may be when no frames flow
# (connecting, backoff, stalled); the status line is printed every 5 s.
STATE_EVERY_S = 0.25
# Why 50 ms: how often the child looks at the stop flag; a stop (Ctrl-C) is seen well within
# the time a user waits for the drain.
STOP_POLL_S = 0.05
# Why 10 s: a stopping child hands over its last frames at once; one that takes longer is hung
# (a blocked connect), and is killed rather than holding up the shutdown.
STOP_TIMEOUT_S = 10.0
# Why 1 s: a child that crashed is restarted soon, but not in a tight loop if it keeps crashing.
RESTART_DELAY_S = 1.0

OnBatch = Callable[["Batch | DecodedFrames", float], None]
OnDrop = Callable[[int], None]

# The state the child reports (everything but the URL, the parser objects and the restarts,
# which only this process knows).
_STATE_FIELDS = tuple(
    f.name
    for f in fields(TcpState)
    if f.name not in ("url", "stats", "live_stats", "reader_restarts")
)


def snapshot(st: TcpState) -> dict[str, Any]:
    """A TcpState as a plain dict (picklable; ``skipped`` over all connections so far)."""
    out = {k: getattr(st, k) for k in _STATE_FIELDS}
    out["skipped"] = dict(st.skipped)
    return out


# Counters that go on across a restarted child (the new child counts from 0).
_COUNTERS = ("bytes", "frames", "connections", "stalls", "read_timeouts")


def _apply(st: TcpState, snap: dict[str, Any], base: dict[str, Any]) -> None:
    for k in _STATE_FIELDS:
        setattr(st, k, snap[k] + base.get(k, 0) if k in _COUNTERS else snap[k])
    skipped = dict(base.get("skipped", {}))
    for k, v in snap["skipped"].items():
        skipped[k] = skipped.get(k, 0) + v
    st.stats.skipped = skipped
    st.live_stats = None


# -- child side ------------------------------------------------------------------------------
@dataclass
class _Message:
    """What the child sends: frames with their receive times, drops so far, its state."""

    frames: list[tuple[float, Batch | DecodedFrames]]  # (time.monotonic() at receipt, batch)
    dropped: int
    state: dict[str, Any]
    end: bool = False


class _Outbox:
    """Child side: batches wait here for the sender thread; ``put`` never blocks (the oldest
    are dropped and counted past ``max_frames``)."""

    def __init__(self, max_frames: int, max_age_s: float = OUTBOX_MAX_AGE_S) -> None:
        self.max_frames = max_frames
        self.max_age_s = max_age_s
        self.items: deque[tuple[float, Batch]] = deque()
        self.queued = 0
        self.dropped = 0
        self.state: dict[str, Any] | None = None
        self.closed = False
        self.cv = threading.Condition()

    def put(self, batch: Batch | None, state: dict[str, Any], waited_s: float = 0.0) -> None:
        """``waited_s``: how long the batch's bytes waited before the reader took them (the
        kernel's socket buffer: TcpState.queue_wait_s); its age counts from their arrival."""
        with self.cv:
            if batch is not None and len(batch):
                now = time.monotonic()
                self.items.append((now - waited_s, batch))
                self.queued += len(batch)
                while len(self.items) > 1 and (
                    self.queued > self.max_frames or now - self.items[0][0] > self.max_age_s
                ):
                    _, old = self.items.popleft()
                    self.queued -= len(old)
                    self.dropped += len(old)
            self.state = state
            self.cv.notify()

    def close(self) -> None:
        with self.cv:
            self.closed = True
            self.cv.notify()

    def take(self) -> _Message | None:
        """Everything queued (waits up to STATE_EVERY_S); None when closed and empty."""
        with self.cv:
            if not self.items and not self.closed:
                self.cv.wait(STATE_EVERY_S)
            if self.closed and not self.items:
                return None
            items = list(self.items)
            self.items.clear()
            self.queued = 0
            dropped, state = self.dropped, dict(self.state or {})
        if len(items) > 1:  # one batch per message (the oldest receive time: ages err long)
            parts: list[Any] = [b for _, b in items]
            items = [(items[0][0], type(parts[0]).concat(parts))]
        frames: list[tuple[float, Batch | DecodedFrames]] = list(items)
        return _Message(frames, dropped, state)


def _send_loop(outbox: _Outbox, conn: Any, decode: bool = False) -> None:
    """Child's sender thread: blocks on the pipe when the parent is slow, never the reader.
    ``decode``: frames go decoded (:func:`flyvakt.decode.ahead.decode_frames`), so that the
    parent's pipeline step does not decode them (its core is the live bound)."""
    try:
        while (msg := outbox.take()) is not None:
            if decode:
                msg.frames = [(t, _decoded(b)) for t, b in msg.frames]
            if msg.frames or msg.state:
                conn.send(msg)
            if msg.frames:
                time.sleep(SEND_EVERY_S)  # let the next message gather frames
        conn.send(_Message([], outbox.dropped, dict(outbox.state or {}), end=True))
    except (OSError, EOFError, BrokenPipeError):  # the parent is gone: nothing left to do
        pass


def _decoded(batch: Batch | DecodedFrames) -> Batch | DecodedFrames:
    """Frames decoded (decode.ahead); other batches (a text feed's observations) as they are."""
    from flyvakt.decode.ahead import decode_frames

    return decode_frames(batch) if isinstance(batch, FrameBatch) else batch


def _child_main(argv: list[str]) -> None:
    """Entry point of the child (``python -m flyvakt.sources.feedproc URL FD OPTIONS``): frames
    go to the pipe ``FD``; it stops when its stdin closes (the parent stops it, or is gone)."""
    import signal
    from multiprocessing.connection import Connection

    # Ctrl-C reaches the whole process group: the parent stops us by closing our stdin (we
    # hand over our last frames then); a KeyboardInterrupt here only printed a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    url, fd, options = argv[0], int(argv[1]), json.loads(argv[2])
    stop = threading.Event()

    def watch_stdin() -> None:
        with contextlib.suppress(OSError):
            while sys.stdin.buffer.read(1):
                pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    asyncio.run(_child(url, Connection(fd, readable=False), stop, options))


async def _child(url: str, conn: Any, stop: Any, options: dict[str, Any]) -> None:
    outbox = _Outbox(
        int(options.pop("outbox_max_frames", OUTBOX_MAX_FRAMES)),
        float(options.pop("outbox_max_age_s", OUTBOX_MAX_AGE_S)),
    )
    options.setdefault("gather_s", GATHER_S)
    decode = bool(options.pop("decode", False))
    sender = threading.Thread(target=_send_loop, args=(outbox, conn, decode), daemon=True)
    sender.start()
    st = TcpState(url=url)
    done = asyncio.Event()

    def on_batch(batch: Batch) -> None:
        outbox.put(batch, snapshot(st), st.queue_wait_s)

    async def watch() -> None:
        while not stop.is_set():
            await asyncio.sleep(STOP_POLL_S)
            outbox.put(None, snapshot(st))
        done.set()

    watcher = asyncio.create_task(watch())
    try:
        await stream_tcp(url, on_batch, time.time, stop_event=done, state=st, **options)
    finally:
        watcher.cancel()
        outbox.put(None, snapshot(st))
        outbox.close()
        await asyncio.to_thread(sender.join)
        conn.close()


# -- parent side -----------------------------------------------------------------------------
class FeedProcess:
    """One TCP feed read in a child process; see the module docstring."""

    def __init__(
        self,
        url: str,
        state: TcpState,
        on_batch: OnBatch,
        on_drop: OnDrop,
        *,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.url = url
        self.state = state
        self.on_batch = on_batch
        self.on_drop = on_drop
        self.options = dict(options or {})
        self.proc: subprocess.Popen[bytes] | None = None  # the current child
        self._base: dict[str, Any] = {}  # counters of the children before this one
        self._dropped_seen = 0

    def _deliver(self, msg: _Message) -> None:
        """Event loop: the child's state, its drops, then its frames in order."""
        if msg.state:
            _apply(self.state, msg.state, self._base)
        if msg.dropped > self._dropped_seen:
            self.on_drop(msg.dropped - self._dropped_seen)
            self._dropped_seen = msg.dropped
        now = time.monotonic()
        for t_in, batch in msg.frames:
            self.on_batch(batch, max(0.0, now - t_in))

    def _receive(self, conn: Any, loop: asyncio.AbstractEventLoop) -> bool:
        """Receiver thread: pass every message to the loop; True if the child ended cleanly."""
        try:
            while True:
                msg = conn.recv()
                loop.call_soon_threadsafe(self._deliver, msg)
                if msg.end:
                    return True
        except (EOFError, OSError):
            return False
        finally:
            conn.close()

    def _start(self) -> tuple[subprocess.Popen[bytes], Any]:
        from multiprocessing.connection import Connection

        # The options the child can take (numbers): a test's rng stays here.
        options = {k: v for k, v in self.options.items() if isinstance(v, int | float)}
        r, w = os.pipe()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", __name__, self.url, str(w), json.dumps(options)],
                stdin=subprocess.PIPE,
                pass_fds=(w,),
            )
        except BaseException:
            os.close(r)
            raise
        finally:
            os.close(w)
        return proc, Connection(r, writable=False)

    async def run(self, stop_event: asyncio.Event) -> TcpState:
        """Read until ``stop_event`` is set (restarting a child that dies); the final state."""
        loop = asyncio.get_running_loop()
        while True:
            proc, conn = self._start()
            self.proc = proc
            self._dropped_seen = 0
            receiving = asyncio.ensure_future(asyncio.to_thread(self._receive, conn, loop))
            stop_wait = asyncio.ensure_future(stop_event.wait())
            await asyncio.wait({receiving, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            stop_wait.cancel()
            if stop_event.is_set() and proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the child's signal to hand over and exit
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(receiving), STOP_TIMEOUT_S)
            try:
                await asyncio.to_thread(proc.wait, 1.0 if receiving.done() else STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait)
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            clean = await receiving  # ends once the child's end of the pipe is closed
            await asyncio.sleep(0)  # the receiver's last messages are delivered first
            if stop_event.is_set() or clean:  # clean without a stop: max_connections reached
                self.state.state = "stopped"
                return self.state
            self.state.reader_restarts += 1
            self._base = {k: getattr(self.state, k) for k in _COUNTERS}
            self._base["skipped"] = dict(self.state.skipped)
            self.state.state = "backoff"
            self.state.last_error = f"reader process exited (code {proc.returncode}); restarting"
            log.warning("%s: %s", self.url, self.state.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), RESTART_DELAY_S)
            if stop_event.is_set():
                self.state.state = "stopped"
                return self.state


if __name__ == "__main__":
    # Run from the imported module, so that what the child pickles (_Message) is named
    # flyvakt.sources.feedproc._Message, not __main__._Message.
    from flyvakt.sources import feedproc

    feedproc._child_main(sys.argv[1:])
