"""``flyvakt serve``: the map and API over an existing store, without ingesting anything.

Use it to browse a store filled by ``flyvakt replay``/``flyvakt run`` (read-only: safe while
``flyvakt run`` writes the same file). Binds to 127.0.0.1 unless told otherwise.

Wire it into the CLI with ``src/flyvakt/cli/serve.py``::

    from flyvakt.serve.command import register, run

    __all__ = ["register", "run"]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the web map and HTTP API over a store (no ingest)",
        description="Serve the offline web map, the JSON API and tar1090-compatible "
        "data/aircraft.json over a store, read-only.",
    )
    p.add_argument("--db", required=True, metavar="FILE", help="store file (SQLite)")
    p.add_argument(
        "--fleets",
        metavar="FILE",
        help="fleets TOML file for colours, filters and claims (default: the bundled example)",
    )
    p.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="HTTP port (default 8090)")
    p.add_argument(
        "--token",
        help="API token that allows changes (PUT /api/fleets/{id}); without it they are off",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from flyvakt.serve.app import create_app

    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.token:
        print(
            f"flyvakt serve: listening on {args.host} without --token: anyone on the network "
            "can read the store (changes stay disabled)",
            file=sys.stderr,
        )
    from flyvakt.cli._fleets_default import fleets_or_bundled

    app = create_app(args.db, fleets_path=fleets_or_bundled(args.fleets), token=args.token)
    print(f"flyvakt serve: http://{args.host}:{args.port}/", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except OSError as exc:
        print(f"flyvakt serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0
