"""Arrow columns -> NumPy without pyarrow's ``to_numpy``, which imports pandas when it is
installed (0.35-0.4 CPU s of every ``flyvakt replay``, more than reading a 1 M-frame file).

Integers, floats and booleans are read from the array's own buffers; as with
``to_numpy(zero_copy_only=False)``, nulls become NaN (integers then as float64).
Other types (and booleans with nulls) take pyarrow's way.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _bits(buf: Any, offset: int, n: int) -> np.ndarray:
    raw = np.frombuffer(buf, dtype=np.uint8)
    out: np.ndarray = np.unpackbits(raw, bitorder="little", count=offset + n)[offset:]
    return out.astype(np.bool_)


def arrow_numpy(column: Any, *, copy: bool = True) -> np.ndarray:
    """A numeric or boolean Arrow array or chunked array -> a NumPy array of its own; with
    ``copy=False``, numbers without nulls as a read-only view of Arrow's buffer (for a reader
    that converts or copies them anyway: each copy of a float column cost ~8 instructions a
    row, callgrind counting a bulk copy byte by byte)."""
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    t = arr.type
    n = len(arr)
    if pa.types.is_boolean(t) and not arr.null_count:
        return _bits(arr.buffers()[1], arr.offset, n) if n else np.zeros(0, np.bool_)
    if pa.types.is_integer(t):
        dtype = np.dtype(f"{'i' if pa.types.is_signed_integer(t) else 'u'}{t.bit_width // 8}")
    elif pa.types.is_floating(t):
        dtype = np.dtype(f"f{t.bit_width // 8}")
    else:
        out: np.ndarray = arr.to_numpy(zero_copy_only=False)
        return out
    if n == 0:
        return np.zeros(0, dtype)
    validity, data = arr.buffers()[:2]
    values = np.frombuffer(data, dtype=dtype, count=n, offset=arr.offset * dtype.itemsize)
    if arr.null_count:
        values = values.astype(np.float64) if values.dtype.kind != "f" else values.copy()
        values[~_bits(validity, arr.offset, n)] = np.nan
    elif copy:
        values = values.copy()
    else:  # Arrow's own memory (its buffers may be mutable): never written through this view
        values.flags.writeable = False
    return values
