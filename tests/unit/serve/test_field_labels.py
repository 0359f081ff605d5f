"""Every field whose age the live hub reports has a label in each language of the web page
(the details panel showed "altitude_baro_ft 0 s" in en, nb and nn)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flyvakt.track.table import TRACKED_FIELDS

I18N = Path(__file__).resolve().parents[3] / "src" / "flyvakt" / "serve" / "static" / "i18n.js"


def _labels(lang: str) -> dict[str, str]:
    text = I18N.read_text(encoding="utf-8")
    start = text.index(f"\n  {lang}: {{")
    block = text[start : text.index("\n  },", start)]
    return dict(re.findall(r'\bf_(\w+): "([^"]*)"', block))


@pytest.mark.parametrize("lang", ["en", "nb", "nn"])
def test_each_field_age_has_words(lang: str) -> None:
    labels = _labels(lang)
    for name in ["position", *TRACKED_FIELDS]:
        assert labels.get(name), f"{lang}: no label for field {name!r}"
        assert "_" not in labels[name], labels[name]
