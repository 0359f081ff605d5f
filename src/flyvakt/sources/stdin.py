"""``-`` as an input: standard input, sniffed like a file (adapter: reads ``sys.stdin``).

Format detection peeks at the first bytes and rewinds; a pipe cannot rewind, so
:class:`RewindableStream` keeps the first ``keep`` bytes it reads and can seek back within
them (gzip detection and format sniffing need a few kB). Everything after is streamed, so
``nc host 30003 | flyvakt replay -`` reads a live SBS feed as it comes.
"""

from __future__ import annotations

import io
import sys
from typing import IO, Any

__all__ = ["STDIN", "RewindableStream", "open_stdin"]

STDIN = "-"
# Why 1 MiB: several times what sniffing reads (and a gzip header and its first block), small
# enough to keep in memory for any input.
KEEP_BYTES = 1 << 20


class RewindableStream(io.RawIOBase):
    """A forward-only binary stream that can seek back within its first ``keep`` bytes."""

    def __init__(self, raw: IO[bytes] | Any, keep: int = KEEP_BYTES) -> None:
        self.raw = raw
        self.keep = keep
        self.head = bytearray()  # the first bytes read, while they fit in ``keep``
        self.pos = 0
        self.whole_head = True  # every byte read so far is in ``head``

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True  # within the kept head only; beyond it seek raises

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == 1:
            pos += self.pos
        kept = self.whole_head and 0 <= pos <= len(self.head)
        if whence == 2 or (pos != self.pos and not kept):
            raise io.UnsupportedOperation("standard input: cannot seek beyond its first bytes")
        self.pos = pos
        return pos

    def read(self, size: int | None = -1) -> bytes:
        want = -1 if size is None else size
        out = b""
        if self.pos < len(self.head):
            end = len(self.head) if want < 0 else min(len(self.head), self.pos + want)
            out = bytes(self.head[self.pos : end])
            self.pos = end
            if want >= 0:
                want -= len(out)
                if want == 0:
                    return out
        data = self.raw.read(want) or b""
        if self.whole_head and self.pos == len(self.head):
            if len(self.head) + len(data) <= self.keep:
                self.head += data
            else:
                self.whole_head = False
        self.pos += len(data)
        return out + data

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def open_stdin() -> RewindableStream:
    return RewindableStream(sys.stdin.buffer)
