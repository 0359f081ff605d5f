"""The detector alone, by step size: its CPU per 1 M frames on the positions each pipeline step
hands it, and where a small step's time goes.

    .venv/bin/python benchmarks/bench_detect_step.py [--corpus warm|burst] [--aircraft 5000]
        [--batches 8192,16384,65536] [--repeat 3] [--profile 8192] [--timers 8192] [--cache DIR]
    .venv/bin/python benchmarks/bench_detect_step.py --sv corpus.sv.csv [--cache DIR]
        [--repeat 3 | --passes K | --profile 1]

Corpora are bench_pipeline.py's (synthetic aircraft from real AFR34ZG frames): ``warm`` is its
``--warm`` steady state (untimed warm-up, then ~20 s of data timed), ``burst`` its default
start-up burst (every aircraft new, then lost). For each batch size the pipeline (decode +
track) runs once and the positions of each step are kept (in ``--cache``, so that a later run,
e.g. of another build of the detector with ``PYTHONPATH``, times the very same positions);
then the detector's ``step`` alone runs over them ``--repeat`` times per batch size,
alternating sizes, from a fresh state (the warm-up steps untimed), and its fastest run counts
(the machine is shared: load only ever adds time). ``--profile N`` also runs cProfile over the
measured steps at N frames per step and prints, per step, the calls by function of the
detector's pre-pass and geo search, and the NumPy calls made from detect/ and geo/;
``--cold`` writes 64 MB between measured steps (untimed), as decode + track do in the
pipeline, so that each step starts with cold caches; ``--timers N`` times the pre-pass's
pieces with wrapped timers (CPU per step); ``--fixed`` times steps of a few positions (the
fixed cost per step), and profiles or times those instead.

``--sv CSV``: the detector's share of a state-vector replay (#12). A real
``flyvakt replay CSV --positions-out`` runs once with the detector's ``step``, ``finish`` and
``expiry.forget`` wrapped to record their inputs (kept in ``--cache``, keyed by the file's
name and size); then the detector alone runs over the recorded calls ``--repeat`` times from a
fresh state and prints CPU s, events and a digest of every event's JSON (the same digest
before and after a speed change, or it was not one). ``--passes K`` runs them K times in one
process, untimed beyond CPU s, for callgrind: (instructions of K passes - of 1) / (K - 1) is
one pass without start-up. ``--profile 1`` with ``--sv`` runs cProfile over one pass.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench_pipeline import build_corpus, build_warm

from flyvakt.detect.detector import step as detect_step
from flyvakt.detect.state import DetectorState
from flyvakt.geo import get_world
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import tracker_config, tune_gc

Steps = list[tuple[PositionBatch, float]]


class Recorder:
    """Stands in for the pipeline's detector: keeps each step's positions and data time."""

    def __init__(self) -> None:
        self.steps: Steps = []

    def step(self, state: PipelineState, positions: PositionBatch, now_s: float) -> list[Any]:
        self.steps.append((positions, now_s))
        return []

    def finish(self, state: PipelineState, now_s: float) -> list[Any]:
        return []


def capture(warm: FrameBatch | None, corpus: FrameBatch, batch: int) -> tuple[Steps, Steps]:
    """(warm-up steps, measured steps): the positions the detector sees at ``batch`` frames."""
    cfg = tracker_config()
    rec = Recorder()
    state = PipelineState()
    out: list[Steps] = []
    for part in (warm, corpus):
        rec.steps = []
        if part is not None:
            for a in range(0, len(part), batch):
                frames = part.take(np.arange(a, min(a + batch, len(part))))
                state, _ = step(state, frames, cfg, rec)  # type: ignore[arg-type]  # duck-typed
        out.append(rec.steps)
    return out[0], out[1]


# With --cold: between two measured steps (untimed), this many bytes are written, as the
# pipeline's decoder and tracker do between two detector steps: the detector's data is no
# longer in the CPU caches at each step (why 64 MB: twice this machine's last-level cache).
COLD_BYTES = 64 << 20
COLD: list[np.ndarray] = []


def run(
    warm: Steps, measured: Steps, after_warm: Callable[[], None] | None = None
) -> tuple[float, int]:
    """(CPU s of the measured steps, events), from a fresh detector state; ``after_warm`` is
    called between the untimed warm-up and the measured steps."""
    world = get_world()
    state = DetectorState()
    for positions, now_s in warm:
        state, _ = detect_step(state, positions, now_s, world)
    if after_warm is not None:
        after_warm()
    n = 0
    spent = 0.0
    for positions, now_s in measured:
        for buf in COLD:
            buf += 1
        t = time.process_time()
        state, ev = detect_step(state, positions, now_s, world)
        spent += time.process_time() - t
        n += len(ev)
    return spent, n


def tiny(measured: Steps) -> Steps:
    """The measured steps cut to their first FIXED_ROWS positions: the step's fixed cost."""
    return [(p.take(np.arange(min(FIXED_ROWS, len(p)))), now_s) for p, now_s in measured]


