"""Session fixtures of the browser tests (see browser_kit): one Chromium, two servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flyvakt.serve import create_app
from tests.integration import browser_kit as kit


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and later tests call asyncio.run().
    with kit.chromium() as b:
        yield b


@pytest.fixture(scope="session")
def sv_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SYNTHETIC: the June 2024 state-visit reconstruction, with the bundled fleets."""
    db = kit.build_state_visit_store(tmp_path_factory.mktemp("state_visit") / "flyvakt.db")
    with kit.serve(kit.state_visit_app(db)) as url:
        yield url


@pytest.fixture(scope="session")
def afr_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real recordings: AFR34ZG LFPG → LFBO and the Calfire state vectors, stored."""
    from tests.unit.serve.servedata import build_store

    return build_store(tmp_path_factory.mktemp("afr") / "flyvakt.db")


@pytest.fixture(scope="session")
def afr_url(afr_db: Path) -> Iterator[str]:
    """Real recordings: AFR34ZG LFPG → LFBO and the Calfire state vectors."""
    with kit.serve(create_app(str(afr_db))) as url:
        yield url
