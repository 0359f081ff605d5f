"""Packed track-point records (schema 2) and the fallback for rows written by schema 1."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import numpy as np

from flyvakt.model import PositionBatch, Source
from flyvakt.store import StoreReader, StoreWriter
from flyvakt.store.packed import pack, unpack

DATA = Path(__file__).resolve().parents[2] / "data"


def _kiwi() -> PositionBatch:
    """Real positions of c820d1 (tests/data/traffic/kiwi.json.gz, OpenSky via traffic)."""
    with gzip.open(DATA / "traffic/kiwi.json.gz") as fh:
        rows = json.load(fh)[:400]
    p = PositionBatch.empty(len(rows))
    for i, r in enumerate(rows):
        p.time_s[i] = r["timestamp"] / 1000
        p.lat_deg[i], p.lon_deg[i] = r["latitude"], r["longitude"]
        p.altitude_baro_ft[i] = r["altitude"]
        p.groundspeed_kt[i], p.track_deg[i] = r["groundspeed"], r["track"]
        p.vertical_rate_fpm[i] = r["vertical_rate"]
        p.callsign[i] = r["callsign"] if i % 7 else None
        p.squawk[i] = int(r["squawk"]) if r["squawk"] else -1
        p.on_ground[i] = 1 if r["altitude"] == 0 else 0
    p.icao24[:] = 0xC820D1
    p.source[:] = Source.STATE_VECTOR
    return p


def test_pack_unpack_round_trip() -> None:
    p = _kiwi()
    q = unpack(0xC820D1, pack(p))
    np.testing.assert_array_equal(q.time_s, p.time_s)
    np.testing.assert_array_equal(q.lat_deg, p.lat_deg)
    np.testing.assert_allclose(q.altitude_baro_ft, p.altitude_baro_ft, atol=0.01)
    np.testing.assert_array_equal(q.on_ground, p.on_ground)
    np.testing.assert_array_equal(q.squawk, p.squawk)
    assert q.callsign.tolist() == p.callsign.tolist()
    assert (q.source == Source.STATE_VECTOR).all()


def test_rows_without_packed_records_are_read_from_columns(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    p = _kiwi()
    with StoreWriter(db, thin_positions=False) as w:
        w.offer(p)
    fast = StoreReader(db).track(0xC820D1)
    # As a schema-1 store would hold them: no packed record.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE track_points SET packed = NULL")
    slow = StoreReader(db).track(0xC820D1)
    assert len(fast) == len(slow) == len(p)
    np.testing.assert_array_equal(fast.time_s, slow.time_s)
    np.testing.assert_allclose(fast.lat_deg, slow.lat_deg)
    assert fast.callsign.tolist() == slow.callsign.tolist()
