"""``fleet_landed`` for a wave whose member landings do not all name an airport.

Since session 8 a landing inferred from a track lost on approach, but not on short final, names
no airport (``airport: null``); it lists every airport within reach of its last fix as
``candidates`` and says so with ``details.candidates_within_nm`` (detect/lastfix.py). The
reconstruction's three Pyongyang landings are such landings, each with the candidates [ZKPY].
A fleet fact can still be said from them, honestly:

- every member of the wave has landed (observed or inferred); a member never seen landing
  keeps the wave open, so "the last of N" is never said with one missing;
- each member's place is known to lie in a set of airports: its named airport, or, for a
  landing that names none, its complete candidate list (``candidates_within_nm`` present,
  otherwise the list is only a ranking and the place is unknown: no fleet fact);
- those sets all fit one place: one airport (every list is that airport alone), else one city
  (every airport is in the same city and country, as airportsdata says), else one country.
  Anything wider (candidates in two countries) gives no fleet fact.

The event is ``basis: inferred`` (never observed: at least one landing was not seen),
``airport: null`` (the fleet stage never names an airport the detector did not), ``country``
the place's country, ``candidates`` every airport in the sets, and in ``details`` the place
(``place.kind`` airport/city/country), the members whose landing names no airport, and each
member's evidence (time, basis, airport or candidates, last position, the detector's reason).
The bulletin names the airport only as "the only airport within reach" (i18n/bulletins.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyvakt.model.events import AirportRef, Event, iso_utc

if TYPE_CHECKING:
    from flyvakt.fleets.events import Wave

__all__ = ["landing_info", "unnamed_wave_landed", "wave_details"]


def landing_info(ev: Event) -> dict[str, Any]:
    """What a wave keeps of a member's landing (plain values: checkpointed as they are)."""
    d = ev.details or {}
    within = d.get("candidates_within_nm")
    return {
        "airport": ev.airport,
        "time_s": ev.time_s,
        "basis": ev.basis,
        "confidence": ev.confidence,
        "callsign": ev.callsign,
        "candidates": list(ev.candidates),
        "candidates_within_nm": float(within) if isinstance(within, int | float) else None,
        "lat": ev.lat,
        "lon": ev.lon,
        "altitude_baro_ft": ev.altitude_baro_ft,
        "reason": ev.reason,
        "tz": ev.local_tz or (str(d["tz"]) if d.get("tz") else None),
        # inferred when the signal was lost: the one kind of landing a withdrawal can take back
        "withdrawable": bool(d.get("signal_lost_after")),
    }


def _place_set(info: dict[str, Any]) -> list[str] | None:
    """The airports this landing lies at (in the detector's order), or None if unknown."""
    ap = info.get("airport")
    if isinstance(ap, AirportRef):
        return [ap.icao]
    codes = [str(c) for c in info.get("candidates") or []]
    # A list without candidates_within_nm is a ranking (e.g. across a gap), not every airport
    # within reach: it cannot place the aircraft.
    if info.get("basis") != "inferred" or info.get("candidates_within_nm") is None:
        return None
    return codes or None


def _city(icao: str) -> str | None:
    from flyvakt.i18n.format import airport_records

    rec = airport_records().get(icao)
    city = str(rec.get("city") or "").split("/")[0].strip() if rec else ""
    return city or None


def _fit(codes: list[str]) -> tuple[str, str, str, str | None] | None:
    """(kind, code, country, tz) of the one place every airport lies in, or None."""
    from flyvakt.geo import get_world

    world = get_world()
    refs = [world.airport(c) for c in codes]
    if any(r is None for r in refs):
        return None  # an airport we cannot place: no fleet fact rather than a guess
    known = [r for r in refs if r is not None]
    countries = {r.country for r in known}
    if len(countries) != 1:
        return None
    country = countries.pop()
    zones = {r.tz for r in known if r.tz}
    tz = zones.pop() if len(zones) == 1 else None
    if len(codes) == 1:
        return "airport", codes[0], country, tz
    cities = {_city(c) for c in codes}
    if len(cities) == 1 and None not in cities:
        return "city", str(cities.pop()), country, tz
    return "country", country, country, tz


def _round(x: object, nd: int) -> float | None:
    if not isinstance(x, int | float) or x != x:  # None, or NaN: missing
        return None
    return round(float(x), nd)


def _member_evidence(icao24: str, info: dict[str, Any]) -> dict[str, Any]:
    ap = info.get("airport")
    return {
        "icao24": icao24,
        "callsign": info.get("callsign"),
        "time": iso_utc(float(info["time_s"])),
        "basis": info.get("basis"),
        "airport": ap.icao if isinstance(ap, AirportRef) else None,
        "candidates": list(info.get("candidates") or []),
        "candidates_within_nm": info.get("candidates_within_nm"),
        "lat": _round(info.get("lat"), 5),
        "lon": _round(info.get("lon"), 5),
        "altitude_baro_ft": _round(info.get("altitude_baro_ft"), 0),
        "reason": info.get("reason") or "",
    }


def unnamed_wave_landed(wave: Wave) -> list[Event]:
    """The one fleet event of a complete wave some of whose landings name no airport, or none
    when a member's place is unknown or the places do not fit one airport, city or country."""
    members = sorted(wave.landings, key=lambda m: wave.landings[m]["time_s"])
    infos = [wave.landings[m] for m in members]
    codes: list[str] = []
    for info in infos:
        place = _place_set(info)
        if place is None:
            return []
        codes.extend(c for c in place if c not in codes)
    fit = _fit(codes)
    if fit is None:
        return []
    kind, code, country, tz = fit
    last = infos[-1]
    unnamed = [m for m, i in zip(members, infos, strict=True) if i.get("airport") is None]
    inferred = [m for m, i in zip(members, infos, strict=True) if i["basis"] != "observed"]
    where = {
        "airport": f"{code} was the only airport within reach of each aircraft's last position",
        "city": f"every airport within reach of the last positions is in {code}",
        "country": f"every airport within reach of the last positions is in {code}",
    }[kind]
    return [
        Event(
            type="fleet_landed",
            icao24=members[-1],
            time_s=float(last["time_s"]),
            callsign=last.get("callsign"),
            airport=None,
            country=country,
            basis="inferred",
            confidence=min(float(i["confidence"]) for i in infos),
            reason=(
                f"all {len(members)} aircraft of fleet {wave.fleet_id} that took off from "
                f"{wave.origin.icao} landed; {len(unnamed)} of the landings name no airport "
                f"(inferred, not observed): {where}"
                + (f" ({', '.join(codes)})" if kind != "airport" else "")
            ),
            candidates=codes,
            lat=last.get("lat"),
            lon=last.get("lon"),
            local_tz=tz or last.get("tz"),
            fleet=[wave.fleet_id],
            details={
                **wave_details(wave, members, inferred),
                "unnamed_members": unnamed,
                "place": {"kind": kind, "code": code, "country": country},
                "member_landings": [
                    _member_evidence(m, i) for m, i in zip(members, infos, strict=True)
                ],
            },
        )
    ]


def wave_details(wave: Wave, members: list[str], inferred: list[str]) -> dict[str, Any]:
    """The ``details`` every ``fleet_landed`` carries (``members`` in landing order)."""
    return {
        "count": len(members),
        "departed_count": len(wave.departures),
        "members": members,
        "inferred_members": inferred,
        "origin": wave.origin.icao,
        "origin_airport": wave.origin.to_json(),
        "first_takeoff_s": wave.first_takeoff_s,
        "first_landing_s": wave.landings[members[0]]["time_s"],
        "last_landing_s": wave.landings[members[-1]]["time_s"],
    }
