"""Who a claim is about: a fleet (id, name, alias), an aircraft by ICAO address, registration
(fleets file, plane-alert-db import, or an aircraft registry file such as dump1090's
``aircraft.csv``), ICAO callsign, IATA flight number ("MS804" → "MSR804" through the bundled
OpenFlights airline table), or "the aircraft" / "flyet" / "flyga" when an option names it.
"""

from __future__ import annotations

import csv
import gzip
import io
import lzma
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from flyvakt.fleets import FleetRegistry
from flyvakt.fleets.registry import normalise_registration
from flyvakt.model.batches import parse_icao_hex

SubjectKind = Literal["fleet", "aircraft"]
Subject = tuple[SubjectKind, str]
Ordinal = Literal["first", "last"]

_HEX = re.compile(r"^(?:0x)?([0-9a-fA-F]{6})$")
_CALLSIGN = re.compile(r"^[A-Z]{3}[0-9][0-9A-Z]{0,4}$")
# IATA flight number: two-character airline designator (one letter at least), 1-4 digits and
# an optional operational suffix letter ("MS804", "SK4035", "U21234", "DY1302A").
_FLIGHT = re.compile(r"^([A-Z][A-Z0-9]|[0-9][A-Z])\s?0*([0-9]{1,4}[A-Z]?)$")
# Registrations as transmitted: letters and digits with an optional dash (RA-96017, N359DG).
_REG = re.compile(r"^[A-Z0-9]{1,3}-?[A-Z0-9]{2,6}$")
# Words that mean "the aircraft the options name" (en, nb, nn, definite forms).
DEICTIC = frozenset(
    {"the aircraft", "the plane", "the jet", "the airplane", "the aeroplane", "it", "the fleet",
     "the planes", "the aircraft of the fleet", "flyet", "flya", "flyene", "flyga", "flyi",
     "maskinen", "flyflåten", "flåten", "det", "dei", "de"}
)  # fmt: skip


_NOUN = r"(?:plane|aircraft|jet|airplane|aeroplane|one)s?"
# "the last plane of ru-gov", "the last of the fleet", "the first aircraft", "ru-gov's last plane"
_ORDINAL_EN = re.compile(
    rf"^the\s+(?P<o>last|first)(?:\s+{_NOUN})?(?:\s+(?:of|in|from)\s+(?P<rest>.+))?$", re.I
)
_ORDINAL_EN_GENITIVE = re.compile(
    rf"^(?P<rest>.+?)(?:'s|’s)\s+(?P<o>last|first)(?:\s+{_NOUN})?$", re.I
)
# "det siste flyet (i flåten)", "det første flyet til ru-gov", "siste fly i ru-gov",
# "det siste av flya til ru-gov"
_ORDINAL_NO = re.compile(
    r"^(?:det\s+)?(?P<o>siste|første|fyrste)(?:\s+(?:flyet|fly|flyg|maskinen))?"
    r"(?:\s+av\s+(?:flyene|flya|flyga|maskinene|maskinane))?"
    r"(?:\s+(?:i|til|av|fra|frå|åt)\s+(?P<rest>.+))?$",
    re.I,
)
# What the subject is when the ordinal names no fleet ("the last plane"): the fleet an option
# names, as for "the fleet" (``DEICTIC``).
# "the last plane of the fleet of Putin", "det siste flyet i flåten til Putin": the fleet named
_FLEET_OF = re.compile(r"^(?:(?:the\s+)?fleet\s+of|flåten\s+(?:til|åt))\s+(?=\S)", re.I)
# "the last plane of Putin's fleet": the fleet named in the genitive
_FLEET_GENITIVE = re.compile(r"^(?P<who>.+?)(?:'s|’s)\s+(?:fleet|planes|aircraft|jets)$", re.I)
_FLEET_WORDS = frozenset({"", "fleet", "the fleet", "flåten", "flyflåten", "flyene", "flya"})


def split_ordinal(text: str) -> tuple[Ordinal | None, str]:
    """("last", "ru-gov") for "the last plane of ru-gov"; (None, text) for no ordinal. With no
    fleet named ("the last plane", "det siste flyet i flåten") the rest is "the fleet"."""
    raw = text.strip().strip("\"'«»“”")
    for pattern in (_ORDINAL_EN, _ORDINAL_EN_GENITIVE, _ORDINAL_NO):
        m = pattern.match(raw)
        if m:
            word = m.group("o").casefold()
            ordinal: Ordinal = "last" if word in ("last", "siste") else "first"
            rest = _FLEET_OF.sub("", (m.group("rest") or "").strip())
            genitive = _FLEET_GENITIVE.match(rest)
            rest = genitive.group("who") if genitive else rest
            return ordinal, "the fleet" if rest.casefold() in _FLEET_WORDS else rest
    return None, text


