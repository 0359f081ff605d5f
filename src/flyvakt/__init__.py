"""flyvakt: watch aircraft through ADS-B and say, with evidence, where they went."""

__version__ = "0.1.0"
