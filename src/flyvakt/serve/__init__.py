"""HTTP API, live updates (SSE), tar1090-compatible aircraft.json and the offline web map.

Public API: :func:`create_app` and the :class:`HubLike` protocol it expects from the live hub.
"""

from flyvakt.serve.app import create_app
from flyvakt.serve.hub import HubLike, SubscriptionLike

__all__ = ["HubLike", "SubscriptionLike", "create_app"]
