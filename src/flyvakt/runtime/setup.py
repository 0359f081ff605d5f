"""Wiring shared by ``replay``, ``run`` and the workers: tracker configuration and the detector."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from flyvakt.pipeline import EventDetector
from flyvakt.track import TrackerConfig

if TYPE_CHECKING:
    from flyvakt.fleets.registry import FleetRegistry


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


def make_detector(
    fleets_path: str | None = None, *, registry: FleetRegistry | None = None
) -> EventDetector:
    """The event detector (logic only; its state lives in the PipelineState). With a fleet
    registry (given, or loaded from ``fleets_path``), events are tagged with fleet ids and
    fleet-level events (fleet_departed, fleet_landed, fleet_together) follow."""
    from flyvakt.geo import get_world

    if registry is None and fleets_path:
        from flyvakt.fleets import load_fleets

        registry = load_fleets(fleets_path)
    return EventDetector(world=get_world(), registry=registry)
