"""Real positions for store tests: tests/data/traffic/kiwi.json.gz (OpenSky state vectors of
ANZ4376, c820d1, Christchurch, 2021-05-15; MIT traffic package, see tests/data/PROVENANCE.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import PositionBatch, Source

KIWI = Path(__file__).resolve().parents[2] / "data" / "traffic" / "kiwi.json.gz"


def kiwi_batch(n: int | None = None) -> PositionBatch:
    """The recording as a PositionBatch. The state vectors carry no on-ground flag; OpenSky
    reports altitude 0 on the ground, so on_ground is derived as altitude == 0."""
    with gzip.open(KIWI) as fh:
        records = json.loads(fh.read())[:n]
    out = PositionBatch.empty(len(records))
    out.time_s[:] = [r["timestamp"] / 1000.0 for r in records]
    out.icao24[:] = [int(r["icao24"], 16) for r in records]
    out.lat_deg[:] = [r["latitude"] for r in records]
    out.lon_deg[:] = [r["longitude"] for r in records]
    out.altitude_baro_ft[:] = [r["altitude"] for r in records]
    out.groundspeed_kt[:] = [r["groundspeed"] for r in records]
    out.track_deg[:] = [r["track"] for r in records]
    out.vertical_rate_fpm[:] = [r["vertical_rate"] for r in records]
    out.on_ground[:] = [1 if r["altitude"] == 0 else 0 for r in records]
    out.callsign[:] = [r["callsign"] for r in records]
    out.squawk[:] = [int(r["squawk"]) if r["squawk"] else -1 for r in records]
    out.source[:] = Source.STATE_VECTOR
    return out


@pytest.fixture(scope="session")
def kiwi() -> PositionBatch:
    return kiwi_batch()


def split(batch: PositionBatch, step_s: float) -> list[PositionBatch]:
    """Cut a batch into consecutive time slices, like the runtime's micro-batches."""
    bins = np.floor((batch.time_s - batch.time_s.min()) / step_s)
    return [batch.take(bins == b) for b in np.unique(bins)]
