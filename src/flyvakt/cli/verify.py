"""``flyvakt verify``: judge a claim against recordings (replayed) or the store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from flyvakt.cli._args import time_zone


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        help="verify a claim: supported, contradicted or unverifiable",
        description=(
            "Judge a claim such as 'fleet X had landed in country Y by time T' against "
            "replayed recordings (INPUT...) or a store (--db). No data is never contradicted: "
            "a coverage gap makes the claim unverifiable, with the gap stated."
        ),
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="recordings to replay")
    p.add_argument("--db", metavar="FILE", help="read evidence from this store instead")
    p.add_argument("--fleets", metavar="FILE", help="fleets file (default: bundled example)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--fleet", help="fleet id, name or alias")
    who.add_argument("--icao24", help="aircraft address (hex) or callsign")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--landed-in", metavar="COUNTRY")
    what.add_argument("--landed-at", metavar="ICAO")
    what.add_argument("--in-airspace-of", metavar="COUNTRY")
    p.add_argument("--claim", help='free text, e.g. "Putin har landa i Nord-Korea" (en/nb/nn)')
    p.add_argument("--at", required=True, help="the time the claim is judged at (ISO 8601)")
    p.add_argument("--lang", default="en", choices=("en", "nb", "nn"))
    p.add_argument(
        "--tz", default="UTC", type=time_zone, help="reader's time zone (e.g. Europe/Oslo)"
    )
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(func=run_verify)


def _structured(args: argparse.Namespace, registry: Any, at_s: float) -> Any:
    from flyvakt.geo import resolve_country
    from flyvakt.verify import Claim
    from flyvakt.verify.claims import resolve_subject

    if args.fleet:
        fleet_id = args.fleet if args.fleet in registry else registry.resolve(args.fleet)
        if fleet_id is None:
            raise ValueError(f"--fleet {args.fleet!r}: no such fleet")
        subject: tuple[str, str] = ("fleet", fleet_id)
    elif args.icao24:
        found = resolve_subject(args.icao24, registry)
        if found is None or found[0] != "aircraft":
            raise ValueError(f"--icao24 {args.icao24!r}: not a hex address or callsign")
        subject = found
    else:
        raise ValueError("give --fleet or --icao24 (or --claim)")
    if args.landed_at:
        return Claim(subject[0], subject[1], "landed_at", args.landed_at.upper(), at_s)  # type: ignore[arg-type]
    for pred, text in (("landed_in", args.landed_in), ("in_airspace_of", args.in_airspace_of)):
        if text:
            code = resolve_country(text)
            if code is None:
                raise ValueError(f"unknown country {text!r}")
            return Claim(subject[0], subject[1], pred, code, at_s)  # type: ignore[arg-type]
    raise ValueError("give --landed-in, --landed-at or --in-airspace-of (or --claim)")


def run_verify(args: argparse.Namespace) -> int:
    from flyvakt.fleets import example_fleets_path, load_fleets
    from flyvakt.verify import (
        ClaimParseError,
        evidence_from_replay,
        evidence_from_store,
        member_hexes,
        parse_claim,
        parse_time,
        verify,
    )

    try:
        at_s = parse_time(args.at)
    except ValueError as exc:
        print(f"flyvakt verify: --at {exc}", file=sys.stderr)
        return 2
    registry = load_fleets(args.fleets or str(example_fleets_path()))
    try:
        claim = (
            parse_claim(args.claim, registry, at_s)
            if args.claim
            else _structured(args, registry, at_s)
        )
    except (ClaimParseError, ValueError) as exc:
        print(f"flyvakt verify: {exc}", file=sys.stderr)
        return 2
    if args.db:
        from flyvakt.store import StoreReader

        with StoreReader(args.db) as reader:
            members = member_hexes(claim, registry)
            evidence = evidence_from_store(reader, members, at_s)
    else:
        from flyvakt.cli.replay import bundled_sample
        from flyvakt.runtime.replay import replay_files

        result = replay_files(args.inputs or [bundled_sample()], fleets_path=args.fleets)
        members = member_hexes(claim, registry, result.positions)
        evidence = evidence_from_replay(members, result.events, result.positions)
    verdict = verify(claim, evidence, lang=args.lang, reader_tz=args.tz)
    out = verdict.to_json()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(out["summary"])
    print(f"  rule: {out['rule']}; data through {out['data_through'] or '-'}")
    absent = set(out["evidence"].get("members_not_in_data") or [])
    if absent:
        print(f"  not in the data within 24 h (not counted): {', '.join(sorted(absent))}")
    for m in out["evidence"]["members"]:
        if m["icao24"] in absent:
            continue
        line = f"  {m['icao24']}: {m['outcome']} ({m['rule']})"
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
    return 0
