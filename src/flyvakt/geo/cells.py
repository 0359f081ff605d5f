"""Airports by query cell: for one search radius, each 0.25° cell's candidate airports, built
once, so that a batch of points is searched in a fixed number of array operations.

:class:`AirportCells` holds, for every ``QUERY_CELL_DEG`` cell with an airport within
``radius_nm`` + the cell's half-diagonal of its centre, those airports (a CSR: cell keys in
order, offsets, airport rows). Every airport within ``radius_nm`` of a point lies within that
reach of its cell's centre (triangle inequality), so a point's candidates are its cell's; a
point whose cell is not listed has no airport within ``radius_nm`` at all (no search). The
detector asks the same questions at every step, however small the step: the per-cell Python
loop the batch searches had until session 7 cost it a fixed ~0.5 ms per step at live step sizes.

Distances are chord lengths² computed as :meth:`Airports.near` computes them (unit vectors by
``math``, the same elementwise products), so the answers are ``near``'s to the bit: the nearest
airport is ``near(...)[0]`` (ties by table row), the lists are ``near``'s lists. Searches that
ask for speed instead (``exact=False``: NumPy's sin/cos) agree but within rounding.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from flyvakt.geo.airports import Airports

# Why 0.25°: a cell's half-diagonal (~10.6 NM) stays near the search radii (5-10 NM), so a
# point has few candidates where airports are dense, and the table stays ~100-200 k pairs.
QUERY_CELL_DEG = 0.25
# A point lies at most this far from its cell's centre: 60·√2·0.25/2 ≈ 10.6 NM at the equator
# (less elsewhere), rounded up.
HALF_DIAG_NM = 10.7
_NROW, _NCOL = round(180 / QUERY_CELL_DEG), round(360 / QUERY_CELL_DEG)


# Query cells are looked up in a dense table of (_NROW + 1) × (_NCOL + 1) entries: the extra
# row is the top one again (latitude 90 exactly), the extra column the first one again
# (longitude 180 exactly), so that a position in range needs no wrapping; the last entry is
# for what is no position.
_TROW, _TCOL = _NROW + 1, _NCOL + 1
_NOWHERE = _TROW * _TCOL
# Above every airport table row: what a pair that is not the nearest reads as, in the search.
_NO_ROW = np.iinfo(np.int64).max


def cell_keys(lats: NDArray[np.float64], lons: NDArray[np.float64]) -> NDArray[np.int64]:
    """The query cell of each point as its place in the dense table (row · (_NCOL + 1) +
    column), ``_NOWHERE`` where it is no position: the fewest array operations, as every
    detector step asks. A point on a cell's edge may go to either side: it lies within the
    half-diagonal of both centres."""
    with np.errstate(invalid="ignore"):
        row = np.floor(lats * (1 / QUERY_CELL_DEG) + _NROW / 2)  # why: ·4 is exact
        col = np.floor(lons * (1 / QUERY_CELL_DEG) + _NCOL / 2)
        ok = (row >= 0) & (row < _NROW) & (col >= 0) & (col <= _NCOL)
        if ok.all():  # every point in its cell (nearly every step): no np.where needed
            key = row * _TCOL
            key += col
            return key.astype(np.int64)
        # Latitude 90, longitudes out of [-180, 180] wrap; no position: nowhere.
        ok = (np.abs(lats) <= 90.0) & np.isfinite(lons)
        col = np.where(ok, col % _NCOL, 0.0)
        return np.where(ok, row * _TCOL + col, _NOWHERE).astype(np.int64)


def unit_vectors(
    lats: NDArray[np.float64], lons: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Each point's unit vector (x, y, z columns), as :meth:`Airports.near` computes it: its
    cos/sin are ``math``'s (NumPy's vectorised ones may round differently in the last bit on
    some CPUs); radians are one product either way."""
    n = len(lats)
    la_r, lo_r = np.radians(lats).tolist(), np.radians(lons).tolist()
    c = np.fromiter(map(math.cos, la_r), np.float64, n)
    px = c * np.fromiter(map(math.cos, lo_r), np.float64, n)
    py = c * np.fromiter(map(math.sin, lo_r), np.float64, n)
    return px, py, np.fromiter(map(math.sin, la_r), np.float64, n)


def max_chord2(radius_nm: float) -> float:
    """The chord length² of ``radius_nm`` of great circle (as :meth:`Airports.near` tests)."""
    from flyvakt.geo.distance import EARTH_RADIUS_NM

    c = 2.0 * math.sin(min(radius_nm / EARTH_RADIUS_NM, math.pi) / 2.0)
    return c * c


