"""Checkpoints of the pipeline state: explicit, versioned MessagePack (never pickle).

``dumps(state) -> bytes`` and ``loads(bytes) -> PipelineState``; pure (no I/O, no clock), so a
stream engine can keep the bytes in its state store and a file can hold them
(:mod:`flyvakt.runtime.checkpoints`). Restoring gives identical behaviour: the next batches
produce the same positions and events as without the round trip (tests/property).

Layout (a MessagePack map):

- ``format``: ``"flyvakt-state"``; ``version``: :data:`FORMAT_VERSION`. Anything else is refused
  with :class:`CheckpointError` (one line naming what was found and what is understood).
- ``tracker``: the state table's live rows as columns (:meth:`StateTable.to_arrays`);
- ``detector``: the detector's per-aircraft records, last-fix columns and sets;
- ``fleets``, ``stats``, ``edge`` and the pipeline's clocks.

Arrays travel as ``{"nd": dtype, "b": raw bytes}`` (object columns, callsigns, as lists);
dataclasses as maps tagged with their name, from a fixed list of types (:data:`_TYPES`): a
checkpoint can only build those, whatever bytes it is fed.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any, TypeVar

import msgpack
import numpy as np
import numpy.typing as npt

from flyvakt.decode.commb import CommBLatest
from flyvakt.detect.lastfix import LastFixes
from flyvakt.detect.state import AircraftState, DetectorState, Fix
from flyvakt.fleets.events import FleetState, MemberFix, MemberStatus, Wave, together_last_of
from flyvakt.model import AirportRef, Event, ObservationBatch, PositionBatch
from flyvakt.pipeline import PipelineState, PipelineStats
from flyvakt.track import TrackerState
from flyvakt.track.table import COLUMNS, StateTable
from flyvakt.validate import EdgeState

# Tracker columns added after checkpoints were first written: a checkpoint written before one
# existed loads with the column's fill value (track/table.py COLUMNS) in every row
# (session 6: the provisional first surface fix; an older row's fix was never provisional).
_ADDED_COLUMNS = ("pos_provisional", "prov_key0", "prov_key1")

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "CheckpointError",
    "decode_array",
    "decode_columns",
    "decode_fleets",
    "decode_value",
    "dumps",
    "encode_array",
    "encode_columns",
    "encode_fleets",
    "encode_value",
    "loads",
    "open_doc",
]

T = TypeVar("T")

FORMAT = "flyvakt-state"
# Version 1: tracker table columns and pending (unconfirmed) frames, detector (aircraft, last
# fixes, pending, awaiting, ground references, sweep clock), fleets (waves, last events, groups,
# member fixes), newest Comm-B values, stats, edge.
# Bump it whenever a field is added, removed or changes meaning; old checkpoints are refused.
# Optional in version 1 (added later; absent: empty, as the state before them): the detector's
# ``tails`` (fixes since each aircraft's last country sample, detect/tails.py) and
# ``edge_held`` (records the edge validator holds back into the next step, flyvakt.validate),
# the fleets' ``landed`` (complete waves, kept for a withdrawal; fleets/events.py) and each
# wave's ``said`` (its fleet_landed events), the fleets' ``together_next_s`` (the next tick of
# fleet_together's grid; absent: the grid starts at the oldest member fix held) and
# ``together_last_s`` (groups said and not yet forgotten; absent: only the last tick's groups).
FORMAT_VERSION = 1

_TYPES: dict[str, type[Any]] = {
    t.__name__: t for t in (Fix, AircraftState, Event, AirportRef, Wave, MemberStatus, MemberFix)
}


class CheckpointError(ValueError):
    """A checkpoint that cannot be restored (wrong format, unknown version, damaged)."""


def dumps(state: PipelineState) -> bytes:
    """The whole pipeline state as bytes."""
    det = state.detector
    lf = det.lastfix
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "tracker": {k: _arr(v) for k, v in state.tracker.table.to_arrays().items()},
        # Frames of never-seen addresses awaiting confirmation (flyvakt.track.confirm).
        "tracker_pending": {
            f.name: _arr(getattr(state.tracker.pending, f.name))
            for f in dataclasses.fields(state.tracker.pending)
        },
        # Provisional first fixes held until confirmed (flyvakt.track.plausible, rule 4).
        "tracker_held": _columns(state.tracker.held),
        "detector": {
            "aircraft": {a: _enc(st) for a, st in det.aircraft.items()},
            "lastfix": {k: _arr(v[: lf.size]) for k, v in lf.cols.items()},
            "last_sweep_s": det.last_sweep_s,
            "pending": sorted(det.pending),
            "awaiting": sorted(det.awaiting),
            "ground_refs": {k: [list(r) for r in v] for k, v in det.ground_refs.items()},
            "tails": _columns(det.tails.rows),
        },
        "fleets": encode_fleets(state.fleets),
        "commb": {
            "values": {
                a: {k: list(v) for k, v in slot.items()} for a, slot in state.commb.values.items()
            },
            "newest_s": state.commb.newest_s,
            "pruned_s": state.commb.pruned_s,
            "dirty": sorted(state.commb.dirty),
        },
        "stats": _stats(state.stats),
        "edge": _arr(state.edge.tail_s),
        "edge_held": _columns(state.edge.held),
        "data_through_s": state.data_through_s,
        "expired_through_s": state.expired_through_s,
    }
    out: bytes = msgpack.packb(doc, use_bin_type=True)
    return out


def open_doc(data: bytes, fmt: str, version: int, what: str, hint: str = "") -> dict[str, Any]:
    """The MessagePack document of a checkpoint of format ``fmt``, version ``version`` (the
    pipeline's, ``run --from``'s); :class:`CheckpointError` naming ``what`` it is not, or the
    version it has (then ``hint``), otherwise."""
    try:
        doc = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as exc:
        raise CheckpointError(f"not a {what}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise CheckpointError(f"not a {what} (no {fmt!r} format field)")
    if doc.get("version") != version:
        raise CheckpointError(
            f"checkpoint format version {doc.get('version')!r} is not understood by this "
            f"flyvakt (it reads version {version}){hint}"
        )
    return doc


def loads(data: bytes) -> PipelineState:
    """A pipeline state from :func:`dumps` bytes; :class:`CheckpointError` if it is not one."""
    doc = open_doc(
        data,
        FORMAT,
        FORMAT_VERSION,
        "flyvakt checkpoint",
        "; start without it or use the version that wrote it",
    )
    try:
        return _state(doc)
    except CheckpointError:
        raise
    except Exception as exc:
        raise CheckpointError(f"damaged checkpoint: {type(exc).__name__}: {exc}") from None


def _state(doc: dict[str, Any]) -> PipelineState:
    cols = {k: _unarr(v) for k, v in doc["tracker"].items()}
    n_rows = len(next(iter(cols.values()))) if cols else 0
    for name in set(_ADDED_COLUMNS) - cols.keys():  # written before the column existed
        dtype, fill = COLUMNS[name]
        cols[name] = np.full(n_rows, fill, dtype)
    unknown = set(cols) ^ set(COLUMNS)
    if unknown:
        raise CheckpointError(f"checkpoint tracker columns differ: {sorted(unknown)}")
    d = doc["detector"]
    lf_cols = {k: _unarr(v) for k, v in d["lastfix"].items()}
    lf = LastFixes(capacity=max(1024, 1 << max(len(lf_cols["t"]) - 1, 1).bit_length()))
    size = len(lf_cols["t"])
    for k, col in lf.cols.items():
        col[:size] = lf_cols[k]
    lf.size = size
    lf.index = {int(a): i for i, a in enumerate(lf.cols["icao24"][:size].tolist())}
    det = DetectorState(
        aircraft={int(a): _dec(v) for a, v in d["aircraft"].items()},
        lastfix=lf,
        last_sweep_s=float(d["last_sweep_s"]),
        pending={int(a) for a in d["pending"]},
        ground_refs={
            k: [(float(r[0]), float(r[1])) for r in v] for k, v in d["ground_refs"].items()
        },
        awaiting={int(a) for a in d["awaiting"]},
    )
    if "tails" in d:
        det.tails.rows = PositionBatch(**{k: _unarr(v) for k, v in d["tails"].items()})
    fleets = decode_fleets(doc["fleets"])
    fields: dict[str, Any] = {
        k: Counter(v) if isinstance(v, dict) else v for k, v in doc["stats"].items()
    }
    stats = PipelineStats(**fields)
    commb = CommBLatest()
    commb.values = {
        int(a): {k: (float(v[0]), float(v[1])) for k, v in slot.items()}
        for a, slot in doc["commb"]["values"].items()
    }
    commb.newest_s = float(doc["commb"]["newest_s"])
    commb.pruned_s = float(doc["commb"]["pruned_s"])
    commb.dirty = {int(a) for a in doc["commb"]["dirty"]}
    return PipelineState(
        commb=commb,
        tracker=TrackerState(
            StateTable.from_arrays(cols),
            _pending(doc["tracker_pending"]),
            PositionBatch(**{k: _unarr(v) for k, v in doc["tracker_held"].items()})
            if "tracker_held" in doc
            else PositionBatch.empty(0),
        ),
        detector=det,
        fleets=fleets,
        stats=stats,
        edge=EdgeState(
            _unarr(doc["edge"]),
            _pending(doc["edge_held"]) if "edge_held" in doc else ObservationBatch.empty(0),
        ),
        data_through_s=float(doc["data_through_s"]),
        expired_through_s=float(doc["expired_through_s"]),
    )


def encode_fleets(f: FleetState) -> dict[str, Any]:
    """The fleet stage's state (also checkpointed alone by ``run --from``)."""
    return {
        "waves": [_enc(w) for w in f.waves],
        "last": {k: _enc(v) for k, v in f.last.items()},
        "latest_s": f.latest_s,
        "together": f.together,
        "fixes": {k: _enc(v) for k, v in f.fixes.items()},
        "landed": [_enc(w) for w in f.landed],
        "together_next_s": f.together_next_s,
        "together_last_s": f.together_last_s,
    }


