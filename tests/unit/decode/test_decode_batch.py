"""decode_batch bookkeeping and the cases real recordings do not contain.

Frames built here are SYNTHETIC (tests.unit.decode.synthetic, our CRC); each case says why
real data cannot show it.
"""

from __future__ import annotations

import numpy as np
import pytest

from flyvakt.decode import DecodeStats, decode_batch, decode_indexed
from flyvakt.model.batches import FrameBatch, Source

from .rs1090_reference import rs1090_decode
from .synthetic import extended_squitter, short_reply, with_parity

REAL_DF17 = "8D406B902015A678D4D220AA4BDA"  # rs1090 test vector (EZY85MH)
REAL_DF4 = "20000f1f684a6c"  # antirez modes1 capture, 4D2023 at 23,375 ft


def batch(hexes: list[str]) -> FrameBatch:
    return FrameBatch.from_hex(hexes, [float(i) for i in range(len(hexes))])


def test_drop_reasons_are_counted_and_rows_keep_order() -> None:
    fb = batch([REAL_DF17, "8d4ca251204994b1c36e60a5343d", REAL_DF4, "1234", "c0ffee00112233"])
    fb = FrameBatch.concat([fb, batch(["9800000000000000000000000000"])])  # DF19 military
    fb.nbytes[3] = 2  # a Mode A/C reply
    obs, stats, index = decode_indexed(fb)
    assert index.tolist() == [0, 2]
    assert obs.time_s.tolist() == [0.0, 2.0]
    assert stats.crc_failed == 1 and stats.mode_ac == 1 and stats.unsupported_df == 2
    assert stats.frames == 6 == stats.decoded + stats.dropped()


def test_wrong_and_bad_lengths() -> None:
    long_in_short = REAL_DF17[:14]  # a DF17 with only 7 bytes
    fb = batch([long_in_short, REAL_DF4])
    fb.nbytes[1] = 5
    obs, stats = decode_batch(fb)
    assert len(obs) == 0 and stats.wrong_length == 1 and stats.bad_length == 1


def test_short_reply_padded_to_14_bytes_is_read_from_its_first_7() -> None:
    # As stored in full_flight_short.jsonl.gz (every reply there is 112 bits long).
    obs, stats = decode_batch(batch([REAL_DF4 + "abcdef01234567"]))
    assert stats.short_padded == 1 and obs.icao24[0] == 0x4D2023
    assert obs.altitude_baro_ft[0] == 23375


def test_empty_batch() -> None:
    obs, stats = decode_batch(FrameBatch.empty(0))
    assert len(obs) == 0 and stats == DecodeStats()


def test_passthrough_columns_and_stats_add() -> None:
    fb = batch([REAL_DF17, REAL_DF4])
    fb.signal_dbfs[:] = [-3.5, -20.0]
    fb.receiver[:] = [7, 9]
    obs, stats = decode_batch(fb)
    assert obs.signal_dbfs.tolist() == [-3.5, -20.0] and obs.receiver.tolist() == [7, 9]
    assert (stats + stats).decoded == 4 and (stats + stats).as_dict()["frames"] == 4


def test_df11_interrogator_code_in_parity() -> None:
    # SYNTHETIC (real DF11 in tests/data are all to II=0): PI = CRC xor IC in low 7 bits.
    data = np.array([[0x5D, 0x4D, 0x20, 0x23]] * 3, dtype=np.uint8)
    hexes = [with_parity(data[i : i + 1], xor)[0] for i, xor in enumerate((0, 79, 80))]
    obs, stats = decode_batch(batch(hexes))
    assert len(obs) == 2 and stats.crc_failed == 1
    assert (obs.icao24 == 0x4D2023).all() and obs.address_checked.all()
    assert (obs.source == Source.MODE_S).all() and (obs.on_ground == 0).all()  # CA=5 airborne


@pytest.mark.parametrize(("fs", "ground"), [(0, 0), (1, 1), (2, 0), (3, 1), (4, -1), (5, -1)])
def test_flight_status_on_ground(fs: int, ground: int) -> None:
    # SYNTHETIC: every FS value (real replies here are FS 0/1 only).
    for df in (4, 5):
        obs, _ = decode_batch(batch(short_reply(df, [0x1234], first3=fs)))
        assert obs.on_ground[0] == ground and not obs.address_checked[0]
        assert obs.icao24[0] == 0x393322


