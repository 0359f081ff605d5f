"""``flyvakt run --from kafka://...``: the workers' outputs into the store, the map and alerts.

Reads every partition of ``<prefix>.positions`` and ``<prefix>.events`` from where the last
run stopped (:mod:`flyvakt.stream.resume`: offsets, fleet stage, event ids, map table and the
store's thinner, checkpointed together every CHECKPOINT_EVERY_S after the store has committed;
without a checkpoint, from the start of what the topics retain), and:

- positions go to the store, the hub (live map) and the map's aircraft table
  (:class:`flyvakt.stream.view.PositionView`) as they arrive;
- per-aircraft events, tagged with their fleets, are taken once by id and go to the store, the
  hub and the alert rules as they arrive;
- the fleet stage (:class:`flyvakt.stream.fleetstage.FleetStage`) aligns the partitions on
  their watermarks and adds the fleet events, in time order, whatever order the partitions
  arrive in.

A consumer killed anywhere re-reads what came after its checkpoint: the store's unique keys
and the restored id set take nothing twice, and the restored thinner keeps the track points an
uninterrupted run keeps. The offsets are also committed to the group ``<prefix>-run`` (for lag
monitoring; the checkpoint file is what a restart trusts, as it holds the state that goes with
them).

The web service on top is the one ``flyvakt run`` serves: it reads the store and the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyvakt.model import Event, PositionBatch
from flyvakt.pipeline import tag_fleets
from flyvakt.runtime.engine import offer_to_store
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.seams import AlertSink, ResumableStore
from flyvakt.stream.align import StoreOrder
from flyvakt.stream.fleetstage import FleetStage, SeenIds
from flyvakt.stream.kafka import (
    FETCH_WAIT_MS,
    KafkaError,
    KafkaUrl,
    _ck,
    _partitions,
    poll_batch,
)
from flyvakt.stream.resume import ConsumerCheckpoint, save_consumer
from flyvakt.stream.view import PositionView
from flyvakt.stream.wire import (
    decode_positions,
    positions_frames,
    positions_watermark,
    read_event_record,
)

if TYPE_CHECKING:
    from flyvakt.fleets.registry import FleetRegistry

__all__ = ["CHECKPOINT_EVERY_S", "ConsumeSummary", "checkpoint_path", "consume_outputs"]

# Why 2,000 messages per poll: positions messages are whole worker batches (up to thousands
# of fixes each), events are small; 2,000 keeps one poll's work well under a second.
POLL_MESSAGES = 2000
# Why 0.1 s: how long an idle consumer waits before it looks at the stop flag and the status
# timer again (a message that arrives is taken at once: kafka.poll_batch).
POLL_TIMEOUT_S = 0.1
STATUS_INTERVAL_S = 5.0  # Why 5 s: as the in-process engine's status line.
# Why every 2 s, as the workers: a checkpoint waits for the store to commit what was offered
# (one fsync'd transaction per batch) and writes the fleet stage and map table; a kill re-reads
# at most 2 s of outputs, which the store's unique keys and the restored id set take once.
CHECKPOINT_EVERY_S = 2.0


def checkpoint_path(db_path: str | Path) -> Path:
    """Where ``run --from`` keeps its checkpoint: next to the store it writes."""
    return Path(f"{db_path}.kafka-state")


@dataclass
class ConsumeSummary:
    messages: int = 0
    positions: int = 0
    events: int = 0  # per-aircraft events taken (duplicates by id not counted)
    duplicates: int = 0  # events read again (a worker re-processed after a kill)
    fleet_events: int = 0
    late: int = 0  # outputs that reached the fleet stage after their cell
    store_drops: int = 0
    frames: int = 0  # frames the workers stepped for the batches read
    checkpoints: int = 0
    commit_errors: int = 0  # offsets not committed to the group (the checkpoint still holds)
    resumed: bool = False  # started from a checkpoint
    ended: bool = False  # stopped by idle_exit_s (the end of the data), not by stop_event
    all_events: list[Event] = field(default_factory=list)  # kept when keep_events


@dataclass
class _Consumer:
    url: KafkaUrl
    hub: Hub
    store: ResumableStore | None
    alerts: AlertSink | None
    registry: FleetRegistry | None
    keep_events: bool
    summary: ConsumeSummary = field(default_factory=ConsumeSummary)
    view: PositionView = field(default_factory=PositionView)
    seen: SeenIds = field(default_factory=SeenIds)
    stage: FleetStage | None = None
    order: StoreOrder = field(default_factory=lambda: StoreOrder(1))  # set per partitions
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)  # next to read

    def restore(self, cp: ConsumerCheckpoint) -> None:
        self.offsets = dict(cp.offsets)
        if cp.seen is not None:
            self.seen = SeenIds.from_doc(cp.seen)
        if cp.view is not None:
            self.view = PositionView.from_doc(cp.view)
        if cp.stage is not None and self.registry is not None:
            self.stage = FleetStage.from_doc(self.registry, cp.stage)
        if cp.order is not None:
            self.order = StoreOrder.from_doc(cp.order)
        self.summary.resumed = True

    def checkpoint(self, path: Path, partitions: int) -> None:
        """The store first (everything offered committed), then the file: the two agree."""
        thin = None
        if self.store is not None:
            self.store.flush()
            thin = self.store.thin_snapshot()
        cp = ConsumerCheckpoint(
            prefix=self.url.prefix,
            partitions=partitions,
            offsets=dict(self.offsets),
            stage=None if self.stage is None else self.stage.to_doc(),
            seen=self.seen.to_doc(),
            view=self.view.to_doc(),
            thin=thin,
            order=self.order.to_doc(),
        )
        save_consumer(path, cp)
        self.summary.checkpoints += 1

    async def handle(self, msgs: list[Any]) -> None:
        pos_topic = self.url.topic("positions")
        positions: list[PositionBatch] = []
        events: list[Event] = []
        now = -math.inf
        for m in msgs:
            if m.error() is not None:
                continue
            self.summary.messages += 1
            p = m.partition()
            self.offsets[(m.topic(), p)] = m.offset() + 1
            if m.topic() == pos_topic:
                self.summary.frames += positions_frames(m.value())
                batch = decode_positions(m.value())
                wm = positions_watermark(m.value())  # None: more pieces of the batch follow
                if wm is not None:
                    now = max(now, wm)
                positions.append(batch)
                self.order.add(p, batch, wm)
                if self.stage is not None:
                    self.stage.add_positions(p, batch, wm)
                continue
            rec = read_event_record(m.value())
            if rec.mark_s is not None:
                if self.stage is not None:
                    self.stage.add_mark(p, rec.mark_s)
                continue
            if rec.event is None or not self.seen.add(rec.id, rec.emitted_s):
                self.summary.duplicates += rec.event is not None
                continue
            if self.registry is not None:
                tag_fleets([rec.event], self.registry)
            events.append(rec.event)
            if self.stage is not None:
                self.stage.add_event(rec.id, rec.event, rec.emitted_s)
        if self.stage is not None:
            fleet = self.stage.ready()
            self.summary.fleet_events += len(fleet)
            self.summary.late = self.stage.late
            events += fleet
        pos = PositionBatch.concat(positions) if positions else None
        await self.publish(pos, events, now, self.order.ready())

    async def drain(self) -> None:
        """All outputs read (a batch job's end): the fleet stage's last cells too."""
        if self.stage is not None:
            fleet = self.stage.drain()
            self.summary.fleet_events += len(fleet)
        else:
            fleet = []
        await self.publish(None, fleet, -math.inf, self.order.drain())

    async def publish(
        self,
        pos: PositionBatch | None,
        events: list[Event],
        now: float,
        to_store: PositionBatch | None,
    ) -> None:
        """``pos`` to the map as read; ``to_store``: positions every partition has passed
        (:class:`flyvakt.stream.align.StoreOrder`), to the store in data-time order."""
        hub = self.hub
        if self.store is not None:  # in a worker thread: the store's write-ahead log fsyncs
            await asyncio.to_thread(self._store, to_store, events)
        with hub.table_lock:  # the map's readers copy the table under this lock
            if pos is not None and len(pos):
                self.summary.positions += len(pos)
                self.view.update(pos)
            if math.isfinite(now):
                self.view.expire(now)
        hub.set_tracker_table(self.view.table)
        if math.isfinite(now):
            hub.publish_positions(pos if pos is not None else PositionBatch.empty(0), now)
        if events:
            events.sort(key=lambda e: e.time_s)
            self.summary.events += sum(not e.type.startswith("fleet_") for e in events)
            hub.publish_events(events)
            if self.keep_events:
                self.summary.all_events.extend(events)
        if self.store is not None:
            self.summary.store_drops = int(self.store.drops)
            hub.engine["store_drops"] = self.summary.store_drops
        if self.alerts is not None and events:
            self.alerts.submit(events)

    def _store(self, pos: PositionBatch | None, events: list[Event]) -> None:
        # block: the data waits in Kafka, so the consumer waits for the disk, never drops
        if self.store is None:
            return
        if pos is not None and len(pos):
            offer_to_store(self.store, pos, block=True)
        if events:
            offer_to_store(self.store, list(events), block=True)


async def consume_outputs(
    url: KafkaUrl,
    *,
    hub: Hub,
    stop_event: asyncio.Event,
    store: ResumableStore | None = None,
    alerts: AlertSink | None = None,
    registry: FleetRegistry | None = None,
    idle_exit_s: float | None = None,
    keep_events: bool = False,
    on_status: Callable[[dict[str, Any]], None] | None = None,
    checkpoint: Path | None = None,
    resume: ConsumerCheckpoint | None = None,
    checkpoint_every_s: float = CHECKPOINT_EVERY_S,
) -> ConsumeSummary:
    """Consume until ``stop_event`` (or ``idle_exit_s`` without a message: then the fleet
    stage is drained, as at the end of a replay). With ``checkpoint``, resume from ``resume``
    (:func:`flyvakt.stream.resume.load_consumer` of that path; the store writer must have
    been opened with its ``thin``) and checkpoint there every ``checkpoint_every_s`` and at
    the end. Raises :class:`KafkaError` if the topics are missing or do not match the
    checkpoint."""
    ck = _ck()
    n_parts = _partitions(url, url.topic("positions"))
    if _partitions(url, url.topic("events")) != n_parts:
        raise KafkaError(f"{url.prefix}: positions and events have different partition counts")
    if resume is not None and (resume.prefix, resume.partitions) != (url.prefix, n_parts):
        raise KafkaError(
            f"{checkpoint}: written for topics {resume.prefix}.* with {resume.partitions} "
            f"partitions, not {url.prefix}.* with {n_parts}; use another --db or delete it"
        )
    consumer = ck.Consumer(
        {
            "bootstrap.servers": url.bootstrap,
            "group.id": f"{url.prefix}-run",  # offsets committed for monitoring (lag)
            "enable.auto.commit": False,
            "fetch.wait.max.ms": FETCH_WAIT_MS,
        }
    )
    c = _Consumer(
        url,
        hub,
        store,
        alerts,
        registry,
        keep_events,
        stage=None if registry is None else FleetStage(registry, n_parts),
        order=StoreOrder(n_parts),
    )
    if resume is not None:
        c.restore(resume)
        hub.set_tracker_table(c.view.table)
    topics = [url.topic(t) for t in ("positions", "events")]
    consumer.assign(
        [
            ck.TopicPartition(t, p, c.offsets.get((t, p), ck.OFFSET_BEGINNING))
            for t in topics
            for p in range(n_parts)
        ]
    )
    hub.register_source(f"kafka://{url.bootstrap}/{url.prefix}", {"state": "consuming"})

    saved_at: dict[tuple[str, int], int] | None = None

    async def save() -> None:
        nonlocal saved_at
        if checkpoint is None or (saved_at == c.offsets and not c.summary.ended):
            return  # nothing read since the last one
        saved_at = dict(c.offsets)
        await asyncio.to_thread(c.checkpoint, checkpoint, n_parts)
        tps = [ck.TopicPartition(t, p, o) for (t, p), o in sorted(c.offsets.items())]
        if tps:
            try:
                await asyncio.to_thread(consumer.commit, offsets=tps, asynchronous=False)
            except ck.KafkaException:
                c.summary.commit_errors += 1

    rates = _Rates(time.monotonic(), c.summary.frames, c.summary.positions)
    last_msg = last_status = last_save = time.monotonic()
    try:
        while not stop_event.is_set():
            msgs = await asyncio.to_thread(poll_batch, consumer, POLL_MESSAGES, POLL_TIMEOUT_S)
            tick = time.monotonic()
            if msgs:
                last_msg = tick
                await c.handle(msgs)
            elif idle_exit_s is not None and tick - last_msg > idle_exit_s:
                await c.drain()
                c.summary.ended = True
                break
            if tick - last_save >= checkpoint_every_s:
                last_save = tick
                await save()
            if tick - last_status >= STATUS_INTERVAL_S:
                last_status = tick
                if alerts is not None:  # failed or pending deliveries, as the engine does
                    alerts.retry_due()
                    hub.engine["alerts_pending"] = alerts.pending
                    hub.engine["alerts_sent"] = dict(alerts.sent)
                    hub.engine["alerts_failed"] = dict(alerts.failed)
                hub.engine.update(rates.update(tick, c.summary, _lag(consumer, c.offsets)))
                if on_status is not None:
                    hub.publish_status()
                    on_status(hub.status())
            await asyncio.sleep(0)
        await save()  # stopped or at the end: the next run starts here
    finally:
        with contextlib.suppress(Exception):
            consumer.close()
    return c.summary


@dataclass
class _Rates:
    """The figures ``/api/status`` and the status line show: the workers' frames per second
    and positions per second as read here, and how many messages the consumer is behind."""

    t: float
    frames: int
    positions: int

    def update(self, now: float, s: ConsumeSummary, lag: int | None) -> dict[str, Any]:
        dt = max(now - self.t, 1e-9)
        out: dict[str, Any] = {
            "frames_per_s": round((s.frames - self.frames) / dt, 1),
            "positions_per_s": round((s.positions - self.positions) / dt, 1),
            "frames": s.frames,
            "checkpoints": s.checkpoints,
        }
        if lag is not None:
            out["lag_messages"] = lag
        self.t, self.frames, self.positions = now, s.frames, s.positions
        return out


def _lag(consumer: Any, offsets: dict[tuple[str, int], int]) -> int | None:
    """Messages on the assigned partitions not read yet (from the last fetch's high
    watermarks, no broker round trip); None if the client does not know them yet."""
    ck = _ck()
    behind = 0
    try:
        for tp in consumer.assignment():
            _low, high = consumer.get_watermark_offsets(tp, cached=True)
            if high < 0:
                return None
            behind += max(0, high - offsets.get((tp.topic, tp.partition), 0))
    except ck.KafkaException:
        return None
    return behind
