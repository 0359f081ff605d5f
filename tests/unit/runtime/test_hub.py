"""The hub: live aircraft view from a real tracker table, and non-blocking subscriptions."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import numpy as np

from flyvakt.model import Event
from flyvakt.model.batches import NON_ICAO, icao_hex
from flyvakt.runtime.hub import Hub, position_rows
from flyvakt.runtime.replay import replay_files
from flyvakt.runtime.status import status_line


def test_aircraft_now_from_real_table(beast_sample: Path) -> None:
    res = replay_files([str(beast_sample)])
    table = res.state.tracker.table
    hub = Hub(lambda icao, t: ["x"] if icao == int(res.positions.icao24[0]) else [])
    now = res.state.data_through_s
    hub.set_tracker_table(table)
    hub.publish_positions(res.positions, now)
    assert hub.now_s == now
    ac = hub.aircraft_now()
    assert {a["hex"] for a in ac} == {icao_hex(i) for i in table.rows}
    with_pos = {icao_hex(int(i)) for i in np.unique(res.positions.icao24)}
    for a in ac:
        row = table.rows[int(a["hex"], 16)]
        assert a["messages"] == int(table.cols["messages"][row]) > 0
        assert a["seen"] >= 0.0
        assert ("lat" in a) == (a["hex"] in with_pos)
        if "lat" in a:
            assert a["seen_pos"] >= 0.0 and a["field_age_s"]["position"] == a["seen_pos"]
            assert math.isclose(a["lat"], float(table.cols["lat_deg"][row]), abs_tol=1e-6)
        if int(table.cols["on_ground"][row]) == 1:
            assert a["alt_baro"] == "ground"
        assert a["fleet"] == (["x"] if a["hex"] == icao_hex(int(res.positions.icao24[0])) else [])
    # An hour later everything has aged out of the live view (readsb's 300 s rule).
    assert hub.aircraft_now(now + 3600) == []


def _event(i: int) -> Event:
    return Event(type="takeoff", icao24="393322", time_s=1_720_249_161.0 + i)


def test_slow_subscriber_is_dropped_not_blocking() -> None:
    async def go() -> tuple[int, int, int, int, dict[str, object]]:
        hub = Hub()
        slow = hub.subscribe(maxsize=2)
        fast = hub.subscribe(maxsize=100)
        hub.publish_events([_event(i) for i in range(5)])  # returns at once although slow is full
        got_fast = [fast.queue.get_nowait() for _ in range(fast.queue.qsize())]
        hub.unsubscribe(slow)
        hub.publish_events([_event(9)])
        return slow.queue.qsize(), slow.dropped, len(got_fast), fast.queue.qsize(), hub.status()

    slow_n, slow_dropped, fast_n, fast_more, st = asyncio.run(go())
    assert (slow_n, slow_dropped) == (2, 3)
    assert fast_n == 5 and fast_more == 1  # the fast one missed nothing
    assert st["subscriber_drops"] == 3 and st["drops"] == 3 and st["events"] == 6
    assert st["subscribers"] == 1


def test_event_message_shape_and_status_line() -> None:
    async def go() -> dict[str, object]:
        hub = Hub()
        sub = hub.subscribe()
        hub.publish_events([_event(0)])
        return await sub.queue.get()

    msg = asyncio.run(go())
    assert msg["kind"] == "event"
    assert msg["event"] == _event(0).to_json()
    line = status_line(
        {"now_s": 1_720_249_161.0, "frames_per_s": 12.5, "aircraft": 3, "events": 2, "drops": 1}
    )
    assert line == "2024-07-06T06:59:21Z  12.5 frames/s  3 aircraft  2 events  1 drops"


def _num(x: float, nd: int) -> float | None:
    return None if not math.isfinite(float(x)) else round(float(x), nd)


def test_position_rows_match_the_per_fix_definition() -> None:
    """The columnar rows of a "positions" message equal what the per-fix loop built (real
    fixes: AFR34ZG; one address marked non-ICAO and one value made NaN to cover both)."""
    from flyvakt.cli.replay import bundled_sample

    pos = replay_files([bundled_sample()]).positions
    assert len(pos) > 100
    pos.icao24[0] = pos.icao24[0] | NON_ICAO
    pos.groundspeed_kt[1] = math.nan
    rows = position_rows(pos)
    assert len(rows) == len(pos)
    assert rows[0]["icao24"].startswith("~") and rows[1]["gs"] is None
    for i, row in enumerate(rows):
        want = {
            "icao24": icao_hex(int(pos.icao24[i])),
            "time_s": float(pos.time_s[i]),
            "lat": _num(pos.lat_deg[i], 5),
            "lon": _num(pos.lon_deg[i], 5),
            "alt_baro": _num(pos.altitude_baro_ft[i], 0),
            "gs": _num(pos.groundspeed_kt[i], 1),
            "track": _num(pos.track_deg[i], 1),
            "on_ground": int(pos.on_ground[i]),
            "flight": pos.callsign[i],
        }
        assert row.keys() == want.keys()
        for k, v in want.items():
            got = row[k]
            if isinstance(v, float):  # NumPy and Python may round a last digit differently
                assert isinstance(got, float) and math.isclose(got, v, abs_tol=1e-9), (k, i)
            else:
                assert got == v, (k, i)


def test_positions_json_is_made_once_and_is_what_each_stream_made() -> None:
    """Every subscriber gets the same positions message, with its JSON made once; each SSE
    stream sends that text, equal to the json.dumps + json_safe text it made per stream before
    (real AFR34ZG fixes; one value made NaN, one time too: both null)."""
    import json

    from flyvakt.cli.replay import bundled_sample
    from flyvakt.serve.stream import json_safe, sse_format

    pos = replay_files([bundled_sample()]).positions
    pos.altitude_baro_ft[2] = math.nan
    pos.time_s[3] = math.nan
    hub = Hub()
    a, b = hub.subscribe(4), hub.subscribe(4)
    hub.publish_positions(pos, 1_720_000_000.25)
    msg = a.queue.get_nowait()
    assert b.queue.get_nowait() is msg and msg.json_text is not None
    before = json.dumps(json_safe(dict(msg)), separators=(",", ":"))
    assert msg.json_text == before
    assert sse_format("positions", msg) == f"event: positions\ndata: {before}\n\n"
    sent = json.loads(msg.json_text)["positions"]
    assert sent[2]["alt_baro"] is None and sent[3]["time_s"] is None and len(sent) == len(pos)


def test_a_count_made_by_the_step_is_not_made_again(beast_sample: Path) -> None:
    """The live engine counts the aircraft while its step holds the table lock and hands the
    count over; the hub then never reads the table (a later step may be changing it)."""
    res = replay_files([str(beast_sample)])
    table, now = res.state.tracker.table, res.state.data_through_s
    hub = Hub()
    hub.set_tracker_table(table)
    live = hub.count_live(table, now)
    assert live == len(table.rows) > 0
    hub.publish_positions(res.positions, now)  # no count given: counted here
    assert hub.status()["aircraft"] == live
    hub.publish_positions(res.positions, now, n_aircraft=live + 3)
    assert hub.status()["aircraft"] == live + 3
    assert hub.count_live(table, now + 3600) == 0  # aged out
    # Some aged out, some not: the count is the definition's over every aircraft
    ages = now - np.array([table.snapshot(a)["last_seen_s"] for a in table.rows])
    half = Hub(max_age_s=float(np.median(ages)))
    assert 0 < half.count_live(table, now) == int((ages <= half.max_age_s).sum()) < live
