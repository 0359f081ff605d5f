"""Store benchmark (not a test): insert throughput and one aircraft's day of track points.

SYNTHETIC data: ~5,000 aircraft flying straight lines, one fix every 10 s (the thinning
interval for airborne aircraft), arriving in time order (as live data does, interleaving all
aircraft, which is the hard case for a table clustered on (icao24, time_s)). One extra aircraft
is seen all day (8,640 fixes: the worst single-aircraft day after thinning).

Run:  .venv/bin/python benchmarks/bench_store.py [--points 10000000] [--keep DIR]
The database goes to a temporary directory (deleted afterwards unless --keep).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from flyvakt.model.batches import PositionBatch
from flyvakt.store import StoreReader, StoreWriter
from flyvakt.store import sql as store_sql

DAY0 = 1_700_000_000.0 - (1_700_000_000.0 % 86400.0)  # a UTC midnight
STEP_S = 10.0  # one fix per aircraft per 10 s: the airborne thinning interval


DAY_STEPS = int(86400 / STEP_S)
ALL_DAY_ICAO = 0x3C0000
TYPICAL_ICAO = 0x400123


def synthetic_step(
    k: int, n_aircraft: int, fixes_per_aircraft: int, rng: np.random.Generator
) -> PositionBatch:
    """All fixes of 10 s step ``k`` of the day.

    Aircraft ``i`` flies during ``fixes_per_aircraft`` consecutive steps starting at a phase
    spread over the day, so about ``n_aircraft * fixes_per_aircraft / 8640`` are airborne at
    once; the all-day aircraft is present in every step.
    """
    t = DAY0 + k * STEP_S
    phase = (np.arange(n_aircraft) * DAY_STEPS) // n_aircraft
    active = np.flatnonzero((k - phase) % DAY_STEPS < fixes_per_aircraft)
    icao = np.r_[active + 0x400000, ALL_DAY_ICAO].astype(np.uint32)
    n = len(icao)
    since = ((k - np.r_[phase[active], 0]) % DAY_STEPS).astype(np.float64)
    b = PositionBatch.empty(n)
    b.icao24[:] = icao
    b.time_s[:] = t + rng.uniform(0.0, 1.0, n)
    b.lat_deg[:] = 40.0 + (icao % 200) * 0.1 + since * 1e-3
    b.lon_deg[:] = -10.0 + (icao % 97) * 0.3 + since * 1e-3
    b.altitude_baro_ft[:] = 35000.0
    b.groundspeed_kt[:] = 450.0
    b.track_deg[:] = 45.0
    b.vertical_rate_fpm[:] = 0.0
    b.on_ground[:] = 0
    b.squawk[:] = 1000
    b.callsign[:] = "SYN123"
    b.source[:] = 4
    return b


def fill(path: Path, total_points: int, n_aircraft: int, commit_steps: int) -> tuple[int, float]:
    """Fill in time order, one transaction per ``commit_steps`` 10 s steps; (points, seconds)."""
    conn = store_sql.connect_rw(path)
    rng = np.random.default_rng(1)
    steps = DAY_STEPS
    fixes_per_aircraft = min(DAY_STEPS, max(1, -(-(total_points - DAY_STEPS) // n_aircraft)))
    written = 0
    t_start = time.perf_counter()
    for k in range(steps):
        batch = synthetic_step(k, n_aircraft, fixes_per_aircraft, rng)
        if k % commit_steps == 0:
            conn.execute("BEGIN")
        written += store_sql.insert_positions(conn, batch)
        if k % commit_steps == commit_steps - 1 or k == steps - 1:
            conn.execute("COMMIT")
        if k % 1000 == 0:
            rate = written / max(time.perf_counter() - t_start, 1e-9)
            print(f"  fill: {written:>11,} points  {rate:,.0f} points/s", flush=True)
    elapsed = time.perf_counter() - t_start
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return written, elapsed


def writer_path(path: Path, n_aircraft: int, seconds: int) -> tuple[int, float, int]:
    """Live path through StoreWriter: 100 ms batches of raw (2 Hz) fixes, thinned, coverage."""
    raw_rate_hz = 2.0  # ADS-B airborne position rate per aircraft
    rng = np.random.default_rng(2)
    n_batches = int(seconds * 10)
    per_batch = int(n_aircraft * raw_rate_hz / 10)
    t0 = DAY0 + 86400.0 + 3600.0  # after the bulk day: new rows, same tables
    batches = []
    for i in range(n_batches):
        b = PositionBatch.empty(per_batch)
        b.icao24[:] = rng.integers(0x400000, 0x400000 + n_aircraft, per_batch, dtype=np.uint32)
        b.time_s[:] = t0 + i * 0.1 + rng.uniform(0.0, 0.1, per_batch)
        b.lat_deg[:] = 50.0
        b.lon_deg[:] = 5.0 + i * 1e-5
        b.altitude_baro_ft[:] = 35000.0 + rng.integers(-1, 2, per_batch) * 25.0
        b.groundspeed_kt[:] = 450.0
        b.track_deg[:] = 90.0 + rng.normal(0.0, 0.3, per_batch)
        b.on_ground[:] = 0
        batches.append(b)
    w = StoreWriter(path, queue_size=n_batches + 1)
    t_start = time.perf_counter()
    for b in batches:
        w.offer(b)
    w.close()
    elapsed = time.perf_counter() - t_start
    return per_batch * n_batches, elapsed, w.points_written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--aircraft", type=int, default=5000)
    parser.add_argument("--writer-seconds", type=int, default=60)
    parser.add_argument(
        "--commit-steps",
        type=int,
        default=6,
        help="10 s steps per fill transaction (6 = one minute of data, as a replay would)",
    )
    parser.add_argument("--keep", metavar="DIR", help="put the database here and keep it")
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="flyvakt-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench_store.db"
    try:
        print(f"SYNTHETIC store benchmark: {args.points:,} points, {args.aircraft:,} aircraft")
        t = time.perf_counter()
        _ = [tuple(range(13)) for _ in range(8640)]
        print(
            f"calibration: building 8,640 13-tuples in Python took "
            f"{(time.perf_counter() - t) * 1e3:.1f} ms (about 1 ms on an idle modern core; "
            "scale the numbers below by this machine's slowdown)"
        )
        written, elapsed = fill(path, args.points, args.aircraft, args.commit_steps)
        size_mb = path.stat().st_size / 1e6
        print(
            f"bulk insert: {written:,} points in {elapsed:.1f} s = {written / elapsed:,.0f} "
            f"points/s (one transaction per {args.commit_steps} x 10 s of data); "
            f"file {size_mb:,.0f} MB ({size_mb * 1e6 / written:.0f} B/point)"
        )
        with StoreReader(path) as r:
            for label, icao in (
                ("all-day aircraft", ALL_DAY_ICAO),
                ("typical aircraft", TYPICAL_ICAO),
            ):
                timings = []
                n = 0
                for _ in range(20):
                    t = time.perf_counter()
                    n = len(r.track(icao, DAY0, DAY0 + 86400.0))
                    timings.append(time.perf_counter() - t)
                print(
                    f"one day of one {label}: {n:,} points, median "
                    f"{statistics.median(timings) * 1e3:.1f} ms, max {max(timings) * 1e3:.1f} ms "
                    f"(20 runs; first run {timings[0] * 1e3:.1f} ms)"
                )
            t = time.perf_counter()
            now = r.aircraft_now(DAY0 + 43200.0, max_age_s=STEP_S + 1.0)
            print(
                f"aircraft_now at noon: {len(now):,} aircraft in "
                f"{(time.perf_counter() - t) * 1e3:.1f} ms"
            )
            t = time.perf_counter()
            cov = r.coverage(TYPICAL_ICAO, DAY0, DAY0 + 86400.0)
            print(
                f"coverage of one aircraft over the day: {cov.seconds_with_data} s with data, "
                f"{len(cov.gaps)} gaps, in {(time.perf_counter() - t) * 1e3:.1f} ms "
                "(bulk fill writes no coverage rows; this times the query only)"
            )
        raw, w_elapsed, kept = writer_path(path, args.aircraft, args.writer_seconds)
        print(
            f"StoreWriter live path: {raw:,} raw fixes ({args.writer_seconds} s of "
            f"{args.aircraft:,} aircraft at 2 Hz, 100 ms batches) in {w_elapsed:.1f} s = "
            f"{raw / w_elapsed:,.0f} raw fixes/s; {kept:,} kept after thinning "
            f"({100 * kept / raw:.1f} %); coverage + aircraft + thinning included"
        )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
