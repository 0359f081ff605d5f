"""Records the store accepts besides position batches and events, and what readers get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.model import AirportRef, Event
from flyvakt.model.batches import F64


@dataclass(frozen=True)
class FlightRecord:
    """One flight of one aircraft; keyed by ``(icao24, first_seen_s)`` and upserted."""

    icao24: int
    first_seen_s: float
    last_seen_s: float | None = None
    takeoff_time_s: float | None = None
    landing_time_s: float | None = None
    origin: str | None = None  # airport ICAO code
    destination: str | None = None
    callsign: str | None = None
    # How each end is known: the basis of its takeoff/landing event ("observed" | "inferred"),
    # None when that end was not detected (first seen airborne, or never seen landing).
    takeoff_basis: str | None = None
    landing_basis: str | None = None


@dataclass(frozen=True)
class AircraftRecord:
    """What is known of an airframe; ``None`` fields leave the stored value unchanged."""

    icao24: int
    registration: str | None = None
    type: str | None = None
    callsign: str | None = None
    last_seen_s: float | None = None


@dataclass(frozen=True)
class FleetRecord:
    """A fleet definition as JSON (``record`` is stored verbatim; ``icao24`` lists members)."""

    fleet: str
    record: dict[str, Any]


@dataclass(frozen=True)
class VerdictRecord:
    key: str  # caller-chosen, e.g. a hash of the normalised claim and as_of
    as_of_s: float
    record: dict[str, Any]


@dataclass(frozen=True, eq=False)
class ReceiverFrames:
    """Frames heard by one receiver (times only): feeds ``receiver_coverage``."""

    receiver: int
    time_s: F64


@dataclass(frozen=True)
class EventRows:
    """Events as :func:`flyvakt.store.sql.event_row` rows, made once by the live engine (its hub
    shows the same ``record``); stored as a list of the events would be."""

    rows: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class CommBRecord:
    """Newest Comm-B values: ``(icao24, readsb key, value, time_s)`` rows, each kept only if
    newer than the stored one (:meth:`flyvakt.decode.commb.CommBLatest.drain` makes them)."""

    rows: tuple[tuple[int, str, float, float], ...]


@dataclass(frozen=True)
class CommBColumns:
    """:class:`CommBRecord` as columns (the live engine's: arrays pickle in one copy each, 127 k
    row tuples did not): ``key`` indexes ``names``; :attr:`rows` gives the same rows."""

    icao24: npt.NDArray[np.uint32]
    key: npt.NDArray[np.int64]
    value: F64
    time_s: F64
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.icao24)

    @property
    def rows(self) -> list[tuple[int, str, float, float]]:
        names = np.array(self.names, dtype=object)  # one look-up of all keys, not one each
        return list(
            zip(
                self.icao24.tolist(),
                names[self.key].tolist(),
                self.value.tolist(),
                self.time_s.tolist(),
                strict=True,
            )
        )


@dataclass(frozen=True)
class MetaRecord:
    key: str
    value: str


@dataclass(frozen=True)
class Fix:
    """One stored position, as evidence (e.g. the last fix before a gap)."""

    time_s: float
    lat_deg: float | None
    lon_deg: float | None
    altitude_baro_ft: float | None
    on_ground: int


@dataclass(frozen=True)
class Gap:
    """A stretch with no position of the aircraft, longer than the gap threshold.

    ``start_s`` is the last second with data before the gap (or the window start), ``end_s``
    the first second with data after it (or the window end). ``receiver_seconds`` counts the
    seconds inside the gap in which any receiver heard anything: 0 means the receivers were
    deaf (no coverage at all), > 0 means others were heard while this aircraft was not.
    """

    start_s: float
    end_s: float
    receiver_seconds: int
    last_fix: Fix | None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class CoverageReport:
    icao24: int
    t0_s: float
    t1_s: float
    seconds_with_data: int
    first_s: float | None
    last_s: float | None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.seconds_with_data > 0


def mask_seconds(minute_s: np.ndarray[Any, Any], masks: np.ndarray[Any, Any]) -> F64:
    """Expand (minute, 60-bit mask) rows into the sorted seconds that had data."""
    if len(minute_s) == 0:
        return np.zeros(0)
    bits = (masks.astype(np.uint64)[:, None] >> np.arange(60, dtype=np.uint64)) & np.uint64(1)
    secs = minute_s.astype(np.float64)[:, None] + np.arange(60, dtype=np.float64)
    return np.unique(secs[bits.astype(np.bool_)])


def event_from_json(d: dict[str, Any]) -> Event:
    """A stored event record (``Event.to_json()``) back into an Event."""
    from flyvakt.geo import get_world

    ap = d.get("airport")
    airport = None
    if ap:
        airport = get_world().airport(str(ap["icao"])) or AirportRef(
            str(ap["icao"]), str(ap.get("iata") or ""), str(ap.get("name") or ""),
            str(ap.get("country") or ""), str(ap.get("tz") or "UTC"), 0.0, 0.0, 0.0,
        )  # fmt: skip
    local = d.get("local_time")
    local_tz = None
    if local and airport is None and d.get("lat") is not None and d.get("lon") is not None:
        local_tz = get_world().tz_at(float(d["lat"]), float(d["lon"]))
    return Event(
        type=d["type"],
        icao24=str(d["icao24"]),
        time_s=datetime.fromisoformat(str(d["time"]).replace("Z", "+00:00")).timestamp(),
        callsign=d.get("callsign"),
        airport=airport,
        country=d.get("country"),
        basis=d.get("basis", "observed"),
        confidence=float(d.get("confidence", 1.0)),
        reason=str(d.get("reason") or ""),
        candidates=list(d.get("candidates") or []),
        lat=d.get("lat"),
        lon=d.get("lon"),
        altitude_baro_ft=d.get("altitude_baro_ft"),
        local_tz=local_tz,
        fleet=list(d.get("fleet") or []),
        details=dict(d.get("details") or {}),
    )
