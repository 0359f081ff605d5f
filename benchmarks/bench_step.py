"""The pipeline step's cost per frame by batch size, its fixed cost per step, and where its
NumPy calls are: ``pipeline.step`` (decode + track, no detector) on one process's CPU.

    .venv/bin/python benchmarks/bench_step.py [--corpus pipeline|timed] [--frames 400000]
        [--batches 2048,16384,65536] [--repeat 3] [--calls]

Corpora (synthetic, from real AFR34ZG frames): ``pipeline`` is bench_pipeline's (5,000
aircraft, each heard for ~16 s, DF11 added to the real mix); ``timed`` is bench_live's
time-consistent feed at 500 k msg/s (~28,000 aircraft at their real message rates), the mix a
live step at that rate sees. Each batch size runs ``--repeat`` times, alternating, and its
fastest run counts (the machine is shared: load only ever adds time).

The fixed cost is the CPU of a 64-frame step once the aircraft are known (its frames cost
next to nothing). ``--calls`` counts, with cProfile, the NumPy functions and methods the
project's code calls per 16,384-frame step, by file (operators such as ``a & b`` are not
function calls and are not counted).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import pstats
import time
from collections import Counter

import numpy as np
from bench_pipeline import build_corpus

from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import tracker_config, tune_gc

FIXED_BATCH = 64  # frames per step when timing the fixed cost: their own work is negligible
FIXED_STEPS = 300


def chunks(
    corpus: FrameBatch, batch: int, start: int = 0, stop: int | None = None
) -> list[FrameBatch]:
    stop = len(corpus) if stop is None else stop
    return [corpus.take(np.arange(a, min(a + batch, stop))) for a in range(start, stop, batch)]


def run(parts: list[FrameBatch], state: PipelineState | None = None) -> float:
    cfg = tracker_config()
    state = PipelineState() if state is None else state
    t = time.process_time()
    for frames in parts:
        state, _ = step(state, frames, cfg, None)
    return time.process_time() - t


def fixed_cost_ms(corpus: FrameBatch, repeat: int) -> float:
    """CPU ms of a FIXED_BATCH-frame step after the first half of the corpus (aircraft known)."""
    half = len(corpus) // 2
    state = PipelineState()
    run(chunks(corpus, 65536, 0, half), state)
    parts = chunks(corpus, FIXED_BATCH, half, half + FIXED_BATCH * FIXED_STEPS)
    return min(run(parts, copy.deepcopy(state)) for _ in range(repeat)) / len(parts) * 1e3


def numpy_calls(parts: list[FrameBatch]) -> tuple[float, Counter[str]]:
    """NumPy function/method calls per step made from flyvakt's files (by file)."""
    pr = cProfile.Profile()
    state = PipelineState()
    cfg = tracker_config()
    pr.enable()
    for frames in parts:
        state, _ = step(state, frames, cfg, None)
    pr.disable()
    by_file: Counter[str] = Counter()
    stats = pstats.Stats(pr).stats  # type: ignore[attr-defined]
    for (fn, _line, name), (_cc, _nc, _tt, _ct, callers) in stats.items():
        if not ((fn == "~" and "numpy" in name) or "/numpy/" in fn):
            continue
        for (cfn, _cl, _cname), cv in callers.items():
            if "/numpy/" in cfn or "flyvakt" not in cfn:
                continue
            by_file[cfn.split("src/flyvakt/")[-1]] += cv[0] if isinstance(cv, tuple) else cv
    return sum(by_file.values()) / len(parts), by_file


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=("pipeline", "timed"), default="timed")
    ap.add_argument("--frames", type=int, default=400_000)
    ap.add_argument("--batches", default="2048,16384,65536")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--calls", action="store_true", help="count NumPy calls per step (cProfile)")
    args = ap.parse_args()
    if args.corpus == "timed":
        from bench_live import build_timed_corpus

        corpus, n_ac = build_timed_corpus(args.frames, 500_000.0)
    else:
        n_ac = 5000
        corpus = build_corpus(args.frames, n_ac)
    print(f"corpus {args.corpus}: {len(corpus):,} frames, {n_ac:,} aircraft")
    tune_gc()  # as `flyvakt replay` and `run` do
    sizes = [int(b) for b in args.batches.split(",")]
    parts = {b: chunks(corpus, b) for b in sizes}
    run(parts[sizes[0]][:4])  # warm-up: world data, tracker config
    best = dict.fromkeys(sizes, float("inf"))
    for _ in range(args.repeat):  # alternating: a burst of load hits every size alike
        for b in sizes:
            best[b] = min(best[b], run(parts[b]))
    for b in sizes:
        k = len(parts[b])
        print(
            f"batch {b:>6,}: {best[b] / len(corpus) * 1e6:.3f} us/frame, "
            f"{best[b] / k * 1e3:.2f} ms/step ({k} steps)"
        )
    print(f"fixed cost: {fixed_cost_ms(corpus, args.repeat):.2f} ms per {FIXED_BATCH}-frame step")
    if args.calls:
        per_step, by_file = numpy_calls(chunks(corpus, 16384))
        print(f"NumPy calls per 16,384-frame step: {per_step:.0f}")
        n = len(chunks(corpus, 16384))
        for name, count in by_file.most_common(15):
            print(f"  {count / n:7.1f}  {name}")


if __name__ == "__main__":
    main()
