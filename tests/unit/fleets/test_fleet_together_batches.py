"""#9: ``fleet_together`` does not depend on where the replay's batches were cut.

calfire (tests/data/traffic/calfire.json.gz, real) with every aircraft in one fleet (set up as
tests/unit/fleets/test_fleet_withdrawal.py does): the groups are judged on a grid of data time
(``TOGETHER_GRID_S``), not on each step's positions. Before, 512-record batches gave two more
groups (2020-09-10 01:12, 2020-09-14 19:20) than one batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tests.unit.detect.test_gap_rejudge import DATA

from flyvakt.checkpoint import decode_fleets, encode_fleets
from flyvakt.fleets.events import TOGETHER_GRID_S, FleetState, together_step
from flyvakt.fleets.registry import parse_fleets
from flyvakt.model import PositionBatch
from flyvakt.runtime.replay import replay_files

PATH = str(DATA / "traffic" / "calfire.json.gz")


def test_a_replay_gives_the_same_fleet_together_at_any_batch_size(tmp_path: Path) -> None:
    ids = sorted({e.icao24 for e in replay_files([PATH], keep_positions=False).events})
    fleets = tmp_path / "fleets.toml"
    fleets.write_text(
        '[[fleet]]\nid = "calfire"\n' + "".join(f'[[fleet.member]]\nicao24 = "{i}"\n' for i in ids)
    )
    together = {}
    for batch in (65536, 512, 100):
        r = replay_files([PATH], keep_positions=False, batch_size=batch, fleets_path=str(fleets))
        said = [e for e in r.events if e.type == "fleet_together"]
        assert all(e.time_s % TOGETHER_GRID_S == 0 for e in said)  # on the grid
        together[batch] = [e.to_json() for e in said]
    assert len(together[65536]) >= 2
    assert together[512] == together[65536]
    assert together[100] == together[65536]


REG = parse_fleets(
    {"fleet": [{"id": "pair", "member": [{"icao24": "4b1801"}, {"icao24": "4b1802"}]}]}
)


def _fixes(t0: float, seconds: int) -> PositionBatch:
    """SYNTHETIC: two members in close trail (2 NM apart, same track), one fix a second."""
    rows = [(a, t0 + k) for k in range(seconds) for a in (0x4B1801, 0x4B1802)]
    pb = PositionBatch.empty(len(rows))
    pb.icao24[:] = [a for a, _ in rows]
    pb.time_s[:] = [t for _, t in rows]
    pb.lat_deg[:] = np.where(pb.icao24 == 0x4B1802, 46.033, 46.0)
    pb.lon_deg[:] = 8.0
    pb.track_deg[:] = 0.0
    pb.altitude_baro_ft[:] = 30000.0
    pb.on_ground[:] = 0
    return pb


def test_the_grid_survives_a_checkpoint() -> None:
    """Cut at every second and restored from its checkpoint (as JSON) at each cut: the same
    events as in one batch, at the same tick."""
    t0 = 1_600_000_000.0
    whole = _fixes(t0, 40)
    _, want = together_step(FleetState(), whole, REG)
    assert [(e.type, e.time_s) for e in want] == [("fleet_together", t0)]
    state, got = FleetState(), []
    for k in range(40):
        state = decode_fleets(json.loads(json.dumps(encode_fleets(state))))
        state = FleetState.from_json(json.loads(json.dumps(state.to_json())))
        state, said = together_step(state, whole.take(np.flatnonzero(whole.time_s == t0 + k)), REG)
        got += said
    assert [e.to_json() for e in got] == [e.to_json() for e in want]
    assert state.together_next_s == t0 + 40.0


def test_a_checkpoint_without_the_grid_starts_it_at_the_fixes_held() -> None:
    """A fleet state checkpointed before the grid (member fixes, no ``together_next_s``): the
    grid starts at the oldest fix held, never at minus infinity."""
    t0 = 1_600_000_000.0
    whole = _fixes(t0, 40)
    state, _ = together_step(FleetState(), whole.take(np.flatnonzero(whole.time_s == t0)), REG)
    doc = encode_fleets(state)
    del doc["together_next_s"]
    state = decode_fleets(json.loads(json.dumps(doc)))
    state, said = together_step(state, whole.take(np.flatnonzero(whole.time_s > t0)), REG)
    assert [(e.type, e.time_s) for e in said] == [("fleet_together", t0)]
