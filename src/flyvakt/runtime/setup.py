"""Wiring shared by ``replay`` and ``run``: tracker configuration and the event detector."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from flyvakt.track import TrackerConfig


@lru_cache(maxsize=1)
def tracker_config() -> TrackerConfig:
    """Tracker settings with every airport (no heliports/seaplane bases) as surface reference.

    Surface CPR leaves a 90° ambiguity that an aircraft's own earlier position resolves; a track
    that *starts* on the ground (at the gate) has none, so airports stand in for the receiver.
    """
    from flyvakt.geo import get_world
    from flyvakt.geo.airports import HELIPORT, SEAPLANE

    ap = get_world().airports
    keep = (ap.type_code != HELIPORT) & (ap.type_code != SEAPLANE)
    return TrackerConfig(
        surface_refs_lat=tuple(np.asarray(ap.lat_deg[keep]).tolist()),
        surface_refs_lon=tuple(np.asarray(ap.lon_deg[keep]).tolist()),
    )


def make_detector(fleets_path: str | None = None) -> Any:
    """The event detector; with a fleets file, events are tagged with fleet ids and fleet-level
    events (fleet_departed, fleet_landed) follow the per-aircraft ones."""
    from flyvakt.detect import Detector
    from flyvakt.geo import get_world

    det = Detector(world=get_world())
    if not fleets_path:
        return det
    from flyvakt.fleets import load_fleets

    registry = load_fleets(fleets_path)
    det.fleet_of = lambda icao24, t: registry.match(icao24, None, t)
    return FleetDetector(det, registry)


class FleetDetector:
    """Per-aircraft detection followed by the fleet state machine (both pure)."""

    def __init__(self, detector: Any, registry: Any) -> None:
        from flyvakt.fleets.events import FleetState

        self.detector = detector
        self.registry = registry
        self.fleet_state = FleetState()

    @property
    def world(self) -> Any:
        return self.detector.world

    def step(self, positions: Any, now_s: float) -> list[Any]:
        return self._with_fleet(self.detector.step(positions, now_s))

    def finish(self, now_s: float) -> list[Any]:
        return self._with_fleet(self.detector.finish(now_s))

    def _with_fleet(self, events: list[Any]) -> list[Any]:
        from flyvakt.fleets.events import step as fleet_step

        if not events:
            return events
        self.fleet_state, fleet_events = fleet_step(self.fleet_state, events, self.registry)
        return sorted(events + fleet_events, key=lambda e: e.time_s)
