"""FleetWatcher state machine: fleet_departed / fleet_landed / positions.

Synthetic event streams (labelled): there is no recording of a fleet movement in tests/data,
so the per-aircraft events are constructed; the fleet is the bundled ru-gov (real hex codes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import airportsdata

from flyvakt.fleets import load_fleets
from flyvakt.fleets.events import (
    WAVE_DROP_AFTER_S,
    WAVE_EXPIRY_S,
    FleetState,
    fleet_positions,
    step,
)
from flyvakt.fleets.registry import example_fleets_path
from flyvakt.model.events import AirportRef, Event

AIRPORTS = airportsdata.load("ICAO")
REG = load_fleets(example_fleets_path())
A, B, C = "15770c", "157710", "157766"  # three Il-96 of ru-gov


def apt(code: str) -> AirportRef:
    a = AIRPORTS[code]
    return AirportRef(
        a["icao"], a["iata"], a["name"], a["country"], a["tz"], a["lat"], a["lon"], a["elevation"]
    )


def t(hh: int, mm: int, day: int = 18) -> float:
    return datetime(2024, 6, day, hh, mm, tzinfo=UTC).timestamp()


def ev(kind: str, icao: str, time_s: float, code: str, basis: str = "observed") -> Event:
    return Event(kind, icao, time_s, airport=apt(code), basis=basis)  # type: ignore[arg-type]


def test_three_depart_together_and_land_at_one_airport() -> None:
    state = FleetState()
    state, out = step(state, [ev("takeoff", A, t(9, 0), "UUWW")], REG)
    assert [e.type for e in out] == ["fleet_departed"]
    assert out[0].airport is not None and out[0].airport.icao == "UUWW"
    assert out[0].fleet == ["ru-gov"]
    # Not a member: ignored. Second and third members join the wave, no new departure event.
    state, out = step(
        state,
        [
            ev("takeoff", "393322", t(9, 10), "UUWW"),
            ev("takeoff", B, t(9, 20), "UUWW"),
            ev("takeoff", C, t(10, 30), "UUWW"),
        ],
        REG,
    )
    assert out == []
    state, out = step(
        state, [ev("landing", A, t(17, 0), "ZKPY"), ev("landing", B, t(17, 10), "ZKPY")], REG
    )
    assert out == []  # one is still in the air
    # Checkpoint/restore in the middle: the state is JSON.
    state = FleetState.from_json(json.loads(json.dumps(state.to_json())))
    state, out = step(state, [ev("landing", C, t(17, 27), "ZKPY")], REG)
    assert len(out) == 1
    fl = out[0]
    assert fl.type == "fleet_landed" and fl.basis == "observed"
    assert fl.icao24 == C and fl.time_s == t(17, 27)
    assert fl.details["count"] == 3 and fl.details["departed_count"] == 3
    assert fl.details["members"] == [A, B, C]
    assert fl.details["first_landing_s"] == t(17, 0)
    assert fl.details["origin"] == "UUWW"
    assert state.waves == []


def test_late_member_outside_window_opens_a_new_wave() -> None:
    state, out = step(
        FleetState(),
        [ev("takeoff", A, t(9, 0), "UUWW"), ev("takeoff", B, t(11, 30), "UUWW")],
        REG,
    )
    assert [e.type for e in out] == ["fleet_departed", "fleet_departed"]
    state, out = step(state, [ev("landing", A, t(17, 0), "ZKPY")], REG)
    assert [e.details["count"] for e in out] == [1]


def test_split_destinations_and_inferred_landing() -> None:
    state, _ = step(
        FleetState(),
        [
            ev("takeoff", A, t(9, 0), "UUWW"),
            ev("takeoff", B, t(9, 5), "UUWW"),
            ev("takeoff", C, t(9, 10), "UUWW"),
        ],
        REG,
    )
    state, out = step(
        state,
        [
            ev("landing", A, t(17, 0), "ZKPY", basis="inferred"),
            ev("landing", B, t(17, 5), "ZKPY"),
            ev("landing", C, t(16, 0), "UHWW"),  # Vladivostok
        ],
        REG,
    )
    by_apt = {e.airport.icao: e for e in out if e.airport}
    assert set(by_apt) == {"ZKPY", "UHWW"}
    assert by_apt["ZKPY"].details["count"] == 2
    assert by_apt["ZKPY"].details["departed_count"] == 3
    # One inferred member landing makes the fleet landing inferred, never observed.
    assert by_apt["ZKPY"].basis == "inferred"
    assert by_apt["ZKPY"].details["inferred_members"] == [A]
    assert by_apt["UHWW"].basis == "observed"


def test_landing_without_known_departure_is_not_a_fleet_landing() -> None:
    state, out = step(FleetState(), [ev("landing", A, t(17, 0), "ZKPY")], REG)
    assert out == []
    rows = fleet_positions(state, "ru-gov", REG, t(18, 0))
    assert len(rows) == 13
    assert rows[0]["icao24"] == A and rows[0]["last"]["airport"] == "ZKPY"
    assert rows[1]["last"] is None
    # Asking about a time before the event: we do not use what we learned later.
    assert fleet_positions(state, "ru-gov", REG, t(16, 0))[0]["last"] is None


def test_open_wave_expires() -> None:
    state, _ = step(FleetState(), [ev("takeoff", A, t(9, 0), "UUWW")], REG)
    later = t(9, 0) + WAVE_EXPIRY_S + 60
    state, out = step(state, [ev("takeoff", "393322", later, "LFPG")], REG)
    assert out == []
    # Expired by the landing's own time: it completes nothing (whatever the batches).
    state, out = step(state, [ev("landing", A, later, "ZKPY")], REG)
    assert out == []
    # Dropped from the state once no late event can reach it any more.
    state, out = step(state, [ev("takeoff", "393322", later + WAVE_DROP_AFTER_S, "LFPG")], REG)
    assert out == [] and state.waves == []


def test_fleet_together_reported_once_per_formation() -> None:
    # Synthetic fixes: two Il-96 in close trail (2 NM apart, same track), one far away.
    from flyvakt.fleets.together import TOGETHER_FORGET_S, MemberFix, step_positions

    t0 = t(12, 0)
    fixes = [
        MemberFix(A, t0, 45.00, 110.00, 95.0, 35000, "CN"),
        MemberFix(B, t0 - 5, 45.00, 110.047, 98.0, 36000, "CN"),  # ~2 NM east
        MemberFix(C, t0, 50.00, 100.00, 95.0, 35000, "RU"),
        MemberFix("393322", t0, 45.00, 110.01, 95.0, 35000, "CN"),  # close, but not a member
    ]
    state, out = step_positions(FleetState(), fixes, REG)
    assert [e.type for e in out] == ["fleet_together"]
    assert out[0].details["members"] == sorted([A, B])
    assert out[0].details["count"] == 2 and out[0].country == "CN"
    assert 1.5 < out[0].details["max_separation_nm"] < 2.5
    # Same formation a minute later: not reported again.
    later = [MemberFix(f.icao24, f.time_s + 60, f.lat, f.lon + 0.2, f.track_deg) for f in fixes]
    state, out = step_positions(state, later, REG)
    assert out == []
    # Diverging tracks break the group; re-forming within TOGETHER_FORGET_S is not said again,
    # re-forming after longer apart is.
    apart = [
        MemberFix(A, t0 + 120, 45.0, 110.5, 95.0),
        MemberFix(B, t0 + 120, 45.0, 110.55, 180.0),
    ]
    state, out = step_positions(state, apart, REG)
    assert out == [] and "ru-gov" not in state.together
    # together last at t0 + 60
    back_s = t0 + 60 + TOGETHER_FORGET_S
    again = [MemberFix(f.icao24, back_s, f.lat, f.lon, f.track_deg) for f in fixes[:2]]
    state, out = step_positions(state, again, REG)  # TOGETHER_FORGET_S after last together
    assert out == []
    apart = [MemberFix(f.icao24, back_s + 10, f.lat, f.lon, f.track_deg) for f in apart]
    state, out = step_positions(state, apart, REG)
    late_s = back_s + 20 + TOGETHER_FORGET_S
    late = [MemberFix(f.icao24, late_s, f.lat, f.lon, f.track_deg) for f in fixes[:2]]
    state, out = step_positions(state, late, REG)  # 20 s more than that
    assert len(out) == 1


def test_fleet_together_a_group_that_grows_is_said_again() -> None:
    """SYNTHETIC: a pair, then a third member joins (said: the group grew), then it leaves and
    joins again within TOGETHER_FORGET_S (not said: the same meeting)."""
    from flyvakt.fleets.together import MemberFix, step_positions

    t0 = t(12, 0)

    def at(time_s: float, members: list[str]) -> list[MemberFix]:
        lon = {A: 110.0, B: 110.047, C: 110.094}  # ~2 NM apart in a line, same track
        return [MemberFix(m, time_s, 45.0, lon[m], 95.0) for m in members]

    said, state = [], FleetState()
    for k, members in enumerate([[A, B], [A, B, C], [A, B], [A, B, C]]):
        state, out = step_positions(state, at(t0 + 10 * k, members), REG)
        said.append([e.details["count"] for e in out])
    assert said == [[2], [3], [], []]


def unnamed(icao: str, time_s: float, candidates: list[str], within: bool = True) -> Event:
    """An inferred landing that names no airport (track lost on approach, not on short
    final): every airport within reach as candidates, as detect/lastfix.py writes it."""
    return Event(
        "landing", icao, time_s, basis="inferred", confidence=0.4, candidates=candidates,
        reason="last seen descending, not on short final", lat=39.23, lon=125.79,
        altitude_baro_ft=3525.0, local_tz="Asia/Pyongyang",
        details={"candidates_within_nm": 10.0} if within else {},
    )  # fmt: skip


def _departed(*members: str) -> FleetState:
    state, _ = step(
        FleetState(), [ev("takeoff", m, t(9, i), "UUWW") for i, m in enumerate(members)], REG
    )
    return state


def test_unnamed_landings_with_one_candidate_make_an_inferred_fleet_landing() -> None:
    state = _departed(A, B, C)
    state, out = step(
        state, [ev("landing", A, t(17, 0), "ZKPY"), unnamed(B, t(17, 5), ["ZKPY"])], REG
    )
    assert out == []
    # The wave, with a landing that names no airport, survives a checkpoint (JSON and msgpack).
    from flyvakt.checkpoint import decode_fleets, encode_fleets

    state = FleetState.from_json(json.loads(json.dumps(state.to_json())))
    state = decode_fleets(encode_fleets(state))
    state, out = step(state, [unnamed(C, t(17, 9), ["ZKPY"])], REG)
    (fl,) = out
    assert fl.type == "fleet_landed" and fl.basis == "inferred" and fl.airport is None
    assert fl.country == "KP" and fl.candidates == ["ZKPY"] and fl.icao24 == C
    assert fl.local_tz == "Asia/Pyongyang" and fl.confidence == 0.4
    d = fl.details
    assert d["place"]["kind"] == "airport" and d["place"]["code"] == "ZKPY"
    assert d["unnamed_members"] == [B, C] and d["inferred_members"] == [B, C]
    assert [m["airport"] for m in d["member_landings"]] == ["ZKPY", None, None]
    assert [m["basis"] for m in d["member_landings"]] == ["observed", "inferred", "inferred"]
    assert state.waves == []


def test_unnamed_landings_in_one_city_name_the_city_not_an_airport() -> None:
    state = _departed(A, B)
    _, out = step(
        state, [unnamed(A, t(17, 0), ["UUEE", "UUWW"]), unnamed(B, t(17, 5), ["UUDD"])], REG
    )
    (fl,) = out
    assert fl.airport is None and fl.country == "RU" and fl.basis == "inferred"
    assert fl.details["place"] == {"kind": "city", "code": "Moscow", "country": "RU"}
    assert fl.candidates == ["UUEE", "UUWW", "UUDD"]


def test_unnamed_landing_negative_cases() -> None:
    # Candidates that differ: no airport is named, only the country they all lie in.
    _, out = step(
        _departed(A, B), [unnamed(A, t(17, 0), ["ZKPY"]), unnamed(B, t(17, 5), ["ZKHM"])], REG
    )
    (fl,) = out
    assert fl.airport is None and fl.details["place"]["kind"] == "country"
    assert fl.country == "KP" and fl.candidates == ["ZKPY", "ZKHM"]
    # A member never seen landing: no fleet fact ("the last of N" needs all N).
    state, out = step(
        _departed(A, B, C), [unnamed(A, t(17, 0), ["ZKPY"]), unnamed(B, t(17, 5), ["ZKPY"])], REG
    )
    assert out == [] and len(state.waves) == 1
    # Candidates in two countries: nothing fits, no fleet fact.
    _, out = step(
        _departed(A, B), [unnamed(A, t(17, 0), ["ZKPY"]), unnamed(B, t(17, 5), ["ZYTL"])], REG
    )
    assert out == []
    # A candidate list that is a ranking, not every airport within reach: place unknown.
    _, out = step(
        _departed(A, B),
        [unnamed(A, t(17, 0), ["ZKPY"]), unnamed(B, t(17, 5), ["ZKPY"], within=False)],
        REG,
    )
    assert out == []
    # Landed somewhere with nothing within reach: place unknown.
    _, out = step(_departed(A), [unnamed(A, t(17, 0), [])], REG)
    assert out == []


def test_a_later_landing_replaces_an_unnamed_one_while_the_wave_is_open() -> None:
    """Lost on approach (landing named nowhere), seen again and landing at UHWW: the wave,
    still waiting for B, counts the later landing; a named landing is never replaced."""
    state = _departed(A, B)
    state, out = step(state, [unnamed(A, t(17, 0), ["ZKPY"])], REG)
    assert out == []
    state, out = step(state, [ev("landing", A, t(17, 40), "UHWW")], REG)
    assert out == []
    state, out = step(state, [ev("landing", A, t(18, 0), "ZKPY")], REG)  # not replacing UHWW
    state, out = step(state, [ev("landing", B, t(18, 10), "UHWW")], REG)
    (fl,) = out
    assert fl.airport is not None and fl.airport.icao == "UHWW" and fl.basis == "observed"
    assert fl.details["count"] == 2 and fl.details["first_landing_s"] == t(17, 40)


def test_fleets_of_answers_as_the_registry_with_each_address_parsed_once() -> None:
    """An untagged event's fleets: the registry's members at its time by its address, the
    address text parsed once per aircraft (cached), one it cannot parse giving none each time;
    the answers the same as parsing every event's address."""
    from flyvakt.fleets.events import _fleets_of
    from flyvakt.model.batches import address_of as _address_of
    from flyvakt.model.batches import parse_icao_hex

    def by_parsing(e: Event) -> list[str]:
        try:
            return REG.match(parse_icao_hex(e.icao24), None, e.time_s)
        except ValueError:
            return []

    texts = [A, B, C, A.upper(), "393322", "~abc123", "zzzzzz", ""]
    events = [ev("takeoff", x, t(9, m), "UUWW") for m in (0, 30) for x in texts]
    _address_of.cache_clear()
    for _ in range(2):  # the second time every parsed address comes from the cache
        got = [_fleets_of(e, REG) for e in events]
        assert got == [by_parsing(e) for e in events]
    assert got[:4] == [["ru-gov"]] * 4 and got[4:8] == [[]] * 4
    info = _address_of.cache_info()
    assert info.currsize == 6 and info.hits == 4 * 6 - 6  # 6 parsable texts, 4 times each


