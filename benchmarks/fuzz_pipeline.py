"""Fuzz soak: millions of hostile inputs through every parser and the whole pipeline.

SYNTHETIC inputs (flyvakt.sim.hostile, plus random bytes for the parsers). Per round, in
batches of ``--batch`` inputs:

- parsers: random bytes (and random bytes with Beast 0x1a escapes, AVR/SBS/CSV/JSONL line
  shapes) fed in random chunks to every incremental parser;
- pipeline: CRC-valid DF17 frames with random ME fields and absurd times, random frames, and
  decoded records with absurd values and hostile callsigns, through decode, edge validation,
  track and detect with one long-lived state.

Reports inputs, crashes (exceptions: must be 0), wall time, and RSS at every tenth of the run
(must stay flat: expiry and bounded state). ``--inputs 1000000`` is the figure in
docs/reliability.md.

    .venv/bin/python benchmarks/fuzz_pipeline.py [--inputs 1000000] [--batch 20000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

from flyvakt.model import FrameBatch
from flyvakt.pipeline import PipelineState, finish, step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.hostile import hostile_observations, hostile_times, random_frames, valid_df17
from flyvakt.sources import (
    AvrParser,
    BeastParser,
    CsvFrameParser,
    JsonlFrameParser,
    JsonlRecordParser,
    SbsParser,
)

PARSERS = (BeastParser, AvrParser, SbsParser, CsvFrameParser, JsonlFrameParser, JsonlRecordParser)
SHAPES = (
    b"\x1a3",
    b"*8d4840d6202cc371c32ce0576098;\n",
    b"MSG,3,1,1,4840D6,1,2024/07/06,10:00:1e12,,,,,,,,,,,,,,\n",
    b"1720249161.85,8d4840d6202cc371c32ce0576098\n",
    b'{"timestamp": 1e300, "frame": "8d4840d6202cc371c32ce0576098"}\n',
)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def fuzz_parsers(rng: np.random.Generator, n_bytes: int, errors: Counter[str]) -> int:
    """Feed ``n_bytes`` of hostile bytes to every parser; return the inputs (bytes) used."""
    raw = rng.integers(0, 256, n_bytes, dtype=np.uint8).tobytes()
    pieces = [raw[i : i + 257] + SHAPES[i % len(SHAPES)] for i in range(0, len(raw), 257)]
    data = b"".join(pieces)
    for cls in PARSERS:
        p = cls()
        try:
            pos = 0
            while pos < len(data):
                step_n = int(rng.integers(1, 4096))
                p.feed(data[pos : pos + step_n], recv_time_s=1.7e9)
                pos += step_n
            p.finish()
        except Exception as exc:  # a SourceFormatError is the documented answer: not a crash
            if type(exc).__name__ != "SourceFormatError":
                errors[f"{cls.__name__}: {type(exc).__name__}"] += 1
                traceback.print_exc()
    return len(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--inputs", type=int, default=1_000_000, help="pipeline inputs (frames+records)"
    )
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    state, cfg, det = PipelineState(), tracker_config(), make_detector(None)
    errors: Counter[str] = Counter()
    done = parser_bytes = events = 0
    t0 = 1.7e9
    rss: list[float] = []
    start = time.perf_counter()
    next_mark = 0
    while done < args.inputs:
        n = min(args.batch, args.inputs - done)
        kind = (done // args.batch) % 3
        if kind == 0:
            batch: object = valid_df17(rng, n, n_addresses=2000)
        elif kind == 1:
            batch = FrameBatch.concat(
                [valid_df17(rng, n // 2, 500), random_frames(rng, n - n // 2)]
            )
        else:
            batch = hostile_observations(rng, n, t0)
        if isinstance(batch, FrameBatch):
            batch.time_s[:] = np.sort(hostile_times(rng, n, t0, 0.01))
        t0 += n * 0.05
        try:
            state, out = step(state, batch, cfg, det)  # type: ignore[arg-type]
            events += len(out.events)
            for e in out.events:
                e.to_json()
        except Exception as exc:
            errors[f"step: {type(exc).__name__}"] += 1
            traceback.print_exc()
        done += n
        parser_bytes += fuzz_parsers(rng, n, errors)
        if done >= next_mark:
            rss.append(round(rss_mb(), 1))
            next_mark += args.inputs // 10
    try:
        finish(state, det)
    except Exception as exc:
        errors[f"finish: {type(exc).__name__}"] += 1
    elapsed = time.perf_counter() - start
    figures = {
        "pipeline_inputs": done,
        "parser_bytes": parser_bytes,
        "crashes": sum(errors.values()),
        "crash_kinds": dict(errors),
        "events": events,
        "edge_dropped": dict(state.stats.edge_dropped),
        "track_rejected": dict(state.stats.track_rejected),
        "aircraft_tracked_at_end": len(state.tracker.table),
        "aircraft_expired": state.stats.expired,
        "seconds": round(elapsed, 1),
        "rss_mb_by_tenth": rss,
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
