"""Alert delivery (adapter): stdout/log, webhook (JSON POST with retries), apprise (optional).

The webhook uses the standard library (urllib) so alerts add no dependency; delivery runs in a
worker thread (``asyncio.to_thread``) so a slow endpoint never stalls the engine's event loop.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TextIO

from flyvakt.i18n.bulletins import N_

__all__ = ["WebhookError", "post_json", "send", "send_apprise", "send_stdout"]

log = logging.getLogger("flyvakt.alerts")

# Why 5 attempts from 0.5 s: 0.5 + 1 + 2 + 4 = 7.5 s of waiting rides out a receiver restarting
# its web server or a brief network hiccup without holding an alert for minutes.
WEBHOOK_ATTEMPTS = 5
WEBHOOK_BACKOFF_START_S = 0.5
# Why 10 s: a webhook that has not answered in 10 s is not going to; retry instead.
WEBHOOK_TIMEOUT_S = 10.0


class WebhookError(RuntimeError):
    pass


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    attempts: int = WEBHOOK_ATTEMPTS,
    backoff_start_s: float = WEBHOOK_BACKOFF_START_S,
    timeout_s: float = WEBHOOK_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST ``payload`` as JSON; retry on errors and 5xx/429 with exponential backoff.

    Returns the number of attempts used; raises :class:`WebhookError` after the last one.
    A 4xx other than 429 is the receiver refusing the alert: not retried.
    """
    body = json.dumps(payload, sort_keys=True).encode()
    last = ""
    for attempt in range(1, attempts + 1):
        req = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "flyvakt-alerts"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as resp:
                resp.read()
                return attempt
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code != 429:
                raise WebhookError(f"{url}: refused with {last}") from None
        except (urllib.error.URLError, OSError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if attempt < attempts:
            sleep(backoff_start_s * (2 ** (attempt - 1)))
    raise WebhookError(f"{url}: failed after {attempts} attempts ({last})")


# The mark of an event that was not observed, in the catalogue's words (i18n/locale).
_HEDGES = {"inferred": N_("(inferred, not observed)"), "possible": N_("(possible, not observed)")}


def _hedge(ev: dict[str, Any], lang: str = "en") -> str:
    """The " (inferred, not observed)" mark of an event that was not observed, in the rule's
    language: an alert must never read like a seen landing when it was inferred (or only
    possible), and a Norwegian alert line says it in Norwegian."""
    from flyvakt.i18n.catalog import translations

    basis = str(ev.get("basis") or "observed")
    if basis == "observed":
        return ""
    if basis in _HEDGES:
        return " " + translations(lang).gettext(_HEDGES[basis])
    return f" ({basis}, not observed)"


def _lang(payload: dict[str, Any]) -> str:
    return str(payload.get("lang") or "en")


def _text(payload: dict[str, Any]) -> str:
    """The alert in words, in the rule's language (``lang``; English by default)."""
    texts = payload.get("text") or {}
    return str(texts.get(payload.get("lang") or "en") or texts.get("en") or "")


def send_stdout(payload: dict[str, Any], out: TextIO | None = None) -> None:
    ev = payload["event"]
    line = (
        f"ALERT [{payload['rule']}] {ev['type']}{_hedge(ev, _lang(payload))} {ev['icao24']} "
        f"{ev.get('callsign') or ''} {ev['time']} {ev.get('country') or ''} {payload['map']}"
    )
    text = _text(payload)
    print(" ".join(line.split()) + (f" {text}" if text else ""), file=out or sys.stdout, flush=True)


def send_apprise(url: str, payload: dict[str, Any]) -> None:
    import apprise  # type: ignore[import-not-found]

    ap = apprise.Apprise()
    ap.add(url)
    ev = payload["event"]
    hedge = _hedge(ev, _lang(payload))
    ok = ap.notify(
        title=f"flyvakt: {ev['type']}{hedge} {ev.get('callsign') or ev['icao24']}",
        body=f"{_text(payload)}\n{ev['time']} {ev.get('country') or ''}\n{payload['map']}".lstrip(),
    )
    if not ok:
        raise WebhookError(f"apprise: {url}: notification failed")


def send(channel: str, payload: dict[str, Any], *, out: TextIO | None = None) -> None:
    """Deliver one alert on one channel (blocking; call from a worker thread for the network)."""
    if channel == "stdout":
        send_stdout(payload, out)
    elif channel == "log":
        log.warning("alert %s", json.dumps(payload, sort_keys=True))
    elif channel.startswith("webhook:"):
        post_json(channel[len("webhook:") :], payload)
    elif channel.startswith("apprise:"):
        send_apprise(channel[len("apprise:") :], payload)
    else:
        raise ValueError(f"unknown channel {channel!r}")
