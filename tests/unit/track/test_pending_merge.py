"""The pending frames merged into a sorted batch by binary search, against the plain way:
``lexsort`` of the pending frames and the batch concatenated (pending first)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from flyvakt.decode import decode_batch
from flyvakt.model import FrameBatch, ObservationBatch
from flyvakt.track.confirm import sorted_with_pending


def _obs(data_dir: Path) -> ObservationBatch:
    # Real AFR34ZG frames (tests/data/traffic, see PROVENANCE.md), the first 4,000.
    with gzip.open(data_dir / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for _, line in zip(range(4000), fh, strict=False)]
    out = decode_batch(
        FrameBatch.from_hex([r["frame"] for r in rows], [r["timestamp"] for r in rows])
    )
    return out[0] if isinstance(out, tuple) else out


def _plain(
    pending: ObservationBatch, obs: ObservationBatch
) -> tuple[ObservationBatch, ObservationBatch]:
    hit = np.isin(pending.icao24, obs.icao24)
    both = ObservationBatch.concat([pending.take(hit), obs])
    return both.take(np.lexsort((both.time_s, both.icao24))), pending.take(~hit)


@pytest.mark.parametrize("seed", range(6))
def test_merge_equals_sorting_the_concatenation(data_dir: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    real = _obs(data_dir)
    # Re-addressed copies of the real rows (a few aircraft, as a batch has), some sharing
    # times with the pending frames (ties: the pending frame goes first).
    obs = real.take(rng.choice(len(real), 1500, replace=False))
    obs.icao24[:] = rng.integers(0, 40, len(obs)).astype(np.uint32) * 7919
    obs.signal_dbfs[:] = np.arange(len(obs), dtype=np.float32)  # tells rows apart
    pending = real.take(rng.choice(len(real), 60, replace=False))
    pending.icao24[:] = rng.integers(0, 60, len(pending)).astype(np.uint32) * 7919
    pending.signal_dbfs[:] = -1.0 - np.arange(len(pending), dtype=np.float32)
    pending.time_s[:10] = obs.time_s[:10]  # exact ties with batch rows
    pending.icao24[:10] = obs.icao24[:10]
    pending.time_s[10:14] = pending.time_s[14]  # ties among pending frames
    pending.icao24[10:15] = pending.icao24[14]
    o, rest = sorted_with_pending(pending, obs)
    want, want_rest = _plain(pending, obs)
    assert len(rest) < len(pending)  # some pending frames were merged
    # signal_dbfs tells every row apart: the same rows in the same order.
    assert o.signal_dbfs.tolist() == want.signal_dbfs.tolist()
    for name in ObservationBatch._defaults:  # and every column gathered alike
        a, b = getattr(o, name), getattr(want, name)
        assert a.tolist() == b.tolist() if a.dtype == object else np.array_equal(a, b, True), name
    assert rest.signal_dbfs.tolist() == want_rest.signal_dbfs.tolist()


def test_no_pending_and_no_match(data_dir: Path) -> None:
    obs = _obs(data_dir)
    o, rest = sorted_with_pending(ObservationBatch.empty(0), obs)
    assert np.all(np.diff(o.icao24.astype(np.int64)) >= 0) and len(o) == len(obs)
    far = obs.take(np.arange(5))
    far.icao24[:] = 0xFFFFFF
    o, rest = sorted_with_pending(far, obs)
    assert len(o) == len(obs) and len(rest) == 5


@pytest.mark.parametrize("nan_in", ["batch", "pending"])
def test_merge_with_unknown_times(data_dir: Path, nan_in: str) -> None:
    # SYNTHETIC NaN times (a time the edge validator would reject; the merge must still agree
    # with lexsort, which sorts NaN last).
    rng = np.random.default_rng(9)
    real = _obs(data_dir)
    obs = real.take(rng.choice(len(real), 800, replace=False))
    obs.icao24[:] = rng.integers(0, 10, len(obs)).astype(np.uint32)
    obs.signal_dbfs[:] = np.arange(len(obs), dtype=np.float32)
    pending = real.take(rng.choice(len(real), 30, replace=False))
    pending.icao24[:] = rng.integers(0, 12, len(pending)).astype(np.uint32)
    pending.signal_dbfs[:] = -1.0 - np.arange(len(pending), dtype=np.float32)
    target = obs if nan_in == "batch" else pending
    target.time_s[rng.choice(len(target), 8, replace=False)] = np.nan
    o, rest = sorted_with_pending(pending, obs)
    want, want_rest = _plain(pending, obs)
    assert o.signal_dbfs.tolist() == want.signal_dbfs.tolist()
    assert rest.signal_dbfs.tolist() == want_rest.signal_dbfs.tolist()


def test_merged_frames_read_from_the_pending_batch(data_dir: Path) -> None:
    # The merged pending frames are not copied first: the result reads them from ``pending``
    # by row, and each column read equals that of the frames taken.
    obs = _obs(data_dir)
    pending = obs.take(np.arange(0, 40, 4))
    pending.time_s[:] += 0.001  # each right after its original
    pending.signal_dbfs[:] = -1.0
    o, rest = sorted_with_pending(pending, obs)
    assert len(rest) == 0 and len(o) == len(obs) + len(pending)
    base, src = o.__dict__["_extra"]
    assert base is pending
    assert np.count_nonzero(o.signal_dbfs == -1.0) == len(pending)
    assert o.time_s[src >= 0].tolist() == pending.time_s[src[src >= 0]].tolist()
