"""SYNTHETIC frame builders: frames made here with our own CRC, used only where real recordings
cannot show a case (every code of a table, reserved values, corrupt frames)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flyvakt.decode import crc24


def with_parity(data: np.ndarray, xor: int = 0) -> list[str]:
    """Append CRC-24 (xor ``xor``: the address for AP frames, the IID for DF11) -> hex."""
    parity = crc24(data) ^ np.uint32(xor)
    full = np.concatenate(
        [data, np.stack([parity >> 16, (parity >> 8) & 255, parity & 255], 1).astype(np.uint8)],
        axis=1,
    )
    return [bytes(row).hex() for row in full]


def extended_squitter(
    me: Sequence[int], df: int = 17, ca: int = 5, aa: int = 0x393322
) -> list[str]:
    """DF17/18 frames with the given 56-bit ME fields and a correct PI."""
    data = np.zeros((len(me), 11), dtype=np.uint8)
    data[:, 0] = (df << 3) | ca
    data[:, 1:4] = np.frombuffer(aa.to_bytes(3, "big"), np.uint8)
    for k in range(7):
        data[:, 4 + k] = [(int(v) >> (8 * (6 - k))) & 0xFF for v in me]
    return with_parity(data)


def short_reply(df: int, code13: Sequence[int], first3: int = 0, aa: int = 0x393322) -> list[str]:
    """DF0/4/5 frames with the given 13-bit AC13/ID13 field and AP = CRC xor ``aa``."""
    codes = np.asarray(code13, dtype=np.int64)
    data = np.zeros((len(codes), 4), dtype=np.uint8)
    data[:, 0] = (df << 3) | first3
    data[:, 2] = codes >> 8
    data[:, 3] = codes & 0xFF
    return with_parity(data, aa)
