"""Shared fixtures: real data only (the bundled AFR34ZG recording, the dump1090 Beast sample)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"

# Synthetic (labelled): a fleets file that puts the real AFR34ZG aircraft (393322) in a test
# fleet, so fleet events can be shown on real data; the fleet itself is invented.
TEST_FLEETS = """
[[fleet]]
id = "test-afr"
aliases = ["the test fleet"]

[[fleet.member]]
icao24 = "393322"
registration = "F-TEST"
"""


@pytest.fixture
def beast_sample() -> Path:
    return DATA / "traffic" / "sample_dump1090.bin"


@pytest.fixture
def fleets_file(tmp_path: Path) -> Path:
    p = tmp_path / "fleets.toml"
    p.write_text(TEST_FLEETS, encoding="utf-8")
    return p
