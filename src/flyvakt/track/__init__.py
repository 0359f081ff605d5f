"""Per-aircraft tracking: CPR pairing, plausibility, per-field freshness, expiry."""

from flyvakt.track.tracker import TrackerConfig, TrackerState, TrackStats, expire, step

__all__ = ["TrackStats", "TrackerConfig", "TrackerState", "expire", "step"]
