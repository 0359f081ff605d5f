"""The verdict panel as an editor uses it, in Debian Chromium (Playwright).

Data: SYNTHETIC, the bundled June 2024 state-visit reconstruction (see browser_kit): observed
landings at Yakutsk (UEEE) in the morning, *inferred* landings at Pyongyang (ZKPY) at
17:20–17:26 UTC, the aircraft never seen below 3,500 ft there.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flyvakt.verify.terms import VERDICT_TERMS
from tests.integration import browser_kit as kit
from tests.unit.serve.servedata import AFR_HEX

pytestmark = pytest.mark.browser

# The badge says the words of the one shared term list, as the CLI's sentence does.
WORDS = {
    lang: (t["observed-supported"], t["inferred-supported"], t["contradicted"])
    for lang, t in VERDICT_TERMS.items()
}
CLAIMS = {
    "en": ("RA-96017 landed at UEEE", "Putin has landed in North Korea"),
    "nb": ("RA-96017 har landet på UEEE", "Putin har landet i Nord-Korea"),
    "nn": ("RA-96017 har landa på UEEE", "Putin har landa i Nord-Korea"),
}
GREEN, AMBER = "rgb(27, 94, 32)", "rgb(138, 75, 0)"


@pytest.fixture
def page(chrome: Any, sv_url: str) -> Iterator[kit.Page]:
    p = kit.Page(chrome, sv_url, accept_downloads=True)
    yield p
    p.close()


def _check(pg: Any, claim: str, at: str) -> dict[str, Any]:
    pg.fill("#claim-text", claim)
    pg.fill("#claim-at", at)
    pg.evaluate("document.getElementById('verdict').replaceChildren()")
    pg.click("#claim-form button[type=submit]")
    pg.wait_for_selector("#v-badge")
    return dict(
        pg.evaluate(
            """() => { const b = document.getElementById('v-badge');
              return { key: b.dataset.key, word: b.textContent,
                bg: getComputedStyle(b).backgroundColor,
                summary: document.getElementById('v-summary').textContent,
                evidence: document.querySelector('#verdict details').textContent,
                members: [...document.querySelectorAll('.ev-member h3')].map(h => h.textContent),
                absent: document.querySelectorAll('#v-absent').length,
                through: document.getElementById('v-through').textContent }; }"""
        )
    )


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_inferred_and_observed_verdicts_look_different(page: kit.Page, lang: str) -> None:
    pg = page.open(f"?lang={lang}")
    observed_word, inferred_word, contradicted_word = WORDS[lang]
    observed_claim, fleet_claim = CLAIMS[lang]

    obs = _check(pg, observed_claim, "2024-06-18 08:00")
    assert obs["key"] == "observed-supported"
    assert obs["word"] == observed_word and obs["summary"].startswith(observed_word + ":")
    assert obs["bg"] == GREEN
    assert obs["members"] == ["RA-96017 (157711)"]
    assert "UEEE" in obs["evidence"] and "{" not in obs["evidence"]
    # The airport is named as the verdict sentence names it (nb "Jakutsk (UEEE)"), not by its
    # English name ("på bakken på Yakutsk Airport (UEEE)")
    named = re.search(r"(\S+) \(UEEE\)", obs["summary"])
    assert named and f"{named.group(1)} (UEEE)" in obs["evidence"], (
        obs["summary"],
        obs["evidence"],
    )
    assert "Airport" not in obs["evidence"], obs["evidence"]
    # "kl." goes before a clock, not a date ("Landing på … kl. 2024-06-18 06:14:04 UTC")
    assert "kl. 20" not in obs["evidence"]

    inf = _check(pg, fleet_claim, "2024-06-18 18:00")
    assert inf["key"] == "inferred-supported"
    assert inf["word"] == inferred_word and inf["summary"].startswith(observed_word)
    assert inf["bg"] == AMBER and inf["bg"] != obs["bg"]
    # Evidence as sentences per aircraft by registration; the ten fleet members that are not
    # in the data are one line, not ten "coverage gaps".
    assert inf["members"] == ["RA-96017 (157711)", "RA-96024 (157718)", "RA-96025 (157719)"]
    assert inf["absent"] == 1
    assert "ZKPY" in inf["evidence"] and "{" not in inf["evidence"]
    # Pyongyang local time (next day) is given, with the clock as each language writes it.
    assert ("02:2" if lang == "en" else "02.2") in inf["evidence"]
    assert "2024-06-18 17:26:13 UTC" in inf["through"]
    # The map moved to the claim's moment and shows the aircraft (greyed: not heard since).
    assert pg.evaluate("window.flyvakt.state.t") == 1718733600
    assert pg.locator(".ac.ghost").count() == 3
    # No dashed leg to an airport: since session 8 the Pyongyang landings name none (each
    # track ends 5.8 NM out, not on short final); the evidence lists ZKPY as within reach.
    assert pg.locator("path.inferred-leg").count() == 0

    con = _check(pg, fleet_claim, "2024-06-18 07:47")
    assert con["key"] == "contradicted" and con["word"] == contradicted_word
    assert con["summary"].startswith(contradicted_word + ":")


def test_copy_verdict_and_permalink_round_trip(page: kit.Page, chrome: Any, sv_url: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sv_url)
    pg = page.open("?lang=nn")
    info = _check(pg, "Putin har landa i Nord-Korea", "2024-06-18 18:00")
    pg.click("#v-copy")
    pg.wait_for_function("() => document.getElementById('v-copy').textContent === 'Kopiert'")
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied == pg.evaluate("window.flyvakt.copied")
    lines = copied.splitlines()
    assert lines[0] == info["summary"]
    # Since session 9 the landing names no airport (track ends 5.8 NM out): "somewhere within
    # reach of ZKPY", inferred.
    assert any(
        line.startswith("RA-96024 (157718): Landing ein stad innanfor rekkjevidd av ZKPY")
        for line in lines
    )
    assert "Data til og med: 2024-06-18 17:26:13 UTC" in copied
    link = lines[-1]
    assert link.startswith(sv_url + "/?") and "claim=" in link and "icao=157711" in link
    assert pg.locator("#v-permalink").get_attribute("href") == link

    def view(p: Any) -> dict[str, Any]:
        return dict(
            p.evaluate(
                """() => { const f = window.flyvakt, c = f.map.getCenter();
                  return { t: f.state.t, sel: f.state.selected, lang: f.state.lang,
                    lat: c.lat, lng: c.lng, zoom: f.map.getZoom(),
                    badge: document.getElementById('v-badge').textContent,
                    summary: document.getElementById('v-summary').textContent,
                    claim: document.getElementById('claim-text').value,
                    ghosts: document.querySelectorAll('.ac.ghost').length }; }"""
            )
        )

    before = view(pg)
    other = kit.Page(chrome, sv_url)
    try:
        other.pg.goto(link)
        other.pg.wait_for_selector("body[data-ready='1']", timeout=20000)
        other.pg.wait_for_selector("#v-badge")
        after = view(other.pg)
        for key in ("lat", "lng"):  # the link carries 4 decimals (~10 m)
            assert abs(after.pop(key) - before[key]) < 1e-3
        assert after == {k: v for k, v in before.items() if k not in ("lat", "lng")}
    finally:
        other.close()


def test_save_image(page: kit.Page) -> None:
    pg = page.open("?lang=en")
    info = _check(pg, "Putin has landed in North Korea", "2024-06-18 18:00")
    with pg.expect_download() as dl:
        pg.click("#v-save")
    download = dl.value
    assert download.suggested_filename == "flyvakt-2024-06-18T1800.png"
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # The caption is text in the page (the image is drawn from it), in the chosen language,
    # with the data horizon; the reconstruction is marked as such.
    caption = pg.locator("#snap-caption").inner_text()
    assert info["summary"] in caption and "Data through: 2024-06-18 17:26:13 UTC" in caption
    assert pg.locator("#data-label").inner_text() == "RECONSTRUCTION · SYNTHETIC DATA"
    # Decode the downloaded file in the browser: not blank (land, sea, tracks, text).
    stats = pg.evaluate(
        """async (b64) => { const img = new Image();
          img.src = 'data:image/png;base64,' + b64; await img.decode();
          const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          const x = c.getContext('2d'); x.drawImage(img, 0, 0);
          const d = x.getImageData(0, 0, c.width, c.height).data;
          const colours = new Set(); let differ = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2]) differ++;
            colours.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]); }
          return { w: img.width, h: img.height, differ, colours: colours.size,
            red: Array.from({length: d.length / 4}, (_, i) => i).some(i =>
              d[4*i] > 150 && d[4*i+1] < 120 && d[4*i+2] < 120) }; }""",
        base64.b64encode(data).decode(),
    )
    assert stats["w"] >= 1600 and stats["h"] > 1200  # 2× the map plus the caption band
    assert stats["differ"] > stats["w"] * stats["h"] * 0.2
    assert stats["colours"] > 50
    assert stats["red"]  # the watermark
    assert pg.evaluate("window.flyvakt.imageStats.watermark") == "RECONSTRUCTION · SYNTHETIC DATA"


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_one_save_button_and_a_one_line_header(page: kit.Page, lang: str) -> None:
    """At 1280 px the header (language picker included) is one line in every language, and
    a verdict shows one "Save image" button (its own), not the panel's as well."""
    pg = page.open(f"?lang={lang}")
    tops = pg.evaluate(
        "() => [...document.getElementById('top').children]"
        ".filter(c => c.offsetParent && c.className !== 'spacer')"
        ".map(c => c.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 10, tops  # one row: no child wrapped below
    assert pg.locator("#save-image").is_visible()  # before a verdict: the map's button
    _check(pg, "RA-96017 har landet på UEEE", "2024-06-18 08:00")
    word = pg.locator("#v-save").inner_text()
    visible = pg.evaluate(
        "(w) => [...document.querySelectorAll('button')]"
        ".filter(b => b.offsetParent && b.textContent.trim() === w).length",
        word,
    )
    assert visible == 1


def test_saved_image_of_a_real_recording_has_no_watermark(chrome: Any, afr_url: str) -> None:
    p = kit.Page(chrome, afr_url)
    try:
        pg = p.open("?lang=en")
        assert pg.locator("#data-label").is_hidden()
        with pg.expect_download() as dl:
            pg.click("#save-image")
        assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        stats = pg.evaluate("window.flyvakt.imageStats")
        assert stats["watermark"] == "" and stats["differ"] > 0
        assert "RECONSTRUCTION" not in pg.locator("#snap-caption").inner_text()
    finally:
        p.close()


def test_keyboard_only_path_to_a_verdict(page: kit.Page) -> None:
    pg = page.open("?lang=en")
    pg.keyboard.press("Tab")  # the first stop is the skip link to the claim box
    assert pg.evaluate("document.activeElement.className") == "skip"
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "claim-text"
    pg.keyboard.type("Putin has landed in North Korea")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.id") == "claim-at"
    pg.keyboard.type("2024-06-18 18:00")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#v-badge")
    # Focus moves to the verdict so a screen reader reads it next.
    assert pg.evaluate("document.activeElement.id") == "v-badge"
    assert pg.locator("#v-badge").inner_text() == "Supported (inferred)"
    # The help overlay lists the shortcuts; Escape closes it.
    pg.keyboard.press("Tab")
    pg.keyboard.press("?")
    assert pg.locator("#help").is_visible()
    assert "play / pause" in pg.locator("#help").inner_text()
    pg.keyboard.press("Escape")
    assert not pg.locator("#help").is_visible()
    # The aircraft list and the events are reachable by keyboard: "a", then Enter selects.
    pg.keyboard.press("a")
    hexa = pg.evaluate("document.activeElement.textContent")
    pg.keyboard.press("Enter")
    pg.wait_for_function(f"() => window.flyvakt.state.selected === '{hexa}'")
    assert pg.locator("#details").is_visible()
    pg.keyboard.press("Escape")
    assert not pg.locator("#details").is_visible()
    kit.shot(pg, "keyboard-verdict")


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_a_long_paste_on_a_phone_is_cut_and_stays_on_the_page(
    chrome: Any, sv_url: str, lang: str
) -> None:
    """A 5,000-character claim was quoted back whole, in red, wider than a 390 px phone."""
    p = kit.Page(chrome, sv_url, viewport={"width": 390, "height": 844})
    try:
        pg = p.open(f"?lang={lang}")
        pg.fill("#claim-text", "x" * 5000 + " landed in France by 2024-06-18T20:00Z")
        pg.click("#claim-form button[type=submit]")
        pg.wait_for_selector("#verdict .error")
        err = pg.locator("#verdict .error")
        text = err.inner_text()
        assert len(text) < 400 and "5" in text and "…" in text, text
        sizes = err.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1], sizes
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        assert not p.errors
    finally:
        p.close()


