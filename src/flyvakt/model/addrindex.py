"""A vectorised address → row index: the lookup every per-aircraft table does once per batch.

A Python ``dict`` answers one address at a time, so a batch touching 50,000 aircraft paid
50,000 interpreted lookups per table per batch (issue 12: that, not the arithmetic, made the
tracker slow at 50,000 aircraft). Here the addresses are kept sorted beside their rows and a
whole batch of addresses is looked up with one :func:`numpy.searchsorted`; inserting the new
aircraft of a batch is one merge (a copy of the index, a few hundred kB at 50,000 aircraft).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["AddressIndex"]

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


class AddressIndex:
    """Sorted unique addresses (``uint32``, flag bits allowed) and the row of each."""

    def __init__(self, keys: U32 | None = None, rows: I64 | None = None) -> None:
        k = np.zeros(0, np.uint32) if keys is None else np.asarray(keys, np.uint32)
        r = np.zeros(0, np.int64) if rows is None else np.asarray(rows, np.int64)
        order = np.argsort(k, kind="stable")
        self.keys: U32 = k[order]
        self.rows: I64 = r[order]

    def __len__(self) -> int:
        return int(self.keys.size)

    def lookup(self, addresses: npt.NDArray[np.uint32]) -> I64:
        """The row of each address, -1 where it has none."""
        a = np.asarray(addresses, np.uint32)
        out = np.full(a.shape, -1, np.int64)
        if self.keys.size == 0 or a.size == 0:
            return out
        pos = np.searchsorted(self.keys, a)
        np.minimum(pos, self.keys.size - 1, out=pos)
        hit = self.keys[pos] == a
        out[hit] = self.rows[pos[hit]]
        return out

    def insert(self, addresses: npt.NDArray[np.uint32], rows: I64) -> None:
        """Add addresses not in the index yet (unique among themselves) with their rows."""
        if len(addresses) == 0:
            return
        order = np.argsort(addresses, kind="stable")
        a = np.asarray(addresses, np.uint32)[order]
        at = np.searchsorted(self.keys, a)
        self.keys = np.insert(self.keys, at, a)
        self.rows = np.insert(self.rows, at, np.asarray(rows, np.int64)[order])

    def remove(self, addresses: npt.NDArray[np.uint32]) -> None:
        """Forget these addresses (those not in the index are ignored)."""
        if len(addresses) == 0 or self.keys.size == 0:
            return
        gone = np.isin(self.keys, np.asarray(addresses, np.uint32))
        if gone.any():
            self.keys = self.keys[~gone]
            self.rows = self.rows[~gone]
