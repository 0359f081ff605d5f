"""The tracker alone, by function, in instructions (issue 12): its calls recorded once, then
replayed under callgrind with each of its functions cut out by ``os.getppid()`` markers.

    .venv/bin/python benchmarks/instr_track.py record OUT.pickle replay FILE [replay options]
    .venv/bin/python benchmarks/instr_track.py record OUT.pickle --sweep 50000 [--frames 1000000]
    .venv/bin/python benchmarks/instr_track.py run OUT.pickle             # digest, CPU s
    .venv/bin/python benchmarks/instr_track.py phases OUT.pickle [--compare-src DIR]

``record`` runs a real ``flyvakt replay`` (or bench_instr's sweep corpus through
bench_pipeline's loop, without detection) with the pipeline's ``track_step`` and
``track_expire`` wrapped to keep their inputs. ``run`` replays them from a fresh state and
prints a digest of every position, rejection count and the final table: the same digest before
and after a speed change, or it was not one. ``phases`` replays them once under callgrind and
charges each part to the innermost tracker function running (``FUNCTIONS``); with
``--compare-src`` (a ``src`` folder, e.g. from ``git archive BASE src``) the same for that
flyvakt, side by side. The tracker's own figure is the sum (the recorded calls are loaded
before the first marker: not counted).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# (module, function or Class.method): each one's own instructions, its callees' apart.
FUNCTIONS = (
    ("flyvakt.track.tracker", "step"),
    ("flyvakt.track.tracker", "_step_sorted"),
    ("flyvakt.track.confirm", "sorted_with_pending"),
    ("flyvakt.track.confirm", "confirm_new"),
    ("flyvakt.track.tracker", "_filter_addresses"),
    ("flyvakt.track.silence", "generations"),
    ("flyvakt.track.table", "Keyed.of"),
    ("flyvakt.track.table", "Keyed.take"),
    ("flyvakt.track.tracker", "_held_rows"),
    ("flyvakt.track.fixes", "decode_positions"),
    ("flyvakt.track.fixes", "_plausibility_walk"),
    ("flyvakt.track.priority", "gate_by_priority"),
    ("flyvakt.track.plausible", "walk"),
    ("flyvakt.track.firstfix", "first_fixes"),
    ("flyvakt.track.tracker", "_context"),
    ("flyvakt.track.tracker", "_hold"),
    ("flyvakt.track.tracker", "_last_per_run"),
    ("flyvakt.track.tracker", "_remember_cpr"),
    ("flyvakt.track.tracker", "expire"),
    ("flyvakt.track.table", "StateTable.rows_for"),
    ("flyvakt.track.table", "StateTable._new_rows"),
    ("flyvakt.model.addrindex", "AddressIndex.lookup"),
    ("flyvakt.model.addrindex", "AddressIndex.insert"),
)
POSITION_FIELDS = (
    "time_s", "icao24", "lat_deg", "lon_deg", "altitude_baro_ft", "altitude_gnss_ft",
    "groundspeed_kt", "track_deg", "vertical_rate_fpm", "on_ground", "squawk", "source",
    "receivers",
)  # fmt: skip


def record(out: Path, argv: list[str], sweep: int | None, frames: int) -> None:
    import numpy as np

    import flyvakt.pipeline as pipeline

    calls: list[tuple[Any, ...]] = []
    step0, expire0 = pipeline.track_step, pipeline.track_expire

    def step(state: Any, obs: Any, cfg: Any) -> Any:
        calls.append(("step", obs.take(np.arange(len(obs))), cfg))  # a plain copy
        return step0(state, obs, cfg)

    def expire(state: Any, now_s: float, silence_s: float) -> Any:
        calls.append(("expire", now_s, silence_s))
        return expire0(state, now_s, silence_s)

    pipeline.track_step, pipeline.track_expire = step, expire  # type: ignore[assignment]
    if sweep is not None:
        sys.path.insert(0, str(HERE))
        from bench_instr import BATCH
        from bench_pipeline import build_corpus, run_pipeline

        run_pipeline(build_corpus(frames, sweep), BATCH, detect=False)
    else:
        from flyvakt.cli.main import main

        main(argv)
    out.write_bytes(pickle.dumps(calls))
    rows = sum(len(c[1]) for c in calls if c[0] == "step")
    print(f"{len(calls)} calls, {rows:,} observations -> {out}", file=sys.stderr)


def replay(calls: list[tuple[Any, ...]], cut: Callable[[str], None] | None = None) -> Any:
    from flyvakt.track import tracker

    state = tracker.TrackerState()
    outs: list[Any] = []
    if cut is not None:
        cut("outside")
    for c in calls:
        if c[0] == "step":
            state, pos, stats = tracker.step(state, c[1], c[2])
            outs.append((pos, stats))
        else:
            outs.append(tracker.expire(state, c[1], c[2]))
    if cut is not None:
        cut("glue")
    return state, outs


def digest(state: Any, outs: list[Any]) -> tuple[int, str]:
    import numpy as np

    h, n = hashlib.sha256(), 0
    for out in outs:
        if not isinstance(out, tuple):
            h.update(repr(out).encode())
            continue
        pos, stats = out
        n += len(pos)
        for name in POSITION_FIELDS:
            h.update(np.ascontiguousarray(getattr(pos, name)).tobytes())
        h.update(repr(pos.callsign.tolist()).encode())
        h.update(repr(sorted(stats.rejected.items())).encode())
    for name, col in state.table.to_arrays().items():
        h.update(name.encode())
        h.update(repr(col.tolist()).encode() if col.dtype == object else col.tobytes())
    return n, h.hexdigest()[:16]


def child(calls_file: Path, labels_file: Path) -> None:
    """Under callgrind: every function of ``FUNCTIONS`` wrapped with markers, one replay."""
    labels: list[str] = []
    stack = ["outside"]

    def cut(label: str | None = None) -> None:
        labels.append(stack[-1] if label is None else label)
        os.getppid()

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*a: Any, **k: Any) -> Any:
            cut()
            stack.append(label)
            try:
                return fn(*a, **k)
            finally:
                cut()
                stack.pop()

        return call

    for mod, attr in FUNCTIONS:
        m = importlib.import_module(mod)
        *cls, name = attr.split(".")
        owner: Any = getattr(m, cls[0]) if cls else m
        fn = owner.__dict__[name] if cls else getattr(m, name)
        if isinstance(fn, classmethod):
            setattr(owner, name, classmethod(wrap(attr, fn.__func__)))
        elif cls:
            setattr(owner, name, wrap(attr, fn))
        else:  # the module's own name and every flyvakt module's import of it
            w = wrap(attr, fn)
            for mm in list(sys.modules.values()):
                if (
                    getattr(mm, "__name__", "").startswith("flyvakt")
                    and getattr(mm, name, None) is fn
                ):
                    setattr(mm, name, w)
    calls = pickle.loads(calls_file.read_bytes())
    stack[-1] = "glue"
    replay(calls, cut)
    labels_file.write_text(json.dumps(labels))


def phases(calls_file: Path, src: str | None, folder: Path) -> Counter[str]:
    """One callgrind run of ``child``; instructions per function (``src``: that flyvakt)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    if src:
        env["PYTHONPATH"] = src
    tag = "base" if src else "new"
    labels = folder / f"labels-{tag}.json"
    cmd = [
        "valgrind", "--tool=callgrind", "--dump-before=os_getppid",
        f"--callgrind-out-file={folder}/cg-{tag}.%p",
        sys.executable, __file__, "child", str(calls_file), str(labels),
    ]  # fmt: skip
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
    names = json.loads(labels.read_text())
    out: Counter[str] = Counter()
    for p in folder.glob(f"cg-{tag}.*"):
        m = re.search(r"\.(\d+)$", p.name)
        if not m:
            continue
        k = int(m.group(1)) - 1  # part k+1 ends at the (k+1)-th marker
        ir = re.search(r"^(?:summary|totals):\s*(\d+)", p.read_text(errors="replace"), re.M)
        if ir and k < len(names) and names[k] != "outside":
            out[names[k]] += int(ir.group(1))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("out", type=Path)
    r.add_argument("--sweep", type=int, default=None, help="aircraft of bench_instr's sweep")
    r.add_argument("--frames", type=int, default=1_000_000)
    r.add_argument("argv", nargs=argparse.REMAINDER, help="flyvakt command line")
    u = sub.add_parser("run")
    u.add_argument("calls", type=Path)
    u.add_argument("--passes", type=int, default=1)
    p = sub.add_parser("phases")
    p.add_argument("calls", type=Path)
    p.add_argument("--compare-src", default=None)
    c = sub.add_parser("child")
    c.add_argument("calls", type=Path)
    c.add_argument("labels", type=Path)
    a = ap.parse_args()
    if a.cmd == "record":
        record(a.out, a.argv, a.sweep, a.frames)
    elif a.cmd == "run":
        calls = pickle.loads(a.calls.read_bytes())
        t0 = time.process_time()
        for _ in range(a.passes):
            result = replay(calls)
        cpu = (time.process_time() - t0) / a.passes
        print(f"positions, digest {digest(*result)}; {cpu:.3f} CPU s per pass")
    elif a.cmd == "child":
        child(a.calls, a.labels)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            new = phases(a.calls, None, Path(tmp))
            base = phases(a.calls, a.compare_src, Path(tmp)) if a.compare_src else None
        total = sum(new.values())
        for name, ir in new.most_common():
            line = f"{name:28s} {ir / 1e6:10.1f} M Ir {100 * ir / total:5.1f} %"
            if base is not None:
                line += f"   base {base[name] / 1e6:10.1f} M ({(ir - base[name]) / 1e6:+.1f} M)"
            print(line)
        line = f"{'tracker in all':28s} {total / 1e6:10.1f} M Ir"
        if base is not None:
            b = sum(base.values())
            line += f"          base {b / 1e6:10.1f} M ({100 * (total - b) / b:+.2f} %)"
        print(line)


if __name__ == "__main__":
    main()
