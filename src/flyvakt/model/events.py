"""The event record (DESIGN.md section 3): JSON line, store row and API object alike."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter, itemgetter
from time import gmtime, strftime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

_E = TypeVar("_E")

EventType = Literal[
    "takeoff",
    "landing",
    "stopover",
    "go_around",
    "touch_and_go",
    "airspace_entry",
    "airspace_exit",
    "emergency_squawk",
    "signal_lost",
    "signal_regained",
    "landing_withdrawn",
    "spoofing_suspected",
    "fleet_departed",
    "fleet_landed",
    "fleet_landed_withdrawn",
    "fleet_together",
]
Basis = Literal["observed", "inferred", "possible"]


@dataclass(frozen=True)
class AirportRef:
    icao: str
    iata: str
    name: str
    country: str  # ISO 3166 alpha-2
    tz: str  # IANA zone
    lat_deg: float
    lon_deg: float
    elevation_ft: float

    def to_json(self) -> dict[str, Any]:
        return {
            "icao": self.icao,
            "iata": self.iata or None,
            "name": self.name,
            "country": self.country,
            "tz": self.tz,
        }


@dataclass(slots=True)
class Event:
    type: EventType
    icao24: str  # lower-case hex
    time_s: float  # UTC epoch seconds
    callsign: str | None = None
    airport: AirportRef | None = None
    country: str | None = None
    basis: Basis = "observed"
    confidence: float = 1.0
    reason: str = ""
    # ICAO codes of other airports, and the ids of the fleets the aircraft is in: read-only
    # sequences, the empty tuple when there are none (no list built per event: the signal-lost
    # sweep makes thousands of events at once, and each list is one more object for the GC).
    candidates: Sequence[str] = ()
    lat: float | None = None
    lon: float | None = None
    altitude_baro_ft: float | None = None
    local_tz: str | None = None  # IANA zone at the place, for local_time
    fleet: Sequence[str] = ()
    details: dict[str, Any] = field(default_factory=dict)  # type-specific extras

    @property
    def time_iso(self) -> str:
        return iso_utc(self.time_s)

    def local_time_iso(self) -> str | None:
        zone = self.local_tz or (self.airport.tz if self.airport else None)
        if not zone:
            return None
        # The instant in the zone straight away: the same as converting from UTC (both are
        # the zone's fromutc of the same instant), one datetime fewer.
        return datetime.fromtimestamp(self.time_s, tz=ZoneInfo(zone)).isoformat(timespec="seconds")

    def to_json(self) -> dict[str, Any]:
        num = _num
        return {
            "type": self.type,
            "icao24": self.icao24,
            "callsign": self.callsign,
            "time": self.time_iso,
            "airport": self.airport.to_json() if self.airport else None,
            "country": self.country,
            "basis": self.basis,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "candidates": list(self.candidates),
            "lat": num(self.lat, 5),
            "lon": num(self.lon, 5),
            "altitude_baro_ft": num(self.altitude_baro_ft, 0),
            "local_time": self.local_time_iso(),
            "fleet": list(self.fleet),
            **({"details": self.details} if self.details else {}),
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def settled(events: list[Event]) -> list[Event]:
    """The events as finally judged: each withdrawal removes itself and the event it withdraws
    (``landing_withdrawn`` a landing, ``fleet_landed_withdrawn`` a fleet landing that counted
    it). A live feed says what it knew when (a landing inferred 20 minutes after the signal was
    lost on an approach, withdrawn when the aircraft is seen again and the gap rules judge both
    sides); a replay, which holds the whole data, gives the final judgement, the same wherever
    the batches were cut (docs/batch-split.md)."""
    return settled_by(events, event_parts, attrgetter("time_iso"))


def settled_json(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`settled` of event records (``Event.to_json()``, as the store gives them)."""
    return settled_by(events, record_parts, itemgetter("time"))


# What a withdrawal and the event it withdraws are matched by (with the event's ISO time):
# type, aircraft, details, fleets.
Parts = tuple[Any, Any, Mapping[str, Any], Sequence[str]]


def event_parts(e: Event) -> Parts:
    return e.type, e.icao24, e.details, e.fleet


def record_parts(e: Mapping[str, Any]) -> Parts:
    return e.get("type"), e.get("icao24"), e.get("details") or {}, e.get("fleet") or []


