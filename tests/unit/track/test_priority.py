"""Positions gated by source priority (readsb-like): a fresh ADS-B position is not replaced by
an MLAT one within the stale window; MLAT takes over when ADS-B goes quiet.

Real: AFR34ZG's DF17 frames (tests/data/traffic/full_flight_short.jsonl.gz, see PROVENANCE.md).
SYNTHETIC, labelled: the MLAT fixes (no real MLAT capture of the same flight is at hand), made
from the real track shifted 0.2 NM north and 0.4 s later, and a 3-minute ADS-B dropout cut
out of the real frames.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from flyvakt.decode.core import decode_batch
from flyvakt.model import ObservationBatch, PositionBatch, Source
from flyvakt.model.batches import FrameBatch
from flyvakt.track.tracker import TrackerConfig, TrackerState, step

DATA = Path(__file__).resolve().parents[2] / "data"
STALE_S = TrackerConfig().stale_after_s
SHIFT_DEG = 0.2 / 60.0  # 0.2 NM of latitude: an MLAT error, well inside the jump slack
DROP_FROM, DROP_TO = 300.0, 480.0  # seconds after the first frame: ADS-B silent (synthetic)


def _adsb() -> ObservationBatch:
    hexes, times = [], []
    with gzip.open(DATA / "traffic" / "full_flight_short.jsonl.gz", "rt") as f:
        for line in f:
            rec = json.loads(line)
            if rec["frame"][:2] == "8d":
                hexes.append(rec["frame"])
                times.append(float(rec["timestamp"]))
            if len(hexes) == 6000:
                break
    obs, _ = decode_batch(FrameBatch.from_hex(hexes, times))
    return obs


def _mlat_from(track: PositionBatch) -> ObservationBatch:
    """SYNTHETIC MLAT fixes: every second real fix, shifted north and 0.4 s later."""
    src = track.take(np.arange(0, len(track), 2))
    o = ObservationBatch.empty(len(src))
    o.icao24[:] = src.icao24
    o.time_s[:] = src.time_s + 0.4
    o.lat_deg[:] = src.lat_deg + SHIFT_DEG
    o.lon_deg[:] = src.lon_deg
    o.altitude_baro_ft[:] = src.altitude_baro_ft
    o.source[:] = Source.MLAT
    o.address_checked[:] = True
    return o


def _scenario() -> tuple[ObservationBatch, PositionBatch, float]:
    adsb = _adsb()
    t0 = float(adsb.time_s.min())
    _, alone, _ = step(TrackerState(), adsb)
    rel = adsb.time_s - t0
    cut = adsb.take(np.flatnonzero((rel < DROP_FROM) | (rel >= DROP_TO)))
    merged = ObservationBatch.concat([cut, _mlat_from(alone)])
    return merged.take(np.argsort(merged.time_s, kind="stable")), alone, t0


def test_fresh_adsb_is_not_replaced_by_mlat_and_mlat_fills_the_gap() -> None:
    obs, alone, t0 = _scenario()
    _, pos, stats = step(TrackerState(), obs)
    is_mlat = pos.source == Source.MLAT
    adsb_t = pos.time_s[~is_mlat]
    assert len(adsb_t) > 500
    # No MLAT fix while an ADS-B fix is at most STALE_S old.
    prev = np.searchsorted(adsb_t, pos.time_s[is_mlat], side="right") - 1
    age = pos.time_s[is_mlat] - adsb_t[np.maximum(prev, 0)]
    assert ((prev < 0) | (age > STALE_S)).all()
    # MLAT carries the track through the ADS-B dropout once ADS-B has gone stale...
    rel = pos.time_s[is_mlat] - t0
    assert np.count_nonzero((rel > DROP_FROM + STALE_S) & (rel < DROP_TO)) > 50
    assert stats.rejected["lower_source_priority"] > 500
    # ...and outside it the track is the ADS-B one, fix for fix.
    rel_alone = alone.time_s - t0
    kept = alone.take(np.flatnonzero((rel_alone < DROP_FROM) | (rel_alone >= DROP_TO)))
    assert np.array_equal(adsb_t, kept.time_s)
    assert np.allclose(pos.lat_deg[~is_mlat], kept.lat_deg)


def test_adsb_takes_back_over_at_once() -> None:
    """ADS-B outranks MLAT: its first fix after the dropout is accepted straight away."""
    obs, _, t0 = _scenario()
    _, pos, _ = step(TrackerState(), obs)
    rel = pos.time_s - t0
    back = np.flatnonzero((rel >= DROP_TO) & (pos.source == Source.ADSB))
    assert len(back) and rel[back[0]] < DROP_TO + 5.0
    after = (rel > rel[back[0]]) & (rel < DROP_TO + 60.0)
    assert not (pos.source[after] == Source.MLAT).any()


def test_same_result_in_small_batches() -> None:
    """Causal: the gate sees the state between batches as it sees earlier rows in one batch."""
    obs, _, _ = _scenario()
    _, whole, _ = step(TrackerState(), obs)
    state = TrackerState()
    parts = []
    for idx in np.array_split(np.arange(len(obs)), 37):
        state, pos, _ = step(state, obs.take(idx))
        parts.append(pos)
    split = PositionBatch.concat(parts)
    order = np.lexsort((split.time_s, split.icao24))
    split = split.take(order)
    whole = whole.take(np.lexsort((whole.time_s, whole.icao24)))
    assert np.array_equal(split.time_s, whole.time_s)
    assert np.array_equal(split.source, whole.source)
