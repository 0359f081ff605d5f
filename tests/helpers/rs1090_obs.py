"""Build ObservationBatch rows from rs1090's decode (the MIT reference decoder).

Used by tracker tests to separate tracking from decoding: the tracker must give the same
positions whether fed by our decoder or by the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.model import ObservationBatch, Source


def obs_from_rs1090(msgs: list[dict[str, Any]]) -> ObservationBatch:
    n = len(msgs)
    o = ObservationBatch.empty(n)
    for i, m in enumerate(msgs):
        o.time_s[i] = m["timestamp"]
        o.icao24[i] = int(m["icao24"], 16)
        df = int(m["df"])
        o.df[i] = df
        o.address_checked[i] = df in (11, 17, 18)
        o.source[i] = Source.ADSB if df in (17, 18) else Source.MODE_S
        if "altitude" in m and m["altitude"] is not None and m.get("bds") != "06":
            o.altitude_baro_ft[i] = m["altitude"]
        if "squawk" in m:
            o.squawk[i] = int(m["squawk"])
        if "callsign" in m:
            o.callsign[i] = m["callsign"]
        if "lat_cpr" in m:
            o.cpr_lat[i] = m["lat_cpr"]
            o.cpr_lon[i] = m["lon_cpr"]
            o.cpr_odd[i] = 1 if m["parity"] == "odd" else 0
            o.cpr_surface[i] = m.get("bds") == "06"
            o.on_ground[i] = 1 if m.get("bds") == "06" else 0
        if m.get("bds") == "09" and m.get("groundspeed") is not None:
            o.groundspeed_kt[i] = m["groundspeed"]
            o.track_deg[i] = m.get("track", np.nan) or np.nan
        if m.get("vertical_rate") is not None:
            o.vertical_rate_fpm[i] = m["vertical_rate"]
    return o
