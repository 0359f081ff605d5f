"""Events on the real recordings and the labelled real-ga tracks: accuracy, golden files.

Regenerate after an intended change in detection with:  python scripts/accuracy.py --write
(it rewrites the table under the marker in docs/accuracy.md and the golden event files).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import airportsdata
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REGEN = "python scripts/accuracy.py --write"


def _accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flyvakt_accuracy", ROOT / "scripts/accuracy.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["flyvakt_accuracy"] = mod
    spec.loader.exec_module(mod)
    return mod


ACC = _accuracy()
RUNS, LABELS = ACC.run_all()
# The whole source recordings of the real-ga cuts, replayed as a user would (~10 s more).
WHOLE = ACC.run_whole(RUNS)


@pytest.mark.parametrize("name", list(ACC.CASES))
def test_expected_events(name: str) -> None:
    path = ACC.CASES[name][0]
    mine = [lb for lb in LABELS if lb.file == path]
    for o in ACC.judge_file(path, mine, RUNS[path].events):
        if o.label is not None:
            want = ("correct",) if o.label.airport else ("ok-silent", "ok-abstained")
            assert o.verdict in want, f"{name}: {o.label}: {o.verdict}"


@pytest.mark.parametrize("name", list(ACC.CASES))
def test_golden_event_file(name: str) -> None:
    path = ACC.GOLDEN / f"{name}.events.jsonl"
    assert path.exists(), f"missing {path}; run: {REGEN}"
    got = ACC.golden_text(RUNS[ACC.CASES[name][0]].events)
    assert got == path.read_text(encoding="utf-8"), (
        f"events of {name} changed; if intended, regenerate with: {REGEN}"
    )


def test_accuracy_doc_is_current() -> None:
    doc = ACC.DOC.read_text(encoding="utf-8")
    assert ACC.MARKER in doc, f"docs/accuracy.md lost its marker line; run: {REGEN}"
    below = doc.split(ACC.MARKER, 1)[1]
    want = "\n\n" + ACC.table(RUNS, LABELS, WHOLE) + "\n"
    assert below == want, (
        f"docs/accuracy.md no longer matches what detection produces on the labelled set; "
        f"if the change is intended, regenerate with: {REGEN}"
    )


def test_every_event_has_the_record_fields() -> None:
    keys = {
        "type",
        "icao24",
        "callsign",
        "time",
        "airport",
        "country",
        "basis",
        "confidence",
        "reason",
        "candidates",
        "lat",
        "lon",
        "altitude_baro_ft",
        "local_time",
        "fleet",
    }
    for run in RUNS.values():
        for e in run.events:
            assert keys <= set(e), e
            assert e["basis"] in ("observed", "inferred", "possible")
            assert e["local_time"] and e["time"].endswith("Z")
            if e["airport"]:
                assert set(e["airport"]) >= {"icao", "iata", "name", "country", "tz"}


# --- the labelled set itself -------------------------------------------------------------

REAL_GA = ROOT / "tests" / "data" / "real-ga"
CLASSES = {
    "observed",
    "data-start-no-vrate",
    "flags-contradict-physics",
    "flapping-flags",
    "taxi-after-gap",
    "ground-across-gap",
    "long-gap-both-sides",
    "long-gap-abstain",
    "no-approach-before-gap",
    "touchdown-in-gap",
    "pressure-altitude",
    "no-ground-flags",
    "glide-envelope-edge",
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(REAL_GA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_labels_are_well_formed_and_point_at_their_cut() -> None:
    airports = airportsdata.load()
    cuts = {c["file"]: c for c in _rows("cuts.csv")}
    readme = (REAL_GA / "README.md").read_text(encoding="utf-8")
    labels = _rows("labels.csv")
    assert len(labels) >= 60
    for r in labels:
        assert None not in r, r  # an unquoted comma in a note splits the row
        assert r["file"] in cuts, r
        assert set(r["event"].split("|")) <= set(ACC.PHASES), r
        assert r["airport"] == "" or r["airport"] in airports, r
        assert r["class"] in CLASSES and f"`{r['class']}`" in readme, r
        assert float(r["tolerance_s"]) > 0 and r["method_note"], r
        lb = next(x for x in LABELS if x.file == f"real-ga/{r['file']}")
        fixes = RUNS[lb.file].fixes[r["icao24"]]
        t = ACC.epoch(r["time_utc"])
        # the labelled moment lies inside the cut's data (or within its tolerance of an end)
        assert (
            fixes[0][0] - float(r["tolerance_s"]) <= t <= fixes[-1][0] + float(r["tolerance_s"])
        ), r
    for c in cuts.values():
        assert (REAL_GA / c["file"]).exists(), c
        assert any(r["file"] == c["file"] for r in labels), f"{c['file']} has no label"


def test_every_failure_class_has_real_labels() -> None:
    assert {r["class"] for r in _rows("labels.csv")} == CLASSES


# --- the scorer, on hand-made events (the rules the table rests on) --------------------------


def _ev(kind: str, iso: str, icao: str | None, who: str = "abc123") -> dict[str, object]:
    return {
        "type": kind,
        "icao24": who,
        "time": iso,
        "airport": {"icao": icao} if icao else None,
        "basis": "observed",
    }


def _lab(kind: str, iso: str, airport: str | None, tol: float = 5.0) -> object:
    return ACC.Label("f", "abc123", kind, airport, ACC.epoch(iso), tol, "observed")


def test_scorer_verdicts() -> None:
    labels = [
        _lab("landing", "2025-01-01T10:00:00Z", "KWVI"),
        _lab("takeoff", "2025-01-01T10:05:00Z", "KWVI"),
        _lab("landing", "2025-01-01T11:00:00Z", None, 600.0),
        _lab("takeoff", "2025-01-01T12:00:00Z", "KWVI"),
        _lab("landing", "2025-01-01T13:00:00Z", "KWVI"),
    ]
    events = [
        _ev("landing", "2025-01-01T10:00:59Z", "KWVI"),  # 59 s: still right
        _ev("takeoff", "2025-01-01T10:06:01Z", "KWVI"),  # 61 s: wrong time
        _ev("landing", "2025-01-01T11:04:00Z", "KOAR"),  # must abstain: false-named
        _ev("takeoff", "2025-01-01T12:00:03Z", None),  # abstained
        _ev("landing", "2025-01-01T14:00:00Z", "KWVI"),  # nobody asked: spurious
        _ev("landing", "2025-01-01T13:00:10Z", "KSNS"),  # wrong airport
        _ev("takeoff", "2025-01-01T10:05:00Z", "KWVI", who="def456"),  # another aircraft
    ]
    got = {
        (o.label.time_s if o.label else o.event["time"]): o.verdict
        for o in ACC.judge_file("f", labels, events)
    }
    assert sorted(got.values()) == sorted(
        [
            "correct",
            "wrong-time",
            "false-named",
            "abstained",
            "wrong-airport",
            "spurious-named",
            "spurious-named",
        ]
    )
    assert got[ACC.epoch("2025-01-01T10:00:00Z")] == "correct"
    assert got[ACC.epoch("2025-01-01T13:00:00Z")] == "wrong-airport"


def test_gap_rule_needs_evidence_on_both_sides() -> None:
    kwvi = airportsdata.load()["KWVI"]
    lat, lon, el = kwvi["lat"], kwvi["lon"], kwvi["elevation"]
    t0 = ACC.epoch("2025-01-01T10:00:00Z")
    far = ACC.Run(
        [],
        {
            "abc123": [
                (t0, lat + 0.3, lon, 4350.0, 0, 223.0),
                (t0 + 6060, lat, lon + 0.08, 3000.0, 0, 120.0),
            ]
        },
    )
    near = ACC.Run(
        [],
        {"abc123": [(t0, lat + 0.02, lon, el + 600, 0, 75.0), (t0 + 6060, lat, lon, el, 1, 5.0)]},
    )
    inside = _ev("landing", "2025-01-01T10:00:00Z", "KWVI")
    assert ACC.named_across_gap(inside, far.fixes["abc123"])
    assert not ACC.named_across_gap(inside, near.fixes["abc123"])
    # on the surface before the gap, far away and high after it: the takeoff can only have been
    # from there, a landing there cannot be told
    left = ACC.Run(
        [], {"abc123": [(t0, lat, lon, el, 1, 5.0), (t0 + 6060, lat + 0.3, lon, 5000.0, 0, 120.0)]}
    )
    on_left, on_far = left.fixes["abc123"], far.fixes["abc123"]
    assert not ACC.named_across_gap(_ev("takeoff", "2025-01-01T11:00:00Z", "KWVI"), on_left)
    assert ACC.named_across_gap(_ev("landing", "2025-01-01T11:00:00Z", "KWVI"), on_left)
    assert not ACC.named_across_gap(_ev("landing", "2025-01-01T10:00:00Z", None), on_far)
