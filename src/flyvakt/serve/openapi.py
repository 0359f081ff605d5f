"""OpenAPI 3.1 description of every route (a test checks none is missing); the main
endpoints' answers are described by the typed models of :mod:`flyvakt.serve.models`."""

from __future__ import annotations

from typing import Any

from flyvakt.serve.models import RESPONSE_MODELS, response_schemas

__all__ = ["openapi_document"]

_TIME = "ISO 8601 (Z or offset; no zone = UTC) or epoch seconds"


def _q(name: str, desc: str, required: bool = False, schema: str = "string") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": desc,
        "schema": {"type": schema},
    }


def _p(name: str, desc: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": desc,
        "schema": {"type": "string"},
    }


def _ok(desc: str, media: str = "application/json") -> dict[str, Any]:
    return {
        "200": {"description": desc, "content": {media: {"schema": {"type": "object"}}}},
        "400": {"$ref": "#/components/responses/Error"},
    }


def _get(
    summary: str, params: list[dict[str, Any]], desc: str, media: str = "application/json"
) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params, "responses": _ok(desc, media)}}


_ICAO_P = _p("icao24", "24-bit ICAO address, 6 hex digits")


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/": _get("The web map (HTML)", [], "index.html", "text/html"),
        "/data/aircraft.json": _get(
            "readsb/tar1090-compatible aircraft list",
            [_q("at", f"show the fixes at this time instead of now ({_TIME})")],
            '{"now": epoch_s, "messages": n, "aircraft": [...]} with readsb field names '
            "and units (ft, kt, deg, ft/min, s)",
        ),
        "/data/receiver.json": _get(
            "readsb/tar1090-compatible receiver metadata",
            [],
            '{"version": "flyvakt ...", "refresh": ms, "history": 0}',
        ),
        "/geo/countries.geojson": _get(
            "Country outlines (offline basemap)",
            [],
            "GeoJSON FeatureCollection",
            "application/geo+json",
        ),
        "/geo/airports.geojson": _get(
            "Large and medium airports and time-zone cities (offline map layers)",
            [],
            "GeoJSON FeatureCollection (icao, iata, name, type, runway_ft) plus 'places'",
            "application/geo+json",
        ),
        "/geo/runways.geojson": _get(
            "Runway centre lines in a box (OurAirports, public domain; the map asks from zoom 12)",
            [_q("bbox", "west,south,east,north in degrees", required=True)],
            "GeoJSON FeatureCollection of LineStrings (airport, le, he, width_ft, length_ft, "
            "surface), at most 2000",
            "application/geo+json",
        ),
        "/api/terms": _get(
            "The verdict words (observed-supported, inferred-supported, contradicted, "
            "unverifiable) and their meaning in en, nb and nn",
            [],
            '{"terms": {lang: {key: word}}, "help": {lang: {key: text}}}',
        ),
        "/docs": _get("This API's documentation (Swagger UI, offline)", [], "HTML", "text/html"),
        "/favicon.ico": _get("The icon of the map", [], "SVG image", "image/svg+xml"),
        "/api/status": _get(
            "Server and data status",
            [],
            "live flag, hub status, data range, fleets file (fleets_default: the bundled "
            "example), data_label (e.g. a reconstruction notice), receivers (lat/lon of the "
            "receivers with a configured position: range rings)",
        ),
        "/metrics": _get(
            "The live engine's counters in Prometheus text format (frames, positions, events, "
            "drops and what was dropped at the edge per reason, per-source state and skips)",
            [],
            "Prometheus text format 0.0.4",
            "text/plain",
        ),
        "/api/aircraft": _get(
            "Aircraft now (live hub) or at a stored time",
            [
                _q("at", f"time to show ({_TIME}); default now"),
                _q(
                    "ghost",
                    "also aircraft last heard up to this many seconds before (max 21600); "
                    "their seen_pos says how long ago",
                    schema="number",
                ),
            ],
            "aircraft.json-style rows plus fleet, source and registration",
        ),
        "/api/aircraft/{icao24}/track": _get(
            "Stored track of one aircraft",
            [_ICAO_P, _q("from", _TIME), _q("to", _TIME)],
            "points as segments split at coverage gaps > 60 s, and the gaps",
        ),
        "/api/plot/{icao24}.png": _get(
            "Altitude and ground-speed profile of one aircraft, events marked (PNG)",
            [_ICAO_P, _q("from", _TIME), _q("to", _TIME)],
            "the image; 404 without positions, 501 without matplotlib (flyvakt[plots])",
            "image/png",
        ),
        "/api/events": _get(
            "Stored events",
            [
                _q("fleet", "fleet id"),
                _q("type", "event type(s), comma-separated (takeoff, landing, ...)"),
                _q("since", _TIME),
                _q("until", _TIME),
                _q("icao24", "6 hex digits"),
                _q("country", "ISO 3166 alpha-2"),
                _q("airport", "ICAO airport code"),
                _q("limit", "at most this many (1..5000, default 1000)", schema="integer"),
                _q("lang", "en, nb or nn: each airport also gets its place name in it (place)"),
            ],
            '{"events": [Event record, ...]} in time order',
        ),
        "/api/flights": _get(
            "Stored flights",
            [
                _q("icao24", "6 hex digits"),
                _q("since", _TIME),
                _q("until", _TIME),
                _q("limit", "1..5000", schema="integer"),
            ],
            '{"flights": [...]}',
        ),
        "/api/fleets": _get(
            "Fleets from the fleets file", [_q("lang", "en, nb or nn")], '{"fleets": [...]}'
        ),
        "/api/fleets/{fleet_id}": {
            "put": {
                "summary": "Add or replace a fleet (needs the server token)",
                "security": [{"bearer": []}],
                "parameters": [_p("fleet_id", "fleet id")],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                    "description": "the fleet's TOML table as JSON: names, aliases, member[]",
                },
                "responses": {
                    **_ok("saved"),
                    "401": {"$ref": "#/components/responses/Error"},
                    "403": {"$ref": "#/components/responses/Error"},
                },
            }
        },
        "/api/verify": {
            "post": {
                "summary": "Verify a claim against stored history",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "description": "claim (free text), or the structured fields "
                                "(fleet or aircraft, predicate, place, and a time)",
                                "properties": {
                                    "claim": {"type": "string"},
                                    "lang": {"type": "string", "enum": ["en", "nb", "nn"]},
                                    "at": {"type": "string", "description": _TIME},
                                    "tz": {"type": "string", "description": "IANA zone"},
                                    "fleet": {"type": "string"},
                                    "aircraft": {"type": "string"},
                                    "predicate": {"type": "string"},
                                    "place": {"type": "string"},
                                    "until": {"type": "string", "description": _TIME},
                                    "since": {"type": "string", "description": _TIME},
                                    "around": {
                                        "type": "string",
                                        "description": "the event within 15 minutes of this "
                                        "time (ISO 8601 or a written time)",
                                    },
                                    "ordinal": {
                                        "type": "string",
                                        "enum": ["first", "last"],
                                        "description": "the fleet's first/last member to land "
                                        "or take off",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    **_ok("Verdict: verdict, summary, evidence, data_through"),
                    "422": {"$ref": "#/components/responses/Error"},
                },
            }
        },
        "/api/stream": _get(
            "Live Server-Sent Events (positions, event, status)",
            [_q("max_messages", "end after this many messages", schema="integer")],
            "text/event-stream; 503 without a live feed",
            "text/event-stream",
        ),
        "/api/export": _get(
            "Export tracks",
            [
                _q("icao24", "6 hex digits, comma-separated", required=True),
                _q("from", _TIME),
                _q("to", _TIME),
                _q("format", "geojson, kml, csv or parquet"),
            ],
            "the file (map formats split at gaps)",
            "application/octet-stream",
        ),
        "/api/openapi.json": _get("This document", [], "OpenAPI 3.1"),
    }
    refs, schemas = response_schemas()
    for path, (method, _) in RESPONSE_MODELS.items():
        ok = paths[path][method]["responses"]["200"]
        ok["content"]["application/json"]["schema"] = refs[path]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "flyvakt",
            "version": "1",
            "description": "ADS-B tracking, events and claim verification. Times are UTC.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "bad request",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"error": {"type": "string"}},
                            }
                        }
                    },
                }
            },
        },
    }
