"""The signal-lost sweep's shortcuts (detect/sweep.py) change no event and no state, on a burst
like the benchmark's: many aircraft heard for a while, then lost in one sweep. And the test can
fail: with the shortcut's invariant broken, the events differ.

The burst is built from real recordings (AFR34ZG from the gate to cruise; the KWVI circuits
with touch-and-goes; the fire-fighters over California), as bench_pipeline's corpus is: each
virtual aircraft hears its own 90-s slice of a real track, all slices shifted to end within the
same few seconds, so that one sweep finds them all lost: at cruise, on the ground, climbing out
near a field, descending towards one, some with a phase flip pending."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flyvakt.detect import coverage as C
from flyvakt.detect import rules as R
from flyvakt.detect import sweep as S
from flyvakt.detect.detector import finish, step
from flyvakt.detect.state import AircraftState, DetectorState
from flyvakt.geo import get_world
from flyvakt.geo.world import World
from flyvakt.model import Event, PositionBatch
from flyvakt.runtime.replay import replay_files

DATA = Path(__file__).resolve().parents[2] / "data"
RECORDINGS = [
    "traffic/full_flight_short.jsonl.gz",
    "real-ga/kwvi1213_a81c98.csv.gz",
    "traffic/calfire.json.gz",
]
SLICE_S = 90.0  # each virtual aircraft's slice of a real track
PER_TRACK = 60  # virtual aircraft per real track (slices spread over it)


def _burst() -> PositionBatch:
    """Virtual aircraft, each a slice of a real track, re-addressed, all ending at t = 0 ± 5 s."""
    rng = np.random.default_rng(11)
    parts: list[PositionBatch] = []
    addr = 0x100000
    for name in RECORDINGS:
        p = replay_files([str(DATA / name)], keep_positions=True, detect=False).positions
        for a in np.unique(p.icao24).tolist():
            rows = np.flatnonzero(p.icao24 == a)
            t = p.time_s[rows]
            # Slices spread over the track, and slices ending just after each change of the
            # ground flag (lost with a phase flip pending).
            flips = t[1:][np.diff(p.on_ground[rows]) != 0]
            ends = [*np.linspace(t[0] + SLICE_S, t[-1], PER_TRACK).tolist()]
            ends += [f + d for f in flips.tolist() for d in (0.5, 2.0, 5.0, 10.0)]
            for end in ends:
                part = p.take(rows[(t > end - SLICE_S) & (t <= end)])
                if len(part) == 0:
                    continue
                part.time_s = part.time_s - end + float(rng.uniform(-5.0, 5.0))
                part.icao24 = np.full(len(part), addr, part.icao24.dtype)
                parts.append(part)
                addr += 1
    burst = PositionBatch.concat(parts)
    burst = burst.take(np.lexsort((burst.time_s, burst.icao24)))
    burst.time_s = burst.time_s + 1.7e9  # a real epoch (the world's time zones do not care)
    return burst


BURST: list[PositionBatch] = []


def _events() -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The burst in one step, then the sweeps: the one that finds every aircraft lost, and the
    one after LOST_LANDING_S that infers the landings of those lost on an approach; then the
    end of data. The events, and each aircraft's state at the end (as text)."""
    if not BURST:
        BURST.append(_burst())
    p = BURST[0]
    world = get_world()
    end = float(p.time_s.max())
    state, out = step(DetectorState(), p, end, world)
    for now in (end + R.SIGNAL_LOST_S + 10.0, end + R.SIGNAL_LOST_S + R.LOST_LANDING_S + 20.0):
        state, more = step(state, PositionBatch.empty(0), now, world)
        out += more
    out += finish(state, end + 2 * R.LOST_LANDING_S, world)
    # The plain path leaves a state's last fix behind the recorded one (whatever reads it next
    # brings it up first: detect/sweep.py): compared as such a reader sees them.
    lf = state.lastfix
    for a, st in state.aircraft.items():
        S.refresh(st, lf.values(lf.index[a]))
    states = {a: repr(st) for a, st in state.aircraft.items()}
    return [e.to_json() for e in out], states


def _tz_one_by_one(w: World, lats: Any, lons: Any) -> list[str]:
    return [w.tz_at(a, o) for a, o in zip(lats.tolist(), lons.tolist(), strict=True)]


def _lost_by_the_rule(
    rule: C.CoverageRule, ctx: Any, st: Any, last: Any, out: list[Any], tz: str, *, icao: str
) -> bool:
    return rule.lost(ctx, st, last, out)  # the sweep asks only with a field within reach


