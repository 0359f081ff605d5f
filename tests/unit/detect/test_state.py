"""Detector state is plain data (issue 15 checkpoints it): no sentinels, closures or handles."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.detect import DetectorState, finish, step
from flyvakt.detect.lastfix import LastFixes
from flyvakt.geo import get_world
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
PLAIN = (str, int, float, bool, type(None), np.ndarray, np.generic)


def _walk(x: Any, path: str) -> None:
    if isinstance(x, PLAIN):
        return
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            _walk(getattr(x, f.name), f"{path}.{f.name}")
    elif isinstance(x, LastFixes):
        for k, v in vars(x).items():
            _walk(v, f"{path}.{k}")
    elif isinstance(x, dict):
        for k, v in x.items():
            _walk(k, path)
            _walk(v, f"{path}[{k!r}]")
    elif isinstance(x, (list, tuple, set, frozenset)):
        for v in x:
            _walk(v, f"{path}[]")
    else:
        raise AssertionError(f"{path}: {type(x).__name__} is not plain data")


def test_state_after_a_real_recording_is_plain_data() -> None:
    res = replay_files([str(DATA / "traffic/full_flight_short.jsonl.gz")], keep_positions=True)
    world = get_world()
    p = res.positions
    assert p is not None and len(p) > 1000
    order = np.lexsort((p.time_s, p.icao24))
    state = DetectorState()
    events = []
    half = len(order) // 2
    for part in (order[:half], order[half:]):
        chunk = p.take(part)
        state, ev = step(state, chunk, float(chunk.time_s.max()), world)
        events += ev
    events += finish(state, float(p.time_s.max()), world)
    assert {e.type for e in events} >= {"takeoff", "landing"}
    assert state.aircraft, "the recording's aircraft has a state"
    _walk(state, "state")


def test_lastfix_rows_known_new_and_repeated_addresses() -> None:
    # Addresses only (no fixes): the row bookkeeping, across a growth of the columns.
    lf = LastFixes(capacity=2)
    first = lf.rows_for(np.array([0x4CA1, 0x3C66, 0x4CA1, 0xA0B1], dtype=np.int64))
    assert first.tolist() == [0, 1, 0, 2]  # a repeated new address gets one row
    again = lf.rows_for(np.array([0xA0B1, 0x7C01, 0x4CA1, 0x7C02], dtype=np.int64))
    assert again.tolist() == [2, 3, 0, 4]  # known keep theirs, new take the next in order
    assert lf.size == 5 and lf.capacity >= 5
    assert lf.cols["icao24"][:5].tolist() == [0x4CA1, 0x3C66, 0xA0B1, 0x7C01, 0x7C02]
    assert lf.find(np.array([0x7C01, 0x1234], dtype=np.int64)).tolist() == [3, -1]
