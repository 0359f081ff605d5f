"""MLAT / TIS-B / ADS-R labelled as sources, ``~`` for non-ICAO addresses, readsb's priority.

Real frames: the three DF18 frames of rs1090's Python tests (MIT, ../shared/data/rs1090:
test_adsb.py, test_common.py, test_corner_cases.py) and AFR34ZG's DF17 airborne positions
(tests/data/traffic/full_flight_short.jsonl.gz). No real DF18 CF 2/6 frame nor a readsb MLAT
Beast capture is at hand: those are made here from the real DF17 frames (labelled synthetic).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from flyvakt.decode.core import decode_batch
from flyvakt.decode.crc import crc24
from flyvakt.model.batches import (
    NON_ICAO,
    SOURCE_PRIORITY,
    FrameBatch,
    Source,
    icao_hex,
    parse_icao_hex,
)
from flyvakt.sources._common import MAGIC_COUNTERS
from flyvakt.sources.beast import BeastParser, encode_beast

DATA = Path(__file__).resolve().parents[2] / "data"
# rs1090's DF18 test vectors with what rs1090 0.7 says of them ("tisb" is its CF label).
RS1090_DF18 = {
    "903a33ff40100858d34ff3cce976": ("3a33ff", "ADSB_ES_NT"),
    "90343652300003eeda6de84f1ad2": ("343652", "ADSB_ES_NT"),
    "95c639eefbffffedd5fefbff4f6f": ("c639ee", "TISB_ADSB_RELAY"),
}


def _afr_positions(n: int = 200) -> FrameBatch:
    """The first ``n`` DF17 airborne-position frames (TC 9-18) of AFR34ZG."""
    hexes, times = [], []
    with gzip.open(DATA / "traffic" / "full_flight_short.jsonl.gz", "rt") as f:
        for line in f:
            rec = json.loads(line)
            h = rec["frame"]
            if h[:2] == "8d" and 9 <= (int(h[8:10], 16) >> 3) <= 18:
                hexes.append(h)
                times.append(float(rec["timestamp"]))
                if len(hexes) == n:
                    break
    return FrameBatch.from_hex(hexes, times)


def _as_df18(frames: FrameBatch, cf: int) -> FrameBatch:
    """SYNTHETIC: the same ME content sent as DF18 with control field ``cf`` (new parity)."""
    out = frames.take(np.arange(len(frames)))
    out.payload[:, 0] = (18 << 3) | cf
    pi = crc24(out.payload[:, :11])
    out.payload[:, 11] = (pi >> 16) & 0xFF
    out.payload[:, 12] = (pi >> 8) & 0xFF
    out.payload[:, 13] = pi & 0xFF
    return out


def test_real_df18_frames_agree_with_rs1090() -> None:
    frames = FrameBatch.from_hex(list(RS1090_DF18), [0.0, 1.0, 2.0])
    obs, stats = decode_batch(frames)
    # rs1090 decodes without a parity check; the CF 5 frame's parity does not check (its
    # "status" bytes ff ff ed d5 fe look damaged too), so we drop it as rs1090 would not.
    assert stats.decoded == 2 and stats.crc_failed == 1
    got = [(icao_hex(int(a)), Source(int(s))) for a, s in zip(obs.icao24, obs.source, strict=True)]
    assert got == [("3a33ff", Source.ADSB), ("343652", Source.ADSB)]  # ES/NT, ICAO address
    assert [v[0] for v in list(RS1090_DF18.values())[:2]] == [g[0] for g in got]


@pytest.mark.parametrize(
    ("cf", "source", "non_icao"),
    [
        (0, Source.ADSB, False),
        (1, Source.ADSB, True),
        (2, Source.TISB, False),
        (5, Source.TISB, True),
        (6, Source.ADSR, False),
    ],
)
def test_df18_control_field(cf: int, source: Source, non_icao: bool) -> None:
    real = _afr_positions(50)
    want, _ = decode_batch(real)
    obs, stats = decode_batch(_as_df18(real, cf))
    assert stats.decoded == 50 and stats.df18_non_adsb == 0
    assert (obs.source == source).all()
    assert ((obs.icao24 & NON_ICAO) != 0).all() == non_icao
    assert ((obs.icao24 & 0xFFFFFF) == 0x393322).all()
    # The ME content decodes as it does in DF17.
    assert np.array_equal(obs.cpr_lat, want.cpr_lat)
    assert np.array_equal(obs.altitude_baro_ft, want.altitude_baro_ft, equal_nan=True)


@pytest.mark.parametrize("cf", [3, 4, 7])
def test_coarse_tisb_management_and_reserved_are_dropped(cf: int) -> None:
    obs, stats = decode_batch(_as_df18(_afr_positions(20), cf))
    assert len(obs) == 0 and stats.df18_non_adsb == 20


def test_beast_mlat_marker_gives_the_mlat_source() -> None:
    """SYNTHETIC stream: real AFR34ZG frames, every third one sent with readsb's MLAT counter."""
    frames = _afr_positions(30)
    counters = np.round((frames.time_s - frames.time_s[0]) * 12e6).astype(np.uint64) + 1
    counters[::3] = MAGIC_COUNTERS[0]
    parser = BeastParser(1.7e9)
    got = parser.feed(encode_beast(frames, counters=counters))
    got = FrameBatch.concat([got, parser.finish()])
    assert got.mlat.tolist() == [i % 3 == 0 for i in range(30)]
    obs, _ = decode_batch(got)
    assert obs.source.tolist() == [Source.MLAT if i % 3 == 0 else Source.ADSB for i in range(30)]


