"""Frames decoded ahead of the step (decode.ahead; the live reader process does it) give
exactly what the step gives on the frames themselves: positions, events, statistics and the
Comm-B side table, through the live engine's buffering, merging of feeds and time ordering.
Real frames (AFR34ZG, 57,793 frames with DF20/21), spoilt in places so that every count moves."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from flyvakt.decode.ahead import DecodedFrames, decode_frames
from flyvakt.model.batches import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.store.records import CommBColumns
from tests.unit.runtime.test_engine import _FullStore
from tests.unit.runtime.test_shedding import afr_frames, engine


def spoilt_frames() -> FrameBatch:
    """The AFR frames with bad CRCs, times out of range, Mode A/C and bad lengths sprinkled in."""
    f = afr_frames()
    f.payload = f.payload.copy()
    f.time_s = f.time_s.copy()
    f.nbytes = f.nbytes.copy()
    f.payload[::97, 5] ^= 0x5A  # CRC failures
    f.time_s[13::211] = np.nan  # out of the time range
    f.nbytes[29::499] = 2  # Mode A/C
    f.nbytes[31::503] = 9  # a length no frame has
    return f


def stored_positions(store: Any) -> PositionBatch:
    return PositionBatch.concat([g for g in store.got if isinstance(g, PositionBatch)])


def _split_feeds(frames: FrameBatch, seed: int) -> list[FrameBatch]:
    """Reader batches of uneven sizes from two feeds whose batches overlap in time."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, len(frames)), 300, replace=False))
    parts = [frames.take(p) for p in np.split(np.arange(len(frames)), cuts)]
    # Neighbouring batches swapped: the engine must put them back in time order.
    for i in range(0, len(parts) - 1, 5):
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return parts


