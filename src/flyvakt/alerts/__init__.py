"""Alerts: rules matched against events, delivered once each to stdout, webhooks or apprise.

Public API::

    load_rules(path) -> list[Rule]; parse_rules(toml_dict, origin) -> list[Rule]
    match(rule, event) -> bool                      # pure
    AlertManager(rules, map_base_url).submit(events) -> list[payload]; await .drain()
    AlertManager.retry_due()                         # the engine calls it every few seconds

Every alert carries ``text``: what happened in words, in en, nb and nn (the bulletins,
i18n/bulletins.py: an inferred landing says "inferred, not observed"), and ``lang``, the rule's
language (``lang = "nb"`` in the rule; en by default), which stdout and apprise say.

A withdrawal (``landing_withdrawn``, ``fleet_landed_withdrawn``: a landing inferred when the
signal was lost, taken back when the aircraft was seen again) matches no rule of its own: it is
sent to every rule that alerted on the event it withdraws, on that rule's channels, with
``text`` saying when the landing was reported, that it was inferred, and why it is withdrawn.
Alerts raised before a restart count (the state file). An aircraft flickering at the edge of
coverage near an airport (inferred, withdrawn, inferred again ...) is one alert and its
withdrawal, not a stream: repeats are held (:mod:`flyvakt.alerts.flicker`).

With ``state_path``, every delivery goes through a durable outbox (:mod:`flyvakt.alerts.outbox`,
``<state_path>.outbox``): marked sent only after the channel accepted it, retried until then,
also across restarts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flyvakt.alerts.flicker import FlickerHold
from flyvakt.alerts.outbox import Outbox
from flyvakt.alerts.rules import (
    TEXT_LANGS,
    AlertRuleError,
    Rule,
    dedupe_key,
    load_rules,
    map_link,
    match,
    parse_rules,
)
from flyvakt.alerts.sinks import send
from flyvakt.model import Event
from flyvakt.model.events import WITHDRAWALS, iso_utc

__all__ = [
    "AlertManager",
    "AlertRuleError",
    "Rule",
    "dedupe_key",
    "load_rules",
    "map_link",
    "match",
    "parse_rules",
]

log = logging.getLogger("flyvakt.alerts")

Sender = Callable[[str, dict[str, Any]], None]


def _raised_index(key: str) -> tuple[tuple[str, str, str], str, str | None] | None:
    """((type, aircraft, ISO time), rule, place) of a raised alert's key (:meth:`_key`; a key
    written before session 10 has no place: None), or None for a key that is not one."""
    try:
        rule, kind, icao24, t, *place = json.loads(key)
        return (
            (str(kind), str(icao24), iso_utc(float(t))),
            str(rule),
            (str(place[0]) if place else None),
        )
    except (ValueError, TypeError):
        return None


def _alert_key(delivery_id: str) -> str:
    """The alert's key (:meth:`AlertManager._key`) in a delivery id ``[key, channel]``."""
    key: str = json.loads(delivery_id)[0]
    return key


