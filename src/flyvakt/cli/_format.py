"""Readable event lines: local time at the place, UTC, and the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flyvakt.model import Event


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
    elif e.country:
        where = e.country
    who = e.icao24 + (f" {e.callsign}" if e.callsign else "")
    basis = "" if e.basis == "observed" else f" [{e.basis}]"
    return f"{' | '.join(parts)} | {e.type:<17} {who:<16} {where}{basis}"