FIXED_ROWS = 8  # positions per step when timing the fixed cost: their own work is negligible


def profile(warm: Steps, measured: Steps) -> None:
    world = get_world()
    state = DetectorState()
    for positions, now_s in warm:
        state, _ = detect_step(state, positions, now_s, world)
    pr = cProfile.Profile()
    pr.enable()
    for positions, now_s in measured:
        state, _ = detect_step(state, positions, now_s, world)
    pr.disable()
    n = len(measured)
    stats = pstats.Stats(pr).stats  # type: ignore[attr-defined]
    mine: list[tuple[float, float, str]] = []
    np_calls: Counter[str] = Counter()
    for (fn, line, name), (_cc, nc, _tt, ct, callers) in stats.items():
        if "flyvakt/detect/" in fn or "flyvakt/geo/" in fn:
            where = f"{fn.split('flyvakt/')[-1]}:{line} {name}"
            mine.append((ct, nc, where))
        if (fn == "~" and "numpy" in name) or "/numpy/" in fn:
            for (cfn, _cl, cname), cv in callers.items():
                if "flyvakt/detect/" in cfn or "flyvakt/geo/" in cfn:
                    np_calls[f"{cfn.split('flyvakt/')[-1]} {cname}"] += cv[0]
    print(f"  cProfile, {n} steps; per step: cumulative ms, calls (top 25 of detect/ and geo/)")
    for ct, nc, where in sorted(mine, reverse=True)[:25]:
        print(f"    {ct / n * 1e3:8.3f} ms {nc / n:9.1f}  {where}")
    total = sum(np_calls.values())
    print(f"  NumPy calls from detect/ and geo/ per step: {total / n:.0f}; by caller (top 15):")
    for where, c in np_calls.most_common(15):
        print(f"    {c / n:8.1f}  {where}")


# The pre-pass's pieces, timed one by one with --timers (module, attribute).
TIMED = (
    ("flyvakt.detect.detector", "runs_by_key"),
    ("flyvakt.detect.detector", "silence_generations"),
    ("flyvakt.detect.detector", "ground_estimate"),
    ("flyvakt.detect.detector", "_hot_rows"),
    ("flyvakt.detect.detector", "_fields"),
    ("flyvakt.detect.detector", "_approach_near"),
    ("flyvakt.detect.detector", "fix_columns"),
    ("flyvakt.detect.detector", "_new_in_the_air"),
    ("flyvakt.detect.detector", "_pending_many"),
    ("flyvakt.detect.detector", "_sweep_lost"),
    ("flyvakt.detect.prepass.FieldSearch", "at"),
    ("flyvakt.detect.prepass.FieldSearch", "far"),
    ("flyvakt.detect.lastfix.LastFixes", "find"),
    ("flyvakt.detect.lastfix.LastFixes", "rows_for"),
    ("flyvakt.detect.lastfix.LastFixes", "record"),
    ("flyvakt.detect.lastfix.LastFixes", "values_many"),
    ("flyvakt.detect.tails.SampleTails", "update"),
    ("flyvakt.detect.tails.SampleTails", "drop"),
    ("flyvakt.detect.tails.SampleTails", "_compact"),
    ("flyvakt.geo.world.World", "country_at"),
)


