"""Rows of an observation batch selected now, columns copied only when read.

The tracker sorts a batch, then drops rows twice (unconfirmed new addresses, parity addresses
not recently confirmed) before it reads most columns. Each ``take`` of a whole
:class:`~flyvakt.model.ObservationBatch` copies its ~30 columns (the object callsign column the
dearest); here the selections compose into one index and each column is gathered once, with
that index, when first read. Reading a column gives exactly what the successive takes would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import ObservationBatch

_NAMES = frozenset(f.name for f in fields(ObservationBatch))
# Why 1,024: below this many rows a whole column's gather costs less than the extra calls and
# index composition of reading it at some rows (at 64-frame steps the row reads made the
# step ~5 % dearer), so :meth:`DeferredRows.at`/``mapped`` read the whole column there.
WHOLE_BELOW_ROWS = 1024
# Why 16: the masks are packed as the bits of one uint16 a row, gathered by one ``take`` (~14
# instructions a row) and read back by a mask's bit: contiguous whole-array operations (~69
# instructions a row for the tracker's 15 fields, callgrind, where 15 bool columns written
# into and read out of a (rows, 16) array of bytes cost ~118), and the tracker judges 15.
_PACK = 16
# Why 3/4: a take by a mask reads the mask once per column (~25 instructions a row a column at
# half True, ~11 at 95 %, callgrind); the rows found once (~9 a row) and gathered (~14 a row
# taken) cost less below about three quarters True (a silence's generations: a few rows of
# each aircraft), more above (confirmation and the parity filter keep most rows).
_MASK_READ_ABOVE = 3 / 4


class DeferredRows(ObservationBatch):
    """``base`` at rows ``index``; a column is gathered on first read and kept.

    ``extra`` (optional): rows of a second batch placed among them, as ``(batch, src)`` with
    ``src[i]`` the row of ``batch`` at row i (-1: ``base`` at ``index[i]``). A few frames
    merged into a large batch are then written over the gathered column, where concatenating
    the two batches first copied every column of the large one once more."""

    def __init__(  # not the dataclass __init__: columns are attributes only once read
        self,
        base: ObservationBatch,
        index: npt.NDArray[np.int64],
        loaded: dict[str, Any],
        extra: tuple[ObservationBatch, npt.NDArray[np.int64]] | None = None,
        whole: dict[tuple[str, Any], tuple[npt.NDArray[Any], int]] | None = None,
    ) -> None:
        self.__dict__.update(loaded)
        self.__dict__["_base"] = base
        self.__dict__["_index"] = index
        self.__dict__["_extra"] = extra
        self.__dict__["_extra_at"] = None if extra is None else np.flatnonzero(extra[1] >= 0)
        # ``mapped``'s ``fn(base column)`` by (name, fn), and its count of True (-1: not a
        # mask); shared with the selections ``take`` makes of this one (the same base): a
        # state-vector batch split at a silence (flyvakt.track.silence) judged each of its
        # generations' ~18 field masks on the whole base again (~270 instructions a base row).
        self.__dict__["_whole"] = {} if whole is None else whole

    def __getattr__(self, name: str) -> Any:  # only for attributes not yet set
        if name not in _NAMES:
            raise AttributeError(name)
        d = self.__dict__
        values = getattr(d["_base"], name)[d["_index"]]
        if d["_extra"] is not None:
            batch, src = d["_extra"]
            at = d["_extra_at"]
            values[at] = getattr(batch, name)[src[at]]
        d[name] = values
        return values

    def at(self, name: str, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Column ``name`` at ``rows`` (of this selection), without gathering the whole
        column when it has not been read: the tracker reads some columns only at its fixes
        or at one row per aircraft, and a full gather of the object callsign column costs
        ~1 ms per 65,536 rows."""
        return self.at_many((name,), rows)[0]

    def at_many(self, names: Sequence[str], rows: npt.NDArray[Any]) -> list[npt.NDArray[Any]]:
        """``[self.at(name, rows) for name in names]``, the rows of the base and of the extra
        batch found once for all of them (two gathers of ``rows`` a column before)."""
        d = self.__dict__
        small = len(d["_index"]) < WHOLE_BELOW_ROWS
        out: list[npt.NDArray[Any]] = []
        found: tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]] | None = None
        for name in names:
            if name in d or small:
                out.append(getattr(self, name)[rows])
                continue
            if name not in _NAMES:
                raise AttributeError(name)
            if found is None:
                found = self._base_rows(rows)
            base_rows, hit, hit_src = found
            # (``take``: the same values as ``[]`` for an integer index, ~2 instructions a
            # value fewer)
            values = getattr(d["_base"], name).take(base_rows)
            if len(hit):
                values[hit] = getattr(d["_extra"][0], name)[hit_src]
            out.append(values)
        return out

    def _base_rows(
        self, rows: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
        """``rows`` as rows of the base, and where they are rows of the extra batch: their
        places in ``rows`` and their rows there (none without an extra batch)."""
        d = self.__dict__
        if rows.dtype == np.bool_:  # (a mask: its rows)
            rows = np.flatnonzero(rows)
        base_rows = d["_index"].take(rows)
        extra = d["_extra"]
        if extra is None:
            none = base_rows[:0]
            return base_rows, none, none
        src, extra_at = extra[1], d["_extra_at"]
        if len(extra_at) == 0:
            none = base_rows[:0]
            return base_rows, none, none
        if len(rows) > 1 and bool(np.all(rows[1:] >= rows[:-1])):
            # Ascending rows (the tracker's fixes, CPR rows, last rows of runs): the few extra
            # rows found by a search, not by a gather of ``src`` at every row (~18
            # instructions a row). Each extra row covers the places lo..hi-1 (repeats).
            lo = np.searchsorted(rows, extra_at, side="left")
            hi = np.searchsorted(rows, extra_at, side="right")
            counts = hi - lo
            if counts.max() <= 1:
                hit = lo[counts > 0]
            else:
                total = int(counts.sum())
                hit = np.arange(total, dtype=np.int64) + np.repeat(
                    lo - (np.cumsum(counts) - counts), counts
                )
            return base_rows, hit, src[rows[hit]]
        s = src[rows]
        hit = np.flatnonzero(s >= 0)
        return base_rows, hit, s[hit]

    def mapped(
        self, name: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
    ) -> npt.NDArray[Any]:
        """``fn(column)`` for an elementwise ``fn``, computed on the base rows and gathered
        (a bool gather, not the column's) when the column has not been read."""
        d = self.__dict__
        if name in d or len(d["_index"]) < WHOLE_BELOW_ROWS:
            return fn(getattr(self, name))
        whole, k = self._judged(name, fn)
        # True at every base row or at none (a state-vector feed's fields are nearly all
        # present or all absent): so at every selected row, or none; no gather.
        if (k == 0 or k == len(whole)) and d["_extra"] is None:
            return np.full(len(d["_index"]), k > 0, dtype=np.bool_)
        values: npt.NDArray[Any] = whole[d["_index"]]
        return self._extra_mapped(values, name, fn)

    def mapped_many(
        self, names: Sequence[str], fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
    ) -> dict[str, npt.NDArray[Any]]:
        """``{name: self.mapped(name, fn)}`` for a boolean ``fn``, the masks that need a
        gather gathered together: up to ``_PACK`` of them side by side as the bits of one
        row, one ``take`` of those rows for all (a Beast batch's 15 tracked fields are each
        present on some rows only: 15 gathers of ~14 instructions a row before)."""
        d = self.__dict__
        if len(d["_index"]) < WHOLE_BELOW_ROWS:
            return {name: self.mapped(name, fn) for name in names}
        out: dict[str, npt.NDArray[Any]] = {}
        pack: list[tuple[str, npt.NDArray[Any]]] = []
        for name in names:
            if name in d:
                out[name] = self.mapped(name, fn)
                continue
            whole, k = self._judged(name, fn)
            if whole.dtype != np.bool_ or ((k == 0 or k == len(whole)) and d["_extra"] is None):
                out[name] = self.mapped(name, fn)  # (no gather, or not a mask)
            else:
                pack.append((name, whole))
        for a in range(0, len(pack), _PACK):
            part = pack[a : a + _PACK]
            if len(part) == 1:
                out[part[0][0]] = self.mapped(part[0][0], fn)
                continue
            word = np.zeros(len(part[0][1]), dtype=np.uint16)
            for j, (_, whole) in enumerate(part):  # (a bool's cast: 0 or 1)
                word |= whole.astype(np.uint16) << np.uint16(j)
            sel = word.take(d["_index"])
            for j, (name, _) in enumerate(part):
                out[name] = self._extra_mapped((sel & np.uint16(1 << j)) != 0, name, fn)
        return {name: out[name] for name in names}

    def _judged(
        self, name: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
    ) -> tuple[npt.NDArray[Any], int]:
        """``fn(base column)`` and its count of True (-1: not a mask), kept by (name, fn)."""
        cache = self.__dict__["_whole"]
        if (name, fn) in cache:
            return cache[name, fn]  # type: ignore[no-any-return]
        # (the base's columns are not written while selections of it are read)
        whole = fn(getattr(self.__dict__["_base"], name))
        k = int(np.count_nonzero(whole)) if whole.dtype == np.bool_ else -1
        cache[name, fn] = whole, k
        return whole, k

    def _extra_mapped(
        self,
        values: npt.NDArray[Any],
        name: str,
        fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]],
    ) -> npt.NDArray[Any]:
        """``values`` (``fn`` of the base's rows) with the extra batch's rows written over."""
        d = self.__dict__
        if d["_extra"] is not None:
            batch, src = d["_extra"]
            at = d["_extra_at"]
            values[at] = fn(getattr(batch, name))[src[at]]
        return values

    def take(self, index: npt.NDArray[Any]) -> DeferredRows:
        """The selection of a selection: indexes composed, columns read so far cut too."""
        d = self.__dict__
        if index.dtype == np.bool_ and np.count_nonzero(index) < len(index) * _MASK_READ_ABOVE:
            index = np.flatnonzero(index)  # (see _MASK_READ_ABOVE)
        loaded = {k: v[index] for k, v in d.items() if k in _NAMES}
        extra = d["_extra"]
        if extra is not None:
            extra = (extra[0], extra[1][index])
        return DeferredRows(d["_base"], d["_index"][index], loaded, extra, d["_whole"])


