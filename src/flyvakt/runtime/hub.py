"""The in-process event bus and live view shared by the engine and the HTTP server.

The engine publishes what each pipeline step produced (positions, events) and the tracker's
state table; the HTTP server reads the live aircraft list (:meth:`Hub.aircraft_now`, shaped like
readsb/tar1090 ``aircraft.json``) and subscribes to a stream of messages for websockets/SSE.

Publishers and subscribers run in one asyncio event loop; the engine's pipeline step runs in a
worker thread, between publications, holding :attr:`Hub.table_lock` while it changes the
tracker table. The loop never reads the table: the aircraft count is taken when a step is
published, and the aircraft list (:meth:`Hub.aircraft_now`, slow for thousands of aircraft) is
built in a worker thread from a copy of the live rows made under ``table_lock``, once per
batch, so a request for it never stops ingest nor the other requests. A slow subscriber never
blocks a publisher: each subscription has a bounded queue, and when it is full the message for
that subscriber is dropped and counted (``Subscription.dropped``, ``Hub.status()["drops"]``).

Message shapes (``Subscription.queue`` items)::

    {"kind": "positions", "now_s": float, "positions": [{"icao24", "time_s", "lat", "lon",
        "alt_baro", "gs", "track", "on_ground", "flight"}, ...]}
    {"kind": "event", "event": Event.to_json()}
    {"kind": "status", "status": Hub.status()}

A positions message is a :class:`SharedMessage`: its compact JSON (``json_text``) is made once
when it is published, for every subscriber's stream to send as it is.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np

from flyvakt.decode.commb import CommBLatest
from flyvakt.model import Event, PositionBatch
from flyvakt.model.batches import icao_hex_many
from flyvakt.track.table import TRACKED_FIELDS, StateTable

__all__ = ["Hub", "SharedMessage", "Subscription"]

# Why 300 s: readsb/tar1090 drop an aircraft from aircraft.json after 300 s without a message;
# the live map follows the same convention so users see the same aircraft in both.
AIRCRAFT_MAX_AGE_S = 300.0
# Why 200: the live page shows the latest events; older ones are in the store.
RECENT_EVENTS = 200

FleetOf = Callable[[int, float], list[str]]

# The table columns an aircraft.json row is built from (copied under the table lock).
_VIEW_COLUMNS = (
    "icao24", "last_seen_s", "messages", "lat_deg", "lon_deg", "pos_t", "pos_src",
    *TRACKED_FIELDS, *(f"{f}_t" for f in TRACKED_FIELDS), *(f"{f}_src" for f in TRACKED_FIELDS),
)  # fmt: skip


@dataclass(eq=False)
class Subscription:
    """One consumer's bounded queue of hub messages; ``dropped`` counts what it missed."""

    queue: asyncio.Queue[dict[str, Any]]
    dropped: int = 0

    def offer(self, msg: dict[str, Any]) -> bool:
        try:
            self.queue.put_nowait(msg)
        except asyncio.QueueFull:
            self.dropped += 1
            return False
        return True


class SharedMessage(dict[str, Any]):
    """A hub message that every subscriber gets as the same object, with its compact JSON made
    once (``json_text``: what ``json.dumps(..., separators=(",", ":"))`` gives, NaN as null).

    Why: each SSE stream made its own JSON of every positions message (``json_safe`` and
    ``json.dumps``: ~6 us per position, 16 ms per 100 ms step at 300 k msg/s), in the engine's
    process and under its GIL, for every open map. msgspec makes it in ~0.4 us per position."""

    json_text: str | None = None


_JSON = msgspec.json.Encoder()


@dataclass
class _Counters:
    batches: int = 0
    positions: int = 0
    events: int = 0
    subscriber_drops: int = 0


def _rounded(values: Any, nd: int) -> list[float | None]:
    """A column rounded to ``nd`` decimals as Python values, NaN/inf as None (JSON null)."""
    r = np.round(np.asarray(values, dtype=np.float64), nd)
    bad = ~np.isfinite(r)
    if not bad.any():
        return r.tolist()  # type: ignore[no-any-return]
    out = r.astype(object)
    out[bad] = None
    return out.tolist()  # type: ignore[no-any-return]


_ROW_KEYS = ("icao24", "time_s", "lat", "lon", "alt_baro", "gs", "track", "on_ground", "flight")


