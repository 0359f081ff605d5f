"""Flight events from tracked positions (takeoff, landing, stopover, airspace, ...)."""

from flyvakt.detect.base import Rule, WorldView
from flyvakt.detect.detector import Detector, finish, step
from flyvakt.detect.state import AircraftState, DetectorState, Fix

__all__ = [
    "AircraftState", "Detector", "DetectorState", "Fix", "Rule", "WorldView", "finish", "step",
]  # fmt: skip
