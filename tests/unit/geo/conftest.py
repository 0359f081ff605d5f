"""Shared fixture: one loaded World for all geo tests (loading takes ~0.5 s)."""

from __future__ import annotations

import pytest

from flyvakt.geo import World, get_world


@pytest.fixture(scope="session")
def world() -> World:
    return get_world()
