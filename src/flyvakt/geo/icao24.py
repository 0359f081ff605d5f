"""ICAO 24-bit aircraft address → State of registry, from the allocation table.

Source: ICAO Annex 10, Volume III, Part I, Chapter 9, Appendix to Chapter 9 ("A world-wide
scheme for the allocation, assignment and application of aircraft addresses"), Table 9-1.
Each State gets a block whose size is a power of two: 1 Mi (20 free bits; USA, Russia),
256 Ki (18 bits), 32 Ki (15 bits), 4 Ki (12 bits) or 1 Ki (10 bits). A block is written here
as ``(first address, number of free low bits, ISO alpha-2)``, so it spans
``first .. first + 2**bits - 1``::

    23             bits           0
    [ fixed prefix | free low bits ]

Notes: the Russian Federation's allocation is 0x100000–0x1FFFFF (a 1 Mi block; the 0x14…/
0x15… addresses seen on Russian airliners are inside it). Taiwan uses 0x899000–0x8993FF, a
block ICAO lists without a State name; we map it to TW as observed in practice. Blocks of
dissolved States (USSR, Yugoslavia, Czechoslovakia) were re-allocated to their successors
and are listed under those. Addresses outside every block (0x000000, ICAO's own 0xF0…
block, unallocated space) give None. Hong Kong and Macao register aircraft inside China's
block (B-H…/B-L… addresses are spread over 0x780000–0x78FFFF, no clean sub-block), so they
map to CN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from flyvakt.model.batches import NON_ICAO, parse_icao_hex

# (first address, free low bits, ISO 3166 alpha-2)
BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x004000, 10, "ZW"),
    (0x006000, 12, "MZ"),
    (0x008000, 15, "ZA"),
    (0x010000, 15, "EG"),
    (0x018000, 15, "LY"),
    (0x020000, 15, "MA"),
    (0x028000, 15, "TN"),
    (0x030000, 10, "BW"),
    (0x032000, 12, "BI"),
    (0x034000, 12, "CM"),
    (0x035000, 10, "KM"),
    (0x036000, 12, "CG"),
    (0x038000, 12, "CI"),
    (0x03E000, 12, "GA"),
    (0x040000, 12, "ET"),
    (0x042000, 12, "GQ"),
    (0x044000, 12, "GH"),
    (0x046000, 12, "GN"),
    (0x048000, 10, "GW"),
    (0x04A000, 10, "LS"),
    (0x04C000, 12, "KE"),
    (0x050000, 12, "LR"),
    (0x054000, 12, "MG"),
    (0x058000, 12, "MW"),
    (0x05A000, 10, "MV"),
    (0x05C000, 12, "ML"),
    (0x05E000, 10, "MR"),
    (0x060000, 10, "MU"),
    (0x062000, 12, "NE"),
    (0x064000, 12, "NG"),
    (0x068000, 12, "UG"),
    (0x06A000, 10, "QA"),
    (0x06C000, 12, "CF"),
    (0x06E000, 12, "RW"),
    (0x070000, 12, "SN"),
    (0x074000, 10, "SC"),
    (0x076000, 10, "SL"),
    (0x078000, 12, "SO"),
    (0x07A000, 10, "SZ"),
    (0x07C000, 12, "SD"),
    (0x080000, 12, "TZ"),
    (0x084000, 12, "TD"),
    (0x088000, 12, "TG"),
    (0x08A000, 12, "ZM"),
    (0x08C000, 12, "CD"),
    (0x090000, 12, "AO"),
    (0x094000, 10, "BJ"),
    (0x096000, 10, "CV"),
    (0x098000, 10, "DJ"),
    (0x09A000, 12, "GM"),
    (0x09C000, 12, "BF"),
    (0x09E000, 10, "ST"),
    (0x0A0000, 15, "DZ"),
    (0x0A8000, 12, "BS"),
    (0x0AA000, 10, "BB"),
    (0x0AB000, 10, "BZ"),
    (0x0AC000, 12, "CO"),
    (0x0AE000, 12, "CR"),
    (0x0B0000, 12, "CU"),
    (0x0B2000, 12, "SV"),
    (0x0B4000, 12, "GT"),
    (0x0B6000, 12, "GY"),
    (0x0B8000, 12, "HT"),
    (0x0BA000, 12, "HN"),
    (0x0BC000, 10, "VC"),
    (0x0BE000, 12, "JM"),
    (0x0C0000, 12, "NI"),
    (0x0C2000, 12, "PA"),
    (0x0C4000, 12, "DO"),
    (0x0C6000, 12, "TT"),
    (0x0C8000, 12, "SR"),
    (0x0CA000, 10, "AG"),
    (0x0CC000, 10, "GD"),
    (0x0D0000, 15, "MX"),
    (0x0D8000, 15, "VE"),
    (0x100000, 20, "RU"),
    (0x201000, 10, "NA"),
    (0x202000, 10, "ER"),
    (0x300000, 18, "IT"),
    (0x340000, 18, "ES"),
    (0x380000, 18, "FR"),
    (0x3C0000, 18, "DE"),
    (0x400000, 18, "GB"),
    (0x440000, 15, "AT"),
    (0x448000, 15, "BE"),
    (0x450000, 15, "BG"),
    (0x458000, 15, "DK"),
    (0x460000, 15, "FI"),
    (0x468000, 15, "GR"),
    (0x470000, 15, "HU"),
    (0x478000, 15, "NO"),
    (0x480000, 15, "NL"),
    (0x488000, 15, "PL"),
    (0x490000, 15, "PT"),
    (0x498000, 15, "CZ"),
    (0x4A0000, 15, "RO"),
    (0x4A8000, 15, "SE"),
    (0x4B0000, 15, "CH"),
    (0x4B8000, 15, "TR"),
    (0x4C0000, 15, "RS"),
    (0x4C8000, 10, "CY"),
    (0x4CA000, 12, "IE"),
    (0x4CC000, 12, "IS"),
    (0x4D0000, 10, "LU"),
    (0x4D2000, 12, "MT"),  # 4 Ki: Malta's registry outgrew the original 1 Ki block
    (0x4D4000, 10, "MC"),
    (0x500000, 10, "SM"),
    (0x501000, 10, "AL"),
    (0x501C00, 10, "HR"),
    (0x502C00, 10, "LV"),
    (0x503C00, 10, "LT"),
    (0x504C00, 10, "MD"),
    (0x505C00, 10, "SK"),
    (0x506C00, 10, "SI"),
    (0x507C00, 10, "UZ"),
    (0x508000, 15, "UA"),
    (0x510000, 10, "BY"),
    (0x511000, 10, "EE"),
    (0x512000, 10, "MK"),
    (0x513000, 10, "BA"),
    (0x514000, 10, "GE"),
    (0x515000, 10, "TJ"),
    (0x516000, 10, "ME"),
    (0x600000, 10, "AM"),
    (0x600800, 10, "AZ"),
    (0x601000, 10, "KG"),
    (0x601800, 10, "TM"),
    (0x680000, 10, "BT"),
    (0x681000, 10, "FM"),
    (0x682000, 10, "MN"),
    (0x683000, 10, "KZ"),
    (0x684000, 10, "PW"),
    (0x700000, 12, "AF"),
    (0x702000, 12, "BD"),
    (0x704000, 12, "MM"),
    (0x706000, 12, "KW"),
    (0x708000, 12, "LA"),
    (0x70A000, 12, "NP"),
    (0x70C000, 10, "OM"),
    (0x70E000, 12, "KH"),
    (0x710000, 15, "SA"),
    (0x718000, 15, "KR"),
    (0x720000, 15, "KP"),
    (0x728000, 15, "IQ"),
    (0x730000, 15, "IR"),
    (0x738000, 15, "IL"),
    (0x740000, 15, "JO"),
    (0x748000, 15, "LB"),
    (0x750000, 15, "MY"),
    (0x758000, 15, "PH"),
    (0x760000, 15, "PK"),
    (0x768000, 15, "SG"),
    (0x770000, 15, "LK"),
    (0x778000, 15, "SY"),
    (0x780000, 18, "CN"),
    (0x7C0000, 18, "AU"),
    (0x800000, 18, "IN"),
    (0x840000, 18, "JP"),
    (0x880000, 15, "TH"),
    (0x888000, 15, "VN"),
    (0x890000, 12, "YE"),
    (0x894000, 12, "BH"),
    (0x895000, 10, "BN"),
    (0x896000, 12, "AE"),
    (0x897000, 10, "SB"),
    (0x898000, 12, "PG"),
    (0x899000, 10, "TW"),
    (0x8A0000, 15, "ID"),
    (0x900000, 10, "MH"),
    (0x901000, 10, "CK"),
    (0x902000, 10, "WS"),
    (0xA00000, 20, "US"),
    (0xC00000, 18, "CA"),
    (0xC80000, 15, "NZ"),
    (0xC88000, 12, "FJ"),
    (0xC8A000, 10, "NR"),
    (0xC8C000, 10, "LC"),
    (0xC8D000, 10, "TO"),
    (0xC8E000, 10, "KI"),
    (0xC90000, 10, "VU"),
    (0xE00000, 18, "AR"),
    (0xE40000, 18, "BR"),
    (0xE80000, 12, "CL"),
    (0xE84000, 12, "EC"),
    (0xE88000, 12, "PY"),
    (0xE8C000, 12, "PE"),
    (0xE90000, 12, "UY"),
    (0xE94000, 12, "BO"),
)

_FIRST = np.array([b[0] for b in BLOCKS], dtype=np.int64)
_LAST = np.array([b[0] + (1 << b[1]) - 1 for b in BLOCKS], dtype=np.int64)
_CODES = np.array([*(b[2] for b in BLOCKS), None], dtype=object)  # index -1 → None


def _check_sorted_disjoint() -> None:
    if np.any(_FIRST[1:] <= _LAST[:-1]):
        bad = np.flatnonzero(_FIRST[1:] <= _LAST[:-1])
        raise AssertionError(f"ICAO address blocks overlap or are unsorted at {bad.tolist()}")


_check_sorted_disjoint()


def registration_index(icao24: NDArray[np.integer] | int) -> NDArray[np.int64]:
    """Block index per address, -1 where the address is in no allocated block."""
    a = np.asarray(icao24, dtype=np.int64)
    k = np.searchsorted(_FIRST, a, side="right") - 1
    kk = np.maximum(k, 0)
    hit = (k >= 0) & (a <= _LAST[kk]) & (a >= 0)
    return np.where(hit, k, -1)


def registration_countries(icao24: NDArray[np.integer]) -> NDArray[np.object_]:
    """ISO alpha-2 (or None) per address, vectorised; same shape as the input."""
    out: NDArray[np.object_] = _CODES[registration_index(icao24)]
    return out


def registration_country(icao24: int | str) -> str | None:
    """ISO alpha-2 of the State of registry for one address (int or hex string), or None."""
    a = parse_icao_hex(icao24) if isinstance(icao24, str) else int(icao24)
    if a & NON_ICAO:  # an anonymous/track-file address says nothing about the State of registry
        return None
    k = int(registration_index(a))
    return None if k < 0 else str(BLOCKS[k][2])
