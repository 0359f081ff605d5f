"""Issue 10 item 7: an alert is marked sent only after delivery and retried until then, also
across restarts (it used to be marked sent first and lost after ~7.5 s of webhook failures).

Real events: the AFR34ZG landing at LFBO from the bundled recording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flyvakt.alerts import AlertManager, Rule
from flyvakt.cli.replay import bundled_sample
from flyvakt.model import Event
from flyvakt.runtime.replay import replay_files

RULE = Rule(
    when="landing_in", country="FR", channels=("webhook:http://127.0.0.1:9/hook",), name="fr"
)


@pytest.fixture(scope="module")
def real_events() -> list[Event]:
    return replay_files([bundled_sample()]).events


class Webhook:
    """A channel that is down for the first ``down`` attempts."""

    def __init__(self, down: int) -> None:
        self.down = down
        self.attempts = 0
        self.delivered: list[dict[str, Any]] = []

    def __call__(self, channel: str, payload: dict[str, Any]) -> None:
        self.attempts += 1
        if self.attempts <= self.down:
            raise OSError("connection refused")
        self.delivered.append(payload)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_failed_delivery_is_retried_until_it_succeeds(
    real_events: list[Event], tmp_path: Path
) -> None:
    hook, clock = Webhook(down=4), Clock()
    mgr = AlertManager([RULE], "http://h/", sender=hook, state_path=tmp_path / "s", clock=clock)
    assert len(mgr.submit(real_events)) == 1
    assert hook.delivered == [] and mgr.pending == 1  # failed, not forgotten
    for _ in range(20):  # an hour of the engine's status ticks
        clock.t += 180.0
        mgr.retry_due()
    assert len(hook.delivered) == 1 and mgr.pending == 0
    assert hook.attempts == 5  # retried with backoff, then never again
    assert mgr.sent == {"webhook": 1} and mgr.failed == {"webhook": 4}


def test_pending_alert_is_delivered_after_a_restart(
    real_events: list[Event], tmp_path: Path
) -> None:
    state = tmp_path / "flyvakt.db.alerts-sent"
    down = Webhook(down=10**6)
    first = AlertManager([RULE], "http://h/", sender=down, state_path=state, clock=Clock())
    assert len(first.submit(real_events)) == 1 and first.pending == 1
    # (the process dies here: nothing was delivered)
    up = Webhook(down=0)
    again = AlertManager([RULE], "http://h/", sender=up, state_path=state, clock=Clock())
    assert again.submit(real_events) == []  # not raised twice...
    assert again.retry_due() == 1  # ...but delivered: pending deliveries survive a restart
    assert [p["event"]["airport"]["icao"] for p in up.delivered] == ["LFBO"]
    third = AlertManager([RULE], "http://h/", sender=up, state_path=state, clock=Clock())
    assert third.retry_due() == 0 and len(up.delivered) == 1  # marked sent: once only


def test_a_torn_outbox_line_loses_nothing_else(real_events: list[Event], tmp_path: Path) -> None:
    state = tmp_path / "s"
    first = AlertManager(
        [RULE], "http://h/", sender=Webhook(10**6), state_path=state, clock=Clock()
    )
    first.submit(real_events)
    with open(f"{state}.outbox", "a", encoding="utf-8") as fh:
        fh.write('{"op": "sent", "id": ')  # a crash in the middle of a write
    up = Webhook(0)
    again = AlertManager([RULE], "http://h/", sender=up, state_path=state, clock=Clock())
    assert again.retry_due() == 1 and len(up.delivered) == 1
    lines = Path(f"{state}.outbox").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["op"] == "sent"


def test_a_kill_between_queueing_and_the_state_file_raises_nothing_twice(
    real_events: list[Event], tmp_path: Path
) -> None:
    """`run --from` killed after an alert was queued but before its key reached the state
    file: the restart delivers the queued one and, when the event is read again from the
    topics (it was after the consumer's checkpoint), does not raise it a second time."""
    state = tmp_path / "flyvakt.db.alerts-sent"
    first = AlertManager([RULE], "http://h/", sender=Webhook(10**6), state_path=state)
    assert len(first.submit(real_events)) == 1
    state.write_text("")  # the kill came before the key was appended
    up = Webhook(0)
    again = AlertManager([RULE], "http://h/", sender=up, state_path=state, clock=Clock())
    assert again.retry_due() == 1 and len(up.delivered) == 1
    assert again.submit(real_events) == [] and len(up.delivered) == 1
