"""Shared fixtures for source tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"


def _crc24(frame: bytes) -> int:
    """Mode S CRC-24 remainder (generator 0x1FFF409) over the whole frame: 0 for clean DF17."""
    crc = 0
    for byte in frame:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0xFFF409
            crc &= 0xFFFFFF
    return crc


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def crc24() -> Callable[[bytes], int]:
    return _crc24
