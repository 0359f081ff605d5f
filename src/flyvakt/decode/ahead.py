"""Frames decoded ahead of the pipeline step: what :func:`flyvakt.pipeline.step` does first with
raw frames (the edge's time-range check, decoding, the Comm-B MB fields), done elsewhere.

``decode_frames(frames)`` returns :class:`DecodedFrames`; ``pipeline.step`` takes them as it
takes the frames, with exactly the same result (the same observations in the same order, the
same counts, the same Comm-B updates): the step runs this very function on raw frames. With
``run_engine(decode_ahead=True)`` the live TCP reader processes decode their batches before
handing them over (:mod:`flyvakt.sources.feedproc`, the ``decode`` option), taking the work off
the engine's core, the live bound at 500 k msg/s (decoding is ~0.23 of its ~1.0-1.5 us of step
per frame there), at the price of more bytes to unpickle in the engine and the work in the
reader process (off by default: see run_engine).

Every step is per frame (the decoder keeps no state between frames), so decoding batch by
batch, concatenating, and ordering by time (stable) gives what decoding the time-ordered whole
gives: the live engine merges feeds this way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.decode.adsb import me_field
from flyvakt.decode.core import decode_indexed
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.validate import check_time_range

__all__ = ["DROP_FIELDS", "DecodedFrames", "commb_rows", "decode_frames", "decode_into"]


# The decoder's drop reasons that the pipeline counts (PipelineStats.decode_dropped).
DROP_FIELDS = (
    "mode_ac",
    "bad_length",
    "unsupported_df",
    "wrong_length",
    "crc_failed",
    "df18_non_adsb",
)


@dataclass(eq=False)
class DecodedFrames:
    """Decoded frames: one observation row per accepted frame, in frame order, with the
    Comm-B MB field of each DF20/21 row (``mb``: one per observation, 0 on other rows) and the
    counts the step adds to its statistics. ``len()`` is the number of frames decoded (the
    dropped ones included), as for the frames themselves: what live shedding counts."""

    obs: ObservationBatch
    mb: npt.NDArray[np.uint64]
    frames: int
    decode_dropped: Counter[str] = field(default_factory=Counter)
    edge_dropped: Counter[str] = field(default_factory=Counter)  # out of the time range

    def __len__(self) -> int:
        return self.frames

    @property
    def time_s(self) -> npt.NDArray[np.float64]:
        return self.obs.time_s

    def take(self, order: npt.NDArray[np.intp]) -> DecodedFrames:
        """The rows reordered by ``order``, a permutation of them (the counts stay)."""
        if len(order) != len(self.obs):
            raise ValueError("DecodedFrames.take reorders; it cannot select rows")
        return DecodedFrames(
            self.obs.take(order),
            self.mb[order],
            self.frames,
            self.decode_dropped,
            self.edge_dropped,
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled without the columns that hold only their fill value (over the pipe from the
        reader process: a Beast feed leaves 11 of 30 unknown on every row, 129 bytes a row as
        columns, 71 without them) and with the callsigns as a list (as an object array, a
        pickled None per row cost the engine's unpickling 0.02 us a frame); unpickled bit for
        bit (:func:`_unpacked`)."""
        cols = {
            name: _packed(getattr(self.obs, name), fill)
            for name, (_, fill) in ObservationBatch._defaults.items()
        }
        state = (len(self.obs), cols, _packed(self.mb, 0), self.frames)
        return _unpacked, (*state, dict(self.decode_dropped), dict(self.edge_dropped))

    @classmethod
    def concat(cls, parts: list[DecodedFrames]) -> DecodedFrames:
        decode_dropped: Counter[str] = Counter()
        edge_dropped: Counter[str] = Counter()
        for p in parts:
            decode_dropped.update(p.decode_dropped)
            edge_dropped.update(p.edge_dropped)
        return cls(
            ObservationBatch.concat([p.obs for p in parts]),
            np.concatenate([p.mb for p in parts]) if parts else np.zeros(0, np.uint64),
            sum(p.frames for p in parts),
            decode_dropped,
            edge_dropped,
        )


def _packed(a: npt.NDArray[Any], fill: Any) -> Any:
    """A column for the pipe: None when every row holds ``fill``; an object column (callsigns:
    a few rows of a feed's) as the indices and values of its other rows; else the column.
    Numbers are compared by their bytes (a NaN is the fill NaN only if its bits are)."""
    if a.dtype == object:
        rows = np.flatnonzero(np.not_equal(a, fill))
        return (rows.astype(np.int32), a[rows].tolist()) if rows.size else None
    bits = a.view(f"u{a.itemsize}")
    if not (bits != np.array(fill, dtype=a.dtype).view(bits.dtype)).any():
        return None
    return a


def _column(n: int, packed: Any, dtype: Any, fill: Any) -> npt.NDArray[Any]:
    if isinstance(packed, np.ndarray):
        return packed
    out = np.full(n, fill, dtype=dtype)
    if packed is not None:  # an object column's other rows
        rows, values = packed
        out[rows] = values
    return out


def _unpacked(
    n: int,
    cols: dict[str, Any],
    mb: Any,
    frames: int,
    decode_dropped: dict[str, int],
    edge_dropped: dict[str, int],
) -> DecodedFrames:
    """:class:`DecodedFrames` from its pickled form (DecodedFrames.__reduce__)."""
    obs = ObservationBatch(
        **{
            name: _column(n, cols[name], dtype, fill)
            for name, (dtype, fill) in ObservationBatch._defaults.items()
        }
    )
    return DecodedFrames(
        obs,
        _column(n, mb, np.uint64, 0),
        frames,
        Counter(decode_dropped),
        Counter(edge_dropped),
    )


def commb_rows(obs: ObservationBatch) -> npt.NDArray[np.intp]:
    """The DF20/21 (Comm-B) rows of ``obs``."""
    return np.flatnonzero((obs.df == 20) | (obs.df == 21))


def decode_into(
    batch: FrameBatch,
    edge_dropped: Counter[str],
    decode_dropped: Counter[str],
    *,
    comm_b: bool = True,
) -> tuple[ObservationBatch, npt.NDArray[np.intp], npt.NDArray[np.uint64]]:
    """The step's first part on raw frames: frames outside the time range dropped (counted in
    ``edge_dropped``: the edge's first check), the rest decoded (drops counted per DROP_FIELDS
    reason in ``decode_dropped``). Returns the observations, their Comm-B rows (none when not
    ``comm_b``) and those rows' MB fields."""
    keep = check_time_range(batch.time_s, edge_dropped)
    frames = batch if keep.all() else batch.take(keep)
    obs, dstats, index = decode_indexed(frames)
    rows = commb_rows(obs) if comm_b else index[:0]
    mb = (
        me_field(frames.payload.take(index[rows], axis=0))
        if rows.size
        else np.zeros(0, dtype=np.uint64)
    )
    for name in DROP_FIELDS:
        n = int(getattr(dstats, name, 0))
        if n:
            decode_dropped[name] += n
    return obs, rows, mb


def decode_frames(batch: FrameBatch, *, comm_b: bool = True) -> DecodedFrames:
    """``batch`` decoded as :func:`decode_into` does, the MB fields as a column (0 where a row
    is not Comm-B, or everywhere when not ``comm_b``)."""
    edge: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    obs, rows, mb_rows = decode_into(batch, edge, dropped, comm_b=comm_b)
    mb = np.zeros(len(obs), dtype=np.uint64)
    mb[rows] = mb_rows
    return DecodedFrames(obs, mb, len(batch), dropped, edge)
