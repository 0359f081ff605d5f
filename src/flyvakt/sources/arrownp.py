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


def arrow_numpy(column: Any) -> np.ndarray:
    """A numeric or boolean Arrow array or chunked array -> a NumPy array of its own."""
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
    values = np.frombuffer(data, dtype=dtype, count=n, offset=arr.offset * dtype.itemsize).copy()
    if arr.null_count:
        if values.dtype.kind != "f":
            values = values.astype(np.float64)
        values[~_bits(validity, arr.offset, n)] = np.nan
    return values
