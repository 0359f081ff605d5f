"""Lines of CSV that leave a quoted value open, found before Arrow's CSV reader sees them.

Arrow's parser lets a quoted value run across newlines inside a block (``newlines_in_values``
only governs where blocks are cut), so one damaged line such as ``garbage,line,"unterminated``
swallowed every row after it up to the end of the 1 MiB block, silently. :class:`QuoteGuard`
sits between the file and Arrow and replaces each such line by :data:`MARKER`, a one-column
line that Arrow hands to the invalid-row handler (state-vector CSV has at least two columns) at
the same row number, so Arrow's own numbering of later rows is unchanged; the original text and
its line number wait in :attr:`QuoteGuard.bad` for that handler.

Arrow's quoting, which this follows exactly: a quote opens a value only at the start of a field
(line start or after the delimiter); inside, ``""`` is a quote and a lone ``"`` closes it; a
quote in the middle of an unquoted field is an ordinary character. In runs of consecutive
quotes that is: an even run never changes the state; an odd run closes an open value, and opens
one only at a field start. A line that ends inside a value is unterminated.

A value Arrow cannot convert (``9k`` in a numeric column) makes it drop the whole block it is
in. The guard keeps the blocks it gave (Arrow's blocks: it gives whole lines), so that
:meth:`QuoteGuard.rewind` can find the row Arrow names (its rows are the non-empty lines) and
give a new guard: the header, that block again with that line replaced by :data:`BAD_VALUE`
(another one-column line, for the invalid-row handler), the blocks after it, then the file.

Cost of marking: one ``memchr`` per block when it has no quote; with quotes (a quoted
callsign on every row) one pass over the block and a few over the quote positions
(:func:`_plain`); only a block with other quoting is walked line by line in arrays, and a
Python loop runs only over lines whose quotes are not the plain open-at-field-start / close
pattern.

The state-vector reader first reads through a *fast* guard (``QuoteGuard(raw, fast=True)``),
which marks nothing and gives the file's reads as they are (Arrow completes a line cut by a
block end from the next block itself): it counts the rows of the lines ending in each block
(NumPy newline counts, ~1/4 of marking's CPU) and Arrow's batch for the block must have
exactly those rows (:meth:`QuoteGuard.check`, why that is exact is there). At the first batch
that does not, or any error Arrow raises, the reader goes on through a marking guard from the
block before it (:meth:`QuoteGuard.fallback`):
the same blocks, marked, as the marking guard would have given them; the reader re-reads
that checked block so that the block after it is parsed, and its invalid rows noted, before
the checked block's batch is handed on, as with the marking guard alone.
"""

from __future__ import annotations

import io
import threading
from collections import deque
from typing import IO, Any, NamedTuple

import numpy as np
import numpy.typing as npt

MARKER = b"\x00unterminated quote"  # one column, no delimiter: always an invalid row
BAD_VALUE = b"\x00bad value"  # a line with a value Arrow could not convert: also one column
_QUOTE, _NL = 34, 10
# Bytes asked of the underlying file per refill: Arrow's own block size (reader.READ_CHUNK).
_REFILL = 1 << 20
# Below this (a carried line nearly as long as Arrow's block), read a whole refill instead.
_MIN_READ = 1 << 12
# Blocks kept for a restart: Arrow's background reader queues up to 32 blocks ahead of the
# one it converts (34 reads ahead seen on the 1.07 M-row file behind a slow consumer), and
# the block that failed must still be here; past that a bad value stops the file as before.
_KEEP = 48


def unterminated(block: bytes, delim: int = ord(",")) -> list[int]:
    """Indices (0-based, counted by ``\\n``) of the lines of ``block`` that end inside a quoted
    value. ``block`` holds whole lines (the last may lack its newline)."""
    return _unterminated(*_marks(_array(block)), delim)


