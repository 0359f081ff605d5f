"""A grid index over reference points (airports, receivers) for "is one within N NM?".

Used once per aircraft (its first surface fix, when it has no position of its own yet), for
eight quadrant candidates each, so it must be cheap in bulk: a summed-area table of point
counts on a 0.25° x 0.5° grid answers "any point nearby?" for all candidates at once, and only the
candidates that pass get an exact great-circle check.
"""

from __future__ import annotations

import math

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

    @staticmethod
    def _cell(lat: F64, lon: F64) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        r = np.clip(np.floor((lat + 90.0) / ROW_DEG), 0, NROW - 1).astype(np.int64)
        c = np.floor((np.mod(lon + 180.0, 360.0)) / COL_DEG).astype(np.int64) % NCOL
        return r, c

    def nearest_nm(self, lat: F64, lon: F64, max_nm: float) -> F64:
        """Distance to the nearest reference within ``max_nm`` (inf where none), per point."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        out = np.full(lat.shape, np.inf)
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
            return out
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
            # ``point`` is grouped (ascending): the least distance of each point's pairs.
            at = np.flatnonzero(first_of_run(point))
            best = np.minimum.reduceat(d, at)
            hit = best <= max_nm
            out[point[at][hit]] = best[hit]
        return out


def _ranks(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0, 1, ..., c - 1 for each count c, concatenated."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
