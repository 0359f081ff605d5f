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
    from flyvakt.detect import Detector
    from flyvakt.geo import get_world

    det = Detector(world=get_world())
    if fleets_path:
        from flyvakt.fleets import load_fleets

        registry = load_fleets(fleets_path)
        det.fleet_of = lambda icao24, t: registry.match(icao24, None, t)
    return det
