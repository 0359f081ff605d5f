"""Beast binary (dump1090/readsb port 30005): vectorised incremental parser and encoder.

Wire format (Mode-S Beast "binary" output)::

    0x1a  type  counter[6]  signal[1]  data[n]
          0x31 Mode A/C       n = 2   (kept with nbytes=2, never decoded)
          0x32 Mode S short   n = 7
          0x33 Mode S long    n = 14
          0x34 status         n = ?   (skipped and counted as "beast_status")

Every 0x1a byte after the type byte is sent twice (``1a 1a``) so that a lone 0x1a always
starts a frame. ``counter`` is a big-endian 48-bit 12 MHz tick count of the receiver, not
wall-clock time; ``signal`` is an amplitude 0..255 (dBFS = 20*log10(signal/255), 0 = none).

How we find frames without a per-byte Python loop: in a maximal run of k consecutive 0x1a
bytes, the first ``2*(k//2)`` are escaped pairs (one literal 0x1a each) and, when k is odd,
the last one is a frame marker. That is exactly what a sequential parser does, so marker
positions, escape drops and frame bodies all come from NumPy operations on the whole buffer.

Damage is counted, not fatal: a marker followed by an unknown type byte ("beast_bad_type"), a
frame cut short by the next marker ("beast_bad_escape"), bytes outside any frame
("beast_garbage_bytes") and a frame cut by the end of the stream ("truncated").

Time: ``time_s = base_time_s + (counter - first_counter) / 12e6`` where ``first_counter`` is
the first non-zero counter seen (see ``_common.CounterClock``). Counter 0 (no timestamp, e.g.
dump1090-fa without MLAT) and readsb's MLAT marker take the time of the last timestamped frame;
frames with the MLAT marker are flagged ``mlat`` (they decode with the MLAT source).
Live feeds pass receive times and are re-anchored when the counter strays from them; in files a
48-bit counter wrap (~271 days of receiver uptime) is not corrected.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import FrameBatch
from flyvakt.sources._common import (
    MAGIC_COUNTERS,
    TICKS_PER_S,
    CounterClock,
    SourceFormatError,
    SourceStats,
    dbfs_from_level,
)

ESC = 0x1A
# Unescaped body length after the type byte (6 counter + 1 signal + data).
_BODY = {0x31: 9, 0x32: 14, 0x33: 21}
_NBYTES = {0x31: 2, 0x32: 7, 0x33: 14}
# A status frame (0x34) has no documented length: we hold it until the next marker, but never
# more than this many bytes (a lost marker must not make the leftover grow without bound).
_MAX_STATUS_BYTES = 256
# A capture that starts mid-frame reaches a frame start within one escaped long frame
# (2 + 2*21 = 44 bytes); 64 leaves room and still rejects text files at once.
START_WINDOW = 64
_SHIFTS = np.array([40, 32, 24, 16, 8, 0], dtype=np.uint64)
# One frame from its marker: marker and type bytes with the 6 counter bytes (read as one
# big-endian 64-bit integer), the signal byte and up to 14 data bytes.
_RECORD = np.dtype(
    {"names": ["head", "signal", "data"], "formats": [">u8", "u1", ("u1", 14)], "itemsize": 23}
)
_BLOCK = np.dtype((np.void, _RECORD.itemsize))
_COUNTER_MASK = (1 << 48) - 1
_NBYTES_BY_TYPE = np.zeros(256, np.uint8)  # type byte -> data bytes (0: not a frame type)
for _t, _nb in _NBYTES.items():
    _NBYTES_BY_TYPE[_t] = _nb
_BODY_BY_TYPE = np.full(256, -1, np.int64)  # type byte -> body length (-1: not a frame type)
for _t, _blen in _BODY.items():
    _BODY_BY_TYPE[_t] = _blen
_DBFS_BY_LEVEL = dbfs_from_level(np.arange(256, dtype=np.uint8))  # signal byte -> dBFS

IntArr = npt.NDArray[np.int64]


class _Frames(NamedTuple):
    """Complete frames of one parse: raw marker position, type byte, and the escape drops
    after the marker: the index of the first in ``drops``, how many before the next marker."""

    marker: IntArr
    types: IntArr
    first_drop: IntArr
    drops: IntArr


_MAX_DROPS = 21  # in one frame: one per body byte


def _records(a: npt.NDArray[np.uint8], drops: IntArr, f: _Frames) -> npt.NDArray[np.void]:
    """One 23-byte record per frame from its marker (marker, type, 6 counter bytes, signal, up
    to 14 data bytes) as the unescaped stream has them; bytes past a short frame's end are
    whatever follows (the caller clears them). The first 8 bytes read big-endian are marker,
    type and the 48-bit counter: the counter is the low 48 bits.

    Gathered as whole 23-byte blocks straight from the raw bytes (a memcpy each; a structured
    gather copies field by field, 7x slower; a 2-D fancy index over 21 columns was a third of
    reading). A frame with an escaped 0x1a after its marker (a few % of frames) is gathered
    again byte by byte: byte j of the record sits at raw ``marker + j`` moved one further for
    every drop at or before it (the drops taken in order, one pass each).
    """
    size = _RECORD.itemsize
    # Blocks that start 23 bytes or more before the end are read from the bytes as they are;
    # the last few frames' blocks (and escaped frames' bytes) past the end read the last byte
    # again (``clip``): bytes past a frame's own end are cleared by the caller, whatever they
    # hold. (A zero-padded copy of the whole buffer was ~7 % of the framing's CPU time.)
    whole = max(a.size - size + 1, 0)
    starts = np.ndarray((whole,), _BLOCK, a, 0, (1,))
    near_end = int(np.searchsorted(f.marker, whole))  # markers ascend
    if near_end == f.marker.size:
        blocks = starts[f.marker]
    else:
        blocks = np.empty(f.marker.size, _BLOCK)
        blocks[:near_end] = starts[f.marker[:near_end]]
        tail = f.marker[near_end:, None] + np.arange(size)
        blocks[near_end:] = np.take(a, tail, mode="clip").view(_BLOCK)[:, 0]
    escaped = np.flatnonzero(f.drops)
    if escaped.size:
        first = f.first_drop[escaped]
        count = np.minimum(f.drops[escaped], _MAX_DROPS)  # later drops lie past the frame
        raw = f.marker[escaped, None] + np.arange(size)
        none = np.iinfo(np.int64).max
        for t in range(int(count.max())):
            d = np.where(t < count, drops[np.minimum(first + t, drops.size - 1)], none)
            raw += raw >= d[:, None]
        blocks[escaped] = np.take(a, raw, mode="clip").view(_BLOCK)[:, 0]
    return blocks


class BeastParser:
    """Incremental Beast parser. ``feed`` bytes, get the frames they complete.

    ``strict`` (files): a stream that does not start like Beast raises SourceFormatError
    naming ``name`` and the byte offset; live streams use ``strict=False`` and only count.
    """

    def __init__(
        self,
        base_time_s: float | None = None,
        *,
        receiver: int = 0,
        name: str = "<beast>",
        strict: bool = False,
    ) -> None:
        self.stats = SourceStats()
        self._buf = b""
        self._offset = 0  # stream offset of self._buf[0]
        self._base = base_time_s
        self._clock = CounterClock()
        self._receiver = receiver
        self._name = name
        self._strict = strict
        self._checked_start = False

    def feed(self, data: bytes, recv_time_s: float | None = None) -> FrameBatch:
        if self._base is None and recv_time_s is not None:
            self._base = recv_time_s
        self.stats.bytes += len(data)
        buf = self._buf + data if self._buf else bytes(data)
        if self._strict and not self._checked_start and buf:
            self._check_start(buf)
        batch, consumed = self._parse(buf, final=False, recv_time_s=recv_time_s)
        self._buf = buf[consumed:]
        self._offset += consumed
        return batch

    def finish(self) -> FrameBatch:
        batch, _ = self._parse(self._buf, final=True, recv_time_s=None)
        self._offset += len(self._buf)
        self._buf = b""
        if self._strict and self.stats.records == 0 and self.stats.bytes > 0:
            raise SourceFormatError(f"{self._name}: byte 0: no Beast frame found in the stream")
        return batch

    def _check_start(self, buf: bytes) -> None:
        """Strict mode: a frame start must appear within the first START_WINDOW bytes."""
        for i in range(min(len(buf) - 1, START_WINDOW)):
            if buf[i] == ESC and buf[i + 1] in (0x31, 0x32, 0x33, 0x34):
                self._checked_start = True
                return
        if len(buf) > START_WINDOW:
            raise SourceFormatError(
                f"{self._name}: byte 0: not a Beast stream (no 0x1a frame start in the first "
                f"{START_WINDOW} bytes; starts with 0x{buf[0]:02x})"
            )

    def _parse(
        self, buf: bytes, *, final: bool, recv_time_s: float | None
    ) -> tuple[FrameBatch, int]:
        a = np.frombuffer(buf, dtype=np.uint8)
        n = int(a.size)
        if n == 0:
            return FrameBatch.empty(0), 0
        # Runs of consecutive 0x1a bytes, found from the escape bytes' positions alone (a few %
        # of the stream): per-byte int64 work over the whole buffer was a third of reading.
        esc = np.flatnonzero(a == ESC)
        if esc.size:
            brk = np.flatnonzero(np.diff(esc) != 1)
            run_start = esc[np.r_[0, brk + 1]]
            run_end = esc[np.r_[brk, esc.size - 1]] + 1
        else:
            run_start = run_end = esc
        limit = n
        if not final and esc.size and esc[-1] == n - 1:
            # The trailing run may continue in the next chunk: its parity is not known yet.
            limit = int(run_start[-1])
            run_start, run_end = run_start[:-1], run_end[:-1]
        run_len = run_end - run_start
        odd = (run_len & 1) == 1
        markers = (run_end - 1)[odd]
        if markers.size == 0:
            self.stats.skip("beast_garbage_bytes", limit)
            return FrameBatch.empty(0), limit

        # Escape drops: the second byte of every 1a-1a pair. The unescaped stream ``c`` (the
        # bytes up to ``limit`` less the drops) is never built: its positions are counted
        # (a boolean-mask copy of the whole buffer was a sixth of the framing's instructions).
        pairs = run_len // 2
        total = int(pairs.sum())
        upto = np.cumsum(pairs)  # drops up to each run's end
        if total:
            group_first = np.repeat(upto - pairs, pairs)
            within = np.arange(total) - group_first
            drops = np.repeat(run_start, pairs) + 2 * within + 1  # sorted raw positions
        else:
            drops = np.zeros(0, dtype=np.int64)
        # Markers' positions in ``c``: a marker ends its run, so every drop of its run and of
        # the runs before it comes first (a count per run, not a search per marker).
        cm = markers - upto[odd]
        nc = limit - total
        self.stats.skip("beast_garbage_bytes", int(markers[0]))

        nxt = np.append(cm[1:], nc)
        body_len = nxt - cm - 2
        # The type byte follows its marker in the raw bytes too: a marker ends its run of 0x1a,
        # so the next byte is no 0x1a, and no drop.
        has_type = markers + 1 < limit
        types = np.where(has_type, a[np.minimum(markers + 1, limit - 1)], 0).astype(np.int64)
        expected = _BODY_BY_TYPE[types]
        known = expected >= 0
        status = types == 0x34
        bad_type = ~known & ~status & has_type
        complete = known & (body_len >= expected)

        consumed = limit
        last = cm.size - 1
        n_frames = cm.size
        if not final:
            incomplete_known = bool(known[last] and body_len[last] < expected[last])
            pending_status = bool(status[last] and body_len[last] < _MAX_STATUS_BYTES)
            if incomplete_known or pending_status:
                consumed = int(markers[last])
                n_frames = last
        elif not has_type[last] or (known[last] and not complete[last]):
            self.stats.skip("truncated")
            n_frames = last

        sl = slice(0, n_frames)
        good = np.flatnonzero(complete[sl])
        cut = known[sl] & ~complete[sl]
        self.stats.skip("beast_bad_escape", int(cut.sum()))
        self.stats.skip("beast_bad_type", int(bad_type[sl].sum()))
        # The bytes after a bad type byte are garbage too (as they would be if split off).
        # Garbage is counted in raw (escaped) bytes so that chunking never changes the counts.
        raw_next = np.append(markers[1:], limit)
        raw_body = np.maximum(raw_next - markers - 2, 0)
        self.stats.skip("beast_garbage_bytes", int(raw_body[sl][bad_type[sl]].sum()))
        self.stats.skip("beast_status", int(status[sl].sum()))
        with_extra = np.flatnonzero(complete[sl] & (body_len[sl] > expected[sl]))
        if with_extra.size:
            last_c = cm[with_extra] + 1 + expected[with_extra]  # frames' last bytes in ``c``
            # Back to raw positions: plus the drops at or before each (drop j sits at c index
            # drops[j] - j, the next kept byte's).
            last_raw = last_c + np.searchsorted(drops - np.arange(drops.size), last_c, "right")
            frame_end = last_raw + 1
            extra = raw_next[with_extra] - frame_end
            self.stats.skip("beast_garbage_bytes", int(extra.sum()))
        before = markers - cm  # drops before each marker: the index of the next one
        between = (raw_next - markers) - (nxt - cm)  # drops up to the next marker
        if good.size == n_frames:  # every frame whole (nearly always): the first n_frames
            frames = _Frames(markers[sl], types[sl], before[sl], between[sl])
        else:
            frames = _Frames(markers[good], types[good], before[good], between[good])
        return self._extract(a, drops, frames, recv_time_s), consumed

    def _extract(
        self, a: npt.NDArray[np.uint8], drops: IntArr, f: _Frames, recv_time_s: float | None
    ) -> FrameBatch:
        m = int(f.marker.size)
        if m == 0:
            return FrameBatch.empty(0)
        types = f.types
        rec = _records(a, drops, f).view(_RECORD)
        counters = rec["head"] & np.uint64(_COUNTER_MASK)
        payload = np.array(rec["data"])
        nb = _NBYTES_BY_TYPE[types]
        # The bytes past a short frame's data belong to the next frame: cleared, per type (a
        # row slice each, where a mask over all 14 columns cost as much as the gather).
        for width in (2, 7):
            short = np.flatnonzero(nb == width)
            if short.size:
                payload[short, width:] = 0
        self.stats.records += m
        return FrameBatch(
            time_s=self._clock.times(counters, recv_time_s, self._base),
            payload=payload,
            nbytes=nb,
            signal_dbfs=_DBFS_BY_LEVEL[rec["signal"].astype(np.intp)],  # (intp: the fast gather)
            receiver=np.full(m, self._receiver, np.uint16),
            # readsb's "\xff\0MLAT" marker
            mlat=counters == np.uint64(MAGIC_COUNTERS[0]),
        )


def encode_beast(
    batch: FrameBatch, *, epoch_s: float = 0.0, counters: npt.NDArray[np.uint64] | None = None
) -> bytes:
    """Encode frames as a Beast binary stream (escaping every 0x1a after the marker).

    The counter is ``round((time_s - epoch_s) * 12e6) mod 2**48`` unless ``counters`` is given;
    the signal byte is ``round(255 * 10**(dbfs/20))`` clipped to 1..255, 0 when unknown. Rows
    with nbytes 2/7/14 become types 0x31/0x32/0x33; other rows are left out.
    """
    n = len(batch)
    if n == 0:
        return b""
    nb = batch.nbytes.astype(np.int64)
    ok = (nb == 2) | (nb == 7) | (nb == 14)
    if counters is None:
        t = np.nan_to_num(batch.time_s - epoch_s, nan=0.0)
        ticks = np.round(t * TICKS_PER_S).astype(np.int64) % (1 << 48)
        cnt = ticks.astype(np.uint64)
    else:
        cnt = np.asarray(counters, dtype=np.uint64)
    with np.errstate(invalid="ignore"):
        lv = np.round(255.0 * np.power(10.0, batch.signal_dbfs.astype(np.float64) / 20.0))
    level = np.where(np.isfinite(lv), np.clip(lv, 1, 255), 0).astype(np.uint8)

    full = np.zeros((n, 23), dtype=np.uint8)
    full[:, 0] = ESC
    full[:, 1] = np.select([nb == 2, nb == 7], [0x31, 0x32], 0x33)
    full[:, 2:8] = ((cnt[:, None] >> _SHIFTS) & np.uint64(0xFF)).astype(np.uint8)
    full[:, 8] = level
    full[:, 9:23] = batch.payload
    width = 9 + nb
    mask = (np.arange(23)[None, :] < width[:, None]) & ok[:, None]
    flat = full[mask]
    marker = np.zeros((n, 23), dtype=np.bool_)
    marker[:, 0] = True
    is_marker = marker[mask]
    reps = np.where((flat == ESC) & ~is_marker, 2, 1)
    return np.repeat(flat, reps).tobytes()
