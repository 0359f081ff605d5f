"""A vectorised address → row index: the lookup every per-aircraft table does once per batch.

A Python ``dict`` answers one address at a time, so a batch touching 50,000 aircraft paid
50,000 interpreted lookups per table per batch (issue 12: that, not the arithmetic, made the
tracker slow at 50,000 aircraft). Here the addresses live in an open-addressing hash table in
NumPy arrays (linear probing): a whole batch of addresses is hashed, and each probe step is a
few array operations for all the addresses still looking, so a lookup or an insert costs a
few array passes over the batch, whatever the size of the index.

Until session 20 the index was two sorted arrays (a main one and a side one of recent inserts)
searched by ``np.searchsorted`` or a merge: ~230 instructions an address looked up and ~500 an
address inserted at 50,000 aircraft (the side index merged into the main one every few steps),
~165 M per 1 M frames in issue 12's cold sweep. The order of :meth:`AddressIndex.rows_in_use`
is the table's slot order, no particular order: its callers count, select or sort the rows.

:func:`merge_sorted` and :func:`sorted_places` stay here for the detector's last fixes
(detect/lastfix.py), which keep their own sorted index.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["AddressIndex", "merge_sorted", "sorted_places"]

U32 = npt.NDArray[np.uint32]
KeyT = TypeVar("KeyT", np.uint32, np.int64)
I64 = npt.NDArray[np.int64]

# Slot markers in the key array (addresses are uint32, so never negative as int64).
EMPTY = -1  # never used since the last rebuild: a probe for an address ends here
GONE = -2  # a removed address's slot (a tombstone): a probe goes on past it, until a rebuild
# Why a load of at most 1/3 (slots holding an address or a tombstone, against slots): every
# address of a batch probes in lockstep, one round of array operations per probe step, so the
# longest chain of the batch sets the number of rounds (~10 NumPy calls each, ~15 k
# instructions); below 1/3 linear probing's chains stay short (~1.6 slots for an absent
# address on average, ~1.25 for one held).
MAX_LOAD = 3  # rebuild when slots used * MAX_LOAD > slots
# A rebuild sizes the table for at least this many slots per address (then a power of two):
# room for the next inserts (a cold start brings ~5,000 new aircraft a step) before the next
# rebuild, at 16 bytes a slot: 50,000 aircraft take 2^18 slots (4 MB; the sorted arrays held
# 0.6 MB), at most 128 bytes an address just after a rebuild.
SPARE = 4
MIN_SLOTS = 1024  # a small index: 16 kB, and no rebuild for its first 341 addresses
# (sorted_places) A sorted batch of addresses at least this share of the keys
# is placed by merging the two sorted arrays, not by a binary search per address: a stable
# argsort of their concatenation is one timsort merge of two runs, ~10 instructions per
# element of both, against ~15 halvings (~120 instructions) per address searched. At 50,000
# aircraft a step searches ~40,000 run addresses (issue 12's sweep); below 1/8 of the index
# the search is the cheaper (the merge still walks every key).
MERGE_LOOKUP_SHARE = 8
# Fibonacci hashing (Knuth): the address times 2^64 / golden ratio, the top bits: spreads
# addresses that differ in their low bits (ICAO blocks are allocated in runs) over the table.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Below this many addresses still probing, the rest of the probes are done in Python: a round
# of array operations costs ~15 k instructions whatever its size, one probe in Python ~200.
TAIL = 16


class AddressIndex:
    """Addresses (``uint32``, flag bits allowed), each with its row, in a hash table."""

    def __init__(self, keys: U32 | None = None, rows: I64 | None = None) -> None:
        self._size = 0  # addresses held
        self._alloc(MIN_SLOTS)
        if keys is not None and len(keys):
            r = np.zeros(0, np.int64) if rows is None else np.asarray(rows, np.int64)
            self.insert(np.asarray(keys, np.uint32), r)

    def _alloc(self, slots: int) -> None:
        self._keys: I64 = np.full(slots, EMPTY, np.int64)
        # One entry more, -1: the row of "no slot" (-1), so that a lookup is one gather.
        self._rows: I64 = np.full(slots + 1, -1, np.int64)
        self._shift = np.uint64(64 - (slots.bit_length() - 1))
        self._mask = slots - 1
        self._used = 0  # slots not EMPTY: addresses and tombstones

    def __len__(self) -> int:
        return self._size

    def _home(self, a: I64) -> I64:
        """Each address's first slot."""
        h = a.astype(np.uint64)
        h *= _GOLDEN  # wraps (unsigned): the low 64 bits of the product, as Fibonacci hashing
        h >>= self._shift
        return h.astype(np.int64)

    def _slots(self, a: I64) -> I64:
        """The slot holding each address, -1 where it has none."""
        if not self._size or not a.size:
            return np.full(a.shape, -1, np.int64)
        keys, mask = self._keys, self._mask
        h = self._home(a)
        k = keys[h]
        hit = k == a
        out = np.where(hit, h, -1)
        hit |= k == EMPTY  # done: found, or an empty slot (not held)
        on = np.flatnonzero(~hit)  # another address or a tombstone there: go on
        while on.size > TAIL:
            h_on = h[on]
            h_on += 1
            h_on &= mask
            h[on] = h_on
            k = keys[h_on]
            hit = k == a[on]
            out[on[hit]] = h_on[hit]
            hit |= k == EMPTY
            on = on[~hit]
        for i in on.tolist():  # a few chains left: probed one by one
            want, s = int(a[i]), (int(h[i]) + 1) & mask
            while True:
                k_s = int(keys[s])
                if k_s == want:
                    out[i] = s
                    break
                if k_s == EMPTY:
                    break
                s = (s + 1) & mask
        return out

    def lookup(self, addresses: npt.NDArray[np.uint32]) -> I64:
        """The row of each address, -1 where it has none."""
        return self._rows[self._slots(np.asarray(addresses).astype(np.int64))]

    def insert(self, addresses: npt.NDArray[np.uint32], rows: I64) -> None:
        """Add addresses not in the index yet (unique among themselves) with their rows."""
        n = len(addresses)
        if n == 0:
            return
        if (self._used + n) * MAX_LOAD > self._keys.size:
            self._rebuild(self._size + n)
        self._place(np.asarray(addresses).astype(np.int64), np.asarray(rows, np.int64))

    def _place(self, a: I64, r: I64) -> None:
        """Put addresses not in the table (unique) into it, with their rows: every address
        probes from its home slot to the first empty slot, all in lockstep. (Not into a
        tombstone: it stays until the next rebuild, so that every address placed takes an
        empty slot and the count of slots used needs no reading.)"""
        keys, rows, mask = self._keys, self._rows, self._mask
        self._used += a.size
        self._size += a.size
        h = self._home(a)
        while a.size:
            # Each address writes its key where the slot is empty and the slot's own key back
            # where it is not (so a slot's addresses agree on which it is: all empty or not).
            k = keys[h]
            keys[h] = np.where(k == EMPTY, a, k)
            # Two addresses may have taken the same slot: the one whose key stayed has it, the
            # other goes on probing (the slot is taken now). No other address can match.
            won = keys[h] == a
            w = np.flatnonzero(won)
            rows[h[w]] = r[w]
            if w.size == a.size:
                break
            on = np.flatnonzero(~won)
            a, r, h = a[on], r[on], h[on]
            h += 1
            h &= mask

    def remove(self, addresses: npt.NDArray[np.uint32]) -> None:
        """Forget these addresses (those not in the index are ignored)."""
        if len(addresses) == 0 or self._size == 0:
            return
        s = self._slots(np.asarray(addresses).astype(np.int64))
        s = s[s >= 0]
        s.sort()  # an address given twice is forgotten once
        self._keys[s] = GONE
        self._size -= s.size - int(np.count_nonzero(s[1:] == s[:-1]))

    def rows_in_use(self) -> I64:
        """The rows of the addresses held, in no particular order (the table's slot order)."""
        return self._rows[:-1][self._keys >= 0]

    def addresses(self) -> I64:
        """The addresses held (as int64), in the order of :meth:`rows_in_use`."""
        return self._keys[self._keys >= 0]

    def _rebuild(self, need: int) -> None:
        """A new table with room for ``need`` addresses at a load of ``1 / SPARE`` or less,
        holding the current ones (tombstones dropped)."""
        held = np.flatnonzero(self._keys >= 0)
        keys, rows = self._keys[held], self._rows[held]
        slots = MIN_SLOTS
        while slots < need * SPARE:
            slots *= 2
        self._alloc(slots)
        self._size = 0
        if keys.size:
            self._place(keys, rows)


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
