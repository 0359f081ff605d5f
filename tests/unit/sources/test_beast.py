"""Beast binary parser on the real dump1090 capture, and on damaged copies of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from flyvakt.model.batches import FrameBatch
from flyvakt.sources import BeastParser, SourceFormatError, encode_beast


@pytest.fixture
def raw(data: Path) -> bytes:
    return (data / "traffic" / "sample_dump1090.bin").read_bytes()


def parse_all(
    data: bytes, chunk: int | None = None, **kw: object
) -> tuple[FrameBatch, BeastParser]:
    p = BeastParser(**kw)  # type: ignore[arg-type]
    if chunk is None:
        parts = [p.feed(data)]
    else:
        parts = [p.feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    parts.append(p.finish())
    return FrameBatch.concat(parts), p


def test_real_capture_counts_and_times(raw: bytes) -> None:
    b, p = parse_all(raw, base_time_s=1581502000.0)
    assert len(b) == 239
    assert int((b.nbytes == 7).sum()) == 185
    assert int((b.nbytes == 14).sum()) == 54
    assert p.stats.skipped == {}
    assert np.all(np.diff(b.time_s) >= 0)
    assert b.time_s[0] == 1581502000.0
    # Counter span of the capture: 23.917155 s between the first and last frame.
    assert b.time_s[-1] - b.time_s[0] == pytest.approx(23.917155, abs=1e-6)
    assert b.hex(0) == "20000ca8f70aa7"
    assert b.hex(238) == "a80018a7ca380030a800001d4e3e"


def test_escaped_bytes_are_unescaped(raw: bytes) -> None:
    # Frame 2 of the file is "1a 32 | 00 00 15 be 1a 1a 0c | 0f | 02 e1 8c a8 f1 d2 ed":
    # the counter holds an escaped 0x1a.
    b, _ = parse_all(raw, base_time_s=0.0)
    assert b.hex(1) == "02e18ca8f1d2ed"
    first = 0x000015A8877E
    second = 0x000015BE1A0C
    assert b.time_s[1] == pytest.approx((second - first) / 12e6)
    # Signal byte 0x0d of the first frame -> 20*log10(13/255).
    assert b.signal_dbfs[0] == pytest.approx(20 * np.log10(13 / 255), abs=1e-4)


def test_long_frames_pass_crc(raw: bytes, crc24: Callable[[bytes], int]) -> None:
    """Every DF17 frame must have CRC remainder 0: proves payload bytes are unescaped right."""
    b, _ = parse_all(raw)
    df17 = [i for i in range(len(b)) if b.nbytes[i] == 14 and b.payload[i, 0] >> 3 == 17]
    assert len(df17) > 20
    assert all(crc24(bytes(b.payload[i, :14])) == 0 for i in df17)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1000])
def test_chunked_feed_equals_whole(raw: bytes, chunk: int) -> None:
    whole, _ = parse_all(raw)
    parts, p = parse_all(raw, chunk=chunk)
    assert len(parts) == 239
    assert np.array_equal(parts.payload, whole.payload)
    assert np.array_equal(parts.time_s, whole.time_s)
    assert p.stats.skipped == {}


def test_truncated_file_counts_last_frame(raw: bytes) -> None:
    b, p = parse_all(raw[:-5])
    assert len(b) == 238
    assert p.stats.skipped == {"truncated": 1}


def test_frame_cut_by_new_marker_is_bad_escape(raw: bytes) -> None:
    # Cut frame 3 (bytes 0x21..0x30) after 6 bytes and continue with frame 4 (at 0x31).
    damaged = raw[: 0x21 + 6] + raw[0x31:]
    b, p = parse_all(damaged)
    assert len(b) == 238
    assert p.stats.skipped == {"beast_bad_escape": 1}
    assert b.hex(2) == "20000ca8f70aa7"  # frame 4 survives


def test_bad_type_and_garbage_resync(raw: bytes) -> None:
    damaged = b"garbage" + raw[:0x21] + b"\x1a\x39\x01\x02\x03" + raw[0x21:]
    b, p = parse_all(damaged)
    assert len(b) == 239
    assert p.stats.skipped["beast_bad_type"] == 1
    assert p.stats.skipped["beast_garbage_bytes"] == len(b"garbage") + 3


def test_status_and_mode_ac_frames() -> None:
    """Synthetic: a 0x34 status frame is skipped and counted; 0x31 Mode A/C is kept, nbytes=2."""
    status = b"\x1a\x34" + bytes(6) + b"\x01\x02\x03"
    modeac = b"\x1a\x31" + b"\x00\x00\x00\x00\x00\x10" + b"\x80" + b"\x07\x70"
    b, p = parse_all(status + modeac)
    assert len(b) == 1 and b.nbytes[0] == 2 and b.hex(0) == "0770"
    assert p.stats.skipped == {"beast_status": 1}


def test_strict_rejects_other_formats() -> None:
    p = BeastParser(name="rec.bin", strict=True)
    with pytest.raises(SourceFormatError, match=r"^rec\.bin: byte 0: not a Beast stream"):
        p.feed(b"*8d4840d6202cc371c32ce0576098;\n" * 3)
    q = BeastParser(name="tiny.bin", strict=True)
    q.feed(b"hello")
    with pytest.raises(SourceFormatError, match=r"^tiny\.bin: byte 0: no Beast frame"):
        q.finish()


def test_strict_accepts_capture_started_mid_frame(raw: bytes) -> None:
    p = BeastParser(name="rec.bin", strict=True)
    b = FrameBatch.concat([p.feed(raw[5:]), p.finish()])
    assert len(b) == 238 and p.stats.skipped == {"beast_garbage_bytes": 11}


def test_encode_round_trip(raw: bytes) -> None:
    b, _ = parse_all(raw, base_time_s=100.0)
    enc = encode_beast(b, epoch_s=99.0)
    back, p = parse_all(enc, base_time_s=100.0)
    assert np.array_equal(back.payload, b.payload)
    assert np.allclose(back.time_s, b.time_s, atol=1e-7)
    assert np.allclose(back.signal_dbfs, b.signal_dbfs, atol=0.05)
    assert p.stats.skipped == {}


def test_live_clock_reanchors_on_drift() -> None:
    """Synthetic: the receiver counter says 10 s passed, the wall clock says 100 s."""
    frames = FrameBatch.from_hex(["02e18ca8f1d2ed"] * 4, [1.0, 2.0, 11.0, 12.0])
    enc = encode_beast(frames)
    cut = len(enc) // 2
    p = BeastParser()
    a = p.feed(enc[:cut], recv_time_s=1000.0)
    b = p.feed(enc[cut:], recv_time_s=1100.0)
    assert a.time_s.tolist() == [1000.0, 1001.0]
    assert b.time_s[-1] == pytest.approx(1100.0)  # re-anchored on the receive time
    assert b.time_s[1] - b.time_s[0] == pytest.approx(1.0)  # spacing from the counter kept
    # Without receive times (files) the counter alone decides.
    q = BeastParser(base_time_s=1000.0)
    assert q.feed(enc).time_s.tolist() == pytest.approx([1000.0, 1001.0, 1010.0, 1011.0])


def test_readsb_mlat_marker_is_no_timestamp() -> None:
    """Synthetic: a frame stamped with readsb's MLAT marker takes the previous frame's time."""
    frames = FrameBatch.from_hex(["02e18ca8f1d2ed"] * 3, [0.0, 0.0, 0.0])
    counters = np.array([12_000_000, 0xFF004D4C4154, 24_000_000], dtype=np.uint64)
    b = BeastParser(base_time_s=50.0).feed(encode_beast(frames, counters=counters))
    assert b.time_s.tolist() == [50.0, 50.0, 51.0]


def _live_chunks(data_t: np.ndarray, wall_t: np.ndarray, chunks: int) -> np.ndarray:
    """Synthetic: frames at ``data_t`` (counter time), sent in ``chunks`` pieces received at
    the wall time of each piece's last frame; returns the times the live parser gives them."""
    frames = FrameBatch.from_hex(["02e18ca8f1d2ed"] * data_t.size, data_t + 1.0)  # counter 0: none
    p = BeastParser()
    out = []
    for part in np.array_split(np.arange(data_t.size), chunks):
        out.append(p.feed(encode_beast(frames.take(part)), recv_time_s=float(wall_t[part[-1]])))
    return np.concatenate([b.time_s for b in out])


