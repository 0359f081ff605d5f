"""Throughput of ``flyvakt.decode.decode_batch`` against rs1090, on the same frames, same run.

Frames: the 57,793 real frames of tests/data/traffic/full_flight_short.jsonl.gz repeated to
about 1 M. Our decoder runs on one core (NumPy, no threads); rs1090 is timed on one copy of
the recording (rs1090.decode on a list of hex strings from Python, its normal use) and its
rate extrapolated, because a 1 M run of it takes ~20 s on the shared machine.

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

    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for start in range(0, n, batch):
            decode_batch(frames.take(np.arange(start, min(n, start + batch))))
        best = min(best, time.perf_counter() - t0)
    ours = n / best
    print(f"flyvakt decode_batch: {n:,} frames in {best:.3f} s = {ours / 1e6:.2f} M msg/s "
          f"(batch {batch:,})")  # fmt: skip

    try:
        import rs1090
    except ImportError:
        print("rs1090 not installed: no reference rate")
        return
    t0 = time.perf_counter()
    rs1090.decode(hexes, times)
    dt = time.perf_counter() - t0
    ref = len(hexes) / dt
    print(f"rs1090.decode:        {len(hexes):,} frames in {dt:.3f} s = {ref / 1e3:.0f} k msg/s")
    print(f"ratio: {ours / ref:.1f}x")


if __name__ == "__main__":
    main()
