from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _gc_thresholds_restored() -> Iterator[None]:
    """`replay` and `run` set the process's GC policy (flyvakt.runtime.setup.tune_gc); a test
    that calls them in-line leaves the test process as it found it."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
