"""An aircraft's takeoffs and landings must not depend on which other aircraft share the replay.

Real data: rows of the whole kwvi1213 recording (adsb.lol via eastham/adsb_actions, ODbL 1.0;
``tests/data/real-ga/whole/``, provenance in ``tests/data/PROVENANCE.md``): the three aircraft
that came out differently replayed with everyone than alone (a34b61, a864dd, a9d63a, no ground
flags or few) and the ten aircraft that taxied at KWVI that day. Their pressure altitudes on the
runway read 25, 50, 75 or 100 ft: another aircraft's reading is no ground reference for this one.
"Before" names the detector that fails these tests: main at c4e3946 (the ground reference of the
pressure altitude was shared between aircraft at a field).
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path

import pytest

from flyvakt.runtime.replay import replay_files
from tests.unit.detect.test_failure_classes import KWVI, ts

WHOLE = Path(__file__).resolve().parents[2] / "data" / "real-ga" / "whole" / "kwvi1213.csv.gz"
MISLED = ("a34b61", "a864dd", "a9d63a")
TAXIED = (
    "a0cd27", "a1e018", "a3688d", "a625fe", "a6380b", "a7ade1", "a81c98", "a9ed2e", "ac1c3a",
)  # fmt: skip
KINDS = ("takeoff", "landing", "touch_and_go", "stopover")

Phase = tuple[str, str, str | None]


def _write(path: Path, icao24s: tuple[str, ...]) -> Path:
    with gzip.open(WHOLE, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["icao24"] in icao24s]
        fields = list(reader.fieldnames or [])
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.DictWriter(out, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def _phases(path: Path) -> dict[str, list[Phase]]:
    out: dict[str, list[Phase]] = {}
    for e in replay_files([str(path)]).events:
        if e.type in KINDS:
            out.setdefault(e.icao24, []).append(
                (e.type, e.time_iso, e.airport.icao if e.airport else None)
            )
    return out


@pytest.fixture(scope="module")
def together(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Phase]]:
    return _phases(_write(tmp_path_factory.mktemp("whole") / "together.csv", MISLED + TAXIED))


@pytest.mark.parametrize("icao24", MISLED + TAXIED)
def test_same_phases_with_the_other_aircraft_as_alone(
    icao24: str, together: dict[str, list[Phase]], tmp_path: Path
) -> None:
    alone = _phases(_write(tmp_path / f"{icao24}.csv", (icao24,))).get(icao24, [])
    assert together.get(icao24, []) == alone


def test_no_touch_and_go_from_a_low_pass_under_another_aircrafts_reference(
    together: dict[str, list[Phase]],
) -> None:
    """a34b61 (N311JS, no ground flags) over KWVI's runway at 22:38:42-22:38:59: 125, 50, 75 ft
    at 75-78 kt, then climbing away; its own ground reading is 25 ft (19:05). Labelled a low pass
    or a touch-and-go that cannot be told apart: must abstain. Before: with another aircraft's
    75-100 ft reading as the reference, 125 ft was "at KWVI's ground level": landing,
    touch-and-go and takeoff named at KWVI."""
    lo, hi = ts("22:38:00", KWVI), ts("22:40:00", KWVI)
    at = [p for p in together.get("a34b61", []) if lo <= _epoch(p[1]) <= hi]
    assert at == []


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
