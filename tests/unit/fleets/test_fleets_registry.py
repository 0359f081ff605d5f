"""Fleet registry: TOML round trip, dated members, matching, aliases, plane-alert import.

Real data: tests/data/plane-alert-db (ODbL) and tests/data/traffic/calfire.json.gz (OpenSky via
traffic). Dated memberships are synthetic (plane-alert-db carries no dates).
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from flyvakt.cli import fleets as fleets_cli
from flyvakt.fleets import (
    Fleet,
    FleetFileError,
    FleetRegistry,
    Member,
    example_fleets_path,
    load_fleets,
    parse_fleets,
    save_fleets,
)
from flyvakt.fleets.plane_alert import (
    PlaneAlertError,
    PlaneAlertFilter,
    fleet_from_plane_alert,
    read_plane_alert,
)

DATA = Path(__file__).resolve().parents[2] / "data"
PAD = DATA / "plane-alert-db" / "plane-alert-db.csv"
RU_HEX = [0x15770C, 0x15770E, *range(0x157710, 0x15771A), 0x157766]


def _ts(y: int, m: int, d: int, hh: int = 0) -> float:
    return datetime(y, m, d, hh, tzinfo=UTC).timestamp()


def test_plane_alert_header_is_the_one_we_parse() -> None:
    header = PAD.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$#Tag 2,$#Tag 3,"
        "Category,$#Link"
    )


def test_import_russia_special_flight_detachment_il96() -> None:
    flt = PlaneAlertFilter(operators=["Russia Special Flight Detachment"], icao_types=["IL96"])
    fleet, result = fleet_from_plane_alert("ru-gov", PAD.read_text(), flt, "test")
    assert result.rows_read > 17000
    assert sorted(m.icao24 for m in fleet.members) == RU_HEX
    assert all(m.registration and m.registration.startswith("RA-96") for m in fleet.members)
    assert {m.type for m in fleet.members} == {"IL96"}
    assert "ODbL" in fleet.attribution
    # Filters AND: the operator alone brings in Tu-214, An-148, Yak-40, Superjets...
    alone = read_plane_alert(
        PAD.read_text(), PlaneAlertFilter(operators=["russia special flight"]), "t"
    )
    assert len(alone.members) > 13
    # Spelling variant in the same file ("Rossiya Special Flight Squadron", Tu-214SR):
    variant = read_plane_alert(
        PAD.read_text(), PlaneAlertFilter(operators=["Rossiya Special Flight"]), "t"
    )
    assert [m.registration for m in variant.members] == ["RA-64528"]


def test_bundled_example_has_the_13_il96_and_aliases() -> None:
    reg = load_fleets(example_fleets_path())
    fleet = reg.get("ru-gov")
    assert fleet is not None
    assert sorted(m.icao24 for m in reg.members("ru-gov", _ts(2025, 1, 1))) == RU_HEX
    assert "ODbL" in fleet.attribution
    assert fleet.name("nn") == "den russiske presidentflyflåten"
    for text in [
        "Putin",
        "putins fly",
        "PUTINS FLYFLATE",
        "Putin’s plane",
        "the Russian presidential fleet",
        "Den russiske presidentflyflåten",
        "Har Putins flyflåte landet i Nord-Korea?",
    ]:
        assert reg.resolve(text) == "ru-gov", text
    assert reg.resolve("Air France") is None
    assert reg.resolve("") is None


def test_calfire_members_seen_in_real_traffic() -> None:
    flt = PlaneAlertFilter(operators=["Cal Fire", "USDA Forest Service"])
    fleet, _ = fleet_from_plane_alert("calfire", PAD.read_text(), flt, "test")
    assert len(fleet.members) == 49
    reg = FleetRegistry([fleet])
    with gzip.open(DATA / "traffic" / "calfire.json.gz", "rt") as fh:
        records = json.load(fh)
    icao = np.array([int(r["icao24"], 16) for r in records], dtype=np.int64)
    times = np.array([r["timestamp"] / 1000.0 for r in records])
    mask = reg.member_mask(icao, times)
    seen = {f"{a:06x}" for a in icao[mask]}
    assert len({r["icao24"] for r in records}) == 45
    assert len(seen) == 27  # data README: plane-alert-db lists 27 of the 45
    # Scalar time and per-fleet mask agree with the array form.
    assert np.array_equal(reg.member_mask(icao, float(times[0])), mask)
    assert np.array_equal(reg.member_mask(icao, times, fleet_id="calfire"), mask)
    assert not reg.member_mask(icao, times, fleet_id="nope").any()
    # The scalar API agrees with the vectorised one on every distinct aircraft.
    by_match = {a for a in seen if reg.match(int(a, 16), None, float(times[0])) == ["calfire"]}
    assert by_match == seen


def test_dated_memberships_hex_change_and_registration_reuse() -> None:
    # Synthetic: registration LN-ABC moved from airframe 0x4ca001 to 0x4ca002 on 2024-06-01.
    toml = """
