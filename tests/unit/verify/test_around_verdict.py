""" "Around" claims judged on a real recording: AFR34ZG, LFPG → LFBO on 2024-07-06 (bundled),
takeoff observed at 06:59 UTC, landing observed at 07:58 UTC, the recording ending soon after.
Supported within 15 minutes, contradicted only when observed throughout the window (naming the
real time), unverifiable where the recording has no positions."""

from __future__ import annotations

import pytest

import flyvakt
from flyvakt.cli.replay import bundled_sample
from flyvakt.fleets import example_fleets_path, load_fleets
from flyvakt.verify import parse_claim


@pytest.fixture(scope="module")
def data() -> flyvakt.Replay:
    return flyvakt.replay([bundled_sample()])


@pytest.mark.parametrize(
    ("text", "verdict", "rule", "says"),
    [
        ("AFR34ZG landed in Toulouse around 08:00 UTC on 6 July 2024", "supported",
         "landing_event_observed_around", "landed at Toulouse (LFBO), France at 09:58 local time "
         "(07:58 UTC)"),
        ("AFR34ZG took off from LFPG at about 07:00 UTC on 6 July 2024", "supported",
         "takeoff_event_observed_around", "took off from Paris (LFPG), France at 08:59"),
        ("AFR34ZG landed in Toulouse around 07:30 UTC on 6 July 2024", "contradicted",
         "observed_elsewhere_around", "no landing in Toulouse within 15 minutes of 09:30 local "
         "time (07:30 UTC), "
         "and the aircraft was observed throughout: AFR34ZG (393322) was airborne over France at "
         "35,000 ft and landed there at 09:58 local time (07:58 UTC)"),
        ("AFR34ZG took off from LFPG around 07:30 UTC on 6 July 2024", "contradicted",
         "observed_elsewhere_around", "took off from there at 08:59 local time (06:59 UTC)"),
        # before the recording starts: nothing seen, so never contradicted
        ("AFR34ZG took off from LFPG around 06:30 UTC on 6 July 2024", "unverifiable",
         "coverage_gap", "positions of AFR34ZG (393322) are missing within 15 minutes of 08:30 "
         "local time (06:30 UTC): the data cannot tell whether it took off from LFPG then; it "
         "took off from LFPG at 08:59 local time (06:59 UTC)"),
    ],
)  # fmt: skip
def test_around_on_a_real_flight(
    data: flyvakt.Replay, text: str, verdict: str, rule: str, says: str
) -> None:
    v = flyvakt.verify(text, data)
    assert (v.verdict, v.rule) == (verdict, rule), v.summary
    assert v.basis == (None if verdict == "unverifiable" else "observed")
    assert says in v.summary, v.summary


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nb", "Avkreftet: ingen landing i Toulouse innen 15 minutter fra kl. 09.30 lokal tid "
               "(07.30 UTC), og flyet ble observert hele tiden: AFR34ZG (393322) var i lufta "
               "over Frankrike"),
        ("nn", "Avkrefta: inga landing i Toulouse innanfor 15 minutt frå kl. 09.30 lokal tid "
               "(07.30 UTC), og flyet vart observert heile tida: AFR34ZG (393322) var i lufta "
               "over Frankrike"),
    ],
)  # fmt: skip
def test_contradicted_in_nb_and_nn(data: flyvakt.Replay, lang: str, says: str) -> None:
    v = flyvakt.verify("AFR34ZG har landa i Toulouse rundt kl. 07.30 UTC 6. juli 2024", data,
                       lang=lang)  # fmt: skip
    assert v.verdict == "contradicted" and says in v.summary, v.summary


def test_an_explicit_time_replaces_the_around_time(data: flyvakt.Replay) -> None:
    reg = load_fleets(example_fleets_path())
    claim = parse_claim("AFR34ZG landed in Toulouse around 07:00 UTC on 6 July 2024", reg)
    assert claim.around_s
    v = flyvakt.verify(claim, data, at="2024-07-06T08:10:00Z")  # "had landed by 08:10"
    assert v.verdict == "supported" and v.rule == "landing_event_observed"
    assert v.claim.around_s == ()


@pytest.mark.parametrize(
    ("tz", "says"),
    [
        ("America/New_York", "within 15 minutes of 09:30 local time (03:30 New York time)"),
        ("UTC", "within 15 minutes of 09:30 local time (07:30 UTC)"),
        ("Europe/Oslo", "within 15 minutes of 09:30 Norwegian time"),
    ],
)
def test_a_time_written_in_utc_is_not_called_local(
    data: flyvakt.Replay, tz: str, says: str
) -> None:
    """The claim's 07:30 UTC was printed as "07:30 local time (03:30 New York time)": the
    claim's own zone labelled as the place's. Local time at Toulouse was 09:30."""
    v = flyvakt.verify("AFR34ZG landed in Toulouse around 07:30 UTC on 6 July 2024", data, tz=tz)
    assert says in v.summary, v.summary
    assert "07:30 local time" not in v.summary


def test_an_unnamed_landing_is_local_only_where_the_place_has_one_zone() -> None:
    from flyvakt.verify.around import event_zone

    reg = load_fleets(example_fleets_path())
    in_russia = parse_claim("RA-96017 landed in Russia around 07:30 UTC on 18 June 2024", reg)
    in_yakutsk = parse_claim("RA-96017 landed in Yakutsk around 07:30 UTC on 18 June 2024", reg)
    unnamed = {"time": "2024-06-18T07:31:00Z", "airport": None, "candidates": ["UEEE"]}
    assert in_russia.zone == "UTC" and event_zone(in_russia, unnamed) is None  # 11 zones
    assert event_zone(in_yakutsk, unnamed) == "Asia/Yakutsk"
    named = {**unnamed, "airport": {"icao": "UEEE", "tz": "Asia/Yakutsk"}}
    assert event_zone(in_russia, named) == "Asia/Yakutsk"


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "at 08:30 local time (06:30 UTC) AFR34ZG (393322) was on the ground at Paris "
               "(LFPG), France; observed at 08:43 local time (06:43 UTC)."),
        ("nb", "kl. 08.30 lokal tid (06.30 UTC) var AFR34ZG (393322) på bakken i Paris (LFPG), "
               "Frankrike; observert kl. 08.43 lokal tid (06.43 UTC)."),
        ("nn", "kl. 08.30 lokal tid (06.30 UTC) var AFR34ZG (393322) på bakken i Paris (LFPG), "
               "Frankrike; observert kl. 08.43 lokal tid (06.43 UTC)."),
    ],
)  # fmt: skip
def test_a_state_from_a_fix_minutes_away_says_when_it_was_seen(
    data: flyvakt.Replay, lang: str, says: str
) -> None:
    """The recording starts at 06:43 UTC. "At 08:30 it was on the ground at Paris" rests on the
    first fix, 13 minutes later (within NEAR_S, so the verdict stands), and now says so."""
    v = flyvakt.verify("AFR34ZG landed in Toulouse", data, at="2024-07-06T06:30Z", lang=lang)
    assert v.verdict == "contradicted" and v.summary.endswith(says), v.summary
    near = flyvakt.verify("AFR34ZG landed in Toulouse", data, at="2024-07-06T06:43:30Z", lang=lang)
    assert "observe" not in near.summary.split(":", 1)[1], near.summary
