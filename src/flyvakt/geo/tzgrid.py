"""Time zones of many points from a lat/lon grid: exactly timezonefinder's answers, cheaper.

**What timezonefinder 9 answers** (``TimezoneFinder.timezone_at`` and its batch form
``timezone_ids_at``, read from the installed source): it finds the point's H3 cell at
``configs.SHORTCUT_H3_RES`` (4: ~288,000 cells of ~1,770 km²) and reads that cell's entry in
its precomputed shortcut table. An entry that is a zone id *is* the answer: no polygon is
tested. Only a cell whose entry is a candidate list (several zones) runs the point-in-polygon
loop: candidates in stored order, on coordinates truncated to 1e-7°, the first polygon (less
its holes) that holds the point answers, and once only one zone is left its zone is returned
untested. An absent entry answers None (we say "UTC"); the packaged data has the ocean zones
(``Etc/GMT±N``), so every cell has an entry and None does not occur with it.

So "the point lies in zone Z's polygon" does **not** by itself decide timezonefinder's answer:
which polygons a cell lists comes from the upstream build (vertex inclusion between polygon and
cell, not edge intersection), zones do overlap in the boundary data (coastal slivers, enclaves),
and in an overlap the candidate order decides. A grid built from polygon containment would
therefore match timezonefinder only as far as those build choices happen to agree with the
geometry. This grid needs no such claim; it rests on the table alone:

- **The rule.** A grid cell (1/8° × 1/8°, edges included) gets zone Z when *every* H3 cell
  that can hold a point of it has the table entry Z (a single zone). Then every point of the
  grid cell lies in some such H3 cell, and timezonefinder answers Z for it, by its own first
  step. Every other grid cell answers "unknown" (-1), and those points go to timezonefinder.
- **Which H3 cells can hold a point of a grid cell** (a superset is enough; more only costs
  coverage): each H3 cell's boundary (``h3.cell_to_boundary``: its vertices; its edges are
  great-circle arcs) spans a lat/lon box; a great-circle arc's longitude runs monotonically
  between its ends, and its latitude leaves the ends' range by under 0.001° for a res-4 edge
  below 80° latitude. The box widened by ``MARGIN_DEG`` therefore holds the whole cell, and
  the cell is counted for every grid cell whose closed rectangle meets the widened box. A
  cell that reaches beyond 80° latitude counts for the whole band up to its pole, and one that
  spans over 180° of longitude (it crosses the antimeridian or holds a pole) or whose box
  reaches past ±180° counts for every longitude.
- **Each H3 cell's entry** is read through the public ``unique_timezone_at`` at the cell's
  centre (``h3.cell_to_latlng``), after checking that the centre maps back to that cell.
- **A query point** goes to the grid cell ``floor((lat + 90) * 8), floor((lon + 180) * 8)``
  (the last row and column take ±90 and +180); the float error of that index (~1e-14°) is far
  inside the margin. Points timezonefinder refuses (NaN, out of range) never reach the grid:
  :meth:`World.tz_many` keeps its refusals as they were.

The grid is built from the installed timezonefinder and h3 (~4-7 s, once) and cached by
geo/cache.py, keyed by the versions of timezonefinder, its data package and h3, the data's
stamp, its shortcut file's size and its zone names' CRC (all found without importing
timezonefinder, so a process whose points the grid answers never imports it); it is used
only with timezonefinder major version 9 (the version whose first step is described above),
otherwise every point goes to timezonefinder as before. The finder, when a point needs it,
checks that its zone names are the grid's, and drops the grid if not. With the cache turned
off (``FLYVAKT_CACHE_DIR=off``) the grid is not built at all: a process that cannot keep it
would pay its build for every run.

Stored as two levels: a 1° table (``coarse``: a zone id, -1 for unknown, or ``-2 - k`` for
block ``k``) and the 8 × 8 blocks of the 1° cells whose 1/8° cells differ (``blocks``).
"""

from __future__ import annotations

import importlib
import itertools
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Grid cells per degree. 1/8° (~14 km of latitude) is ~1/3 of a res-4 H3 cell across: finer
# cells resolve more of the ground near a change of entry, but the table grows with the square
# (the blocks of mixed 1° cells are what is stored, ~1 MB at 8).
PER_DEG = 8
ROWS = 180 * PER_DEG
COLS = 360 * PER_DEG
# What every H3 cell's vertex box is widened by (degrees, both axes): 50x the largest bulge of
# a res-4 edge below 80° latitude (~0.001°), and 1e12x the float error of a query's index.
MARGIN_DEG = 0.05
# Beyond this latitude a cell counts for its whole polar cap and every longitude: edges there
# bend far from their vertices' box in lat/lon, and the caps carry no traffic worth a grid.
POLAR_DEG = 80.0
# The table format: bump when the rule or the layout changes (a new cache file).
FORMAT = "1"
_UNKNOWN = -1
# The distributions the grid is built from, as their .dist-info folders name them.
_DISTS = ("timezonefinder", "timezonefinder_data", "h3")
# H3 cells taken at a time while building: bounds the build's memory (~10 MB a piece).
_PIECE = 5_000


