"""Soak: ``flyvakt run`` fed by a hostile live peer for N minutes (issue 10).

The peer is this script: a Beast server sending a SYNTHETIC load corpus (flyvakt.sim.corpus,
looped with its times shifted each loop) at ``--rate`` frames/s, and misbehaving on purpose:

- it drops the connection every ``--drop-every`` seconds (the client must reconnect);
- it stalls once for 15 s, at a quarter of the run, with the connection open;
- it sends a burst of 4 kB of garbage every 40 s;
- one frame per minute carries a counter one day ahead (an absurd timestamp);
- at half time the ``flyvakt run`` process is killed with SIGKILL, the store recovered (the
  same start-up a restart does) and compared with what ``/api/status`` had acknowledged just
  before, then ``flyvakt run`` is started again on the same store.

Reported: frames sent / received / stored, events, RSS of ``flyvakt run`` over time, latency of
``/api/status`` and ``/data/aircraft.json`` (p50/p99), and acknowledged positions and events
lost at the kill; with ``--no-kill`` one process runs throughout (for memory: RSS and the
SQLite memory the process reports in /api/status, once a minute). Run:
``.venv/bin/python benchmarks/soak.py --minutes 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.sim.corpus import FRAMES_PER_AIRCRAFT_S, generate_corpus
from flyvakt.sources.beast import encode_beast

TICK_S = 0.1  # the server sends one slice per tick
STALL_S = 15.0  # longer than the client's 10 s stall detection
GARBAGE_EVERY_S = 40.0
ABSURD_EVERY_S = 60.0
# Why 150 s: warm-up of a ``flyvakt run`` process, from its start: the aircraft appear in the
# first seconds, but the detector's per-aircraft ring of recent fixes fills for RECENT_KEEP_S
# (120 s) of data; RSS is judged flat (within 10 %) after that, in each run (before and after
# the kill).
WARMUP_S = 150.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peer:
    """The misbehaving Beast server."""

    def __init__(self, rate: float, minutes: float, drop_every_s: float) -> None:
        n_aircraft = max(1, int(rate / FRAMES_PER_AIRCRAFT_S))
        self.corpus = generate_corpus(n_aircraft, int(rate * 60), seed=1)
        self.span_s = float(self.corpus.time_s[-1] - self.corpus.time_s[0]) + 1.0
        self.epoch = float(self.corpus.time_s[0])
        self.rate, self.minutes, self.drop_every_s = rate, minutes, drop_every_s
        self.writer: asyncio.StreamWriter | None = None
        self.sent = self.not_sent = self.drops = self.garbage_bytes = self.absurd = 0
        self.paused = False
        self.rng = np.random.default_rng(3)

    async def handle(self, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = w

    async def play(self, t_end: float) -> None:
        per_tick = int(self.rate * TICK_S)
        n = len(self.corpus)
        i, t0 = 0, time.monotonic()
        last_drop = last_garbage = last_absurd = t0
        stall_at, stalled = t0 + self.minutes * 60 / 4, False
        k = 0
        while time.monotonic() < t_end:
            k += 1
            await asyncio.sleep(max(0.0, t0 + k * TICK_S - time.monotonic()))
            now = time.monotonic()
            idx = (i + np.arange(per_tick)) % n
            loops = (i + np.arange(per_tick)) // n
            i += per_tick
            batch = self.corpus.take(idx)
            batch.time_s[:] += loops * self.span_s
            if now - last_absurd >= ABSURD_EVERY_S:
                last_absurd = now
                batch.time_s[per_tick // 2] += 86400.0
                self.absurd += 1
            w = self.writer
            if (
                self.paused
                or w is None
                or w.is_closing()
                or (not stalled and stall_at <= now < stall_at + STALL_S)
            ):
                self.not_sent += per_tick
                if now >= stall_at + STALL_S:
                    stalled = True
                continue
            data = encode_beast(batch, epoch_s=self.epoch)
            if now - last_garbage >= GARBAGE_EVERY_S:
                last_garbage = now
                junk = self.rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
                data = junk + data
                self.garbage_bytes += len(junk)
            try:
                w.write(data)
                await asyncio.wait_for(w.drain(), 5.0)
                self.sent += per_tick
            except (ConnectionError, TimeoutError):
                self.not_sent += per_tick
            if now - last_drop >= self.drop_every_s:
                last_drop = now
                w.close()
                self.writer = None
                self.drops += 1


class Client:
    """``flyvakt run`` as a subprocess, with its API polled for latency and RSS sampled."""

    def __init__(self, url: str, db: Path, log: Path) -> None:
        self.url, self.db, self.log = url, db, log
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = _free_port()
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flyvakt", "run", self.url, "--db", str(self.db),
                 "--port", str(self.port)],
                stdout=fh, stderr=fh,
            )  # fmt: skip

    def get(self, path: str) -> tuple[float, Any]:
        t = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            body = r.read()
        return time.perf_counter() - t, json.loads(body)

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _counts(status: dict[str, Any]) -> dict[str, int]:
    """What one ``flyvakt run`` process counted: frames received (its feed readers, on arrival),
    processed (its pipeline steps) and shed (buffer drops)."""
    sources = status.get("sources") or {}
    return {
        "received": sum(int(s.get("frames", 0) or 0) for s in sources.values()),
        "processed": int(status.get("frames", 0)),
        "shed": int(status.get("buffer_drops", 0)),
    }


def _stored(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        q = conn.execute
        return {
            "track_points": q("SELECT count(*) FROM track_points").fetchone()[0],
            "positions_covered": q("SELECT coalesce(sum(n_points),0) FROM coverage").fetchone()[0],
            "events": q("SELECT count(*) FROM events").fetchone()[0],
        }


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    peer = Peer(args.rate, args.minutes, args.drop_every)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    url = f"beast+tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    work = Path(tempfile.mkdtemp(prefix="flyvakt-soak-"))
    client = Client(url, work / "soak.db", work / "run.log")
    client.start()
    t0 = time.monotonic()
    t_end = t0 + args.minutes * 60
    play = asyncio.create_task(peer.play(t_end))
    lat: dict[str, list[float]] = {"/api/status": [], "/data/aircraft.json": []}
    rss: list[tuple[float, float]] = []
    sqlite_mb: list[tuple[float, Any, Any]] = []  # (t, sqlite_mb, store_cache_kib) per sample
    errors = 0
    status: dict[str, Any] = {}
    before_kill = {"received": 0, "processed": 0, "shed": 0}
    kill: dict[str, Any] = {}
    killed = False
    restarted_at = math.inf
    next_rss = t0
    k = 0
    while time.monotonic() < t_end:
        await asyncio.sleep(0.5)
        k += 1
        try:
            path = "/api/status" if k % 2 else "/data/aircraft.json"
            dt, body = await asyncio.to_thread(client.get, path)
            lat[path].append(dt)
            if path == "/api/status":
                status = body.get("hub") or {}
        except OSError:
            errors += 1  # not up yet (start, restart)
        if time.monotonic() >= next_rss:
            next_rss += 10.0
            rss.append((round(time.monotonic() - t0), round(client.rss_mb(), 1)))
            sqlite_mb.append((rss[-1][0], status.get("sqlite_mb"), status.get("store_cache_kib")))
        if args.kill and not killed and time.monotonic() >= t0 + args.minutes * 30:
            killed = True
            peer.paused = True  # nothing new arrives: what status acknowledged is all there is
            await asyncio.sleep(1.0)
            _, body = await asyncio.to_thread(client.get, "/api/status")
            status = body.get("hub") or {}
            assert client.proc is not None
            client.proc.send_signal(signal.SIGKILL)
            client.proc.wait()
            if peer.writer is not None:  # the peer's side of the dead connection (its kernel
                peer.writer.close()  # would report the reset on a later write): nothing is
                peer.writer = None  # counted as sent into a socket nobody reads
            before_kill = _counts(status)
            from flyvakt.store import StoreWriter

            StoreWriter(client.db).close()  # the recovery a restart does
            stored = _stored(client.db)
            acked_pos = int(status.get("positions", 0))
            acked_ev = int(status.get("events", 0))
            kill = {
                "at_s": round(time.monotonic() - t0),
                "acknowledged_positions": acked_pos,
                "stored_positions (coverage n_points)": stored["positions_covered"],
                "positions_lost": max(0, acked_pos - stored["positions_covered"]),
                "acknowledged_events": acked_ev,
                "stored_events": stored["events"],
                "events_lost": max(0, acked_ev - stored["events"]),
            }
            client.start()
            restarted_at = time.monotonic() - t0
            peer.paused = False
    await play
    await asyncio.sleep(2.0)
    try:
        _, body = await asyncio.to_thread(client.get, "/api/status")
        status = body.get("hub") or {}
    except OSError:
        errors += 1
    assert client.proc is not None
    client.proc.send_signal(signal.SIGINT)
    try:
        client.proc.wait(60)
    except subprocess.TimeoutExpired:
        client.proc.kill()
    server.close()
    ms = np.array([x for v in lat.values() for x in v]) * 1000
    per_path = {
        p: [round(float(np.percentile(np.array(v) * 1000, q)), 1) for q in (50, 99)]
        for p, v in lat.items()
        if v
    }
    warm = [r for t, r in rss if t >= 60] or [r for _, r in rss]
    per_minute = [r for _, r in rss[6::6]]  # samples are 10 s apart
    flat = {}
    for name, a, b in (("first run", 0.0, restarted_at), ("second run", restarted_at, math.inf)):
        got = [r for t, r in rss if a + WARMUP_S <= t < b]
        if got:
            flat[name] = {"min_mb": min(got), "max_mb": max(got),
                          "spread_pct": round(100 * (max(got) / min(got) - 1), 1)}  # fmt: skip
    # RSS less what SQLite holds (its page cache fills up to the store writer's cache size
    # as the store grows, minutes at this rate): what the rest of the process does.
    rest = [
        r - float(q)
        for (t, r), (_, q, _c) in zip(rss, sqlite_mb, strict=True)
        if q is not None and WARMUP_S <= t < restarted_at
    ]
    if rest:
        flat["first run, RSS - SQLite"] = {
            "min_mb": round(min(rest), 1),
            "max_mb": round(max(rest), 1),
            "spread_pct": round(100 * (max(rest) / min(rest) - 1), 1),
        }
    after = _counts(status)
    received = before_kill["received"] + after["received"]
    processed = before_kill["processed"] + after["processed"]
    shed = before_kill["shed"] + after["shed"]
    return {
        "minutes": args.minutes,
        "rate_frames_per_s": args.rate,
        "frames_sent": peer.sent,
        "frames_not_sent (drops, stall, pause)": peer.not_sent,
        "frames_received (feed readers)": received,
        "frames_processed (pipeline)": processed,
        "frames_shed (pipeline behind, counted)": shed,
        "sent - received": peer.sent - received,
        "received - processed - shed": received - processed - shed,
        "connection_drops": peer.drops,
        "garbage_bytes": peer.garbage_bytes,
        "absurd_timestamps": peer.absurd,
        "stored_at_end": _stored(client.db),
        "kill_9": kill,
        "rss_mb_over_time": rss,
        "rss_mb_per_minute": per_minute,
        "sqlite_mb_and_store_cache_kib_over_time": sqlite_mb,
        "rss_after_warmup_min_max_mb": [min(warm), max(warm)] if warm else None,
        f"rss_per_run_after_{WARMUP_S:.0f}s": flat,
        "api_requests": len(ms),
        "api_p50_p99_ms_per_path": per_path,
        "api_errors (while down)": errors,
        "api_p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
        "api_p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None,
        "last_status_sources": status.get("sources"),
        "edge_dropped": status.get("edge_dropped"),
        "work_dir": str(work),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="duration (default 10)")
    ap.add_argument("--rate", type=float, default=20_000.0, help="frames/s (default 20,000)")
    ap.add_argument("--drop-every", type=float, default=30.0, help="seconds between drops")
    ap.add_argument(
        "--no-kill", dest="kill", action="store_false", help="no kill -9 + restart at half time"
    )
    args = ap.parse_args()
    print(json.dumps(asyncio.run(soak(args)), indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
