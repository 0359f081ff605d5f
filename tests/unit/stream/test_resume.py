"""Issue 15: ``run --from kafka://`` checkpoints its fleet stage, event ids, map table and the
store's thinner with its offsets (flyvakt.stream.resume). A restore between any two records
must give the fleet events of an uninterrupted stage, and a damaged or foreign checkpoint is
a one-line error.

SYNTHETIC data, as tests/unit/stream/test_fleetstage.py (hand-made events of two Il-96 of the
bundled ru-gov fleet in different partitions, and their formation flight); the thinner state
comes from real positions (the bundled AFR34ZG recording through the pipeline)."""

from __future__ import annotations

from pathlib import Path

import msgpack
import numpy as np
import pytest

from flyvakt.checkpoint import CheckpointError
from flyvakt.cli.replay import bundled_sample
from flyvakt.geo import get_world
from flyvakt.model import FrameBatch
from flyvakt.pipeline import EventDetector, PipelineState, advance, step
from flyvakt.runtime.setup import tracker_config
from flyvakt.sources import FileReader
from flyvakt.store.thin import ThinState, thin
from flyvakt.stream.fleetstage import FleetStage, SeenIds
from flyvakt.stream.resume import (
    ConsumerCheckpoint,
    dumps,
    load_consumer,
    loads,
    save_consumer,
)
from flyvakt.stream.view import PositionView
from flyvakt.stream.wire import event_id, partition_of
from tests.unit.stream.test_fleetstage import (
    REG,
    T0,
    Record,
    _formation,
    _key,
    _wave_records,
)


def _round_trip(stage: FleetStage) -> FleetStage:
    cp = ConsumerCheckpoint("flyvakt", stage.partitions, {("flyvakt.events", 1): 7}, stage.to_doc())
    back = loads(dumps(cp))
    assert back.offsets == {("flyvakt.events", 1): 7}
    assert back.stage is not None
    return FleetStage.from_doc(REG, back.stage)


def _run(records: list[Record], cut: int | None) -> list[tuple[object, ...]]:
    stage, out = FleetStage(REG, 4), []
    for i, (kind, p, x) in enumerate(records):
        if i == cut:
            stage = _round_trip(stage)
        if kind == "event":
            stage.add_event(event_id(x[0]), x[0], x[1])
        elif kind == "mark":
            stage.add_mark(p, x)
        else:
            stage.add_positions(p, x[0], x[1])
        out += stage.ready()
    return [_key(e) for e in out + stage.drain()]


def _formation_records() -> list[Record]:
    cfg = tracker_config()
    per = EventDetector(get_world(), REG, fleet_events=False)
    states = {p: PipelineState() for p in range(4)}
    recs: list[Record] = []
    for b in [_formation(T0 + 10 * i, 10) for i in range(6)]:
        part = partition_of(b.icao24, 4)
        mark = float(b.time_s.max())
        for p in range(4):
            states[p], out = step(states[p], b.take(np.flatnonzero(part == p)), cfg, per)
            out.events += advance(states[p], mark, per)
            now = states[p].data_through_s
            recs += [("event", p, (e, now)) for e in out.events]
            recs += [("mark", p, now), ("positions", p, (out.positions, now))]
    return recs


@pytest.mark.parametrize("records", ["wave", "formation"])
def test_restore_between_any_two_records_changes_no_fleet_event(records: str) -> None:
    if records == "wave":
        by_part = _wave_records()
        recs = [r for p in sorted(by_part) for r in by_part[p]]
    else:
        recs = _formation_records()
    want = _run(recs, None)
    assert want, "the control must make fleet events"
    for cut in range(len(recs)):
        assert _run(recs, cut) == want, cut


def test_seen_ids_survive_the_round_trip() -> None:
    seen = SeenIds()
    assert seen.add("a", T0) and seen.add("b", T0 + 5)
    back = SeenIds.from_doc(msgpack.unpackb(msgpack.packb(seen.to_doc()), strict_map_key=False))
    assert not back.add("a", T0 + 6) and not back.add("b", T0 + 6) and back.add("c", T0 + 6)


def test_view_and_thinner_survive_the_file(tmp_path: Path) -> None:
    """Real positions (AFR34ZG): the map table and the thinner restored from the file are
    equal, column by column, and thin the next positions exactly as the originals do."""
    fb = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    half = len(fb) // 2
    state, cfg, det = PipelineState(), tracker_config(), EventDetector(get_world())
    state, out1 = step(state, fb.take(np.arange(half)), cfg, det)
    state, out2 = step(state, fb.take(np.arange(half, len(fb))), cfg, det)
    view = PositionView()
    view.update(out1.positions)
    th, kept1 = thin(ThinState.empty(), out1.positions)
    assert 0 < len(kept1) < len(out1.positions)
    path = tmp_path / "x.db.kafka-state"
    cp = ConsumerCheckpoint("flyvakt", 4, view=view.to_doc(), thin=(th, T0, T0 + 1), seen=None)
    save_consumer(path, cp)
    back = load_consumer(path)
    assert back is not None and back.view is not None and back.thin is not None
    v2 = PositionView.from_doc(back.view)
    for k, col in view.table.to_arrays().items():
        np.testing.assert_array_equal(v2.table.to_arrays()[k], col, err_msg=k)
    th2, expiry, through = back.thin
    assert (expiry, through) == (T0, T0 + 1)
    _, want = thin(th, out2.positions)
    _, got = thin(th2, out2.positions)
    assert len(want) > 0
    np.testing.assert_array_equal(got.time_s, want.time_s)
    np.testing.assert_array_equal(got.icao24, want.icao24)


