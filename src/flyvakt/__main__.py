"""``python -m flyvakt``: the same command line as ``flyvakt``."""

from flyvakt.cli.main import entry

entry()
