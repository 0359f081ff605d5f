"""Shared pieces of every source parser: statistics, errors, the parser protocol, hex helpers.

Every parser is *incremental and pure*: ``feed(data)`` takes the next chunk of bytes and returns
the records completed by it (a batch, possibly empty); bytes of an incomplete record are kept
for the next call; ``finish()`` flushes the end of the stream. Parsers never read the clock or
do I/O: receive times are passed in (``recv_time_s``) by the adapters (file reader, TCP reader).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from flyvakt.model.batches import FrameBatch, ObservationBatch

Batch = FrameBatch | ObservationBatch


class SourceFormatError(ValueError):
    """The input is not in the expected format.

    The message is one line naming the file (or URL) and the line or byte offset, e.g.
    ``rec.txt: line 3: not an AVR frame: 'hello'``.
    """


# Bad lines quoted with their numbers in a summary: enough to find the damage in an editor,
# few enough to read (the counts per reason cover the rest).
MAX_BAD_EXAMPLES = 10


@dataclass
class SourceStats:
    """What a parser read and what it skipped (``skipped``: reason -> count).

    ``bad_lines`` keeps the first MAX_BAD_EXAMPLES skipped lines as "file: line N: why";
    ``stopped`` says where a damaged file ended ("gzip stream ends at byte N"), else None.
    """

    bytes: int = 0
    lines: int = 0
    records: int = 0  # frames (FrameBatch rows) or observations emitted
    skipped: dict[str, int] = field(default_factory=dict)
    bad_lines: list[str] = field(default_factory=list)
    stopped: str | None = None

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def note_bad(self, message: str) -> None:
        if len(self.bad_lines) < MAX_BAD_EXAMPLES:
            self.bad_lines.append(message)

    @property
    def frames(self) -> int:
        return self.records

    def merge(self, other: SourceStats) -> None:
        self.bytes += other.bytes
        self.lines += other.lines
        self.records += other.records
        for k, v in other.skipped.items():
            self.skip(k, v)
        for msg in other.bad_lines:
            self.note_bad(msg)
        if other.stopped:
            self.stopped = f"{self.stopped}; {other.stopped}" if self.stopped else other.stopped

    def as_dict(self) -> dict[str, object]:
        return {
            "bytes": self.bytes,
            "lines": self.lines,
            "records": self.records,
            "skipped": dict(self.skipped),
            "bad_lines": list(self.bad_lines),
            "stopped": self.stopped,
        }


class Parser(Protocol):
    """An incremental parser: bytes in, batches out."""

    stats: SourceStats

    def feed(self, data: bytes, recv_time_s: float | None = None) -> Batch: ...

    def finish(self) -> Batch: ...


_HEX_FRAME = re.compile(r"(?:[0-9A-Fa-f]{14}|[0-9A-Fa-f]{28})")


def is_frame_hex(s: str) -> bool:
    """True for the hex of a 56- or 112-bit Mode S frame."""
    return _HEX_FRAME.fullmatch(s) is not None


def frames_from_hex(
    hexes: Sequence[str],
    time_s: Sequence[float] | np.ndarray,
    signal_dbfs: Sequence[float] | np.ndarray | None = None,
) -> FrameBatch:
    """Build a FrameBatch from validated hex strings of 4, 14 or 28 hex digits.

    Vectorised: the strings of one length are joined and converted with one ``bytes.fromhex``
    and one ``np.frombuffer`` (no per-frame Python byte handling).
    """
    n = len(hexes)
    out = FrameBatch.empty(n)
    if n == 0:
        return out
    out.time_s[:] = np.asarray(time_s, dtype=np.float64)
    if signal_dbfs is not None:
        out.signal_dbfs[:] = np.asarray(signal_dbfs, dtype=np.float32)
    lengths = np.fromiter((len(h) for h in hexes), dtype=np.int64, count=n)
    for nchar in (4, 14, 28):
        idx = np.flatnonzero(lengths == nchar)
        if idx.size == 0:
            continue
        nb = nchar // 2
        joined = "".join(hexes) if idx.size == n else "".join([hexes[i] for i in idx.tolist()])
        raw = np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(-1, nb)
        out.payload[idx, :nb] = raw
        out.nbytes[idx] = nb
    return out


def dbfs_from_level(level: np.ndarray) -> np.ndarray:
    """Beast signal byte (0..255, amplitude) -> dBFS = 20*log10(level/255); 0 -> NaN (no data)."""
    lv = level.astype(np.float32)
    with np.errstate(divide="ignore"):
        out: np.ndarray = (20.0 * np.log10(lv / np.float32(255.0))).astype(np.float32)
    out[lv == 0] = np.nan
    return out


def short_repr(text: str, limit: int = 40) -> str:
    """A line fragment for an error message: repr, cut to ``limit`` characters."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text)


TICKS_PER_S = 12e6  # Beast/AVR-MLAT counter frequency: 12 MHz


