"""``flyvakt feed KAFKA_URL SOURCE...``: publish receiver frames to Kafka."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "feed",
        help="publish receiver frames to Kafka (flyvakt.frames), for workers to process",
        description=(
            "Read SOURCE files (any format `flyvakt replay` reads) and publish their frames to "
            "the frames topic of KAFKA_URL, keyed by ICAO address (one partition per aircraft), "
            "as Arrow IPC micro-batches. Creates the topics if missing. See docs/scale.md."
        ),
    )
    p.add_argument("kafka_url", help="kafka://host:port[/topic-prefix] (prefix default flyvakt)")
    p.add_argument("sources", nargs="+", help="recordings; file i gets receiver id i")
    p.add_argument(
        "--partitions",
        type=int,
        default=4,
        help="partitions of new topics (default 4; bounds the useful number of workers)",
    )
    p.add_argument("--start-time", help="start time for relative timestamps (ISO 8601)")
    p.set_defaults(func=run_feed)


def run_feed(args: argparse.Namespace) -> int:
    from flyvakt.cli.replay import _parse_start
    from flyvakt.model import FrameBatch
    from flyvakt.runtime.merge import MergeStats
    from flyvakt.runtime.replay import merged_batches, open_readers
    from flyvakt.stream.kafka import create_topics, feed_batches, parse_kafka_url

    url = parse_kafka_url(args.kafka_url)
    create_topics(url, args.partitions)
    readers = open_readers(args.sources, start_time_s=_parse_start(args.start_time))
    frames = (b for b in merged_batches(readers, MergeStats()) if isinstance(b, FrameBatch))
    n = feed_batches(url, frames)
    print(f"flyvakt feed: {n:,} frames published to {url.topic('frames')}", file=sys.stderr)
    return 0
