"""The CLI's event line says when a landing names no airport, instead of leaving a blank."""

from __future__ import annotations

from flyvakt.cli._format import event_row
from flyvakt.model import Event

# 2025-06-01 00:24:57 UTC: an inferred landing of a real Watsonville aircraft (mry0601, a05404)
# that names no airport; the times and codes here only shape the line.
T = 1748737497.0


def test_unnamed_landing_says_so_with_candidates() -> None:
    e = Event(
        type="landing",
        icao24="a05404",
        time_s=T,
        callsign="N120DG",
        basis="inferred",
        candidates=["KWVI", "CA66", "KCVH", "K1C9"],
        country="US",
    )
    line = event_row(e)
    assert "airport not named (could be KWVI, CA66, KCVH) (US) [inferred]" in line
    assert "K1C9" not in line


def test_unnamed_landing_without_candidates() -> None:
    e = Event(type="landing", icao24="a05404", time_s=T, basis="inferred")
    assert event_row(e).endswith("airport not named [inferred]")


def test_airspace_event_keeps_its_country() -> None:
    e = Event(type="airspace_entry", icao24="a05404", time_s=T, country="NO")
    line = event_row(e)
    assert line.endswith(" NO")
    assert "airport" not in line
