"""Typed response models of the main endpoints; the OpenAPI schemas are generated from them.

TypedDicts (the handlers build plain dicts; these say what they hold) turned into JSON Schema
by msgspec. ``tests/unit/serve/test_openapi_models.py`` checks every endpoint's real answer
against its model: the types convert, and no key is returned that the model does not name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Required, TypedDict

import msgspec

__all__ = ["RESPONSE_MODELS", "response_schemas"]

_TIME = "UTC, ISO 8601 with Z"


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class Airport(TypedDict, total=False):
    icao: Required[str]
    iata: str | None
    name: str | None
    country: Annotated[str | None, _d("ISO 3166 alpha-2")]
    tz: Annotated[str | None, _d("IANA time zone")]
    place: Annotated[
        str,
        _d("/api/verify only: the name the verdict gives it in its language ('Toulouse')"),
    ]


class Event(TypedDict, total=False):
    """An event record (DESIGN.md section 3)."""

    type: Required[Annotated[str, _d("takeoff, landing, touch_and_go, airspace_entry, ...")]]
    icao24: Required[Annotated[str, _d("6 hex digits; ~ first for a non-ICAO address")]]
    time: Required[Annotated[str, _d(_TIME)]]
    basis: Required[Annotated[str, _d("observed or inferred")]]
    callsign: str | None
    airport: Airport | None
    country: Annotated[str | None, _d("ISO 3166 alpha-2")]
    confidence: float
    reason: str
    candidates: Annotated[list[str], _d("other airports it could have been")]
    lat: float | None
    lon: float | None
    altitude_baro_ft: float | None
    local_time: Annotated[str | None, _d("the airport's or place's local time, with offset")]
    fleet: list[str]
    details: Annotated[dict[str, Any], _d("type-specific extras (on_ground, gap, squawk...)")]


class EventsResponse(TypedDict):
    events: list[Event]


class Aircraft(TypedDict, total=False):
    """readsb/tar1090 aircraft.json keys and units (README-json.md); unknown keys omitted."""

    hex: Required[Annotated[str, _d("6 hex digits; ~ first for a non-ICAO address")]]
    type: Annotated[str, _d("readsb's source type: adsb_icao, mlat, tisb_other, mode_s, ...")]
    flight: Annotated[str, _d("callsign, padded to 8 characters")]
    alt_baro: Annotated[int | Literal["ground"], _d("ft (1013.25 hPa) or 'ground'")]
    alt_geom: Annotated[int, _d("ft, geometric")]
    gs: Annotated[float, _d("kt")]
    track: Annotated[float, _d("degrees true")]
    baro_rate: Annotated[int, _d("ft/min")]
    squawk: Annotated[str, _d("4 octal digits")]
    emergency: str
    category: Annotated[str, _d("A0..D7")]
    lat: float
    lon: float
    seen_pos: Annotated[float, _d("s since the position")]
    version: Annotated[int, _d("ADS-B version")]
    nac_p: int
    mlat: Annotated[list[str], _d("fields derived from MLAT")]
    tisb: Annotated[list[str], _d("fields derived from TIS-B")]
    messages: int
    seen: Annotated[float, _d("s since anything was heard")]
    nav_altitude_mcp: Annotated[int, _d("ft, selected altitude (MCP/FCU), Comm-B BDS 4,0")]
    nav_altitude_fms: Annotated[int, _d("ft, selected altitude (FMS), Comm-B BDS 4,0")]
    nav_qnh: Annotated[float, _d("hPa, Comm-B BDS 4,0")]
    roll: Annotated[float, _d("degrees, Comm-B BDS 5,0")]
    tas: Annotated[int, _d("kt, true airspeed, Comm-B BDS 5,0")]
    mag_heading: Annotated[float, _d("degrees, Comm-B BDS 6,0")]
    ias: Annotated[int, _d("kt, indicated airspeed, Comm-B BDS 6,0")]
    mach: Annotated[float, _d("Comm-B BDS 6,0")]
    source: Annotated[str, _d("flyvakt: the newest fix's source (adsb, mlat, tisb, ...)")]
    fleet: Annotated[list[str], _d("flyvakt: fleet ids")]
    field_age_s: Annotated[dict[str, float], _d("flyvakt (live): age of each field, s")]
    r: Annotated[str, _d("registration")]
    t: Annotated[str, _d("ICAO type designator")]


class AircraftResponse(TypedDict):
    now: Annotated[float | None, _d("epoch s the list is for")]
    live: bool
    aircraft: list[Aircraft]


class ReadsbAircraftResponse(TypedDict, total=False):
    now: Required[Annotated[float | None, _d("epoch s the list is for")]]
    messages: int
    aircraft: Required[list[Aircraft]]


class Flight(TypedDict):
    icao24: str
    callsign: str | None
    first_seen_s: float
    last_seen_s: float
    takeoff_time_s: Annotated[float | None, _d("epoch s; null when the leg starts unseen")]
    landing_time_s: Annotated[float | None, _d("epoch s; null while airborne or unseen")]
    origin: Annotated[str | None, _d("ICAO airport")]
    destination: Annotated[str | None, _d("ICAO airport")]
    takeoff_basis: Annotated[str | None, _d("observed or inferred")]
    landing_basis: Annotated[str | None, _d("observed or inferred")]


class FlightsResponse(TypedDict):
    flights: list[Flight]


class Receiver(TypedDict):
    lat: float
    lon: float


class StatusResponse(TypedDict):
    live: bool
    hub: Annotated[dict[str, Any] | None, _d("the live engine's counters; null when replaying")]
    first_fix_s: float | None
    last_fix_s: float | None
    data_through_s: Annotated[float | None, _d("epoch s the stored data is complete to")]
    fleets_file: str | None
    receivers: list[Receiver]
    fleets_default: Annotated[bool, _d("the fleets file is the bundled example")]
    data_label: Annotated[str | None, _d("e.g. a reconstruction notice")]
    writable: Annotated[bool, _d("PUT /api/fleets is enabled (a token is set)")]


class Claim(TypedDict, total=False):
    subject_kind: Required[str]
    subject: Required[str]
    predicate: Required[str]
    object: str | None
    object_kind: str | None
    airports: list[str]
    at: str | None
    since: str | None
    time_basis: str | None
    around: Annotated[
        list[str], _d("an 'around' time: the times meant, each judged within 15 minutes")
    ]
    ordinal: Annotated[
        Literal["first", "last"],
        _d("'the last (first) plane of' a fleet: the member landing last (first)"),
    ]


class Fix(TypedDict, total=False):
    time: Required[str]
    lat: float
    lon: float
    altitude_baro_ft: int | float | None
    on_ground: bool | None
    airport: Airport | None
    country: str | None


class Member(TypedDict, total=False):
    icao24: Required[str]
    registration: str | None
    outcome: str
    basis: str | None
    rule: str
    events: list[Event]
    last_fix_before: Fix | None
    first_fix_after: Fix | None
    gap: dict[str, Any] | None


class Evidence(TypedDict, total=False):
    members: list[Member]
    events: list[Event]
    coverage_gaps: list[dict[str, Any]]
    members_not_in_data: list[str]
    landings: Annotated[
        list[dict[str, Any]],
        _d("a fleet's landings (takeoffs) at the place, first to last: icao24, time, basis"),
    ]
    sentences: Annotated[list[str], _d("the verdict's reasons, in the request's language")]


class VerdictResponse(TypedDict, total=False):
    claim: Required[Claim]
    verdict: Required[Literal["supported", "contradicted", "unverifiable"]]
    basis: Annotated[str | None, _d("observed or inferred")]
    term: Annotated[str, _d("observed-supported, inferred-supported, contradicted, ...")]
    as_of: str
    time_basis: str
    summary: Required[str]
    evidence: Evidence
    rule: str
    data_through: Annotated[str | None, _d(_TIME)]


# Path -> (method, model of its 200 answer).
RESPONSE_MODELS: dict[str, tuple[str, Any]] = {
    "/api/aircraft": ("get", AircraftResponse),
    "/data/aircraft.json": ("get", ReadsbAircraftResponse),
    "/api/events": ("get", EventsResponse),
    "/api/flights": ("get", FlightsResponse),
    "/api/status": ("get", StatusResponse),
    "/api/verify": ("post", VerdictResponse),
}


def response_schemas() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(path -> schema reference, components/schemas) for :data:`RESPONSE_MODELS`."""
    models = [m for _, m in RESPONSE_MODELS.values()]
    refs, components = msgspec.json.schema_components(
        models, ref_template="#/components/schemas/{name}"
    )
    return dict(zip(RESPONSE_MODELS, refs, strict=True)), components
