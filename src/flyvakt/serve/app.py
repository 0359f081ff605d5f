"""The HTTP API and the offline web map (Starlette): the route table and the app factory.

Routes live in ``routes_now`` (aircraft now, status, stream), ``routes_records`` (events,
flights, fleets, exports), ``routes_verify`` and ``routes_files`` (the map's files); the shared
per-app state and helpers in :mod:`flyvakt.serve.state`.

``create_app(db_path, hub, fleets_path, token)`` builds the application; ``flyvakt run`` /
``flyvakt serve`` serve it with uvicorn on 127.0.0.1. The store is opened read-only, lazily
(``flyvakt run`` may create it after the server starts), and every query runs in a worker
thread under one lock (one SQLite connection is not safe for concurrent statements).

Errors are JSON ``{"error": "..."}`` with a 4xx status for bad input; an unexpected failure is
a 500 with the exception type only (the traceback goes to the log, not to the client).
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flyvakt.serve import routes_files as files
from flyvakt.serve import routes_now as now
from flyvakt.serve import routes_records as records
from flyvakt.serve.convert import BadRequest
from flyvakt.serve.http_guard import HttpGuard
from flyvakt.serve.hub import HubLike
from flyvakt.serve.routes_verify import api_verify
from flyvakt.serve.state import STATIC_DIR, ServeState, json_response

__all__ = ["ROUTES", "create_app"]

log = logging.getLogger("flyvakt.serve")

# Why 1 kB: below that, gzip's header and CPU cost more than they save.
GZIP_MIN_BYTES = 1024


# -- errors ---------------------------------------------------------------------------------
async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return json_response({"error": str(exc)}, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: f"no such route: {request.url.path}", 405: "method not allowed"}
    return json_response({"error": messages.get(exc.status_code, str(exc.detail))}, exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    message = f"internal error ({type(exc).__name__}); see the server log"
    return json_response({"error": message}, 500)


ROUTES = [
    Route("/", files.index, methods=["GET"]),
    Route("/data/aircraft.json", now.aircraft_json, methods=["GET"]),
    Route("/data/receiver.json", now.receiver_json_route, methods=["GET"]),
    Route("/geo/countries.geojson", files.outlines, methods=["GET"]),
    Route("/geo/airports.geojson", files.airports, methods=["GET"]),
    Route("/geo/runways.geojson", files.runways, methods=["GET"]),
    Route("/docs", files.docs, methods=["GET"]),
    Route("/favicon.ico", files.favicon, methods=["GET"]),
    Route("/api/status", now.api_status, methods=["GET"]),
    Route("/metrics", now.metrics, methods=["GET"]),
    Route("/api/aircraft", now.api_aircraft, methods=["GET"]),
    Route("/api/aircraft/{icao24}/track", now.api_track, methods=["GET"]),
    Route("/api/events", records.api_events, methods=["GET"]),
    Route("/api/flights", records.api_flights, methods=["GET"]),
    Route("/api/fleets", records.api_fleets, methods=["GET"]),
    Route("/api/fleets/{fleet_id}", records.api_put_fleet, methods=["PUT"]),
    Route("/api/verify", api_verify, methods=["POST"]),
    Route("/api/stream", now.api_stream, methods=["GET"]),
    Route("/api/export", records.api_export, methods=["GET"]),
    Route("/api/plot/{icao24}.png", records.api_plot, methods=["GET"]),
    Route("/api/openapi.json", files.api_openapi, methods=["GET"]),
    Route("/api/terms", files.api_terms, methods=["GET"]),
]


def create_app(
    db_path: str,
    hub: HubLike | None = None,
    fleets_path: str | None = None,
    token: str | None = None,
    allowed_hosts: list[str] | None = None,
    receiver: tuple[float, float] | None = None,
) -> Starlette:
    """The web app over the store at ``db_path`` (read-only) and, if given, the live hub.

    ``token`` enables state-changing routes (``PUT /api/fleets/{id}``) for clients sending
    ``Authorization: Bearer <token>``; without it those routes answer 403. ``allowed_hosts``
    (None: any) lists the ``Host`` names answered (:mod:`flyvakt.serve.http_guard`).
    ``receiver`` (lat, lon) goes to ``data/receiver.json`` and ``/api/status`` (range rings).
    """
    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")],
        # Outlines are 1 MB of JSON, ~0.3 MB gzipped: worth it for a receiver on the LAN.
        # (Starlette never gzips text/event-stream, so SSE is not buffered.)
        middleware=[
            Middleware(HttpGuard, allowed_hosts=allowed_hosts),
            Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES),
        ],
        exception_handlers={
            BadRequest: _bad_request,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.flyvakt = ServeState(str(db_path), hub, fleets_path, token, receiver)
    return app
