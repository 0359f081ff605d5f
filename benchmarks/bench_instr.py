"""Instruction counts (callgrind) for the speed goals of issues 9 and 12, where CPU seconds fail.

On a shared 2-core machine CPU seconds vary by +-40 % between identical runs: a 5 % change
cannot be seen, and a goal line ("detection <= 20 % on top", "50,000 aircraft within 30 % of
1,000") cannot be shown met or missed. Instructions executed (valgrind's callgrind, Ir) are
deterministic to a fraction of a per cent under PYTHONHASHSEED=0 whatever the neighbours do.
They are not time: a cache miss costs no instruction, so memory-bound work (the 50,000-aircraft
tracker table) looks cheaper in instructions than in seconds. Use them to see a change and
which way it goes; the CPU-second benchmarks (bench_pipeline, bench_e2e) still say how fast.

    .venv/bin/python benchmarks/bench_instr.py [--only pipeline,warm,sweep] [--passes K]
        [--frames 1000000] [--aircraft 5000] [--warm-aircraft 1000] [--warm-frames 360000]
        [--sweep-frames 1000000] [--json FILE] [--compare-src DIR] [--keep DIR [--reuse]]
    .venv/bin/python benchmarks/bench_instr.py --only sweepwarm [--sweepwarm-s 20]
    .venv/bin/python benchmarks/bench_instr.py --only replay [--replay-frames 250000]
        [--replay-input FILE.bin --replay-start ISO --replay-input-frames N] [--compare-src DIR]
    .venv/bin/python benchmarks/bench_instr.py --only svreplay --sv-input corpus.sv.csv
        [--sv-skip 120000] [--sv-rows 200000] [--compare-src DIR]

Measurements (``--only``, comma-separated; default all three):

- ``pipeline``: bench_pipeline's default corpus (the start-up burst: 1 M frames, 5,000
  aircraft, ``build_corpus``), run by bench_pipeline's own step loop (``run_timed``): decode +
  track, and decode + track + detect, in instructions per 1 M frames, and "detection on top" =
  their difference / decode + track (issue 9's figure).
- ``warm``: the same for ``bench_pipeline.py --warm`` (``build_warm``; the untimed warm-up pass
  outside the count, as it is outside the timing there), at 1,000 aircraft in range and one
  20 s period measured by default (``--warm-aircraft``, ``--warm-frames``; bench_pipeline's
  5,000 would take ~35 min under callgrind), one pass (``--warm-passes``).
- ``replay`` (only when asked: ``--only replay``): the whole ``flyvakt replay FILE.bin
  --positions-out X.parquet`` command (bench_e2e's Beast row) on a ``--replay-frames`` corpus
  (``build_corpus``, 5,000 aircraft), in instructions per phase: start-up, Beast framing, file
  sort/merge, decode, track, detect, positions out, progress, summary, exit (instr_replay.py
  says how). One run, start-up included: it is part of the command's cost.
- ``svreplay`` (only when asked: ``--only svreplay --sv-input FILE``): the same for a
  state-vector CSV (bench_e2e's ``sv``/``svfresh`` rows): ``--sv-rows`` rows of ``--sv-input``
  (bench_e2e's corpus.sv.csv, kept with its ``--keep``) after its header and ``--sv-skip``
  rows, with the phases of that path (Arrow's CSV parse, columns to observations) beside
  the common ones.
- ``sweepwarm`` (only when asked): the same two sizes at N **concurrent** aircraft (bench_e2e's
  concurrent sweep, warm_sweep.py): build_warm's steady state, its warm-up (``--sweepwarm-s``)
  run natively in this process and the warmed state pickled to the child, which loads it before
  the marker; then a window of up to ``--sweep-frames`` frames between two country-sample
  instants measured. Not with ``--compare-src`` (the states are this flyvakt's objects).
- ``sweep``: bench_e2e's aircraft sweep, in-process decode + track (+ detect) at 1,000 and
  50,000 aircraft (``build_corpus``): instructions per message, and the rate at 50,000 as a
  share of the rate at 1,000 = Ir per message at 1,000 / Ir per message at 50,000 (issue 12's
  figure; goal >= 70 %).

How: the corpora are built here, natively, and handed to a child process over .npy files; the
child (``--child``) runs under ``valgrind --tool=callgrind --dump-before=os_getppid`` with
PYTHONHASHSEED=0, loads the world and warms up as bench_pipeline does, then runs every variant
k times (``--passes``). Around each measured loop (bench_pipeline's ``gc_clock`` hook, entered just
before the measured frames and left just after) it calls ``os.getppid()``, which nothing else
here calls: callgrind writes one profile part per call, so every measured loop has its own exact
count, start-up, corpus loading and warm-up excluded. A variant's figure is its passes after the
first: (sum of all k passes - pass 1) / (k - 1), the "k passes minus 1" method (pass 1 also pays
first-use costs: caches, lazy imports; it is printed beside). ``--compare-src DIR`` (a ``git
archive BASE src`` tree) runs the same child with that flyvakt first on PYTHONPATH: before/after
on the same corpus. Wall time: ~50x the native run under callgrind (with 2 cores shared, ~5-10 min
per measurement at the default sizes; printed).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MEASURES = ("pipeline", "warm", "sweep")
# Asked by name only: ``replay`` (instr_replay.py), the whole ``flyvakt replay`` command by
# phase, and ``svreplay``, the same for a state-vector CSV; ``sweepwarm``, the sweep at N
# concurrent aircraft (warm_sweep.py).
ALL_MEASURES = (*MEASURES, "replay", "svreplay", "sweepwarm")
CHILD_MEASURES = (*MEASURES, "sweepwarm")
# svreplay's default slice of bench_e2e's corpus.sv.csv (6 copies of 178,194 rows, 5,000
# aircraft, 1,800 s apart): rows 120,000-320,000 hold the end of the first copy and most of the
# second, so every aircraft is lost and found again once, as in the whole file (~4 min under
# callgrind; the whole file, 1.07 M rows, ~20 min).
SV_SKIP, SV_ROWS = 120_000, 200_000
REPLAYS = ("replay", "svreplay")  # whole-command measures (instr_replay.py), one run each
# 250,000 frames: a quarter of bench_e2e's corpus, ~2.5 min under callgrind; start-up
# (imports, airport tables) is a fixed cost, so its share here is ~4x its share at 1 M.
REPLAY_FRAMES = 250_000
BATCH = 65536  # bench_pipeline's and bench_e2e's batch size
# The sweep's two ends (issue 12 compares 50,000 aircraft with 1,000).
SWEEP_SIZES = (1000, 50000)
# ``warm`` at bench_pipeline's 5,000 aircraft replays 5.4 M warm-up frames before each measured
# loop: ~35 min under callgrind. 1,000 aircraft, one 20 s sampling period measured (360,000
# frames) after the same 60 s warm-up: the same steady state (arrivals and departures spread in
# time, every expiry reached), a fifth of the aircraft, ~7 min.
WARM_AIRCRAFT = 1000
WARM_FRAMES = 360_000
# Passes per variant (k). 2 for pipeline: k - 1 = 1 pass without first-use costs (on main
# d08c67a its decode + track pass 1 counted 3.5 % more than pass 2 at 1 M frames, 0.2 % at 20 k:
# first growth of the process's memory, most likely). 1 for the others, whose passes take 5-10
# min each under callgrind: their first loop carries that first-pass excess (``--passes 2`` for
# the exact figure; in ``warm`` the warm-up pass in front of every loop pays most of it).
PASSES = {"pipeline": 2, "warm": 1, "sweep": 1, "sweepwarm": 1}
MARK_FUNCTION = "os_getppid"  # CPython's C function behind os.getppid(): the part boundary


# -- pure parts (tested in tests/unit/test_bench_instr.py) ----------------------------------------


def parse_part(text: str) -> tuple[int, int]:
    """(part number, instructions) of one callgrind output file: its ``part:`` line (1 when
    absent: a run without dumps) and its ``summary:`` (or ``totals:``) line's first event, Ir."""
    part = re.search(r"^part:\s*(\d+)\s*$", text, re.M)
    total = re.search(r"^summary:\s*(\d+)", text, re.M) or re.search(
        r"^totals:\s*(\d+)", text, re.M
    )
    if total is None:
        raise ValueError("no summary: or totals: line (not a callgrind output file?)")
    return (int(part.group(1)) if part else 1), int(total.group(1))


