"""Track points packed into one fixed-size binary record per row (schema version 2).

Why: reading one aircraft's day through ``sqlite3`` costs one Python object per column per row
(13 × 8,640 for a day at 10 s), which is most of the read time. With the whole fix in one BLOB
the read is one object per row, joined and viewed as a NumPy structured array.

Record layout (little-endian, 56 bytes)::

    offset  size  field               type
    0       8     time_s              float64 (UTC epoch seconds)
    8       8     lat_deg             float64
    16      8     lon_deg             float64
    24      4     altitude_baro_ft    float32 (NaN = unknown)
    28      4     altitude_gnss_ft    float32
    32      4     groundspeed_kt      float32
    36      4     track_deg           float32
    40      4     vertical_rate_fpm   float32
    44      1     on_ground           int8 (-1 unknown)
    45      1     source              uint8 (flyvakt.model.Source)
    46      2     squawk              int16 (-1 unknown)
    48      8     callsign            ASCII, NUL-padded (empty = unknown)

float32 keeps altitudes to better than 0.01 ft and speeds far below their quantisation steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.model import PositionBatch

PACKED = np.dtype(
    [
        ("time_s", "<f8"), ("lat_deg", "<f8"), ("lon_deg", "<f8"),
        ("altitude_baro_ft", "<f4"), ("altitude_gnss_ft", "<f4"), ("groundspeed_kt", "<f4"),
        ("track_deg", "<f4"), ("vertical_rate_fpm", "<f4"), ("on_ground", "i1"),
        ("source", "u1"), ("squawk", "<i2"), ("callsign", "S8"),
    ]
)  # fmt: skip
SIZE = PACKED.itemsize
_RECORD = np.dtype((np.void, SIZE))

_FLOAT_FIELDS = (
    "lat_deg", "lon_deg", "altitude_baro_ft", "altitude_gnss_ft", "groundspeed_kt",
    "track_deg", "vertical_rate_fpm",
)  # fmt: skip


def pack(batch: PositionBatch) -> list[bytes]:
    """One record per fix of ``batch``."""
    n = len(batch)
    arr = np.empty(n, dtype=PACKED)
    arr["time_s"] = batch.time_s
    for name in _FLOAT_FIELDS:
        arr[name] = getattr(batch, name)
    arr["on_ground"] = batch.on_ground
    arr["source"] = batch.source
    arr["squawk"] = batch.squawk
    arr["callsign"] = [(c or "").encode("ascii", "replace")[:8] for c in batch.callsign.tolist()]
    # Each record as bytes (a void view's items are their full bytes, NULs kept), without a
    # Python slice per row.
    return arr.view(_RECORD).tolist()  # type: ignore[return-value]


def unpack(icao24: int, blobs: list[Any]) -> PositionBatch:
    """The fixes of one aircraft from its records, in the order given."""
    arr = np.frombuffer(b"".join(blobs), dtype=PACKED)
    n = len(arr)
    out = PositionBatch.empty(n)
    out.icao24[:] = icao24
    out.time_s[:] = arr["time_s"]
    for name in _FLOAT_FIELDS:
        getattr(out, name)[:] = arr[name]
    out.on_ground[:] = arr["on_ground"]
    out.source[:] = arr["source"]
    out.squawk[:] = arr["squawk"]
    names = arr["callsign"].tolist()
    out.callsign[:] = [c.decode("ascii") if c else None for c in names]
    return out
