"""Write trino_history.parquet: a SYNTHETIC pyopensky ``Trino.history()`` answer of REAL values.

The values are the real OpenSky state vectors of `traffic`'s noisy_takeoff (AFR181L, 3946e4,
LSZH takeoff) and noisy_landing (DLH4TR, 3c664e, LSZH landing) samples (MIT, OpenSky data
terms), one row per second as OpenSky's history table keeps them. The layout is pyopensky's
(``state_vectors_data4`` column names and order, SI units, UTC timestamps, pyarrow dtypes as
pyopensky hands them out): ``lastposupdate`` is the sample's ``last_position``; the columns the
samples lack are filled in and labelled so: ``lastcontact`` = ``time``, ``spi`` false,
``squawk`` and ``serials`` null, ``alert`` false where the sample has none, ``onground``
false for DLH4TR (airborne throughout its sample).

    python tests/data/opensky/make_trino_history.py ../shared/data/traffic
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

FT = 0.3048
KT = 1852.0 / 3600.0
EPOCH = pd.Timestamp(0, tz="UTC")


def main(src: Path, out: Path) -> None:
    parts = []
    for name, icao in (("noisy_takeoff", "3946e4"), ("noisy_landing", "3c664e")):
        d = pd.read_json(src / f"{name}.json.gz")
        time = pd.to_datetime(d["timestamp"], utc=True)
        parts.append(
            pd.DataFrame(
                {
                    "time": time,
                    "icao24": icao,  # noisy_takeoff stores it as the float 39460000.0
                    "lat": d["latitude"],
                    "lon": d["longitude"],
                    "velocity": d["groundspeed"] * KT,
                    "heading": d["track"],
                    "vertrate": d["vertical_rate"] * FT / 60.0,
                    "callsign": d["callsign"].str.ljust(8),
                    "onground": d.get("onground", False),
                    "alert": d.get("alert", False),
                    "spi": False,
                    "squawk": None,
                    "baroaltitude": d["altitude"] * FT,
                    "geoaltitude": d["geoaltitude"] * FT if "geoaltitude" in d else None,
                    "lastposupdate": d["last_position"] / 1000.0,  # epoch ms in the sample
                    "lastcontact": (time - EPOCH).dt.total_seconds(),
                    "serials": None,
                    "hour": time.dt.floor("1h"),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True).sort_values("time", kind="stable")
    df = df.reset_index(drop=True).convert_dtypes(dtype_backend="pyarrow")
    df.to_parquet(out, index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).with_name("trino_history.parquet"))
