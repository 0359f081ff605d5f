"""``flyvakt export``: stored tracks (and events) as GeoJSON, KML, CSV or Parquet.

Reads the store read-only, so it works while ``flyvakt run`` is writing.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime
from typing import Any

from flyvakt.cli._args import icao24_hex


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="export stored tracks as GeoJSON, KML, CSV or Parquet",
        description="Export stored tracks. Map formats split tracks at coverage gaps "
        "(a gap is not a path) and add event points.",
    )
    p.add_argument("--db", required=True, metavar="FILE", help="store file (SQLite)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--icao24", nargs="+", metavar="HEX", type=icao24_hex, help="aircraft addresses (hex)"
    )
    who.add_argument("--fleet", metavar="ID", help="a fleet id or name from --fleets")
    p.add_argument("--fleets", metavar="FILE", help="fleets TOML file (needed with --fleet)")
    p.add_argument("--from", dest="from_time", metavar="ISO", help="start time (UTC if no zone)")
    p.add_argument("--to", dest="to_time", metavar="ISO", help="end time (UTC if no zone)")
    p.add_argument("--format", required=True, choices=("geojson", "kml", "csv", "parquet"))
    p.add_argument("--out", metavar="FILE", help="output file (default: stdout)")
    p.add_argument(
        "--gap-s",
        type=float,
        default=60.0,
        help="split tracks where fixes are more than this many seconds apart (default 60)",
    )
    p.set_defaults(func=run)


def parse_time(text: str | None, default: float) -> float:
    """ISO 8601 date or date-time (``Z`` or offset; naive means UTC) to epoch seconds."""
    if text is None:
        return default
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def fleet_icao24s(fleets_path: str, fleet: str, from_s: float, to_s: float) -> list[int]:
    """Addresses of a fleet's members whose membership overlaps [from_s, to_s]."""
    from flyvakt.fleets import load_fleets

    registry = load_fleets(fleets_path)
    fleet_id = fleet if fleet in registry else registry.resolve(fleet)
    if fleet_id is None:
        raise ValueError(f"{fleets_path}: no fleet named {fleet!r}")
    members = registry.members(fleet_id)
    addresses = sorted(
        {
            m.icao24
            for m in members
            if m.icao24 is not None and m.from_s <= to_s and m.to_s >= from_s
        }
    )
    missing = [m.label() for m in members if m.icao24 is None]
    if missing:
        print(
            f"flyvakt export: {len(missing)} member(s) of {fleet_id} have no ICAO address and "
            f"are left out: {', '.join(missing[:5])}",
            file=sys.stderr,
        )
    return addresses


def run(args: argparse.Namespace) -> int:
    from flyvakt.store.export import thinning, write_export
    from flyvakt.store.reader import StoreReader, parse_icao24

    try:
        from_s = parse_time(args.from_time, -math.inf)
        to_s = parse_time(args.to_time, math.inf)
        if args.fleet is not None:
            if not args.fleets:
                raise ValueError("--fleet needs --fleets FILE (the fleets TOML file)")
            icaos = fleet_icao24s(args.fleets, args.fleet, from_s, to_s)
            fleet_id: str | None = args.fleet
        else:
            icaos = [parse_icao24(h) for h in args.icao24]
            fleet_id = None
        with StoreReader(args.db) as reader:
            batch = reader.tracks(icaos, from_s, to_s)
            events: list[dict[str, Any]] = []
            since = None if math.isinf(from_s) else from_s
            until = None if math.isinf(to_s) else to_s
            for icao in icaos:
                events += reader.events(icao24=icao, since_s=since, until_s=until, limit=100_000)
            events.sort(key=lambda e: str(e.get("time")))
            thin = thinning(reader, icaos, from_s, to_s)
        write_export(args.format, batch, events, args.out, args.gap_s, thin)
    except (ValueError, OSError) as exc:
        print(f"flyvakt export: {exc}", file=sys.stderr)
        return 2
    what = f"fleet {fleet_id}" if fleet_id else f"{len(icaos)} aircraft"
    print(
        f"flyvakt export: {len(batch)} track points, {len(events)} events of {what}"
        + (f" -> {args.out}" if args.out else "")
        + f"; {thin.describe()}",
        file=sys.stderr,
    )
    return 0
