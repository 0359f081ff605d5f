"""Equivalence at scale (issue 15): a >= 1 M-frame corpus through broker + 4 partitions + 2
workers, one of them SIGKILLed mid-stream, gives the positions and events of one in-process
run. Too slow for the test suite (tests/integration/test_kafka*.py run the same check on the
bundled recording and the reconstruction); run by hand:

    python benchmarks/kafka_equivalence.py [--frames 1000000]

Corpus: SYNTHETIC (flyvakt.sim.corpus, 2,000 aircraft over Europe); no real recording of a
million frames is available to the project."""

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

from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.corpus import generate_corpus
from flyvakt.stream.kafka import create_topics, feed_batches, parse_kafka_url, read_outputs

BATCH = 65536


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--no-kill", action="store_true", help="both workers run to the end")
    args = ap.parse_args()
    fb = generate_corpus(n_aircraft=2000, n_frames=args.frames, seed=11)
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
    took = time.perf_counter() - t0
    print(f"in-process: {len(fb):,} frames, {len(want_pos):,} positions, "
          f"{len(want_events):,} events in {took:.1f} s", flush=True)  # fmt: skip
    with tansu_broker() as addr:
        url = parse_kafka_url(f"kafka://{addr}/eq")
        create_topics(url, 4)
        feed_batches(url, split(fb, BATCH))
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
