"""Issue 15: a feed batch larger than FEED_MAX_FRAMES goes out in pieces per partition, and only
the last piece carries the feed's watermark. With the watermark on every piece, a worker that
stepped the first piece alone moved its clock to the end of the batch and called the aircraft
of the later pieces lost (kafka_equivalence.py on the reconstruction: 6 extra signal_lost /
signal_regained events). Real data: the bundled AFR34ZG recording (57,793 frames)."""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.cli.replay import bundled_sample
from flyvakt.model import FrameBatch
from flyvakt.sources import FileReader
from flyvakt.stream.kafka import FEED_MAX_FRAMES, KafkaUrl, _send
from flyvakt.stream.wire import decode_frames, frames_watermark


class _Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, int]] = []

    def produce(self, topic: str, value: bytes, partition: int) -> None:
        self.sent.append((topic, value, partition))

    def poll(self, _t: float) -> int:
        return 0

    def flush(self, _t: float) -> int:
        return 0


def test_only_the_last_piece_of_a_partition_carries_the_watermark() -> None:
    fb = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    prod: Any = _Producer()
    assert _send(prod, "t.frames", 2, [fb], KafkaUrl("x:1", "t")) == len(fb)
    end = float(np.nanmax(fb.time_s))
    for p in (0, 1):
        msgs = [v for _t, v, part in prod.sent if part == p]
        marks = [frames_watermark(v) for v in msgs]
        assert marks[-1] == end
        assert all(m is None for m in marks[:-1])
        sizes = [len(decode_frames(v)) for v in msgs]
        assert max(sizes) <= FEED_MAX_FRAMES
    assert len(prod.sent) > 2  # the recording needed several pieces
    assert sum(len(decode_frames(v)) for _t, v, _p in prod.sent) == len(fb)
