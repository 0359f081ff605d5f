"""Verify claims ("had fleet X landed in country Y by time T?") against recorded evidence."""

import sys as _sys
import types as _types
from typing import Any as _Any

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


class _CallableModule(_types.ModuleType):
    """``flyvakt.verify(claim, data)`` is the public API (flyvakt.api.verify); this package
    has the same name, and Python puts a package on its parent once imported, so the package
    itself answers calls."""

    def __call__(self, *args: _Any, **kwargs: _Any) -> _Any:
        from flyvakt.api import verify as api_verify

        return api_verify(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
