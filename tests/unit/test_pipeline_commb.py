"""``step(..., comm_b=False)``: the Comm-B side table is left alone and nothing else changes
(a replay without a store skips it; real AFR34ZG recording, MIT, the bundled sample)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from flyvakt.pipeline import PipelineState, finish, flush, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sample import bundled_sample
from flyvakt.sources import FileReader


def _run(comm_b: bool) -> tuple[PipelineState, list[object], list[object]]:
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    positions, events = [], []
    for batch in FileReader(bundled_sample(), batch_size=4096):
        state, out = step(state, batch, cfg, det, comm_b=comm_b)
        positions.append(out.positions)
        events += [e.to_json() for e in out.events]
    state, out = flush(state, cfg, det)
    events += [e.to_json() for e in out.events + finish(state, det)]
    return state, positions, events


def test_without_comm_b_the_table_stays_empty_and_the_rest_is_the_same() -> None:
    with_b, pos_b, ev_b = _run(True)
    without, pos, ev = _run(False)
    assert len(with_b.commb) == 1 and len(without.commb) == 0  # the one aircraft, or none
    assert ev == ev_b and len(ev) > 0
    assert [len(p) for p in pos] == [len(p) for p in pos_b] and sum(map(len, pos)) > 1000
    for p, q in zip(pos, pos_b, strict=True):
        for f in fields(p):
            a, b = getattr(p, f.name), getattr(q, f.name)
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name
    assert without.stats.as_dict() == with_b.stats.as_dict()