class TzGrid:
    """The grid's two tables and the zone names its ids index (timezonefinder's order)."""

    def __init__(self, coarse: NDArray[np.int32], blocks: NDArray[np.int16], names: list[str]):
        self.coarse = coarse
        self.blocks = blocks
        # the names by id, "UTC" last: timezonefinder's NO_ZONE_ID (-1) indexes it
        self.names = np.array([*names, "UTC"], dtype=object)
        self.name_list = names

    def zone_id(self, lat_deg: float, lon_deg: float) -> int:
        """:meth:`zone_ids` of one point (the same index arithmetic, in Python floats)."""
        i = min(int((lat_deg + 90.0) * PER_DEG), ROWS - 1)
        j = min(int((lon_deg + 180.0) * PER_DEG), COLS - 1)
        z = int(self.coarse[(i // PER_DEG) * 360 + j // PER_DEG])
        if z <= -2:
            z = int(self.blocks[-2 - z, (i % PER_DEG) * PER_DEG + j % PER_DEG])
        return z

    def zone_ids(
        self, lats_deg: NDArray[np.float64], lons_deg: NDArray[np.float64]
    ) -> NDArray[Any]:
        """timezonefinder's zone id per point, -1 where the grid does not know it. Every
        point must be finite and in range (|lat| <= 90, |lon| <= 180)."""
        # astype truncates toward zero: the same as floor here, every value being >= 0
        i = ((lats_deg + 90.0) * PER_DEG).astype(np.intp)
        np.minimum(i, ROWS - 1, out=i)
        j = ((lons_deg + 180.0) * PER_DEG).astype(np.intp)
        np.minimum(j, COLS - 1, out=j)
        ids: NDArray[np.int32] = self.coarse[(i // PER_DEG) * 360 + j // PER_DEG]
        mixed = np.flatnonzero(ids <= -2)
        if mixed.size:
            k = -2 - ids[mixed]
            ids[mixed] = self.blocks[k, (i[mixed] % PER_DEG) * PER_DEG + j[mixed] % PER_DEG]
        return ids


def _h3() -> Any:
    """h3's integer API (imported by name: h3 ships no type information)."""
    return importlib.import_module("h3.api.numpy_int")


def h3_cells() -> NDArray[np.uint64]:
    """Every H3 cell at timezonefinder's shortcut resolution."""
    h3 = _h3()
    from timezonefinder.configs import SHORTCUT_H3_RES

    return np.concatenate(
        [h3.cell_to_children(c, SHORTCUT_H3_RES) for c in h3.get_res0_cells()]
    ).astype(np.uint64)


def cell_entries(tzf: Any, cells: NDArray[np.uint64], names: list[str]) -> NDArray[np.int16]:
    """Each cell's zone id when timezonefinder's table gives it a single zone, else -1."""
    h3 = _h3()
    from timezonefinder.configs import SHORTCUT_H3_RES

    id_of = {n: k for k, n in enumerate(names)}
    out = np.full(cells.size, _UNKNOWN, np.int16)
    for k, c in enumerate(cells.tolist()):
        lat, lng = h3.cell_to_latlng(c)
        if h3.latlng_to_cell(lat, lng, SHORTCUT_H3_RES) != c:
            continue  # the centre is not in its own cell: leave it unknown
        name = tzf.unique_timezone_at(lng=lng, lat=lat)
        if name is not None:
            out[k] = id_of[name]
    return out


def cell_boxes(cells: NDArray[np.uint64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Each cell's widened box (module docstring), rows (lat0, lat1, lon0, lon1), and each
    box's cell: a box that crosses the antimeridian is given as two, one on each side."""
    h3 = _h3()

    counts_parts, flat_parts = [], []
    for part in np.array_split(cells, max(1, cells.size // _PIECE)):
        # in pieces: a tuple of tuples per cell is ~1 KB of Python objects while it lives
        verts = [h3.cell_to_boundary(c) for c in part.tolist()]
        counts_parts.append(np.fromiter(map(len, verts), np.intp, len(verts)))
        flat_parts.append(np.array(list(itertools.chain.from_iterable(verts)), np.float64))
    counts = np.concatenate(counts_parts)
    flat = np.concatenate(flat_parts).reshape(-1, 2)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    lat, lon = flat[:, 0], flat[:, 1]
    lat0 = np.minimum.reduceat(lat, starts) - MARGIN_DEG
    lat1 = np.maximum.reduceat(lat, starts) + MARGIN_DEG
    lon0 = np.minimum.reduceat(lon, starts)
    lon1 = np.maximum.reduceat(lon, starts)
    # A cell over the antimeridian has vertices near both +180 and -180: its span is the
    # short way round, from its smallest positive to its largest negative longitude + 360.
    cross = lon1 - lon0 > 180.0
    east = np.where(lon >= 0.0, lon, 360.0 + lon)
    lon0 = np.where(cross, np.minimum.reduceat(east, starts), lon0) - MARGIN_DEG
    lon1 = np.where(cross, np.maximum.reduceat(east, starts), lon1) + MARGIN_DEG
    north = lat1 > POLAR_DEG
    south = lat0 < -POLAR_DEG
    lat1[north] = 90.0
    lat0[south] = -90.0
    polar = north | south
    lon0[polar] = -180.0
    lon1[polar] = 180.0
    box = np.stack([lat0, lat1, lon0, lon1], axis=1)
    # the parts beyond +180 or below -180, once more wrapped to the other side
    over = np.flatnonzero(box[:, 3] > 180.0)
    under = np.flatnonzero(box[:, 2] < -180.0)
    wrapped = [box[over] - [0.0, 0.0, 360.0, 360.0], box[under] + [0.0, 0.0, 360.0, 360.0]]
    return np.concatenate([box, *wrapped]), np.concatenate([np.arange(cells.size), over, under])


def _index_range(lo: NDArray[np.float64], hi: NDArray[np.float64], origin: float, n: int) -> Any:
    """First and last grid index whose closed interval meets [lo, hi] (one more on each side:
    a cell whose edge only touches counts)."""
    a = np.floor((lo + origin) * PER_DEG).astype(np.intp) - 1
    b = np.floor((hi + origin) * PER_DEG).astype(np.intp)
    return np.clip(a, 0, n - 1), np.clip(b, 0, n - 1)


def fine_grid(entries: NDArray[np.int16], boxes: NDArray[np.float64]) -> NDArray[np.int16]:
    """The 1/8° grid: the one entry of every H3 cell that meets a grid cell, when they are all
    the same zone, else -1."""
    i0, i1 = _index_range(boxes[:, 0], boxes[:, 1], 90.0, ROWS)
    j0, j1 = _index_range(boxes[:, 2], boxes[:, 3], 180.0, COLS)
    lo = np.full((ROWS, COLS), np.iinfo(np.int16).max, np.int16)
    hi = np.full((ROWS, COLS), _UNKNOWN, np.int16)
    # Cells that count for every longitude (polar caps, the antimeridian) are applied per row
    # band, not per grid cell: a few thousand of them would otherwise span ~10^9 grid cells.
    wide = (j0 == 0) & (j1 == COLS - 1)
    rows_of = i1[wide] - i0[wide] + 1
    row = np.repeat(i0[wide], rows_of) + _ramp(rows_of)
    row_lo = np.full(ROWS, np.iinfo(np.int16).max, np.int16)
    row_hi = np.full(ROWS, _UNKNOWN, np.int16)
    np.minimum.at(row_lo, row, np.repeat(entries[wide], rows_of))
    np.maximum.at(row_hi, row, np.repeat(entries[wide], rows_of))
    np.minimum(lo, row_lo[:, None], out=lo)
    np.maximum(hi, row_hi[:, None], out=hi)
    narrow = np.flatnonzero(~wide)
    # in pieces: the whole world at once is ~10^7 (cell, grid cell) pairs of several arrays
    for part in np.array_split(narrow, max(1, narrow.size // _PIECE)):
        _spread(lo, hi, i0[part], i1[part], j0[part], j1[part], entries[part])
    return np.where((lo == hi) & (lo >= 0), lo, _UNKNOWN).astype(np.int16)


def _spread(
    lo: NDArray[np.int16],
    hi: NDArray[np.int16],
    i0: NDArray[np.intp],
    i1: NDArray[np.intp],
    j0: NDArray[np.intp],
    j1: NDArray[np.intp],
    code: NDArray[np.int16],
) -> None:
    """Fold each box's code into the lowest and highest code of every grid cell it meets."""
    nj = j1 - j0 + 1
    counts = (i1 - i0 + 1) * nj
    local = _ramp(counts)
    width = np.repeat(nj, counts)
    flat = (np.repeat(i0, counts) + local // width) * COLS + np.repeat(j0, counts) + local % width
    np.minimum.at(lo.reshape(-1), flat, np.repeat(code, counts))
    np.maximum.at(hi.reshape(-1), flat, np.repeat(code, counts))


def _ramp(counts: NDArray[np.intp]) -> NDArray[np.intp]:
    """0, 1, ..., counts[0] - 1, 0, 1, ..., counts[1] - 1, ... (each run's own index)."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if ends.size else 0) - np.repeat(ends - counts, counts)


def two_level(fine: NDArray[np.int16]) -> tuple[NDArray[np.int32], NDArray[np.int16]]:
    """``coarse`` and ``blocks`` of a fine grid (module docstring)."""
    b = fine.reshape(180, PER_DEG, 360, PER_DEG).transpose(0, 2, 1, 3).reshape(-1, PER_DEG**2)
    uniform = (b == b[:, :1]).all(axis=1)
    coarse = b[:, 0].astype(np.int32)
    mixed = np.flatnonzero(~uniform)
    coarse[mixed] = -2 - np.arange(mixed.size, dtype=np.int32)
    return coarse, np.ascontiguousarray(b[mixed])


def build_columns(tzf: Any) -> dict[str, Any]:
    """The grid's cache columns, from the installed timezonefinder and h3 (~4 s)."""
    names = [str(n) for n in tzf.timezone_names]
    cells = h3_cells()
    boxes, owner = cell_boxes(cells)
    fine = fine_grid(cell_entries(tzf, cells, names)[owner], boxes)
    coarse, blocks = two_level(fine)
    return {"coarse": coarse, "blocks": blocks, "names": names}


def usable_version(version: str) -> bool:
    """The timezonefinder versions whose first step is the module docstring's: 9.x."""
    return version.split(".", 1)[0] == "9"


def _dist_version(site: Path, name: str) -> str | None:
    """The version in ``name``'s one ``.dist-info`` folder beside its package, or None."""
    found = [f for f in os.listdir(site) if f.startswith(f"{name}-") and f.endswith(".dist-info")]
    if len(found) != 1:
        return None
    return found[0][len(name) + 1 : -len(".dist-info")]


def fingerprint() -> list[str] | None:
    """What the grid is built from (timezonefinder's, its data's and h3's versions, the data's
    stamp and its shortcut file's size), or None when that cannot be told or timezonefinder
    is not a version the grid's argument covers (the caller then asks timezonefinder for every
    point). Found without importing timezonefinder: its import (cffi, pycparser: ~80 M
    instructions) is paid only when a point needs it."""
    from importlib.util import find_spec

    try:
        specs = [find_spec(n) for n in ("timezonefinder", "timezonefinder_data", "h3")]
        if any(s is None or s.origin is None for s in specs):
            return None
        dirs = [Path(str(s.origin)).parent for s in specs if s is not None]
        versions = [_dist_version(d.parent, n) for d, n in zip(dirs, _DISTS, strict=True)]
        if versions[0] is None or not usable_version(versions[0]) or None in versions:
            return None
        data = dirs[1] / "data"
        stamp = (data / "data_version.txt").read_text("utf-8").strip()
        shortcut_bytes = os.stat(data / "shortcuts.bin").st_size
        names_crc = zlib.crc32((data / "timezone_names.txt").read_bytes())
    except (OSError, ImportError, ValueError):
        return None
    return [FORMAT, *[str(v) for v in versions], stamp, str(shortcut_bytes), f"{names_crc:08x}"]


def load_grid(tzf_of: Any) -> TzGrid | None:
    """The cached grid (built on first use by ``tzf_of()``'s finder), or None when the cache is
    off or timezonefinder is not a version the grid covers."""
    from flyvakt.geo.cache import cache_dir, cached_columns

    if cache_dir() is None:
        return None
    key = fingerprint()
    if key is None:
        return None

    def valid(cols: dict[str, Any]) -> bool:
        coarse, blocks = cols.get("coarse"), cols.get("blocks")
        return (
            isinstance(coarse, np.ndarray)
            and coarse.shape == (180 * 360,)
            and isinstance(blocks, np.ndarray)
            and blocks.ndim == 2
            and blocks.shape[1] == PER_DEG**2
            and int(coarse.min(initial=0)) >= -1 - blocks.shape[0]
            and int(blocks.max(initial=-1)) < len(cols.get("names", ()))
            and int(coarse.max(initial=-1)) < len(cols.get("names", ()))
        )

    cols = cached_columns("tz-grid", key, lambda: build_columns(tzf_of()), valid)
    return TzGrid(cols["coarse"], cols["blocks"], list(cols["names"]))
