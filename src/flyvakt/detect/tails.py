"""The fixes of each aircraft in its latest country-sample period, kept across batch edges.

An airspace crossing is placed on the first fix in the new country between two country samples
(:func:`flyvakt.detect.airspace._crossing`; one sample per ``COUNTRY_SAMPLE_S``). When a batch
edge falls between the samples, the fixes before the edge are in an earlier batch: they are kept
here, so that the crossing is found on the same fixes however the stream was cut
(tests/property/test_batch_split.py). Per aircraft what counts is the rows of one sample period,
the one of its last fix (the earlier sample is the first fix of that period); an aircraft whose
signal is lost (or that is forgotten) drops them: its next fix comes after a gap, where no
crossing is located. Plain data (a :class:`PositionBatch`), checkpointed with the detector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.detect import rules as R
from flyvakt.model import PositionBatch


def _period(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The country-sample period of each time (as the detector's pre-pass counts them)."""
    return np.floor(t / R.COUNTRY_SAMPLE_S)


@dataclass
class SampleTails:
    """Rows from earlier batches that may lie in an aircraft's latest sample period.

    Kept in chunks, one per batch, each batch appended whole (nothing copied); a lookup takes
    an aircraft's rows later than its last sample, which excludes those of its older periods by
    itself (they are older than that sample). Those rows are only memory: the chunks are
    compacted to each aircraft's latest period once they hold twice what the last compaction
    kept (amortised: each row is copied a bounded number of times; a compaction that would
    drop no row leaves the chunks as they are). An aircraft forgotten
    (:meth:`drop`) is noted with the number of chunks then: its rows in those chunks are no
    longer seen, and leave memory at the next compaction (a signal-lost sweep of 33,000
    aircraft no longer copies the chunks)."""

    chunks: list[PositionBatch] = field(default_factory=list)
    compacted: int = 0  # rows kept by the last compaction
    total: int = 0  # rows in the chunks (kept up to date: summing ~100 chunks per step is slow)
    # Aircraft forgotten since the last compaction -> how many chunks there were then.
    forgotten: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self) -> PositionBatch:
        """Each aircraft's rows in its latest period, in one batch, the chunks' order kept: what
        a compaction would keep (checkpoints: the same rows however the stream was batched,
        compacted or restored, since a chunk holds a whole batch)."""
        if not self.chunks:
            return PositionBatch.empty(0)
        known = self._keep()
        if known is not None:
            return self._compact(known)
        return self.chunks[0] if len(self.chunks) == 1 else PositionBatch.concat(self.chunks)

    @rows.setter
    def rows(self, rows: PositionBatch) -> None:
        self.chunks = [rows] if len(rows) else []
        self.compacted = self.total = len(rows)
        self.forgotten = {}

    def since(self, icao24: int, t: float) -> PositionBatch:
        """The aircraft's kept rows later than ``t``, in time order."""
        chunks = self.chunks[self.forgotten.get(icao24, 0) :] if self.forgotten else self.chunks
        out = [c.take(np.flatnonzero((c.icao24 == icao24) & (c.time_s > t))) for c in chunks]
        out = [c for c in out if len(c)]
        if not out:
            return PositionBatch.empty(0)
        return out[0] if len(out) == 1 else PositionBatch.concat(out)

    def update(self, p: PositionBatch) -> None:
        """After batch ``p``: keep its rows (a lookup takes an aircraft's rows of its latest
        period among them)."""
        if not len(p):
            return
        # The batch is kept whole, not its rows of each run's last period (copied): the other
        # rows are older than the run's last sample, so no lookup (:meth:`since`) takes them,
        # and the next compaction drops them (the 5,000-aircraft burst's 12 updates: 95.1 ->
        # 57.7 M instructions; the rows kept after a compaction, and every lookup, the same).
        self.chunks.append(p)
        self.total += len(p)
        if self.total > 2 * self.compacted + 1024:  # why 1024: no compaction per tiny batch
            self._compact_chunks()

    def _compact_chunks(self) -> None:
        """Compact the chunks (:meth:`_compact`), unless that would drop no row: then they stay
        as they are (the same rows in the same order; nothing copied) and count as compacted."""
        keep = self._keep()
        if keep is None:  # no forgotten aircraft's row left before its mark either
            self.compacted, self.forgotten = self.total, {}
        else:
            self.rows = self._compact(keep)

    def _seen(self, icao: npt.NDArray[Any]) -> npt.NDArray[np.bool_] | None:
        """Per row of the chunks in order (``icao``: their addresses, joined): False where it
        is a forgotten aircraft's row from before it was forgotten; None when there is none.

        Asked once per run (rows of one address in one chunk: a chunk holds each aircraft's
        rows together), each row taking its run's answer: a state-vector replay forgets
        thousands of aircraft at each sweep, and its compactions of 100-300 k rows had each
        row searched among them (~40 % of the compactions' time)."""
        if not self.forgotten:
            return None
        n = len(icao)
        ends = np.cumsum(np.fromiter(map(len, self.chunks), np.int64, len(self.chunks)))
        edge = np.empty(n, np.bool_)
        edge[0] = True
        np.not_equal(icao[1:], icao[:-1], out=edge[1:])
        edge[ends[:-1]] = True  # a run never spans two chunks (no chunk is empty)
        at = np.flatnonzero(edge)
        run_icao = icao[at]
        run_chunk = np.searchsorted(ends, at, side="right")  # the chunk of each run
        addr = np.fromiter(self.forgotten.keys(), np.int64, len(self.forgotten))
        upto = np.fromiter(self.forgotten.values(), np.int64, len(self.forgotten))
        order = np.argsort(addr)
        addr, upto = addr[order], upto[order]
        pos = np.minimum(np.searchsorted(addr, run_icao), len(addr) - 1)
        gone = (addr[pos] == run_icao) & (run_chunk < upto[pos])
        if not gone.any():
            return None
        return ~np.repeat(gone, np.diff(np.append(at, n)))

    def _keep(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[Any], npt.NDArray[Any]] | None:
        """Per row of the chunks in order, whether a compaction keeps it (each aircraft's rows
        in its latest period, not forgotten), with the chunks' ``icao24`` and ``time_s``
        joined; None when it keeps every row. Decided on those two columns alone."""
        chunks = self.chunks
        icao = chunks[0].icao24 if len(chunks) == 1 else np.concatenate([c.icao24 for c in chunks])
        t = chunks[0].time_s if len(chunks) == 1 else np.concatenate([c.time_s for c in chunks])
        seen = self._seen(icao)
        if seen is None:
            keep = _latest_keep(icao, t)
        else:
            keep = seen.copy()
            keep[seen] = _latest_keep(icao[seen], t[seen])
        return None if keep.all() else (keep, icao, t)

    def _compact(
        self, known: tuple[npt.NDArray[np.bool_], npt.NDArray[Any], npt.NDArray[Any]]
    ) -> PositionBatch:
        """The kept rows in each aircraft's latest period (of :attr:`rows`), decided on the
        two columns it reads (``known``: :meth:`_keep`'s answer), so that the other columns
        are copied once, and only the rows kept."""
        chunks = self.chunks
        keep, icao, t = known
        cols: dict[str, npt.NDArray[Any]] = {"icao24": icao, "time_s": t}
        # The kept rows' places, found once: a boolean mask scans itself again per column
        # (--warm corpus, its 11 compactions: 72 -> 68 ms; the burst's 5: the same).
        sel = np.flatnonzero(keep)
        # The other columns taken chunk by chunk, each chunk's kept values straight into their
        # place in the joined column (np.take's ``out``): each kept value copied once, not
        # every value once and the kept ones again (a state-vector replay keeps about half of
        # 100-200 k rows at each compaction), nor taken per chunk and then joined (twice).
        ends = np.cumsum([len(c) for c in chunks])
        cut = np.searchsorted(sel, ends[:-1]).tolist()
        each = zip(chunks, np.split(sel, cut), [0, *ends[:-1].tolist()], strict=True)
        parts = [(c, k - off) for c, k, off in each]
        spans = list(pairwise([0, *cut, len(sel)]))
        for name in PositionBatch._defaults:
            col = cols.get(name)
            cols[name] = col.take(sel) if col is not None else _joined(name, parts, spans)
        return PositionBatch(**cols)

    def drop(self, icaos: list[int]) -> None:
        """Forget the rows of these aircraft (signal lost or forgotten): noted now, removed at
        the next compaction (rows of theirs that come later are kept)."""
        if not icaos or not self.chunks:
            return
        self.forgotten.update(dict.fromkeys(icaos, len(self.chunks)))