def test_live_clock_keeps_a_sped_up_feeds_own_timeline() -> None:
    """Synthetic: a replay at x300 (10 minutes of frames in 2 s) keeps its 10 minutes, once
    re-anchored at the start; before, every chunk was pulled back to the wall clock."""
    data_t = np.linspace(0.0, 600.0, 601)
    got = _live_chunks(data_t, 1000.0 + data_t / 300.0, 20)
    assert got[-1] - got[0] == pytest.approx(600.0)
    assert np.allclose(np.diff(got), 1.0)


def test_live_clock_of_a_fast_feed_steps_over_a_counter_jump() -> None:
    """Synthetic: at x300 the counter jumps a day ahead for good; the clock continues from the
    previous chunk instead of moving the feed a day forward (and a lone jumped frame inside a
    chunk leaves the clock alone: validation drops it)."""
    data_t = np.linspace(0.0, 1200.0, 1201)
    wall = 1000.0 + data_t / 300.0
    data_t[800:] += 86400.0
    got = _live_chunks(data_t, wall, 40)
    steps = np.diff(got)
    assert steps.max() < 60.0 and steps.min() >= 0.0
    lone = np.linspace(0.0, 600.0, 601)
    lone[300] += 86400.0
    got = _live_chunks(lone, 1000.0 + np.linspace(0.0, 600.0, 601) / 300.0, 20)
    assert np.allclose(np.delete(np.diff(np.delete(got, 300)), 299), 1.0)


