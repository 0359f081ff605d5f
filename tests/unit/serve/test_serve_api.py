"""HTTP API over a store filled from real recordings (AFR34ZG LFPG→LFBO, 45 calfire aircraft)."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from tests.unit.serve.servedata import AFR_HEX, FakeHub, FakeSubscription

from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.serve import create_app
from flyvakt.serve.convert import FLYVAKT_AIRCRAFT_FIELDS, READSB_AIRCRAFT_FIELDS
from flyvakt.store.export import TABLE_COLUMNS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(store_path)), raise_server_exceptions=False) as c:
        yield c


def test_aircraft_json_uses_readsb_names_and_units(client: TestClient) -> None:
    doc = client.get("/data/aircraft.json").json()
    assert set(doc) == {"now", "messages", "aircraft"}
    assert isinstance(doc["now"], float)
    # "now" without a hub is the newest stored data: the AFR34ZG recording's last fix.
    assert doc["now"] == pytest.approx(1720252967.49, abs=0.01)
    [afr] = [a for a in doc["aircraft"] if a["hex"] == AFR_HEX]
    for row in doc["aircraft"]:
        unknown = set(row) - READSB_AIRCRAFT_FIELDS - FLYVAKT_AIRCRAFT_FIELDS
        assert not unknown, f"keys not in readsb README-json.md: {unknown}"
        assert len(row["hex"]) == 6
    # Parked at LFBO at the end of the recording: readsb writes "ground" for alt_baro.
    assert afr["alt_baro"] == "ground"
    assert afr["flight"] == "AFR34ZG "  # readsb pads callsigns to 8 characters
    assert afr["type"] == "adsb_icao"
    assert afr["r"] == "F-GMZC"
    assert abs(afr["lat"] - 43.63) < 0.02 and abs(afr["lon"] - 1.37) < 0.02
    assert isinstance(afr["squawk"], str) and len(afr["squawk"]) == 4
    assert 0 <= afr["seen"] < 60 and 0 <= afr["seen_pos"] < 60
    assert 0 <= afr["track"] < 360


def test_aircraft_at_a_past_time_shows_calfire_traffic(client: TestClient) -> None:
    # 2020-09-08 12:00 UTC lies inside the calfire recording (2020-09-08 .. 2020-09-15).
    doc = client.get("/api/aircraft", params={"at": "2020-09-08T20:00:00Z"}).json()
    assert doc["live"] is False
    hexes = {a["hex"] for a in doc["aircraft"]}
    assert AFR_HEX not in hexes
    assert all(h.startswith("a") for h in hexes)  # US (N-registered) address block


def test_aircraft_at_airborne_time_has_altitude_in_feet(client: TestClient) -> None:
    doc = client.get("/api/aircraft", params={"at": "2024-07-06T07:30:00Z"}).json()
    [afr] = [a for a in doc["aircraft"] if a["hex"] == AFR_HEX]
    assert isinstance(afr["alt_baro"], int) and 10_000 < afr["alt_baro"] < 45_000
    assert 200 < afr["gs"] < 600


def test_track_is_split_at_gaps(client: TestClient) -> None:
    doc = client.get(f"/api/aircraft/{AFR_HEX}/track").json()
    assert doc["points"] > 500
    assert doc["columns"] == ["time_s", "lat", "lon", "altitude_ft"]
    for seg in doc["segments"]:
        times = [p[0] for p in seg]
        assert all(b - a <= 60.0 for a, b in itertools.pairwise(times))
    # Between segments there is always more than 60 s without a fix.
    for gap in doc["gaps"]:
        assert gap["duration_s"] > 60.0
    assert len(doc["gaps"]) == len(doc["segments"]) - 1


def test_track_gaps_on_calfire_aircraft(client: TestClient) -> None:
    # Firefighting aircraft over a week: state vectors with long silences between sorties.
    doc = client.get("/api/events", params={"type": "signal_regained", "limit": 1}).json()
    hexa = doc["events"][0]["icao24"]
    track = client.get(f"/api/aircraft/{hexa}/track").json()
    assert len(track["segments"]) >= 2
    assert track["gaps"][0]["duration_s"] > 60.0


def test_track_time_window(client: TestClient) -> None:
    whole = client.get(f"/api/aircraft/{AFR_HEX}/track").json()
    part = client.get(
        f"/api/aircraft/{AFR_HEX}/track",
        params={"from": "2024-07-06T07:00:00Z", "to": "1720251000"},  # 07:30Z
    ).json()
    assert 0 < part["points"] < whole["points"]
    times = [p[0] for s in part["segments"] for p in s]
    assert min(times) >= 1720249200 and max(times) <= 1720251000


def test_events_filters(client: TestClient) -> None:
    evs = client.get("/api/events", params={"icao24": AFR_HEX}).json()["events"]
    assert [e["type"] for e in evs] == ["takeoff", "landing"]
    assert evs[1]["airport"]["icao"] == "LFBO"
    only = client.get("/api/events", params={"type": "landing", "icao24": AFR_HEX}).json()
    assert [e["type"] for e in only["events"]] == ["landing"]
    late = client.get(
        "/api/events", params={"icao24": AFR_HEX, "since": "2024-07-06T07:30:00Z"}
    ).json()
    assert [e["type"] for e in late["events"]] == ["landing"]


def test_events_name_their_airports_in_the_readers_language(client: TestClient) -> None:
    """With ``lang`` each airport also carries the place name the bulletins give it (the
    page's event list shows it): "Toulouse", not "Toulouse-Blagnac Airport"."""
    plain = client.get("/api/events", params={"icao24": AFR_HEX}).json()["events"]
    assert all("place" not in e["airport"] for e in plain)
    named = client.get("/api/events", params={"icao24": AFR_HEX, "lang": "nn"}).json()["events"]
    assert [e["airport"]["place"] for e in named] == ["Paris", "Toulouse"]
    assert named[1]["airport"]["name"] == plain[1]["airport"]["name"]  # the own name is kept


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/api/aircraft/39332/track", "6 hex digits"),
        ("/api/aircraft/zzzzzz/track", "6 hex digits"),
        ("/api/aircraft/393322/track?from=yesterday", "not a time"),
        ("/api/aircraft/393322/track?from=1720252967&to=1720249200", "before"),
        ("/api/aircraft/393322/track?from=1720252967000", "out of range"),
        ("/api/events?since=07/06/2024", "not a time"),
        ("/api/events?limit=many", "limit"),
        ("/api/events?limit=0", "limit"),
        ("/api/events?icao24=xyz", "6 hex digits"),
        ("/api/events?lang=de", "lang must be en, nb or nn"),
        ("/api/aircraft?at=noon", "not a time"),
        ("/api/export?icao24=393322&format=shp", "unknown format"),
        ("/api/export?format=csv", "icao24 is required"),
        ("/api/nowhere", "no such route"),
    ],
)
def test_bad_requests_are_4xx_json(client: TestClient, url: str, needle: str) -> None:
    r = client.get(url)
    assert 400 <= r.status_code < 500, r.text
    assert needle in r.json()["error"]


