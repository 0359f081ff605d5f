"""The live engine (adapter): sources → pure pipeline step → hub, store and alerts.

``await run_engine(["beast+tcp://host:30005", "rec.jsonl.gz"], db_path=..., hub=hub,
stop_event=ev, clock=time.time)`` runs until ``stop_event`` is set, or, when every source is a
file, until the files are replayed.

- TCP sources each run :func:`flyvakt.sources.stream_tcp` (reconnecting independently); their
  frames gather in a buffer that a ticker turns into one pipeline step every
  ``batch_interval_s`` (~100 ms) under load, down to 50 ms when the steps leave the engine
  idle (:mod:`flyvakt.runtime.cadence`), frames of all feeds merged in time order.
- File sources are replayed one after another at ``speed`` × real time by their own
  timestamps (``speed`` None or 0: as fast as possible), in batches of ``file_batch_frames``
  frames, cut further (when paced) where data time crosses a multiple of one tick's worth of
  data, so the map moves every ~100 ms. The cuts depend on the data only, never on the wall
  clock, and the pipeline's results do not depend on where batches are cut (a paced replay
  of the bundled recording stores exactly the rows a fast one does; see the restart test).
- Each step's positions and events go to the hub, to the store writer (live: ``offer`` never
  blocks, drops are counted and shown in the status; files only: the replay waits for the
  disk instead, since a file can always be read later), and events to the alert manager.
- The step runs in a worker thread (holding the hub's ``table_lock``), and the store's
  write-ahead (an fsync per batch) too, so the event loop stays free for the feeds and the HTTP
  server: a request never waits for a step, and a slow request never stops ingest. Steps stay
  one at a time and in order (``_Engine.lock``); the hub is told of a step's positions and
  events only after they are in the store's write-ahead, so whatever ``/api/status``
  acknowledges survives a ``kill -9``. That hand-off (write-ahead fsyncs, hub) of one step
  runs while the next step computes; at most one is in flight, and they stay in step order.
- On stop: TCP readers hand over their last frames, the buffer is drained through the pipeline,
  the store is closed cleanly (pending thinned fixes written, WAL checkpointed). The detector's
  ``finish`` is called only when all file sources ended on their own with no live feed: a live
  aircraft may still be flying.

The wall clock is read only here and in the TCP reader, through the ``clock`` argument.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from flyvakt.decode.ahead import DecodedFrames, decode_frames
from flyvakt.decode.commb import READSB_COMMB_KEYS
from flyvakt.model import Event, FrameBatch, ObservationBatch, PositionBatch
from flyvakt.pipeline import PipelineState, StepOutput, finish, flush
from flyvakt.runtime.budget import (
    MAX_LATENCY_S,
    MAX_STEP_FRAMES,
    SLOW_WINDOW_STEPS,
    TICK_SHARE,
    StepBudget,
)
from flyvakt.runtime.cadence import TickPlan
from flyvakt.runtime.filefeed import replay_into
from flyvakt.runtime.guard import describe_batch, guarded_step
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.intake import MAX_BUFFER_FRAMES as MAX_BUFFER_FRAMES
from flyvakt.runtime.intake import LiveBatch, LiveIntake
from flyvakt.runtime.seams import AlertSink, StoreSink
from flyvakt.sources import TcpState, open_source, stream_tcp
from flyvakt.store.records import CommBColumns, EventRows
from flyvakt.store.sql import event_row

if TYPE_CHECKING:
    from flyvakt.fleets.registry import FleetRegistry
    from flyvakt.store import RetentionSettings, StoreWriter
    from flyvakt.store.writerproc import StoreWriterProcess

__all__ = ["EngineSummary", "run_engine"]

log = logging.getLogger("flyvakt.runtime")

# Why 2 ms: between back-to-back steps, the pause in which the feeds are read; a few loop
# turns, enough for the TCP readers to drain what the kernel queued during the step.
FEED_TURN_S = 0.002
# Why 10 ms: how long a file replay waits before offering again to a full store queue; short
# enough to keep the disk busy, long enough not to spin.
STORE_RETRY_S = 0.01
# Why 5 s: the status line interval asked for in the CLI; frequent enough to show life.
STATUS_INTERVAL_S = 5.0

# Why 10 s (the engine's timer): how often the newest Comm-B values go to the store. Sent every
# step (10 a second live) they were a quarter of the store writer's CPU at 300 k msg/s (an
# upsert per aircraft and key, most overwritten within the second); every 2 s still 40 % of it
# at 500 k msg/s (19,000 aircraft: ~125 k upserted rows per drain, 5-13 us each). The table
# keeps only the newest value per key, so a rarer update loses nothing but 10 s of freshness
# after a crash (a stored aircraft.json shows values up to COMMB_MAX_AGE_S = 60 s old).
# Wall time, not data time: a replay's data clock runs far faster than the wall (the live
# benchmark's dense corpus ~100x at 500 k/s), and freshness is a wall-clock matter. Always at
# stop.
COMMB_STORE_EVERY_S = 10.0
_COMMB_NAMES = tuple(name for name, _, _ in READSB_COMMB_KEYS)

# Why 60 s: how often the heap's free pages are given back (runtime.memory.trim_heap). A trim
# walks the heap (a few ms for ~100 MB); once a minute bounds what freed NumPy arrays leave
# behind (~3 MB a minute at 20 k frames/s on the soak) at a negligible cost.
TRIM_EVERY_S = 60.0

OnStatus = Callable[[dict[str, Any]], None]
_B = TypeVar("_B", FrameBatch, DecodedFrames, ObservationBatch)
# How TCP feeds are read: in a child process each (the service's default) or in this loop.
FEED_READERS = ("process", "inline")
# Where the store's SQLite work runs: a child process (the service's default) or a thread here.
STORE_WRITERS = ("process", "thread")


@dataclass
class EngineSummary:
    """What a run did (returned by :func:`run_engine`)."""

    frames: int = 0
    steps: int = 0
    positions: int = 0
    events: list[Event] = field(default_factory=list)
    store_drops: int = 0
    store_errors: dict[str, int] = field(default_factory=dict)
    files_done: bool = False
    finished: bool = False  # detector.finish was called (files only, all replayed)
    source_skipped: dict[str, int] = field(default_factory=dict)
    step_errors: int = 0  # batches that failed (logged with their records, skipped)
    buffer_drops: int = 0  # live frames shed: they could not reach the API in max_latency_s
    store_restarts: int = 0  # store writer processes that died and were restarted
    store_cpu_s: float = 0.0  # CPU seconds of the store writer processes (0 for the thread)


class _Engine(LiveIntake):
    """The engine's state and its step (the live buffer and its shedding: :class:`LiveIntake`)."""

    summary: EngineSummary

    def __init__(
        self,
        *,
        hub: Hub,
        store: StoreSink | None,
        block_on_store: bool,
        registry: FleetRegistry | None,
        alerts: AlertSink | None,
        keep_events: bool,
        timer: Callable[[], float] = time.perf_counter,
        step_budget_s: float = 0.1,
        max_latency_s: float = MAX_LATENCY_S,
    ) -> None:
        from flyvakt.runtime.setup import make_detector, tracker_config

        self.hub = hub
        self.store = store
        self.block_on_store = block_on_store
        self.alerts = alerts
        self.keep_events = keep_events
        self.cfg = tracker_config()
        # With a fleets file the detector also emits fleet events (runtime.setup).
        self.detector = make_detector(registry=registry)
        self.state = PipelineState()
        self.summary = EngineSummary()
        self.lock = asyncio.Lock()
        # Live frames waiting for a step, with the timer reading when each batch arrived.
        self.buffer: deque[tuple[float, LiveBatch]] = deque()
        self.buffered = 0
        self.timer = timer
        self.budget = StepBudget(step_budget_s)
        self.max_latency_s = max_latency_s
        # The last steps' hand-off times (store write-ahead, hub), for publish_s.
        self.handoffs_s: deque[float] = deque(maxlen=SLOW_WINDOW_STEPS)
        hub.engine["max_latency_s"] = max_latency_s
        self.commb_stored_s = -math.inf  # timer reading at the last Comm-B drain to the store
        self.handoff: asyncio.Task[None] | None = None  # the last step's store and hub hand-off
        self.publish_errors = 0  # failed hand-offs not yet in state.stats.step_errors

    async def flush_buffer(self, *, everything: bool = False) -> None:
        """One step per kind over the buffered frames, oldest first: all of them up to
        :meth:`live_limit` (``everything``: all, at shutdown); frames that cannot reach the
        API within ``max_latency_s`` are shed first (:meth:`shed_late`; never at shutdown).

        Why all that waits, not one step's budget: the frames have been received already, and
        a step's fixed cost (~10 ms) is paid once for them; capped steps under load spent a
        third of their time on it and shed the rest. The wait stays bounded: what is left
        after shedding is predicted to be published within the bound."""
        parts = self.take_buffered(everything=everything)
        frames = [p for p in parts if isinstance(p, FrameBatch)]
        decoded = [p for p in parts if isinstance(p, DecodedFrames)]
        obs = [p for p in parts if isinstance(p, ObservationBatch)]
        if frames and decoded:  # feeds read both ways: decoded here too, merged in time order
            decoded += [decode_frames(p) for p in frames]
            frames = []
        if frames:
            await self.process(_in_time_order(FrameBatch.concat(frames)))
        if decoded:
            await self.process(_in_time_order(DecodedFrames.concat(decoded)))
        if obs:
            await self.process(_in_time_order(ObservationBatch.concat(obs)))

    async def tick_loop(self, stop: asyncio.Event, interval_s: float) -> None:
        """Live steps: one per tick (counted from the start of the last one), or back to back
        when a step took longer (the feeds read in between), until ``stop``. The tick is
        ``interval_s`` under load and down to MIN_TICK_S when the steps leave the engine idle
        (:class:`flyvakt.runtime.cadence.TickPlan`); at most TICK_SHARE of the latency bound.
        A step starts before its tick when waiting longer would make the oldest frames late
        (:meth:`start_in_s`, EARLY_SHARE of the bound): taken in time rather than shed."""
        plan = TickPlan(min(interval_s, TICK_SHARE * (self.max_latency_s or math.inf)))
        last = self.timer()
        while not stop.is_set():
            now = self.timer()
            wait = plan.interval_s - (now - last)
            # inf unless frames wait that could become late; never sooner than the shortest
            # tick after the last step (MIN_TICK_S: the most fixed cost a second the plan pays)
            early = max(self.start_in_s(now), plan.min_s - (now - last))
            if wait > FEED_TURN_S and early > FEED_TURN_S:
                if early < wait:  # looked at again halfway: frames arriving meanwhile count
                    await _unless_stopped(stop, max(early / 2, FEED_TURN_S))
                    continue
                await _unless_stopped(stop, wait)
            else:
                await asyncio.sleep(FEED_TURN_S)
            last = self.timer()
            await self.flush_buffer()
            plan.observe(self.timer() - last)
            self.hub.engine["tick_s"] = plan.interval_s

    # -- the step ------------------------------------------------------------------------
    async def process(self, batch: LiveBatch) -> None:
        """One pipeline step. A batch that fails is logged with its records, counted and
        skipped: one bad record must never stop the service (the loop goes on)."""
        async with self.lock:
            if not isinstance(batch, ObservationBatch):  # frames, raw or decoded ahead
                self.summary.frames += len(batch)
                self.hub.engine["frames"] = self.summary.frames  # live, not per status tick
            t0 = self.timer()
            out, commb, now_s, n_aircraft = await asyncio.to_thread(self._step, batch)
            self.summary.steps += 1
            # The step's own cost: its hand-off overlaps the next step.
            self.budget.observe(len(batch), self.timer() - t0)
            self.hub.engine["step_frames"] = len(batch)
            await self.handed_off()  # the previous step's first: in order, one in flight
            self.handoff = asyncio.create_task(self._hand_off(batch, out, commb, now_s, n_aircraft))

    async def handed_off(self) -> None:
        """Wait for the last step's hand-off to the store and the hub (it never raises); with
        ``lock`` held, so its errors join the pipeline's count while no step runs."""
        if self.handoff is not None:
            await self.handoff
            self.handoff = None
        self.state.stats.step_errors += self.publish_errors
        self.publish_errors = 0

    async def _hand_off(
        self,
        batch: Any,
        out: StepOutput,
        commb: CommBColumns | None,
        now_s: float,
        n_aircraft: int | None = None,
    ) -> None:
        """A step's output to the store's write-ahead (worker thread: fsyncs), then to the hub
        and the alerts. A sink that fails must not stop ingest either: logged and counted."""
        t0 = self.timer()
        try:
            records = await asyncio.to_thread(self._store, out.positions, out.events, commb)
            self._publish(out.positions, out.events, records, now_s, n_aircraft)
            self.handoffs_s.append(self.timer() - t0)
        except Exception:
            self.publish_errors += 1
            log.exception("publishing a step failed: %s", describe_batch(batch))
        self.summary.step_errors = self.state.stats.step_errors + self.publish_errors
        self.hub.engine["step_errors"] = self.summary.step_errors

    def _step(self, batch: LiveBatch) -> tuple[StepOutput, CommBColumns | None, float, int]:
        """The pipeline step (worker thread, holding the hub's table lock); with the Comm-B
        values for the store when due, the data time and the number of aircraft the hub
        shows, taken before the next step runs (the hand-off overlaps it)."""
        hub = self.hub
        with hub.table_lock:
            self.state, out = guarded_step(self.state, batch, self.cfg, self.detector)
            now_s = self.state.data_through_s
            seen = hub.now_s  # the hub's data time then is the later of the two
            if math.isfinite(now_s):
                seen = now_s if seen is None else max(seen, now_s)
            n = hub.count_live(self.state.tracker.table, seen)
            return out, self._commb_due(False), now_s, n

    async def finish(self) -> None:
        async with self.lock:
            await self.handed_off()
            # Records the edge validator held back go through first (flyvakt.validate).
            self.state, out = await asyncio.to_thread(flush, self.state, self.cfg, self.detector)
            events = out.events + await asyncio.to_thread(finish, self.state, self.detector)
            self.summary.finished = True
            commb = self._commb_due(True)
            records = await asyncio.to_thread(self._store, out.positions, events, commb)
            self._publish(out.positions, events, records, self.state.data_through_s)

    def _store(
        self, positions: PositionBatch, events: list[Event], commb: CommBColumns | None = None
    ) -> list[dict[str, Any]] | None:
        """Hand a step's output to the store (worker thread: the write-ahead fsyncs); the
        events' JSON records, made once for the store and the hub (None without a store)."""
        if self.store is None:
            return None
        if len(positions):
            self._offer(positions)
        rows = [event_row(e) for e in events]
        if rows:
            self._offer(EventRows(tuple(rows)))
        if commb is not None:
            self._offer(commb)
        self.summary.store_drops = int(self.store.drops)
        return [r["record"] for r in rows]

    def _commb_due(self, force: bool) -> CommBColumns | None:
        """The newest Comm-B values, so a stored aircraft.json shows them too: every
        COMMB_STORE_EVERY_S (the engine's timer), and whenever ``force`` (at stop)."""
        now = self.timer()
        due = force or now - self.commb_stored_s >= COMMB_STORE_EVERY_S
        if self.store is None or not due:
            return None
        self.commb_stored_s = now
        cols = self.state.commb.drain_columns(self.state.tracker.table.rows)
        return CommBColumns(*cols, _COMMB_NAMES) if len(cols[0]) else None

    async def store_commb_now(self) -> None:
        """At stop: the Comm-B values not yet sent (after the last step's hand-off)."""
        async with self.lock:
            await self.handed_off()
            commb = self._commb_due(True)
            if commb is not None:
                await asyncio.to_thread(self._offer, commb)

    def _publish(
        self,
        positions: PositionBatch,
        events: list[Event],
        records: list[dict[str, Any]] | None = None,
        now: float = math.nan,
        n_aircraft: int | None = None,
    ) -> None:
        """Tell the hub and the alerts (event loop); ``records``: the events' JSON if made
        already (:meth:`_store`); ``now``: the step's data time; ``n_aircraft``: the hub's
        count made by the step under the table lock (None: no step can be running)."""
        self.summary.positions += len(positions)
        hub = self.hub
        hub.set_tracker_table(self.state.tracker.table)
        hub.commb = self.state.commb
        hub.publish_positions(positions, now if math.isfinite(now) else math.nan, n_aircraft)
        if events:
            hub.publish_events(events, records)
            if self.keep_events:
                self.summary.events.extend(events)
        if self.store is not None:
            hub.engine["store_drops"] = self.summary.store_drops
        if self.alerts is not None:  # every step: a held repeat landing falls due by data time
            self.alerts.submit(events, None if math.isnan(now) else now)

    def _offer(self, item: Any) -> None:
        """Offer to the store (worker thread): live, a full queue counts a drop; files wait."""
        if self.store is not None:
            offer_to_store(self.store, item, block=self.block_on_store)


