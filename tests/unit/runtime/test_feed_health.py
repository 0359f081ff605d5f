"""Issue 10 item 4: a stalled feed is noticed, and every source counter reaches /api/status,
the status line and /metrics.

Real data: the dump1090 Beast capture (tests/data/traffic/sample_dump1090.bin). The garbage
burst and the silent (half-open) peer are synthetic faults around it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.status import status_line
from flyvakt.serve.app import create_app
from flyvakt.serve.metrics import prometheus_text
from flyvakt.sources import TcpState, stream_tcp

GARBAGE = bytes(range(256)) * 4  # not Beast: no 0x1a frame starts that make sense


async def _serve(payload: bytes, hold_open: bool) -> tuple[asyncio.AbstractServer, int]:
    async def handle(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(payload)
        await w.drain()
        if hold_open:  # a peer that vanished without closing: the socket just goes quiet
            await asyncio.sleep(3600)
        w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_a_silent_connection_is_stalled_then_reconnected(beast_sample: Path) -> None:
    raw = beast_sample.read_bytes()
    seen: list[str] = []

    async def go() -> TcpState:
        server, port = await _serve(raw, hold_open=True)
        st = TcpState(url=f"beast+tcp://127.0.0.1:{port}")
        stop = asyncio.Event()
        frames: list[Any] = []

        async def watch() -> None:
            while not stop.is_set():
                if not seen or seen[-1] != st.state:
                    seen.append(st.state)
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        async with server:
            st = await asyncio.wait_for(
                stream_tcp(
                    st.url,
                    frames.append,
                    lambda: 1.6e9,
                    stop_event=stop,
                    state=st,
                    max_connections=2,
                    backoff_start_s=0.01,
                    stall_after_s=0.2,
                    read_timeout_s=0.6,
                ),
                10,
            )
        stop.set()
        await watcher
        assert sum(len(b) for b in frames) == 2 * 239  # every frame of both connections
        return st

    st = asyncio.run(go())
    assert "stalled" in seen and seen.index("stalled") > seen.index("connected")
    assert st.stalls == 2 and st.read_timeouts == 2 and st.connections == 2
    assert st.last_error is not None and "no data for 0.6 s" in st.last_error


def test_source_counters_reach_status_line_and_metrics(beast_sample: Path, tmp_path: Path) -> None:
    raw = beast_sample.read_bytes()
    payload = raw[:2000] + GARBAGE + raw[2000:]
    hub = Hub()

    async def go() -> None:
        server, port = await _serve(payload, hold_open=False)
        url = f"beast+tcp://127.0.0.1:{port}"
        stop = asyncio.Event()
        ticks = iter(float(1_581_500_000 + i) for i in range(10**6))
        async with server:
            task = asyncio.create_task(
                run_engine(
                    [url],
                    db_path=None,
                    hub=hub,
                    stop_event=stop,
                    clock=lambda: next(ticks),
                    batch_interval_s=0.02,
                    status_interval_s=0.05,
                    tcp_options={"max_connections": 1},
                )
            )
            async with asyncio.timeout(10):
                while hub.sources.get(url) is None or hub.sources[url].state != "stopped":
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # one more status tick
            stop.set()
            await task

    asyncio.run(go())
    status = hub.status()
    [src] = status["sources"].values()
    assert sum(src["skipped"].values()) > 0  # the garbage burst, counted
    assert {"edge_dropped", "decode_dropped", "track_rejected", "step_errors"} <= set(status)
    line = status_line(status)
    assert " skipped]" in line
    text = prometheus_text(status)
    assert "flyvakt_source_skipped_total{source=" in text
    assert 'state="stopped"} 1' in text
    assert "flyvakt_decode_dropped_total" in text
    # /metrics and /api/status serve the same figures.
    with TestClient(create_app(str(tmp_path / "none.db"), hub=hub)) as c:
        m = c.get("/metrics")
        assert m.status_code == 200 and m.headers["content-type"].startswith("text/plain")
        assert f"flyvakt_frames_total {status['frames']}" in m.text
        api = c.get("/api/status").json()["hub"]["sources"]
        assert next(iter(api.values()))["skipped"] == src["skipped"]
