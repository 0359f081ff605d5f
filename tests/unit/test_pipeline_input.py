"""The pipeline step never writes into the frames it is given: a caller may pass views of a
larger batch (``FrameBatch.rows``), as benchmarks/bench_pipeline.py does since session 12, and a
replay may keep its input. Real frames: the bundled AFR34ZG sample."""

from __future__ import annotations

import numpy as np

from flyvakt.cli.replay import bundled_sample
from flyvakt.model.batches import FrameBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sources import FileReader


def test_a_step_leaves_its_frames_as_they_were() -> None:
    whole = FrameBatch.concat(
        [b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)]
    )
    before = {k: np.array(v, copy=True) for k, v in vars(whole).items()}
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    said = 0
    for a in range(0, len(whole), 500):
        state, out = step(state, whole.rows(a, min(a + 500, len(whole))), cfg, det)
        said += len(out.events)
    assert said > 0 and state.stats.positions > 1000  # the step did its work
    for name, col in before.items():
        now = vars(whole)[name]
        assert np.array_equal(col, now, equal_nan=col.dtype.kind == "f"), name
