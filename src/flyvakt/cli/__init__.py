"""Command-line interface: ``flyvakt run | replay | events | verify | fleets | export | ...``."""
