"""Issue 10: SQLite's page cache of the store writer stays bounded in a long run.

SQLite keeps every page it touched until the cache reaches ``cache_size``; a live store grows
for weeks, so the cache (and the process's RSS) grew with it until the 64 MiB ceiling. The
writer now sizes the cache to the aircraft in range, and SQLite's memory stays under it however
large the file grows.

SYNTHETIC positions (straight lines, one fix per aircraft every 5 s): a run of weeks cannot
be recorded, and the bound depends only on the number of aircraft and the file's growth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import PositionBatch, Source
from flyvakt.runtime.memory import sqlite_memory_mb
from flyvakt.store import StoreWriter
from flyvakt.store.sql import CACHE_KIB
from flyvakt.store.writer import CACHE_BASE_KIB, THIN_HORIZON_S, cache_kib_for

T0 = 1_700_000_000.0
STEP_S = 5.0


def _step(k: int, first_icao: int, n: int) -> PositionBatch:
    """One fix for each of ``n`` aircraft at step ``k`` (SYNTHETIC straight lines)."""
    b = PositionBatch.empty(n)
    b.icao24[:] = np.arange(first_icao, first_icao + n, dtype=np.uint32)
    b.time_s[:] = T0 + k * STEP_S + np.linspace(0.0, 1.0, n)
    b.lat_deg[:] = 40.0 + (np.arange(n) % 100) * 0.1 + k * 1e-3
    b.lon_deg[:] = -10.0 + (np.arange(n) // 100) * 0.2 + k * 1e-3
    b.altitude_baro_ft[:] = 35_000.0
    b.groundspeed_kt[:] = 450.0
    # A turn every step, so thinning keeps every fix: the file grows as fast as it can.
    b.track_deg[:] = (k * 37.0) % 360.0
    b.vertical_rate_fpm[:] = 0.0
    b.on_ground[:] = 0
    b.callsign[:] = "TEST1"
    b.squawk[:] = 1000
    b.source[:] = Source.ADSB
    return b


def test_cache_follows_the_aircraft_in_range(tmp_path: Path) -> None:
    w = StoreWriter(tmp_path / "s.db")
    try:
        assert w.cache_kib == CACHE_BASE_KIB  # nothing heard yet
        for k in range(3):  # 200 aircraft: more than the 25 % that re-sizes the cache
            assert w.offer(_step(k, 0x400000, 200))
        w.flush()
        assert w.cache_kib == cache_kib_for(200) < CACHE_KIB
        for k in range(3, 6):  # a busy hour: 6,000 aircraft, the 64 MiB ceiling
            assert w.offer(_step(k, 0x500000, 6_000))
        w.flush()
        assert w.cache_kib == CACHE_KIB
        # They leave: after the thinning horizon only the 200 are in range again.
        k0 = 6 + int(2 * THIN_HORIZON_S / STEP_S)
        for k in range(k0, k0 + 5):
            assert w.offer(_step(k, 0x400000, 200))
        w.flush()
        assert w.cache_kib == cache_kib_for(200)
    finally:
        w.close()


@pytest.mark.skipif(sqlite_memory_mb() is None, reason="sqlite3_memory_used not reachable")
def test_sqlite_memory_stays_under_the_cache_while_the_file_grows(tmp_path: Path) -> None:
    cap_kib = 1024
    db = tmp_path / "long.db"
    base = sqlite_memory_mb()
    assert base is not None
    w = StoreWriter(db, cache_max_kib=cap_kib)
    peak = 0.0
    try:
        for k in range(400):  # 400 steps of 300 aircraft: 120,000 fixes, 33 min of data
            assert w.offer(_step(k, 0x400000, 300))
            if k % 20 == 19:
                w.flush()
                now = sqlite_memory_mb()
                assert now is not None
                peak = max(peak, now - base)
        assert w.cache_kib == cap_kib
    finally:
        w.close()
    size_mib = sum(p.stat().st_size for p in tmp_path.glob("long.db*")) / 2**20
    assert size_mib > 8 * cap_kib / 1024  # the file outgrew the cache many times over
    # The cache, plus SQLite's fixed cost (schema, prepared statements, WAL index): ~1 MiB.
    assert peak < cap_kib / 1024 + 1.5, (peak, size_mib)
