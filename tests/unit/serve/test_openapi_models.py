"""The OpenAPI schemas of the main endpoints come from typed models, and name what the endpoints
really return: each real answer converts to its model (types right) and has no key the schema
leaves out. Data: the serve tests' store (real AFR34ZG and calfire recordings), a hub replayed
from rs1090's real short_flights frames (live aircraft.json with every readsb key it has).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient
from tests.unit.serve.servedata import AFR_HEX

from flyvakt.runtime.hub import Hub
from flyvakt.runtime.replay import replay_files
from flyvakt.serve import create_app
from flyvakt.serve.models import RESPONSE_MODELS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(store_path))) as c:
        yield c


@pytest.fixture(scope="module")
def live_client(store_path: Path) -> Iterator[TestClient]:
    res = replay_files([str(DATA / "rs1090/short_flights.csv")], detect=False)
    hub = Hub()
    hub.set_tracker_table(res.state.tracker.table)
    hub.now_s = float(res.state.data_through_s)
    with TestClient(create_app(str(store_path), hub=hub)) as c:
        yield c


def _unnamed_keys(value: Any, schema: dict[str, Any], comps: dict[str, Any], at: str) -> list[str]:
    """Keys in ``value`` that ``schema`` (resolving $ref, anyOf, arrays) does not name."""
    if "$ref" in schema:
        schema = comps[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            kind = option.get("type")
            if ("$ref" in option or kind == "object") and isinstance(value, dict):
                return _unnamed_keys(value, option, comps, at)
            if kind == "array" and isinstance(value, list):
                return _unnamed_keys(value, option, comps, at)
        return []
    out: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        out += [f"{at}.{k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                out += _unnamed_keys(v, props[k], comps, f"{at}.{k}")
    elif isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value[:50]):
            out += _unnamed_keys(v, schema["items"], comps, f"{at}[{i}]")
    return out


def _check(c: TestClient, path: str, answer: Any) -> None:
    doc = c.get("/api/openapi.json").json()
    method, model = RESPONSE_MODELS[path]
    schema = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    assert "$ref" in schema["schema"], path  # a real schema, not {"type": "object"}
    msgspec.convert(answer, model)  # raises on a wrong type or a missing required key
    assert _unnamed_keys(answer, schema["schema"], doc["components"]["schemas"], path) == []


def test_stored_endpoints_match_their_models(client: TestClient) -> None:
    at = {"at": "2024-07-06T07:30:00Z"}
    answers = {
        "/api/aircraft": client.get("/api/aircraft", params=at).json(),
        "/data/aircraft.json": client.get("/data/aircraft.json").json(),
        "/api/events": client.get("/api/events").json(),
        "/api/flights": client.get("/api/flights").json(),
        "/api/status": client.get("/api/status").json(),
        "/api/verify": client.post(
            "/api/verify",
            json={"claim": "AFR34ZG has landed in France", "at": "2024-07-06T09:00:00Z"},
        ).json(),
    }
    assert [a["hex"] for a in answers["/api/aircraft"]["aircraft"]] == [AFR_HEX]
    assert answers["/api/events"]["events"] and answers["/api/flights"]["flights"]
    assert answers["/api/verify"]["verdict"] == "supported"
    for path, answer in answers.items():
        _check(client, path, answer)


def test_live_aircraft_match_the_model(live_client: TestClient) -> None:
    doc = live_client.get("/data/aircraft.json").json()
    # 9 addresses, 2 heard in one CRC-checked frame only: held back as possible phantoms.
    assert len(doc["aircraft"]) == 7
    assert any("category" in a and "version" in a for a in doc["aircraft"])
    _check(live_client, "/data/aircraft.json", doc)
    _check(live_client, "/api/aircraft", live_client.get("/api/aircraft").json())
    _check(live_client, "/api/status", live_client.get("/api/status").json())


def test_a_wrong_answer_fails_the_check(client: TestClient) -> None:
    """The check can fail: an extra key and a wrong type are both caught."""
    flights = client.get("/api/flights").json()
    flights["flights"][0]["surprise"] = 1
    with pytest.raises(AssertionError):
        _check(client, "/api/flights", flights)
    flights["flights"][0].pop("surprise")
    flights["flights"][0]["first_seen_s"] = "yesterday"
    with pytest.raises(msgspec.ValidationError):
        _check(client, "/api/flights", flights)


def test_swagger_page_needs_no_network(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "swagger" in html.lower()
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")