def _index(ap: Airports, rows: NDArray[np.int64], radius_nm: float) -> dict[str, Any]:
    """The CSR of :class:`AirportCells` (keys, offsets, cands, top_ft), built from the table."""
    reach = radius_nm + HALF_DIAG_NM
    lat, lon = ap.lat_deg[rows], ap.lon_deg[rows]
    ok = np.isfinite(lat) & np.isfinite(lon)
    rows, lat, lon = rows[ok], lat[ok], lon[ok]
    # Cells whose centre may lie within reach, per airport: the rows within reach/60° of
    # latitude (a great circle is never shorter than its latitude difference), and the
    # columns within reach of longitude at the band's most poleward latitude, with a 10 %
    # and one-cell margin; near a pole, every column. Then the exact test from each centre.
    dlat = reach / 60.0
    r0 = np.clip(np.floor((lat - dlat + 90.0) / QUERY_CELL_DEG), 0, _NROW - 1).astype(np.int64)
    r1 = np.clip(np.floor((lat + dlat + 90.0) / QUERY_CELL_DEG), 0, _NROW - 1).astype(np.int64)
    pole = np.minimum(np.abs(lat) + dlat, 90.0)
    cos_p = np.cos(np.radians(pole))
    with np.errstate(divide="ignore"):
        dlon = np.where(cos_p > 0.02, 1.1 * dlat / cos_p + QUERY_CELL_DEG, 360.0)
    wide = dlon >= 180.0
    lon_n = (lon + 180.0) % 360.0 - 180.0
    c0 = np.where(wide, 0, np.floor((lon_n - dlon + 180.0) / QUERY_CELL_DEG)).astype(np.int64)
    c1 = np.where(wide, _NCOL - 1, np.floor((lon_n + dlon + 180.0) / QUERY_CELL_DEG)).astype(
        np.int64
    )
    nr, nc = r1 - r0 + 1, c1 - c0 + 1
    per = nr * nc
    k = np.repeat(np.arange(len(rows)), per)
    j = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    cr = r0[k] + j // nc[k]
    cc = (c0[k] + j % nc[k]) % _NCOL
    clat = (cr + 0.5) * QUERY_CELL_DEG - 90.0
    clon = (cc + 0.5) * QUERY_CELL_DEG - 180.0
    # NumPy's sin/cos here (fast; may differ from math's in the last bit): the margin below
    # keeps every cell within reach, and the points' own distances are math's.
    cla, clo = np.radians(clat), np.radians(clon)
    cx, cy, cz = np.cos(cla) * np.cos(clo), np.cos(cla) * np.sin(clo), np.sin(cla)
    a = rows[k]
    x = ap._xyz_cols
    c2 = 2.0 - 2.0 * (x[0][a] * cx + x[1][a] * cy + x[2][a] * cz)
    keep = c2 <= max_chord2(reach) * (1.0 + 1e-9)  # why 1e-9: rounding, never a miss
    key, a = (cr * _TCOL + cc)[keep], a[keep]
    order = np.lexsort((a, key))
    key, a = key[order], a[order]
    first = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, np.bool_)
    offsets = np.r_[np.flatnonzero(first), len(key)].astype(np.int64)
    elev = ap.elevation_ft[a]
    top_ft = np.maximum.reduceat(elev, offsets[:-1]) if len(a) else np.zeros(0, np.float64)
    return {"keys": key[first], "offsets": offsets, "cands": a, "top_ft": top_ft}


@dataclass(frozen=True)
class Pairs:
    """Every (point, candidate airport) pair of a search: ``point`` indexes the points given,
    ``row`` is the airport's table row, ``chord2`` their chord length², grouped by point."""

    point: NDArray[np.int64]
    row: NDArray[np.int64]
    chord2: NDArray[np.float64]
    count: NDArray[np.int64]  # per point given: its pairs (``point`` is np.repeat(arange, count))


