"""Kinematic flight simulation: where an aircraft is, how high and how fast, at any time.

A flight is a list of phases, each valid over ``[t0_s, t1_s)``:

* :class:`GroundPhase` — straight-line movement (or standing still) on the airport surface;
* :class:`AirPhase` — a great-circle path through waypoints flown with a simple vertical
  profile: climb at the type's rate to cruise, cruise, descend at the type's rate so the
  aircraft reaches the field elevation at the destination. Speed grows with altitude from the
  approach speed to the cruise speed (no wind: ground speed = true airspeed).

The profile is solved once on a distance grid (d -> altitude, speed; t(d) by integration) and
then sampled at any array of times by interpolation, so sampling is vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import EARTH_RADIUS_NM, haversine_nm

F64 = npt.NDArray[np.float64]
# Grid step of the solved profile: 0.5 NM keeps altitude/time interpolation error far below
# the 25 ft / 1 s resolution of what is encoded, at ~10 k points for a 5,000 NM leg.
PROFILE_STEP_NM = 0.5


@dataclass(frozen=True)
class TypeProfile:
    """Performance of a type family (round numbers from public type data, not a model)."""

    climb_fpm: float
    descent_fpm: float
    cruise_ft: float
    cruise_tas_kt: float
    approach_kt: float
    taxi_kt: float
    category_tc: int  # ADS-B emitter category set: 4 = set A
    category_ca: int  # within set A: 1 light, 3 large, 5 heavy


PROFILES: dict[str, TypeProfile] = {
    "IL96": TypeProfile(1800, 2000, 37000, 470, 150, 12, 4, 5),
    "A321": TypeProfile(2200, 2200, 36000, 450, 140, 14, 4, 3),
    "B738": TypeProfile(2200, 2200, 37000, 450, 145, 14, 4, 3),
    "GA": TypeProfile(700, 500, 8000, 120, 70, 8, 4, 1),
}
TYPE_FAMILY = {"IL96": "IL96", "A321": "A321", "A320": "A321", "A319": "A321", "B738": "B738"}
TYPE_FAMILY |= {"B737": "B738", "B739": "B738", "C172": "GA", "PA28": "GA", "SR22": "GA"}


def profile_for(type_code: str) -> TypeProfile:
    """The performance table row for an ICAO type designator (unknown types fly like an A321)."""
    code = type_code.upper()
    family = TYPE_FAMILY.get(code, code if code in PROFILES else "A321")
    return PROFILES[family]


# --------------------------------------------------------------------------- spherical geometry


def _unit(lat_deg: F64, lon_deg: F64) -> F64:
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _latlon(v: F64) -> tuple[F64, F64]:
    lat = np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    return lat, lon


def distance_nm(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> F64:
    """Great-circle distance (haversine), element-wise (:mod:`flyvakt.geo.distance`)."""
    return np.asarray(haversine_nm(lat1, lon1, lat2, lon2))


def bearing_deg(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> F64:
    """Initial great-circle bearing from point 1 to point 2, degrees true, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.mod(np.degrees(np.arctan2(y, x)), 360.0))


def destination(
    lat: npt.ArrayLike, lon: npt.ArrayLike, brg_deg: npt.ArrayLike, dist_nm: npt.ArrayLike
) -> tuple[F64, F64]:
    """Point reached from (lat, lon) along an initial bearing over a distance, element-wise."""
    p1, l1 = np.radians(lat), np.radians(lon)
    b = np.radians(brg_deg)
    d = np.asarray(dist_nm, dtype=np.float64) / EARTH_RADIUS_NM
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), (np.degrees(l2) + 540.0) % 360.0 - 180.0


