"""Issue 10 item 8: the HTTP API under hostile requests (real store: AFR34ZG and calfire).

Each test is one defect the issue found: a 9.5 MB verify body parsed on the event loop, deep
nesting and year 0001 answered 500, plain-text bodies accepted, no Host check, no security
headers, and a fleet PUT that dropped ``[[alerts]]`` and comments and accepted ids with '..'.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import flyvakt.verify
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.serve import routes_verify
from flyvakt.serve.app import create_app
from flyvakt.serve.fleetfile import put_fleet_text
from flyvakt.serve.http_guard import MAX_BODY_BYTES, allowed_hosts_for

JSON = {"content-type": "application/json"}


@pytest.fixture
def client(store_path: Path) -> TestClient:
    return TestClient(create_app(str(store_path)))


def test_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    body = b'{"claim": "' + b"x" * 9_500_000 + b'"}'
    t0 = time.perf_counter()
    r = client.post("/api/verify", content=body, headers=JSON)
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    assert time.perf_counter() - t0 < 2.0
    assert len(body) > MAX_BODY_BYTES


def test_body_without_length_is_refused(client: TestClient) -> None:
    def chunks() -> Any:
        yield b'{"claim": "AFR34ZG landed at LFBO"}'

    r = client.post("/api/verify", content=chunks(), headers=JSON)
    assert r.status_code == 411


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_only_json_bodies(client: TestClient, ctype: str | None) -> None:
    """A cross-site form or text/plain POST (no CORS pre-flight) must not reach a route."""
    headers = {"content-type": ctype} if ctype else {}
    r = client.post("/api/verify", content=b'{"claim": "AFR34ZG landed at LFBO"}', headers=headers)
    assert r.status_code == 415


def test_deep_nesting_is_a_400(client: TestClient) -> None:
    r = client.post("/api/verify", content=b"[" * 100_000 + b"]" * 100_000, headers=JSON)
    assert r.status_code == 400 and "nested" in r.json()["error"]


def test_year_0001_is_not_a_500(client: TestClient) -> None:
    r = client.post("/api/verify", json={"claim": "AFR34ZG landed at LFBO by 0001-01-01T00:00:00Z"})
    assert 200 <= r.status_code < 500, r.text
    r = client.post(
        "/api/verify",
        json={
            "aircraft": "393322",
            "predicate": "landed_at",
            "place": "LFBO",
            "at": "0001-01-01T00:00Z",
        },
    )
    assert 200 <= r.status_code < 500, r.text


def test_verify_has_a_time_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = flyvakt.verify.evidence_from_store

    def slow(*a: Any, **k: Any) -> Any:
        time.sleep(1.0)
        return real(*a, **k)

    monkeypatch.setattr(flyvakt.verify, "evidence_from_store", slow)
    monkeypatch.setattr(routes_verify, "VERIFY_TIMEOUT_S", 0.2)
    r = client.post("/api/verify", json={"claim": "AFR34ZG landed at LFBO by 2024-07-06T08:00Z"})
    assert r.status_code == 504 and "longer than" in r.json()["error"]


def test_host_allow_list_stops_dns_rebinding(store_path: Path) -> None:
    app = create_app(str(store_path), allowed_hosts=allowed_hosts_for("127.0.0.1"))
    ok = TestClient(app, base_url="http://127.0.0.1:8090")
    assert ok.get("/api/status").status_code == 200
    assert TestClient(app, base_url="http://localhost:8090").get("/").status_code == 200
    evil = TestClient(app, base_url="http://rebind.evil.example:8090")
    r = evil.get("/api/status")
    assert r.status_code == 421 and "unknown Host" in r.json()["error"]
    assert allowed_hosts_for("0.0.0.0") is None  # bound for the network: any name


@pytest.mark.parametrize("path", ["/", "/api/status", "/static/app.js", "/nosuch"])
def test_security_headers(client: TestClient, path: str) -> None:
    h = client.get(path).headers
    csp = h["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split()[1:] == ["'self'"]  # no inline script, no eval
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"


def test_the_map_page_has_no_inline_script(client: TestClient) -> None:
    html = client.get("/").text
    assert "<script>" not in html.replace(" ", "")
    assert all("src=" in tag for tag in html.split("<script")[1:])


FLEETS_WITH_ALERTS = (
    example_fleets_path().read_text(encoding="utf-8")
    + """
# Alert rules: kept by every PUT.
[[alerts]]
fleet = "ru-gov"
events = ["landing"]
sink = "stdout"
"""
)
BODY = {"names": {"en": "test fleet"}, "member": [{"icao24": "393322", "registration": "F-GMZC"}]}
AUTH = {"Authorization": "Bearer s3cret"}


def test_fleet_put_keeps_alerts_comments_and_other_fleets(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "fleets.toml"
    path.write_text(FLEETS_WITH_ALERTS, encoding="utf-8")
    before = tomllib.loads(FLEETS_WITH_ALERTS)
    app = create_app(str(store_path), fleets_path=str(path), token="s3cret")
    with TestClient(app) as c:
        assert c.put("/api/fleets/af", json=BODY, headers=AUTH).status_code == 200
        body2 = {**BODY, "aliases": ["Air France test"]}
        assert c.put("/api/fleets/af", json=body2, headers=AUTH).status_code == 200
    text = path.read_text(encoding="utf-8")
    after = tomllib.loads(text)
    assert after["alerts"] == before["alerts"]
    assert "# Alert rules: kept by every PUT." in text
    assert "# Fleet facts, not people" in text
    assert [f["id"] for f in after["fleet"]] == [f["id"] for f in before["fleet"]] + ["af"]
    assert after["fleet"][:-1] == before["fleet"]
    assert after["fleet"][-1]["aliases"] == ["Air France test"]
    assert load_fleets(path).fleets["af"].aliases == ["Air France test"]


def test_fleet_put_replaces_a_fleet_in_the_middle(tmp_path: Path) -> None:
    text = put_fleet_text(FLEETS_WITH_ALERTS, "ru-gov", {"id": "ru-gov", "aliases": ["x"]})
    doc = tomllib.loads(text)
    assert doc["fleet"][0] == {"id": "ru-gov", "aliases": ["x"]}
    assert doc["alerts"] == tomllib.loads(FLEETS_WITH_ALERTS)["alerts"]
    assert "# Alert rules: kept by every PUT." in text


@pytest.mark.parametrize("bad_id", ["..", "a..b", "a%00b", "a%0Ab", "-x", "a b", "x" * 65])
def test_fleet_put_refuses_bad_ids(store_path: Path, tmp_path: Path, bad_id: str) -> None:
    path = tmp_path / "fleets.toml"
    path.write_text(FLEETS_WITH_ALERTS, encoding="utf-8")
    app = create_app(str(store_path), fleets_path=str(path), token="s3cret")
    with TestClient(app) as c:
        r = c.put(f"/api/fleets/{bad_id}", json=BODY, headers=AUTH)
    assert r.status_code in (404, 422), r.text
    assert path.read_text(encoding="utf-8") == FLEETS_WITH_ALERTS