def label_parts(parts: dict[int, int], labels: Sequence[str]) -> list[tuple[str, int]]:
    """(label, Ir) per marker: part i ends at the i-th ``os.getppid()`` call, labelled
    ``labels[i - 1]``; the last part (program end) is after every marker and is dropped."""
    if sorted(parts) != list(range(1, len(labels) + 2)):
        raise ValueError(
            f"{len(parts)} profile parts for {len(labels)} markers: something else called "
            f"{MARK_FUNCTION}, or a dump is missing"
        )
    return [(label, parts[i + 1]) for i, label in enumerate(labels)]


def k_minus_1(passes: Sequence[int]) -> float:
    """One pass without first-use costs: (sum of k passes - pass 1) / (k - 1); with a single
    pass, that pass (first-use costs included)."""
    if len(passes) < 2:
        return float(passes[0])
    return (sum(passes) - passes[0]) / (len(passes) - 1)


def per_variant(labelled: Sequence[tuple[str, int]]) -> dict[str, list[int]]:
    """The measured passes of each variant, in order (the ``setup`` parts between them out)."""
    out: dict[str, list[int]] = {}
    for label, ir in labelled:
        if label != "setup":
            out.setdefault(label, []).append(ir)
    return out


# -- the child, under callgrind ----------------------------------------------------------------


