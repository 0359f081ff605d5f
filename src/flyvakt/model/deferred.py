"""Rows of an observation batch selected now, columns copied only when read.

The tracker sorts a batch, then drops rows twice (unconfirmed new addresses, parity addresses
not recently confirmed) before it reads most columns. Each ``take`` of a whole
:class:`~flyvakt.model.ObservationBatch` copies its ~30 columns (the object callsign column the
dearest); here the selections compose into one index and each column is gathered once, with
that index, when first read. Reading a column gives exactly what the successive takes would.
"""

from __future__ import annotations

from collections.abc import Callable
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
        d = self.__dict__
        if name in d or len(d["_index"]) < WHOLE_BELOW_ROWS:
            return getattr(self, name)[rows]  # type: ignore[no-any-return]
        if name not in _NAMES:
            raise AttributeError(name)
        values = getattr(d["_base"], name)[d["_index"][rows]]
        if d["_extra"] is not None:
            batch, src = d["_extra"]
            s = src[rows]
            at = np.flatnonzero(s >= 0)
            values[at] = getattr(batch, name)[s[at]]
        return values  # type: ignore[no-any-return]

    def mapped(
        self, name: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
    ) -> npt.NDArray[Any]:
        """``fn(column)`` for an elementwise ``fn``, computed on the base rows and gathered
        (a bool gather, not the column's) when the column has not been read."""
        d = self.__dict__
        if name in d or len(d["_index"]) < WHOLE_BELOW_ROWS:
            return fn(getattr(self, name))
        cache = d["_whole"]
        if (name, fn) in cache:
            whole, k = cache[name, fn]
        else:  # (the base's columns are not written while selections of it are read)
            whole = fn(getattr(d["_base"], name))
            k = int(np.count_nonzero(whole)) if whole.dtype == np.bool_ else -1
            cache[name, fn] = whole, k
        # True at every base row or at none (a state-vector feed's fields are nearly all
        # present or all absent): so at every selected row, or none; no gather.
        if (k == 0 or k == len(whole)) and d["_extra"] is None:
            return np.full(len(d["_index"]), k > 0, dtype=np.bool_)
        values: npt.NDArray[Any] = whole[d["_index"]]
        if d["_extra"] is not None:
            batch, src = d["_extra"]
            at = d["_extra_at"]
            values[at] = fn(getattr(batch, name))[src[at]]
        return values

    def take(self, index: npt.NDArray[Any]) -> DeferredRows:
        """The selection of a selection: indexes composed, columns read so far cut too."""
        d = self.__dict__
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


def column_mapped(
    batch: ObservationBatch, name: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]
) -> npt.NDArray[Any]:
    """``fn(getattr(batch, name))`` for an elementwise ``fn`` (:meth:`DeferredRows.mapped`)."""
    if isinstance(batch, DeferredRows):
        return batch.mapped(name, fn)
    return fn(getattr(batch, name))
