"""Which country's airspace (land + 12 NM territorial sea) a point is in, vectorised.

Data: ``data/geo/countries.npz``, built by ``scripts/build_geo_data.py`` from Natural Earth
1:10m admin-0 polygons (via geo-intel-offline); see that script for the buffer method, its
error (≤ 2.4 % of 12 NM up to 70° latitude) and the simplification tolerance (0.01° ≈ 1.1 km).

Query, for N points:

1. a 0.25° lookup grid answers every point whose cell is wholly inside one country's
   buffered polygon or wholly outside all of them (about 95 % of the globe's cells); each
   of the other cells has a 5 × 5 sub-grid (0.05°) classified the same way (57 % of them
   resolve there);
2. the rest ("mixed" cells) are tested against the buffered polygons cut into 2° tiles, in a
   shapely ``STRtree`` (``intersects``: a point on a border counts as inside);
3. a point inside two countries' buffered polygons (a land border, or a strait narrower than
   24 NM) goes to the country whose *land* is nearest — distance 0 on its own land, otherwise
   the median-line principle of UNCLOS art. 15. Distances there are measured in plain degrees
   (not scaled by cos φ), so the split line in a strait can be off by a few km at high latitude.

Longitudes are normalised to [-180, 180); polygons are already split at the antimeridian.

Whose territory: ISO 3166 codes as the UN and airportsdata use them, not Natural Earth's
de-facto lines: Crimea → UA, Western Sahara south of 27°40' N → EH, French overseas
departments → GF/GP/MQ/RE/YT, Bonaire/Saba/Sint Eustatius → BQ, Kosovo → XK, Taiwan → TW,
Northern Cyprus → CY, Akrotiri/Dhekelia → GB, Baikonur → KZ. Contested areas with no
accepted sovereign (Siachen, Southern Patagonian Ice Field, Spratly Is., Scarborough Reef, Bir
Tawil) are None. Golan stays as Natural Earth draws it (IL) — a known gap; the verify layer
should say "disputed" there. Natural Earth's copy lacks many small islands: each fixed-wing
airport lying on no country's land got a 1 NM land disc (then the 12 NM sea) for its country.
Territorial sea is measured from the coastline, not from straight baselines (UNCLOS art. 7),
so deeply indented coasts (Norway's skerries, China's coast) get somewhat less sea than the
States claim.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from io import BytesIO
from typing import Any

import numpy as np
from numpy.typing import NDArray

# shapely is imported where the polygons are used, not here: the grids answer most points, and
# a run whose points never reach a mixed sub-cell (a state-vector replay of 200,000 rows, say)
# never needs it; importing it cost ~40 M instructions (~10 ms) of loading the borders.

COORD_SCALE = 1e5  # must match scripts/build_geo_data.py
# Search radius (degrees of latitude) for the nearest-land tie-break: 12 NM = 0.2°, doubled.
TIE_SEARCH_DEG = 0.4


def _polygons(z: Any, kind: str) -> NDArray[np.object_]:
    import shapely

    coords = z[f"{kind}_coords"].astype(np.float64) / COORD_SCALE
    offsets = (z[f"{kind}_ring_offsets"], z[f"{kind}_poly_offsets"])
    geoms: NDArray[np.object_] = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, coords, offsets
    )
    return geoms


class Countries:
    """Buffered country polygons, a lookup grid and STRtrees. Read-only after construction."""

    def __init__(self, blob: bytes, grids: dict[str, Any] | None = None) -> None:
        """``grids``: :func:`grid_columns` of ``blob``, when already at hand (the cache)."""
        self._blob = blob
        g = grid_columns(blob) if grids is None else grids
        self.codes: list[str] = list(g["codes"])
        self.grid_deg = float(g["grid_deg"])
        self.grid: NDArray[np.int32] = g["grid"]
        self.sub: NDArray[np.int16] = g["sub"]
        self._sea_owner: NDArray[np.int16] = g["sea_owner"]
        self._land_owner: NDArray[np.int16] = g["land_owner"]
        self._index = {c: i for i, c in enumerate(self.codes)}
        self._codes_obj = np.array([*self.codes, None], dtype=object)  # index -1 → None

    # The polygons and their trees are built on first need (a point in a mixed sub-cell, or a
    # country's outline): the grids answer most points, and startup stays short.
    @cached_property
    def _sea(self) -> NDArray[np.object_]:
        with np.load(BytesIO(self._blob)) as z:
            return _polygons(z, "sea")

    @cached_property
    def _land(self) -> NDArray[np.object_]:
        with np.load(BytesIO(self._blob)) as z:
            return _polygons(z, "land")

    @cached_property
    def _sea_tree(self) -> Any:
        import shapely

        return shapely.STRtree(self._sea)

    @cached_property
    def _land_tree(self) -> Any:
        import shapely

        return shapely.STRtree(self._land)

    def country_index_at(
        self, lats_deg: NDArray[np.float64], lons_deg: NDArray[np.float64]
    ) -> NDArray[np.int16]:
        """Index into ``self.codes`` per point, -1 for no country (or a non-finite input)."""
        lat = np.asarray(lats_deg, np.float64).ravel()
        lon = np.asarray(lons_deg, np.float64).ravel()
        if lat.shape != lon.shape:
            raise ValueError("lats and lons must have the same shape")
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0)
        lon = (np.where(ok, lon, 0.0) + 180.0) % 360.0 - 180.0
        lat = np.where(ok, lat, 0.0)
        g = self.grid_deg
        nrow, ncol = self.grid.shape
        row = np.minimum(((lat + 90.0) / g).astype(np.int64), nrow - 1)
        col = np.minimum(((lon + 180.0) / g).astype(np.int64), ncol - 1)
        v = self.grid[row, col]
        out: NDArray[np.int16] = np.maximum(v, -2).astype(np.int16)
        mixed = np.flatnonzero(v <= -2)
        if mixed.size:
            # Second level: the mixed cell's SUB × SUB sub-grid.
            n_sub = self.sub.shape[1]
            k = -2 - v[mixed]
            fr = np.minimum(((lat[mixed] + 90.0) / g - row[mixed]) * n_sub, n_sub - 1)
            fc = np.minimum(((lon[mixed] + 180.0) / g - col[mixed]) * n_sub, n_sub - 1)
            out[mixed] = self.sub[k, fr.astype(np.int64), fc.astype(np.int64)]
        out[~ok] = -1
        still = np.flatnonzero(out == -2)
        if still.size:
            out[still] = self._resolve(lat[still], lon[still])
        return out

    def _resolve(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int16]:
        import shapely

        pts = shapely.points(lon, lat)
        res = np.full(lat.size, -1, np.int16)
        pi, ti = self._sea_tree.query(pts, predicate="intersects")
        if pi.size == 0:
            return res
        owner = self._sea_owner[ti]
        # Unique (point, owner) pairs; points with exactly one owner are done.
        pairs = np.unique(np.stack([pi, owner.astype(np.int64)], axis=1), axis=0)
        p_idx, p_own = pairs[:, 0], pairs[:, 1]
        counts = np.bincount(p_idx, minlength=lat.size)
        single = counts[p_idx] == 1
        res[p_idx[single]] = p_own[single]
        multi = np.unique(p_idx[~single])
        if multi.size:
            res[multi] = self._nearest_land(pts, multi, p_idx[~single], p_own[~single])
        return res

    def _nearest_land(
        self,
        pts: NDArray[np.object_],
        multi: NDArray[np.int64],
        cand_pt: NDArray[np.int64],
        cand_own: NDArray[np.int64],
    ) -> NDArray[np.int16]:
        """For points claimed by several countries: the candidate whose land is nearest."""
        import shapely

        sub = pts[multi]
        lat = shapely.get_y(sub)
        dist = TIE_SEARCH_DEG / np.maximum(np.cos(np.radians(lat)), 0.05)
        qi, li = self._land_tree.query(sub, predicate="dwithin", distance=dist)
        best = np.full(multi.size, -1, np.int16)
        if qi.size == 0:
            return best
        d = shapely.distance(sub[qi], self._land[li])
        own = self._land_owner[li].astype(np.int64)
        # Only the candidate countries count (others' land may be near but is not in play).
        pos = np.searchsorted(multi, cand_pt)  # cand_pt ⊂ multi, both sorted-unique-able
        allowed = np.unique(pos * 4096 + cand_own)
        key = qi.astype(np.int64) * 4096 + own
        ok = np.isin(key, allowed)
        qi, own, d = qi[ok], own[ok], d[ok]
        order = np.lexsort((d, qi))  # by point, then distance
        qi, own = qi[order], own[order]
        first = np.ones(qi.size, np.bool_)
        first[1:] = qi[1:] != qi[:-1]
        best[qi[first]] = own[first]
        # No candidate land within reach (should not happen): take the first candidate.
        missing = np.flatnonzero(best < 0)
        if missing.size:
            fallback = {int(p): int(o) for p, o in zip(pos[::-1], cand_own[::-1], strict=True)}
            for k in missing:
                best[k] = fallback[int(k)]
        return best

    def country_at(
        self, lats_deg: NDArray[np.float64], lons_deg: NDArray[np.float64]
    ) -> NDArray[np.object_]:
        """ISO 3166 alpha-2 (str) or None per point; same shape as the input."""
        shape = np.shape(lats_deg)
        idx = self.country_index_at(lats_deg, lons_deg)
        out: NDArray[np.object_] = self._codes_obj[idx].reshape(shape)
        return out

    def land_polygon(self, iso2: str) -> Any:
        """The (simplified, tiled-then-merged) land of a country, or None if unknown."""
        i = self._index.get(iso2.upper())
        if i is None:
            return None
        import shapely

        return shapely.union_all(self._land[self._land_owner == i])

    def airspace_polygon(self, iso2: str) -> Any:
        """Land + 12 NM territorial sea of a country, or None if unknown."""
        i = self._index.get(iso2.upper())
        if i is None:
            return None
        import shapely

        return shapely.union_all(self._sea[self._sea_owner == i])


# What :class:`Countries` reads at construction, and each array's dtype and number of
# dimensions (a cached copy is used only when it has exactly these).
_GRIDS = {
    "grid_deg": (np.float64, 0),
    "grid": (np.int32, 2),
    "sub": (np.int16, 3),
    "sea_owner": (np.int16, 1),
    "land_owner": (np.int16, 1),
}


def grid_columns(blob: bytes) -> dict[str, Any]:
    """The country codes, lookup grids and polygon owners from ``countries.npz``'s bytes."""
    with np.load(BytesIO(blob)) as z:
        out: dict[str, Any] = {"codes": [str(c) for c in z["codes"]]}
        for key in _GRIDS:
            out[key] = z[key]
        return out


