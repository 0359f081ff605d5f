"""Issue 10 item 6: live state is bounded: the pipeline step forgets silent aircraft.

SYNTHETIC traffic (flyvakt.sim.corpus): a new set of 100 aircraft every 10 minutes for two
hours, as a receiver sees traffic pass; real recordings are too short to show it.
"""

from __future__ import annotations

from flyvakt.pipeline import EXPIRE_SILENCE_S, PipelineState, step
from flyvakt.runtime.setup import tracker_config
from flyvakt.sim.corpus import generate_corpus


def test_tracker_holds_only_recent_aircraft() -> None:
    state, cfg = PipelineState(), tracker_config()
    sizes = []
    for k in range(12):
        wave = generate_corpus(n_aircraft=100, n_frames=6000, seed=k, start_s=1.7e9 + 600 * k)
        state, out = step(state, wave, cfg)
        assert len(out.positions) > 0
        sizes.append(len(state.tracker.table))
    # Without expiry the table would hold all 1,200 aircraft; with it, the last wave and at
    # most the one before it (silent for less than EXPIRE_SILENCE_S + one expiry period).
    assert max(sizes) <= 200 and sizes[-1] <= 200
    assert state.stats.expired >= 1000
    assert EXPIRE_SILENCE_S == 300.0