def position_rows(positions: PositionBatch) -> list[dict[str, Any]]:
    """The live "positions" message rows, built column by column (the per-fix Python work
    is one ``dict(zip(...))``: with a map open this ran for every fix of every step)."""
    cols = (
        icao_hex_many(positions.icao24),
        positions.time_s.astype(np.float64).tolist(),
        _rounded(positions.lat_deg, 5),
        _rounded(positions.lon_deg, 5),
        _rounded(positions.altitude_baro_ft, 0),
        _rounded(positions.groundspeed_kt, 1),
        _rounded(positions.track_deg, 1),
        positions.on_ground.astype(np.int64).tolist(),
        positions.callsign.tolist(),
    )
    return [dict(zip(_ROW_KEYS, vals, strict=True)) for vals in zip(*cols, strict=True)]


class Hub:
    """Live view of the engine. See the module docstring for the message shapes."""

    def __init__(
        self, fleet_of: FleetOf | None = None, *, max_age_s: float = AIRCRAFT_MAX_AGE_S
    ) -> None:
        self.fleet_of = fleet_of
        self.max_age_s = max_age_s
        self.now_s: float | None = None  # data time of the latest batch (None before any)
        self.table: StateTable | None = None
        self.recent_events: deque[dict[str, Any]] = deque(maxlen=RECENT_EVENTS)
        self.sources: dict[str, Any] = {}  # url -> TcpState (or file progress dict)
        self.commb: CommBLatest | None = None  # newest Comm-B values (set by the engine)
        self.engine: dict[str, Any] = {}  # engine-provided figures (frames/s, store drops, ...)
        self._subs: list[Subscription] = []
        self._counts = _Counters()
        self._n_aircraft = 0  # aircraft within max_age_s, counted when a step is published
        # Held by the engine's step (worker thread) while it changes the tracker table, and
        # by the aircraft list while it copies the live rows.
        self.table_lock = threading.Lock()
        # aircraft_now() of the current tick: every client polling aircraft.json between two
        # batches gets the same list, built once (20,000 aircraft take seconds in Python);
        # concurrent requests wait for the one build instead of starting their own.
        self._aircraft_cache: tuple[tuple[int, float | None], list[dict[str, Any]]] | None = None
        self._build_lock = threading.Lock()

    # -- publishers (the engine) ---------------------------------------------------------
    def publish_positions(
        self, positions: PositionBatch, now_s: float, n_aircraft: int | None = None
    ) -> None:
        """After :meth:`set_tracker_table`. ``n_aircraft``: the aircraft within ``max_age_s``,
        counted by :meth:`count_live` while the step that made ``positions`` still held
        ``table_lock`` (the live engine publishes while its next step changes the table);
        None: counted here, by a caller that holds the lock."""
        if math.isfinite(now_s):
            self.now_s = now_s if self.now_s is None else max(self.now_s, now_s)
        self._counts.batches += 1
        self._n_aircraft = (
            self.count_live(self.table, self.now_s) if n_aircraft is None else n_aircraft
        )
        self._counts.positions += len(positions)
        if not self._subs or len(positions) == 0:
            return
        msg = SharedMessage(kind="positions", now_s=self.now_s, positions=position_rows(positions))
        msg.json_text = _JSON.encode(msg).decode()
        self._broadcast(msg)

    def publish_events(
        self, events: list[Event], records: list[dict[str, Any]] | None = None
    ) -> None:
        """``records``: the events' ``to_json`` when the caller has made them already."""
        for i, ev in enumerate(events):
            self._counts.events += 1
            js = ev.to_json() if records is None else records[i]
            self.recent_events.append(js)
            self._broadcast({"kind": "event", "event": js})

    def publish_status(self) -> None:
        self._broadcast({"kind": "status", "status": self.status()})

    def set_tracker_table(self, table: StateTable) -> None:
        self.table = table

    def register_source(self, url: str, state: Any) -> None:
        self.sources[url] = state

    # -- subscribers (the HTTP server) ---------------------------------------------------
    def subscribe(self, maxsize: int = 1000) -> Subscription:
        sub = Subscription(asyncio.Queue(maxsize=maxsize))
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def _broadcast(self, msg: dict[str, Any]) -> None:
        for sub in self._subs:
            if not sub.offer(msg):
                self._counts.subscriber_drops += 1

    # -- live view -----------------------------------------------------------------------
    def aircraft_now(self, now_s: float | None = None) -> list[dict[str, Any]]:
        """Aircraft heard within ``max_age_s`` of ``now_s`` (default: data time of the hub).

        Slow for thousands of aircraft, and it waits for a running step: call it from a worker
        thread, not the event loop. The default call is cached until the next batch: treat the
        rows as read-only."""
        if now_s is None or now_s == self.now_s:
            with self._build_lock:
                key = (self._counts.batches, self.now_s)
                cached = self._aircraft_cache
                if cached is not None and cached[0] == key:
                    return cached[1]
                rows = self._aircraft_rows(key[1])
                self._aircraft_cache = (key, rows)
                return rows
        return self._aircraft_rows(now_s)

    def count_live(self, table: StateTable | None, now: float | None) -> int:
        """Aircraft of ``table`` heard within ``max_age_s`` of ``now`` (the caller holds
        ``table_lock`` or owns the table)."""
        if table is None or len(table) == 0 or now is None:
            return 0
        # The rows in no order (indexed_rows): a count needs none, and live_rows' sort by
        # arrival was most of this call (~2 ms of ~2.1 at 27,000 aircraft, every live step).
        age = now - table.cols["last_seen_s"][table.indexed_rows()]
        return int(np.count_nonzero(age <= self.max_age_s))

    def _aircraft_rows(self, now: float | None) -> list[dict[str, Any]]:
        table = self.table
        if table is None or now is None or math.isnan(now):
            return []
        with self.table_lock:  # a consistent copy of the live rows, then no lock held
            rows = table.live_rows()
            c = table.cols
            rows = rows[(now - c["last_seen_s"][rows]) <= self.max_age_s]
            view = {name: c[name][rows] for name in _VIEW_COLUMNS}
        return [self._aircraft(view, i, now) for i in range(len(rows))]

    def _aircraft(self, c: dict[str, Any], r: int, now: float) -> dict[str, Any]:
        from flyvakt.serve.convert import AircraftSnapshot, readsb_aircraft

        icao = int(c["icao24"][r])
        src = int(c["pos_src"][r])
        if src == 0:  # no position yet: the source of the most recently updated field
            latest = max(TRACKED_FIELDS, key=lambda f: float(c[f"{f}_t"][r]))
            src = int(c[f"{latest}_src"][r])
        cs = c["callsign"][r]
        snap = AircraftSnapshot(
            icao24=icao,
            last_seen_s=float(c["last_seen_s"][r]),
            source=src,
            callsign=str(cs) if cs else None,
            on_ground=int(c["on_ground"][r]),
            altitude_baro_ft=float(c["altitude_baro_ft"][r]),
            altitude_gnss_ft=float(c["altitude_gnss_ft"][r]),
            groundspeed_kt=float(c["groundspeed_kt"][r]),
            track_deg=float(c["track_deg"][r]),
            vertical_rate_fpm=float(c["vertical_rate_fpm"][r]),
            squawk=int(c["squawk"][r]),
            lat_deg=float(c["lat_deg"][r]),
            lon_deg=float(c["lon_deg"][r]),
            pos_time_s=float(c["pos_t"][r]),
            category=int(c["category"][r]),
            emergency=int(c["emergency"][r]),
            adsb_version=int(c["adsb_version"][r]),
            nac_p=int(c["nac_p"][r]),
            messages=int(c["messages"][r]),
        )
        out = readsb_aircraft(snap, now)
        if self.commb is not None:
            out.update(self.commb.readsb_fields(icao, now))
        out["fleet"] = list(self.fleet_of(icao, now)) if self.fleet_of else []
        ages: dict[str, float] = {}
        for name in TRACKED_FIELDS:
            t = float(c[f"{name}_t"][r])
            if math.isfinite(t):
                ages[name] = round(max(0.0, now - t), 1)
        if math.isfinite(float(c["pos_t"][r])):
            ages["position"] = round(max(0.0, now - float(c["pos_t"][r])), 1)
        out["field_age_s"] = ages
        return out

    def status(self) -> dict[str, Any]:
        """Counters for the status line and ``/api/status``; sources as plain dicts. Cheap:
        it never reads the tracker table (the aircraft count is taken at publication)."""
        sources: dict[str, Any] = {}
        for url, st in self.sources.items():
            if hasattr(st, "__dataclass_fields__"):
                sources[url] = {
                    k: getattr(st, k)
                    for k in (
                        "state",
                        "last_error",
                        "bytes",
                        "frames",
                        "connections",
                        "attempts",
                        "next_retry_s",
                        "last_data_s",
                        "stalls",
                        "read_timeouts",
                        "reader_restarts",
                        "queue_wait_s",
                        "skipped",
                    )
                    if hasattr(st, k)
                }
            else:
                sources[url] = dict(st)
        return {
            "now_s": self.now_s,
            "aircraft": self._n_aircraft,
            "batches": self._counts.batches,
            "positions": self._counts.positions,
            "events": self._counts.events,
            "subscribers": len(self._subs),
            "subscriber_drops": self._counts.subscriber_drops,
            "drops": int(self.engine.get("store_drops", 0)) + self._counts.subscriber_drops,
            **{k: v for k, v in self.engine.items()},
            "sources": sources,
        }
