"""Issue 10 item 3: CRC-valid DF17 frames from addresses never confirmed make no aircraft.

SYNTHETIC noise (flyvakt.sim.hostile.valid_df17: random ME fields, recomputed CRC, one random
address per frame), alone and mixed into the real AFR34ZG recording. Before the fix every such
frame named a new aircraft (the issue saw up to 149 phantoms on the map).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flyvakt.model import FrameBatch, ObservationBatch, Source
from flyvakt.pipeline import PipelineState, finish
from flyvakt.runtime.guard import guarded_step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.hostile import valid_df17
from flyvakt.sources import FileReader
from flyvakt.track.confirm import CONFIRM_GAP_S
from flyvakt.track.tracker import TrackerState, step

AFR = Path(__file__).resolve().parents[2] / "data" / "traffic" / "full_flight_short.jsonl.gz"


def _noise(n: int, start_s: float, seed: int = 7) -> FrameBatch:
    rng = np.random.default_rng(seed)
    fb = valid_df17(rng, n, n_addresses=None)
    fb.time_s[:] = start_s + np.sort(rng.uniform(0.0, n / 20.0, n))  # ~20 frames/s
    return fb


def _run(fb: FrameBatch, size: int = 200) -> tuple[PipelineState, list[tuple[str, str | None]]]:
    st, det, cfg = PipelineState(), make_detector(None), tracker_config()
    events = []
    order = np.argsort(fb.time_s, kind="stable")
    for i in range(0, len(fb), size):
        st, out = guarded_step(st, fb.take(order[i : i + size]), cfg, det)
        events += out.events
    events += finish(st, det)
    return st, [(e.type, e.airport.icao if e.airport else None) for e in events]


def test_random_crc_valid_df17_makes_no_aircraft() -> None:
    noise = _noise(10_000, 1.72e9)
    n_addresses = np.unique(noise.payload[:, 1:4], axis=0).shape[0]
    st, events = _run(noise)
    assert len(st.tracker.table) == 0
    assert st.stats.positions == 0 and events == []
    # Every frame is accounted for: dropped as a phantom or still waiting for a second frame.
    waiting = len(st.tracker.pending)
    assert st.stats.track_rejected["phantom_suppressed"] + waiting == n_addresses
    assert waiting <= CONFIRM_GAP_S * 20 * 1.2


def test_real_aircraft_among_noise_loses_nothing() -> None:
    real = FrameBatch.concat([b for b in FileReader(str(AFR)) if isinstance(b, FrameBatch)])
    clean, clean_events = _run(real)
    noise = _noise(20_000, float(real.time_s.min()))
    mixed, events = _run(FrameBatch.concat([real, noise]))
    assert events == clean_events == [("takeoff", "LFPG"), ("landing", "LFBO")]
    assert mixed.stats.positions == clean.stats.positions
    assert [hex(a) for a in mixed.tracker.table.rows] == [hex(a) for a in clean.tracker.table.rows]


def test_second_frame_within_the_gap_confirms_and_releases_the_first() -> None:
    # SYNTHETIC rows as decoded from DF17: the first of an address waits, the second (next
    # batch) confirms it and both are applied; a decoded feed (SBS) is never held back.
    def rows(t: float, alt: float, df: int = 17) -> ObservationBatch:
        o = ObservationBatch.empty(1)
        o.icao24[:], o.time_s[:], o.altitude_baro_ft[:] = 0x3C6586, t, alt
        o.address_checked[:], o.df[:] = True, df
        o.source[:] = Source.ADSB if df >= 0 else Source.SBS
        return o

    state, _, stats = step(TrackerState(), rows(100.0, 3000.0))
    assert len(state.table) == 0 and len(state.pending) == 1
    state, _, stats = step(state, rows(101.0, 3100.0))
    snap = state.table.snapshot(0x3C6586)
    assert snap["messages"] == 2 and snap["altitude_baro_ft"] == 3100.0
    assert len(state.pending) == 0 and not stats.rejected
    # Too far apart: the first is a phantom, the second waits in its turn.
    state, _, stats = step(TrackerState(), rows(100.0, 3000.0))
    state, _, stats = step(state, rows(100.0 + CONFIRM_GAP_S + 1, 3100.0))
    assert len(state.table) == 0 and stats.rejected["phantom_suppressed"] == 1
    state, _, _ = step(TrackerState(), rows(100.0, 3000.0, df=-1))
    assert state.table.snapshot(0x3C6586)["altitude_baro_ft"] == 3000.0