async def _unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _in_time_order(batch: _B) -> _B:
    """``batch`` stably sorted by time; as it is when already in order (one feed's frames
    usually are): the copy of every column cost more than the check."""
    t = batch.time_s
    if len(t) < 2 or bool((t[1:] >= t[:-1]).all()):
        return batch
    return batch.take(np.argsort(t, kind="stable"))


def offer_to_store(store: StoreSink, item: Any, *, block: bool) -> None:
    """Offer ``item`` to the store writer's queue (call from a worker thread); when it is
    full, ``block``: wait (files, Kafka: the input can wait), else count a drop."""
    while not store.offer(item):
        if not block:
            return  # counted in store.drops
        store.drops -= 1  # waited, not dropped
        time.sleep(STORE_RETRY_S)


def publish_pipeline_counters(hub: Hub, state: PipelineState) -> None:
    """What the pipeline dropped, per stage and reason, for /api/status and /metrics."""
    st = state.stats
    hub.engine["edge_dropped"] = dict(st.edge_dropped)
    hub.engine["decode_dropped"] = dict(st.decode_dropped)
    hub.engine["track_rejected"] = dict(st.track_rejected)
    hub.engine["step_errors"] = st.step_errors
    hub.engine["aircraft_tracked"] = len(state.tracker.table)
    hub.engine["aircraft_expired"] = st.expired


