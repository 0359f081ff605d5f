"""#9: a member landing withdrawn undoes that member's landing in its wave, and a
``fleet_landed`` already said because of it is withdrawn (``fleet_landed_withdrawn``); the
settled fleet events do not depend on where the batches were cut.

The member events are real: calfire a54127 (tests/data/cuts/calfire_a54127.json.gz, as
tests/unit/detect/test_gap_rejudge.py runs it), in one batch and at one record per batch with
the data clock ticking through the gap, where a landing at KSTS is inferred 20 min after the
signal was lost at 00:23:16 and withdrawn when the aircraft is seen again at 00:58:28. The wave
is synthetic (labelled): a fleet of a54127 and a second, made-up aircraft (a5ffff), both
taking off from KSTS, the second landing there at 00:10 (the recording has no takeoff of it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tests.unit.detect.test_gap_rejudge import DATA, _run

from flyvakt.alerts import AlertManager, Rule
from flyvakt.checkpoint import decode_fleets, encode_fleets
from flyvakt.fleets.events import FleetState, step
from flyvakt.fleets.registry import parse_fleets
from flyvakt.geo import get_world
from flyvakt.model.events import Event, settled
from flyvakt.runtime.replay import replay_files

WAVE_TYPES = ("fleet_departed", "fleet_landed", "fleet_landed_withdrawn")

REG = parse_fleets(
    {"fleet": [{"id": "tankers", "member": [{"icao24": "a54127"}, {"icao24": "a5ffff"}]}]}
)


def _t(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def _wave() -> list[Event]:
    ksts = get_world().airport("KSTS")
    return [
        Event("takeoff", "a54127", _t("2020-09-07T23:30:00"), airport=ksts),
        Event("takeoff", "a5ffff", _t("2020-09-07T23:35:00"), airport=ksts),
        Event("landing", "a5ffff", _t("2020-09-08T00:10:00"), airport=ksts),
    ]


def _fleet_events(ticking: bool, checkpoint: bool = False) -> list[Event]:
    """The member events through the fleet stage, one step per event as they came."""
    state, out = FleetState(), []
    for ev in [*_wave(), *_run(ticking)[0]]:
        if checkpoint:  # restored at every step: the pipeline's checkpoint, and as JSON
            state = decode_fleets(json.loads(json.dumps(encode_fleets(state))))
            state = FleetState.from_json(json.loads(json.dumps(state.to_json())))
        state, said = step(state, [ev], REG)
        out += said
    return out


def test_a_withdrawn_member_landing_withdraws_the_fleet_landing() -> None:
    live = _fleet_events(True)
    kinds = [e.type for e in live]
    assert kinds == ["fleet_departed", "fleet_landed", "fleet_landed_withdrawn"], kinds
    said, pulled = live[1], live[2]
    assert said.airport is not None and said.airport.icao == "KSTS"
    assert pulled.details["withdrawn"] == said.time_iso == "2020-09-08T00:23:16Z"
    assert pulled.icao24 == said.icao24 and pulled.fleet == ["tankers"]
    assert pulled.details["member"] == "a54127"
    assert pulled.time_iso == "2020-09-08T00:58:28Z"  # when it was seen again
    assert _fleet_events(True, checkpoint=True) == live


def test_the_settled_fleet_events_do_not_depend_on_the_batches() -> None:
    one = settled(_fleet_events(False))
    assert [e.type for e in one] == ["fleet_departed"]  # the wave stays open: not "landed"
    assert [e.as_dict() for e in settled(_fleet_events(True))] == [e.as_dict() for e in one]
    assert settled([*_run(True)[0], *_fleet_events(True)]) == settled(
        [*_run(False)[0], *_fleet_events(False)]
    )


def test_the_fleet_alert_is_withdrawn_too() -> None:
    sent: list[str] = []
    rule = Rule(when="fleet_event", fleet="tankers", channels=("stdout",), name="tankers")
    mgr = AlertManager([rule], "http://h/", sender=lambda c, p: sent.append(p["event"]["type"]))
    out = mgr.submit(_fleet_events(True))
    assert sent == ["fleet_departed", "fleet_landed", "fleet_landed_withdrawn"]
    text = out[-1]["text"]
    assert "is withdrawn" in text["en"] and "er trukket tilbake" in text["nb"], text
    assert "er trekt tilbake" in text["nn"] and "A54127" in text["en"], text


def test_a_replay_gives_the_same_fleet_waves_at_any_batch_size(tmp_path: Path) -> None:
    """calfire (tests/data/traffic, real) with every aircraft in one fleet: the waves
    (``fleet_departed``, ``fleet_landed``, and their withdrawals, settled) are the same at
    65,536- and 512-record batches. Before, a wave expired once per step on the newest event:
    a5035e took off from KFAT and landed there 40 h later, which completed its wave in one
    batch and not at 512 (and the waves after it then differed). ``fleet_together`` has its
    own test (tests/unit/fleets/test_fleet_together_batches.py)."""
    path = str(DATA / "traffic" / "calfire.json.gz")
    ids = sorted({e.icao24 for e in replay_files([path], keep_positions=False).events})
    fleets = tmp_path / "fleets.toml"
    fleets.write_text(
        '[[fleet]]\nid = "calfire"\n' + "".join(f'[[fleet.member]]\nicao24 = "{i}"\n' for i in ids)
    )
    waves = {}
    for batch in (65536, 512):
        r = replay_files([path], keep_positions=False, batch_size=batch, fleets_path=str(fleets))
        waves[batch] = [e.to_json() for e in r.events if e.type in WAVE_TYPES]
    assert len([e for e in waves[65536] if e["type"] == "fleet_landed"]) > 10
    assert waves[512] == waves[65536]


def test_a_member_seen_again_days_later_still_withdraws_the_fleet_landing() -> None:
    """The same member events, with everything after the landing (from the regain at 00:58:28
    on) two days later, and the other member taking off again 38 h after the landing: the
    wave, complete since 00:23:16, is kept while a54127 (its landing inferred when the signal
    was lost) has not been seen since, and the fleet landing is withdrawn when it is. Before,
    the complete wave was dropped 36 h after its last landing, and the fleet landing stood."""
    shift_s = 2 * 86400.0
    member = _run(True)[0]
    (k,) = [n for n, e in enumerate(member) if e.type == "landing"]
    later = [replace(e, time_s=e.time_s + shift_s) for e in member[k + 1 :]]
    ksts = get_world().airport("KSTS")
    other = Event("takeoff", "a5ffff", member[k].time_s + 38 * 3600.0, airport=ksts)
    state, out = FleetState(), []
    for ev in [*_wave(), *member[: k + 1], other, *later]:
        state, said = step(state, [ev], REG)
        out += said
    kinds = [e.type for e in out]
    assert kinds == ["fleet_departed", "fleet_landed", "fleet_departed", "fleet_landed_withdrawn"]
    assert out[-1].details["withdrawn"] == out[1].time_iso == "2020-09-08T00:23:16Z"
    assert out[-1].time_s == later[1].time_s  # said when it was seen again, two days on
    assert state.landed == []  # and the wave, open again, is waiting for a landing
