"""``flyvakt events``: the stored event timeline, as a readable table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from flyvakt.cli._args import icao24_hex, time_zone


def register(sub: Any) -> None:
    p = sub.add_parser(
        "events",
        help="list stored events (a timeline with local and UTC times, or JSON)",
        description=(
            "List events from a flyvakt store (written by `flyvakt replay --db` or `flyvakt run`). "
            "Times are shown in UTC, in the local time at the place, and in --tz if given."
        ),
    )
    p.add_argument("--db", default="flyvakt.db", help="store file (default: flyvakt.db)")
    p.add_argument(
        "--icao24", action="append", type=icao24_hex, help="only this aircraft (hex); repeatable"
    )
    p.add_argument("--type", dest="types", action="append", help="only this event type; repeatable")
    p.add_argument("--fleet", help="only events tagged with this fleet id")
    p.add_argument("--country", help="only events in this country (ISO 3166 alpha-2)")
    p.add_argument("--since", help="from this time (ISO 8601, with zone; or epoch seconds)")
    p.add_argument("--until", help="until this time (ISO 8601, with zone; or epoch seconds)")
    p.add_argument(
        "--limit", type=int, default=1000, help="at most this many events (default 1000)"
    )
    p.add_argument("--tz", type=time_zone, help="also show times in this zone (e.g. Europe/Oslo)")
    p.add_argument("--json", action="store_true", help="one JSON event per line")
    p.set_defaults(func=run_events)


def parse_time(text: str | None, what: str) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"flyvakt events: {what} {text!r}: not an ISO 8601 time") from None
    if dt.tzinfo is None:
        raise SystemExit(f"flyvakt events: {what} {text!r}: give a time zone (e.g. Z or +02:00)")
    return dt.timestamp()


def run_events(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flyvakt.cli._format import event_row
    from flyvakt.store import StoreReader
    from flyvakt.store.records import event_from_json

    if not Path(args.db).exists():
        print(f"flyvakt events: {args.db}: no such store (make one with flyvakt replay --db)",
              file=sys.stderr)  # fmt: skip
        return 2
    since = parse_time(args.since, "--since")
    until = parse_time(args.until, "--until")
    reader = StoreReader(args.db)
    rows: list[dict[str, Any]] = []
    for hex24 in args.icao24 or [None]:
        rows += reader.events(
            icao24=hex24, types=args.types, since_s=since, until_s=until, fleet=args.fleet,
            country=args.country, limit=args.limit,
        )  # fmt: skip
    rows.sort(key=lambda d: str(d["time"]))
    if args.json:
        for d in rows:
            print(json.dumps(d, ensure_ascii=False))
        return 0
    if not rows:
        print("no events match", file=sys.stderr)
        return 0
    for d in rows:
        print(event_row(event_from_json(d), args.tz))
    return 0
