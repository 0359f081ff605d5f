"""Fleet registry: named groups of aircraft, kept in a TOML file the user edits.

File layout (read with :mod:`tomllib`, written with :mod:`tomli_w`)::

    [[fleet]]
    id = "ru-gov"
    # Names are used inside sentences ("the last of the three aircraft of {name}"),
    # so give them with their article where the language wants one.
    names = { en = "the Russian presidential fleet", nb = "den russiske presidentflyflåten" }
    aliases = ["Putin", "Putins flyflåte", "Putin's plane"]
    attribution = "plane-alert-db (ODbL 1.0) ..."

    [[fleet.member]]
    icao24 = "15770c"          # 24-bit ICAO address, hex; optional if registration given
    registration = "RA-96012"  # optional if icao24 given
    type = "IL96"              # ICAO type designator, optional
    valid_from = 2020-01-01    # TOML date, optional, inclusive (00:00 UTC)
    valid_to = 2030-12-31      # TOML date, optional, inclusive (to 24:00 UTC)
    source = "plane-alert-db c2709be1"

A member matches an aircraft when its ICAO address *or* its registration matches and the
membership is valid at the time asked: hex codes change when an airframe moves to another
register, and a registration is reused on a new airframe, so both are dated.

Pure: nothing here reads a file at import or reads the clock; :func:`load_fleets` and
:func:`save_fleets` do I/O only when called.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Fleet",
    "FleetFileError",
    "FleetRegistry",
    "Member",
    "example_fleets_path",
    "load_fleets",
    "normalise_text",
    "parse_fleets",
    "save_fleets",
]


class FleetFileError(ValueError):
    """A fleets file that cannot be read; the message names the file and the fleet/member."""


def _day_start_s(d: date) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Member:
    icao24: int | None = None
    registration: str | None = None
    type: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""

    @property
    def from_s(self) -> float:
        return -math.inf if self.valid_from is None else _day_start_s(self.valid_from)

    @property
    def to_s(self) -> float:
        """Exclusive end: the day after ``valid_to`` at 00:00 UTC."""
        if self.valid_to is None:
            return math.inf
        return _day_start_s(self.valid_to + timedelta(days=1))

    def valid_at(self, at_s: float) -> bool:
        return self.from_s <= at_s < self.to_s

    @property
    def icao24_hex(self) -> str | None:
        return None if self.icao24 is None else f"{self.icao24:06x}"

    def label(self) -> str:
        parts = [p for p in (self.registration, self.icao24_hex, self.type) if p]
        return " ".join(parts)

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.icao24 is not None:
            out["icao24"] = f"{self.icao24:06x}"
        if self.registration:
            out["registration"] = self.registration
        if self.type:
            out["type"] = self.type
        if self.valid_from is not None:
            out["valid_from"] = self.valid_from
        if self.valid_to is not None:
            out["valid_to"] = self.valid_to
        if self.source:
            out["source"] = self.source
        return out


@dataclass
class Fleet:
    id: str
    names: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    attribution: str = ""

    def name(self, lang: str) -> str:
        """The fleet's name in ``lang``, falling back to nb for nn, then en, then the id."""
        fallbacks = [lang, "nb" if lang == "nn" else "", "en"]
        for code in fallbacks:
            if code and self.names.get(code):
                return self.names[code]
        return self.id

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.names:
            out["names"] = dict(self.names)
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.attribution:
            out["attribution"] = self.attribution
        out["member"] = [m.to_toml() for m in self.members]
        return out


def normalise_text(text: str) -> str:
    """Case-, diacritics- and punctuation-insensitive form used for name/alias matching.

    ``"Putin's  plane"`` → ``"putins plane"``; ``"flyflåte"`` → ``"flyflate"``; ``"Ø"`` → ``"o"``.
    """
    # ø, æ and đ do not decompose under NFKD; map them first.
    text = text.casefold().replace("ø", "o").replace("æ", "ae").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = re.sub(r"['’`´]", "", stripped)
    stripped = re.sub(r"[^\w]+", " ", stripped)
    return " ".join(stripped.split())


def normalise_registration(reg: str) -> str:
    """Registration compare key: upper case without spaces or hyphens (RA-96012 == RA96012)."""
    return re.sub(r"[\s\-]", "", reg).upper()


@dataclass(frozen=True)
class _MemberTable:
    """Dated memberships as sorted columns, for :meth:`FleetRegistry.member_mask`."""

    hex: npt.NDArray[np.int64]
    from_s: npt.NDArray[np.float64]
    to_s: npt.NDArray[np.float64]
    max_dup: int  # most memberships any one address has

    @classmethod
    def build(cls, rows: list[tuple[int, float, float]]) -> _MemberTable:
        hexes = np.asarray([r[0] for r in rows], dtype=np.int64)
        max_dup = int(np.unique(hexes, return_counts=True)[1].max()) if rows else 0
        return cls(
            hex=hexes,
            from_s=np.asarray([r[1] for r in rows], dtype=np.float64),
            to_s=np.asarray([r[2] for r in rows], dtype=np.float64),
            max_dup=max_dup,
        )


