"""Write states_lszh_polls.jsonl.gz: a SYNTHETIC OpenSky REST poll series of REAL state vectors.

The values are the real OpenSky state vectors of `traffic`'s noisy_takeoff (AFR181L, 3946e4,
LSZH takeoff) and noisy_landing (DLH4TR, 3c664e, LSZH landing) samples (MIT, OpenSky data
terms); the framing (one `/states/all` response every 10 s, SI units, the documented field
order) is ours, as OpenSky's REST API documents it. `noisy_takeoff` stores the address as the
float 39460000.0 (the hex "3946e4" read as a number): it is written back as "3946e4".

    python tests/data/opensky/make_states.py ../shared/data/traffic
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from pathlib import Path

import pandas as pd

POLL_S = 10  # OpenSky's anonymous time resolution
FT = 0.3048
KT = 1852.0 / 3600.0


def _num(v: object, scale: float = 1.0, digits: int = 2) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return round(float(v) * scale, digits)  # type: ignore[arg-type]


def main(src: Path, out: Path) -> None:
    rows = []
    for name, icao in (("noisy_takeoff", "3946e4"), ("noisy_landing", "3c664e")):
        d = pd.read_json(src / f"{name}.json.gz")
        d["icao24"] = icao
        d["t"] = [int(pd.Timestamp(x).timestamp()) for x in d["timestamp"]]
        rows.append(d)
    df = pd.concat(rows, ignore_index=True)
    t0 = int(df["t"].min()) // POLL_S * POLL_S
    t1 = int(df["t"].max())
    with gzip.open(out, "wt") as f:
        for poll in range(t0, t1 + 1, POLL_S):
            now = df[df["t"] == poll]
            states = []
            for r in now.itertuples():
                lp = getattr(r, "last_position", None)
                og = getattr(r, "onground", None)
                geo = getattr(r, "geoaltitude", None)
                states.append(
                    [
                        r.icao24,
                        f"{r.callsign:<8}",
                        "Germany" if r.icao24 == "3c664e" else "France",
                        None if lp is None or math.isnan(lp) else int(lp // 1000),
                        poll,
                        _num(r.longitude, digits=4),
                        _num(r.latitude, digits=4),
                        _num(r.altitude, FT),
                        bool(og) if og is not None and og == og else False,
                        _num(r.groundspeed, KT),
                        _num(r.track),
                        _num(r.vertical_rate, FT / 60.0),
                        None,
                        _num(geo, FT),
                        None,
                        False,
                        0,
                    ]
                )
            f.write(json.dumps({"time": poll, "states": states or None}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).with_name("states_lszh_polls.jsonl.gz"))
