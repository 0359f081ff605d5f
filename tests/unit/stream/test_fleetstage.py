"""Issue 15: fleet events over partitions (flyvakt.stream.fleetstage). A fleet's members hash
to different partitions; the fleet stage must give the fleet events of one in-process run,
whatever order the partitions' outputs arrive in.

SYNTHETIC data (no recording of a fleet split over partitions is small enough for a unit
test; the reconstruction is the integration test tests/integration/test_kafka_run.py): hand-
made takeoff/landing events, and observations of two Il-96 of the bundled ru-gov fleet in
close trail (as tests/unit/fleets/test_fleet_together_live.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.fleets.events import FleetState
from flyvakt.fleets.events import step as fleet_step
from flyvakt.geo import get_world
from flyvakt.model import Event, ObservationBatch
from flyvakt.pipeline import EventDetector, PipelineState, advance, step
from flyvakt.runtime.setup import tracker_config
from flyvakt.stream.fleetstage import FleetStage
from flyvakt.stream.wire import event_id, partition_of

A, B = 0x157711, 0x157718  # two Il-96 of ru-gov; partitions 1 and 0 of 4
T0 = datetime(2024, 6, 18, 0, 0, tzinfo=UTC).timestamp()
REG = load_fleets(example_fleets_path())
Record = tuple[str, int, Any]  # ("event"|"mark"|"positions", partition, payload)


def test_the_two_aircraft_are_in_different_partitions() -> None:
    assert partition_of(np.array([A, B], dtype=np.uint32), 4).tolist() == [1, 0]


def _airport(code: str) -> Any:
    ref = get_world().airport(code)
    assert ref is not None
    return ref


def _ev(kind: str, icao: int, t: float, code: str) -> Event:
    return Event(type=kind, icao24=f"{icao:06x}", time_s=T0 + t, airport=_airport(code))  # type: ignore[arg-type]


def _feed(stage: FleetStage, records: list[Record]) -> list[Event]:
    out: list[Event] = []
    for kind, p, x in records:
        if kind == "event":
            ev, emitted = x
            stage.add_event(event_id(ev), ev, emitted)
        elif kind == "mark":
            stage.add_mark(p, x)
        else:
            stage.add_positions(p, x[0], x[1])
        out += stage.ready()
    return out + stage.drain()


def _orders(by_part: dict[int, list[Record]]) -> list[list[Record]]:
    parts = sorted(by_part)
    forward = [r for p in parts for r in by_part[p]]
    backward = [r for p in reversed(parts) for r in by_part[p]]
    robin = [r for grp in itertools.zip_longest(*by_part.values()) for r in grp if r is not None]
    return [forward, backward, robin]


def _key(e: Event) -> tuple[Any, ...]:
    return (e.type, e.icao24, round(e.time_s, 3), e.airport.icao if e.airport else "",
            tuple(e.details.get("members", [])), e.details.get("departed_count"))  # fmt: skip


def _wave_records() -> dict[int, list[Record]]:
    """Per partition, as a worker writes them: events (with emission time), then a mark and
    an (empty) positions message with the partition's watermark."""
    from flyvakt.model import PositionBatch

    plan = {
        1: [(0.0, [_ev("takeoff", A, 0.0, "UUWW")]),
            (20000.0, [_ev("landing", A, 20000.0, "UEEE")])],
        0: [(240.0, [_ev("takeoff", B, 240.0, "UUWW")]),
            (20240.0, [_ev("landing", B, 20240.0, "UEEE")])],
    }  # fmt: skip
    out: dict[int, list[Record]] = {p: [] for p in range(4)}
    for p in range(4):
        for t, events in [*plan.get(p, []), (30000.0, [])]:
            out[p] += [("event", p, (e, T0 + t)) for e in events]
            out[p] += [("mark", p, T0 + t), ("positions", p, (PositionBatch.empty(0), T0 + t))]
    return out


def test_fleet_landed_waits_for_every_partition_in_any_arrival_order() -> None:
    results = [[_key(e) for e in _feed(FleetStage(REG, 4), o)] for o in _orders(_wave_records())]
    assert results[0] == results[1] == results[2]
    assert [(k[0], k[3], k[5]) for k in results[0]] == [
        ("fleet_departed", "UUWW", None),
        ("fleet_landed", "UEEE", 2),  # "2 of 2": both members' landings counted
    ]


def test_arrival_order_without_the_stage_would_be_wrong() -> None:
    """The control: partition 1 first, straight into the fleet state machine, closes the
    wave on A's landing alone ("1 of 1") before B's takeoff is even seen."""
    state, made = FleetState(), []
    for kind, _p, x in _orders(_wave_records())[1]:  # partition 1 first, one message at a time
        if kind == "event":
            state, new = fleet_step(state, [x[0]], REG)
            made += new
    landed = [e for e in made if e.type == "fleet_landed"]
    assert landed and landed[0].details["departed_count"] == 1


def _formation(t0: float, seconds: int) -> ObservationBatch:
    rows = [(a, t0 + k) for k in range(seconds) for a in (A, B)]
    ob = ObservationBatch.empty(len(rows))
    ob.icao24[:] = [a for a, _ in rows]
    ob.time_s[:] = [t for _, t in rows]
    ob.address_checked[:] = True
    k = (ob.time_s - T0) / 3600.0 * 480 / 60
    ob.lat_deg[:] = 45.0
    ob.lon_deg[:] = 110.0 + k / np.cos(np.radians(45.0)) + np.where(ob.icao24 == B, 0.047, 0.0)
    ob.track_deg[:] = 95.0
    ob.altitude_baro_ft[:] = 35000.0
    ob.groundspeed_kt[:] = 480.0
    ob.on_ground[:] = 0
    return ob


@pytest.mark.parametrize("cell_s", [1.0, 7.0])
def test_fleet_together_across_partitions_equals_one_process(cell_s: float) -> None:
    cfg, world = tracker_config(), get_world()
    batches = [_formation(T0 + 10 * i, 10) for i in range(6)]
    one = EventDetector(world, REG)
    state = PipelineState()
    want: list[Event] = []
    for b in batches:
        state, out = step(state, b, cfg, one)
        want += [e for e in out.events if e.type.startswith("fleet_")]
    assert [e.type for e in want] == ["fleet_together"]

    per = EventDetector(world, REG, fleet_events=False)
    states = {p: PipelineState() for p in range(4)}
    recs: dict[int, list[Record]] = {p: [] for p in range(4)}
    for b in batches:
        part = partition_of(b.icao24, 4)
        mark = float(b.time_s.max())
        for p in range(4):
            states[p], out = step(states[p], b.take(np.flatnonzero(part == p)), cfg, per)
            out.events += advance(states[p], mark, per)
            assert not [e for e in out.events if e.type.startswith("fleet_")]
            now = states[p].data_through_s
            recs[p] += [("event", p, (e, now)) for e in out.events]
            recs[p] += [("mark", p, now), ("positions", p, (out.positions, now))]
    for order in _orders(recs):
        got = [
            e
            for e in _feed(FleetStage(REG, 4, cell_s=cell_s), order)
            if e.type.startswith("fleet_")
        ]
        assert [e.details["members"] for e in got] == [e.details["members"] for e in want]
        # The time of a group is the newest fix when it is seen: within one cell of one step.
        assert abs(got[0].time_s - want[0].time_s) <= max(cell_s, 10.0)
