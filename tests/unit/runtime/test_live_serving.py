"""Issue 10 item 7: a slow live request (aircraft.json for 20,000 aircraft took 2-4 s on the
event loop) must not stop ingest, nor hold up ``/api/status``.

The engine replays the real AFR34ZG recording (paced) while the HTTP app, on the same event
loop as in ``flyvakt run``, is asked for ``/data/aircraft.json``. The build of the list is made
slow on purpose (a 1.5 s pause inside it, standing in for 20,000 aircraft): steps must go on
and ``/api/status`` must be answered while it runs; and once a list exists, later requests get
it at once while a newer one is built in the background.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.serve.app import create_app

AFR = Path(__file__).resolve().parents[2] / "data" / "traffic" / "full_flight_short.jsonl.gz"
SLOW_BUILD_S = 1.5


def test_ingest_and_status_go_on_while_a_slow_aircraft_json_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    building, built = threading.Event(), threading.Event()
    original = Hub._aircraft_rows

    def slow_rows(self: Hub, now: float | None) -> list[dict[str, Any]]:
        building.set()
        time.sleep(SLOW_BUILD_S)
        try:
            return original(self, now)
        finally:
            built.set()

    monkeypatch.setattr(Hub, "_aircraft_rows", slow_rows)
    hub = Hub()
    seen: dict[str, Any] = {}

    async def go() -> None:
        stop = asyncio.Event()
        engine = asyncio.create_task(
            run_engine(
                [str(AFR)],
                db_path=str(tmp_path / "live.db"),
                hub=hub,
                stop_event=stop,
                clock=time.time,
                speed=60.0,  # the recording's 90 min in ~90 s: still running when we stop it
            )
        )
        app = create_app(str(tmp_path / "live.db"), hub=hub)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            async with asyncio.timeout(30):
                while hub.status()["positions"] == 0:
                    await asyncio.sleep(0.05)
            slow = asyncio.create_task(c.get("/data/aircraft.json"))
            async with asyncio.timeout(10):
                while not building.is_set():
                    await asyncio.sleep(0.01)
            batches0 = hub.status()["batches"]
            t0 = time.perf_counter()
            status = await c.get("/api/status")
            seen["status_s"] = time.perf_counter() - t0
            seen["status_code"] = status.status_code
            seen["slow_done_at_status"] = slow.done()
            await asyncio.sleep(0.5)
            seen["batches_during"] = hub.status()["batches"] - batches0
            seen["slow_done_after"] = slow.done()
            resp = await slow
            seen["aircraft"] = resp.json()["aircraft"]
            # Once a list exists, a request while the hub has moved on gets it at once, and a
            # newer one is built in the background.
            building.clear()
            built.clear()
            again = await c.get("/data/aircraft.json")
            seen["again_before_build_done"] = not built.is_set()
            seen["again"] = again.json()
            async with asyncio.timeout(10):
                while not built.is_set():
                    await asyncio.sleep(0.05)
            seen["rebuilt"] = building.is_set()
        stop.set()
        await engine

    asyncio.run(go())
    assert seen["status_code"] == 200
    assert not seen["slow_done_at_status"]  # /api/status was answered first ...
    assert not seen["slow_done_after"]  # ... and steps went on while the build was running
    assert seen["batches_during"] > 0
    assert [a["hex"] for a in seen["aircraft"]] == ["393322"]  # the real aircraft, live
    assert seen["again_before_build_done"] and seen["rebuilt"]
    assert [a["hex"] for a in seen["again"]["aircraft"]] == ["393322"]
    assert seen["again"]["messages"] > 0 and seen["again"]["now"] > 0


def test_live_status_does_not_wait_for_the_store(tmp_path: Path) -> None:
    """With a live hub, ``/api/status`` answers from the store figures of its last visit (at
    most STORE_STATUS_MAX_AGE_S old) instead of queueing behind a store reader that is busy,
    e.g. adding registrations to a 20,000-aircraft list."""
    from flyvakt.cli.main import main

    db = tmp_path / "rec.db"
    assert main(["replay", "--quiet", "--db", str(db), str(AFR)]) == 0
    app = create_app(str(db), hub=Hub())

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            first = (await c.get("/api/status")).json()  # the first visit reads the store
            with app.state.flyvakt.lock:  # the store reader is busy elsewhere
                async with asyncio.timeout(5):
                    second = (await c.get("/api/status")).json()
        return first, second

    first, second = asyncio.run(go())
    assert first["last_fix_s"] is not None and first["data_through_s"] is not None
    assert second["last_fix_s"] == first["last_fix_s"]
    assert second["data_through_s"] == first["data_through_s"]
