"""Scenario model: aircraft, legs, receivers, coverage regions and faults, read from TOML.

A scenario file (all times UTC ISO 8601; positions ``[lat, lon]`` in degrees)::

    label = "what this is (printed by every output)"
    seed = 1
    start = "2024-06-18T00:00:00Z"         # optional window; default: whole timeline
    end = "2024-06-18T18:00:00Z"

    [routes]                               # named waypoint lists, shared by legs
    east = [[57.0, 136.0], [50.5, 139.5]]

    [[aircraft]]
    icao24 = "157711"
    registration = "RA-96017"
    callsign = "RA96017"
    type = "IL96"                          # type family picks the performance (flight.PROFILES)
    squawk = "1000"
    squawk_changes = [["2024-06-18T03:00:00Z", "7700"]]   # optional: emergency from then on

    [[aircraft.legs]]
    from = "UUWW"                          # ICAO codes, coordinates from airportsdata
    to = "UEEE"
    takeoff = "2024-06-18T00:30:00Z"
    route = "east"                         # or via = [[lat, lon], ...]
    taxi_out_min = 15                      # optional; defaults below
    taxi_in_min = 8
    cruise_fl = 370                        # optional overrides of the type table
    cruise_tas_kt = 470

    [[receivers]]                          # a ground station: range and radio horizon
    name = "vnukovo"
    lat = 55.6
    lon = 37.3
    altitude_ft = 600
    range_nm = 220

    [[coverage]]                           # a region seen above a floor (e.g. a distant network)
    name = "korea-high"
    polygon = [[40.0, 124.0], [40.0, 131.0], [38.0, 131.0], [38.0, 124.0]]
    # or: box = [lat_min, lat_max, lon_min, lon_max]
    min_altitude_ft = 15000

    [emission]
    rate_scale = 1.0                       # < 1 thins every rate (fast tests)
    interrogation_hz = 0.4                 # DF4/5/20/21 replies per second

    [faults]
    bit_error_rate = 0.0                   # fraction of frames with one flipped bit
    duplicates = false                     # true: one copy per receiver that hears the frame
    jitter_s = 0.0                         # std-dev of timestamp noise (out-of-order output)
    [[faults.spoofing]]
    start = "..."; end = "..."; box = [lat_min, lat_max, lon_min, lon_max]
    mode = "freeze"                        # or "offset" with offset_deg = [dlat, dlon]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.sim.flight import (
    AirPhase,
    GroundPhase,
    Path,
    Phase,
    TypeProfile,
    bearing_deg,
    destination,
    profile_for,
)

# Defaults chosen from typical large-airport operations (minutes).
DEFAULT_TAXI_OUT_MIN = 12.0
DEFAULT_TAXI_IN_MIN = 8.0
# Parked with the transponder on before the first taxi and after the last: crews power the
# transponder during pre-flight; 15 min gives a few surface position reports either side.
PARKED_EDGE_MIN = 15.0
# Stands are within ~1 NM of the reference point at the airports of interest.
TAXI_DISTANCE_NM = 0.8


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the field."""


