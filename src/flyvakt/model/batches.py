"""Columnar batches: the unit of work between stages.

Why columnar: a Python loop over single messages tops out near 100 k msg/s; NumPy over whole
arrays is what lets decode + track reach the project's throughput goal (DESIGN.md section 1).

Conventions for "unknown": NaN in float columns, -1 in signed integer columns, None in object
columns. Times are float seconds since the Unix epoch, UTC (``time_s``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
U16 = npt.NDArray[np.uint16]
U32 = npt.NDArray[np.uint32]
B = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]
U64 = npt.NDArray[np.uint64]

MAX_RECEIVER_BITS = 64
"""Receiver ids 0..63 fit the ``receivers`` bit set (a receiver network larger than that
still carries each row's own ``receiver`` id; only the set of *others* is lost)."""


class Source(enum.IntEnum):
    """Where an observation came from. The values are stored (never renumber them); which
    source wins is :data:`SOURCE_PRIORITY`, readsb's order, not the value."""

    UNKNOWN = 0
    STATE_VECTOR = 1  # OpenSky/traffic data sets, readsb traces: already decoded elsewhere
    SBS = 2  # BaseStation port 30003: decoded by the receiver's software
    MODE_S = 3  # DF0/4/5/16/20/21 surveillance replies (address recovered from parity)
    ADSB = 4  # DF17 extended squitter, DF18 CF 0/1 (non-transponder), CRC checked
    MLAT = 5  # multilateration result (readsb's Beast MLAT marker, OpenSky position_source 2)
    TISB = 6  # DF18 CF 2/5: TIS-B, a ground station's rebroadcast of radar/other tracks
    ADSR = 7  # DF18 CF 6: ADS-R, a ground station's rebroadcast of UAT ADS-B


# readsb's priority (SOURCE_SBS < MLAT < MODE_S < TISB < ADSR < ADSB; state vectors, decoded
# elsewhere with unknown quality, lowest): a fresher value from a lower source replaces a
# higher one's only when the higher one is stale. Indexed by Source value (uint8 lookups).
SOURCE_PRIORITY = np.zeros(256, dtype=np.int16)
for _src, _prio in (
    (Source.STATE_VECTOR, 1),
    (Source.SBS, 2),
    (Source.MLAT, 3),
    (Source.MODE_S, 4),
    (Source.TISB, 5),
    (Source.ADSR, 6),
    (Source.ADSB, 7),
):
    SOURCE_PRIORITY[int(_src)] = _prio

NON_ICAO = 1 << 24
"""Flag bit on ``icao24`` (readsb's MODES_NON_ICAO_ADDRESS): the 24 bits below are not an ICAO
address (DF18 CF 1/5 anonymous or track-file addresses); shown with a ``~`` prefix."""


def _no_receivers() -> U64:
    return np.zeros(0, dtype=np.uint64)


# A frame's bytes, left-aligned in a fixed-width row: 14, the longest Mode S frame (112 bits).
PAYLOAD_BYTES = 14


class _Columnar:
    """Shared helpers for dataclasses whose every field is a 1-D (or N-D) array of length n.

    ``receivers`` (where a class has it) is optional when constructing: it is a bit set of the
    receivers that heard the row (bit r = receiver id r), 0 when only the row's own
    ``receiver`` did; a missing one is filled with zeros.
    """

    _defaults: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __post_init__(self) -> None:
        rec = getattr(self, "receivers", None)
        if rec is not None and rec.shape[0] != len(self):
            self.receivers = np.zeros(len(self), dtype=np.uint64)

    def __len__(self) -> int:
        # ``_defaults`` lists the fields in declaration order (tested): a dict read, where
        # ``dataclasses.fields`` rebuilt a tuple on every call (a fixed cost of every step).
        return int(getattr(self, next(iter(self._defaults))).shape[0])

    @classmethod
    def empty(cls, n: int) -> Self:
        """A batch of ``n`` rows, every value unknown."""
        kwargs: dict[str, Any] = {}
        for name, (dtype, fill) in cls._defaults.items():
            if name == "payload":
                kwargs[name] = np.zeros((n, PAYLOAD_BYTES), dtype=np.uint8)
            elif dtype is object:
                kwargs[name] = np.full(n, fill, dtype=object)
            else:
                kwargs[name] = np.full(n, fill, dtype=dtype)
        return cls(**kwargs)

    @classmethod
    def blank(cls, n: int) -> Self:
        """A batch of ``n`` rows whose values are not set (``np.empty``): for a writer that
        sets every value of every row, e.g. ``statevec.columns_to_obs``, which writes the
        columns it reads and fills the others (:meth:`fill_unknown`). Filling every column
        first, as :meth:`empty` does, cost ~90 instructions a row on a state-vector replay,
        most of it overwritten (tests: a poisoned buffer gives the same rows)."""
        kwargs: dict[str, Any] = {}
        for name, (dtype, _) in cls._defaults.items():
            shape = (n, PAYLOAD_BYTES) if name == "payload" else n
            kwargs[name] = np.empty(shape, dtype=dtype)
        return cls(**kwargs)

    def fill_unknown(self, names: Iterable[str]) -> None:
        """Set every value of the columns ``names`` unknown (as in :meth:`empty`)."""
        for name in names:
            getattr(self, name)[...] = self._defaults[name][1]

    def take(self, index: npt.NDArray[Any]) -> Self:
        """Rows selected by a boolean mask or an integer index array."""
        return type(self)(**{name: _rows(getattr(self, name), index) for name in self._defaults})

    def rows(self, start: int, stop: int) -> Self:
        """Rows ``start:stop`` as views of this batch's arrays (no copy)."""
        return type(self)(**{name: getattr(self, name)[start:stop] for name in self._defaults})

    @classmethod
    def concat(cls, parts: list[Self]) -> Self:
        if not parts:
            return cls.empty(0)
        return cls(
            **{name: np.concatenate([getattr(p, name) for p in parts]) for name in cls._defaults}
        )


def _rows(column: npt.NDArray[Any], index: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``column[index]``; a 2-D column (the payload) by ``take`` for an integer index: NumPy's
    2-D fancy index gathers ~5x slower (~4 against 0.8 ms for 80,000 rows of 14 bytes)."""
    if column.ndim == 2 and isinstance(index, np.ndarray) and index.dtype.kind in "iu":
        return column.take(index, axis=0)
    out: npt.NDArray[Any] = column[index]
    return out


@dataclass(eq=False)
class FrameBatch(_Columnar):
    """Raw Mode S frames as received.

    ``payload`` holds each frame left-aligned in 14 bytes (a 56-bit frame uses the first 7).
    ``nbytes`` is 7 or 14 for Mode S, 2 for Mode A/C (kept for counting, never decoded).
    """

    time_s: F64
    payload: U8  # shape (n, 14)
    nbytes: U8
    signal_dbfs: F32
    receiver: U16
    receivers: U64 = field(default_factory=_no_receivers)  # set of receivers (see _Columnar)
    mlat: B = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))  # an MLAT result

    _defaults: ClassVar[dict[str, tuple[Any, Any]]] = {
        "time_s": (np.float64, np.nan),
        "payload": (np.uint8, 0),
        "nbytes": (np.uint8, 0),
        "signal_dbfs": (np.float32, np.nan),
        "receiver": (np.uint16, 0),
        "receivers": (np.uint64, 0),
        "mlat": (np.bool_, False),
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.mlat.shape[0] != len(self):  # not given: no frame is an MLAT result
            self.mlat = np.zeros(len(self), dtype=np.bool_)

    @classmethod
    def from_hex(cls, hex_frames: list[str], time_s: list[float] | F64) -> FrameBatch:
        """Build a batch from hex strings (test and glue helper; not the fast path)."""
        n = len(hex_frames)
        out = cls.empty(n)
        out.time_s[:] = np.asarray(time_s, dtype=np.float64)
        for i, h in enumerate(hex_frames):
            raw = bytes.fromhex(h)
            out.payload[i, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
            out.nbytes[i] = len(raw)
        return out

    def hex(self, i: int) -> str:
        return bytes(self.payload[i, : int(self.nbytes[i])]).hex()


@dataclass(eq=False)
class ObservationBatch(_Columnar):
    """What one message (or one state-vector row, or one SBS line) says about one aircraft.

    The decoder is stateless, so airborne/surface positions from raw frames arrive as CPR
    fields (``cpr_*``) and are turned into ``lat_deg``/``lon_deg`` by the tracker. Sources that
    are already decoded (SBS, state vectors) fill ``lat_deg``/``lon_deg`` directly.
    """

    time_s: F64
    icao24: U32
    source: U8  # Source
    df: I8  # downlink format, -1 when not from a Mode S frame
    tc: I8  # ADS-B type code, -1 when not DF17/18
    address_checked: B  # True: CRC-verified address (DF11/17/18, SBS, state vectors)
    lat_deg: F64
    lon_deg: F64
    cpr_lat: I32  # 17-bit CPR latitude, -1 when absent
    cpr_lon: I32
    cpr_odd: I8  # 0 even, 1 odd, -1 absent
    cpr_surface: B  # True for surface position (TC 5-8)
    altitude_baro_ft: F64
    altitude_gnss_ft: F64
    groundspeed_kt: F64
    track_deg: F64
    airspeed_kt: F64
    heading_deg: F64
    vertical_rate_fpm: F64
    on_ground: I8  # 1 ground, 0 airborne, -1 unknown
    squawk: I16  # the four octal digits read as a decimal number (7700), -1 unknown
    callsign: Obj  # str or None
    category: I8  # emitter category (TC*8+CA style: A0..D7 -> 0..31), -1 unknown
    emergency: I8  # TC 28 emergency state 0..7, -1 unknown
    adsb_version: I8
    nic_supplement: I8
    nac_p: I8
    signal_dbfs: F32
    receiver: U16
    receivers: U64 = field(default_factory=_no_receivers)  # set of receivers (see _Columnar)

    _defaults: ClassVar[dict[str, tuple[Any, Any]]] = {
        "time_s": (np.float64, np.nan),
        "icao24": (np.uint32, 0),
        "source": (np.uint8, 0),
        "df": (np.int8, -1),
        "tc": (np.int8, -1),
        "address_checked": (np.bool_, False),
        "lat_deg": (np.float64, np.nan),
        "lon_deg": (np.float64, np.nan),
        "cpr_lat": (np.int32, -1),
        "cpr_lon": (np.int32, -1),
        "cpr_odd": (np.int8, -1),
        "cpr_surface": (np.bool_, False),
        "altitude_baro_ft": (np.float64, np.nan),
        "altitude_gnss_ft": (np.float64, np.nan),
        "groundspeed_kt": (np.float64, np.nan),
        "track_deg": (np.float64, np.nan),
        "airspeed_kt": (np.float64, np.nan),
        "heading_deg": (np.float64, np.nan),
        "vertical_rate_fpm": (np.float64, np.nan),
        "on_ground": (np.int8, -1),
        "squawk": (np.int16, -1),
        "callsign": (object, None),
        "category": (np.int8, -1),
        "emergency": (np.int8, -1),
        "adsb_version": (np.int8, -1),
        "nic_supplement": (np.int8, -1),
        "nac_p": (np.int8, -1),
        "signal_dbfs": (np.float32, np.nan),
        "receiver": (np.uint16, 0),
        "receivers": (np.uint64, 0),
    }


@dataclass(eq=False)
class PositionBatch(_Columnar):
    """Accepted positions (one row per fix), the tracker's output and the store's track points.

    Column names are those of ``flyvakt replay --positions-out``.
    """

    time_s: F64
    icao24: U32
    lat_deg: F64
    lon_deg: F64
    altitude_baro_ft: F64
    altitude_gnss_ft: F64
    groundspeed_kt: F64
    track_deg: F64
    vertical_rate_fpm: F64
    on_ground: I8
    callsign: Obj
    squawk: I16
    source: U8
    receivers: U64 = field(default_factory=_no_receivers)  # bit r: receiver r heard this fix

    _defaults: ClassVar[dict[str, tuple[Any, Any]]] = {
        "time_s": (np.float64, np.nan),
        "icao24": (np.uint32, 0),
        "lat_deg": (np.float64, np.nan),
        "lon_deg": (np.float64, np.nan),
        "altitude_baro_ft": (np.float64, np.nan),
        "altitude_gnss_ft": (np.float64, np.nan),
        "groundspeed_kt": (np.float64, np.nan),
        "track_deg": (np.float64, np.nan),
        "vertical_rate_fpm": (np.float64, np.nan),
        "on_ground": (np.int8, -1),
        "callsign": (object, None),
        "squawk": (np.int16, -1),
        "source": (np.uint8, 0),
        "receivers": (np.uint64, 0),
    }


OBS_FIELDS: tuple[str, ...] = tuple(ObservationBatch._defaults)
POS_FIELDS: tuple[str, ...] = tuple(PositionBatch._defaults)


def receiver_set(receivers: U64, receiver: U16) -> U64:
    """The bit set ``receivers`` with each row's own ``receiver`` added (ids >= 64 are left out)."""
    own = receiver.astype(np.uint64)
    bit = np.where(own < MAX_RECEIVER_BITS, np.left_shift(np.uint64(1), own), np.uint64(0))
    return receivers | bit.astype(np.uint64)


def receiver_ids(mask: int) -> list[int]:
    """Receiver ids in a ``receivers`` bit set, ascending."""
    return [r for r in range(MAX_RECEIVER_BITS) if (int(mask) >> r) & 1]


def icao_hex(icao24: int) -> str:
    """Address as the lower-case 6-digit hex used everywhere in records; ``~`` + hex for a
    non-ICAO address (:data:`NON_ICAO` set), as readsb writes it."""
    a = int(icao24)
    # printf-style, not an f-string's format spec: the same text, ~0.3 us less a call (one per
    # event built one by one: ~30 k in a state-vector replay, 25 k of them signal_regained).
    return "~%06x" % (a & 0xFFFFFF) if a & NON_ICAO else "%06x" % a  # noqa: UP031


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", np.uint8)
_HEX_SHIFTS = np.array([20, 16, 12, 8, 4, 0])


def icao_hex_many(icao24: npt.NDArray[np.integer[Any]]) -> list[str]:
    """:func:`icao_hex` of many addresses (the same strings), in arrays: the six hex digits of
    each address as bytes, one string per address."""
    a = np.asarray(icao24, np.int64)
    digits = _HEX_DIGITS[(a[:, None] >> _HEX_SHIFTS) & 0xF]
    # Each address's bytes decoded alone (ASCII): numpy's cast of the bytes to a "U6" array
    # first costs ~1.6 k instructions an address against ~1 k this way (5,000 per 1 M frames
    # in the signal-lost sweep of bench_pipeline's burst; the live hub, per batch).
    out: list[str] = list(map(bytes.decode, digits.view("S6").ravel().tolist()))
    for k in np.flatnonzero(a & NON_ICAO).tolist():
        out[k] = "~" + out[k]
    return out


_HEX_CHARS = frozenset("0123456789abcdef")


def parse_icao_hex(text: str) -> int:
    """Inverse of :func:`icao_hex` ("3c6444", "~c639ee"); ValueError when it is neither.
    (Twice per event in a replay with fleets: the digits checked by one set operation.)"""
    s = text.strip().lower()
    flag = NON_ICAO if s.startswith("~") else 0
    s = s.lstrip("~")
    if len(s) != 6 or not _HEX_CHARS.issuperset(s):
        raise ValueError(f"not a 6-digit hex address: {text!r}")
    return int(s, 16) | flag


# An aircraft has many events (a state-vector replay of 5,000 aircraft lost and found again:
# 55,025 events), each tagged with its fleets by address (pipeline.tag_fleets, fleets/events):
# the address text parsed once per aircraft, not per event (~1-2 us a call; a text it cannot
# parse raises again each time, as lru_cache keeps no exception). Bounded: a long `flyvakt run`
# sees new addresses for ever; 65,536 of them is ~10 MB at most.
address_of = functools.lru_cache(maxsize=1 << 16)(parse_icao_hex)
