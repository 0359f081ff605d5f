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

With a path (the alert manager's ``<state>.held``), the held landings are also written to disk
whenever they change (rarely: a repeat inside the window), so a crash while one is held sends
it after the restart instead of losing it (a clean stop sends it at once, as before).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
log = logging.getLogger(__name__)


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

    def __init__(self, path: str | Path | None = None, rules: Sequence[Rule] = ()) -> None:
        # (rule, aircraft, place) → data time of the last withdrawal the rule was told of (or
        # that took back a held landing).
        self._withdrawn: dict[tuple[str, str, str], float] = {}
        self._held: dict[tuple[str, str, str, str], list[Held]] = {}
        self.path = Path(path) if path is not None else None
        if self.path is not None and self.path.exists():
            self._load({r.name: r for r in rules})

    def _load(self, rules: dict[str, Rule]) -> None:
        """The landings held when the service stopped without sending them (a crash)."""
        from flyvakt.store.records import event_from_json

        assert self.path is not None
        with self.path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    rec = json.loads(line)
                    rule = rules.get(str(rec["rule"]))
                    ev = event_from_json(rec["event"])
                    release_s = float(rec["release_s"])
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("%s:%d: held alert not read (%s)", self.path, n, exc)
                    continue
                if rule is None:  # the rule was removed from the rules file since
                    log.warning("%s:%d: held alert for unknown rule %r", self.path, n, rec["rule"])
                    continue
                what = _what(ev.type, ev.icao24, iso_utc(float(ev.time_s)), dedupe_key(ev)[3])
                self._held.setdefault(what, []).append(Held(rule, ev, release_s))

    def _save(self) -> None:
        """The held landings to disk, whole (write to a temporary file, then rename): a crash
        mid-write leaves the previous list, never half of one."""
        if self.path is None:
            return
        lines = [
            json.dumps({"rule": h.rule.name, "release_s": h.release_s, "event": h.event.to_json()})
            for held in self._held.values()
            for h in held
        ]
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

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
        self._save()
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
        if gone:
            self._save()
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
        if out:
            self._save()
        return out

    @property
    def held(self) -> int:
        return sum(len(v) for v in self._held.values())