def settled_by(
    events: list[_E], parts: Callable[[_E], Parts], time_iso: Callable[[_E], Any]
) -> list[_E]:
    """:func:`settled` of any kind of event (or a mix of kinds) whose ``parts`` and
    ``time_iso`` say what each is: the withdrawals and the events they withdraw left out, the
    rest in their order. A withdrawal names its event by type, aircraft and time
    (``details.withdrawn``), a fleet one also by fleet; only a landing inferred when the signal
    was lost (``details.signal_lost_after``) is ever withdrawn."""
    each = [parts(e) for e in events]
    gone = {k for k in (_pulls(*p) for p in each) if k is not None}
    if not gone:
        return events
    return [
        e
        for e, (kind, a, d, f) in zip(events, each, strict=True)
        if kind not in WITHDRAWALS and _said(kind, a, time_iso(e), d, f) not in gone
    ]


# A withdrawal → the type of the event it withdraws.
WITHDRAWALS = {"landing_withdrawn": "landing", "fleet_landed_withdrawn": "fleet_landed"}


def _pulls(kind: Any, icao24: Any, details: Mapping[str, Any], fleet: Sequence[str]) -> Any:
    """The key of the event a withdrawal withdraws (None for any other event)."""
    what, when = WITHDRAWALS.get(kind), details.get("withdrawn")
    if what is None or when is None:
        return None
    return (what, icao24, when, tuple(fleet)) if what == "fleet_landed" else (what, icao24, when)


def _said(
    kind: Any, icao24: Any, time: Any, details: Mapping[str, Any], fleet: Sequence[str]
) -> Any:
    """The key under which a withdrawal would name this event (None: never withdrawn)."""
    if kind == "landing" and details.get("signal_lost_after"):
        return (kind, icao24, time)
    if kind == "fleet_landed":
        return (kind, icao24, time, tuple(fleet))
    return None


def gap_seconds(details: Mapping[str, Any]) -> float | None:
    """The length of ``details.gap`` (``seconds``, else ``end`` - ``start``), None if unknown."""
    gap = details.get("gap")
    if not isinstance(gap, Mapping):
        return None
    if isinstance(gap.get("seconds"), int | float):
        return float(gap["seconds"])
    try:
        start = datetime.fromisoformat(str(gap["start"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(gap["end"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def _num(x: float | None, nd: int) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), nd)


# Texts of recent times kept: state vectors come in whole seconds, so the events of a batch (a
# signal_regained and its gap's two ends for each of thousands of aircraft heard again) share a
# few hundred distinct times; 4,096 covers a batch's and costs ~0.5 MB.
_ISO_CACHE = 4096


# iso_utc's own formatting (gmtime, strftime: ~0.9 us, where datetime's isoformat with a zone
# took ~2.5 us) for the times whose text it gives as datetime does: years 1000-9999 (datetime's
# range, and 4 digits: strftime writes a year below 1000 unpadded), and a fraction below
# _ISO_FRAC_MAX (datetime rounds to the microsecond first: from 1 - 0.5e-6 on, a time shows
# the next second; the margin leaves the rounding of the subtraction to datetime too).
_ISO_FAST_FROM_S = -30_610_224_000.0  # 1000-01-01T00:00:00Z
_ISO_FAST_TO_S = 253_402_300_800.0  # 10000-01-01T00:00:00Z
_ISO_FRAC_MAX = 0.9999


@lru_cache(maxsize=_ISO_CACHE)
def iso_utc(time_s: float) -> str:
    """ISO 8601 in UTC with a Z, to the second (event times are not more precise than that)."""
    if _ISO_FAST_FROM_S <= time_s < _ISO_FAST_TO_S:  # NaN: no
        whole = math.floor(time_s)
        if time_s - whole < _ISO_FRAC_MAX:
            return strftime("%Y-%m-%dT%H:%M:%SZ", gmtime(whole))
    dt = datetime.fromtimestamp(time_s, tz=UTC)
    if dt.year < 1000:  # strftime writes such a year unpadded (glibc): as it always did
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    # isoformat is strftime's text here ("+00:00" for the "Z"), without parsing a format.
    return dt.isoformat(timespec="seconds")[:-6] + "Z"


def iso_utc_ms(time_s: float) -> str:
    """ISO 8601 in UTC to the millisecond, for track points."""
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
