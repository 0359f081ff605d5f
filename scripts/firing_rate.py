"""How often each detection rule fires on the whole real recordings, and how often it is right.

    python scripts/firing_rate.py              # fires per rule per recording (Markdown)
    python scripts/firing_rate.py --draw       # the random sample of named fires to label (CSV)
    python scripts/firing_rate.py --score      # per rule: fires, sampled, correct, precision
                                               # with a 95 % Wilson interval, from the labels

Every real recording in ``../shared/data`` (the 781 unlabelled tracks of ``real-ga/`` and the
other real recordings; ``tests/data/opensky``'s poll framing of real OpenSky values) is replayed
through flyvakt's normal pipeline. Each takeoff, landing and go-around is put under the rule that
made it, read from its ``reason`` (RULES below). The tuning of the rare rules rests on a few
examples, so their fires are sampled at random (``SEED``) among the aircraft that have no cut in
``tests/data/real-ga/labels.csv`` (those are scored exhaustively by ``scripts/accuracy.py``),
and each sampled moment is labelled by hand in ``tests/data/real-ga/firing_sample.csv`` by the
written method of ``tests/data/real-ga/README.md``: from ``scripts/label_real_ga.py fixes``
listings, never from the detector's output (the sample says only where and when to look, and
which airport was named). A fire is *correct* when the aircraft did what the event says at the
airport it names, within 60 s of its time or, across a gap, at a time inside the gap.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
REAL_GA = ROOT / "tests" / "data" / "real-ga"
SAMPLE = REAL_GA / "firing_sample.csv"
RECORDINGS = [
    "real-ga/kwvi1213.csv.gz",
    "real-ga/mry0601.csv.gz",
    "real-ga/bm0830.csv.gz",
    "real-ga/stratux2015.csv.gz",
    "traffic/full_flight_short.jsonl.gz",
    "traffic/noisy_takeoff.json.gz",
    "traffic/noisy_landing.json.gz",
    "traffic/noisy_ground.json.gz",
    "traffic/noisy_time_issue.json.gz",
    "traffic/kiwi.json.gz",
    "traffic/dreamliner_boeing.json.gz",
    "traffic/border_control.json.gz",
    "traffic/calfire.json.gz",
    "traffic/airbus_tree.json.gz",
    "pymodes/sample_data_adsb.csv",
    "dump1090/modes1_antirez_raw_output.avr",
    "tests:opensky/states_lszh_polls.jsonl.gz",
]
SEED = 20261130  # fixed: the sample is drawn again identically from the same fires
PER_RULE = 6  # fires sampled per rule (all of them when a rule fired fewer times)

# (rule, event type, reason pattern): first match wins. Pair rules emit a landing and a takeoff
# at one gap or interval; their landing stands for the fire.
RULES: list[tuple[str, str, str]] = [
    ("observed flip", "landing", r"^seen airborne, then on the ground"),
    ("observed flip", "takeoff", r"^seen on the ground, then airborne"),
    ("data start: descent floor", "landing", r"^first seen descending, then"),
    ("data start: climb", "takeoff", r"^first seen .* and then climbing"),
    ("end/lost on approach", "landing", r"^last seen .*descending towards it"),
    ("end/lost on approach, ambiguous", "landing", r"^last seen descending .*another airport"),
    ("end/lost on approach, not short final", "landing", r"^last seen descending .*short final"),
    ("gap: ground both sides", "landing", r"^on the ground at \S+ before a .*, at \S+ after it"),
    ("gap: ground both sides", "takeoff", r"^on the ground at \S+ before a .*, at \S+ after it"),
    ("gap: ground then air", "takeoff", r"^on the ground (at \S+ )?before a "),
    ("gap: air then ground", "landing", r"^airborne before a .* on the ground"),
    ("gap: final then climb", "landing", r"^(on final to|over the runway of) \S+ before a "),
    ("gap: final then climb", "takeoff", r"^(on final to|over the runway of) \S+ before a "),
    ("gap: final then climb, unnamed", "landing", r"^on final before a .*climbing out near"),
    ("gap: final then climb, unnamed", "takeoff", r"^climbing out near an airport after a "),
    ("gap: again after lost", "takeoff", r"^seen airborne again after a landing inferred"),
    ("short: run before interval", "landing", r"over its runway, slowing from .*: touchdown$"),
    ("short: run before interval", "takeoff", r"^rolling on \S+ runway before a "),
    ("interval lift-off", "landing", r"over its runway at its level after it and then climbing"),
    ("interval lift-off", "takeoff", r"^over \S+ runway at its level after a "),
    ("go-around", "go_around", r"^descended to .* without touching down"),
]
PAIR_TAKEOFF = {"gap: final then climb", "short: run before interval", "interval lift-off"}
LIFT_GAP_MIN_S = 60.0  # rules.LIFT_GAP_MIN_S: below it the interval lift-off rule is the short one


@dataclass
class Fire:
    recording: str
    rule: str
    kind: str
    icao24: str
    time_iso: str
    airport: str | None
    basis: str
    gap_start: str
    gap_end: str
    reason: str


def rule_of(ev: dict[str, Any]) -> str:
    reason = ev.get("reason") or ""
    for rule, kind, pattern in RULES:
        if ev["type"] == kind and re.search(pattern, reason):
            if rule == "interval lift-off":
                gap = (ev.get("details") or {}).get("gap") or {}
                if gap and _s(gap["end"]) - _s(gap["start"]) < LIFT_GAP_MIN_S:
                    return "short: interval lift-off"
            return rule
    return f"other {ev['type']}"


def _s(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def fires_of(recording: str) -> list[Fire]:
    from flyvakt.runtime.replay import replay_files

    path = (
        ROOT / "tests" / "data" / recording[6:]
        if recording.startswith("tests:")
        else SHARED / recording
    )
    out = []
    for e in replay_files([str(path)]).events:
        ev = e.to_json()
        if ev["type"] not in ("takeoff", "landing", "go_around"):
            continue
        gap = (ev.get("details") or {}).get("gap") or {}
        out.append(
            Fire(
                recording,
                rule_of(ev),
                ev["type"],
                ev["icao24"],
                ev["time"],
                (ev.get("airport") or {}).get("icao"),
                ev.get("basis", ""),
                gap.get("start", ""),
                gap.get("end", ""),
                ev.get("reason") or "",
            )
        )
    return out


def all_fires() -> list[Fire]:
    return [f for rec in RECORDINGS for f in fires_of(rec)]


def labelled_aircraft() -> set[tuple[str, str]]:
    """(source, icao24) of every cut scored by scripts/accuracy.py."""
    with open(REAL_GA / "cuts.csv", encoding="utf-8", newline="") as fh:
        return {(f"real-ga/{r['source']}.csv.gz", r["icao24"]) for r in csv.DictReader(fh)}


def counted(fire: Fire) -> bool:
    """One count per fire: a pair rule's takeoff is the same fire as its landing."""
    return not (fire.kind == "takeoff" and fire.rule in PAIR_TAKEOFF)


