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
(``FleetState.landed``) for that until :data:`WAVE_EXPIRY_S` after their last landing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from flyvakt.fleets.landed import landing_info, unnamed_wave_landed, wave_details
from flyvakt.fleets.registry import FleetRegistry
from flyvakt.geo.distance import distance_nm
from flyvakt.model import PositionBatch
from flyvakt.model.batches import parse_icao_hex
from flyvakt.model.events import AirportRef, Event, iso_utc

__all__ = [
    "FleetState",
    "MemberFix",
    "MemberStatus",
    "Wave",
    "fleet_positions",
    "step",
    "step_positions",
    "together_step",
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


# An aircraft has many events (a state-vector replay of 5,000 aircraft lost and found again:
# 55,025 events, nearly all of no fleet, so each came here with an empty ``fleet``): its
# address text parsed once, not per event (parse_icao_hex ~1 us a call; a text it cannot parse
# raises again each time, as lru_cache keeps no exception). Bounded as pipeline.tag_fleets'
# cache: 65,536 addresses, ~10 MB at most.
_address_of = lru_cache(maxsize=1 << 16)(parse_icao_hex)


def _fleets_of(event: Event, registry: FleetRegistry) -> list[str]:
    if event.fleet:
        return [f for f in event.fleet if f in registry]
    try:
        addr = _address_of(event.icao24)
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


def step(
    state: FleetState, events: Iterable[Event], registry: FleetRegistry
) -> tuple[FleetState, list[Event]]:
    """Apply per-aircraft events (in time order) and return the fleet events they complete.

    The state is mutated in place and returned, so a caller may checkpoint it as JSON.
    """
    out: list[Event] = []
    events = _withdrawals_first(state, list(events), registry, out)
    for ev in sorted(events, key=lambda e: e.time_s):
        state.latest_s = max(state.latest_s, ev.time_s)
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
    state.landed = [w for w in state.landed if state.latest_s - _last_landing_s(w) <= WAVE_EXPIRY_S]
    return state, out


def _last_landing_s(wave: Wave) -> float:
    return max(float(i["time_s"]) for i in wave.landings.values())


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


# Why 5 NM and 15°: formation and close-trail flights of a delegation keep within a few miles
# on the same airway; two unrelated aircraft of one fleet rarely do both at once. Why 60 s:
# fixes older than that describe where an aircraft was, not where it is.
TOGETHER_MAX_NM = 5.0
TOGETHER_MAX_TRACK_DIFF_DEG = 15.0
TOGETHER_MAX_FIX_AGE_S = 60.0
# Why judge every 10 s of data time: the groups are judged on a grid of data time, not when a
# step ends, so that where the batches were cut cannot make or break a group (before, calfire
# with every aircraft in one fleet gave two more groups at 512-record batches than in one).
# 10 s is well inside the 60 s a fix stays valid, so a formation of a minute or more is always
# seen on several ticks, and a group's pairs are checked ~6 times a minute, not per fix.
TOGETHER_GRID_S = 10.0
# Why forget a group only after 10 min apart: circling firefighting aircraft (calfire, every
# aircraft in one fleet) break the 15-degree track rule while they orbit a fire at different
# phases; forgetting a group at once said it again each time it re-formed (396 events on
# calfire, one per flap). On calfire, forgetting after 60 s gives 291 events, 300 s 147, 600 s
# 118, 900 s 112, 1800 s 72: the count levels off at 10 min (two or three orbits and a drop
# run), and beyond ~15 min it starts to merge separate sorties (an airtanker's reload).
TOGETHER_FORGET_S = 600.0


@dataclass(frozen=True)
class MemberFix:
    """An airborne position of an aircraft (from the tracker), for :func:`step_positions`."""

    icao24: str
    time_s: float
    lat: float
    lon: float
    track_deg: float
    altitude_baro_ft: float | None = None
    country: str | None = None


def _distance_nm(a: MemberFix, b: MemberFix) -> float:
    return distance_nm(a.lat, a.lon, b.lat, b.lon)


def _track_diff_deg(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def step_positions(
    state: FleetState,
    fixes: Iterable[MemberFix],
    registry: FleetRegistry,
    now_s: float | None = None,
) -> tuple[FleetState, list[Event]]:
    """``fleet_together`` when two or more members of a fleet fly close on the same track.

    A group is reported once when it forms (or grows); it is forgotten once its members have not
    been together for more than :data:`TOGETHER_FORGET_S` (``state.together_last_s``), so it is
    reported again only if it forms again after that. Fixes older than
    :data:`TOGETHER_MAX_FIX_AGE_S` before ``now_s`` (default: the newest fix) are ignored; the
    events are timed ``now_s``.
    """
    fixes = list(fixes)
    if not fixes:
        return state, []
    if now_s is None:
        now_s = max(f.time_s for f in fixes)
    by_fleet: dict[str, list[MemberFix]] = {}
    for fix in fixes:
        if now_s - fix.time_s > TOGETHER_MAX_FIX_AGE_S:
            continue
        try:
            addr = parse_icao_hex(fix.icao24)
        except ValueError:
            continue
        for fleet_id in registry.match(addr, None, fix.time_s):
            by_fleet.setdefault(fleet_id, []).append(fix)
    out: list[Event] = []
    fleet_ids = set(by_fleet) | set(state.together) | set(state.together_last_s)
    for fleet_id in sorted(fleet_ids):  # deterministic order
        members = {f.icao24: f for f in by_fleet.get(fleet_id, [])}
        groups = _groups(list(members.values()))
        seen = {
            g: last_s
            for g, last_s in state.together_last_s.get(fleet_id, {}).items()
            if now_s - last_s <= TOGETHER_FORGET_S
        }
        # state.together: the groups of the last tick (all of them in ``seen`` too, except in
        # a checkpoint from before together_last_s)
        before = [set(g) for g in state.together.get(fleet_id, [])]
        before += [set(g.split(",")) for g in seen]
        for group in groups:
            if any(set(group) <= old for old in before):
                continue
            fs = [members[m] for m in group]
            lat = sum(f.lat for f in fs) / len(fs)
            lon = sum(f.lon for f in fs) / len(fs)
            countries = {f.country for f in fs if f.country}
            out.append(
                Event(
                    type="fleet_together",
                    icao24=group[0],
                    time_s=now_s,
                    country=countries.pop() if len(countries) == 1 else None,
                    reason=(
                        f"{len(group)} aircraft of fleet {fleet_id} within "
                        f"{TOGETHER_MAX_NM:g} NM on tracks within "
                        f"{TOGETHER_MAX_TRACK_DIFF_DEG:g} degrees"
                    ),
                    lat=lat,
                    lon=lon,
                    altitude_baro_ft=fs[0].altitude_baro_ft,
                    fleet=[fleet_id],
                    details={
                        "count": len(group),
                        "members": group,
                        "max_separation_nm": round(
                            max(_distance_nm(a, b) for a in fs for b in fs), 1
                        ),
                    },
                )
            )
        for group in groups:
            key = ",".join(group)
            seen[key] = max(now_s, seen.get(key, now_s))
        if seen:
            state.together_last_s[fleet_id] = seen
        else:
            state.together_last_s.pop(fleet_id, None)
        if groups:
            state.together[fleet_id] = groups
        else:
            state.together.pop(fleet_id, None)
    return state, out


def together_step(
    state: FleetState, positions: PositionBatch, registry: FleetRegistry
) -> tuple[FleetState, list[Event]]:
    """:func:`step_positions` fed from a tracker batch, judged on a grid of data time: at each
    tick ``T`` (a multiple of :data:`TOGETHER_GRID_S`), on the last airborne fix with a known
    track of each fleet member at or before ``T`` (``state.fixes``; fixes older than
    :data:`TOGETHER_MAX_FIX_AGE_S` before ``T`` dropped). A tick is judged once data after it
    has been seen (any row of the batch), so the groups do not depend on where the batches
    were cut; the next tick is carried in ``state.together_next_s``. Vectorised: only rows of
    fleet members reach Python."""
    if len(positions) == 0 or len(registry) == 0:
        return state, []
    p = positions
    air = (p.on_ground != 1) & ~np.isnan(p.track_deg)
    rows = np.flatnonzero(air)
    if rows.size:
        rows = rows[registry.member_mask(p.icao24[rows], p.time_s[rows])]
    rows = rows[np.argsort(p.time_s[rows], kind="stable")]
    out: list[Event] = []
    for i in rows.tolist():  # members only: a handful of rows per batch
        t = float(p.time_s[i])
        out += _judge_until(state, t, registry)
        key = f"{int(p.icao24[i]):06x}"
        old = state.fixes.get(key)
        if old is not None and old.time_s > t:
            continue
        alt = float(p.altitude_baro_ft[i])
        state.fixes[key] = MemberFix(
            icao24=key,
            time_s=t,
            lat=float(p.lat_deg[i]),
            lon=float(p.lon_deg[i]),
            track_deg=float(p.track_deg[i]),
            altitude_baro_ft=None if math.isnan(alt) else alt,
        )
    out += _judge_until(state, float(np.max(p.time_s)), registry)
    return state, out


def _judge_until(state: FleetState, clock_s: float, registry: FleetRegistry) -> list[Event]:
    """Judge every tick of the grid before ``clock_s`` not judged yet (the fixes at or before
    each tick are in ``state.fixes``); with no fix left, skip to the first tick at or after
    ``clock_s`` (no fix, no group)."""
    out: list[Event] = []
    if state.together_next_s == -math.inf:  # never judged (new, or an older checkpoint)
        first_s = min((f.time_s for f in state.fixes.values()), default=clock_s)
        state.together_next_s = math.ceil(first_s / TOGETHER_GRID_S) * TOGETHER_GRID_S
    while state.together_next_s < clock_s:
        tick_s = state.together_next_s
        state.fixes = {
            k: f for k, f in state.fixes.items() if tick_s - f.time_s <= TOGETHER_MAX_FIX_AGE_S
        }
        if not state.fixes:
            state.together.clear()
            state.together_next_s = math.ceil(clock_s / TOGETHER_GRID_S) * TOGETHER_GRID_S
            break
        out += step_positions(state, list(state.fixes.values()), registry, tick_s)[1]
        state.together_next_s = tick_s + TOGETHER_GRID_S
    return out


def _groups(fixes: list[MemberFix]) -> list[list[str]]:
    """Connected groups (≥ 2) under "close and same track" (union-find over pairs)."""
    parent = list(range(len(fixes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(fixes)):
        for j in range(i + 1, len(fixes)):
            a, b = fixes[i], fixes[j]
            if (
                _distance_nm(a, b) <= TOGETHER_MAX_NM
                and _track_diff_deg(a.track_deg, b.track_deg) <= TOGETHER_MAX_TRACK_DIFF_DEG
            ):
                parent[find(i)] = find(j)
    clusters: dict[int, list[str]] = {}
    for i, fix in enumerate(fixes):
        clusters.setdefault(find(i), []).append(fix.icao24)
    return sorted(sorted(c) for c in clusters.values() if len(c) >= 2)
