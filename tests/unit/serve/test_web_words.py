"""The web page says things in the words the verdicts and bulletins use (nb: "i lufta" in
verdicts, "i luften" on the web page; one word per language)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flyvakt.verify.summary_words import WORDS

I18N = Path(__file__).resolve().parents[3] / "src" / "flyvakt" / "serve" / "static" / "i18n.js"


def _block(lang: str) -> str:
    text = I18N.read_text(encoding="utf-8")
    start = text.index(f"\n  {lang}: {{")
    return text[start : text.index("\n  },", start)]


def _strings(lang: str) -> dict[str, str]:
    return dict(re.findall(r'\b(\w+): "([^"]*)"', _block(lang)))


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_airborne_is_said_as_the_verdicts_say_it(lang: str) -> None:
    # summary_words "air": "i lufta over {place} …" → the verdict's word for airborne
    verdict_air = WORDS[lang]["air"].split(" over ")[0].split(" {")[0]
    web = _strings(lang)
    if lang == "en":
        assert web["e_air"].startswith("airborne"), web["e_air"]
        return
    assert web["e_air"].startswith(verdict_air + " "), (web["e_air"], verdict_air)
    other = {"nb": "luften", "nn": "lufti"}[lang]
    assert not [k for k, v in web.items() if other in v], f"{lang}: web says {other!r}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_place_is_said_with_the_verdicts_preposition(lang: str) -> None:
    """The web names an airport by its city now, as the verdicts do ("Toulouse (LFBO)"), so it
    takes the verdicts' preposition: "på bakken i Toulouse", "Landing i Toulouse", not "på"."""
    web = _strings(lang)
    assert WORDS[lang]["ground"].replace("{place}", "{ap}") == web["e_ground_at"]
    assert WORDS[lang]["landed"].split(" {place}")[0].endswith(" " + web["at_place"])