async def run_engine(
    sources: list[str],
    *,
    db_path: str | None,
    fleets_path: str | None = None,
    registry: FleetRegistry | None = None,
    hub: Hub,
    stop_event: asyncio.Event,
    clock: Callable[[], float],
    batch_interval_s: float = 0.1,
    speed: float | None = None,
    on_status: OnStatus | None = None,
    status_interval_s: float = STATUS_INTERVAL_S,
    alerts: AlertSink | None = None,
    store_queue_size: int | None = None,
    file_batch_frames: int | None = None,
    keep_events: bool = False,
    tcp_options: dict[str, Any] | None = None,
    retention: RetentionSettings | None = None,
    timer: Callable[[], float] = time.perf_counter,
    feed_reader: str = "inline",
    store_writer: str = "thread",
    max_latency_s: float = MAX_LATENCY_S,
    decode_ahead: bool = False,
) -> EngineSummary:
    """Run the sources through the pipeline until stopped (or until all files are replayed).

    ``feed_reader``: "inline" reads TCP feeds in this event loop (through ``clock``);
    "process" reads each in a child process (:mod:`flyvakt.sources.feedproc`, wall clock),
    which keeps socket reading and framing off this process's CPU and GIL. ``store_writer``:
    "thread" writes the store from a thread here, "process" from a child process
    (:mod:`flyvakt.store.writerproc`: the SQLite work off this process's CPU and GIL).
    ``max_latency_s``: live frames that cannot reach the hub within this many seconds of their
    arrival are shed and counted (``buffer_drops``; see MAX_LATENCY_S); 0: no bound (only
    MAX_BUFFER_FRAMES waiting sheds the oldest).
    ``decode_ahead`` (with ``feed_reader="process"``): the reader processes decode the frames
    too (:mod:`flyvakt.decode.ahead`; exactly the same results), taking ~0.2 us a frame off
    this process's step for ~0.1 more of unpickling here and ~0.3 more in the reader. Off by
    default: measured on the shared 2-core machine (session 14, load ~5) the reader process
    then fell behind and its frames arrived too late to step (see docs/performance.md).

    Raises :class:`flyvakt.sources.SourceFormatError` for a source URL that cannot be used,
    before anything starts. The fleet registry is ``registry`` if given (loaded once by the
    caller and shared with the hub), else loaded from ``fleets_path``.
    """
    if feed_reader not in FEED_READERS:
        raise ValueError(f"feed_reader must be one of {', '.join(FEED_READERS)}: {feed_reader!r}")
    if store_writer not in STORE_WRITERS:
        raise ValueError(f"store_writer: one of {', '.join(STORE_WRITERS)}, not {store_writer!r}")
    if not (max_latency_s >= 0 and math.isfinite(max_latency_s)):
        raise ValueError(f"max_latency_s: seconds, 0 for no bound, not {max_latency_s!r}")
    if registry is None and fleets_path:
        from flyvakt.fleets import load_fleets

        registry = load_fleets(fleets_path)
    specs = [open_source(u) for u in sources]
    tcp_urls = [s.url for s in specs if s.is_tcp]
    file_urls = [s.url for s in specs if not s.is_tcp]
    store: StoreWriter | StoreWriterProcess | None = None
    if db_path:
        from flyvakt.store import StoreWriter
        from flyvakt.store.writerproc import StoreWriterProcess

        writer_cls: type[StoreWriter | StoreWriterProcess] = (
            StoreWriterProcess if store_writer == "process" else StoreWriter
        )
        store = (
            writer_cls(db_path, queue_size=store_queue_size, retention=retention)
            if store_queue_size
            else writer_cls(db_path, retention=retention)
        )
    eng = _Engine(
        hub=hub,
        store=store,
        block_on_store=not tcp_urls,
        registry=registry,
        alerts=alerts,
        keep_events=keep_events,
        timer=timer,
        step_budget_s=batch_interval_s,
        max_latency_s=max_latency_s,
    )
    if tcp_urls:
        # Before any feed is read: what the first steps would otherwise load mid-step.
        from flyvakt.runtime.setup import warm_up

        await asyncio.to_thread(warm_up)
    tcp_tasks: list[asyncio.Task[TcpState]] = []
    for url in tcp_urls:
        st = TcpState(url=url)
        hub.register_source(url, st)
        if feed_reader == "process":
            from flyvakt.sources.feedproc import FeedProcess

            # The child drops what waited past the bound too (it would only be shed here);
            # without a bound, only what its frame count bounds (OUTBOX_MAX_FRAMES).
            age = max_latency_s if max_latency_s > 0 else math.inf
            opts = {"outbox_max_age_s": age, "decode": decode_ahead, **(tcp_options or {})}
            fp = FeedProcess(url, st, eng.on_live_batch, eng.on_reader_drop, options=opts)
            tcp_tasks.append(asyncio.create_task(fp.run(stop_event)))
            continue

        def on_inline(batch: Any, st: TcpState = st) -> None:  # aged by its wait in the socket
            eng.on_live_batch(batch, st.queue_wait_s)

        tcp_tasks.append(
            asyncio.create_task(
                stream_tcp(
                    url,
                    on_inline,
                    clock,
                    stop_event=stop_event,
                    state=st,
                    **(tcp_options or {}),
                )
            )
        )
    files_task: asyncio.Task[None] | None = None
    if file_urls:
        files_task = asyncio.create_task(
            replay_into(
                eng,
                file_urls,
                speed=speed if speed and speed > 0 else None,
                stop_event=stop_event,
                clock=clock,
                hub=hub,
                batch_frames=file_batch_frames,
                tick_s=batch_interval_s,
                max_step_frames=MAX_STEP_FRAMES,
            )
        )
    ticker_stop = asyncio.Event()

    async def ticker() -> None:
        await eng.tick_loop(ticker_stop, batch_interval_s)

    async def status_loop() -> None:
        from flyvakt.runtime.memory import memory_figures, trim_heap

        last_t, last_frames = clock(), 0
        last_trim = last_t
        while not ticker_stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ticker_stop.wait(), timeout=status_interval_s)
            now = clock()
            frames = eng.summary.frames
            dt = max(now - last_t, 1e-9)
            hub.engine["frames_per_s"] = round((frames - last_frames) / dt, 1)
            hub.engine["frames"] = frames
            last_t, last_frames = now, frames
            async with eng.lock:  # not while a step changes the counters (worker thread)
                publish_pipeline_counters(hub, eng.state)
            if alerts is not None:
                alerts.retry_due()
                hub.engine["alerts_pending"] = alerts.pending
                hub.engine["alerts_sent"] = dict(alerts.sent)
                hub.engine["alerts_failed"] = dict(alerts.failed)
            if now - last_trim >= TRIM_EVERY_S:
                last_trim = now
                await asyncio.to_thread(trim_heap)
            hub.engine.update(memory_figures())
            if store is not None:
                hub.engine["store_cache_kib"] = store.cache_kib
                hub.engine["store_restarts"] = getattr(store, "restarts", 0)
            hub.publish_status()
            if on_status is not None and not ticker_stop.is_set():
                on_status(hub.status())

    tick_task = asyncio.create_task(ticker())
    status_task = asyncio.create_task(status_loop())
    try:
        if tcp_tasks:
            await stop_event.wait()
        elif files_task is not None:
            stop_wait = asyncio.create_task(stop_event.wait())
            await asyncio.wait({files_task, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            stop_wait.cancel()
        else:
            await stop_event.wait()
        if files_task is not None:
            await files_task  # re-raises a source error; stops at its next batch when stopped
            eng.summary.files_done = not stop_event.is_set()
        for t in tcp_tasks:
            await t  # each hands over the frames it received before returning
    finally:
        ticker_stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await tick_task
            await status_task
        if files_task is not None and not files_task.done():
            files_task.cancel()
        for t in tcp_tasks:
            if not t.done():
                t.cancel()
        try:
            await eng.flush_buffer(everything=True)
            if eng.summary.files_done and not tcp_urls:
                await eng.finish()
            else:
                await eng.store_commb_now()
            if alerts is not None:
                await alerts.drain()
        finally:
            if store is not None:
                await asyncio.to_thread(store.close)
                eng.summary.store_drops = int(store.drops)
                eng.summary.store_errors = dict(store.errors)
                eng.summary.store_restarts = getattr(store, "restarts", 0)
                eng.summary.store_cpu_s = getattr(store, "child_cpu_s", 0.0)
    hub.engine["frames"] = eng.summary.frames
    return eng.summary
