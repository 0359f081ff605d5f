"""Interval airspace claims: did an aircraft enter (or avoid) a country's airspace between T1
and T2, counting what it *could* have done inside coverage gaps.

Between two consecutive fixes A (time tA) and B (time tB) an aircraft with top ground speed v
can only have been at points X with |AX| + |XB| ≤ v·(tB − tA): an ellipse with foci A and B.
Before the first fix of the window (or after the last) with no fix on the other side, it is a
disc around the fix. "Avoided" is supported only if no such set touches the country's land +
12 NM; an observed fix inside contradicts it; otherwise it is unverifiable, naming the gap.

Geometry (shapely) is done in an azimuthal equidistant plane centred on the aircraft's fixes
in the window, in nautical miles: distances from the centre are exact and, within ~1,300 km
of it, others are off by < 1 %; that error is covered by the speed margin below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from flyvakt.geo.distance import EARTH_RADIUS_NM
from flyvakt.model.events import iso_utc

# Top ground speeds by kind of aircraft (kt), tailwind included: a jet at Mmo in a 150 kt jet
# stream reaches ~650 kt over the ground; turboprops ~400, pistons ~250, helicopters ~180.
# Unknown types get the jet figure: a larger reach only makes "avoided" harder to support.
JET_KT = 650.0
TURBOPROP_KT = 400.0
PISTON_KT = 250.0
HELICOPTER_KT = 180.0
# Margin on top of the speed: headings are free inside a gap, winds are not known, and the
# projection and simplified borders add ~1 % of distance.
SPEED_MARGIN = 1.10
# Consecutive fixes closer in time than this are a path, not a gap, when naming gaps in the
# evidence (the reach test itself runs on every pair: physics decides, not this threshold).
GAP_REPORT_S = 120.0
# Ellipses are drawn as polygons of this many vertices (the inscribed polygon of a 64-gon
# loses < 0.2 % of the radius, covered by SPEED_MARGIN).
ELLIPSE_VERTICES = 64
# An inferred landing's event may be stamped at the last fix or up to this much before it.
LANDED_SLACK_S = 300.0
# Slowest plausible final approach (kt): the time from the last fix to touchdown is taken as at
# least distance / this speed, so the reach towards the border is never under-estimated.
APPROACH_MIN_KT = 120.0

_TURBOPROP = ("AT4", "AT7", "DH8", "C130", "B350", "BE20", "PC12", "SF34", "SW4", "DHC6",
              "C208", "AN2", "AN26", "AN24", "AN12", "L410", "JS41", "E120", "F50", "Q400",
              "P3", "C295", "CN35", "A400")  # fmt: skip
_PISTON = ("C1", "C2", "C3", "C4", "PA", "SR2", "DA4", "DA2", "BE3", "BE5", "M20", "P28",
           "RV", "DR4", "TB", "AA5", "CH7", "GLAS")  # fmt: skip
_HELI = (
    "EC",
    "AS3",
    "AS5",
    "H1",
    "H2",
    "H5",
    "R22",
    "R44",
    "R66",
    "B06",
    "B407",
    "B412",
    "S76",
    "S92",
    "MI8",
    "MI17",
    "AW1",
    "A109",
    "A139",
    "A169",
    "BK17",
    "EH10",
    "NH90",
)


def max_groundspeed_kt(icao_type: str | None, observed_max_kt: float | None = None) -> float:
    """Top ground speed used to bound what a gap could reach, with ``SPEED_MARGIN``."""
    t = (icao_type or "").upper().strip()
    if t.startswith(_HELI):
        base = HELICOPTER_KT
    elif t.startswith(_TURBOPROP):
        base = TURBOPROP_KT
    elif t.startswith(_PISTON):
        base = PISTON_KT
    else:
        base = JET_KT
    if observed_max_kt is not None and math.isfinite(observed_max_kt):
        base = max(base, observed_max_kt)
    return base * SPEED_MARGIN


@dataclass
class AirspaceFinding:
    """One aircraft against one country over one window."""

    icao24: str
    outcome: str  # "entered" | "avoided" | "possible" | "no_data"
    max_speed_kt: float
    n_fixes: int = 0
    first_inside: dict[str, Any] | None = None
    closest: dict[str, Any] | None = None
    reachable_gaps: list[dict[str, Any]] = field(default_factory=list)
    inferred_landing: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "icao24": self.icao24,
            "outcome": self.outcome,
            "max_speed_kt": round(self.max_speed_kt),
            "fixes_in_window": self.n_fixes,
            "first_fix_inside": self.first_inside,
            "closest_approach": self.closest,
            "gaps_that_could_reach": self.reachable_gaps,
            "ends_in_inferred_landing": self.inferred_landing,
        }


class _Plane:
    """Azimuthal equidistant projection (NM) around (lat0, lon0), forward and inverse."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.p0, self.l0 = math.radians(lat0), math.radians(lon0)

    def fwd(
        self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        p, lam = np.radians(lat), np.radians(lon) - self.l0
        cos_c = np.sin(self.p0) * np.sin(p) + np.cos(self.p0) * np.cos(p) * np.cos(lam)
        c = np.arccos(np.clip(cos_c, -1.0, 1.0))
        k = np.where(c < 1e-12, 1.0, c / np.where(np.sin(c) == 0, 1.0, np.sin(c)))
        x = k * np.cos(p) * np.sin(lam)
        y = k * (np.cos(self.p0) * np.sin(p) - np.sin(self.p0) * np.cos(p) * np.cos(lam))
        return x * EARTH_RADIUS_NM, y * EARTH_RADIUS_NM

    def inv(self, x: float, y: float) -> tuple[float, float]:
        xr, yr = x / EARTH_RADIUS_NM, y / EARTH_RADIUS_NM
        c = math.hypot(xr, yr)
        if c < 1e-12:
            return math.degrees(self.p0), math.degrees(self.l0)
        lat = math.asin(math.cos(c) * math.sin(self.p0) + yr * math.sin(c) * math.cos(self.p0) / c)
        lon = self.l0 + math.atan2(
            xr * math.sin(c),
            c * math.cos(self.p0) * math.cos(c) - yr * math.sin(self.p0) * math.sin(c),
        )
        return math.degrees(lat), (math.degrees(lon) + 540.0) % 360.0 - 180.0

    def geometry(self, geom: Any) -> Any:
        def f(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            x, y = self.fwd(xy[:, 1], xy[:, 0])
            return np.stack([x, y], axis=1)

        return shapely.transform(geom, f)


def _ellipse(ax: float, ay: float, bx: float, by: float, budget_nm: float) -> Any:
    """Points X with |AX| + |XB| ≤ budget, as a polygon (a disc when A = B)."""
    cx, cy = (ax + bx) / 2.0, (ay + by) / 2.0
    c = math.hypot(bx - ax, by - ay) / 2.0
    a = budget_nm / 2.0
    b = math.sqrt(max(a * a - c * c, 0.0))
    ang = math.atan2(by - ay, bx - ax)
    t = np.linspace(0.0, 2.0 * math.pi, ELLIPSE_VERTICES, endpoint=False)
    # scale so the polygon circumscribes the ellipse (never smaller than the true set)
    s = 1.0 / math.cos(math.pi / ELLIPSE_VERTICES)
    ex, ey = a * s * np.cos(t), b * s * np.sin(t)
    x = cx + ex * math.cos(ang) - ey * math.sin(ang)
    y = cy + ex * math.sin(ang) + ey * math.cos(ang)
    return shapely.Polygon(np.stack([x, y], axis=1))


def judge_airspace(
    icao24: str,
    country: str,
    time_s: npt.NDArray[np.float64],
    lat_deg: npt.NDArray[np.float64],
    lon_deg: npt.NDArray[np.float64],
    since_s: float,
    until_s: float,
    max_speed_kt: float,
    *,
    airborne: npt.NDArray[np.bool_] | None = None,
    landed: tuple[float, float, float] | None = None,
) -> AirspaceFinding:
    """Entered / avoided / possible for one aircraft's fixes (time-sorted) in [since, until].

    ``airborne``: when given (for "flew over"), fixes on the ground do not count as inside.
    ``landed``: (time, lat, lon) of a landing after the last fix (an inferred landing: signal
    lost low and close): from then on the aircraft is taken to be on the ground there, and the
    stretch from the last fix to the airport is bounded by ``APPROACH_MIN_KT``.
    """
    from flyvakt.geo import get_world

    world = get_world()
    res = AirspaceFinding(icao24, "no_data", max_speed_kt)
    ok = np.isfinite(lat_deg) & np.isfinite(lon_deg) & np.isfinite(time_s)
    t, la, lo = time_s[ok], lat_deg[ok], lon_deg[ok]
    air = None if airborne is None else airborne[ok]
    k0 = int(np.searchsorted(t, since_s, side="left"))
    k1 = int(np.searchsorted(t, until_s, side="right"))
    # the window's fixes plus one fix on each side to bound what happened at its edges
    lo_i, hi_i = max(k0 - 1, 0), min(k1 + 1, t.size)
    t, la, lo = t[lo_i:hi_i], la[lo_i:hi_i], lo[lo_i:hi_i]
    air = None if air is None else air[lo_i:hi_i]
    in_win = (t >= since_s) & (t <= until_s)
    res.n_fixes = int(in_win.sum())
    if t.size == 0:
        return res
    codes = world.country_at(la, lo)
    inside = (codes == country) & in_win
    if air is not None:
        inside &= air
    if inside.any():
        i = int(np.flatnonzero(inside)[0])
        res.outcome = "entered"
        res.first_inside = _fix(t[i], la[i], lo[i])
    poly = _airspace(country)
    if poly is None or poly.is_empty:
        raise ValueError(f"no airspace polygon for {country!r}")
    sel = np.flatnonzero(in_win)
    centre = sel if sel.size else np.arange(t.size)
    plane = _Plane(float(np.median(la[centre])), float(np.median(lo[centre])))
    x, y = plane.fwd(la, lo)
    # the longest stretch without a fix bounds how far from the track anything can matter
    gaps_s = np.diff(t, prepend=min(since_s, t[0]), append=max(until_s, t[-1]))
    reach_nm = max_speed_kt * float(np.max(gaps_s)) / 3600.0
    span = float(np.max(np.hypot(x, y))) + reach_nm + 50.0
    area = _clip_lonlat(poly, plane, span)
    shape = plane.geometry(area) if area is not None else None
    if shape is None or shape.is_empty:
        dist = np.full(t.size, np.inf)
    else:
        shapely.prepare(shape)
        dist = _distances(shape, x, y, reach_nm + 1.0)
    # closest approach among observed fixes in the window
    if sel.size:
        j = int(sel[np.argmin(dist[sel])])
        if not np.isfinite(dist[j]) and shape is not None and not shape.is_empty:
            j = _closest_far(shape, x, y, sel, dist)
        res.closest = _fix(t[j], la[j], lo[j])
        res.closest["distance_nm"] = None if not np.isfinite(dist[j]) else round(float(dist[j]), 1)
        if shape is not None and not shape.is_empty and np.isfinite(dist[j]):
            line = shapely.shortest_line(shapely.Point(x[j], y[j]), shape)
            bx, by = line.coords[1]
            blat, blon = plane.inv(bx, by)
            res.closest["border_point"] = {"lat": round(blat, 4), "lon": round(blon, 4)}
    if res.outcome == "entered":
        return res
    # every stretch of the window not covered by a fix: pairs, and open ends
    dt_pair = np.diff(t)
    overlaps = np.minimum(t[1:], until_s) > np.maximum(t[:-1], since_s)
    # only pairs whose straightest detour could touch the border need the ellipse test
    could = overlaps & (dist[:-1] + dist[1:] <= max_speed_kt * dt_pair / 3600.0)
    pieces: list[tuple[int | None, int | None, float]] = [
        (int(q), int(q) + 1, float(dt_pair[q])) for q in np.flatnonzero(could)
    ]
    if t[0] > since_s:
        pieces.append((None, 0, float(t[0] - since_s)))
    anchor: tuple[float, float] | None = None
    if landed is not None and landed[0] >= t[-1] - LANDED_SLACK_S and t[-1] < until_s:
        ax, ay = plane.fwd(np.array([landed[1]]), np.array([landed[2]]))
        anchor = (float(ax[0]), float(ay[0]))
        res.inferred_landing = True
    elif t[-1] < until_s:
        pieces.append((t.size - 1, None, float(until_s - t[-1])))
    if anchor is not None:
        # last fix → the airport, at no less than a slow approach speed (more time = more reach)
        d_nm = math.hypot(anchor[0] - x[-1], anchor[1] - y[-1])
        dt_land = max(landed[0] - float(t[-1]) if landed else 0.0, d_nm / APPROACH_MIN_KT * 3600)
        budget = max_speed_kt * dt_land / 3600.0
        region = _ellipse(float(x[-1]), float(y[-1]), anchor[0], anchor[1], max(budget, d_nm))
        if shape is not None and shapely.intersects(region, shape):
            res.reachable_gaps.append(
                {
                    "start": iso_utc(float(t[-1])),
                    "end": None,
                    "duration_s": round(dt_land),
                    "last_known": _fix(t[-1], la[-1], lo[-1]),
                    "next_known": None,
                    "reach_nm": round(budget, 1),
                    "needed_nm": round(float(dist[-1]), 1),
                }
            )
    for a, b, dt in pieces:
        budget = max_speed_kt * dt / 3600.0
        da = dist[a] if a is not None else 0.0
        db = dist[b] if b is not None else 0.0
        need = (da + db) if (a is not None and b is not None) else max(da, db)
        if need > budget:  # even the straightest detour cannot touch the border
            continue
        ia = a if a is not None else b
        ib = b if b is not None else a
        assert ia is not None and ib is not None
        if a is None or b is None:
            region = shapely.Point(x[ia], y[ia]).buffer(budget, quad_segs=16)
        else:
            region = _ellipse(x[ia], y[ia], x[ib], y[ib], budget)
        if shape is None or not shapely.intersects(region, shape):
            continue
        res.reachable_gaps.append(
            {
                "start": iso_utc(max(float(t[ia]), since_s)) if a is not None else iso_utc(since_s),
                "end": iso_utc(min(float(t[ib]), until_s)) if b is not None else iso_utc(until_s),
                "duration_s": round(dt),
                "last_known": _fix(t[ia], la[ia], lo[ia]) if a is not None else None,
                "next_known": _fix(t[ib], la[ib], lo[ib]) if b is not None else None,
                "reach_nm": round(budget, 1),
                "needed_nm": round(float(need), 1),
            }
        )
    if res.n_fixes == 0 and not res.reachable_gaps and t.size == 0:
        return res
    res.outcome = "possible" if res.reachable_gaps else "avoided"
    return res


@lru_cache(maxsize=16)
def _airspace(country: str) -> Any:
    from flyvakt.geo import get_world

    return get_world().countries.airspace_polygon(country)


def _closest_far(
    shape: Any,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    sel: npt.NDArray[np.int64],
    dist: npt.NDArray[np.float64],
) -> int:
    """The closest fix when all are beyond the search radius: every k-th fix, then around the
    best one (exact distances written into ``dist``)."""
    stride = max(1, sel.size // 400)
    sample = sel[::stride]
    d = shapely.distance(shapely.points(x[sample], y[sample]), shape)
    k = int(np.argmin(d))
    near = sel[max(0, k * stride - stride) : k * stride + stride + 1]
    dist[near] = shapely.distance(shapely.points(x[near], y[near]), shape)
    return int(near[np.argmin(dist[near])])


def _distances(
    shape: Any, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], max_nm: float
) -> npt.NDArray[np.float64]:
    """Distance (NM) from each point to ``shape`` (0 inside; inf beyond ``max_nm``): nearest
    border segment through an STRtree, O(n log m) instead of a plain distance's n × m."""
    segments = []
    for ring in shapely.get_rings(shapely.get_parts(shape)):
        xy = shapely.get_coordinates(ring)
        if len(xy) >= 2:
            segments.append(np.stack([xy[:-1], xy[1:]], axis=1))
    out = np.full(x.size, np.inf)
    if not segments:
        return out
    lines = shapely.linestrings(np.concatenate(segments))
    tree = shapely.STRtree(lines)
    (pi, _), d = tree.query_nearest(shapely.points(x, y), max_distance=max_nm, return_distance=True)
    np.minimum.at(out, pi, d)
    out[shapely.contains_xy(shape, x, y)] = 0.0
    return out


def _clip_lonlat(poly: Any, plane: _Plane, span_nm: float) -> Any:
    """The part of ``poly`` within ``span_nm`` of the plane's centre (a lon/lat box)."""
    lat0, lon0 = math.degrees(plane.p0), math.degrees(plane.l0)
    dlat = span_nm / 60.0
    if abs(lat0) + dlat >= 89.0 or dlat >= 60.0:
        return poly
    dlon = dlat / max(math.cos(math.radians(abs(lat0) + dlat)), 0.05)
    if abs(lon0) + dlon >= 180.0:  # the box would cross the antimeridian: keep it all
        return poly
    box = shapely.box(lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat)
    return shapely.intersection(poly, box)


def _fix(t: float, lat: float, lon: float) -> dict[str, Any]:
    return {"time": iso_utc(float(t)), "lat": round(float(lat), 4), "lon": round(float(lon), 4)}
