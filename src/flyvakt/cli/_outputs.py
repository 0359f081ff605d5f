"""File outputs of ``flyvakt replay``: positions (Parquet/CSV) and events (JSON lines)."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import IO, Any

import numpy as np

from flyvakt.cli._arrow_texts import object_texts, validity
from flyvakt.model import Event, PositionBatch, Source
from flyvakt.model.batches import NON_ICAO, receiver_ids
from flyvakt.model.rounding import round_half_even_like_python

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
# Decimals kept per float column: 6 for degrees (~0.1 m), 1 for speeds/tracks (the ADS-B
# resolution), whole feet and ft/min (below the 25 ft / 64 ft/min encodings).
_FLOAT_DECIMALS = {
    "lat": ("lat_deg", 6),
    "lon": ("lon_deg", 6),
    "altitude_baro_ft": ("altitude_baro_ft", 0),
    "altitude_gnss_ft": ("altitude_gnss_ft", 0),
    "groundspeed_kt": ("groundspeed_kt", 1),
    "track_deg": ("track_deg", 1),
    "vertical_rate_fpm": ("vertical_rate_fpm", 0),
}
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DEC_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def _fixed_text(codes: np.ndarray[Any, Any], width: int) -> list[str]:
    """Rows of ``width`` ASCII bytes -> Python strings (one C-level decode per batch)."""
    flat = np.ascontiguousarray(codes, dtype=np.uint8).tobytes().decode("ascii")
    return [flat[i : i + width] for i in range(0, len(flat), width)]


@functools.cache
def _hex3() -> np.ndarray[Any, Any]:
    """(4096, 3) ASCII codes of every 12-bit number's three lower-case hex digits."""
    shifts = np.array([8, 4, 0], dtype=np.uint32)
    out: np.ndarray[Any, Any] = _HEX_DIGITS[
        (np.arange(4096, dtype=np.uint32)[:, None] >> shifts) & 0xF
    ]
    return out


