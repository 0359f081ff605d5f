"""``signal_regained``'s reason, cached by gap length (coverage._regained_why), is the text made
for each gap: at every whole second to 3 h, at fractions, and at the unit changes."""

from __future__ import annotations

from flyvakt.detect import coverage as C
from flyvakt.detect.base import duration


def test_cached_reason_is_the_made_text() -> None:
    gaps = [float(s) for s in range(0, 10_800)] + [119.5, 119.49, 7199.5, 59.5, 0.5, 1e9]
    for _ in range(2):  # the second pass answers from the cache
        for g in gaps:
            assert C._regained_why(g) == f"seen again after {duration(g)} without positions"
    assert C._regained_why(130.0) == "seen again after 2 min without positions"
