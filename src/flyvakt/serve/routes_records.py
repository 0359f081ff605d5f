"""Routes over stored records: events, flights, fleets (read and, with a token, write) and
exports (GeoJSON, KML, CSV, Parquet)."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from flyvakt.model.batches import icao_hex
from flyvakt.serve.convert import BadRequest, parse_icao24_param, parse_time_param
from flyvakt.serve.routes_verify import named_airports
from flyvakt.serve.state import (
    MAX_LIMIT,
    check_token,
    json_body,
    json_response,
    query_limit,
    query_span,
    state_of,
)

EXPORT_FORMATS = ("geojson", "kml", "csv", "parquet")
_MEDIA = {
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


async def api_events(request: Request) -> Response:
    q = request.query_params
    icao = q.get("icao24")
    kwargs: dict[str, Any] = {
        "icao24": parse_icao24_param(icao) if icao else None,
        "types": [t for t in q.getlist("type") for t in t.split(",") if t] or None,
        "since_s": parse_time_param("since", q.get("since"), None),
        "until_s": parse_time_param("until", q.get("until"), None),
        "fleet": q.get("fleet") or None,
        "country": (q.get("country") or "").upper() or None,
        "airport": (q.get("airport") or "").upper() or None,
        "limit": query_limit(request),
    }
    lang = q.get("lang")
    if lang is not None and lang not in ("en", "nb", "nn"):
        raise BadRequest(f"lang must be en, nb or nn, got {lang!r}")
    events = await state_of(request).db(lambda r: r.events(**kwargs))
    if lang is not None:
        # Each airport also gets the name the bulletins give it in ``lang`` ("Moskva", not
        # "Sheremetyevo International Airport"): the page's event list is in the reader's words.
        events = named_airports(events, lang)
    return json_response({"events": events})


async def api_flights(request: Request) -> Response:
    q = request.query_params
    icao = q.get("icao24")
    icao = parse_icao24_param(icao) if icao else None
    since = parse_time_param("since", q.get("since"), None)
    until = parse_time_param("until", q.get("until"), None)
    limit = query_limit(request)
    flights = await state_of(request).db(lambda r: r.flights(icao, since, until, limit))
    out = []
    for f in flights:
        row = dataclasses.asdict(f)
        if isinstance(row.get("icao24"), int):
            row["icao24"] = icao_hex(row["icao24"])
        out.append(row)
    return json_response({"flights": out})


# -- fleets ---------------------------------------------------------------------------------
async def api_fleets(request: Request) -> Response:
    registry = await run_in_threadpool(state_of(request).registry)
    lang = request.query_params.get("lang", "en")
    fleets = []
    for f in registry.fleets.values():
        fleets.append(
            {
                "id": f.id,
                "name": f.name(lang),
                "names": f.names,
                "aliases": f.aliases,
                "attribution": f.attribution,
                "members": [
                    {
                        **m.to_toml(),
                        "valid_from": str(m.valid_from or "") or None,
                        "valid_to": str(m.valid_to or "") or None,
                    }
                    for m in f.members
                ],
            }
        )
    return json_response({"fleets": fleets})


async def api_put_fleet(request: Request) -> Response:
    """Add or replace one fleet in the fleets file (body: the fleet's TOML table as JSON)."""
    check_token(request)
    st = state_of(request)
    if not st.fleets_path:
        raise BadRequest("no fleets file configured (--fleets)", 409)
    fleet_id = request.path_params["fleet_id"]
    from flyvakt.fleets import parse_fleets
    from flyvakt.fleets.registry import FleetFileError
    from flyvakt.serve.fleetfile import FleetEditError, check_fleet_id, write_fleet

    try:
        check_fleet_id(fleet_id)
    except FleetEditError as exc:
        raise BadRequest(str(exc), 422) from None
    body = await json_body(request)
    try:
        new = parse_fleets({"fleet": [{**body, "id": fleet_id}]}, "request body")
    except (FleetFileError, ValueError, TypeError) as exc:
        raise BadRequest(str(exc), 422) from None

    def write() -> None:
        # Only this fleet's [[fleet]] block changes: [[alerts]], other tables and comments stay.
        with st.lock:
            write_fleet(str(st.fleets_path), fleet_id, new.fleets[fleet_id].to_toml())

    try:
        await run_in_threadpool(write)
    except FleetEditError as exc:
        raise BadRequest(str(exc), 409) from None
    return json_response({"ok": True, "id": fleet_id, "members": len(new.fleets[fleet_id].members)})


# -- plot ---------------------------------------------------------------------------------
async def api_plot(request: Request) -> Response:
    """``/api/plot/{icao24}.png``: the stored track's altitude and speed against time."""
    from flyvakt.plot import event_marks, profile_png

    icao = parse_icao24_param(request.path_params["icao24"])
    t0, t1 = query_span(request)

    def load(reader: Any) -> tuple[Any, list[dict[str, Any]]]:
        since = None if math.isinf(t0) else t0
        until = None if math.isinf(t1) else t1
        events = reader.events(icao24=icao, since_s=since, until_s=until, limit=MAX_LIMIT)
        return reader.track(icao, t0, t1), events

    batch, events = await state_of(request).db(load)
    if len(batch) == 0:
        raise BadRequest(f"no stored positions of {icao} in that time", 404)
    callsigns = sorted({c for c in batch.callsign.tolist() if c})
    try:
        png = await run_in_threadpool(
            profile_png, batch, event_marks(events), " ".join([icao, *callsigns])
        )
    except ImportError as exc:
        raise BadRequest(str(exc), 501) from None
    return Response(png, media_type="image/png")


# -- export ---------------------------------------------------------------------------------
async def api_export(request: Request) -> Response:
    from flyvakt.store.export import thinning, to_csv, to_geojson, to_kml, write_parquet

    q = request.query_params
    fmt = q.get("format", "geojson")
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(f"unknown format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if not q.get("icao24"):
        raise BadRequest("icao24 is required (6 hex digits)")
    icaos = [parse_icao24_param(x) for x in q["icao24"].split(",") if x.strip()]
    t0, t1 = query_span(request)

    def load(reader: Any) -> tuple[Any, list[dict[str, Any]], Any]:
        batch = reader.tracks(icaos, t0, t1)
        events: list[dict[str, Any]] = []
        for a in icaos:
            events.extend(
                reader.events(
                    icao24=a,
                    since_s=None if math.isinf(t0) else t0,
                    until_s=None if math.isinf(t1) else t1,
                    limit=MAX_LIMIT,
                )
            )
        return batch, events, thinning(reader, icaos, t0, t1)

    batch, events, thin = await state_of(request).db(load)
    name = f"flyvakt-{'-'.join(icaos)}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "geojson":
        body: bytes = json.dumps(to_geojson(batch, events)).encode()
    elif fmt == "kml":
        body = to_kml(batch, events).encode()
    elif fmt == "csv":
        buf = io.StringIO()
        to_csv(batch, buf, thin)
        body = buf.getvalue().encode()
    else:
        raw = io.BytesIO()
        write_parquet(batch, raw, thin)
        body = raw.getvalue()
    return Response(body, media_type=_MEDIA[fmt], headers=headers)
