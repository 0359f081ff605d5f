"""Flight kinematics: profiles plausible for the type, continuous tracks, great-circle paths."""

from __future__ import annotations

import numpy as np

from flyvakt.sim import scenario
from flyvakt.sim.flight import AirPhase, Path, distance_nm, profile_for, sample

DOC = {
    "aircraft": [
        {
            "icao24": "157711",
            "callsign": "RA96017",
            "type": "IL96",
            "legs": [
                {"from": "UUWW", "to": "UEEE", "takeoff": "2024-06-18T00:30:00Z"},
                {"from": "UEEE", "to": "ZKPY", "takeoff": "2024-06-18T12:30:00Z"},
            ],
        }
    ],
}


def test_path_follows_great_circle() -> None:
    p = Path(np.array([55.5915, 62.0933]), np.array([37.2615, 129.771]))
    lat, lon, _ = p.at(np.array([0.0, p.length_nm / 2, p.length_nm]))
    assert abs(lat[0] - 55.5915) < 1e-9 and abs(lon[2] - 129.771) < 1e-9
    # the great circle Moscow -> Yakutsk bulges north of both ends (rhumb line would not)
    assert lat[1] > 66.0
    halves = distance_nm(lat[0], lon[0], lat[1], lon[1]) + distance_nm(
        lat[1], lon[1], lat[2], lon[2]
    )
    assert abs(halves - p.length_nm) < 0.01


def test_il96_profile_and_continuity() -> None:
    sc = scenario.from_dict(DOC, "t")
    ac = sc.aircraft[0]
    perf = profile_for("IL96")
    t = np.arange(ac.phases[0].t0_s, ac.phases[-1].t1_s, 1.0)
    st = sample(ac.phases, t)
    assert not np.isnan(st.lat_deg).any()
    assert np.nanmax(st.altitude_ft) == perf.cruise_ft
    assert np.nanmax(st.vertical_rate_fpm) <= perf.climb_fpm * 1.01
    assert np.nanmin(st.vertical_rate_fpm) >= -perf.descent_fpm * 1.01
    assert np.nanmax(st.groundspeed_kt) <= perf.cruise_tas_kt + 1e-6
    # no teleporting: consecutive 1 s samples never further apart than the speed allows
    step = distance_nm(st.lat_deg[:-1], st.lon_deg[:-1], st.lat_deg[1:], st.lon_deg[1:])
    assert step.max() * 3600.0 < perf.cruise_tas_kt * 1.05
    air = [ph for ph in ac.phases if isinstance(ph, AirPhase)]
    hours = (air[0].t1_s - air[0].t0_s) / 3600.0
    assert 5.0 < hours < 7.0  # ~2,650 NM at Il-96 speeds
    # on the ground at each airport's field elevation
    assert set(np.unique(st.altitude_ft[st.on_ground]).tolist()) == {685.0, 325.0, 117.0}
