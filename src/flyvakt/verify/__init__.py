"""Verify claims ("had fleet X landed in country Y by time T?") against recorded evidence."""

from flyvakt.verify.claims import Claim, ClaimParseError, parse_claim, parse_time
from flyvakt.verify.evidence import (
    evidence_from_replay,
    evidence_from_store,
    fixes_of,
    member_hexes,
)
from flyvakt.verify.verdict import Evidence, Fixes, Verdict, verify

__all__ = [
    "Claim",
    "ClaimParseError",
    "Evidence",
    "Fixes",
    "Verdict",
    "evidence_from_replay",
    "evidence_from_store",
    "fixes_of",
    "member_hexes",
    "parse_claim",
    "parse_time",
    "verify",
]
