"""A batch split in two gives the same state and positions as the batch whole."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.model import ObservationBatch, PositionBatch
from flyvakt.track.tracker import TrackerConfig, TrackerState, step
from tests.helpers.rs1090_obs import obs_from_rs1090

DATA = Path(__file__).resolve().parent.parent / "data"
CONFIG = TrackerConfig(surface_refs_lat=(49.0097, 43.6293), surface_refs_lon=(2.5479, 1.3638))


def _obs() -> ObservationBatch:
    import rs1090

    with gzip.open(DATA / "traffic/full_flight_short.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for _, line in zip(range(6000), fh, strict=False)]
    msgs = rs1090.decode([r["frame"] for r in rows], [r["timestamp"] for r in rows])
    return obs_from_rs1090(msgs)


OBS = _obs()
WHOLE_STATE, WHOLE_POS, _ = step(TrackerState(), OBS, CONFIG)


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, len(OBS) - 1), min_size=1, max_size=4, unique=True))
def test_split_batches_equal_whole(cuts: list[int]) -> None:
    state = TrackerState()
    parts = []
    bounds = [0, *sorted(cuts), len(OBS)]
    for a, b in itertools.pairwise(bounds):
        state, pos, _ = step(state, OBS.take(np.arange(a, b)), CONFIG)
        parts.append(pos)
    got = PositionBatch.concat(parts)
    assert len(got) == len(WHOLE_POS)
    np.testing.assert_array_equal(got.time_s, WHOLE_POS.time_s)
    np.testing.assert_allclose(got.lat_deg, WHOLE_POS.lat_deg)
    np.testing.assert_allclose(got.lon_deg, WHOLE_POS.lon_deg)
    np.testing.assert_array_equal(got.on_ground, WHOLE_POS.on_ground)
    a, b = state.table.to_arrays(), WHOLE_STATE.table.to_arrays()
    for name in ("lat_deg", "lon_deg", "altitude_baro_ft", "squawk", "last_seen_s", "messages"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
