"""API pieces the map needs: ghosts through gaps, airports and places, docs, favicon, status
fields, registrations of fleet members. Store: real recordings (AFR34ZG, calfire)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.unit.serve.servedata import AFR_HEX, FakeHub

from flyvakt.fleets import example_fleets_path
from flyvakt.serve import create_app
from flyvakt.serve.places import parse_zone_tab, places

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
AFR_LAST_S = 1720252967.49  # last fix of the AFR34ZG recording (parked at LFBO)


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    app = create_app(str(store_path), fleets_path=str(example_fleets_path()))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_ghost_keeps_an_aircraft_not_heard_for_a_while(client: TestClient) -> None:
    at = AFR_LAST_S + 600
    now = client.get("/api/aircraft", params={"at": at}).json()["aircraft"]
    assert AFR_HEX not in {a["hex"] for a in now}
    rows = client.get("/api/aircraft", params={"at": at, "ghost": 900}).json()["aircraft"]
    [afr] = [a for a in rows if a["hex"] == AFR_HEX]
    assert afr["seen_pos"] == pytest.approx(600, abs=0.1)
    assert afr["r"] == "F-GMZC"
    short = client.get("/api/aircraft", params={"at": at, "ghost": 300}).json()["aircraft"]
    assert AFR_HEX not in {a["hex"] for a in short}


@pytest.mark.parametrize("bad", ["-1", "nan", "1e9", "abc"])
def test_ghost_out_of_range_is_a_clear_error(client: TestClient, bad: str) -> None:
    r = client.get("/api/aircraft", params={"at": AFR_LAST_S, "ghost": bad})
    assert r.status_code == 400 and "ghost" in r.json()["error"]


def test_airports_layer(client: TestClient) -> None:
    doc = client.get("/geo/airports.geojson").json()
    by_icao = {f["properties"]["icao"]: f for f in doc["features"]}
    assert len(by_icao) > 3000
    assert by_icao["LFBO"]["properties"]["iata"] == "TLS"
    assert by_icao["LFBO"]["properties"]["type"] == "large_airport"
    lon, lat = by_icao["ZKPY"]["geometry"]["coordinates"]
    assert abs(lat - 39.22) < 0.05 and abs(lon - 125.67) < 0.05
    assert not any(f["properties"]["type"] == "heliport" for f in doc["features"])
    names = {p["name"] for p in doc["places"]}
    assert {"Oslo", "Pyongyang", "Moscow", "Yakutsk"} <= names


def test_zone_tab_coordinates() -> None:
    rows = parse_zone_tab(
        "# c\nKP\t+3901+12545\tAsia/Pyongyang\nUS\t+404251-0740023\tAmerica/New_York\n"
    )
    assert rows[0] == {"name": "Pyongyang", "lat": 39.0167, "lon": 125.75, "tz": "Asia/Pyongyang"}
    assert rows[1]["name"] == "New York"
    assert rows[1]["lat"] == pytest.approx(40.7142, abs=1e-3)
    assert rows[1]["lon"] == pytest.approx(-74.0064, abs=1e-3)
    assert len(places()) > 300


def test_docs_favicon_and_status(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.text.split("<body>")[1]  # nothing from another origin
    js = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    fav = client.get("/favicon.ico")
    assert fav.status_code == 200 and fav.headers["content-type"].startswith("image/svg+xml")
    st = client.get("/api/status").json()
    assert st["fleets_default"] is True and st["data_label"] is None


def test_live_rows_get_fleet_registrations(tmp_path: Path) -> None:
    row = {"hex": "157711", "lat": 39.2, "lon": 125.8, "seen": 1.0, "seen_pos": 1.0}
    hub = FakeHub([row], now_s=1.75e9)
    app = create_app(str(tmp_path / "none.db"), hub=hub, fleets_path=str(example_fleets_path()))
    with TestClient(app) as c:
        [got] = c.get("/api/aircraft").json()["aircraft"]
    assert got["r"] == "RA-96017" and got["t"] == "IL96"


def test_runways_in_a_box(client: TestClient) -> None:
    # Toulouse-Blagnac, where AFR34ZG lands: two parallel runways 14L/32R and 14R/32L.
    doc = client.get("/geo/runways.geojson", params={"bbox": "1.30,43.58,1.42,43.68"}).json()
    lfbo = [f for f in doc["features"] if f["properties"]["airport"] == "LFBO"]
    ends = sorted((f["properties"]["le"], f["properties"]["he"]) for f in lfbo)
    assert ends == [("14L", "32R"), ("14R", "32L")]
    for f in lfbo:
        (lo1, la1), (lo2, la2) = f["geometry"]["coordinates"]
        # Runway 14 points south-east (QFU 143°): the 14 end is north-west of the 32 end.
        assert la1 > la2 and lo1 < lo2
        assert f["properties"]["width_ft"] == 148 and f["properties"]["surface"] == "ASP"
    # A box across the antimeridian (west > east) finds Fiji's Nadi (NFFN, 177.44 E).
    fiji = client.get("/geo/runways.geojson", params={"bbox": "177.3,-17.9,-179.9,-17.6"}).json()
    assert "NFFN" in {f["properties"]["airport"] for f in fiji["features"]}
    assert client.get("/geo/runways.geojson", params={"bbox": "0,0,1"}).status_code == 400
    assert client.get("/geo/runways.geojson", params={"bbox": "0,95,1,96"}).status_code == 400
