"""Kafka adapter: topics, the feed (receivers -> ``flyvakt.frames``) and the worker.

The worker runs :func:`flyvakt.pipeline.step` per partition of ``flyvakt.frames``, one
:class:`PipelineState` per partition, and writes ``flyvakt.positions`` and ``flyvakt.events``.
Effectively once, through a worker kill:

1. a batch of messages is stepped through the partition's state;
2. its positions and events are produced and flushed (acknowledged by the broker);
3. the partition's state is checkpointed together with the next offset
   (``STATE_DIR/p<N>.state``: atomic rename; the offset is inside the checkpoint);
4. the offset is committed to the consumer group.

A worker killed anywhere restarts every partition it takes over from its checkpoint and that
checkpoint's offset, never from a later one: what it re-processes it re-emits, with the same
event ids (:func:`flyvakt.stream.wire.event_id`), and the sink (the store's unique key)
writes each event once. ``STATE_DIR`` must be shared by the workers of one group (a local
directory for workers on one machine; a network file system or object store mount across
machines). Needs confluent-kafka (``pip install 'flyvakt[kafka]'``).
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from flyvakt.checkpoint import CheckpointError, dumps, loads
from flyvakt.model import Event, FrameBatch, PositionBatch
from flyvakt.pipeline import EventDetector, PipelineState, advance
from flyvakt.runtime.guard import guarded_step
from flyvakt.stream.wire import (
    decode_frames,
    encode_event,
    encode_frames,
    encode_positions,
    frame_addresses,
    frames_watermark,
    partition_of,
)
from flyvakt.track import TrackerConfig

__all__ = [
    "TOPICS",
    "KafkaUrl",
    "Worker",
    "create_topics",
    "feed_batches",
    "parse_kafka_url",
    "read_outputs",
]

TOPICS = ("frames", "positions", "events", "verdicts")
# Why 4 partitions by default: two workers on a small machine, with room to add two more
# without re-partitioning (partitions bound the number of useful workers).
DEFAULT_PARTITIONS = 4
# Why 7 days: a worker down over a weekend can still catch up from the frames; history
# beyond that is in the store.
RETENTION_MS = 7 * 24 * 3600 * 1000
# Why 6 s: the group notices a killed worker this fast (the broker's floor is usually 6 s),
# so its partitions move to a survivor within seconds, not the 45 s default.
SESSION_TIMEOUT_MS = 6000
# Why at most 8,192 frames per message: the vectorised step needs batches (one frame per
# message measured 4-9 k msg/s in stream engines), and 8,192 frames (~200 kB of Arrow IPC)
# stay well under Kafka's default 1 MB message limit. A live feed sends what ~100 ms brought.
FEED_MAX_FRAMES = 8192


class KafkaError(ValueError):
    """A Kafka URL or broker problem, said in one line."""


@dataclass(frozen=True)
class KafkaUrl:
    bootstrap: str
    prefix: str = "flyvakt"

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"


def parse_kafka_url(url: str) -> KafkaUrl:
    """``kafka://host:port[,host:port...][/prefix]`` (prefix default ``flyvakt``)."""
    parts = urlsplit(url)
    if parts.scheme != "kafka" or not parts.netloc:
        raise KafkaError(f"{url}: not a Kafka URL (want kafka://host:port[/topic-prefix])")
    prefix = parts.path.strip("/") or "flyvakt"
    return KafkaUrl(parts.netloc, prefix)


def _ck() -> Any:
    try:
        import confluent_kafka
        import confluent_kafka.admin
    except ImportError:
        raise KafkaError("Kafka needs confluent-kafka: pip install 'flyvakt[kafka]'") from None
    return confluent_kafka


