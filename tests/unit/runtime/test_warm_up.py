"""Start-up of a live run: what the first steps would otherwise load mid-step (runway table,
time-zone finder, country borders, the detector's code paths) is loaded before any feed is
read, and only for live feeds (a replay does not pay for it)."""

from __future__ import annotations

import asyncio
import json
import math
import socket
import subprocess
import sys
from typing import Any

import pytest

from flyvakt.cli.replay import bundled_sample
from flyvakt.runtime import setup
from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub

_PROBE = """
import json, sys
from flyvakt.geo import get_world
from flyvakt.geo.runways import _by_airport
def loaded():
    w = get_world()
    return {"runways": _by_airport.cache_info().currsize, "tz": w._tzf is not None,
            "countries": w._countries is not None,
            "detector": "flyvakt.detect.detector" in sys.modules}
before = loaded()
from flyvakt.runtime.setup import warm_up
warm_up()
from flyvakt.api import sample_path
sample_path()
after = loaded()
after["cli"] = sorted(m for m in sys.modules if m.startswith("flyvakt.cli"))
print(json.dumps([before, after]))
"""


def test_warm_up_loads_what_the_first_live_steps_need() -> None:
    """In a fresh interpreter (this one has loaded everything already). Neither the warm-up nor
    the Python API's sample path imports the CLI (the bundled recording is flyvakt.sample)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    before, after = json.loads(out.stdout)
    assert before == {"runways": 0, "tz": False, "countries": False, "detector": False}
    assert after == {"runways": 1, "tz": True, "countries": True, "detector": True, "cli": []}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("live", [True, False])
def test_run_engine_warms_up_for_live_feeds_only(
    monkeypatch: pytest.MonkeyPatch, live: bool
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(setup, "warm_up", lambda: calls.append(1))
    # A live feed nobody listens on (the reader backs off), or the bundled recording.
    source = f"beast+tcp://127.0.0.1:{_free_port()}" if live else bundled_sample()

    async def go() -> Any:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_engine([source], db_path=None, hub=Hub(), stop_event=stop, clock=lambda: 1.7e9)
        )
        await asyncio.sleep(0.2)
        stop.set()
        return await task

    asyncio.run(go())
    assert calls == ([1] if live else [])


@pytest.mark.parametrize("bound", [-0.1, math.nan, math.inf])
def test_the_latency_bound_is_seconds_or_zero(bound: float) -> None:
    with pytest.raises(ValueError, match="max_latency_s"):
        asyncio.run(
            run_engine(
                [bundled_sample()],
                db_path=None,
                hub=Hub(),
                stop_event=asyncio.Event(),
                clock=lambda: 1.7e9,
                max_latency_s=bound,
            )
        )