def test_step_and_tagging_skip_only_aircraft_that_match_nothing() -> None:
    """The per-event short cut (an address with no membership by address and no registration
    in the event: no fleet) leaves every other way in: a registration-only member, a dated
    member outside its dates, an event tagged already, an untagged one; tag_fleets gives each
    event what ``match`` gives (the empty tuple, not a new list, for an address in no fleet)."""
    from datetime import date

    from flyvakt.fleets.registry import parse_fleets
    from flyvakt.pipeline import tag_fleets

    members = [
        {"icao24": "4ca001", "valid_to": date(2024, 6, 17), "source": "synthetic: left before"},
        {"icao24": "4ca002", "source": "synthetic"},
        {"registration": "LN-XYZ", "source": "synthetic: registration only"},
    ]
    fleet = {"id": "demo", "names": {"en": "the demo fleet"}, "member": members}
    reg = parse_fleets({"fleet": [fleet]}, "demo.toml")
    assert reg.addresses == frozenset({0x4CA001, 0x4CA002})
    by_reg = ev("takeoff", "abcdef", t(9, 0), "ENGM")
    by_reg.details = {"registration": "ln-xyz"}
    events = [
        by_reg,
        ev("takeoff", "4ca002", t(9, 5), "ENGM"),
        ev("takeoff", "4ca001", t(9, 6), "ENGM"),  # no longer a member
        ev("takeoff", "abcdee", t(9, 7), "ENGM"),  # in no fleet
    ]
    tag_fleets(events, reg)
    assert [list(e.fleet) for e in events] == [[], ["demo"], [], []]
    assert events[3].fleet == ()  # no list made for an aircraft in no fleet
    for tagged in (True, False):
        if not tagged:
            for e in events:
                e.fleet = ()
        state, out = step(FleetState(), list(events), reg)
        assert [e.type for e in out] == ["fleet_departed"]
        assert sorted(state.last) == ["4ca002", "abcdef"]  # the registration-only member too
        assert state.latest_s == t(9, 7)
        wave = state.waves[0]
        assert sorted(wave.departures) == ["4ca002", "abcdef"]
