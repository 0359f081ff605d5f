"""Code tables (AC13/AC12 altitude, ID13 squawk, surface movement, category) against rs1090.

Every code of each table is put in a SYNTHETIC frame (real recordings hold only a few codes)
and decoded by both decoders; each disagreement class is asserted and explained.
"""

from __future__ import annotations

import numpy as np
import rs1090

from flyvakt.decode import (
    AC12_ALTITUDE_FT,
    AC13_ALTITUDE_FT,
    CALLSIGN_ALPHABET,
    ID13_SQUAWK,
    MOVEMENT_KT,
    category_code,
    category_label,
    decode_batch,
    gillham_altitude_ft,
)
from flyvakt.model.batches import FrameBatch

from .rs1090_reference import rs1090_decode
from .synthetic import extended_squitter, short_reply

ALL13 = np.arange(1 << 13)


def _alt(msgs: list[dict[str, object] | None]) -> np.ndarray:
    out = [np.nan if m is None or m.get("altitude") is None else m["altitude"] for m in msgs]
    return np.asarray(out, dtype=float)


def test_ac13_table_matches_rs1090_except_negative_gillham() -> None:
    msgs = rs1090.decode(short_reply(4, ALL13), [0.0] * ALL13.size)
    assert all(m["icao24"] == "393322" for m in msgs)  # address recovered from AP
    theirs = _alt(msgs)
    ours = AC13_ALTITUDE_FT
    same = (np.isnan(theirs) & np.isnan(ours)) | (theirs == ours)
    m_bit = (ALL13 & 0x40) != 0
    # 1. M = 1 (metric): Annex 10 defines no encoding, we give NaN; rs1090 reads 1 m steps.
    assert np.isnan(ours[m_bit]).all()
    assert np.allclose(theirs[m_bit][:5], np.array([0, 1, 2, 3, 4]) * 3.28084, atol=1)
    # 2. the only other disagreements: Gillham codes for -1200..-100 ft, which rs1090 rejects
    other = ~same & ~m_bit
    assert np.isnan(theirs[other]).all()
    assert sorted(set(ours[other])) == list(np.arange(-1200.0, 0.0, 100.0))
    assert (ALL13[other] & 0x10 == 0).all()  # all Gillham (Q = 0)
    assert same.sum() == 8192 - 2048 - 12


def test_ac13_known_values() -> None:
    # Q-bit code with N = 1 -> 25 * 1 - 1000 = -975 ft.
    assert AC13_ALTITUDE_FT[0x10 | 1] == -975.0
    assert np.nanmax(AC13_ALTITUDE_FT) == 126_700.0  # top of the Gillham range
    assert np.isnan(AC13_ALTITUDE_FT[0])


def test_ac12_table_matches_rs1090_except_beyond_its_limits() -> None:
    codes = np.arange(1 << 12)
    for tc, column in ((11, "altitude_baro_ft"), (20, "altitude_gnss_ft")):
        hexes = extended_squitter([(tc << 51) | (int(c) << 36) for c in codes])
        msgs = rs1090_decode(hexes, [0.0] * len(hexes))
        theirs = _alt(msgs)
        obs, _ = decode_batch(FrameBatch.from_hex(hexes, [0.0] * len(hexes)))
        ours = getattr(obs, column)
        assert np.array_equal(ours, AC12_ALTITUDE_FT, equal_nan=True)
        same = (np.isnan(theirs) & np.isnan(ours)) | (theirs == ours)
        # rs1090 drops ADS-B altitudes above 50,000 ft (legal: Q = 1 up to 50,175 ft, Gillham
        # above, DO-260B 2.2.3.2.3.4) and negative Gillham codes; those are all the differences.
        bad = ~same
        assert np.isnan(theirs[bad]).all()
        assert ((ours[bad] > 50_000) | (ours[bad] < 0) & ((codes[bad] & 0x10) == 0)).all()
        assert same.sum() > 3300
        if tc == 20:  # TC 20-22: rs1090 too calls it GNSS height, same 25 ft/Gillham encoding
            gnss = [m for m in msgs if m and m.get("altitude") is not None]
            assert {m["source"] for m in gnss} == {"GNSS"}