def timers(warm: Steps, measured: Steps) -> None:
    """CPU per step of each pre-pass piece (wrapped timers; a piece inside another counts in
    both), and the step's total."""
    import importlib

    spent: Counter[str] = Counter()
    saved = []
    for mod, attr in TIMED:
        parts = mod.split(".")
        try:
            owner: Any = importlib.import_module(mod)
        except ModuleNotFoundError:
            owner = getattr(importlib.import_module(".".join(parts[:-1])), parts[-1])
        fn = getattr(owner, attr, None)
        if fn is None:
            continue
        saved.append((owner, attr, fn))

        def wrapped(*a: Any, _fn: Any = fn, _name: str = attr, **k: Any) -> Any:
            t = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                spent[_name] += time.process_time() - t

        setattr(owner, attr, wrapped)
    try:
        total, _ = run(warm, measured, after_warm=spent.clear)
    finally:
        for owner, attr, fn in saved:
            setattr(owner, attr, fn)
    n = len(measured)
    print(f"  wrapped timers, {n} steps: whole step {total / n * 1e3:.3f} ms per step")
    for name, s in spent.most_common():
        print(f"    {s / n * 1e3:8.3f} ms  {name}")


SvCalls = list[tuple[str, PositionBatch | None, float]]


def sv_record(csv: Path, cache: str) -> SvCalls:
    """The detector's calls in a real state-vector replay of ``csv`` (from ``cache`` if kept)."""
    import tempfile

    import flyvakt.detect.detector as det
    import flyvakt.pipeline as pipe
    from flyvakt.cli import main as cli

    path = Path(cache or tempfile.gettempdir()) / f"sv-{csv.name}-{csv.stat().st_size}.pkl"
    if path.exists():
        calls: SvCalls = pickle.loads(path.read_bytes())
        return calls
    calls = []
    steps, finishes, forgets = det.step, det.finish, pipe.detect_forget

    def rec_step(st: DetectorState, positions: PositionBatch, now_s: float, *a: Any) -> Any:
        calls.append(("step", positions, now_s))
        return steps(st, positions, now_s, *a)

    def rec_finish(st: DetectorState, now_s: float, *a: Any) -> Any:
        calls.append(("finish", None, now_s))
        return finishes(st, now_s, *a)

    def rec_forget(st: DetectorState, now_s: float, *a: Any) -> Any:
        calls.append(("forget", None, now_s))
        return forgets(st, now_s, *a)

    det.step, det.finish, pipe.detect_forget = rec_step, rec_finish, rec_forget  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            argv = ["replay", str(csv), "--quiet", "--positions-out", f"{tmp}/pos.parquet"]
            cli.main(argv)
    finally:
        det.step, det.finish, pipe.detect_forget = steps, finishes, forgets  # type: ignore[assignment]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(calls, protocol=5))
    return calls


def sv_pass(calls: SvCalls) -> tuple[float, list[Any]]:
    """(CPU s, events) of the detector alone over the recorded calls, from a fresh state."""
    from flyvakt.detect.detector import finish
    from flyvakt.detect.expiry import DETECT_FORGET_S, forget

    world = get_world()
    state = DetectorState()
    events: list[Any] = []
    t = time.process_time()
    for kind, positions, now_s in calls:
        if kind == "step":
            assert positions is not None
            state, out = detect_step(state, positions, now_s, world)
            events += out
        elif kind == "forget":
            forget(state, now_s, DETECT_FORGET_S)
        else:
            events += finish(state, now_s, world)
    return time.process_time() - t, events


def sv_digest(events: list[Any]) -> str:
    """A digest of every event's JSON, in order."""
    import hashlib
    import json

    h = hashlib.sha1()
    for e in events:
        h.update(json.dumps(e.to_json(), sort_keys=True, default=str).encode())
    return h.hexdigest()[:12]


