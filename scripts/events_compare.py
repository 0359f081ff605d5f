"""Every event detection produces on the bundled recordings and on synthetic many-aircraft corpora,
written to (or compared with) a JSONL snapshot: a speed change to detection must not move one.

    .venv/bin/python scripts/events_compare.py --write /tmp/before.jsonl   # on the old code
    .venv/bin/python scripts/events_compare.py --against /tmp/before.jsonl # on the new code

Cases: every real recording under tests/data/traffic and tests/data/real-ga (replayed with the
default batch and with 512-frame batches, so batch edges fall mid-track), and the synthetic
corpora of benchmarks/bench_pipeline.py (real AFR34ZG frames re-addressed to N aircraft):
300,000 frames / 1,500 aircraft and 1,000,000 frames / 50,000 aircraft. Exit status 1 on any
difference, with the first few differing events printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REAL = sorted(
    [p for p in (DATA / "traffic").iterdir() if p.name.endswith((".json.gz", ".jsonl.gz"))]
    + sorted((DATA / "real-ga").glob("*.csv.gz"))
)
# (frames, aircraft): the benchmark's corpus, and one where most aircraft are new in each batch.
SYNTHETIC = ((300_000, 1_500), (1_000_000, 50_000))


def _replay(path: Path, batch: int) -> list[dict[str, Any]]:
    from flyvakt.runtime.replay import replay_files

    return [e.to_json() for e in replay_files([str(path)], batch_size=batch).events]


def _synthetic(frames: int, aircraft: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pipeline import build_corpus

    from flyvakt.model.events import settled
    from flyvakt.pipeline import PipelineState, finish, step
    from flyvakt.runtime.setup import make_detector, tracker_config

    corpus = build_corpus(frames, aircraft)
    cfg, det, state = tracker_config(), make_detector(), PipelineState()
    out = []
    for a in range(0, len(corpus), 65536):
        state, res = step(state, corpus.take(np.arange(a, min(a + 65536, len(corpus)))), cfg, det)
        out.extend(res.events)
    out.extend(finish(state, det))
    return [e.to_json() for e in settled(out)]  # the final judgement, as replay_files gives


def cases() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path in REAL:
        for batch in (65536, 512):
            yield f"{path.relative_to(DATA)}@{batch}", _replay(path, batch)
    for frames, aircraft in SYNTHETIC:
        yield f"synthetic {frames} frames {aircraft} aircraft", _synthetic(frames, aircraft)


def snapshot() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, events in cases():
        out[name] = [json.dumps(e, sort_keys=True) for e in events]
        print(f"{name}: {len(events)} events", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="FILE", help="write the snapshot here")
    g.add_argument("--against", metavar="FILE", help="compare with this snapshot")
    args = ap.parse_args(argv)
    snap = snapshot()
    if args.write:
        with open(args.write, "w", encoding="utf-8") as fh:
            for name, lines in snap.items():
                fh.writelines(json.dumps({"case": name, "event": ln}) + "\n" for ln in lines)
                if not lines:
                    fh.write(json.dumps({"case": name, "event": None}) + "\n")
        print(f"{sum(map(len, snap.values()))} events in {len(snap)} cases -> {args.write}")
        return 0
    want: dict[str, list[str]] = {}
    with open(args.against, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            lst = want.setdefault(rec["case"], [])
            if rec["event"] is not None:
                lst.append(rec["event"])
    bad = 0
    for name in sorted(set(want) | set(snap)):
        a, b = want.get(name), snap.get(name)
        if a == b:
            continue
        bad += 1
        print(f"DIFFERENT: {name}: {len(a or [])} events before, {len(b or [])} now")
        only_a = [e for e in (a or []) if e not in set(b or [])][:3]
        only_b = [e for e in (b or []) if e not in set(a or [])][:3]
        for e in only_a:
            print(f"  - {e}")
        for e in only_b:
            print(f"  + {e}")
    n = sum(map(len, snap.values()))
    print(f"{n} events in {len(snap)} cases: {'identical' if not bad else f'{bad} cases differ'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
