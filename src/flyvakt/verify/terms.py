"""The verdict words, one list for every surface (CLI, bulletins, the web verdict panel).

Four terms: ``observed-supported``, ``inferred-supported``, ``contradicted``, ``unverifiable``.
An inferred "supported" never reads like an observed one. The web app gets the same table from
``verdict_terms_json()`` (serve it or embed it; do not copy the words).
"""

from __future__ import annotations

from typing import Any, Literal

TermKey = Literal["observed-supported", "inferred-supported", "contradicted", "unverifiable"]
TERM_KEYS: tuple[TermKey, ...] = (
    "observed-supported",
    "inferred-supported",
    "contradicted",
    "unverifiable",
)

VERDICT_TERMS: dict[str, dict[TermKey, str]] = {
    "en": {
        "observed-supported": "Supported",
        "inferred-supported": "Supported (inferred)",
        "contradicted": "Contradicted",
        "unverifiable": "Unverifiable",
    },
    "nb": {
        "observed-supported": "Bekreftet",
        "inferred-supported": "Bekreftet (utledet)",
        "contradicted": "Avkreftet",
        "unverifiable": "Kan ikke avgjøres",
    },
    "nn": {
        "observed-supported": "Stadfesta",
        "inferred-supported": "Stadfesta (utleidd)",
        "contradicted": "Avkrefta",
        "unverifiable": "Kan ikkje avgjerast",
    },
}

# What each term means, for a legend beside the verdict (same three languages).
TERM_HELP: dict[str, dict[TermKey, str]] = {
    "en": {
        "observed-supported": "the data shows it directly",
        "inferred-supported": "the data points to it, but the deciding moment was not observed",
        "contradicted": "the aircraft was observed doing something else at the time",
        "unverifiable": "the data cannot tell (a coverage gap or no data)",
    },
    "nb": {
        "observed-supported": "dataene viser det direkte",
        "inferred-supported": (
            "dataene peker mot det, men det avgjørende øyeblikket er ikke observert"
        ),
        "contradicted": "flyet ble observert et annet sted eller i en annen tilstand",
        "unverifiable": "dataene kan ikke avgjøre det (hull i dekningen eller ingen data)",
    },
    "nn": {
        "observed-supported": "dataa viser det direkte",
        "inferred-supported": (
            "dataa peikar mot det, men den avgjerande augneblinken er ikkje observert"
        ),
        "contradicted": "flyet vart observert ein annan stad eller i ein annan tilstand",
        "unverifiable": "dataa kan ikkje avgjere det (hol i dekninga eller ingen data)",
    },
}


def term_key(verdict: str, basis: str | None) -> TermKey:
    """``supported`` + ``inferred`` → ``inferred-supported``; the others map to themselves."""
    if verdict == "supported":
        return "inferred-supported" if basis == "inferred" else "observed-supported"
    if verdict == "contradicted":
        return "contradicted"
    return "unverifiable"


def verdict_term(verdict: str, basis: str | None, lang: str) -> str:
    from flyvakt.i18n.catalog import check_lang

    return VERDICT_TERMS[check_lang(lang)][term_key(verdict, basis)]


def verdict_terms_json() -> dict[str, Any]:
    """``{"terms": {lang: {key: word}}, "help": {lang: {key: text}}}`` for the web app."""
    return {"terms": VERDICT_TERMS, "help": TERM_HELP}