class SubjectError(ValueError):
    """``key`` says what went wrong (for localised messages); ``text`` is the subject text."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__(f"{key}: {text!r}")
        self.key = key
        self.text = text


@dataclass
class AircraftRegistry:
    """Registration ↔ ICAO address (and type) read from a registry file."""

    by_registration: dict[str, int] = field(default_factory=dict)
    registration_of: dict[int, str] = field(default_factory=dict)
    type_of: dict[int, str] = field(default_factory=dict)
    bad_rows: int = 0

    @classmethod
    def load(cls, path: str | Path) -> AircraftRegistry:
        """dump1090/readsb ``aircraft.csv`` (``icao24,r,t,desc`` header, optionally ``;``
        separated, .gz/.xz) or a plane-alert-db CSV (``$ICAO,$Registration,…``)."""
        p = Path(path)
        raw = p.read_bytes()
        if p.suffix == ".gz":
            raw = gzip.decompress(raw)
        elif p.suffix == ".xz":
            raw = lzma.decompress(raw)
        text = raw.decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        delim = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        header = [h.strip().lower() for h in next(reader, [])]
        cols = {h: i for i, h in enumerate(header)}
        hex_col = next((cols[k] for k in ("icao24", "icao", "$icao", "hex") if k in cols), None)
        reg_col = next((cols[k] for k in ("r", "registration", "$registration") if k in cols), None)
        typ_col = next((cols[k] for k in ("t", "type", "$icao type") if k in cols), None)
        if hex_col is None or reg_col is None:
            raise ValueError(
                f"{path}: line 1: not an aircraft registry (need columns icao24 and r, or "
                "plane-alert-db's $ICAO and $Registration)"
            )
        out = cls()
        for row in reader:
            try:
                icao = int(row[hex_col].strip(), 16)
                reg = row[reg_col].strip()
            except (ValueError, IndexError):
                out.bad_rows += 1
                continue
            if not reg or not 0 <= icao < 1 << 24:
                out.bad_rows += 1
                continue
            out.by_registration.setdefault(normalise_registration(reg), icao)
            out.registration_of.setdefault(icao, reg)
            if typ_col is not None and typ_col < len(row) and row[typ_col].strip():
                out.type_of.setdefault(icao, row[typ_col].strip())
        return out


@lru_cache(maxsize=1)
def airline_table() -> dict[str, list[str]]:
    """IATA airline designator → ICAO designators of active airlines (OpenFlights, ODbL)."""
    text = (
        resources.files("flyvakt")
        .joinpath("data/airlines/airlines.tsv")
        .read_text(encoding="utf-8")
    )
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("iata\t"):
            continue
        iata, icao = line.split("\t")[:2]
        out.setdefault(iata, []).append(icao)
    return out


def flight_number_callsigns(text: str) -> list[str]:
    """ICAO callsigns an IATA flight number may be transmitted as ("MS804" → ["MSR804"])."""
    m = _FLIGHT.match(text.strip().upper())
    if not m:
        return []
    return [f"{icao}{m.group(2)}" for icao in airline_table().get(m.group(1), [])]


@dataclass
class SubjectContext:
    """What subject resolution may use besides the text.

    ``given``: the subject named by an option (``--fleet``/``--icao24``); ``seen_callsign``
    says whether a callsign occurs in the data (to pick among flight-number candidates).
    """

    registry: FleetRegistry
    aircraft: AircraftRegistry | None = None
    given: Subject | None = None
    seen_callsign: Callable[[str], bool] | None = None

    def _lookup(self, icao24_hex: str, attr: str, table: str) -> str | None:
        """A member attribute from the fleets file, else the registry file's column."""
        icao = parse_icao_hex(icao24_hex)
        for fleet in self.registry.fleets.values():
            for m in fleet.members:
                if m.icao24 == icao and getattr(m, attr):
                    return str(getattr(m, attr))
        if self.aircraft is not None:
            found: str | None = getattr(self.aircraft, table).get(icao)
            return found
        return None

    def registration(self, icao24_hex: str) -> str | None:
        return self._lookup(icao24_hex, "registration", "registration_of")

    def aircraft_type(self, icao24_hex: str) -> str | None:
        return self._lookup(icao24_hex, "type", "type_of")


def is_deictic(text: str) -> bool:
    return text.strip().strip("\"'«»“”").casefold() in DEICTIC


def resolve_subject(text: str, ctx: SubjectContext) -> Subject | None:
    """The claim's subject, or None if the text names nothing known.

    Raises ``SubjectError("needs_option")`` for "the aircraft"/"flyet" with no option given.
    """
    raw = text.strip().strip("\"'«»“”")
    if is_deictic(raw):
        if ctx.given is None:
            raise SubjectError("needs_option", raw)
        return ctx.given
    fleet_id = ctx.registry.resolve(raw)
    if fleet_id is not None:
        return "fleet", fleet_id
    m = _HEX.match(raw)
    if m and any(c.isdigit() for c in m.group(1)):
        return "aircraft", m.group(1).lower()
    up = raw.upper().replace(" ", "")
    reg = normalise_registration(raw)
    for fleet in ctx.registry.fleets.values():
        for member in fleet.members:
            if (
                member.registration
                and member.icao24 is not None
                and normalise_registration(str(member.registration)) == reg
            ):
                return "aircraft", f"{member.icao24:06x}"
    if ctx.aircraft is not None and reg in ctx.aircraft.by_registration:
        return "aircraft", f"{ctx.aircraft.by_registration[reg]:06x}"
    candidates = flight_number_callsigns(up)
    if candidates:
        seen = [c for c in candidates if ctx.seen_callsign is not None and ctx.seen_callsign(c)]
        return "aircraft", (seen or candidates)[0]
    if _CALLSIGN.match(up) or (_REG.match(up) and any(c.isdigit() for c in up)):
        # An ICAO callsign, or a registration flown as the callsign (general aviation).
        return "aircraft", up.replace("-", "")
    return None
