"""The labels of scripts/accuracy.py scored on a replay of the WHOLE source recordings.

Each real-ga cut (tests/data/real-ga/cuts.csv) is one aircraft's rows of a whole recording in
a time window. Replaying the cut alone shows the aircraft's track; replaying the whole
recording is what a user gets (every aircraft at once, other aircraft's surface fixes, batch
boundaries). Here: which cuts there are, the whole replays seen through each cut, and the table
section with every label that comes out differently. The scoring itself is accuracy.py's, passed
in as ``acc`` (that module: this one is not run on its own).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Cut:
    """One row of cuts.csv: a labelled file is ``icao24``'s rows of ``source`` in a window."""

    file: str  # path under tests/data
    source: str  # the whole recording, under tests/data
    icao24: str
    start_s: float
    end_s: float


def cuts(acc: ModuleType) -> list[Cut]:
    with open(acc.REAL_GA / "cuts.csv", encoding="utf-8", newline="") as fh:
        return [
            Cut(
                f"real-ga/{r['file']}",
                f"real-ga/whole/{r['source']}.csv.gz",
                r["icao24"],
                acc.epoch(r["start_utc"]),
                acc.epoch(r["end_utc"]),
            )
            for r in csv.DictReader(fh)
        ]


def cut_files(acc: ModuleType) -> list[str]:
    return [c.file for c in cuts(acc)]


def run_whole(acc: ModuleType, runs: dict[str, Any]) -> dict[str, Any]:
    """What a user gets from ``flyvakt replay`` of the WHOLE source recordings (every aircraft:
    shared ground references, other aircraft's surface fixes, batch boundaries), seen through
    each cut: the cut aircraft's events stamped inside the cut's window, and all its fixes.
    The dev recordings are whole files already: their runs are taken from ``runs`` as they are.
    ``runs`` and the result map a file to an ``acc.Run``."""
    cases = acc.CASES
    out = {cases[n][0]: runs[cases[n][0]] for n in cases if cases[n][0] in runs}
    whole: dict[str, Any] = {}
    for c in cuts(acc):
        if c.source not in whole:
            whole[c.source] = acc.run_file(c.source)
        run = whole[c.source]
        events = [
            e
            for e in run.events
            if e["icao24"] == c.icao24 and c.start_s <= acc.epoch(e["time"]) <= c.end_s
        ]
        out[c.file] = acc.Run(events, {c.icao24: run.fixes.get(c.icao24, [])})
    return out


def _outcome_key(acc: ModuleType, o: Any) -> tuple[str, str, str, str]:
    if o.label is not None:
        lb = o.label
        return (lb.file, lb.icao24, lb.kind, acc._hms(lb.time_s))
    assert o.event is not None
    return (acc._file(o), o.event["icao24"], o.event["type"], o.event["time"][11:19])


def _seen(acc: ModuleType, o: Any) -> str:
    if o is None:
        return "-"
    ev = o.event
    got = f"{acc._code(ev) or '(none)'} {ev['time'][11:19]} {ev['basis']}" if ev else "(no event)"
    return f"{got}: {o.verdict}"


def differences(acc: ModuleType, cut: Any, whole: Any) -> list[str]:
    """The labels (and unlabelled events) that come out differently in the whole recording
    (``cut`` and ``whole`` are ``acc.Scored``)."""
    a = {_outcome_key(acc, o): o for o in cut.outcomes}
    b = {_outcome_key(acc, o): o for o in whole.outcomes}
    lines = [
        "| file | icao24 | event | truth | cut replayed alone | whole recording replayed |",
        "|---|---|---|---|---|---|",
    ]
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if _seen(acc, x) == _seen(acc, y):
            continue
        lb = x.label if x is not None else (y.label if y is not None else None)
        truth = f"{lb.airport or '(abstain)'} {k[3]}" if lb is not None else "(no such event)"
        lines.append(f"| {k[0]} | {k[1]} | {k[2]} | {truth} | {_seen(acc, x)} | {_seen(acc, y)} |")
    return lines


def section(acc: ModuleType, cut: Any, whole: Any) -> list[str]:
    """The table's section on the whole recordings: their summary and every differing label."""
    return [
        "### The same labels on the whole recordings",
        "",
        "What a user's `flyvakt replay` of each whole source recording in "
        "`tests/data/real-ga/whole/` gives (every aircraft at once: ground references "
        "shared between aircraft, other aircraft's surface fixes, batch boundaries), "
        "scored on each cut's aircraft and time window; the dev recordings are whole "
        "already.",
        "",
        *acc.summary(whole),
        "",
        "Labels scored differently on the whole recording than on its cut:",
        "",
        *differences(acc, cut, whole),
    ]
