"""An aircraft flickering at the edge of coverage near an airport (inferred landing, withdrawn
when seen again, inferred again ...) is one alert and its withdrawal, not a stream.

SYNTHETIC cycles made from the real calfire a54127 events (the KSTS landing inferred at the
loss at 00:23:16 and withdrawn at 00:58:28, tests/unit/alerts/test_withdrawal.py), repeated
every 50 minutes as an aircraft at the edge of coverage would repeat them. `flyvakt run` on the
same shape of feed (the real approach copied 4 times, a far aircraft ticking the clock) sent 8
alerts before; 2 now."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from flyvakt.alerts import AlertManager, Rule
from flyvakt.alerts.flicker import HOLD_S, REPEAT_WINDOW_S
from flyvakt.model import Event
from tests.unit.alerts.test_withdrawal import _landing_and_withdrawal

CYCLE_S = 3000.0  # 50 min: loss, 20 min to the inference, seen again 35 min after the loss
RULE = Rule(when="landing_in", country="US", channels=("log",), name="us")


def _cycle(k: int, shift_s: float | None = None) -> tuple[Event, Event]:
    """Cycle ``k``: the real landing and withdrawal moved by k cycles (or ``shift_s``)."""
    landing, withdrawal = _landing_and_withdrawal()
    dt = k * CYCLE_S if shift_s is None else shift_s
    land = dataclasses.replace(landing, time_s=landing.time_s + dt)
    back = dataclasses.replace(
        withdrawal,
        time_s=withdrawal.time_s + dt,
        details={**withdrawal.details, "withdrawn": land.time_iso},
    )
    return land, back


def _manager() -> tuple[AlertManager, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    return AlertManager([RULE], "http://h/", sender=lambda c, p: sent.append(p)), sent


def _said(sent: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(p["event"]["type"], p["event"]["time"]) for p in sent]


def test_four_flicker_cycles_are_one_landing_and_its_withdrawal() -> None:
    mgr, sent = _manager()
    for k in range(4):
        land, back = _cycle(k)
        # the landing is said 20 min after the loss, the withdrawal when it is seen again
        mgr.submit([land], now_s=land.time_s + 1200.0)
        mgr.submit([back], now_s=back.time_s)
        mgr.submit([], now_s=back.time_s + 600.0)
    first, back0 = _cycle(0)
    assert _said(sent) == [("landing", first.time_iso), ("landing_withdrawn", back0.time_iso)]
    mgr.release_held()  # every repeat was withdrawn: nothing held to send at the stop
    assert len(sent) == 2


def test_a_repeat_that_stands_is_sent_when_due() -> None:
    mgr, sent = _manager()
    for k in range(2):
        land, back = _cycle(k)
        mgr.submit([land], now_s=land.time_s + 1200.0)
        mgr.submit([back], now_s=back.time_s)
    last, _ = _cycle(2)  # lost again and never seen again: it landed
    said_at = last.time_s + 1200.0
    mgr.submit([last], now_s=said_at)
    assert ("landing", last.time_iso) not in _said(sent)  # held
    mgr.submit([], now_s=said_at + HOLD_S - 1.0)
    assert ("landing", last.time_iso) not in _said(sent)
    mgr.submit([], now_s=said_at + HOLD_S)
    assert _said(sent)[-1] == ("landing", last.time_iso)  # sent: truth first
    assert len(sent) == 3


def test_a_held_repeat_is_sent_when_the_service_stops() -> None:
    mgr, sent = _manager()
    land, back = _cycle(0)
    mgr.submit([land])
    mgr.submit([back])
    again, _ = _cycle(1)
    assert mgr.submit([again]) == []
    assert [p["event"]["time"] for p in mgr.release_held()] == [again.time_iso]
    assert _said(sent)[-1] == ("landing", again.time_iso)


def test_a_landing_long_after_the_withdrawal_is_news_at_once() -> None:
    mgr, _sent = _manager()
    land, back = _cycle(0)
    mgr.submit([land])
    mgr.submit([back])
    later, _ = _cycle(0, shift_s=back.time_s - land.time_s + REPEAT_WINDOW_S + 60.0)
    assert [p["event"]["time"] for p in mgr.submit([later])] == [later.time_iso]


def test_another_rule_or_airport_is_not_held() -> None:
    """The hold is per rule, aircraft and place: a rule that never heard the withdrawal, or a
    landing at another airport, is sent at once."""
    other = Rule(when="landing_in", channels=("log",), name="any")
    sent: list[dict[str, Any]] = []
    mgr = AlertManager([RULE], "http://h/", sender=lambda c, p: sent.append(p))
    land, back = _cycle(0)
    mgr.submit([land])
    mgr.submit([back])
    mgr.rules = [RULE, other]
    again, _ = _cycle(1)
    assert [p["rule"] for p in mgr.submit([again])] == ["any"]
    elsewhere = dataclasses.replace(again, airport=None, candidates=("KHES",))
    assert [p["rule"] for p in mgr.submit([elsewhere], now_s=again.time_s)] == ["us", "any"]


def _hold_one(state: Path, sent: list[dict[str, Any]]) -> tuple[AlertManager, float]:
    """A manager with a state file that has sent cycle 0 (landing, withdrawal) and holds cycle
    1's landing; and the data time that landing was said."""
    mgr = AlertManager([RULE], "http://h/", sender=lambda c, p: sent.append(p), state_path=state)
    land, back = _cycle(0)
    mgr.submit([land], now_s=land.time_s + 1200.0)
    mgr.submit([back], now_s=back.time_s)
    again, _ = _cycle(1)
    said_at = again.time_s + 1200.0
    assert mgr.submit([again], now_s=said_at) == []  # held
    return mgr, said_at


