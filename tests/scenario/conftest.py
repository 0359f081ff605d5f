"""The June 2024 reconstruction (SYNTHETIC, from public reporting: docs/reconstruction.md),
simulated and replayed once for the claim tests that read it (around times, the last plane)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyvakt.fleets import example_fleets_path
from flyvakt.runtime.replay import ReplayResult, replay_files
from tests.scenario.test_state_visit import _simulate_to_jsonl


@pytest.fixture(scope="session")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> ReplayResult:
    path = _simulate_to_jsonl(Path(tmp_path_factory.mktemp("visit")) / "frames.jsonl")
    return replay_files([str(path)], fleets_path=str(example_fleets_path()))
