"""``flyvakt timeline``: the events as sentences (en/nb/nn), grouped by day."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flyvakt.cli._args import time_zone
from flyvakt.store.records import event_from_json


def register(sub: Any) -> None:
    p = sub.add_parser(
        "timeline",
        help="events as sentences, grouped by day",
        description="Print the events of recordings (INPUT...) or a store (--db) as sentences.",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="recordings to replay")
    p.add_argument("--db", metavar="FILE", help="read events from this store instead")
    p.add_argument("--fleet", help="only this fleet's members (id, name or alias)")
    p.add_argument("--fleets", metavar="FILE", help="fleets file (default: bundled example)")
    p.add_argument("--lang", default="en", choices=("en", "nb", "nn"))
    p.add_argument(
        "--tz", default="UTC", type=time_zone, help="reader's time zone (e.g. Europe/Oslo)"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="also list signal lost/regained (coverage) events, and landings withdrawn later "
        "with their withdrawal",
    )
    p.set_defaults(func=run_timeline)


QUIET_TYPES = frozenset({"signal_lost", "signal_regained"})


def run_timeline(args: argparse.Namespace) -> int:
    from flyvakt.fleets import example_fleets_path, load_fleets
    from flyvakt.i18n import timeline_text
    from flyvakt.model.events import settled

    registry = load_fleets(args.fleets or str(example_fleets_path()))
    if args.db:
        from flyvakt.store import StoreReader

        with StoreReader(args.db) as reader:
            events = [event_from_json(d) for d in reader.events(limit=1_000_000)]
    else:
        from flyvakt.runtime.replay import replay_files
        from flyvakt.sample import bundled_sample

        events = replay_files(args.inputs or [bundled_sample()], fleets_path=args.fleets).events
    if args.fleet:
        fleet_id = args.fleet if args.fleet in registry else registry.resolve(args.fleet)
        if fleet_id is None:
            print(f"flyvakt timeline: --fleet {args.fleet!r}: no such fleet", file=sys.stderr)
            return 2
        hexes = {m.icao24_hex for m in registry.members(fleet_id) if m.icao24_hex}
        events = [e for e in events if e.icao24 in hexes or fleet_id in e.fleet]
    if not args.all:
        # A bulletin reports movements; coverage comings and goings are evidence, not news.
        # A store keeps what a live feed said when: a landing withdrawn later is not news
        # either (settled: the landing and its withdrawal out; --all shows both).
        events = [e for e in settled(events) if e.type not in QUIET_TYPES]
    sys.stdout.write(
        timeline_text(events, args.lang, args.tz, fleet_names=registry.names(args.lang))
    )
    return 0
