"""How long a live feed's bytes waited before the reader took them (pure, no clock).

A frame's latency starts when its bytes reach this machine, not when the reader sees them:
while the reader is short of CPU (or parses the previous chunk, or pauses to gather a larger
one), the bytes wait in the kernel's socket buffer and in the stream's own buffer. The
engine's latency bound (``flyvakt run --max-latency``) and its lag figure count from the
reader's receipt, so that wait went unseen: measured in bench_live (session 7), p99 45-65 ms
at 300-700 k msg/s on a quiet machine and 50-460 ms on a loaded one.

:class:`QueueWait` estimates it from what the reader can see at each read: how many bytes it has
read in all, and how many are still queued behind (kernel: ``FIONREAD``; the stream's buffer),
so how many had arrived by then. Bytes queue in order: the oldest byte of a read arrived
between the last read that had not yet seen it and the first that had, placed within that
interval in proportion to the bytes (exact for a steady feed; a burst is placed at most one
interval off). No clock of the sender is needed (a receiver's Beast counter runs on its own
crystal, and replays run at any pace), nor its rate.

Why not a small SO_RCVBUF instead: a full receive buffer stops the sender (readsb holds, then
drops, a slow client's data; the bench's peer blocks in ``sendall``), so the wait moves to the
sender, where no one counts it; shedding here keeps the feed flowing and counts what is dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import socket
import struct
import termios
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["QueueWait", "kernel_queued"]


@dataclass
class QueueWait:
    """Feed ``update`` after each read; ``wait_s``: how long that read's oldest byte waited."""

    wait_s: float = 0.0
    read_total: int = 0  # bytes read so far
    # (time, bytes arrived by then) at the reads that may still place a byte not yet read
    seen: deque[tuple[float, int]] = field(default_factory=deque)

    def update(self, now_s: float, n_read: int, queued: int) -> float:
        """A read of ``n_read`` bytes at ``now_s`` (any monotonic seconds), with ``queued``
        bytes still waiting behind it. Returns (and keeps) the estimated wait of its oldest
        byte (0 for a connection's first read: nothing was seen before it)."""
        k = self.read_total  # the oldest byte of this read, numbered from the first
        self.read_total += n_read
        seen = self.seen
        seen.append((now_s, self.read_total + queued))
        while len(seen) > 2 and seen[1][1] <= k:
            seen.popleft()  # saw only bytes that are read by now
        t0, a0 = seen[0]
        if len(seen) < 2:
            arrived_s = now_s
        elif a0 > k:  # already queued at the oldest read kept: at least that old
            arrived_s = t0
        else:
            t1, a1 = seen[1]
            arrived_s = t0 + (t1 - t0) * (k - a0) / max(a1 - a0, 1)
        self.wait_s = max(0.0, now_s - arrived_s)
        return self.wait_s


def kernel_queued(sock: socket.socket | Any) -> int:
    """Bytes in ``sock``'s kernel receive queue (FIONREAD; ``sock``: anything with a
    ``fileno``, e.g. asyncio's TransportSocket); 0 when it cannot be asked."""
    if sock is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        buf = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
        return int(struct.unpack("i", buf)[0])
    return 0
