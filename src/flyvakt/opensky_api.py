"""OpenSky history as positions: ``flyvakt.read_opensky`` / ``flyvakt.from_opensky``.

OpenSky's Trino database keeps every state vector it received; pyopensky (optional extra,
``pip install 'flyvakt[opensky]'``, an OpenSky account in its configuration) queries it.
``read_opensky(start, stop, icao24=...)`` runs ``pyopensky.trino.Trino().history(...)`` and
tracks the answer as :func:`flyvakt.read` tracks a recording; ``from_opensky(frame)`` does the
same with a DataFrame already fetched (a saved query, pyopensky's cache), with no network.
Positions are timed when OpenSky last heard them (``lastposupdate``), and a position repeated
in later snapshots is read once (:mod:`flyvakt.sources.opensky_history`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.api import Positions, TimeLike, _need
from flyvakt.model import PositionBatch
from flyvakt.sources._common import SourceStats
from flyvakt.sources.opensky_history import HISTORY_COLUMNS, history_to_obs

__all__ = ["HISTORY_COLUMNS", "from_opensky", "read_opensky"]


def from_opensky(history: Any, *, batch_size: int = 65536) -> Positions:
    """Positions tracked from a pyopensky ``Trino.history()`` DataFrame (its column names:
    ``time``, ``icao24``, ``lat``, ``lon``, ``velocity``, ``baroaltitude``...; SI units).

    Raises ``flyvakt.sources.SourceFormatError`` when ``time`` or ``icao24`` is missing.
    """
    from flyvakt.pipeline import PipelineState
    from flyvakt.runtime.guard import guarded_step
    from flyvakt.runtime.setup import tracker_config

    obs = history_to_obs(history, SourceStats())
    cfg = tracker_config()
    state = PipelineState()
    parts: list[PositionBatch] = []
    for start in range(0, len(obs), batch_size):
        chunk = obs.take(np.arange(start, min(start + batch_size, len(obs))))
        state, out = guarded_step(state, chunk, cfg)
        parts.append(out.positions)
    return Positions(PositionBatch.concat(parts) if parts else PositionBatch.empty(0))


def read_opensky(
    start: TimeLike,
    stop: TimeLike | None = None,
    *,
    trino: Any = None,
    **query: Any,
) -> Positions:
    """Query OpenSky's history (``Trino().history(start, stop, **query)``: ``icao24=``,
    ``callsign=``, ``bounds=``, ``departure_airport=``...) and track the answer.

    ``trino``: a ``pyopensky.trino.Trino`` (or anything with its ``history`` method); a new
    one by default, which needs pyopensky and OpenSky credentials. No rows: no positions.
    """
    if trino is None:
        trino = _need("pyopensky.trino", "flyvakt.read_opensky", "pyopensky").Trino()
    history = trino.history(start, stop, **query)
    if history is None:  # pyopensky's answer when nothing matched
        return Positions(PositionBatch.empty(0))
    return from_opensky(history)
