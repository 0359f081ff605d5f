"""Issue 9, batch-split: a landing inferred at the start of a long gap (the signal lost on an
approach, not seen for ``LOST_LANDING_S``) is re-judged when the aircraft is seen again, so that
where the batches are cut (whether a sweep ran inside the gap) changes nothing.

Real track: ``tests/data/cuts/calfire_a54127.json.gz``, the 17 rows of a54127 (N438DF) cut
unchanged from ``tests/data/traffic/calfire.json.gz`` (traffic package sample, OpenSky Network
data; MIT, OpenSky data terms: tests only; tests/data/PROVENANCE.md). At 00:23:16 UTC on
2020-09-08 it is 0.5 NM from KSTS at 1,100 ft (750 ft GNSS; KSTS 128 ft), 151 kt, -768 ft/min;
then 35 min of nothing; at 00:58:28 it is 7.3 NM north-west of KSTS at 2,400 ft, climbing
448 ft/min at 202 kt, moving away. Read by hand: an approach to or a pass over KSTS before the
gap; nothing after it points to KSTS (not on its surface, not in initial climb from it: 7 NM
out, 2,300 ft up). By the gap rules no airport is named. Before the fix, a sweep inside the gap
(the calfire replay at 512-record batches; a live feed) named a landing at KSTS ("short final")
and, when the aircraft came back, an unnamed takeoff; one batch holding the whole gap named
nothing.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from flyvakt.model import Event
from flyvakt.model.events import settled
from flyvakt.pipeline import PipelineState, advance, finish, flush, step
from flyvakt.runtime.replay import merged_batches, open_readers, replay_files
from flyvakt.runtime.setup import make_detector, tracker_config
from flyvakt.verify import Claim, evidence_from_replay, verify

DATA = Path(__file__).resolve().parents[2] / "data"
CUT = DATA / "cuts" / "calfire_a54127.json.gz"
GAP_START, GAP_END = "2020-09-08T00:23:16Z", "2020-09-08T00:58:28Z"
# A live feed's clock moves on while one aircraft is unseen (calfire: other aircraft's rows).
TICK_S = 60.0


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@cache
def _run(ticking: bool) -> tuple[list[Event], list[Event]]:
    """The cut through the pipeline: one batch, or one record per batch with the data clock
    ticking through every silence (the sweep runs inside the gap). Raw and settled events."""
    cfg, det, state = tracker_config(), make_detector(), PipelineState()
    batches = list(merged_batches(open_readers([str(CUT)], batch_size=1 if ticking else 65536)))
    events: list[Event] = []
    for batch in batches:
        if ticking:
            t = float(np.min(batch.time_s))
            clock, end = state.data_through_s + TICK_S, min(t, state.data_through_s + 3600.0)
            # Ticks through the first hour of each silence (the 5.8-day one needs no more).
            while clock < end:
                events += advance(state, clock, det)
                clock += TICK_S
        state, out = step(state, batch, cfg, det)
        events += out.events
    state, out = flush(state, cfg, det)
    events += out.events + finish(state, det)
    return events, settled(events)


def _key(e: Event) -> tuple[Any, ...]:
    return (e.time_s, e.type, e.reason)


def _in_gap(events: list[Event]) -> list[Event]:
    lo, hi = _ts(GAP_START), _ts(GAP_END)
    return [
        e
        for e in events
        if lo <= e.time_s <= hi and e.type in ("landing", "takeoff", "stopover", "touch_and_go")
    ]


def test_one_batch_names_nothing_across_the_gap() -> None:
    assert _in_gap(_run(False)[1]) == []


def test_a_sweep_inside_the_gap_gives_the_one_batch_events() -> None:
    raw, final = _run(True)
    # Live, the landing was said 20 min after the signal was lost, then withdrawn on regain.
    said = [e for e in raw if e.type == "landing" and e.time_iso == GAP_START]
    assert len(said) == 1 and said[0].airport is not None and said[0].airport.icao == "KSTS"
    (w,) = [e for e in raw if e.type == "landing_withdrawn"]
    assert w.time_iso == GAP_END and w.details["withdrawn"] == GAP_START
    assert w.details["gap"]["start"] == GAP_START and w.details["gap"]["end"] == GAP_END
    # What is finally said is the one-batch answer, field for field.
    assert _in_gap(final) == []
    one = sorted((e.to_json() for e in _run(False)[1]), key=str)
    assert sorted((e.to_json() for e in final), key=str) == one


def test_whole_calfire_same_at_512_and_65536() -> None:
    """The recording the difference was found in (sorted whole on read)."""
    path = str(DATA / "traffic" / "calfire.json.gz")
    a = [e.to_json() for e in replay_files([path], keep_positions=False).events]
    b = [e.to_json() for e in replay_files([path], keep_positions=False, batch_size=512).events]
    assert a == b
    assert not [e for e in b if e["icao24"] == "a54127" and e["type"] == "landing_withdrawn"]


def test_claim_inside_the_gap_is_unverifiable_naming_it() -> None:
    """Whatever the batches: a landing at KSTS at 00:40, inside the 35-min gap, is unverifiable
    and the verdict names the gap's two ends."""
    for ticking in (False, True):
        r = replay_files([str(CUT)], batch_size=1 if ticking else 65536)
        claim = Claim("aircraft", "a54127", "landed_at", "KSTS", _ts("2020-09-08T00:40Z"))
        out = verify(claim, evidence_from_replay(["a54127"], r.events, r.positions)).to_json()
        assert out["verdict"] == "unverifiable", out["summary"]
        (gap,) = out["evidence"]["coverage_gaps"]
        assert (gap["start"], gap["end"]) == (GAP_START, GAP_END)
        assert "00:23" in out["summary"] and "00:58" in out["summary"], out["summary"]


def test_the_withdrawal_reads_as_one_in_every_language() -> None:
    from flyvakt.i18n.bulletins import bulletin

    (w,) = [e for e in _run(True)[0] if e.type == "landing_withdrawn"]
    words = {"en": "is withdrawn", "nb": "er trukket tilbake", "nn": "er trekt tilbake"}
    for lang, said in words.items():
        text = bulletin(w, lang)
        assert said in text and "Santa Rosa" in text, text
