"""Routes for the map's files: the page, Swagger UI, the favicon, country outlines, airports,
runways, the verdict terms and the OpenAPI document."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from flyvakt.serve.convert import BadRequest
from flyvakt.serve.openapi import openapi_document
from flyvakt.serve.state import STATIC_DIR, json_response, state_of


async def api_terms(request: Request) -> Response:
    """The verdict words in en/nb/nn (verify.terms: one list for the CLI and the map)."""
    from flyvakt.verify.terms import verdict_terms_json

    return json_response(verdict_terms_json())


async def api_openapi(request: Request) -> Response:
    return json_response(openapi_document())


async def outlines(request: Request) -> Response:
    body = await run_in_threadpool(state_of(request).outlines)
    return Response(body, media_type="application/geo+json")


async def index(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


async def docs(request: Request) -> Response:
    """Swagger UI, vendored in static/vendor/swagger-ui (offline, no CDN)."""
    return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")


async def favicon(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


async def airports(request: Request) -> Response:
    from flyvakt.serve.places import airports_geojson

    doc = await run_in_threadpool(airports_geojson)
    return Response(
        json.dumps(doc, separators=(",", ":")).encode(), media_type="application/geo+json"
    )


async def runways(request: Request) -> Response:
    """Runway centre lines in ``?bbox=west,south,east,north`` (degrees)."""
    from flyvakt.serve.places import runways_geojson

    text = request.query_params.get("bbox", "")
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        raise BadRequest(f"bbox must be west,south,east,north in degrees, got {text!r}") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise BadRequest(f"bbox out of range: {text!r}")
    doc = await run_in_threadpool(runways_geojson, w, s, e, n)
    return Response(
        json.dumps(doc, separators=(",", ":")).encode(), media_type="application/geo+json"
    )
