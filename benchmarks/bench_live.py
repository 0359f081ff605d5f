"""Live speed: ``flyvakt run beast+tcp://`` fed by a peer process at fixed rates; frame -> API
latency measured from when the peer was due to send each frame.

Corpus (SYNTHETIC, built from REAL frames, as ``bench_pipeline.build_corpus``): the AFR34ZG
frames re-addressed to ``--aircraft`` virtual aircraft plus DF11 all-calls (real DF mix), enough
frames for the fastest rate to run ``--seconds`` without sending any frame twice. It is written
as Beast once; the peer (a separate process, as readsb would be) reads the bytes and the frame
boundaries up front and only calls ``sendall`` on pre-cut slices: at each 5 ms turn it sends
every whole frame due by then (frame k is due at ``t0 + k / rate``).

    .venv/bin/python benchmarks/bench_live.py [--rates 100000,200000,300000,500000] [--seconds 5]
        [--aircraft 5000] [--reader process|inline] [--store | --no-store]
        [--store-writer process|thread]

The engine runs in this process exactly as ``flyvakt run`` runs it (``run_engine``, store in a
temporary directory unless ``--no-store``, no HTTP server). Per rate it prints:
- what the peer achieved, and how long its ``sendall`` was blocked (TCP backpressure: a
  stalled sender is what shedding must prevent);
- frames published to the hub per second while the peer sent; frames shed (counted);
- frame -> API latency p50 / p99 / max: from the frame's due time at the peer to the moment
  the step that holds it has been published to the hub (what /api/status and the next
  aircraft.json reflect), over every frame published while the feed ran (shed frames have no
  latency, they count as shed; frames the drain at stop published are counted apart);
- CPU seconds of this process, of the store writer process, the reader and the peer, the
  engine process's CPU µs per frame it stepped, the writer's and the reader's per frame sent
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

from bench_pipeline import build_corpus

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


def write_feed(n_frames: int, aircraft: int, folder: Path) -> tuple[Path, Path]:
    """The corpus as one Beast byte string, and the byte offset after each frame."""
    corpus = build_corpus(n_frames, aircraft)
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

    def received(self, n: int) -> None:
        self.ranges.append([self.next_index, n])
        self.next_index += n

    def skipped(self, n: int) -> None:  # dropped before reaching the engine's buffer
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


def patch_engine(rec: Recorder) -> Any:
    from flyvakt.runtime import engine as eng_mod

    cls = eng_mod._Engine
    # (An older engine, for a before/after run with PYTHONPATH=<old tree>/src, has no reader
    # drops and no age_s, and publishes within ``process``, not in a separate hand-off.)
    handoff = getattr(cls, "_hand_off", None)
    orig = (cls.on_live_batch, cls._shed, getattr(cls, "on_reader_drop", None), cls.process)

    def on(self: Any, batch: Any, age_s: float = 0.0) -> None:
        rec.received(len(batch))
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

    cls.on_live_batch, cls._shed, cls.process = on, shed, proc
    if handoff is not None:
        cls._hand_off = hand_off
    if orig[2] is not None:
        cls.on_reader_drop = drop

    def undo() -> None:
        cls.on_live_batch, cls._shed, cls.process = orig[0], orig[1], orig[3]
        if handoff is not None:
            cls._hand_off = handoff
        if orig[2] is not None:
            cls.on_reader_drop = orig[2]

    return undo


def warm_up() -> None:
    """World data (airports, borders, time zones) loads on first use: once, before timing."""
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

    async def go() -> Any:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_engine(
                [f"beast+tcp://127.0.0.1:{port}"],
                db_path=str(Path(tmp.name) / "live.db") if store else None,
                hub=hub,
                stop_event=stop,
                clock=time.time,
                **({"feed_reader": reader} if reader != "inline" else {}),
                **({"store_writer": store_writer} if store_writer != "thread" else {}),
            )
        )
        assert peer.stdout is not None
        line = await asyncio.to_thread(peer.stdout.readline)
        t0_box.append(float(line))
        await asyncio.sleep(seconds + 1.0)  # the last frames' steps
        stop_box.append(time.monotonic())
        stop.set()
        return await task

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
        "shed": int(summary.buffer_drops),
        "drained_at_stop": int(everything[at_stop, 2].sum()),
        "unaccounted": sent - int(everything[:, 2].sum()) - int(summary.buffer_drops),
        "p50_ms": float(np.percentile(lats, 50)) * 1e3 if lats.size else float("nan"),
        "p99_ms": float(np.percentile(lats, 99)) * 1e3 if lats.size else float("nan"),
        "max_ms": float(lats.max()) * 1e3 if lats.size else float("nan"),
        "cpu_engine_s": cpu_self,
        "engine_us_per_frame": cpu_self / max(int(everything[:, 2].sum()), 1) * 1e6,
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
) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    n = int(max(rates) * seconds * 1.05) + 1000
    feed, bounds = write_feed(n, aircraft, folder)
    print(
        f"live: {n:,} frames (synthetic from real), {aircraft:,} aircraft, "
        f"{feed.stat().st_size / 1e6:.0f} MB Beast; reader={reader}, "
        f"store={store_writer if store else 'off'}; {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    warm_up()
    from flyvakt.runtime import setup

    if hasattr(setup, "tune_gc"):  # as `flyvakt run` does after start-up (not in older trees)
        setup.tune_gc()
    out = []
    for rate in rates:
        r = one_rate(feed, bounds, rate, seconds, reader, store, store_writer)
        out.append(r)
        print(
            f"  {rate:>9,}/s offered: peer {r['peer_rate']:>9,.0f}/s (blocked "
            f"{r['peer_blocked_s']:.2f} s) published {r['published_per_s']:>9,.0f}/s shed "
            f"{r['shed']:>9,} (at stop {r['drained_at_stop']:,}, unaccounted "
            f"{r['unaccounted']}) frame->API p50 "
            f"{r['p50_ms']:.0f} p99 {r['p99_ms']:.0f} max {r['max_ms']:.0f} ms; CPU engine "
            f"{r['cpu_engine_s']:.1f} s ({r['engine_us_per_frame']:.1f} us/frame) store "
            f"{r['cpu_store_s']:.1f} s ({r['store_us_per_frame']:.1f}) reader "
            f"{r['cpu_reader_s']:.1f} s ({r['reader_us_per_frame']:.1f}) peer "
            f"{r['cpu_peer_s']:.1f} s; load {r['load_avg'][0]:.1f}->{r['load_avg'][1]:.1f}",
            flush=True,
        )
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    c = ceiling(out)
    print(f"  ceiling (nothing shed, p99 < {CEILING_P99_MS:.0f} ms): {c or 'below all rates'}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="100000,200000,300000,500000")  # ~45 s in all
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--reader", choices=("process", "inline"), default="process")
    ap.add_argument("--store", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--store-writer", choices=("process", "thread"), default="process")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r]
    rows = live(rates, args.seconds, args.aircraft, args.reader, args.store, args.store_writer)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