@functools.cache
def _dec4() -> np.ndarray[Any, Any]:
    """(10000, 4) ASCII codes of "%04d" of 0..9999."""
    div = np.array([1000, 100, 10, 1], dtype=np.int64)
    out: np.ndarray[Any, Any] = _DEC_DIGITS[(np.arange(10000, dtype=np.int64)[:, None] // div) % 10]
    return out


@functools.cache
def _hex3_words() -> np.ndarray[Any, Any]:
    """:func:`_hex3`'s three digits of each 12-bit number as one little-endian word (digit
    bytes 0-2, the rest zero), for :func:`icao_codes`."""
    t = _hex3().astype("<u8")
    out: np.ndarray[Any, Any] = t[:, 0] | (t[:, 1] << 8) | (t[:, 2] << 16)
    return out


def icao_codes(icao24: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """24-bit addresses -> (n, 6) ASCII codes of their lower-case hex: two look-ups of three
    digits each in a table (a shift and a mask per digit cost 4.7 ms per 65,536 rows), as
    words, the six digits being bytes 0-5 of ``high | low << 24`` (a row gather of the (4096,
    3) table per half cost ~2x as much: ~50 ns a row, ~1 % of a state-vector replay)."""
    a = icao24.astype(np.uint32)
    words = _hex3_words()
    # ``take``, not ``words[...]``: an index of uint32 sent the subscript down NumPy's general
    # path (~40 instructions a row for both halves); then each word's first six bytes as one
    # 6-byte item (``_SIX_OF_EIGHT``), not the (n, 8) bytes' [:, :6] (a 2-D copy row by row,
    # ~65 a row): 121 -> 60 instructions a row in all.
    w = np.take(words, (a >> 12) & 0xFFF) | (np.take(words, a & 0xFFF) << 24)
    six = np.ascontiguousarray(w.view(_SIX_OF_EIGHT)["digits"])
    out: np.ndarray[Any, Any] = six.view(np.uint8).reshape(len(a), 6)
    return out


# A little-endian word's first six bytes, as a field: the hex digits of :func:`icao_codes`.
_SIX_OF_EIGHT = np.dtype({"names": ["digits"], "formats": ["V6"], "offsets": [0], "itemsize": 8})


def icao_texts(icao24: np.ndarray[Any, Any]) -> list[str]:
    """Addresses -> hex strings as :func:`flyvakt.model.batches.icao_hex` writes them (a
    ``~`` before a non-ICAO address), built from the ASCII codes in one pass."""
    out = _fixed_text(icao_codes(icao24), 6)
    for i in np.flatnonzero(icao24 & NON_ICAO).tolist():
        out[i] = "~" + out[i]
    return out


@functools.cache
def _dec4_words() -> np.ndarray[Any, Any]:
    """:func:`_dec4`'s four digits of each number as one little-endian 32-bit word."""
    d = _dec4().astype("<u4")
    out: np.ndarray[Any, Any] = d[:, 0] | (d[:, 1] << 8) | (d[:, 2] << 16) | (d[:, 3] << 24)
    return out


def squawk_codes(squawk: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Squawks 0..7777 -> (n, 4) ASCII codes of "%04d" (negatives give garbage: mask them)."""
    # A look-up of the last four digits (the digits "%04d" of a larger number would end in),
    # one word a row: a gather of (10000, 4) rows cost ~3x as much. Squawks are below 10,000
    # (four octal digits): the remainder (~25 instructions a row) only when one is not.
    index = np.maximum(squawk.astype(np.int64), 0)
    if len(index) and int(index.max()) >= 10000:
        index %= 10000
    words = _dec4_words()[index]
    out: np.ndarray[Any, Any] = words.view(np.uint8).reshape(len(words), 4)
    return out


def position_columns(p: PositionBatch) -> dict[str, list[Any]]:
    """Plain Python columns (None for unknown) for the CSV writer; floats rounded as in Parquet."""
    cols: dict[str, list[Any]] = {
        "time_s": p.time_s.tolist(),
        "icao24": icao_texts(p.icao24),
    }
    for name, (field, nd) in _FLOAT_DECIMALS.items():
        a = getattr(p, field)
        vals = round_half_even_like_python(a, nd).tolist()
        cols[name] = [None if x != x else x for x in vals]
    cols["on_ground"] = [None if g < 0 else g == 1 for g in p.on_ground.tolist()]
    cols["callsign"] = p.callsign.tolist()
    sq = _fixed_text(squawk_codes(p.squawk), 4)
    cols["squawk"] = [None if s < 0 else t for s, t in zip(p.squawk.tolist(), sq, strict=True)]
    cols["source"] = [_SOURCE_NAMES.get(s, "unknown") for s in p.source.tolist()]
    cols["receivers"] = receiver_lists(p.receivers)
    return cols


def iso_utc_ms_many(time_s: np.ndarray[Any, Any]) -> list[str]:
    """:func:`flyvakt.model.events.iso_utc_ms` for a whole column (the same strings): whole
    seconds, the fraction rounded half to even to microseconds as ``datetime.fromtimestamp``
    rounds it, then cut to milliseconds; NumPy writes the dates."""
    t = np.asarray(time_s, dtype=np.float64)
    whole = np.trunc(t)  # math.modf: the fraction keeps the sign of t
    us = np.rint((t - whole) * 1e6).astype(np.int64)
    sec = whole.astype(np.int64) + np.floor_divide(us, 1_000_000)
    us = np.mod(us, 1_000_000)
    stamp = sec.astype("datetime64[s]") + (us // 1000).astype("timedelta64[ms]")
    text = np.char.add(np.datetime_as_string(stamp, unit="ms"), "Z")
    out: list[str] = text.tolist()
    return out


def receiver_lists(masks: np.ndarray[Any, Any]) -> list[list[int]]:
    """Receiver id lists of ``receivers`` bit sets (few distinct sets: each computed once)."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    lists = [receiver_ids(int(m)) for m in uniq.tolist()]
    return [lists[i] for i in inverse.ravel().tolist()]


def receiver_list_array(masks: np.ndarray[Any, Any]) -> Any:
    """``receivers`` bit sets -> an Arrow list<uint16> array built from offsets and values
    (each distinct set expanded once; no Python list per row)."""
    import pyarrow as pa

    if len(masks) and not (masks != masks[0]).any():  # one set for all (a single receiver)
        # Every row the same list: offsets in steps of its length, its ids repeated (no
        # gathers by row: ~5 -> ~1 ms per 200,000 rows of a state-vector replay).
        ids = np.array(receiver_ids(int(masks[0])), dtype=np.uint16)
        offsets = np.arange(len(masks) + 1, dtype=np.int32) * np.int32(len(ids))
        return pa.ListArray.from_arrays(
            _fixed(pa.int32(), offsets, None), _fixed(pa.uint16(), np.tile(ids, len(masks)), None)
        )
    uniq, inverse = np.unique(masks, return_inverse=True)
    inverse = inverse.ravel()
    lists = [receiver_ids(int(m)) for m in uniq.tolist()]
    u_len = np.array([len(x) for x in lists], dtype=np.int64)
    u_off = np.concatenate(([0], np.cumsum(u_len)))
    u_val = np.array([r for x in lists for r in x], dtype=np.uint16)
    row_len = u_len[inverse]
    offsets = np.concatenate(([0], np.cumsum(row_len))).astype(np.int32)
    take = np.repeat(u_off[:-1][inverse] - offsets[:-1], row_len) + np.arange(offsets[-1])
    return pa.ListArray.from_arrays(
        _fixed(pa.int32(), offsets, None), _fixed(pa.uint16(), u_val[take], None)
    )


# The arrays below are made from their buffers, never with ``pa.array`` (cli/_arrow_texts.py).


def _fixed(type_: Any, values: np.ndarray[Any, Any], null: np.ndarray[Any, Any] | None) -> Any:
    """A fixed-width Arrow array over ``values``' bytes (``null``: rows to mark missing)."""
    import pyarrow as pa

    data = pa.py_buffer(np.ascontiguousarray(values))
    return pa.Array.from_buffers(type_, len(values), [validity(null), data])


def _bools(values: np.ndarray[Any, Any], null: np.ndarray[Any, Any] | None) -> Any:
    import pyarrow as pa

    data = pa.py_buffer(np.packbits(values, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity(null), data])


def _texts(
    codes: np.ndarray[Any, Any], lengths: np.ndarray[Any, Any], null: np.ndarray[Any, Any] | None
) -> Any:
    """(n, w) ASCII codes, each row's first ``lengths`` of them its text -> Arrow strings."""
    import pyarrow as pa

    n, w = codes.shape
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = np.ascontiguousarray(codes)[np.arange(w) < np.asarray(lengths)[:, None]]
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)), validity(null)
    )


@functools.cache
def _source_names() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The 256 source names by code: (256, w) ASCII codes and their lengths (made once)."""
    names = [_SOURCE_NAMES.get(i, "unknown").encode("ascii") for i in range(256)]
    lengths = np.array([len(b) for b in names], dtype=np.int64)
    codes = np.array(names, dtype=np.bytes_).view(np.uint8).reshape(256, -1)
    return codes, lengths


def _source_texts(source: np.ndarray[Any, Any]) -> Any:
    """Source codes -> their names, gathered by NumPy from the 256 names (no per-row bytes;
    Arrow's ``take`` would import ``pyarrow.compute``, ~0.05 s of every replay's start-up)."""
    codes, lengths = _source_names()
    idx = source.astype(np.uint8)
    if len(idx) and not (idx != idx[0]).any():  # one source (a state-vector file): its name
        import pyarrow as pa

        k, size = int(idx[0]), int(lengths[idx[0]])
        offsets = np.arange(0, (len(idx) + 1) * size, size, dtype=np.int32)
        data = codes[k, :size].tobytes() * len(idx)
        return pa.StringArray.from_buffers(len(idx), pa.py_buffer(offsets), pa.py_buffer(data))
    return _texts(codes[idx], lengths[idx], None)


def positions_table(p: PositionBatch) -> Any:
    """The positions as an Arrow table with a fixed schema, built from the arrays and masks."""
    import pyarrow as pa

    n = len(p)
    times_us = (p.time_s * 1e6).astype("int64")
    arrays: dict[str, Any] = {
        "time": _fixed(pa.timestamp("us", tz="UTC"), times_us, None),
        "icao24": (
            pa.array(icao_texts(p.icao24), type=pa.string())
            if (p.icao24 & NON_ICAO).any()
            else _ascii_array(icao_codes(p.icao24), 6, None)
        ),
    }
    for name, (field, nd) in _FLOAT_DECIMALS.items():
        a = getattr(p, field)
        arrays[name] = _fixed(pa.float64(), round_half_even_like_python(a, nd), np.isnan(a))
    arrays["on_ground"] = _bools(p.on_ground == 1, p.on_ground < 0)
    arrays["callsign"] = object_texts(p.callsign)
    arrays["squawk"] = _ascii_array(squawk_codes(p.squawk), 4, p.squawk < 0)
    arrays["source"] = _source_texts(p.source)
    arrays["receivers"] = receiver_list_array(p.receivers)
    assert all(len(a) == n for a in arrays.values())
    return pa.table(arrays, schema=positions_schema())


def positions_schema() -> Any:
    import pyarrow as pa

    fields = [pa.field("time", pa.timestamp("us", tz="UTC")), pa.field("icao24", pa.string())]
    fields += [pa.field(name, pa.float64()) for name in _FLOAT_DECIMALS]
    fields += [pa.field("on_ground", pa.bool_())]
    fields += [pa.field(c, pa.string()) for c in ("callsign", "squawk", "source")]
    fields += [pa.field("receivers", pa.list_(pa.uint16()))]
    return pa.schema(fields)


def _ascii_array(codes: np.ndarray[Any, Any], width: int, null: np.ndarray[Any, Any] | None) -> Any:
    """(n, width) ASCII codes -> an Arrow string array over the same bytes (no Python strings)."""
    import pyarrow as pa

    n = codes.shape[0]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(codes, dtype=np.uint8)
    validity = None
    if null is not None and null.any():
        validity = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), validity)


# ``pyarrow.parquet``'s writer with its defaults, made through ``pyarrow._parquet``: the public
# module imports ``pyarrow.fs`` (S3 included) on load, ~0.07 s of every replay's start-up, for a
# local path we open anyway. The same bytes either way (tests/unit/cli/test_positions_out.py).
_PARQUET_DEFAULTS: dict[str, Any] = {
    "version": "2.6",
    "compression": "snappy",
    "use_dictionary": True,
    "write_statistics": True,
    "use_deprecated_int96_timestamps": False,
    "writer_engine_version": "V2",
    "data_page_version": "1.0",
    "use_compliant_nested_type": True,
    "store_schema": True,
}


# Min/max statistics are written for every column but the four text ones (icao24, callsign,
# squawk, source): those cost ~15 % of the Parquet writer's instructions (byte-wise min/max of
# every value; 636 -> 542 M Ir for 224 k rows of the state-vector corpus) and prune nothing,
# as every row group of a time-ordered replay spans nearly every address, callsign and squawk.
# The table read back is the same (Table.equals); the file is a few KB smaller.
STATISTICS_COLUMNS: list[str] = [
    "time",
    *_FLOAT_DECIMALS,
    "on_ground",
    "receivers.list.element",
]


# Dictionary encoding for every column but ``icao24``: a row group (one replay step) holds
# each address a few times only (~7 rows each of ~5,000 addresses in the state-vector corpus),
# so its dictionary saved ~2 % of that column's bytes for ~6 % of the whole writer's
# instructions (743 -> 698 M Ir for 300 k rows); the file grows ~2 % (2.98 -> 3.04 MB). Every
# other column shrinks 1.3-80x with one. The table read back is the same (Table.equals).
DICTIONARY_COLUMNS: list[str] = [
    "time",
    *_FLOAT_DECIMALS,
    "on_ground",
    "callsign",
    "squawk",
    "source",
    "receivers.list.element",
]


# Values handed to the column writers at a time (Arrow's default 1,024): fewer, larger calls
# through the writer's per-batch work (levels, statistics, page-size checks). The same bytes
# (cmp) on the state-vector corpus's 1,069,164 positions in row groups of 262,144 rows and
# on the 200,000-row cut of bench_instr; session 19 measured -1.2 % of the writer on 315 k rows.
WRITE_BATCH_ROWS = 65_536


def parquet_writer(path: Path, schema: Any) -> Any:
    """A Parquet writer for a local file (``write_table``/``close``), without ``pyarrow.fs``."""
    chosen = {
        "write_statistics": STATISTICS_COLUMNS,
        "use_dictionary": DICTIONARY_COLUMNS,
        "write_batch_size": WRITE_BATCH_ROWS,
    }
    try:
        from pyarrow._parquet import ParquetWriter

        return ParquetWriter(str(path), schema, **{**_PARQUET_DEFAULTS, **chosen})
    except (ImportError, TypeError):  # another pyarrow's private API: the public writer
        import pyarrow.parquet as pq

        return pq.ParquetWriter(path, schema, **chosen)


# Rows gathered before a Parquet row group is written: a replay's steps (25,000-105,000
# positions each in the state-vector corpus) are written together, zero-copy, as one row group
# of at least this many rows. Measured on bench_e2e's 1,069,164 state-vector positions (18
# steps): the writer's instructions 2,418.6 -> 2,350.9 M (-2.8 %; dictionaries, pages and
# statistics per row group), the file 8.70 -> 7.65 MB (each dictionary serves more rows); at
# 1,048,576 rows -3.5 % and 7.48 MB, but ~4x the Arrow memory held (~70 MB). The table read
# back is the same (Table.equals); DuckDB's own row groups are 122,880 rows.
ROW_GROUP_ROWS = 262_144


class PositionsWriter:
    """Streams accepted positions to ``.parquet`` or ``.csv`` (chosen by extension); Parquet
    row groups of at least :data:`ROW_GROUP_ROWS` rows (the last one: what is left)."""

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
        self._pending: list[Any] = []  # Arrow tables of the next row group
        self._pending_rows = 0

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
            cols.pop("time_s")
            times = iso_utc_ms_many(p.time_s)
            cols["receivers"] = [";".join(map(str, r)) for r in cols["receivers"]]
            self._csv.writerows(zip(times, *cols.values(), strict=True))
            return
        self._pending.append(positions_table(p))
        self._pending_rows += len(p)
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._write_row_group()

    def _write_row_group(self) -> None:
        """The pending tables as one row group (their arrays as chunks: no copy)."""
        if not self._pending:  # nothing (or CSV): no pyarrow import
            return
        import pyarrow as pa

        table = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        if self._pq is None:
            self._pq = parquet_writer(self.path, positions_schema())
        self._pq.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        self._write_row_group()
        if self._pq is not None:
            self._pq.close()
        if self._csv_fh is not None:
            self._csv_fh.close()
        if self.rows == 0 and not self.path.exists():
            # Still leave a well-formed empty file, so scripts need no special case.
            if self.kind == "csv":
                self.path.write_text(",".join(POSITION_COLUMNS) + "\n", encoding="utf-8")
            else:
                w = parquet_writer(self.path, positions_schema())
                w.write_table(positions_schema().empty_table())
                w.close()


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
