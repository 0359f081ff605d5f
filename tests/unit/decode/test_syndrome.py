"""The syndrome from 16-bit word shares (decode/crc.py) equals the register walk's CRC-24 of
the data bytes XOR the transmitted parity, for every frame length, row choice and width."""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.decode.crc import crc24, parity_field, syndrome, syndrome_of_rows


@pytest.mark.parametrize("nbytes", [7, 14])
@pytest.mark.parametrize("extra", [0, 1, 7])
def test_word_shares_give_the_register_walks_syndrome(nbytes: int, extra: int) -> None:
    rng = np.random.default_rng(nbytes * 10 + extra)
    width = min(nbytes + extra, 14)
    payload = rng.integers(0, 256, (4000, width), dtype=np.uint8)
    walked = crc24(payload[:, : nbytes - 3]) ^ parity_field(payload, nbytes)
    assert np.array_equal(syndrome(payload, nbytes), walked)
    rows = np.sort(rng.choice(len(payload), 900, replace=False))
    assert np.array_equal(syndrome_of_rows(payload, rows, nbytes), walked[rows])


def test_known_frames() -> None:
    # An intact DF17 (syndrome 0), the same with one bit flipped, and a DF4 whose AP field
    # overlays the address 3c6dd6 on its parity (its syndrome is that address).
    df17 = np.frombuffer(bytes.fromhex("8D406B902015A678D4D220AA4BDA"), np.uint8)[None, :]
    assert int(syndrome(df17, 14)[0]) == 0
    flipped = df17.copy()
    flipped[0, 5] ^= 0x10  # one bit: never a zero syndrome (the code's distance is 6)
    assert int(syndrome(flipped, 14)[0]) != 0
    body = np.frombuffer(bytes.fromhex("20001838"), np.uint8)[None, :]
    ap = int(crc24(body)[0]) ^ 0x3C6DD6
    df4 = np.concatenate([body, np.array([[ap >> 16, (ap >> 8) & 255, ap & 255]], np.uint8)], 1)
    assert int(syndrome(df4, 7)[0]) == 0x3C6DD6
