"""#9 in Debian Chromium: a withdrawn landing is never shown as a plain landing once withdrawn,
and history playback shows it as it was said at the time shown. Real events: calfire a54127 at
one record per batch (tests/data/cuts, tests/unit/detect/test_gap_rejudge.py), stored as a live
feed stores them: the KSTS landing inferred when the signal was lost at 00:23:16, and its
withdrawal when the aircraft was seen again at 00:58:28.

- At 00:45 (before the withdrawal was said) the page shows the landing as said then: a landing,
  inferred, not struck through (session 11 struck it through at any playback time).
- At 01:00 (after it), struck through with why, even when the window shown ends at 00:50 and
  the withdrawal falls outside it (the page still finds it).
- Playing from 00:45 past 00:58:28 strikes it through on the way, without a reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flyvakt.runtime.replay import replay_files
from flyvakt.serve import create_app
from flyvakt.store import StoreWriter
from tests.integration import browser_kit as kit
from tests.unit.detect.test_gap_rejudge import CUT, _run

pytestmark = pytest.mark.browser

BEFORE = "&from=2020-09-08T00:00:00Z&to=2020-09-08T00:50:00Z&t=2020-09-08T00:45:00Z&icao=a54127"
AFTER = "&from=2020-09-08T00:10:00Z&to=2020-09-08T01:10:00Z&t=2020-09-08T01:00:00Z&icao=a54127"
ACROSS = "&from=2020-09-08T00:10:00Z&to=2020-09-08T01:10:00Z&t=2020-09-08T00:45:00Z&icao=a54127"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SAID = {
    "en": "Withdrawn at 2020-09-08 00:58:28 UTC",
    "nb": "Trukket tilbake 2020-09-08 00:58:28 UTC",
}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("withdrawn") / "flyvakt.db"
    w = StoreWriter(db, queue_size=100_000)
    assert w.offer(replay_files([str(CUT)]).positions)
    assert w.offer(_run(True)[0])
    w.close()
    with kit.serve(create_app(str(db))) as u:
        yield u


def _landing(pg: Any) -> Any:
    """The KSTS landing's item in the event list."""
    pg.wait_for_selector("#ev-list .ev-type[data-type=landing]")
    return pg.locator("#ev-list li", has=pg.locator(".ev-type[data-type=landing]"))


def _assert_struck(item: Any, lang: str) -> None:
    assert item.count() == 1
    assert item.get_attribute("class") == "withdrawn"
    assert item.locator("s.ev-type[data-type=landing]").count() == 1  # struck through
    assert SAID[lang] in item.inner_text() and "KSTS" in item.inner_text()


def _assert_as_said(item: Any, lang: str) -> None:
    assert item.count() == 1
    assert item.get_attribute("class") != "withdrawn"
    assert item.locator("b.ev-type[data-type=landing]").count() == 1  # a landing, as said then
    assert item.locator("s").count() == 0 and SAID[lang] not in item.inner_text()
    assert "KSTS" in item.inner_text()


@pytest.mark.parametrize(
    ("lang", "viewport", "when"),
    [("en", "desktop", "before"), ("nb", "phone", "before"),
     ("en", "desktop", "after"), ("nb", "phone", "after")],
)  # fmt: skip
def test_the_landing_as_said_at_the_time_shown(
    chrome: Any, url: str, lang: str, viewport: str, when: str, tmp_path: Path
) -> None:
    """Before the withdrawal: a landing, as said then. After: struck through with why, never a
    plain landing, and no dashed leg to KSTS."""
    p = kit.Page(chrome, url, viewport=VIEWPORTS[viewport])
    try:
        pg = p.open(f"?lang={lang}{BEFORE if when == 'before' else AFTER}")
        item = _landing(pg)
        if when == "before":
            _assert_as_said(item, lang)
        else:
            pg.wait_for_selector("#ev-list li.withdrawn")
            _assert_struck(item, lang)
            plain = pg.locator("#ev-list li:not(.withdrawn) .ev-type[data-type=landing]")
            assert plain.count() == 0  # never a plain landing
            assert pg.locator("path.inferred-leg").count() == 0  # no dashed leg to KSTS
        item.scroll_into_view_if_needed()
        kit.shot(pg, f"withdrawn-landing-{when}-{lang}-{viewport}")
    finally:
        p.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_playback_strikes_it_through_when_the_withdrawal_is_said(
    chrome: Any, url: str, viewport: str, tmp_path: Path
) -> None:
    p = kit.Page(chrome, url, viewport=VIEWPORTS[viewport])
    try:
        pg = p.open(f"?lang=en{ACROSS}")
        _assert_as_said(_landing(pg), "en")
        # the slider to 01:00 (window 00:10-01:10: 50/60 of the way), as a user drags it
        pg.eval_on_selector(
            "#slider", "s => { s.value = 833; s.dispatchEvent(new Event('input')); }"
        )
        pg.wait_for_selector("#ev-list li.withdrawn")
        _assert_struck(_landing(pg), "en")
        # and back to 00:45: as said then again
        pg.eval_on_selector(
            "#slider", "s => { s.value = 583; s.dispatchEvent(new Event('input')); }"
        )
        pg.wait_for_selector("#ev-list li.withdrawn", state="detached")
        _assert_as_said(_landing(pg), "en")
    finally:
        p.close()
