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
from flyvakt.fleets.events import FleetState
from flyvakt.fleets.registry import parse_fleets
from flyvakt.fleets.together import TOGETHER_FORGET_S, TOGETHER_GRID_S, together_step
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
    # Before TOGETHER_FORGET_S: 396, most the same circling pairs said again after each flap.
    print(f"calfire in one fleet: {len(together[65536])} fleet_together")
    assert 2 <= len(together[65536]) <= 396 // 3
    assert together[512] == together[65536]
    assert together[100] == together[65536]


REG = parse_fleets(
    {"fleet": [{"id": "pair", "member": [{"icao24": "4b1801"}, {"icao24": "4b1802"}]}]}
)


def _fixes(t0: float, seconds: int, apart: tuple[float, float] = (0.0, 0.0)) -> PositionBatch:
    """SYNTHETIC: two members in close trail (2 NM apart, same track), one fix a second; from
    ``apart[0]`` to ``apart[1]`` seconds after ``t0`` the second flies 90 degrees off."""
    rows = [(a, t0 + k) for k in range(seconds) for a in (0x4B1801, 0x4B1802)]
    pb = PositionBatch.empty(len(rows))
    pb.icao24[:] = [a for a, _ in rows]
    pb.time_s[:] = [t for _, t in rows]
    pb.lat_deg[:] = np.where(pb.icao24 == 0x4B1802, 46.033, 46.0)
    pb.lon_deg[:] = 8.0
    off = (pb.icao24 == 0x4B1802) & (pb.time_s >= t0 + apart[0]) & (pb.time_s < t0 + apart[1])
    pb.track_deg[:] = np.where(off, 90.0, 0.0)
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


def _said(t0: float, apart: tuple[float, float]) -> list[float]:
    """The ticks at which the synthetic pair is said, one batch and cut at every second."""
    seconds = int(apart[1]) + 60
    whole = _fixes(t0, seconds, apart)
    _, want = together_step(FleetState(), whole, REG)
    state, got = FleetState(), []
    for k in range(seconds):
        state = decode_fleets(json.loads(json.dumps(encode_fleets(state))))
        state, said = together_step(state, whole.take(np.flatnonzero(whole.time_s == t0 + k)), REG)
        got += said
    assert [e.to_json() for e in got] == [e.to_json() for e in want]
    return [e.time_s - t0 for e in want]


def test_a_pair_apart_for_one_tick_is_said_once() -> None:
    """SYNTHETIC: the pair breaks the track rule for one tick (t0 + 50) and re-forms: one
    event, as a live user wants one alert per meeting, not one per flap."""
    assert _said(1_600_000_000.0, (45.0, 55.0)) == [0.0]


def test_a_pair_apart_longer_than_the_forget_time_is_said_twice() -> None:
    """SYNTHETIC: apart on the ticks t0 + 50 to t0 + 50 + TOGETHER_FORGET_S: together last at
    t0 + 40, again 20 s more than TOGETHER_FORGET_S later: said again then."""
    again_s = 60.0 + TOGETHER_FORGET_S
    assert _said(1_600_000_000.0, (45.0, again_s - 5.0)) == [0.0, again_s]


def test_a_pair_apart_for_the_forget_time_is_said_once() -> None:
    """SYNTHETIC: apart on the ticks t0 + 50 to t0 + 30 + TOGETHER_FORGET_S: together again
    TOGETHER_FORGET_S after t0 + 40, the last tick together: still the same meeting."""
    assert _said(1_600_000_000.0, (45.0, 35.0 + TOGETHER_FORGET_S)) == [0.0]


def test_a_checkpoint_without_the_remembered_groups_still_loads() -> None:
    """A fleet state checkpointed before ``together_last_s``: it loads through both JSON paths
    (nothing remembered but the last tick's groups), and a group still together is not said
    again."""
    t0 = 1_600_000_000.0
    whole = _fixes(t0, 40)
    first = whole.take(np.flatnonzero(whole.time_s <= t0 + 20))
    rest = whole.take(np.flatnonzero(whole.time_s > t0 + 20))
    state, said = together_step(FleetState(), first, REG)
    assert len(said) == 1 and state.together_last_s
    doc, plain = encode_fleets(state), state.to_json()
    del doc["together_last_s"], plain["together_last_s"]
    for back in (
        decode_fleets(json.loads(json.dumps(doc))),
        FleetState.from_json(json.loads(json.dumps(plain))),
    ):
        assert back.together_last_s == {}
        back, said = together_step(back, rest, REG)
        assert said == []
