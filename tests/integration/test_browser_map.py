"""The web map in headless Debian Chromium (Playwright), over a store of real recordings.

Browser, servers and the strict Content-Security-Policy come from browser_kit / conftest.
Screenshots go to artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from flyvakt.serve import create_app
from tests.integration import browser_kit as kit
from tests.unit.serve.servedata import AFR_HEX

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chrome: Any, afr_url: str) -> Iterator[Any]:
    p = kit.Page(chrome, afr_url, viewport={"width": 1400, "height": 900})
    pg = p.open()
    pg.wait_for_selector(f'.ac[data-hex="{AFR_HEX}"]', timeout=15000)
    yield pg
    p.close()


def _shot(pg: Any, name: str) -> None:
    kit.shot(pg, name)


def _marker_latlon(pg: Any) -> tuple[float, float]:
    ll = pg.evaluate(f"window.flyvakt.state.markers.get('{AFR_HEX}').getLatLng()")
    return float(ll["lat"]), float(ll["lng"])


def test_map_shows_aircraft_and_details(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-land-pane path').length > 100"
    )
    assert "STORED DATA" in page.locator("#mode").inner_text()
    page.locator(f'.ac[data-hex="{AFR_HEX}"]').click()
    page.wait_for_selector("#details:not([hidden])")
    assert page.locator("#d-hex").inner_text() == AFR_HEX
    table = page.locator("#d-table").inner_text()
    assert "F-GMZC" in table and "AFR34ZG" in table
    # The trail of the flight is drawn (at least one segment).
    page.wait_for_function(
        "() => [...document.querySelectorAll('path.trail')]"
        ".some(p => p.getAttribute('d').length > 20)"
    )
    _shot(page, "01-details")


def test_playback_moves_the_aircraft(page: Any) -> None:
    page.locator(f'.ac[data-hex="{AFR_HEX}"]').click()
    before = _marker_latlon(page)
    # Slider at 50 %: mid-flight (the window is the last 3 h; AFR34ZG flew the last 80 min).
    page.evaluate(
        "() => { const s = document.getElementById('slider'); s.value = 700;"
        " s.dispatchEvent(new Event('input')); }"
    )
    # The marker moves on the map (the map follows it, so compare positions, not pixels).
    page.wait_for_function(
        "(ll) => { const m = window.flyvakt.state.markers.get('393322');"
        " if (!m) return false; const p = m.getLatLng();"
        " return Math.abs(p.lat - ll[0]) + Math.abs(p.lng - ll[1]) > 1.0; }",
        arg=list(before),
        timeout=10000,
    )
    after = _marker_latlon(page)
    assert after[0] > before[0] + 2  # mid-flight, north of Toulouse (towards Paris)
    box = page.locator(f'.ac[data-hex="{AFR_HEX}"]').bounding_box()
    assert box is not None and 0 < box["x"] < 1020 and 0 < box["y"] < 900  # kept in view
    clock = page.locator("#clock").inner_text()
    # UTC and the reader's zone (the context runs in Europe/Oslo), with the date.
    assert clock.startswith("2024-07-06") and " UTC · 6 Jul, " in clock and clock.endswith("CEST")
    alt = page.locator("#d-table").inner_text()
    assert " ft" in alt  # airborne now: altitude in feet rather than "on the ground"
    _shot(page, "02-playback")
    # Play ×1000 for a moment: time advances.
    t0 = page.evaluate("window.flyvakt.state.t")
    page.select_option("#speed", "1000")
    page.locator("#play").click()
    page.wait_for_function(f"() => window.flyvakt.state.t > {t0} + 400", timeout=10000)
    page.locator("#play").click()


def test_claim_and_language(page: Any) -> None:
    page.fill("#claim-text", "AFR34ZG landed at LFBO by 2024-07-06T09:00Z")
    page.locator("#claim-form button[type=submit]").click()
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict").inner_text() == "Supported"
    assert "LFBO" in page.locator(".summary").inner_text()
    # Events list shows UTC, local time at the place and the reader's zone.
    first = page.locator("#ev-list li").first.inner_text()
    assert "landing" in first.lower() and "LFBO Toulouse" in first
    assert "Blagnac Airport" not in first  # the place in words, the airport's name as the tooltip
    assert page.locator("#ev-list li .ev-place").first.get_attribute("title") == (
        "Toulouse-Blagnac Airport"
    )
    _shot(page, "03-claim")
    page.select_option("#lang", "nb")
    assert page.locator("#claim h2").inner_text() == "Sjekk en påstand"
    page.wait_for_function("() => document.querySelector('.verdict')?.textContent === 'Bekreftet'")
    _shot(page, "04-claim-nb")
    # Clocks as the bulletins write them in Norwegian ("kl. 09.58"): a full stop, not ICU's colon.
    clock_nb = page.locator("#clock").inner_text()
    assert re.search(r"\b\d\d\.\d\d CEST$", clock_nb), clock_nb
    assert not re.search(r"\b\d\d:\d\d CEST", page.locator("#ev-list li").first.inner_text())
    page.select_option("#lang", "nn")
    assert page.locator("#events h2").inner_text() == "Hendingar"
    assert re.search(r"\b\d\d\.\d\d CEST$", page.locator("#clock").inner_text())
    page.select_option("#lang", "en")
    assert re.search(r"\b\d\d:\d\d CEST$", page.locator("#clock").inner_text())


# -- live mode with a synthetic hub -------------------------------------------------------------
# Synthetic (no engine behind it): two aircraft either side of the antimeridian over Chukotka,
# one in a fleet, with per-field ages as the real hub reports them.
LIVE_AIRCRAFT = [
    {
        "hex": "15770c",
        "flight": "RSD012  ",
        "alt_baro": 33000,
        "gs": 470.0,
        "track": 95.0,
        "lat": 65.5,
        "lon": 179.4,
        "seen": 0.4,
        "seen_pos": 1.2,
        "messages": 812,
        "source": "adsb",
        "fleet": ["ru-gov"],
        "field_age_s": {
            "position": 1.2,
            "altitude_baro_ft": 0.4,
            "groundspeed_kt": 2.5,
            "callsign": 31.0,
            "nac_p": 4.0,
        },
    },
    {
        "hex": "4b1805",
        "flight": "SWR38   ",
        "alt_baro": 36000,
        "gs": 480.0,
        "track": 250.0,
        "lat": 66.0,
        "lon": -179.2,
        "seen": 0.2,
        "seen_pos": 0.2,
        "messages": 300,
        "source": "adsb",
        "fleet": [],
    },
]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from flyvakt.fleets import example_fleets_path
    from tests.unit.serve.servedata import FakeHub

    db = tmp_path_factory.mktemp("live") / "none.db"  # no store yet: live view only
    hub = FakeHub(LIVE_AIRCRAFT, now_s=1.75e9)
    with kit.serve(create_app(str(db), hub=hub, fleets_path=str(example_fleets_path()))) as url:
        yield url


def test_live_view_across_the_antimeridian(chrome: Any, live_server: str) -> None:
    p = kit.Page(chrome, live_server, viewport={"width": 1400, "height": 900})
    pg = p.open("?lang=nn")
    pg.wait_for_selector('.ac[data-hex="15770c"]', timeout=15000)
    pg.wait_for_selector('.ac[data-hex="4b1805"]')
    assert pg.locator("#mode").inner_text() == "DIREKTE"
    assert not pg.locator("#playback").is_visible()  # no playback slider in live mode
    pg.locator('.ac[data-hex="15770c"]').click()
    table = pg.locator("#d-table").inner_text()
    # The age of each field, in words (the hub's names, "altitude_baro_ft", are not for readers).
    assert "ru-gov" in table and "kallesignal 31 s" in table and "barometrisk høgd 0 s" in table
    assert "_ft" not in table and "_kt" not in table and "nac_p" not in table
    # Units in the reader's language, as the verdicts write them (nn: "fot"; the number's
    # thousands are grouped by a no-break space).
    assert "33\u00a0000 fot" in table and " ft" not in table
    for lang, words in (("nb", "barometrisk høyde 0 s"), ("en", "barometric altitude 0 s")):
        pg.select_option("#lang", lang)
        pg.wait_for_function(
            "w => document.querySelector('#d-table').innerText.includes(w)", arg=words
        )
        assert "_ft" not in pg.locator("#d-table").inner_text()
        unit = " ft" if lang == "en" else " fot"
        assert f"000{unit}" in pg.locator("#d-table").inner_text()
    pg.select_option("#lang", "nn")
    # Fleet filter: only the fleet member stays.
    pg.select_option("#f-fleet", "ru-gov")
    pg.wait_for_function("() => document.querySelectorAll('.ac').length === 1")
    pg.select_option("#f-fleet", "")
    # Both markers come back on the next redraw; wait for it rather than race it.
    pg.wait_for_function("() => document.querySelectorAll('.ac').length === 2")
    pg.wait_for_function("() => document.querySelectorAll('.leaflet-land-pane path').length > 100")
    pg.evaluate("() => { window.flyvakt.map.setView([64, 180], 3, {animate: false}); }")
    # Wait for the redraw after the move (a fixed 300 ms raced it on a loaded machine), then
    # two animation frames so the screenshot shows it painted.
    pg.wait_for_function(
        """() => document.querySelectorAll('.ac').length === 2 &&
          [...document.querySelectorAll('.leaflet-land-pane path')]
            .some(p => (p.getAttribute('d') || '').length > 1)""",
        timeout=15000,
    )
    pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    kit.shot(pg, "05-live-antimeridian")
    # No drawn outline edge is longer than half the world (a smeared Russia would be ~all of
    # it). Antarctica's closing edge along the bottom of the Mercator map (y of lat -85) is the
    # only long edge, and it is at the map's edge, not across it.
    widest = pg.evaluate(
        """() => { let worst = 0;
          const south = window.flyvakt.map.latLngToLayerPoint([-85, 0]).y;
          for (const p of document.querySelectorAll('.leaflet-land-pane path')) {
            for (const sub of (p.getAttribute('d') || '').split('M').slice(1)) {
              const pts = sub.replace(/z/gi, '').split('L').map(t => t.trim().split(/[ ,]+/)
                .map(Number));
              for (let i = 1; i < pts.length; i++) {
                if (pts[i][1] >= south && pts[i-1][1] >= south) continue;
                worst = Math.max(worst, Math.abs(pts[i][0] - pts[i-1][0]));
              }
            }
          } return worst; }"""
    )
    world_px = pg.evaluate("256 * Math.pow(2, window.flyvakt.map.getZoom())")
    assert 0 < widest < world_px / 2
    # Both aircraft are drawn next to each other, on either side of 180°, not a world apart.
    # Both read in one page call, waited for until both are drawn: a live redraw can replace a
    # marker between two Playwright calls (bounding_box() answered None once under load).
    xs = pg.wait_for_function(
        """() => { const b = ['15770c', '4b1805'].map(h =>
            document.querySelector(`.ac[data-hex="${h}"]`)?.getBoundingClientRect());
          return b.every(r => r && r.width > 0) ? b.map(r => r.x) : null; }""",
        timeout=15000,
    ).json_value()
    assert len(xs) == 2 and abs(xs[0] - xs[1]) < 100
    p.close()


# LFBO's reference point: a receiver at Toulouse, where AFR34ZG lands (position chosen for the
# test; the recording's own receivers are not known).
RX_LAT, RX_LON = 43.635, 1.368


def test_range_rings_around_the_receiver(chrome: Any, afr_db: Any) -> None:
    app = create_app(str(afr_db), receiver=(RX_LAT, RX_LON))
    with kit.serve(app) as url:
        p = kit.Page(chrome, url)
        try:
            pg = p.open(f"?lat={RX_LAT}&lon={RX_LON}&zoom=6")
            pg.wait_for_selector(".rx")
            assert pg.locator("path.range-ring").count() == 4
            labels = pg.locator(".ring-label").all_inner_texts()
            assert labels == ["50 NM", "100 NM", "150 NM", "200 NM"]
            marker = pg.locator(".rx")
            assert (marker.get_attribute("data-lat"), marker.get_attribute("data-lon")) == (
                str(RX_LAT),
                str(RX_LON),
            )
            # The 200 NM ring's height on screen is 2 x 200 NM of latitude (200/60 degrees
            # either side of the receiver), projected by the map: the rings are to scale.
            got, want = pg.evaluate(
                f"""() => {{
                  const m = window.flyvakt.map;
                  const rings = [...document.querySelectorAll('path.range-ring')];
                  const h = Math.max(...rings.map(r => r.getBoundingClientRect().height));
                  const n = m.latLngToContainerPoint([{RX_LAT} + 200 / 60, {RX_LON}]);
                  const s = m.latLngToContainerPoint([{RX_LAT} - 200 / 60, {RX_LON}]);
                  return [h, s.y - n.y]; }}"""
            )
            assert abs(got - want) < 0.03 * want, (got, want)
            pg.wait_for_function(
                "() => document.querySelectorAll('.leaflet-land-pane path').length > 100"
            )
            kit.shot(pg, "range-rings")
        finally:
            p.close()


def test_runways_from_zoom_12(chrome: Any, afr_url: str) -> None:
    p = kit.Page(chrome, afr_url)
    try:
        pg = p.open("?lat=43.630&lon=1.364&zoom=11")
        assert pg.locator("path.runway").count() == 0  # below zoom 12: the airport dot only
        pg.evaluate("window.flyvakt.map.setZoom(14, { animate: false })")
        pg.wait_for_selector("path.runway.rwy-LFBO")
        assert pg.locator("path.runway.rwy-LFBO").count() == 2
        ends = set(pg.locator(".rwy-end").all_inner_texts())
        assert {"14L", "32R", "14R", "32L"} <= ends
        # Drawn to width: 148 ft (45 m) at zoom 14 is about 10 px.
        width = float(pg.locator("path.runway.rwy-LFBO").first.get_attribute("stroke-width") or 0)
        assert 6 < width < 16, width
        kit.shot(pg, "runways-lfbo")
    finally:
        p.close()


def test_dashed_leg_to_the_airport_of_an_inferred_landing(chrome: Any, afr_url: str) -> None:
    """calfire a5035e (real, OpenSky/traffic, MIT) is last heard on final to KFAT at 19:02:18,
    then unheard for 34 min: the detector infers a landing at KFAT. At 19:10 the map greys it
    at its last position with one dashed leg to KFAT; at 19:45, heard again, it has none (it
    has inferred landings at KFAT before and after: those draw no leg from where it is now)."""
    p = kit.Page(chrome, afr_url)
    win = "from=2020-09-09T17:00:00Z&to=2020-09-09T22:00:00Z"
    try:
        pg = p.open(f"?lang=en&{win}&t=2020-09-09T19:10:00Z&lat=36.79&lon=-119.73&zoom=12")
        pg.wait_for_selector("path.inferred-leg")
        ac = pg.evaluate(
            "window.flyvakt.state.aircraft.filter(a => a.hex === 'a5035e')"
            ".map(a => ({ lat: a.lat, lon: a.lon, ghost: a.ghost }))"
        )
        assert ac and ac[0]["ghost"], ac
        legs = pg.evaluate("window.flyvakt.state.legs")
        mine = [g for g in legs if g["latlngs"][0] == [ac[0]["lat"], ac[0]["lon"]]]
        assert len(mine) == 1 and mine[0]["dashed"], legs
        # its end is KFAT's reference point (36.7766 N, 119.7188 W)
        lat, lon = mine[0]["latlngs"][1]
        assert abs(lat - 36.7766) < 0.001 and abs(lon + 119.7188) < 0.001, (lat, lon)
        assert pg.locator("path.inferred-leg").count() == len(legs)
        dash = pg.locator("path.inferred-leg").first.get_attribute("stroke-dasharray")
        assert dash == "6 6", dash
        kit.shot(pg, "inferred-leg-kfat")
        pg = p.open(f"?lang=en&{win}&t=2020-09-09T19:45:00Z&lat=36.79&lon=-119.73&zoom=12")
        pg.wait_for_function(
            "window.flyvakt.state.aircraft.some(a => a.hex === 'a5035e' && !a.ghost)"
        )
        legs = pg.evaluate("window.flyvakt.state.legs")
        here = pg.evaluate(
            "window.flyvakt.state.aircraft.filter(a => a.hex === 'a5035e').map(a => [a.lat, a.lon])"
        )
        assert all(g["latlngs"][0] != here[0] for g in legs), (legs, here)
    finally:
        p.close()


_LABELS_ON_MAP = """() => {
  const m = document.getElementById('map').getBoundingClientRect();
  const ctl = [...document.querySelectorAll('#map .leaflet-control')]
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
  const hit = (a, b) => a.left < b.right && b.left < a.right
    && a.top < b.bottom && b.top < a.bottom;
  const look = (e) => {
    const r = e.getBoundingClientRect();
    return { text: e.textContent, shown: getComputedStyle(e).visibility !== 'hidden',
      inside: r.left >= m.left - 0.5 && r.right <= m.right + 0.5 && r.top >= m.top - 0.5
        && r.bottom <= m.bottom + 0.5,
      under: ctl.some((c) => hit(r, c)) };
  };
  return [...document.querySelectorAll('.ap-label, .place')].map(look);
}"""

# Bordeaux-Mérignac's dot, put at the map's left edge beside the zoom buttons.
_LFBD_TO_THE_EDGE = """() => {
  const map = window.flyvakt.map;
  if (map.getZoom() < 6) map.setZoom(6, { animate: false });
  const m = document.getElementById('map').getBoundingClientRect();
  const z = document.querySelector('.leaflet-control-zoom').getBoundingClientRect();
  const p = map.latLngToContainerPoint([44.8283, -0.7156]);
  map.panBy([p.x - 5, p.y - (z.top + z.height / 2 - m.top)], { animate: false });
}"""


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)])
def test_airport_and_place_labels_stay_on_the_map(
    chrome: Any, afr_url: str, viewport: tuple[int, int]
) -> None:
    """At phone size after `flyvakt run` of the bundled recording, "LFBD / BOD" sat behind the
    zoom buttons, cut at the map's left edge (and at 1280x800 "LEMD / MAD" and "Madrid" were
    cut at it, "LSGG / GVA" ran under the panel): a label shown is wholly on the map and under
    no control, on another side of its dot where one has room, else hidden (the dot stays)."""
    w, h = viewport
    p = kit.Page(chrome, afr_url, viewport={"width": w, "height": h})
    try:
        pg = p.open()
        pg.wait_for_selector(f'.ac[data-hex="{AFR_HEX}"]', timeout=15000)
        pg.evaluate(_LFBD_TO_THE_EDGE)
        lfbd = '.ap[data-icao="LFBD"] .ap-label[data-side="hidden"]'
        pg.wait_for_selector(lfbd, state="attached")
        labels = pg.evaluate(_LABELS_ON_MAP)
        shown = [x for x in labels if x["shown"]]
        assert "LFBO / TLS" in [x["text"] for x in shown], labels  # the others stay labelled
        bad = [x for x in shown if not x["inside"] or x["under"]]
        assert not bad, f"labels cut by the map's edge or under a control: {bad}"
        _shot(pg, f"labels-at-the-edge-{w}")
    finally:
        p.close()


_LFBO_BOXES = """() => {
  const r = (sel) => document.querySelector(sel).getBoundingClientRect().toJSON();
  return { ap: r('.ap[data-icao="LFBO"] .ap-label'), ac: r('.ac[data-hex="393322"] .ac-label') };
}"""


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)])
def test_the_aircraft_label_and_the_airport_label_do_not_collide(
    chrome: Any, afr_url: str, viewport: tuple[int, int]
) -> None:
    """AFR34ZG on the ground at LFBO, selected, at zoom 9: its label sat on the airport's and
    read "LAFR34ZG" (every side of the dot touched the aircraft's icon, and the first side was
    taken). Now the side covering the least is taken, an aircraft label counting far more than
    its icon: the two labels never overlap."""
    w, h = viewport
    p = kit.Page(chrome, afr_url, viewport={"width": w, "height": h})
    try:
        pg = p.open(f"#t=2024-07-06T08:05:00Z&icao24={AFR_HEX}")
        pg.wait_for_selector(f'.ac[data-hex="{AFR_HEX}"]', timeout=15000)
        pg.evaluate("() => window.flyvakt.map.setView([43.635, 1.368], 9, {animate: false})")
        pg.wait_for_selector('.ap[data-icao="LFBO"] .ap-label')
        pg.click(f'.ac[data-hex="{AFR_HEX}"] svg', force=True)
        pg.wait_for_selector(f'.ac.sel[data-hex="{AFR_HEX}"] .ac-label', state="visible")
        if w < 600:
            pg.keyboard.press("Escape")  # the details sheet covers the map at phone size
        pg.wait_for_timeout(300)
        b = pg.evaluate(_LFBO_BOXES)
        ap, ac = b["ap"], b["ac"]
        apart = (
            ap["right"] <= ac["left"] or ac["right"] <= ap["left"]
            or ap["bottom"] <= ac["top"] or ac["bottom"] <= ap["top"]
        )  # fmt: skip
        assert apart, b
        _shot(pg, f"lfbo-labels-apart-{w}")
    finally:
        p.close()
