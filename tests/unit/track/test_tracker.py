"""Tracker rules on small synthetic batches (labelled synthetic: faults real data cannot show)."""

from __future__ import annotations

import numpy as np

from flyvakt.model import ObservationBatch, Source
from flyvakt.track.tracker import TrackerConfig, TrackerState, expire, step


def _rows(n: int) -> ObservationBatch:
    o = ObservationBatch.empty(n)
    o.address_checked[:] = True
    o.source[:] = Source.ADSB
    return o


def test_parity_recovered_address_needs_recent_confirmation() -> None:
    # SYNTHETIC: two DF4 replies, one for a confirmed aircraft, one for a phantom address.
    o = _rows(3)
    o.icao24[:] = [0x393322, 0x393322, 0xABCDEF]
    o.time_s[:] = [100.0, 101.0, 101.5]
    o.address_checked[:] = [True, False, False]
    o.altitude_baro_ft[:] = [np.nan, 5000.0, 7000.0]
    state, _, stats = step(TrackerState(), o)
    assert stats.rejected["unconfirmed_address"] == 1
    assert state.table.row_of(0xABCDEF) is None
    assert state.table.snapshot(0x393322)["altitude_baro_ft"] == 5000.0
    # Past the confirmation window the same reply is refused.
    late = _rows(1)
    late.icao24[:] = 0x393322
    late.time_s[:] = 100.0 + TrackerConfig().confirm_window_s + 1
    late.address_checked[:] = False
    late.altitude_baro_ft[:] = 9000.0
    state, _, stats = step(state, late)
    assert stats.rejected["unconfirmed_address"] == 1
    assert state.table.snapshot(0x393322)["altitude_baro_ft"] == 5000.0


def _fixes(lats: list[float], lons: list[float], t0: float = 0.0) -> ObservationBatch:
    o = _rows(len(lats))
    o.icao24[:] = 0x4840D6
    o.source[:] = Source.STATE_VECTOR
    o.time_s[:] = t0 + np.arange(len(lats), dtype=float)
    o.lat_deg[:] = lats
    o.lon_deg[:] = lons
    return o


def test_isolated_jump_is_rejected() -> None:
    # SYNTHETIC: one fix 60 NM away between fixes 1 s apart.
    lats = [52.0, 52.001, 53.0, 52.003, 52.004]
    _, pos, stats = step(TrackerState(), _fixes(lats, [4.0] * 5))
    assert stats.rejected["implausible_jump"] == 1
    assert 53.0 not in pos.lat_deg.tolist()
    assert len(pos) == 4


def test_track_resets_when_the_first_fix_was_the_outlier() -> None:
    # SYNTHETIC: the first fix is wrong, every later one agrees with the others.
    lats = [10.0] + [52.0 + 0.001 * k for k in range(6)]
    _, pos, stats = step(TrackerState(), _fixes(lats, [4.0] * 7))
    assert stats.rejected["track_reset"] == 1
    assert pos.lat_deg[-1] == lats[-1]


def test_lower_priority_source_does_not_override_fresh_value() -> None:
    o = _rows(2)
    o.icao24[:] = 0x4840D6
    o.time_s[:] = [10.0, 11.0]
    o.source[:] = [Source.ADSB, Source.STATE_VECTOR]
    o.squawk[:] = [7700, 1200]
    state, _, _ = step(TrackerState(), o)
    snap = state.table.snapshot(0x4840D6)
    assert snap["squawk"] == 7700 and snap["squawk_src"] == Source.ADSB
    # Once the ADS-B value is stale, the other source may update it.
    later = _rows(1)
    later.icao24[:] = 0x4840D6
    later.time_s[:] = 10.0 + TrackerConfig().stale_after_s + 5
    later.source[:] = Source.STATE_VECTOR
    later.squawk[:] = 1200
    state, _, _ = step(state, later)
    assert state.table.snapshot(0x4840D6)["squawk"] == 1200


def test_one_source_batch_keeps_a_fresh_better_value_of_one_aircraft() -> None:
    # SYNTHETIC: a batch of state vectors alone (one source: the per-aircraft shortcut of the
    # field rule) for two aircraft, one of which holds ADS-B values from the batch before.
    o = _rows(2)
    o.icao24[:] = 0x4840D6
    o.time_s[:] = [10.0, 11.0]
    o.squawk[:] = 7700
    o.altitude_baro_ft[:] = 30000.0
    state, _, _ = step(TrackerState(), o)
    sv = _rows(4)
    sv.icao24[:] = [0x4840D6, 0x4840D6, 0x3C6444, 0x3C6444]
    sv.time_s[:] = [12.0, 13.0, 12.0, 13.0]
    sv.source[:] = Source.STATE_VECTOR
    sv.squawk[:] = [1200, 1201, 2000, 2001]
    sv.altitude_baro_ft[:] = [10000.0, 10100.0, 5000.0, 5100.0]
    sv.lat_deg[:] = [52.0, 52.001, 48.0, 48.001]
    sv.lon_deg[:] = [4.0, 4.0, 2.0, 2.0]
    state, pos, _ = step(state, sv)
    # The fixes carry the values the aircraft holds: the ADS-B ones for the first.
    assert pos.icao24.tolist() == [0x3C6444, 0x3C6444, 0x4840D6, 0x4840D6]
    assert pos.altitude_baro_ft.tolist() == [5000.0, 5100.0, 30000.0, 30000.0]
    assert pos.squawk.tolist() == [2000, 2001, 7700, 7700]
    kept = state.table.snapshot(0x4840D6)
    assert (kept["squawk"], kept["altitude_baro_ft"]) == (7700, 30000.0)
    assert kept["squawk_src"] == Source.ADSB
    other = state.table.snapshot(0x3C6444)
    assert (other["squawk"], other["altitude_baro_ft"]) == (2001, 5100.0)


