"""The bundled real recording (AFR34ZG Paris CDG → Toulouse, 2024-07-06; MIT, from traffic).

Used by the CLI (``flyvakt replay`` and ``run`` with no input), the Python API
(``flyvakt.api.sample_path``) and the live start-up (``flyvakt.runtime.setup.warm_up``); a module
of its own, importing nothing of flyvakt, so that none of them depends on another's layer.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["SAMPLE_NAME", "bundled_sample"]

SAMPLE_NAME = "sample_afr34zg.jsonl.gz"


def bundled_sample() -> str:
    """Path of the bundled real recording (AFR34ZG LFPG → LFBO, 2024-07-06; MIT, traffic)."""
    return str(resources.files("flyvakt").joinpath(f"data/{SAMPLE_NAME}"))
