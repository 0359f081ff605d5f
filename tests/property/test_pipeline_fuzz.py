"""Fuzz the whole pipeline (decode, validate, track, detect): hostile input never raises, and
nothing absurd comes out. SYNTHETIC inputs (flyvakt.sim.hostile); a bounded slice here, the
millions in benchmarks/fuzz_pipeline.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, StepOutput, finish, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.hostile import hostile_observations, hostile_times, random_frames, valid_df17
from flyvakt.validate import MAX_TIME_S, MIN_TIME_S

DETECTOR = make_detector(None)  # built once: the world (airports, borders) is slow to load


def _check(state: PipelineState, outs: list[StepOutput]) -> None:
    for out in outs:
        p = out.positions
        assert np.all((p.time_s >= MIN_TIME_S) & (p.time_s < MAX_TIME_S))
        assert np.all(np.abs(p.lat_deg) <= 90) and np.all(np.abs(p.lon_deg) <= 180)
        for e in out.events:
            e.to_json()  # every event can be written (ISO times, local time)
    assert state.stats.step_errors == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.01, 0.3]), st.integers(1, 400))
def test_crc_valid_garbage_and_absurd_times(seed: int, share: float, n: int) -> None:
    rng = np.random.default_rng(seed)
    state, cfg, outs = PipelineState(), tracker_config(), []
    t0 = 1.7e9
    for _ in range(3):  # consecutive batches through the same state
        fb = FrameBatch.concat([valid_df17(rng, n, n_addresses=5), random_frames(rng, n // 4)])
        fb.time_s[:] = np.sort(hostile_times(rng, len(fb), t0, share))
        t0 += 60.0
        state, out = step(state, fb, cfg, DETECTOR)
        outs.append(out)
    finish(state, DETECTOR)
    _check(state, outs)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_hostile_decoded_records(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    state, cfg, outs = PipelineState(), tracker_config(), []
    for k in range(3):
        state, out = step(state, hostile_observations(rng, n, 1.7e9 + 60 * k), cfg, DETECTOR)
        outs.append(out)
    finish(state, DETECTOR)
    _check(state, outs)