def test_id13_squawk_table_matches_rs1090_exhaustively() -> None:
    msgs = rs1090.decode(short_reply(5, ALL13), [0.0] * ALL13.size)
    theirs = np.array([int(m["squawk"]) for m in msgs])
    assert np.array_equal(theirs, ID13_SQUAWK)
    assert ID13_SQUAWK.max() == 7777


def test_movement_table_matches_rs1090_for_all_128_codes() -> None:
    me = [(7 << 51) | (mov << 44) | (1 << 43) | (37 << 36) for mov in range(128)]
    hexes = extended_squitter(me, ca=4)
    msgs = rs1090_decode(hexes, [0.0] * 128)
    theirs = np.array([np.nan if m.get("groundspeed") is None else m["groundspeed"] for m in msgs])
    obs, _ = decode_batch(FrameBatch.from_hex(hexes, [0.0] * 128))
    assert np.array_equal(obs.groundspeed_kt, theirs, equal_nan=True)
    assert np.array_equal(obs.groundspeed_kt, MOVEMENT_KT, equal_nan=True)
    assert (obs.track_deg == 37 * 360 / 128).all()
    assert MOVEMENT_KT[25] == 8.0 and MOVEMENT_KT[24] == 7.5  # rs1090 corner-case tests


def test_category_mapping_letters_match_rs1090_wake_vortex_names() -> None:
    me = [(tc << 51) | (ca << 48) for tc in range(1, 5) for ca in range(8)]
    hexes = extended_squitter(me)
    msgs = rs1090_decode(hexes, [0.0] * len(hexes))
    obs, _ = decode_batch(FrameBatch.from_hex(hexes, [0.0] * len(hexes)))
    names = {
        category_label(int(c)): m["wake_vortex"] for c, m in zip(obs.category, msgs, strict=True)
    }
    assert names["A1"] == "<7000kg" and names["A3"] == "<136,000kg" and names["A5"] == "Heavy"
    assert names["A7"] == "Rotorcraft" and names["B1"] == "Glider" and names["B6"] == "UAV"
    assert names["C1"] == "Surface emergency vehicle"
    assert all(names[f"D{i}"] == "Reserved" for i in range(8))
    assert int(category_code(np.array([4]), np.array([0]))[0]) == 0  # A0
    assert int(category_code(np.array([1]), np.array([7]))[0]) == 31  # D7
    assert sorted(obs.category.tolist()) == list(range(32))


def test_callsign_alphabet_all_64_codes() -> None:
    # SYNTHETIC: each 6-bit code once in position 1 followed by 'A's; rs1090 removes every
    # space (also inside the string), we only strip trailing spaces, as transmitted.
    me = [(4 << 51) | (code << 42) | sum(1 << (36 - 6 * k) for k in range(7)) for code in range(64)]
    hexes = extended_squitter(me)
    msgs = rs1090_decode(hexes, [0.0] * 64)
    obs, _ = decode_batch(FrameBatch.from_hex(hexes, [0.0] * 64))
    for code, (ours, m) in enumerate(zip(obs.callsign, msgs, strict=True)):
        assert ours == CALLSIGN_ALPHABET[code] + "AAAAAAA"
        assert m is not None and m["callsign"] == ours.replace(" ", "")


def test_ac13_table_is_the_scalar_rules_for_every_code() -> None:
    # The table is built with NumPy at import; the per-code rules (gillham_altitude_ft for
    # Q = 0, 25 ft steps for Q = 1, NaN for M = 1 and for code 0) must give the same bits.
    def scalar(code: int) -> float:
        if code == 0 or code & 0x40:
            return float("nan")
        if code & 0x10:
            n = ((code >> 7) << 5) | (((code >> 5) & 1) << 4) | (code & 0xF)
            return 25.0 * n - 1000.0
        return gillham_altitude_ft(code)

    want = np.array([scalar(c) for c in range(1 << 13)])
    assert np.array_equal(AC13_ALTITUDE_FT, want, equal_nan=True)
    assert np.isnan(want).sum() == 4864  # 4,096 metric, 767 invalid Gillham, code 0
