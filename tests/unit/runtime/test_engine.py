"""The engine over a real Beast feed on a local TCP port that drops mid-frame and comes back,
and over the bundled real recording (file source), with store, hub and alerts."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.alerts import AlertManager, Rule
from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime.engine import EngineSummary, _Engine, run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.sources import BeastParser


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def _tcp_run(
    raw: bytes,
    cut: int,
    db: Path,
    feed_reader: str = "inline",
    store_writer: str = "thread",
    decode_ahead: bool = False,
) -> tuple[EngineSummary, Hub, int]:
    conn_no = 0

    async def handle(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        nonlocal conn_no
        conn_no += 1
        w.write(raw[:cut] if conn_no == 1 else raw)  # first connection dies mid-frame
        await w.drain()
        w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"beast+tcp://127.0.0.1:{port}"
    hub = Hub()
    sub = hub.subscribe(maxsize=1)  # a consumer that never reads: must not stall the engine
    stop = asyncio.Event()
    ticks = iter(float(1_581_500_000 + 10 * i) for i in range(1_000_000))
    async with server:
        task = asyncio.create_task(
            run_engine(
                [url],
                db_path=str(db),
                hub=hub,
                stop_event=stop,
                clock=lambda: next(ticks),
                batch_interval_s=0.02,
                tcp_options={"max_connections": 2, "backoff_start_s": 0.01},
                feed_reader=feed_reader,
                store_writer=store_writer,
                decode_ahead=decode_ahead,
            )
        )
        async with asyncio.timeout(20):
            while hub.sources.get(url) is None or hub.sources[url].state != "stopped":
                await asyncio.sleep(0.01)
        stop.set()
        summary = await asyncio.wait_for(task, 10)
    return summary, hub, sub.dropped


@pytest.mark.parametrize(
    ("feed_reader", "store_writer", "decode_ahead"),
    [
        ("inline", "thread", False),
        ("process", "thread", False),
        ("process", "process", False),
        ("process", "process", True),
    ],
)
def test_tcp_drop_reconnect_all_frames_stored(
    beast_sample: Path, tmp_path: Path, feed_reader: str, store_writer: str, decode_ahead: bool
) -> None:
    raw = beast_sample.read_bytes()
    cut = 1000  # inside a frame
    first = len(BeastParser().feed(raw[:cut]))
    db = tmp_path / "live.db"
    summary, hub, dropped = asyncio.run(
        _tcp_run(raw, cut, db, feed_reader, store_writer, decode_ahead)
    )
    st = hub.sources[next(iter(hub.sources))]
    assert st.connections == 2
    assert summary.frames == first + 239  # every frame received went through the pipeline
    assert summary.positions > 0 and summary.store_drops == 0
    assert _count(db, "SELECT count(*) FROM coverage") > 0
    assert 0 < _count(db, "SELECT count(*) FROM track_points") <= summary.positions
    assert dropped > 0  # the idle subscriber lost messages instead of blocking anyone
    assert summary.finished is False  # live feed: the detector is not finished
    assert summary.store_restarts == 0
    assert (summary.store_cpu_s > 0) == (store_writer == "process")


class _FullStore:
    """A store whose queue is full for the first ``n`` offers."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.drops = 0
        self.got: list[Any] = []

    def offer(self, item: Any) -> bool:
        if self.n > 0:
            self.n -= 1
            self.drops += 1
            return False
        self.got.append(item)
        return True


def test_store_offer_live_drops_files_wait() -> None:
    async def go(block: bool) -> _FullStore:
        store = _FullStore(3)
        eng = _Engine(
            hub=Hub(),
            store=store,
            block_on_store=block,
            registry=None,
            alerts=None,
            keep_events=False,
        )
        eng._offer("a")
        eng._offer("b")
        return store

    live = asyncio.run(go(False))
    assert live.drops == 2 and live.got == []  # never waits: both counted as drops
    files = asyncio.run(go(True))
    assert files.drops == 0 and files.got == ["a", "b"]  # waited for room, lost nothing