# readsb marks forwarded MLAT/UAT results with these fake counters ("\xff\0MLAT"/"...U"):
# they are not receiver times, so they count as "no timestamp".
MAGIC_COUNTERS = (0xFF004D4C4154, 0xFF004D4C4155)
# Live feeds only: when counter time and receive time disagree by more than this, re-anchor on
# the receive time. Frames reach us milliseconds after reception, so counter time running ahead
# of the wall clock by 1 s, or behind it by 5 s (a 50 ppm crystal drifts ~4 s a day; a counter
# reset jumps far), means the anchor is stale.
MAX_AHEAD_S = 1.0
MAX_BEHIND_S = 5.0
# A feed's pace (counter seconds per wall second) is trusted after this much wall time: long
# enough that a network stall followed by a burst averages out (5 s of a real feed is pace ~1).
PACE_WINDOW_S = 5.0
# Above this pace the feed is a sped-up replay (``flyvakt simulate --serve --speed 300``): its
# own clock is kept instead of being re-anchored on the wall clock every second, which squashed
# 300 s of flight into 1 s (issue 10 item 10). A real receiver's crystal is within ppm of 1.
FAST_PACE = 1.5
# Why 1,000: no replay we serve runs faster; a counter step beyond this pace (a day in a second)
# is a counter jump, not a replay, and the clock continues from the previous chunk instead.
MAX_PACE = 1000.0


class CounterClock:
    """Receiver 12 MHz counter -> UTC seconds, anchored by the caller's base time.

    ``time_s = base_time_s + offset + (counter - first_counter) / 12e6``; ``first_counter`` is
    the first non-zero counter seen, ``offset`` starts at 0 and changes only when receive times
    are given (live feeds) and the counter time strays from them (see MAX_AHEAD_S). Counter 0
    (dump1090-fa without MLAT) and readsb's MLAT marker mean "no timestamp": such frames take
    the last timestamped frame's time (or the receive time before any).
    """

    def __init__(self) -> None:
        self.first: int | None = None
        self.last: int | None = None
        self.offset_s = 0.0
        self.reanchors = 0
        self._pace = _Pace()

    def times(
        self, counters: np.ndarray, recv_time_s: float | None, base_time_s: float | None
    ) -> np.ndarray:
        counters = counters.astype(np.uint64)
        has = counters != 0
        for magic in MAGIC_COUNTERS:
            has &= counters != np.uint64(magic)
        base = base_time_s if base_time_s is not None else 0.0
        if self.first is None and has.any():
            self.first = int(counters[np.argmax(has)])
        if self.first is None:
            fill = recv_time_s if recv_time_s is not None else base
            return np.full(counters.size, fill, dtype=np.float64)
        if counters.size and has.all():  # nearly always: every frame timestamped
            filled = counters
            self.last = int(counters[-1])
        else:
            idx = np.where(has, np.arange(counters.size), -1)
            np.maximum.accumulate(idx, out=idx)
            prev = self.last if self.last is not None else self.first
            filled = np.where(idx >= 0, counters[np.maximum(idx, 0)], np.uint64(prev))
            if has.any():
                self.last = int(counters[np.flatnonzero(has)[-1]])
        rel = filled.astype(np.int64) - np.int64(self.first)
        rel_s = rel / TICKS_PER_S
        out: np.ndarray = base + self.offset_s + rel_s
        if recv_time_s is not None and out.size:
            out, shift = self._pace.place(out, recv_time_s)
            if shift:
                self.offset_s += shift
                self.reanchors += 1
        return out


class _Pace:
    """When a live feed's counter clock must be re-anchored.

    - First chunk, or a feed running at real time (pace <= FAST_PACE once PACE_WINDOW_S of wall
      time has passed): the counter may not run ahead of the receive time by more than
      MAX_AHEAD_S nor behind it by more than MAX_BEHIND_S (drift, counter reset). The chunk's
      median decides, not its last frame: one absurd counter must not move the whole feed
      (validation drops it as a lone time jump).
    - Otherwise (a sped-up replay, or too early to tell): the counter is kept as it is, except
      where it steps back by more than MAX_BEHIND_S (a reset) or forward faster than MAX_PACE
      (a jump) from one frame to the next: from there on the clock continues from the frame
      before. A lone jumped frame is put back in line the same way.
    """

    def __init__(self) -> None:
        self.w0 = self.c0 = self.w_prev = self.c_prev = math.nan

    def place(self, out: np.ndarray, recv_s: float) -> tuple[np.ndarray, float]:
        """Times of one chunk (shifted where needed), and the shift for the frames after it."""
        first = math.isnan(self.w_prev)
        dw = 0.0 if first else max(recv_s - self.w_prev, 0.0)
        mid = float(np.median(out))
        known = not first and recv_s - self.w0 >= PACE_WINDOW_S
        pace = (mid - self.c0) / (recv_s - self.w0) if known else math.nan
        shift = 0.0
        if first or (known and pace <= FAST_PACE):
            skew = mid - recv_s
            if skew > MAX_AHEAD_S or skew < -MAX_BEHIND_S:
                # The last frame arrived just now, unless it is the odd one out.
                last = float(out[-1])
                shift = recv_s - (last if abs(last - mid) <= MAX_BEHIND_S + dw else mid)
                out = out + shift
        else:
            steps = np.diff(out, prepend=self.c_prev)
            jump = (steps < -MAX_BEHIND_S) | (steps > MAX_AHEAD_S + MAX_PACE * dw)
            if jump.any():
                fix = np.cumsum(np.where(jump, -steps, 0.0))
                out = out + fix
                shift = float(fix[-1])
        if first or shift:
            self.w0, self.c0 = recv_s, float(np.median(out))
        self.w_prev, self.c_prev = recv_s, float(out[-1])
        return out, shift
