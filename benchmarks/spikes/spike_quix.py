"""Engine spike (issue 15): quixstreams 3.28 on this machine, per-message vs micro-batch, and
state recovery from its changelog after a kill. Not a project dependency: run it from a
separate venv (`python -m venv q && q/bin/pip install quixstreams==3.28.1`) with a broker
address: `q/bin/python benchmarks/spikes/spike_quix.py 127.0.0.1:PORT`. The step itself is
left out (flyvakt's step costs the same in any engine); what is measured is the engine's own
cost per message and per state update. SYNTHETIC payloads (random bytes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic


def make_topic(addr: str, name: str, partitions: int = 4) -> None:
    # Explicit retention: quixstreams copies it to its changelog topics and Tansu does not
    # report a default.
    config = {"retention.ms": "604800000", "retention.bytes": "-1"}
    admin = AdminClient({"bootstrap.servers": addr})
    for f in admin.create_topics([NewTopic(name, partitions, 1, config=config)]).values():
        f.result(20)


def produce(addr: str, topic: str, n: int, size: int, keys: int) -> None:
    p = Producer({"bootstrap.servers": addr, "linger.ms": 20, "batch.num.messages": 10000})
    payload = os.urandom(size)
    for i in range(n):
        while True:
            try:
                p.produce(topic, payload, key=str(i % keys).encode())
                break
            except BufferError:
                p.poll(0.05)
        if i % 10000 == 0:
            p.poll(0)
    p.flush(60)


def consume(addr: str, topic: str, n: int, state_bytes: int, state_dir: str, group: str) -> None:
    """Child process: a quixstreams app that updates per-key state per message; prints the
    wall time of its first and last message (monotonic) and exits after n messages."""
    from quixstreams import Application

    app = Application(
        broker_address=addr,
        consumer_group=group,
        auto_offset_reset="earliest",
        state_dir=state_dir,
        commit_interval=2.0,
    )
    t = app.topic(topic, value_deserializer="bytes", key_deserializer="bytes")
    seen = {"n": 0, "first": 0.0}
    blob = "x" * state_bytes  # JSON-serialisable (quix state serialises values as JSON)

    def step(value: bytes, state: object) -> bytes:
        if seen["n"] == 0:
            seen["first"] = time.monotonic()
            print(f"FIRST {time.time():.3f}", flush=True)
        seen["n"] += 1
        if blob:
            state.set("s", blob)  # type: ignore[attr-defined]  # the partition's whole state
        else:
            state.set("n", (state.get("n") or 0) + 1)  # type: ignore[attr-defined]
        if seen["n"] >= n:
            print(f"DONE {seen['n']} {time.monotonic() - seen['first']:.3f}", flush=True)
            app.stop()
        return value

    app.dataframe(t).apply(step, stateful=True)
    app.run()


def run_child(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)


def main() -> int:
    if sys.argv[1] == "child":
        _, _, addr, topic, n, sb, sd, group = sys.argv
        consume(addr, topic, int(n), int(sb), sd, group)
        return 0
    addr = sys.argv[1]
    tmp = f"/tmp/quix-spike-{uuid.uuid4().hex[:6]}"
    cases = [
        ("per-message, 1 frame/msg, counter state", 100_000, 14, 1000, 0),
        ("micro-batch, 8192 frames/msg (~128 kB), 1 MB state/msg", 200, 8192 * 16, 4, 1 << 20),
    ]
    for label, n, size, keys, state_bytes in cases:
        topic = f"s{uuid.uuid4().hex[:6]}"
        make_topic(addr, topic)
        produce(addr, topic, n, size, keys)
        t0 = time.monotonic()
        c = run_child(["child", addr, topic, str(n), str(state_bytes), tmp + topic, "g" + topic])
        out, _ = c.communicate(timeout=600)
        wall = time.monotonic() - t0
        done = [x for x in out.splitlines() if x.startswith("DONE")]
        busy = float(done[0].split()[2]) if done else float("nan")
        print(f"{label}: {n:,} msgs, {busy:.2f} s from first to last message "
              f"({n / busy:,.0f} msg/s), {wall:.1f} s with start-up")  # fmt: skip
    # Recovery: a 1 MB state per partition, killed mid-stream, restarted on an empty state dir
    # (a new machine): the state comes back from the changelog topic.
    topic = f"s{uuid.uuid4().hex[:6]}"
    make_topic(addr, topic)
    produce(addr, topic, 400, 8192 * 16, 4)
    c = run_child(["child", addr, topic, "400", str(1 << 20), tmp + "k1", "gk"])
    while True:
        line = c.stdout.readline()  # type: ignore[union-attr]
        if line.startswith("FIRST"):
            break
    time.sleep(3.0)  # past one commit (2 s): changelog written
    c.send_signal(signal.SIGKILL)
    c.wait()
    t_kill = time.time()
    c = run_child(["child", addr, topic, "1", str(1 << 20), tmp + "k2", "gk"])
    first = None
    for line in c.stdout:  # type: ignore[union-attr]
        if line.startswith("FIRST"):
            first = float(line.split()[1])
            break
    c.kill()
    took = (first or float("nan")) - t_kill
    print(f"recovery (new process, empty state dir, changelog restore): {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
