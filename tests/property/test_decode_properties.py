"""Hypothesis properties of flyvakt.decode (SYNTHETIC random frames)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.decode import crc24, decode_batch, syndrome
from flyvakt.model.batches import FrameBatch, ObservationBatch

frames = st.lists(
    st.tuples(st.binary(min_size=14, max_size=14), st.sampled_from([0, 1, 2, 5, 7, 14, 200])),
    min_size=0,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(frames)
def test_random_payloads_never_crash(rows: list[tuple[bytes, int]]) -> None:
    fb = FrameBatch.empty(len(rows))
    for i, (raw, n) in enumerate(rows):
        fb.payload[i] = np.frombuffer(raw, np.uint8)
        fb.nbytes[i] = n
    obs, stats = decode_batch(fb)
    assert isinstance(obs, ObservationBatch)
    assert (
        stats.frames == len(rows) == stats.decoded + stats.dropped() == len(obs) + stats.dropped()
    )
    assert ((obs.df >= 0) & (obs.df <= 21)).all()
    assert (obs.icao24 < (1 << 24)).all()
    alt = obs.altitude_baro_ft[~np.isnan(obs.altitude_baro_ft)]
    assert ((alt >= -1200) & (alt <= 126_700)).all()
    assert ((obs.squawk == -1) | ((obs.squawk >= 0) & (obs.squawk <= 7777))).all()


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=4, max_size=11), st.integers(0, (1 << 24) - 1))
def test_crc_of_frame_with_correct_parity_is_zero(data: bytes, address: int) -> None:
    body = np.frombuffer(data, np.uint8)[None, :]
    parity = int(crc24(body)[0])
    full = np.concatenate([body, np.frombuffer(parity.to_bytes(3, "big"), np.uint8)[None, :]], 1)
    assert int(crc24(full)[0]) == 0
    # and with AP = parity xor address, the syndrome gives the address back
    ap = np.frombuffer((parity ^ address).to_bytes(3, "big"), np.uint8)[None, :]
    assert int(syndrome(np.concatenate([body, ap], 1), body.shape[1] + 3)[0]) == address


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=11, max_size=11), st.integers(0, 111))
def test_any_single_bit_error_in_df17_is_detected(data: bytes, bit: int) -> None:
    body = bytearray(data)
    body[0] = (17 << 3) | (body[0] & 7)
    arr = np.frombuffer(bytes(body), np.uint8)[None, :]
    frame = bytearray(bytes(body) + int(crc24(arr)[0]).to_bytes(3, "big"))
    frame[bit // 8] ^= 0x80 >> (bit % 8)
    obs, stats = decode_batch(FrameBatch.from_hex([frame.hex()], [0.0]))
    if bit < 5:  # the DF itself changed: another format (or an unsupported one) now
        assert stats.crc_failed + stats.unsupported_df + stats.decoded == 1
    else:
        assert stats.crc_failed == 1 and len(obs) == 0
