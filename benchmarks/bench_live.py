"""Live speed: ``flyvakt run beast+tcp://`` fed by a peer process at fixed rates; frame -> API
latency measured from when the peer was due to send each frame.

Corpora (SYNTHETIC, built from REAL frames: the AFR34ZG recording re-addressed, every frame kept
CRC-valid, plus DF11 all-calls so that the DF mix is a real receiver's, as ``bench_pipeline``):

- ``--corpus timed`` (default): a feed a receiver could produce. Each virtual aircraft is a
  random stretch of the real flight, heard at the recording's own message rate (12.1 frames/s
  of DF0/4/5/16/17/20/21, plus DF11 all-calls at half that: ~18 frames/s per aircraft); there
  are as many aircraft as the offered rate needs (rate / ~18: ~5,500 at 100 k/s, ~27,600 at
  500 k/s). The aircraft's frames are merged in the order their real times interleave, and
  frame k is then stamped ``t0 + k / rate``: the data clock (the Beast counter the engine reads)
  advances exactly with the wall clock at the peer's sending rate. One corpus per rate.
- ``--corpus dense`` (the corpus of earlier sessions): ``--aircraft`` aircraft, each heard for
  its first few hundred frames (each from the same t0, so their DF0-21 frames fill the first
  ~45 s of data time) and DF11 all-calls spread over 600 s; one corpus for all rates. Its data
  clock is not the wall's and is uneven (printed per rate, for 5 s: 1.5x at 100 k/s, 4x at
  200 k/s, 9.5x at 300 k/s, ~100x at 500 k/s, where the run's last seconds are mostly DF11):
  work scheduled by data time (the expiry scan every 60 s of data, the detector's sweeps, the
  store's thinning horizon) runs that much more often per wall second than at any receiver.
  Kept for comparison with earlier figures.
- ``--corpus both``: per rate, the timed corpus then the dense one (alternating, same run).

Why: the live path's cost per wall second depends on how fast the data clock runs, not only on
the frame rate; a corpus whose data time runs 100x the wall measures a feed no receiver sends.
What the timed corpus does not show: every aircraft is new in the run's first second (a
restart's burst), and nothing expires within a 5 s run.

Each corpus is written as Beast once; the peer (a separate process, as readsb would be) reads
the bytes and the frame boundaries up front and only calls ``sendall`` on pre-cut slices: at
each 5 ms turn it sends every whole frame due by then (frame k is due at ``t0 + k / rate``).
Enough frames for ``--seconds`` at the rate, none sent twice.

    .venv/bin/python benchmarks/bench_live.py [--rates 100000,200000,300000,500000] [--seconds 5]
        [--corpus timed|dense|both] [--aircraft 5000] [--reader process|inline]
        [--store | --no-store] [--store-writer process|thread] [--subscribers 0]

The engine runs in this process exactly as ``flyvakt run`` runs it (``run_engine``, store in a
temporary directory unless ``--no-store``, no HTTP server). Per rate it prints:
- what the peer achieved, and how long its ``sendall`` was blocked (TCP backpressure: a
  stalled sender is what shedding must prevent);
- frames published to the hub per second while the peer sent, and those published after it
  stopped (still in flight at its end: about the latency times the rate); frames shed
  (counted); every frame the peer sent is published, shed or "unaccounted" (should be 0);
- frame -> API latency p50 / p99 / max: from the frame's due time at the peer to the moment
  the step that holds it has been published to the hub (what /api/status and the next
  aircraft.json reflect), over every frame published while the feed ran (shed frames have no
  latency, they count as shed; frames the drain at stop published are counted apart); split
  at the engine's idea of each batch's arrival (the reader's receipt less its estimate of the
  bytes' wait in the socket's buffers, sources/queuewait.py; the bare receipt for an engine
  older than session 8): "to the reader" (due -> that arrival: the peer's own lag and the
  estimate's shortfall) and "from it" (what the latency bound governs);
- CPU seconds of this process, of the store writer process, the reader and the peer, the
  engine process's CPU µs per frame it stepped (with its warm-up before the feed, ~0.6 s), of
  it the pipeline steps' own (their worker thread's CPU, per frame stepped: what a replay's
  step costs too), the writer's and the reader's per frame sent
  (in brackets), and the machine's load average (the machine is shared: figures move with the
  neighbours).
The ceiling is the highest offered rate with nothing shed and p99 < 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import build_corpus, load_recording, readdress

from flyvakt.model import FrameBatch
from flyvakt.sources.beast import encode_beast

# The peer: listens, prints its port, accepts one client, prints t0 (CLOCK_MONOTONIC, the same
# clock in every process on Linux), then sends whole frames on schedule from pre-cut bytes.
_PEER = """
import socket, sys, time
import numpy as np
data = open(sys.argv[1], 'rb').read()
ends = np.load(sys.argv[2])  # byte offset after frame k
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
t0 = time.monotonic(); c0 = time.process_time()
print(repr(t0), flush=True)
sent = 0; pos = 0; blocked = 0.0; n = len(ends)
while True:
    now = time.monotonic() - t0
    if now >= seconds:
        break
    due = min(int(now * rate) + 1, n)
    if due > sent:
        end = int(ends[due - 1])
        b0 = time.monotonic(); conn.sendall(data[pos:end]); blocked += time.monotonic() - b0
        pos = end; sent = due
    time.sleep(0.005)
