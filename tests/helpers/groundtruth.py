"""Reading tests/data/events_groundtruth_dev.csv (compiled by the project; see PROVENANCE)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def rows() -> list[dict[str, str]]:
    with open(DATA / "events_groundtruth_dev.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def utc(date: str, hms: str) -> float:
    return datetime.fromisoformat(f"{date}T{hms}").replace(tzinfo=UTC).timestamp()


def afr34zg_transitions() -> dict[str, float]:
    """Takeoff (end of ground at LFPG) and landing (start of ground at LFBO) times, UTC."""
    out: dict[str, float] = {}
    for r in rows():
        if r["icao24"] != "393322":
            continue
        if r["event"] == "on_ground_then_takeoff":
            # "ground 06:43:09-06:59:21": the takeoff is the end of the ground interval.
            out["takeoff"] = utc(r["date_utc"], r["time_utc"].split("-")[1])
        elif r["event"] == "landing":
            # "airborne until 07:58:42 then ground to 08:02:47"
            out["landing"] = utc(r["date_utc"], r["time_utc"].split()[2])
    return out
