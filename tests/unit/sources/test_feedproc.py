"""The feed reader process (sources.feedproc) against fake peers on a local TCP port, sending
the real Beast capture (traffic/sample_dump1090.bin: 239 frames, 16 escaped 0x1a bytes) cut at
awkward places; a peer that drops and comes back; a reader child that dies; a slow consumer."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.model import FrameBatch
from flyvakt.sources import BeastParser
from flyvakt.sources.feedproc import FeedProcess, _Outbox
from flyvakt.sources.tcp import TcpState

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
def raw(data: Path) -> bytes:
    return (data / "traffic" / "sample_dump1090.bin").read_bytes()


def awkward_cuts(raw: bytes) -> list[int]:
    """Cut points: between the two bytes of every escaped 0x1a pair, right after every frame
    marker, and in the middle of a counter."""
    a = np.frombuffer(raw, dtype=np.uint8)
    cuts = set()
    i = 0
    while i < len(a) - 1:
        if a[i] == 0x1A and a[i + 1] == 0x1A:
            cuts.add(i + 1)  # the escape pair split across two reads
            i += 2
            continue
        if a[i] == 0x1A:
            cuts.update((i + 1, i + 4))  # after the marker; inside the counter
        i += 1
    return sorted(c for c in cuts if 0 < c < len(raw))


async def read_through_process(
    handler: Handler,
    options: dict[str, Any],
    until: Callable[[FeedProcess, list[FrameBatch]], bool] | None = None,
) -> tuple[FeedProcess, list[FrameBatch], list[int]]:
    """Serve ``handler`` on a local port and read it with a FeedProcess until it stops by itself
    (max_connections) or ``until`` holds; returns the reader, the batches and the drops."""
    got: list[FrameBatch] = []
    drops: list[int] = []
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"beast+tcp://127.0.0.1:{port}"
    fp = FeedProcess(
        url,
        TcpState(url=url),
        lambda b, _age: got.append(b),  # type: ignore[arg-type]
        drops.append,
        options=options,
    )
    stop = asyncio.Event()
    async with server:
        task = asyncio.create_task(fp.run(stop))
        async with asyncio.timeout(30):
            while until is not None and not until(fp, got):
                await asyncio.sleep(0.01)
            if until is not None:
                stop.set()
            await task
    return fp, got, drops


def read_quiet_peer(
    raw: bytes, until: Callable[[FeedProcess, list[FrameBatch]], bool]
) -> tuple[FeedProcess, list[FrameBatch], list[int]]:
    """A peer that sends ``raw`` to each connection, then stays open as a quiet receiver would,
    read through a FeedProcess until ``until`` holds."""
    closed = asyncio.Event()

    async def handler(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(raw)
        await w.drain()
        await closed.wait()
        w.close()

    async def go() -> tuple[FeedProcess, list[FrameBatch], list[int]]:
        try:
            return await read_through_process(handler, {}, until)
        finally:
            closed.set()

    return asyncio.run(go())


def test_frames_split_at_escapes_and_markers_arrive_whole(raw: bytes) -> None:
    cuts = awkward_cuts(raw)
    assert len(cuts) > 2 * 239  # every marker, and the 16 escape pairs

    async def handler(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        sock = w.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True):
            w.write(raw[a:b])
            await w.drain()
            await asyncio.sleep(0.0005)  # separate segments: many reads end at a cut
        w.close()

    fp, got, drops = asyncio.run(read_through_process(handler, {"max_connections": 1}))
    whole = BeastParser().feed(raw)
    frames = FrameBatch.concat(got)
    assert len(frames) == len(whole) == 239
    assert np.array_equal(frames.payload, whole.payload)
    assert np.array_equal(frames.nbytes, whole.nbytes)
    assert np.array_equal(frames.signal_dbfs, whole.signal_dbfs, equal_nan=True)
    assert fp.state.frames == 239 and fp.state.bytes == len(raw)
    assert fp.state.skipped == {} and drops == []
    assert fp.state.connections == 1 and fp.state.state == "stopped"


def test_dropped_feed_is_reconnected_and_the_cut_frame_counted(raw: bytes) -> None:
    cut = 1000  # inside a frame
    first = len(BeastParser().feed(raw[:cut]))
    conn_no = 0

    async def handler(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        nonlocal conn_no
        conn_no += 1
        w.write(raw[:cut] if conn_no == 1 else raw)
        await w.drain()
        w.close()

    fp, got, _ = asyncio.run(
        read_through_process(handler, {"max_connections": 2, "backoff_start_s": 0.01})
    )
    assert sum(len(b) for b in got) == first + 239
    assert fp.state.connections == 2
    assert fp.state.skipped == {"truncated": 1}  # the frame the first connection cut
    assert fp.state.last_error == "connection closed by peer"


def test_a_reader_child_that_dies_is_restarted(raw: bytes) -> None:
    killed: list[int] = []

    def until(fp: FeedProcess, got: list[FrameBatch]) -> bool:
        n = sum(len(b) for b in got)
        if not killed and n >= 239 and fp.proc is not None:
            killed.append(fp.proc.pid)
            fp.proc.kill()
        return n >= 2 * 239 and fp.state.frames >= 2 * 239

    fp, got, _ = read_quiet_peer(raw, until)
    # The second child connected afresh and read the capture again; the counters go on.
    assert sum(len(b) for b in got) == 2 * 239
    assert fp.state.reader_restarts == 1
    assert fp.state.frames == 2 * 239 and fp.state.connections == 2
    assert fp.state.bytes == 2 * len(raw)
    assert fp.state.state == "stopped"


def test_outbox_never_blocks_and_counts_what_it_drops() -> None:
    box = _Outbox(max_frames=1_000)
    batch = FrameBatch.empty(400)
    for _ in range(5):
        box.put(batch, {"state": "connected"})  # nobody takes: the oldest go, counted
    assert box.queued == 800 and box.dropped == 1_200
    msg = box.take()
    assert msg is not None and sum(len(b) for _, b in msg.frames) == 800
    assert msg.dropped == 1_200 and msg.state == {"state": "connected"}
    box.close()
    assert box.take() is None


def test_outbox_drops_what_waited_past_its_age_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine passes its latency bound as the outbox's age bound: batches older than it
    (while newer ones wait) are dropped and counted, the newest is always kept."""
    from flyvakt.sources import feedproc

    now = [100.0]
    monkeypatch.setattr(feedproc.time, "monotonic", lambda: now[0])
    box = _Outbox(max_frames=1_000_000, max_age_s=0.25)
    for _ in range(4):  # 4 x 300 frames, 0.1 s apart
        box.put(FrameBatch.empty(300), {})
        now[0] += 0.1
    # At the last put (t = 0.3 s) the first batch (t = 0) had waited 0.3 s > 0.25: dropped.
    assert box.dropped == 300 and box.queued == 900
    now[0] += 5.0
    box.put(None, {})  # a state update alone drops nothing (nothing newer waits)
    assert box.dropped == 300
    box.put(FrameBatch.empty(10), {})
    assert box.dropped == 1_200 and box.queued == 10