def parse_time(value: Any, where: str) -> float:
    """ISO 8601 (or a TOML datetime) to epoch seconds; naive times are taken as UTC."""
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ScenarioError(f"{where}: not an ISO 8601 time: {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


@dataclass
class Receiver:
    name: str
    lat_deg: float
    lon_deg: float
    altitude_ft: float = 100.0
    range_nm: float = 200.0


@dataclass
class CoverageRegion:
    name: str
    polygon: list[tuple[float, float]]  # (lat, lon)
    min_altitude_ft: float = 0.0


@dataclass
class Spoofing:
    start_s: float
    end_s: float
    box: tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max
    mode: str = "freeze"
    offset_deg: tuple[float, float] = (0.0, 0.0)


@dataclass
class Faults:
    bit_error_rate: float = 0.0
    duplicates: bool = False
    jitter_s: float = 0.0
    spoofing: list[Spoofing] = field(default_factory=list)


@dataclass
class Aircraft:
    icao24: int
    registration: str
    callsign: str
    type_code: str
    squawk: int
    perf: TypeProfile
    phases: list[Phase] = field(default_factory=list)
    squawk_changes: list[tuple[float, int]] = field(default_factory=list)  # (time_s, squawk)

    def squawk_at(self, t: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The squawk set at each time (``squawk`` before the first change)."""
        out = np.full(t.shape, self.squawk, dtype=np.int64)
        for t0, sq in sorted(self.squawk_changes):
            out[t >= t0] = sq
        return out


@dataclass
class Scenario:
    label: str
    seed: int
    aircraft: list[Aircraft]
    receivers: list[Receiver]
    coverage: list[CoverageRegion]
    faults: Faults
    rate_scale: float = 1.0
    interrogation_hz: float = 0.4
    start_s: float = float("nan")
    end_s: float = float("nan")


def _airport(code: str, where: str) -> tuple[float, float, float]:
    import airportsdata  # deferred: loads a ~30k-row table

    if "ICAO" not in _AIRPORTS:
        _AIRPORTS["ICAO"] = airportsdata.load("ICAO")
    table = _AIRPORTS["ICAO"]
    row = table.get(code.upper())
    if row is None:
        raise ScenarioError(f"{where}: unknown airport ICAO code {code!r}")
    return float(row["lat"]), float(row["lon"]), float(row["elevation"])


_AIRPORTS: dict[str, Any] = {}


def _build_phases(
    ac: Aircraft, legs: list[dict[str, Any]], routes: dict[str, Any], where: str
) -> list[Phase]:
    phases: list[Phase] = []
    stand: tuple[float, float] | None = None
    for k, leg in enumerate(legs):
        w = f"{where}.legs[{k}]"
        try:
            lat0, lon0, el0 = _airport(str(leg["from"]), w)
            lat1, lon1, el1 = _airport(str(leg["to"]), w)
            takeoff = parse_time(leg["takeoff"], w + ".takeoff")
        except KeyError as exc:
            raise ScenarioError(f"{w}: missing field {exc.args[0]!r}") from exc
        via = leg.get("via") or (routes.get(str(leg["route"])) if "route" in leg else []) or []
        if "route" in leg and str(leg["route"]) not in routes:
            raise ScenarioError(f"{w}: unknown route {leg['route']!r}")
        pts = [(lat0, lon0), *[(float(p[0]), float(p[1])) for p in via], (lat1, lon1)]
        path = Path(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
        taxi_out = float(leg.get("taxi_out_min", DEFAULT_TAXI_OUT_MIN)) * 60.0
        taxi_in = float(leg.get("taxi_in_min", DEFAULT_TAXI_IN_MIN)) * 60.0
        if stand is None:  # first leg: stand behind the departure end of the initial track
            brg = float(bearing_deg(lat0, lon0, pts[1][0], pts[1][1]))
            slat, slon = destination(lat0, lon0, brg + 180.0, TAXI_DISTANCE_NM)
            stand = (float(slat), float(slon))
            phases.append(
                GroundPhase(
                    takeoff - taxi_out - PARKED_EDGE_MIN * 60,
                    takeoff - taxi_out,
                    *stand,
                    *stand,
                    el0,
                )
            )
        else:
            prev_end = phases[-1].t1_s
            if prev_end > takeoff - taxi_out:
                raise ScenarioError(f"{w}: takeoff before the previous leg has ended")
            phases.append(GroundPhase(prev_end, takeoff - taxi_out, *stand, *stand, el0))
        phases.append(GroundPhase(takeoff - taxi_out, takeoff, *stand, lat0, lon0, el0))
        air = AirPhase(
            takeoff,
            path,
            el0,
            el1,
            ac.perf,
            float(leg.get("cruise_fl", ac.perf.cruise_ft / 100.0)) * 100.0,
            float(leg.get("cruise_tas_kt", ac.perf.cruise_tas_kt)),
        )
        phases.append(air)
        final_trk = float(bearing_deg(pts[-2][0], pts[-2][1], lat1, lon1))
        slat, slon = destination(lat1, lon1, final_trk, TAXI_DISTANCE_NM)
        stand = (float(slat), float(slon))
        phases.append(GroundPhase(air.t1_s, air.t1_s + taxi_in, lat1, lon1, *stand, el1))
    if stand is not None and legs:
        end = phases[-1].t1_s
        phases.append(
            GroundPhase(
                end,
                end + PARKED_EDGE_MIN * 60,
                *stand,
                *stand,
                phases[-1].elevation_ft if isinstance(phases[-1], GroundPhase) else 0.0,
            )
        )
    return phases


def _squawk(value: Any, where: str) -> int:
    text = str(value)
    if len(text) != 4 or any(c not in "01234567" for c in text):
        raise ScenarioError(f"{where}: squawk must be four octal digits, got {value!r}")
    return int(text)


def _polygon(c: dict[str, Any], where: str) -> list[tuple[float, float]]:
    """A region's ``polygon = [[lat, lon], ...]`` or ``box = [lat_min, lat_max, lon_min,
    lon_max]``."""
    if "polygon" in c:
        try:
            return [(float(p[0]), float(p[1])) for p in c["polygon"]]
        except (TypeError, ValueError, IndexError) as exc:
            raise ScenarioError(f"{where}.polygon: expected [[lat, lon], ...]") from exc
    la0, la1, lo0, lo1 = _box(c.get("box"), f"{where}.box")
    return [(la0, lo0), (la0, lo1), (la1, lo1), (la1, lo0)]


def _box(value: Any, where: str) -> tuple[float, float, float, float]:
    try:
        lat_min, lat_max, lon_min, lon_max = (float(x) for x in value)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{where}: expected [lat_min, lat_max, lon_min, lon_max]") from exc
    return lat_min, lat_max, lon_min, lon_max


def from_dict(doc: dict[str, Any], name: str = "<scenario>") -> Scenario:
    """Build a scenario from a parsed TOML document; errors name ``name`` and the field."""
    routes = dict(doc.get("routes", {}))
    aircraft: list[Aircraft] = []
    for i, a in enumerate(doc.get("aircraft", [])):
        where = f"{name}: aircraft[{i}]"
        try:
            icao = int(str(a["icao24"]), 16)
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{where}: icao24 must be 6 hex digits") from exc
        type_code = str(a.get("type", "A321"))
        ac = Aircraft(
            icao,
            str(a.get("registration", "")),
            str(a.get("callsign", "")),
            type_code,
            _squawk(a.get("squawk", "1000"), where),
            profile_for(type_code),
        )
        ac.phases = _build_phases(ac, list(a.get("legs", [])), routes, where)
        for k, change in enumerate(a.get("squawk_changes", [])):
            w = f"{where}.squawk_changes[{k}]"
            if not isinstance(change, list | tuple) or len(change) != 2:
                raise ScenarioError(f"{w}: expected [time, squawk]")
            ac.squawk_changes.append((parse_time(change[0], w), _squawk(change[1], w)))
        aircraft.append(ac)
    receivers = [
        Receiver(
            str(r.get("name", f"rx{i}")),
            float(r["lat"]),
            float(r["lon"]),
            float(r.get("altitude_ft", 100.0)),
            float(r.get("range_nm", 200.0)),
        )
        for i, r in enumerate(doc.get("receivers", []))
    ]
    coverage = [
        CoverageRegion(
            str(c.get("name", f"region{i}")),
            _polygon(c, f"{name}: coverage[{i}]"),
            float(c.get("min_altitude_ft", 0.0)),
        )
        for i, c in enumerate(doc.get("coverage", []))
    ]
    f = doc.get("faults", {})
    spoofs = [
        Spoofing(
            parse_time(s["start"], f"{name}: faults.spoofing[{i}].start"),
            parse_time(s["end"], f"{name}: faults.spoofing[{i}].end"),
            _box(s.get("box"), f"{name}: faults.spoofing[{i}].box"),
            str(s.get("mode", "freeze")),
            (float(s.get("offset_deg", (0, 0))[0]), float(s.get("offset_deg", (0, 0))[1])),
        )
        for i, s in enumerate(f.get("spoofing", []))
    ]
    faults = Faults(
        float(f.get("bit_error_rate", 0.0)),
        bool(f.get("duplicates", False)),
        float(f.get("jitter_s", 0.0)),
        spoofs,
    )
    em = doc.get("emission", {})
    sc = Scenario(
        str(doc.get("label", name)),
        int(doc.get("seed", 0)),
        aircraft,
        receivers,
        coverage,
        faults,
        float(em.get("rate_scale", 1.0)),
        float(em.get("interrogation_hz", 0.4)),
    )
    t0 = min((ph.t0_s for ac in aircraft for ph in ac.phases), default=0.0)
    t1 = max((ph.t1_s for ac in aircraft for ph in ac.phases), default=0.0)
    sc.start_s = parse_time(doc["start"], f"{name}: start") if "start" in doc else t0
    sc.end_s = parse_time(doc["end"], f"{name}: end") if "end" in doc else t1
    return sc


def load(path: str | FsPath) -> Scenario:
    """Read a scenario TOML file (the only I/O here)."""
    p = FsPath(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from exc
    return from_dict(doc, str(p))


def bundled(name: str) -> FsPath:
    """Path of a scenario shipped in flyvakt/data/scenarios (``name`` without .toml)."""
    return FsPath(__file__).resolve().parent.parent / "data" / "scenarios" / f"{name}.toml"