def test_one_source_batch_drops_positions_a_fresh_better_one_outranks() -> None:
    # SYNTHETIC: ADS-B-sourced fixes (given positions), then a state-vector batch of the same
    # aircraft within the stale window and of another: only the other's fixes go through.
    first = _fixes([52.0, 52.001], [4.0, 4.0], t0=10.0)
    first.source[:] = Source.ADSB
    state, _, _ = step(TrackerState(), first)
    sv = _fixes([52.002, 52.003], [4.0, 4.0], t0=12.0)
    other = _fixes([48.0, 48.001], [2.0, 2.0], t0=12.0)
    other.icao24[:] = 0x3C6444
    state, pos, stats = step(state, ObservationBatch.concat([sv, other]))
    assert stats.rejected["lower_source_priority"] == 2
    assert pos.icao24.tolist() == [0x3C6444, 0x3C6444]


def test_state_vector_fixes_carry_missing_cells_from_the_batch_then_the_state() -> None:
    # SYNTHETIC: a fix at every row (state vectors), some cells empty: each fix takes its own
    # value, else the aircraft's last in the batch, else the state's, each within its max age
    # (15 s for vertical rate and altitudes); the geometric altitude is on no row of the batch.
    first = _fixes([52.0], [4.0], t0=0.0)
    first.vertical_rate_fpm[:] = 500.0
    first.altitude_gnss_ft[:] = 1000.0
    first.callsign[:] = "KLM1"
    state, _, _ = step(TrackerState(), first)
    sv = _fixes([52.001, 52.002, 52.003, 52.004, 52.005], [4.0] * 5)
    sv.time_s[:] = [5.0, 10.0, 12.0, 30.0, 31.0]
    sv.vertical_rate_fpm[:] = [np.nan, 700.0, np.nan, np.nan, -200.0]
    sv.callsign[:] = [None, "KLM2", None, None, None]
    state, pos, _ = step(state, sv)
    assert pos.time_s.tolist() == [5.0, 10.0, 12.0, 30.0, 31.0]
    np.testing.assert_array_equal(pos.vertical_rate_fpm, [500.0, 700.0, 700.0, np.nan, -200.0])
    np.testing.assert_array_equal(pos.altitude_gnss_ft, [1000.0, 1000.0, 1000.0, np.nan, np.nan])
    assert pos.callsign.tolist() == ["KLM1", "KLM2", "KLM2", "KLM2", "KLM2"]


def test_state_value_of_a_field_no_row_carries_goes_stale_per_row() -> None:
    # SYNTHETIC: state vectors of two aircraft, the geometric altitude on no row of the
    # batch: each fix takes its aircraft's state value while within 15 s of it, then none.
    # One aircraft's value is stale from its first row on, the other's only at its later
    # rows (so the batch is not stale at every row); then a batch stale at every row.
    first = _fixes([52.0], [4.0], t0=0.0)
    first.altitude_gnss_ft[:] = 1000.0
    other = _fixes([48.0], [2.0], t0=10.0)
    other.icao24[:] = 0x3C6444
    other.altitude_gnss_ft[:] = 2000.0
    state, _, _ = step(TrackerState(), ObservationBatch.concat([first, other]))
    a = _fixes([52.001, 52.002], [4.0] * 2, t0=16.0)
    b = _fixes([48.001, 48.002, 48.003], [2.0] * 3, t0=24.0)
    b.icao24[:] = 0x3C6444
    state, pos, _ = step(state, ObservationBatch.concat([a, b]))
    assert pos.icao24.tolist() == [0x3C6444] * 3 + [0x4840D6] * 2
    assert pos.time_s.tolist() == [24.0, 25.0, 26.0, 16.0, 17.0]
    np.testing.assert_array_equal(pos.altitude_gnss_ft, [2000.0, 2000.0, np.nan, np.nan, np.nan])
    late = _fixes([52.003], [4.0], t0=40.0)
    state, pos, _ = step(state, late)
    np.testing.assert_array_equal(pos.altitude_gnss_ft, [np.nan])


def test_expire_forgets_silent_aircraft() -> None:
    state, _, _ = step(TrackerState(), _fixes([52.0], [4.0], t0=1000.0))
    assert expire(state, now_s=1100.0, silence_s=300.0) == []
    assert expire(state, now_s=1400.0, silence_s=300.0) == [0x4840D6]
    assert len(state.table) == 0


def test_state_roundtrips_through_arrays() -> None:
    from flyvakt.track.table import StateTable

    state, _, _ = step(TrackerState(), _fixes([52.0, 52.001], [4.0, 4.0]))
    arrays = state.table.to_arrays()
    again = StateTable.from_arrays(arrays)
    assert again.snapshot(0x4840D6)["lat_deg"] == state.table.snapshot(0x4840D6)["lat_deg"]


def test_last_per_run_by_search_and_by_pass_agree() -> None:
    # SYNTHETIC: runs of 1-12 rows, fields carried on every, most, some or no rows: each run's
    # last carrying row, the same whichever way it is found (few runs: a search per run).
    from flyvakt.model.runs import runs_by_key
    from flyvakt.track.tracker import _last_per_run

    rng = np.random.default_rng(5)
    keys = np.repeat(np.arange(600), rng.integers(1, 13, 600))
    runs = runs_by_key(keys)
    for share in (1.0, 0.95, 0.6, 0.2, 0.01, 0.0):
        keep = np.flatnonzero(rng.random(len(keys)) < share)
        run, li = _last_per_run(keep, runs.gid, runs.ends)
        want = {int(runs.gid[k]): int(k) for k in keep}  # the last of each run wins
        assert run.tolist() == sorted(want)
        assert li.tolist() == [want[r] for r in sorted(want)]
