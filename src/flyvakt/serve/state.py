"""Per-app state and the small helpers every route module shares.

The store is opened read-only, lazily (``flyvakt run`` may create it after the server starts),
and every query runs in a worker thread under one lock (one SQLite connection is not safe for
concurrent statements).
"""

from __future__ import annotations

import hmac
import json
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flyvakt.serve.convert import BadRequest, antimeridian_safe, parse_time_param
from flyvakt.serve.hub import HubLike
from flyvakt.serve.stream import json_safe

__all__ = [
    "MAX_LIMIT",
    "STATIC_DIR",
    "ServeState",
    "check_token",
    "json_body",
    "json_bytes",
    "json_response",
    "live_response",
    "query_limit",
    "query_span",
    "state_of",
]

T = TypeVar("T")

STATIC_DIR = Path(__file__).resolve().parent / "static"
OUTLINES_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "geo" / "countries_outline.geojson"
)
# Why 2 s: the store's first/last fix and data-through time in /api/status may lag by this much
# while ingest runs (a live map polls it every few seconds); each visit takes the store's lock
# and a worker thread, which under load cost the status request hundreds of ms.
STORE_STATUS_MAX_AGE_S = 2.0
# Why 5000: a day of events for a busy receiver; more belongs in an export, not a page.
MAX_LIMIT = 5000


def json_response(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json_safe(data), status_code=status)


