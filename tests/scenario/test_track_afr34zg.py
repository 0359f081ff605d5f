"""Tracking on the real AFR34ZG recording (tests/data/traffic/full_flight_short.jsonl.gz)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rs1090

from flyvakt.geo.distance import haversine_nm
from flyvakt.track.tracker import TrackerConfig, TrackerState, step
from tests.helpers.groundtruth import afr34zg_transitions
from tests.helpers.rs1090_obs import obs_from_rs1090

LFPG = (49.0097, 2.5479)
LFBO = (43.6293, 1.3638)
CONFIG = TrackerConfig(surface_refs_lat=(LFPG[0], LFBO[0]), surface_refs_lon=(LFPG[1], LFBO[1]))


@pytest.fixture(scope="module")
def recording(data_dir: Path) -> list[dict[str, Any]]:
    with gzip.open(data_dir / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def tracked(recording: list[dict[str, Any]]) -> Any:
    msgs = rs1090.decode([r["frame"] for r in recording], [r["timestamp"] for r in recording])
    _, pos, stats = step(TrackerState(), obs_from_rs1090(msgs), CONFIG)
    return pos, stats


def test_positions_agree_with_rs1090_within_5_m(
    recording: list[dict[str, Any]], tracked: Any
) -> None:
    pos, _ = tracked
    truth = {r["timestamp"]: (r["latitude"], r["longitude"]) for r in recording if "latitude" in r}
    ref = np.array([truth.get(t, (np.nan, np.nan)) for t in pos.time_s.tolist()])
    both = ~np.isnan(ref[:, 0])
    # Nearly every stored rs1090 position has a counterpart, surface and airborne alike.
    assert both.sum() >= 0.999 * len(truth)
    err_m = haversine_nm(pos.lat_deg[both], pos.lon_deg[both], ref[both, 0], ref[both, 1]) * 1852
    assert np.mean(err_m < 5.0) >= 0.999
    surface = pos.on_ground[both] == 1
    assert surface.sum() > 1000 and (~surface).sum() > 5000


def test_ground_air_transitions_match_groundtruth(tracked: Any) -> None:
    pos, _ = tracked
    truth = afr34zg_transitions()
    g = pos.on_ground.astype(int)
    changes = np.flatnonzero(np.diff(g) != 0) + 1
    ups = [pos.time_s[c] for c in changes if g[c] == 0]
    downs = [pos.time_s[c] for c in changes if g[c] == 1]
    assert len(ups) == 1 and len(downs) == 1, "one takeoff and one landing, no flapping"
    assert abs(ups[0] - truth["takeoff"]) <= 30
    assert abs(downs[0] - truth["landing"]) <= 30
    # The takeoff happens at LFPG and the landing at LFBO.
    i_up = int(np.searchsorted(pos.time_s, ups[0]))
    i_down = int(np.searchsorted(pos.time_s, downs[0]))
    assert haversine_nm(pos.lat_deg[i_up], pos.lon_deg[i_up], *LFPG) < 3
    assert haversine_nm(pos.lat_deg[i_down], pos.lon_deg[i_down], *LFBO) < 3


def test_positions_carry_context(tracked: Any) -> None:
    pos, _ = tracked
    airborne = pos.on_ground == 0
    assert np.isnan(pos.altitude_baro_ft[airborne]).mean() < 0.01
    assert np.nanmax(pos.altitude_baro_ft) > 30000
    assert set(c for c in pos.callsign.tolist() if c) == {"AFR34ZG"}


def test_flyvakt_decoder_and_tracker_agree_with_rs1090_within_5_m(
    recording: list[dict[str, Any]],
) -> None:
    """The whole chain on raw frames: our vectorised decoder, then the tracker."""
    from flyvakt.model import FrameBatch
    from flyvakt.pipeline import PipelineState
    from flyvakt.pipeline import step as pipeline_step

    frames = FrameBatch.from_hex(
        [r["frame"] for r in recording], [r["timestamp"] for r in recording]
    )
    _, out = pipeline_step(PipelineState(), frames, CONFIG)
    pos = out.positions
    truth = {r["timestamp"]: (r["latitude"], r["longitude"]) for r in recording if "latitude" in r}
    ref = np.array([truth.get(t, (np.nan, np.nan)) for t in pos.time_s.tolist()])
    both = ~np.isnan(ref[:, 0])
    assert both.sum() >= 0.999 * len(truth)
    err_m = haversine_nm(pos.lat_deg[both], pos.lon_deg[both], ref[both, 0], ref[both, 1]) * 1852
    assert np.mean(err_m < 5.0) >= 0.999
    on_ground = pos.on_ground[both] == 1
    assert np.mean(err_m[on_ground] < 5.0) >= 0.999 and on_ground.sum() > 1000
