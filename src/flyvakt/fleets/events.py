"""Fleet-level events from per-aircraft events: a pure, serialisable state machine.

``step(state, events, registry) -> (state, fleet_events)``

- ``fleet_departed``: the first member of a fleet takes off from an airport, opening a *wave*
  (fleet, origin airport, first takeoff time). Members of the fleet that take off from the same
  airport within :data:`WAVE_WINDOW_S` of the first join the wave.
- ``fleet_landed``: every member of the wave has landed. If all landed at one airport, one event
  ("the last of the three aircraft landed at ZKPY"); if they split, one event per destination,
  each with ``details["departed_count"]`` larger than ``details["count"]``.
  ``basis`` is ``inferred`` if any of the member landings was inferred (never claim an observed
  fleet landing on inferred evidence); ``confidence`` is the lowest member confidence.
  When some member landings name no airport (inferred "landed somewhere"), one event with
  ``airport: null`` if every member's complete candidate list fits one airport, city or
  country, else none (:mod:`flyvakt.fleets.landed`).
- :func:`fleet_positions`: the last known event of each member of a fleet.

Landings of members with no known departure in an open wave are recorded for positions but
never produce ``fleet_landed``: "the last of N" needs to know N.

A member's landing withdrawn (``landing_withdrawn``: inferred when the signal was lost, the
aircraft seen again) leaves its wave: the wave is open again, and each ``fleet_landed`` said
from it is withdrawn (``fleet_landed_withdrawn``, :func:`_withdraw`). Completed waves are kept
(``FleetState.landed``) for that until :data:`WAVE_EXPIRY_S` after their last landing, or
while a member landing inferred when the signal was lost awaits that member (:func:`_kept`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from typing import Any

from flyvakt.fleets.landed import landing_info, unnamed_wave_landed, wave_details
from flyvakt.fleets.registry import FleetRegistry
from flyvakt.fleets.together import MemberFix
from flyvakt.model.batches import address_of
from flyvakt.model.events import AirportRef, Event, iso_utc

__all__ = [
    "FleetState",
    "MemberFix",
    "MemberStatus",
    "Wave",
    "fleet_positions",
    "step",
]

# Why 2 h: a state visit's aircraft (main aircraft, back-up, cargo/support) leave the same
# airport within tens of minutes of each other; two hours joins them without merging the
# return trip of a later day.
WAVE_WINDOW_S = 2 * 3600.0

# Why 36 h: longer than any non-stop flight (~20 h) plus a stopover; a wave whose members are
# never seen landing (coverage gap) is dropped after that, silently rather than guessed.
WAVE_EXPIRY_S = 36 * 3600.0
# Why 1 h: a wave expires by each event's own time (_expired), the same wherever the batches
# were cut; it is dropped from the state only this long after the newest event, since an event
# can arrive after later ones (a landing inferred 20 min after the signal was lost, detect/).
# Before, expiry ran once per step on the newest event: calfire's a5035e took off from KFAT and
# landed there 40 h later, which completed its wave in one large batch and not at 512 records.
WAVE_DROP_AFTER_S = 3600.0


# Why 30 days: a complete wave whose member landing was inferred when that member's signal was
# lost is kept, past WAVE_EXPIRY_S, until the member is seen again (only then can the landing
# be withdrawn, and with it the fleet landing): a government aircraft may stay out of coverage
# for days. Before, a withdrawal more than 36 h after the wave's last landing found no wave
# and the fleet landing stood, silently. A month bounds the state for aircraft never seen again.
WAVE_AWAIT_MAX_S = 30 * 86400.0


def _expired(wave: Wave, time_s: float) -> bool:
    return time_s - wave.first_takeoff_s > WAVE_EXPIRY_S


@dataclass
class Wave:
    fleet_id: str
    origin: AirportRef
    first_takeoff_s: float
    departures: dict[str, float] = field(default_factory=dict)  # icao24 → takeoff time
    landings: dict[str, dict[str, Any]] = field(default_factory=dict)  # icao24 → landing info
    said: list[Event] = field(default_factory=list)  # fleet_landed said on completion

    def complete(self) -> bool:
        return bool(self.departures) and set(self.departures) <= set(self.landings)


@dataclass
class MemberStatus:
    icao24: str
    type: str
    time_s: float
    airport: str | None = None  # ICAO code
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    altitude_baro_ft: float | None = None
    basis: str = "observed"


@dataclass
class FleetState:
    waves: list[Wave] = field(default_factory=list)
    last: dict[str, MemberStatus] = field(default_factory=dict)  # icao24 → last event
    latest_s: float = float("-inf")
    together: dict[str, list[list[str]]] = field(default_factory=dict)  # fleet → groups now
    # icao24 → last airborne fix of each fleet member, for fleet_together (together_step)
    fixes: dict[str, MemberFix] = field(default_factory=dict)
    # complete waves, kept so that a member landing withdrawn later opens its wave again
    landed: list[Wave] = field(default_factory=list)
    # the next tick of the fleet_together grid (data time, a multiple of TOGETHER_GRID_S)
    together_next_s: float = float("-inf")
    # fleet → {members joined by ",": the last tick they were together}: the groups said and
    # not yet forgotten (TOGETHER_FORGET_S), so that a group that re-forms is not said again
    together_last_s: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FleetState:
        waves = [_wave_of(w) for w in data.get("waves", [])]
        last = {k: MemberStatus(**v) for k, v in data.get("last", {}).items()}
        return cls(
            waves=waves,
            last=last,
            latest_s=float(data.get("latest_s", float("-inf"))),
            together={k: [list(g) for g in v] for k, v in data.get("together", {}).items()},
            fixes={k: MemberFix(**v) for k, v in data.get("fixes", {}).items()},
            landed=[_wave_of(w) for w in data.get("landed", [])],
            together_next_s=float(data.get("together_next_s", float("-inf"))),
            together_last_s=together_last_of(data.get("together_last_s", {})),
        )


def together_last_of(data: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {k: {g: float(t) for g, t in v.items()} for k, v in data.items()}


def _airport_of(a: dict[str, Any] | None) -> AirportRef | None:
    return AirportRef(**a) if a else None


def _wave_of(w: dict[str, Any]) -> Wave:
    return Wave(
        fleet_id=w["fleet_id"],
        origin=AirportRef(**w["origin"]),
        first_takeoff_s=w["first_takeoff_s"],
        departures=dict(w["departures"]),
        landings={k: {**v, "airport": _airport_of(v["airport"])} for k, v in w["landings"].items()},
        said=[Event(**{**e, "airport": _airport_of(e["airport"])}) for e in w.get("said", [])],
    )


def _fleets_of(event: Event, registry: FleetRegistry) -> list[str]:
    if event.fleet:
        return [f for f in event.fleet if f in registry]
    try:
        addr = address_of(event.icao24)
    except ValueError:
        return []
    reg = event.details.get("registration") if event.details else None
    return registry.match(addr, reg if isinstance(reg, str) else None, event.time_s)


def _on_takeoff(state: FleetState, ev: Event, fleet_id: str, out: list[Event]) -> None:
    if ev.airport is None:
        return  # a departure with no airport cannot anchor a wave
    for wave in state.waves:
        if (
            wave.fleet_id == fleet_id
            and ev.icao24 in wave.departures
            and (ev.icao24 not in wave.landings)
            and not _expired(wave, ev.time_s)
        ):
            return  # duplicate takeoff of a member still airborne in a wave
    for wave in state.waves:
        if (
            wave.fleet_id == fleet_id
            and wave.origin.icao == ev.airport.icao
            and 0 <= ev.time_s - wave.first_takeoff_s <= WAVE_WINDOW_S
            and ev.icao24 not in wave.departures
        ):
            wave.departures[ev.icao24] = ev.time_s
            return
    wave = Wave(fleet_id, ev.airport, ev.time_s, {ev.icao24: ev.time_s})
    state.waves.append(wave)
    out.append(
        Event(
            type="fleet_departed",
            icao24=ev.icao24,
            time_s=ev.time_s,
            callsign=ev.callsign,
            airport=ev.airport,
            country=ev.airport.country,
            basis=ev.basis,
            confidence=ev.confidence,
            reason=f"first member of fleet {fleet_id} to take off from {ev.airport.icao}",
            lat=ev.lat,
            lon=ev.lon,
            local_tz=ev.local_tz or ev.airport.tz,
            fleet=[fleet_id],
            details={"origin": ev.airport.icao, "members": [ev.icao24], "count": 1},
        )
    )


def _on_landing(state: FleetState, ev: Event, fleet_id: str, out: list[Event]) -> None:
    for wave in state.waves:
        if (
            wave.fleet_id != fleet_id
            or ev.icao24 not in wave.departures
            or ev.time_s < wave.departures[ev.icao24]
            or _expired(wave, ev.time_s)
        ):
            continue
        prev = wave.landings.get(ev.icao24)
        # A landing that named no airport (track lost on approach) gives way to a later one
        # while the wave is open: the aircraft was seen again and landed after all.
        if prev is not None and (prev.get("airport") is not None or ev.time_s <= prev["time_s"]):
            continue
        wave.landings[ev.icao24] = landing_info(ev)
        if wave.complete():
            named = all(i.get("airport") is not None for i in wave.landings.values())
            wave.said = _wave_landed(wave) if named else unnamed_wave_landed(wave)
            out.extend(wave.said)
            state.waves.remove(wave)
            state.landed.append(wave)
        return


def _withdraw(state: FleetState, ev: Event, fleet_id: str, out: list[Event]) -> None:
    """``ev`` (``landing_withdrawn``) withdraws a member's landing (``details.withdrawn``, its
    time): it leaves the wave that counted it, which is open again, and each ``fleet_landed``
    said from that wave is withdrawn (``fleet_landed_withdrawn``): "the last of N landed" no
    longer holds. The wave says ``fleet_landed`` again when every member has landed."""
    when = ev.details.get("withdrawn")
    for wave in [*state.waves, *state.landed]:
        info = wave.landings.get(ev.icao24)
        if wave.fleet_id != fleet_id or info is None or iso_utc(info["time_s"]) != when:
            continue
        del wave.landings[ev.icao24]
        if any(w is wave for w in state.landed):
            state.landed = [w for w in state.landed if w is not wave]
            state.waves.append(wave)
            out.extend(_withdrawal(f, ev, fleet_id) for f in wave.said)
            wave.said = []
        return


def _withdrawal(said: Event, ev: Event, fleet_id: str) -> Event:
    """The ``fleet_landed_withdrawn`` of ``said``: named as it was (aircraft, time, place), at
    the time the member was seen again (``ev``, its ``landing_withdrawn``)."""
    return Event(
        type="fleet_landed_withdrawn",
        icao24=said.icao24,
        time_s=ev.time_s,
        callsign=said.callsign,
        airport=said.airport,
        country=said.country,
        basis=ev.basis,
        confidence=said.confidence,
        reason=(
            f"the landing of {ev.icao24} it counted was inferred when the signal was lost and is "
            f"withdrawn: {ev.reason}"
        ),
        candidates=list(said.candidates),
        lat=ev.lat,
        lon=ev.lon,
        local_tz=said.local_tz,
        fleet=[fleet_id],
        details={
            "withdrawn": said.time_iso,
            "member": ev.icao24,
            "member_callsign": ev.callsign,
            "member_landing": ev.details.get("withdrawn"),
            **({"gap": ev.details["gap"]} if "gap" in ev.details else {}),
        },
    )


def _wave_landed(wave: Wave) -> list[Event]:
    by_airport: dict[str, list[str]] = {}
    for icao24, info in wave.landings.items():
        by_airport.setdefault(info["airport"].icao, []).append(icao24)
    out: list[Event] = []
    for code, members in by_airport.items():
        members.sort(key=lambda m: wave.landings[m]["time_s"])
        infos = [wave.landings[m] for m in members]
        last = infos[-1]
        inferred = [m for m, i in zip(members, infos, strict=True) if i["basis"] != "observed"]
        airport: AirportRef = last["airport"]
        out.append(
            Event(
                type="fleet_landed",
                icao24=members[-1],
                time_s=last["time_s"],
                callsign=last["callsign"],
                airport=airport,
                country=airport.country,
                basis="inferred" if inferred else "observed",
                confidence=min(float(i["confidence"]) for i in infos),
                reason=(
                    f"{len(members)} of {len(wave.departures)} aircraft of fleet {wave.fleet_id} "
                    f"that took off from {wave.origin.icao} landed at {code}"
                ),
                lat=airport.lat_deg,
                lon=airport.lon_deg,
                local_tz=airport.tz,
                fleet=[wave.fleet_id],
                details=wave_details(wave, members, inferred),
            )
        )
    return out


_TIME = attrgetter("time_s")  # the sort key of :func:`step` (a C call, not a lambda per event)


def step(
    state: FleetState, events: Iterable[Event], registry: FleetRegistry
) -> tuple[FleetState, list[Event]]:
    """Apply per-aircraft events (in time order) and return the fleet events they complete.

    The state is mutated in place and returned, so a caller may checkpoint it as JSON.
    """
    out: list[Event] = []
    events = sorted(_withdrawals_first(state, list(events), registry, out), key=_TIME)
    # The latest time as the loop below took it one event at a time: no rule it calls reads it.
    state.latest_s = max([state.latest_s, *map(_TIME, events)])
    members = registry.addresses
    for ev in events:
        if not ev.fleet and not (ev.details and ev.details.get("registration")):
            # No fleet by address, none by registration: what _fleets_of would find, at once.
            try:
                if address_of(ev.icao24) not in members:
                    continue
            except ValueError:
                continue
        fleet_ids = _fleets_of(ev, registry)
        if not fleet_ids:
            continue
        state.last[ev.icao24] = MemberStatus(
            icao24=ev.icao24,
            type=ev.type,
            time_s=ev.time_s,
            airport=ev.airport.icao if ev.airport else None,
            country=ev.country or (ev.airport.country if ev.airport else None),
            lat=ev.lat,
            lon=ev.lon,
            altitude_baro_ft=ev.altitude_baro_ft,
            basis=ev.basis,
        )
        for fleet_id in fleet_ids:
            if ev.type == "takeoff":
                _on_takeoff(state, ev, fleet_id, out)
            elif ev.type == "landing":
                _on_landing(state, ev, fleet_id, out)
    gone_s = state.latest_s - WAVE_DROP_AFTER_S
    state.waves = [w for w in state.waves if not _expired(w, gone_s)]
    state.landed = [w for w in state.landed if _kept(state, w)]
    return state, out


def _last_landing_s(wave: Wave) -> float:
    return max(float(i["time_s"]) for i in wave.landings.values())


def _kept(state: FleetState, wave: Wave) -> bool:
    """Whether a complete wave is still kept for a withdrawal (:data:`WAVE_EXPIRY_S` after its
    last landing; up to :data:`WAVE_AWAIT_MAX_S` while a member whose landing was inferred when
    its signal was lost has not been seen since)."""
    age_s = state.latest_s - _last_landing_s(wave)
    if age_s <= WAVE_EXPIRY_S:
        return True
    return age_s <= WAVE_AWAIT_MAX_S and any(
        info.get("withdrawable") and _unseen_since(state, icao24, float(info["time_s"]))
        for icao24, info in wave.landings.items()
    )


def _unseen_since(state: FleetState, icao24: str, time_s: float) -> bool:
    """Whether the member has said nothing since ``time_s`` but, at most, that it is seen again
    (the withdrawal is timed with that ``signal_regained`` and may come in a later step)."""
    last = state.last.get(icao24)
    return last is None or last.time_s <= time_s or last.type == "signal_regained"


def _withdrawals_first(
    state: FleetState, events: list[Event], registry: FleetRegistry, out: list[Event]
) -> list[Event]:
    """Apply the step's withdrawals before its other events: the gap rules that judge the gap
    on regain may say a landing again, timed before the withdrawal, and it must find the wave
    open. A landing withdrawn within the same step never counts. Returns the other events."""
    gone = {(e.icao24, e.details.get("withdrawn")) for e in events if e.type == "landing_withdrawn"}
    if not gone:
        return events
    events = [e for e in events if not (e.type == "landing" and (e.icao24, e.time_iso) in gone)]
    for ev in events:
        if ev.type == "landing_withdrawn":
            for fleet_id in _fleets_of(ev, registry):
                _withdraw(state, ev, fleet_id, out)
    return events


def fleet_positions(
    state: FleetState, fleet_id: str, registry: FleetRegistry, at_s: float
) -> list[dict[str, Any]]:
    """Where each member of ``fleet_id`` (valid at ``at_s``) was last seen, by our events.

    One row per member: ``icao24``, ``registration``, ``type`` (aircraft type), and
    ``last`` (the :class:`MemberStatus` as a dict, or None when no event was seen). Rows are
    ordered by the time of the last event, most recent first; members with none come last.
    """
    rows: list[dict[str, Any]] = []
    for m in registry.members(fleet_id, at_s):
        hex24 = m.icao24_hex
        status = state.last.get(hex24) if hex24 else None
        if status is not None and status.time_s > at_s:
            status = None  # "where was it at at_s": never use what we learned after
        rows.append(
            {
                "icao24": hex24,
                "registration": m.registration,
                "aircraft_type": m.type,
                "last": asdict(status) if status else None,
            }
        )
    rows.sort(key=lambda r: -(r["last"]["time_s"]) if r["last"] else float("inf"))
    return rows
