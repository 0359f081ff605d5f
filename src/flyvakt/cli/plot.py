"""``flyvakt plot``: altitude and ground speed of one aircraft against time, events marked.

From recordings (decoded, tracked and detected as ``flyvakt replay`` does) or from a store
(``--db``). Needs the ``plots`` extra (matplotlib).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flyvakt.cli._args import icao24_hex, utc_time_text


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="plot an aircraft's altitude and speed against time (PNG, events marked)",
        description=(
            "Plot one aircraft's barometric/GNSS altitude and ground speed against time (UTC), "
            "with its events (takeoff, landing...) marked, as a PNG. Lines break at gaps "
            "longer than 60 s. Needs matplotlib: pip install 'flyvakt[plots]'."
        ),
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="recordings (any replay format)")
    p.add_argument("--db", metavar="FILE", help="read the store instead of recordings")
    p.add_argument("--icao24", required=True, type=icao24_hex, help="the aircraft (hex)")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="the PNG to write")
    p.add_argument("--format", dest="fmt", help="override format detection, as in replay")
    p.add_argument(
        "--start-time",
        type=utc_time_text,
        help="UTC start (ISO 8601) for Beast/AVR files without absolute timestamps",
    )
    p.set_defaults(func=run_plot)


def run_plot(args: argparse.Namespace) -> int:
    from flyvakt.model.batches import parse_icao_hex
    from flyvakt.plot import event_marks, profile_png

    if bool(args.db) == bool(args.inputs):
        print("flyvakt plot: give recordings or --db (one of the two)", file=sys.stderr)
        return 2
    address = parse_icao_hex(args.icao24)
    if args.db:
        from flyvakt.store import StoreReader

        with StoreReader(args.db) as reader:
            batch = reader.track(address)
            marks = event_marks(reader.events(icao24=address, limit=5000))
    else:
        import flyvakt

        res = flyvakt.replay(args.inputs, args.fmt, args.start_time)
        b = res.positions.batch
        batch = b.take(b.icao24 == address)
        marks = event_marks([e for e in res.events if e.icao24 == args.icao24])
    if len(batch) == 0:
        print(f"flyvakt plot: no positions of {args.icao24} in the input", file=sys.stderr)
        return 1
    callsigns = sorted({c for c in batch.callsign.tolist() if c})
    title = " ".join([args.icao24, *callsigns])
    try:
        png = profile_png(batch, marks, title)
    except ImportError as exc:
        print(f"flyvakt plot: {exc}", file=sys.stderr)
        return 2
    with open(args.out, "wb") as f:
        f.write(png)
    print(f"wrote {args.out}: {len(batch)} positions, {len(marks)} events", file=sys.stderr)
    return 0
