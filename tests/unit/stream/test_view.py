"""The map's aircraft table rebuilt from positions (``run --from``), and the positions/events
wire records the fleet stage aligns on. Data: the bundled AFR34ZG recording (real; traffic
package, MIT), tracked in-process."""

from __future__ import annotations

import math

import numpy as np

from flyvakt.cli.replay import bundled_sample
from flyvakt.model import FrameBatch, PositionBatch
from flyvakt.pipeline import PipelineState, step
from flyvakt.runtime.hub import Hub
from flyvakt.runtime.setup import tracker_config
from flyvakt.sources import FileReader
from flyvakt.stream.view import PositionView
from flyvakt.stream.wire import (
    decode_event,
    decode_positions,
    encode_mark,
    encode_positions,
    positions_watermark,
    read_event_record,
)


def _positions() -> PositionBatch:
    fb = FrameBatch.concat([b for b in FileReader(bundled_sample()) if isinstance(b, FrameBatch)])
    _state, out = step(PipelineState(), fb, tracker_config())
    return out.positions


def test_view_shows_the_newest_fix_as_the_tracker_would() -> None:
    pos = _positions()
    assert len(pos) > 1000
    view = PositionView()
    for i in range(0, len(pos), 997):  # arbitrary cuts; one batch arrives twice (a re-send)
        view.update(pos.take(np.arange(i, min(i + 997, len(pos)))))
    view.update(pos.take(np.arange(0, 500)))  # old fixes must not move the aircraft back
    hub = Hub()
    hub.set_tracker_table(view.table)
    now = float(pos.time_s.max())
    hub.publish_positions(PositionBatch.empty(0), now)
    (ac,) = hub.aircraft_now()
    last = int(np.argmax(pos.time_s))
    assert ac["hex"] == f"{int(pos.icao24[last]):06x}"
    assert math.isclose(ac["lat"], float(pos.lat_deg[last]), abs_tol=1e-5)
    assert math.isclose(ac["lon"], float(pos.lon_deg[last]), abs_tol=1e-5)
    assert ac["flight"].strip() == "AFR34ZG"
    assert view.expire(now + 301) == 1 and not hub.aircraft_now(now + 301)


def test_empty_positions_message_carries_the_watermark() -> None:
    data = encode_positions(PositionBatch.empty(0), 1720252800.25)
    assert positions_watermark(data) == 1720252800.25 and len(decode_positions(data)) == 0
    assert positions_watermark(encode_positions(_positions().take(np.arange(3)))) is None


def test_marks_are_not_events() -> None:
    rec = read_event_record(encode_mark(12.5))
    assert rec.mark_s == 12.5 and rec.event is None
    assert decode_event(encode_mark(12.5)) is None
