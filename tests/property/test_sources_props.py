"""Property tests for the source parsers: Beast escape round trip; no input crashes a parser."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flyvakt.model.batches import FrameBatch
from flyvakt.sources import (
    AvrParser,
    BeastParser,
    CsvFrameParser,
    JsonlFrameParser,
    JsonlRecordParser,
    SbsParser,
    encode_beast,
)

# Frames rich in 0x1a so that escaping is exercised on most examples.
_byte = st.one_of(st.just(0x1A), st.integers(0, 255))
_frame = st.sampled_from([2, 7, 14]).flatmap(lambda n: st.lists(_byte, min_size=n, max_size=n))


@st.composite
def frame_batches(draw: st.DrawFn) -> FrameBatch:
    frames = draw(st.lists(_frame, min_size=1, max_size=30))
    steps = draw(st.lists(st.integers(1, 10**9), min_size=len(frames), max_size=len(frames)))
    levels = draw(st.lists(st.integers(1, 255), min_size=len(frames), max_size=len(frames)))
    ticks = np.cumsum(np.asarray(steps, dtype=np.int64))
    b = FrameBatch.from_hex([bytes(f).hex() for f in frames], ticks / 12e6)
    b.signal_dbfs[:] = 20 * np.log10(np.asarray(levels) / 255.0)
    return b


@settings(max_examples=150, deadline=None)
@given(frame_batches(), st.integers(1, 50))
def test_beast_round_trip(batch: FrameBatch, chunk: int) -> None:
    enc = encode_beast(batch, epoch_s=0.0)
    p = BeastParser(base_time_s=float(batch.time_s[0]))
    parts = [p.feed(enc[i : i + chunk]) for i in range(0, len(enc), chunk)]
    parts.append(p.finish())
    back = FrameBatch.concat(parts)
    assert p.stats.skipped == {}
    assert len(back) == len(batch)
    assert np.array_equal(back.nbytes, batch.nbytes)
    assert np.array_equal(back.payload, batch.payload)
    assert np.allclose(back.time_s, batch.time_s, atol=1e-6)
    assert np.allclose(back.signal_dbfs, batch.signal_dbfs, atol=1e-3)


# Bytes biased to markers and type bytes, so that frame-like garbage is common.
_beastish = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.one_of(st.just(0x1A), st.sampled_from([0x31, 0x32, 0x33, 0x34]), st.integers(0, 255)),
        max_size=200,
    ).map(bytes),
)


@settings(max_examples=200, deadline=None)
@given(_beastish, st.integers(1, 64))
def test_beast_arbitrary_bytes_never_crash(data: bytes, chunk: int) -> None:
    whole = BeastParser()
    a = FrameBatch.concat([whole.feed(data), whole.finish()])
    p = BeastParser()
    parts = [p.feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    parts.append(p.finish())
    b = FrameBatch.concat(parts)
    # Chunking never changes the result.
    assert np.array_equal(a.payload, b.payload)
    assert np.array_equal(a.time_s, b.time_s)
    assert p.stats.skipped == whole.stats.skipped
    assert set(np.unique(b.nbytes).tolist()) <= {2, 7, 14}


_text = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [
                b"*8d4840d6202cc371c32ce0576098;",
                b"@016CE3671C7423FFE7AB7BFCAB;",
                b"MSG,3,1,1,4CA2D6,1,2024/07/06,06:43:10.000,,,,36000,,,53.1,-2.5,,,0,0,0,0",
                b'{"timestamp": 1.5, "frame": "02e99619facdae"}',
                b"1700000000,8d4840d6202cc371c32ce0576098",
                b'{"icao24": "abc123", "timestamp": "2024-01-01T00:00:00", "lat": 1}',
                b"\x1a\x1a\x00\xff",
                b"MSG,,,,",
                b"",
            ]
        ),
        max_size=12,
    ).map(lambda xs: b"\r\n".join(xs)),
)


@settings(max_examples=150, deadline=None)
@given(_text, st.integers(1, 40))
def test_text_parsers_never_crash(data: bytes, chunk: int) -> None:
    for cls in (AvrParser, SbsParser, JsonlFrameParser, CsvFrameParser, JsonlRecordParser):
        p = cls()
        total = 0
        for i in range(0, len(data), chunk):
            total += len(p.feed(data[i : i + chunk]))
        total += len(p.finish())
        assert total == p.stats.records
        assert p.stats.bytes == len(data)
