"""``flyvakt run --from kafka://...``: the workers' outputs into the store, the map and alerts.

Reads every partition of ``<prefix>.positions`` and ``<prefix>.events`` from the start of
what the topics retain (no committed offsets: the store's unique keys make a re-read harmless,
and the fleet stage's state is rebuilt from it), and:

- positions go to the store, the hub (live map) and the map's aircraft table
  (:class:`flyvakt.stream.view.PositionView`) as they arrive;
- per-aircraft events, tagged with their fleets, are taken once by id and go to the store, the
  hub and the alert rules as they arrive;
- the fleet stage (:class:`flyvakt.stream.fleetstage.FleetStage`) aligns the partitions on
  their watermarks and adds the fleet events, in time order, whatever order the partitions
  arrive in.

The web service on top is the one ``flyvakt run`` serves: it reads the store and the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from flyvakt.model import Event, PositionBatch
from flyvakt.pipeline import tag_fleets
from flyvakt.runtime.engine import offer_to_store
from flyvakt.runtime.hub import Hub
from flyvakt.stream.fleetstage import FleetStage, SeenIds
from flyvakt.stream.kafka import (
    FETCH_WAIT_MS,
    KafkaError,
    KafkaUrl,
    _ck,
    _partitions,
    poll_batch,
)
from flyvakt.stream.view import PositionView
from flyvakt.stream.wire import decode_positions, positions_watermark, read_event_record

if TYPE_CHECKING:
    from flyvakt.fleets.registry import FleetRegistry

__all__ = ["ConsumeSummary", "consume_outputs"]

# Why 2,000 messages per poll: positions messages are whole worker batches (up to thousands
# of fixes each), events are small; 2,000 keeps one poll's work well under a second.
POLL_MESSAGES = 2000
# Why 0.1 s: how long an idle consumer waits before it looks at the stop flag and the status
# timer again (a message that arrives is taken at once: kafka.poll_batch).
POLL_TIMEOUT_S = 0.1
STATUS_INTERVAL_S = 5.0  # Why 5 s: as the in-process engine's status line.


class StoreSink(Protocol):
    """What this consumer needs of the store writer (:class:`flyvakt.store.StoreWriter`)."""

    drops: int

    def offer(self, item: Any) -> bool: ...

    def close(self) -> None: ...


class AlertSink(Protocol):
    """What this consumer needs of the alert manager (:class:`flyvakt.alerts.AlertManager`)."""

    def submit(self, events: list[Event]) -> Any: ...

    async def drain(self, timeout_s: float = 30.0) -> None: ...


@dataclass
class ConsumeSummary:
    messages: int = 0
    positions: int = 0
    events: int = 0  # per-aircraft events taken (duplicates by id not counted)
    duplicates: int = 0  # events read again (a worker re-processed after a kill)
    fleet_events: int = 0
    late: int = 0  # outputs that reached the fleet stage after their cell
    store_drops: int = 0
    all_events: list[Event] = field(default_factory=list)  # kept when keep_events


@dataclass
class _Consumer:
    url: KafkaUrl
    hub: Hub
    store: StoreSink | None
    alerts: AlertSink | None
    registry: FleetRegistry | None
    keep_events: bool
    summary: ConsumeSummary = field(default_factory=ConsumeSummary)
    view: PositionView = field(default_factory=PositionView)
    seen: SeenIds = field(default_factory=SeenIds)
    stage: FleetStage | None = None

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
            if m.topic() == pos_topic:
                batch = decode_positions(m.value())
                wm = positions_watermark(m.value())  # None: more pieces of the batch follow
                if wm is not None:
                    now = max(now, wm)
                positions.append(batch)
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
        await self.publish(PositionBatch.concat(positions) if positions else None, events, now)

    async def drain(self) -> None:
        """All outputs read (a batch job's end): the fleet stage's last cells too."""
        if self.stage is not None:
            fleet = self.stage.drain()
            self.summary.fleet_events += len(fleet)
            await self.publish(None, fleet, -math.inf)

    async def publish(self, pos: PositionBatch | None, events: list[Event], now: float) -> None:
        hub = self.hub
        if self.store is not None:  # in a worker thread: the store's write-ahead log fsyncs
            await asyncio.to_thread(self._store, pos, events)
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
        if pos is not None and len(pos):
            offer_to_store(self.store, pos, block=True)
        if events:
            offer_to_store(self.store, list(events), block=True)


async def consume_outputs(
    url: KafkaUrl,
    *,
    hub: Hub,
    stop_event: asyncio.Event,
    store: StoreSink | None = None,
    alerts: AlertSink | None = None,
    registry: FleetRegistry | None = None,
    idle_exit_s: float | None = None,
    keep_events: bool = False,
    on_status: Callable[[dict[str, Any]], None] | None = None,
) -> ConsumeSummary:
    """Consume until ``stop_event`` (or ``idle_exit_s`` without a message: then the fleet
    stage is drained, as at the end of a replay). Raises :class:`KafkaError` if the topics
    are missing."""
    ck = _ck()
    n_parts = _partitions(url, url.topic("positions"))
    if _partitions(url, url.topic("events")) != n_parts:
        raise KafkaError(f"{url.prefix}: positions and events have different partition counts")
    consumer = ck.Consumer(
        {
            "bootstrap.servers": url.bootstrap,
            "group.id": f"{url.prefix}-run",  # required by the client; offsets are not used
            "enable.auto.commit": False,
            "fetch.wait.max.ms": FETCH_WAIT_MS,
        }
    )
    consumer.assign(
        [
            ck.TopicPartition(url.topic(t), p, ck.OFFSET_BEGINNING)
            for t in ("positions", "events")
            for p in range(n_parts)
        ]
    )
    c = _Consumer(
        url,
        hub,
        store,
        alerts,
        registry,
        keep_events,
        stage=None if registry is None else FleetStage(registry, n_parts),
    )
    hub.register_source(f"kafka://{url.bootstrap}/{url.prefix}", {"state": "consuming"})
    last_msg = last_status = time.monotonic()
    try:
        while not stop_event.is_set():
            msgs = await asyncio.to_thread(poll_batch, consumer, POLL_MESSAGES, POLL_TIMEOUT_S)
            tick = time.monotonic()
            if msgs:
                last_msg = tick
                await c.handle(msgs)
            elif idle_exit_s is not None and tick - last_msg > idle_exit_s:
                await c.drain()
                break
            if on_status is not None and tick - last_status >= STATUS_INTERVAL_S:
                last_status = tick
                hub.publish_status()
                on_status(hub.status())
            await asyncio.sleep(0)
    finally:
        with contextlib.suppress(Exception):
            consumer.close()
    return c.summary