elapsed = time.monotonic() - t0
print(sent, sent / elapsed, blocked, time.process_time() - c0, flush=True)
conn.close()
"""

CEILING_P99_MS = 250.0
# Why 1 s: the timed corpus's aircraft all appear in its first second (a restart's burst);
# latency and shedding are also reported for the frames due after it, the steady state.
STARTUP_S = 1.0


# DF11 all-calls per aircraft, as a share of its other frames: 1/2, so that they make up the
# third of the corpus they make up at a real receiver (bench_pipeline's mix; AFR34ZG has none).
DF11_PER_FRAME = 0.5


def build_timed_corpus(n_frames: int, rate: float, seed: int = 1) -> tuple[FrameBatch, int]:
    """``n_frames`` frames whose data time advances at ``rate`` frames/s (frame k at
    ``t0 + k / rate``), from as many virtual aircraft as that takes when each is heard at the
    real recording's message rate; returns the corpus and the number of aircraft."""
    rec = load_recording()  # sorted by time
    t = rec.time_s
    rng = np.random.default_rng(seed)
    window_s = n_frames / rate
    span = float(t[-1] - t[0])
    per_ac_s = len(rec) / span * (1 + DF11_PER_FRAME)
    # Candidates: twice the expected count (stretches on the ground are sparser); the first
    # ones whose frames reach n_frames are used.
    cand = int(rate / per_ac_s * 2) + 10
    start = t[0] + rng.uniform(0, span - window_s, cand)
    lo = np.searchsorted(t, start)
    hi = np.searchsorted(t, start + window_s)
    body_n = hi - lo
    total = np.cumsum(body_n + (body_n * DF11_PER_FRAME).astype(np.int64))
    n_ac = int(np.searchsorted(total, n_frames)) + 1
    assert n_ac <= cand, "not enough candidate aircraft"
    lo, body_n, start = lo[:n_ac], body_n[:n_ac], start[:n_ac]
    # Row indices of every aircraft's stretch, concatenated without a Python loop.
    first = np.cumsum(body_n) - body_n
    idx = np.arange(int(body_n.sum())) - np.repeat(first, body_n) + np.repeat(lo, body_n)
    body = rec.take(idx)
    # Each aircraft's own timing kept: time since its stretch began, from a common t0.
    body.time_s = t[idx] - np.repeat(start, body_n) + t[0]
    readdress(body, np.repeat(0x100000 + np.arange(n_ac), body_n))
    n11 = (body_n * DF11_PER_FRAME).astype(np.int64)
    df11 = FrameBatch.empty(int(n11.sum()))
    df11.nbytes[:] = 7
    df11.payload[:, 0] = (11 << 3) | 5  # DF11, CA=5 (airborne)
    df11.time_s[:] = t[0] + rng.uniform(0, window_s, len(df11))
    readdress(df11, np.repeat(0x100000 + np.arange(n_ac), n11))
    corpus = FrameBatch.concat([body, df11])
    order = np.argsort(corpus.time_s, kind="stable")[:n_frames]  # the aircraft interleaved
    corpus = corpus.take(order)
    # Frame k at t0 + k / rate: the data clock is the peer's send schedule (the drift from the
    # aircraft's own times is small: the total rate is ``rate`` by construction).
    corpus.time_s = t[0] + np.arange(len(corpus)) / rate
    return corpus, n_ac


