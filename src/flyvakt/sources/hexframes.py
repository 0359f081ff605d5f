"""Frames as hex text: jet1090 JSON lines and CSV files of (timestamp, hex frame).

jet1090 JSONL: one object per line with at least ``"timestamp"`` (epoch seconds) and
``"frame"`` (hex); other keys (jet1090's own decode) are ignored.

CSV of frames, header or not, columns in any order, UTF-8 BOM allowed, quotes allowed
(pyModeS ``ts,hex,icao,tc``; ``ts,icao,hex``; rs1090 ``timestamp,hex``): the frame column is
recognised by its content (14 or 28 hex digits) and the time column by a header name or by
numbers; a majority of the first LAYOUT_LINES rows decides, so one damaged row does not. A
header row (no hex frame in it) is skipped.

Times are epoch seconds (milliseconds and finer told apart by magnitude). When the first
time is below 1e8 (1973) the file's times are *relative*: they are taken as seconds after
``base_time_s`` (``--start-time``), or the file is rejected with a one-line error saying so;
they are never read as 1970. In a file of epoch times, a row below 1e8 is counted and skipped.

Speed: both formats are read a block (1 MiB) at a time by Arrow's JSON/CSV readers and the hex
column becomes bytes through ``hextable`` (no Python per line). A block with anything odd in it
(a bad line, a blank line, a relative time in an epoch file) is read again line by line, so that
every bad line is counted and named with its number.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from flyvakt.model.batches import FrameBatch
from flyvakt.sources._common import (
    Batch,
    SourceFormatError,
    frames_from_hex,
    is_frame_hex,
    short_repr,
)
from flyvakt.sources.arrownp import arrow_numpy
from flyvakt.sources.hextable import arrow_hex_column, frame_batch, hex_rows
from flyvakt.sources.lines import BadLine, LineParser

_TS = re.compile(r'"timestamp"\s*:\s*(-?[0-9][0-9.eE+-]*)')
_FRAME = re.compile(r'"frame"\s*:\s*"([0-9A-Fa-f]*)"')
# Epoch values above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_THRESHOLD = 1e11
# Epoch seconds start here (1e8 s is 1973): a first time below it means relative times.
_MIN_EPOCH_S = 1e8
# Rows looked at to decide a CSV's layout: a majority of them wins (one bad row does not).
LAYOUT_LINES = 20
_TIME_NAMES = frozenset({"timestamp", "ts", "time", "t", "time_s", "mintime", "timeatserver"})
_NOT_TIME_NAMES = frozenset({"icao", "icao24", "hex", "tc", "df", "address", "typecode", "addr"})


def epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Epoch numbers in s, ms, us or ns (told apart by magnitude) -> seconds."""
    v = values.astype(np.float64)
    a = np.abs(v)
    out = np.where(
        a > 1e17, v / 1e9, np.where(a > 1e14, v / 1e6, np.where(a > _MS_THRESHOLD, v / 1e3, v))
    )
    return out


