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


def test_icao_hex_text() -> None:
    # Six lower-case digits, zero-padded; "~" before the 24 bits of a non-ICAO address; the
    # same from a NumPy integer.
    assert [icao_hex(a) for a in (0, 0xF, 0xABCDEF, 0xFFFFFF)] == [
        "000000", "00000f", "abcdef", "ffffff"
    ]  # fmt: skip
    assert icao_hex(0x3C6444 | NON_ICAO) == "~3c6444"
    assert icao_hex(np.uint32(0x00A1B2)) == icao_hex(np.int64(0x00A1B2)) == "00a1b2"
    assert icao_hex(np.int64(0xC639EE | NON_ICAO)) == "~c639ee"


def test_parse_icao_hex_rejects_what_is_not_an_address() -> None:
    import pytest

    assert parse_icao_hex(" 3C6444 ") == 0x3C6444
    assert parse_icao_hex("~C639EE") == 0xC639EE | NON_ICAO
    for bad in [
        "3c644g",
        "3c64 4",
        "3c644",
        "3c64444",
        "",
        "~",
        "~~3c644",
        "0x3c64",
        "3c644\u0130",
    ]:
        with pytest.raises(ValueError):
            parse_icao_hex(bad)
