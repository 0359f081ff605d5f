"""Ordinary alerts (landing, emergency, silence, fleet events) say what happened in words, in
en/nb/nn, as withdrawals did (session 11); the rule's ``lang`` picks what stdout and apprise
say. Real events: AFR34ZG's takeoff at LFPG and landing at LFBO, 2024-07-06 (bundled)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest

from flyvakt.alerts import AlertManager, AlertRuleError, Rule, load_rules
from flyvakt.alerts.sinks import send_stdout
from flyvakt.cli.replay import bundled_sample
from flyvakt.model import Event
from flyvakt.runtime.replay import replay_files

# Toulouse's clock and Oslo's read the same: the time once, not "09:58 local time (09:58
# Norwegian time)" (session 15).
LANDED = {
    "en": "AFR34ZG (393322) landed in Toulouse at 09:58 Norwegian time.",
    "nb": "AFR34ZG (393322) landet i Toulouse kl. 09.58 norsk tid.",
    "nn": "AFR34ZG (393322) landa i Toulouse kl. 09.58 norsk tid.",
}


@pytest.fixture(scope="module")
def landing() -> Event:
    res = replay_files([bundled_sample()], keep_positions=False)
    (ev,) = [e for e in res.events if e.type == "landing"]
    return ev


def _alerts(rule: Rule, events: list[Event]) -> list[dict[str, Any]]:
    return AlertManager([rule], "http://h/", sender=lambda c, p: None).submit(events)


def test_a_landing_alert_says_it_in_three_languages(landing: Event) -> None:
    (payload,) = _alerts(Rule(when="landing_in", country="FR", channels=("log",)), [landing])
    assert payload["text"] == LANDED and payload["lang"] == "en"


def test_an_inferred_landing_says_so_in_every_language(landing: Event) -> None:
    inferred = dataclasses.replace(landing, basis="inferred")
    (payload,) = _alerts(Rule(when="landing_in", country="FR", channels=("log",)), [inferred])
    said = {"en": "inferred, not observed", "nb": "utledet, ikke observert",
            "nn": "utleidd, ikkje observert"}  # fmt: skip
    for lang, words in said.items():
        assert words in payload["text"][lang], payload["text"][lang]


def test_an_emergency_alert_in_three_languages(landing: Event) -> None:
    squawk = dataclasses.replace(landing, type="emergency_squawk", details={"squawk": "7700"})
    (payload,) = _alerts(Rule(when="emergency", channels=("log",)), [squawk])
    assert "code 7700 (general emergency)" in payload["text"]["en"]
    assert "kode 7700 (nødsituasjon)" in payload["text"]["nb"]
    assert "kode 7700 (naudsituasjon)" in payload["text"]["nn"]


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_stdout_says_the_rules_language(landing: Event, lang: str) -> None:
    rule = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr", lang=lang)
    (payload,) = _alerts(rule, [landing])
    out = io.StringIO()
    send_stdout(payload, out)
    line = out.getvalue().strip()
    assert line.startswith("ALERT [fr] landing 393322 AFR34ZG") and line.endswith(LANDED[lang])


def test_lang_is_read_from_the_rules_file_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "rules.toml"
    good.write_text('[[alerts]]\nwhen = "emergency"\nlang = "nn"\n', encoding="utf-8")
    (rule,) = load_rules(good)
    assert rule.lang == "nn" and "lang" not in rule.extra
    default = tmp_path / "default.toml"
    default.write_text('[[alerts]]\nwhen = "emergency"\n', encoding="utf-8")
    assert load_rules(default)[0].lang == "en"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[alerts]]\nwhen = "emergency"\nlang = "de"\n', encoding="utf-8")
    with pytest.raises(AlertRuleError, match="'lang' must be one of en, nb, nn"):
        load_rules(bad)


def test_a_withdrawal_says_it_in_the_rules_language_too() -> None:
    from tests.unit.alerts.test_withdrawal import _landing_and_withdrawal

    landing, withdrawal = _landing_and_withdrawal()
    rule = Rule(when="landing_in", country="US", channels=("stdout",), name="us", lang="nn")
    mgr = AlertManager([rule], "http://h/", sender=lambda c, p: None)
    (said,) = mgr.submit([landing])
    (back,) = mgr.submit([withdrawal])
    assert said["lang"] == back["lang"] == "nn"
    out = io.StringIO()
    send_stdout(back, out)
    assert out.getvalue().strip().endswith(back["text"]["nn"])
    assert "er trekt tilbake" in back["text"]["nn"]


def test_a_fleet_alert_names_the_fleet_in_words_not_by_its_id() -> None:
    # `flyvakt run --rules` said "Det første flyet i flåten ru-gov letta frå Moskva" while the
    # timeline, from the same fleets file, says "i den russiske presidentflyflåten".
    from flyvakt.fleets import example_fleets_path, load_fleets

    registry = load_fleets(example_fleets_path())
    names = {lang: registry.names(lang) for lang in ("en", "nb", "nn")}
    departed = Event(type="fleet_departed", icao24="157711", time_s=1718670361.0,
                     fleet=["ru-gov"], details={"count": 1})  # fmt: skip
    rule = Rule(when="fleet_event", fleet="ru-gov", channels=("log",))
    manager = AlertManager([rule], "http://h/", sender=lambda c, p: None, fleet_names=names)
    (payload,) = manager.submit([departed])
    for lang in ("en", "nb", "nn"):
        assert names[lang]["ru-gov"] in payload["text"][lang], payload["text"][lang]
        assert "ru-gov" not in payload["text"][lang]


@pytest.mark.parametrize(
    ("lang", "mark"),
    [
        ("en", "landing (inferred, not observed) 393322"),
        ("nb", "landing (utledet, ikke observert) 393322"),
        ("nn", "landing (utleidd, ikkje observert) 393322"),
    ],
)
def test_the_not_observed_mark_on_stdout_is_in_the_rules_language(
    landing: Event, lang: str, mark: str
) -> None:
    """A nb/nn rule's stdout line said "(inferred, not observed)" in English before its
    Norwegian sentence; the line's fixed tokens (ALERT, rule, type, address) stay as they are."""
    inferred = dataclasses.replace(landing, basis="inferred")
    rule = Rule(when="landing_in", country="FR", channels=("stdout",), name="fr", lang=lang)
    (payload,) = _alerts(rule, [inferred])
    out = io.StringIO()
    send_stdout(payload, out)
    line = out.getvalue().strip()
    assert line.startswith(f"ALERT [fr] {mark}"), line
    if lang != "en":
        assert "not observed" not in line and "inferred" not in line