@pytest.mark.parametrize("chunk", [None, 1, 7, 23, 64])
def test_frames_full_of_escapes_come_back_byte_for_byte(chunk: int | None) -> None:
    # Every body byte 0x1a (the counter too) or a run of 0x1a beside one: each frame is
    # gathered through its escapes, the most there can be (21 in a long frame), beside frames
    # with none, and with a 0x1a-only frame last (the end of the buffer).
    rng = np.random.default_rng(12)
    frames, bodies = b"", []
    for i in range(60):
        t, n = [(0x31, 9), (0x32, 14), (0x33, 21)][i % 3]
        body = bytes(rng.choice([0x1A, 0x1A, 0x00, 0xFF, 0x33], size=n).astype(np.uint8))
        if i % 5 == 0:
            body = b"\x1a" * n
        if i % 7 == 0:
            body = bytes(rng.integers(0x40, 0x80, n).astype(np.uint8))  # no escape at all
        bodies.append((t, body))
        frames += b"\x1a" + bytes([t]) + body.replace(b"\x1a", b"\x1a\x1a")
    frames += b"\x1a\x32" + b"\x1a\x1a" * 14
    bodies.append((0x32, b"\x1a" * 14))
    got, p = parse_all(frames, chunk, base_time_s=0.0)
    assert len(got) == len(bodies) and p.stats.skipped == {}
    for i, (t, body) in enumerate(bodies):
        nb = {0x31: 2, 0x32: 7, 0x33: 14}[t]
        assert got.nbytes[i] == nb
        assert bytes(got.payload[i, :nb]) == body[7:], i
        assert not got.payload[i, nb:].any()
        counter = int.from_bytes(body[:6], "big")
        assert (counter == 0x1A1A1A1A1A1A) == (body[:6] == b"\x1a" * 6)
