"""The Python API for researchers: files in, tables of positions and events out.

Documented, with runnable examples, in ``docs/api.md``::

    import flyvakt
    positions = flyvakt.read("flight.jsonl.gz").to_pandas()
    events = flyvakt.events("flight.jsonl.gz").to_pandas()

Several files are several receivers of the same sky: they are merged by time, and a frame heard
by more than one receiver is counted once (``receivers`` lists who heard each position).
Optional extras: ``pandas`` (``to_pandas``), ``polars`` (``to_polars``), ``traffic``
(``to_traffic``); Arrow (``to_arrow``) is always there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from flyvakt.model import Event, PositionBatch
from flyvakt.model.batches import icao_hex
from flyvakt.pipeline import PipelineStats
from flyvakt.store.flights import flights_from_events
from flyvakt.store.records import FlightRecord

PathLike = str | os.PathLike[str]
Paths = PathLike | Sequence[PathLike]
TimeLike = datetime | str | float | int

#: Columns of :meth:`Positions.to_arrow` / ``to_pandas``, as ``flyvakt replay --positions-out``
#: writes them (``receivers``: ids of the receivers, i.e. input files, that heard the fix).
POSITION_COLUMNS: tuple[str, ...] = (
    "time", "icao24", "lat", "lon", "altitude_baro_ft", "altitude_gnss_ft", "groundspeed_kt",
    "track_deg", "vertical_rate_fpm", "on_ground", "callsign", "squawk", "source", "receivers",
)  # fmt: skip

#: Columns of :meth:`Events.to_pandas`: the event record of DESIGN.md section 3, with
#: ``airport`` given as its ICAO code (``airport_name`` beside it) and ``time`` as a datetime.
EVENT_COLUMNS: tuple[str, ...] = (
    "time", "type", "icao24", "callsign", "airport", "airport_name", "country", "basis",
    "confidence", "reason", "candidates", "lat", "lon", "altitude_baro_ft", "local_time", "fleet",
)  # fmt: skip

# Rows handed to the detector at a time when events are computed from positions: the size of
# a replay batch, so the detector sees the data as `flyvakt replay` feeds it.
_DETECT_CHUNK = 65536


def sample_path() -> str:
    """Path of the bundled real recording (AFR34ZG Paris CDG → Toulouse, 2024-07-06)."""
    from flyvakt.sample import bundled_sample

    return bundled_sample()


def _paths(paths: Paths) -> list[str]:
    if isinstance(paths, str | os.PathLike):
        return [os.fspath(paths)]
    out = [os.fspath(p) for p in paths]
    if not out:
        raise ValueError("no input files given")
    return out


def to_epoch_s(value: TimeLike | None) -> float | None:
    """A time as UTC epoch seconds: datetime (aware), ISO 8601 text with a zone, or a number."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{value.isoformat()}: give a time zone (e.g. 2024-07-06T06:43:00Z)")
    return value.timestamp()


