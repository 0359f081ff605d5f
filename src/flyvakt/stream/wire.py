"""What travels on the Kafka topics: micro-batches as Arrow IPC, never one frame per message.

- ``flyvakt.frames``: one message per (partition, micro-batch): Arrow IPC stream with
  ``time_s`` (receive time), ``receiver`` (receiver id) and ``frame`` (the 7 or 14 bytes).
- ``flyvakt.positions``: Arrow IPC of a :class:`PositionBatch` (the tracker's output), one
  message per worker batch and partition (possibly empty), its schema metadata carrying the
  partition's ``watermark_s`` (data time the partition has been processed through).
- ``flyvakt.events``: one JSON event record per message, with an ``id`` that names the event
  (type, address, time, airport), the key the store deduplicates on: a batch processed twice
  after a worker crash writes nothing twice (effectively once). Each record also says when it
  was emitted (``emitted_s``: the partition's data time). After each batch's events the worker
  writes a *mark* record ``{"mark": watermark_s}`` to the same partition: every event of that
  partition emitted at or before the mark is already on the topic (readers of events skip
  marks; the fleet stage aligns partitions on them).

Keys are ICAO addresses, so an aircraft's frames stay in one partition, in order. Pure: bytes
in, bytes out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from flyvakt.decode.core import decode_indexed
from flyvakt.model import AirportRef, Event, FrameBatch, PositionBatch

__all__ = [
    "EventRecord",
    "decode_event",
    "decode_frames",
    "decode_positions",
    "encode_event",
    "encode_frames",
    "encode_mark",
    "encode_positions",
    "event_id",
    "frame_addresses",
    "frames_watermark",
    "partition_of",
    "positions_frames",
    "positions_watermark",
    "read_event_record",
]


def frame_addresses(fb: FrameBatch) -> npt.NDArray[np.uint32]:
    """The 24-bit address the decoder reads from each frame (0 where it reads none: Mode A/C,
    CRC failures, unsupported formats; they land in one partition and are counted there).
    The decoder itself answers, so a frame goes where its observation would be tracked."""
    obs, _stats, index = decode_indexed(fb)
    out = np.zeros(len(fb), dtype=np.uint32)
    out[index] = obs.icao24
    return out


def partition_of(addresses: npt.NDArray[np.uint32], partitions: int) -> npt.NDArray[np.int64]:
    """Partition per address. Why a multiplicative hash and not ``address % n``: addresses
    are allocated in national blocks, so low bits are unevenly used; Knuth's constant spreads
    them (and any client computing it gets the same answer)."""
    h = (addresses.astype(np.uint64) * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)
    return (h % np.uint64(partitions)).astype(np.int64)


_FRAME_SCHEMA = pa.schema(
    [
        ("time_s", pa.float64()),
        ("receiver", pa.uint16()),
        ("receivers", pa.uint64()),
        ("frame", pa.binary()),
    ]
)


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _read(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def encode_frames(fb: FrameBatch, watermark_s: float | None = None) -> bytes:
    """Frames as Arrow IPC; ``watermark_s``: the feed's data time when it sent them (every
    partition hears it, with or without frames of its own)."""
    n = len(fb)
    nb = fb.nbytes.astype(np.int64)
    # One flat buffer of each frame's own bytes and the offsets into it: no per-frame Python.
    keep = np.arange(14)[None, :] < nb[:, None]
    flat = fb.payload[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(nb, out=offsets[1:])
    frames = pa.BinaryArray.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(flat.tobytes())]
    )
    meta = None if watermark_s is None else {b"watermark_s": repr(float(watermark_s)).encode()}
    t = pa.table(
        [pa.array(fb.time_s), pa.array(fb.receiver), pa.array(fb.receivers), frames],
        schema=_FRAME_SCHEMA.with_metadata(meta),
    )
    return _ipc(t)


def frames_watermark(data: bytes) -> float | None:
    meta = pa.ipc.open_stream(pa.py_buffer(data)).schema.metadata or {}
    raw = meta.get(b"watermark_s")
    return None if raw is None else float(raw)


def decode_frames(data: bytes) -> FrameBatch:
    t = _read(data)
    n = t.num_rows
    out = FrameBatch.empty(n)
    out.time_s[:] = t.column("time_s").to_numpy()
    out.receiver[:] = t.column("receiver").to_numpy()
    col = t.column("frame").combine_chunks()
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int32)[col.offset : col.offset + n + 1]
    flat = np.frombuffer(col.buffers()[2], dtype=np.uint8)
    lengths = np.diff(offsets)
    out.nbytes[:] = lengths
    row = np.repeat(np.arange(n), lengths)
    pos = np.arange(int(offsets[-1] - offsets[0])) - np.repeat(offsets[:-1] - offsets[0], lengths)
    out.payload[row, pos] = flat[offsets[0] : offsets[-1]]
    out.receivers[:] = t.column("receivers").to_numpy()
    return out


def encode_positions(
    p: PositionBatch, watermark_s: float | None = None, frames: int | None = None
) -> bytes:
    """Positions as Arrow IPC; the last message of a worker batch carries the partition's
    ``watermark_s`` and how many ``frames`` the batch stepped (for the consumer's rates)."""
    cols = {}
    for name in PositionBatch._defaults:
        v = getattr(p, name)
        cols[name] = pa.array(v.tolist() if v.dtype == object else v, type=_POS_TYPES[name])
    t = pa.table(cols)
    meta = {}
    if watermark_s is not None:
        meta[b"watermark_s"] = repr(float(watermark_s)).encode()
    if frames is not None:
        meta[b"frames"] = str(int(frames)).encode()
    if meta:
        t = t.replace_schema_metadata(meta)
    return _ipc(t)


def positions_watermark(data: bytes) -> float | None:
    """The partition's data time when the worker wrote this positions message."""
    return frames_watermark(data)


def positions_frames(data: bytes) -> int:
    """Frames the worker stepped for the batch this message closes (0 on other pieces)."""
    meta = pa.ipc.open_stream(pa.py_buffer(data)).schema.metadata or {}
    raw = meta.get(b"frames")
    return 0 if raw is None else int(raw)


def _arrow_type(dtype: object) -> pa.DataType:
    return pa.string() if dtype is object else pa.from_numpy_dtype(dtype)


# Explicit column types, so an empty batch (a message that only carries the watermark)
# decodes like any other.
_POS_TYPES = {name: _arrow_type(dt) for name, (dt, _fill) in PositionBatch._defaults.items()}


def decode_positions(data: bytes) -> PositionBatch:
    t = _read(data)
    out = PositionBatch.empty(t.num_rows)
    for name in PositionBatch._defaults:
        col = t.column(name)
        target = getattr(out, name)
        if target.dtype == object:
            target[:] = col.to_pylist()
        else:
            target[:] = col.to_numpy()
    return out


def event_id(e: Event) -> str:
    """A name for the event that is the same however often it is produced: the store's unique
    key (type, address, time, airport), hashed."""
    ap = e.airport.icao if e.airport else ""
    raw = f"{e.type}|{e.icao24}|{e.time_s!r}|{ap}"
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


def encode_event(e: Event, emitted_s: float | None = None) -> bytes:
    rec: dict[str, Any] = {"id": event_id(e), "event": e.as_dict()}
    if emitted_s is not None:
        rec["emitted_s"] = float(emitted_s)
    return json.dumps(rec, separators=(",", ":")).encode()


def encode_mark(watermark_s: float) -> bytes:
    """The control record that closes a worker batch on an events partition."""
    return json.dumps({"mark": float(watermark_s)}).encode()


@dataclass(frozen=True)
class EventRecord:
    """One message of ``flyvakt.events``: an event (with id and emission time) or a mark."""

    id: str = ""
    event: Event | None = None
    emitted_s: float = float("nan")
    mark_s: float | None = None


def read_event_record(data: bytes) -> EventRecord:
    rec = json.loads(data)
    if "mark" in rec:
        return EventRecord(mark_s=float(rec["mark"]))
    d = dict(rec["event"])
    if d.get("airport") is not None:
        d["airport"] = AirportRef(**d["airport"])
    emitted = rec.get("emitted_s")
    return EventRecord(
        str(rec["id"]), Event(**d), float("nan") if emitted is None else float(emitted)
    )


def decode_event(data: bytes) -> tuple[str, Event] | None:
    """(id, event) from an ``flyvakt.events`` message; None for a mark."""
    r = read_event_record(data)
    return None if r.event is None else (r.id, r.event)
