"""A grid index over reference points (airports, receivers) for "is one within N NM?".

Used once per aircraft (its first surface fix, when it has no position of its own yet), for
eight quadrant candidates each, so it must be cheap in bulk: a summed-area table of point
counts on a 0.25° x 0.5° grid answers "any point nearby?" for all candidates at once, and only the
candidates that pass get an exact great-circle check. The candidates of a surface aircraft lie
in the few 0.1° query cells of its airport: each cell's candidate references (those that can
be the nearest to some point of it) are found once by that grid search and kept, and each point
is measured against its cell's only (the same distances, fewer pairs).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.geo.distance import EARTH_RADIUS_NM, haversine_rad_nm
from flyvakt.model.runs import first_of_run

F64 = npt.NDArray[np.float64]

# 0.5° of latitude is 30 NM: two 0.25° rows each side cover the default 30 NM
# surface-reference radius in latitude; longitude spans more cells as cos(lat) shrinks. Rows of
# 0.25°, not 0.5°: a window then holds 1.25° of latitude for the 1° band that can be within
# 30 NM, not 1.5° (fewer pairs to cut by latitude: 8 quadrant candidates per new surface pair
# made this search most of what 50,000 new aircraft cost the tracker).
ROW_DEG = 0.25
COL_DEG = 0.5
NROW = int(180 / ROW_DEG)
NCOL = int(360 / COL_DEG)
# Points per block of (point, reference) pairs: bounds its memory (pairs x ~40 bytes) to some
# tens of MB even where a window holds a hundred references.
MAX_BLOCK_POINTS = 4096
# Query cells of 0.1°: aircraft on the surface crowd into the few cells of their airports, so a
# batch's points fall in few cells, each searched once; 0.1°, not 0.25°: a point's candidates
# are those within max_nm + CELL_REACH_NM of the centre, and the smaller the cell, the fewer
# (30 + 6.1 NM: 0.7x the (point, reference) pairs of the window's latitude band).
QUERY_DEG = 0.1
Q_NROW = round(180 / QUERY_DEG)
Q_NCOL = round(360 / QUERY_DEG)
# A point of a cell lies within half a cell of meridian (0.05° = 3.0 NM) and then half a cell
# of its parallel (at most as long) of the centre: within 6.0 NM of great circle; 6.1 with a
# margin far above rounding.
CELL_REACH_NM = 6.1
# The candidates' window is searched this much wider than it keeps (the window's columns are
# sized at the centre's latitude; the references at its poleward edge need a little more).
WINDOW_MARGIN_NM = 6.0
# Within this latitude a point is searched by its own window (its cell's centre window would
# reach across the pole, which the window search does not): as before the query cells.
POLAR_DEG = 89.0
# Query cells kept per radius before the store is emptied: cells of airports with traffic are
# a few thousand at most; 20,000 cells of ~100 candidates hold ~16 MB.
MAX_KEPT_CELLS = 20_000


class RefIndex:
    def __init__(self, lats: F64, lons: F64) -> None:
        self.lats = np.asarray(lats, dtype=np.float64)
        self.lons = np.asarray(lons, dtype=np.float64)
        self.rad = np.radians(self.lats)
        self.cos = np.cos(self.rad)
        r, c = self._cell(self.lats, self.lons)
        counts = np.zeros((NROW, NCOL), dtype=np.int64)
        np.add.at(counts, (r, c), 1)
        self.sat = np.zeros((NROW + 1, NCOL + 1), dtype=np.int64)
        self.sat[1:, 1:] = counts.cumsum(0).cumsum(1)
        key = r * NCOL + c
        self.order = np.argsort(key, kind="stable")
        self.start = np.searchsorted(key[self.order], np.arange(NROW * NCOL + 1))
        # Per radius: each query cell's candidate references (see :meth:`_candidates`).
        self._cells: dict[float, dict[int, npt.NDArray[np.int64]]] = {}

    @staticmethod
    def _cell(lat: F64, lon: F64) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        r = np.clip(np.floor((lat + 90.0) / ROW_DEG), 0, NROW - 1).astype(np.int64)
        c = np.floor((np.mod(lon + 180.0, 360.0)) / COL_DEG).astype(np.int64) % NCOL
        return r, c

    def nearest_nm(self, lat: F64, lon: F64, max_nm: float) -> F64:
        """Distance to the nearest reference within ``max_nm`` (inf where none), per point.

        Each point is measured against its query cell's candidates (:meth:`_candidates`: the
        references within ``max_nm`` + :data:`CELL_REACH_NM` of the cell's centre, found once
        per cell and kept), the same haversine per pair as a search of the point's whole
        window, so the same nearest distance: every reference within ``max_nm`` of the point
        is among them (triangle inequality), and the others are farther than it. Points within
        a degree of a pole are searched by their window, as before."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        out = np.full(lat.shape, np.inf)
        ok = np.isfinite(lat) & np.isfinite(lon)
        polar = ok & (np.abs(np.where(ok, lat, 0.0)) > POLAR_DEG)
        if polar.any():
            out[polar] = self._nearest_window(lat[polar], lon[polar], max_nm)
            ok &= ~polar
        sel = np.flatnonzero(ok)
        if sel.size == 0:
            return out
        key = _query_cell(lat[sel], lon[sel])
        cells, inv = np.unique(key, return_inverse=True)
        cands = self._candidates(cells, max_nm)
        count = np.fromiter(map(len, cands), np.int64, len(cands))
        flat = np.concatenate(cands) if len(cands) else np.zeros(0, np.int64)
        m = count[inv]
        point = np.repeat(sel, m)  # grouped by point, ascending (``sel`` is)
        if point.size == 0:
            return out
        ref = flat[np.repeat((np.cumsum(count) - count)[inv], m) + _ranks(m)]
        # Radians and cosine of the points with candidates only (one in eight of the surface
        # quadrant candidates), each taken once and repeated per pair.
        has = m > 0
        rad_p = np.radians(lat[sel[has]])
        rad, cos = np.repeat(rad_p, m[has]), np.repeat(np.cos(rad_p), m[has])
        d = haversine_rad_nm(rad, cos, self.rad[ref], self.cos[ref], self.lons[ref] - lon[point])
        at = np.flatnonzero(first_of_run(point))
        best = np.minimum.reduceat(d, at)
        hit = best <= max_nm
        out[point[at][hit]] = best[hit]
        return out

    def _candidates(self, cells: npt.NDArray[np.int64], max_nm: float) -> list[npt.NDArray[Any]]:
        """Per query cell (ascending keys): the references within ``max_nm`` +
        :data:`CELL_REACH_NM` of its centre, by the window search; kept per (radius, cell), so
        that the cells of busy airports are searched once."""
        kept = self._cells.setdefault(max_nm, {})
        if len(kept) > MAX_KEPT_CELLS:  # why: bounded memory over a long run (see the constant)
            kept.clear()
        new = [c for c in cells.tolist() if c not in kept]
        if new:
            key = np.asarray(new, np.int64)
            c_lat = ((key // Q_NCOL + 0.5) * QUERY_DEG - 90.0).astype(np.float64)
            c_lon = ((key % Q_NCOL + 0.5) * QUERY_DEG - 180.0).astype(np.float64)
            reach = max_nm + CELL_REACH_NM
            found: list[list[npt.NDArray[np.int64]]] = [[] for _ in new]
            # The window of a wider radius than kept: its columns are sized at the centre's
            # latitude, so a margin keeps the references near its poleward edge in.
            for point, ref, d in self._window_pairs(c_lat, c_lon, reach + WINDOW_MARGIN_NM):
                near = d <= reach
                point, ref, d = point[near], ref[near], d[near]
                if point.size == 0:
                    continue
                # Only the nearest can matter: every point of the cell has a reference within
                # (nearest to the centre) + CELL_REACH_NM, and a reference farther than that
                # + CELL_REACH_NM from the centre is farther from every point of the cell.
                at = np.flatnonzero(first_of_run(point))
                bound = np.repeat(np.minimum.reduceat(d, at), np.diff(np.r_[at, len(d)]))
                keep = d <= bound + 2 * CELL_REACH_NM
                point, ref = point[keep], ref[keep]
                at = np.flatnonzero(first_of_run(point))
                for k, part in zip(point[at].tolist(), np.split(ref, at[1:]), strict=True):
                    found[k].append(part)
            for c, parts in zip(new, found, strict=True):
                kept[c] = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return [kept[c] for c in cells.tolist()]

    def _nearest_window(self, lat: F64, lon: F64, max_nm: float) -> F64:
        """:meth:`nearest_nm` by each point's whole window (all finite points)."""
        out = np.full(lat.shape, np.inf)
        for point, _ref, d in self._window_pairs(lat, lon, max_nm):
            # ``point`` is grouped (ascending): the least distance of each point's pairs.
            at = np.flatnonzero(first_of_run(point))
            best = np.minimum.reduceat(d, at)
            hit = best <= max_nm
            out[point[at][hit]] = best[hit]
        return out

    def _window_pairs(
        self, lat: F64, lon: F64, max_nm: float
    ) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], F64]]:
        """(point, reference, haversine NM) of every finite point against the references of its
        grid window that may lie within ``max_nm`` of it, in blocks, grouped by point."""
        ok = np.isfinite(lat) & np.isfinite(lon)
        r, c = self._cell(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0))
        dr = math.ceil(max_nm / 60.0 / ROW_DEG)
        # Not-finite points (never searched) at latitude 0: no NaN cast to an integer window.
        coslat = np.maximum(
            np.cos(np.radians(np.clip(np.abs(np.where(ok, lat, 0.0)), 0, 89.0))), 0.02
        )
        dc = np.minimum(np.ceil(max_nm / (60.0 * coslat) / COL_DEG), NCOL // 2 - 1).astype(np.int64)
        r0, r1 = np.clip(r - dr, 0, NROW - 1), np.clip(r + dr, 0, NROW - 1)
        c0, c1 = c - dc, c + dc
        inside = (c0 >= 0) & (c1 < NCOL)
        # Summed-area count over the neighbourhood (wrapping windows are checked exactly).
        s = self.sat
        cnt = np.where(
            inside,
            s[r1 + 1, np.clip(c1, 0, NCOL - 1) + 1]
            - s[r0, np.clip(c1, 0, NCOL - 1) + 1]
            - s[r1 + 1, np.clip(c0, 0, NCOL - 1)]
            + s[r0, np.clip(c0, 0, NCOL - 1)],
            1,
        )
        # Every (point, reference in its window) pair at once, no loop per window: the cells
        # of each point's window, then the references of each cell (``order`` by cell).
        sel = np.flatnonzero(ok & (cnt > 0))
        if sel.size == 0:
            return
        lat_band_deg = math.degrees(max_nm / EARTH_RADIUS_NM) + 1e-6
        rad = np.radians(lat)
        cos = np.cos(rad)
        for part in np.array_split(sel, -(-sel.size // MAX_BLOCK_POINTS)):
            # The cells of one grid row are consecutive in ``order``: one slice per row of the
            # window (two where it wraps across the antimeridian), not one per cell.
            nrow = r1[part] - r0[part] + 1
            pt = np.repeat(part, nrow)
            base = (np.repeat(r0[part], nrow) + _ranks(nrow)) * NCOL
            a, b = c0[pt], c1[pt]
            left, right = np.flatnonzero(a < 0), np.flatnonzero(b >= NCOL)  # the wrapped part
            pt = np.concatenate([pt, pt[left], pt[right]])
            lo = np.concatenate([base + np.maximum(a, 0), base[left] + a[left] + NCOL, base[right]])
            hi = np.concatenate(  # last cell of each slice, inclusive
                [base + np.minimum(b, NCOL - 1), base[left] + NCOL - 1, base[right] + b[right]]
            )
            hi[len(base) + len(left) :] -= NCOL
            by_point = np.argsort(pt, kind="stable")  # pairs grouped by point, below
            pt, first = pt[by_point], self.start[lo[by_point]]
            m = self.start[hi[by_point] + 1] - first
            point = np.repeat(pt, m)
            ref = self.order[np.repeat(first, m) + _ranks(m)]
            # A great circle is never shorter than its latitude difference: pairs farther
            # apart in latitude than ``max_nm`` (plus a margin far above rounding) cannot be
            # the answer. Two thirds of the window's rows lie outside; cut before the trig.
            near = np.abs(lat[point] - self.lats[ref]) <= lat_band_deg
            point, ref = point[near], ref[near]
            if point.size == 0:
                continue
            # Each point's and reference's radians and cosine taken once, not per pair.
            d = haversine_rad_nm(
                rad[point], cos[point], self.rad[ref], self.cos[ref], self.lons[ref] - lon[point]
            )
            yield point, ref, d


def _query_cell(lat: F64, lon: F64) -> npt.NDArray[np.int64]:
    """The query cell of each (finite) point: row · Q_NCOL + column."""
    r = np.clip(np.floor((lat + 90.0) / QUERY_DEG), 0, Q_NROW - 1).astype(np.int64)
    c = np.floor(np.mod(lon + 180.0, 360.0) / QUERY_DEG).astype(np.int64) % Q_NCOL
    return r * Q_NCOL + c


def _ranks(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0, 1, ..., c - 1 for each count c, concatenated."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
