from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.serve.servedata import build_store


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "flyvakt.db")