def _valid_grids(cols: dict[str, Any]) -> bool:
    if set(cols) != {"codes", *_GRIDS}:
        return False
    return all(
        isinstance(cols[k], np.ndarray) and cols[k].dtype == dt and cols[k].ndim == nd
        for k, (dt, nd) in _GRIDS.items()
    )


def grids_fingerprint(blob: bytes) -> list[str] | None:
    """What the grids are read from: the file's zip directory, which names each member's
    CRC-32 and size (another build of the data is another fingerprint, without reading the
    members); None when ``blob`` is not a zip file."""
    import zipfile

    try:
        with zipfile.ZipFile(BytesIO(blob)) as z:
            members = [f"{i.filename}:{i.CRC:08x}:{i.file_size}" for i in z.infolist()]
    except zipfile.BadZipFile:
        return None
    return ["countries 1", str(len(blob)), *members]


def load_countries() -> Countries:
    """The borders, with the grids read from the binary cache (geo/cache.py) when it holds them
    for this ``countries.npz``: its grids are ~6 MB deflated to ~0.3 MB, and inflating them and
    checking their zip CRC-32 cost ~60 M instructions a process, reading them back ~5 M. The
    polygons stay in the package file, read when first needed."""
    from flyvakt.geo.cache import cached_columns

    blob = resources.files("flyvakt").joinpath("data/geo/countries.npz").read_bytes()
    fingerprint = grids_fingerprint(blob)
    if fingerprint is None:
        return Countries(blob)  # the package file's own read says what is wrong
    grids = cached_columns("countries", fingerprint, lambda: grid_columns(blob), _valid_grids)
    return Countries(blob, grids)
