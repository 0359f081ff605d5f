"""The store writer's per-commit work against plain per-row references (session 16: the
array versions must write exactly what the per-row code wrote)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flyvakt.model.batches import PositionBatch
from flyvakt.store import sql
from flyvakt.store.packed import PACKED, SIZE, pack, unpack
from flyvakt.store.records import CommBColumns
from flyvakt.store.thin import ThinState, flush, thin


def _seen_reference(batch: PositionBatch) -> list[tuple[int, str | None, float]]:
    """Per aircraft: its last fix's time, and the callsign of its last fix that had one."""
    out = []
    for a in sorted(set(batch.icao24.tolist())):
        pairs = enumerate(zip(batch.icao24.tolist(), batch.time_s.tolist(), strict=True))
        rows = sorted((t, i) for i, (x, t) in pairs if x == a)
        calls = [batch.callsign[i] for _, i in rows if batch.callsign[i] is not None]
        out.append((a, calls[-1] if calls else None, rows[-1][0]))
    return out


def test_aircraft_seen_is_the_last_fix_and_last_callsign(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 400
    b = PositionBatch.empty(n)
    b.icao24[:] = rng.integers(1, 40, n)
    b.time_s[:] = rng.permutation(n).astype(np.float64)  # unique times, not in order
    b.callsign[:] = [None if r < 0.6 else f"C{int(r * 100)}" for r in rng.random(n)]
    b.callsign[b.icao24 == 5] = None  # an aircraft that never says its callsign
    conn = sql.connect_rw(tmp_path / "s.db")
    conn.execute("INSERT INTO aircraft (icao24, callsign) VALUES (5, 'KEEP')")
    sql.update_aircraft_seen(conn, b)
    got = conn.execute("SELECT icao24, callsign, last_seen_s FROM aircraft ORDER BY icao24")
    want = [(a, "KEEP" if a == 5 else c, t) for a, c, t in _seen_reference(b)]
    assert got.fetchall() == want


def test_pack_is_the_records_bytes_with_their_padding(kiwi: PositionBatch) -> None:
    b = kiwi.take(np.arange(50))
    b.callsign[:4] = [None, "", "ABCDEFGH", "AB"]  # unknown, empty, 8 bytes (no NUL), padded
    b.lon_deg[3] = 0.0  # a record that ends in NUL bytes whatever its callsign
    records = pack(b)
    assert [len(r) for r in records] == [SIZE] * len(b)
    raw = b"".join(records)
    arr = np.frombuffer(raw, PACKED)
    assert arr["callsign"][:4].tolist() == [b"", b"", b"ABCDEFGH", b"AB"]
    assert records[3].endswith(b"AB" + bytes(6))
    back = unpack(int(b.icao24[0]), pack(b))
    assert np.array_equal(back.time_s, b.time_s)


def test_commb_rows_name_each_key() -> None:
    names = ("a", "bb", "ccc")
    c = CommBColumns(
        np.array([1, 1, 2], np.uint32),
        np.array([2, 0, 1], np.int64),
        np.array([1.5, 2.5, 3.5]),
        np.array([10.0, 11.0, 12.0]),
        names,
    )
    assert c.rows == [(1, "ccc", 1.5, 10.0), (1, "a", 2.5, 11.0), (2, "bb", 3.5, 12.0)]
    assert all(type(r[0]) is int and type(r[2]) is float for r in c.rows)


def test_thinning_many_aircraft_in_pieces_as_in_one(kiwi: PositionBatch) -> None:
    """Aircraft that appear in later batches, between and around known ones, are thinned as
    if all had come in one batch (the state's rows for new addresses merged in order)."""
    parts = []
    for k, addr in enumerate((50, 10, 30, 70, 20)):
        p = kiwi.take(np.arange(k * 40, len(kiwi)))  # each aircraft starts later
        p.icao24[:] = addr
        p.time_s += k * 3.0
        parts.append(p)
    every = PositionBatch.concat(parts)
    order = np.argsort(every.time_s, kind="stable")
    every = every.take(order)

    def run(pieces: int) -> list[tuple[int, float]]:
        state, out = ThinState.empty(), []
        for idx in np.array_split(np.arange(len(every)), pieces):
            state, kept = thin(state, every.take(idx))
            out.append(kept)
        state, pending = flush(state)
        allk = PositionBatch.concat([*out, pending])
        return sorted(zip(allk.icao24.tolist(), allk.time_s.tolist(), strict=True))

    whole = run(1)
    assert len({a for a, _ in whole}) == 5
    for pieces in (7, 60):
        assert run(pieces) == whole
