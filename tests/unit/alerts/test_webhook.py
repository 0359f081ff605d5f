"""Webhook delivery against a local HTTP server that fails twice, then accepts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flyvakt.alerts.sinks import WebhookError, post_json


class _Flaky:
    def __init__(self, fail: int, code: int = 500) -> None:
        self.fail = fail
        self.code = code
        self.bodies: list[bytes] = []


@pytest.fixture
def server() -> Iterator[tuple[str, _Flaky]]:
    state = _Flaky(fail=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.bodies.append(body)
            code = state.code if len(state.bodies) <= state.fail else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_retries_with_backoff_then_succeeds(server: tuple[str, _Flaky]) -> None:
    url, state = server
    sleeps: list[float] = []
    payload = {"rule": "r", "event": {"type": "landing", "icao24": "393322"}, "map": "x"}
    assert post_json(url, payload, sleep=sleeps.append) == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff between the three attempts
    assert len(state.bodies) == 3
    assert json.loads(state.bodies[-1]) == payload


def test_gives_up_after_attempts(server: tuple[str, _Flaky]) -> None:
    url, state = server
    state.fail = 100
    sleeps: list[float] = []
    with pytest.raises(WebhookError, match="failed after 3 attempts"):
        post_json(url, {"a": 1}, attempts=3, sleep=sleeps.append)
    assert sleeps == [0.5, 1.0] and len(state.bodies) == 3


def test_client_error_not_retried(server: tuple[str, _Flaky]) -> None:
    url, state = server
    state.code = 400
    with pytest.raises(WebhookError, match="HTTP 400"):
        post_json(url, {"a": 1}, sleep=lambda s: None)
    assert len(state.bodies) == 1


def test_manager_delivers_webhook_off_the_loop(server: tuple[str, _Flaky]) -> None:
    import asyncio

    from flyvakt.alerts import AlertManager, Rule
    from flyvakt.model import Event

    url, state = server
    state.fail = 1  # one retry (0.5 s backoff) with the default sender
    rule = Rule(when="emergency", channels=(f"webhook:{url}",), name="sq")
    # Synthetic (labelled): an emergency squawk event; the real recordings have none.
    ev = Event(type="emergency_squawk", icao24="4ca123", time_s=1_720_249_161.0)
    mgr = AlertManager([rule], "http://127.0.0.1:8090/")

    async def go() -> None:
        assert len(mgr.submit([ev])) == 1
        await mgr.drain(timeout_s=10)

    asyncio.run(go())
    assert mgr.sent == {"webhook": 1} and not mgr.failed
    body = json.loads(state.bodies[-1])
    assert body["event"] == ev.to_json() and body["map"].endswith("&icao24=4ca123")
