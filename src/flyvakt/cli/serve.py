"""``flyvakt serve``: the map and the API over an existing store, without ingesting."""

from flyvakt.serve.command import register, run

__all__ = ["register", "run"]