def data_clock_speed(corpus: FrameBatch, rate: float, seconds: float) -> float:
    """Data seconds per wall second over the frames the peer sends in ``seconds`` at ``rate``."""
    n = min(int(rate * seconds), len(corpus)) - 1
    return float(corpus.time_s[n] - corpus.time_s[0]) / (n / rate)


def write_feed(corpus: FrameBatch, folder: Path) -> tuple[Path, Path]:
    """The corpus as one Beast byte string, and the byte offset after each frame."""
    epoch = float(corpus.time_s[0]) - 1.0  # counter 0 means "no timestamp": start at 1 s
    chunk = 100_000
    parts: list[bytes] = []
    ends: list[np.ndarray] = []
    base = 0
    for a in range(0, len(corpus), chunk):
        idx = np.arange(a, min(a + chunk, len(corpus)))
        part = corpus.take(idx)
        raw = encode_beast(part, epoch_s=epoch)
        starts = _marker_positions(np.frombuffer(raw, dtype=np.uint8))
        assert len(starts) == len(part), (len(starts), len(part))
        e = np.append(starts[1:], len(raw)).astype(np.int64)
        # marker, type, 6 counter bytes, signal, data: at least that, more where 0x1a doubled
        assert (e - starts >= 9 + part.nbytes.astype(np.int64)).all()
        ends.append(e + base)
        base += len(raw)
        parts.append(raw)
    folder.mkdir(parents=True, exist_ok=True)
    feed, bounds = folder / "feed.bin", folder / "feed-ends.npy"
    feed.write_bytes(b"".join(parts))
    np.save(bounds, np.concatenate(ends))
    return feed, bounds


def _marker_positions(a: np.ndarray) -> np.ndarray:
    """Offsets of frame markers: the last 0x1a of each odd-length run of 0x1a bytes."""
    is_esc = (a == 0x1A).view(np.int8)
    edges = np.diff(np.concatenate(([0], is_esc, [0])).astype(np.int8))
    run_start = np.flatnonzero(edges == 1)
    run_end = np.flatnonzero(edges == -1)
    odd = (run_end - run_start) % 2 == 1
    return (run_end - 1)[odd]


class Recorder:
    """Follows frames through the engine in arrival order: index ranges received, published or
    shed; the latency of frame k is publish time - (t0 + k / rate)."""

    def __init__(self) -> None:
        self.ranges: deque[list[int]] = deque()  # [first index, count] not yet published/shed
        self.next_index = 0
        self.published: list[tuple[float, int, int]] = []  # (time, first index, count)
        self.shed = 0
        self.shed_runs: list[tuple[int, int]] = []  # (first index, count) shed
        self.receipts: list[tuple[float, int, int]] = []  # (reader's receive time, first, count)
        # The pipeline steps' own CPU (their worker thread's), and the frames they stepped: the
        # engine process's CPU less the warm-up, the event loop, the receiver and the hand-off.
        self.step_cpu_s = 0.0
        self.stepped = 0

    def received(self, n: int, t: float | None = None) -> None:
        if t is not None:
            self.receipts.append((t, self.next_index, n))
        self.ranges.append([self.next_index, n])
        self.next_index += n

    def skipped(self, n: int) -> None:  # dropped before reaching the engine's buffer
        self.shed_runs.append((self.next_index, n))
        self.next_index += n
        self.shed += n

    def take(self, n: int, t: float | None) -> None:
        """The oldest ``n`` frames: published at ``t``, or shed (None)."""
        self.publish(self.claim(n), t)

    def claim(self, n: int) -> list[tuple[int, int]]:
        """The oldest ``n`` frames, taken for a step: (first index, count) runs."""
        out = []
        while n > 0 and self.ranges:
            r = self.ranges[0]
            k = min(n, r[1])
            out.append((r[0], k))
            r[0] += k
            r[1] -= k
            n -= k
            if r[1] == 0:
                self.ranges.popleft()
        return out

    def publish(self, runs: list[tuple[int, int]], t: float | None) -> None:
        for first, k in runs:
            if t is not None:
                self.published.append((t, first, k))
            else:
                self.shed += k
                self.shed_runs.append((first, k))