def test_a_held_repeat_survives_a_crash(tmp_path: Path) -> None:
    """Held landings were in memory only: a kill while one was held lost that alert. With a
    state file they are written beside it (``<state>.held``), and the restarted service sends
    the held landing when it is due, once, with the same key (not again when read back)."""
    state = tmp_path / "alerts.state"
    mgr, said_at = _hold_one(state, [])
    again, _ = _cycle(1)
    assert mgr.flicker.held == 1 and (tmp_path / "alerts.state.held").exists()
    del mgr  # killed: no release_held()
    sent2: list[dict[str, Any]] = []
    mgr2 = AlertManager([RULE], "http://h/", sender=lambda c, p: sent2.append(p), state_path=state)
    assert mgr2.flicker.held == 1
    mgr2.submit([], now_s=said_at + HOLD_S - 1.0)
    assert sent2 == []  # not due yet
    mgr2.submit([], now_s=said_at + HOLD_S)
    assert _said(sent2) == [("landing", again.time_iso)]
    assert again.airport is not None and sent2[0]["event"]["airport"]["icao"] == again.airport.icao
    assert mgr2.flicker.held == 0
    assert (tmp_path / "alerts.state.held").read_text() == ""
    # Read back again (a feed's backlog after the restart): raised already, not sent twice.
    mgr3 = AlertManager([RULE], "http://h/", sender=lambda c, p: sent2.append(p), state_path=state)
    mgr3.submit([again], now_s=said_at + HOLD_S + 5.0)
    assert len(sent2) == 1 and mgr3.flicker.held == 0


def test_a_held_repeat_withdrawn_after_the_restart_is_never_sent(tmp_path: Path) -> None:
    state = tmp_path / "alerts.state"
    sent: list[dict[str, Any]] = []
    _hold_one(state, sent)
    _, back1 = _cycle(1)
    mgr2 = AlertManager([RULE], "http://h/", sender=lambda c, p: sent.append(p), state_path=state)
    mgr2.submit([back1], now_s=back1.time_s)
    mgr2.release_held()
    assert len(sent) == 2 and mgr2.flicker.held == 0
