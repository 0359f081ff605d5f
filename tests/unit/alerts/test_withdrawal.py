"""#9: a landing alert already sent ("landed at KSTS") is followed by a withdrawal alert, on
every channel of every rule that sent it, saying in words (en/nb/nn) when the landing was
reported, that it was inferred, and why it is withdrawn. Real events: calfire a54127 at one
record per batch (tests/data/cuts/calfire_a54127.json.gz): the KSTS landing inferred 20 min
after the signal was lost, withdrawn when the aircraft was seen again at 00:58."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flyvakt.alerts import AlertManager, Rule
from flyvakt.alerts.sinks import send_stdout
from flyvakt.model import Event
from tests.unit.detect.test_gap_rejudge import _run


def _landing_and_withdrawal() -> tuple[Event, Event]:
    raw, _ = _run(True)
    (landing,) = [e for e in raw if e.type == "landing" and e.airport is not None]
    (withdrawal,) = [e for e in raw if e.type == "landing_withdrawn"]
    assert landing.details.get("signal_lost_after") and landing.airport.icao == "KSTS"
    return landing, withdrawal


def test_the_withdrawal_goes_to_every_channel_that_said_the_landing(tmp_path: Path) -> None:
    landing, withdrawal = _landing_and_withdrawal()
    sent: list[tuple[str, dict[str, Any]]] = []
    us = Rule(when="landing_in", country="US", channels=("stdout", "log"), name="us")
    fr = Rule(when="landing_in", country="FR", channels=("log",), name="fr")
    sq = Rule(when="emergency", channels=("log",), name="squawk")
    state = tmp_path / "flyvakt.db.alerts-sent"

    def manager() -> AlertManager:
        return AlertManager(
            [us, fr, sq], "http://h/", sender=lambda c, p: sent.append((c, p)), state_path=state
        )

    assert [p["rule"] for p in manager().submit([landing])] == ["us"]
    again = manager()  # a restart between the landing and the withdrawal: still followed up
    out = again.submit([withdrawal])
    assert [p["rule"] for p in out] == ["us"]
    assert [c for c, p in sent if p["event"]["type"] == "landing_withdrawn"] == ["stdout", "log"]
    assert out[0]["event"]["details"]["withdrawn"] == landing.time_iso
    text = out[0]["text"]
    said = {"en": "is withdrawn", "nb": "er trukket tilbake", "nn": "er trekt tilbake"}
    inferred = {"en": "was inferred", "nb": "var utledet", "nn": "var utleidd"}
    reported = {
        "en": "reported at 17:23 local time",
        "nb": "meldt kl. 17.23",
        "nn": "meld kl. 17.23",
    }
    for lang in ("en", "nb", "nn"):
        for words in (said, inferred, reported):
            assert words[lang] in text[lang], text[lang]
        assert "35 minut" in text[lang] and "Santa Rosa" in text[lang], text[lang]
    assert again.submit([withdrawal]) == [] and manager().submit([withdrawal]) == []
    line = io.StringIO()
    send_stdout(out[0], line)
    assert "landing_withdrawn" in line.getvalue() and text["en"] in line.getvalue()


def test_a_withdrawal_of_a_landing_no_rule_said_is_silent() -> None:
    landing, withdrawal = _landing_and_withdrawal()
    sent: list[str] = []
    us = Rule(when="landing_in", country="US", channels=("stdout",), name="us")
    mgr = AlertManager([us], "http://h/", sender=lambda c, p: sent.append(c))
    assert mgr.submit([withdrawal]) == [] and sent == []
    fr = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr")
    other = AlertManager([fr], "http://h/", sender=lambda c, p: sent.append(c))
    assert other.submit([landing, withdrawal]) == [] and sent == []
