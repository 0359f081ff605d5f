"""icao_hex_many (the signal-lost sweep's and the live hub's addresses, in arrays) gives exactly
icao_hex's strings: the edges of the 24-bit range, non-ICAO addresses, random ones, none."""

from __future__ import annotations

import numpy as np

from flyvakt.model.batches import NON_ICAO, icao_hex, icao_hex_many, parse_icao_hex


def test_icao_hex_many_equals_icao_hex() -> None:
    rng = np.random.default_rng(7)
    plain = np.r_[0, 1, 0xF, 0x10, 0xABCDEF, 0xFFFFFF, rng.integers(0, 1 << 24, 500)]
    addrs = np.r_[plain, plain[:50] | NON_ICAO].astype(np.int64)
    got = icao_hex_many(addrs)
    assert got == [icao_hex(int(a)) for a in addrs]
    assert [parse_icao_hex(h) for h in got] == addrs.tolist()
    assert icao_hex_many(np.zeros(0, np.int64)) == []