def patch_engine(rec: Recorder) -> Any:
    from flyvakt.runtime import engine as eng_mod

    cls = eng_mod._Engine
    # (An older engine, for a before/after run with PYTHONPATH=<old tree>/src, has no reader
    # drops and no age_s, and publishes within ``process``, not in a separate hand-off.)
    handoff = getattr(cls, "_hand_off", None)
    orig = (cls.on_live_batch, cls._shed, getattr(cls, "on_reader_drop", None), cls.process)

    def on(self: Any, batch: Any, age_s: float = 0.0) -> None:
        rec.received(len(batch), time.monotonic() - age_s)
        if age_s:
            orig[0](self, batch, age_s)
        else:
            orig[0](self, batch)

    def shed(self: Any, batch: Any) -> None:
        rec.take(len(batch), None)
        orig[1](self, batch)

    def drop(self: Any, n: int) -> None:
        if sys._getframe(1).f_code.co_name != "_shed":
            rec.skipped(n)
        assert orig[2] is not None
        orig[2](self, n)

    # A step takes the oldest frames when it starts; they are published when its hand-off to
    # the hub ends (which may be after the next step has started, or frames been shed).
    stepping: dict[int, list[tuple[int, int]]] = {}

    async def proc(self: Any, batch: Any) -> None:
        stepping[id(batch)] = rec.claim(len(batch))
        await orig[3](self, batch)
        if handoff is None:
            rec.publish(stepping.pop(id(batch)), time.monotonic())

    async def hand_off(self: Any, batch: Any, *args: Any) -> None:
        assert handoff is not None
        await handoff(self, batch, *args)
        rec.publish(stepping.pop(id(batch)), time.monotonic())

    orig_step = getattr(cls, "_step", None)  # the step in its worker thread (session 14 on)

    def step(self: Any, batch: Any) -> Any:
        assert orig_step is not None
        c0 = time.thread_time()
        try:
            return orig_step(self, batch)
        finally:
            rec.step_cpu_s += time.thread_time() - c0
            rec.stepped += len(batch)

    cls.on_live_batch, cls._shed, cls.process = on, shed, proc
    if handoff is not None:
        cls._hand_off = hand_off
    if orig_step is not None:
        cls._step = step
    if orig[2] is not None:
        cls.on_reader_drop = drop

    def undo() -> None:
        cls.on_live_batch, cls._shed, cls.process = orig[0], orig[1], orig[3]
        if handoff is not None:
            cls._hand_off = handoff
        if orig_step is not None:
            cls._step = orig_step
        if orig[2] is not None:
            cls.on_reader_drop = orig[2]

    return undo


def warm_up() -> None:
    """For an older tree (before/after runs): world data (airports, borders, time zones) loads
    on first use; once, before timing. Newer engines warm up by themselves (runtime.setup)."""
    from flyvakt.pipeline import PipelineState
    from flyvakt.runtime.guard import guarded_step
    from flyvakt.runtime.setup import make_detector, tracker_config

    guarded_step(PipelineState(), build_corpus(20_000, 200), tracker_config(), make_detector())