class FleetRegistry:
    """All fleets of one file, with indexes for matching by address, registration and name."""

    def __init__(self, fleets: Iterable[Fleet]) -> None:
        self.fleets: dict[str, Fleet] = {}
        for f in fleets:
            if f.id in self.fleets:
                raise ValueError(f"duplicate fleet id {f.id!r}")
            self.fleets[f.id] = f
        self._by_hex: dict[int, list[tuple[str, Member]]] = {}
        self._by_reg: dict[str, list[tuple[str, Member]]] = {}
        self._names: dict[str, set[str]] = {}
        for f in self.fleets.values():
            for m in f.members:
                if m.icao24 is not None:
                    self._by_hex.setdefault(m.icao24, []).append((f.id, m))
                if m.registration:
                    key = normalise_registration(m.registration)
                    self._by_reg.setdefault(key, []).append((f.id, m))
            for text in [f.id, *f.names.values(), *f.aliases]:
                key = normalise_text(text)
                if key:
                    self._names.setdefault(key, set()).add(f.id)
        self._tables: dict[str | None, _MemberTable] = {}
        self._lut: npt.NDArray[np.bool_] | None = None
        # Every address with a membership by address (dated or not): an address outside it
        # matches nothing but by registration, so the per-event tagging (pipeline.tag_fleets,
        # fleets/events.step) skips :meth:`match` for it. Fixed, as the indexes above are.
        self.addresses: frozenset[int] = frozenset(self._by_hex)

    def __len__(self) -> int:
        return len(self.fleets)

    def __contains__(self, fleet_id: object) -> bool:
        return fleet_id in self.fleets

    def get(self, fleet_id: str) -> Fleet | None:
        return self.fleets.get(fleet_id)

    def match(self, icao24: int, registration: str | None, at_s: float) -> list[str]:
        """Ids of the fleets whose membership (by address or registration) is valid at ``at_s``."""
        by_hex = self._by_hex.get(int(icao24))
        if by_hex is None and not registration:
            # Nearly every event's aircraft is in no fleet (asked twice per event: the tag and
            # the fleet rules): the answer at once, a new list as below.
            return []
        found: list[str] = []
        candidates = list(by_hex or [])
        if registration:
            candidates += self._by_reg.get(normalise_registration(registration), [])
        for fleet_id, member in candidates:
            if member.valid_at(at_s) and fleet_id not in found:
                found.append(fleet_id)
        return found

    def member_mask(
        self,
        icao24: npt.ArrayLike,
        at_s: float | npt.ArrayLike,
        fleet_id: str | None = None,
    ) -> npt.NDArray[np.bool_]:
        """Vectorised: True where the address belongs to a fleet (``fleet_id`` or any) at ``at_s``.

        ``at_s`` is a scalar or an array of the same length as ``icao24``. Registrations are not
        part of a batch, so members known only by registration never match here.
        """
        addr = np.asarray(icao24, dtype=np.int64)
        table = self._table(fleet_id)
        if table.hex.size == 0:
            return np.zeros(addr.shape, dtype=np.bool_)
        times = np.broadcast_to(np.asarray(at_s, dtype=np.float64), addr.shape)
        mask = np.zeros(addr.shape, dtype=np.bool_)
        # First a 2^24-entry lookup (one gather; most rows of a batch are not members), then
        # the dated check on the few rows that are.
        in_range = (addr >= 0) & (addr < 1 << 24)
        rows = np.flatnonzero(self._lookup()[addr & 0xFFFFFF] & in_range)
        if rows.size == 0:
            return mask
        a, t = addr[rows], times[rows]
        # Memberships sorted by address; an address has at most `max_dup` dated memberships, so
        # looking at the `max_dup` slots from its first one finds every candidate.
        first = np.searchsorted(table.hex, a, side="left")
        hit = np.zeros(a.shape, dtype=np.bool_)
        last_slot = table.hex.size - 1
        for k in range(table.max_dup):
            pos = np.minimum(first + k, last_slot)
            hit |= (table.hex[pos] == a) & (table.from_s[pos] <= t) & (t < table.to_s[pos])
        mask[rows] = hit
        return mask

    def _lookup(self) -> npt.NDArray[np.bool_]:
        """Bit per 24-bit address: is it in any fleet (16 MiB, built on first use)."""
        if self._lut is None:
            lut = np.zeros(1 << 24, dtype=np.bool_)
            lut[self._table(None).hex] = True
            self._lut = lut
        return self._lut

    def _table(self, fleet_id: str | None) -> _MemberTable:
        table = self._tables.get(fleet_id)
        if table is None:
            if fleet_id is None:
                fleets = list(self.fleets.values())
            else:
                one = self.fleets.get(fleet_id)
                fleets = [one] if one is not None else []
            rows = sorted(
                (m.icao24, m.from_s, m.to_s)
                for f in fleets
                for m in f.members
                if m.icao24 is not None
            )
            table = _MemberTable.build(rows)
            self._tables[fleet_id] = table
        return table

    def resolve(self, text: str) -> str | None:
        """Fleet id named by ``text`` (id, a name or an alias), or None if none or ambiguous.

        An exact (normalised) match wins; otherwise the longest name/alias that occurs in the
        text as whole words, if it names one fleet only.
        """
        key = normalise_text(text)
        if not key:
            return None
        exact = self._names.get(key)
        if exact:
            return next(iter(exact)) if len(exact) == 1 else None
        padded = f" {key} "
        best_len = 0
        best: set[str] = set()
        for name, ids in self._names.items():
            if f" {name} " in padded:
                if len(name) > best_len:
                    best_len, best = len(name), set(ids)
                elif len(name) == best_len:
                    best |= ids
        return next(iter(best)) if len(best) == 1 else None

    def members(self, fleet_id: str, at_s: float | None = None) -> list[Member]:
        """Members of ``fleet_id`` valid at ``at_s`` (all members when ``at_s`` is None)."""
        fleet = self.fleets.get(fleet_id)
        if fleet is None:
            return []
        if at_s is None:
            return list(fleet.members)
        return [m for m in fleet.members if m.valid_at(at_s)]

    def names(self, lang: str) -> dict[str, str]:
        """Fleet id → name in ``lang`` (what the bulletins need)."""
        return {fid: f.name(lang) for fid, f in self.fleets.items()}

    def to_toml(self) -> dict[str, Any]:
        return {"fleet": [f.to_toml() for f in self.fleets.values()]}


