"""Detection rules on small SYNTHETIC tracks (situations the real recordings do not contain).

Each track is built from a few waypoints near real airports; the world (airports, countries,
time zones) is the real offline one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from flyvakt.detect import Detector
from flyvakt.detect import rules as R
from flyvakt.geo import get_world
from flyvakt.model import Event, PositionBatch
from flyvakt.model.events import settled

LFBO = (43.6293, 1.3638, 499.0)  # lat, lon, elevation ft
T0 = 1_720_000_000.0


def track(points: list[tuple[float, float, float, float, bool]], *, icao: int = 0x393322,
          squawk: int = 1000, gs: float = 140.0, vr: float = 0.0) -> PositionBatch:  # fmt: skip
    """Positions from (dt_s, lat, lon, alt_ft, on_ground) tuples."""
    p = PositionBatch.empty(len(points))
    for i, (dt, lat, lon, alt, ground) in enumerate(points):
        p.time_s[i] = T0 + dt
        p.lat_deg[i], p.lon_deg[i], p.altitude_baro_ft[i] = lat, lon, alt
        p.on_ground[i] = int(ground)
    p.icao24[:] = icao
    p.groundspeed_kt[:] = gs
    p.vertical_rate_fpm[:] = vr
    p.squawk[:] = squawk
    p.callsign[:] = "TEST1"
    return p


def run(p: PositionBatch, *, finish: bool = True) -> list[Event]:
    det = Detector(world=get_world())
    out = det.step(p, float(p.time_s.max()))
    if finish:
        out += det.finish(float(p.time_s.max()))
    return out


def kinds(events: list[Event]) -> list[str]:
    return [e.type for e in events]


Pt = tuple[float, float, float, float, bool]
Xyz = tuple[float, float, float]


def line(t0: float, t1: float, a: Xyz, b: Xyz, step: float = 2.0, ground: bool = False) -> list[Pt]:
    n = max(2, int((t1 - t0) / step))
    return [
        (t0 + (t1 - t0) * k / (n - 1), a[0] + (b[0] - a[0]) * k / (n - 1),
         a[1] + (b[1] - a[1]) * k / (n - 1), a[2] + (b[2] - a[2]) * k / (n - 1), ground)
        for k in range(n)
    ]  # fmt: skip


def test_go_around_then_landing() -> None:
    """SYNTHETIC: a straight-in approach on runway 32L's extended centre line (a go-around needs
    the lowest point lined up with a runway, near its threshold), a go-around over the runway,
    a circuit and an observed landing."""
    lat, lon, elev = LFBO
    th_lat, th_lon = 43.61900, 1.37210  # runway 32L threshold; the runway heads to 43.644, 1.346
    dlat, dlon = 43.64410 - th_lat, 1.34593 - th_lon  # one runway length along the centre line
    approach = line(
        0, 300, (th_lat - 4 * dlat, th_lon - 4 * dlon, elev + 3000),
        (th_lat - 0.2 * dlat, th_lon - 0.2 * dlon, elev + 300),
    )  # fmt: skip
    climb = line(
        302, 420, (th_lat + 0.1 * dlat, th_lon + 0.1 * dlon, elev + 350),
        (th_lat + 3 * dlat, th_lon + 3 * dlon, elev + 2500),
    )  # fmt: skip
    back = line(
        422, 900, (th_lat + 3 * dlat, th_lon + 3 * dlon, elev + 2500), (lat - 0.005, lon, elev + 50)
    )
    roll = line(902, 960, (lat, lon, elev), (lat + 0.01, lon, elev), ground=True)
    p = track(approach + climb + back + roll, vr=-700.0)
    # Vertical rate that matches the geometry: descending, climbing, descending.
    n1, n2 = len(approach), len(approach) + len(climb)
    p.vertical_rate_fpm[n1:n2] = 1500.0
    events = run(p)
    assert kinds(events).count("go_around") == 1
    ga = next(e for e in events if e.type == "go_around")
    assert ga.airport is not None and ga.airport.icao == "LFBO"
    landing = next(e for e in events if e.type == "landing")
    assert landing.airport is not None and landing.airport.icao == "LFBO"
    assert landing.basis == "observed"


def test_emergency_squawk_needs_to_be_held() -> None:
    lat, lon, _ = LFBO
    pts = line(0, 120, (lat + 1, lon, 30000), (lat + 1.3, lon, 30000))
    brief = track(pts, squawk=1000, gs=450)
    brief.squawk[10:12] = 7700  # dialled through for 2 s: not an emergency
    assert "emergency_squawk" not in kinds(run(brief, finish=False))
    held = track(pts, squawk=1000, gs=450)
    held.squawk[10:] = 7700
    events = run(held, finish=False)
    assert kinds(events).count("emergency_squawk") == 1
    e = next(e for e in events if e.type == "emergency_squawk")
    assert e.details["squawk"] == "7700" and e.time_s == pytest.approx(held.time_s[10])


def test_gap_from_air_to_ground_is_an_inferred_landing_somewhere() -> None:
    """Gap rule: 30 min between 18,000 ft 48 NM out and LFBO's surface. Only one side points to
    LFBO (it may have landed elsewhere first): "landed somewhere", LFBO first candidate."""
    lat, lon, elev = LFBO
    before = line(0, 200, (lat - 1.0, lon, 20000), (lat - 0.8, lon, 18000))
    after = line(2000, 2100, (lat, lon, elev), (lat + 0.002, lon, elev), ground=True)
    p = track(before + after, gs=300)
    p.groundspeed_kt[len(before) :] = 10.0  # taxiing
    events = run(p)
    landing = next(e for e in events if e.type == "landing")
    assert landing.basis == "inferred"
    assert landing.airport is None and landing.candidates[0] == "LFBO"
    assert landing.details["gap"]["last_known"]["altitude_baro_ft"] == 18000
    assert "signal_regained" in kinds(events)


def test_data_ending_at_cruise_names_no_landing() -> None:
    lat, lon, _ = LFBO
    events = run(track(line(0, 300, (lat - 0.2, lon, 12000), (lat - 0.05, lon, 11000)), vr=-500))
    assert "landing" not in kinds(events)
    assert kinds(events)[-1] == "signal_lost"


def test_airspace_entry_is_possible_across_a_gap_and_observed_without() -> None:
    # France (Strasbourg area) into Germany, once seen continuously, once across a gap.
    a, b = (48.58, 7.60, 30000.0), (48.58, 8.20, 30000.0)
    # 0.6° of longitude at 48.6° N is 24 NM: 600 s at 144 kt, the speed the track reports.
    seen = run(track(line(0, 600, a, b, step=2.0), gs=144), finish=False)
    entry = next(e for e in seen if e.type == "airspace_entry")
    assert entry.country == "DE" and entry.basis == "observed"
    gap_pts = line(0, 60, a, (48.58, 7.65, 30000.0)) + line(700, 800, (48.58, 8.3, 30000.0), b)
    gapped = run(track(gap_pts, gs=144), finish=False)
    entry = next(e for e in gapped if e.type == "airspace_entry")
    assert entry.country == "DE" and entry.basis == "possible"
    assert entry.details["gap"]["start"] < entry.details["gap"]["end"]


def test_frozen_positions_are_suspected_spoofing_and_kept_out_of_country_events() -> None:
    # Positions frozen over Kaliningrad while the aircraft reports 450 kt.
    frozen = [(float(dt), 54.7, 20.5, 35000.0, False) for dt in range(0, 300, 2)]
    events = run(track(frozen, gs=450), finish=False)
    assert "spoofing_suspected" in kinds(events)
    assert "airspace_entry" not in kinds(events)


def test_stopover_and_touch_and_go() -> None:
    lat, lon, elev = LFBO
    arrive = line(0, 200, (lat - 0.1, lon, elev + 2000), (lat - 0.003, lon, elev + 100))
    ground = line(202, 202 + 3600, (lat, lon, elev), (lat + 0.002, lon, elev), step=20, ground=True)
    leave = line(3804, 3900, (lat + 0.01, lon, elev + 200), (lat + 0.1, lon, elev + 3000))
    events = run(track(arrive + ground + leave, vr=-600))
    stop = next(e for e in events if e.type == "stopover")
    assert stop.airport is not None and stop.airport.icao == "LFBO"
    assert math.isclose(stop.details["on_ground_s"], 3804 - 202, abs_tol=30)
    short = line(202, 262, (lat, lon, elev), (lat + 0.005, lon, elev), ground=True)
    leave2 = line(264, 400, (lat + 0.01, lon, elev + 200), (lat + 0.1, lon, elev + 3000))
    events = run(track(arrive + short + leave2, vr=-600))
    assert "touch_and_go" in kinds(events) and "stopover" not in kinds(events)


def test_flapping_ground_flag_at_taxi_speed_is_no_takeoff() -> None:
    lat, lon, elev = LFBO
    pts = line(0, 600, (lat, lon, elev), (lat + 0.001, lon, elev), ground=True)
    p = track(pts, gs=10)
    p.on_ground[50:100] = 0  # 100 s of "airborne" flags while taxiing at 10 kt
    events = run(p)
    assert "takeoff" not in kinds(events) and "landing" not in kinds(events)


def test_batches_give_the_same_events_as_one_batch() -> None:
    lat, lon, elev = LFBO
    pts = (line(0, 200, (lat - 0.1, lon, elev + 2000), (lat - 0.003, lon, elev + 100))
           + line(202, 400, (lat, lon, elev), (lat + 0.002, lon, elev), ground=True))  # fmt: skip
    p = track(pts, vr=-600)
    whole = [(e.type, e.time_s) for e in run(p)]
    det = Detector(world=get_world())
    parts: list[Event] = []
    for a in range(0, len(p), 37):
        chunk = p.take(np.arange(a, min(a + 37, len(p))))
        parts += det.step(chunk, float(chunk.time_s.max()))
    parts += det.finish(float(p.time_s.max()))
    assert sorted((e.type, e.time_s) for e in parts) == sorted(whole)


def _final_32l(gnss: bool) -> PositionBatch:
    """SYNTHETIC: down runway 32L's extended centre line from 7.6 NM to 1.9 NM out (one runway
    length), 2,500 -> 300 ft above LFBO; with GNSS altitude (the height known within the geoid's
    350 ft) or pressure altitude only (known within the QNH band's 600 ft)."""
    _lat, _lon, elev = LFBO
    th_lat, th_lon = 43.61900, 1.37210  # runway 32L threshold; the runway heads to 43.644, 1.346
    dlat, dlon = 43.64410 - th_lat, 1.34593 - th_lon
    pts = line(
        0, 120, (th_lat - 4 * dlat, th_lon - 4 * dlon, elev + 2500),
        (th_lat - dlat, th_lon - dlon, elev + 300),
    )  # fmt: skip
    p = track(pts, vr=-700)
    if gnss:
        p.altitude_gnss_ft[:] = p.altitude_baro_ft
    return p


def test_data_ends_on_final_names_the_airport_only_with_a_known_height() -> None:
    """Issue 9, lead's decision 1: at the end of data an airport is named only on short final
    with its height above the field known (GNSS or a learned ground reading, never raw pressure
    altitude against the published elevation). Pressure altitude only: "landed somewhere",
    LFBO the first candidate, and the event says every airport within reach is listed."""
    named_ev = [e for e in run(_final_32l(gnss=True)) if e.type == "landing"]
    assert [(e.airport.icao if e.airport else None, e.basis) for e in named_ev] == [
        ("LFBO", "inferred")
    ]
    assert "short final" in named_ev[0].reason
    unnamed = [e for e in run(_final_32l(gnss=False)) if e.type == "landing"]
    assert len(unnamed) == 1 and unnamed[0].airport is None
    assert unnamed[0].candidates[0] == "LFBO" and unnamed[0].basis == "inferred"
    assert unnamed[0].details["candidates_within_nm"] == R.CLOSE_NM
    assert "height above the field is unknown" in unnamed[0].reason


def test_lost_on_short_final_is_an_inferred_landing_when_not_seen_again() -> None:
    # Live feed: no end of data, only time passing. Last fix 300 ft above LFBO (GNSS), 1.9 NM
    # from the runway 32L threshold on its centre line.
    lat, lon, elev = LFBO
    p = _final_32l(gnss=True)
    det = Detector(world=get_world())
    end = float(p.time_s.max())
    first = det.step(p, end)
    assert "landing" not in kinds(first)
    # Lost: said at once; the landing waits LOST_LANDING_S for the aircraft to be seen again.
    assert kinds(det.step(PositionBatch.empty(0), end + 600)) == ["signal_lost"]
    later = det.step(PositionBatch.empty(0), end + R.LOST_LANDING_S + 10)
    assert kinds(later) == ["landing"]
    landing = later[0]
    assert landing.details["signal_lost_after"] is True
    assert landing.basis == "inferred" and landing.airport is not None
    assert landing.airport.icao == "LFBO" and landing.time_s == end
    # Nothing more is said at the end of data. Seen again parked at LFBO: the landing said from
    # the last fix alone is withdrawn and the gap rules, both sides, name LFBO (on final before
    # the gap, on its surface after it); what is finally said is one landing there.
    assert "landing" not in kinds(det.finish(end + R.LOST_LANDING_S + 10))
    parked = track([(2000.0, lat, lon, elev, True), (2010.0, lat, lon, elev, True)])
    again = det.step(parked, T0 + 2010)
    assert sorted(kinds(again)) == ["landing", "landing_withdrawn", "signal_regained"]
    final = [e for e in settled([*later, *again]) if e.type == "landing"]
    assert len(final) == 1 and final[0].airport is not None and final[0].airport.icao == "LFBO"
    assert "signal_lost_after" not in final[0].details


def test_lost_on_final_and_seen_again_climbing_away_elsewhere_names_no_landing() -> None:
    """Gap rule: lost low on an approach to LFBO, seen again 15 min later climbing 20 NM away:
    nothing points to LFBO on the far side, so no landing there is ever named."""
    lat, lon, elev = LFBO
    p = track(line(0, 120, (lat - 0.15, lon, elev + 2500), (lat - 0.03, lon, elev + 300)), vr=-700)
    away = track(line(1020, 1100, (lat + 0.3, lon, elev + 3000), (lat + 0.35, lon, elev + 4000)),
                 vr=800)  # fmt: skip
    det = Detector(world=get_world())
    out = det.step(p, float(p.time_s.max()))
    out += det.step(PositionBatch.empty(0), float(p.time_s.max()) + 600)
    out += det.step(away, float(away.time_s.max()))
    out += det.finish(float(away.time_s.max()))
    assert [e for e in out if e.type in ("landing", "takeoff") and e.airport is not None] == []