@pytest.fixture(scope="module")
def run_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The store `flyvakt run --speed 0` makes of the bundled recording (no registrations)."""
    import subprocess
    import sys

    from flyvakt.serve import create_app

    db = tmp_path_factory.mktemp("run") / "flyvakt.db"
    cmd = [sys.executable, "-m", "flyvakt.cli.main", "run", "--db", str(db), "--speed", "0"]
    subprocess.run([*cmd, "--no-serve"], check=True, capture_output=True, timeout=300)
    with kit.serve(create_app(str(db))) as url:
        yield url


def test_nb_numbers_and_an_aircraft_known_by_its_callsign(chrome: Any, run_url: str) -> None:
    """`flyvakt run` of the bundled recording, read in nb: the details said "0.1 kt" (nb writes
    "0,1 kt", as the verdicts write "3 500 fot"), and with no registration known the evidence
    was headed "393322" under "AFR34ZG (393322) landet i Toulouse": now "AFR34ZG (393322)"."""
    p = kit.Page(chrome, run_url, viewport={"width": 1280, "height": 800})
    try:
        pg = p.open(f"?lang=nb#t=2024-07-06T08:05:00Z&icao24={AFR_HEX}")
        pg.wait_for_selector(f'.ac[data-hex="{AFR_HEX}"]', timeout=15000)
        pg.click(f'.ac[data-hex="{AFR_HEX}"] svg', force=True)
        pg.wait_for_selector("#details:not([hidden])")
        table = pg.locator("#d-table").inner_text()
        assert "0,1 kt" in table and "0.1 kt" not in table, table
        pg.fill("#claim-text", "AFR34ZG landet i Toulouse 6. juli 2024 kl. 10.30")
        pg.click("#claim-form button[type=submit]")
        pg.wait_for_selector(".ev-member h3")
        assert f"AFR34ZG ({AFR_HEX})" in pg.locator("#v-summary").inner_text()
        assert pg.locator(".ev-member h3").all_inner_texts() == [f"AFR34ZG ({AFR_HEX})"]
        # The event list names the aircraft once ("AFR34ZG AFR34ZG (393322)" before).
        who = pg.locator("#ev-list .ev-who").all_inner_texts()
        assert who and all(w.startswith(f"AFR34ZG ({AFR_HEX}) · ") for w in who), who
    finally:
        p.close()
