"""The HTTP API and the offline web map (Starlette).

``create_app(db_path, hub, fleets_path, token)`` builds the application; ``flyvakt run`` /
``flyvakt serve`` serve it with uvicorn on 127.0.0.1. The store is opened read-only, lazily
(``flyvakt run`` may create it after the server starts), and every query runs in a worker
thread under one lock (one SQLite connection is not safe for concurrent statements).

Errors are JSON ``{"error": "..."}`` with a 4xx status for bad input; an unexpected failure is
a 500 with the exception type only (the traceback goes to the log, not to the client).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import io
import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from flyvakt.model.batches import icao_hex
from flyvakt.serve.convert import (
    BadRequest,
    aircraft_rows,
    antimeridian_safe,
    parse_icao24_param,
    parse_time_param,
    receiver_json,
    track_json,
)
from flyvakt.serve.http_guard import HttpGuard
from flyvakt.serve.hub import HubLike
from flyvakt.serve.openapi import openapi_document
from flyvakt.serve.stream import sse_messages

__all__ = ["create_app"]

log = logging.getLogger("flyvakt.serve")
T = TypeVar("T")

STATIC_DIR = Path(__file__).resolve().parent / "static"
OUTLINES_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "geo" / "countries_outline.geojson"
)
# Why 60 s: the same gap as the store and export ("a gap is not a path", DESIGN.md section 4).
TRACK_GAP_S = 60.0
# Why 60 s: an aircraft last heard a minute ago is no longer "now" (readsb drops positions
# older than 60 s from aircraft.json as well).
NOW_MAX_AGE_S = 60.0
# Why 6 h: ``?ghost=S`` keeps aircraft last heard up to S seconds ago (the map greys them
# through a coverage gap); beyond a few hours a "last known position" misleads more than helps.
MAX_GHOST_S = 6 * 3600.0
# Why 5000: a day of events for a busy receiver; more belongs in an export, not a page.
MAX_LIMIT = 5000
# Why 20 s: a claim over a day of a busy store is judged in well under a second; one that
# takes longer is answered 504 rather than holding its client (and the store lock) forever.
VERIFY_TIMEOUT_S = 20.0
# Why 1 kB: below that, gzip's header and CPU cost more than they save.
GZIP_MIN_BYTES = 1024
EXPORT_FORMATS = ("geojson", "kml", "csv", "parquet")
_MEDIA = {
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_clean(data), status_code=status)


def _clean(obj: Any) -> Any:
    """NaN/inf are not JSON: replace with null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if obj is None or isinstance(obj, str | int | bool):
        return obj
    return str(obj)  # e.g. an enum in a source's status: text, not a crash


class _State:
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

    def data_label(self) -> str | None:
        """The store's ``meta`` ``data_label`` (e.g. a reconstruction's notice), if any."""
        label: str | None = self._peek(lambda r: r.meta("data_label"), None)
        return label

    def time_range(self) -> tuple[float | None, float | None]:
        """First and last stored fix time."""
        return self._peek(lambda r: r.time_range(), (None, None))


def _st(request: Request) -> _State:
    state: _State = request.app.state.flyvakt
    return state


def _limit(request: Request, default: int = 1000) -> int:
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


def _fleets_of(st: _State, hexes: list[str], at_s: float) -> dict[str, list[str]]:
    registry = st.registry()
    if len(registry) == 0:
        return {}
    return {h: registry.match(int(h, 16), None, at_s) for h in hexes}


# -- aircraft ---------------------------------------------------------------------------------
def _add_registrations(reader: Any, rows: list[dict[str, Any]]) -> None:
    """readsb's ``r`` (registration) and ``t`` (type) from the store's aircraft table."""
    for row in rows:
        if "r" in row and "t" in row:
            continue
        rec = reader.aircraft(row["hex"])
        if rec is not None and rec.registration:
            row.setdefault("r", rec.registration)
        if rec is not None and rec.type:
            row.setdefault("t", rec.type)


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


def _add_fleet_members(st: _State, rows: list[dict[str, Any]]) -> None:
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


async def _aircraft_list(request: Request) -> tuple[float | None, list[dict[str, Any]]]:
    st = _st(request)
    at = parse_time_param("at", request.query_params.get("at"), None)
    if st.hub is not None and at is None:
        now = st.hub.now_s
        rows = [dict(r) for r in st.hub.aircraft_now(now)]
        if Path(st.db_path).is_file():
            await st.db(_add_registrations, rows)
        _add_fleet_members(st, rows)
        return now, rows
    ghost = _ghost_s(request.query_params.get("ghost"))
    if at is None:
        at = await st.db(lambda r: r.data_through_s())
        if at is None:
            return None, []
    batch = await st.db(lambda r: r.aircraft_now(at, max(NOW_MAX_AGE_S, ghost)))
    rows = aircraft_rows(batch, at, _fleets_of(st, [icao_hex(int(a)) for a in batch.icao24], at))
    await st.db(_add_registrations, rows)
    _add_fleet_members(st, rows)
    return at, rows