@dataclass
class Path:
    """A polyline of great-circle segments through ``points`` (lat, lon)."""

    lat_deg: F64
    lon_deg: F64
    cum_nm: F64 = field(init=False)

    def __post_init__(self) -> None:
        seg = distance_nm(self.lat_deg[:-1], self.lon_deg[:-1], self.lat_deg[1:], self.lon_deg[1:])
        self.cum_nm = np.concatenate([[0.0], np.cumsum(seg)])

    @property
    def length_nm(self) -> float:
        return float(self.cum_nm[-1])

    def at(self, d_nm: F64) -> tuple[F64, F64, F64]:
        """Latitude, longitude and track (deg) at along-path distances (clipped to the path)."""
        d = np.clip(d_nm, 0.0, self.length_nm)
        k = np.clip(np.searchsorted(self.cum_nm, d, side="right") - 1, 0, len(self.cum_nm) - 2)
        seg_len = np.maximum(self.cum_nm[k + 1] - self.cum_nm[k], 1e-9)
        f = np.clip((d - self.cum_nm[k]) / seg_len, 0.0, 1.0)
        a = _unit(self.lat_deg[k], self.lon_deg[k])
        b = _unit(self.lat_deg[k + 1], self.lon_deg[k + 1])
        omega = np.maximum(seg_len / EARTH_RADIUS_NM, 1e-12)[:, None]
        so = np.sin(omega)
        v = (np.sin((1 - f)[:, None] * omega) * a + np.sin(f[:, None] * omega) * b) / so
        lat, lon = _latlon(v)
        trk = bearing_deg(lat, lon, self.lat_deg[k + 1], self.lon_deg[k + 1])
        return lat, lon, trk


# --------------------------------------------------------------------------- phases


@dataclass
class State:
    """Sampled state, one row per requested time (NaN where no phase covers the time)."""

    lat_deg: F64
    lon_deg: F64
    altitude_ft: F64
    groundspeed_kt: F64
    track_deg: F64
    vertical_rate_fpm: F64
    on_ground: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls, n: int) -> State:
        nan = np.full(n, np.nan)
        return cls(
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            np.zeros(n, dtype=bool),
        )


@dataclass
class GroundPhase:
    t0_s: float
    t1_s: float
    lat0_deg: float
    lon0_deg: float
    lat1_deg: float
    lon1_deg: float
    elevation_ft: float

    def sample(self, t: F64, out: State, sel: npt.NDArray[np.bool_]) -> None:
        f = np.clip((t - self.t0_s) / max(self.t1_s - self.t0_s, 1e-9), 0.0, 1.0)
        out.lat_deg[sel] = self.lat0_deg + f * (self.lat1_deg - self.lat0_deg)
        out.lon_deg[sel] = self.lon0_deg + f * (self.lon1_deg - self.lon0_deg)
        dist = float(distance_nm(self.lat0_deg, self.lon0_deg, self.lat1_deg, self.lon1_deg))
        speed = dist / max((self.t1_s - self.t0_s) / 3600.0, 1e-9)
        out.groundspeed_kt[sel] = speed if dist > 1e-4 else 0.0
        out.track_deg[sel] = float(
            bearing_deg(self.lat0_deg, self.lon0_deg, self.lat1_deg, self.lon1_deg)
        )
        out.altitude_ft[sel] = self.elevation_ft
        out.vertical_rate_fpm[sel] = 0.0
        out.on_ground[sel] = True


