"""Value types shared by every stage. Units are in the field names."""

from flyvakt.model.batches import (
    OBS_FIELDS,
    POS_FIELDS,
    FrameBatch,
    ObservationBatch,
    PositionBatch,
    Source,
)
from flyvakt.model.events import AirportRef, Event

__all__ = [
    "OBS_FIELDS",
    "POS_FIELDS",
    "AirportRef",
    "Event",
    "FrameBatch",
    "ObservationBatch",
    "PositionBatch",
    "Source",
]
