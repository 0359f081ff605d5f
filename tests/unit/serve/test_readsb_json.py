"""aircraft.json / receiver.json field for field against a real readsb-family sample.

``tests/data/readsb/aircraft.json`` is a real dump1090-fa/readsb aircraft.json (11 of its
aircraft; see PROVENANCE.md). Our rows come from the one builder (``readsb_aircraft``) fed by
the live hub (tracker state after replaying real recordings: rs1090's short_flights, 9
aircraft with operational-status messages, and AFR34ZG) and by the store (last fixes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flyvakt.runtime.hub import Hub
from flyvakt.runtime.replay import replay_files
from flyvakt.serve.convert import (
    FLYVAKT_AIRCRAFT_FIELDS,
    READSB_AIRCRAFT_FIELDS,
    READSB_RECEIVER_FIELDS,
    aircraft_rows,
    receiver_json,
)

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = json.loads((DATA / "readsb/aircraft.json").read_text(encoding="utf-8"))
AFR = DATA / "traffic/full_flight_short.jsonl.gz"
SHORT = DATA / "rs1090/short_flights.csv"


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "number"
    return type(v).__name__


def _sample_kinds() -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for ac in SAMPLE["aircraft"]:
        for k, v in ac.items():
            kinds.setdefault(k, set()).add(_json_kind(v))
    return kinds


def _hub_rows(path: Path) -> list[dict[str, Any]]:
    res = replay_files([str(path)], detect=False)
    hub = Hub()
    hub.set_tracker_table(res.state.tracker.table)
    return hub.aircraft_now(float(res.state.data_through_s))


@pytest.fixture(scope="module")
def live_rows() -> list[dict[str, Any]]:
    """The live hub's aircraft.json rows at the end of rs1090's real short_flights frames."""
    return _hub_rows(SHORT)


def test_our_key_list_covers_the_real_file() -> None:
    sample_keys = set().union(*(set(a) for a in SAMPLE["aircraft"]))
    assert sample_keys <= READSB_AIRCRAFT_FIELDS, sample_keys - READSB_AIRCRAFT_FIELDS
    assert set(SAMPLE) == {"now", "messages", "aircraft"}


def test_live_rows_have_readsb_keys_with_readsb_json_types(live_rows: list[dict[str, Any]]) -> None:
    # 9 addresses in the file, 2 of them heard in one CRC-checked frame only: phantom
    # suppression (flyvakt.track.confirm) holds them back, as dump1090/readsb skip aircraft with
    # fewer than two messages.
    assert len(live_rows) == 7
    kinds = _sample_kinds()
    for row in live_rows:
        assert set(row) <= READSB_AIRCRAFT_FIELDS | FLYVAKT_AIRCRAFT_FIELDS, row
        for key, value in row.items():
            if key not in kinds or key == "alt_baro":  # alt_baro: "ground" or feet, below
                continue
            allowed = kinds[key] | ({"number"} if "int" in kinds[key] else set())
            assert _json_kind(value) in allowed, (key, value, kinds[key])
        assert row["alt_baro"] == "ground" or isinstance(row["alt_baro"], int)
    # DAL2136 (ab2760): everything the tracker holds is there, in readsb's form.
    dal = next(r for r in live_rows if r["hex"] == "ab2760")
    want = {"hex", "type", "flight", "alt_baro", "gs", "track", "baro_rate", "squawk",
            "emergency", "category", "lat", "lon", "seen_pos", "version", "nac_p", "mlat",
            "tisb", "messages", "seen"}  # fmt: skip
    assert want <= set(dal)
    assert (dal["type"], dal["flight"], dal["category"], dal["version"], dal["nac_p"]) == (
        "adsb_icao",
        "DAL2136 ",
        "A3",
        2,
        10,
    )
    assert dal["emergency"] == "none" and dal["squawk"] == "7204"
    # The real file has the same keys for its fully equipped airliners.
    full = next(a for a in SAMPLE["aircraft"] if a["hex"] == "3cf0b8")
    shared = want - {"type"}  # this dump1090-fa version writes no "type"
    assert shared <= set(full)


def test_stored_rows_use_the_same_builder() -> None:
    res = replay_files([str(AFR)], detect=False)
    last = res.positions.take([len(res.positions) - 1])
    now = float(last.time_s[0])
    stored = aircraft_rows(last, now)[0]
    live = _hub_rows(AFR)[0]
    # Every key the store can fill has the live key's value (the store keeps no category,
    # version, NACp or message count: those keys are omitted there, as readsb omits unknowns).
    for key in ("hex", "type", "flight", "alt_baro", "gs", "track", "squawk", "lat", "lon"):
        assert stored[key] == live[key], key
    assert set(stored) <= set(live) | {"fleet"}


def test_receiver_json_keys() -> None:
    doc = receiver_json("flyvakt 0.1.0", 1000, 48.5, 2.5)
    assert set(doc) == READSB_RECEIVER_FIELDS
    assert set(receiver_json("flyvakt 0.1.0", 1000)) == {"version", "refresh", "history"}


def test_receiver_json_is_served(store_path: Path) -> None:
    from starlette.testclient import TestClient

    from flyvakt import __version__
    from flyvakt.serve.app import create_app

    with TestClient(create_app(str(store_path))) as c:
        r = c.get("/data/receiver.json")
    assert r.status_code == 200
    assert r.json() == {"version": f"flyvakt {__version__}", "refresh": 1000, "history": 0}
