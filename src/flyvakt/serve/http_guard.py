"""HTTP hardening around the web app (pure ASGI middleware, no per-route code).

- **Host allow-list** (DNS rebinding): a page on ``evil.example`` whose name is re-pointed at
  127.0.0.1 reaches a server bound to loopback with ``Host: evil.example``; only the names the
  server is meant to be reached by are answered (421 otherwise). ``flyvakt run``/``serve``
  bound to loopback allow ``localhost``, ``127.0.0.1`` and ``[::1]``; bound elsewhere, any.
- **Body limits and JSON only**: a request body larger than ``max_body_bytes`` is refused
  (413) before it is read whole; POST and PUT bodies must be ``application/json`` (415), so
  a form or ``text/plain`` request from another web site (sent by the browser without a
  CORS pre-flight) never reaches a route.
- **Security headers** on every response: a Content-Security-Policy with no inline script,
  ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["CSP", "SECURITY_HEADERS", "HttpGuard", "allowed_hosts_for"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Why 256 kB: a claim is a sentence and a fleet a few hundred members (~100 bytes each); a
# body far larger is a mistake or an attack, and parsing it would hold up the event loop.
MAX_BODY_BYTES = 256 * 1024

# Scripts only from this server (the static app has no inline script and no event-handler
# attributes); styles may be inline (Leaflet positions markers with style attributes); images
# from this server and data: URIs (Leaflet's icons); no plugins, no framing, no <base>.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_hosts_for(bind_host: str) -> list[str] | None:
    """Host names to answer for a server bound to ``bind_host`` (None: any)."""
    if bind_host in LOOPBACK_NAMES:
        return list(LOOPBACK_NAMES)
    return None


def _host_name(value: str) -> str:
    """``Host`` header without the port: ``[::1]:8090`` -> ``::1``, ``a.b:80`` -> ``a.b``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HttpGuard:
    """ASGI middleware: see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        if self.allowed is not None and _host_name(headers.get("host", "")) not in self.allowed:
            await _refuse(
                send_with_headers,
                421,
                "unknown Host: this server answers only " + ", ".join(sorted(self.allowed)),
            )
            return
        method = scope.get("method", "GET")
        length = headers.get("content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                await _refuse(send_with_headers, 400, "bad Content-Length")
                return
            if n > self.max_body_bytes:
                await _refuse(send_with_headers, 413, self._too_large())
                return
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if chunked:
            # HTTP/1.1 frames a body by its Content-Length (h11 enforces it): with it required,
            # no body can outgrow the limit checked above.
            await _refuse(send_with_headers, 411, "send the body with a Content-Length")
            return
        if method in ("POST", "PUT", "PATCH") and length not in (None, "0"):
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                await _refuse(send_with_headers, 415, "the request body must be application/json")
                return
        await self.app(scope, receive, send_with_headers)

    def _too_large(self) -> str:
        return f"request body larger than {self.max_body_bytes:,} bytes"


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