[[fleet]]
id = "demo"
names = { en = "the demo fleet" }
[[fleet.member]]
icao24 = "4ca001"
registration = "LN-ABC"
valid_to = 2024-05-31
source = "synthetic"
[[fleet.member]]
icao24 = "4ca002"
registration = "LN-ABC"
valid_from = 2024-06-01
source = "synthetic"
[[fleet.member]]
registration = "LN-XYZ"
source = "synthetic: registration only"
"""
    import tomllib

    reg = parse_fleets(tomllib.loads(toml), "demo.toml")
    may = _ts(2024, 5, 31, 23)
    june = _ts(2024, 6, 1, 0)
    assert reg.match(0x4CA001, None, may) == ["demo"]
    assert reg.match(0x4CA001, None, june) == []
    assert reg.match(0x4CA002, None, may) == []
    assert reg.match(0x4CA002, None, june) == ["demo"]
    # Registration matches whichever airframe carries it, in either spelling.
    assert reg.match(0xABCDEF, "LNABC", june) == ["demo"]
    assert reg.match(0xABCDEF, "ln-xyz", 0.0) == ["demo"]
    assert reg.match(0xABCDEF, None, june) == []
    assert reg.match(0xABCDEF, "", june) == []  # no registration, as None
    assert reg.match(0xABCDEF, "LN-NONE", june) == []  # a registration in no fleet
    # Every answer is a list of its own (events keep theirs as ``fleet``).
    first = reg.match(0xABCDEF, None, june)
    first.append("x")
    assert reg.match(0xABCDEF, None, june) == []
    mask = reg.member_mask([0x4CA001, 0x4CA002, 0x4CA001], [may, may, june])
    assert mask.tolist() == [True, False, False]
    # Out-of-range addresses are not members (no wrap-around into the 24-bit table).
    assert not reg.member_mask([-1, 0x4CA001 + (1 << 24)], june).any()
    assert len(reg.members("demo", may)) == 2
    assert len(reg.members("demo")) == 3


def test_roundtrip_and_bad_files(tmp_path: Path) -> None:
    fleet = Fleet(
        "x",
        names={"en": "the X fleet", "nb": "X-flåten"},
        aliases=["Ex"],
        members=[Member(0xABC123, "N1", "B738", date(2020, 1, 1), None, "s")],
        attribution="a",
    )
    path = tmp_path / "f.toml"
    save_fleets(FleetRegistry([fleet]), path)
    back = load_fleets(path)
    assert back.fleets["x"] == fleet
    assert back.get("x") is not None and back.fleets["x"].name("nn") == "X-flåten"
    assert len(load_fleets(tmp_path / "missing.toml")) == 0

    bad = tmp_path / "bad.toml"
    bad.write_text('[[fleet]]\nid = "b"\n[[fleet.member]]\nicao24 = "zz"\n')
    with pytest.raises(FleetFileError, match=r"bad\.toml: fleet 'b' member #1"):
        load_fleets(bad)
    bad.write_text("[[fleet]\n")
    with pytest.raises(FleetFileError, match=r"bad\.toml: not valid TOML"):
        load_fleets(bad)
    with pytest.raises(PlaneAlertError, match="line 1"):
        read_plane_alert("a,b\n1,2\n", PlaneAlertFilter(icao_types=["X"]), "s", "x.csv")


def test_import_counts_bad_rows() -> None:
    text = PAD.read_text().splitlines()[0] + "\nZZZZZZ,N1,Op,T,B738\n15770C,RA-96012,Op,T,B738\n"
    text += "15770C,RA-96012,Op,T,B738\n"
    res = read_plane_alert(text, PlaneAlertFilter(operators=["op"]), "s")
    assert len(res.members) == 1
    assert res.skipped == {"bad_hex": 1, "duplicate_hex": 1}


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    fleets_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    rc: int = args.func(args)
    return rc


def test_cli_import_list_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleets.toml"
    rc = _run(
        ["fleets", "import-plane-alert", str(PAD), "--operator", "special flight detachment",
         "--type", "IL96", "--as", "ru-gov", "--fleets", str(out),
         "--name", "nb=den russiske presidentflyflåten", "--alias", "Putin"]
    )  # fmt: skip
    assert rc == 0
    assert "13 members" in capsys.readouterr().out
    text = out.read_text()
    assert "ODbL" in text and "c2709be17475" in text
    reg = load_fleets(out)
    assert reg.resolve("putin") == "ru-gov"
    assert _run(["fleets", "import-plane-alert", str(PAD), "--type", "IL96", "--as", "ru-gov",
                 "--fleets", str(out)]) == 1  # fmt: skip
    assert "--replace" in capsys.readouterr().err
    assert _run(["fleets", "--fleets", str(out), "list"]) == 0
    assert capsys.readouterr().out.startswith("ru-gov\t13 members")
    assert _run(["fleets", "show", "ru-gov", "--fleets", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "157766  RA-96102" in shown
    assert _run(["fleets", "show", "nope", "--fleets", str(out)]) == 1