def _parse_date(value: object, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FleetFileError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}")


def _parse_member(raw: Mapping[str, Any], where: str) -> Member:
    icao: int | None = None
    hex_text = raw.get("icao24")
    if hex_text is not None:
        try:
            icao = int(str(hex_text), 16)
        except ValueError as exc:
            raise FleetFileError(f"{where}: icao24 {hex_text!r} is not hexadecimal") from exc
        if not 0 <= icao < 1 << 24:
            raise FleetFileError(f"{where}: icao24 {hex_text!r} is not a 24-bit address")
    reg = raw.get("registration")
    if icao is None and not reg:
        raise FleetFileError(f"{where}: a member needs icao24 or registration")
    typ = raw.get("type")
    return Member(
        icao24=icao,
        registration=str(reg) if reg else None,
        type=str(typ) if typ else None,
        valid_from=_parse_date(raw.get("valid_from"), where),
        valid_to=_parse_date(raw.get("valid_to"), where),
        source=str(raw.get("source", "")),
    )


def parse_fleets(data: Mapping[str, Any], origin: str = "<fleets>") -> FleetRegistry:
    """Build a registry from parsed TOML (``origin`` names the file in error messages)."""
    raw_fleets = data.get("fleet", [])
    if not isinstance(raw_fleets, list):
        raise FleetFileError(f"{origin}: 'fleet' must be an array of tables ([[fleet]])")
    fleets: list[Fleet] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_fleets):
        where = f"{origin}: fleet #{i + 1}"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise FleetFileError(f"{where}: missing 'id'")
        fid = str(raw["id"])
        where = f"{origin}: fleet {fid!r}"
        if fid in seen:
            raise FleetFileError(f"{where}: duplicate id")
        seen.add(fid)
        names = raw.get("names", {})
        aliases = raw.get("aliases", [])
        if not isinstance(names, dict) or not isinstance(aliases, list):
            raise FleetFileError(f"{where}: 'names' must be a table and 'aliases' a list")
        members = [
            _parse_member(m, f"{where} member #{j + 1}")
            for j, m in enumerate(raw.get("member", []))
        ]
        fleets.append(
            Fleet(
                id=fid,
                names={str(k): str(v) for k, v in names.items()},
                aliases=[str(a) for a in aliases],
                members=members,
                attribution=str(raw.get("attribution", "")),
            )
        )
    return FleetRegistry(fleets)


def load_fleets(path: str | Path) -> FleetRegistry:
    """Read a fleets TOML file; a missing file is an empty registry."""
    p = Path(path)
    if not p.exists():
        return FleetRegistry([])
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FleetFileError(f"{p}: not valid TOML: {exc}") from exc
    return parse_fleets(data, str(p))


def save_fleets(registry: FleetRegistry, path: str | Path) -> None:
    """Write the registry as TOML (comments in a hand-edited file are not kept)."""
    import tomli_w

    Path(path).write_text(tomli_w.dumps(registry.to_toml()), encoding="utf-8")


def example_fleets_path() -> Path:
    """Path of the bundled example fleets file (``ru-gov``), for docs, demos and tests."""
    return Path(__file__).resolve().parent.parent / "data" / "fleets" / "example.toml"
