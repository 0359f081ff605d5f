"""Shared ground references vs partitions by address (issue 15, docs/batch-split.md).

A field's ground reference of pressure altitude, learned from any aircraft taxiing there, is
shared with the other aircraft at that field (detect/gaps.py). A Kafka deployment runs one
pipeline state per partition of ``flyvakt.frames``, partitioned by address
(:func:`flyvakt.stream.wire.partition_of`): an aircraft then sees only references learned by
aircraft of its own partition. This runs a corpus in-process twice, once as is and once with
the references kept per partition (everything else shared, so only that effect is measured),
and counts the events that differ (every field; an event that changed counts twice).

    python benchmarks/partition_refs.py --corpus sim|bench|kwvi [--frames N] [--partitions 4]

``sim``/``bench`` as in split_equivalence.py (SYNTHETIC, 1 M frames); ``kwvi``: the 15 real-ga
cuts of Watsonville (adsb.lol, ODbL) merged by time, several aircraft at one field at once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from split_equivalence import corpus

from flyvakt.detect import gaps, phase
from flyvakt.detect.base import Context
from flyvakt.detect.state import AircraftState
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.pipeline import PipelineState, finish, flush, step
from flyvakt.runtime.replay import merged_batches, open_readers
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.stream.wire import partition_of

KWVI = Path(__file__).resolve().parent.parent / "tests/data/real-ga"


def load(kind: str, frames: int) -> FrameBatch | ObservationBatch:
    if kind != "kwvi":
        return corpus(kind, frames)
    parts = list(merged_batches(open_readers([str(p) for p in KWVI.glob("kwvi1213_*.csv.gz")])))
    whole = type(parts[0]).concat(parts)  # type: ignore[attr-defined]
    assert isinstance(whole, FrameBatch | ObservationBatch)
    return whole


@contextmanager
def refs_per_partition(n: int) -> Iterator[None]:
    """Within the block, an aircraft reads and shares ground references only among the
    aircraft of its own partition (a dict of references per partition)."""
    own: dict[int, dict[str, list[tuple[float, float]]]] = {p: {} for p in range(n)}

    def swap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, st: AircraftState, *args: Any) -> Any:
            p = int(partition_of(np.array([st.icao24], dtype=np.uint32), n)[0])
            saved, ctx.ground_refs = ctx.ground_refs, own[p]
            try:
                return fn(ctx, st, *args)
            finally:
                ctx.ground_refs = saved

        return wrapped

    read, learn = gaps.ground_ref, phase.PhaseRule._learn_ground_ref
    gaps.ground_ref = phase.ground_ref = swap(read)  # type: ignore[assignment]
    phase.PhaseRule._learn_ground_ref = staticmethod(swap(learn))  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        gaps.ground_ref = phase.ground_ref = read  # type: ignore[assignment]
        phase.PhaseRule._learn_ground_ref = staticmethod(learn)  # type: ignore[method-assign,assignment]


def run(data: FrameBatch | ObservationBatch, batch: int) -> set[str]:
    state, cfg, det = PipelineState(), tracker_config(), make_detector()
    events = []
    for a in range(0, len(data), batch):
        state, out = step(state, data.take(np.arange(a, min(a + batch, len(data)))), cfg, det)
        events += out.events
    state, out = flush(state, cfg, det)
    events += out.events + finish(state, det)
    return {json.dumps(e.as_dict(), sort_keys=True, default=str) for e in events}


def classify(gone: set[str], new: set[str]) -> Counter[str]:
    """Changed events by how: same kind, aircraft, airport and time with other evidence text
    or confidence; same kind, aircraft and airport within 2 min; or only on one side."""
    out: Counter[str] = Counter()
    left = [json.loads(e) for e in new]

    def key(d: dict[str, Any]) -> tuple[Any, ...]:
        return d["type"], d["icao24"], (d.get("airport") or {}).get("icao")

    for d in (json.loads(e) for e in gone):
        same = [x for x in left if key(x) == key(d) and abs(x["time_s"] - d["time_s"]) <= 120]
        if not same:
            out["only with shared refs"] += 1
            continue
        x = min(same, key=lambda x: abs(x["time_s"] - d["time_s"]))
        left.remove(x)
        out["text only" if x["time_s"] == d["time_s"] else "moved <= 2 min"] += 1
    out["only per partition"] += len(left)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", choices=("sim", "bench", "kwvi"), default="sim")
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--batch", type=int, default=65536)
    args = ap.parse_args()
    data = load(args.corpus, args.frames)
    t0 = time.perf_counter()
    shared = run(data, args.batch)
    with refs_per_partition(args.partitions):
        split = run(data, args.batch)
    took = time.perf_counter() - t0
    diff = shared ^ split
    kinds = Counter(json.loads(e)["type"] for e in diff)
    print(f"corpus {args.corpus}: {len(data):,} records, {len(shared):,} events shared refs, "
          f"{len(split):,} per partition ({args.partitions}); {len(diff)} in the symmetric "
          f"difference {dict(kinds)}; {took:.1f} s")  # fmt: skip
    how = classify(shared - split, split - shared)
    print("  " + ", ".join(f"{k}: {v}" for k, v in how.items()))
    for e in sorted(diff, key=lambda s: json.loads(s)["time_s"])[:20]:
        d = json.loads(e)
        side = "-" if e in shared else "+"
        ap_ = (d.get("airport") or {}).get("icao")
        print(f"  {side} {d['type']} {d['icao24']} {d['time_s']:.1f} {ap_} {d['reason'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
