"""``flyvakt verify``: judge a claim against recordings (replayed) or the store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from flyvakt.cli._args import time_zone

_PLACE_OPTIONS = (
    ("--landed-in", "COUNTRY", "landed in a country (or a city: any of its airports)"),
    ("--landed-at", "PLACE", "landed at an airport (ICAO, IATA, name) or a city"),
    ("--departed-from", "PLACE", "took off from an airport, city or country"),
    ("--on-ground-at", "PLACE", "was on the ground at an airport, city or country at the time"),
    ("--in-airspace-of", "COUNTRY", "was in a country's airspace (land + 12 NM) at the time"),
    ("--entered-airspace-of", "COUNTRY", "entered a country's airspace in the window"),
    ("--avoided-airspace-of", "COUNTRY", "stayed out of a country's airspace for the whole "
     "window, counting what coverage gaps could hide"),
    ("--flew-over", "COUNTRY", "was airborne in a country's airspace in the window"),
)  # fmt: skip


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        help="verify a claim: supported, contradicted or unverifiable",
        description=(
            "Judge a claim such as 'fleet X had landed in country Y by time T' against "
            "replayed recordings (INPUT...) or a store (--db). No data is never contradicted: "
            "a coverage gap makes the claim unverifiable, with the gap stated. The claim is "
            "free text (--claim, en/nb/nn) or options; a claim without a time is judged at the "
            "end of the data, and the verdict says so."
        ),
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="recordings to replay")
    p.add_argument("--db", metavar="FILE", help="read evidence from this store instead")
    p.add_argument("--fleets", metavar="FILE", help="fleets file (default: bundled example)")
    p.add_argument(
        "--registry",
        metavar="FILE",
        help="aircraft registry for registrations: dump1090/readsb aircraft.csv "
        "(icao24,r,t,...; .gz/.xz) or a plane-alert-db CSV",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument("--fleet", help="fleet id, name or alias")
    who.add_argument(
        "--icao24",
        metavar="AIRCRAFT",
        help="aircraft: hex address, registration, ICAO callsign or IATA flight number "
        "(MS804); also what 'the aircraft'/'flyet' in --claim means",
    )
    what = p.add_mutually_exclusive_group()
    for flag, metavar, text in _PLACE_OPTIONS:
        what.add_argument(flag, metavar=metavar, help=text)
    what.add_argument("--airborne", action="store_true", help="was airborne at the time")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--last",
        action="store_true",
        help="the fleet's last aircraft to land or take off did it (with --fleet and "
        "--landed-in/--landed-at/--departed-from; as 'the last plane of' in --claim)",
    )
    which.add_argument("--first", action="store_true", help="the fleet's first aircraft did it")
    p.add_argument("--claim", help='free text, e.g. "Putin har landa i Nord-Korea" (en/nb/nn)')
    p.add_argument(
        "--at",
        help="the time the claim is judged at (ISO 8601 or e.g. '18. juni 2024 kl. 20.00 "
        "norsk tid'); wins over a time in --claim; default: the claim's own time, else the end "
        "of the data",
    )
    p.add_argument(
        "--around",
        metavar="TIME",
        help="the event happened within 15 minutes of TIME (ISO 8601 or e.g. 'half past two "
        "UTC on 19 June 2024': a 12-hour clock without am/pm is judged both ways); --at wins",
    )
    p.add_argument("--since", help="start of the claim's window (e.g. for --avoided-airspace-of)")
    p.add_argument("--until", help="end of the claim's window (same as --at)")
    p.add_argument("--lang", default="en", choices=("en", "nb", "nn"))
    p.add_argument(
        "--tz",
        default=None,
        type=time_zone,
        help="reader's time zone (e.g. Europe/Oslo); default: the zone the claim's time was "
        "written in, else UTC; also the zone of times written without one",
    )
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.add_argument(
        "--publish",
        metavar="KAFKA_URL",
        help="also publish the verdict (JSON) to the verdicts topic of "
        "kafka://host:port[/topic-prefix] (see docs/scale.md)",
    )
    p.set_defaults(func=run_verify)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from flyvakt.verify.structured import fields_from_options

    opts = {k: v for k, v in vars(args).items() if k != "func"}
    return fields_from_options(opts)


def _fail(exc: Exception, args: argparse.Namespace, registry: Any, end_s: float | None) -> int:
    from flyvakt.verify import ClaimParseError
    from flyvakt.verify.messages import explain

    if isinstance(exc, ClaimParseError):
        from flyvakt.verify.timeparse import TimeParseError, parse_instant

        tz = args.tz or ("Europe/Oslo" if args.lang != "en" else "UTC")
        example = end_s
        try:
            if args.until or args.at:
                example = parse_instant(args.until or args.at, args.tz)
        except TimeParseError:
            pass
        text = explain(exc, args.lang, registry, example_time_s=example, tz=tz)
    else:
        text = str(exc)
    print(f"flyvakt verify: {text}", file=sys.stderr)
    return 2


def run_verify(args: argparse.Namespace) -> int:
    from flyvakt.fleets import example_fleets_path, load_fleets
    from flyvakt.verify import ClaimParseError, member_hexes, verify
    from flyvakt.verify.claims import ClaimContext
    from flyvakt.verify.evidence import (
        airports_used_by,
        callsigns_in,
        evidence_from_replay,
        evidence_from_store,
        store_members,
    )
    from flyvakt.verify.structured import build_claim
    from flyvakt.verify.subjects import AircraftRegistry, SubjectContext

    registry = load_fleets(args.fleets or str(example_fleets_path()))
    aircraft = None
    if args.registry:
        try:
            aircraft = AircraftRegistry.load(args.registry)
        except (OSError, ValueError) as exc:
            print(f"flyvakt verify: --registry {exc}", file=sys.stderr)
            return 2
    fields = _options(args)
    if not fields.get("claim") and not fields.get("predicate"):
        print("flyvakt verify: give --claim or a predicate option (--landed-in …)", file=sys.stderr)
        return 2
    # Read the claim once before the (slower) replay, so a bad claim fails fast.
    probe = ClaimContext(SubjectContext(registry, aircraft), args.tz, None, 0.0)
    try:
        build_claim(fields, registry, probe)
    except (ClaimParseError, ValueError) as exc:
        if not (isinstance(exc, ClaimParseError) and exc.key == "ambiguous_place"):
            return _fail(exc, args, registry, None)
    if args.db:
        from flyvakt.store import StoreReader

        with StoreReader(args.db) as reader:
            end_s = reader.data_through_s()
            subjects = SubjectContext(registry, aircraft)
            ctx = ClaimContext(subjects, args.tz, None, end_s)
            try:
                claim = build_claim(fields, registry, ctx)
            except (ClaimParseError, ValueError) as exc:
                return _fail(exc, args, registry, end_s)
            members = store_members(claim, registry, reader)
            evidence = evidence_from_store(reader, members, claim.at_s, claim.since_s, subjects)
    else:
        from flyvakt.runtime.replay import replay_files
        from flyvakt.sample import bundled_sample

        result = replay_files(args.inputs or [bundled_sample()], fleets_path=args.fleets)
        pos = result.positions
        end_s = float(pos.time_s.max()) if len(pos) else None
        seen = callsigns_in(pos)
        subjects = SubjectContext(registry, aircraft, None, seen.__contains__)
        events_json = [e.to_json() for e in result.events]
        ctx = ClaimContext(
            subjects, args.tz, None, end_s, airports_used_by(registry, events_json, pos)
        )
        try:
            claim = build_claim(fields, registry, ctx)
        except (ClaimParseError, ValueError) as exc:
            return _fail(exc, args, registry, end_s)
        members = member_hexes(claim, registry, pos)
        evidence = evidence_from_replay(members, result.events, pos, subjects)
    tz = args.tz or claim.zone or "UTC"
    verdict = verify(claim, evidence, lang=args.lang, reader_tz=tz)
    out = verdict.to_json()
    if args.publish:
        from flyvakt.stream.kafka import KafkaError, parse_kafka_url, publish_verdict

        try:
            publish_verdict(parse_kafka_url(args.publish), out)
        except KafkaError as exc:
            print(f"flyvakt verify: --publish: {exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    _print_text(out)
    return 0


def _print_text(out: dict[str, Any]) -> None:
    print(out["summary"])
    for sentence in out["evidence"].get("sentences", []):
        print(f"  {sentence}")
    print(f"  rule: {out['rule']}; data through {out['data_through'] or '-'}")
    absent = set(out["evidence"].get("members_not_in_data") or [])
    if absent:
        print(f"  not in the data within 24 h (not counted): {', '.join(sorted(absent))}")
    for m in out["evidence"]["members"]:
        if m["icao24"] in absent:
            continue
        name = f"{m['registration']} ({m['icao24']})" if m.get("registration") else m["icao24"]
        line = f"  {name}: {m['outcome']} ({m['rule']})"
        for key in ("last_fix_before", "first_fix_after"):
            fix = m[key]
            if fix:
                where = (fix["airport"] or {}).get("icao") or fix["country"] or "-"
                state = "ground" if fix["on_ground"] else f"{fix['altitude_baro_ft']} ft"
                line += f"; {key.replace('_', ' ')} {fix['time']} {where} {state}"
        print(line)
    for g in out["evidence"]["coverage_gaps"]:
        if g["icao24"] in absent:
            continue
        start, end = g["start"] or "(no data before)", g["end"] or "(no data after)"
        print(f"  gap {g['icao24']}: {start} → {end}")
