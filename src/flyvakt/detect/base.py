"""What every rule module shares: the world it asks, the hot fix it sees, the Protocol it meets.

A rule is a small class with one concern (phase, approach, airspace, coverage, spoofing,
emergency). The detector's vectorised pre-pass picks the rows that can matter ("hot" fixes) and
hands each to every rule in a fixed order, one aircraft at a time, in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from itertools import count, repeat
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.detect.state import AircraftState, Fix
from flyvakt.detect.tails import SampleTails
from flyvakt.geo.cells import AirportCells
from flyvakt.geo.distance import distance_nm
from flyvakt.geo.world import NearAt, NearLists
from flyvakt.model import AirportRef, Event, PositionBatch
from flyvakt.model.batches import icao_hex
from flyvakt.model.events import iso_utc

# Why cached: events are built one by one (Context.event), several per aircraft (the
# state-vector replay loses and finds each of its 5,000 aircraft 5 times: ~30 k events), and a
# hit costs ~730 instructions against ~2,380 for formatting the address (callgrind, 20 k calls);
# 65,536 addresses (~8 MB) bound it, and a miss costs little more than formatting.
hex_of = lru_cache(maxsize=1 << 16)(icao_hex)
_new_event = object.__new__  # an Event with no slot filled yet (Context.event fills them all)


class WorldView(Protocol):
    def airports_near(
        self, lat_deg: float, lon_deg: float, radius_nm: float
    ) -> list[tuple[AirportRef, float]]: ...

    def country_at(self, lats_deg: Any, lons_deg: Any) -> npt.NDArray[np.object_]: ...

    def tz_at(self, lat_deg: float, lon_deg: float, airport: AirportRef | None = None) -> str: ...

    def tz_many(
        self, lats_deg: npt.NDArray[np.float64], lons_deg: npt.NDArray[np.float64]
    ) -> list[str]: ...

    def nearest_airport_index(
        self, lats_deg: npt.NDArray[np.float64], lons_deg: npt.NDArray[np.float64], max_nm: float
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...

    def airports_near_many(
        self, lats_deg: npt.NDArray[np.float64], lons_deg: npt.NDArray[np.float64], radius_nm: float
    ) -> NearLists: ...

    def airport_ref(self, i: int) -> AirportRef: ...

    def airport_elevations_ft(self, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]: ...

    def highest_airport_ft(self) -> float: ...

    def airport_cells(self, radius_nm: float) -> AirportCells: ...


@dataclass(slots=True)
class Hot:
    """One hot fix as the rules see it.

    ``prev`` is the aircraft's previous fix (None for its first); ``gap`` says that a coverage gap
    (or a signal-lost sweep) lies between them; ``sampled`` says that ``country`` was looked up
    for this fix; ``batch``/``row`` locate it in the batch (for rules that look between samples);
    ``field`` is the nearest airport when the fix is low near one (the pre-pass finds it).
    """

    fx: Fix
    prev: Fix | None
    gap: bool
    sampled: bool
    country: str | None
    batch: PositionBatch
    row: int
    field: AirportRef | None = None  # nearest airport within FIELD_NM when low near it


class Rule(Protocol):
    """One concern of detection. ``on_fix`` sees every hot fix of an aircraft in time order,
    before ``st.last`` moves to it; it appends what it finds to ``out``."""

    def on_fix(self, ctx: Context, st: AircraftState, h: Hot, out: list[Event]) -> None: ...


@dataclass
class Context:
    """What the rules share: the world, the per-airport ground references of pressure altitude
    (the detector state's, learned from every aircraft), and helpers that build events."""

    world: WorldView
    ground_refs: dict[str, list[tuple[float, float]]] = dc_field(default_factory=dict)
    # Fixes from earlier batches since each aircraft's last country sample (detect/tails.py).
    tails: SampleTails | None = None
    # Time zones looked up in advance for positions without an airport ((lat, lon) -> zone:
    # the zone of such a position depends on nothing else), e.g. by the signal-lost sweep.
    tz_known: dict[tuple[float, float], str] = dc_field(default_factory=dict)
    # Airports near positions searched in advance ((lat, lon, radius NM) -> the k of
    # ``near_at``, which gives World.airports_near's list there), e.g. by the signal-lost sweep.
    near_known: dict[tuple[float, float, float], int] = dc_field(default_factory=dict)
    near_at: NearAt | None = None
    # The same for the positions on both sides of the batch's coverage gaps (the detector's
    # _gap_prepass), at any radius: (lat, lon, radius NM) -> (the search's ``at``, k, the
    # table row of the nearest airport if within SURFACE_NM, else -1: airport_at's answer).
    near_gaps: dict[tuple[float, float, float], tuple[NearAt, int, int]] = dc_field(
        default_factory=dict
    )
    # round(x, 5) of the coordinates on both sides of the batch's coverage gaps, rounded for
    # all at once (_gap_prepass) for their gap details: Python's round with 5 digits costs
    # ~0.7 us a call, four per signal_regained (25 k in a state-vector replay).
    round5: dict[float, float] = dc_field(default_factory=dict)

    def airports_near(
        self, lat_deg: float, lon_deg: float, radius_nm: float, most: int = 0
    ) -> list[tuple[AirportRef, float]]:
        """``world.airports_near``, from the answers searched in advance where there are;
        ``most`` > 0: its first ``most`` only (a searched list builds no more than those)."""
        k = self.near_known.get((lat_deg, lon_deg, radius_nm)) if self.near_known else None
        if k is not None and self.near_at is not None:
            return self.near_at(k, most)
        if self.near_gaps:
            found = self.near_gaps.get((lat_deg, lon_deg, radius_nm))
            if found is not None:
                return found[0](found[1], most)
        near = self.world.airports_near(lat_deg, lon_deg, radius_nm)
        return near[:most] if most else near

    def search_near(
        self, lats_deg: npt.NDArray[np.float64], lons_deg: npt.NDArray[np.float64], radius_nm: float
    ) -> None:
        """Search the airports within ``radius_nm`` of these positions in one vectorised pass
        (``World.airports_near_many``: the same lists) for :meth:`airports_near` to answer
        from (``near_gaps``); positions that are not finite are left to the scalar search."""
        ok = np.isfinite(lats_deg) & np.isfinite(lons_deg)
        lats, lons = lats_deg[ok], lons_deg[ok]
        found = self.world.airports_near_many(lats, lons, radius_nm)
        # airport_at's answer for each point, from the head of its list (the same row and
        # distance as the list's first pair): the nearest airport's row if within SURFACE_NM.
        on = np.where(found.first_nm <= R.SURFACE_NM, found.first_row, -1).tolist()
        # (lat, lon, radius) -> (at, k, row on) for the k-th point, the tuples made by zip in C.
        keys = zip(lats.tolist(), lons.tolist(), repeat(radius_nm))
        self.near_gaps.update(zip(keys, zip(repeat(found.at), count(), on), strict=False))

    def airport_at(self, fx: Fix, radius_nm: float) -> AirportRef | None:
        """``airport_for(fx, radius_nm)[0]`` alone: from the nearest airport, without the
        candidates (the gap rules' airport on each side: ~17.6 k a state-vector replay, where a
        dense field's whole list is 10-20 airports). Where the position was searched in
        advance (``near_gaps``), from the row kept then: no list built (~3.5 us a call)."""
        if self.near_gaps:
            found = self.near_gaps.get((fx.lat, fx.lon, radius_nm))
            if found is not None:
                row = found[2]
                return None if row < 0 else self.world.airport_ref(row)
        near = self.airports_near(fx.lat, fx.lon, radius_nm, 1)
        return near[0][0] if near and near[0][1] <= R.SURFACE_NM else None

    def airport_for(self, fx: Fix, radius_nm: float) -> tuple[AirportRef | None, list[str]]:
        """The airport whose surface ``fx`` is on (within ``SURFACE_NM``) and the other airports
        within ``radius_nm``; farther than ``SURFACE_NM`` none is named, all are candidates."""
        near = self.airports_near(fx.lat, fx.lon, radius_nm)
        if not near:
            return None, []
        if near[0][1] > R.SURFACE_NM:
            return None, [a.icao for a, _ in near[:5]]
        return near[0][0], [a.icao for a, _ in near[1:6]]

    def zone_at(self, fx: Fix) -> str:
        """The time zone at ``fx`` with no airport: the one looked up in advance there (the
        signal-lost sweep's, ``tz_known``), else the world's."""
        tz = self.tz_known.get((fx.lat, fx.lon))
        return self.world.tz_at(fx.lat, fx.lon, None) if tz is None else tz

    def event(
        self,
        kind: str,
        st: AircraftState,
        fx: Fix,
        *,
        airport: AirportRef | None = None,
        candidates: list[str] | None = None,
        reason: str = "",
        basis: str = "observed",
        confidence: float = 0.95,
        details: dict[str, Any] | None = None,
    ) -> Event:
        """An event at ``fx`` (``details`` given: the event's own, no empty dict made first)."""
        if airport is None:
            country = None
            tz = self.zone_at(fx)
        else:
            country = airport.country
            tz = self.world.tz_at(fx.lat, fx.lon, airport)
        alt = fx.alt
        # Every slot stored on an instance made without its __init__ (as
        # coverage.lost_plainly): a class call with 16 arguments goes through type_call and
        # slot_tp_init, ~1.6 k instructions more (a state-vector replay builds ~6 k events
        # here; tests/unit/detect/test_event_slots.py checks them against Event(...)).
        ev = _new_event(Event)
        ev.type = kind  # type: ignore[assignment]
        ev.icao24 = hex_of(st.icao24)
        ev.time_s = fx.t
        ev.callsign = st.callsign
        ev.airport = airport
        ev.country = country
        ev.basis = basis  # type: ignore[assignment]
        ev.confidence = confidence
        ev.reason = reason
        ev.candidates = candidates or ()
        ev.lat = fx.lat
        ev.lon = fx.lon
        ev.altitude_baro_ft = alt if alt == alt else None  # NaN: None
        ev.local_tz = tz
        ev.fleet = ()
        ev.details = {} if details is None else details
        return ev


def dist_nm(a: Fix, b: Fix | AirportRef) -> float:
    """Great-circle distance in NM between a fix and a fix or an airport."""
    if isinstance(b, Fix):
        return distance_nm(a.lat, a.lon, b.lat, b.lon)
    return distance_nm(a.lat, a.lon, b.lat_deg, b.lon_deg)


def duration(s: float) -> str:
    s = abs(s)
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


_NONE_ROUNDED: Mapping[float, float] = MappingProxyType({})


def gap_details(
    before: Fix, after: Fix, rounded: Mapping[float, float] = _NONE_ROUNDED
) -> dict[str, Any]:
    """The ``gap`` details: its ends' times and fixes (each: position, altitude, phase).
    ``rounded``: ``round(x, 5)`` of some coordinates, made in advance (``Context.round5``); any
    other is rounded here. Both fixes written out here, not by a function per fix: a
    state-vector replay builds 25 k of these, one per ``signal_regained``."""
    get = rounded.get
    lat0, lon0, lat1, lon1 = get(before.lat), get(before.lon), get(after.lat), get(after.lon)
    alt0, alt1 = before.alt, after.alt  # NaN (unknown) is the only value not equal to itself
    return {
        "gap": {
            "start": iso_utc(before.t),
            "end": iso_utc(after.t),
            "last_known": {
                "lat": round(before.lat, 5) if lat0 is None else lat0,
                "lon": round(before.lon, 5) if lon0 is None else lon0,
                "altitude_baro_ft": round(alt0) if alt0 == alt0 else None,
                "on_ground": before.ground,
            },
            "first_after": {
                "lat": round(after.lat, 5) if lat1 is None else lat1,
                "lon": round(after.lon, 5) if lon1 is None else lon1,
                "altitude_baro_ft": round(alt1) if alt1 == alt1 else None,
                "on_ground": after.ground,
            },
        }
    }
