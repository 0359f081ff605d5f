"""A parked aircraft's surface positions alternate even/odd CPR, as a transponder's do (SYNTHETIC).

Regression: the still-aircraft rate kept every 10th surface slot, and with the format taken from
the slot number every kept frame was even; flyvakt's tracker (which pairs even/odd, and decodes
locally only from a reference younger than 10 min) then lost a parked aircraft after ~10 min.
"""

from __future__ import annotations

import numpy as np

from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.setup import tracker_config
from flyvakt.sim import emit, scenario

# One A321 parked at Oslo Gardermoen for 2 h before a short taxi and takeoff (SYNTHETIC).
DOC = {
    "label": "SYNTHETIC test: one A321 parked 2 h at ENGM",
    "seed": 3,
    "start": "2024-06-18T08:00:00Z",
    "end": "2024-06-18T09:40:00Z",
    "aircraft": [
        {
            "icao24": "4ca2b1",
            "callsign": "TST123",
            "type": "A321",
            "legs": [
                {"from": "ENGM", "to": "ESSA", "takeoff": "2024-06-18T10:00:00Z"},
            ],
        }
    ],
    "receivers": [
        {"name": "gardermoen", "lat": 60.2, "lon": 11.1, "altitude_ft": 700, "range_nm": 300}
    ],
}


def _parked() -> emit.SimResult:
    sc = scenario.from_dict(DOC, "parked.toml")
    # First leg: parked from takeoff - taxi - 15 min; stretch that stand time to cover 08:00.
    ground = sc.aircraft[0].phases[0]
    ground.t0_s = sc.start_s
    return emit.simulate(sc)


def test_still_surface_frames_alternate_even_odd() -> None:
    res = _parked()
    surf = np.flatnonzero(res.kind == emit.KIND_NAMES.index("surface_pos"))
    assert len(surf) > 500  # 110 min at one frame per 5 s (~1,300), all of them still
    # F flag: ME bit 22 = frame bit 54 (1-based) = byte 6, mask 0x04
    odd = (res.frames.payload[surf, 6] & 0x04) != 0
    assert 0.45 < odd.mean() < 0.55
    assert (odd[1:] != odd[:-1]).mean() > 0.95  # consecutive frames alternate


def test_parked_aircraft_tracked_throughout() -> None:
    res = _parked()
    _, out = step(PipelineState(), res.frames, tracker_config())
    t = np.sort(out.positions.time_s)
    assert len(t) > 500
    assert t[0] - res.frames.time_s.min() < 60.0
    assert res.frames.time_s.max() - t[-1] < 60.0
    assert float(np.diff(t).max()) < 60.0  # never a 10-min hole while parked
