"""The read-only offline world: airports, country airspace, time zones, address blocks.

``get_world()`` returns one shared ``World``; each part loads on first use (package data
only, no network, no clock) and is immutable afterwards, so the object is safe to share
between threads once loaded (loading itself is guarded by a lock).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from flyvakt.geo import icao24 as _icao24
from flyvakt.geo.names import country_name, resolve_country

if TYPE_CHECKING:
    from flyvakt.geo.airports import AirportInfo, Airports
    from flyvakt.geo.cells import AirportCells
    from flyvakt.geo.countries import Countries
    from flyvakt.geo.tzgrid import TzGrid
    from flyvakt.model.events import AirportRef


class NearAt(Protocol):
    """Point ``k``'s list of a vectorised airport search (``World.airports_near_many``): the
    airports within its radius, nearest first, with distance NM; ``most`` > 0: the first
    ``most`` of them only."""

    def __call__(self, k: int, most: int = 0) -> list[tuple[AirportRef, float]]: ...


class NearLists(NamedTuple):
    """:meth:`World.airports_near_many`'s answer: per point, how many airports are within the
    radius (``counts``), its list (``at``), and the head of that list as arrays (``first_row``:
    the nearest airport's table row, -1 for none; ``first_nm``: its distance, the list's
    first distance to the bit, inf for none), for a caller that needs the nearest alone
    without building the list (the gap rules' airport on each side)."""

    counts: NDArray[np.int64]
    at: NearAt
    first_row: NDArray[np.int64]
    first_nm: NDArray[np.float64]


class World:
    """Facade over the geo data. All coordinates in degrees (WGS 84), distances in NM."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._airports: Airports | None = None
        self._countries: Countries | None = None
        self._tzf: Any = None
        # the exact zone grid (geo/tzgrid.py), once tried (None: not available)
        self._tzgrid: TzGrid | None = None
        self._tzgrid_tried = False
        self._tzgrid_checked = False  # its names compared with the finder's
        self._tzgrid_lock = threading.Lock()  # its build asks for the finder (self._lock)
        self._highest_ft: float | None = None

    # -- lazy parts -------------------------------------------------------------------------
    @property
    def airports(self) -> Airports:
        if self._airports is None:
            with self._lock:
                if self._airports is None:
                    from flyvakt.geo.airports import load_airports

                    self._airports = load_airports()
        return self._airports

    @property
    def countries(self) -> Countries:
        if self._countries is None:
            with self._lock:
                if self._countries is None:
                    from flyvakt.geo.countries import load_countries

                    self._countries = load_countries()
        return self._countries

    def _tz_finder(self) -> Any:
        if self._tzf is None:
            with self._lock:
                if self._tzf is None:
                    from timezonefinder import TimezoneFinder

                    self._tzf = TimezoneFinder(in_memory=True)
        return self._tzf

    def load_tz_finder(self) -> None:
        """Load timezonefinder now (a live warm-up): the zone grid answers most points without
        it, so without this the first point outside the grid would pay its load."""
        self._finder_for_grid()

    def _finder_for_grid(self) -> Any:
        """The finder; on its first use beside a grid, the grid is dropped unless its names
        are the finder's (the grid's fingerprint says they are: this checks it)."""
        tzf = self._tz_finder()
        grid = self._tzgrid
        if grid is not None and not self._tzgrid_checked:
            if [str(n) for n in tzf.timezone_names] != grid.name_list:
                self._tzgrid = None
            self._tzgrid_checked = True
        return tzf

    def _tz_grid(self) -> TzGrid | None:
        if not self._tzgrid_tried:
            with self._tzgrid_lock:
                if not self._tzgrid_tried:
                    from flyvakt.geo.tzgrid import load_grid

                    self._tzgrid = load_grid(self._tz_finder)
                    self._tzgrid_tried = True
        return self._tzgrid

    # -- airports ---------------------------------------------------------------------------
    def airport(self, code: str) -> AirportRef | None:
        """By ICAO, else IATA, else FAA/local identifier (case-insensitive)."""
        i = self.airports.index_of(code)
        return None if i is None else self.airports.ref(i)

    def airport_info(self, code: str) -> AirportInfo | None:
        """AirportRef plus OurAirports type and longest runway."""
        i = self.airports.index_of(code)
        return None if i is None else self.airports.info(i)

    def airports_near(
        self,
        lat_deg: float,
        lon_deg: float,
        radius_nm: float,
        *,
        exclude_heliports: bool = True,
        exclude_seaplane: bool = True,
        exclude_closed: bool = False,
        min_runway_ft: int = 0,
    ) -> list[tuple[AirportRef, float]]:
        """Airports within ``radius_nm`` great-circle NM, nearest first, with distance NM."""
        ap = self.airports
        hits = ap.near(
            lat_deg,
            lon_deg,
            radius_nm,
            exclude_heliports=exclude_heliports,
            exclude_seaplane=exclude_seaplane,
            exclude_closed=exclude_closed,
            min_runway_ft=min_runway_ft,
        )
        return [(ap.ref(i), d) for i, d in hits]

    def airports_near_many(
        self, lats_deg: NDArray[np.float64], lons_deg: NDArray[np.float64], radius_nm: float
    ) -> NearLists:
        """:meth:`airports_near` of many points in one vectorised search: how many airports
        each point has within ``radius_nm``, point ``k``'s list (the same list
        :meth:`airports_near` gives, or its first ``most``; built when asked for), and each
        list's head (:class:`NearLists`). A point that is not a finite position counts 0
        here: ask :meth:`airports_near`."""
        found = self.airports.near_many(lats_deg, lons_deg, radius_nm)
        dist_nm = found.distances_nm()
        count = found.count()
        has = count > 0
        head = found.offsets[:-1][has]
        first_row = np.full(count.size, -1, np.int64)
        first_row[has] = found.rows[head]
        first_nm = np.full(count.size, np.inf)
        first_nm[has] = dist_nm[head]
        off, rows, dist = found.offsets.tolist(), found.rows.tolist(), dist_nm.tolist()
        ref = self.airports.ref

        def at(k: int, most: int = 0) -> list[tuple[AirportRef, float]]:
            # most > 0: the nearest ``most`` only (the list's head), e.g. the nearest alone for
            # the gap rules' airport on each side (no AirportRef looked up for the others).
            a, b = off[k], off[k + 1]
            if most and b - a > most:
                b = a + most
            # zip over map, not a comprehension: the loop stays in C (lists of ~10-20 near
            # dense fields; the signal-lost sweep asks for thousands).
            return list(zip(map(ref, rows[a:b]), dist[a:b], strict=True))

        return NearLists(count, at, first_row, first_nm)

    def airport_ref(self, i: int) -> AirportRef:
        """The airport at row ``i`` of the table (as returned by :meth:`nearest_airport_index`)."""
        return self.airports.ref(i)

    def airport_elevations_ft(self, idx: NDArray[np.int64]) -> NDArray[np.float64]:
        """Elevations (ft) of the airports at table rows ``idx``."""
        return self.airports.elevation_ft[idx]

    def highest_airport_ft(self) -> float:
        """The highest elevation (ft) in the airport table: above it, no fix is near one."""
        if self._highest_ft is None:
            self._highest_ft = float(self.airports.elevation_ft.max())
        return self._highest_ft

    def airport_cells(self, radius_nm: float) -> AirportCells:
        """The candidate airports of every 0.25° cell for ``radius_nm`` (heliports and seaplane
        bases left out, as :meth:`airports_near`): a batch of points searched in a fixed
        number of array operations, the same answers as :meth:`airports_near`."""
        return self.airports.cells(radius_nm)

    def nearest_airport_index(
        self,
        lats_deg: NDArray[np.float64],
        lons_deg: NDArray[np.float64],
        max_nm: float = 30.0,
        *,
        exclude_heliports: bool = True,
        exclude_seaplane: bool = True,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Per point: nearest airport row index (-1 if none within ``max_nm``), distance NM.

        Vectorised (1 M points ≈ 0.8 s). ``world.airports.ref(i)`` turns an index into an
        AirportRef.
        """
        return self.airports.nearest_index(
            lats_deg,
            lons_deg,
            max_nm,
            exclude_heliports=exclude_heliports,
            exclude_seaplane=exclude_seaplane,
        )

    # -- countries --------------------------------------------------------------------------
    def country_at(self, lats_deg: Any, lons_deg: Any) -> NDArray[np.object_]:
        """ISO alpha-2 or None per point: land + 12 NM territorial sea."""
        return self.countries.country_at(
            np.asarray(lats_deg, np.float64), np.asarray(lons_deg, np.float64)
        )

    def country_at_point(self, lat_deg: float, lon_deg: float) -> str | None:
        v = self.country_at(np.array([lat_deg]), np.array([lon_deg]))[0]
        return None if v is None else str(v)

    @staticmethod
    def country_name(iso2: str, locale: str = "en") -> str:
        return country_name(iso2, locale)

    @staticmethod
    def resolve_country(text: str) -> str | None:
        return resolve_country(text)

    # -- time zones -------------------------------------------------------------------------
    def tz_at(self, lat_deg: float, lon_deg: float, airport: AirportRef | None = None) -> str:
        """IANA zone: the airport's when given, else timezonefinder's answer (read from the
        exact zone grid, geo/tzgrid.py, where the grid knows it).

        Over the high seas timezonefinder answers the nautical zone ("Etc/GMT-9"), which is
        what a ship's clock would show; never derived from longitude by us.
        """
        if airport is not None and airport.tz:
            return airport.tz
        lat, lon = float(lat_deg), float(lon_deg)
        if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:  # (NaN is neither)
            grid = self._tz_grid()
            z = -1 if grid is None else grid.zone_id(lat, lon)
            if z >= 0 and grid is not None:
                return grid.name_list[z]
        tz = self._finder_for_grid().timezone_at(lat=lat, lng=lon)
        return str(tz) if tz else "UTC"

    def tz_many(self, lats_deg: NDArray[np.float64], lons_deg: NDArray[np.float64]) -> list[str]:
        """:meth:`tz_at` without an airport, for many points in one call (the same answers):
        the exact zone grid (geo/tzgrid.py) answers the points whose grid cell holds one
        zone by timezonefinder's own table, and timezonefinder's batch lookup the others (or
        every point, when the grid is not available)."""
        lats = np.asarray(lats_deg, np.float64)
        lons = np.asarray(lons_deg, np.float64)
        ok = np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
        if not ok.all():
            # A coordinate timezonefinder refuses: one at a time, as tz_at does.
            return [self.tz_at(a, o) for a, o in zip(lats.tolist(), lons.tolist(), strict=True)]
        grid = self._tz_grid()
        if grid is None:
            return self._tz_many_plain(lats, lons)
        ids = grid.zone_ids(lats, lons)
        miss = np.flatnonzero(ids < 0)
        if miss.size:
            # timezonefinder's ids index the same names (the grid's fingerprint); its -1
            # (no zone) reads the grid's last name, "UTC", as tz_at says
            tzf = self._finder_for_grid()
            if self._tzgrid is None:  # the finder disowned the grid: ask it for all
                return self._tz_many_plain(lats, lons)
            ids[miss] = tzf.timezone_ids_at(lngs=lons[miss], lats=lats[miss])
        names: list[str] = grid.names[ids].tolist()
        return names

    def _tz_many_plain(self, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> list[str]:
        """:meth:`tz_many` by timezonefinder alone, every coordinate valid: its batch lookup
        validates and finds each point's shortcut cell over the whole array, and resolves a
        cell that holds several zones once per distinct cell."""
        tzf = self._tz_finder()
        names_at = getattr(tzf, "timezone_names_at", None)  # timezonefinder 9 has it
        if names_at is None:  # older timezonefinder: one at a time, as tz_at does
            return [self.tz_at(a, o) for a, o in zip(lats.tolist(), lons.tolist(), strict=True)]
        return [str(z) if z else "UTC" for z in names_at(lngs=lons, lats=lats)]

    # -- address blocks ---------------------------------------------------------------------
    @staticmethod
    def registration_country(icao24: int | str) -> str | None:
        return _icao24.registration_country(icao24)

    @staticmethod
    def registration_countries(icao24: NDArray[np.integer]) -> NDArray[np.object_]:
        return _icao24.registration_countries(icao24)


_WORLD: World | None = None
_WORLD_LOCK = threading.Lock()


def get_world() -> World:
    """The process-wide shared World (parts load lazily on first use)."""
    global _WORLD
    if _WORLD is None:
        with _WORLD_LOCK:
            if _WORLD is None:
                _WORLD = World()
    return _WORLD
