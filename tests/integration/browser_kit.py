"""Shared pieces of the browser tests: Debian Chromium via Playwright, a server in a thread,
stores built from real recordings and from the June 2024 reconstruction.

Needs /usr/bin/chromium and the ``playwright`` Python package (no ``playwright install``: the
system browser is used). Missing either is a failure, not a skip. Every page is served under a
strict Content-Security-Policy (scripts from this origin only, no inline script or handler),
and any request leaving the test server fails the test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from flyvakt.serve import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
AXE_JS = ROOT / "tests" / "data" / "axe-core" / "axe.min.js"
# The policy the map must run under (the server's own header may be stricter).
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)
# The reconstruction's notice, as `flyvakt simulate` labels it.
RECONSTRUCTION_LABEL = "APPROXIMATE RECONSTRUCTION (synthetic, from public reporting only)"
STATE_VISIT_HEXES = ("157711", "157718", "157719")  # RA-96017, RA-96024, RA-96025


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import ensure_chromium

    executable = ensure_chromium()  # finds it anywhere on PATH, or installs Debian's
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page of one browser context that records errors, CSP violations and outside requests."""

    def __init__(self, browser: Any, server: str, **context: Any) -> None:
        context.setdefault("viewport", {"width": 1280, "height": 800})
        context.setdefault("timezone_id", "Europe/Oslo")
        self.server = server
        self.context = browser.new_context(**context)
        self.pg = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.pg.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.pg.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "Content-Security-Policy" in m.text
                else None
            ),
        )
        self.pg.on(
            "request",
            lambda r: (
                None if r.url.startswith((server, "data:", "blob:")) else self.outside.append(r.url)
            ),
        )
        self.pg.route(server + "/", self._with_csp)
        self.pg.route(server + "/?*", self._with_csp)
        self.pg.route(server + "/docs", self._with_csp)

    @staticmethod
    def _with_csp(route: Any) -> None:
        resp = route.fetch()
        # The server's own policy when it sends one (it must be at least as strict), else ours.
        headers = dict(resp.headers)
        headers.setdefault("content-security-policy", CSP)
        route.fulfill(response=resp, headers=headers)

    def open(self, query: str = "", ready: bool = True) -> Any:
        self.pg.goto(self.server + "/" + query)
        if ready:
            self.pg.wait_for_selector("body[data-ready='1']", timeout=20000)
        return self.pg

    def close(self) -> None:
        try:
            assert not self.errors, self.errors
            assert not self.outside, self.outside
        finally:
            self.context.close()


def shot(pg: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path))
    return path


def build_state_visit_store(path: Path, rate_scale: float = 0.2) -> Path:
    """SYNTHETIC: the bundled June 2024 state-visit reconstruction simulated, replayed with the
    bundled fleets and stored (about 3 s at rate scale 0.2; the events are those of the full
    rates: observed landings at UEEE, inferred landings at ZKPY)."""
    from flyvakt.fleets import example_fleets_path
    from flyvakt.runtime.replay import replay_files
    from flyvakt.sim import emit, scenario
    from flyvakt.sim.label import DATA_LABEL_KEY, labels_of, write_label
    from flyvakt.sources import write_jsonl
    from flyvakt.store import MetaRecord, StoreWriter

    sc = scenario.load(scenario.bundled("june-2024-state-visit"))
    sc.rate_scale = rate_scale
    res = emit.simulate(sc)
    assert "APPROXIMATE RECONSTRUCTION" in res.label
    frames = path.with_suffix(".jsonl")
    with frames.open("w", encoding="utf-8") as fp:
        write_jsonl(fp, res.frames)
    result = replay_files([str(frames)], fleets_path=str(example_fleets_path()))
    writer = StoreWriter(path, queue_size=100_000)
    assert writer.offer(result.positions)
    assert writer.offer(result.events)
    # The label travels as `flyvakt simulate --out` writes it and `flyvakt replay --db` reads it
    # (tests/integration/test_data_label.py runs those commands).
    write_label(frames, res.label)
    label = labels_of([str(frames)])
    assert label is not None and label.startswith(RECONSTRUCTION_LABEL)
    assert writer.offer(MetaRecord(DATA_LABEL_KEY, label))
    writer.close()
    return path


def state_visit_app(db: Path) -> Any:
    from flyvakt.fleets import example_fleets_path

    return create_app(str(db), fleets_path=str(example_fleets_path()))