def test_readsb_priority_order() -> None:
    order = [Source.STATE_VECTOR, Source.SBS, Source.MLAT, Source.MODE_S, Source.TISB,
             Source.ADSR, Source.ADSB]  # fmt: skip
    prios = [int(SOURCE_PRIORITY[int(s)]) for s in order]
    assert prios == sorted(prios) and len(set(prios)) == len(prios)
    assert SOURCE_PRIORITY[int(Source.UNKNOWN)] < prios[0]


def test_hex_text_round_trip() -> None:
    assert icao_hex(0x3C6444) == "3c6444"
    assert icao_hex(NON_ICAO | 0xC639EE) == "~c639ee"
    assert parse_icao_hex("~C639EE") == NON_ICAO | 0xC639EE
    assert parse_icao_hex("3c6444") == 0x3C6444
    for bad in ("3c644", "~~zz", "1c639ee"):
        with pytest.raises(ValueError, match="not a 6-digit hex address"):
            parse_icao_hex(bad)


def _afr_frames(tcs: range | tuple[int, ...], n: int) -> FrameBatch:
    """The first ``n`` DF17 frames of AFR34ZG with a type code in ``tcs``."""
    hexes, times = [], []
    with gzip.open(DATA / "traffic" / "full_flight_short.jsonl.gz", "rt") as f:
        for line in f:
            rec = json.loads(line)
            h = rec["frame"]
            if h[:2] == "8d" and (int(h[8:10], 16) >> 3) in tcs:
                hexes.append(h)
                times.append(float(rec["timestamp"]))
                if len(hexes) == n:
                    break
    return FrameBatch.from_hex(hexes, times)


# (frame byte, mask) of the IMF bit written out by hand from DO-260B's ME layouts (ME bit k is
# frame bit 32 + k): airborne position ME bit 8 = frame bit 40, the last bit of byte 4;
# velocity ME bit 9 = frame bit 41, the first bit of byte 5.
IMF_AT = {"position": (4, 0x01), "velocity": (5, 0x80)}


@pytest.mark.parametrize("cf", [2, 6])
@pytest.mark.parametrize("kind", ["position", "velocity"])
def test_imf_bit_marks_a_tisb_or_adsr_address_non_icao(cf: int, kind: str) -> None:
    """SYNTHETIC: real AFR34ZG positions/velocities resent as DF18 CF 2/6, IMF set on odd rows."""
    real = _afr_frames(range(9, 19) if kind == "position" else (19,), 40)
    byte, mask = IMF_AT[kind]
    real.payload[:, byte] &= ~np.uint8(mask)
    real.payload[1::2, byte] |= np.uint8(mask)
    obs, stats = decode_batch(_as_df18(real, cf))
    assert stats.decoded == 40
    flagged = (obs.icao24 & NON_ICAO) != 0
    assert flagged.tolist() == [i % 2 == 1 for i in range(40)]
    assert ((obs.icao24 & 0xFFFFFF) == 0x393322).all()
    assert [icao_hex(int(a)) for a in obs.icao24[:2]] == ["393322", "~393322"]


def test_imf_bit_is_not_read_where_it_means_something_else() -> None:
    """SYNTHETIC: in DF17/DF18 CF 0 the same bit is the single-antenna flag (position) or
    intent change (velocity), and identification has no IMF: none of these flags the address."""
    pos = _afr_frames(range(9, 19), 10)
    vel = _afr_frames((19,), 10)
    ident = _afr_frames(range(1, 5), 10)
    pos.payload[:, 4] |= np.uint8(0x01)
    vel.payload[:, 5] |= np.uint8(0x80)
    ident.payload[:, 4:11] |= np.uint8(0x01)  # low bit of every ME byte: still no IMF
    for frames in (pos, vel):
        for cf in (None, 0):
            sent = _as_df18(frames, cf) if cf is not None else _as_df17(frames)
            obs, _ = decode_batch(sent)
            assert len(obs) == 10 and ((obs.icao24 & NON_ICAO) == 0).all()
    obs, _ = decode_batch(_as_df18(ident, 2))
    assert len(obs) == 10 and ((obs.icao24 & NON_ICAO) == 0).all()


def _as_df17(frames: FrameBatch) -> FrameBatch:
    """SYNTHETIC: ``frames`` (edited) as DF17 again, with their parity recomputed."""
    out = _as_df18(frames, 0)
    out.payload[:, 0] = (17 << 3) | 5
    pi = crc24(out.payload[:, :11])
    out.payload[:, 11] = (pi >> 16) & 0xFF
    out.payload[:, 12] = (pi >> 8) & 0xFF
    out.payload[:, 13] = pi & 0xFF
    return out
