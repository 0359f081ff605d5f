"""An aircraft flickering at the edge of coverage near an airport: one alert, not a stream.

Lost on short final, a landing is inferred; seen again, it is withdrawn; lost again, inferred
again, and so on. Each landing and each withdrawal used to be an alert (4 cycles: 8 alerts
about one aircraft that never landed). The first inferred landing and its withdrawal are
sent as before. After that, a new inferred landing of the same aircraft at the same place,
for the same rule, within :data:`REPEAT_WINDOW_S` of the last withdrawal, is *held*:

- withdrawn while held: neither it nor its withdrawal is sent (the rule's last word, the
  withdrawal, is still true), and the window starts again from this withdrawal;
- not withdrawn within :data:`HOLD_S` of data time, or still held when the service stops:
  sent, late but never lost (truth first: a real landing after the flicker is alerted).

Held landings live in memory only: a crash while one is held loses it (a clean stop sends it).
"""

from __future__ import annotations

from dataclasses import dataclass

from flyvakt.alerts.rules import Rule, dedupe_key
from flyvakt.model import Event
from flyvakt.model.events import WITHDRAWALS, iso_utc

# Why 1 hour: the flicker seen (synthetic calfire cycles) repeats every ~50 min: a landing is
# inferred 20 min after the loss and withdrawn at the next fix. A landing inferred at the same
# airport more than an hour after the last withdrawal is news again, and is sent at once.
REPEAT_WINDOW_S = 3600.0
# Why 30 min: longer than one flicker cycle's silence after the inference (~15-30 min), so a
# repeat that is withdrawn again is never sent; a landing that stands is sent at most 30 min
# (of data time) after it was inferred.
HOLD_S = 1800.0

_INFERRED_KINDS = frozenset(WITHDRAWALS.values())


@dataclass
class Held:
    """A repeat inferred landing not sent yet."""

    rule: Rule
    event: Event
    release_s: float


def _what(kind: str, icao24: str, when_iso: str, place: str) -> tuple[str, str, str, str]:
    return (kind, icao24, when_iso, place)


class FlickerHold:
    """Which repeat inferred landings to hold, and when a held one is due."""

    def __init__(self) -> None:
        # (rule, aircraft, place) → data time of the last withdrawal the rule was told of (or
        # that took back a held landing).
        self._withdrawn: dict[tuple[str, str, str], float] = {}
        self._held: dict[tuple[str, str, str, str], list[Held]] = {}

    def withdrawn(self, rule: Rule, withdrawal: Event) -> None:
        """``rule`` was told of ``withdrawal``: repeats within the window are held from now."""
        place = dedupe_key(withdrawal)[3]
        self._withdrawn[(rule.name, withdrawal.icao24, place)] = float(withdrawal.time_s)

    def hold(self, rule: Rule, ev: Event, now_s: float | None) -> bool:
        """True (and held) when ``ev`` is a repeat inferred landing for ``rule``."""
        if ev.type not in _INFERRED_KINDS or ev.basis != "inferred":
            return False
        place = dedupe_key(ev)[3]
        last = self._withdrawn.get((rule.name, ev.icao24, place))
        if last is None or not 0.0 <= float(ev.time_s) - last <= REPEAT_WINDOW_S:
            return False
        clock = float(ev.time_s) if now_s is None else max(now_s, float(ev.time_s))
        what = _what(ev.type, ev.icao24, iso_utc(float(ev.time_s)), place)
        self._held.setdefault(what, []).append(Held(rule, ev, clock + HOLD_S))
        return True

    def take_back(self, withdrawal: Event) -> int:
        """Drop the held landings ``withdrawal`` withdraws; how many were dropped."""
        when = withdrawal.details.get("withdrawn") if withdrawal.details else None
        if when is None:
            return 0
        place = dedupe_key(withdrawal)[3]
        what = _what(WITHDRAWALS[withdrawal.type], withdrawal.icao24, str(when), place)
        gone = self._held.pop(what, [])
        for h in gone:
            self.withdrawn(h.rule, withdrawal)
        return len(gone)

    def due(self, now_s: float | None) -> list[Held]:
        """The held landings not withdrawn by ``now_s`` (all of them when ``now_s`` is None:
        the service stops, nothing more will withdraw them)."""
        out: list[Held] = []
        for what in list(self._held):
            keep = [h for h in self._held[what] if now_s is not None and h.release_s > now_s]
            out += [h for h in self._held[what] if h not in keep]
            if keep:
                self._held[what] = keep
            else:
                del self._held[what]
        return out

    @property
    def held(self) -> int:
        return sum(len(v) for v in self._held.values())
