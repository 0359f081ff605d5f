"""OpenSky history tables (pyopensky's ``Trino().history(...)`` DataFrame) -> observations.

pyopensky returns the ``state_vectors_data4`` table with its own column names (SI units)::

    time (UTC timestamp)  icao24  lat  lon  velocity (m/s)  heading (true track, deg)
    vertrate (m/s)  callsign  onground  alert  spi  squawk  baroaltitude (m)  geoaltitude (m)
    lastposupdate (s)  lastcontact (s)  serials  hour

Each row is mapped to the REST ``/states/all`` state it is a snapshot of and read by the same
rules (:class:`flyvakt.sources.opensky.StatesDecoder`): a position is timed when OpenSky last
heard it (``lastposupdate``), not at the snapshot's ``time``, and a position already read for
the aircraft comes back as a row without a position (or not at all), so a 10-s snapshot series
never repeats one fix at later times. The table does not say which positions were MLAT: all
are state vectors. Rows are read in time order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources._common import SourceFormatError, SourceStats
from flyvakt.sources.statevec import to_epoch_s

#: pyopensky's ``Trino.history()`` columns (``state_vectors_data4``) read here.
HISTORY_COLUMNS: tuple[str, ...] = (
    "time", "icao24", "lat", "lon", "velocity", "heading", "vertrate", "callsign", "onground",
    "spi", "squawk", "baroaltitude", "geoaltitude", "lastposupdate", "lastcontact",
)  # fmt: skip
_REQUIRED = ("time", "icao24")


def _plain(v: Any) -> Any:
    """pandas' NA / NaN / NaT as None, anything else as is."""
    try:
        return None if v is None or bool(v != v) else v
    except (TypeError, ValueError):  # pd.NA refuses bool()
        return None


def history_to_obs(history: Any, stats: SourceStats, *, receiver: int = 0) -> ObservationBatch:
    """A pyopensky history DataFrame (or any table with ``.columns`` and ``[name].tolist()``)
    -> ObservationBatch; rows without address or time are counted and skipped."""
    from flyvakt.sources.opensky import StatesDecoder

    names = {str(c).lower(): c for c in getattr(history, "columns", ())}
    missing = [c for c in _REQUIRED if c not in names]
    if missing:
        raise SourceFormatError(
            f"not an OpenSky history table: no {', '.join(missing)} column "
            f"(pyopensky's Trino.history() names them {', '.join(HISTORY_COLUMNS[:4])}...)"
        )
    n = len(history)

    def col(name: str) -> list[Any]:
        return [_plain(v) for v in history[names[name]].tolist()] if name in names else [None] * n

    def seconds(name: str) -> list[float | None]:
        values = to_epoch_s(col(name)) if name in names else np.full(n, np.nan)
        return [None if math.isnan(v) else v for v in values.tolist()]

    time_s, pos_s, last_s = seconds("time"), seconds("lastposupdate"), seconds("lastcontact")
    icao, callsign, lat, lon = col("icao24"), col("callsign"), col("lat"), col("lon")
    baro, geo, onground = col("baroaltitude"), col("geoaltitude"), col("onground")
    vel, trk, vrate = col("velocity"), col("heading"), col("vertrate")
    squawk, spi = col("squawk"), col("spi")
    # Time order (None is NaN: sorted last).
    order = np.argsort(np.array(time_s, dtype=np.float64), kind="stable").tolist()
    states = []
    for i in order:
        contact = last_s[i] if last_s[i] is not None else time_s[i]
        # The REST state layout (see flyvakt.sources.opensky); origin country, sensors and
        # position source are not in the table.
        states.append([
            icao[i], callsign[i], None, pos_s[i], contact, lon[i], lat[i], baro[i],
            onground[i], vel[i], trk[i], vrate[i], None, geo[i], squawk[i], spi[i], None,
        ])  # fmt: skip
    return StatesDecoder(receiver=receiver).decode({"states": states}, stats)