def test_step_on_decoded_frames_is_the_step_on_the_frames() -> None:
    frames = spoilt_frames()
    cfg = tracker_config()
    outs: list[Any] = []
    for batch in (frames, decode_frames(frames)):
        state, out = step(PipelineState(), batch, cfg, make_detector())
        outs.append((state, out))
    (s1, o1), (s2, o2) = outs
    assert s1.stats.as_dict() == s2.stats.as_dict()
    st = s1.stats
    assert st.frames == len(frames) and st.edge_dropped["time_out_of_range"] > 0
    assert {"crc_failed", "mode_ac", "bad_length"} <= set(st.decode_dropped)
    for name in PositionBatch._defaults:
        a, b = getattr(o1.positions, name), getattr(o2.positions, name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert [e.to_json() for e in o1.events] == [e.to_json() for e in o2.events]
    rows = s1.tracker.table.rows
    c1, c2 = s1.commb.drain_columns(rows), s2.commb.drain_columns(rows)
    assert len(c1[0]) > 0
    for a, b in zip(c1, c2, strict=True):
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def test_decoded_frames_reorder_but_never_select() -> None:
    d = decode_frames(afr_frames().take(np.arange(100)))
    with pytest.raises(ValueError, match="reorders"):
        d.take(np.arange(10))


@pytest.mark.parametrize("seed", [3, 4])
def test_the_live_engine_on_decoded_frames_is_the_engine_on_the_frames(seed: int) -> None:
    """Two live runs over the same reader batches, one handed the frames and one the frames
    decoded ahead (as the reader process hands them): the same positions to the store, the same
    events, the same statistics and Comm-B values; and frames count as frames in both."""
    parts = _split_feeds(spoilt_frames(), seed)

    async def go(ahead: bool) -> tuple[Any, _FullStore]:
        eng = engine(Hub(), lambda: 0.0, _FullStore(0))
        for i, part in enumerate(parts):
            eng.on_live_batch(decode_frames(part) if ahead else part)
            if i % 7 == 6:
                await eng.flush_buffer()
        await eng.flush_buffer(everything=True)
        await eng.finish()
        return eng, eng.store  # type: ignore[return-value]

    (e1, s1), (e2, s2) = asyncio.run(go(False)), asyncio.run(go(True))
    assert e1.summary.frames == e2.summary.frames == sum(len(p) for p in parts)
    assert e1.state.stats.as_dict() == e2.state.stats.as_dict()
    got = [stored_positions(s) for s in (s1, s2)]
    assert len(got[0]) > 5_000
    for name in PositionBatch._defaults:
        a, b = getattr(got[0], name), getattr(got[1], name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert [e.to_json() for e in e1.summary.events] == [e.to_json() for e in e2.summary.events]
    # The Comm-B values went to the store at stop (finish): the same ones.
    c1, c2 = ([g for g in s.got if isinstance(g, CommBColumns)] for s in (s1, s2))
    assert len(c1) == len(c2) == 1 and len(c1[0].icao24) > 0
    for name in ("icao24", "key", "value", "time_s"):
        a, b = getattr(c1[0], name), getattr(c2[0], name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert c1[0].names == c2[0].names


def test_frames_and_decoded_frames_in_one_tick_are_merged_in_time_order() -> None:
    """Feeds read both ways at once (not a configuration the service makes, but allowed): the
    raw ones are decoded in the engine and merged with the others in time order."""
    frames = afr_frames().take(np.arange(20_000))
    parts = _split_feeds(frames, 9)

    async def go(mixed: bool) -> Any:
        eng = engine(Hub(), lambda: 0.0, _FullStore(0))
        for i, part in enumerate(parts):
            eng.on_live_batch(decode_frames(part) if mixed and i % 2 else part)
        await eng.flush_buffer(everything=True)
        await eng.handed_off()
        return eng

    e1, e2 = asyncio.run(go(False)), asyncio.run(go(True))
    assert e1.summary.steps == e2.summary.steps == 1
    assert e1.state.stats.as_dict() == e2.state.stats.as_dict()
    p1, p2 = (
        PositionBatch.concat([g for g in e.store.got if isinstance(g, PositionBatch)])
        for e in (e1, e2)
    )
    assert len(p1) > 1_000 and np.array_equal(p1.time_s, p2.time_s)
    assert np.array_equal(p1.icao24, p2.icao24)


def test_decoded_frames_concat_adds_the_counts() -> None:
    f = spoilt_frames()
    a, b = (
        decode_frames(f.take(np.arange(30_000))),
        decode_frames(f.take(np.arange(30_000, len(f)))),
    )
    whole = decode_frames(f)
    both = DecodedFrames.concat([a, b])
    assert len(both) == len(f)
    assert both.decode_dropped == whole.decode_dropped and both.edge_dropped == whole.edge_dropped
    assert np.array_equal(both.mb, whole.mb)
    assert np.array_equal(both.obs.icao24, whole.obs.icao24)


def test_decoded_frames_cross_the_pipe_bit_for_bit() -> None:
    """Pickled (reader process -> engine) without the columns that hold only their fill and
    with the callsigns as a list; back bit for bit, a NaN of other bits (-NaN) included."""
    import pickle

    d = decode_frames(spoilt_frames())
    d.obs.altitude_baro_ft[3] = -np.nan
    back = pickle.loads(pickle.dumps(d))
    assert back.frames == d.frames and back.decode_dropped == d.decode_dropped
    assert back.edge_dropped == d.edge_dropped and back.mb.tobytes() == d.mb.tobytes()
    assert len(pickle.dumps(d)) < 0.7 * len(pickle.dumps((d.obs, d.mb)))
    for name in d.obs._defaults:
        a, b = getattr(d.obs, name), getattr(back.obs, name)
        assert a.dtype == b.dtype and len(a) == len(b), name
        if a.dtype == object:
            assert list(a) == list(b) and any(x is not None for x in a), name
        else:
            assert a.tobytes() == b.tobytes(), name
    assert np.signbit(back.obs.altitude_baro_ft[3])
