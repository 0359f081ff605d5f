"""``flyvakt run [SOURCE...]``: the live service — feeds in, map and alerts out.

With no SOURCE it replays the bundled real recording (AFR34ZG, Paris CDG → Toulouse,
2024-07-06) at 60× so a new user sees an aircraft move on the map at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import signal
import socket
import sys
import time
from typing import Any

from flyvakt.cli._args import (
    add_receiver_arguments,
    duration_days,
    receiver_position,
    size_bytes,
)

# Why 60×: the bundled 80-minute recording plays in about 80 s, long enough to watch the
# takeoff and landing on the map, short enough for a first try.
DEMO_SPEED = 60.0
# Why 30 days: a month of tracks answers "where was it last week" and fits a small disk
# (a busy receiver stores ~0.5 GB of thinned fixes a day); events are never deleted.
DEFAULT_KEEP_DAYS = 30.0
# Why 20 GB: a ceiling a Raspberry Pi's SD card or a small VPS can hold; past it the oldest
# tracks go first, whatever --keep says.
DEFAULT_MAX_DB_BYTES = 20 * 2**30


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run the live service: feeds → tracker → store, map and alerts",
        description=(
            "Read live feeds (beast+tcp://host:30005, avr+tcp://, sbs+tcp://host:30003) and/or "
            "recordings, track aircraft, detect events, store everything and serve the map. "
            "With no SOURCE, replays the bundled real recording of AFR34ZG at 60x."
        ),
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="feed URLs or files")
    p.add_argument("--db", default="./flyvakt.db", help="store file (default ./flyvakt.db)")
    p.add_argument(
        "--fleets",
        metavar="FILE",
        help="fleets file (TOML); may hold [[alerts]] (default: the bundled example)",
    )
    p.add_argument("--rules", metavar="FILE", help="alert rules file (TOML, [[alerts]] tables)")
    p.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="HTTP port (default 8090)")
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        help="replay speed for files, x real time (0 = as fast as possible; "
        "default 60 for the bundled recording, 1 for your files)",
    )
    p.add_argument("--token", help="API token required by the HTTP server for writes")
    p.add_argument("--no-serve", action="store_true", help="no HTTP server")
    p.add_argument(
        "--keep",
        type=duration_days,
        default=DEFAULT_KEEP_DAYS,
        metavar="AGE",
        help=f"delete track points older than AGE of data time (e.g. 30d, 12h; 0 = never; "
        f"default {DEFAULT_KEEP_DAYS:g}d); events are kept",
    )
    p.add_argument(
        "--max-db-size",
        type=size_bytes,
        default=DEFAULT_MAX_DB_BYTES,
        metavar="SIZE",
        help="delete the oldest track points when the store uses more than SIZE "
        f"(e.g. 500M, 20G; 0 = no cap; default {DEFAULT_MAX_DB_BYTES // 2**30}G)",
    )
    p.add_argument(
        "--from",
        dest="from_url",
        metavar="KAFKA_URL",
        help="instead of SOURCEs, consume the positions and events that `flyvakt worker`s "
        "publish on kafka://host:port[/topic-prefix] (fleet events are made here); "
        "see docs/scale.md",
    )
    p.add_argument(
        "--idle-exit",
        type=float,
        metavar="SECONDS",
        help="with --from: stop after this many seconds without a message (batch jobs, tests)",
    )
    p.add_argument(
        "--feed-reader",
        choices=("process", "inline"),
        default="process",
        metavar="MODE",
        help="how TCP feeds are read: 'process' (default), a child process per feed, keeps "
        "socket reading and framing off the pipeline's CPU; 'inline' reads them in the "
        "service's own event loop (one process; single-core machines)",
    )
    p.add_argument(
        "--store-writer",
        choices=("process", "thread"),
        default="process",
        metavar="MODE",
        help="where the store (--db) is written: 'process' (default), a child process, keeps "
        "SQLite off the pipeline's CPU (restarted if it dies, nothing acknowledged lost); "
        "'thread' writes from a thread of the service (one process; single-core machines)",
    )
    p.add_argument(
        "--max-latency",
        type=_max_latency,
        default=_MAX_LATENCY_S,
        metavar="SEC",
        help="live frames that cannot reach the map and the API within SEC seconds of their "
        "arrival are shed, and counted (buffer_drops in /api/status and /metrics, 'shed' in "
        f"the status line) (default {_MAX_LATENCY_S:g}: beyond what the machine keeps up with, "
        "the map stays that fresh; a larger value sheds later, with every frame later; 0 or "
        "'off': nothing is shed for being late, every frame is stepped however late, and only "
        "a backlog of 1,000,000 frames sheds its oldest)",
    )
    add_receiver_arguments(p)
    p.set_defaults(func=run_run)


# The engine's default (runtime.budget.MAX_LATENCY_S: the 250 ms frame -> API promise), written
# here so that `flyvakt --help` does not import the engine.
_MAX_LATENCY_S = 0.25


def _max_latency(text: str) -> float:
    """--max-latency: seconds, or 0 / "off" (no latency shedding: 0.0, as the engine takes it)."""
    if text.strip().lower() == "off":
        return 0.0
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (v >= 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"seconds, or 0 / 'off' for no bound, not {text!r}")
    return v


def _retention(args: argparse.Namespace) -> Any:
    from flyvakt.store import RetentionSettings

    return RetentionSettings(track_days=args.keep, max_bytes=args.max_db_size)


def _load_rules(args: argparse.Namespace) -> list[Any]:
    from flyvakt.alerts import load_rules, parse_rules

    rules: list[Any] = []
    if args.fleets:
        import tomllib
        from pathlib import Path

        p = Path(args.fleets)
        if p.exists():
            with p.open("rb") as fh:
                try:
                    rules.extend(parse_rules(tomllib.load(fh), str(p)))
                except tomllib.TOMLDecodeError as exc:
                    raise SystemExit(f"flyvakt run: {p}: not valid TOML: {exc}") from None
    if args.rules:
        rules.extend(load_rules(args.rules))
    return rules


def _fleet_of(registry: Any) -> Any:
    def fleet_of(icao24: int, t: float) -> list[str]:
        return list(registry.match(icao24, None, t))

    return fleet_of


def _make_app(args: argparse.Namespace, hub: Any) -> Any:
    try:
        from flyvakt.serve.app import create_app  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(f"flyvakt run: no HTTP server ({exc}); running without the map", file=sys.stderr)
        return None
    from flyvakt.serve.http_guard import allowed_hosts_for

    return create_app(
        args.db,
        hub=hub,
        fleets_path=args.fleets,
        token=args.token,
        allowed_hosts=allowed_hosts_for(args.host),
        receiver=args.receiver,
    )


def run_run(args: argparse.Namespace) -> int:
    from flyvakt.alerts import AlertRuleError
    from flyvakt.cli._fleets_default import fleets_or_bundled
    from flyvakt.sources import SourceFormatError
    from flyvakt.stream.kafka import KafkaError

    args.fleets = fleets_or_bundled(args.fleets)  # one default for every command
    args.receiver = receiver_position(args, "run")  # checked before any feed is opened
    if args.from_url and args.sources:
        print("flyvakt run: give SOURCEs or --from KAFKA_URL, not both", file=sys.stderr)
        return 2
    if args.idle_exit is not None and not args.from_url:
        print("flyvakt run: --idle-exit needs --from", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_main(args))
    except (SourceFormatError, AlertRuleError, KafkaError) as exc:
        print(f"flyvakt run: {exc}", file=sys.stderr)
        return 2


async def _main(args: argparse.Namespace) -> int:
    from flyvakt.alerts import AlertManager
    from flyvakt.alerts.rules import TEXT_LANGS
    from flyvakt.runtime.engine import run_engine
    from flyvakt.runtime.hub import Hub
    from flyvakt.runtime.status import status_line

    sources = list(args.sources)
    speed = args.speed
    if args.from_url:
        from flyvakt.stream.kafka import parse_kafka_url

        kafka = parse_kafka_url(args.from_url)  # a bad URL is a one-line error before anything
    elif not sources:
        from flyvakt.sample import bundled_sample

        sources = [bundled_sample()]
        speed = DEMO_SPEED if speed is None else speed
        print("flyvakt run: no SOURCE given, replaying the bundled recording", file=sys.stderr)
    elif speed is None:
        speed = 1.0
    map_url = f"http://{args.host}:{args.port}/"
    rules = _load_rules(args)
    alerts = AlertManager(rules, map_url, state_path=f"{args.db}.alerts-sent") if rules else None

    # The fleet registry is read once here and shared by the hub and the detector.
    registry = None
    if args.fleets:
        from flyvakt.fleets import load_fleets

        registry = load_fleets(args.fleets)
        if alerts is not None:
            alerts.fleet_names = {lang: registry.names(lang) for lang in TEXT_LANGS}
    hub = Hub(None if registry is None else _fleet_of(registry))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():  # a second Ctrl-C: the user does not want to wait for the drain
            print("flyvakt run: forced exit", file=sys.stderr, flush=True)
            os._exit(130)  # SQLite's WAL keeps the store sound; the last batch may be lost
        print("flyvakt run: stopping (storing what was received) ...", file=sys.stderr)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)

    server: Any = None
    server_task: asyncio.Task[None] | None = None
    if not args.no_serve:
        app = _make_app(args, hub)
        if app is not None:
            sock = _listen(args.host, args.port)
            server = _quiet_server(app, args.host, args.port)
            server_task = asyncio.create_task(server.serve(sockets=[sock]))
            print(f"flyvakt run: map at {map_url}", file=sys.stderr)
            from flyvakt.serve.command import public_host_warning

            warning = public_host_warning("run", args.host, args.token)
            if warning:
                print(warning, file=sys.stderr)
    print(
        f"flyvakt run: storing in {args.db}; {len(rules)} alert rule(s); Ctrl-C to stop",
        file=sys.stderr,
    )

    def on_status(st: dict[str, Any]) -> None:
        print(status_line(st), file=sys.stderr, flush=True)

    from flyvakt.runtime.setup import tune_gc

    tune_gc()  # start-up done: the run's GC policy (runtime/setup.py)
    if args.from_url:
        done = await _consume(args, kafka, hub, stop, registry, alerts, on_status)
        summary = None
    else:
        summary = await run_engine(
            sources,
            db_path=args.db,
            registry=registry,
            hub=hub,
            stop_event=stop,
            clock=time.time,
            speed=speed,
            on_status=on_status,
            alerts=alerts,
            retention=_retention(args),
            feed_reader=args.feed_reader,
            store_writer=args.store_writer,
            max_latency_s=args.max_latency,
        )
        done = summary.files_done
    if server_task is not None:
        if done and not stop.is_set():
            print("flyvakt run: replay done; map still served, Ctrl-C to stop", file=sys.stderr)
            await stop.wait()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await server_task
    if summary is not None:
        print(
            f"flyvakt run: {summary.frames:,} frames, {summary.positions:,} positions, "
            f"{hub.status()['events']} events, {summary.store_drops} dropped by the store; "
            f"stored in {args.db}",
            file=sys.stderr,
        )
    return 0


async def _consume(
    args: argparse.Namespace,
    kafka: Any,
    hub: Any,
    stop: asyncio.Event,
    registry: Any,
    alerts: Any,
    on_status: Any,
) -> bool:
    """``--from``: the cluster's outputs into the store, hub and alerts, resuming from the
    checkpoint next to the store. True when it ended by itself (``--idle-exit``)."""
    from flyvakt.checkpoint import CheckpointError
    from flyvakt.store import StoreWriter
    from flyvakt.stream.consume import checkpoint_path, consume_outputs
    from flyvakt.stream.kafka import KafkaError
    from flyvakt.stream.resume import load_consumer

    path = checkpoint_path(args.db)
    try:
        resume = load_consumer(path)
    except CheckpointError as exc:  # one line naming the file; exit status 2 as other errors
        raise KafkaError(f"{exc} (delete it to read the topics from their start)") from None
    if resume is not None:
        print(f"flyvakt run: resuming from {path}", file=sys.stderr)
    # No positions write-ahead: Kafka holds them, re-read from the checkpoint's offsets.
    store = StoreWriter(
        args.db,
        retention=_retention(args),
        thin_resume=None if resume is None else resume.thin,
        position_log=False,
    )
    ended = False
    try:
        s = await consume_outputs(
            kafka,
            hub=hub,
            stop_event=stop,
            store=store,
            alerts=alerts,
            registry=registry,
            idle_exit_s=args.idle_exit,
            on_status=on_status,
            checkpoint=path,
            resume=resume,
        )
        ended = s.ended
        if alerts is not None:
            await alerts.drain()
    finally:
        # Stopped mid-stream: the thinner's pending fixes stay in the checkpoint (stored when
        # the next run's thinning decides); at the end of the data they are stored now.
        await asyncio.to_thread(store.close, flush_thin=ended)
    print(
        f"flyvakt run: from {args.from_url}: {s.positions:,} positions, {s.events:,} events "
        f"(+{s.duplicates:,} read twice), {s.fleet_events:,} fleet events, "
        f"{store.drops} dropped by the store; stored in {args.db}, position in the topics "
        f"in {path}",
        file=sys.stderr,
    )
    return ended


def _listen(host: str, port: int) -> socket.socket:
    """Bind the HTTP socket up front, so a busy port is a one-line error before anything runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(
            f"flyvakt run: cannot listen on {host}:{port}: {exc.strerror or exc} "
            "(choose another --port, or --no-serve)"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _quiet_server(app: Any, host: str, port: int) -> Any:
    """A uvicorn server that leaves signal handling to us (one Ctrl-C stops everything)."""
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            yield

    return _Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def main(argv: list[str] | None = None) -> int:
    """``python -m flyvakt.cli.run ...`` (same as ``flyvakt run ...``)."""
    parser = argparse.ArgumentParser(prog="flyvakt")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["run", *(sys.argv[1:] if argv is None else argv)])
    rc: int = args.func(args)
    return rc


if __name__ == "__main__":
    sys.exit(main())
