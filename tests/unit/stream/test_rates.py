"""Issue 15: `run --from kafka://` shows the cluster's real rates (it said "0.0 frames/s"):
the workers put how many frames each batch stepped on its positions message, and the
consumer turns them into frames per second for the status line, /api/status and /metrics.
SYNTHETIC positions (the counts are what is tested, not the fixes)."""

from __future__ import annotations

from flyvakt.model import PositionBatch
from flyvakt.runtime.status import status_line
from flyvakt.stream.consume import ConsumeSummary, _Rates
from flyvakt.stream.wire import (
    decode_positions,
    encode_positions,
    positions_frames,
    positions_watermark,
)


def test_the_frame_count_rides_on_the_last_positions_piece() -> None:
    b = PositionBatch.empty(3)
    last = encode_positions(b, 1_700_000_000.5, 8192)
    assert positions_frames(last) == 8192
    assert positions_watermark(last) == 1_700_000_000.5
    assert len(decode_positions(last)) == 3
    assert positions_frames(encode_positions(b, None)) == 0  # a piece before the last
    assert positions_frames(encode_positions(PositionBatch.empty(0), 5.0, 0)) == 0


def test_rates_over_the_status_interval_reach_the_status_line() -> None:
    s = ConsumeSummary()
    rates = _Rates(100.0, 0, 0)
    s.frames, s.positions = 41_000, 9_000
    got = rates.update(105.0, s, lag=12)
    assert got["frames_per_s"] == 8200.0 and got["positions_per_s"] == 1800.0
    assert got["lag_messages"] == 12
    s.frames += 500
    again = rates.update(110.0, s, lag=None)
    assert again["frames_per_s"] == 100.0 and "lag_messages" not in again
    assert "8200.0 frames/s" in status_line({"now_s": 1.7e9, **got})