def test_vertical_status_and_capability() -> None:
    obs, _ = decode_batch(batch(short_reply(0, [0x1234, 0x1234], first3=4)))
    assert obs.on_ground[0] == 1  # VS = 1 (bit 6)
    ca4 = extended_squitter([19 << 51], ca=4)  # velocity forces airborne regardless of CA
    ident = extended_squitter([(4 << 51) | (3 << 48)], ca=4)  # identification: CA says ground
    obs, _ = decode_batch(batch(ca4 + ident))
    assert obs.on_ground.tolist() == [0, 1]


def test_supersonic_velocity_counts_4_kt_units() -> None:
    # SYNTHETIC: subtype 2 with Vew = Vns = 101 (raw 102) -> 4 * hypot(101, 101) kt.
    # rs1090 (0.7) applies the x4 to air speed (subtype 4) but not to ground speed (subtype 2).
    me = (19 << 51) | (2 << 48) | (102 << 32) | (102 << 21) | (1 << 20) | (5 << 10)
    hexes = extended_squitter([me])
    obs, _ = decode_batch(batch(hexes))
    assert obs.groundspeed_kt[0] == pytest.approx(4 * 101 * np.sqrt(2))
    assert obs.track_deg[0] == pytest.approx(45.0)
    assert obs.vertical_rate_fpm[0] == 4 * 64
    ref = rs1090_decode(hexes, [0.0])[0]
    assert ref is not None and ref["groundspeed"] == pytest.approx(101 * np.sqrt(2))


def test_velocity_component_not_available() -> None:
    # SYNTHETIC: Vns raw 0 means "no information": no ground speed (rs1090 reads it as -1 kt).
    obs, _ = decode_batch(batch(extended_squitter([(19 << 51) | (1 << 48) | (100 << 32)])))
    assert np.isnan(obs.groundspeed_kt[0]) and np.isnan(obs.track_deg[0])


def test_acas_ra_status_is_not_an_emergency() -> None:
    # SYNTHETIC: TC 28 subtype 2 (ACAS RA broadcast) has no emergency/squawk fields; rs1090
    # 0.7 reads them anyway. We leave them unknown and count the row as adsb_no_column.
    me = (28 << 51) | (2 << 48) | (0b101 << 45) | (0o205 << 32)
    obs, stats = decode_batch(batch(extended_squitter([me])))
    assert obs.emergency[0] == -1 and obs.squawk[0] == -1 and stats.adsb_no_column == 1


def test_emergency_squawk_7700() -> None:
    # SYNTHETIC: emergency state 1 (general) with Mode A 7700 in ID13 order.
    code13 = (1 << 11) | (1 << 9) | (1 << 7) | (1 << 5) | (1 << 3) | (1 << 1)  # A=7, B=7
    obs, _ = decode_batch(
        batch(extended_squitter([(28 << 51) | (1 << 48) | (1 << 45) | code13 << 32]))
    )
    assert obs.emergency[0] == 1 and obs.squawk[0] == 7700


@pytest.mark.parametrize(
    ("version", "expected"), [(0, (0, -1, -1)), (2, (2, 1, 9)), (5, (-1, -1, -1))]
)
def test_operational_status_versions(version: int, expected: tuple[int, int, int]) -> None:
    # SYNTHETIC: version 0 has no NIC-A/NACp there, versions 3-7 are reserved.
    me = (31 << 51) | (version << 13) | (1 << 12) | (9 << 8)
    obs, _ = decode_batch(batch(extended_squitter([me])))
    assert (obs.adsb_version[0], obs.nic_supplement[0], obs.nac_p[0]) == expected


def test_metric_altitude_is_counted_not_decoded() -> None:
    obs, stats = decode_batch(batch(short_reply(4, [0x40 | 0x123])))
    assert np.isnan(obs.altitude_baro_ft[0]) and stats.altitude_metric == 1


def test_gnss_height_goes_to_its_own_column() -> None:
    # SYNTHETIC TC 20 with the Q-bit code for 38,000 ft: N = 1560.
    n = (38_000 + 1000) // 25
    ac12 = ((n >> 4) << 5) | (1 << 4) | (n & 0xF)
    obs, _ = decode_batch(batch(extended_squitter([(20 << 51) | (ac12 << 36)])))
    assert obs.altitude_gnss_ft[0] == 38_000 and np.isnan(obs.altitude_baro_ft[0])
    assert obs.cpr_odd[0] == 0 and obs.on_ground[0] == 0