def _marks(
    a: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """``a``, the positions of its quotes and newlines in order (one pass, one ``flatnonzero``:
    most of the guard's cost on a clean file), and which of them are quotes."""
    marks = np.flatnonzero((a == _QUOTE) | (a == _NL))
    return a, marks, a[marks] == _QUOTE


def _unterminated(
    a: npt.NDArray[np.uint8], marks: npt.NDArray[np.intp], is_q: npt.NDArray[np.bool_], delim: int
) -> list[int]:
    """:func:`unterminated` from the block's :func:`_marks`."""
    qi = np.flatnonzero(is_q)
    q = marks[qi]
    if q.size == 0 or _plain(a, q, qi, delim):
        return []
    new_run = np.ones(q.size, dtype=bool)
    new_run[1:] = q[1:] != q[:-1] + 1
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, q.size))
    pos = q[starts[lengths % 2 == 1]]  # odd runs: the only ones that change the state
    if pos.size == 0:
        return []
    newlines = marks[~is_q]
    line = np.searchsorted(newlines, pos)
    prev = a[np.maximum(pos - 1, 0)]
    at_start = (pos == 0) | (prev == delim) | (prev == _NL)
    n = pos.size
    first = np.ones(n, dtype=bool)
    first[1:] = line[1:] != line[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    k = np.arange(n) - group_start  # the run's index among its line's odd runs
    counts = np.bincount(line)
    # Plain lines: every even-numbered odd run opens at a field start (so the runs alternate
    # open, close) and there is an even number of them: closed at the end of the line.
    odd_count = counts[line] % 2 == 1
    suspect = np.unique(line[odd_count | ((k % 2 == 0) & ~at_start)])
    bad: list[int] = []
    lo = np.searchsorted(line, suspect, "left").tolist()
    hi = np.searchsorted(line, suspect, "right").tolist()
    for ln, i, j in zip(suspect.tolist(), lo, hi, strict=True):
        inside = False
        for s in at_start[i:j].tolist():
            inside = (not inside) and bool(s)
        if inside:
            bad.append(int(ln))
    return bad


def _plain(
    a: npt.NDArray[np.uint8], q: npt.NDArray[np.intp], qi: npt.NDArray[np.intp], delim: int
) -> bool:
    """Whether every line of the block is plainly closed, the shape of a clean file (a quoted
    address or callsign on every row), found in a few passes over the quotes alone: the quotes
    pair up in order, each pair's first at a field start, with no newline between the two
    (``qi``: the quotes' places among the quotes and newlines). No quote then follows a quote
    except as the close of an empty value (``""``), so every other run is one quote, and each
    line holds whole pairs, each opening a value and closing it: none ends inside one.
    Anything else (escaped quotes, a quote mid-field, a value over a newline) is for the
    general walk in :func:`unterminated`."""
    if q.size % 2:
        return False
    opens = q[0::2]
    prev = a[opens - 1]  # opens[0] == 0 reads the last byte: decided by the line start below
    at_start = (prev == delim) | (prev == _NL)
    if opens[0] == 0:
        at_start[0] = True
    return bool(at_start.all()) and bool(np.all(qi[1::2] - qi[0::2] == 1))


def mark(block: bytes, first_line: int = 1) -> tuple[bytes, list[tuple[int, bytes]]]:
    """``block`` with each unterminated line replaced by :data:`MARKER`, and those lines as
    (1-based line number counting from ``first_line``, original bytes)."""
    out, lines, _ = _mark_and_count(block, first_line)
    return out, lines


def _mark_and_count(
    block: bytes, first_line: int
) -> tuple[bytes, list[tuple[int, bytes]], tuple[int, int]]:
    """:func:`mark`, and the block's :func:`_counts` (rows, lines), taken from the newlines
    the quote scan found on the way (one pass over the block fewer: ~0.4 of ~2.2 ms a MiB)."""
    if b'"' not in block:
        return block, [], _counts(block)
    a, marks, is_q = _marks(_array(block))
    newlines = marks[~is_q]
    counts = _counts_of(block, newlines)
    bad = _unterminated(a, marks, is_q, ord(","))
    if not bad:
        return block, [], counts
    ends = [*newlines.tolist(), len(block)]
    parts: list[bytes] = []
    lines: list[tuple[int, bytes]] = []
    at = 0
    for ln in bad:
        start = ends[ln - 1] + 1 if ln else 0
        end = ends[ln]
        if end > start and block[end - 1 : end] == b"\r":
            end -= 1
        parts += [block[at:start], MARKER]
        lines.append((first_line + ln, block[start:end]))
        at = end
    parts.append(block[at:])
    return b"".join(parts), lines, counts


class QuoteGuard(io.RawIOBase):
    """A binary file as Arrow's CSV reader should see it: unterminated lines marked (above).

    ``fast``: blocks are given as they are, each with its rows counted and whether it can be
    checked (:meth:`check`: whole lines, no ``\r``, its last line closed); the reader checks
    each of Arrow's batches against its block and, at the first that differs, reads again from
    that block through a marking guard (:meth:`fallback`)."""

    def __init__(self, raw: IO[bytes], fast: bool = False) -> None:
        self.raw = raw
        self.fast = fast
        self._given = 0  # blocks given before the oldest kept one
        self._checked = 0  # blocks whose batch matched (fast): kept until then
        self._asked = 0  # the size of Arrow's first read: its block size
        self._cap = 0  # a fallback's reads of the file: the block size of the reader before
        self._whole = False  # a fallback's first block: given whole
        self._raw = fast  # (fast) the blocks are given as they are, not marked
        self._head_end = 0  # where the header ends in the first block given
        self.bad: deque[tuple[int, bytes]] = deque()  # (line number, text), oldest first
        self._carry = b""  # an incomplete last line, completed by the next read
        self._out = b""
        self._eof = False
        self._line = 1  # number of the first line of the next block
        # What Arrow was given, for a restart (:meth:`locate`): each block as [bytes, rows,
        # lines] (rows: the non-empty lines, as Arrow numbers them; counted when needed), and
        # the rows and the file's line number before the oldest kept block.
        self._sent: deque[list[Any]] = deque()
        self._rows_before = 0
        self._line_before = 1
        self._replay: deque[bytes] = deque()  # blocks to give again after a restart
        self._out_counts: tuple[int, int] | tuple[None, None] = (None, None)  # of _out
        self.header = b""
        self._headed = False  # whether the header was put before a restarted block
        # Arrow reads on its own thread, ahead: a reader that failed may still be reading
        # when its restart is made, and must then find the end (``_done``), not the new data.
        self._lock = threading.Lock()
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with self._lock:
            if size > 0 and not self._asked:
                self._asked = size
            if self._done:
                return b""
            return self._read_as_is(size) if self.fast else self._read(size)

    def _read_as_is(self, size: int) -> bytes:
        """(fast) The file's bytes as read, each read one of Arrow's blocks, whole lines or
        not: Arrow completes a line cut by a block end from the next block itself (parsing
        the two pieces, no copy), where the guard's whole-line blocks joined the carried piece
        and the read (a copy of every byte: ~100 instructions a corpus row). Each block's
        rows for :meth:`check` are the non-empty lines that end in it (the first one began in
        the block before); :meth:`fallback` joins the pieces again for the marking guard."""
        chunk = self.raw.read(size if size > 0 else _REFILL)
        before = self._carry
        if not chunk:
            self._eof = True
            return b""
        rows, lines, checkable, self._carry = _as_is_counts(before, chunk)
        self._line += lines
        if not self.header:
            at = 0  # Arrow's header: the first non-empty line (whole in Arrow's first block)
            while chunk[at : at + 1] in (b"\n", b"\r"):
                at += 1
            self._head_end = chunk.find(b"\n", at) + 1
            self.header = chunk[at : self._head_end]
            checkable = checkable and self._head_end > 0 and not before
        self._sent.append([chunk, rows, lines, checkable, True, before])
        self._trim()
        return chunk

    def _read(self, size: int) -> bytes:
        # A fallback's reader asks for the header more (its first block is given whole): the
        # file is read, and the rest cut, as the reader before it asked.
        limit = min(size, self._cap) if self._cap and size > 0 else size
        if self._whole:
            limit, self._whole = size, False
        if not self._out and self._replay:
            self._out = self._replay.popleft()
        while not self._out and not self._eof:
            # What fits beside the carried line: a block then comes back whole, not sliced.
            want = limit - len(self._carry) if limit > 0 else _REFILL
            chunk = self.raw.read(want if want >= _MIN_READ else max(limit, _REFILL))
            if chunk:
                # The carried line and the chunk's whole lines in one copy (not a joined copy
                # then a sliced one: ~1 M instructions a MiB), none when nothing is carried.
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    data, self._carry = b"", self._carry + chunk
                elif self._carry or cut < len(chunk):
                    data = b"".join((self._carry, memoryview(chunk)[:cut]))
                    self._carry = chunk[cut:]
                else:
                    data, self._carry = chunk, b""
            else:
                self._eof = True
                data, self._carry = self._carry, b""
            # Fast: given as it is, unless it must be cut (a line of nearly a block carried):
            # marked from then on, so that it is cut where the marking guard cut it.
            self._raw = self.fast and self._raw and len(data) <= limit
            if data and self._raw:
                self._out, self._out_counts = data, _counts(data)
                self._line += self._out_counts[1]
            elif data:
                # Marking keeps every line and leaves empty ones alone: the counts hold.
                self._out, found, self._out_counts = _mark_and_count(data, self._line)
                self.bad.extend(found)
                self._line += self._out_counts[1]
        counts: tuple[int, int] | tuple[None, None] = self._out_counts
        self._out_counts = (None, None)
        if limit < 0 or limit >= len(self._out):
            out, self._out = self._out, b""
        else:  # whole lines, so that each block given is one of Arrow's blocks
            cut = self._out.rfind(b"\n", 0, limit) + 1 or limit
            out, self._out = self._out[:cut], self._out[cut:]
            counts = (None, None)  # counted when needed
        if out:
            if not self.header:
                at = 0  # Arrow's header: the first non-empty line
                while out[at : at + 1] in (b"\n", b"\r"):
                    at += 1
                self._head_end = out.find(b"\n", at) + 1
                self.header = out[at : self._head_end]
            # Checkable (fast): a block given whole (a cut one has no counts) that Arrow parses
            # as one row a line if no quote is left open (:meth:`check`).
            whole = counts[0] is not None and self._raw and _checkable(out)
            self._sent.append([out, *counts, whole, self._raw, None])
            self._trim()
        return out

    def _trim(self) -> None:
        """Let go of the oldest kept blocks beyond :data:`_KEEP` (fast: once checked)."""
        while len(self._sent) > _KEEP and (not self.fast or self._given < self._checked - 1):
            rows, lines = self._block_counts(0)
            self._rows_before += rows
            self._line_before += lines
            self._sent.popleft()
            self._given += 1

    def check(self, k: int, rows: int) -> bool:
        """Whether Arrow's batch ``k`` (counted from 0), of ``rows`` rows, is every line of
        the ``k``-th block given, each read as one valid row (fast guards). Exact: Arrow reads
        each non-empty line as one row unless a newline falls inside a quoted value, and then
        a row takes two lines or more, or goes on into the next block; an invalid row is not
        in the batch. So the rows equal the block's lines (less the header in the first)
        exactly when no line left a quote open and none was invalid: what the marking guard
        would give as it is, and its invalid-row handler never called. Lone ``\r`` (another
        line end for Arrow) and a block's last line left open (a file's last block can end
        inside a value without losing a row) are not checkable: see :func:`_checkable`."""
        with self._lock:
            i = k - self._given
            if not self.fast or not 0 <= i < len(self._sent) or not self._sent[i][3]:
                return False
            if self._eof and self._carry and i == len(self._sent) - 1:
                return False  # the file's last line, without its newline, is a row of it too
            want = self._sent[i][1] - (k == 0)
            # A first block of the header alone has no batch of its own: Arrow's first is the
            # next block's, so it is never taken as checked.
            if rows != want or (k == 0 and want == 0):
                return False
            self._checked = k + 1
            return True

    def given(self) -> int:
        """Blocks given so far."""
        with self._lock:
            return self._given + len(self._sent)

    def fallback(self, k: int) -> Rewound:
        """A marking guard reading again from the ``k``-th block given (the first whose batch
        did not :meth:`check`), as the marking guard would have gone on from there: that block
        and the ones after it marked, behind the header (not for the file's first block, which
        has it), then the rest of the file; this guard then ends. ``rows_before``: Arrow's rows
        before that block (0 for the first block: the new reader starts the file again)."""
        with self._lock:
            i = min(k - self._given, len(self._sent))
            rows_before, line = self._rows_before, self._line_before
            for j in range(i):
                rows, lines = self._block_counts(j)
                rows_before += rows
                line += lines
            again = QuoteGuard(self.raw)
            again._carry, again._eof, again._line = self._carry, self._eof, self._line
            kept = list(self._sent)[i:]
            if self.fast:  # blocks as read: whole lines again, as the marking guard cuts them
                blocks, carry = [], kept[0][5] if kept else self._carry
                for e in kept:
                    data = carry + e[0]
                    cut = data.rfind(b"\n") + 1
                    if cut:
                        blocks.append((data[:cut], True))
                    carry = data[cut:]
                # The file's last line without its newline, read but not yet given whole.
                again._eof = self._eof and not self._carry
            else:
                blocks = [(e[0], e[4]) for e in kept]
            if self._out:  # made but not yet given
                blocks.append((self._out, self._raw))
            first_line = line
            for block, raw in blocks:  # the blocks given as they were, then those marked
                if raw:
                    block, found, (_, lines) = _mark_and_count(block, line)
                    again.bad.extend(found)
                    line += lines
                again._replay.append(block)
            again.bad.extend(self.bad)  # the marked blocks' lines, after those
            if rows_before:  # Arrow's rows go on from the header put before the block
                # Its reader's blocks are a header larger, so that this block stays whole
                # (its invalid rows are then noted where the marking reader noted them).
                again.header, again._headed, again._cap = self.header, True, self._asked
                again._head_end = len(self.header)
                again._whole = True
                again._line_before = first_line - 1
                if again._replay:
                    again._replay[0] = self.header + again._replay[0]
                else:
                    again._replay.append(self.header)
            else:  # the file's first block (or the first with a row): read as from the start
                again._line_before = first_line
            self._done = True
            return Rewound(again, rows_before, first_line)

    def _block_counts(self, i: int) -> tuple[int, int]:
        """Rows (non-empty lines: Arrow skips empty ones, ``\r\n`` too) and lines of kept
        block ``i``."""
        entry = self._sent[i]
        if entry[1] is None:
            entry[1], entry[2] = _counts(entry[0])
        return entry[1], entry[2]

    def rewind(self, row: int, restart: bool = True) -> Rewound | None:
        """For Arrow's ``row`` (counted from 1 over what this guard gave it), which holds a
        value it could not convert: that line's file line number, and (``restart``) a guard
        giving the header, then the block that row is in with that line replaced by
        :data:`BAD_VALUE`, then the blocks after it and the rest of the file; this guard
        then ends. None when that block is no longer kept."""
        with self._lock:
            rows_before, line_before = self._rows_before, self._line_before
            for i in range(len(self._sent)):
                rows, lines = self._block_counts(i)
                if rows_before < row <= rows_before + rows:
                    block: bytes = self._sent[i][0]
                    lengths = _line_lengths(block)
                    k = int(np.flatnonzero(lengths)[row - rows_before - 1])
                    start = int(np.flatnonzero(_array(block) == _NL)[k - 1]) + 1 if k else 0
                    if not restart:
                        return Rewound(self, rows_before, line_before + k)
                    again = self._restarted(i, start, start + int(lengths[k]), line_before + k)
                    return Rewound(again, rows_before, line_before + k)
                rows_before += rows
                line_before += lines
            return None

    def _restarted(self, i: int, start: int, end: int, file_line: int) -> QuoteGuard:
        block = self._sent[i][0]
        if i == 0 and self._rows_before == 0:
            # The first block begins with the header: the file's own, or the one put before a
            # restarted reader's first block (put there again below, so it is read once).
            n = self._head_end  # (after any empty lines before it)
            block, start, end = block[n:], start - n, end - n
        after = [e[0] for e in list(self._sent)[i + 1 :]]
        pending = [self._out] if self._out else []  # made but not yet given
        again = QuoteGuard(self.raw)
        again.bad, again.header, again._headed = self.bad, self.header, True
        again._head_end = len(self.header)  # its first block begins with it
        again._carry, again._eof, again._line = self._carry, self._eof, self._line
        again._replay = deque(
            [self.header + block[:start] + BAD_VALUE + block[end:], *after, *pending]
        )
        again._replay.extend(self._replay)
        # The header stands on the line before the block's first.
        again._line_before = file_line - block.count(b"\n", 0, start) - 1
        self._done = True
        return again


class Rewound(NamedTuple):
    guard: QuoteGuard
    rows_before: int  # Arrow's rows before the block the bad value is in
    line: int  # the bad value's line number in the file


def _counts(block: bytes) -> tuple[int, int]:
    """Rows (non-empty lines, as Arrow numbers them: it skips empty ones, ``\r\n`` too) and
    lines (counted by ``\n``, as the guard numbers them) of ``block``, which starts a line.
    NumPy counts newlines ~5x faster than bytes.count (0.06 vs 0.35 ms a MiB)."""
    a = _array(block)
    nl = a == _NL
    lines = int(np.count_nonzero(nl))
    if not block:
        return 0, 0
    # Empty lines are rare (a clean file has none): whether two newlines meet at all (an
    # ``any``) is cheaper than counting the meetings, which is done only when there are some
    # (the 200 k-row corpus cut's blocks: 48.6 -> 35.3 M instructions).
    pairs = nl[1:] & nl[:-1]
    empty = int(nl[0]) + (int(np.count_nonzero(pairs)) if pairs.any() else 0)
    if b"\r" in block:  # Windows line ends: "\r\n" alone is empty too
        cr = a == 13
        start = np.empty_like(nl)
        start[0], start[1:] = True, nl[:-1]
        empty += int(np.count_nonzero(cr[:-1] & nl[1:] & start[:-1]))
    rows = lines + (not block.endswith(b"\n")) - empty
    return rows, lines


def _as_is_counts(before: bytes, chunk: bytes) -> tuple[int, int, bool, bytes]:
    """A block read as it is (``chunk``, not empty; ``before``: the piece of a line the block
    before ended with): its rows (the non-empty lines ending in it, as Arrow parses them:
    the first one with ``before``), its lines (newlines), whether its rows can be checked
    (:meth:`QuoteGuard.check`: no ``\r``, a newline in it, its last whole line not empty and
    leaving no quote open: :func:`_checkable`'s conditions), and the piece it ends with."""
    a = _array(chunk)
    nl = a == _NL
    lines = int(np.count_nonzero(nl))
    if not lines:
        return 0, 0, False, before + chunk
    pairs = nl[1:] & nl[:-1]
    empty = int(nl[0] and not before) + (int(np.count_nonzero(pairs)) if pairs.any() else 0)
    end = chunk.rfind(b"\n")
    checkable = b"\r" not in chunk and b"\r" not in before and end > 0 and chunk[end - 1] != _NL
    if checkable:
        start = chunk.rfind(b"\n", 0, end) + 1
        last = chunk[start:end] if start else before + chunk[:end]
        checkable = b'"' not in last or not unterminated(last)
    return lines - empty, lines, checkable, chunk[end + 1 :]


def _counts_of(block: bytes, newlines: npt.NDArray[np.intp]) -> tuple[int, int]:
    """:func:`_counts` from the positions of ``block``'s newlines (``block`` not empty)."""
    if b"\r" in block:  # Windows line ends: the general count
        return _counts(block)
    lines = int(newlines.size)
    empty = int(np.count_nonzero(np.diff(newlines) == 1))
    if lines and newlines[0] == 0:
        empty += 1
    return lines + (not block.endswith(b"\n")) - empty, lines


def _checkable(block: bytes) -> bool:
    """Whether Arrow's rows of ``block`` can be checked against its lines (:meth:`QuoteGuard.
    check`): whole lines, no ``\r`` (Arrow ends a line there too: a row more, which could
    make up for a row lost to an open quote), and the last non-empty line closed (at the end
    of the file Arrow reads a value left open as a row, without a row lost)."""
    if not block.endswith(b"\n") or b"\r" in block:
        return False
    end = len(block) - 1  # the last non-empty line's (an open quote goes on over empty ones)
    while end and block[end - 1] == _NL:
        end -= 1
    last = block[block.rfind(b"\n", 0, end) + 1 : end]
    return b'"' not in last or not unterminated(last)


def _array(block: bytes) -> npt.NDArray[np.uint8]:
    return np.frombuffer(block, dtype=np.uint8)


def _line_lengths(block: bytes) -> npt.NDArray[np.intp]:
    """Each line's length without its ``\n`` (0 also for a lone ``\r``, as Arrow reads it)."""
    a = _array(block)
    nl = np.flatnonzero(a == _NL)
    if not block.endswith(b"\n"):
        nl = np.append(nl, len(block))
    starts = np.concatenate(([0], nl[:-1] + 1))
    lengths = nl - starts
    cr = (lengths == 1) & (a[np.minimum(starts, max(len(block) - 1, 0))] == 13)
    return np.where(cr, 0, lengths)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)
