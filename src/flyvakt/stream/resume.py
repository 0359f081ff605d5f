"""``run --from kafka://``'s checkpoint: where it stopped reading and what it held then.

One file next to the store (``<db>.kafka-state``), written atomically (temporary file, fsync,
rename) after the store has committed everything offered, so the file and the store always
agree: a consumer killed anywhere restarts from the last file, re-reads the messages after
its offsets, and the store's unique keys (track points by address and time, events by type,
address, time, airport) take nothing twice. It holds:

- ``offsets``: the next offset of every partition of ``<prefix>.positions`` and ``.events``;
- ``stage``: the fleet stage (:class:`flyvakt.stream.fleetstage.FleetStage`: fleet state,
  per-partition watermarks, cells not yet processed, ids taken);
- ``seen``: the consumer's own event ids (effectively once into store, map and alerts);
- ``view``: the map's aircraft table (:class:`flyvakt.stream.view.PositionView`);
- ``order``: positions held until every partition has passed them
  (:class:`flyvakt.stream.align.StoreOrder`);
- ``thin``: the store writer's thinner (:meth:`flyvakt.store.StoreWriter.thin_snapshot`),
  so the track points kept after a restart are the ones an uninterrupted run keeps.

Explicit, versioned MessagePack (never pickle), as :mod:`flyvakt.checkpoint`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from flyvakt.checkpoint import (
    CheckpointError,
    decode_array,
    decode_columns,
    encode_array,
    encode_columns,
    open_doc,
)
from flyvakt.model import PositionBatch
from flyvakt.runtime.checkpoints import write_atomic
from flyvakt.store.thin import ThinState

__all__ = ["FORMAT", "FORMAT_VERSION", "ConsumerCheckpoint", "load_consumer", "save_consumer"]

FORMAT = "flyvakt-consumer"
# Version 1: prefix, partitions, offsets, fleet stage, seen ids, view table, thinner, positions
# held for the store. Version 2: positions held (store order, fleet stage) as one batch and
# its cells (flyvakt.stream.align.cells_doc), not one document per cell.
# Bump it whenever a field is added, removed or changes meaning; old checkpoints are refused.
FORMAT_VERSION = 2


@dataclass
class ConsumerCheckpoint:
    prefix: str
    partitions: int
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)  # next offset to read
    stage: dict[str, Any] | None = None  # FleetStage.to_doc()
    seen: dict[str, Any] | None = None  # SeenIds.to_doc()
    view: dict[str, Any] | None = None  # StateTable.to_arrays() columns (encoded)
    thin: tuple[ThinState, float, float] | None = None  # StoreWriter.thin_snapshot()
    order: dict[str, Any] | None = None  # StoreOrder.to_doc(): positions held for the store


def _thin_doc(thin: tuple[ThinState, float, float]) -> dict[str, Any]:
    st, last_expiry_s, through_s = thin
    cols = {
        f.name: encode_array(getattr(st, f.name))
        for f in dataclasses.fields(st)
        if f.name != "last"
    }
    return {
        "cols": cols,
        "last": encode_columns(st.last),
        "last_expiry_s": last_expiry_s,
        "data_through_s": through_s,
    }


def _thin(doc: dict[str, Any]) -> tuple[ThinState, float, float]:
    cols = {k: decode_array(v) for k, v in doc["cols"].items()}
    names = {f.name for f in dataclasses.fields(ThinState)} - {"last"}
    if set(cols) != names:
        raise CheckpointError(f"checkpoint thinner columns differ: {sorted(set(cols) ^ names)}")
    st = ThinState(**cols, last=decode_columns(PositionBatch, doc["last"]))
    return st, float(doc["last_expiry_s"]), float(doc["data_through_s"])


def dumps(cp: ConsumerCheckpoint) -> bytes:
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "prefix": cp.prefix,
        "partitions": cp.partitions,
        "offsets": [[t, p, o] for (t, p), o in sorted(cp.offsets.items())],
        "stage": cp.stage,
        "seen": cp.seen,
        "view": cp.view,
        "thin": None if cp.thin is None else _thin_doc(cp.thin),
        "order": cp.order,
    }
    out: bytes = msgpack.packb(doc, use_bin_type=True)
    return out


def loads(data: bytes) -> ConsumerCheckpoint:
    doc = open_doc(data, FORMAT, FORMAT_VERSION, "run --from checkpoint")
    try:
        return ConsumerCheckpoint(
            prefix=str(doc["prefix"]),
            partitions=int(doc["partitions"]),
            offsets={(str(t), int(p)): int(o) for t, p, o in doc["offsets"]},
            stage=doc["stage"],
            seen=doc["seen"],
            view=doc["view"],
            thin=None if doc["thin"] is None else _thin(doc["thin"]),
            order=doc["order"],
        )
    except CheckpointError:
        raise
    except Exception as exc:
        raise CheckpointError(f"damaged checkpoint: {type(exc).__name__}: {exc}") from None


def save_consumer(path: Path, cp: ConsumerCheckpoint) -> int:
    """Write atomically; returns the size in bytes."""
    return write_atomic(path, dumps(cp))


def load_consumer(path: Path) -> ConsumerCheckpoint | None:
    """The checkpoint at ``path``, None if there is none; :class:`CheckpointError` naming the
    file if it is unusable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return loads(data)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
