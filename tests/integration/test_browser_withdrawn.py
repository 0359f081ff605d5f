"""#9 in Debian Chromium: a withdrawn landing is never shown as a plain landing. Real events:
calfire a54127 at one record per batch (tests/data/cuts, tests/unit/detect/test_gap_rejudge.py),
stored as a live feed stores them: the KSTS landing inferred when the signal was lost at
00:23:16, and its withdrawal when the aircraft was seen again at 00:58:28. The window shown
ends at 00:50, before the withdrawal: the page still finds it."""

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

WINDOW = "&from=2020-09-08T00:00:00Z&to=2020-09-08T00:50:00Z&t=2020-09-08T00:45:00Z&icao=a54127"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("withdrawn") / "flyvakt.db"
    w = StoreWriter(db, queue_size=100_000)
    assert w.offer(replay_files([str(CUT)]).positions)
    assert w.offer(_run(True)[0])
    w.close()
    with kit.serve(create_app(str(db))) as u:
        yield u


@pytest.mark.parametrize(
    ("lang", "viewport", "said"),
    [
        ("en", {"width": 1280, "height": 800}, "Withdrawn at 2020-09-08 00:58:28 UTC"),
        ("nb", {"width": 390, "height": 844}, "Trukket tilbake 2020-09-08 00:58:28 UTC"),
    ],
)
def test_a_withdrawn_landing_is_struck_through_with_why(
    chrome: Any, url: str, lang: str, viewport: dict[str, int], said: str, tmp_path: Path
) -> None:
    p = kit.Page(chrome, url, viewport=viewport)
    try:
        pg = p.open(f"?lang={lang}{WINDOW}")
        pg.wait_for_selector("#ev-list li.withdrawn")
        item = pg.locator("#ev-list li.withdrawn")
        assert item.count() == 1
        assert item.locator("s.ev-type[data-type=landing]").count() == 1  # struck through
        assert said in item.inner_text()
        assert "KSTS" in item.inner_text()
        plain = pg.locator("#ev-list li:not(.withdrawn) .ev-type[data-type=landing]")
        assert plain.count() == 0  # never a plain landing
        assert pg.locator("path.inferred-leg").count() == 0  # no dashed leg to KSTS
        item.scroll_into_view_if_needed()
        kit.shot(pg, f"withdrawn-landing-{lang}")
    finally:
        p.close()