class Positions:
    """Accepted positions, one row per fix, in time order.

    ``batch`` is the underlying :class:`flyvakt.model.PositionBatch` (NumPy columns: ``time_s``
    epoch seconds, ``icao24`` as uint32, NaN / -1 for unknown); the ``to_*`` methods give the
    documented table (:data:`POSITION_COLUMNS`).
    """

    def __init__(self, batch: PositionBatch) -> None:
        self.batch = batch

    def __len__(self) -> int:
        return len(self.batch)

    def __repr__(self) -> str:
        n_ac = len(np.unique(self.batch.icao24)) if len(self.batch) else 0
        return f"<Positions: {len(self):,} fixes of {n_ac:,} aircraft>"

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table``: time timestamp[us, UTC], strings for icao24/callsign/squawk/
        source, float64 with nulls for unknown numbers, bool for on_ground, list<uint16>
        receivers."""
        from flyvakt.cli._outputs import positions_table

        return positions_table(self.batch)

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (needs pandas): numbers float64 (NaN unknown), ``time``
        datetime64[us, UTC], ``on_ground`` pandas' nullable ``boolean``."""
        pd = _need("pandas", "to_pandas")
        import pyarrow as pa

        return self.to_arrow().to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (needs polars)."""
        pl = _need("polars", "to_polars")
        return pl.from_arrow(self.to_arrow())

    def traffic_frame(self) -> Any:
        """A pandas DataFrame with the column names of the ``traffic`` library (timestamp,
        latitude, longitude, altitude, geoaltitude, groundspeed, track, vertical_rate,
        onground...)."""
        df = self.to_pandas()
        return df.rename(
            columns={
                "time": "timestamp",
                "lat": "latitude",
                "lon": "longitude",
                "altitude_baro_ft": "altitude",
                "altitude_gnss_ft": "geoaltitude",
                "groundspeed_kt": "groundspeed",
                "track_deg": "track",
                "vertical_rate_fpm": "vertical_rate",
                "on_ground": "onground",
            }
        )

    def to_traffic(self) -> Any:
        """A ``traffic.core.Traffic`` (needs the traffic library)."""
        core = _need("traffic.core", "to_traffic", package="traffic")
        return core.Traffic(self.traffic_frame())


class Events(list[Event]):
    """Events in time order (each a :class:`flyvakt.model.Event`)."""

    def to_json(self) -> list[dict[str, Any]]:
        """Event records as in ``--events-jsonl`` (DESIGN.md section 3)."""
        return [e.to_json() for e in self]

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with :data:`EVENT_COLUMNS` (needs pandas)."""
        pd = _need("pandas", "to_pandas")
        rows = []
        for e in self:
            j = e.to_json()
            ap = j.pop("airport")
            j.pop("details", None)
            j["airport"] = ap["icao"] if ap else None
            j["airport_name"] = ap["name"] if ap else None
            rows.append(j)
        df = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
        df["time"] = pd.to_datetime(df["time"], utc=True)
        for col in ("lat", "lon", "altitude_baro_ft", "confidence"):
            df[col] = df[col].astype("float64")
        return df


@dataclass
class Replay:
    """Positions and events of one replay, with the counters of what was read and dropped."""

    positions: Positions
    events: Events
    stats: PipelineStats
    duplicates: int  # frames heard by several receivers, counted once


def read(
    paths: Paths,
    format: str | None = None,
    start_time: TimeLike | None = None,
    *,
    batch_size: int = 65536,
) -> Positions:
    """Decode and track recordings (every format ``flyvakt replay`` reads); no event detection.

    ``format`` overrides detection (beast, avr, sbs, jsonl, csv, json, sv-csv, sv-jsonl,
    parquet, opensky); ``start_time`` is the UTC start of Beast/AVR files without absolute times.
    """
    return replay(paths, format, start_time, detect=False, batch_size=batch_size).positions


def replay(
    paths: Paths,
    format: str | None = None,
    start_time: TimeLike | None = None,
    *,
    fleets: PathLike | None = None,
    detect: bool = True,
    batch_size: int = 65536,
) -> Replay:
    """Decode, track and detect events in one pass (what ``flyvakt replay`` does)."""
    from flyvakt.runtime.replay import replay_files

    res = replay_files(
        _paths(paths),
        fmt=format,
        fleets_path=None if fleets is None else os.fspath(fleets),
        batch_size=batch_size,
        start_time_s=to_epoch_s(start_time),
        detect=detect,
    )
    return Replay(
        Positions(res.positions), Events(res.events), res.stats, res.merge_stats.duplicates
    )


def events(
    data: Paths | Positions | Replay,
    format: str | None = None,
    start_time: TimeLike | None = None,
    *,
    fleets: PathLike | None = None,
) -> Events:
    """Events (takeoff, landing, airspace entry...) of recordings, or of positions already read."""
    if isinstance(data, Replay):
        return data.events
    if not isinstance(data, Positions):
        return replay(data, format, start_time, fleets=fleets).events
    from flyvakt.pipeline import PipelineState
    from flyvakt.runtime.setup import make_detector

    det = make_detector(None if fleets is None else os.fspath(fleets))
    state = PipelineState()
    b = data.batch
    b = b.take(np.argsort(b.time_s, kind="stable"))
    out: list[Event] = []
    now = float("-inf")
    for start in range(0, len(b), _DETECT_CHUNK):
        chunk = b.take(np.arange(start, min(start + _DETECT_CHUNK, len(b))))
        now = max(now, float(np.nanmax(chunk.time_s)))
        out.extend(det.step(state, chunk, now))
    out.extend(det.finish(state, now))
    out.sort(key=lambda e: (e.time_s, e.icao24, e.type))
    return Events(out)


