"""Equivalence (issue 15): a recording through broker + 4 partitions + 2 workers, one of them
SIGKILLed mid-stream, gives the positions and events of one in-process run. The >= 1 M-frame
corpus is too slow for the test suite (tests/integration/test_kafka*.py run the same check on
the bundled recording and the reconstruction); run by hand:

    python benchmarks/kafka_equivalence.py [--data corpus|bench|bundled|reconstruction]
                                           [--frames 1000000] [--no-kill]

Data: ``corpus`` SYNTHETIC (flyvakt.sim.corpus, 2,000 aircraft over Europe; no real recording
of a million frames is available to the project); ``bench`` bench_pipeline.py's corpus (the real
AFR34ZG frames re-addressed to 5,000 aircraft and shifted in time); ``bundled`` the real AFR34ZG
recording; ``reconstruction`` the June 2024 state-visit reconstruction (SYNTHETIC, APPROXIMATE), its
workers' clocks moved an hour past the last frame as in tests/integration/test_kafka_run.py."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.kafka_broker import (
    kill_after_checkpoint,
    split,
    stop_workers,
    tansu_broker,
    wait_committed,
    worker_process,
)

from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, advance, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.corpus import generate_corpus
from flyvakt.stream.kafka import (
    create_topics,
    feed_batches,
    parse_kafka_url,
    publish_watermark,
    read_outputs,
)

BATCH = 65536
# Why an hour for the reconstruction: the landings at Pyongyang are inferred from the silence
# after the approaches, named once the clocks move past it (as live traffic would move them).
ADVANCE_S = 3600.0


def load(data: str, frames: int) -> tuple[FrameBatch, float | None]:
    """The frames in time order, and how far past the last one the clocks move (None: not)."""
    import numpy as np

    if data == "corpus":
        return generate_corpus(n_aircraft=2000, n_frames=frames, seed=11), None
    if data == "bench":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_pipeline import build_corpus

        return build_corpus(frames, 5000), None
    if data == "bundled":
        from flyvakt.cli.replay import bundled_sample
        from flyvakt.sources import FileReader

        fb = FrameBatch.concat(
            [b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)]
        )
        return fb.take(np.argsort(fb.time_s, kind="stable")), None
    from flyvakt.sim import emit, scenario

    sc = scenario.load(scenario.bundled("june-2024-state-visit"))
    sc.rate_scale = 0.5
    fb = emit.simulate(sc).frames
    return fb.take(np.argsort(fb.time_s, kind="stable")), ADVANCE_S


def main() -> int:
    ap = argparse.ArgumentParser()
    kinds = ("corpus", "bench", "bundled", "reconstruction")
    ap.add_argument("--data", choices=kinds, default="corpus")
    ap.add_argument("--frames", type=int, default=1_000_000, help="corpus size")
    ap.add_argument("--no-kill", action="store_true", help="both workers run to the end")
    args = ap.parse_args()
    fb, adv = load(args.data, args.frames)
    t0 = time.perf_counter()
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    want_events: set[tuple[str, str, float, str]] = set()
    want_pos: set[tuple[int, float]] = set()
    for b in split(fb, BATCH):
        state, out = step(state, b, cfg, det)
        want_events |= {(e.type, e.icao24, round(e.time_s, 3), e.airport.icao if e.airport else "")
                        for e in out.events}  # fmt: skip
        p = out.positions
        want_pos |= set(zip(p.icao24.tolist(), p.time_s.tolist(), strict=True))
    if adv is not None:
        want_events |= {(e.type, e.icao24, round(e.time_s, 3), e.airport.icao if e.airport else "")
                        for e in advance(state, state.data_through_s + adv, det)}  # fmt: skip
    took = time.perf_counter() - t0
    print(f"in-process: {len(fb):,} frames, {len(want_pos):,} positions, "
          f"{len(want_events):,} events in {took:.1f} s", flush=True)  # fmt: skip
    with tansu_broker() as addr:
        url = parse_kafka_url(f"kafka://{addr}/eq")
        create_topics(url, 4)
        feed_batches(url, split(fb, BATCH))
        if adv is not None:
            publish_watermark(url, float(fb.time_s[-1]) + adv)
        state_dir = tempfile.mkdtemp()
        t0 = time.perf_counter()
        a, b = worker_process(addr, "eq", state_dir), worker_process(addr, "eq", state_dir)
        if not args.no_kill:
            kill_after_checkpoint(a, state_dir)
        wait_committed(addr, "eq-workers", url.topic("frames"), timeout_s=900)
        stop_workers([a, b], killed=None if args.no_kill else a)
        print(f"2 workers{'' if args.no_kill else ', one killed'}: all committed in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        positions, events = read_outputs(url, timeout_s=300)
    got_events = {(e.type, e.icao24, round(e.time_s, 3), e.airport.icao if e.airport else "")
                  for e in events.values()}  # fmt: skip
    got_pos = set(zip(positions.icao24.tolist(), positions.time_s.tolist(), strict=True))
    twice = len(positions) - len(got_pos)
    print(f"kafka: {len(positions):,} position rows ({twice:,} written twice after the kill), "
          f"{len(got_pos):,} distinct; {len(got_events):,} events")  # fmt: skip
    same = got_events == want_events and got_pos == want_pos
    print("EQUAL" if same else f"DIFFERENT: events -{len(want_events - got_events)} "
          f"+{len(got_events - want_events)}, positions -{len(want_pos - got_pos)} "
          f"+{len(got_pos - want_pos)}")  # fmt: skip
    for name, w, g in (("events", want_events, got_events), ("positions", want_pos, got_pos)):
        for row in sorted(w - g)[:5]:
            print(f"  {name} only in-process: {row}")
        for row in sorted(g - w)[:5]:
            print(f"  {name} only via Kafka:  {row}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
