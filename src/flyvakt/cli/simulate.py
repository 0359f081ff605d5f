"""``flyvakt simulate``: synthetic Mode S traffic from a scenario, or a load-test corpus.

Everything this command writes is SYNTHETIC; the scenario's label is printed on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="simulate ADS-B/Mode S traffic (scenario file or load corpus)",
        description=(
            "Simulate the frames a receiver network would record for a scenario (TOML), and "
            "write them to a file or serve them as Beast on a local TCP port. The bundled "
            "scenario 'june-2024-state-visit' is an approximate reconstruction from public "
            "reporting. With --corpus, generate a synthetic load-test corpus instead."
        ),
    )
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="scenario TOML file, or the name of a bundled one",
    )
    p.add_argument("--out", metavar="FILE", help="output file (default: stdout for text formats)")
    p.add_argument(
        "--format",
        dest="fmt",
        default=None,
        choices=("beast", "avr", "jsonl", "sbs"),
        help="frame format (default: from the --out suffix .jsonl/.avr/.sbs, else beast)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument(
        "--rate-scale",
        type=float,
        default=None,
        help="multiply every transmission rate (e.g. 0.1 for a small file)",
    )
    p.add_argument("--start", metavar="ISO", help="simulate from this UTC time only")
    p.add_argument("--end", metavar="ISO", help="simulate until this UTC time only")
    p.add_argument("--serve", type=int, metavar="PORT", help="serve Beast on 127.0.0.1:PORT")
    p.add_argument("--speed", type=float, default=1.0, help="playback speed with --serve")
    p.add_argument(
        "--serve-format",
        default="beast",
        choices=("beast", "avr", "sbs"),
        help="stream format with --serve (sbs keeps the scenario's absolute UTC dates)",
    )
    p.add_argument(
        "--corpus",
        type=int,
        metavar="N_AIRCRAFT",
        help="generate a load corpus of this many aircraft (no scenario)",
    )
    p.add_argument("--frames", type=int, default=1_000_000, help="corpus size in frames")
    p.set_defaults(func=run)


_FORMAT_OF_SUFFIX = {".jsonl": "jsonl", ".avr": "avr", ".sbs": "sbs"}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).isoformat().replace("+00:00", "Z")


def run(args: argparse.Namespace) -> int:
    from flyvakt.sim import emit, output, scenario
    from flyvakt.sim.corpus import generate_corpus

    err = sys.stderr
    if args.fmt is None:  # `--out x.jsonl` must not silently write Beast into a .jsonl file
        suffix = Path(args.out).suffix.lower() if args.out else ""
        args.fmt = _FORMAT_OF_SUFFIX.get(suffix, "beast")
    if args.corpus:
        t0 = time.perf_counter()
        seed = 0 if args.seed is None else args.seed
        frames = generate_corpus(args.corpus, args.frames, seed)
        el = time.perf_counter() - t0
        print(
            f"SYNTHETIC load corpus: {len(frames):,} frames, {args.corpus:,} aircraft, "
            f"seed {seed}, generated in {el:.2f} s",
            file=err,
        )
        res = emit.SimResult(
            frames, "SYNTHETIC load corpus", _kinds_unknown(len(frames)), _no_truth(len(frames))
        )
        if args.fmt == "sbs":
            print(
                "flyvakt simulate: --format sbs needs a scenario (no truth in a corpus)", file=err
            )
            return 2
    else:
        if not args.scenario:
            print("flyvakt simulate: give a SCENARIO file (or --corpus N)", file=err)
            return 2
        path = Path(args.scenario)
        if not path.exists() and scenario.bundled(args.scenario).exists():
            path = scenario.bundled(args.scenario)
        try:
            sc = scenario.load(path)
            if args.start:
                sc.start_s = scenario.parse_time(args.start, "--start")
            if args.end:
                sc.end_s = scenario.parse_time(args.end, "--end")
        except (OSError, scenario.ScenarioError) as exc:
            print(f"flyvakt simulate: {exc}", file=err)
            return 2
        if args.rate_scale is not None:
            sc.rate_scale = args.rate_scale
        t0 = time.perf_counter()
        res = emit.simulate(sc, seed=args.seed)
        el = time.perf_counter() - t0
        print(f"# {res.label}", file=err)
        counts = ", ".join(f"{k}={v}" for k, v in sorted(res.counts.items()))
        print(f"simulated {len(res.frames):,} frames in {el:.2f} s ({counts})", file=err)
    fb = res.frames
    if len(fb):
        print(
            f"frames span {_iso(float(fb.time_s.min()))} .. {_iso(float(fb.time_s.max()))}; "
            f"Beast/AVR counters start at 0 there: replay with --start-time "
            f"{_iso(float(fb.time_s[0]))}",
            file=err,
        )
    if args.serve is not None:

        def ready(port: int) -> None:
            fmt = args.serve_format
            print(f"serving on {fmt}+tcp://127.0.0.1:{port} at x{args.speed:g}", file=err)

        try:
            if args.serve_format == "sbs" and args.corpus:
                print("flyvakt simulate: SBS needs a scenario (no truth in a corpus)", file=err)
                return 2
            asyncio.run(
                output.serve(res, args.serve, args.speed, ready=ready, fmt=args.serve_format)
            )
        except KeyboardInterrupt:
            return 0
        return 0
    if args.out:
        with open(args.out, "wb") as fp:
            n = output.write(res, fp, args.fmt)
        from flyvakt.sim.label import write_label

        side = write_label(args.out, res.label)
        print(f"wrote {n:,} bytes of {args.fmt} to {args.out} (label in {side})", file=err)
    elif args.fmt == "beast":
        print("flyvakt simulate: Beast is binary; give --out FILE or --serve PORT", file=err)
        return 2
    else:
        output.write(res, sys.stdout.buffer, args.fmt)
    return 0


def _kinds_unknown(n: int) -> Any:
    import numpy as np

    return np.zeros(n, dtype=np.int8)


def _no_truth(n: int) -> Any:
    from flyvakt.model.batches import PositionBatch

    return PositionBatch.empty(n)
