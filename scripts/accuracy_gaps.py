"""Whether an event names an airport across a coverage gap without evidence on both sides of it
(issue 9's "zero airports named across a gap without evidence"), judged from the pipeline's
accepted positions and airportsdata only, never from the detector's reasoning. Split from
scripts/accuracy.py, which scores with it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

# A fix as scripts/accuracy.py keeps it: time_s, lat, lon, altitude_baro_ft, on_ground, speed_kt.
Fix = tuple[float, float, float, float, int, float]

GAP_S = 300.0  # "a gap longer than a few minutes" (issue 9): airports need evidence both sides
GAP_NEAR_NM = 5.0  # evidence of an airport on a gap side: within 5 NM (a GA circuit, short final)
GAP_LOW_FT = 2000.0  # ... and below field + 2,000 ft baro (pressure altitude can read ±500 ft off)
RUNWAY_NM = 1.5  # a ground roll lies over the runways: within 1.5 NM of the reference point
ROLL_KT = 60.0  # ... slower than any aircraft flies on approach (light aircraft ~60-70 kt)
FLOOR_FT = 50.0  # ... within two 25 ft steps of the lowest reading the aircraft gave there


def _airport(icao: str) -> dict[str, Any] | None:
    import airportsdata

    db: dict[str, dict[str, Any]] = _AIRPORTS.setdefault("db", airportsdata.load())
    return db.get(icao)


_AIRPORTS: dict[str, Any] = {}


def dist_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from flyvakt.geo.distance import haversine_nm

    return float(haversine_nm(lat1, lon1, lat2, lon2))


def _near_low(fix: Fix, ap: dict[str, Any]) -> bool:
    _, lat, lon, alt, gnd, _ = fix
    if math.isnan(lat) or dist_nm(lat, lon, ap["lat"], ap["lon"]) > GAP_NEAR_NM:
        return False
    return gnd == 1 or (not math.isnan(alt) and alt <= ap["elevation"] + GAP_LOW_FT)


def _surface(
    fix: Fix,
    ap: dict[str, Any],
    floor_ft: float = math.nan,
) -> bool:
    """On ``ap``'s surface: flagged, or at taxi speed, or (the labelling method's "ground roll")
    rolling slower than ROLL_KT over its runways at ``floor_ft``, the lowest pressure altitude
    the aircraft reported there (an airliner's rollout: a09a90 at 45 kt on KMRY)."""
    _, lat, lon, alt, gnd, gs = fix
    if math.isnan(lat):
        return False
    d = dist_nm(lat, lon, ap["lat"], ap["lon"])
    if d > GAP_NEAR_NM:
        return False
    if gnd == 1 or (not math.isnan(gs) and gs <= 40.0):
        return True
    return d <= RUNWAY_NM and gs <= ROLL_KT and alt <= floor_ft + FLOOR_FT  # NaN: False


def _floor_ft(fixes: list[Fix], ap: dict[str, Any]) -> float:
    """The lowest pressure altitude the aircraft reported within RUNWAY_NM of ``ap``."""
    alts = [
        f[3]
        for f in fixes
        if not math.isnan(f[1])
        and not math.isnan(f[3])
        and dist_nm(f[1], f[2], ap["lat"], ap["lon"]) <= RUNWAY_NM
    ]
    return min(alts) if alts else math.nan


def named_across_gap(event: dict[str, Any], fixes: list[Fix]) -> bool:
    """True when the event names an airport inside (or at the edge of) a gap > GAP_S and
    the fixes on the two sides of that gap do not both put the aircraft low and near it.

    Not across the gap: an event stamped on a fix that itself shows the aircraft on the surface
    of that airport (observed); a takeoff whose gap starts with the aircraft on that airport's
    surface (it can only have left from there); a landing whose gap ends with it there."""
    if not event.get("airport"):
        return False
    ap = _airport(event["airport"]["icao"])
    if ap is None or len(fixes) < 2:
        return False
    t = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
    widest: tuple[int, float] | None = None
    for i in range(1, len(fixes)):
        a, b = fixes[i - 1][0], fixes[i][0]
        if a - 1.0 <= t <= b + 1.0 and (widest is None or b - a > widest[1]):
            widest = (i, b - a)
    if widest is None or widest[1] <= GAP_S:
        return False
    i = widest[0]
    floor = _floor_ft(fixes, ap)
    at_fix = [f for f in fixes if abs(f[0] - t) <= 1.0]
    if any(_surface(f, ap, floor) for f in at_fix):
        return False
    ground_side = fixes[i - 1] if event["type"] == "takeoff" else fixes[i]
    if _surface(ground_side, ap, floor):
        return False
    return not (_near_low(fixes[i - 1], ap) and _near_low(fixes[i], ap))
