"""Routes about aircraft now: readsb's ``data/aircraft.json`` and ``receiver.json``,
``/api/aircraft``, a track, the live stream, ``/api/status`` and ``/metrics``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from flyvakt.decode.commb import COMMB_MAX_AGE_S, readsb_values
from flyvakt.model.batches import icao_hex, parse_icao_hex
from flyvakt.serve.convert import (
    BadRequest,
    aircraft_rows,
    parse_icao24_param,
    parse_time_param,
    receiver_json,
    track_json,
)
from flyvakt.serve.state import (
    ServeState,
    json_response,
    live_response,
    query_span,
    state_of,
)
from flyvakt.serve.stream import sse_messages

# Why 60 s: the same gap as the store and export ("a gap is not a path", DESIGN.md section 4).
TRACK_GAP_S = 60.0
# Why 60 s: an aircraft last heard a minute ago is no longer "now" (readsb drops positions
# older than 60 s from aircraft.json as well).
NOW_MAX_AGE_S = 60.0
# Why 6 h: ``?ghost=S`` keeps aircraft last heard up to S seconds ago (the map greys them
# through a coverage gap); beyond a few hours a "last known position" misleads more than helps.
MAX_GHOST_S = 6 * 3600.0


def _fleets_of(st: ServeState, hexes: list[str], at_s: float) -> dict[str, list[str]]:
    registry = st.registry()
    if len(registry) == 0:
        return {}
    return {h: registry.match(int(h, 16), None, at_s) for h in hexes}


# -- aircraft ---------------------------------------------------------------------------------
def add_registrations(reader: Any, rows: list[dict[str, Any]]) -> None:
    """readsb's ``r`` (registration) and ``t`` (type) from the store's aircraft table."""
    for row in rows:
        if "r" in row and "t" in row:
            continue
        rec = reader.aircraft(row["hex"])
        if rec is not None and rec.registration:
            row.setdefault("r", rec.registration)
        if rec is not None and rec.type:
            row.setdefault("t", rec.type)


def _add_commb(reader: Any, rows: list[dict[str, Any]], at_s: float) -> None:
    """readsb's Comm-B keys (nav_altitude_mcp, ias, mach...) from the store's newest values,
    as the live aircraft.json shows them: heard in the COMMB_MAX_AGE_S up to ``at_s``."""
    values = reader.commb_at(at_s, COMMB_MAX_AGE_S)
    for row in rows if values else []:
        slot = values.get(parse_icao_hex(row["hex"]))
        if slot:
            row.update(readsb_values(slot, at_s))


def _ghost_s(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= MAX_GHOST_S:  # NaN fails too
        raise BadRequest(f"ghost must be seconds between 0 and {MAX_GHOST_S:.0f}, got {text!r}")
    return value


def add_fleet_members(st: ServeState, rows: list[dict[str, Any]]) -> None:
    """Registration and type of fleet members from the fleets file, where the store has none."""
    registry = st.registry()
    if len(registry) == 0:
        return
    known = {m.icao24_hex: m for f in registry.fleets.values() for m in f.members if m.icao24_hex}
    for row in rows:
        m = known.get(row["hex"])
        if m is not None and m.registration:
            row.setdefault("r", m.registration)
        if m is not None and m.type:
            row.setdefault("t", m.type)


def _live_now(request: Request) -> bool:
    """The live hub's aircraft are asked for (a hub, and no ``at``)."""
    at = parse_time_param("at", request.query_params.get("at"), None)
    return state_of(request).hub is not None and at is None


async def _aircraft_list(request: Request) -> tuple[float | None, list[dict[str, Any]]]:
    """The aircraft at ``at`` (or the store's newest data) from the store."""
    st = state_of(request)
    at = parse_time_param("at", request.query_params.get("at"), None)
    ghost = _ghost_s(request.query_params.get("ghost"))
    if at is None:
        at = await st.db(lambda r: r.data_through_s())
        if at is None:
            return None, []
    batch = await st.db(lambda r: r.aircraft_now(at, max(NOW_MAX_AGE_S, ghost)))
    rows = aircraft_rows(batch, at, _fleets_of(st, [icao_hex(int(a)) for a in batch.icao24], at))
    await st.db(add_registrations, rows)
    await st.db(_add_commb, rows, at)
    add_fleet_members(st, rows)
    return at, rows


