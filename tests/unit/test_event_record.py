"""The event record's empty sequences: one shared empty tuple, not two lists per event.

The signal-lost sweep of the start-up burst makes ~5,000 events at once (docs/performance.md);
an empty list is one more object per event for the garbage collector to track and walk. The
readers (JSON, the checkpoint, the fleets' withdrawal keys) see the same values as before.
Tracks are SYNTHETIC (a cruise far from any field, then silence)."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.checkpoint import _dec, _enc
from flyvakt.detect import Detector
from flyvakt.geo import get_world
from flyvakt.model import Event, PositionBatch
from flyvakt.model.events import settled

T0 = 1_720_000_000.0


def _cruise(n: int = 30) -> PositionBatch:
    """An aircraft at FL350 over the North Atlantic, one fix a second."""
    p = PositionBatch.empty(n)
    p.time_s[:] = T0 + 1.0 * np.arange(n)
    p.lat_deg[:] = 50.0
    p.lon_deg[:] = -30.0 + 0.002 * np.arange(n)
    p.altitude_baro_ft[:] = 35_000.0
    p.on_ground[:] = 0
    p.icao24[:] = 0x4CA123
    p.groundspeed_kt[:] = 450.0
    p.vertical_rate_fpm[:] = 0.0
    p.squawk[:] = 2000
    p.callsign[:] = "EIN123"
    return p


def test_signal_lost_events_share_the_empty_tuple() -> None:
    det = Detector(world=get_world())
    p = _cruise()
    end = float(p.time_s.max())
    det.step(p, end)
    lost = det.step(PositionBatch.empty(0), end + 600)
    assert [e.type for e in lost] == ["signal_lost"]
    e = lost[0]
    # The empty tuple (CPython has one, shared): no object made per event.
    assert type(e.candidates) is tuple and type(e.fleet) is tuple
    assert e.candidates == () and e.fleet == ()
    assert e.to_json()["candidates"] == [] and e.to_json()["fleet"] == []


def test_event_has_no_instance_dict_and_defaults_to_the_empty_tuple() -> None:
    e = Event("takeoff", "4ca123", T0)
    assert e.candidates == () and e.fleet == () and e.details == {}
    with pytest.raises(AttributeError):
        e.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(e, "__dict__")


def test_checkpoint_and_settle_read_the_tuples_as_the_lists_before() -> None:
    e = Event("landing", "4ca123", T0, candidates=("LFBO",), fleet=("tankers",))
    back = _dec(_enc(e))
    assert back == e and back.candidates == ("LFBO",)
    # A checkpoint written before (lists) still loads, with the same values.
    old = _enc(e)
    old["candidates"], old["fleet"] = ["LFBO"], ["tankers"]
    assert list(_dec(old).candidates) == ["LFBO"]
    # A withdrawal keys its fleet landing by the fleet, a tuple or a list alike.
    said = Event("fleet_landed", "4ca123", T0, fleet=["tankers"])
    pulled = Event(
        "fleet_landed_withdrawn", "4ca123", T0 + 60, fleet=("tankers",),
        details={"withdrawn": said.time_iso},
    )  # fmt: skip
    assert settled([said, pulled]) == []