def test_a_rules_tz_is_the_readers_zone_in_its_texts(landing: Event, tmp_path: Path) -> None:
    """A rule for a reader in New York: the texts give New York's clock beside the place's, not
    Oslo's (the bulletins' default, kept when the rule names no zone)."""
    f = tmp_path / "r.toml"
    f.write_text('[[alerts]]\nwhen = "landing_in"\ncountry = "FR"\ntz = "America/New_York"\n')
    (rule,) = load_rules(f)
    assert rule.tz == "America/New_York"
    (payload,) = _alerts(rule, [landing])
    assert payload["text"]["en"].startswith("AFR34ZG (393322) landed in Toulouse at 09:58 local")
    assert "03:58" in payload["text"]["en"] and "Norwegian" not in payload["text"]["en"]
    assert "03.58" in payload["text"]["nb"] and "norsk tid" not in payload["text"]["nb"]
    (default,) = _alerts(dataclasses.replace(rule, tz=None), [landing])
    assert default["text"] == LANDED


def test_a_rules_tz_must_be_a_zone(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text('[[alerts]]\nwhen = "emergency"\ntz = "Norway/Oslo"\n')
    with pytest.raises(AlertRuleError, match=r"'tz' must be an IANA time zone.*Norway/Oslo"):
        load_rules(f)
