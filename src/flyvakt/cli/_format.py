"""Readable event lines: local time at the place, UTC, and the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flyvakt.model import Event

# Events that are about an airport: without one, the line says so instead of leaving a blank a
# reader could take for a missing column ("landed somewhere", docs/detection.md).
_AIRPORT_EVENTS = frozenset({"takeoff", "landing", "touch_and_go", "stopover", "go_around"})
# How many other possible airports the line names (the JSON output carries them all).
_CANDIDATES_SHOWN = 3


def _at(time_s: float, zone: str | None) -> str:
    dt = datetime.fromtimestamp(time_s, tz=UTC)
    if zone:
        dt = dt.astimezone(ZoneInfo(zone))
    return dt.strftime("%Y-%m-%d %H:%M:%S %Z")


def event_row(e: Event, reader_tz: str | None = None) -> str:
    """One line: UTC, local at the place, reader zone, type, aircraft, where, basis."""
    zone = e.local_tz or (e.airport.tz if e.airport else None)
    local = _at(e.time_s, zone) if zone else "-"
    parts = [_at(e.time_s, None).replace(" UTC", "Z"), f"local {local}"]
    if reader_tz:
        parts.append(f"reader {_at(e.time_s, reader_tz)}")
    where = ""
    if e.airport is not None:
        where = f"{e.airport.icao} {e.airport.name} ({e.airport.country})"
    elif e.type in _AIRPORT_EVENTS:
        where = "airport not named"
        if e.candidates:
            where += f" (could be {', '.join(e.candidates[:_CANDIDATES_SHOWN])})"
        if e.country:
            where += f" ({e.country})"
    elif e.country:
        where = e.country
    who = e.icao24 + (f" {e.callsign}" if e.callsign else "")
    basis = "" if e.basis == "observed" else f" [{e.basis}]"
    return f"{' | '.join(parts)} | {e.type:<17} {who:<16} {where}{basis}"
