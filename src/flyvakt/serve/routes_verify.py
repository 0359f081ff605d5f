"""``POST /api/verify``: a claim (text or structured) judged against the store."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from flyvakt.serve.convert import BadRequest
from flyvakt.serve.state import json_body, json_response, state_of

# Why 20 s: a claim over a day of a busy store is judged in well under a second; one that
# takes longer is answered 504 rather than holding its client (and the store lock) forever.
VERIFY_TIMEOUT_S = 20.0


def named_airports(node: Any, lang: str) -> Any:
    """``node`` with ``place`` added to every airport in it: the name the verdict sentence and
    the bulletins give it in ``lang`` (``city_of``: "Toulouse", not "Toulouse-Blagnac Airport"),
    so the evidence lines under a verdict name the airport as the verdict does."""
    from flyvakt.i18n.format import city_of

    if isinstance(node, list):
        return [named_airports(x, lang) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: named_airports(v, lang) for k, v in node.items()}
    ap = out.get("airport")
    if isinstance(ap, dict) and ap.get("icao"):
        out["airport"] = {**ap, "place": city_of(str(ap["icao"]), str(ap.get("name") or ""), lang)}
    return out


async def api_verify(request: Request) -> Response:
    """Body: ``{"claim": "AFR34ZG landed at LFBO by 2024-07-06T08:00Z", "lang": "en",
    "at": optional time, "tz": reader's IANA zone}``, or the structured form ``{"fleet" |
    "aircraft", "predicate", "place", "at" | "until", "since"}`` → the Verdict JSON."""
    body = await json_body(request)
    text = body.get("claim")
    if not body.get("predicate") and (not isinstance(text, str) or not text.strip()):
        raise BadRequest("'claim' must be a non-empty string (or give 'predicate')")
    lang = body.get("lang", "en")
    if lang not in ("en", "nb", "nn"):
        raise BadRequest(f"lang must be en, nb or nn, got {lang!r}")
    tz = body.get("tz")
    from flyvakt.verify import ClaimParseError, evidence_from_store, verify
    from flyvakt.verify.claims import ClaimContext
    from flyvakt.verify.evidence import store_members
    from flyvakt.verify.messages import explain
    from flyvakt.verify.structured import PAYLOAD_FIELDS, build_claim
    from flyvakt.verify.subjects import SubjectContext

    if tz is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(str(tz))
        except Exception:
            raise BadRequest(f"tz: unknown time zone {tz!r}") from None
    st = state_of(request)
    registry = await run_in_threadpool(st.registry)
    # A claim without a time is judged "now" on a live server, at the end of the data otherwise.
    now_s = st.hub.now_s if st.hub is not None else None
    fields = {k: body.get(k) for k in PAYLOAD_FIELDS}

    def judge(reader: Any) -> dict[str, Any]:
        end_s = reader.data_through_s()
        subjects = SubjectContext(registry)
        ctx = ClaimContext(subjects, None if tz is None else str(tz), now_s, end_s)
        try:
            claim = build_claim(fields, registry, ctx)
        except ClaimParseError as exc:
            reader_tz = str(tz) if tz else ("Europe/Oslo" if lang != "en" else "UTC")
            msg = explain(exc, lang, registry, example_time_s=now_s or end_s, tz=reader_tz)
            raise BadRequest(msg, 422) from None
        members = store_members(claim, registry, reader)
        evidence = evidence_from_store(reader, members, claim.at_s, claim.since_s, subjects)
        reader_tz = str(tz) if tz else (claim.zone or "UTC")
        result: dict[str, Any] = verify(claim, evidence, lang, reader_tz).to_json()
        named: dict[str, Any] = named_airports(result, lang)
        return named

    try:
        verdict = await asyncio.wait_for(st.db(judge), VERIFY_TIMEOUT_S)
    except TimeoutError:
        raise BadRequest(
            f"the claim took longer than {VERIFY_TIMEOUT_S:.0f} s to judge", 504
        ) from None
    except (OverflowError, ValueError) as exc:  # e.g. a time in year 1 that no date can hold
        if isinstance(exc, BadRequest):
            raise
        raise BadRequest(f"cannot judge this claim: {exc}", 422) from None
    return json_response(verdict)
