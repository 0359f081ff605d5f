"""Live TCP feeds (adapter): connect, parse incrementally, reconnect with backoff.

``stream_tcp("beast+tcp://host:30005", on_batch, clock, stop_event=ev)`` runs until
``stop_event`` is set (or ``max_connections`` is reached, for tests). Each received chunk goes
through the incremental parser of the feed's format; every non-empty batch is handed to
``on_batch`` at once, so frames already received are never lost when the connection drops; the
partial frame at the cut is counted as "truncated" by the parser's ``finish``.

A feed that goes quiet is noticed: after ``stall_after_s`` without a byte the state says
"stalled" (the connection may be half-open: the peer vanished without a FIN), and after
``read_timeout_s`` the connection is closed and re-opened. TCP keepalive is switched on too,
so the kernel also probes an idle peer.

Wall-clock time is read only here, through ``clock`` (tests pass a fake): Beast/AVR counters
are anchored to the receive time of the first chunk of each connection and re-anchored when
counter time strays from receive time (drift, counter reset; see ``_common.CounterClock``);
frames without any timestamp (AVR ``*`` lines) take the receive time of their chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from flyvakt.sources._common import Batch, Parser, SourceStats
from flyvakt.sources.beast import BeastParser
from flyvakt.sources.lines import AvrParser, SbsParser
from flyvakt.sources.queuewait import QueueWait, kernel_queued
from flyvakt.sources.reader import open_source

BACKOFF_START_S = 0.5  # first retry soon: a restarted dump1090 is usually back within a second
BACKOFF_CAP_S = 30.0  # never wait longer than this: a feed that returns is picked up quickly
BACKOFF_JITTER = 0.2  # +-20 % so that many clients of one receiver do not reconnect in step
CONNECT_TIMEOUT_S = 10.0  # a SYN to a dead host must not stall the loop forever
# Why 1 MiB reads over a 4 MiB stream buffer: between two pipeline steps the engine yields to
# the feeds only briefly; large reads drain what the kernel queued meanwhile in a few loop
# turns (a 500 k msg/s Beast feed is ~10 MB/s), so the sender is not held up by a full socket,
# and the vectorised parsers work best on large chunks. 64 KiB reads took ~150 turns a second.
READ_SIZE = 1 << 20
STREAM_LIMIT = 4 << 20
# Why 10 s: a receiver with any aircraft in range sends frames many times a second; ten quiet
# seconds are worth showing ("stalled") even when the sky may just be empty at night.
STALL_AFTER_S = 10.0
# Why 60 s: a minute with not one byte is a dead or half-open connection far more often than an
# empty sky; reconnecting costs nothing if the feed was merely quiet.
READ_TIMEOUT_S = 60.0
# Kernel keepalive: first probe after 30 s idle, then every 10 s, give up after 3 (Linux).
KEEPALIVE = (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3))

OnBatch = Callable[[Batch], Awaitable[None] | None]


@dataclass
class TcpState:
    """What the reader is doing, for status pages and logs."""

    url: str
    state: str = "idle"  # connecting | connected | stalled | disconnected | backoff | stopped
    last_error: str | None = None
    bytes: int = 0
    frames: int = 0
    connections: int = 0
    attempts: int = 0  # consecutive failed attempts (reset on data)
    next_retry_s: float | None = None
    last_data_s: float | None = None
    stalls: int = 0  # times the feed went quiet for stall_after_s while connected
    read_timeouts: int = 0  # connections closed after read_timeout_s without data
    reader_restarts: int = 0  # reader processes that died and were restarted (feedproc)
    # How long the bytes of the last read waited before the reader took them (kernel socket
    # buffer, stream buffer, the gather pause): counted into each frame's age (queuewait).
    queue_wait_s: float = 0.0
    stats: SourceStats = field(default_factory=SourceStats)
    live_stats: SourceStats | None = None  # the current connection's parser (not yet merged)

    @property
    def skipped(self) -> dict[str, int]:
        """Corrupt or truncated input skipped, per reason, over all connections so far."""
        out = dict(self.stats.skipped)
        if self.live_stats is not None:
            for k, v in self.live_stats.skipped.items():
                out[k] = out.get(k, 0) + v
        return out


def set_keepalive(writer: Any) -> None:
    """Switch on TCP keepalive with short timers where the platform has them."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in KEEPALIVE:
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with jitter: 0.5, 1, 2, ... capped at 30 s, each +-20 %."""
    base = min(BACKOFF_CAP_S, BACKOFF_START_S * (2 ** max(0, attempt - 1)))
    return float(base * (1.0 + rng.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)))


def make_parser(fmt: str, base_time_s: float | None, receiver: int, name: str) -> Parser:
    if fmt == "beast":
        return BeastParser(base_time_s, receiver=receiver, name=name)
    if fmt == "avr":
        return AvrParser(base_time_s, receiver=receiver, name=name)
    return SbsParser(base_time_s, receiver=receiver, name=name)


async def _deliver(on_batch: OnBatch, batch: Batch) -> None:
    res = on_batch(batch)
    if inspect.isawaitable(res):
        await res


async def stream_tcp(
    url: str,
    on_batch: OnBatch,
    clock: Callable[[], float],
    *,
    stop_event: asyncio.Event,
    state: TcpState | None = None,
    receiver: int = 0,
    max_connections: int | None = None,
    backoff_start_s: float = BACKOFF_START_S,
    rng: random.Random | None = None,
    stall_after_s: float = STALL_AFTER_S,
    read_timeout_s: float = READ_TIMEOUT_S,
    gather_s: float = 0.0,
) -> TcpState:
    """Read a live feed until ``stop_event`` is set; returns the final state.

    ``gather_s`` > 0: after a read shorter than READ_SIZE, wait that long before the next, so
    that the parser gets larger chunks (its cost per call is fixed; a reader process that
    has nothing else to do would otherwise parse every few hundred frames)."""
    spec = open_source(url)
    if not spec.is_tcp or spec.host is None or spec.port is None or spec.fmt is None:
        raise ValueError(f"{url}: not a TCP source URL")
    st = state or TcpState(url=url)
    rng = rng or random.Random()
    scale = backoff_start_s / BACKOFF_START_S
    while not stop_event.is_set():
        if max_connections is not None and st.connections >= max_connections:
            break
        st.state = "connecting"
        parser: Parser | None = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(spec.host, spec.port, limit=STREAM_LIMIT),
                CONNECT_TIMEOUT_S,
            )
        except (OSError, TimeoutError) as e:
            st.last_error = f"connect: {e.__class__.__name__}: {e}"
        else:
            st.connections += 1
            st.state = "connected"
            st.last_error = None
            set_keepalive(writer)
            parser = make_parser(spec.fmt, None, receiver, url)
            st.live_stats = parser.stats
            timeouts = (stall_after_s, read_timeout_s)
            sock = writer.get_extra_info("socket")
            try:
                await _read_loop(
                    reader, parser, on_batch, clock, stop_event, st, timeouts, gather_s, sock
                )
            except TimeoutError:  # (an OSError: caught first)
                st.read_timeouts += 1
                st.last_error = f"read: no data for {read_timeout_s:g} s; reconnecting"
            except (OSError, asyncio.IncompleteReadError) as e:
                st.last_error = f"read: {e.__class__.__name__}: {e}"
            finally:
                st.live_stats = None
                tail = parser.finish()  # counts the partial frame at the cut as truncated
                if len(tail):
                    st.frames += len(tail)
                    await _deliver(on_batch, tail)
                st.stats.merge(parser.stats)
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            st.state = "disconnected"
            if st.last_error is None and not stop_event.is_set():
                st.last_error = "connection closed by peer"
        if stop_event.is_set():
            break
        if max_connections is not None and st.connections >= max_connections:
            break
        st.attempts += 1
        delay = backoff_delay(st.attempts, rng) * scale
        st.state = "backoff"
        st.next_retry_s = clock() + delay
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=delay)
        st.next_retry_s = None
    st.state = "stopped"
    return st


async def _read_loop(
    reader: asyncio.StreamReader,
    parser: Parser,
    on_batch: OnBatch,
    clock: Callable[[], float],
    stop_event: asyncio.Event,
    st: TcpState,
    timeouts: tuple[float, float] = (STALL_AFTER_S, READ_TIMEOUT_S),
    gather_s: float = 0.0,
    sock: Any = None,
) -> None:
    """Read until EOF or stop; TimeoutError after ``timeouts[1]`` seconds without a byte.
    Before each batch is handed on, ``st.queue_wait_s`` says how long its bytes waited before
    this read took them (:class:`flyvakt.sources.queuewait.QueueWait`; ``sock``: the socket
    whose kernel queue counts, with the stream's own buffer)."""
    stall_after_s, read_timeout_s = timeouts
    loop = asyncio.get_running_loop()
    waits = QueueWait()
    stop_wait = asyncio.ensure_future(stop_event.wait())
    try:
        while True:
            read = asyncio.ensure_future(reader.read(READ_SIZE))
            quiet_since = loop.time()  # the event loop's monotonic clock: timeouts only
            while True:
                waited = loop.time() - quiet_since
                step = stall_after_s if st.state != "stalled" else read_timeout_s
                done, _ = await asyncio.wait(
                    {read, stop_wait},
                    timeout=max(0.0, min(step, read_timeout_s) - waited),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if done:
                    break
                if loop.time() - quiet_since >= read_timeout_s:
                    read.cancel()
                    raise TimeoutError
                if st.state != "stalled":
                    st.state = "stalled"
                    st.stalls += 1
            if read not in done:
                read.cancel()
                return
            st.state = "connected"
            data = read.result()
            if not data:
                return
            now = clock()
            # Behind this read: the kernel's queue and the stream's buffer (asyncio keeps no
            # public count of it; the bytes a later read() returns first).
            behind = kernel_queued(sock) + len(getattr(reader, "_buffer", b""))
            st.queue_wait_s = waits.update(loop.time(), len(data), behind)
            st.bytes += len(data)
            st.last_data_s = now
            st.attempts = 0
            batch = parser.feed(data, recv_time_s=now)
            if len(batch):
                st.frames += len(batch)
                await _deliver(on_batch, batch)
            if gather_s > 0 and len(data) < READ_SIZE:
                await asyncio.wait({stop_wait}, timeout=gather_s)
    finally:
        stop_wait.cancel()
