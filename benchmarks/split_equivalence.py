"""Batch-split equivalence at scale (issues 9 and 15): a >= 1 M-frame corpus run in-process with
65,536-, 2,048- and 512-frame batches must give the same positions and events, every field.
tests/property/test_batch_split.py checks the same rule on small real recordings; this is too
slow for the suite. Run by hand:

    python benchmarks/split_equivalence.py [--frames 1000000] [--corpus sim|bench] [--batches ...]

Corpora (both SYNTHETIC; no real recording of a million frames is available to the project):
``sim`` is flyvakt.sim.corpus (2,000 aircraft over Europe, the corpus of kafka_equivalence.py);
``bench`` is benchmarks/bench_pipeline.py's build_corpus (real AFR34ZG frames re-addressed to
5,000 aircraft). Prints, per batch size, positions and events and how many differ from the
first size; exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, finish, step
from flyvakt.runtime.setup import make_detector, tracker_config


def corpus(kind: str, frames: int) -> FrameBatch:
    if kind == "sim":
        from flyvakt.sim.corpus import generate_corpus

        return generate_corpus(n_aircraft=2000, n_frames=frames, seed=11)
    from bench_pipeline import build_corpus

    return build_corpus(frames, 5000)


def run(fb: FrameBatch, batch: int) -> tuple[set[tuple[Any, ...]], set[str], float]:
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    pos: list[PositionBatch] = []
    events = []
    t0 = time.perf_counter()
    for a in range(0, len(fb), batch):
        state, out = step(state, fb.take(np.arange(a, min(a + batch, len(fb)))), cfg, det)
        pos.append(out.positions)
        events += out.events
    events += finish(state, det)
    took = time.perf_counter() - t0
    p = PositionBatch.concat(pos)
    cols = [_nan_none(getattr(p, name).tolist()) for name in PositionBatch._defaults]
    rows = set(zip(*cols, strict=True))
    evs = {json.dumps(e.as_dict(), sort_keys=True, default=str) for e in events}
    return rows, evs, took


def _nan_none(values: list[Any]) -> list[Any]:
    """NaN never equals itself: as None, equal rows compare equal."""
    return [None if v != v else v for v in values]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--corpus", choices=("sim", "bench"), default="sim")
    ap.add_argument("--batches", type=int, nargs="+", default=[65536, 2048, 512])
    args = ap.parse_args()
    fb = corpus(args.corpus, args.frames)
    print(f"corpus {args.corpus}: {len(fb):,} frames (synthetic)", flush=True)
    base: tuple[set[tuple[Any, ...]], set[str]] | None = None
    bad = 0
    for size in args.batches:
        rows, evs, took = run(fb, size)
        line = f"batch {size:>6}: {len(rows):,} positions, {len(evs):,} events, {took:.1f} s"
        if base is None:
            base = (rows, evs)
        else:
            dp = len(rows ^ base[0])
            de = len(evs ^ base[1])
            bad += dp + de
            line += f"; differ from batch {args.batches[0]}: {dp} position rows, {de} events"
            kinds = Counter(json.loads(e)["type"] for e in evs ^ base[1])
            if kinds:
                line += f" ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
            for r in sorted(rows ^ base[0], key=lambda r: (r[1], r[0]))[:6]:
                print(f"   {'+' if r in rows else '-'} position {r}")
            for e in sorted(evs ^ base[1])[:4]:
                d = json.loads(e)
                side = "+" if e in evs else "-"
                print(f"   {side} {d['type']} {d['icao24']} {d['time_s']} {d['reason'][:90]}")
        print(line, flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