def counts_table(fires: list[Fire]) -> list[str]:
    recs = [r for r in RECORDINGS if any(f.recording == r for f in fires)]
    rules = sorted({f.rule for f in fires if counted(f)})
    short = [Path(r.removeprefix("tests:")).name.split(".")[0] for r in recs]
    lines = [
        "| rule | " + " | ".join(short) + " | all | naming an airport | on labelled cuts |",
        "|---|" + "---|" * (len(recs) + 3),
    ]
    cuts = labelled_aircraft()
    for rule in rules:
        mine = [f for f in fires if f.rule == rule and counted(f)]
        per = Counter(f.recording for f in mine)
        named = sum(1 for f in mine if f.airport)
        on_cuts = sum(1 for f in mine if (f.recording, f.icao24) in cuts)
        cells = " | ".join(str(per.get(r, 0)) for r in recs)
        lines.append(f"| {rule} | {cells} | {len(mine)} | {named} | {on_cuts} |")
    return lines


SAMPLE_FIELDS = [
    "rule",
    "recording",
    "icao24",
    "event",
    "time_utc",
    "airport",
    "basis",
    "gap_start",
    "gap_end",
    "verdict",
    "truth_note",
]


def draw(fires: list[Fire], rules: list[str]) -> list[dict[str, str]]:
    """PER_RULE named fires per rule, at random (SEED), off the labelled cuts."""
    cuts = labelled_aircraft()
    rng = random.Random(SEED)
    rows = []
    for rule in rules:
        frame = [
            f
            for f in fires
            if f.rule == rule and counted(f) and f.airport and (f.recording, f.icao24) not in cuts
        ]
        frame.sort(key=lambda f: (f.recording, f.icao24, f.time_iso))
        pick = frame if len(frame) <= PER_RULE else rng.sample(frame, PER_RULE)
        for f in sorted(pick, key=lambda f: (f.recording, f.icao24, f.time_iso)):
            rows.append(
                {
                    "rule": rule,
                    "recording": f.recording,
                    "icao24": f.icao24,
                    "event": f.kind,
                    "time_utc": f.time_iso,
                    "airport": f.airport or "",
                    "basis": f.basis,
                    "gap_start": f.gap_start,
                    "gap_end": f.gap_end,
                    "verdict": "",
                    "truth_note": "",
                }
            )
    return rows


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n (sound for small n and k = n)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def score_table(fires: list[Fire], labels: list[dict[str, str]]) -> list[str]:
    cuts = labelled_aircraft()
    lines = [
        "| rule | fires (all / naming an airport / off the labelled cuts) | sampled | correct | "
        "wrong | unsupported | precision | 95 % interval |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in dict.fromkeys([*SAMPLED_RULES, *(r["rule"] for r in labels)]):
        mine = [f for f in fires if f.rule == rule and counted(f)]
        named = [f for f in mine if f.airport]
        frame = [f for f in named if (f.recording, f.icao24) not in cuts]
        judged = [
            r
            for r in labels
            if r["rule"] == rule and r["verdict"] in ("correct", "wrong", "unsupported")
        ]
        ok = sum(1 for r in judged if r["verdict"] == "correct")
        bad = sum(1 for r in judged if r["verdict"] == "wrong")
        unsup = sum(1 for r in judged if r["verdict"] == "unsupported")
        unclear = sum(1 for r in labels if r["rule"] == rule and r["verdict"] == "unclear")
        lo, hi = wilson(ok, len(judged))
        prec = f"{100.0 * ok / len(judged):.0f} %" if judged else "-"
        ci = f"{100 * lo:.0f}-{100 * hi:.0f} %" if judged else "-"
        extra = f" (+{unclear} unclear)" if unclear else ""
        lines.append(
            f"| {rule} | {len(mine)} / {len(named)} / {len(frame)} | {len(judged)}{extra} | "
            f"{ok} | {bad} | {unsup} | {prec} | {ci} |"
        )
    return lines


def read_sample() -> list[dict[str, str]]:
    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


SAMPLED_RULES = [
    "short: run before interval",
    "short: interval lift-off",
    "interval lift-off",
    "gap: final then climb",
    "gap: air then ground",
    "gap: ground then air",
    "end/lost on approach",
    "data start: climb",
    "go-around",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--draw", action="store_true", help="print the sample to label (CSV)")
    ap.add_argument("--score", action="store_true", help="score the labelled sample")
    args = ap.parse_args(argv)
    fires = all_fires()
    if args.draw:
        w = csv.DictWriter(sys.stdout, fieldnames=SAMPLE_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(draw(fires, SAMPLED_RULES))
        return 0
    print("\n".join(counts_table(fires)))
    if args.score:
        print()
        print("\n".join(score_table(fires, read_sample())))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