def json_bytes(data: Any) -> bytes:
    """JSON as :func:`json_response` renders it (NaN/inf as null)."""
    return json.dumps(
        json_safe(data), ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def live_response(head: dict[str, Any], aircraft_json: bytes) -> Response:
    """``head`` with an ``aircraft`` key holding the already rendered live list."""
    body = json_bytes(head)[:-1] + b',"aircraft":' + aircraft_json + b"}"
    return Response(body, media_type="application/json")


class ServeState:
    """Shared per-app state: the lazily opened store reader and the configuration."""

    def __init__(
        self,
        db_path: str,
        hub: HubLike | None,
        fleets_path: str | None,
        token: str | None,
        receiver: tuple[float, float] | None = None,
    ) -> None:
        self.db_path = db_path
        self.receiver = receiver
        self.hub = hub
        self.fleets_path = fleets_path
        self.token = token
        self.lock = threading.Lock()
        self._reader: Any = None
        self._outlines: bytes | None = None
        self._registry: tuple[int, Any] | None = None
        # The live aircraft list as JSON (registrations and fleet members added): (hub batch
        # it was made at, now, JSON array), and whether a newer one is being built.
        self._live: tuple[tuple[Any, ...], float | None, bytes] | None = None
        self._live_lock = threading.Lock()
        self._live_building = False
        # store_status() of the last visit: (time.monotonic() of it, figures), and whether a
        # visit is under way.
        self._store_status: tuple[float, Any] | None = None
        self._store_status_busy = False

    def reader(self) -> Any:
        from flyvakt.store import StoreReader

        if self._reader is None:
            try:
                self._reader = StoreReader(self.db_path)
            except FileNotFoundError:
                raise BadRequest(
                    f"no store at {self.db_path} yet (start `flyvakt run` or replay data)", 503
                ) from None
            except ValueError as exc:  # not a flyvakt store, or a newer schema
                raise BadRequest(str(exc), 503) from None
        return self._reader

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            with self.lock:
                return fn(self.reader(), *args, **kwargs)

        return await run_in_threadpool(call)

    def registry(self) -> Any:
        """The fleet registry, read once and again only when the file changes (PUT /api/fleets
        rewrites it), not on every request."""
        from flyvakt.fleets import FleetRegistry, load_fleets

        if not self.fleets_path:
            return FleetRegistry([])
        try:
            stamp = Path(self.fleets_path).stat().st_mtime_ns
        except OSError:
            stamp = -1
        with self.lock:
            if self._registry is None or self._registry[0] != stamp:
                self._registry = (stamp, load_fleets(self.fleets_path))
            return self._registry[1]

    def outlines(self) -> bytes:
        if self._outlines is None:
            doc = json.loads(OUTLINES_PATH.read_text(encoding="utf-8"))
            self._outlines = json.dumps(antimeridian_safe(doc), separators=(",", ":")).encode()
        return self._outlines

    def _peek(self, fn: Callable[[Any], T], default: T) -> T:
        """``fn(reader)`` for the status page: ``default`` when there is no usable store yet."""
        if not Path(self.db_path).is_file():
            return default
        try:
            with self.lock:
                return fn(self.reader())
        except (BadRequest, sqlite3.DatabaseError):
            return default

    def _live_key(self) -> tuple[Any, ...] | None:
        """The hub's batch count and data time (None for a hub that has no batch count)."""
        assert self.hub is not None
        batches = self.hub.status().get("batches")
        return None if batches is None else (batches, self.hub.now_s)

    def live_aircraft(self) -> tuple[float | None, bytes]:
        """The live hub's aircraft (registrations and fleet members added) as a JSON array,
        and its data time. Slow for thousands of aircraft (call it from a worker thread), so
        it is built at most once per batch and, once there is one, answered at once: while the
        hub has moved on, the last list is served and a newer one built in the background (as
        readsb writes aircraft.json once a second and serves the last one written)."""
        key = self._live_key()
        with self._live_lock:
            cached = self._live
            if cached is not None and key is not None:
                if cached[0] != key and not self._live_building:
                    self._live_building = True
                    threading.Thread(target=self._build_live, daemon=True).start()
                return cached[1], cached[2]
        return self._build_live()

    def _build_live(self) -> tuple[float | None, bytes]:
        from flyvakt.serve.routes_now import add_fleet_members, add_registrations

        assert self.hub is not None
        try:
            key = self._live_key()
            now = self.hub.now_s
            rows = [dict(r) for r in self.hub.aircraft_now(now)]
            if Path(self.db_path).is_file():
                with self.lock:
                    add_registrations(self.reader(), rows)
            add_fleet_members(self, rows)
            body = json_bytes(rows)
            if key is not None:
                with self._live_lock:
                    self._live = (key, now, body)
            return now, body
        finally:
            with self._live_lock:
                self._live_building = False

    def store_status(self) -> tuple[tuple[float | None, float | None], float | None, str | None]:
        """First and last stored fix, data-through time and data label, in one visit."""
        try:
            through: float | None = self._peek(lambda r: r.data_through_s(), None)
            figures = (self.time_range(), through, self.data_label())
            with self._live_lock:
                self._store_status = (time.monotonic(), figures)
            return figures
        finally:
            self._store_status_busy = False

    def store_status_now(self) -> Any:
        """:meth:`store_status` without waiting for the store (event loop): the figures of the
        last visit, and a new visit in the background when they are over
        STORE_STATUS_MAX_AGE_S old; None before the first visit."""
        with self._live_lock:
            last = self._store_status
            if last is None:
                return None
            if time.monotonic() - last[0] > STORE_STATUS_MAX_AGE_S and not self._store_status_busy:
                self._store_status_busy = True
                threading.Thread(target=self.store_status, daemon=True).start()
            return last[1]

    def data_label(self) -> str | None:
        """The store's ``meta`` ``data_label`` (e.g. a reconstruction's notice), if any."""
        label: str | None = self._peek(lambda r: r.meta("data_label"), None)
        return label

    def time_range(self) -> tuple[float | None, float | None]:
        """First and last stored fix time."""
        return self._peek(lambda r: r.time_range(), (None, None))


def state_of(request: Request) -> ServeState:
    state: ServeState = request.app.state.flyvakt
    return state


def query_limit(request: Request, default: int = 1000) -> int:
    """``?limit=``: an integer between 1 and :data:`MAX_LIMIT`."""
    text = request.query_params.get("limit")
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"limit must be an integer, got {text!r}") from None
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}, got {value}")
    return value


def query_span(request: Request) -> tuple[float, float]:
    """``?from=&to=`` (ISO 8601 or epoch seconds; open ends are infinite); 400 if reversed."""
    q = request.query_params
    t0 = parse_time_param("from", q.get("from"), -math.inf)
    t1 = parse_time_param("to", q.get("to"), math.inf)
    assert t0 is not None and t1 is not None
    if t1 < t0:
        raise BadRequest("'to' is before 'from'")
    return t0, t1


def check_token(request: Request) -> None:
    """403 without a configured token, 401 without the right ``Authorization: Bearer``."""
    st = state_of(request)
    if st.token is None:
        raise BadRequest(
            "changes are disabled: start the server with a token (--token) to allow them", 403
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), st.token):
        raise BadRequest("missing or wrong token: send 'Authorization: Bearer <token>'", 401)


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("request body must be JSON") from None
    except RecursionError:
        raise BadRequest("request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body
