"""Issue 15: ``fleet_together`` is emitted by the production pipeline (pipeline.step with the
detector and a fleet registry), not only by tests of the fleet state machine. SYNTHETIC
positions: two Il-96 of the bundled ru-gov fleet in close trail over Siberia (no recording of a
formation flight is bundled), plus a non-member beside them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from flyvakt.checkpoint import dumps, loads
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.fleets.together import TOGETHER_FORGET_S
from flyvakt.model import ObservationBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import make_detector, tracker_config

A, B, OTHER = 0x15770C, 0x157710, 0x393322
T0 = datetime(2024, 6, 18, 12, 0, tzinfo=UTC).timestamp()


def _batch(t0: float, seconds: int, b_track: float = 95.0) -> ObservationBatch:
    rows = [(a, t0 + k) for k in range(seconds) for a in (A, B, OTHER)]
    ob = ObservationBatch.empty(len(rows))
    ob.icao24[:] = [a for a, _ in rows]
    ob.time_s[:] = [t for _, t in rows]
    ob.address_checked[:] = True
    k = (ob.time_s - T0) / 3600.0 * 480 / 60  # 480 kt east, in degrees of longitude at 45 N
    ob.lat_deg[:] = 45.0
    ob.lon_deg[:] = 110.0 + k / np.cos(np.radians(45.0)) + np.where(ob.icao24 == B, 0.047, 0.0)
    ob.track_deg[:] = np.where(ob.icao24 == B, b_track, 95.0)
    ob.altitude_baro_ft[:] = 35000.0
    ob.groundspeed_kt[:] = 480.0
    ob.on_ground[:] = 0
    return ob


def test_pipeline_emits_fleet_together_once_per_formation() -> None:
    det = make_detector(registry=load_fleets(example_fleets_path()))
    state, cfg = PipelineState(), tracker_config()
    found = []
    for i in range(6):  # six 10-second batches of the same formation
        state, out = step(state, _batch(T0 + 10 * i, 10), cfg, det)
        found += [e for e in out.events if e.type == "fleet_together"]
        state = loads(dumps(state))  # the member fixes and groups survive a checkpoint
    assert len(found) == 1
    ev = found[0]
    assert ev.fleet == ["ru-gov"] and ev.details["members"] == ["15770c", "157710"]
    assert 1.5 < ev.details["max_separation_nm"] < 2.5
    # B turns away: the group breaks; when it re-forms soon it is the same meeting, not said
    # again; re-formed after more than TOGETHER_FORGET_S apart, it is said again.
    state, out = step(state, _batch(T0 + 60, 10, b_track=180.0), cfg, det)
    assert not [e for e in out.events if e.type == "fleet_together"]
    state, out = step(state, _batch(T0 + 70, 10), cfg, det)
    assert not [e for e in out.events if e.type == "fleet_together"]
    apart_s = int(TOGETHER_FORGET_S) + 10
    state, out = step(state, _batch(T0 + 80, apart_s, b_track=180.0), cfg, det)
    assert not [e for e in out.events if e.type == "fleet_together"]
    state = loads(dumps(state))
    state, out = step(state, _batch(T0 + 80 + apart_s, 10), cfg, det)
    assert [e.type for e in out.events if e.type == "fleet_together"] == ["fleet_together"]


def test_no_registry_no_fleet_events() -> None:
    state, out = step(PipelineState(), _batch(T0, 10), tracker_config(), make_detector())
    assert not [e for e in out.events if e.type.startswith("fleet_")]
    assert state.fleets.fixes == {}
