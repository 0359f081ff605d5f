"""Import fleets from plane-alert-db CSV (sdr-enthusiasts/plane-alert-db, ODbL 1.0 + DbCL).

Header of ``plane-alert-db.csv`` (checked against the file in tests/data)::

    $ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$#Tag 2,$#Tag 3,Category,$#Link

Filters select rows; members are then keyed by hex and registration only, never by the
operator text (the same operator is spelled two ways in that file, e.g. "Russia Special Flight
Detachment" and "Rossiya Special Flight Squadron"). Values of one filter kind are alternatives
(OR); different kinds must all hold (AND).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from flyvakt.fleets.registry import Fleet, Member

ATTRIBUTION = (
    "Contains information from plane-alert-db (https://github.com/sdr-enthusiasts/plane-alert-db), "
    "which is made available under the Open Database License (ODbL) 1.0; "
    "individual contents under the Database Contents License (DbCL) 1.0."
)

_COLUMNS = {
    "icao": "$ICAO",
    "registration": "$Registration",
    "operator": "$Operator",
    "type": "$Type",
    "icao_type": "$ICAO Type",
    "tag1": "$Tag 1",
    "tag2": "$#Tag 2",
    "tag3": "$#Tag 3",
    "category": "Category",
}


class PlaneAlertError(ValueError):
    """The file is not a plane-alert-db CSV; the message names the file and line."""


@dataclass(frozen=True)
class PlaneAlertFilter:
    operators: Sequence[str] = ()  # case-insensitive substring of $Operator
    categories: Sequence[str] = ()  # case-insensitive equality with Category
    tags: Sequence[str] = ()  # case-insensitive equality with any of the three tags
    icao_types: Sequence[str] = ()  # case-insensitive equality with $ICAO Type

    def empty(self) -> bool:
        return not (self.operators or self.categories or self.tags or self.icao_types)

    def accepts(self, row: dict[str, str]) -> bool:
        def get(col: str) -> str:
            return (row.get(_COLUMNS[col]) or "").strip().casefold()

        if self.operators:
            op = get("operator")
            if not any(o.casefold() in op for o in self.operators):
                return False
        if self.categories and get("category") not in {c.casefold() for c in self.categories}:
            return False
        if self.tags:
            row_tags = {get("tag1"), get("tag2"), get("tag3")}
            if not row_tags & {t.casefold() for t in self.tags}:
                return False
        return not (
            self.icao_types and get("icao_type") not in {t.casefold() for t in self.icao_types}
        )


@dataclass
class ImportResult:
    members: list[Member] = field(default_factory=list)
    rows_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count


def read_plane_alert(
    text: str, flt: PlaneAlertFilter, source: str, origin: str = "<csv>"
) -> ImportResult:
    """Members selected by ``flt`` from plane-alert-db CSV ``text``.

    Bad rows (bad hex, duplicate hex) are counted per reason in ``skipped``, not fatal; a file
    without the plane-alert-db header raises :class:`PlaneAlertError`.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("$ICAO", "$Registration", "$Operator", "$ICAO Type") if c not in header]
    if missing:
        raise PlaneAlertError(
            f"{origin}: line 1: not a plane-alert-db CSV (missing columns {', '.join(missing)})"
        )
    result = ImportResult()
    seen: set[int] = set()
    for row in reader:
        result.rows_read += 1
        if not flt.accepts(row):
            continue
        hex_text = (row.get("$ICAO") or "").strip()
        try:
            icao = int(hex_text, 16)
        except ValueError:
            result.skipped["bad_hex"] += 1
            continue
        if not 0 <= icao < 1 << 24:
            result.skipped["bad_hex"] += 1
            continue
        if icao in seen:
            result.skipped["duplicate_hex"] += 1
            continue
        seen.add(icao)
        reg = (row.get("$Registration") or "").strip() or None
        typ = (row.get("$ICAO Type") or "").strip() or None
        result.members.append(Member(icao24=icao, registration=reg, type=typ, source=source))
    return result


def fleet_from_plane_alert(
    fleet_id: str,
    text: str,
    flt: PlaneAlertFilter,
    source: str,
    names: dict[str, str] | None = None,
    aliases: Sequence[str] = (),
    origin: str = "<csv>",
) -> tuple[Fleet, ImportResult]:
    """A new fleet from plane-alert-db rows, with the ODbL attribution kept in the fleet."""
    result = read_plane_alert(text, flt, source, origin)
    fleet = Fleet(
        id=fleet_id,
        names=dict(names or {}),
        aliases=list(aliases),
        members=result.members,
        attribution=f"{ATTRIBUTION} Source: {source}.",
    )
    return fleet, result
