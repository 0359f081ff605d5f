"""The bundled June 2024 reconstruction (SYNTHETIC, from public reporting) decoded by rs1090.

Checks the story the scenario must tell: three known addresses, Moscow Vnukovo at the start, on
the ground in Yakutsk at mid-day, never over China, and the last frames before Pyongyang a few
thousand feet up (coverage over North Korea has a 3,500 ft floor: touchdown is not seen).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import rs1090
from shapely import contains_xy
from shapely.geometry import Polygon

from flyvakt.sim import emit, scenario
from flyvakt.sim.flight import AirPhase, distance_nm

HEXES = {"157711", "157718", "157719"}  # RA-96017, RA-96024, RA-96025 (plane-alert-db)
UUWW, UEEE, ZKPY = (55.5915, 37.2615), (62.0933, 129.771), (39.2241, 125.67)
# A crude outline of China (lon, lat), detailed only along the north-east border (Amur, Ussuri,
# Tumen, Yalu) that the route must stay east of; adequate for "never over China" at 10 NM.
CHINA = Polygon([
    (73.5, 39.5), (80, 45), (87, 49), (97, 43), (111, 45), (116, 49.5), (120, 53.5),
    (125, 53.2), (127.5, 50), (130.5, 48.9), (134.7, 48.3), (133.1, 45.1), (131.8, 45.2),
    (131.0, 44.9), (131.3, 42.9), (130.6, 42.4), (129.6, 42.4), (128.0, 41.8), (126.0, 41.4),
    (124.3, 39.9), (122, 39), (121.5, 31), (119.5, 25.5), (117, 23.5), (110, 20.5), (108, 21.5),
    (106, 22.5), (101.5, 21.2), (98, 24), (97.5, 28), (92, 27.8), (88, 27.5), (81, 30),
    (79, 32.5), (78.5, 35.5), (74.5, 37),
])  # fmt: skip


def _t(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def sc() -> scenario.Scenario:
    s = scenario.load(scenario.bundled("june-2024-state-visit"))
    # a fifth of the real rates: even/odd positions 2.5 s apart still pair in rs1090
    s.rate_scale = 0.2
    return s


@pytest.fixture(scope="module")
def res(sc: scenario.Scenario) -> emit.SimResult:
    return emit.simulate(sc)


@pytest.fixture(scope="module")
def positions(res: emit.SimResult) -> list[dict[str, object]]:
    idx = np.nonzero(res.kind == emit.KIND_NAMES.index("airborne_pos"))[0]
    fb = res.frames
    msgs = rs1090.decode([fb.hex(int(i)) for i in idx], fb.time_s[idx].tolist())
    return [m for m in msgs if "latitude" in m]


def test_label_says_reconstruction(res: emit.SimResult) -> None:
    assert "APPROXIMATE RECONSTRUCTION" in res.label and "synthetic" in res.label


def test_three_addresses_decoded(res: emit.SimResult, positions: list[dict[str, object]]) -> None:
    assert {str(m["icao24"]) for m in positions} == HEXES
    fb = res.frames
    ident = np.nonzero(res.kind == emit.KIND_NAMES.index("ident"))[0][:300]
    msgs = rs1090.decode([fb.hex(int(i)) for i in ident], fb.time_s[ident].tolist())
    assert {str(m["callsign"]) for m in msgs} == {"RA96017", "RA96024", "RA96025"}


def test_starts_near_vnukovo(positions: list[dict[str, object]]) -> None:
    for hx in HEXES:
        first = next(m for m in positions if m["icao24"] == hx)
        assert float(str(first["timestamp"])) < _t("2024-06-18T01:00:00")
        d = distance_nm(UUWW[0], UUWW[1], float(str(first["latitude"])),
                        float(str(first["longitude"])))  # fmt: skip
        assert d < 10.0


def test_on_ground_in_yakutsk_at_midday(res: emit.SimResult) -> None:
    fb = res.frames
    surf = res.kind == emit.KIND_NAMES.index("surface_pos")
    win = (fb.time_s > _t("2024-06-18T08:00:00")) & (fb.time_s < _t("2024-06-18T12:00:00"))
    idx = np.nonzero(surf & win)[0]
    msgs = rs1090.decode([fb.hex(int(i)) for i in idx], fb.time_s[idx].tolist(), reference=UEEE)
    fixes = [m for m in msgs if "latitude" in m]
    assert {str(m["icao24"]) for m in fixes} == HEXES
    for m in fixes:
        d = distance_nm(UEEE[0], UEEE[1], float(str(m["latitude"])), float(str(m["longitude"])))
        assert d < 2.0
    # nothing airborne in that window
    air = res.kind == emit.KIND_NAMES.index("airborne_pos")
    assert not (air & win).any()


def test_never_over_china(res: emit.SimResult, positions: list[dict[str, object]]) -> None:
    lat = np.array([float(str(m["latitude"])) for m in positions])
    lon = np.array([float(str(m["longitude"])) for m in positions])
    assert not contains_xy(CHINA, lon, lat).any()
    # the simulated truth, every frame, too (covered or not is irrelevant here)
    tr = res.truth
    assert not contains_xy(CHINA, tr.lon_deg, tr.lat_deg).any()
    # and the route really goes east of China: some positions east of 140 E south of 50 N
    assert ((lon > 140.0) & (lat < 50.0)).any()


def test_flying_south_at_1445_and_last_landing_near_1730(sc: scenario.Scenario) -> None:
    from flyvakt.sim.flight import sample

    t = np.array([_t("2024-06-18T14:45:00")])
    for ac in sc.aircraft:
        st = sample(ac.phases, t)
        assert not st.on_ground[0]
        assert 120.0 < st.track_deg[0] < 240.0  # heading broadly south
        assert st.lat_deg[0] < UEEE[0] - 5.0
    landings = [ph.t1_s for ac in sc.aircraft for ph in ac.phases if isinstance(ph, AirPhase)]
    last = max(landings)
    assert _t("2024-06-18T17:15:00") <= last <= _t("2024-06-18T17:45:00")


def test_final_approach_seen_down_to_the_floor_only(
    res: emit.SimResult, positions: list[dict[str, object]]
) -> None:
    """North Korea is covered only above 3,500 ft: the approach is seen low and close (the
    detector's inferred-landing envelope), touchdown and the ground at ZKPY are not."""
    for hx in HEXES:
        last = [m for m in positions if m["icao24"] == hx][-1]
        d = distance_nm(ZKPY[0], ZKPY[1], float(str(last["latitude"])),
                        float(str(last["longitude"])))  # fmt: skip
        alt = int(str(last["altitude"]))
        assert d < 10.0  # seen until close to Pyongyang...
        assert 3500 <= alt <= 5000  # ...but only above the coverage floor
    # no frame from the ground at Pyongyang, nor from below the floor near it
    tr = res.truth
    near = distance_nm(ZKPY[0], ZKPY[1], tr.lat_deg, tr.lon_deg) < 20.0
    assert near.any()
    assert not tr.on_ground[near].any()
    assert (tr.altitude_baro_ft[near] >= 3500).all()


def test_countries_along_the_route(res: emit.SimResult) -> None:
    """The strict check with the geo engine (land + 12 NM territorial sea): RU and KP, no CN."""
    from flyvakt.geo.world import get_world

    tr = res.truth
    step = slice(None, None, 5)
    countries = get_world().country_at(tr.lat_deg[step], tr.lon_deg[step])
    seen = {c for c in countries.tolist() if c is not None}
    assert "CN" not in seen
    assert {"RU", "KP"} <= seen
    # North Korea is entered from the east coast (Wonsan side), not across the Chinese border
    kp = np.nonzero(countries == "KP")[0]
    first_kp_lon = float(tr.lon_deg[step][kp[np.argmin(tr.time_s[step][kp])]])
    assert first_kp_lon > 127.0
