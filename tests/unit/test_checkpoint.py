"""Issue 15: the pipeline state checkpoints (versioned MessagePack, never pickle) and a restore
behaves exactly like the state it came from. Real data: the bundled AFR34ZG recording
(LFPG -> LFBO, traffic package, MIT), with the bundled example fleets so that fleet state is
exercised too (F-GMZC is not in them: fleet tags stay empty, fleet_state still round-trips)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import msgpack
import numpy as np
import pytest

from flyvakt.checkpoint import FORMAT_VERSION, CheckpointError, dumps, loads
from flyvakt.cli.replay import bundled_sample
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.fleets.events import MemberFix, MemberStatus
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import EventDetector, PipelineState, finish, step
from flyvakt.runtime.checkpoints import load_state, save_state
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sources import FileReader

DET = make_detector(registry=load_fleets(example_fleets_path()))


@pytest.fixture(scope="module")
def frames() -> FrameBatch:
    return FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])


def _cut(fb: FrameBatch, bounds: list[int]) -> list[FrameBatch]:
    edges = [0, *bounds, len(fb)]
    return [fb.take(np.arange(a, b)) for a, b in pairwise(edges) if b > a]


def run(
    batches: list[FrameBatch], det: EventDetector, restore_every: bool
) -> tuple[PipelineState, PositionBatch, list[dict[str, Any]]]:
    state, cfg = PipelineState(), tracker_config()
    pos, events = [], []
    for b in batches:
        state, out = step(state, b, cfg, det)
        pos.append(out.positions)
        events += out.events
        if restore_every:
            state = loads(dumps(state))
    events += finish(state, det)
    return state, PositionBatch.concat(pos), [e.to_json() | {"t": e.time_s} for e in events]


def same_positions(a: PositionBatch, b: PositionBatch) -> None:
    assert len(a) == len(b)
    for name in ("time_s", "icao24", "lat_deg", "lon_deg", "altitude_baro_ft", "on_ground"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.callsign.tolist() == b.callsign.tolist()


def test_restore_mid_flight_gives_identical_positions_and_events(frames: FrameBatch) -> None:
    batches = _cut(frames, list(range(2000, len(frames), 6000)))
    s1, p1, e1 = run(batches, DET, restore_every=False)
    s2, p2, e2 = run(batches, DET, restore_every=True)
    same_positions(p1, p2)
    assert e1 == e2
    kinds = {e["type"] for e in e1}
    assert {"takeoff", "landing"} <= kinds  # the flight's own events were there to compare
    assert dumps(s1) == dumps(s2)  # the states themselves agree, byte for byte


def test_round_trip_is_canonical_and_not_pickle(frames: FrameBatch) -> None:
    state, _, _ = run(_cut(frames, [30000]), DET, restore_every=False)
    state.fleets.last["3c6444"] = MemberStatus("3c6444", "landing", 1.72e9, "EDDB", "DE")
    state.fleets.fixes["3c6444"] = MemberFix("3c6444", 1.72e9, 52.4, 13.5, 90.0, None)
    data = dumps(state)
    assert b"pickle" not in data and not data.startswith(b"\x80")  # not a pickle stream
    back = loads(data)
    assert dumps(back) == data
    assert back.fleets.fixes["3c6444"].lat == 52.4
    assert back.detector.aircraft.keys() == state.detector.aircraft.keys()
    assert len(back.tracker.table) == len(state.tracker.table) > 0
    assert back.stats.as_dict() == state.stats.as_dict()


def _doc(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = msgpack.unpackb(data, raw=False, strict_map_key=False)
    return out


def test_unknown_version_is_refused_with_one_clear_line() -> None:
    doc = _doc(dumps(PipelineState()))
    assert doc["version"] == FORMAT_VERSION
    doc["version"] = FORMAT_VERSION + 1
    with pytest.raises(CheckpointError, match=r"version 2 is not understood .* reads version 1"):
        loads(msgpack.packb(doc, use_bin_type=True))


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "not a flyvakt checkpoint"),
        (b"\x80\x04garbage", "not a flyvakt checkpoint"),
        (msgpack.packb({"format": "other", "version": 1}), "no 'flyvakt-state'"),
        (json.dumps({"format": "flyvakt-state"}).encode(), "not a flyvakt checkpoint"),
    ],
)
def test_not_a_checkpoint(data: bytes, match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        loads(data)


def test_damaged_and_foreign_types_are_refused() -> None:
    doc = _doc(dumps(PipelineState()))
    del doc["detector"]
    with pytest.raises(CheckpointError, match="damaged checkpoint"):
        loads(msgpack.packb(doc, use_bin_type=True))
    doc = _doc(dumps(PipelineState()))
    doc["detector"]["aircraft"] = {1: {"@": "Popen", "args": ["rm"]}}
    with pytest.raises(CheckpointError, match="unknown type 'Popen'"):
        loads(msgpack.packb(doc, use_bin_type=True))


def test_checkpoint_file_is_atomic_and_names_itself(tmp_path: Any, frames: FrameBatch) -> None:
    state, _, _ = run(_cut(frames, [])[:1], DET, restore_every=False)
    path = tmp_path / "p0.state"
    size = save_state(path, state)
    assert path.stat().st_size == size and not (tmp_path / "p0.state.tmp").exists()
    assert dumps(load_state(path)) == dumps(state)
    path.write_bytes(b"junk")
    with pytest.raises(CheckpointError, match=r"p0\.state: not a flyvakt checkpoint"):
        load_state(path)
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        load_state(tmp_path / "missing.state")


def test_pending_first_frame_survives_a_restore(frames: FrameBatch) -> None:
    """Issue 10: the first frame of a never-seen address waits for a second one
    (``TrackerState.pending``); a checkpoint taken while it waits must keep it, so the restored
    run counts and applies it as the uninterrupted run does."""
    crc_checked = np.flatnonzero(np.isin(frames.payload[:, 0] >> 3, [11, 17, 18]))
    first = int(crc_checked[0])
    # The first batch holds a lone first frame of an address, and one record after it (a
    # batch of the feed's first record alone is held back by the edge validator, which
    # cannot judge its time before it sees a second one).
    batches = _cut(frames, [first + 2])
    a_state, a_pos, a_events = run(batches, DET, restore_every=False)
    b_state, b_pos, b_events = run(batches, DET, restore_every=True)
    waiting = PipelineState()
    waiting, _ = step(waiting, batches[0], tracker_config(), DET)
    assert len(waiting.tracker.pending) == 1
    assert len(loads(dumps(waiting)).tracker.pending) == 1
    same_positions(a_pos, b_pos)
    assert a_events == b_events
    icao = int(a_state.tracker.table.cols["icao24"][0])
    a_row, b_row = a_state.tracker.table.snapshot(icao), b_state.tracker.table.snapshot(icao)
    assert (a_row["messages"], a_row["first_seen_s"]) == (b_row["messages"], b_row["first_seen_s"])


def test_a_checkpoint_from_before_the_provisional_first_fix_loads(frames: FrameBatch) -> None:
    """A checkpoint written before session 6 has neither the provisional-first-fix columns nor
    the held fixes: it loads (nothing provisional, nothing held) and the replay goes on exactly
    as from a current checkpoint taken at the same point."""
    first, rest = _cut(frames, [len(frames) // 2])
    cfg = tracker_config()
    state, _ = step(PipelineState(), first, cfg, DET)
    assert not state.tracker.table.cols["pos_provisional"][: len(state.tracker.table)].any()
    doc = msgpack.unpackb(dumps(state), raw=False, strict_map_key=False)
    for name in ("pos_provisional", "prov_key0", "prov_key1"):
        del doc["tracker"][name]
    del doc["tracker_held"]
    old = loads(msgpack.packb(doc, use_bin_type=True))
    assert not old.tracker.table.cols["pos_provisional"][: len(old.tracker.table)].any()
    assert len(old.tracker.held) == 0
    _, out_old = step(old, rest, cfg, DET)
    _, out_new = step(loads(dumps(state)), rest, cfg, DET)
    same_positions(out_old.positions, out_new.positions)
    assert [e.to_json() for e in out_old.events] == [e.to_json() for e in out_new.events]


def _drop_field(x: Any, cls: str, name: str) -> int:
    """Removes ``name`` from every ``cls`` map in a checkpoint document; how many had it."""
    n = 0
    if isinstance(x, dict):
        if x.get("@") == cls and name in x:
            del x[name]
            n += 1
        for v in x.values():
            n += _drop_field(v, cls, name)
    elif isinstance(x, list):
        for v in x:
            n += _drop_field(v, cls, name)
    return n


def test_a_checkpoint_from_before_alt_t_loads(frames: FrameBatch) -> None:
    """A checkpoint written before session 14 has no ``AircraftState.alt_t`` (the time of the
    newest fix with an altitude in the ring): it loads with the field not known (NaN), which
    evidence.carried_alt works out from the ring, and the replay goes on exactly as from a
    current checkpoint taken at the same point."""
    first, rest = _cut(frames, [len(frames) // 2])
    cfg = tracker_config()
    state, _ = step(PipelineState(), first, cfg, DET)
    doc = msgpack.unpackb(dumps(state), raw=False, strict_map_key=False)
    assert _drop_field(doc, "AircraftState", "alt_t") > 0
    old = loads(msgpack.packb(doc, use_bin_type=True))
    assert all(np.isnan(st.alt_t) for st in old.detector.aircraft.values())
    s_old, out_old = step(old, rest, cfg, DET)
    s_new, out_new = step(loads(dumps(state)), rest, cfg, DET)
    same_positions(out_old.positions, out_new.positions)
    assert [e.to_json() for e in out_old.events] == [e.to_json() for e in out_new.events]
    assert finish(s_old, DET) == finish(s_new, DET)
