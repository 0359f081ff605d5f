"""Hostile inputs for fuzzing the pipeline (SYNTHETIC): what a broken or malicious feed sends.

Vectorised generators, deterministic in their ``numpy.random.Generator``:

- :func:`valid_df17` — DF17 frames with *recomputed CRC* around random ME fields: every one
  passes the parity check, so only plausibility stands between them and the map (random
  positions, velocities, callsigns, phantom addresses).
- :func:`hostile_times` — a time column with absurd values mixed in: NaN, ±inf, before 1970,
  year 3000, a day ahead, far beyond what a date can hold.
- :func:`flip_cpr_bits` — real position frames with CPR bits flipped and the CRC recomputed:
  corruption the parity check cannot see (a bit error inside a receiver that recomputes parity,
  or a forger).
- :func:`hostile_observations` — decoded records (as SBS or state vectors arrive) with absurd
  values in every float column and random text in callsigns (markup included).

Used by ``tests/property/test_pipeline_fuzz.py`` (a bounded slice) and
``benchmarks/fuzz_pipeline.py`` (millions of inputs).
"""

from __future__ import annotations

import numpy as np

from flyvakt.model.batches import F64, FrameBatch, ObservationBatch
from flyvakt.sim.encode import crc24

__all__ = [
    "ABSURD_TIMES",
    "flip_cpr_bits",
    "hostile_observations",
    "hostile_times",
    "position_frames",
    "random_frames",
    "valid_df17",
]

ABSURD_TIMES = np.array(
    [np.nan, np.inf, -np.inf, -1.0, -1e9, 0.0, 3.25e10, 4.0e9, 1e15, 1e300, 253402300800.0]
)
HOSTILE_TEXT = ["<img src=x onerror=alert(1)>", "A" * 300, "\x00\n\r", "'; DROP TABLE--", "Ω😀"]
# Every float column of a decoded record but its time (positions, altitudes, speeds, angles).
FLOAT_COLUMNS = tuple(
    name
    for name, (dtype, _) in ObservationBatch._defaults.items()
    if dtype is np.float64 and name != "time_s"
)
_FLOATS = np.array([np.nan, np.inf, -np.inf, -1e300, 1e300, -91.0, 181.0, 1e9, -5e4, 0.0])


def hostile_times(rng: np.random.Generator, n: int, start_s: float, share: float) -> F64:
    """Monotonic times from ``start_s`` (~20 frames/s) with ``share`` replaced by absurd ones."""
    t = start_s + np.cumsum(rng.exponential(0.05, n))
    bad = rng.random(n) < share
    t[bad] = rng.choice(ABSURD_TIMES, int(bad.sum()))
    day = rng.random(n) < share / 4
    t[day] += rng.choice([-86400.0, 86400.0, 3e7], int(day.sum()))
    return t


def valid_df17(rng: np.random.Generator, n: int, n_addresses: int | None = 50) -> FrameBatch:
    """``n`` CRC-valid DF17 frames from ``n_addresses`` addresses with random ME fields.

    ``n_addresses=None``: every frame from its own random address (noise that passes the CRC).
    """
    out = FrameBatch.empty(n)
    if n_addresses is None:
        addr = rng.choice(1 << 24, n, replace=False)
    else:
        addresses = rng.integers(0, 1 << 24, n_addresses)
        addr = addresses[rng.integers(0, n_addresses, n)]
    body = np.empty((n, 11), dtype=np.uint8)
    body[:, 0] = (17 << 3) | rng.integers(0, 8, n)
    body[:, 1] = addr >> 16
    body[:, 2] = (addr >> 8) & 0xFF
    body[:, 3] = addr & 0xFF
    body[:, 4:] = rng.integers(0, 256, (n, 7))
    # Favour the type codes the tracker and detector use: positions, velocity, identification.
    tc = rng.choice([1, 4, 5, 7, 9, 11, 18, 19, 28, 29, 31], n)
    body[:, 4] = (tc << 3) | (body[:, 4] & 0x07)
    crc = crc24(body)
    out.payload[:, :11] = body
    out.payload[:, 11] = crc >> 16
    out.payload[:, 12] = (crc >> 8) & 0xFF
    out.payload[:, 13] = crc & 0xFF
    out.nbytes[:] = 14
    return out


def random_frames(rng: np.random.Generator, n: int) -> FrameBatch:
    """Random bytes as frames of random lengths (most fail CRC; some DF11/DF0 parity match)."""
    out = FrameBatch.empty(n)
    out.payload[:] = rng.integers(0, 256, (n, 14))
    out.nbytes[:] = rng.choice([0, 2, 7, 14, 200], n)
    return out


def hostile_observations(rng: np.random.Generator, n: int, start_s: float) -> ObservationBatch:
    """Decoded records with absurd values in every float column and hostile callsigns."""
    o = ObservationBatch.empty(n)
    o.time_s[:] = hostile_times(rng, n, start_s, 0.05)
    o.icao24[:] = rng.integers(0, 1 << 24, n)
    o.source[:] = rng.integers(0, 5, n)
    o.address_checked[:] = rng.random(n) < 0.9
    o.on_ground[:] = rng.integers(-1, 2, n)
    o.squawk[:] = rng.choice([-1, 7500, 7600, 7700, 1200], n)
    for name in FLOAT_COLUMNS:
        col = getattr(o, name)
        col[:] = rng.uniform(-100.0, 100.0, n) * rng.choice([1.0, 10.0, 400.0], n)
        bad = rng.random(n) < 0.1
        col[bad] = rng.choice(_FLOATS, int(bad.sum()))
    cs = rng.random(n) < 0.2
    o.callsign[cs] = rng.choice(np.array(HOSTILE_TEXT, dtype=object), int(cs.sum()))
    return o


def position_frames(frames: FrameBatch) -> np.ndarray:
    """Indices of the DF17/18 airborne (TC 9-18, 20-22) and surface (TC 5-8) position frames."""
    df = frames.payload[:, 0] >> 3
    tc = frames.payload[:, 4] >> 3
    ext = ((df == 17) | (df == 18)) & (frames.nbytes == 14)
    pos = ((tc >= 5) & (tc <= 18)) | ((tc >= 20) & (tc <= 22))
    return np.flatnonzero(ext & pos)


def flip_cpr_bits(
    rng: np.random.Generator, frames: FrameBatch, share: float, max_bits: int = 3
) -> np.ndarray:
    """Flip 1..``max_bits`` random CPR bits (F, LAT-CPR, LON-CPR) in ``share`` of the position
    frames, in place, and recompute their CRC so they still pass the parity check.

    Returns the indices of the damaged frames.
    """
    cand = position_frames(frames)
    k = round(cand.size * share)
    idx = np.sort(rng.choice(cand, k, replace=False))
    for _ in range(max_bits):
        flip = rng.random(k) < (1.0 if _ == 0 else 0.5)
        # ME bits 21..55 (0-based) are F, LAT-CPR, LON-CPR; the ME starts at frame bit 32.
        bit = 32 + rng.integers(21, 56, k)
        rows = idx[flip]
        b = bit[flip]
        frames.payload[rows, b // 8] ^= (0x80 >> (b % 8)).astype(np.uint8)
    body = frames.payload[idx, :11]
    crc = crc24(body)
    frames.payload[idx, 11] = crc >> 16
    frames.payload[idx, 12] = (crc >> 8) & 0xFF
    frames.payload[idx, 13] = crc & 0xFF
    return idx
