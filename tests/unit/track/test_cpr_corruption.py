"""Issue 10 item 3: CRC-valid CPR corruption must not move the track or its events.

Real data: the bundled AFR34ZG recording (LFPG -> LFBO). The damage is synthetic: 1 % or 10 % of
its position frames get 1-3 flipped CPR bits and a recomputed CRC (flyvakt.sim.hostile), so the
parity check cannot see it. Before the fix: fixes up to 5,543 NM off the track (a run of fixes
sharing one bad partner frame reset the track), and at 10 % false spoofing events and a lost
landing airport.

A damaged *first* fix (rule 4 of flyvakt.track.plausible): before it, at 10 % seeds 5 and 10
(at 30 %: 2, 11, 12, 16, 18, 21 of 0-23) started the track 202-7,198 NM off: the damaged first
surface pair resolved near another airport (seed 5: near the Galapagos, 5,520 NM away), local
decodes against that fix agreed with it for ~16 minutes, the takeoff lost LFPG, and false
airspace entry/exit events appeared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.geo.distance import haversine_nm
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, finish
from flyvakt.runtime.guard import guarded_step
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.sim.hostile import flip_cpr_bits, position_frames
from flyvakt.sources import FileReader

AFR = Path(__file__).resolve().parents[2] / "data" / "traffic" / "full_flight_short.jsonl.gz"


def _replay(fb: FrameBatch) -> tuple[PipelineState, list[tuple[str, str | None]], PositionBatch]:
    st, det, cfg = PipelineState(), make_detector(None), tracker_config()
    events, positions = [], []
    for i in range(0, len(fb), 4096):
        st, out = guarded_step(st, fb.take(np.arange(i, min(len(fb), i + 4096))), cfg, det)
        events += out.events
        positions.append(out.positions)
    events += finish(st, det)
    kinds = [(e.type, e.airport.icao if e.airport else None) for e in events]
    return st, kinds, PositionBatch.concat(positions)


@pytest.fixture(scope="module")
def clean() -> tuple[FrameBatch, PipelineState, list[tuple[str, str | None]], PositionBatch]:
    fb = FrameBatch.concat([b for b in FileReader(str(AFR)) if isinstance(b, FrameBatch)])
    return (fb, *_replay(fb))


@pytest.mark.parametrize("share", [0.01, 0.10])
def test_flipped_cpr_bits_with_valid_crc_stay_off_the_track(
    clean: tuple[FrameBatch, PipelineState, list[tuple[str, str | None]], PositionBatch],
    share: float,
) -> None:
    fb0, st0, events0, pos0 = clean
    assert events0 == [("takeoff", "LFPG"), ("landing", "LFBO")]
    fb = fb0.take(np.arange(len(fb0)))
    damaged = flip_cpr_bits(np.random.default_rng(2), fb, share)
    assert damaged.size == round(position_frames(fb0).size * share)
    st, events, pos = _replay(fb)
    # The takeoff at LFPG and the landing at LFBO survive, and nothing else appears.
    assert events == events0
    # No accepted fix strays from the clean track (interpolated at its time) by more than 1 NM
    # (0.36 / 0.70 NM here; 1.78 NM at 10 % while the sequential walk read another row's
    # groundspeed limit, test_plausible.py).
    order = np.argsort(pos0.time_s, kind="stable")
    lat = np.interp(pos.time_s, pos0.time_s[order], pos0.lat_deg[order])
    lon = np.interp(pos.time_s, pos0.time_s[order], pos0.lon_deg[order])
    assert float(haversine_nm(lat, lon, pos.lat_deg, pos.lon_deg).max()) < 1.0
    # The error stays with the damaged frames: frames that leaned on a bad partner are decoded
    # again against the track and kept, so the loss is at most the damaged share.
    assert st.stats.positions >= st0.stats.positions * (1 - share)
    rejected = st.stats.track_rejected
    assert rejected["cpr_redecoded_local"] > 0
    assert rejected["implausible_jump"] + rejected["implausible_speed"] > 0
    assert rejected["track_reset"] <= 1


# Why 2 NM: the clean track interpolated at a fix's time differs from a good fix by CPR
# resolution and ~0.5 s of motion (0.5-1.4 NM at these shares); a zone error is tens of NM.
MAX_OFF_NM = 2.0
# 30 % seed 10 is left out: it strays 366 NM for 72 fixes in cruise through a reset onto
# agreeing damaged fixes, not a first fix (docs/accuracy.md, "Known weaknesses"); its events
# stay right.
FIRST_FIX_CASES = [(0.10, seed) for seed in range(12)] + [(0.30, s) for s in (2, 11, 12)]


@pytest.mark.parametrize(("share", "seed"), FIRST_FIX_CASES)
def test_a_damaged_first_fix_does_not_start_the_track(
    clean: tuple[FrameBatch, PipelineState, list[tuple[str, str | None]], PositionBatch],
    share: float,
    seed: int,
) -> None:
    fb0, st0, events0, pos0 = clean
    assert st0.stats.track_rejected["unconfirmed_first_fix"] == 0  # clean: all confirmed
    fb = fb0.take(np.arange(len(fb0)))
    flip_cpr_bits(np.random.default_rng(seed), fb, share)
    st, events, pos = _replay(fb)
    # No airspace or other event that the clean replay lacks; the takeoff keeps LFPG.
    assert events == events0
    order = np.argsort(pos0.time_s, kind="stable")
    lat = np.interp(pos.time_s, pos0.time_s[order], pos0.lat_deg[order])
    lon = np.interp(pos.time_s, pos0.time_s[order], pos0.lon_deg[order])
    assert float(haversine_nm(lat, lon, pos.lat_deg, pos.lon_deg).max()) < MAX_OFF_NM
    # The track starts soon after the clean one: held until an independent pair confirms it.
    # At the gate surface positions come every ~5 s, so at 30 % damage this took 90 s (seed 2);
    # 180 s still fails a track that waits for the airborne pairs (~8 min here).
    assert float(pos.time_s.min() - pos0.time_s.min()) < 180.0
    if (share, seed) == (0.10, 5):
        # The Galapagos fix was held, contradicted by the next pair and dropped, not output.
        assert st.stats.track_rejected["unconfirmed_first_fix"] >= 1