def _joined(
    name: str,
    parts: list[tuple[PositionBatch, npt.NDArray[np.int64]]],
    spans: list[tuple[int, int]],
) -> npt.NDArray[Any]:
    """Column ``name`` of the chunks' kept rows (``parts``: each chunk and its rows), joined:
    what ``np.concatenate`` of the chunks' ``take`` gives (values, dtype), each chunk's rows
    taken into their ``spans`` of the result. ``mode="clip"``: the rows are in range, and
    NumPy's default ("raise") takes into a temporary copy of ``out`` first. Chunks whose
    columns differ in dtype (or are not flat) are joined by ``np.concatenate``."""
    cols = [getattr(c, name) for c, _k in parts]
    # NumPy's own descriptor of the type, as np.concatenate gives (a column unpickled, e.g.
    # from a checkpoint, carries an equal copy): the same state, down to its pickled bytes.
    dtype = np.dtype(cols[0].dtype.type)
    if cols[0].ndim != 1 or any(c.dtype != dtype for c in cols):
        return np.concatenate([c.take(k) for c, (_b, k) in zip(cols, parts, strict=True)])
    out = np.empty(spans[-1][1], dtype)
    for c, (_b, k), (a, z) in zip(cols, parts, spans, strict=True):
        np.take(c, k, out=out[a:z], mode="clip")
    return out


