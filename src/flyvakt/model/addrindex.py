"""A vectorised address → row index: the lookup every per-aircraft table does once per batch.

A Python ``dict`` answers one address at a time, so a batch touching 50,000 aircraft paid
50,000 interpreted lookups per table per batch (issue 12: that, not the arithmetic, made the
tracker slow at 50,000 aircraft). Here the addresses are kept sorted beside their rows and a
whole batch of addresses is looked up with one :func:`numpy.searchsorted`; inserting the new
aircraft of a batch is one merge (a copy of the index, a few hundred kB at 50,000 aircraft).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["AddressIndex", "merge_sorted", "sorted_places"]

U32 = npt.NDArray[np.uint32]
KeyT = TypeVar("KeyT", np.uint32, np.int64)
I64 = npt.NDArray[np.int64]


# New addresses wait in a small sorted side index, merged into the main one once it holds
# more than this share of the main index (or MIN_MERGE): an insert then costs its own size
# plus, amortised, a few copies per address, not a copy of the whole index (at 50,000
# aircraft that copy was ~0.3 ms for every step that met a new aircraft, and the Comm-B
# table paid it up to seven times per step).
MERGE_SHARE = 8
MIN_MERGE = 1024
# A sorted batch of addresses (the tracker's run addresses) at least this share of the index
# is placed by merging the two sorted arrays, not by a binary search per address: a stable
# argsort of their concatenation is one timsort merge of two runs, ~10 instructions per
# element of both, against ~15 halvings (~120 instructions) per address searched. At 50,000
# aircraft a step searches ~40,000 run addresses (issue 12's sweep); below 1/8 of the index
# the search is the cheaper (the merge still walks every key).
MERGE_LOOKUP_SHARE = 8


class AddressIndex:
    """Sorted unique addresses (``uint32``, flag bits allowed) and the row of each."""

    def __init__(self, keys: U32 | None = None, rows: I64 | None = None) -> None:
        k = np.zeros(0, np.uint32) if keys is None else np.asarray(keys, np.uint32)
        r = np.zeros(0, np.int64) if rows is None else np.asarray(rows, np.int64)
        order = np.argsort(k, kind="stable")
        self.keys: U32 = k[order]
        self.rows: I64 = r[order]
        # The side index of recent inserts (sorted, disjoint from ``keys``).
        self.new_keys: U32 = np.zeros(0, np.uint32)
        self.new_rows: I64 = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return int(self.keys.size + self.new_keys.size)

    def lookup(self, addresses: npt.NDArray[np.uint32]) -> I64:
        """The row of each address, -1 where it has none."""
        a = np.asarray(addresses, np.uint32)
        out = _search(self.keys, self.rows, a)
        if self.new_keys.size:
            miss = np.flatnonzero(out < 0)
            if miss.size:
                out[miss] = _search(self.new_keys, self.new_rows, a[miss])
        return out

    def insert(self, addresses: npt.NDArray[np.uint32], rows: I64) -> None:
        """Add addresses not in the index yet (unique among themselves) with their rows."""
        if len(addresses) == 0:
            return
        order = np.argsort(addresses, kind="stable")
        a = np.asarray(addresses, np.uint32)[order]
        r = np.asarray(rows, np.int64)[order]
        self.new_keys, self.new_rows = merge_sorted(self.new_keys, self.new_rows, a, r)
        if self.new_keys.size > max(MIN_MERGE, self.keys.size // MERGE_SHARE):
            self.keys, self.rows = merge_sorted(self.keys, self.rows, self.new_keys, self.new_rows)
            self.new_keys = self.new_keys[:0]
            self.new_rows = self.new_rows[:0]

    def remove(self, addresses: npt.NDArray[np.uint32]) -> None:
        """Forget these addresses (those not in the index are ignored)."""
        if len(addresses) == 0 or len(self) == 0:
            return
        gone_addr = np.asarray(addresses, np.uint32)
        self.keys, self.rows = _without(self.keys, self.rows, gone_addr)
        self.new_keys, self.new_rows = _without(self.new_keys, self.new_rows, gone_addr)


def merge_sorted(
    keys: npt.NDArray[KeyT], rows: I64, a: npt.NDArray[KeyT], r: I64
) -> tuple[npt.NDArray[KeyT], I64]:
    """Sorted unique ``keys`` and their ``rows`` with the sorted addresses ``a`` (none of them
    in ``keys``) and their rows ``r`` put in place: what ``np.insert`` at
    ``np.searchsorted(keys, a)`` gives, with the places of the old entries found once for both
    arrays (``np.insert`` sorts the places and builds a mask per array) and ``a``'s places by
    :func:`sorted_places` (a merge when ``a`` is large against ``keys``: the side index merged
    into the main one, ~1/8 of it, every few steps at 50,000 new aircraft, issue 12)."""
    m = a.size
    if keys.size == 0:
        return a.copy(), r.copy()
    at = sorted_places(keys, a)
    at += np.arange(m)  # the place of each in the merged arrays
    n = keys.size + m
    old = np.ones(n, np.bool_)
    old[at] = False
    places = np.flatnonzero(old)
    out_k = np.empty(n, keys.dtype)
    out_r = np.empty(n, np.int64)
    out_k[at] = a
    out_k[places] = keys
    out_r[at] = r
    out_r[places] = rows
    return out_k, out_r


def _without(keys: U32, rows: I64, a: U32) -> tuple[U32, I64]:
    """Sorted unique ``keys`` and their ``rows`` without the addresses ``a`` (a search per
    address and one mask: no sort of the hits, no ``np.delete`` per array)."""
    if keys.size == 0:
        return keys, rows
    pos = np.minimum(np.searchsorted(keys, a), keys.size - 1)
    hit = keys[pos] == a
    if not hit.any():
        return keys, rows
    keep = np.ones(keys.size, np.bool_)
    keep[pos[hit]] = False
    return keys[keep], rows[keep]


def _search(keys: U32, rows: I64, a: U32) -> I64:
    """The row of each of ``a`` in sorted ``keys`` (-1 where absent)."""
    out = np.full(a.shape, -1, np.int64)
    if keys.size == 0 or a.size == 0:
        return out
    pos = sorted_places(keys, a)
    np.minimum(pos, keys.size - 1, out=pos)
    hit = keys[pos] == a
    out[hit] = rows[pos[hit]]
    return out


def sorted_places(keys: npt.NDArray[KeyT], a: npt.NDArray[KeyT]) -> I64:
    """``np.searchsorted(keys, a)`` (the first place of each of ``a`` in sorted ``keys``); for
    many sorted ``a``, by a merge: in the stable order of ``a`` then ``keys`` concatenated, the
    ``i``-th address stands after the ``i`` before it and every key below it (an equal key comes
    after it, as it was later in the concatenation)."""
    m = a.size
    if m < 2 or m * MERGE_LOOKUP_SHARE < keys.size or (a[1:] < a[:-1]).any():
        return np.searchsorted(keys, a).astype(np.int64, copy=False)
    at = np.flatnonzero(np.argsort(np.concatenate([a, keys]), kind="stable") < m)
    at -= np.arange(m)
    return at