class AirportCells:
    """The candidate airports of every query cell for one radius (see the module doc)."""

    def __init__(self, ap: Airports, rows: NDArray[np.int64], radius_nm: float) -> None:
        """``rows``: the airports searched (e.g. no heliports), ``radius_nm``: the radius."""
        self._set(ap, radius_nm, _index(ap, rows, radius_nm))

    @classmethod
    def from_columns(cls, ap: Airports, radius_nm: float, cols: dict[str, Any]) -> AirportCells:
        """From :meth:`columns`' output (e.g. read back from the cache; see :func:`valid`)."""
        out = cls.__new__(cls)
        out._set(ap, radius_nm, cols)
        return out

    def columns(self) -> dict[str, Any]:
        """What the index is made of (the dense table is rebuilt from ``keys``)."""
        return {"keys": self.keys, "offsets": self.offsets, "cands": self.cands,
                "top_ft": self.top_ft}  # fmt: skip

    def _set(self, ap: Airports, radius_nm: float, cols: dict[str, Any]) -> None:
        self.radius_nm = radius_nm
        self.limit = max_chord2(radius_nm)
        self._x = ap._xyz_cols
        self.keys: NDArray[np.int64] = cols["keys"]
        self.offsets: NDArray[np.int64] = cols["offsets"]
        self.cands: NDArray[np.int64] = cols["cands"]
        self.top_ft: NDArray[np.float64] = cols["top_ft"]
        # And the lowest (not cached: one reduction over the candidates, ~1 ms at load).
        elev = ap.elevation_ft[self.cands]
        self.low_ft: NDArray[np.float64] = (
            np.minimum.reduceat(elev, self.offsets[:-1]) if len(elev) else np.zeros(0)
        )
        # Both with one entry more at the end, read by a point with no cell (-1, the last
        # entry): :meth:`highest_ft` and :meth:`lowest_ft` are then one gather each, where a
        # np.where over the cells took two more passes over every row of every detector step.
        self._top_pad = np.append(self.top_ft, -np.inf)
        self._low_pad = np.append(self.low_ft, np.inf)
        # The dense table: each cell's place in keys (-1: none); 4 MB, one lookup per point.
        table = np.full(_NOWHERE + 1, -1, np.int32)
        table[self.keys] = np.arange(len(self.keys), dtype=np.int32)
        table[_NROW * _TCOL : _NOWHERE] = table[(_NROW - 1) * _TCOL : _NROW * _TCOL]
        table[_NCOL:_NOWHERE:_TCOL] = table[0:_NOWHERE:_TCOL]
        self._table = table

    def cells(self, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> NDArray[np.int64]:
        """Per point: its cell's place in this index, -1 where no airport lies within the radius
        (or the point is no position): such a point needs no search."""
        key = cell_keys(np.asarray(lats, np.float64), np.asarray(lons, np.float64))
        return self._table[key].astype(np.int64)

    def highest_ft(self, cell: NDArray[np.int64]) -> NDArray[np.float64]:
        """Per point (its :meth:`cells`): no airport within the radius of it is higher than
        this; -inf where there is none."""
        return self._top_pad[cell]  # -1 (no cell): the padding's -inf

    def lowest_ft(self, cell: NDArray[np.int64]) -> NDArray[np.float64]:
        """Per point (its :meth:`cells`): no airport within the radius of it is lower than
        this; inf where there is none."""
        return self._low_pad[cell]  # -1 (no cell): the padding's inf

    def pairs(
        self, lats: NDArray[np.float64], lons: NDArray[np.float64], cell: NDArray[np.int64],
        exact: bool = True,
    ) -> Pairs:  # fmt: skip
        """Every point (given with its :meth:`cells`, all >= 0) against its cell's airports.
        ``exact``: chords of :meth:`Airports.near`'s bits; else the points' unit vectors by
        NumPy's sin/cos (~10x faster per point; may differ from ``near`` in the last bit)."""
        start = self.offsets[cell]
        count = self.offsets[cell + 1] - start
        point = np.repeat(np.arange(len(cell)), count)
        at = np.arange(len(point)) - np.repeat(np.cumsum(count) - count - start, count)
        row = self.cands[at]
        la, lo = np.asarray(lats, np.float64), np.asarray(lons, np.float64)
        if exact:
            px, py, pz = unit_vectors(la, lo)
        else:
            la_r, lo_r = np.radians(la), np.radians(lo)
            c = np.cos(la_r)
            px, py, pz = c * np.cos(lo_r), c * np.sin(lo_r), np.sin(la_r)
        # The points' vectors per pair by np.repeat (the pairs come grouped by point, in order):
        # the values of px[point] at ~4 instructions a pair against ~15 for the gather (the
        # detector's searches gather a lot: session 14). The airports' stay three gathers: a
        # table of their rows (one gather, ~28 a pair against ~45) costs ~3 MB per radius
        # and ~10 M instructions to build, for ~1 M a run saved on the 5,000-aircraft burst.
        pxp, pyp, pzp = np.repeat(px, count), np.repeat(py, count), np.repeat(pz, count)
        x = self._x
        # As Airports._chord2, element by element: the same bits as Airports.near (a matrix
        # product, or a sum along rows, is both slower here and may round differently).
        c2 = 2.0 - 2.0 * (x[0][row] * pxp + x[1][row] * pyp + x[2][row] * pzp)
        return Pairs(point, row, c2, count)

    def nearest(
        self, lats: NDArray[np.float64], lons: NDArray[np.float64], cell: NDArray[np.int64],
        exact: bool = True,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
        """Per point (with its :meth:`cells`): the nearest airport within the radius (table
        row, -1 for none: ``near(...)[0]``, ties by row) and its chord length² (inf for none).
        Not ``exact`` (see :meth:`pairs`): the same but where two distances, or a distance and
        the radius, are equal to within rounding (~1e-12 NM)."""
        n = len(cell)
        out_i = np.full(n, -1, np.int64)
        out_c2 = np.full(n, np.inf)
        pts = np.flatnonzero(cell >= 0)
        if len(pts) == 0:
            return out_i, out_c2
        pr = self.pairs(np.asarray(lats)[pts], np.asarray(lons)[pts], cell[pts], exact)
        # The pairs come grouped by point, every point with at least one (a listed cell has
        # candidates), all finite: per group, the least chord², then the least table row among
        # the pairs at it (as near() orders them). Two reductions over the groups instead of
        # sorting every pair (burst: 400 k pairs per run, ~3x faster).
        begin = np.flatnonzero(np.r_[True, pr.point[1:] != pr.point[:-1]])
        least = np.minimum.reduceat(pr.chord2, begin)
        # least[pr.point], by np.repeat (see pairs); a point without pairs has no group.
        at_least = pr.chord2 == np.repeat(least, pr.count[pr.count > 0])
        row = np.minimum.reduceat(np.where(at_least, pr.row, _NO_ROW), begin)
        inside = least <= self.limit
        at = pts[inside]
        out_i[at], out_c2[at] = row[inside], least[inside]
        return out_i, out_c2


# What a cached index holds: its columns, their dtypes (as :func:`_index` makes them).
_COLUMNS = {"keys": np.int64, "offsets": np.int64, "cands": np.int64, "top_ft": np.float64}


def cached_cells(ap: Airports, rows: NDArray[np.int64], radius_nm: float) -> AirportCells:
    """``AirportCells(ap, rows, radius_nm)``, read from the binary cache (geo/cache.py) when it
    holds one built from the same table, rows, radius, code and NumPy; else built and stored.
    A file that is damaged or does not hold a well-formed index is rebuilt, never used."""
    from flyvakt.geo.cache import cached_columns

    built: list[AirportCells] = []

    def build() -> dict[str, Any]:
        built.append(AirportCells(ap, rows, radius_nm))
        return built[0].columns()

    cols = cached_columns(
        "airport-cells", fingerprint(ap, rows, radius_nm), build, lambda c: valid(c, len(ap))
    )
    return built[0] if built else AirportCells.from_columns(ap, radius_nm, cols)


def fingerprint(ap: Airports, rows: NDArray[np.int64], radius_nm: float) -> list[str]:
    """What an index is built from: the table's positions, unit vectors and elevations, the
    rows searched, the radius, this module's code and NumPy's version (its sin/cos). The
    table's part is its :meth:`~flyvakt.geo.airports.Airports.columns_digest`, taken once per
    table."""
    h = hashlib.blake2b(digest_size=16)
    a = np.ascontiguousarray(rows)
    h.update(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    h.update(ap.columns_digest())
    code = Path(__file__).read_bytes()
    return [h.hexdigest(), float(radius_nm).hex(), f"{zlib.crc32(code):08x}", np.__version__]


def valid(cols: dict[str, Any], n_airports: int) -> bool:
    """Whether ``cols`` is a well-formed index over a table of ``n_airports`` rows (columns and
    dtypes, the CSR's shape, keys and airport rows in range): what is read back is trusted
    only then (a file may be whole yet not ours, or from a table of another size)."""
    if set(cols) != set(_COLUMNS):
        return False
    for name, dtype in _COLUMNS.items():
        a = cols[name]
        if not isinstance(a, np.ndarray) or a.dtype != dtype or a.ndim != 1:
            return False
    keys, offsets, cands, top = cols["keys"], cols["offsets"], cols["cands"], cols["top_ft"]
    if len(offsets) != len(keys) + 1 or len(top) != len(keys):
        return False
    if offsets[0] != 0 or offsets[-1] != len(cands) or not bool(np.all(np.diff(offsets) > 0)):
        return False
    if len(keys) and (keys[0] < 0 or keys[-1] >= _NOWHERE or not bool(np.all(np.diff(keys) > 0))):
        return False
    return not len(cands) or (int(cands.min()) >= 0 and int(cands.max()) < n_airports)
