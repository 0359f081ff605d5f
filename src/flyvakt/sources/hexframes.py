"""Frames as hex text: jet1090 JSON lines and CSV files of (timestamp, hex frame).

jet1090 JSONL: one object per line with at least ``"timestamp"`` (epoch seconds) and
``"frame"`` (hex); other keys (jet1090's own decode) are ignored. A regular expression pulls
both values from each line (about 10x faster than ``json.loads``); lines it cannot read are
parsed with ``json.loads`` before being counted as bad.

CSV of frames, header or not, columns in any order, UTF-8 BOM allowed, quotes allowed
(pyModeS ``ts,hex,icao,tc``; ``ts,icao,hex``; rs1090 ``timestamp,hex``): the frame column is
recognised by its content (14 or 28 hex digits) and the time column by numeric epoch values
(seconds, or milliseconds when > 1e11). The first data row decides; a header row (no hex frame
in it) is skipped.
"""

from __future__ import annotations

import json
import re

import numpy as np

from flyvakt.model.batches import FrameBatch
from flyvakt.sources._common import Batch, frames_from_hex, is_frame_hex, short_repr
from flyvakt.sources.lines import BadLine, LineParser

_TS = re.compile(r'"timestamp"\s*:\s*(-?[0-9][0-9.eE+-]*)')
_FRAME = re.compile(r'"frame"\s*:\s*"([0-9A-Fa-f]*)"')
# Epoch values above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_THRESHOLD = 1e11
# Plausible epoch seconds for the time column of a frames CSV: 1e8 s is 1973.
_MIN_EPOCH_S = 1e8


def epoch_seconds(values: np.ndarray) -> np.ndarray:
    """Epoch numbers in s, ms, us or ns (told apart by magnitude) -> seconds."""
    v = values.astype(np.float64)
    a = np.abs(v)
    out = np.where(
        a > 1e17, v / 1e9, np.where(a > 1e14, v / 1e6, np.where(a > _MS_THRESHOLD, v / 1e3, v))
    )
    return out


class _HexFrameParser(LineParser):
    def _frames(self, hexes: list[str], times: list[float]) -> FrameBatch:
        out = frames_from_hex(hexes, epoch_seconds(np.asarray(times, dtype=np.float64)))
        out.receiver[:] = self._receiver
        return out


class JsonlFrameParser(_HexFrameParser):
    """jet1090 JSON lines -> FrameBatch."""

    default_name = "<jsonl>"

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
            if not is_frame_hex(frame) or t != t:
                bad.append(
                    (first_lineno + i, "bad_frame", f"bad frame or timestamp: {short_repr(line)}")
                )
                continue
            hexes.append(frame)
            times.append(t)
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


_DELIMS = (",", ";", "\t", "|")


class CsvFrameParser(_HexFrameParser):
    """CSV (or ;/tab separated) rows with a hex frame column and an optional epoch column."""

    default_name = "<csv>"

    def _init_state(self) -> None:
        self._delim: str | None = None
        self._fcol = -1
        self._tcol = -1
        self.header: list[str] | None = None

    def _layout(self, line: str) -> bool:
        """Find delimiter, frame column and time column from one row; False for a header."""
        for d in _DELIMS:
            cells = [c.strip().strip('"').strip("'") for c in line.split(d)]
            frame_cols = [i for i, c in enumerate(cells) if is_frame_hex(c)]
            if not frame_cols:
                continue
            self._delim = d
            self._fcol = frame_cols[0]
            self._tcol = -1
            for i, c in enumerate(cells):
                if i == self._fcol:
                    continue
                try:
                    v = float(c)
                except ValueError:
                    continue
                if v >= _MIN_EPOCH_S:
                    self._tcol = i
                    break
            return True
        return False

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        hexes: list[str] = []
        times: list[float] = []
        bad: list[BadLine] = []
        first_good: int | None = None
        fallback = self.fallback_time(recv_time_s)
        for i, line in enumerate(lines):
            if not line or line[0] == "#":
                continue
            if self._delim is None and not self._layout(line):
                if self.header is None and first_good is None and not bad:
                    self.header = [c.strip().strip('"') for c in re.split(r"[,;\t|]", line)]
                    continue
                bad.append(
                    (first_lineno + i, "csv_bad_line", f"no hex frame column: {short_repr(line)}")
                )
                continue
            cells = line.split(self._delim)
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
                    t = float(cells[self._tcol].strip().strip('"'))
                except ValueError:
                    bad.append(
                        (first_lineno + i, "bad_timestamp", f"bad timestamp: {short_repr(line)}")
                    )
                    continue
            hexes.append(frame)
            times.append(t)
            if first_good is None:
                first_good = first_lineno + i
        return self._frames(hexes, times), bad, first_good


def frames_batch_empty() -> FrameBatch:
    return FrameBatch.empty(0)