@contextmanager
def _by_the_rules() -> Iterator[None]:
    """Every lost aircraft through CoverageRule.lost, its last fix brought up first, every
    airport searched and every time zone looked up alone: the sweep without its shortcuts."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(S, "PLAIN", False)
        m.setattr(S, "field_near", lambda ctx, lf, rows: (np.ones(len(rows), np.bool_),) * 2)
        m.setattr(World, "tz_many", _tz_one_by_one)
        m.setattr(C.CoverageRule, "says_nothing_more", lambda *a, **k: False)
        m.setattr(C.CoverageRule, "lost_unflipped", _lost_by_the_rule)
        m.setattr(C, "_within_reach", lambda ctx, fx: True)
        yield


def _taken(m: pytest.MonkeyPatch) -> dict[str, int]:
    """How many lost aircraft each shortcut took (counted while the sweep runs)."""
    taken = {"plain": 0, "unflipped": 0, "lost": 0, "landing pending": 0}
    plain, unflipped, lost = (
        C.CoverageRule.lost_plainly, C.CoverageRule.lost_unflipped, C.CoverageRule.lost
    )  # fmt: skip

    def count_plain(self: C.CoverageRule, *a: Any) -> Any:
        taken["plain"] += 1
        return plain(self, *a)

    def count_unflipped(self: C.CoverageRule, *a: Any, **k: Any) -> bool:
        taken["unflipped"] += 1
        lands = unflipped(self, *a, **k)
        taken["landing pending"] += lands
        return lands

    def count_lost(self: C.CoverageRule, *a: Any, **k: Any) -> bool:
        taken["lost"] += 1
        return lost(self, *a, **k)

    m.setattr(C.CoverageRule, "lost_plainly", count_plain)
    m.setattr(C.CoverageRule, "lost_unflipped", count_unflipped)
    m.setattr(C.CoverageRule, "lost", count_lost)
    return taken


def test_the_sweeps_shortcuts_change_no_event_on_a_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _taken(monkeypatch)
    fast, fast_states = _events()
    monkeypatch.undo()
    with _by_the_rules():
        slow, slow_states = _events()
    lost = [e for e in fast if e["type"] == "signal_lost"]
    # The burst exercises every path: many lost plainly, many near a field with no flip
    # pending, some through the rule itself (a flip pending), landings inferred after a loss
    # on an approach.
    assert len(lost) > 300, len(lost)
    assert taken["plain"] > 100 and taken["unflipped"] > 20 and taken["lost"] > 0, taken
    assert taken["landing pending"] > 0, taken
    landings = [e.get("details", {}) for e in fast if e["type"] == "landing"]
    assert any("signal_lost_after" in d for d in landings)  # inferred after a loss
    assert fast == slow
    assert fast_states == slow_states


@pytest.mark.parametrize("broken", ["flip ignored", "reach ignored"])
def test_a_broken_invariant_moves_events(broken: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The equality above can fail: the plain path taken where its invariant does not hold
    # (CoverageRule.says_nothing_more: no flip pending, and committed on the ground or no
    # landing within reach) gives other events than the rules.
    with _by_the_rules():
        slow = _events()[0]
    if broken == "flip ignored":
        says = lambda self, st, quiet: bool(st.ground) or quiet  # noqa: E731
    else:
        says = lambda self, st, quiet: st.flip_start is None  # noqa: E731
    monkeypatch.setattr(C.CoverageRule, "says_nothing_more", says)
    fast = _events()[0]
    assert fast != slow


@pytest.mark.parametrize("alt_ft", [3_250.0, float("nan")])
def test_lost_plainly_makes_the_event_that_event_makes(alt_ft: float) -> None:
    # lost_plainly fills an Event's slots itself (no __init__): every field must be set, to
    # what the class call gives (a slot it forgot would raise on reading; a new Event field
    # not stored there fails here).
    st = AircraftState(0x4CA123, callsign="EIN12")
    ev = C.CoverageRule().lost_plainly(st, "4ca123", 1.7e9, 53.4, -6.2, alt_ft, False, "UTC")
    want = Event(
        "signal_lost", "4ca123", 1.7e9, "EIN12", None, None, "observed", 0.95, C._LOST_WHY,
        (), 53.4, -6.2, None if alt_ft != alt_ft else alt_ft, "UTC", (), {"on_ground": False},
    )  # fmt: skip
    assert {f.name: getattr(ev, f.name) for f in fields(Event)} == asdict(want)
    assert ev == want and type(ev) is Event
    assert st.lost and not st.landing_pending
