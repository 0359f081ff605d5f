"""Issue 10 item 10: a sped-up Beast replay keeps its own timeline.

Real data: the AFR34ZG recording (LFPG -> LFBO, 4,778 s) served as Beast by the simulator's
server at x300 (16 s) into the live engine, as ``flyvakt simulate ... --serve P --speed 300``
into ``flyvakt run beast+tcp://127.0.0.1:P`` does. Before the fix the live clock re-anchored
the 12 MHz counter on the wall clock every second (16 s of data time for 80 minutes of
flight): 0 events. Now the feed's own clock is kept and the events are those of a file replay.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np

from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.runtime.engine import run_engine
from flyvakt.runtime.hub import Hub
from flyvakt.sim.emit import SimResult
from flyvakt.sim.output import serve
from flyvakt.sources import FileReader

AFR = Path(__file__).resolve().parents[1] / "data" / "traffic" / "full_flight_short.jsonl.gz"
SPEED = 300.0


def _events(summary: object) -> list[tuple[str, str | None, float]]:
    evs = getattr(summary, "events", [])
    return [(e.type, e.airport.icao if e.airport else None, e.time_s) for e in evs]


def _file_events(fb: FrameBatch) -> list[tuple[str, str | None, float]]:
    from flyvakt.pipeline import PipelineState, finish
    from flyvakt.runtime.guard import guarded_step
    from flyvakt.runtime.setup import make_detector, tracker_config

    st, det, cfg = PipelineState(), make_detector(None), tracker_config()
    events = []
    for i in range(0, len(fb), 4096):
        st, out = guarded_step(st, fb.take(np.arange(i, min(len(fb), i + 4096))), cfg, det)
        events += out.events
    events += finish(st, det)
    return [(e.type, e.airport.icao if e.airport else None, e.time_s) for e in events]


async def _live(fb: FrameBatch) -> tuple[object, float]:
    res = SimResult(fb, "real AFR34ZG", np.zeros(len(fb), np.int8), PositionBatch.empty(len(fb)))
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve(res, 0, SPEED, once=True, ready=port.set_result))
    url = f"beast+tcp://127.0.0.1:{await port}"
    stop = asyncio.Event()
    t0 = time.monotonic()
    engine = asyncio.create_task(
        # The clock is under test here, not capacity: on a busy machine (a fresh-clone CI run
        # beside another suite shed 640 of 57,793 frames at the default 0.25 s) late frames would
        # be shed, and "nothing lost" would test the machine (shedding: test_shedding.py).
        run_engine([url], db_path=None, hub=Hub(), stop_event=stop, clock=time.time,
                   keep_events=True, max_latency_s=60.0)
    )  # fmt: skip
    await server
    await asyncio.sleep(1.0)  # the last batch through the pipeline
    stop.set()
    return await engine, time.monotonic() - t0


def test_beast_replay_at_x300_gives_the_file_replays_events() -> None:
    fb = FrameBatch.concat([b for b in FileReader(str(AFR)) if isinstance(b, FrameBatch)])
    summary, wall_s = asyncio.run(_live(fb))
    span = float(fb.time_s.max() - fb.time_s.min())
    assert wall_s < span / SPEED * 3  # it really was sped up
    assert getattr(summary, "frames", 0) == len(fb)  # nothing lost on the way
    # Takeoff and landing at the same airports as the file replay, as far apart in time: the
    # live clock starts at the receive time, so only the differences can be compared.
    live, files = _events(summary), _file_events(fb)
    assert (
        [e[:2] for e in live]
        == [e[:2] for e in files]
        == [
            ("takeoff", "LFPG"),
            ("landing", "LFBO"),
        ]
    )
    assert abs((live[1][2] - live[0][2]) - (files[1][2] - files[0][2])) < 5.0
