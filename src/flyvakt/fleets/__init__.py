"""Fleet registry (TOML), plane-alert-db import and fleet-level events."""

from flyvakt.fleets.registry import (
    Fleet,
    FleetFileError,
    FleetRegistry,
    Member,
    example_fleets_path,
    load_fleets,
    normalise_text,
    parse_fleets,
    save_fleets,
)

__all__ = [
    "Fleet",
    "FleetFileError",
    "FleetRegistry",
    "Member",
    "example_fleets_path",
    "load_fleets",
    "normalise_text",
    "parse_fleets",
    "save_fleets",
]
