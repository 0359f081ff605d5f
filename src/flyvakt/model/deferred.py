"""Rows of an observation batch selected now, columns copied only when read.

The tracker sorts a batch, then drops rows twice (unconfirmed new addresses, parity addresses
not recently confirmed) before it reads most columns. Each ``take`` of a whole
:class:`~flyvakt.model.ObservationBatch` copies its ~30 columns (the object callsign column the
dearest); here the selections compose into one index and each column is gathered once, with
that index, when first read. Reading a column gives exactly what the successive takes would.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt

from flyvakt.model.batches import ObservationBatch

_NAMES = frozenset(f.name for f in fields(ObservationBatch))


class DeferredRows(ObservationBatch):
    """``base`` at rows ``index``; a column is gathered on first read and kept."""

    def __init__(  # not the dataclass __init__: columns are attributes only once read
        self, base: ObservationBatch, index: npt.NDArray[np.int64], loaded: dict[str, Any]
    ) -> None:
        self.__dict__.update(loaded)
        self.__dict__["_base"] = base
        self.__dict__["_index"] = index

    def __getattr__(self, name: str) -> Any:  # only for attributes not yet set
        if name not in _NAMES:
            raise AttributeError(name)
        values = getattr(self.__dict__["_base"], name)[self.__dict__["_index"]]
        self.__dict__[name] = values
        return values

    def take(self, index: npt.NDArray[Any]) -> DeferredRows:
        """The selection of a selection: indexes composed, columns read so far cut too."""
        loaded = {k: v[index] for k, v in self.__dict__.items() if k in _NAMES}
        return DeferredRows(self.__dict__["_base"], self.__dict__["_index"][index], loaded)


def deferred_take(
    batch: ObservationBatch, index: npt.NDArray[np.int64], **loaded: npt.NDArray[Any]
) -> ObservationBatch:
    """``batch.take(index)`` (an integer index), each column copied only when first read;
    ``loaded``: columns the caller has already gathered with ``index``."""
    return DeferredRows(batch, np.asarray(index, dtype=np.int64), loaded)
