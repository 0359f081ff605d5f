"""Airports: lookup by code, types, nearest-airport queries (real airportsdata/OurAirports)."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.geo import World
from flyvakt.geo.airports import type_from_name
from flyvakt.geo.distance import haversine_nm

# (code, ICAO, ISO country, IANA zone): real airports named in tests/data recordings and the brief.
AIRPORTS = [
    ("LFPG", "LFPG", "FR", "Europe/Paris"),
    ("LFBO", "LFBO", "FR", "Europe/Paris"),
    ("LSZH", "LSZH", "CH", "Europe/Zurich"),
    ("NZCH", "NZCH", "NZ", "Pacific/Auckland"),
    ("KBFI", "KBFI", "US", "America/Los_Angeles"),
    ("EGMD", "EGMD", "GB", "Europe/London"),
    ("EDHI", "EDHI", "DE", "Europe/Berlin"),
    ("UUWW", "UUWW", "RU", "Europe/Moscow"),
    ("UEEE", "UEEE", "RU", "Asia/Yakutsk"),
    ("ZKPY", "ZKPY", "KP", "Asia/Pyongyang"),
    ("CDG", "LFPG", "FR", "Europe/Paris"),  # by IATA
    ("fnj", "ZKPY", "KP", "Asia/Pyongyang"),  # lower case IATA
]


@pytest.mark.parametrize(("code", "icao", "country", "tz"), AIRPORTS)
def test_airport_lookup_country_tz(
    world: World, code: str, icao: str, country: str, tz: str
) -> None:
    ap = world.airport(code)
    assert ap is not None
    assert ap.icao == icao
    assert ap.country == country
    assert ap.tz == tz
    # The airport's reference point lies in its own country's airspace, and its zone agrees
    # with timezonefinder's polygon lookup at that point.
    assert world.country_at_point(ap.lat_deg, ap.lon_deg) == country
    assert world.tz_at(ap.lat_deg, ap.lon_deg) == tz
    assert world.tz_at(0.0, 0.0, airport=ap) == tz  # the airport's zone wins when given


def test_unknown_code(world: World) -> None:
    assert world.airport("ZZZZ") is None
    assert world.airport_info("") is None


def test_types_and_runways(world: World) -> None:
    cdg = world.airport_info("LFPG")
    assert cdg is not None and cdg.type == "large_airport"
    assert cdg.longest_runway_ft > 13000 and cdg.hard_surface  # 4,215 m runway 09R/27L
    heli = world.airport_info("BGSG")  # Sermiligaaq Heliport, Greenland
    assert heli is not None and heli.type == "heliport"
    sea = world.airport_info("K6N7")  # New York Skyports Seaplane Base, East River
    assert sea is not None and sea.type == "seaplane_base"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Rosehill Heliport Airport", "heliport"),
        ("Royal Hospital Helipad", "heliport"),
        ("Southern Seaplane Airport", "seaplane_base"),
        ("Lac-a-la-Tortue (Water Aerodrome) Airport", "seaplane_base"),
        ("Porto Cheli Airport", "unknown"),  # 'heli' inside a word is not a heliport
        ("Waterford Airport", "unknown"),
    ],
)
def test_type_from_name(name: str, kind: str) -> None:
    assert type_from_name(name) == kind


def test_near_excludes_heliports_by_default(world: World) -> None:
    heli = world.airport("BGSG")
    assert heli is not None
    default = [a.icao for a, _ in world.airports_near(heli.lat_deg, heli.lon_deg, 60.0)]
    assert "BGSG" not in default
    assert "BGKK" in default  # Kulusuk, the fixed-wing airport of the area
    allowed = world.airports_near(heli.lat_deg, heli.lon_deg, 60.0, exclude_heliports=False)
    assert allowed[0][0].icao == "BGSG" and allowed[0][1] < 0.01


def test_near_excludes_seaplane_bases_by_default(world: World) -> None:
    sea = world.airport("K6N7")
    assert sea is not None
    default = world.airports_near(sea.lat_deg, sea.lon_deg, 10.0)
    assert [a.icao for a, _ in default][:1] == ["KLGA"]
    allowed = world.airports_near(sea.lat_deg, sea.lon_deg, 10.0, exclude_seaplane=False)
    assert allowed[0][0].icao == "K6N7"


def test_near_sorted_within_radius_and_matches_brute_force(world: World) -> None:
    ap = world.airports
    # Hamburg: EDDH and EDHI are 6 NM apart.
    hits = world.airports_near(53.58, 9.90, 25.0)
    d = [x for _, x in hits]
    assert d == sorted(d) and all(x <= 25.0 for x in d)
    assert {"EDDH", "EDHI"} <= {a.icao for a, _ in hits}
    # Brute force over the whole table gives the same set.
    all_d = haversine_nm(53.58, 9.90, ap.lat_deg, ap.lon_deg)
    keep = (all_d <= 25.0) & (ap.type_code != 4) & (ap.type_code != 5) & (ap.type_code != 6)
    assert {ap.icao[i] for i in np.flatnonzero(keep)} == {a.icao for a, _ in hits}
    for a, x in hits:
        assert x == pytest.approx(float(haversine_nm(53.58, 9.90, a.lat_deg, a.lon_deg)), abs=1e-6)


def test_near_across_antimeridian(world: World) -> None:
    # West of 180° in Fiji: Matei (Taveuni, 179.877° W) is 7.7 NM east across the line.
    hits = world.airports_near(-16.7, 179.99, 20.0)
    assert hits[0][0].icao == "NFNM"
    assert hits[0][1] == pytest.approx(7.7, abs=0.2)


def test_near_min_runway(world: World) -> None:
    hits = world.airports_near(53.58, 9.90, 25.0, min_runway_ft=8000)
    icaos = {a.icao for a, _ in hits}
    assert {"EDDH", "EDHI"} <= icaos  # 3,666 m and 2,921 m (Airbus Finkenwerder)
    for a, _ in hits:
        info = world.airport_info(a.icao)
        assert info is not None
        assert info.longest_runway_ft == 0 or info.longest_runway_ft >= 8000


def test_nearest_index_vectorised(world: World) -> None:
    lats = np.array([49.01, 43.63, 0.0, np.nan])
    lons = np.array([2.55, 1.36, -30.0, 0.0])  # CDG, Toulouse, mid-Atlantic, bad input
    idx, dist = world.nearest_airport_index(lats, lons, max_nm=10.0)
    assert world.airports.ref(int(idx[0])).icao == "LFPG"
    assert world.airports.ref(int(idx[1])).icao == "LFBO"
    assert idx[2] == -1 and np.isinf(dist[2])
    assert idx[3] == -1


def test_nearest_index_agrees_with_airports_near(world: World) -> None:
    # The grouped, matrix-based search must pick the same nearest airport (or the same
    # distance, for ties) as the per-point query, including across the antimeridian.
    rng = np.random.default_rng(11)
    lats = np.concatenate([rng.uniform(30.0, 65.0, 400), rng.uniform(-20.0, -15.0, 100)])
    lons = np.concatenate([rng.uniform(-125.0, 40.0, 400), rng.uniform(177.0, 183.0, 100)])
    idx, dist = world.nearest_airport_index(lats, lons, max_nm=30.0)
    for k in range(lats.size):
        hits = world.airports_near(float(lats[k]), float((lons[k] + 180) % 360 - 180), 30.0)
        if not hits:
            assert idx[k] == -1
            continue
        assert idx[k] >= 0
        assert dist[k] == pytest.approx(hits[0][1], abs=1e-6)


@pytest.mark.parametrize("radius_nm", [5.0, 10.0, 30.0])
def test_airports_near_many_answers_as_airports_near(world: World, radius_nm: float) -> None:
    # The signal-lost sweep takes these lists instead of searching each position alone, so
    # they must be the same to the bit: airports, order, distances. Points around dense
    # fields (Paris, Southern California: many airports within reach, near-equal distances),
    # over the sea, across the antimeridian, near a pole, and positions that are not finite.
    rng = np.random.default_rng(5)
    lats = np.concatenate(
        [rng.uniform(48.3, 49.3, 600), rng.uniform(33.0, 38.0, 600),
         rng.uniform(-89.9, 89.9, 600), rng.uniform(60.0, 70.0, 200), [np.nan, 40.0, 91.0]]
    )  # fmt: skip
    lons = np.concatenate(
        [rng.uniform(1.8, 3.2, 600), rng.uniform(-123.0, -117.0, 600),
         rng.uniform(-180.0, 180.0, 600), rng.uniform(179.5, 180.5, 200), [2.0, np.inf, 0.0]]
    )  # fmt: skip
    count, at, first_row, first_nm = world.airports_near_many(lats, lons, radius_nm)
    found = 0
    for k in range(lats.size - 3):
        want = world.airports_near(float(lats[k]), float(lons[k]), radius_nm)
        assert at(k) == want, k
        assert at(k, 1) == want[:1] and at(k, 3) == want[:3], k  # the head alone
        assert count[k] == len(want)
        if want:  # the list's head as arrays: the same airport and distance, to the bit
            assert world.airport_ref(int(first_row[k])) is want[0][0], k
            assert first_nm[k] == want[0][1], k
        else:
            assert first_row[k] == -1 and first_nm[k] == np.inf, k
        found += len(want) > 1
    assert (first_row[-3:] == -1).all() and (count[-3:] == 0).all()  # not searched here
    assert found > {5.0: 50, 10.0: 300, 30.0: 1000}[radius_nm]  # several airports to order
    assert count[-3:].tolist() == [0, 0, 0]  # not searched: airports_near's to answer


def test_code_lookups_made_as_needed(world: World) -> None:
    from flyvakt.geo.airports import Airports

    fresh = Airports.__new__(Airports)
    fresh.__dict__.update(world.airports.__dict__)
    fresh._codes = [None, None, None]  # a table whose look-ups were never made
    i = fresh.index_of("engm")
    assert i is not None and fresh.icao[i] == "ENGM"
    assert fresh._codes[1] is None and fresh._codes[2] is None  # an ICAO code: one table
    j = fresh.index_of("OSL")  # an IATA code: ICAO misses, then the IATA table
    assert j == i and fresh._codes[1] is not None and fresh._codes[2] is None
    assert fresh.index_of("NOT-A-CODE") is None and fresh._codes[2] is not None