async def aircraft_json(request: Request) -> Response:
    """readsb/tar1090 ``data/aircraft.json``."""
    st = state_of(request)
    messages = 0
    if st.hub is not None:
        status = st.hub.status()
        total = status.get("messages", status.get("frames"))
        if total is None:  # the real hub counts frames per source
            sources = status.get("sources") or {}
            total = sum(int(s.get("frames", 0) or 0) for s in sources.values())
        messages = int(total or 0)
    if _live_now(request):
        live_now, body = await run_in_threadpool(st.live_aircraft)
        return live_response({"now": live_now, "messages": messages}, body)
    now, rows = await _aircraft_list(request)
    # Rendering thousands of rows takes a while: off the event loop (ingest runs on it).
    payload = {"now": now, "messages": messages, "aircraft": rows}
    return await run_in_threadpool(json_response, payload)


# How often tar1090 should fetch aircraft.json (readsb's "refresh"): the live hub updates with
# every ~100 ms batch, and 1 s is readsb's own default, which clients are built around.
AIRCRAFT_REFRESH_MS = 1000


async def receiver_json_route(request: Request) -> Response:
    """readsb/tar1090 ``data/receiver.json``."""
    from flyvakt import __version__

    pos = state_of(request).receiver
    lat, lon = pos if pos is not None else (None, None)
    return json_response(receiver_json(f"flyvakt {__version__}", AIRCRAFT_REFRESH_MS, lat, lon))


async def api_aircraft(request: Request) -> Response:
    if _live_now(request):
        live_now, body = await run_in_threadpool(state_of(request).live_aircraft)
        return live_response({"now": live_now, "live": True}, body)
    now, rows = await _aircraft_list(request)
    payload = {"now": now, "live": state_of(request).hub is not None, "aircraft": rows}
    return await run_in_threadpool(json_response, payload)


async def api_track(request: Request) -> Response:
    icao = parse_icao24_param(request.path_params["icao24"])
    t0, t1 = query_span(request)
    batch = await state_of(request).db(lambda r: r.track(icao, t0, t1))
    return json_response({"icao24": icao, **track_json(batch, TRACK_GAP_S)})


async def api_status(request: Request) -> Response:
    st = state_of(request)
    figures: Any = st.store_status_now() if st.hub is not None else None
    if figures is None:  # no live hub (serve), or the first visit: ask the store now
        figures = await run_in_threadpool(st.store_status)
    (first, last), through, label = figures
    return json_response(
        {
            "live": st.hub is not None,
            "hub": st.hub.status() if st.hub is not None else None,
            "first_fix_s": first,
            "last_fix_s": last,
            "data_through_s": through,
            "fleets_file": st.fleets_path,
            "receivers": (
                [{"lat": st.receiver[0], "lon": st.receiver[1]}] if st.receiver is not None else []
            ),
            "fleets_default": _is_bundled(st.fleets_path),
            "data_label": label,
            "writable": st.token is not None,
        }
    )


def _is_bundled(path: str | None) -> bool:
    from flyvakt.fleets import example_fleets_path

    return path is not None and Path(path).resolve() == example_fleets_path().resolve()


async def api_stream(request: Request) -> Response:
    st = state_of(request)
    if st.hub is None:
        raise BadRequest("no live feed: this server shows stored data only", 503)
    max_text = request.query_params.get("max_messages")
    max_messages = None
    if max_text is not None:
        try:
            max_messages = int(max_text)
        except ValueError:
            raise BadRequest(f"max_messages must be an integer, got {max_text!r}") from None
    gen = sse_messages(st.hub, request.is_disconnected, max_messages)
    return StreamingResponse(
        gen,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def metrics(request: Request) -> Response:
    """Prometheus text: the live engine's counters (an empty set without a live feed)."""
    from flyvakt.serve.metrics import CONTENT_TYPE, prometheus_text

    st = state_of(request)
    status = st.hub.status() if st.hub is not None else {}
    return Response(prometheus_text(status), media_type=CONTENT_TYPE)
