"""Live TCP reader against a local asyncio server; writers for the simulator."""

from __future__ import annotations

import asyncio
import io
import random
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources import (
    AvrParser,
    BeastParser,
    JsonlFrameParser,
    TcpState,
    format_avr,
    stream_tcp,
    write_beast,
    write_jsonl,
)
from flyvakt.sources._common import MAX_AHEAD_S
from flyvakt.sources.tcp import BACKOFF_CAP_S, backoff_delay


@pytest.fixture
def raw(data: Path) -> bytes:
    return (data / "traffic" / "sample_dump1090.bin").read_bytes()


def complete_frames(prefix: bytes) -> int:
    p = BeastParser()
    n = len(p.feed(prefix))
    return n


async def _serve_and_read(
    payloads: list[bytes], url_scheme: str
) -> tuple[list[FrameBatch | ObservationBatch], TcpState]:
    conn = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal conn
        data = payloads[min(conn, len(payloads) - 1)]
        conn += 1
        writer.write(data)
        await writer.drain()
        writer.close()  # drop the connection (mid-frame for the first payload)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    got: list[FrameBatch | ObservationBatch] = []
    ticks = iter(float(1000 + 100 * i) for i in range(10_000))
    stop = asyncio.Event()
    async with server:
        st = await asyncio.wait_for(
            stream_tcp(
                f"{url_scheme}://127.0.0.1:{port}",
                got.append,
                lambda: next(ticks),
                stop_event=stop,
                max_connections=len(payloads),
                backoff_start_s=0.01,
                rng=random.Random(1),
            ),
            timeout=10,
        )
    return got, st


def test_beast_tcp_drop_and_reconnect(raw: bytes) -> None:
    cut = 1000  # inside a frame
    first = complete_frames(raw[:cut])
    assert 0 < first < 239
    got, st = asyncio.run(_serve_and_read([raw[:cut], raw], "beast+tcp"))
    frames = FrameBatch.concat([b for b in got if isinstance(b, FrameBatch)])
    assert len(frames) == first + 239  # nothing received is lost
    assert st.connections == 2 and st.frames == first + 239
    assert st.stats.skipped == {"truncated": 1}  # the frame cut by the drop
    assert st.state == "stopped" and st.bytes == cut + len(raw)
    assert st.last_error == "connection closed by peer"
    whole = BeastParser().feed(raw)
    assert np.array_equal(frames.payload[first:], whole.payload)
    # Times come from the fake receive clock (1000, 1100, ...): no frame is later than the
    # clock reading of the chunk that brought it, and the counter spacing is kept.
    assert frames.time_s[0] > 990.0 and frames.time_s[first - 1] <= 1000.0 + MAX_AHEAD_S
    assert frames.time_s[first] > 1000.0
    assert np.allclose(np.diff(frames.time_s[:first]), np.diff(whole.time_s[:first]))


def test_avr_tcp_times_from_clock(data: Path) -> None:
    avr = (data / "dump1090" / "modes1_antirez_raw_output.avr").read_bytes()
    got, st = asyncio.run(_serve_and_read([avr], "avr+tcp"))
    frames = FrameBatch.concat([b for b in got if isinstance(b, FrameBatch)])
    assert len(frames) == 217 and st.stats.skipped == {}
    assert frames.time_s.min() >= 1000.0  # receive times from the fake clock


def test_connect_failure_backs_off() -> None:
    async def go() -> TcpState:
        stop = asyncio.Event()
        st = TcpState(url="x")
        task = asyncio.create_task(
            stream_tcp(
                "beast+tcp://127.0.0.1:1",
                lambda b: None,
                lambda: 0.0,
                stop_event=stop,
                state=st,
                backoff_start_s=0.01,
                rng=random.Random(0),
            )
        )
        for _ in range(200):
            await asyncio.sleep(0.01)
            if st.attempts >= 2:
                break
        stop.set()
        return await asyncio.wait_for(task, 5)

    st = asyncio.run(go())
    assert st.attempts >= 2 and st.connections == 0
    assert st.last_error is not None and st.last_error.startswith("connect:")
    assert st.state == "stopped"


def test_backoff_schedule() -> None:
    rng = random.Random(3)
    delays = [backoff_delay(a, rng) for a in range(1, 12)]
    assert 0.4 <= delays[0] <= 0.6 and 0.8 <= delays[1] <= 1.2
    assert max(delays) <= BACKOFF_CAP_S * 1.2 and delays[-1] >= BACKOFF_CAP_S * 0.8


# ---------------------------------------------------------------- writers


def test_writers_round_trip(raw: bytes) -> None:
    frames = BeastParser(base_time_s=1581502000.0).feed(raw)
    buf = io.BytesIO()
    write_beast(buf, frames, epoch_s=1581501000.0)
    back = BeastParser(base_time_s=1581502000.0).feed(buf.getvalue())
    assert np.array_equal(back.payload, frames.payload)
    assert np.allclose(back.time_s, frames.time_s, atol=1e-6)

    text = format_avr(frames)
    assert text.splitlines()[0] == "*20000CA8F70AA7;"
    avr_back = AvrParser().feed(text.encode())
    assert np.array_equal(avr_back.payload, frames.payload)
    stamped = format_avr(frames, with_counter=True, epoch_s=1581501000.0)
    avr_t = AvrParser(base_time_s=1581502000.0).feed(stamped.encode())
    assert np.allclose(avr_t.time_s, frames.time_s, atol=1e-6)

    out = io.StringIO()
    assert write_jsonl(out, frames) == 239
    j = JsonlFrameParser().feed(out.getvalue().encode())
    assert np.array_equal(j.payload, frames.payload)
    assert np.array_equal(j.time_s, frames.time_s)