class AlertManager:
    """Match events against rules and deliver each alert once per (rule, channel).

    Network deliveries run in worker threads; :meth:`drain` waits for those in flight (call it
    on shutdown). ``sent`` and ``failed`` count deliveries per channel.
    """

    def __init__(
        self,
        rules: list[Rule],
        map_base_url: str,
        *,
        sender: Sender | None = None,
        state_path: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        fleet_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.rules = rules
        # lang → fleet id → the fleet's name in that language (FleetRegistry.names): a fleet
        # alert says "the Russian presidential fleet", as the timeline does, not "fleet ru-gov".
        self.fleet_names: Mapping[str, Mapping[str, str]] = fleet_names or {}
        self.map_base_url = map_base_url
        self.sender: Sender = sender or send
        self.sent: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self._seen: set[str] = set()
        # (type, aircraft, ISO time) → (rule, place) of each alert raised: whom to tell when
        # that event is withdrawn.
        self._raised: dict[tuple[str, str, str], set[tuple[str, str | None]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Alerts already raised survive a restart (a restarted replay or a feed's backlog must
        # not alert twice): one JSON key per line, appended as alerts are raised.
        self.state_path = Path(state_path) if state_path else None
        if self.state_path is not None and self.state_path.exists():
            with self.state_path.open(encoding="utf-8") as fh:
                self._seen.update(line.strip() for line in fh if line.strip())
        self.clock = clock  # monotonic: retry timing only
        outbox_path = f"{self.state_path}.outbox" if self.state_path is not None else None
        self.outbox = Outbox(outbox_path)
        # A delivery queued in the outbox was raised, even if a kill came before its key
        # reached the state file: the event read again after the restart must not raise it
        # a second time while the outbox still delivers the first.
        self._seen.update(_alert_key(p.id) for p in self.outbox.pending.values())
        self._in_flight: set[str] = set()
        held_path = f"{self.state_path}.held" if self.state_path is not None else None
        self.flicker = FlickerHold(held_path, rules)
        for key in self._seen:
            self._index(key)

    def _key(self, rule: Rule, ev: Event) -> str:
        return json.dumps([rule.name, *dedupe_key(ev)])

    def _raised_before(self, rule: Rule, ev: Event, key: str) -> bool:
        """Raised already: its key, or the key versions before session 10 wrote for it (rule,
        type, aircraft, time, without the place), read back from an older state file or outbox.
        Keys written now always carry the place, so the old form matches only old alerts."""
        if key in self._seen:
            return True
        return json.dumps([rule.name, *dedupe_key(ev)[:3]]) in self._seen

    def _index(self, key: str) -> None:
        got = _raised_index(key)
        if got is not None:
            what, rule, place = got
            self._raised.setdefault(what, set()).add((rule, place))

    def _remember(self, key: str) -> None:
        self._seen.add(key)
        self._index(key)
        if self.state_path is not None:
            with self.state_path.open("a", encoding="utf-8") as fh:
                fh.write(key + "\n")

    def payload(self, rule: Rule, event: Event) -> dict[str, Any]:
        return {
            "rule": rule.name,
            "when": rule.when,
            "event": event.to_json(),
            "map": map_link(self.map_base_url, event),
            "text": alert_text(event, self.fleet_names, rule.tz),
            "lang": rule.lang,
        }

    def submit(self, events: list[Event], now_s: float | None = None) -> list[dict[str, Any]]:
        """Queue delivery of every new alert these events raise; returns the payloads.
        ``now_s``: the data time (a held repeat landing is sent when it is due)."""
        out: list[dict[str, Any]] = []
        for ev in events:
            if ev.type in WITHDRAWALS:
                self.flicker.take_back(ev)  # a held repeat: withdrawn unsaid, quietly
                for rule in self._alerted(ev):
                    self._raise(rule, ev, out)
                    self.flicker.withdrawn(rule, ev)
                continue
            for rule in self.rules:
                if match(rule, ev) and not self.flicker.hold(rule, ev, now_s):
                    self._raise(rule, ev, out)
        if self.flicker.held:
            clock = now_s if now_s is not None else max((e.time_s for e in events), default=None)
            if clock is not None:
                for h in self.flicker.due(float(clock)):
                    self._raise(h.rule, h.event, out)
        return out

    def release_held(self) -> list[dict[str, Any]]:
        """Send every held repeat landing now (the service stops: nothing will withdraw it)."""
        out: list[dict[str, Any]] = []
        for h in self.flicker.due(None):
            self._raise(h.rule, h.event, out)
        return out

    def _alerted(self, withdrawal: Event) -> list[Rule]:
        """The rules that alerted on the event ``withdrawal`` withdraws (its type, aircraft,
        ``details.withdrawn`` time and place, as the withdrawal names them)."""
        when = withdrawal.details.get("withdrawn") if withdrawal.details else None
        what = (WITHDRAWALS[withdrawal.type], withdrawal.icao24, str(when))
        place = dedupe_key(withdrawal)[3]
        names = {r for r, p in self._raised.get(what, ()) if p is None or p == place}
        return [rule for rule in self.rules if rule.name in names]

    def _raise(self, rule: Rule, ev: Event, out: list[dict[str, Any]]) -> None:
        key = self._key(rule, ev)
        if self._raised_before(rule, ev, key):
            return
        payload = self.payload(rule, ev)
        out.append(payload)
        # Queued in the outbox before it counts as raised: a crash in between re-raises the
        # alert after the restart rather than losing it.
        for ch in rule.channels:
            self.outbox.add(json.dumps([key, ch]), ch, payload)
        self._remember(key)
        for ch in rule.channels:
            self._deliver(json.dumps([key, ch]), ch, payload)

    def retry_due(self) -> int:
        """Deliver again what failed before (or was pending at a restart) and is due now."""
        due = [p for p in self.outbox.due(self.clock()) if p.id not in self._in_flight]
        for p in due:
            self._deliver(p.id, p.channel, p.payload)
        return len(due)

    @property
    def pending(self) -> int:
        return len(self.outbox.pending)

    def _deliver(self, delivery_id: str, channel: str, payload: dict[str, Any]) -> None:
        self._in_flight.add(delivery_id)
        if channel in ("stdout", "log"):
            self._send_counted(delivery_id, channel, payload)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._send_counted(delivery_id, channel, payload)
            return
        task = loop.create_task(
            asyncio.to_thread(self._send_counted, delivery_id, channel, payload)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _send_counted(self, delivery_id: str, channel: str, payload: dict[str, Any]) -> None:
        kind = channel.split(":", 1)[0]
        try:
            self.sender(channel, payload)
        except Exception as exc:  # a failing channel must not stop the engine
            self.failed[kind] += 1
            self.outbox.failed(delivery_id, self.clock())
            log.warning("alert delivery on %s failed (will retry): %s", kind, exc)
        else:
            self.sent[kind] += 1
            self.outbox.sent(delivery_id)
        finally:
            self._in_flight.discard(delivery_id)

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Send the held repeat landings, then wait (bounded) for deliveries in flight."""
        self.release_held()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)


def alert_text(
    ev: Event,
    fleet_names: Mapping[str, Mapping[str, str]] | None = None,
    reader_tz: str | None = None,
) -> dict[str, str]:
    """What an alert says, in every bulletin language (i18n/bulletins.py): a landing, a takeoff,
    an airspace entry, a fleet's arrival, a withdrawal (when the landing was reported, that it
    was inferred, and why it is withdrawn). ``reader_tz``: the rule's reader zone (its ``tz``;
    None = the bulletins' default, Europe/Oslo)."""
    from flyvakt.i18n.bulletins import DEFAULT_READER_TZ, bulletin, fleet_bulletin

    tz = reader_tz or DEFAULT_READER_TZ
    if ev.type.startswith("fleet_"):
        names = fleet_names or {}
        return {
            lang: fleet_bulletin(ev, lang, tz, fleet_names=names.get(lang)) for lang in TEXT_LANGS
        }
    return {lang: bulletin(ev, lang, tz) for lang in TEXT_LANGS}
