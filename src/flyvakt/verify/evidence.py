"""Build ``Evidence`` from a replay result or from the store, for the claim's aircraft."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flyvakt.fleets import FleetRegistry
from flyvakt.model import Event, PositionBatch
from flyvakt.model.batches import icao_hex, parse_icao_hex
from flyvakt.model.events import settled, settled_json
from flyvakt.verify.claims import Claim
from flyvakt.verify.subjects import SubjectContext
from flyvakt.verify.verdict import Evidence, Fixes

# The store is asked for positions this long either side of the claim time: wide enough to
# find the last fix before a long gap (an ocean crossing is ~10 h), small enough to stay fast.
STORE_WINDOW_S = 24 * 3600.0
# A callsign no aircraft carries at or before the claim time is looked for this long after it:
# an aircraft's first stored fix can come before its first identification message, and a
# claim's time (the web page's playback moment, rounded to the second) can fall just before the
# first fix. An hour finds that aircraft; a later flight reusing the number is hours away.
CALLSIGN_AHEAD_S = 3600.0


def member_hexes(
    claim: Claim, registry: FleetRegistry, positions: PositionBatch | None = None
) -> list[str]:
    """The aircraft (lower-case hex) a claim is about, at the claim's time.

    A callsign subject is turned into the addresses that used it in ``positions``.
    """
    if claim.subject_kind == "fleet":
        at = claim.at_s if claim.at_s else None
        return sorted({m.icao24_hex for m in registry.members(claim.subject, at) if m.icao24_hex})
    subj = claim.subject
    if len(subj) == 6 and all(c in "0123456789abcdef" for c in subj):
        return [subj]
    if positions is None or len(positions) == 0:
        return []
    cs = np.array([str(c or "").strip().upper() for c in positions.callsign], dtype=object)
    return sorted({icao_hex(int(a)) for a in np.unique(positions.icao24[cs == subj])})


def store_members(claim: Claim, registry: FleetRegistry, reader: Any) -> list[str]:
    """``member_hexes`` against a store (``flyvakt.store.StoreReader``): a callsign is the
    aircraft carrying it at their last fix at or before the claim time (within a day), else the
    first aircraft to announce it within ``CALLSIGN_AHEAD_S`` after."""
    if claim.subject_kind == "fleet":
        return member_hexes(claim, registry)
    members = member_hexes(claim, registry, reader.aircraft_now(claim.at_s, STORE_WINDOW_S))
    if members:  # an address is always itself; a callsign found at or before the time
        return members
    ahead = reader.callsign_users(claim.subject, claim.at_s, claim.at_s + CALLSIGN_AHEAD_S)
    return [icao_hex(ahead[0])] if ahead else []


def fixes_of(positions: PositionBatch, icao24: str) -> Fixes:
    sel = positions.icao24 == parse_icao_hex(icao24)
    order = np.argsort(positions.time_s[sel], kind="stable")
    return Fixes(
        time_s=positions.time_s[sel][order],
        lat_deg=positions.lat_deg[sel][order],
        lon_deg=positions.lon_deg[sel][order],
        altitude_baro_ft=positions.altitude_baro_ft[sel][order],
        on_ground=positions.on_ground[sel][order],
    )


def _names(ev: Evidence, subjects: SubjectContext | None) -> Evidence:
    if subjects is not None:
        for m in ev.members:
            reg = subjects.registration(m)
            if reg:
                ev.registrations[m] = reg
            typ = subjects.aircraft_type(m)
            if typ:
                ev.types[m] = typ
    return ev


def evidence_from_replay(
    members: list[str],
    events: list[Event],
    positions: PositionBatch,
    subjects: SubjectContext | None = None,
) -> Evidence:
    wanted = set(members)
    evs = [e.to_json() for e in settled([e for e in events if e.icao24 in wanted])]
    through = float(np.max(positions.time_s)) if len(positions) else None
    ev = Evidence(members, evs, {m: fixes_of(positions, m) for m in members}, through)
    return _names(ev, subjects)


def callsigns_in(positions: PositionBatch | None) -> set[str]:
    """Every callsign in the positions (upper-case, stripped), to pick among flight numbers."""
    if positions is None or len(positions) == 0:
        return set()
    return {str(c).strip().upper() for c in set(positions.callsign.tolist()) if c}


def airports_used_by(
    registry: FleetRegistry, events: list[dict[str, Any]], positions: PositionBatch | None
) -> Any:
    """``ClaimContext.used_airports`` over replayed events: subject → airports it used."""
    from flyvakt.verify.places import airports_used

    def used(subject: tuple[str, str]) -> set[str]:
        probe = Claim(subject[0], subject[1], "airborne", None, 0.0)  # type: ignore[arg-type]
        hexes = member_hexes(probe, registry, positions)
        return airports_used(events, hexes)

    return used


def evidence_from_store(
    reader: Any,
    members: list[str],
    at_s: float,
    since_s: float | None = None,
    subjects: SubjectContext | None = None,
) -> Evidence:
    """``reader`` is a ``flyvakt.store.StoreReader``; positions from a day before the window
    (``since_s`` or ``at_s``) to a day after ``at_s``."""
    evs: list[dict[str, Any]] = []
    fixes: dict[str, Fixes] = {}
    start = min(at_s, since_s if since_s is not None else at_s) - STORE_WINDOW_S
    for m in members:
        evs.extend(reader.events(icao24=m, until_s=at_s + STORE_WINDOW_S, limit=100000))
        batch = reader.track(m, start, at_s + STORE_WINDOW_S)
        fixes[m] = fixes_of(batch, m)
    evs.sort(key=lambda e: str(e.get("time")))
    evs = settled_json(evs)  # a landing withdrawn when the aircraft was seen again: out
    through = reader.data_through_s()
    if through is not None and not math.isfinite(float(through)):
        through = None
    ev = Evidence(members, evs, fixes, None if through is None else float(through))
    return _names(ev, subjects)