def _save(fb: Any, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in fields(fb):
        a = getattr(fb, f.name)
        if len(a) == len(fb):  # an array column (``receivers`` may be the shared empty one)
            import numpy as np

            np.save(folder / f"{name}.{f.name}.npy", a)


def _load(folder: Path, name: str) -> Any:
    import numpy as np

    from flyvakt.model import FrameBatch

    cols = {p.name.split(".")[1]: np.load(p) for p in folder.glob(f"{name}.*.npy")}
    return FrameBatch(**cols)


def _variants(measure: str, folder: Path) -> list[tuple[str, Any, Any, bool]]:
    """(label, corpus, warm-up or None, detect) of each measured loop of ``measure``."""
    if measure == "pipeline":
        c = _load(folder, "pipeline")
        return [("dt", c, None, False), ("dtd", c, None, True)]
    if measure == "warm":
        c, w = _load(folder, "warm"), _load(folder, "warmup")
        return [("dt", c, w, False), ("dtd", c, w, True)]
    out = []
    for n in SWEEP_SIZES:
        c = _load(folder, f"{measure}{n}")
        if measure == "sweepwarm":  # the warmed states (warm_sweep.py), unpickled per loop
            out += [(f"{n}/dt", c, _warmed(folder, n, False), False)]
            out += [(f"{n}/dtd", c, _warmed(folder, n, True), True)]
        else:
            out += [(f"{n}/dt", c, None, False), (f"{n}/dtd", c, None, True)]
    return out


def _warmed(folder: Path, n: int, detect: bool) -> Path:
    return folder / f"sweepwarm{n}.{'dtd' if detect else 'dt'}.pickle"


def child(measure: str, folder: Path, passes: int) -> None:
    """Runs under callgrind: every variant of ``measure`` ``passes`` times, each measured loop
    between two ``os.getppid()`` markers; writes the marker labels to ``labels-<measure>.json``."""
    sys.path.insert(0, str(HERE))
    import numpy as np
    from bench_pipeline import GcClock, run_pipeline, run_timed

    from flyvakt.geo import get_world
    from flyvakt.runtime.setup import tracker_config, tune_gc

    labels: list[str] = []

    def mark(label: str) -> None:
        labels.append(label)
        os.getppid()

    class Marked(GcClock):
        """bench_pipeline's hook around the measured frames, used to cut the profile there."""

        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

        def __enter__(self) -> Marked:
            mark("setup")
            return self

        def __exit__(self, *exc: object) -> None:
            mark(self.label)

    variants = _variants(measure, folder)
    # As bench_pipeline does before timing: world data, tracker config, first-use paths.
    tracker_config()
    get_world().tz_at(0.0, 0.0)
    first = variants[0][1]
    run_pipeline(first.take(np.arange(min(len(first), 20_000))), BATCH, detect=True)
    tune_gc()
    if measure == "sweepwarm":
        # First use of the world along the corpus's track (time-zone and country polygons, the
        # airport cells: loaded on first query) is paid by the warm-up in the parent, not
        # here; a service that has run for hours has paid it. Each window with detection once,
        # untimed, first: without it the first loop with detection counted ~800 instructions
        # per message more (1,000 in range, 5,043 against 4,228 for the same window later).
        for _, corpus, warm, detect in variants:
            if detect:
                run_timed(corpus, BATCH, True, start=pickle.loads(warm.read_bytes()))
    for _ in range(passes):
        for label, corpus, warm, detect in variants:
            if isinstance(warm, Path):  # a warmed state: loaded before the marker, untimed
                start = pickle.loads(warm.read_bytes())
                run_timed(corpus, BATCH, detect, gc_clock=Marked(label), start=start)
            else:
                run_timed(corpus, BATCH, detect, warm=warm, gc_clock=Marked(label))
    mark("setup")  # the tail after the last loop gets its own part (program end follows)
    import flyvakt

    done = {"labels": labels, "flyvakt": flyvakt.__file__}
    (folder / f"labels-{measure}.json").write_text(json.dumps(done))


# -- the parent --------------------------------------------------------------------------------


def build(measures: Sequence[str], args: argparse.Namespace, folder: Path) -> dict[str, int]:
    """Every corpus the measures need, saved for the children; returns frames per corpus."""
    from bench_pipeline import build_corpus, build_warm

    sizes: dict[str, int] = {}
    if "pipeline" in measures:
        c = build_corpus(args.frames, args.aircraft)
        _save(c, folder, "pipeline")
        sizes["pipeline"] = len(c)
    if "warm" in measures:
        w, c = build_warm(args.warm_frames, args.warm_aircraft, args.warm_s)
        _save(w, folder, "warmup")
        _save(c, folder, "warm")
        sizes["warm"], sizes["warmup"] = len(c), len(w)
    if "replay" in measures and args.replay_input:
        # A Beast file of one's own (e.g. a prefix of bench_e2e's corpus.bin): used as it is.
        shutil.copyfile(args.replay_input, folder / "replay.bin")
        (folder / "replay-start.txt").write_text(args.replay_start)
        sizes["replay"] = args.replay_input_frames
    elif "replay" in measures:
        from flyvakt.sources.writers import write_beast

        c = build_corpus(args.replay_frames, args.aircraft)
        t_first = float(c.time_s[0])
        with open(folder / "replay.bin", "wb") as fb:
            write_beast(fb, c, epoch_s=t_first - 1.0)  # as bench_e2e.write_corpus
        (folder / "replay-start.txt").write_text(datetime.fromtimestamp(t_first, UTC).isoformat())
        sizes["replay"] = len(c)
    if "svreplay" in measures:
        with open(args.sv_input, "rb") as fin, open(folder / "svreplay.csv", "wb") as fout:
            fout.write(fin.readline())
            for _ in range(args.sv_skip):
                fin.readline()
            n = 0
            while n < args.sv_rows and (line := fin.readline()):
                fout.write(line)
                n += 1
        sizes["svreplay"] = n
    if "sweep" in measures:
        for n in SWEEP_SIZES:
            c = build_corpus(args.sweep_frames, n)
            _save(c, folder, f"sweep{n}")
            sizes[f"sweep{n}"] = len(c)
    if "sweepwarm" in measures:
        from warm_sweep import prepare, unconfirmed

        for n in SWEEP_SIZES:  # the warm-up runs here, natively; its states go to the child
            w = prepare(n, args.sweep_frames, args.sweepwarm_s, BATCH)
            _save(w.window, folder, f"sweepwarm{n}")
            for d in (False, True):
                _warmed(folder, n, d).write_bytes(w.state[d])
            sizes[f"sweepwarm{n}"] = len(w.window)
            print(
                f"sweepwarm {n:,}: {len(w.untimed):,} frames untimed, window "
                f"{len(w.window):,} frames = {w.window_s:.2f} s; aircraft in it without a "
                f"confirmed track at its start: {unconfirmed(w)}",
                flush=True,
            )
    return sizes


def _fresh(out: Path, src: str | None) -> dict[str, str]:
    """Old profile parts of ``out`` removed; the child's environment (``src`` first on the
    path when given)."""
    for old in out.parent.glob(out.name + "*"):
        old.unlink()
    env = dict(os.environ, PYTHONHASHSEED="0")
    if src:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(src).resolve()), os.environ.get("PYTHONPATH", "")]
        )
    return env


