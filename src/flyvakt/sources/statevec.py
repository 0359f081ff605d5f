"""Already-decoded state vectors -> ObservationBatch (source=STATE_VECTOR).

Columns are recognised by name (lower-cased). Units follow two conventions:

* traffic (Python library) data: ``altitude``/``geoaltitude`` in ft, ``groundspeed`` in kt,
  ``vertical_rate`` in ft/min;
* OpenSky (Impala history / REST): ``baroaltitude``/``geoaltitude`` (or ``baro_altitude``/
  ``geo_altitude``) in metres, ``velocity`` in m/s, ``vertrate`` (or ``vertical_rate``) in m/s.

A table is OpenSky-style when it has any of ``baroaltitude``, ``baro_altitude``,
``geo_altitude``, ``velocity`` or ``vertrate``; then ambiguous names (``geoaltitude``,
``vertical_rate``) are read as SI too. Timestamps may be ISO 8601 strings (UTC when no offset),
datetimes, or epoch numbers in s/ms/us/ns (told apart by magnitude). Booleans accept
true/false/True/False/1/0; empty means unknown (-1), never false.

Also readsb/tar1090 ``trace_full`` JSON: ``{"icao", "timestamp", "trace": [[dt, lat, lon,
alt_ft | "ground" | null, gs_kt, track_deg, flags, vrate_fpm, details | null, ...], ...]}``
where flags bit 8 means the altitude is geometric, not barometric.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from flyvakt.model.batches import ObservationBatch, Source
from flyvakt.sources._common import SourceStats
from flyvakt.sources.arrownp import _bits, arrow_numpy
from flyvakt.sources.hextable import arrow_text_rows
from flyvakt.sources.svaddress import _icao, _icao_rows

M_TO_FT = 1.0 / 0.3048
MS_TO_KT = 3600.0 / 1852.0
MS_TO_FPM = 60.0 / 0.3048
_MS_THRESHOLD = 1e11  # epoch numbers above this are ms (1e11 s is year 5138, 1e11 ms is 1973)

_TIME = ("timestamp", "time", "ts", "datetime")
_ICAO = ("icao24", "icao", "hex")
_LAT = ("latitude", "lat")
_LON = ("longitude", "lon", "lng")
_TRACK = ("track", "true_track")
_CALLSIGN = ("callsign", "flight")
_ONGROUND = ("onground", "on_ground")
_OPENSKY = ("baroaltitude", "baro_altitude", "geo_altitude", "velocity", "vertrate")

# Column names that identify a state-vector table (used by format sniffing).
STATE_VECTOR_KEYS = frozenset(_ICAO) | frozenset(_LAT)
# The numeric columns :func:`columns_to_obs` reads (lower-cased names), and every column it
# reads: a CSV reader types the first as float64 (whole numbers may turn decimal later in a
# file) and need not read the others at all.
NUMERIC_COLUMNS = (
    frozenset(
        (*_LAT, *_LON, *_TRACK, "heading", "altitude", "alt_baro", "baroaltitude", "baro_altitude")
    )
    | frozenset(
        ("geo_altitude", "geoaltitude", "alt_geom", "groundspeed", "gs", "velocity", "vertrate")
    )
    | frozenset(("vertical_rate", "baro_rate"))
)
TIME_COLUMNS = frozenset(_TIME)
ADDRESS_COLUMNS = frozenset(_ICAO)
READ_COLUMNS = (
    NUMERIC_COLUMNS | TIME_COLUMNS | frozenset((*_ICAO, *_CALLSIGN, *_ONGROUND, "squawk"))
)


@dataclass
class Distinct:
    """A column as its distinct values and one code per row (Arrow's dictionary encoding).

    Text columns (addresses, callsigns, squawks, ISO times, booleans as words) repeat a few
    values over many rows: each conversion below runs once per distinct value, not per row.
    """

    codes: np.ndarray  # int, one per row, indexes ``values``
    given: list[Any] | None  # the distinct values; None: taken from ``arrow`` when first asked
    arrow: Any = None  # the distinct values as an Arrow array, when they came from one

    @property
    def values(self) -> list[Any]:
        """The distinct values as Python objects (an address column, converted from Arrow's
        text at once by :func:`icao_column`, never needs its thousands per block)."""
        if self.given is None:
            self.given = self.arrow.to_pylist()
        return self.given

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Any]:
        values = self.values
        return (values[c] for c in self.codes.tolist())

    def map(self, fn: Callable[[Any], Any], dtype: Any) -> np.ndarray:
        lookup = np.empty(len(self.values), dtype=dtype)
        lookup[:] = [fn(v) for v in self.values]
        out: np.ndarray = lookup[self.codes]
        return out

    def convert(self, fn: Callable[[Any], np.ndarray]) -> np.ndarray:
        """A whole-column conversion (``to_f64``...) applied to the distinct values."""
        out: np.ndarray = fn(self.values)[self.codes]
        return out

    def gather(self, lookup: np.ndarray, out: np.ndarray) -> None:
        """``lookup[codes]`` (one entry per distinct value) written into ``out``, a batch's
        column: no column-sized temporary and copy (for callsigns, a reference count taken
        and dropped per row). One distinct value (a column never filled in: the corpus's
        ``geoaltitude``) is filled, not gathered."""
        if len(lookup) == 1:
            out[:] = lookup[0]
        else:  # "clip": codes are in range; "raise" would buffer ``out`` (NumPy's note)
            np.take(lookup, self.codes, out=out, mode="clip")


def distinct_of_arrow(column: Any) -> Distinct:
    """An Arrow array (any type) -> Distinct; nulls become the value None."""
    import pyarrow as pa

    if pa.types.is_boolean(column.type) and not isinstance(column, pa.ChunkedArray):
        # Three values at most: the codes from the array's two bit maps, not from a hash of
        # every row (Arrow's encoding cost 0.1 ms per 10,000 rows, the bits a tenth of it).
        n = len(column)
        validity, data = column.buffers()[:2]
        codes = np.zeros(n, dtype=np.int8)
        if n:
            codes[:] = 1 + _bits(data, column.offset, n).view(np.int8)
            if column.null_count:
                codes[~_bits(validity, column.offset, n)] = 0
        return Distinct(codes, [None, False, True])
    if pa.types.is_dictionary(column.type) and not isinstance(column, pa.ChunkedArray):
        # Encoded by the reader (svcsv): its codes and values as they are; a null row (none
        # from the CSV reader, which reads an empty cell as "") the value None after them.
        n, indices = len(column), column.indices
        codes = arrow_numpy(indices.fill_null(0) if indices.null_count else indices, copy=False)
        codes = codes.astype(np.int64)  # its own (written below), one copy
        if not column.null_count:
            return Distinct(codes, None, column.dictionary)
        values = column.dictionary.to_pylist()
        codes[~_bits(column.buffers()[0], column.offset, n)] = len(values)
        return Distinct(codes, [*values, None])
    if pa.types.is_string(column.type) and not isinstance(column, pa.ChunkedArray):
        short = _short_texts(column)
        if short is not None:
            return short
    enc = column.dictionary_encode(null_encoding="encode")
    return Distinct(arrow_numpy(enc.indices), None, enc.dictionary)


# Texts of at most 8 bytes (callsigns, squawks, empty cells) are told apart by their bytes
# read as one 64-bit number (no NUL in them: zeros then pad only). NumPy's sort finds the
# distinct ones about as fast as Arrow's hash (0.2-0.4 ms per 10,000 rows each), without
# Arrow's ``dictionary_encode``, which imports ``pyarrow.compute``: ~0.08 s of start-up.
_SHORT_TEXT_BYTES = 8
# A value's first k bytes of a little-endian 64-bit word (k = 0..8).
_FIRST_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _short_texts(column: Any) -> Distinct | None:
    """A Distinct of an Arrow string array whose values are short (see ``_SHORT_TEXT_BYTES``),
    nulls the value None; None when a value is longer or a NUL byte is in the data."""
    arr, data, starts, lengths = arrow_text_rows(column)
    if arr is None:
        return Distinct(np.zeros(0, dtype=np.int64), [])
    if int(lengths.max()) > _SHORT_TEXT_BYTES or not data.all():
        return None
    if not len(data):  # every row empty or null (a column never filled in): nothing to sort
        codes = np.zeros(len(arr), dtype=np.int64)
        values: list[Any] = [""]
    else:
        codes, values = _short_codes(data, starts, lengths)
    if arr.null_count:
        valid = _bits(arr.buffers()[0], arr.offset, len(arr))
        codes[~valid] = len(values)
        values.append(None)
    return Distinct(codes, values)


def _short_codes(
    data: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, list[Any]]:
    """The codes and distinct values of short texts (``data``'s bytes, not empty)."""
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    # Every byte offset of the data as the start of a 64-bit word (a strided view, no copy).
    words = np.ndarray(shape=(len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    keys = words[starts] & _FIRST_BYTES[lengths]
    uniq, codes = np.unique(keys, return_inverse=True)
    values: list[Any] = [
        u.tobytes().rstrip(b"\0").decode("utf-8")
        for u in uniq.astype("<u8").view(np.uint8).reshape(-1, 8)
    ]
    return codes.ravel(), values


@dataclass
class ArrowText:
    """An Arrow text column as read, for :func:`icao_column` to convert row by row at once
    (addresses are nearly all distinct within a block: encoding them first cost more than
    it saved); any other reader sees its values, None for nulls, as :class:`Distinct` gives."""

    arrow: Any

    def __len__(self) -> int:
        return len(self.arrow)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.arrow.to_pylist())


def _pick(cols: dict[str, Any], names: Sequence[str]) -> Any | None:
    for n in names:
        if n in cols:
            return cols[n]
    return None


def _missing(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and v != v)


def _coalesce(cols: dict[str, Any], names: Sequence[str]) -> None:
    """Several aliases of one column (``lat`` and ``latitude``): first non-empty value wins."""
    present = [k for k in names if k in cols]
    if len(present) < 2:
        return
    merged = list(cols[present[0]])
    for k in present[1:]:
        other = list(cols[k])
        merged = [o if _missing(m) else m for m, o in zip(merged, other, strict=True)]
    cols[present[0]] = merged
    for k in present[1:]:
        del cols[k]


def to_f64(values: Any) -> np.ndarray:
    """Numbers, numeric strings, None/'' (-> NaN) to float64."""
    if isinstance(values, Distinct):
        return values.convert(to_f64)
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        # float64 as given (no copy: a reader's view of Arrow's buffer; every caller reads it
        # only, into a batch's own column or an expression).
        return values.astype(np.float64, copy=False)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None or v == "":
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            out[i] = np.nan
    return out


def _one_time(v: Any) -> float:
    if v is None or v == "":
        return math.nan
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp()
    if isinstance(v, np.datetime64):
        return float(v.astype("datetime64[ns]").astype(np.int64)) / 1e9
    if isinstance(v, str):
        try:
            return _epoch_number(float(v))
        except ValueError:
            pass
        try:
            d = datetime.fromisoformat(v.strip().replace(" UTC", "+00:00"))
        except ValueError:
            return math.nan
        return (d if d.tzinfo else d.replace(tzinfo=UTC)).timestamp()
    try:
        return _epoch_number(float(v))
    except (TypeError, ValueError):
        return math.nan


def _epoch_number(x: float) -> float:
    a = abs(x)
    if a > 1e17:
        return x / 1e9
    if a > 1e14:
        return x / 1e6
    if a > _MS_THRESHOLD:
        return x / 1e3
    return x


def to_epoch_s(values: Any) -> np.ndarray:
    """ISO strings, datetimes or epoch s/ms/us/ns -> float seconds since the epoch (UTC)."""
    if isinstance(values, Distinct):
        return values.convert(to_epoch_s)
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "M":
            return values.astype("datetime64[ns]").astype(np.int64) / 1e9
        if values.dtype.kind in "fiu":
            v = values.astype(np.float64, copy=False)  # read only, as in to_f64
            a = np.abs(v)
            if not (a > _MS_THRESHOLD).any():  # seconds (every file seen): as they are
                return v
            return np.where(
                a > 1e17,
                v / 1e9,
                np.where(a > 1e14, v / 1e6, np.where(a > _MS_THRESHOLD, v / 1e3, v)),
            )
    return np.fromiter((_one_time(v) for v in values), dtype=np.float64, count=len(values))


def to_bool(values: Any) -> np.ndarray:
    """true/false/True/False/1/0 (str, bool or number) -> 1/0; None, '' and others -> -1."""
    if isinstance(values, Distinct):
        return values.convert(to_bool)
    out = np.full(len(values), -1, dtype=np.int8)
    for i, v in enumerate(values):
        if v is None or v == "":
            continue
        if isinstance(v, bool | np.bool_):
            out[i] = int(v)
        elif isinstance(v, str):
            s = v.strip().lower()
            if s in ("true", "1", "-1", "t", "yes"):
                out[i] = 1
            elif s in ("false", "0", "f", "no"):
                out[i] = 0
        elif isinstance(v, int | float | np.integer | np.floating) and v == v:
            out[i] = 1 if v else 0
    return out


def icao_column(values: Any) -> np.ndarray:
    """``_icao`` over a column. Text from Arrow (a sorted OpenSky file has thousands of
    addresses in every block: one Python call per address was half of reading it): the
    6-digit hex values through the hex table at once, the few others one at a time."""
    if isinstance(values, ArrowText):
        return _icao_rows(values.arrow, None)
    if not isinstance(values, Distinct):
        return _per_value(values, _icao, np.int64)
    import pyarrow as pa

    if values.arrow is None or not pa.types.is_string(values.arrow.type):
        return values.map(_icao, np.int64)
    if len(values.arrow) == 0:
        return np.full(len(values.codes), -1, dtype=np.int64)
    out: np.ndarray = _icao_rows(values.arrow, values)[values.codes]
    return out


def _squawk(v: Any) -> int:
    if v is None or v == "":
        return -1
    if isinstance(v, float | np.floating):
        if v != v:
            return -1
        v = int(v)
    s = str(v).strip()
    if s.isdigit() and len(s) <= 4 and int(s) <= 7777:
        return int(s)
    return -1


def _per_value(values: Any, fn: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """``fn`` over a column: once per distinct value for a Distinct column, else per row."""
    if isinstance(values, Distinct):
        return values.map(fn, dtype)
    out = np.empty(len(values), dtype=dtype)
    out[:] = [fn(v) for v in values]
    return out


def _put_column(
    out: np.ndarray,
    values: Any,
    convert: Callable[[Any], np.ndarray],
    scale: float | None = None,
) -> None:
    """``convert(values)`` (times ``scale``) into ``out``, a batch's column. A Distinct column
    is converted (and scaled) once per distinct value and gathered into ``out``; the same
    numbers as converting, scaling and copying every row (each value meets the same float
    operations)."""
    if isinstance(values, Distinct):
        lookup = convert(values.values)
        values.gather(lookup if scale is None else lookup * scale, out)
    elif scale is None:
        out[:] = convert(values)
    else:
        np.multiply(convert(values), scale, out=out)


def _value_lookup(fn: Callable[[Any], Any], dtype: Any) -> Callable[[Any], np.ndarray]:
    """``fn`` over a column as a whole-column conversion (for :func:`_put_column`)."""
    return lambda values: _per_value(values, fn, dtype)


def _callsign(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def columns_to_obs(
    cols: dict[str, Any],
    n: int,
    stats: SourceStats,
    *,
    receiver: int = 0,
    into: ObservationBatch | None = None,
) -> ObservationBatch:
    """Named columns (any case; lists or arrays of length n) -> ObservationBatch.

    Rows without a valid icao24 or time are dropped and counted ("bad_icao24",
    "bad_timestamp"). ``into``: n rows whose values need not be set (views of a larger batch
    being filled, reader.py's ``_Fill``), written in place and returned when no row is
    dropped. Every value of every row is set: the columns read are written, the others filled
    unknown (so the batch is made :meth:`~ObservationBatch.blank`, not filled twice).
    """
    cols = {str(k).strip().lower(): v for k, v in cols.items()}
    for group in (_TIME, _ICAO, _LAT, _LON, _TRACK, _CALLSIGN, _ONGROUND):
        _coalesce(cols, group)
    out = ObservationBatch.blank(n) if into is None else into
    if n == 0:
        return out
    unset = dict.fromkeys(ObservationBatch._defaults)  # the columns not written (yet)

    def put(name: str, values: Any, convert: Callable[[Any], Any], scale: Any = None) -> None:
        _put_column(getattr(out, name), values, convert, scale)
        unset.pop(name, None)

    opensky = any(k in cols for k in _OPENSKY)
    t = _pick(cols, _TIME)
    icao = _pick(cols, _ICAO)
    if t is not None:
        put("time_s", t, to_epoch_s)
    icaos = icao_column(icao) if icao is not None else None
    lat, lon = _pick(cols, _LAT), _pick(cols, _LON)
    if lat is not None and lon is not None:
        put("lat_deg", lat, to_f64)
        put("lon_deg", lon, to_f64)
    if "altitude" in cols:
        put("altitude_baro_ft", cols["altitude"], to_f64)
    elif "alt_baro" in cols:
        put("altitude_baro_ft", cols["alt_baro"], to_f64)
    else:
        baro = _pick(cols, ("baroaltitude", "baro_altitude"))
        if baro is not None:
            put("altitude_baro_ft", baro, to_f64, M_TO_FT)
    if "geo_altitude" in cols:
        put("altitude_gnss_ft", cols["geo_altitude"], to_f64, M_TO_FT)
    elif "geoaltitude" in cols:
        put("altitude_gnss_ft", cols["geoaltitude"], to_f64, M_TO_FT if opensky else 1.0)
    elif "alt_geom" in cols:
        put("altitude_gnss_ft", cols["alt_geom"], to_f64)
    if "groundspeed" in cols:
        put("groundspeed_kt", cols["groundspeed"], to_f64)
    elif "gs" in cols:
        put("groundspeed_kt", cols["gs"], to_f64)
    elif "velocity" in cols:
        put("groundspeed_kt", cols["velocity"], to_f64, MS_TO_KT)
    trk = _pick(cols, _TRACK)
    if trk is not None:
        put("track_deg", trk, to_f64)
        if "heading" in cols:
            put("heading_deg", cols["heading"], to_f64)
    elif "heading" in cols:  # OpenSky's Impala tables call the true track "heading"
        put("track_deg", cols["heading"], to_f64)
    if "vertrate" in cols:
        put("vertical_rate_fpm", cols["vertrate"], to_f64, MS_TO_FPM)
    elif "vertical_rate" in cols:
        put("vertical_rate_fpm", cols["vertical_rate"], to_f64, MS_TO_FPM if opensky else 1.0)
    elif "baro_rate" in cols:
        put("vertical_rate_fpm", cols["baro_rate"], to_f64)
    cs = _pick(cols, _CALLSIGN)
    if cs is not None:
        put("callsign", cs, _value_lookup(_callsign, object))
    if "squawk" in cols:
        put("squawk", cols["squawk"], _value_lookup(_squawk, np.int16))
    og = _pick(cols, _ONGROUND)
    if og is not None:
        put("on_ground", og, to_bool)
    out.source[:] = Source.STATE_VECTOR
    out.address_checked[:] = True
    out.receiver[:] = receiver
    for name in ("source", "address_checked", "receiver"):
        del unset[name]
    if icaos is not None:
        # Good addresses are 0..NON_ICAO|0xFFFFFF (uint32 holds them); the bad ones (-1) 0.
        np.copyto(out.icao24, icaos, casting="unsafe")
        del unset["icao24"]
    out.fill_unknown(unset)

    ok = np.isfinite(out.time_s)
    stats.skip("bad_timestamp", int((~ok).sum()))
    if icaos is None:
        stats.skip("bad_icao24", int(ok.sum()))
        return out.take(np.zeros(n, dtype=np.bool_))
    good_icao = icaos >= 0
    stats.skip("bad_icao24", int((ok & ~good_icao).sum()))
    keep = ok & good_icao
    if not good_icao.all():
        out.icao24[~good_icao] = 0
    return out if keep.all() else out.take(keep)


def records_to_obs(
    records: Sequence[dict[str, Any]], stats: SourceStats, *, receiver: int = 0
) -> ObservationBatch:
    """A list of dicts (JSON records) -> ObservationBatch; missing keys are unknown."""
    keys: dict[str, None] = {}
    for r in records:
        if isinstance(r, dict):
            keys.update(dict.fromkeys(r))
    good = [r for r in records if isinstance(r, dict)]
    stats.skip("bad_record", len(records) - len(good))
    cols = {k: [r.get(k) for r in good] for k in keys}
    return columns_to_obs(cols, len(good), stats, receiver=receiver)


def column_dict_to_obs(
    data: dict[str, Any], stats: SourceStats, *, receiver: int = 0
) -> ObservationBatch:
    """pandas ``orient="columns"`` JSON ({column: {row: value}}) -> ObservationBatch."""
    index: dict[str, None] = {}
    for col in data.values():
        if isinstance(col, dict):
            index.update(dict.fromkeys(col))
    rows = list(index)
    cols = {k: [v.get(r) for r in rows] for k, v in data.items() if isinstance(v, dict)}
    return columns_to_obs(cols, len(rows), stats, receiver=receiver)


def is_trace(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("trace"), list) and "icao" in obj


def trace_to_obs(obj: dict[str, Any], stats: SourceStats, *, receiver: int = 0) -> ObservationBatch:
    """readsb/tar1090 ``trace_full`` / ``trace_recent`` JSON -> ObservationBatch."""
    icao = _icao(obj.get("icao"))
    t0 = float(obj.get("timestamp") or 0.0)
    pts: Iterable[Any] = obj["trace"]
    rows = [p for p in pts if isinstance(p, list) and len(p) >= 6]
    stats.skip("bad_trace_point", len(obj["trace"]) - len(rows))
    n = len(rows)
    out = ObservationBatch.empty(n)
    if n == 0 or icao < 0:
        stats.skip("bad_icao24", n if icao < 0 else 0)
        return ObservationBatch.empty(0)

    def col(i: int) -> list[Any]:
        return [p[i] if len(p) > i else None for p in rows]

    out.time_s[:] = t0 + to_f64(col(0))
    out.lat_deg[:] = to_f64(col(1))
    out.lon_deg[:] = to_f64(col(2))
    alt = col(3)
    ground = np.array([a == "ground" for a in alt], dtype=np.bool_)
    alt_ft = to_f64([None if a == "ground" else a for a in alt])
    flags = np.array([int(f) if isinstance(f, int) else 0 for f in col(6)], dtype=np.int64)
    geom = (flags & 8) != 0
    out.altitude_baro_ft[:] = np.where(geom, np.nan, alt_ft)
    out.altitude_gnss_ft[:] = np.where(geom, alt_ft, to_f64(col(10)))
    out.on_ground[:] = np.where(ground, 1, np.where(np.isfinite(alt_ft), 0, -1))
    out.groundspeed_kt[:] = to_f64(col(4))
    out.track_deg[:] = to_f64(col(5))
    out.vertical_rate_fpm[:] = to_f64(col(7))
    out.airspeed_kt[:] = to_f64(col(12))
    details = col(8)
    callsign: str | None = None
    squawks = np.full(n, -1, dtype=np.int16)
    cs_col: list[str | None] = []
    for i, d in enumerate(details):
        if isinstance(d, dict):
            callsign = _callsign(d.get("flight")) or callsign
            if d.get("squawk") is not None:
                squawks[i] = _squawk(d.get("squawk"))
        cs_col.append(callsign)  # details appear when they change: carry them forward
    out.callsign[:] = cs_col
    out.squawk[:] = squawks
    out.icao24[:] = icao
    out.source[:] = Source.STATE_VECTOR
    out.address_checked[:] = True
    out.receiver[:] = receiver
    return out
