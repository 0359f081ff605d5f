"""Hex text of frames -> payload bytes for whole columns at once (no Python per frame).

A column of hex strings arrives as one byte buffer plus row starts and lengths (an Arrow string
array's own buffers, or the lines of a text block). Each row of an allowed length is gathered
into a (rows, length) byte matrix, mapped through a 256-entry nibble table and packed two
nibbles per byte. Rows with a non-hex character or another length come back as not ``ok``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from flyvakt.model.batches import FrameBatch
from flyvakt.sources.arrownp import arrow_numpy

_BAD = 255
NIBBLE = np.full(256, _BAD, dtype=np.uint8)
NIBBLE[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10, dtype=np.uint8)
NIBBLE[np.frombuffer(b"abcdef", np.uint8)] = np.arange(10, 16, dtype=np.uint8)
NIBBLE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16, dtype=np.uint8)

MODE_S_HEX = (14, 28)  # 56- and 112-bit frames
WITH_MODE_AC = (4, 14, 28)  # AVR also carries 2-byte Mode A/C replies


def hex_rows(
    data: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    allowed: tuple[int, ...] = MODE_S_HEX,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """(payload (n, 14), nbytes (n,), ok (n,)) from hex text at ``data[starts:starts+lengths]``."""
    n = starts.size
    payload = np.zeros((n, 14), dtype=np.uint8)
    nbytes = np.zeros(n, dtype=np.uint8)
    ok = np.zeros(n, dtype=np.bool_)
    for width in allowed:
        rows = np.flatnonzero(lengths == width)
        if rows.size == 0:
            continue
        # Rows gathered from a strided view of every window (an index per row, not per byte).
        nib = NIBBLE[sliding_window_view(data, width)[starts[rows]]]
        good = (nib != _BAD).all(axis=1)
        payload[rows, : width // 2] = (nib[:, 0::2] << 4) | nib[:, 1::2]
        nbytes[rows] = width // 2
        ok[rows] = good
    return payload, nbytes, ok


def arrow_hex_column(
    column: Any,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """An Arrow string column (chunked or not) of hex frames -> (payload, nbytes, ok)."""
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0:
        return np.zeros((0, 14), np.uint8), np.zeros(0, np.uint8), np.zeros(0, np.bool_)
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    payload, nbytes, ok = hex_rows(data, starts, lengths)
    if arr.null_count:
        ok &= ~arrow_numpy(arr.is_null())
    return payload, nbytes, ok


def frame_batch(
    payload: npt.NDArray[np.uint8],
    nbytes: npt.NDArray[np.uint8],
    time_s: npt.NDArray[np.float64],
    receiver: int,
) -> FrameBatch:
    out = FrameBatch.empty(len(nbytes))
    out.payload[:] = payload
    out.nbytes[:] = nbytes
    out.time_s[:] = time_s
    out.receiver[:] = receiver
    return out