def sv_main(csv: Path, cache: str, repeat: int, passes: int, prof: bool) -> None:
    calls = sv_record(csv, cache)
    rows = sum(len(p) for _k, p, _t in calls if p is not None)
    print(f"{csv.name}: {len(calls)} detector calls, {rows:,} positions")
    get_world().tz_at(0.0, 0.0)
    tune_gc()
    if passes:
        for _ in range(passes):
            s, events = sv_pass(calls)
        print(f"  {passes} passes, last {s:.3f} s CPU, {len(events):,} events")
        return
    if prof:
        pr = cProfile.Profile()
        pr.enable()
        sv_pass(calls)
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(40)
        return
    for _ in range(repeat):
        s, events = sv_pass(calls)
        print(f"  {s:.3f} s CPU, {len(events):,} events, digest {sv_digest(events)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sv", default="", help="state-vector CSV: the detector of its replay")
    ap.add_argument("--passes", type=int, default=0, help="with --sv: K untimed passes")
    ap.add_argument("--corpus", choices=("warm", "burst"), default="warm")
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--batches", default="8192,16384,65536")
    ap.add_argument("--repeat", type=int, default=3, help="runs per batch size; fastest counts")
    ap.add_argument("--profile", type=int, default=0, help="cProfile at this batch size")
    ap.add_argument(
        "--fixed", action="store_true",
        help="also time steps of FIXED_ROWS positions (the first of each measured step of the "
        "first batch size), after the same warm-up: the fixed cost per step; with --profile, "
        "profile those",
    )  # fmt: skip
    ap.add_argument(
        "--cold", action="store_true",
        help="write COLD_BYTES between measured steps (untimed), as decode + track do in the "
        "pipeline, so that each step starts with cold caches",
    )  # fmt: skip
    ap.add_argument("--timers", type=int, default=0, help="wrapped timers at this batch size")
    ap.add_argument("--cache", default="", help="directory for the captured positions")
    args = ap.parse_args()
    import flyvakt

    print(f"flyvakt from {Path(flyvakt.__file__).parent}")
    if args.sv:
        sv_main(Path(args.sv), args.cache, args.repeat, args.passes, bool(args.profile))
        return
    batches = [int(b) for b in args.batches.split(",") if b]
    for extra in (args.profile, args.timers):
        if extra and extra not in batches:
            batches.append(extra)
    warm_fb: FrameBatch | None = None
    corpus: FrameBatch | None = None
    captured: dict[int, tuple[Steps, Steps]] = {}
    n_frames = 0  # the measured frames behind the positions
    for b in batches:
        path = Path(args.cache) / f"{args.corpus}-{args.aircraft}-{args.frames}-{b}.pkl"
        if args.cache and path.exists():
            captured[b], n_frames = pickle.loads(path.read_bytes())
            continue
        if corpus is None:
            if args.corpus == "warm":
                warm_fb, corpus = build_warm(args.frames, args.aircraft, 60.0)
            else:
                corpus = build_corpus(args.frames, args.aircraft)
        captured[b], n_frames = capture(warm_fb, corpus, b), len(corpus)
        if args.cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps((captured[b], n_frames), protocol=5))
    frames = {b: sum(len(p) for p, _ in m) for b, (_w, m) in captured.items()}
    get_world().tz_at(0.0, 0.0)
    if args.cold:
        COLD.append(np.zeros(COLD_BYTES // 8))
    run(*captured[batches[0]])  # loads the world's grids, as a running service has
    tune_gc()
    best: dict[int, float] = {}
    events: dict[int, int] = {}
    for _ in range(args.repeat):
        for b in batches:
            s, events[b] = run(*captured[b])
            best[b] = min(best.get(b, s), s)
    print(
        f"corpus {args.corpus}, {args.aircraft:,} aircraft, {n_frames:,} frames measured; "
        f"fastest of {args.repeat}"
    )
    for b in batches:
        steps = len(captured[b][1])
        print(
            f"  batch {b:>6}: {steps:4d} steps, {frames[b]:,} positions, {events[b]:,} events: "
            f"{best[b]:.3f} s CPU, {best[b] / n_frames * 1e6:.3f} s per 1 M frames, "
            f"{best[b] / steps * 1e3:.2f} ms per step, "
            f"{best[b] / frames[b] * 1e6:.2f} us per position"
        )
    if args.fixed:
        warm, measured = captured[batches[0]]
        small = tiny(measured)
        fixed = min(run(warm, small)[0] for _ in range(args.repeat))
        print(
            f"  fixed cost: {len(small)} steps of {FIXED_ROWS} positions after the warm-up: "
            f"{fixed / len(small) * 1e3:.3f} ms per step"
        )
    if args.timers:
        w, m = captured[args.timers]
        timers(w, tiny(m) if args.fixed else m)
    if args.profile:
        w, m = captured[args.profile]
        profile(w, tiny(m) if args.fixed else m)


if __name__ == "__main__":
    main()
