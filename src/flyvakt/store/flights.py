"""Flights (takeoff → landing legs) built from event records, not from detector internals.

A leg opens at a ``takeoff`` event and closes at the aircraft's next ``landing`` whose basis is
``observed`` or ``inferred``. Each end keeps its event's basis, so a reader can tell a landing
that was seen from one that was inferred (e.g. the signal was lost on final). A landing with no
takeoff before it (first seen airborne) is a leg with no origin; a takeoff followed by another
takeoff (the landing was never detected) is a leg with no destination: nothing is made up.

A landing withdrawn (``landing_withdrawn``: inferred when the signal was lost, the aircraft seen
again) does not close a leg either: legs are built from the settled events
(``model.events.settled``), so a flight never reads "landed at X" on a landing taken back.

A ``possible`` landing does not close a leg: a flight must never read "landed at X" on that
evidence. ``stopover`` and ``touch_and_go`` records restate a landing/takeoff pair that is
already in the events, so they are not counted twice. The store rebuilds an aircraft's legs
from its stored events whenever new events of that aircraft arrive (:func:`rebuild_flights`),
so the result is the same whatever order or batching the events came in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flyvakt.model.events import (
    Event,
    Parts,
    event_parts,
    iso_utc,
    record_parts,
    settled_by,
    settled_json,
)
from flyvakt.store.records import FlightRecord
from flyvakt.store.sql import _icao_int, upsert_flight

__all__ = ["LegEvent", "flights_from_events", "rebuild_flights"]

# Bases strong enough to end a leg at an airport (see the module docstring for "possible").
CLOSING_BASES = frozenset({"observed", "inferred"})


@dataclass(frozen=True)
class LegEvent:
    """The parts of a takeoff/landing event record a leg needs."""

    icao24: int
    type: str  # "takeoff" | "landing"
    time_s: float
    airport: str | None  # ICAO code
    basis: str
    callsign: str | None = None

    @classmethod
    def of(cls, ev: Event | Mapping[str, Any]) -> LegEvent:
        if isinstance(ev, Event):
            return cls(
                _icao_int(ev.icao24),
                ev.type,
                float(ev.time_s),
                ev.airport.icao if ev.airport else None,
                ev.basis,
                ev.callsign,
            )
        airport = ev.get("airport") or {}
        return cls(
            _icao_int(str(ev["icao24"])),
            str(ev["type"]),
            _epoch_s(str(ev["time"])),  # records carry ISO times
            airport.get("icao") if isinstance(airport, Mapping) else None,
            str(ev.get("basis") or "observed"),
            ev.get("callsign"),
        )


def _epoch_s(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def flights_from_events(
    events: Iterable[Event | Mapping[str, Any] | LegEvent],
) -> list[FlightRecord]:
    """Takeoff → landing legs of every aircraft in ``events``, ordered by aircraft and time."""
    per: dict[int, list[LegEvent]] = {}
    for ev in _settled(list(events)):
        if isinstance(ev, LegEvent):
            leg = ev
        else:
            kind = ev.type if isinstance(ev, Event) else str(ev.get("type"))
            if kind not in ("takeoff", "landing"):
                continue
            leg = LegEvent.of(ev)
        if leg.type in ("takeoff", "landing"):
            per.setdefault(leg.icao24, []).append(leg)
    out: list[FlightRecord] = []
    for icao in sorted(per):
        out.extend(_legs(sorted(per[icao], key=lambda e: (e.time_s, e.type != "landing"))))
    return out


def _settled(
    evs: list[Event | Mapping[str, Any] | LegEvent],
) -> list[Event | Mapping[str, Any] | LegEvent]:
    """``evs`` without the landings withdrawn and their withdrawals (``settled``), in order,
    whatever mix of events, records and legs they are (a leg is never withdrawn)."""
    return settled_by(evs, _parts, _time_iso)


def _parts(e: Event | Mapping[str, Any] | LegEvent) -> Parts:
    if isinstance(e, Event):
        return event_parts(e)
    if isinstance(e, LegEvent):
        return e.type, None, {}, []
    return record_parts(e)


def _time_iso(e: Event | Mapping[str, Any] | LegEvent) -> Any:
    if isinstance(e, Event):
        return e.time_iso
    return None if isinstance(e, LegEvent) else e.get("time")


def _withdrawn_s(conn: sqlite3.Connection, icao: int, rows: list[tuple[Any, ...]]) -> set[float]:
    """The times of the stored landings that stored withdrawals take back (``settled_json`` on
    the records of both: only a landing inferred when the signal was lost is ever withdrawn).
    Rows: type, time_s, ..., record (of a withdrawal only: landings are read only when one
    names their time)."""
    pulls = [json.loads(r[-1]) for r in rows if r[0] == "landing_withdrawn"]
    if not pulls:
        return set()
    when = {(p.get("details") or {}).get("withdrawn") for p in pulls}
    times = [float(r[1]) for r in rows if r[0] == "landing" and iso_utc(float(r[1])) in when]
    named = [
        (float(t), json.loads(rec))
        for t, rec in conn.execute(
            "SELECT time_s, record FROM events WHERE icao24 = ? AND type = 'landing' "
            f"AND time_s IN ({', '.join('?' * len(times))})",
            (icao, *times),
        )
    ]
    kept = {id(rec) for rec in settled_json([rec for _, rec in named] + pulls)}
    return {t for t, rec in named if id(rec) not in kept}


def _legs(evs: list[LegEvent]) -> list[FlightRecord]:
    out: list[FlightRecord] = []
    open_: LegEvent | None = None
    for ev in evs:
        if ev.type == "takeoff":
            if open_ is not None:
                out.append(_leg(open_, None))
            open_ = ev
        elif ev.basis in CLOSING_BASES:
            out.append(_leg(open_, ev))
            open_ = None
    if open_ is not None:
        out.append(_leg(open_, None))
    return out


def _leg(up: LegEvent | None, down: LegEvent | None) -> FlightRecord:
    first = up or down
    assert first is not None
    return FlightRecord(
        icao24=first.icao24,
        # The key: the takeoff time, else the landing time (first seen airborne).
        first_seen_s=first.time_s,
        last_seen_s=(down or first).time_s,
        takeoff_time_s=up.time_s if up else None,
        landing_time_s=down.time_s if down else None,
        origin=up.airport if up else None,
        destination=down.airport if down else None,
        callsign=(up.callsign if up else None) or (down.callsign if down else None),
        takeoff_basis=up.basis if up else None,
        landing_basis=down.basis if down else None,
    )


def rebuild_flights(conn: sqlite3.Connection, icao24s: Iterable[int]) -> int:
    """Re-derive the stored legs of these aircraft from their stored events; return the count.

    Only legs inside the span of the aircraft's stored takeoff/landing events are replaced, so
    legs whose events have expired stay as they were.
    """
    n = 0
    for icao in sorted(set(icao24s)):
        rows = conn.execute(
            "SELECT type, time_s, airport, basis, callsign, "
            "CASE WHEN type = 'landing_withdrawn' THEN record ELSE '' END FROM events "
            "WHERE icao24 = ? AND type IN ('takeoff', 'landing', 'landing_withdrawn') "
            "ORDER BY time_s",
            (icao,),
        ).fetchall()
        gone = _withdrawn_s(conn, icao, rows)
        rows = [r for r in rows if r[0] != "landing_withdrawn"]
        if not rows:
            continue
        legs = flights_from_events(
            LegEvent(icao, t, float(ts), ap or None, basis or "observed", cs)
            for t, ts, ap, basis, cs, _ in rows
            if not (t == "landing" and float(ts) in gone)
        )
        conn.execute(
            "DELETE FROM flights WHERE icao24 = ? AND first_seen_s BETWEEN ? AND ?",
            (icao, float(rows[0][1]), float(rows[-1][1])),
        )
        for f in legs:
            upsert_flight(conn, f)
        n += len(legs)
    return n
