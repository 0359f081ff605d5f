"""flyvakt: watch aircraft through ADS-B and say, with evidence, where they went.

The Python API (documented in docs/api.md)::

    import flyvakt
    flyvakt.read(paths, format=None, start_time=None)  # Positions: .to_pandas(), .to_arrow()
    flyvakt.events(paths_or_positions)  # Events: .to_pandas(), .to_json()
    flyvakt.flights(paths_or_events)  # Flights: takeoff -> landing legs, .to_pandas()
    flyvakt.replay(paths)  # Replay: positions and events in one pass
    flyvakt.verify(claim, data, at=None)  # Verdict
    flyvakt.comm_b(paths)  # CommBReadings: BDS 4,0 / 5,0 / 6,0 replies, .to_pandas()
    flyvakt.read_opensky(start, stop, icao24=...)  # Positions from OpenSky history (pyopensky)
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_COMM_B = ("COMM_B_COLUMNS", "CommBReadings", "comm_b")
_OPENSKY = ("from_opensky", "read_opensky")
_API = (
    "EVENT_COLUMNS",
    "FLIGHT_COLUMNS",
    "POSITION_COLUMNS",
    "Events",
    "Flights",
    "Positions",
    "Replay",
    "events",
    "flights",
    "read",
    "replay",
    "sample_path",
    "verify",
)

if TYPE_CHECKING:
    from flyvakt.api import (
        EVENT_COLUMNS as EVENT_COLUMNS,
    )
    from flyvakt.api import (
        FLIGHT_COLUMNS as FLIGHT_COLUMNS,
    )
    from flyvakt.api import (
        POSITION_COLUMNS as POSITION_COLUMNS,
    )
    from flyvakt.api import Events as Events
    from flyvakt.api import Flights as Flights
    from flyvakt.api import Positions as Positions
    from flyvakt.api import Replay as Replay
    from flyvakt.api import events as events
    from flyvakt.api import flights as flights
    from flyvakt.api import read as read
    from flyvakt.api import replay as replay
    from flyvakt.api import sample_path as sample_path
    from flyvakt.api import verify as verify
    from flyvakt.commb_api import COMM_B_COLUMNS as COMM_B_COLUMNS
    from flyvakt.commb_api import CommBReadings as CommBReadings
    from flyvakt.commb_api import comm_b as comm_b
    from flyvakt.opensky_api import from_opensky as from_opensky
    from flyvakt.opensky_api import read_opensky as read_opensky


def __getattr__(name: str) -> Any:
    # Lazy: `import flyvakt` stays cheap for the CLI (which imports only what a command needs).
    if name in _API:
        from flyvakt import api

        return getattr(api, name)
    if name in _COMM_B:
        from flyvakt import commb_api

        return getattr(commb_api, name)
    if name in _OPENSKY:
        from flyvakt import opensky_api

        return getattr(opensky_api, name)
    raise AttributeError(f"module 'flyvakt' has no attribute {name!r}")


__all__ = ["__version__", *_API, *_COMM_B, *_OPENSKY]