class _HexFrameParser(LineParser):
    """Shared by JSONL and CSV frames: time rules, the columnar fast path and its fallback."""

    def _init_state(self) -> None:
        self._relative: bool | None = None  # decided by the first good time

    def _frames(self, hexes: list[str], times: list[float]) -> FrameBatch:
        out = frames_from_hex(hexes, np.asarray(times, dtype=np.float64))
        out.receiver[:] = self._receiver
        return out

    def _decide_time(self, t: float, lineno: int) -> None:
        if self._relative is not None:
            return
        self._relative = bool(epoch_seconds(np.array([t]))[0] < _MIN_EPOCH_S)
        if self._relative and self.base_time_s is None and self.strict:
            # Not strict (a stream): every row is then skipped as a bad timestamp instead.
            raise SourceFormatError(
                f"{self.name}: line {lineno}: time {t:g} is not epoch seconds (before 1973): "
                "the times look relative; give --start-time to anchor them"
            )

    def _time_or_none(self, t: float, lineno: int) -> float | None:
        """One row's time in epoch seconds, or None for a row to skip as a bad timestamp."""
        if t != t:
            return None
        self._decide_time(t, lineno)
        if self._relative:
            return None if self.base_time_s is None else self.base_time_s + t
        s = float(epoch_seconds(np.array([t]))[0])
        return s if s >= _MIN_EPOCH_S else None

    def _times(self, raw: np.ndarray) -> np.ndarray | None:
        """A block's times (fast path); None when a row needs the per-line path."""
        if self._relative:
            if self.base_time_s is None or not np.isfinite(raw).all():
                return None
            out: np.ndarray = self.base_time_s + raw.astype(np.float64)
            return out
        t = epoch_seconds(raw)
        return t if bool((t >= _MIN_EPOCH_S).all()) else None

    def _ready(self) -> bool:
        return self._relative is not None and self._good_seen

    def _from_columns(self, frame: Any, ts: Any | None, nlines: int) -> FrameBatch | None:
        """Arrow columns of a whole block -> frames; None when any row is not clean."""
        if len(frame) != nlines or (ts is not None and ts.null_count):
            return None
        return self._from_hex(*arrow_hex_column(frame), None if ts is None else arrow_numpy(ts))

    def _from_hex(
        self, payload: Any, nbytes: Any, ok: Any, ts: np.ndarray | None
    ) -> FrameBatch | None:
        """Frames from hex already unpacked (``ok``: rows that were hex) and the raw times
        (None: none in the file); None when any row is not clean."""
        if not ok.all():
            return None
        if ts is None:
            times: np.ndarray | None = np.full(len(nbytes), self.fallback_time(None))
        else:
            times = self._times(ts)
        if times is None:
            return None
        return frame_batch(payload, nbytes, times, self._receiver)


