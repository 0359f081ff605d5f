"""Write-ahead log for positions: a position batch offered to the store survives ``kill -9``.

Issue 10 item 7: a ``kill -9`` under load lost the store queue's backlog (1.7 % of positions
acknowledged in ``/api/status``), and a full queue dropped batches for good. Now
:meth:`StoreWriter.offer` appends every position batch here, flushed and fsynced, *before* it
is queued; a batch the full queue refuses stays in the log. The writer rotates the log when its
queue is empty (everything queued is committed): the old file is replayed first if batches were
refused since, then deleted. At start the writer replays what a killed run left. Replays are
idempotent: track points are keyed by (icao24, time) and inserted with ``INSERT OR IGNORE``.

Record format (no pickle): ``b"FVP1"``, u32 header length, JSON header ``{"n": rows, "cols":
[[name, dtype, nbytes], ...]}``, the column bytes (object columns as JSON lists of text), and
a u32 CRC-32 of header and body. A record torn by a crash ends the read, counted.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from flyvakt.model.batches import PositionBatch

__all__ = ["PositionLog"]

MAGIC = b"FVP1"
# Why 4 MB: rotating (rename + delete) costs two metadata writes; at a few thousand positions a
# second that is one rotation every ~10 s, and a restart replays at most that much twice.
ROTATE_BYTES = 4 << 20


def encode(batch: PositionBatch) -> bytes:
    cols, parts = [], []
    for name, (dtype, _) in PositionBatch._defaults.items():
        col = getattr(batch, name)
        if dtype is object:
            raw = json.dumps([None if v is None else str(v) for v in col.tolist()]).encode()
            cols.append([name, "json", len(raw)])
        else:
            raw = np.ascontiguousarray(col).tobytes()
            cols.append([name, col.dtype.str, len(raw)])
        parts.append(raw)
    header = json.dumps({"n": len(batch), "cols": cols}).encode()
    body = header + b"".join(parts)
    return MAGIC + struct.pack("<I", len(header)) + body + struct.pack("<I", zlib.crc32(body))


def decode_all(data: bytes) -> tuple[list[PositionBatch], int]:
    """Batches in ``data`` up to the first torn or corrupt record; (batches, bytes skipped)."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        if data[pos : pos + 4] != MAGIC:
            break
        (hlen,) = struct.unpack_from("<I", data, pos + 4)
        try:
            header = json.loads(data[pos + 8 : pos + 8 + hlen])
            blen = hlen + sum(int(c[2]) for c in header["cols"])
        except (ValueError, KeyError, TypeError, IndexError):
            break
        end = pos + 8 + blen
        if end + 4 > len(data):
            break
        body = data[pos + 8 : end]
        if struct.unpack_from("<I", data, end)[0] != zlib.crc32(body):
            break
        out.append(_batch(header, body[hlen:]))
        pos = end + 4
    return out, len(data) - pos


def _batch(header: dict[str, object], body: bytes) -> PositionBatch:
    n = int(header["n"])  # type: ignore[call-overload]
    batch = PositionBatch.empty(n)
    off = 0
    for name, dtype, nbytes in header["cols"]:  # type: ignore[attr-defined]
        raw = body[off : off + nbytes]
        off += nbytes
        if not hasattr(batch, name):
            continue
        if dtype == "json":
            getattr(batch, name)[:] = np.array(json.loads(raw), dtype=object)
        else:
            getattr(batch, name)[:] = np.frombuffer(raw, dtype=np.dtype(dtype))
    return batch


class PositionLog:
    """The log at ``path``; rotated files are ``path + ".old"``. Thread-safe appends."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.old = Path(f"{path}.old")
        self.lock = threading.Lock()
        self.refused = False  # a logged batch was not queued: replay before deleting
        self.torn_bytes = 0

    def append(self, batch: PositionBatch) -> None:
        """Append and fsync (call with ``lock`` held, with the queueing)."""
        self.append_record(encode(batch))

    def append_record(self, record: bytes) -> None:
        """Append one :func:`encode`-d record and fsync."""
        with self.path.open("ab") as fh:
            fh.write(record)
            fh.flush()
            os.fsync(fh.fileno())

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def rotate(self) -> bool:
        """Move the log aside (call with ``lock`` held); True when there was one."""
        if not self.path.exists():
            return False
        os.replace(self.path, self.old)
        return True

    def read_old(self) -> Iterator[PositionBatch]:
        yield from self._read(self.old)

    def read_all(self) -> Iterator[PositionBatch]:
        """What a killed run left: the rotated file, then the current one."""
        yield from self._read(self.old)
        yield from self._read(self.path)

    def _read(self, path: Path) -> Iterator[PositionBatch]:
        if not path.exists():
            return
        batches, torn = decode_all(path.read_bytes())
        self.torn_bytes += torn
        yield from batches

    def clear_old(self) -> None:
        self.old.unlink(missing_ok=True)

    def clear(self) -> None:
        self.old.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