def one_rate(
    feed: Path,
    bounds: Path,
    rate: int,
    seconds: float,
    reader: str,
    store: bool,
    store_writer: str = "process",
    subscribers: int = 0,
    decode_ahead: bool = False,
) -> dict[str, Any]:
    from flyvakt.runtime.engine import run_engine
    from flyvakt.runtime.hub import Hub

    rec = Recorder()
    undo = patch_engine(rec)
    peer = subprocess.Popen(
        [sys.executable, "-c", _PEER, str(feed), str(bounds), str(rate), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert peer.stdout is not None
    port = int(peer.stdout.readline())
    tmp = tempfile.TemporaryDirectory()
    hub = Hub()
    t0_box: list[float] = []
    stop_box: list[float] = []
    load0 = os.getloadavg()[0]

    async def map_client(sub: Any) -> None:
        """An open map: the server's SSE text of every message, in this event loop."""
        from flyvakt.serve.stream import sse_format

        while True:
            msg = await sub.queue.get()
            sse_format(str(msg.get("kind", "message")), msg)

    async def go() -> Any:
        stop = asyncio.Event()
        clients = [asyncio.create_task(map_client(hub.subscribe(256))) for _ in range(subscribers)]
        task = asyncio.create_task(
            run_engine(
                [f"beast+tcp://127.0.0.1:{port}"],
                db_path=str(Path(tmp.name) / "live.db") if store else None,
                hub=hub,
                stop_event=stop,
                clock=time.time,
                **({"feed_reader": reader} if reader != "inline" else {}),
                **({"store_writer": store_writer} if store_writer != "thread" else {}),
                **({"decode_ahead": True} if decode_ahead else {}),
            )
        )
        assert peer.stdout is not None
        line = await asyncio.to_thread(peer.stdout.readline)
        t0_box.append(float(line))
        await asyncio.sleep(seconds + 1.0)  # the last frames' steps
        stop_box.append(time.monotonic())
        stop.set()
        out = await task
        for c in clients:
            c.cancel()
        return out

    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    rc0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        summary = asyncio.run(go())
    finally:
        undo()
    sent_s, achieved_s, blocked_s, peer_cpu_s = peer.stdout.readline().split()
    peer.wait()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    rc1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = t0_box[0]
    sent = int(sent_s)
    everything = np.array(rec.published, dtype=np.float64).reshape(-1, 3)
    # Frames published by the drain at stop (the engine then steps whatever waits, unshed) are
    # counted apart: their wait is not a live latency.
    at_stop = everything[:, 0] >= stop_box[0]
    pub = everything[~at_stop]
    # Per published run of frames [i, i + k): latencies t - (t0 + j / rate), j in the run.
    lat_lo = pub[:, 0] - (t0 + (pub[:, 1] + pub[:, 2] - 1) / rate)  # newest frame of the run
    lat_hi = pub[:, 0] - (t0 + pub[:, 1] / rate)  # oldest
    k = pub[:, 2].astype(np.int64)
    # Expand each run into evenly spaced latencies (exact: due times are evenly spaced).
    lats = np.concatenate(
        [np.linspace(h, lo, int(n)) for h, lo, n in zip(lat_hi, lat_lo, k, strict=True)]
        or [np.zeros(0)]
    )
    # The same split by due time: frames due in the run's first second (where every aircraft
    # of the timed corpus is new) and after it.
    idx = np.concatenate(
        [np.arange(a, a + n) for a, n in zip(pub[:, 1].astype(np.int64), k, strict=True)]
        or [np.zeros(0, dtype=np.int64)]
    )
    late = idx >= rate * STARTUP_S
    # To the reader: from the frame's due time at the peer to its arrival as the engine counts it
    # (the reader's receipt less its estimated wait in the socket's buffers, since session 8; the
    # bare receipt before; the oldest frame of each handed-over batch); what the engine cannot
    # see (the peer's lag, the estimate's shortfall) is in here.
    rc = np.array(rec.receipts, dtype=np.float64).reshape(-1, 3)
    to_reader = rc[:, 0] - (t0 + rc[:, 1] / rate)
    # From that arrival to the API (what the engine's latency bound governs), per frame.
    at = np.searchsorted(rc[:, 1], idx, side="right") - 1
    from_reader = np.repeat(pub[:, 0], k) - rc[np.maximum(at, 0), 0] if rc.size else lats[:0]
    shed_idx = np.concatenate(
        [np.arange(a, a + n) for a, n in rec.shed_runs] or [np.zeros(0, dtype=np.int64)]
    )
    in_window = int(k[pub[:, 0] <= t0 + seconds].sum()) if len(k) else 0
    cpu_self = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    cpu_children = (rc1.ru_utime + rc1.ru_stime) - (rc0.ru_utime + rc0.ru_stime)
    row: dict[str, Any] = {
        "rate": rate,
        "reader": reader,
        "store": store,
        "store_writer": store_writer if store else None,
        "peer_sent": sent,
        "peer_rate": float(achieved_s),
        "peer_blocked_s": float(blocked_s),
        "published_per_s": in_window / seconds,
        "published": int(k.sum()),
        # Published after the peer stopped sending (before the stop): the frames still in
        # flight at its end, ~ the latency x the rate; not lost, but not in published_per_s.
        "after_window": int(k.sum()) - in_window,
        "shed": int(summary.buffer_drops),
        "drained_at_stop": int(everything[at_stop, 2].sum()),
        "unaccounted": sent - int(everything[:, 2].sum()) - int(summary.buffer_drops),
        "p50_ms": float(np.percentile(lats, 50)) * 1e3 if lats.size else float("nan"),
        "p99_ms": float(np.percentile(lats, 99)) * 1e3 if lats.size else float("nan"),
        "max_ms": float(lats.max()) * 1e3 if lats.size else float("nan"),
        "to_reader_p99_ms": float(np.percentile(to_reader, 99)) * 1e3
        if to_reader.size
        else float("nan"),
        "from_reader_p99_ms": float(np.percentile(from_reader, 99)) * 1e3
        if from_reader.size
        else float("nan"),
        "p99_after_1s_ms": float(np.percentile(lats[late], 99)) * 1e3
        if late.any()
        else float("nan"),
        "shed_first_1s": int((shed_idx < rate * STARTUP_S).sum()),
        "cpu_engine_s": cpu_self,
        "engine_us_per_frame": cpu_self / max(int(everything[:, 2].sum()), 1) * 1e6,
        "step_cpu_s": rec.step_cpu_s,  # 0 for an engine without _step (before session 14)
        "step_us_per_frame": rec.step_cpu_s / max(rec.stepped, 1) * 1e6,
        "cpu_store_s": float(getattr(summary, "store_cpu_s", 0.0)),
        # The reader, the store writer and the peer have all ended and been reaped.
        "cpu_reader_s": cpu_children
        - float(peer_cpu_s)
        - float(getattr(summary, "store_cpu_s", 0.0)),
        "cpu_peer_s": float(peer_cpu_s),
        # Per frame the peer sent (the reader frames all of them; the writer stores what was
        # stepped, but a backlog it commits after the stop is in its CPU too).
        "store_us_per_frame": float(getattr(summary, "store_cpu_s", 0.0)) / max(sent, 1) * 1e6,
        "reader_us_per_frame": 0.0,  # below, once the reader's CPU is known
        "store_drops": int(summary.store_drops),
        "subscribers": subscribers,
        "load_avg": (load0, os.getloadavg()[0]),
    }
    row["reader_us_per_frame"] = row["cpu_reader_s"] / max(sent, 1) * 1e6
    tmp.cleanup()
    return row


def ceiling(rows: list[dict[str, Any]]) -> int | None:
    ok = [r["rate"] for r in rows if r["shed"] == 0 and r["p99_ms"] < CEILING_P99_MS]
    return max(ok) if ok else None


def live(
    rates: list[int],
    seconds: float,
    aircraft: int,
    reader: str,
    store: bool,
    store_writer: str = "process",
    corpus: str = "timed",
    subscribers: int = 0,
    decode_ahead: bool = False,
) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    kinds = ["timed", "dense"] if corpus == "both" else [corpus]
    print(
        f"live: corpus {corpus} (synthetic from real frames); reader={reader}, "
        f"store={store_writer if store else 'off'}, {subscribers} open maps; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    dense: tuple[Path, Path, FrameBatch] | None = None
    if "dense" in kinds:
        n = int(max(rates) * seconds * 1.05) + 1000
        cb = build_corpus(n, aircraft)
        dense = (*write_feed(cb, folder / "dense"), cb)
        print(f"  dense: {n:,} frames, {aircraft:,} aircraft", flush=True)
    from flyvakt.runtime import setup

    if not hasattr(setup, "warm_up"):  # an older tree: its engine does not warm up by itself
        warm_up()
    if hasattr(setup, "tune_gc"):  # as `flyvakt run` does after start-up (not in older trees)
        setup.tune_gc()
    out = []
    for rate in rates:
        for kind in kinds:
            if kind == "timed":
                ct, n_ac = build_timed_corpus(int(rate * seconds * 1.05) + 1000, rate)
                feed, bounds = write_feed(ct, folder / "timed")
                cb = ct
            else:
                assert dense is not None
                feed, bounds, cb = dense
                n_ac = aircraft
            r = one_rate(
                feed, bounds, rate, seconds, reader, store, store_writer, subscribers, decode_ahead
            )
            r["corpus"], r["aircraft"] = kind, n_ac
            r["data_clock_x"] = data_clock_speed(cb, rate, seconds)
            out.append(r)
            _print_row(r)
    for f in folder.rglob("*"):
        if f.is_file():
            f.unlink()
    for d in sorted(folder.rglob("*"), reverse=True):
        d.rmdir()
    folder.rmdir()
    for kind in kinds:
        c = ceiling([r for r in out if r["corpus"] == kind])
        print(
            f"  ceiling, {kind} corpus (nothing shed, p99 < {CEILING_P99_MS:.0f} ms): "
            f"{c or 'below all rates'}"
        )
    return out


def _print_row(r: dict[str, Any]) -> None:
    rate = r["rate"]
    print(
        f"  {r['corpus']:>5} ({r['aircraft']:,} aircraft, data clock x{r['data_clock_x']:.1f}) "
        f"{rate:>9,}/s offered: peer {r['peer_rate']:>9,.0f}/s (blocked "
        f"{r['peer_blocked_s']:.2f} s) published {r['published_per_s']:>9,.0f}/s (+"
        f"{r['after_window']:,} after the window) shed "
        f"{r['shed']:>9,} (at stop {r['drained_at_stop']:,}, unaccounted "
        f"{r['unaccounted']}) frame->API p50 "
        f"{r['p50_ms']:.0f} p99 {r['p99_ms']:.0f} max {r['max_ms']:.0f} ms (after 1 s: p99 "
        f"{r['p99_after_1s_ms']:.0f} ms, shed {r['shed'] - r['shed_first_1s']:,}; to the reader "
        f"p99 {r['to_reader_p99_ms']:.0f} ms, from it p99 {r['from_reader_p99_ms']:.0f} ms); "
        "CPU engine "
        f"{r['cpu_engine_s']:.1f} s ({r['engine_us_per_frame']:.1f} us/frame; its steps "
        f"{r['step_cpu_s']:.1f} s, {r['step_us_per_frame']:.2f} us/frame) store "
        f"{r['cpu_store_s']:.1f} s ({r['store_us_per_frame']:.1f}) reader "
        f"{r['cpu_reader_s']:.1f} s ({r['reader_us_per_frame']:.1f}) peer "
        f"{r['cpu_peer_s']:.1f} s; load {r['load_avg'][0]:.1f}->{r['load_avg'][1]:.1f}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="100000,200000,300000,500000")  # ~45 s in all
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument(
        "--corpus",
        choices=("timed", "dense", "both"),
        default="timed",
        help="timed (default): aircraft at their real message rate, data clock = wall clock; "
        "dense: the earlier sessions' corpus (--aircraft aircraft, data clock 1.5-100x the "
        "wall, uneven); both: per rate, timed then dense",
    )
    ap.add_argument(
        "--aircraft", type=int, default=5000, help="aircraft of the dense corpus (timed: by rate)"
    )
    ap.add_argument("--reader", choices=("process", "inline"), default="process")
    ap.add_argument("--store", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--store-writer", choices=("process", "thread"), default="process")
    ap.add_argument(
        "--subscribers",
        type=int,
        default=0,
        help="open maps: clients that take every hub message as the server's SSE text",
    )
    ap.add_argument(
        "--decode-ahead",
        action="store_true",
        help="the reader process decodes the frames too (run_engine's decode_ahead)",
    )
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r]
    rows = live(
        rates,
        args.seconds,
        args.aircraft,
        args.reader,
        args.store,
        args.store_writer,
        args.corpus,
        args.subscribers,
        args.decode_ahead,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
