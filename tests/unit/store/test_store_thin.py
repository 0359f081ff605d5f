"""Track thinning on real positions (kiwi.json.gz, see conftest) plus synthetic edge cases."""

from __future__ import annotations

import numpy as np

from flyvakt.model.batches import PositionBatch
from flyvakt.store.thin import ThinParams, ThinState, flush, thin


def _thin_all(batch: PositionBatch, step_s: float | None) -> PositionBatch:
    state = ThinState.empty()
    parts = []
    if step_s is None:
        pieces = [batch]
    else:
        bins = np.floor((batch.time_s - batch.time_s.min()) / step_s)
        pieces = [batch.take(bins == b) for b in np.unique(bins)]
    for piece in pieces:
        state, kept = thin(state, piece)
        parts.append(kept)
    state, pending = flush(state)
    assert len(state) == 0
    return PositionBatch.concat([*parts, pending])


def test_thinning_drops_repeats_but_keeps_every_rule(kiwi: PositionBatch) -> None:
    kept = _thin_all(kiwi, None)
    assert 0 < len(kept) < len(kiwi) * 0.6
    p = ThinParams()
    kept_t = kept.time_s
    assert np.all(np.diff(kept_t) > 0)
    assert np.isin(kept_t, kiwi.time_s).all()
    # Every dropped fix is within the max interval of the last kept fix and says nothing new.
    idx = np.searchsorted(kept_t, kiwi.time_s, side="right") - 1
    dropped = ~np.isin(kiwi.time_s, kept_t)
    assert dropped.any()
    for i in np.flatnonzero(dropped):
        k = idx[i]
        parked = kiwi.on_ground[i] == 1 and not kiwi.groundspeed_kt[i] >= p.ground_moving_kt
        limit = p.max_interval_ground_s if parked else p.max_interval_air_s
        assert kiwi.time_s[i] - kept_t[k] < limit
        assert abs(kiwi.altitude_baro_ft[i] - kept.altitude_baro_ft[k]) <= p.altitude_change_ft
        assert abs(kiwi.groundspeed_kt[i] - kept.groundspeed_kt[k]) <= p.speed_change_kt
        dtrack = abs((kiwi.track_deg[i] - kept.track_deg[k] + 180) % 360 - 180)
        assert dtrack <= p.track_change_deg
        assert kiwi.on_ground[i] == kept.on_ground[k]
        assert kiwi.squawk[i] == kept.squawk[k]


def test_ground_air_transitions_kept_exactly(kiwi: PositionBatch) -> None:
    kept = _thin_all(kiwi, 0.1)
    switch = np.flatnonzero(np.diff(kiwi.on_ground.astype(int)) != 0)
    assert len(switch) >= 2  # take-off from and landing back at NZCH
    for i in switch:
        # both the last fix before the switch and the first after it are stored
        assert kiwi.time_s[i] in kept.time_s
        assert kiwi.time_s[i + 1] in kept.time_s


def test_gap_edges_kept(kiwi: PositionBatch) -> None:
    kept = _thin_all(kiwi, 1.0)
    gaps = np.flatnonzero(np.diff(kiwi.time_s) > ThinParams().gap_s)
    assert len(gaps) > 0
    for i in gaps:
        assert kiwi.time_s[i] in kept.time_s
        assert kiwi.time_s[i + 1] in kept.time_s


def test_batch_boundaries_do_not_change_the_result(kiwi: PositionBatch) -> None:
    whole = _thin_all(kiwi, None)
    for step in (0.1, 7.0, 300.0):
        assert np.array_equal(_thin_all(kiwi, step).time_s, whole.time_s)


def test_thin_is_pure(kiwi: PositionBatch) -> None:
    first = kiwi.take(np.arange(100))
    state, _ = thin(ThinState.empty(), first)
    snapshot = (state.kept_time_s.copy(), state.last.time_s.copy(), first.time_s.copy())
    second = kiwi.take(np.arange(100, 200))
    new_state, out1 = thin(state, second)
    _, out2 = thin(state, second)
    assert np.array_equal(state.kept_time_s, snapshot[0])
    assert np.array_equal(state.last.time_s, snapshot[1])
    assert np.array_equal(out1.time_s, out2.time_s)
    assert new_state.kept_time_s[0] > state.kept_time_s[0]


def test_several_aircraft_duplicates_and_out_of_order() -> None:
    """Synthetic: two aircraft interleaved, a duplicate, then a late fix in the next batch."""
    b = PositionBatch.empty(6)
    b.icao24[:] = [1, 2, 1, 2, 1, 1]
    b.time_s[:] = [0.0, 0.0, 1.0, 1.0, 1.0, 0.5]  # row 4 duplicates row 2, row 5 is late
    b.altitude_baro_ft[:] = [1000, 5000, 1500, 5000, 1500, 1200]
    b.on_ground[:] = 0
    state, kept = thin(ThinState.empty(), b.take(np.arange(5)))
    assert list(zip(kept.icao24.tolist(), kept.time_s.tolist(), strict=True)) == [
        (1, 0.0),
        (1, 1.0),  # climbed 500 ft
        (2, 0.0),
    ]
    assert len(state) == 2
    state, late = thin(state, b.take(np.array([5])))
    assert len(late) == 0  # older than the last fix seen


def test_callsign_and_squawk_changes_kept() -> None:
    b = PositionBatch.empty(4)
    b.icao24[:] = 7
    b.time_s[:] = [0.0, 1.0, 2.0, 3.0]
    b.on_ground[:] = 0
    b.squawk[:] = [1000, 1000, 7700, 7700]
    b.callsign[:] = ["ABC1", None, "ABC1", "XYZ9"]
    _, kept = thin(ThinState.empty(), b)
    assert kept.time_s.tolist() == [0.0, 2.0, 3.0]