def test_file_source_events_alerts_and_fleets(tmp_path: Path, fleets_file: Path) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    rules = [
        Rule(when="landing_in", country="FR", channels=("stdout",), name="fr"),
        Rule(when="fleet_event", fleet="test-afr", channels=("log",), name="fleet"),
    ]
    alerts = AlertManager(rules, "http://127.0.0.1:8090/", sender=lambda c, p: sent.append((c, p)))
    db = tmp_path / "rec.db"

    async def go() -> tuple[EngineSummary, Hub]:
        hub = Hub()
        summary = await asyncio.wait_for(
            run_engine(
                [bundled_sample()],
                db_path=str(db),
                fleets_path=str(fleets_file),
                hub=hub,
                stop_event=asyncio.Event(),
                clock=lambda: 0.0,
                alerts=alerts,
                keep_events=True,
            ),
            60,
        )
        return summary, hub

    summary, hub = asyncio.run(go())
    assert summary.files_done and summary.finished and summary.frames == 57_793
    types = sorted(e.type for e in summary.events)
    assert types == ["fleet_departed", "fleet_landed", "landing", "takeoff"]
    assert _count(db, "SELECT count(*) FROM events") == 4
    assert _count(db, "SELECT count(*) FROM event_fleets WHERE fleet = 'test-afr'") >= 2
    got = [(c, p["event"]["type"]) for c, p in sent]
    assert got == [("log", "fleet_departed"), ("stdout", "landing"), ("log", "fleet_landed")]
    assert hub.status()["events"] == 4
    # The hub shows the records made once for the store (EventRows), equal to each event's own.
    assert list(hub.recent_events) == [e.to_json() for e in summary.events]
    with sqlite3.connect(db) as conn:
        stored = [
            json.loads(r[0]) for r in conn.execute("SELECT record FROM events ORDER BY time_s")
        ]
    assert stored == [e.to_json() for e in sorted(summary.events, key=lambda e: e.time_s)]
    assert hub.now_s == 1_720_252_967.494935  # data time of the last frame, not the clock
    # The newest Comm-B values reached the store too (issue 14): the hub's, key for key.
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT icao24, key, value, time_s FROM commb_latest").fetchall()
    assert hub.commb is not None and {r[0] for r in rows} == {0x393322}
    assert {k: (v, t) for _, k, v, t in rows} == hub.commb.values[0x393322]


def test_commb_goes_to_the_store_every_few_seconds_and_at_stop() -> None:
    """Live steps every 100 ms (the engine's timer): the newest Comm-B values are offered once
    per COMMB_STORE_EVERY_S, not per step, and the offers together equal the hub's values
    after the stop (real AFR34ZG frames: 5 minutes of the cruise in 0.5 s steps)."""
    from flyvakt.runtime.engine import COMMB_STORE_EVERY_S
    from flyvakt.store.records import CommBColumns
    from tests.unit.runtime.test_shedding import afr_frames

    frames = afr_frames()
    t = frames.time_s - frames.time_s.min()
    frames = frames.take(np.flatnonzero((t >= 1_500.0) & (t < 1_800.0)))  # cruise: Comm-B
    cells = np.floor(frames.time_s / 0.5)
    cuts = np.flatnonzero(np.diff(cells)) + 1
    clock = [0.0]

    async def go() -> tuple[_FullStore, _Engine]:
        store = _FullStore(0)
        eng = _Engine(
            hub=Hub(),
            store=store,
            block_on_store=False,
            registry=None,
            alerts=None,
            keep_events=False,
            timer=lambda: clock[0],
        )
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(cells)], strict=True):
            clock[0] += 0.1  # one tick
            await eng.process(frames.take(np.arange(a, b)))
        await eng.store_commb_now()
        return store, eng

    store, eng = asyncio.run(go())
    offers = [g for g in store.got if isinstance(g, CommBColumns)]
    assert eng.summary.steps > 500
    due = clock[0] / COMMB_STORE_EVERY_S  # not one per step
    assert due - 2 <= len(offers) <= due + 2
    latest: dict[int, dict[str, tuple[float, float]]] = {}
    for rec in offers:
        for a, key, value, time_s in rec.rows:
            latest.setdefault(a, {})[key] = (value, time_s)
    assert latest and latest == eng.state.commb.values  # nothing kept back at the stop
