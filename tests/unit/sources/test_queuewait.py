"""How long a live feed's bytes waited before the reader took them (sources/queuewait.py): the
engine's latency bound counts from the bytes' arrival, not from the reader's receipt."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from flyvakt.model import FrameBatch
from flyvakt.sources.feedproc import _Outbox
from flyvakt.sources.queuewait import QueueWait, kernel_queued
from flyvakt.sources.tcp import TcpState, stream_tcp


def test_the_wait_follows_the_bytes_behind_each_read() -> None:
    """SYNTHETIC byte counts of a steady 1 MB/s feed (byte k arrives at k / 1e6 s): read every
    20 ms with nothing behind, the oldest byte of each read waited the 20 ms since the last;
    then a reader starved to one 20 kB read every 100 ms: the queue grows, and each read's
    oldest byte's wait is exactly its age, now - k / 1e6."""
    w = QueueWait()
    assert w.update(0.0, 0, 0) == 0.0  # a connection's first read: nothing seen before it
    t, read = 0.0, 0
    while t < 0.5:
        t += 0.02
        arrived = round(t * 1e6)
        w.update(t, arrived - read, 0)
        read = arrived
    assert w.wait_s == pytest.approx(0.02)
    for _ in range(5):
        t += 0.1
        oldest = read
        read += 20_000
        w.update(t, 20_000, round(t * 1e6) - read)
        assert w.wait_s == pytest.approx(t - oldest / 1e6)
    assert w.wait_s > 0.4  # 5 x 80 kB behind at 1 MB/s


def test_a_burst_read_at_once_did_not_wait() -> None:
    """SYNTHETIC: a sender that writes 1 MB in one go (a sped-up replay) after a quiet spell:
    read at once, it waited at most the interval since the last read, not 1 MB / rate."""
    w = QueueWait()
    w.update(0.0, 100, 0)
    w.update(0.98, 0, 0)
    assert w.update(1.0, 600_000, 400_000) <= 0.02 + 1e-9
    assert w.update(1.001, 400_000, 0) <= 0.021  # the rest of the burst, read just after


def test_kernel_queued_counts_the_unread_bytes() -> None:
    a, b = socket.socketpair()
    with a, b:
        assert kernel_queued(b) == 0
        a.sendall(b"x" * 5_000)
        deadline = time.monotonic() + 5
        while kernel_queued(b) < 5_000 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert kernel_queued(b) == 5_000
        b.recv(2_000)
        assert kernel_queued(b) == 3_000
    assert kernel_queued(None) == 0


def test_outbox_ages_a_batch_from_its_bytes_arrival(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch whose bytes waited 0.3 s in the socket is 0.3 s old when the reader puts it in
    the outbox: past a 0.25 s bound it is dropped as soon as a newer batch waits."""
    from flyvakt.sources import feedproc

    now = [100.0]
    monkeypatch.setattr(feedproc.time, "monotonic", lambda: now[0])
    box = _Outbox(max_frames=1_000_000, max_age_s=0.25)
    box.put(FrameBatch.empty(300), {}, waited_s=0.3)
    box.put(FrameBatch.empty(200), {}, waited_s=0.01)
    assert box.dropped == 300 and box.queued == 200
    msg = box.take()
    assert msg is not None and msg.frames[0][0] == pytest.approx(100.0 - 0.01)


def test_a_stalled_reader_sees_how_long_the_bytes_waited(data: Path) -> None:
    """REAL Beast bytes (sample_dump1090.bin) sent at a steady ~2 MB/s for 1.5 s to the inline
    reader, whose consumer blocks the event loop for 0.5 s once, 0.6 s in: the bytes queue in
    the kernel meanwhile, and the next read is stamped as having waited ~0.5 s; the reads
    before the stall waited far less. (Margins are wide: on a loaded CI machine a read before
    the stall was seen to wait 0.106 s from scheduling alone.)"""
    raw = (data / "traffic" / "sample_dump1090.bin").read_bytes()
    chunk = raw[:20_000]
    waits: list[tuple[float, float]] = []  # (time after start, queue_wait_s)
    st = TcpState(url="")
    stalled = [False]
    t0 = [0.0]

    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def peer() -> None:  # in a thread of its own: it sends while the reader's loop is blocked
        conn, _ = srv.accept()
        with conn:
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                conn.sendall(chunk)  # 20 kB every 10 ms
                time.sleep(0.01)

    def on_batch(_b: object) -> None:
        at = time.monotonic() - t0[0]
        waits.append((at, st.queue_wait_s))
        if at > 0.6 and not stalled[0]:
            stalled[0] = True
            time.sleep(0.5)  # a long step in the reader's loop: the feed queues meanwhile

    async def go() -> None:
        t0[0] = time.monotonic()
        await stream_tcp(
            f"beast+tcp://127.0.0.1:{port}",
            on_batch,
            time.time,
            stop_event=asyncio.Event(),
            state=st,
            max_connections=1,
        )

    sender = threading.Thread(target=peer, daemon=True)
    sender.start()
    with srv:
        asyncio.run(go())
        sender.join(5)
    before = [w for at, w in waits if 0.1 < at <= 0.6]
    after = [w for at, w in waits if at > 0.6][1:3]  # the reads right after the stall
    assert before and after, waits
    assert max(before) < 0.25, waits
    assert max(after) > 0.35, waits


def test_the_inline_reader_ages_live_batches_by_their_wait(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wiring: REAL Beast bytes sent in 20 kB pieces every 10 ms for 0.8 s to `run_engine` with
    the inline reader: the batches reach the engine aged by their bytes' wait in the socket
    (was 0: the reader's receipt was their arrival), and the status shows queue_wait_s. (The
    reader process's batches are aged by the outbox: test_outbox_ages_...)"""
    from flyvakt.runtime import engine as engine_mod
    from flyvakt.runtime.hub import Hub

    raw = (data / "traffic" / "sample_dump1090.bin").read_bytes()[:20_000]
    ages: list[float] = []
    real = engine_mod._Engine.on_live_batch

    def on_live_batch(self: object, batch: object, age_s: float = 0.0) -> None:
        ages.append(age_s)
        real(self, batch, age_s)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_mod._Engine, "on_live_batch", on_live_batch)
    monkeypatch.setattr("flyvakt.runtime.setup.warm_up", lambda: None)
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def peer() -> None:
        conn, _ = srv.accept()
        with conn:
            end = time.monotonic() + 0.8
            while time.monotonic() < end:
                conn.sendall(raw)
                time.sleep(0.01)

    hub = Hub()

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            engine_mod.run_engine(
                [f"beast+tcp://127.0.0.1:{port}"],
                db_path=None,
                hub=hub,
                stop_event=stop,
                clock=time.time,
                feed_reader="inline",
            )
        )
        await asyncio.sleep(2.5)
        stop.set()
        await task

    sender = threading.Thread(target=peer, daemon=True)
    sender.start()
    with srv:
        asyncio.run(go())
    sender.join(5)
    assert len(ages) >= 3 and sum(a > 0 for a in ages) >= len(ages) // 2, ages
    status = hub.status()["sources"][f"beast+tcp://127.0.0.1:{port}"]
    assert "queue_wait_s" in status
