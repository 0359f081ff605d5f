"""Alert rules: loading, the pure matcher on real events, dedupe, the map link."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyvakt.alerts import AlertManager, AlertRuleError, Rule, load_rules, map_link, match
from flyvakt.alerts.rules import gap_minutes
from flyvakt.cli.replay import bundled_sample
from flyvakt.model import Event
from flyvakt.runtime.replay import replay_files


@pytest.fixture(scope="module")
def real_events() -> list[Event]:
    """Takeoff at LFPG and landing at LFBO of AFR34ZG, 2024-07-06 (bundled real recording)."""
    res = replay_files([bundled_sample()], keep_positions=False)
    assert [e.type for e in res.events] == ["takeoff", "landing"]
    return res.events


def test_landing_in_country(real_events: list[Event]) -> None:
    takeoff, landing = real_events
    fr = Rule(when="landing_in", country="fr", channels=("stdout",))
    kp = Rule(when="landing_in", country="KP", channels=("stdout",))
    assert match(fr, landing) and not match(fr, takeoff)
    assert not match(kp, landing)
    in_fleet = Rule(when="landing_in", country="FR", fleet="ru-gov", channels=("stdout",))
    assert not match(in_fleet, landing)  # AFR34ZG is in no fleet


def test_emergency_and_silence() -> None:
    # Synthetic (labelled): the bundled recording has no emergency squawk and no long gap.
    sq = Event(type="emergency_squawk", icao24="4ca123", time_s=1.7e9, details={"squawk": "7700"})
    rule = Rule(when="emergency", channels=("stdout",))
    assert match(rule, sq)
    gap = {"gap": {"start": "2024-07-06T06:00:00Z", "end": "2024-07-06T07:30:00Z"}}
    back = Event(type="signal_regained", icao24="4ca123", time_s=1.7e9, details=gap)
    assert gap_minutes(back) == 90.0
    assert match(Rule(when="seen_after_silence", silence_min=60, channels=("log",)), back)
    assert not match(Rule(when="seen_after_silence", silence_min=120, channels=("log",)), back)
    fleet_ev = Event(type="fleet_landed", icao24="15770c", time_s=1.7e9, fleet=["ru-gov"])
    assert match(Rule(when="fleet_event", fleet="ru-gov", channels=("stdout",)), fleet_ev)
    assert not match(Rule(when="fleet_event", fleet="other", channels=("stdout",)), fleet_ev)
    assert not match(Rule(when="emergency", channels=("stdout",)), fleet_ev)


def test_load_rules(tmp_path: Path) -> None:
    p = tmp_path / "rules.toml"
    p.write_text(
        '[[alerts]]\nwhen = "landing_in"\ncountry = "kp"\nfleet = "ru-gov"\n'
        'channels = ["stdout", "webhook:http://127.0.0.1:9/hook"]\n'
        '[[alerts]]\nwhen = "seen_after_silence"\nsilence_min = 30\n',
        encoding="utf-8",
    )
    a, b = load_rules(p)
    assert (a.when, a.country, a.fleet) == ("landing_in", "KP", "ru-gov")
    assert a.channels == ("stdout", "webhook:http://127.0.0.1:9/hook")
    assert (b.when, b.silence_min, b.channels) == ("seen_after_silence", 30.0, ("stdout",))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('when = "apprise_me"', "'when' must be one of"),
        ('when = "emergency"\nchannels = ["apprise:ntfy://topic"]', "optional 'apprise' package"),
        ('when = "emergency"\nchannels = ["webhook:ftp://x"]', "http(s) URL"),
        ('when = "emergency"\nchannels = ["pager"]', "unknown channel"),
        ('when = "landing_in"', "needs a 'country'"),
    ],
)
def test_bad_rules_rejected_at_load(tmp_path: Path, body: str, message: str) -> None:
    p = tmp_path / "rules.toml"
    p.write_text(f"[[alerts]]\n{body}\n", encoding="utf-8")
    with pytest.raises(AlertRuleError, match=r"rules\.toml: alert rule 1") as exc:
        load_rules(p)
    assert message in str(exc.value)


def test_each_alert_once_with_evidence_and_link(real_events: list[Event]) -> None:
    sent: list[tuple[str, dict[str, object]]] = []
    rule = Rule(when="landing_in", country="FR", channels=("stdout", "log"), name="fr")
    mgr = AlertManager([rule], "http://127.0.0.1:8090/", sender=lambda c, p: sent.append((c, p)))
    first = mgr.submit(real_events)
    again = mgr.submit(real_events)  # a restart replaying the same data must not re-alert
    assert len(first) == 1 and again == []
    assert [c for c, _ in sent] == ["stdout", "log"]
    payload = first[0]
    assert payload["event"] == real_events[1].to_json()  # the evidence
    assert payload["map"] == "http://127.0.0.1:8090/#t=2024-07-06T07:58:42Z&icao24=393322"
    assert map_link("http://h:1", real_events[1]) == payload["map"].replace(
        "127.0.0.1:8090/", "h:1/"
    )
    assert mgr.sent == {"stdout": 1, "log": 1}


def test_no_second_alert_after_restart(real_events: list[Event], tmp_path: Path) -> None:
    state = tmp_path / "flyvakt.db.alerts-sent"
    rule = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr")
    sent: list[str] = []
    first = AlertManager([rule], "http://h/", sender=lambda c, p: sent.append(c), state_path=state)
    assert len(first.submit(real_events)) == 1
    again = AlertManager([rule], "http://h/", sender=lambda c, p: sent.append(c), state_path=state)
    assert again.submit(real_events) == [] and sent == ["stdout"]
    other = Rule(when="landing_in", country="FR", channels=("stdout",), name="other rule")
    third = AlertManager([other], "http://h/", sender=lambda c, p: sent.append(c), state_path=state)
    assert len(third.submit(real_events)) == 1  # the key is per rule


def test_landings_at_two_airports_at_one_moment_are_two_alerts(
    real_events: list[Event], tmp_path: Path
) -> None:
    """The real LFBO landing of AFR34ZG, and the same aircraft and moment at Toulouse's other
    airport (LFBF; the copy is synthetic): before session 10 the key (rule, type, aircraft,
    time) collapsed them into one alert. Also an unnamed landing with its candidates."""
    import dataclasses

    from flyvakt.geo import get_world

    landing = real_events[1]
    assert landing.airport is not None and landing.airport.icao == "LFBO"
    lfbf = get_world().airport("LFBF")
    assert lfbf is not None and lfbf.country == "FR"
    elsewhere = dataclasses.replace(landing, airport=lfbf)
    somewhere = dataclasses.replace(landing, airport=None, country="FR", candidates=["LFBF"])
    rule = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr")
    state = tmp_path / "flyvakt.db.alerts-sent"
    mgr = AlertManager([rule], "http://h/", sender=lambda c, p: None, state_path=state)
    raised = mgr.submit([landing, elsewhere, somewhere, elsewhere])
    airports = [p["event"]["airport"] and p["event"]["airport"]["icao"] for p in raised]
    assert airports == ["LFBO", "LFBF", None]
    again = AlertManager([rule], "http://h/", sender=lambda c, p: None, state_path=state)
    assert again.submit([somewhere, elsewhere, landing]) == []


def test_alerts_raised_by_an_older_version_are_not_raised_again(
    real_events: list[Event], tmp_path: Path
) -> None:
    """A state file written before the key carried the place (rule, type, aircraft, time): the
    same landing read again after the upgrade must not alert a second time."""
    import json

    landing = real_events[1]
    state = tmp_path / "flyvakt.db.alerts-sent"
    old_key = json.dumps(["fr", "landing", landing.icao24, round(landing.time_s, 3)])
    state.write_text(old_key + "\n", encoding="utf-8")
    rule = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr")
    mgr = AlertManager([rule], "http://h/", sender=lambda c, p: None, state_path=state)
    assert mgr.submit([landing]) == []


def test_stdout_alert_says_when_the_event_was_not_observed(real_events: list[Event]) -> None:
    import dataclasses
    import io

    from flyvakt.alerts.sinks import send_stdout

    landing = real_events[1]
    lines = []
    for ev in (landing, dataclasses.replace(landing, basis="inferred")):
        out = io.StringIO()
        send_stdout({"rule": "fr", "event": ev.to_json(), "map": "http://h/"}, out)
        lines.append(out.getvalue())
    assert lines[0].startswith("ALERT [fr] landing 393322 AFR34ZG") and "observed" not in lines[0]
    assert lines[1].startswith("ALERT [fr] landing (inferred, not observed) 393322 AFR34ZG")


def _inferred_landing(candidates: list[str], **details: object) -> Event:
    # As the detector writes a landing inferred when the signal is lost low near airports: no
    # airport named, no country, the candidates within reach (the reconstruction's Pyongyang).
    return Event(type="landing", icao24="157711", time_s=1.7e9, basis="inferred",
                 candidates=candidates, fleet=["ru-gov"], details=details)  # fmt: skip


def test_landing_in_country_of_an_inferred_landing_whose_candidates_lie_there() -> None:
    # The README's own rule (landing_in KP, ru-gov) said nothing when the three aircraft were
    # inferred to land at Pyongyang: the events name no airport (not observed), but every
    # airport within reach is in North Korea. The alert line still says "inferred".
    rule = Rule(when="landing_in", fleet="ru-gov", country="KP", channels=("log",))
    assert match(rule, _inferred_landing(["ZKPY"], candidates_within_nm=10.0))
    # Not when the airports within reach lie in two countries (ZYTL: Dalian, China), when the
    # list is only a ranking (no candidates_within_nm: across a gap), or names no airport known.
    assert not match(rule, _inferred_landing(["ZKPY", "ZYTL"], candidates_within_nm=10.0))
    assert not match(rule, _inferred_landing(["ZKPY"]))
    assert not match(rule, _inferred_landing(["ZKPY", "XXXX"], candidates_within_nm=10.0))
    assert match(Rule(when="landing_in", country="CN", channels=("log",)),
                 _inferred_landing(["ZYTL"], candidates_within_nm=10.0))  # fmt: skip
