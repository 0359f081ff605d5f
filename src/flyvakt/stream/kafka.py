"""Kafka adapter: topics, the feed (receivers -> ``flyvakt.frames``) and the worker.

The worker runs :func:`flyvakt.pipeline.step` per partition of ``flyvakt.frames``, one
:class:`PipelineState` per partition, and writes ``flyvakt.positions`` and ``flyvakt.events``
(to the same partition number, so a partition's outputs stay in order). Effectively once,
through a worker kill:

1. each batch of messages is stepped through the partition's state and its outputs produced;
2. every CHECKPOINT_EVERY_S or CHECKPOINT_EVERY_BATCHES (and when the partition is revoked,
   and on exit) the producer is flushed (outputs acknowledged by the broker), the partition's
   state is checkpointed with the next offset (``STATE_DIR/p<N>.state``: atomic rename; the
   offset is inside the checkpoint), and the offset is committed to the consumer group.

A worker killed anywhere restarts every partition it takes over from its checkpoint and that
checkpoint's offset, never from a later one: what it re-processes it re-emits, with the same
event ids (:func:`flyvakt.stream.wire.event_id`), and the sinks (the store's unique key, the
fleet stage's id set) take each event once. Fleet events are not made here: a fleet's members
hash to different partitions (:mod:`flyvakt.stream.fleetstage` makes them downstream).
``STATE_DIR`` must be shared by the workers of one group (a local directory for workers on
one machine; a network file system or object store mount across machines). Needs confluent-kafka
(``pip install 'flyvakt[kafka]'``).
"""

from __future__ import annotations

import itertools
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
from flyvakt.runtime.checkpoints import write_atomic
from flyvakt.runtime.guard import guarded_step
from flyvakt.stream.wire import (
    decode_frames,
    encode_event,
    encode_frames,
    encode_mark,
    encode_positions,
    frame_addresses,
    frames_watermark,
    partition_of,
)
from flyvakt.track import TrackerConfig

