"""Regenerate docs/screenshots/: every view of the web map, in Debian Chromium (Playwright).

Usage: ``.venv/bin/python scripts/screenshots.py`` (about a minute; needs /usr/bin/chromium).

Data: the June 2024 state-visit reconstruction (SYNTHETIC, labelled as such on every view), the
real AFR34ZG recording (LFPG → LFBO, 6 July 2024) and the real CAL FIRE sample (September 2020,
stored with it). Desktop views at 1280×800, the phone view at 390×844. Look at the images after
regenerating them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration import browser_kit as kit  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _claim(pg: object, text: str, at: str) -> None:
    pg.fill("#claim-text", text)  # type: ignore[attr-defined]
    pg.fill("#claim-at", at)  # type: ignore[attr-defined]
    pg.click("#claim-form button[type=submit]")  # type: ignore[attr-defined]
    pg.wait_for_selector("#v-badge")  # type: ignore[attr-defined]


def _ready(pg: object) -> None:
    """Outlines drawn and painted."""
    pg.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelectorAll('.leaflet-land-pane path').length > 100"
    )
    pg.evaluate(  # type: ignore[attr-defined]
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


def main() -> int:
    from tests.unit.serve.servedata import build_store

    from flyvakt.serve import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sv_db = kit.build_state_visit_store(Path(tmp) / "sv.db")
        afr_db = build_store(Path(tmp) / "afr.db")
        with (
            kit.serve(kit.state_visit_app(sv_db)) as sv,
            kit.serve(create_app(str(afr_db))) as afr,
            # A receiver placed at Toulouse-Blagnac for the range rings (the recording's own
            # receivers are not known).
            kit.serve(create_app(str(afr_db), receiver=(43.635, 1.368))) as afr_rx,
            kit.chromium() as browser,
        ):
            shots: list[tuple[str, str, str, dict[str, int], list[tuple[str, str]]]] = [
                # name, server, query, viewport, claims [(text, at)]
                (
                    "verdict-inferred-nn",
                    sv,
                    "?lang=nn",
                    DESKTOP,
                    [("Putin har landa i Nord-Korea", "2024-06-18 18:00")],
                ),
                (
                    "verdict-contradicted-en",
                    sv,
                    "?lang=en",
                    DESKTOP,
                    [("Putin has landed in North Korea", "2024-06-18 07:47")],
                ),
                (
                    "verdict-observed-nb",
                    sv,
                    "?lang=nb",
                    DESKTOP,
                    [("RA-96017 har landet på UEEE", "2024-06-18 08:00")],
                ),
                ("ghost-gap-en", sv, "?lang=en&t=2024-06-18T04:40:00Z&icao=157711", DESKTOP, []),
                ("table-en", sv, "?lang=en&t=2024-06-18T12:45:00Z&icao=157718", DESKTOP, []),
                ("phone-nb", sv, "?lang=nb&t=2024-06-18T12:45:00Z", PHONE, []),
                (
                    "phone-verdict-nn",
                    sv,
                    "?lang=nn",
                    PHONE,
                    [("Putin har landa i Nord-Korea", "2024-06-18 18:00")],
                ),
                ("afr34zg-details-en", afr, "?lang=en&icao=393322", DESKTOP, []),
                ("range-rings-en", afr_rx, "?lang=en&lat=43.635&lon=1.368&zoom=6", DESKTOP, []),
                ("runways-lfbo-en", afr, "?lang=en&lat=43.630&lon=1.364&zoom=14", DESKTOP, []),
                # calfire a5035e, unheard since 19:02:18 on final to KFAT: the dashed leg.
                (
                    "inferred-leg-kfat-en",
                    afr,
                    "?lang=en&from=2020-09-09T17:00:00Z&to=2020-09-09T22:00:00Z"
                    "&t=2020-09-09T19:10:00Z&icao=a5035e&lat=36.786&lon=-119.73&zoom=13",
                    DESKTOP,
                    [],
                ),
            ]
            for name, server, query, viewport, claims in shots:
                page = kit.Page(browser, server, viewport=viewport, accept_downloads=True)
                pg = page.open(query)
                _ready(pg)
                for text, at in claims:
                    _claim(pg, text, at)
                _ready(pg)
                if name.startswith("runways"):
                    pg.wait_for_selector("path.runway")
                if name.startswith("inferred-leg"):
                    pg.wait_for_selector("path.inferred-leg")
                pg.screenshot(path=str(OUT / f"{name}.png"))
                if name == "verdict-inferred-nn":
                    with pg.expect_download() as dl:
                        pg.click("#v-save")
                    dl.value.save_as(str(OUT / "saved-image-nn.png"))
                page.close()
                print(f"wrote {OUT / name}.png")
            page = kit.Page(browser, sv, viewport=DESKTOP)
            page.pg.goto(sv + "/docs")
            page.pg.wait_for_selector(".opblock-summary-path[data-path='/api/verify']")
            page.pg.screenshot(path=str(OUT / "api-docs.png"))
            page.close()
            print(f"wrote {OUT / 'api-docs.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