FLIGHT_COLUMNS: tuple[str, ...] = (
    "icao24", "callsign", "takeoff_time", "origin", "takeoff_basis", "landing_time",
    "destination", "landing_basis",
)  # fmt: skip


class Flights(list[FlightRecord]):
    """Takeoff → landing legs (:class:`flyvakt.store.FlightRecord`), by aircraft and time."""

    def to_json(self) -> list[dict[str, Any]]:
        """The rows of ``/api/flights``: hex ``icao24``, epoch-second times, end bases."""
        return [{**asdict(f), "icao24": icao_hex(f.icao24)} for f in self]

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with :data:`FLIGHT_COLUMNS` (times as UTC datetimes)."""
        pd = _need("pandas", "to_pandas")
        df = pd.DataFrame(self.to_json())
        df = df.rename(columns={"takeoff_time_s": "takeoff_time", "landing_time_s": "landing_time"})
        df = df.reindex(columns=list(FLIGHT_COLUMNS))
        for col in ("takeoff_time", "landing_time"):
            df[col] = pd.to_datetime(df[col].astype("float64"), unit="s", utc=True)
        return df


def flights(
    data: Paths | Positions | Replay | Events,
    format: str | None = None,
    start_time: TimeLike | None = None,
) -> Flights:
    """Flights (takeoff → landing legs, each end observed or inferred) from events or files."""
    evs = data if isinstance(data, Events) else events(data, format, start_time)
    return Flights(flights_from_events(evs))


def verify(
    claim: Any,
    data: Paths | Replay,
    *,
    at: TimeLike | None = None,
    fleets: PathLike | None = None,
    lang: str = "en",
    tz: str = "UTC",
) -> Any:
    """Judge a claim: ``supported``, ``contradicted`` or ``unverifiable``, with evidence.

    ``claim`` is free text ("AFR34ZG has landed in France", en/nb/nn), a
    :class:`flyvakt.verify.Claim`, or structured fields as a dict (``{"fleet": "ru-gov",
    "predicate": "avoided_airspace_of", "place": "CN", "since": …, "until": …}``, the fields of
    ``POST /api/verify``); ``at`` the time it is judged at (else a time in the text);
    ``data`` recordings, a :class:`Replay`, or a store file (``.db``). Returns a
    :class:`flyvakt.verify.Verdict` (``.verdict``, ``.summary``, ``.to_json()``).
    """
    from flyvakt.fleets import example_fleets_path, load_fleets
    from flyvakt.verify import (
        Claim,
        evidence_from_replay,
        evidence_from_store,
        member_hexes,
        parse_claim,
    )
    from flyvakt.verify import verify as judge

    registry = load_fleets(os.fspath(fleets) if fleets is not None else example_fleets_path())
    at_s = to_epoch_s(at)
    if isinstance(claim, Claim):
        # an explicit time wins over the claim's own, "around" readings included (parse_claim)
        c = claim if at_s is None else Claim(**{**claim.__dict__, "at_s": at_s, "around_s": ()})
    elif isinstance(claim, dict):
        from flyvakt.verify.structured import build_claim

        fields = dict(claim)
        if at_s is not None:
            fields["at"] = datetime.fromtimestamp(at_s, UTC).isoformat()
        c = build_claim(fields, registry)
    else:
        c = parse_claim(str(claim), registry, at_s)
    store = _store_path(data)
    if store is not None:
        from flyvakt.store import StoreReader

        with StoreReader(store) as reader:
            evidence = evidence_from_store(reader, member_hexes(c, registry), c.at_s)
    else:
        rep = data if isinstance(data, Replay) else replay(data, fleets=fleets)
        pos = rep.positions.batch
        evidence = evidence_from_replay(member_hexes(c, registry, pos), list(rep.events), pos)
    return judge(c, evidence, lang=lang, reader_tz=tz)


def _store_path(data: Any) -> str | None:
    if isinstance(data, str | os.PathLike):
        p = os.fspath(data)
        if p.lower().endswith((".db", ".sqlite", ".sqlite3")):
            return p
    return None


def _need(module: str, what: str, package: str | None = None) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        pkg = package or module
        raise ImportError(f"{what} needs the optional package {pkg!r}: pip install {pkg}") from None


__all__ = [
    "EVENT_COLUMNS",
    "POSITION_COLUMNS",
    "Events",
    "Positions",
    "Replay",
    "events",
    "read",
    "replay",
    "sample_path",
    "to_epoch_s",
    "verify",
]