def test_ctrl_c_does_not_interrupt_the_reader_child(raw: bytes) -> None:
    """Ctrl-C reaches the whole process group: the child ignores it (its parent stops it by
    closing its stdin) instead of dying with a KeyboardInterrupt traceback."""
    import os
    import signal

    signalled: list[int] = []

    def until(fp: FeedProcess, got: list[FrameBatch]) -> bool:
        n = sum(len(b) for b in got)
        if not signalled and n >= 239 and fp.proc is not None:
            signalled.append(fp.proc.pid)
            os.kill(fp.proc.pid, signal.SIGINT)
            time.sleep(0.3)
        return bool(signalled) and fp.proc is not None and fp.proc.poll() is None

    fp, got, _ = read_quiet_peer(raw, until)
    assert sum(len(b) for b in got) == 239
    assert fp.state.reader_restarts == 0 and fp.proc is not None and fp.proc.returncode == 0


def test_slow_consumer_is_shed_with_counts_and_the_sender_never_stalls(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's steps made slow (0.4 s each) against a peer sending ~20 MB of real Beast
    frames as fast as it can: the reader process keeps the socket drained, the frames the
    pipeline cannot take in time are shed, and every frame sent is processed or counted."""
    from flyvakt.runtime import engine as engine_mod
    from flyvakt.runtime.engine import run_engine
    from flyvakt.runtime.hub import Hub

    real_step = engine_mod.guarded_step

    def slow_step(*args: Any) -> Any:
        time.sleep(0.4)
        return real_step(*args)

    monkeypatch.setattr(engine_mod, "guarded_step", slow_step)
    reps = 4_000  # 956,000 frames, ~21 MB: far more than the socket buffers hold
    blob = raw * reps
    sent_frames = 239 * reps
    blocked: list[float] = []
    peer_done = threading.Event()

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def peer() -> None:
        conn, _ = srv.accept()
        piece = len(raw) * 100
        t_block = 0.0
        for a in range(0, len(blob), piece):
            t0 = time.monotonic()
            conn.sendall(blob[a : a + piece])
            t_block += time.monotonic() - t0
        blocked.append(t_block)
        peer_done.set()
        time.sleep(0.5)
        conn.close()

    threading.Thread(target=peer, daemon=True).start()

    async def go() -> Any:
        stop = asyncio.Event()
        hub = Hub()
        task = asyncio.create_task(
            run_engine(
                [f"beast+tcp://127.0.0.1:{port}"],
                db_path=None,
                hub=hub,
                stop_event=stop,
                clock=time.time,
                feed_reader="process",
                tcp_options={"max_connections": 1},
            )
        )
        async with asyncio.timeout(60):
            while not peer_done.is_set():
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        stop.set()
        return await task, hub

    summary, hub = asyncio.run(go())
    srv.close()
    st = hub.sources[next(iter(hub.sources))]
    assert st.frames == sent_frames and st.skipped == {}  # the child read everything
    assert summary.buffer_drops > 0  # the pipeline could not keep up: shed ...
    assert summary.frames + summary.buffer_drops == sent_frames  # ... and counted, to the frame
    assert hub.status()["buffer_drops"] == summary.buffer_drops
    # The sender was never held up by the pipeline: pushing ~21 MB through loopback took
    # ~1.2 s on the loaded 2-core test machine. A reader that waited for the steps would hold
    # it for the whole backlog: 956,000 frames at <= 0.5 s of work per step (~50 k frames at
    # the first measured rates) are ~19 steps of >= 0.4 s, over 7 s.
    assert blocked[0] < 4.0, blocked


def test_the_child_decodes_when_asked_and_hands_over_what_the_step_would_decode(
    raw: bytes,
) -> None:
    """With ``decode`` (the engine's option), the child hands over the frames decoded
    (decode.ahead): the observations, MB fields and counts decode_frames makes of the frames
    themselves (their times aside: the child anchors Beast counters to its own wall clock)."""
    from flyvakt.decode.ahead import DecodedFrames, decode_frames

    async def handler(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(raw)
        await w.drain()
        w.close()

    _, got, drops = asyncio.run(
        read_through_process(handler, {"max_connections": 1, "decode": True})
    )
    assert got and all(isinstance(b, DecodedFrames) for b in got) and drops == []
    decoded = DecodedFrames.concat(got)  # type: ignore[arg-type]
    want = decode_frames(BeastParser().feed(raw))
    assert len(decoded) == len(want) == 239 and len(decoded.obs) == len(want.obs) > 200
    assert decoded.decode_dropped == want.decode_dropped
    assert decoded.edge_dropped == want.edge_dropped
    assert np.array_equal(decoded.mb, want.mb) and want.mb.any()
    for name in decoded.obs._defaults:
        if name != "time_s":
            a, b = getattr(decoded.obs, name), getattr(want.obs, name)
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
