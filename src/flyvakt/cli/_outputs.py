"""File outputs of ``flyvakt replay``: positions (Parquet/CSV) and events (JSON lines)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

import numpy as np

from flyvakt.model import Event, PositionBatch, Source
from flyvakt.model.batches import receiver_ids

POSITION_COLUMNS = (
    "time",
    "icao24",
    "lat",
    "lon",
    "altitude_baro_ft",
    "altitude_gnss_ft",
    "groundspeed_kt",
    "track_deg",
    "vertical_rate_fpm",
    "on_ground",
    "callsign",
    "squawk",
    "source",
    "receivers",
)

_SOURCE_NAMES = {int(s): s.name.lower() for s in Source}


def position_columns(p: PositionBatch) -> dict[str, list[Any]]:
    """Plain Python columns (None for unknown), shared by the CSV and Parquet writers."""

    def floats(a: np.ndarray[Any, Any], nd: int) -> list[float | None]:
        return [None if np.isnan(x) else round(float(x), nd) for x in a.tolist()]

    return {
        "time_s": p.time_s.tolist(),
        "icao24": [f"{a:06x}" for a in p.icao24.tolist()],
        "lat": floats(p.lat_deg, 6),
        "lon": floats(p.lon_deg, 6),
        "altitude_baro_ft": floats(p.altitude_baro_ft, 0),
        "altitude_gnss_ft": floats(p.altitude_gnss_ft, 0),
        "groundspeed_kt": floats(p.groundspeed_kt, 1),
        "track_deg": floats(p.track_deg, 1),
        "vertical_rate_fpm": floats(p.vertical_rate_fpm, 0),
        "on_ground": [None if g < 0 else bool(g) for g in p.on_ground.tolist()],
        "callsign": p.callsign.tolist(),
        "squawk": [None if s < 0 else f"{s:04d}" for s in p.squawk.tolist()],
        "source": [_SOURCE_NAMES.get(s, "unknown") for s in p.source.tolist()],
        "receivers": _receiver_lists(p.receivers),
    }


def _receiver_lists(masks: np.ndarray[Any, Any]) -> list[list[int]]:
    """Receiver id lists of ``receivers`` bit sets (few distinct sets: computed once each)."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    lists = [receiver_ids(int(m)) for m in uniq.tolist()]
    return [lists[i] for i in inverse.ravel().tolist()]


def positions_table(p: PositionBatch) -> Any:
    """Positions as an Arrow table with the documented column names and types."""
    import pyarrow as pa

    cols = position_columns(p)
    times_us = np.round(np.asarray(cols.pop("time_s"), dtype=np.float64) * 1e6).astype("int64")
    receivers = pa.array(cols.pop("receivers"), type=pa.list_(pa.uint16()))
    types = _arrow_types()
    arrays = {
        "time": pa.array(times_us, type=pa.timestamp("us", tz="UTC")),
        **{k: pa.array(v, type=types[k]) for k, v in cols.items()},
        "receivers": receivers,
    }
    return pa.table(arrays)


def _arrow_types() -> dict[str, Any]:
    import pyarrow as pa

    f = pa.float64()
    return {
        "icao24": pa.string(), "lat": f, "lon": f, "altitude_baro_ft": f, "altitude_gnss_ft": f,
        "groundspeed_kt": f, "track_deg": f, "vertical_rate_fpm": f, "on_ground": pa.bool_(),
        "callsign": pa.string(), "squawk": pa.string(), "source": pa.string(),
    }  # fmt: skip


class PositionsWriter:
    """Streams accepted positions to ``.parquet`` or ``.csv`` (chosen by extension)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        suffix = self.path.suffix.lower()
        if suffix not in (".parquet", ".csv"):
            raise ValueError(f"{self.path}: --positions-out must end in .parquet or .csv")
        self.kind = suffix[1:]
        self._pq: Any = None
        self._csv_fh: IO[str] | None = None
        self._csv: Any = None

    def write(self, p: PositionBatch) -> None:
        if len(p) == 0:
            return
        self.rows += len(p)
        if self.kind == "csv":
            cols = position_columns(p)
            if self._csv is None:
                self._csv_fh = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115
                self._csv = csv.writer(self._csv_fh)
                self._csv.writerow(POSITION_COLUMNS)
            from flyvakt.model.events import iso_utc_ms

            times = [iso_utc_ms(t) for t in cols.pop("time_s")]
            cols["receivers"] = [";".join(map(str, r)) for r in cols["receivers"]]
            self._csv.writerows(zip(times, *cols.values(), strict=True))
            return
        import pyarrow.parquet as pq

        table = positions_table(p)
        if self._pq is None:
            self._pq = pq.ParquetWriter(self.path, table.schema)
        self._pq.write_table(table.cast(self._pq.schema))

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._csv_fh is not None:
            self._csv_fh.close()
        if self.rows == 0 and not self.path.exists():
            # Still leave a well-formed empty file, so scripts need no special case.
            if self.kind == "csv":
                self.path.write_text(",".join(POSITION_COLUMNS) + "\n", encoding="utf-8")
            else:
                import pyarrow.parquet as pq

                pq.write_table(positions_table(PositionBatch.empty(0)), self.path)


class EventsWriter:
    """One JSON event per line (DESIGN.md section 3)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        self.count = 0

    def write(self, events: list[Event]) -> None:
        for e in events:
            self._fh.write(json.dumps(e.to_json(), ensure_ascii=False) + "\n")
            self.count += 1

    def close(self) -> None:
        self._fh.close()
