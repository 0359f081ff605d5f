"""Throughput of ``flyvakt.decode.decode_batch`` against rs1090, on the same frames, same run.

Frames: the 57,793 real frames of tests/data/traffic/full_flight_short.jsonl.gz repeated to
about 1 M. Our decoder runs on one core (NumPy, no threads); rs1090 is timed on one copy of
the recording (rs1090.decode on a list of hex strings from Python, its normal use) and its
rate extrapolated, because a 1 M run of it takes ~20 s on the shared machine. Rates use the
best process CPU time of ``--repeat`` runs (the machine is shared: wall time is noisy; both
decoders run on one core: rs1090 with ``RAYON_NUM_THREADS=1``, in a child process, because its
default thread pool's CPU per message moves with the load; see rs1090_ref.py).

    .venv/bin/python benchmarks/bench_decode.py [--frames 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

from flyvakt.decode import decode_batch
from flyvakt.model.batches import FrameBatch

RECORDING = Path(__file__).resolve().parents[1] / "tests/data/traffic/full_flight_short.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings")
    parser.add_argument("--batch", type=int, default=0, help="batch size (0: all at once)")
    args = parser.parse_args()

    with gzip.open(RECORDING, "rt") as fh:
        lines = [json.loads(line) for line in fh]
    hexes = [d["frame"] for d in lines]
    times = [d["timestamp"] for d in lines]
    one = FrameBatch.from_hex(hexes, times)
    copies = max(1, round(args.frames / len(one)))
    frames = FrameBatch.concat([one] * copies)
    n = len(frames)
    batch = args.batch or n

    parts = [frames.take(np.arange(s, min(n, s + batch))) for s in range(0, n, batch)]
    best_wall = best_cpu = float("inf")
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for part in parts:
            decode_batch(part)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    ours = n / best_cpu
    print(f"flyvakt decode_batch: {n:,} frames, batch {batch:,}: best wall {best_wall:.3f} s "
          f"({n / best_wall / 1e6:.2f} M msg/s), best CPU {best_cpu:.3f} s "
          f"({ours / 1e6:.2f} M msg/s)")  # fmt: skip

    try:
        import rs1090  # noqa: F401  (only to say so when it is missing)
    except ImportError:
        print("rs1090 not installed: no reference rate")
        return
    import rs1090_ref  # beside this file

    ref = rs1090_ref.best_rate(hexes, times, args.repeat, threads=1)
    pool = rs1090_ref.best_rate(hexes, times, args.repeat, threads=0)
    print(
        f"rs1090.decode: {len(hexes):,} frames, one thread: best {ref / 1e3:.0f} k msg/CPU-s "
        f"(the reference); its default thread pool: {pool / 1e3:.0f} k msg/CPU-s"
    )
    print(f"ratio (CPU time): {ours / ref:.1f}x")


if __name__ == "__main__":
    main()
