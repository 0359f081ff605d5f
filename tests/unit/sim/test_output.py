"""Simulator outputs read back: Beast (file and TCP) via flyvakt's Beast parser, AVR, JSONL, SBS.

Frames are SYNTHETIC (a one-hour A321 scenario at a tenth of the real rates).
"""

from __future__ import annotations

import asyncio
import copy
import io
import json

import numpy as np
import pytest

from flyvakt.sim import emit, output, scenario
from flyvakt.sources.beast import BeastParser

DOC = {
    "label": "SYNTHETIC output test",
    "seed": 3,
    "aircraft": [
        {
            "icao24": "4ca2b1",
            "callsign": "TST1",
            "type": "B738",
            "legs": [{"from": "ENGM", "to": "ESSA", "takeoff": "2024-06-18T10:00:00Z"}],
        }
    ],
    "receivers": [{"name": "osl", "lat": 60.2, "lon": 11.1, "range_nm": 300}],
    "emission": {"rate_scale": 0.1},
}


@pytest.fixture(scope="module")
def res() -> emit.SimResult:
    return emit.simulate(scenario.from_dict(copy.deepcopy(DOC), "t"))


def _beast_back(data: bytes, base: float) -> np.ndarray:
    p = BeastParser(base_time_s=base, strict=True, name="sim")
    fb = p.feed(data)
    rest = p.finish()
    return np.concatenate([fb.payload, rest.payload])


def test_beast_file_round_trip(res: emit.SimResult) -> None:
    buf = io.BytesIO()
    output.write(res, buf, "beast")
    back = _beast_back(buf.getvalue(), float(res.frames.time_s[0]))
    assert back.shape[0] == len(res.frames)
    assert np.array_equal(back, res.frames.payload)


def test_text_formats(res: emit.SimResult) -> None:
    fb = res.frames
    buf = io.BytesIO()
    output.write(res, buf, "jsonl")
    lines = buf.getvalue().decode().splitlines()
    assert len(lines) == len(fb)
    first = json.loads(lines[0])
    assert first["frame"] == fb.hex(0) and abs(first["timestamp"] - fb.time_s[0]) < 1e-6
    buf = io.BytesIO()
    output.write(res, buf, "avr")
    avr = buf.getvalue().decode().splitlines()
    assert avr[0].startswith("@000000000000") and avr[0].endswith(fb.hex(0).upper() + ";")
    buf = io.BytesIO()
    output.write(res, buf, "sbs")
    sbs = buf.getvalue().decode().splitlines()
    assert len(sbs) == len(fb)
    pos = [line.split(",") for line in sbs if line.startswith("MSG,3,")]
    assert pos and all(p[4] == "4CA2B1" and p[14] and p[15] for p in pos)
    with pytest.raises(ValueError, match="unknown output format"):
        output.write(res, io.BytesIO(), "xml")


def test_tcp_server_plays_all_frames(res: emit.SimResult) -> None:
    span = float(res.frames.time_s[-1] - res.frames.time_s[0])

    async def main() -> bytes:
        ports: list[int] = []
        # accelerated so the whole hour plays in ~0.2 s of wall time
        task = asyncio.create_task(
            output.serve(res, 0, speed=span / 0.2, once=True, ready=ports.append)
        )
        while not ports:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
        data = await asyncio.wait_for(reader.read(), timeout=20)
        writer.close()
        await asyncio.wait_for(task, timeout=5)
        return data

    data = asyncio.run(main())
    back = _beast_back(data, float(res.frames.time_s[0]))
    assert np.array_equal(back, res.frames.payload)


def test_flyvakt_tcp_source_consumes_the_server(res: emit.SimResult) -> None:
    """What ``flyvakt run beast+tcp://127.0.0.1:PORT`` does: flyvakt's own TCP reader."""
    from flyvakt.model.batches import FrameBatch
    from flyvakt.sources.tcp import stream_tcp

    span = float(res.frames.time_s[-1] - res.frames.time_s[0])
    got: list[FrameBatch] = []

    async def main() -> None:
        ports: list[int] = []
        server = asyncio.create_task(
            output.serve(res, 0, speed=span / 0.2, once=True, ready=ports.append)
        )
        while not ports:
            await asyncio.sleep(0.01)
        stop = asyncio.Event()
        fake_clock = iter(float(i) for i in range(10**6))
        await asyncio.wait_for(
            stream_tcp(
                f"beast+tcp://127.0.0.1:{ports[0]}",
                got.append,
                lambda: next(fake_clock),
                stop_event=stop,
                max_connections=1,
            ),
            timeout=20,
        )
        await asyncio.wait_for(server, timeout=5)

    asyncio.run(main())
    back = FrameBatch.concat(got)
    assert np.array_equal(back.payload, res.frames.payload)


def test_sbs_stream_keeps_absolute_dates(res: emit.SimResult) -> None:
    """``sbs+tcp://`` playback: flyvakt's SBS source sees the scenario's own UTC times."""
    from flyvakt.sources.tcp import stream_tcp

    span = float(res.frames.time_s[-1] - res.frames.time_s[0])
    got: list[object] = []

    async def main() -> None:
        ports: list[int] = []
        server = asyncio.create_task(
            output.serve(res, 0, speed=span / 0.2, once=True, ready=ports.append, fmt="sbs")
        )
        while not ports:
            await asyncio.sleep(0.01)
        clock = iter(float(i) for i in range(10**6))
        await asyncio.wait_for(
            stream_tcp(
                f"sbs+tcp://127.0.0.1:{ports[0]}",
                got.append,
                lambda: next(clock),
                stop_event=asyncio.Event(),
                max_connections=1,
            ),
            timeout=20,
        )
        await asyncio.wait_for(server, timeout=5)

    asyncio.run(main())
    times = np.concatenate([np.asarray(b.time_s) for b in got])  # type: ignore[attr-defined]
    assert len(times) > 0.9 * len(res.frames)
    assert abs(float(times.min()) - float(res.frames.time_s[0])) < 1.0
    assert abs(float(times.max()) - float(res.frames.time_s[-1])) < 1.0