def create_topics(url: KafkaUrl, partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create the four topics (if missing) with explicit partitions and retention."""
    ck = _ck()
    admin = ck.admin.AdminClient({"bootstrap.servers": url.bootstrap})
    new = [
        ck.admin.NewTopic(url.topic(t), partitions, 1, config={"retention.ms": str(RETENTION_MS)})
        for t in TOPICS
    ]
    for name, fut in admin.create_topics(new, request_timeout=15).items():
        try:
            fut.result(20)
        except Exception as exc:  # already there is fine; anything else is not
            if "TOPIC_ALREADY_EXISTS" not in str(exc) and "already exists" not in str(exc):
                raise KafkaError(f"cannot create topic {name}: {exc}") from None


def _partitions(url: KafkaUrl, topic: str) -> int:
    ck = _ck()
    meta = ck.admin.AdminClient({"bootstrap.servers": url.bootstrap}).list_topics(topic, timeout=10)
    t = meta.topics.get(topic)
    if t is None or t.error is not None or not t.partitions:
        raise KafkaError(f"topic {topic} not found on {url.bootstrap} (run flyvakt feed first)")
    return len(t.partitions)


def feed_batches(url: KafkaUrl, batches: Iterable[FrameBatch]) -> int:
    """Publish frame batches to ``<prefix>.frames``: split by partition of the frames' ICAO
    addresses, at most FEED_MAX_FRAMES per Arrow IPC message, in receive order. Returns the
    number of frames published."""
    ck = _ck()
    topic = url.topic("frames")
    n_part = _partitions(url, topic)
    prod = ck.Producer(
        {"bootstrap.servers": url.bootstrap, "linger.ms": 20, "enable.idempotence": False}
    )
    sent = 0
    for fb in batches:
        if len(fb) == 0:
            continue
        part = partition_of(frame_addresses(fb), n_part)
        finite = fb.time_s[np.isfinite(fb.time_s)]
        mark = float(finite.max()) if finite.size else None
        for p in range(n_part):
            rows = np.flatnonzero(part == p)
            # Every partition hears the watermark, an empty message if it has no frames here.
            for k in range(0, max(rows.size, 1), FEED_MAX_FRAMES):
                chunk = rows[k : k + FEED_MAX_FRAMES]
                prod.produce(topic, encode_frames(fb.take(chunk), mark), partition=p)
                prod.poll(0)
        sent += len(fb)
    if prod.flush(30) > 0:
        raise KafkaError(f"{url.bootstrap}: frames not acknowledged within 30 s")
    return sent


# -- the worker ------------------------------------------------------------------------------
_HEADER = struct.Struct(">8sq")  # magic, next offset
_MAGIC = b"FVKPART1"


def save_partition(path: Path, state: PipelineState, next_offset: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(_HEADER.pack(_MAGIC, next_offset))
        f.write(dumps(state))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_partition(path: Path) -> tuple[PipelineState, int] | None:
    """The partition's checkpoint and the offset to resume at, or None if it has none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    magic, offset = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise CheckpointError(f"{path}: not a flyvakt partition checkpoint")
    try:
        return loads(data[_HEADER.size :]), int(offset)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


@dataclass
class WorkerStats:
    messages: int = 0
    frames: int = 0
    positions: int = 0
    events: int = 0
    checkpoints: int = 0
    restored: int = 0
    step_s: float = 0.0  # CPU-ish wall time inside the pipeline step


@dataclass
class Worker:
    """One member of the consumer group ``<prefix>-workers``."""

    url: KafkaUrl
    state_dir: Path
    detector: EventDetector
    config: TrackerConfig
    group: str = ""
    max_messages: int = 500
    states: dict[int, PipelineState] = field(default_factory=dict)
    # Per owned partition: the offset its state expects next (None: from the beginning).
    expect: dict[int, int | None] = field(default_factory=dict)
    stats: WorkerStats = field(default_factory=WorkerStats)
    on_events: Callable[[list[Event]], None] | None = None

    def run(self, stop: Callable[[], bool], idle_exit_s: float | None = None) -> WorkerStats:
        """Consume until ``stop()`` (or ``idle_exit_s`` without a message)."""
        ck = _ck()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        frames = self.url.topic("frames")
        consumer = ck.Consumer(
            {
                "bootstrap.servers": self.url.bootstrap,
                "group.id": self.group or f"{self.url.prefix}-workers",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": SESSION_TIMEOUT_MS,
                "heartbeat.interval.ms": 1000,
                "partition.assignment.strategy": "range",
            }
        )
        producer = ck.Producer({"bootstrap.servers": self.url.bootstrap, "linger.ms": 5})

        # Idle time counts from the last message or (re)assignment: a survivor that took over a
        # killed worker's partitions must not give up before reading them.
        last_msg = time.monotonic()

        def on_assign(c: Any, parts: list[Any]) -> None:
            nonlocal last_msg
            last_msg = time.monotonic()
            for tp in parts:
                got = load_partition(self._path(tp.partition))
                if got is None:
                    self.states[tp.partition] = PipelineState()
                    self.expect[tp.partition] = None
                    tp.offset = ck.OFFSET_BEGINNING
                else:
                    self.states[tp.partition], tp.offset = got
                    self.expect[tp.partition] = tp.offset
                    self.stats.restored += 1
            c.assign(parts)

        def on_revoke(c: Any, parts: list[Any]) -> None:
            for tp in parts:
                self.states.pop(tp.partition, None)
                self.expect.pop(tp.partition, None)

        consumer.subscribe([frames], on_assign=on_assign, on_revoke=on_revoke)
        try:
            while not stop():
                msgs = consumer.consume(self.max_messages, 0.2)
                good = [m for m in msgs if m.error() is None]
                if not good:
                    if idle_exit_s is not None and time.monotonic() - last_msg > idle_exit_s:
                        break
                    continue
                last_msg = time.monotonic()
                by_part: dict[int, list[Any]] = {}
                for m in good:
                    by_part.setdefault(m.partition(), []).append(m)
                for p, ms in sorted(by_part.items()):
                    if p not in self.states:
                        continue  # revoked while in flight: its new owner re-reads it
                    # Messages fetched before a (re)assignment may not follow the restored
                    # state: keep only the run that starts exactly where the state ends.
                    want = self.expect[p]
                    if want is not None:
                        ms = [m for m in ms if m.offset() >= want]
                        if not ms:
                            continue
                        if ms[0].offset() != want:
                            consumer.seek(ck.TopicPartition(ms[0].topic(), p, want))
                            continue
                    self._process(p, ms, producer, consumer)
                    self.expect[p] = ms[-1].offset() + 1
        finally:
            consumer.close()
            producer.flush(10)
        return self.stats

    def _path(self, partition: int) -> Path:
        return self.state_dir / f"p{partition}.state"

    def _process(self, p: int, ms: list[Any], producer: Any, consumer: Any) -> None:
        ck = _ck()
        fb = FrameBatch.concat([decode_frames(m.value()) for m in ms])
        fb = fb.take(np.argsort(fb.time_s, kind="stable"))
        marks = [w for m in ms if (w := frames_watermark(m.value())) is not None]
        t0 = time.perf_counter()
        state, out = guarded_step(self.states[p], fb, self.config, self.detector)
        if marks:
            out.events.extend(advance(state, max(marks), self.detector))
        self.stats.step_s += time.perf_counter() - t0
        self.states[p] = state
        if len(out.positions):
            producer.produce(
                self.url.topic("positions"), encode_positions(out.positions), partition=p
            )
        for e in out.events:
            producer.produce(self.url.topic("events"), encode_event(e), key=e.icao24.encode())
        if producer.flush(30) > 0:
            raise KafkaError("outputs not acknowledged within 30 s; not committing")
        next_offset = ms[-1].offset() + 1
        save_partition(self._path(p), state, next_offset)
        consumer.commit(
            offsets=[ck.TopicPartition(ms[-1].topic(), p, next_offset)], asynchronous=False
        )
        self.stats.messages += len(ms)
        self.stats.frames += len(fb)
        self.stats.positions += len(out.positions)
        self.stats.events += len(out.events)
        self.stats.checkpoints += 1
        if self.on_events is not None and out.events:
            self.on_events(out.events)


def read_outputs(url: KafkaUrl, timeout_s: float = 30.0) -> tuple[PositionBatch, dict[str, Event]]:
    """Everything on the positions and events topics so far (to each partition's end), events
    deduplicated by id (the sink's rule). No consumer group: partitions are assigned."""
    from flyvakt.stream.wire import decode_event, decode_positions

    ck = _ck()
    c = ck.Consumer(
        {
            "bootstrap.servers": url.bootstrap,
            "group.id": f"{url.prefix}-reader",
            "enable.auto.commit": False,
        }
    )
    want: dict[tuple[str, int], int] = {}
    parts = []
    for name in ("positions", "events"):
        topic = url.topic(name)
        for p in range(_partitions(url, topic)):
            _low, high = c.get_watermark_offsets(ck.TopicPartition(topic, p), timeout=10)
            if high > 0:
                want[(topic, p)] = high
                parts.append(ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING))
    c.assign(parts)
    pos: list[PositionBatch] = []
    events: dict[str, Event] = {}
    end = time.monotonic() + timeout_s
    while want and time.monotonic() < end:
        for m in c.consume(1000, 0.5):
            if m.error() is not None:
                continue
            if m.topic() == url.topic("positions"):
                pos.append(decode_positions(m.value()))
            else:
                eid, ev = decode_event(m.value())
                events.setdefault(eid, ev)
            k = (m.topic(), m.partition())
            if k in want and m.offset() + 1 >= want[k]:
                del want[k]
    c.close()
    if want:
        raise KafkaError(f"{url.bootstrap}: outputs not read to their end in {timeout_s:g} s")
    return PositionBatch.concat(pos), events
