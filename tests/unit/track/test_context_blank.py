"""The tracker's positions are written whole (tracker._context on ``PositionBatch.blank``):
a poisoned blank batch gives the same positions, on real frames and on given positions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.model import ObservationBatch, PositionBatch, Source
from flyvakt.model.batches import POS_FIELDS
from flyvakt.track.tracker import TrackerState, step
from tests.unit.test_deferred_rows import _obs


def _given(n: int) -> ObservationBatch:
    # SYNTHETIC: decoded positions (a state-vector feed) of 3 aircraft, some cells empty.
    rng = np.random.default_rng(2)
    o = ObservationBatch.empty(n)
    o.address_checked[:] = True
    o.source[:] = Source.STATE_VECTOR
    o.icao24[:] = 0x4840D6 + np.arange(n) % 3
    o.time_s[:] = np.arange(n, dtype=float)
    o.lat_deg[:] = 52.0 + (np.arange(n) // 3) * 1e-3
    o.lon_deg[:] = 4.0 + np.arange(n) % 3
    o.altitude_baro_ft[:] = np.where(rng.random(n) < 0.8, 30000.0, np.nan)
    o.vertical_rate_fpm[:] = np.where(rng.random(n) < 0.3, 500.0, np.nan)
    o.callsign[:] = [None if k % 4 else "KLM1" for k in range(n)]
    return o


def _positions(batches: list[ObservationBatch]) -> list[PositionBatch]:
    state, out = TrackerState(), []
    for b in batches:
        state, pos, _ = step(state, b)
        out.append(pos)
    return out


def _poisoned(k: int) -> Any:
    def blank(cls: Any, n: int) -> PositionBatch:
        # Garbage in every cell (two kinds): a column not written whole would show it.
        b: PositionBatch = PositionBatch.empty(n)
        for name in POS_FIELDS:
            col = getattr(b, name)
            col[:] = (
                f"p{k}"
                if col.dtype == object
                else ((7, 9)[k] if col.dtype.kind in "iub" else (1e300, -1e300)[k])
            )
        return b

    return classmethod(blank)


def test_positions_written_whole(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = _obs(data_dir)  # real AFR34ZG frames
    parts = np.array_split(np.arange(len(frames)), 4)
    cases = [[frames.take(p) for p in parts], [_given(3000)]]
    for batches, k in ((b, k) for b in cases for k in (0, 1)):
        want = _positions(batches)
        monkeypatch.setattr(PositionBatch, "blank", _poisoned(k))
        got = _positions(batches)
        monkeypatch.undo()
        assert sum(len(p) for p in want) > 100
        for a, b in zip(want, got, strict=True):
            for name in POS_FIELDS:
                x, y = getattr(a, name), getattr(b, name)
                if x.dtype == object:
                    assert x.tolist() == y.tolist(), name
                else:
                    np.testing.assert_array_equal(x, y, err_msg=name)


def test_fields_held_at_the_same_rows_share_one_search(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real frames: groundspeed and track come from the same velocity messages, so their held
    # rows are equal; the fixes' context searches them once (never twice for equal rows).
    from flyvakt.track import tracker

    asked: list[list[np.ndarray]] = []
    context, last_at = tracker._context, tracker.last_at

    def counting_context(*a: Any, **k: Any) -> PositionBatch:
        asked.append([])
        return context(*a, **k)

    def counting_last_at(keep: np.ndarray, *a: Any, **k: Any) -> np.ndarray:
        if asked:
            asked[-1].append(keep)
        return last_at(keep, *a, **k)

    monkeypatch.setattr(tracker, "_context", counting_context)
    monkeypatch.setattr(tracker, "last_at", counting_last_at)
    frames = _obs(data_dir)
    want = _positions([frames])
    monkeypatch.undo()
    assert sum(len(p) for p in want) > 100
    assert max(len(c) for c in asked) >= 5  # (the fixes' context searched its fields)
    for keeps in asked:
        for i, a in enumerate(keeps):
            assert not any(np.array_equal(a, b) for b in keeps[:i])


def test_a_field_older_than_its_max_age_is_missing_at_a_fix() -> None:
    # SYNTHETIC: altitude on rows without a position, then fixes without altitude 5 s and
    # 20 s later (altitude's max age: 15 s): the first fix has it, the second not.
    o = _given(4)
    o.icao24[:] = [0xA1, 0xA1, 0xA2, 0xA2]
    o.time_s[:] = [0.0, 5.0, 0.0, 20.0]
    o.lat_deg[:] = [np.nan, 52.0, np.nan, 52.0]
    o.lon_deg[:] = [np.nan, 4.0, np.nan, 4.0]
    o.altitude_baro_ft[:] = [5000.0, np.nan, 6000.0, np.nan]
    o.vertical_rate_fpm[:] = np.nan
    (pos,) = _positions([o])
    assert pos.icao24.tolist() == [0xA1, 0xA2]
    np.testing.assert_array_equal(pos.altitude_baro_ft, [5000.0, np.nan])