def test_no_checkpoint_is_none_and_damage_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "db.kafka-state"
    assert load_consumer(path) is None
    path.write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError) as exc:
        load_consumer(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)
    path.write_bytes(msgpack.packb({"format": "flyvakt-consumer", "version": 99}))
    with pytest.raises(CheckpointError, match="version 99 is not understood"):
        load_consumer(path)
    good = dumps(ConsumerCheckpoint("flyvakt", 4))
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError):
        load_consumer(path)


def test_store_order_gives_one_time_ordered_stream_whatever_the_arrival_order() -> None:
    """Two partitions, one read far ahead of the other (as after a restart): the store gets
    the same positions in the same order however the messages interleave, and a round trip
    through the checkpoint between any two messages changes nothing."""
    from flyvakt.model import PositionBatch
    from flyvakt.stream.align import StoreOrder

    def batch(icao: int, t0: float) -> PositionBatch:
        b = PositionBatch.empty(5)
        b.icao24[:] = icao
        b.time_s[:] = t0 + np.arange(5) * 2.0
        return b

    msgs = {p: [(batch(0x100 + p, T0 + 10 * k), T0 + 10 * k + 9) for k in range(6)] for p in (0, 1)}
    ahead = [(p, *m) for p in (1, 0) for m in msgs[p]]  # partition 1 entirely first
    robin = [(p, *msgs[p][k]) for k in range(6) for p in (0, 1)]

    Msg = tuple[int, PositionBatch, float]

    def run(order: list[Msg], cut: int | None) -> list[tuple[int, float]]:
        so, out = StoreOrder(2), []
        for i, (p, b, wm) in enumerate(order):
            if i == cut:
                doc = msgpack.unpackb(msgpack.packb(so.to_doc()), strict_map_key=False)
                so = StoreOrder.from_doc(doc)
            so.add(p, b, wm)
            if (r := so.ready()) is not None:
                out += list(zip(r.icao24.tolist(), r.time_s.tolist(), strict=True))
        if (r := so.drain()) is not None:
            out += list(zip(r.icao24.tolist(), r.time_s.tolist(), strict=True))
        return out

    want = run(robin, None)
    assert len(want) == 60 and [t for _, t in want] == sorted(t for _, t in want)
    assert run(ahead, None) == want
    for cut in range(len(ahead)):
        assert run(ahead, cut) == want, cut


def test_run_from_with_a_damaged_checkpoint_is_a_one_line_error(tmp_path: Path) -> None:
    """Before any broker is contacted: exit status 2, one line naming the file, no traceback."""
    import subprocess
    import sys

    db = tmp_path / "x.db"
    (tmp_path / "x.db.kafka-state").write_bytes(b"\x00junk")
    out = subprocess.run(
        [sys.executable, "-m", "flyvakt", "run", "--from", "kafka://127.0.0.1:9/x",
         "--no-serve", "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert "x.db.kafka-state" in last and "Traceback" not in out.stderr
    assert "delete it" in last


def test_cells_cut_and_checkpoint_real_positions_exactly() -> None:
    """Real positions (AFR34ZG, 80 minutes of fixes in one batch): ``by_cell`` cuts them into
    one-second cells in order, each row once, in arrival order within its cell; the cells'
    checkpoint document gives back the same cells and rows."""
    from flyvakt.model import PositionBatch
    from flyvakt.stream.align import by_cell, cells_doc, cells_from_doc

    fb = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    _, out = step(PipelineState(), fb, tracker_config(), EventDetector(get_world()))
    pos = out.positions
    pos.time_s[3] = np.nan  # a fix without a time goes first, not lost
    cut = by_cell(pos, 1.0)
    cells = [c for c, _ in cut]
    assert len(cells) > 1000 and cells == sorted(set(cells))
    for c, part in cut[1:]:
        assert (np.floor(part.time_s) == c).all()
    assert np.isnan(cut[0][1].time_s).all()
    rows = np.concatenate([p.time_s for _, p in cut])
    assert len(rows) == len(pos)
    want = np.sort(pos.time_s[np.isfinite(pos.time_s)], kind="stable")
    np.testing.assert_array_equal(rows[1:], want)  # time-sorted input: arrival order kept
    held = {c: [p] for c, p in cut}
    doc = msgpack.unpackb(msgpack.packb(cells_doc(held)), strict_map_key=False)
    back = cells_from_doc(doc)
    assert list(back) == cells
    for c, p in cut:
        assert PositionBatch.concat(back[c]).time_s.tobytes() == p.time_s.tobytes()
        np.testing.assert_array_equal(PositionBatch.concat(back[c]).icao24, p.icao24)
    assert cells_from_doc(cells_doc({})) == {}
