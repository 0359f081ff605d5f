"""`flyvakt fleets list | show ID | import-plane-alert FILE ... --as ID`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_FLEETS = "fleets.toml"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fleets", help="list, show and import fleets (a TOML file you edit)"
    )
    parser.add_argument(
        "--fleets",
        default=None,
        help="fleets file (default: the bundled example for list/show; ./fleets.toml for "
        "import-plane-alert, which writes it)",
    )
    sub = parser.add_subparsers(dest="fleets_command", metavar="ACTION")

    p_list = sub.add_parser("list", help="list fleets")
    p_list.add_argument("--fleets", default=argparse.SUPPRESS)
    p_list.set_defaults(func=_cmd_list)

    p_show = sub.add_parser("show", help="show one fleet and its members")
    p_show.add_argument("id")
    p_show.add_argument("--fleets", default=argparse.SUPPRESS)
    p_show.set_defaults(func=_cmd_show)

    p_imp = sub.add_parser(
        "import-plane-alert",
        help="import aircraft from a plane-alert-db CSV as a fleet",
        description=(
            "Select rows of a plane-alert-db CSV and store them as a fleet (members keyed by "
            "ICAO address and registration). Repeat a filter for alternatives (OR); different "
            "filters must all hold (AND)."
        ),
    )
    p_imp.add_argument("file", help="plane-alert-db.csv (or plane-alert-gov.csv ...)")
    p_imp.add_argument("--operator", action="append", default=[], help="substring, any case")
    p_imp.add_argument("--category", action="append", default=[], help="Category column")
    p_imp.add_argument("--tag", action="append", default=[], help="any of the three tags")
    p_imp.add_argument(
        "--type",
        action="append",
        default=[],
        dest="icao_type",
        metavar="ICAOTYPE",
        help="ICAO type designator, e.g. IL96",
    )
    p_imp.add_argument("--as", dest="fleet_id", required=True, metavar="ID", help="fleet id")
    p_imp.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="LANG=TEXT",
        help="fleet name in a language, e.g. --name 'nb=Cal Fire-flåten'",
    )
    p_imp.add_argument("--alias", action="append", default=[], help="another name")
    p_imp.add_argument("--replace", action="store_true", help="replace a fleet with that id")
    p_imp.add_argument("--fleets", default=argparse.SUPPRESS)
    p_imp.set_defaults(func=_cmd_import)

    def _help(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(func=_help)


def _load(path: str) -> Any:
    from flyvakt.fleets.registry import load_fleets

    return load_fleets(path)


def _cmd_list(args: argparse.Namespace) -> int:
    from flyvakt.cli._fleets_default import fleets_or_bundled
    from flyvakt.fleets.registry import FleetFileError

    args.fleets = fleets_or_bundled(args.fleets)
    try:
        reg = _load(args.fleets)
    except FleetFileError as exc:
        print(f"flyvakt fleets: {exc}", file=sys.stderr)
        return 1
    if not len(reg):
        from flyvakt.fleets.registry import example_fleets_path

        print(
            f"no fleets in {args.fleets} (an example to copy: {example_fleets_path()})",
            file=sys.stderr,
        )
        return 0
    for fleet in reg.fleets.values():
        print(f"{fleet.id}\t{len(fleet.members)} members\t{fleet.name('en')}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from flyvakt.cli._fleets_default import fleets_or_bundled
    from flyvakt.fleets.registry import FleetFileError

    args.fleets = fleets_or_bundled(args.fleets)
    try:
        reg = _load(args.fleets)
    except FleetFileError as exc:
        print(f"flyvakt fleets: {exc}", file=sys.stderr)
        return 1
    fleet = reg.get(args.id)
    if fleet is None:
        print(f"flyvakt fleets: no fleet {args.id!r} in {args.fleets}", file=sys.stderr)
        return 1
    print(f"id: {fleet.id}")
    for lang, name in sorted(fleet.names.items()):
        print(f"name[{lang}]: {name}")
    if fleet.aliases:
        print("aliases: " + "; ".join(fleet.aliases))
    if fleet.attribution:
        print(f"attribution: {fleet.attribution}")
    print(f"members ({len(fleet.members)}):")
    for m in fleet.members:
        dates = ""
        if m.valid_from or m.valid_to:
            dates = f"  {m.valid_from or ''}..{m.valid_to or ''}"
        print(
            f"  {(m.icao24_hex or '-'):6}  {(m.registration or '-'):10}  {(m.type or '-'):5}"
            f"{dates}  {m.source}"
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from flyvakt.fleets.plane_alert import (
        PlaneAlertError,
        PlaneAlertFilter,
        fleet_from_plane_alert,
    )
    from flyvakt.fleets.registry import FleetFileError, FleetRegistry, save_fleets

    args.fleets = args.fleets or DEFAULT_FLEETS  # import writes a file: never the bundled one
    flt = PlaneAlertFilter(
        operators=args.operator,
        categories=args.category,
        tags=args.tag,
        icao_types=args.icao_type,
    )
    if flt.empty():
        print(
            "flyvakt fleets: give at least one of --operator/--category/--tag/--type",
            file=sys.stderr,
        )
        return 2
    names: dict[str, str] = {}
    for item in args.name:
        lang, sep, text = item.partition("=")
        if not sep or not lang or not text:
            print(f"flyvakt fleets: --name wants LANG=TEXT, got {item!r}", file=sys.stderr)
            return 2
        names[lang] = text
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"flyvakt fleets: {path}: {exc}", file=sys.stderr)
        return 1
    today = datetime.now(UTC).date().isoformat()
    commit_file = path.parent / "COMMIT"  # tests/data keeps the upstream commit beside it
    commit = ""
    if commit_file.is_file():
        commit = f" commit {commit_file.read_text(encoding='utf-8').strip()[:12]}"
    source = f"plane-alert-db{commit} {path.name}, imported {today}"
    try:
        fleet, result = fleet_from_plane_alert(
            args.fleet_id, text, flt, source, names, args.alias, origin=str(path)
        )
        reg = _load(args.fleets)
    except (PlaneAlertError, FleetFileError) as exc:
        print(f"flyvakt fleets: {exc}", file=sys.stderr)
        return 1
    if not fleet.members:
        print(f"flyvakt fleets: no rows of {path} match these filters", file=sys.stderr)
        return 1
    if args.fleet_id in reg and not args.replace:
        print(
            f"flyvakt fleets: fleet {args.fleet_id!r} exists in {args.fleets} (use --replace)",
            file=sys.stderr,
        )
        return 1
    fleets = [f for f in reg.fleets.values() if f.id != args.fleet_id] + [fleet]
    save_fleets(FleetRegistry(fleets), args.fleets)
    skipped = ", ".join(f"{k}={v}" for k, v in sorted(result.skipped.items())) or "none"
    print(
        f"{args.fleet_id}: {len(fleet.members)} members from {result.rows_read} rows "
        f"(skipped: {skipped}) -> {args.fleets}"
    )
    return 0