def run_child(
    valgrind: str, measure: str, folder: Path, passes: int, tag: str, src: str | None
) -> dict[str, list[int]]:
    """One callgrind run of ``child``; returns the measured passes' Ir per variant."""
    out = folder / f"cg-{measure}-{tag}.out"
    env = _fresh(out, src)
    cmd = [
        valgrind, "--tool=callgrind", f"--callgrind-out-file={out}",
        f"--dump-before={MARK_FUNCTION}", "--dump-line=no",
        sys.executable, str(Path(__file__).resolve()),
        "--child", measure, "--dir", str(folder), "--passes", str(passes),
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_instr: child {measure} failed:\n{proc.stderr[-3000:]}")
    parts = dict(parse_part(p.read_text()) for p in folder.glob(out.name + "*"))
    done = json.loads((folder / f"labels-{measure}.json").read_text())
    if src and not done["flyvakt"].startswith(str(Path(src).resolve())):
        raise SystemExit(f"bench_instr: the child ran {done['flyvakt']}, not the one in {src}")
    return per_variant(label_parts(parts, done["labels"]))


def run_replay_child(
    valgrind: str, folder: Path, tag: str, src: str | None, measure: str = "replay"
) -> dict[str, int]:
    """One callgrind run of the whole replay command (instr_replay.py); Ir per phase.
    ``measure``: ``replay`` (the Beast file) or ``svreplay`` (the state-vector CSV)."""
    out = folder / f"cg-{measure}-{tag}.out"
    env = _fresh(out, src)
    labels = folder / f"labels-{measure}-{tag}.json"
    if measure == "replay":
        given = [
            str(folder / "replay.bin"),
            "--start-time",
            (folder / "replay-start.txt").read_text(),
        ]
    else:
        given = [str(folder / "svreplay.csv")]
    cmd = [
        valgrind, "--tool=callgrind", f"--callgrind-out-file={out}",
        f"--dump-before={MARK_FUNCTION}", "--dump-line=no",
        sys.executable, str(HERE / "instr_replay.py"), str(labels), "--",
        "replay", *given, "--quiet",
        "--positions-out", str(folder / f"{measure}-{tag}.parquet"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_instr: replay child failed:\n{proc.stderr[-3000:]}")
    from instr_replay import attribute

    parts = dict(parse_part(p.read_text()) for p in folder.glob(out.name + "*"))
    return attribute(parts, json.loads(labels.read_text()))


def show_replay(ir: dict[str, int], frames: int, base: dict[str, int] | None) -> None:
    """The phases of the whole command, largest first, with the base's beside them."""
    total = sum(ir.values())
    print(
        f"  {frames:,} records; whole command {total / 1e6:,.1f} M Ir"
        f" = {total / frames:,.0f} Ir/record"
    )
    if base is not None:
        bt = sum(base.values())
        print(f"  base: {bt / 1e6:,.1f} M Ir ({100 * (total / bt - 1):+.2f} %)")
    for label in sorted(set(ir) | set(base or {}), key=lambda k: -ir.get(k, 0)):
        n = ir.get(label, 0)
        line = f"  {label:<34} {n / 1e6:>9,.1f} M Ir {100 * n / total:5.1f} %"
        line += f" {n / frames:>7,.0f} Ir/rec"
        if base is not None:
            b = base.get(label, 0)
            line += f"   base {b / 1e6:>9,.1f} M ({(n - b) / 1e6:+,.1f} M)"
        print(line)


def summarise(measure: str, ir: dict[str, list[int]], sizes: dict[str, int]) -> dict[str, Any]:
    """The figures of one measurement from its passes' Ir."""
    one = {k: k_minus_1(v) for k, v in ir.items()}
    res: dict[str, Any] = {"passes": ir, "per_pass": one}
    if measure in ("pipeline", "warm"):
        n = sizes[measure]
        res["frames"] = n
        res["dt_per_1M"] = one["dt"] / n * 1e6
        res["dtd_per_1M"] = one["dtd"] / n * 1e6
        res["on_top_pct"] = 100 * (one["dtd"] - one["dt"]) / one["dt"]
    else:
        for n in SWEEP_SIZES:
            m = sizes[f"{measure}{n}"]
            res[f"{n}/dt_per_msg"] = one[f"{n}/dt"] / m
            res[f"{n}/dtd_per_msg"] = one[f"{n}/dtd"] / m
        lo, hi = SWEEP_SIZES
        for v in ("dt", "dtd"):
            res[f"{v}_rate_pct"] = 100 * res[f"{lo}/{v}_per_msg"] / res[f"{hi}/{v}_per_msg"]
    return res


def show(measure: str, res: dict[str, Any], base: dict[str, Any] | None) -> None:
    def vs(key: str, fmt: Callable[[float], str]) -> str:
        if base is None:
            return fmt(res[key])
        if key.endswith("_pct"):  # a share already: its change in points
            return f"{fmt(res[key])} (base {fmt(base[key])}, {res[key] - base[key]:+.2f} points)"
        change = 100 * (res[key] / base[key] - 1)
        return f"{fmt(res[key])} (base {fmt(base[key])}, {change:+.2f} %)"

    def mi(x: float) -> str:
        return f"{x / 1e6:,.1f} M Ir"

    def pct(x: float) -> str:
        return f"{x:.1f} %"

    def ir(x: float) -> str:
        return f"{x:,.0f} Ir"

    print(f"  passes (Ir; the first pays first-use costs): {res['passes']}")
    if measure in ("pipeline", "warm"):
        print(f"  {res['frames']:,} frames measured")
        print(f"  decode + track          : {vs('dt_per_1M', mi)} per 1 M frames")
        print(f"  decode + track + detect : {vs('dtd_per_1M', mi)} per 1 M frames")
        print(f"  detection on top (#9)   : {vs('on_top_pct', pct)}  (goal <= 20 %)")
    else:
        for n in SWEEP_SIZES:
            print(f"  {n:>6,} aircraft: decode + track {vs(f'{n}/dt_per_msg', ir)} per message")
            print(f"  {n:>6,} aircraft: + detect       {vs(f'{n}/dtd_per_msg', ir)} per message")
        lo, hi = SWEEP_SIZES
        print(f"  rate at {hi:,} as a share of {lo:,} (#12, in instructions; goal >= 70 %):")
        print(f"    decode + track          : {vs('dt_rate_pct', pct)}")
        print(f"    decode + track + detect : {vs('dtd_rate_pct', pct)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--only", default=",".join(MEASURES), help="comma-separated: " + ", ".join(ALL_MEASURES)
    )
    ap.add_argument(
        "--passes", type=int,
        help="k, passes per variant, for every measure (default: " + str(PASSES) + ")",
    )  # fmt: skip
    ap.add_argument("--frames", type=int, default=1_000_000, help="pipeline and warm corpora")
    ap.add_argument("--aircraft", type=int, default=5000, help="pipeline and warm corpora")
    ap.add_argument("--warm-s", type=float, default=60.0, help="warm: seconds of warm-up data")
    ap.add_argument(
        "--warm-aircraft", type=int, default=WARM_AIRCRAFT,
        help="warm: aircraft in range (bench_pipeline --warm's 5,000: ~35 min under callgrind)",
    )  # fmt: skip
    ap.add_argument(
        "--warm-frames", type=int, default=WARM_FRAMES,
        help="warm: frames measured, rounded to whole 20 s periods by build_warm",
    )  # fmt: skip
    ap.add_argument(
        "--sweep-frames", type=int, default=1_000_000,
        help="frames per sweep corpus (bench_e2e's sweep: 1 M); sweepwarm: per window, at most",
    )  # fmt: skip
    ap.add_argument(
        "--replay-frames", type=int, default=REPLAY_FRAMES, help="replay: corpus frames"
    )
    ap.add_argument(
        "--replay-input", metavar="FILE.bin",
        help="replay: this Beast file instead of a built corpus (with --replay-start and "
        "--replay-input-frames, its frame count, for the per-frame figures)",
    )  # fmt: skip
    ap.add_argument("--replay-start", help="replay: --start-time for --replay-input (ISO)")
    ap.add_argument("--replay-input-frames", type=int, default=0, help="frames in --replay-input")
    ap.add_argument("--sv-input", metavar="FILE.csv", help="svreplay: bench_e2e's corpus.sv.csv")
    ap.add_argument("--sv-skip", type=int, default=SV_SKIP, help="svreplay: rows skipped first")
    ap.add_argument("--sv-rows", type=int, default=SV_ROWS, help="svreplay: rows replayed")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument(
        "--compare-src", metavar="DIR",
        help="also measure the flyvakt in DIR (a 'src' folder, e.g. from `git archive BASE src`)",
    )  # fmt: skip
    ap.add_argument("--keep", metavar="DIR", help="corpora and profiles here, kept")
    reuse = "with --keep: the corpora (and warmed states) already in DIR, not built again"
    ap.add_argument("--reuse", action="store_true", help=reuse)
    ap.add_argument(
        "--sweepwarm-s", type=float, default=None,
        help="sweepwarm: seconds of untimed warm-up data (default warm_sweep.WARM_S)",
    )  # fmt: skip
    ap.add_argument("--child", choices=CHILD_MEASURES, help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, Path(args.dir), args.passes)
        return
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print(
            "bench_instr: valgrind not found (install it: apt-get install valgrind)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    measures = [m for m in args.only.split(",") if m]
    bad = [m for m in measures if m not in ALL_MEASURES]
    if bad:
        ap.error(f"--only: unknown {bad}; choose from {', '.join(ALL_MEASURES)}")
    if args.replay_input and not (args.replay_start and args.replay_input_frames > 0):
        ap.error("--replay-input needs --replay-start and --replay-input-frames")
    if "svreplay" in measures and not args.sv_input:
        ap.error("--only svreplay needs --sv-input (bench_e2e's corpus.sv.csv: its --keep DIR)")
    if args.reuse and not (args.keep and (Path(args.keep) / "sizes.json").exists()):
        ap.error("--reuse needs --keep DIR with the corpora of an earlier run")
    if args.compare_src and "sweepwarm" in measures:
        ap.error("--compare-src with sweepwarm: the warmed states are pickled by this flyvakt")
    if args.sweepwarm_s is None:
        sys.path.insert(0, str(HERE))
        from warm_sweep import WARM_S

        args.sweepwarm_s = WARM_S
    if args.compare_src and not (Path(args.compare_src) / "flyvakt").is_dir():
        ap.error(f"--compare-src {args.compare_src}: no flyvakt package in it")
    sys.path.insert(0, str(HERE))
    tmp = tempfile.TemporaryDirectory()
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    wall0 = time.perf_counter()
    kept = folder / "sizes.json"
    if args.reuse:
        sizes = json.loads(kept.read_text())
    else:
        sizes = build(measures, args, folder)
        kept.write_text(json.dumps(sizes))
    print(f"corpora (frames): {sizes}; built in {time.perf_counter() - wall0:.0f} s", flush=True)
    results: dict[str, Any] = {"sizes": sizes, "passes": args.passes}
    if any(m in REPLAYS for m in measures):
        # This machine sets PYTHONDONTWRITEBYTECODE: without compiled modules the command would
        # compile flyvakt's sources at start-up, a cost no installed copy has (as bench_e2e).
        import compileall

        import flyvakt

        compileall.compile_dir(str(Path(flyvakt.__file__).parent), quiet=1)
        if args.compare_src:
            compileall.compile_dir(str(Path(args.compare_src) / "flyvakt"), quiet=1)
    for measure in measures:
        t0 = time.perf_counter()
        if measure in REPLAYS:
            new = run_replay_child(valgrind, folder, "new", None, measure)
            old = (
                run_replay_child(valgrind, folder, "base", args.compare_src, measure)
                if args.compare_src
                else None
            )
            results[measure] = {"ir": new, "base": old, "frames": sizes[measure]}
            print(f"{measure} ({time.perf_counter() - t0:.0f} s wall under callgrind):", flush=True)
            show_replay(new, sizes[measure], old)
            continue
        k = args.passes or PASSES[measure]
        res = summarise(measure, run_child(valgrind, measure, folder, k, "new", None), sizes)
        base = None
        if args.compare_src:
            ir = run_child(valgrind, measure, folder, k, "base", args.compare_src)
            base = summarise(measure, ir, sizes)
            res["base"] = base
        results[measure] = res
        print(f"{measure} ({time.perf_counter() - t0:.0f} s wall under callgrind):", flush=True)
        show(measure, res, base)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"bench_instr: {time.perf_counter() - wall0:.0f} s wall in all", flush=True)


if __name__ == "__main__":
    main()
