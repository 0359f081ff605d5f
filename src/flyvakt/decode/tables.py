"""Lookup tables for the Mode S / ADS-B field codes (public: the simulator's encoders use them).

All tables are built at import from the specification's rules (ICAO Annex 10 Vol. IV
3.1.2.6.5.4 and 3.1.2.6.7.1; RTCA DO-260B 2.2.3.2), pure computation, no I/O.

13-bit altitude code AC13 (frame bits 20-32 of DF0/4/16/20) and identity code ID13 (DF5/21),
bit 20 first::

    bit:   20  21  22  23  24  25  26  27  28  29  30  31  32
    AC13:  C1  A1  C2  A2  C4  A4  M   B1  Q   B2  D2  B4  D4
    ID13:  C1  A1  C2  A2  C4  A4  X   B1  D1  B2  D2  B4  D4

In the 13-bit integer (bit 20 = most significant) the shift of each bit is: C1 12, A1 11,
C2 10, A2 9, C4 8, A4 7, M/X 6, B1 5, Q/D1 4, B2 3, D2 2, B4 1, D4 0.

- M = 1: altitude reported in metres (rare; not decoded here, NaN, counted by the decoder).
- M = 0, Q = 1: the 11 remaining bits (C1 A1 C2 A2 C4 A4 B1 B2 D2 B4 D4) are a binary count N
  of 25 ft steps; altitude = 25 N - 1000 ft.
- M = 0, Q = 0: Gillham (Mode C) code in 100 ft steps. D1 D2 D4 A1 A2 A4 B1 B2 B4 are a
  reflected Gray code of 500 ft bands; C1 C2 C4 a Gray code of the 100 ft step inside the band
  (valid values 1-4 and 7, 7 meaning 5), counted downwards in odd bands;
  altitude = 500 * band + 100 * step - 1300 ft.
- All 13 bits 0: altitude unknown.

The 12-bit ADS-B altitude AC12 (ME bits 9-20 of TC 9-18 and 20-22) is AC13 without the M bit:
``C1 A1 C2 A2 C4 A4 B1 Q B2 D2 B4 D4``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Shifts of the named bits inside the 13-bit AC13/ID13 integer.
_C1, _A1, _C2, _A2, _C4, _A4, _M, _B1, _Q, _B2, _D2, _B4, _D4 = range(12, -1, -1)
_D1 = _Q


def _bit(code: int, shift: int) -> int:
    return (code >> shift) & 1


def _gray_to_binary(gray: int) -> int:
    binary = gray
    shift = gray >> 1
    while shift:
        binary ^= shift
        shift >>= 1
    return binary


def gillham_altitude_ft(code13: int) -> float:
    """Altitude (ft) of a Gillham-coded AC13 value (M = 0, Q = 0), NaN when invalid."""
    band_gray = 0
    for shift in (_D1, _D2, _D4, _A1, _A2, _A4, _B1, _B2, _B4):
        band_gray = (band_gray << 1) | _bit(code13, shift)
    step_gray = (_bit(code13, _C1) << 2) | (_bit(code13, _C2) << 1) | _bit(code13, _C4)
    band = _gray_to_binary(band_gray)
    step = _gray_to_binary(step_gray)
    if step == 7:
        step = 5
    if step in (0, 5, 6) and step_gray != 0b100:
        return float("nan")
    if band % 2:
        step = 6 - step
    return float(500 * band + 100 * step - 1300)


def _gray_to_binary_many(gray: npt.NDArray[np.int64], bits: int) -> npt.NDArray[np.int64]:
    """:func:`_gray_to_binary` of every value (each below ``1 << bits``): the XOR of all of its
    right shifts, as that loop does."""
    binary = gray.copy()
    for shift in range(1, bits):
        binary ^= gray >> shift
    return binary


def _ac13_table() -> npt.NDArray[np.float64]:
    """Every AC13 code at once (NumPy), :func:`gillham_altitude_ft`'s rules for Q = 0.

    Why not a call per code: 8,192 Python calls cost ~70 M instructions (~14 ms) of every
    process's start-up, the replay of a state-vector file (which never decodes) included."""
    code = np.arange(1 << 13, dtype=np.int64)

    def bits(*shifts: int) -> npt.NDArray[np.int64]:
        out = np.zeros_like(code)
        for shift in shifts:
            out = (out << 1) | ((code >> shift) & 1)
        return out

    band = _gray_to_binary_many(bits(_D1, _D2, _D4, _A1, _A2, _A4, _B1, _B2, _B4), 9)
    step_gray = bits(_C1, _C2, _C4)
    step = _gray_to_binary_many(step_gray, 3)
    step[step == 7] = 5
    invalid = np.isin(step, (0, 5, 6)) & (step_gray != 0b100)
    step = np.where(band % 2 == 1, 6 - step, step)
    gillham = np.where(invalid, np.nan, (500 * band + 100 * step - 1300).astype(np.float64))
    n = ((code >> 7) << 5) | (((code >> _B1) & 1) << 4) | (code & 0xF)
    table = np.where((code >> _Q) & 1 == 1, 25.0 * n - 1000.0, gillham)
    table[((code >> _M) & 1) == 1] = np.nan  # metric altitude: NaN, counted by the decoder
    table[0] = np.nan  # all bits 0: altitude unknown
    return table


