"""Issue 15: checkpoint + restore between every pair of batches gives the same positions and
events as an uninterrupted run, wherever the batches are cut. Real data: the bundled AFR34ZG
recording (57,793 frames, LFPG -> LFBO; traffic package, MIT) cut at random boundaries."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.checkpoint import dumps, loads
from flyvakt.cli.replay import bundled_sample
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, finish, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sources import FileReader

FRAMES = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
DET = make_detector(registry=load_fleets(example_fleets_path()))
CFG = tracker_config()


def _run(batches: list[FrameBatch], restore: bool) -> tuple[PositionBatch, list[Any], bytes]:
    state = PipelineState()
    pos, events = [], []
    for b in batches:
        state, out = step(state, b, CFG, DET)
        pos.append(out.positions)
        events += [e.as_dict() for e in out.events]
        if restore:
            state = loads(dumps(state))
    events += [e.as_dict() for e in finish(state, DET)]
    return PositionBatch.concat(pos), events, dumps(state)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, len(FRAMES) - 1), min_size=1, max_size=40, unique=True))
def test_restore_between_every_batch_changes_nothing(cuts: list[int]) -> None:
    edges = [0, *sorted(cuts), len(FRAMES)]
    batches = [FRAMES.take(np.arange(a, b)) for a, b in pairwise(edges)]
    p1, e1, s1 = _run(batches, restore=False)
    p2, e2, s2 = _run(batches, restore=True)
    assert len(p1) == len(p2) > 0
    for name in PositionBatch._defaults:
        a, b = getattr(p1, name), getattr(p2, name)
        if a.dtype == object:
            assert a.tolist() == b.tolist(), name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert e1 == e2
    assert any(e["type"] == "landing" for e in e1)
    assert s1 == s2