__all__ = [
    "TOPICS",
    "Feed",
    "KafkaUrl",
    "Worker",
    "create_topics",
    "feed_batches",
    "parse_kafka_url",
    "publish_verdict",
    "publish_watermark",
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
# Why 4,096 positions per message: a position is ~100 bytes in Arrow IPC, so ~400 kB, well
# under Kafka's default 1 MB message limit however many frames a worker batch held.
POSITIONS_MAX_ROWS = 4096


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


def producer(url: KafkaUrl, linger_ms: int = 0) -> Any:
    """A producer with idempotence on: a send the client retries (a lost acknowledgement)
    is written once and in order, so a mark never overtakes the events it closes. Tansu 0.6
    (the test broker) supports it, as Kafka and Redpanda do. ``linger_ms``: how long to
    gather messages into one request."""
    return _ck().Producer(
        {"bootstrap.servers": url.bootstrap, "linger.ms": linger_ms, "enable.idempotence": True}
    )


def _partitions(url: KafkaUrl, topic: str) -> int:
    ck = _ck()
    try:
        admin = ck.admin.AdminClient({"bootstrap.servers": url.bootstrap})
        meta = admin.list_topics(topic, timeout=10)
    except ck.KafkaException as exc:
        raise KafkaError(f"cannot reach the Kafka broker at {url.bootstrap}: {exc}") from None
    t = meta.topics.get(topic)
    if t is None or t.error is not None or not t.partitions:
        raise KafkaError(f"topic {topic} not found on {url.bootstrap} (run flyvakt feed first)")
    return len(t.partitions)


class Feed:
    """A live feed's connection: one producer and the partition count, kept open between
    :meth:`send` calls (a receiver sending every ~100 ms)."""

    def __init__(self, url: KafkaUrl) -> None:
        self.url = url
        self.topic = url.topic("frames")
        self.partitions = _partitions(url, self.topic)
        self.producer = producer(url, linger_ms=20)

    def send(self, batches: Iterable[FrameBatch]) -> int:
        """See :func:`feed_batches`."""
        return _send(self.producer, self.topic, self.partitions, batches, self.url)


def feed_batches(url: KafkaUrl, batches: Iterable[FrameBatch]) -> int:
    """Publish frame batches to ``<prefix>.frames``: split by partition of the frames' ICAO
    addresses, at most FEED_MAX_FRAMES per Arrow IPC message, in receive order, and wait for
    the broker's acknowledgement. Returns the number of frames published."""
    return Feed(url).send(batches)


def _send(prod: Any, topic: str, n_part: int, batches: Iterable[FrameBatch], url: KafkaUrl) -> int:
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
            # Only on its last piece: a worker that steps an earlier piece alone must not move
            # its clock past frames still to come (it would call their aircraft lost).
            starts = range(0, max(rows.size, 1), FEED_MAX_FRAMES)
            for k in starts:
                chunk = rows[k : k + FEED_MAX_FRAMES]
                last = k == starts[-1]
                prod.produce(
                    topic, encode_frames(fb.take(chunk), mark if last else None), partition=p
                )
                prod.poll(0)
        sent += len(fb)
    if prod.flush(30) > 0:
        raise KafkaError(f"{url.bootstrap}: frames not acknowledged within 30 s")
    return sent


def publish_watermark(url: KafkaUrl, watermark_s: float) -> None:
    """Tell every partition that the feeds' data time is ``watermark_s`` (no frames): the
    workers move their clocks, sweep for lost signals and infer what the silence implies.
    A feed whose receivers are quiet sends this to keep the partitions' time moving."""
    topic = url.topic("frames")
    prod = producer(url)
    for p in range(_partitions(url, topic)):
        prod.produce(topic, encode_frames(FrameBatch.empty(0), watermark_s), partition=p)
    if prod.flush(30) > 0:
        raise KafkaError(f"{url.bootstrap}: watermark not acknowledged within 30 s")


def publish_verdict(url: KafkaUrl, verdict: dict[str, Any]) -> str:
    """Publish a verdict record (``Verdict.to_json()``) to ``<prefix>.verdicts``, keyed by a
    hash of its claim and time, so the same question asked again lands in the same partition
    (a compacted topic keeps the newest answer). Returns the key."""
    import hashlib
    import json

    question = json.dumps([verdict.get("claim"), verdict.get("as_of")], sort_keys=True)
    key = hashlib.sha1(question.encode()).hexdigest()[:20]
    prod = producer(url)
    value = json.dumps(verdict, ensure_ascii=False, sort_keys=True).encode()
    prod.produce(url.topic("verdicts"), value, key=key.encode())
    if prod.flush(30) > 0:
        raise KafkaError(f"{url.bootstrap}: verdict not acknowledged within 30 s")
    return key


# -- the worker ------------------------------------------------------------------------------
_HEADER = struct.Struct(">8sq")  # magic, next offset
_MAGIC = b"FVKPART1"
# Why a checkpoint every 2 s or 50 batches, not after every batch: a checkpoint is an fsync'd
# file of the whole partition state (MBs at thousands of aircraft) plus a flush and a
# synchronous commit; per ~100 ms batch that was most of a worker's time at scale. A kill
# re-processes at most this much (the outputs again, same ids: the sinks drop them), and 2 s
# is small beside the 6 s it takes the group to notice a dead worker.
CHECKPOINT_EVERY_S = 2.0
CHECKPOINT_EVERY_BATCHES = 50


# Why 50 ms: the longest a fetch waits at the broker for new data (librdkafka's default is
# 500 ms); measured on this machine, it set the p99 of frame -> output latency (~1.1 s with
# the default). A fetch per 50 ms per idle consumer costs the broker nothing.
FETCH_WAIT_MS = 50
# Why 0.2 s: how long an idle worker waits for a message before it looks at its checkpoint
# timers and the stop flag again. A message that arrives is taken at once (poll_batch).
POLL_WAIT_S = 0.2


def poll_batch(consumer: Any, max_messages: int, wait_s: float) -> list[Any]:
    """Wait up to ``wait_s`` for one message, then take what else is already fetched (up to
    ``max_messages``) without waiting. ``consume(n, timeout)`` alone waits for n messages or
    the whole timeout: a floor of ``timeout`` on the latency of a trickle of live batches."""
    first = consumer.poll(wait_s)
    if first is None:
        return []
    return [first, *consumer.consume(max_messages - 1, 0)]


def save_partition(path: Path, state: PipelineState, next_offset: int) -> None:
    write_atomic(path, _HEADER.pack(_MAGIC, next_offset) + dumps(state))


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
    step_s: float = 0.0  # wall time inside the pipeline step
    checkpoint_s: float = 0.0  # wall time in flush + checkpoint file + commit


@dataclass
class _Owned:
    """A partition this worker owns: its state, the offset the state expects next (None:
    from the beginning), what is processed but not yet checkpointed."""

    state: PipelineState
    expect: int | None
    topic: str = ""
    dirty: int = 0  # batches processed since the last checkpoint
    since_s: float = 0.0  # monotonic time of the first of them


@dataclass
class Worker:
    """One member of the consumer group ``<prefix>-workers``. Per batch of messages of a
    partition: step, produce positions (with the partition's watermark), events and a mark;
    every CHECKPOINT_EVERY_S / CHECKPOINT_EVERY_BATCHES, on revocation and on exit: flush
    the producer, write the partition checkpoint with the next offset, commit the offset."""

    url: KafkaUrl
    state_dir: Path
    detector: EventDetector
    config: TrackerConfig
    group: str = ""
    max_messages: int = 500
    checkpoint_every_s: float = CHECKPOINT_EVERY_S
    checkpoint_every_batches: int = CHECKPOINT_EVERY_BATCHES
    owned: dict[int, _Owned] = field(default_factory=dict)
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
                "fetch.wait.max.ms": FETCH_WAIT_MS,
            }
        )
        prod = producer(self.url, linger_ms=5)

        # Idle time counts from the last message or (re)assignment: a survivor that took over a
        # killed worker's partitions must not give up before reading them.
        last_msg = time.monotonic()

        def on_assign(c: Any, parts: list[Any]) -> None:
            nonlocal last_msg
            last_msg = time.monotonic()
            for tp in parts:
                got = load_partition(self._path(tp.partition))
                if got is None:
                    self.owned[tp.partition] = _Owned(PipelineState(), None, tp.topic)
                    tp.offset = ck.OFFSET_BEGINNING
                else:
                    state, tp.offset = got
                    self.owned[tp.partition] = _Owned(state, tp.offset, tp.topic)
                    self.stats.restored += 1
            c.assign(parts)

        def on_revoke(c: Any, parts: list[Any]) -> None:
            # Hand over what was processed: the next owner starts where this one stopped.
            for tp in parts:
                self._checkpoint(tp.partition, prod, c)
                self.owned.pop(tp.partition, None)

        consumer.subscribe([frames], on_assign=on_assign, on_revoke=on_revoke)
        try:
            while not stop():
                msgs = poll_batch(consumer, self.max_messages, POLL_WAIT_S)
                good = [m for m in msgs if m.error() is None]
                self._checkpoint_due(prod, consumer)
                if not good:
                    if idle_exit_s is not None and time.monotonic() - last_msg > idle_exit_s:
                        break
                    continue
                last_msg = time.monotonic()
                by_part: dict[int, list[Any]] = {}
                for m in good:
                    by_part.setdefault(m.partition(), []).append(m)
                for p, ms in sorted(by_part.items()):
                    own = self.owned.get(p)
                    if own is None:
                        continue  # revoked while in flight: its new owner re-reads it
                    # Messages fetched before a (re)assignment may not follow the restored
                    # state: keep only the run that starts exactly where the state ends.
                    if own.expect is not None:
                        ms = [m for m in ms if m.offset() >= own.expect]
                        if not ms:
                            continue
                        if ms[0].offset() != own.expect:
                            consumer.seek(ck.TopicPartition(ms[0].topic(), p, own.expect))
                            continue
                    self._process(p, own, ms, prod)
                    own.expect = ms[-1].offset() + 1
                self._checkpoint_due(prod, consumer)
            for p in list(self.owned):
                self._checkpoint(p, prod, consumer)
        finally:
            consumer.close()
            prod.flush(10)
        return self.stats

    def _path(self, partition: int) -> Path:
        return self.state_dir / f"p{partition}.state"

    def _process(self, p: int, own: _Owned, ms: list[Any], producer: Any) -> None:
        fb = FrameBatch.concat([decode_frames(m.value()) for m in ms])
        fb = fb.take(np.argsort(fb.time_s, kind="stable"))
        marks = [w for m in ms if (w := frames_watermark(m.value())) is not None]
        t0 = time.perf_counter()
        before = own.state.data_through_s
        state, out = guarded_step(own.state, fb, self.config, self.detector)
        emitted = [max(before, e.time_s) for e in out.events]
        if marks:
            before = state.data_through_s
            late = advance(state, max(marks), self.detector)
            out.events.extend(late)
            emitted += [max(before, e.time_s) for e in late]
        self.stats.step_s += time.perf_counter() - t0
        own.state = state
        now = state.data_through_s
        events_topic = self.url.topic("events")
        # When each event became known, in data time: not before the batch began, nor before
        # it happened (a batch may span hours after a restart: its end would put every event
        # of it at one instant, and the fleet stage orders members' events by this).
        for e, t in zip(out.events, emitted, strict=True):
            value = encode_event(e, min(t, now))
            producer.produce(events_topic, value, key=e.icao24.encode(), partition=p)
        # The mark closes the batch on the events partition; the positions message carries
        # the same watermark: the fleet stage aligns partitions on both.
        producer.produce(events_topic, encode_mark(now), partition=p)
        # The watermark rides on the last piece only: a reader that has it has them all.
        pos, n = out.positions, len(out.positions)
        cuts = list(range(0, n, POSITIONS_MAX_ROWS))[1:]
        for a, b in itertools.pairwise([0, *cuts, n]):
            piece = pos if (a, b) == (0, n) else pos.take(np.arange(a, b))
            last = b == n
            value = encode_positions(piece, now if last else None, len(fb) if last else None)
            producer.produce(self.url.topic("positions"), value, partition=p)
        producer.poll(0)
        if own.dirty == 0:
            own.since_s = time.monotonic()
        own.dirty += 1
        self.stats.messages += len(ms)
        self.stats.frames += len(fb)
        self.stats.positions += len(out.positions)
        self.stats.events += len(out.events)
        if self.on_events is not None and out.events:
            self.on_events(out.events)

    def _checkpoint_due(self, producer: Any, consumer: Any) -> None:
        now = time.monotonic()
        for p, own in list(self.owned.items()):
            if own.dirty and (
                own.dirty >= self.checkpoint_every_batches
                or now - own.since_s >= self.checkpoint_every_s
            ):
                self._checkpoint(p, producer, consumer)

    def _checkpoint(self, p: int, producer: Any, consumer: Any) -> None:
        """Outputs acknowledged, then the state with its next offset, then the commit."""
        own = self.owned.get(p)
        if own is None or not own.dirty or own.expect is None:
            return
        ck = _ck()
        t0 = time.perf_counter()
        if producer.flush(30) > 0:
            raise KafkaError("outputs not acknowledged within 30 s; not committing")
        save_partition(self._path(p), own.state, own.expect)
        consumer.commit(offsets=[ck.TopicPartition(own.topic, p, own.expect)], asynchronous=False)
        own.dirty = 0
        self.stats.checkpoints += 1
        self.stats.checkpoint_s += time.perf_counter() - t0


# Why 1 s: after the reported ends, how long without a message means the end (a broker that
# under-reports its ends has the rest already stored: it arrives with the next fetches).
READ_IDLE_S = 1.0


def read_outputs(url: KafkaUrl, timeout_s: float = 30.0) -> tuple[PositionBatch, dict[str, Event]]:
    """Everything on the positions and events topics so far (to each partition's end, then
    until nothing more comes for READ_IDLE_S: Tansu 0.6 reports a partition's end as the
    first offset of its last record batch + 1, short by the rest of that batch), events
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
    last = time.monotonic()
    while (want or time.monotonic() - last < READ_IDLE_S) and time.monotonic() < end:
        for m in c.consume(1000, 0.2):
            if m.error() is not None:
                continue
            last = time.monotonic()
            if m.topic() == url.topic("positions"):
                pos.append(decode_positions(m.value()))
            elif (got := decode_event(m.value())) is not None:
                events.setdefault(got[0], got[1])
            k = (m.topic(), m.partition())
            if k in want and m.offset() + 1 >= want[k]:
                del want[k]
    c.close()
    if want:
        raise KafkaError(f"{url.bootstrap}: outputs not read to their end in {timeout_s:g} s")
    return PositionBatch.concat(pos), events
