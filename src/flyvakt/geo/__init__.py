"""The offline world: airports, countries (+12 NM territorial sea), time zones, icao24 blocks.

Nothing is loaded at import; ``get_world()`` returns the shared, lazily loaded ``World``.
"""

from flyvakt.geo.icao24 import registration_countries, registration_country
from flyvakt.geo.names import country_name, resolve_country
from flyvakt.geo.world import World, get_world

__all__ = [
    "World",
    "country_name",
    "get_world",
    "registration_countries",
    "registration_country",
    "resolve_country",
]