async def aircraft_json(request: Request) -> Response:
    """readsb/tar1090 ``data/aircraft.json``."""
    now, rows = await _aircraft_list(request)
    st = _st(request)
    messages = 0
    if st.hub is not None:
        status = st.hub.status()
        total = status.get("messages", status.get("frames"))
        if total is None:  # the real hub counts frames per source
            sources = status.get("sources") or {}
            total = sum(int(s.get("frames", 0) or 0) for s in sources.values())
        messages = int(total or 0)
    return _json({"now": now, "messages": messages, "aircraft": rows})


# How often tar1090 should fetch aircraft.json (readsb's "refresh"): the live hub updates with
# every ~100 ms batch, and 1 s is readsb's own default, which clients are built around.
AIRCRAFT_REFRESH_MS = 1000


async def receiver_json_route(request: Request) -> Response:
    """readsb/tar1090 ``data/receiver.json``."""
    from flyvakt import __version__

    pos = _st(request).receiver
    lat, lon = pos if pos is not None else (None, None)
    return _json(receiver_json(f"flyvakt {__version__}", AIRCRAFT_REFRESH_MS, lat, lon))


async def api_aircraft(request: Request) -> Response:
    now, rows = await _aircraft_list(request)
    return _json({"now": now, "live": _st(request).hub is not None, "aircraft": rows})


async def api_track(request: Request) -> Response:
    icao = parse_icao24_param(request.path_params["icao24"])
    q = request.query_params
    t0 = parse_time_param("from", q.get("from"), -math.inf)
    t1 = parse_time_param("to", q.get("to"), math.inf)
    assert t0 is not None and t1 is not None
    if t1 < t0:
        raise BadRequest("'to' is before 'from'")
    batch = await _st(request).db(lambda r: r.track(icao, t0, t1))
    return _json({"icao24": icao, **track_json(batch, TRACK_GAP_S)})


# -- events, flights, status ---------------------------------------------------------------
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
        "limit": _limit(request),
    }
    events = await _st(request).db(lambda r: r.events(**kwargs))
    return _json({"events": events})


async def api_flights(request: Request) -> Response:
    q = request.query_params
    icao = q.get("icao24")
    icao = parse_icao24_param(icao) if icao else None
    since = parse_time_param("since", q.get("since"), None)
    until = parse_time_param("until", q.get("until"), None)
    limit = _limit(request)
    flights = await _st(request).db(lambda r: r.flights(icao, since, until, limit))
    out = []
    for f in flights:
        row = dataclasses.asdict(f)
        if isinstance(row.get("icao24"), int):
            row["icao24"] = icao_hex(row["icao24"])
        out.append(row)
    return _json({"flights": out})


async def api_status(request: Request) -> Response:
    st = _st(request)
    first, last = await run_in_threadpool(st.time_range)
    through = None
    with contextlib.suppress(BadRequest):
        through = await st.db(lambda r: r.data_through_s())
    return _json(
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
            "data_label": await run_in_threadpool(st.data_label),
            "writable": st.token is not None,
        }
    )


def _is_bundled(path: str | None) -> bool:
    from flyvakt.fleets import example_fleets_path

    return path is not None and Path(path).resolve() == example_fleets_path().resolve()


# -- fleets ---------------------------------------------------------------------------------
async def api_fleets(request: Request) -> Response:
    registry = await run_in_threadpool(_st(request).registry)
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
    return _json({"fleets": fleets})