def test_bad_verify_bodies(client: TestClient) -> None:
    r = client.post(
        "/api/verify", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.post("/api/verify", json={"claim": ""})
    assert r.status_code == 400
    r = client.post("/api/verify", json={"claim": "the moon is cheese"})
    assert r.status_code == 422 and "claim" in r.json()["error"]
    r = client.post("/api/verify", json={"claim": "AFR34ZG landed at LFBO", "lang": "de"})
    assert r.status_code == 400 and "lang" in r.json()["error"]


def test_verify_supported_landing(client: TestClient) -> None:
    r = client.post(
        "/api/verify",
        json={"claim": "AFR34ZG landed at LFBO by 2024-07-06T09:00Z", "lang": "nb"},
    )
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["verdict"] == "supported"
    assert v["evidence"]["members"][0]["icao24"] == AFR_HEX
    # Before the landing (07:58 UTC) the same claim is not supported.
    early = client.post(
        "/api/verify", json={"claim": "AFR34ZG landed at LFBO by 2024-07-06T07:30Z"}
    ).json()
    assert early["verdict"] != "supported"


@pytest.mark.parametrize(
    ("lang", "place"), [("en", "Toulouse"), ("nb", "Toulouse"), ("nn", "Toulouse")]
)
def test_verify_evidence_names_airports_as_the_verdict_does(
    client: TestClient, lang: str, place: str
) -> None:
    """The web's evidence lines said "på bakken på Toulouse-Blagnac Airport (LFBO)" under a
    verdict that says "Toulouse (LFBO)": every airport in the evidence carries ``place``, the
    name the verdict sentence and the bulletins give it in the verdict's language."""
    r = client.post(
        "/api/verify",
        json={"claim": "AFR34ZG landed at LFBO by 2024-07-06T09:00Z", "lang": lang},
    )
    v = r.json()
    assert f"{place} (LFBO)" in v["summary"], v["summary"]
    (landing,) = [e for e in v["evidence"]["members"][0]["events"] if e["type"] == "landing"]
    assert landing["airport"]["place"] == place and landing["airport"]["icao"] == "LFBO"
    ground = client.post(
        "/api/verify",
        json={"claim": "AFR34ZG was on the ground at LFBO at 2024-07-06T09:00Z", "lang": lang},
    ).json()
    fix = ground["evidence"]["members"][0]["last_fix_before"]
    assert fix["airport"]["place"] == place, fix


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_verify_by_callsign_just_before_its_first_fix(client: TestClient, lang: str) -> None:
    """History playback starts at the window's first whole second, 06:43:19, just before
    AFR34ZG's first stored fix (06:43:19.46). The claim is about AFR34ZG, which is in the data:
    it was on the ground at Paris, not "no aircraft of the claim is in the data"."""
    r = client.post(
        "/api/verify",
        json={"claim": "AFR34ZG landed in Toulouse", "lang": lang, "at": "2024-07-06T06:43:19Z"},
    )
    assert r.status_code == 200, r.text
    v = r.json()
    assert [m["icao24"] for m in v["evidence"]["members"]] == [AFR_HEX]
    assert v["verdict"] == "contradicted" and "LFPG" in v["summary"]
    # A callsign nobody announces within the hour after is still not in the data.
    r = client.post(
        "/api/verify",
        json={"claim": "AFR34ZG landed in Toulouse", "lang": lang, "at": "2024-07-06T05:30:00Z"},
    )
    assert r.json()["evidence"]["members"] == []


def test_verify_structured_around_and_ordinal(client: TestClient) -> None:
    """The API's structured fields say "around" (and "the last plane") as free text does."""
    base = {"aircraft": "AFR34ZG", "predicate": "landed_at", "place": "LFBO"}
    v = client.post("/api/verify", json={**base, "around": "2024-07-06T08:00Z"}).json()
    assert v["verdict"] == "supported" and v["claim"]["around"] == ["2024-07-06T08:00:00Z"]
    v = client.post("/api/verify", json={**base, "around": "2024-07-06T07:30Z"}).json()
    assert v["verdict"] == "contradicted", v["summary"]
    r = client.post("/api/verify", json={**base, "around": "2024-07-06T08:00Z", "ordinal": "last"})
    assert r.status_code == 422 and "fleet" in r.json()["error"]


@pytest.mark.parametrize("fmt", ["geojson", "kml", "csv"])
def test_export_formats(client: TestClient, fmt: str) -> None:
    r = client.get("/api/export", params={"icao24": AFR_HEX, "format": fmt})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "geojson":
        doc = r.json()
        kinds = {f["geometry"]["type"] for f in doc["features"]}
        assert kinds == {"LineString", "Point"}  # track segments and the two events
    elif fmt == "kml":
        assert r.text.startswith("<?xml") and "<gx:Track>" in r.text
    else:
        lines = r.text.splitlines()
        assert lines[0] == "time,icao24,lat,lon," + ",".join(TABLE_COLUMNS[4:])
        assert len(lines) > 500
        # The test store keeps a thinned track, and the export says so on every row.
        assert {line.rsplit(",", 1)[1] for line in lines[1:]} == {"True"}


def test_fleets_listing(store_path: Path) -> None:
    app = create_app(str(store_path), fleets_path=str(example_fleets_path()))
    with TestClient(app) as c:
        doc = c.get("/api/fleets", params={"lang": "nb"}).json()
    [ru] = [f for f in doc["fleets"] if f["id"] == "ru-gov"]
    assert ru["name"] == "den russiske presidentflyflåten"
    assert any(m.get("registration") == "RA-96012" for m in ru["members"])


def test_changes_need_the_token(store_path: Path, tmp_path: Path) -> None:
    fleets = tmp_path / "fleets.toml"
    fleets.write_text(example_fleets_path().read_text(encoding="utf-8"), encoding="utf-8")
    body = {"names": {"en": "Air France test"}, "member": [{"icao24": AFR_HEX}]}
    # No token configured: the route is disabled.
    with TestClient(create_app(str(store_path), fleets_path=str(fleets))) as c:
        r = c.put("/api/fleets/af", json=body, headers={"Authorization": "Bearer x"})
        assert r.status_code == 403 and "token" in r.json()["error"]
    app = create_app(str(store_path), fleets_path=str(fleets), token="s3cret")
    with TestClient(app) as c:
        assert c.put("/api/fleets/af", json=body).status_code == 401
        wrong = c.put("/api/fleets/af", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        bad = c.put(
            "/api/fleets/af",
            json={"member": [{"icao24": "nothex"}]},
            headers={"Authorization": "Bearer s3cret"},
        )
        assert bad.status_code == 422
        ok = c.put("/api/fleets/af", json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200, ok.text
        aircraft = c.get("/data/aircraft.json").json()["aircraft"]
    registry = load_fleets(fleets)
    assert "af" in registry and "ru-gov" in registry
    [afr] = [a for a in aircraft if a["hex"] == AFR_HEX]
    assert afr["fleet"] == ["af"]


def test_openapi_lists_every_route(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    app = client.app
    routes = [r for r in app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    assert len(routes) >= 13
    for route in routes:
        assert route.path in doc["paths"], route.path
        for method in route.methods or ():
            if method != "HEAD":
                assert method.lower() in doc["paths"][route.path], (route.path, method)
    assert len(doc["paths"]) == len(routes)
    assert any(isinstance(r, Mount) for r in app.routes)  # type: ignore[attr-defined]


def test_outlines_never_span_more_than_180_degrees(client: TestClient) -> None:
    doc = client.get("/geo/countries.geojson").json()
    assert len(doc["features"]) > 200
    worst = 0.0
    for feat in doc["features"]:
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            for ring in poly:
                for a, b in itertools.pairwise(ring):
                    worst = max(worst, abs(a[0] - b[0]))
    assert worst <= 180.0
    iso = {f["properties"]["iso2"] for f in doc["features"]}
    assert {"RU", "FJ", "NO", "AQ"} <= iso  # the antimeridian countries are still there


def test_static_app_and_vendor_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "leaflet.js" in page.text
    for path in ("/static/app.js", "/static/app.css", "/static/vendor/leaflet/leaflet.js"):
        assert client.get(path).status_code == 200, path
    # No internet at run time: the page references nothing outside this server.
    assert "http://" not in page.text and "https://" not in page.text


def test_missing_store_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "none.db"))) as c:
        r = c.get("/api/events")
    assert r.status_code == 503 and "no store" in r.json()["error"]


def test_live_hub_aircraft_and_stream(store_path: Path) -> None:
    """Synthetic hub (no engine): the server relays its aircraft and its messages."""
    hub = FakeHub(
        [
            {"hex": "abcdef", "lat": 60.0, "lon": 10.0, "seen": 1.0},
            {"hex": AFR_HEX, "lat": 43.6, "lon": 1.4, "seen": 2.0},
        ],
        now_s=1.7e9,
    )
    with TestClient(create_app(str(store_path), hub=hub)) as c:
        doc = c.get("/data/aircraft.json").json()
        assert doc["now"] == 1.7e9 and doc["messages"] == 1234
        assert [a["hex"] for a in doc["aircraft"]] == ["abcdef", AFR_HEX]
        # The registration of a live aircraft comes from the store when it knows it.
        assert doc["aircraft"][1]["r"] == "F-GMZC" and "r" not in doc["aircraft"][0]
        # A stored time still comes from the store even with a hub.
        past = c.get("/api/aircraft", params={"at": "2024-07-06T07:30:00Z"}).json()
        assert AFR_HEX in {a["hex"] for a in past["aircraft"]}
        # Fill the queue before the stream starts: 300 messages into a 256-slot queue.
        original = hub.subscribe

        def subscribe_and_fill(maxsize: int) -> FakeSubscription:
            sub = original(maxsize)
            for i in range(300):
                hub.publish({"kind": "positions", "n": i, "x": math.nan})
            return sub

        hub.subscribe = subscribe_and_fill  # type: ignore[method-assign]
        with c.stream("GET", "/api/stream", params={"max_messages": 3}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            text = "".join(r.iter_text())
    blocks = [b for b in text.split("\n\n") if b.strip()]
    kinds = [b.split("\n")[0] for b in blocks]
    assert kinds[0] == "event: status"
    data = [json.loads(b.split("\n")[1][len("data: ") :]) for b in blocks]
    assert data[0]["status"]["messages"] == 1234 and data[0]["dropped"] == 0
    assert data[1]["dropped"] == 44  # 300 - 256 told to the client
    assert [d["n"] for d in data if d.get("kind") == "positions"] == [0, 1, 2]
    assert data[2]["x"] is None  # NaN is not JSON
    assert hub.unsubscribed == 1 and hub.subs == []


def test_stream_without_hub_is_503(client: TestClient) -> None:
    r = client.get("/api/stream")
    assert r.status_code == 503 and "stored data only" in r.json()["error"]


def test_real_hub_status_reaches_the_stream(tmp_path: Path) -> None:
    """flyvakt.runtime.hub.Hub (no engine: no aircraft yet) behind the SSE route."""
    from flyvakt.runtime.hub import Hub

    hub = Hub()
    original = hub.subscribe

    def subscribe_then_publish(maxsize: int = 1000) -> Any:
        sub = original(maxsize)
        hub.publish_status()  # runs in the server's event loop, after subscribing
        return sub

    hub.subscribe = subscribe_then_publish  # type: ignore[method-assign]
    with TestClient(create_app(str(tmp_path / "none.db"), hub=hub)) as c:
        doc = c.get("/data/aircraft.json").json()
        assert doc == {"now": None, "messages": 0, "aircraft": []}
        with c.stream("GET", "/api/stream", params={"max_messages": 1}) as r:
            text = "".join(r.iter_text())
    kinds = [b.split("\n")[0] for b in text.split("\n\n") if b.strip()]
    assert kinds == ["event: status", "event: status"]
    assert hub.status()["subscribers"] == 0  # unsubscribed when the stream ended


def test_not_a_store_and_internal_errors_are_json(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with TestClient(create_app(str(junk)), raise_server_exceptions=False) as c:
        r = c.get("/api/events")
        assert r.status_code == 503 and "not a flyvakt store" in r.json()["error"]
        assert c.put("/api/events").status_code == 405
        assert "not allowed" in c.put("/api/events").json()["error"]

    class BrokenHub(FakeHub):
        def aircraft_now(self, now_s: float | None = None) -> list[dict[str, Any]]:
            raise RuntimeError("secret internals /etc/passwd")

    app = create_app(str(junk), hub=BrokenHub([], now_s=1.0))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/data/aircraft.json")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError); see the server log"}


def test_flights_lists_the_afr34zg_leg(client: TestClient) -> None:
    doc = client.get("/api/flights", params={"icao24": AFR_HEX}).json()
    [leg] = doc["flights"]
    assert (leg["icao24"], leg["callsign"]) == (AFR_HEX, "AFR34ZG")
    assert (leg["origin"], leg["destination"]) == ("LFPG", "LFBO")
    assert (leg["takeoff_basis"], leg["landing_basis"]) == ("observed", "observed")
    events = client.get("/api/events", params={"icao24": AFR_HEX}).json()["events"]
    times = {e["type"]: e["time"] for e in events if e["type"] in ("takeoff", "landing")}
    # The leg's ends are the stored takeoff and landing events (to the second).
    assert int(leg["takeoff_time_s"]) == int(
        datetime.fromisoformat(times["takeoff"].replace("Z", "+00:00")).timestamp()
    )
    assert int(leg["landing_time_s"]) == int(
        datetime.fromisoformat(times["landing"].replace("Z", "+00:00")).timestamp()
    )