def deferred_take(
    batch: ObservationBatch,
    index: npt.NDArray[np.int64],
    extra: tuple[ObservationBatch, npt.NDArray[np.int64]] | None = None,
    **loaded: npt.NDArray[Any],
) -> ObservationBatch:
    """``batch.take(index)`` (an integer index), each column copied only when first read;
    ``extra``: rows of another batch among them (see :class:`DeferredRows`); ``loaded``:
    columns the caller has already gathered."""
    return DeferredRows(batch, np.asarray(index, dtype=np.int64), loaded, extra)


def column_at(batch: ObservationBatch, name: str, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``getattr(batch, name)[rows]``; for a :class:`DeferredRows`, without reading the whole
    column first (:meth:`DeferredRows.at`)."""
    if isinstance(batch, DeferredRows):
        return batch.at(name, rows)
    return getattr(batch, name)[rows]  # type: ignore[no-any-return]


def columns_at(
    batch: ObservationBatch, names: Sequence[str], rows: npt.NDArray[Any]
) -> list[npt.NDArray[Any]]:
    """``[column_at(batch, name, rows) for name in names]``, the rows composed once
    (:meth:`DeferredRows.at_many`)."""
    if isinstance(batch, DeferredRows):
        return batch.at_many(names, rows)
    return [getattr(batch, name)[rows] for name in names]


def columns_mapped(
    batch: ObservationBatch,
    names: Sequence[str],
    fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]],
) -> dict[str, npt.NDArray[Any]]:
    """``{name: column_mapped(batch, name, fn)}`` for a boolean ``fn``
    (:meth:`DeferredRows.mapped_many`: the masks gathered together)."""
    if isinstance(batch, DeferredRows):
        return batch.mapped_many(names, fn)
    return {name: fn(getattr(batch, name)) for name in names}


def column_mapped(
    batch: ObservationBatch, name: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
) -> npt.NDArray[Any]:
    """``fn(getattr(batch, name))`` for an elementwise ``fn`` (:meth:`DeferredRows.mapped`)."""
    if isinstance(batch, DeferredRows):
        return batch.mapped(name, fn)
    return fn(getattr(batch, name))
