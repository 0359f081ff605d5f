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


def test_detector_state_and_checkpoint_stay_flat_over_three_days() -> None:
    """Issue 15: tracker AND detector forget on data time, so a long run with aircraft coming
    and going holds a bounded state, and its checkpoint stops growing. SYNTHETIC waves of 50
    new aircraft every 3 hours for 3 days (1,200 aircraft in all)."""
    from flyvakt.checkpoint import dumps
    from flyvakt.pipeline import DETECT_FORGET_S
    from flyvakt.runtime.setup import make_detector

    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    detector_sizes, checkpoint_sizes = [], []
    for k in range(24):
        start = 1.7e9 + 3 * 3600 * k
        wave = generate_corpus(n_aircraft=50, n_frames=3000, seed=100 + k, start_s=start)
        state, out = step(state, wave, cfg, det)
        assert len(out.positions) > 0
        detector_sizes.append(len(state.detector.aircraft))
        checkpoint_sizes.append(len(dumps(state)))
    # Without expiry the detector would hold all 1,200; with it, at most the waves of the last
    # DETECT_FORGET_S (8 waves) plus the one being forgotten next.
    per_day = int(DETECT_FORGET_S / (3 * 3600)) + 1
    assert max(detector_sizes) <= 50 * per_day
    assert state.stats.detect_expired >= 50 * (24 - per_day)
    assert state.detector.lastfix.size == len(state.detector.aircraft)
    # Flat: the last day's checkpoints are no larger than the first full day's largest.
    assert max(checkpoint_sizes[-8:]) <= 1.1 * max(checkpoint_sizes[per_day - 1 : per_day + 1])
    assert checkpoint_sizes[-1] < 0.6 * checkpoint_sizes[0] * 24  # far from linear growth


def test_state_of_aircraft_heard_all_the_time_stops_growing() -> None:
    """Issue 10 (soak): the same aircraft heard for ten minutes, as in the soak, must not keep
    growing the state once warmed up; the detector's ring of recent fixes per aircraft was
    bounded by count only (48), so it kept filling for 10+ minutes. SYNTHETIC: 50 aircraft
    flying straight for 10 minutes (flyvakt.sim.corpus), fed in 5 s batches."""
    from flyvakt.detect.rules import RECENT_KEEP_S, RECENT_STEP_S
    from flyvakt.runtime.setup import make_detector

    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    corpus = generate_corpus(n_aircraft=50, n_frames=50 * 6 * 600, seed=7)
    t0 = float(corpus.time_s[0])
    span: dict[int, float] = {}
    for minute in range(10):
        for s in range(0, 60, 5):
            a = t0 + minute * 60 + s
            sel = (corpus.time_s >= a) & (corpus.time_s < a + 5)
            state, _ = step(state, corpus.take(sel), cfg, det)
        span[minute] = max(a.recent[-1].t - a.recent[0].t for a in state.detector.aircraft.values())
    assert len(state.detector.aircraft) == 50
    # Each ring spans RECENT_KEEP_S of data at most (plus the newest fix, which may replace the
    # last one within RECENT_STEP_S); it spanned 48 fixes, ~4 minutes here, before.
    assert max(span.values()) <= RECENT_KEEP_S + RECENT_STEP_S, span