AC13_ALTITUDE_FT: npt.NDArray[np.float64] = _ac13_table()
"""Altitude in feet of every 13-bit AC13 code (index = code), NaN for unknown/invalid/metric."""


def ac12_to_ac13(ac12: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Insert a zero M bit into 12-bit ADS-B altitude codes (AC12 -> AC13)."""
    a = np.asarray(ac12, dtype=np.int64)
    return ((a >> 6) << 7) | (a & 0x3F)


AC12_ALTITUDE_FT: npt.NDArray[np.float64] = AC13_ALTITUDE_FT[ac12_to_ac13(np.arange(1 << 12))]
"""Altitude in feet of every 12-bit ADS-B altitude code (index = code), NaN when unknown."""


def _squawk_table() -> npt.NDArray[np.int16]:
    """Every ID13 code at once (NumPy; one Python call per code cost ~40 ms at import)."""
    code = np.arange(1 << 13, dtype=np.int64)

    def digit(s4: int, s2: int, s1: int) -> npt.NDArray[np.int64]:
        return (((code >> s4) & 1) << 2) | (((code >> s2) & 1) << 1) | ((code >> s1) & 1)

    a = digit(_A4, _A2, _A1)
    b = digit(_B4, _B2, _B1)
    c = digit(_C4, _C2, _C1)
    d = digit(_D4, _D2, _D1)
    return (a * 1000 + b * 100 + c * 10 + d).astype(np.int16)


ID13_SQUAWK: npt.NDArray[np.int16] = _squawk_table()
"""Mode A code of every 13-bit ID13 value, the four octal digits read as decimal (7700)."""

CALLSIGN_ALPHABET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
"""The 6-bit ADS-B/Comm-B character set (IA-5 subset); '#' marks codes with no character."""

CALLSIGN_ASCII: npt.NDArray[np.uint8] = np.frombuffer(CALLSIGN_ALPHABET.encode(), dtype=np.uint8)


def _movement_table() -> npt.NDArray[np.float64]:
    """Surface movement (ME bits 6-12 of TC 5-8) -> ground speed, lower bound of each bin (kt).

    DO-260B 2.2.3.2.4.2: 0 no information; 1 stopped (< 0.125 kt); 2-8 steps of 0.125 kt from
    0.125; 9-12 steps of 0.25 kt from 1; 13-38 steps of 0.5 kt from 2; 39-93 steps of 1 kt from
    15; 94-108 steps of 2 kt from 70; 109-123 steps of 5 kt from 100; 124 >= 175 kt; 125-127
    reserved.
    """
    table = np.full(128, np.nan, dtype=np.float64)
    table[1] = 0.0
    bins = (
        (2, 8, 0.125, 0.125),
        (9, 12, 1.0, 0.25),
        (13, 38, 2.0, 0.5),
        (39, 93, 15.0, 1.0),
        (94, 108, 70.0, 2.0),
        (109, 123, 100.0, 5.0),
    )
    for first, last, base, step in bins:
        for code in range(first, last + 1):
            table[code] = base + (code - first) * step
    table[124] = 175.0
    return table


MOVEMENT_KT: npt.NDArray[np.float64] = _movement_table()
"""Ground speed (kt) of each 7-bit surface movement code, NaN for 0 and 125-127."""

CATEGORY_SETS = "ABCD"
"""Emitter category sets in code order: set A is TC 4, B is TC 3, C is TC 2, D is TC 1."""


def category_code(tc: npt.NDArray[np.integer], ca: npt.NDArray[np.integer]) -> npt.NDArray[np.int8]:
    """Emitter category as one number: ``(4 - TC) * 8 + CA``, so A0..A7 -> 0..7, B0 -> 8, ...
    D7 -> 31 (TC 4 = set A, TC 3 = set B, TC 2 = set C, TC 1 = set D)."""
    return ((4 - np.asarray(tc, np.int16)) * 8 + np.asarray(ca, np.int16)).astype(np.int8)


def category_label(code: int) -> str:
    """'A3' for code 3, 'C1' for code 17; inverse of :func:`category_code`."""
    return f"{CATEGORY_SETS[code // 8]}{code % 8}"
