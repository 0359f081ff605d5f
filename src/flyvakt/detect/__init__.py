"""Flight events from tracked positions (takeoff, landing, stopover, airspace, ...)."""

from flyvakt.detect.detector import AircraftState, Detector, Fix, WorldView

__all__ = ["AircraftState", "Detector", "Fix", "WorldView"]
