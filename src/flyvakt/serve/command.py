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

__all__ = ["public_host_warning", "register", "run"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def public_host_warning(command: str, host: str, token: str | None) -> str | None:
    """The warning to print when the server listens beyond this machine with no token."""
    if host in LOOPBACK_HOSTS or token:
        return None
    return (
        f"flyvakt {command}: listening on {host} without --token: anyone on the network "
        "can read the store (changes stay disabled)"
    )


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
    from flyvakt.cli._args import add_receiver_arguments

    add_receiver_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from flyvakt.cli._args import receiver_position
    from flyvakt.serve.app import create_app
    from flyvakt.store import StoreReader

    receiver = receiver_position(args, "serve")
    # Serving a missing or foreign file would show an empty map as if nothing had flown.
    with StoreReader(args.db):  # raises a one-line StoreError / FileNotFoundError
        pass
    warning = public_host_warning("serve", args.host, args.token)
    if warning:
        print(warning, file=sys.stderr)
    from flyvakt.cli._fleets_default import fleets_or_bundled
    from flyvakt.serve.http_guard import allowed_hosts_for

    app = create_app(
        args.db,
        fleets_path=fleets_or_bundled(args.fleets),
        token=args.token,
        allowed_hosts=allowed_hosts_for(args.host),
        receiver=receiver,
    )
    print(f"flyvakt serve: http://{args.host}:{args.port}/", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except OSError as exc:
        print(f"flyvakt serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0