class JsonlFrameParser(_HexFrameParser):
    """jet1090 JSON lines -> FrameBatch."""

    default_name = "<jsonl>"

    def _fast(self, block: bytes, nlines: int, recv_time_s: float | None) -> FrameBatch | None:
        import pyarrow as pa
        import pyarrow.json as pajson

        scanned = _scan_jet1090(block, nlines)
        if scanned is not None:
            return self._from_hex(*scanned)
        schema = pa.schema([("timestamp", pa.float64()), ("frame", pa.string())])
        try:
            table = pajson.read_json(
                io.BytesIO(block),
                read_options=pajson.ReadOptions(use_threads=False, block_size=len(block) + 1),
                parse_options=pajson.ParseOptions(
                    explicit_schema=schema, unexpected_field_behavior="ignore"
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        return self._from_columns(table["frame"], table["timestamp"], nlines)

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        hexes: list[str] = []
        times: list[float] = []
        bad: list[BadLine] = []
        first_good: int | None = None
        ts_search = _TS.search
        fr_search = _FRAME.search
        for i, line in enumerate(lines):
            if not line:
                continue
            mt = ts_search(line)
            mf = fr_search(line)
            if mt is not None and mf is not None:
                frame = mf.group(1)
                try:
                    t = float(mt.group(1))
                except ValueError:
                    t = float("nan")
            else:
                got = self._slow(line)
                if got is None:
                    bad.append(
                        (
                            first_lineno + i,
                            "jsonl_bad_line",
                            f"not a JSON frame line: {short_repr(line)}",
                        )
                    )
                    continue
                t, frame = got
            if not is_frame_hex(frame):
                bad.append((first_lineno + i, "bad_frame", f"bad frame: {short_repr(line)}"))
                continue
            ts = self._time_or_none(t, first_lineno + i)
            if ts is None:
                bad.append((first_lineno + i, "bad_timestamp", f"bad time: {short_repr(line)}"))
                continue
            hexes.append(frame)
            times.append(ts)
            if first_good is None:
                first_good = first_lineno + i
        return self._frames(hexes, times), bad, first_good

    def _slow(self, line: str) -> tuple[float, str] | None:
        try:
            obj = json.loads(line)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        frame = obj.get("frame", obj.get("rawmsg", obj.get("hex")))
        ts = obj.get("timestamp", obj.get("ts", obj.get("time")))
        if not isinstance(frame, str):
            return None
        try:
            t = float(ts) if ts is not None else self.fallback_time(None)
        except (TypeError, ValueError):
            return None
        return t, frame


_JET_HEAD = np.frombuffer(b'{"timestamp":', np.uint8)
_JET_FRAME = np.frombuffer(b',"frame":"', np.uint8)
# Longest number text taken by the scan (an epoch time in ns with a fraction fits); a longer
# one is left to the JSON reader.
_MAX_NUMBER = 40
_NUMBER_BYTE = np.zeros(256, dtype=np.bool_)
_NUMBER_BYTE[np.frombuffer(b"0123456789.eE+-", np.uint8)] = True
_COMMA, _QUOTE = 44, 34
# Shortest line the scan reads: the head, a 1-character number, the frame key, 14 hex digits
# and the closing quote.
_MIN_LINE = _JET_HEAD.size + 1 + _JET_FRAME.size + 15


def _scan_jet1090(block: bytes, nlines: int) -> tuple[Any, Any, Any, Any] | None:
    """(payload, nbytes, ok, timestamps) of a block whose every line starts
    ``{"timestamp":NUMBER,"frame":"HEX"`` followed by ``,`` or ``}`` (what jet1090 and
    ``flyvakt`` write), found with array operations on the bytes; None for any other block.

    Arrow's JSON reader parses every key of every line (jet1090 writes its whole decode), at
    ~40 MB/s; this reads only the two fields, as the per-line regular expressions do, and
    touches each line's bytes only around them: one pass over the block finds the newlines,
    the rest are gathers of a few bytes per line. The number text is converted by Arrow's
    string-to-double cast, correctly rounded like the JSON reader and ``float()``; an
    unreadable one sends the block to the JSON reader.
    """
    a = np.frombuffer(block, dtype=np.uint8)
    nl = np.flatnonzero(a == 10)
    if nl.size + 1 != nlines:
        return None
    end = np.r_[nl, a.size]
    line0 = np.r_[0, nl + 1]
    if (end - line0 < _MIN_LINE).any():
        return None
    if not (sliding_window_view(a, _JET_HEAD.size)[line0] == _JET_HEAD).all():
        return None
    num0 = line0 + _JET_HEAD.size
    width = _number_widths(a, num0, end)
    if width is None:
        return None
    comma = num0 + width
    if (comma + _JET_FRAME.size + 15 >= end).any():  # the key and 14 digits on the line
        return None
    if not (sliding_window_view(a, _JET_FRAME.size)[comma] == _JET_FRAME).all():
        return None
    hex0 = comma + _JET_FRAME.size
    # The hex closes with a quote after 14 digits, else after 28; anything else (another
    # length, no quote) is left to the other readers, which name the line.
    short = a[hex0 + 14] == _QUOTE
    q = np.where(short, hex0 + 14, hex0 + 28)
    if not (q < end).all():
        return None
    after = a[np.minimum(q + 1, a.size - 1)]
    if not ((a[q] == _QUOTE) & (q + 1 < end) & ((after == 44) | (after == 125))).all():
        return None
    payload, nbytes, ok = hex_rows(a, hex0, q - hex0)
    ts = _numbers(a, num0, comma)
    if ts is None:
        return None
    return payload, nbytes, ok, arrow_numpy(ts)


def _number_widths(a: np.ndarray, num0: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """Per line, the distance from ``num0`` to a comma (1.._MAX_NUMBER, before ``end``) that
    may end the number: the first line's width tried first, then its neighbours, for the
    lines still open (a file's times have a width or two). Any comma is taken; ``_numbers``
    then checks that every byte before it is a number character, so that it is the first."""
    width = np.zeros(num0.size, dtype=np.int64)
    todo = np.arange(num0.size)
    w0 = int(np.argmax(a[num0[0] : num0[0] + _MAX_NUMBER + 1] == _COMMA))
    order = sorted(range(1, _MAX_NUMBER + 1), key=lambda w: (abs(w - w0), w))
    for w in order:
        at = num0[todo] + w
        hit = (at < end[todo]) & (a[np.minimum(at, a.size - 1)] == _COMMA)
        width[todo[hit]] = w
        todo = todo[~hit]
        if todo.size == 0:
            return width
    return None


def _numbers(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Any | None:
    """The texts ``a[starts:ends]`` (each 1.._MAX_NUMBER number characters) as an Arrow
    float64 column, by Arrow's string-to-double cast (correctly rounded, as its CSV and JSON
    readers and ``float()`` convert); None when one is not a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = starts.size
    width = ends - starts
    if (width < 1).any() or (width > _MAX_NUMBER).any():
        return None
    # Offsets start, end, start, end...: every other string is a number, the ones between
    # are the rest of each line; one take keeps the numbers.
    offsets = np.empty(2 * n + 1, dtype=np.int64)
    offsets[0:-1:2], offsets[1::2], offsets[-1] = starts, ends, a.size
    both = pa.LargeStringArray.from_buffers(2 * n, pa.py_buffer(offsets), pa.py_buffer(a))
    even = pa.py_buffer(np.arange(0, 2 * n, 2, dtype=np.int64))
    text = both.take(pa.Array.from_buffers(pa.int64(), n, [None, even]))
    used = int(np.frombuffer(text.buffers()[1], np.int64)[text.offset + n])
    chars = np.frombuffer(text.buffers()[2], np.uint8)[:used]
    if not _NUMBER_BYTE[chars].all():  # NaN, Infinity, spaces: the readers' own rules
        return None
    try:
        return pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


_DELIMS = (",", ";", "\t", "|")


class CsvFrameParser(_HexFrameParser):
    """CSV (or ;/tab separated) rows with a hex frame column and an optional epoch column."""

    default_name = "<csv>"

    def _init_state(self) -> None:
        super()._init_state()
        self._delim: str | None = None
        self._fcol = -1
        self._tcol = -1
        self._ncols = 0
        self.header: list[str] | None = None

    def _ready(self) -> bool:
        return (
            self._delim is not None
            and self._good_seen
            and (self._tcol < 0 or self._relative is not None)
        )

    def _layout(self, lines: list[str]) -> None:
        """Delimiter, frame, time column and width from a majority of the first data rows."""
        votes: Counter[tuple[str, int, int]] = Counter()
        tvotes: Counter[int] = Counter()
        header = None
        for k, line in enumerate(lines):
            if not line or line[0] == "#":
                continue
            found = _row_layout(line)
            if found is None:
                if header is None and not votes and k == _first_nonblank(lines):
                    header = [c.strip().strip('"') for c in re.split(r"[,;\t|]", line)]
                continue
            d, fcol, ncols, numeric = found
            votes[(d, fcol, ncols)] += 1
            for c in numeric:
                tvotes[c] += 1
        if not votes:
            return
        (d, fcol, ncols), _ = votes.most_common(1)[0]
        self._delim, self._fcol, self._ncols = d, fcol, ncols
        self.header = header
        names = [h.lower() for h in header] if header and len(header) == ncols else None
        self._tcol = -1
        if names is not None:
            named = [i for i, h in enumerate(names) if h in _TIME_NAMES and i != fcol]
            if named:
                self._tcol = named[0]
                return
        candidates = [
            c
            for c, _ in sorted(tvotes.items())
            if c != fcol and (names is None or names[c] not in _NOT_TIME_NAMES)
        ]
        if candidates:
            self._tcol = candidates[0]

    def _fast(self, block: bytes, nlines: int, recv_time_s: float | None) -> FrameBatch | None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        assert self._delim is not None
        names = [f"c{i}" for i in range(self._ncols)]
        keep = [names[self._fcol]] + ([names[self._tcol]] if self._tcol >= 0 else [])
        try:
            table = pacsv.read_csv(
                io.BytesIO(block),
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=len(block) + 1, column_names=names
                ),
                # A row with another number of columns raises: the block is then read line
                # by line, which names the row.
                parse_options=pacsv.ParseOptions(delimiter=self._delim),
                convert_options=pacsv.ConvertOptions(
                    include_columns=keep,
                    column_types={names[self._fcol]: pa.string(), names[self._tcol]: pa.float64()}
                    if self._tcol >= 0
                    else {names[self._fcol]: pa.string()},
                    strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        ts = table[names[self._tcol]] if self._tcol >= 0 else None
        return self._from_columns(table[names[self._fcol]], ts, nlines)

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        hexes: list[str] = []
        times: list[float] = []
        bad: list[BadLine] = []
        first_good: int | None = None
        fallback = self.fallback_time(recv_time_s)
        if self._delim is None:
            self._layout(lines)
        for i, line in enumerate(lines):
            if not line or line[0] == "#":
                continue
            if self._delim is None:
                bad.append(
                    (first_lineno + i, "csv_bad_line", f"no hex frame column: {short_repr(line)}")
                )
                continue
            cells = _cells(line, self._delim)
            header_row = self.header is not None and first_good is None and not self._good_seen
            if header_row and [c.strip().strip('"') for c in cells] == self.header:
                continue
            if len(cells) <= max(self._fcol, self._tcol):
                bad.append(
                    (first_lineno + i, "csv_bad_line", f"too few columns: {short_repr(line)}")
                )
                continue
            frame = cells[self._fcol].strip().strip('"')
            if not is_frame_hex(frame):
                bad.append((first_lineno + i, "bad_frame", f"bad hex frame: {short_repr(line)}"))
                continue
            t = fallback
            if self._tcol >= 0:
                try:
                    raw = float(cells[self._tcol].strip().strip('"'))
                except ValueError:
                    raw = float("nan")
                got = self._time_or_none(raw, first_lineno + i)
                if got is None:
                    bad.append(
                        (first_lineno + i, "bad_timestamp", f"bad timestamp: {short_repr(line)}")
                    )
                    continue
                t = got
            hexes.append(frame)
            times.append(t)
            if first_good is None:
                first_good = first_lineno + i
        return self._frames(hexes, times), bad, first_good


def _cells(line: str, delim: str) -> list[str]:
    """One row's fields; a quoted field may hold the delimiter (as Arrow's reader of the
    columnar path reads it), so that a row reads the same on both paths."""
    if '"' not in line:
        return line.split(delim)
    try:
        return next(csv.reader([line], delimiter=delim))
    except csv.Error:  # a field over the csv module's size limit: no quoted row of ours
        return line.split(delim)


def _first_nonblank(lines: list[str]) -> int:
    return next((k for k, line in enumerate(lines) if line and line[0] != "#"), -1)


def _row_layout(line: str) -> tuple[str, int, int, list[int]] | None:
    """(delimiter, frame column, column count, numeric columns) of one row, None if no frame."""
    for d in _DELIMS:
        cells = [c.strip().strip('"').strip("'") for c in _cells(line, d)]
        frame_cols = [i for i, c in enumerate(cells) if is_frame_hex(c)]
        if not frame_cols:
            continue
        numeric = []
        for i, c in enumerate(cells):
            if i == frame_cols[0]:
                continue
            try:
                float(c)
            except ValueError:
                continue
            if not (len(c) == 6 and "." not in c and c.isalnum() and len(cells) > 2):
                numeric.append(i)  # a 6-digit all-decimal cell beside others is an address
        return d, frame_cols[0], len(cells), numeric
    return None


def frames_batch_empty() -> FrameBatch:
    return FrameBatch.empty(0)
