"""Argument types that turn a bad option value into argparse's one-line error, before any work.

``p.add_argument("--tz", type=time_zone)`` makes ``--tz Nowhere`` print
``flyvakt replay: error: argument --tz: 'Nowhere' is not an IANA time zone (e.g. Europe/Oslo)``
and exit 2, instead of a traceback once the first event is printed.
"""

from __future__ import annotations

import argparse
import math
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "add_receiver_arguments",
    "icao24_hex",
    "receiver_position",
    "time_zone",
    "utc_time_text",
]

_HEX24 = re.compile(r"[0-9a-fA-F]{1,6}")


def time_zone(text: str) -> str:
    """An IANA time zone name (``Europe/Oslo``, ``UTC``)."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an IANA time zone (e.g. Europe/Oslo, UTC)"
        ) from None
    return text


def utc_time_text(text: str) -> str:
    """An ISO 8601 time with a zone (``2024-07-06T06:43:00Z``); returned as given."""
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2024-07-06T06:43:00Z)"
        ) from None
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give a time zone (e.g. 2024-07-06T06:43:00Z)")
    return text


def icao24_hex(text: str) -> str:
    """A 24-bit ICAO address in hex (``393322``); a registration or callsign is refused."""
    if not _HEX24.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ICAO 24-bit address in hex (e.g. 393322); "
            "registrations and callsigns are not accepted here"
        )
    return text.strip().lower()


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm]?)")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?")


def duration_days(text: str) -> float | None:
    """``30d``, ``12h``, ``90m`` (a bare number is days) -> days; ``0`` -> None (never)."""
    m = _DURATION.fullmatch(text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age (e.g. 30d, 12h, 0 = never)")
    value = float(m.group(1)) / {"": 1, "d": 1, "h": 24, "m": 1440}[m.group(2)]
    return value or None


def size_bytes(text: str) -> int | None:
    """``500M``, ``20G`` (powers of 1024; a bare number is bytes) -> bytes; ``0`` -> None."""
    m = _SIZE.fullmatch(text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 500M, 20G, 0 = no cap)")
    exp = " kmgt".index(m.group(2) or " ")
    return int(float(m.group(1)) * 1024**exp) or None


def _degrees(limit: float) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not -limit <= value <= limit:  # NaN fails too
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of degrees in ±{limit:g}")
        return value

    return parse


def add_receiver_arguments(p: argparse.ArgumentParser) -> None:
    """``--receiver-lat/--receiver-lon``: where the antenna is (readsb's ``--lat/--lon``)."""
    p.add_argument(
        "--receiver-lat",
        type=_degrees(90.0),
        metavar="DEG",
        help="receiver latitude (WGS 84): the map draws range rings around it and "
        "data/receiver.json carries it",
    )
    p.add_argument(
        "--receiver-lon", type=_degrees(180.0), metavar="DEG", help="receiver longitude (WGS 84)"
    )


def receiver_position(args: argparse.Namespace, command: str) -> tuple[float, float] | None:
    """The receiver's (lat, lon), or None; one of the two without the other is an error."""
    lat, lon = getattr(args, "receiver_lat", None), getattr(args, "receiver_lon", None)
    if (lat is None) != (lon is None):
        raise SystemExit(f"flyvakt {command}: give both --receiver-lat and --receiver-lon")
    return None if lat is None or lon is None else (float(lat), float(lon))