def decode_fleets(f: dict[str, Any]) -> FleetState:
    return FleetState(
        waves=[_dec(w) for w in f["waves"]],
        last={k: _dec(v) for k, v in f["last"].items()},
        latest_s=float(f["latest_s"]),
        together={k: [list(g) for g in v] for k, v in f["together"].items()},
        fixes={k: _dec(v) for k, v in f["fixes"].items()},
        landed=[_dec(w) for w in f.get("landed", [])],
        together_next_s=float(f.get("together_next_s", float("-inf"))),
        together_last_s=together_last_of(f.get("together_last_s", {})),
    )


def encode_columns(batch: Any) -> dict[str, Any]:
    """A dataclass of equal-length arrays (PositionBatch, ObservationBatch) as columns."""
    return {f.name: _arr(getattr(batch, f.name)) for f in dataclasses.fields(batch)}


def decode_columns(cls: type[T], doc: dict[str, Any]) -> T:
    """The inverse of :func:`encode_columns`; refuses a column set that differs from ``cls``'s."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if set(doc) != names:
        raise CheckpointError(
            f"checkpoint {cls.__name__} columns differ: {sorted(set(doc) ^ names)}"
        )
    return cls(**{k: _unarr(v) for k, v in doc.items()})


def encode_value(x: Any) -> Any:
    """Plain values and the known dataclasses (:data:`_TYPES`) as MessagePack-able data."""
    return _enc(x)


def decode_value(x: Any) -> Any:
    return _dec(x)


def encode_array(a: npt.NDArray[Any]) -> dict[str, Any]:
    """A NumPy array as MessagePack-able data (dtype, shape, bytes; object arrays as lists)."""
    return _arr(a)


def decode_array(v: dict[str, Any]) -> npt.NDArray[Any]:
    return _unarr(v)


def _pending(doc: dict[str, Any]) -> ObservationBatch:
    names = {f.name for f in dataclasses.fields(ObservationBatch)}
    if set(doc) != names:
        diff = sorted(set(doc) ^ names)
        raise CheckpointError(f"checkpoint pending-frame columns differ: {diff}")
    return ObservationBatch(**{k: _unarr(v) for k, v in doc.items()})


def _columns(batch: ObservationBatch | PositionBatch) -> dict[str, Any]:
    return {f.name: _arr(getattr(batch, f.name)) for f in dataclasses.fields(batch)}


def _stats(st: PipelineStats) -> dict[str, Any]:
    return {
        f.name: dict(v) if isinstance(v := getattr(st, f.name), Counter) else v
        for f in dataclasses.fields(st)
    }


def _arr(a: npt.NDArray[Any]) -> dict[str, Any]:
    if a.dtype == object:
        return {"obj": a.tolist()}
    return {"nd": a.dtype.str, "shape": list(a.shape), "b": np.ascontiguousarray(a).tobytes()}


def _unarr(v: dict[str, Any]) -> npt.NDArray[Any]:
    if "obj" in v:
        out = np.empty(len(v["obj"]), dtype=object)
        out[:] = v["obj"]
        return out
    flat = np.frombuffer(v["b"], dtype=np.dtype(v["nd"])).copy()
    return flat.reshape(v["shape"]) if "shape" in v else flat


# Exact types returned as they are, and the field names of each known dataclass: the encoder
# runs ~100 times per aircraft (the detector's records and their fixes), and the generic checks
# (is_dataclass, fields, isinstance chains) were most of a checkpoint's time (~0.5 ms per
# aircraft): the worker steps nothing while it checkpoints, which set the p99 latency.
_PLAIN = frozenset({bool, int, float, str, bytes, type(None)})
_FIELD_NAMES = {t: tuple(f.name for f in dataclasses.fields(t)) for t in _TYPES.values()}
# AircraftState: all its fields, those kept in its Rare part too, as one flat map (the format
# from before that part existed: checkpoints of either build load in the other).
_FIELD_NAMES[AircraftState] = AircraftState.FIELDS


def _enc(x: Any) -> Any:
    """Plain values as they are; known dataclasses as tagged maps; sets/tuples tagged."""
    t = type(x)
    if t in _PLAIN:
        return x
    names = _FIELD_NAMES.get(t)
    if names is not None:
        out: dict[str, Any] = {"@": t.__name__}
        for n in names:
            v = getattr(x, n)
            out[n] = v if type(v) in _PLAIN else _enc(v)
        return out
    if t is list:
        return [v if type(v) in _PLAIN else _enc(v) for v in x]
    return _enc_other(x)


def _enc_other(x: Any) -> Any:
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        name = type(x).__name__
        if name not in _TYPES:
            raise TypeError(f"cannot checkpoint a {name}")
        return {"@": name, **{f.name: _enc(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    if isinstance(x, dict):
        return {k: _enc(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_enc(v) for v in x]
    if isinstance(x, tuple):
        return {"@": "tuple", "v": [_enc(v) for v in x]}
    if isinstance(x, (set, frozenset)):
        return {"@": "set", "v": sorted(_enc(v) for v in x)}
    if isinstance(x, np.generic):
        return x.item()
    if x is None or isinstance(x, (bool, int, float, str, bytes)):
        return x
    raise TypeError(f"cannot checkpoint a {type(x).__name__}")


def _dec(x: Any) -> Any:
    if isinstance(x, dict):
        tag = x.get("@")
        if tag is None:
            return {k: _dec(v) for k, v in x.items()}
        if tag == "tuple":
            return tuple(_dec(v) for v in x["v"])
        if tag == "set":
            return {_dec(v) for v in x["v"]}
        cls = _TYPES.get(tag)
        if cls is None:
            raise CheckpointError(f"checkpoint names an unknown type {tag!r}")
        values = {k: _dec(v) for k, v in x.items() if k != "@"}
        return AircraftState.from_fields(values) if cls is AircraftState else cls(**values)
    if isinstance(x, list):
        return [_dec(v) for v in x]
    return x