@dataclass
class AirPhase:
    """Takeoff at ``t0_s`` from the path's first point, landing at ``t1_s`` at its last."""

    t0_s: float
    path: Path
    elev0_ft: float
    elev1_ft: float
    perf: TypeProfile
    cruise_ft: float
    cruise_tas_kt: float
    grid_d_nm: F64 = field(init=False)
    grid_t_s: F64 = field(init=False)
    grid_alt_ft: F64 = field(init=False)
    grid_gs_kt: F64 = field(init=False)

    def __post_init__(self) -> None:
        length = self.path.length_nm
        d = np.linspace(0.0, length, max(int(length / PROFILE_STEP_NM), 2) + 1)
        p = self.perf
        base = min(self.elev0_ft, self.elev1_ft)

        def speed(alt: F64) -> F64:
            frac = np.clip((alt - base) / self.cruise_ft, 0.0, 1.0)
            return np.asarray(p.approach_kt + (self.cruise_tas_kt - p.approach_kt) * np.sqrt(frac))

        # Climb and descent solved step by step (ft per NM = rate / local speed), so the
        # vertical rate equals the type's rate at every speed, not only on average.
        step = float(d[1] - d[0])
        climb = np.empty_like(d)
        desc = np.empty_like(d)
        climb[0], desc[-1] = self.elev0_ft, self.elev1_ft

        v_lo, v_span, cruise = p.approach_kt, self.cruise_tas_kt - p.approach_kt, self.cruise_ft

        def speed1(alt: float) -> float:  # scalar twin of speed(), for the step loop
            return v_lo + v_span * math.sqrt(min(max((alt - base) / cruise, 0.0), 1.0))

        def next_alt(a0: float, rate_fpm: float) -> float:
            # time over the step uses the mean of both ends' speeds (as grid_t_s does), so
            # iterate to the altitude whose mean speed gives exactly ``rate_fpm``
            v0, a1 = speed1(a0), a0
            for _ in range(3):
                v = (v0 + speed1(min(a1, cruise))) / 2.0
                a1 = a0 + rate_fpm * 60.0 / v * step
            return min(self.cruise_ft, a1)

        for k in range(len(d) - 1):
            climb[k + 1] = next_alt(float(climb[k]), p.climb_fpm)
            desc[-2 - k] = next_alt(float(desc[-1 - k]), p.descent_fpm)
            if climb[k + 1] >= self.cruise_ft and desc[-2 - k] >= self.cruise_ft:
                climb[k + 1 :] = self.cruise_ft
                desc[: -2 - k] = self.cruise_ft
                break
        alt = np.minimum.reduce([np.full_like(d, self.cruise_ft), climb, desc])
        gs = speed(alt)
        dt = np.diff(d) / ((gs[1:] + gs[:-1]) / 2) * 3600.0
        self.grid_d_nm, self.grid_alt_ft, self.grid_gs_kt = d, alt, gs
        self.grid_t_s = self.t0_s + np.concatenate([[0.0], np.cumsum(dt)])

    @property
    def t1_s(self) -> float:
        return float(self.grid_t_s[-1])

    def sample(self, t: F64, out: State, sel: npt.NDArray[np.bool_]) -> None:
        d = np.interp(t, self.grid_t_s, self.grid_d_nm)
        lat, lon, trk = self.path.at(d)
        out.lat_deg[sel], out.lon_deg[sel], out.track_deg[sel] = lat, lon, trk
        out.altitude_ft[sel] = np.interp(d, self.grid_d_nm, self.grid_alt_ft)
        out.groundspeed_kt[sel] = np.interp(d, self.grid_d_nm, self.grid_gs_kt)
        rate = np.gradient(self.grid_alt_ft, self.grid_t_s) * 60.0
        out.vertical_rate_fpm[sel] = np.interp(d, self.grid_d_nm, rate)
        out.on_ground[sel] = False


Phase = GroundPhase | AirPhase


def sample(phases: list[Phase], t: F64) -> State:
    """State at times ``t`` (any order); times outside every phase stay NaN."""
    out = State.empty(len(t))
    for ph in phases:
        sel = (t >= ph.t0_s) & (t < ph.t1_s)
        if sel.any():
            sub = State.empty(int(sel.sum()))
            ph.sample(t[sel], sub, np.ones(int(sel.sum()), dtype=bool))
            for name in (
                "lat_deg",
                "lon_deg",
                "altitude_ft",
                "groundspeed_kt",
                "track_deg",
                "vertical_rate_fpm",
                "on_ground",
            ):
                getattr(out, name)[sel] = getattr(sub, name)
    return out