def _latest_keep(
    icao24: npt.NDArray[np.uint32], time_s: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Per row: whether it lies in the sample period of its aircraft's latest row.

    The rows come in stretches of one aircraft and one period (each chunk holds a run per
    aircraft, in time order: a batch, or a compaction's rows): the question is asked once per
    stretch (in the burst's compactions 76 k for 230 k rows), and each row takes its stretch's
    answer."""
    n = len(icao24)
    if not n:
        return np.ones(0, np.bool_)
    per = _period(time_s)
    edge = np.empty(n, np.bool_)
    edge[0] = True
    np.not_equal(icao24[1:], icao24[:-1], out=edge[1:])
    edge[1:] |= per[1:] != per[:-1]
    at = np.flatnonzero(edge)
    keep = _latest_keep_of(icao24[at], per[at])
    return keep if len(at) == n else np.repeat(keep, np.diff(np.append(at, n)))


def _latest_keep_of(
    icao24: npt.NDArray[np.uint32], per: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Per entry (an address and a sample period): whether it is its address's latest period.

    The latest period per aircraft is the largest (flooring keeps the order of times), found
    on the addresses sorted by a stable sort: the entries are the chunks in order, each sorted
    by address (the detector's runs), which a stable sort merges as presorted runs, ~2.5x
    faster than ``np.unique`` with its inverse and ``np.maximum.at`` (178 k rows: 7 against
    17-21 ms)."""
    n = len(icao24)
    keep = np.ones(n, np.bool_)
    order = np.argsort(icao24, kind="stable")
    icao, per_sorted = icao24[order], per[order]
    first = np.empty(n, np.bool_)
    first[0] = True
    np.not_equal(icao[1:], icao[:-1], out=first[1:])
    latest = np.maximum.reduceat(per_sorted, np.flatnonzero(first))
    keep[order] = per_sorted == latest[np.cumsum(first) - 1]
    return keep
