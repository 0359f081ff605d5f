"""Event-detection accuracy on the real recordings, and golden event files.

    python scripts/accuracy.py            # print the accuracy table (Markdown)
    python scripts/accuracy.py --write    # also rewrite docs/accuracy.md and the golden files
                                          # tests/scenario/golden/*.events.jsonl

The expectations come from tests/data/events_groundtruth_dev.csv (see its truth_source column).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "scenario" / "golden"
DOC = ROOT / "docs" / "accuracy.md"


@dataclass(frozen=True)
class Expect:
    """An expected event: type and airport; ``None`` airport = none may be named."""

    kind: str
    airport: str | None
    time_utc: str | None = None  # HH:MM:SS, checked within 60 s when given


# name -> (file, expectations, truth source)
CASES: dict[str, tuple[str, list[Expect], str]] = {
    "afr34zg": (
        "traffic/full_flight_short.jsonl.gz",
        [Expect("takeoff", "LFPG", "06:59:21"), Expect("landing", "LFBO", "07:58:42")],
        "observed in the raw frames (surface → airborne switch)",
    ),
    "noisy_takeoff": (
        "traffic/noisy_takeoff.json.gz",
        [Expect("takeoff", "LSZH"), Expect("landing", None)],
        "traffic infer + onground flags; data ends airborne",
    ),
    "noisy_landing": (
        "traffic/noisy_landing.json.gz",
        [Expect("landing", "LSZH"), Expect("takeoff", None)],
        "traffic infer; data starts airborne",
    ),
    "kiwi": (
        "traffic/kiwi.json.gz",
        [Expect("takeoff", "NZCH"), Expect("landing", "NZCH")],
        "declared origin/destination",
    ),
    "dreamliner_boeing": (
        "traffic/dreamliner_boeing.json.gz",
        [Expect("takeoff", "KBFI"), Expect("landing", "KBFI")],
        "declared origin/destination",
    ),
    "border_control": (
        "traffic/border_control.json.gz",
        [Expect("takeoff", "EGMD"), Expect("landing", "EGMD")],
        "declared origin/destination",
    ),
    "airbus_tree": (
        "traffic/airbus_tree.json.gz",
        [Expect("takeoff", "EDHI"), Expect("landing", "EDHI")],
        "traffic tests (landing EDHI)",
    ),
    "ezy85mh_cruise": (
        "pymodes/sample_data_adsb.csv",
        [Expect("takeoff", None), Expect("landing", None)],
        "cruise only",
    ),
    "amc421_cruise": (
        "dump1090/modes1_antirez_raw_output.avr",
        [Expect("takeoff", None), Expect("landing", None)],
        "cruise only",
    ),
}


def run_case(name: str) -> list[dict[str, object]]:
    from flyvakt.runtime.replay import replay_files

    path = CASES[name][0]
    res = replay_files([str(DATA / path)], keep_positions=False)
    return [e.to_json() for e in res.events]


def judge(events: list[dict[str, object]], expect: Expect) -> str:
    """found | wrong | abstained | missed | ok-none (nothing named, as required) | false-named."""
    same = [e for e in events if e["type"] == expect.kind]
    named = [e for e in same if e["airport"]]
    if expect.airport is None:
        return "false-named" if named else "ok-none"
    if not same:
        return "missed"
    if not named:
        return "abstained"
    codes = [e["airport"]["icao"] for e in named]  # type: ignore[index]
    if expect.airport not in codes:
        return "wrong"
    if expect.time_utc:
        hit = next(e for e in named if e["airport"]["icao"] == expect.airport)  # type: ignore[index]
        hms = str(hit["time"])[11:19]
        h1, m1, s1 = (int(x) for x in hms.split(":"))
        h2, m2, s2 = (int(x) for x in expect.time_utc.split(":"))
        if abs((h1 * 3600 + m1 * 60 + s1) - (h2 * 3600 + m2 * 60 + s2)) > 60:
            return "wrong"
    return "found"


def table(results: dict[str, list[dict[str, object]]]) -> str:
    lines = [
        "| recording | expected | result | basis | events named | truth source |",
        "|---|---|---|---|---|---|",
    ]
    totals = {"expected": 0, "found": 0, "wrong": 0, "abstained": 0, "missed": 0, "false-named": 0}
    for name, (_, expects, source) in CASES.items():
        events = results[name]
        for ex in expects:
            verdict = judge(events, ex)
            want = f"{ex.kind} {ex.airport or '(none named)'}"
            if ex.time_utc:
                want += f" {ex.time_utc}Z ±60 s"
            same = [e for e in events if e["type"] == ex.kind and e["airport"]]
            got = ", ".join(f"{e['airport']['icao']} {str(e['time'])[11:19]}Z" for e in same) or "-"  # type: ignore[index]
            basis = ", ".join(sorted({str(e["basis"]) for e in same})) or "-"
            lines.append(f"| {name} | {want} | {verdict} | {basis} | {got} | {source} |")
            if ex.airport is not None:
                totals["expected"] += 1
                totals[verdict if verdict in totals else "missed"] += 1
            elif verdict == "false-named":
                totals["false-named"] += 1
    lines.append("")
    lines.append(
        f"Named events expected: {totals['expected']}; found: {totals['found']}; wrong: "
        f"{totals['wrong']}; abstained: {totals['abstained']}; missed: {totals['missed']}; "
        f"airports named where none may be: {totals['false-named']}."
    )
    return "\n".join(lines)


def golden_text(events: list[dict[str, object]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in events)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--write", action="store_true", help="rewrite docs/accuracy.md and golden files"
    )
    args = ap.parse_args(argv)
    results = {name: run_case(name) for name in CASES}
    text = table(results)
    print(text)
    if args.write:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, events in results.items():
            (GOLDEN / f"{name}.events.jsonl").write_text(golden_text(events), encoding="utf-8")
        DOC.write_text(DOC_HEAD + text + "\n", encoding="utf-8")
    return 0


DOC_HEAD = """# Event detection accuracy

Produced by `python scripts/accuracy.py --write` on the real recordings in `tests/data/`
(provenance in `tests/data/PROVENANCE.md`), against `tests/data/events_groundtruth_dev.csv`.
`tests/scenario/test_golden_events.py` fails when this table or the golden event files go stale.

Verdicts: *found* (right airport, and time within 60 s where the truth has a time), *wrong*
(another airport or time), *abstained* (event without an airport), *missed* (no event),
*ok-none* (data ends or starts airborne and, as required, no airport is named), *false-named*.

"""


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
