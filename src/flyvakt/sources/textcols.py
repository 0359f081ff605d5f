"""Columnar readers of whole text blocks: AVR frames and SBS lines, with no Python per line.

A block of complete lines is one byte buffer: line starts and ends come from one search for
newlines, and every check (the AVR marker, hex digits, lengths) is a NumPy expression over all
lines at once. Lines the vectorised test does not accept outright ("suspect": a bad line, but
also a clean line with odd spacing) are few; the caller reads them with its per-line code, so
a bad line is still counted and named with its number, and the result equals the per-line one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.sources.arrownp import arrow_numpy
from flyvakt.sources.hextable import WITH_MODE_AC, all_hex, hex_pairs, hex_rows

I64 = npt.NDArray[np.int64]


def line_bounds(data: npt.NDArray[np.uint8]) -> tuple[I64, I64]:
    """(starts, ends) of the lines of a block (no trailing newline), a final CR left out."""
    nl = np.flatnonzero(data == 10).astype(np.int64)
    starts = np.concatenate((np.zeros(1, np.int64), nl + 1))
    ends = np.concatenate((nl, np.array([data.size], np.int64)))
    cr = ends > starts
    cr[cr] = data[ends[cr] - 1] == 13
    ends -= cr
    return starts, ends


# Hex digits before the frame per AVR marker ('*' none, '@'/'%' a 12-digit 12 MHz counter,
# '<' the counter and a 2-digit signal level).
_SKIP = np.zeros(256, np.int64)
_SKIP[ord("@")] = _SKIP[ord("%")] = 12
_SKIP[ord("<")] = 14
_MARKER = np.zeros(256, np.bool_)
_MARKER[[ord(c) for c in "*@%<"]] = True


@dataclass
class AvrColumns:
    """Good AVR lines of a block, in line order, and the lines to read one by one."""

    payload: npt.NDArray[np.uint8]  # (n, 14)
    nbytes: npt.NDArray[np.uint8]
    counter: npt.NDArray[np.uint64]  # 0: no counter
    level: npt.NDArray[np.uint8]  # 0: no signal level
    suspect: I64  # line indexes (0-based in the block) for the per-line reader
    starts: I64
    ends: I64


def avr_columns(block: bytes) -> AvrColumns:
    """Every line of ``block`` that is a clean AVR frame, decoded; the rest marked suspect.

    Clean means exactly ``<marker><hex digits>[;]`` (then an optional CR), with a frame of 4,
    14 or 28 digits after the counter. Blank lines and ``#`` comments are neither.
    """
    data = np.frombuffer(block, dtype=np.uint8)
    starts, ends = line_bounds(data)
    length = ends - starts
    nonblank = length > 0
    first = np.zeros(starts.size, np.uint8)
    first[nonblank] = data[starts[nonblank]]
    last = np.zeros(starts.size, np.uint8)
    last[nonblank] = data[ends[nonblank] - 1]
    semi = nonblank & (last == ord(";"))
    hex_start = starts + 1
    hex_end = ends - semi
    ndig = np.maximum(hex_end - hex_start, 0)
    skip = _SKIP[first]
    flen = ndig - skip
    shaped = nonblank & _MARKER[first] & (ndig > 0)
    shaped &= (flen == 4) | (flen == 14) | (flen == 28)
    comment = nonblank & (first == ord("#"))
    rows = np.flatnonzero(shaped)
    # Every character between the marker and the ';' is the counter's, the level's or the
    # frame's: the line is clean when all of them are hex digits (checked by the look-ups).
    payload, nbytes, ok = hex_rows(data, hex_start[rows] + skip[rows], flen[rows], WITH_MODE_AC)
    counter, level = _counters(data, hex_start[rows], skip[rows], ok)
    suspect = np.flatnonzero(nonblank & ~shaped & ~comment)
    if not ok.all():
        suspect = np.union1d(suspect, rows[~ok])
        payload, nbytes, counter, level = payload[ok], nbytes[ok], counter[ok], level[ok]
    return AvrColumns(payload, nbytes, counter, level, suspect, starts, ends)


def _counters(
    data: npt.NDArray[np.uint8], hs: I64, skip: I64, ok: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint8]]:
    """The 12 MHz counters (12 hex digits) and signal levels (2 more) after each row's marker;
    a row with a non-hex digit there gets ``ok`` False (in place)."""
    counter = np.zeros(hs.size, np.uint64)
    level = np.zeros(hs.size, np.uint8)
    for width in (12, 14):
        sel = np.flatnonzero(skip == width)
        if sel.size == 0:
            continue
        value = hex_pairs(data, hs[sel], width)
        good = all_hex(value)
        if good is not None:
            ok[sel] &= good
        wide = np.zeros((sel.size, 8), np.uint8)  # 6 counter bytes, big-endian in 8
        wide[:, 2:] = value[:, :6]
        counter[sel] = wide.view(">u8").ravel()
        if width == 14:
            level[sel] = value[:, 6]
    return counter, level


SBS_FIELDS = 22
# SBS columns read as numbers (Altitude, GroundSpeed, Track, Lat, Lon, VerticalRate).
SBS_NUMERIC = (11, 12, 13, 14, 15, 16)


def sbs_table(block: bytes, nlines: int) -> dict[int, Any] | None:
    """A block of clean SBS ``MSG`` lines -> {column number: Arrow column}; None otherwise.

    Clean: every line non-blank, exactly 22 fields, no space or non-ASCII byte at either end
    (the per-line parser strips lines, Arrow would not), ``MSG`` first, generated date and time
    present, numbers that Arrow reads. Anything else is left to the per-line parser.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    data = np.frombuffer(block, dtype=np.uint8)
    starts, ends = line_bounds(data)
    if starts.size != nlines or bool((ends <= starts).any()):
        return None
    edge = np.concatenate((data[starts], data[ends - 1]))
    if bool(((edge <= 32) | (edge >= 128)).any()):
        return None
    names = [f"c{i}" for i in range(SBS_FIELDS)]
    types = {n: pa.string() for n in names}
    for i in SBS_NUMERIC:
        types[names[i]] = pa.float64()
    try:
        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(
                use_threads=False, block_size=len(block) + 1, column_names=names
            ),
            parse_options=pacsv.ParseOptions(quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != nlines:
        return None
    cols: dict[int, Any] = {i: table.column(i).combine_chunks() for i in range(SBS_FIELDS)}
    if not pc.all(pc.equal(cols[0], "MSG")).as_py():
        return None
    for i in (6, 7):
        if pc.any(pc.equal(cols[i], "")).as_py():
            return None
    return cols


def dictionary_map(column: Any, fn: Callable[[str], Any], dtype: Any) -> np.ndarray:
    """``fn`` applied once per distinct value of an Arrow string column, spread to every row
    (the distinct values of a block are few: aircraft, days, squawks, callsigns)."""
    enc = column.dictionary_encode()
    values = [fn(v) for v in enc.dictionary.to_pylist()]
    lookup = np.empty(len(values), dtype=dtype)
    lookup[:] = values
    out: np.ndarray = lookup[arrow_numpy(enc.indices)]
    return out