def _check_token(request: Request) -> None:
    st = _st(request)
    if st.token is None:
        raise BadRequest(
            "changes are disabled: start the server with a token (--token) to allow them", 403
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), st.token):
        raise BadRequest("missing or wrong token: send 'Authorization: Bearer <token>'", 401)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("request body must be JSON") from None
    except RecursionError:
        raise BadRequest("request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


async def api_put_fleet(request: Request) -> Response:
    """Add or replace one fleet in the fleets file (body: the fleet's TOML table as JSON)."""
    _check_token(request)
    st = _st(request)
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
    body = await _json_body(request)
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
    return _json({"ok": True, "id": fleet_id, "members": len(new.fleets[fleet_id].members)})


# -- verify ---------------------------------------------------------------------------------
async def api_verify(request: Request) -> Response:
    """Body: ``{"claim": "AFR34ZG landed at LFBO by 2024-07-06T08:00Z", "lang": "en",
    "at": optional time, "tz": reader's IANA zone}``, or the structured form ``{"fleet" |
    "aircraft", "predicate", "place", "at" | "until", "since"}`` → the Verdict JSON."""
    body = await _json_body(request)
    text = body.get("claim")
    if not body.get("predicate") and (not isinstance(text, str) or not text.strip()):
        raise BadRequest("'claim' must be a non-empty string (or give 'predicate')")
    lang = body.get("lang", "en")
    if lang not in ("en", "nb", "nn"):
        raise BadRequest(f"lang must be en, nb or nn, got {lang!r}")
    tz = body.get("tz")
    from flyvakt.verify import ClaimParseError, evidence_from_store, member_hexes, verify
    from flyvakt.verify.claims import ClaimContext
    from flyvakt.verify.evidence import STORE_WINDOW_S
    from flyvakt.verify.messages import explain
    from flyvakt.verify.structured import PAYLOAD_FIELDS, build_claim
    from flyvakt.verify.subjects import SubjectContext
    if tz is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(str(tz))
        except Exception:
            raise BadRequest(f"tz: unknown time zone {tz!r}") from None
    st = _st(request)
    registry = await run_in_threadpool(st.registry)
    # A claim without a time is judged "now" on a live server, at the end of the data otherwise.
    now_s = st.hub.now_s if st.hub is not None else None
    fields = {k: body.get(k) for k in PAYLOAD_FIELDS}

    def judge(reader: Any) -> dict[str, Any]:
        end_s = reader.data_through_s()
        subjects = SubjectContext(registry)
        ctx = ClaimContext(subjects, None if tz is None else str(tz), now_s, end_s)
        try:
            claim = build_claim(fields, registry, ctx)
        except ClaimParseError as exc:
            reader_tz = str(tz) if tz else ("Europe/Oslo" if lang != "en" else "UTC")
            msg = explain(exc, lang, registry, example_time_s=now_s or end_s, tz=reader_tz)
            raise BadRequest(msg, 422) from None
        positions = None
        if claim.subject_kind != "fleet":
            positions = reader.aircraft_now(claim.at_s, STORE_WINDOW_S)
        members = member_hexes(claim, registry, positions)
        evidence = evidence_from_store(reader, members, claim.at_s, claim.since_s, subjects)
        reader_tz = str(tz) if tz else (claim.zone or "UTC")
        result: dict[str, Any] = verify(claim, evidence, lang, reader_tz).to_json()
        return result

    try:
        verdict = await asyncio.wait_for(st.db(judge), VERIFY_TIMEOUT_S)
    except TimeoutError:
        raise BadRequest(
            f"the claim took longer than {VERIFY_TIMEOUT_S:.0f} s to judge", 504
        ) from None
    except (OverflowError, ValueError) as exc:  # e.g. a time in year 1 that no date can hold
        if isinstance(exc, BadRequest):
            raise
        raise BadRequest(f"cannot judge this claim: {exc}", 422) from None
    return _json(verdict)


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
    t0 = parse_time_param("from", q.get("from"), -math.inf)
    t1 = parse_time_param("to", q.get("to"), math.inf)
    assert t0 is not None and t1 is not None

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

    batch, events, thin = await _st(request).db(load)
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


# -- stream, docs, static -------------------------------------------------------------------
async def api_stream(request: Request) -> Response:
    st = _st(request)
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

    st = _st(request)
    status = st.hub.status() if st.hub is not None else {}
    return Response(prometheus_text(status), media_type=CONTENT_TYPE)


async def api_terms(request: Request) -> Response:
    """The verdict words in en/nb/nn (verify.terms: one list for the CLI and the map)."""
    from flyvakt.verify.terms import verdict_terms_json

    return _json(verdict_terms_json())


async def api_openapi(request: Request) -> Response:
    return _json(openapi_document())


async def outlines(request: Request) -> Response:
    body = await run_in_threadpool(_st(request).outlines)
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


# -- errors ---------------------------------------------------------------------------------
async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    return _json({"error": str(exc)}, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: f"no such route: {request.url.path}", 405: "method not allowed"}
    return _json({"error": messages.get(exc.status_code, str(exc.detail))}, exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    return _json({"error": f"internal error ({type(exc).__name__}); see the server log"}, 500)


ROUTES = [
    Route("/", index, methods=["GET"]),
    Route("/data/aircraft.json", aircraft_json, methods=["GET"]),
    Route("/data/receiver.json", receiver_json_route, methods=["GET"]),
    Route("/geo/countries.geojson", outlines, methods=["GET"]),
    Route("/geo/airports.geojson", airports, methods=["GET"]),
    Route("/geo/runways.geojson", runways, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
    Route("/favicon.ico", favicon, methods=["GET"]),
    Route("/api/status", api_status, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/api/aircraft", api_aircraft, methods=["GET"]),
    Route("/api/aircraft/{icao24}/track", api_track, methods=["GET"]),
    Route("/api/events", api_events, methods=["GET"]),
    Route("/api/flights", api_flights, methods=["GET"]),
    Route("/api/fleets", api_fleets, methods=["GET"]),
    Route("/api/fleets/{fleet_id}", api_put_fleet, methods=["PUT"]),
    Route("/api/verify", api_verify, methods=["POST"]),
    Route("/api/stream", api_stream, methods=["GET"]),
    Route("/api/export", api_export, methods=["GET"]),
    Route("/api/openapi.json", api_openapi, methods=["GET"]),
    Route("/api/terms", api_terms, methods=["GET"]),
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
    app.state.flyvakt = _State(str(db_path), hub, fleets_path, token, receiver)
    return app
