"""One failing batch never stops a run: the guarded pipeline step used by every loop.

``guarded_step(state, batch, cfg, detector)`` is :func:`flyvakt.pipeline.step`, except that an
exception inside the step is logged with a description of the batch (size, time range, its
first records), counted in ``state.stats.step_errors`` and answered with an empty output, so
the caller's loop goes on with the next batch. Validation at the edge (``flyvakt.validate``)
keeps bad records out; this is the second line, for what no check foresaw.
"""

from __future__ import annotations

import logging

import numpy as np

from flyvakt.decode.ahead import DecodedFrames
from flyvakt.model import FrameBatch, ObservationBatch, PositionBatch
from flyvakt.pipeline import Detector, PipelineState, StepOutput, step
from flyvakt.track import TrackerConfig

__all__ = ["describe_batch", "guarded_step"]

log = logging.getLogger("flyvakt.runtime")

# Why 3: how many records of a failed batch go to the log: enough to find the culprit in the
# recording, few enough not to flood the log when every batch fails.
LOG_RECORDS = 3


def describe_batch(batch: FrameBatch | DecodedFrames | ObservationBatch) -> str:
    """One line for the log: size, time range and the first records of a batch (of frames
    decoded ahead: their observations)."""
    if isinstance(batch, DecodedFrames):
        return f"{len(batch)} frames decoded ahead: {describe_batch(batch.obs)}"
    n = len(batch)
    t = batch.time_s
    kind = "frames" if isinstance(batch, FrameBatch) else "observations"
    parts = [f"{n} {kind}"]
    finite = t[np.isfinite(t)]
    if finite.size:
        parts.append(f"time {float(finite.min())!r}..{float(finite.max())!r}")
    for i in range(min(n, LOG_RECORDS)):
        ti = float(t[i])
        if isinstance(batch, FrameBatch):
            parts.append(f"[{i}] t={ti!r} {batch.hex(i)}")
        else:
            cs = batch.callsign[i]
            parts.append(f"[{i}] t={ti!r} icao24={int(batch.icao24[i]):06x} callsign={cs!r}")
    return "; ".join(parts)


def guarded_step(
    state: PipelineState,
    batch: FrameBatch | DecodedFrames | ObservationBatch,
    cfg: TrackerConfig,
    detector: Detector | None = None,
    *,
    comm_b: bool = True,
) -> tuple[PipelineState, StepOutput]:
    """:func:`flyvakt.pipeline.step` that logs, counts and skips a batch that fails."""
    try:
        return step(state, batch, cfg, detector, comm_b=comm_b)
    except Exception:  # the loop must go on whatever failed; the log has the traceback
        state.stats.step_errors += 1
        log.exception("pipeline step failed; batch skipped: %s", describe_batch(batch))
        return state, StepOutput(PositionBatch.empty(0), [])
