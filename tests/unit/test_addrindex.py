"""AddressIndex (a hash table in arrays) against a plain dict; the sorted-array helpers the
detector's last fixes use."""

from __future__ import annotations

import numpy as np

from flyvakt.model.addrindex import MIN_SLOTS, AddressIndex, merge_sorted, sorted_places


def test_lookups_match_a_dict_through_inserts_rebuilds_and_removals() -> None:
    # SYNTHETIC addresses: full 24-bit range plus the non-ICAO flag bit, in batches of
    # varying size so that the table is rebuilt several times, with tombstones of removed
    # addresses in it (probed past, reused by inserts, dropped by a rebuild).
    rng = np.random.default_rng(11)
    index, model = AddressIndex(), {}
    next_row = 0
    sizes = set()
    for step in range(60):
        k = int(rng.integers(1, 3 * MIN_SLOTS // 4))
        cand = rng.integers(0, 1 << 25, k).astype(np.uint32)
        new = np.unique(cand[[int(c) not in model for c in cand.tolist()]])
        rows = np.arange(next_row, next_row + new.size, dtype=np.int64)[rng.permutation(new.size)]
        next_row += new.size
        shuffle = rng.permutation(new.size)  # inserted in no particular order
        index.insert(new[shuffle], rows[shuffle])
        model.update(zip(new.tolist(), rows.tolist(), strict=True))
        sizes.add(index._keys.size)
        if step % 7 == 3:  # forget some (one twice), and an address never seen
            live = np.fromiter(model, np.uint32)
            gone = rng.choice(live, min(300, live.size), replace=False)
            index.remove(np.r_[gone, gone[:1], np.uint32(7)])
            for g in gone.tolist():
                del model[g]
        assert len(index) == len(model)
        unknown = rng.integers(0, 1 << 25, 500).astype(np.uint32)
        probe = np.r_[np.fromiter(model, np.uint32), unknown, np.uint32((1 << 32) - 1)]
        want = np.array([model.get(int(p), -1) for p in probe.tolist()], dtype=np.int64)
        np.testing.assert_array_equal(index.lookup(probe), want)
        held = dict(zip(index.addresses().tolist(), index.rows_in_use().tolist(), strict=True))
        assert held == model
    assert len(sizes) >= 4  # rebuilt at least three times


def test_colliding_addresses_probe_past_each_other_and_past_tombstones() -> None:
    # SYNTHETIC: addresses of one home slot (found by hashing), inserted in one batch (they
    # meet in the same slots as they probe), some removed; the rest still found, the removed
    # ones not, and a later insert of the same home slot probes past them all.
    index = AddressIndex()
    cand = np.arange(1 << 20, dtype=np.int64)
    home = index._home(cand)
    same = cand[home == home[0]][:40].astype(np.uint32)
    assert same.size == 40
    rows = np.arange(100, 140, dtype=np.int64)
    index.insert(same, rows)
    np.testing.assert_array_equal(index.lookup(same), rows)
    index.remove(same[::3])
    want = np.where(np.arange(40) % 3 == 0, -1, rows)
    np.testing.assert_array_equal(index.lookup(same), want)
    more = cand[home == home[0]][40:50].astype(np.uint32)
    index.insert(more, np.arange(10, dtype=np.int64))
    np.testing.assert_array_equal(index.lookup(same), want)
    np.testing.assert_array_equal(index.lookup(more), np.arange(10))
    assert len(index) == 40 - 14 + 10


def test_the_index_built_whole_is_the_one_built_by_inserts() -> None:
    rng = np.random.default_rng(3)
    keys = np.unique(rng.integers(0, 1 << 25, 5000).astype(np.uint32))
    rows = rng.permutation(keys.size).astype(np.int64)
    probe = np.r_[keys, rng.integers(0, 1 << 25, 1000).astype(np.uint32)]
    whole, by_parts = AddressIndex(keys, rows), AddressIndex()
    for part in np.array_split(np.arange(keys.size), 7):
        by_parts.insert(keys[part], rows[part])
    np.testing.assert_array_equal(whole.lookup(probe), by_parts.lookup(probe))
    assert len(whole) == len(by_parts) == keys.size


def test_sorted_batches_are_placed_as_the_binary_search_places_them() -> None:
    # SYNTHETIC: sorted batches large enough for the merge (duplicates, addresses below, between,
    # above and equal to keys, the flag bit), and unsorted or small ones (the binary search).
    rng = np.random.default_rng(5)
    keys = np.unique(rng.integers(0, 1 << 25, 3000).astype(np.uint32))
    rows = rng.permutation(keys.size).astype(np.int64)
    index = AddressIndex(keys, rows)
    model = dict(zip(keys.tolist(), rows.tolist(), strict=True))
    for k in (1, 2, 50, 400, 2000, 6000):
        some = np.r_[rng.choice(keys, k), rng.integers(0, 1 << 25, k).astype(np.uint32)]
        some = np.r_[some, np.uint32(0), keys[0], keys[-1], np.uint32((1 << 32) - 1)]
        for probe in (np.sort(some), some):
            want = np.array([model.get(int(p), -1) for p in probe.tolist()], dtype=np.int64)
            np.testing.assert_array_equal(index.lookup(probe), want)
            pos = sorted_places(keys, probe)
            np.testing.assert_array_equal(pos, np.searchsorted(keys, probe))


def test_merge_sorted_is_np_insert_at_the_binary_search_places() -> None:
    # SYNTHETIC: sorted keys of both dtypes the callers use, sorted addresses to put in (small
    # and large against the keys: the binary search and the merge), below, between and above.
    rng = np.random.default_rng(8)
    for dtype in (np.uint32, np.int64):
        keys = np.unique(rng.integers(0, 1 << 25, 2000)).astype(dtype)
        rows = rng.permutation(keys.size).astype(np.int64)
        for k in (1, 3, 100, 1500, 5000):
            a = np.sort(rng.integers(0, 1 << 26, k).astype(dtype))
            r = rng.integers(0, 10**6, k).astype(np.int64)
            at = np.searchsorted(keys, a)
            got_k, got_r = merge_sorted(keys, rows, a, r)
            np.testing.assert_array_equal(got_k, np.insert(keys, at, a))
            np.testing.assert_array_equal(got_r, np.insert(rows, at, r))
            assert got_k.dtype == keys.dtype
        empty_k, empty_r = merge_sorted(keys[:0], rows[:0], a, r)
        np.testing.assert_array_equal(empty_k, a)
        np.testing.assert_array_equal(empty_r, r)
