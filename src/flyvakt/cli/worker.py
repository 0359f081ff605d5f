"""``flyvakt worker KAFKA_URL``: run the pipeline per Kafka partition, state checkpointed."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="process Kafka frames per partition (start several to share the work)",
        description=(
            "Join the worker group of KAFKA_URL, run decode, track and detect on the partitions "
            "it is given (one pipeline state per partition, checkpointed in --state-dir with "
            "the offset), and publish positions and events. Start more workers to share the "
            "partitions; a worker that dies is replaced by the others from its checkpoints."
        ),
    )
    p.add_argument("kafka_url", help="kafka://host:port[/topic-prefix] (prefix default flyvakt)")
    p.add_argument(
        "--state-dir",
        required=True,
        help="directory of partition checkpoints, shared by all workers of the group",
    )
    p.add_argument(
        "--fleets",
        help="fleets file (TOML): fleet tags on events (fleet events are made downstream "
        "by `flyvakt run --from`, which sees every partition)",
    )
    p.add_argument(
        "--idle-exit",
        type=float,
        help="stop after this many seconds without a message (batch jobs, tests)",
    )
    p.set_defaults(func=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    from flyvakt.runtime.setup import make_detector, tracker_config, tune_gc
    from flyvakt.stream.kafka import Worker, parse_kafka_url

    url = parse_kafka_url(args.kafka_url)
    stopping = {"now": False}

    def on_signal(*_: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    detector = make_detector(args.fleets)
    detector.fleet_events = False  # a fleet spans partitions: see flyvakt.stream.fleetstage
    worker = Worker(url, Path(args.state_dir), detector, tracker_config())
    tune_gc()  # start-up done: the run's GC policy (runtime/setup.py)
    st = worker.run(lambda: stopping["now"], idle_exit_s=args.idle_exit)
    print(
        f"flyvakt worker: {st.frames:,} frames, {st.positions:,} positions, {st.events:,} events; "
        f"{st.checkpoints:,} checkpoints; {st.restored} partition(s) restored; "
        f"{st.step_s:.3f} s in the step, {st.checkpoint_s:.3f} s checkpointing",
        file=sys.stderr,
    )
    return 0
