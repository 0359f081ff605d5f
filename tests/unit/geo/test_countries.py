"""Country airspace (land + 12 NM territorial sea) at real places, vectorised."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
import shapely.geometry

from flyvakt.geo import World
from flyvakt.geo.distance import haversine_nm

PLACES = [
    ("Pyongyang", 39.0392, 125.7625, "KP"),
    ("Yakutsk", 62.0355, 129.6755, "RU"),
    ("Vladivostok", 43.1155, 131.8855, "RU"),
    ("Oslo", 59.9139, 10.7522, "NO"),  # Natural Earth codes Norway -99
    ("Paris", 48.8566, 2.3522, "FR"),  # Natural Earth codes France -99
    ("Kaliningrad", 54.7104, 20.4522, "RU"),  # exclave
    ("Chukotka west of 180", 66.0, -179.5, "RU"),  # Russia east of the antimeridian
    ("Chukotka east of 180", 66.0, 179.5, "RU"),
    ("Fiji Viti Levu", -17.8, 178.0, "FJ"),
    ("Fiji Lau group (179 W)", -18.0, -178.9, "FJ"),
    ("Anchorage", 61.2181, -149.9003, "US"),
    ("Attu Island (172.9 E)", 52.85, 173.2, "US"),  # Aleutians west of the antimeridian
    ("Jiangsu coast, 5 NM off", 33.0, 121.0, "CN"),
    ("Jiangsu coast, 30 NM off", 33.0, 121.5, None),
    ("Sea of Japan", 40.0, 135.0, None),
    ("North Atlantic", 45.0, -30.0, None),
    ("Dover Strait, 8 NM off Dover", 51.0, 1.45, "GB"),
    ("Strait of Gibraltar, off Tarifa", 35.95, -5.6, "ES"),
    ("Kosovo, Pristina", 42.6629, 21.1655, "XK"),
    ("Taipei", 25.033, 121.5654, "TW"),
    ("Geneva (border city)", 46.2044, 6.1432, "CH"),
    ("Strasbourg (on the Rhine)", 48.5734, 7.7521, "FR"),
    ("Kehl (across the Rhine)", 48.5725, 7.8156, "DE"),
    # ISO 3166 / UN codes where Natural Earth draws de facto lines or merges territories:
    ("Simferopol (Crimea)", 44.95, 34.10, "UA"),
    ("Kerch (Crimea)", 45.35, 36.47, "UA"),
    ("Taman peninsula", 45.2, 36.9, "RU"),
    ("Laayoune (Western Sahara)", 27.15, -13.2, "EH"),
    ("Tarfaya (Morocco)", 27.94, -12.92, "MA"),
    ("Cayenne (French Guiana)", 4.93, -52.33, "GF"),
    ("Saint-Denis (Réunion)", -20.88, 55.45, "RE"),
    # Enclaves (holes in the surrounding country):
    ("Vatican", 41.9029, 12.4534, "VA"),
    ("San Marino", 43.9356, 12.4473, "SM"),
    ("Maseru (Lesotho)", -29.31, 27.48, "LS"),
    # Islands missing from the Natural Earth copy, restored from their airports:
    ("Matsu Nangan (Taiwan, 10 km off Fujian)", 26.1598, 119.958, "TW"),
    ("Yorke Island (Torres Strait)", -9.757, 143.411, "AU"),
    ("Das Island (UAE)", 25.1462, 52.8737, "AE"),
]


@pytest.mark.parametrize(("name", "lat", "lon", "iso2"), PLACES, ids=[p[0] for p in PLACES])
def test_place(world: World, name: str, lat: float, lon: float, iso2: str | None) -> None:
    assert world.country_at_point(lat, lon) == iso2


def test_vectorised_matches_single_and_keeps_shape(world: World) -> None:
    lats = np.array([p[1] for p in PLACES])
    lons = np.array([p[2] for p in PLACES])
    got = world.country_at(lats, lons)
    assert got.dtype == object and got.shape == lats.shape
    assert list(got) == [p[3] for p in PLACES]
    grid = world.country_at(lats.reshape(-1, 1), lons.reshape(-1, 1))
    assert grid.shape == (len(PLACES), 1)


def test_bad_input_is_none(world: World) -> None:
    got = world.country_at([np.nan, 95.0, 48.86, 48.86], [2.35, 2.35, np.inf, 2.35 + 360.0])
    # NaN, |lat| > 90 and inf are no country; a longitude off by 360° is normalised.
    assert list(got) == [None, None, None, "FR"]


@pytest.mark.parametrize("iso2", ["NO", "RU", "CN", "FJ", "KP", "US"])
def test_territorial_sea_is_12_nm_wide(world: World, iso2: str) -> None:
    # Independent check of the build's banded buffer: from random vertices of the airspace
    # outline, the great-circle distance to the nearest land (found in a plane scaled at the
    # vertex's own latitude) is 12 NM, within the 0.01° simplification and the band error.
    land = world.countries.land_polygon(iso2)
    sea = world.countries.airspace_polygon(iso2)
    outline = shapely.get_coordinates(sea.boundary)
    outline = outline[np.abs(outline[:, 0]) < 179.9]  # the cut at ±180° is not a coast
    # Where the outline follows a neighbour's land border it is not a sea limit: skip those.
    c = world.countries
    pts = shapely.points(outline)
    pi, li = c._land_tree.query(pts, predicate="dwithin", distance=0.05)
    foreign = np.zeros(len(outline), dtype=bool)
    foreign[pi[np.array(c.codes)[c._land_owner[li]] != iso2]] = True
    outline = outline[~foreign]
    rng = np.random.default_rng(3)
    dist = []
    for lon, lat in outline[rng.choice(len(outline), 40, replace=False)]:
        k = float(np.cos(np.radians(lat)))
        flat = shapely.affinity.scale(land, xfact=k, yfact=1.0, origin=(0.0, 0.0))
        x, y = shapely.shortest_line(flat, shapely.Point(lon * k, lat)).coords[0]
        dist.append(float(haversine_nm(lat, lon, y, x / k)))
    d = np.array(dist)
    assert abs(float(np.median(d)) - 12.0) < 0.15
    assert float(np.percentile(d, 5)) > 11.3 and float(np.percentile(d, 95)) < 12.7


def test_antimeridian_band_is_continuous(world: World) -> None:
    # Walk across 180° along 66 N (Chukotka): every point from 179 E to 179 W is Russia.
    lons = np.concatenate([np.linspace(179.0, 179.999, 50), np.linspace(-180.0, -179.0, 50)])
    got = world.country_at(np.full(lons.shape, 66.0), lons)
    assert set(got.tolist()) == {"RU"}


def test_random_points_agree_with_polygons(world: World) -> None:
    # The lookup grid is a shortcut: over random points it must agree with a direct
    # polygon test (STRtree on the buffered pieces, no grid) wherever one country matches.
    rng = np.random.default_rng(7)
    lats = rng.uniform(-60.0, 75.0, 4000)
    lons = rng.uniform(-180.0, 180.0, 4000)
    fast = world.countries.country_index_at(lats, lons)
    slow = world.countries._resolve(lats, lons)
    assert np.array_equal(fast, slow)


def test_airspace_polygon_is_bigger_than_land(world: World) -> None:
    land = world.countries.land_polygon("NO")
    sea = world.countries.airspace_polygon("NO")
    assert land is not None and sea is not None
    assert sea.area > land.area * 1.05
    assert world.countries.land_polygon("ZZ") is None


@pytest.mark.parametrize(
    ("name", "lat", "lon", "iso2"),
    [
        # Øresund at Helsingør–Helsingborg is ~2.5 NM wide: both 12 NM seas overlap and the
        # nearer coast wins (median line).
        ("Øresund, Danish side", 56.040, 12.630, "DK"),
        ("Øresund, Swedish side", 56.040, 12.680, "SE"),
        # Dover Strait, 5.6 NM off Cap Gris-Nez and 16 NM from Dover.
        ("Dover Strait, French side", 50.95, 1.65, "FR"),
    ],
)
def test_strait_median_line(world: World, name: str, lat: float, lon: float, iso2: str) -> None:
    assert world.country_at_point(lat, lon) == iso2


def test_outline_geojson_for_the_web_map() -> None:
    import json
    from importlib import resources

    blob = resources.files("flyvakt").joinpath("data/geo/countries_outline.geojson").read_bytes()
    assert len(blob) < 1_500_000
    doc = json.loads(blob)
    assert doc["type"] == "FeatureCollection"
    codes = {f["properties"]["iso2"] for f in doc["features"]}
    assert {"FR", "NO", "RU", "FJ", "US", "KP", "CN", "XK", "TW"} <= codes
    for f in doc["features"]:
        geom = shapely.geometry.shape(f["geometry"])
        assert geom.is_valid, f["properties"]
        minx, _, maxx, _ = geom.bounds
        assert minx >= -180.0 and maxx <= 180.0
        # Antimeridian-safe: no ring wraps the globe the long way round, except Antarctica's
        # ring that runs along ±180° down to the pole (correct in a cylindrical projection).
        for poly in getattr(geom, "geoms", [geom]):
            x0, y0, x1, _ = poly.bounds
            assert x1 - x0 < 180.0 or y0 <= -89.9, f["properties"]


def test_airport_countries_agree_with_airportsdata(world: World) -> None:
    # Real-data consistency: the country under each of the ~28 k airports (our polygons) vs
    # the airport's own country (airportsdata). Known differences are border airports within
    # Natural Earth's ~1 km accuracy and airportsdata rows labelled US in Puerto Rico.
    ap = world.airports
    got = world.country_at(ap.lat_deg, ap.lon_deg)
    want = np.array([ap.ref(i).country for i in range(len(ap))], dtype=object)
    agree = float(np.mean(got == want))
    assert agree > 0.995, agree
