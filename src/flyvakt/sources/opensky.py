"""OpenSky Network REST ``/states/all`` responses -> ObservationBatch.

A response is ``{"time": 1458564121, "states": [[...17 or 18 values...], ...]}`` (``states`` is
null when nothing matched). A recording is one response (a ``.json`` file, pretty-printed or
not) or several, one per line (a poll series, ``.jsonl``). Each state is, by position:

    0 icao24 "3c6444"   1 callsign "DLH9LF  " | null   2 origin_country
    3 time_position (s) | null   4 last_contact (s)   5 longitude   6 latitude
    7 baro_altitude (m)   8 on_ground   9 velocity (m/s)   10 true_track (deg)
    11 vertical_rate (m/s)   12 sensors | null   13 geo_altitude (m)   14 squawk | null
    15 spi   16 position_source (0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM)   17 category (extended=1)

Mapping to our columns: a row is timed at ``time_position`` and carries the position with the
rest of the state. OpenSky repeats a state for up to 15 s after its position was last heard,
so a poll series sees the same position many times: a state whose position time was already
read for that aircraft gives a row timed at ``last_contact`` *without* a position (only the
speeds/altitude, which may be newer), or nothing when ``last_contact`` is not newer either
(counted as ``opensky_repeated_state``). A state with no position time is timed at
``last_contact`` without a position. MLAT positions keep the MLAT source and ADS-B states the
ADS-B one (so readsb's source priority ranks them as a receiver's own would: a fresh ADS-B
position is not replaced by an MLAT one); ASTERIX and FLARM states are state vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flyvakt.model.batches import ObservationBatch, Source
from flyvakt.sources._common import Batch, SourceFormatError, SourceStats
from flyvakt.sources.lines import BadLine, LineParser, json_lines
from flyvakt.sources.statevec import M_TO_FT, MS_TO_FPM, MS_TO_KT, to_bool, to_f64

# Index of each documented field in a state array.
(
    ICAO24,
    CALLSIGN,
    ORIGIN_COUNTRY,
    TIME_POSITION,
    LAST_CONTACT,
    LONGITUDE,
    LATITUDE,
    BARO_ALTITUDE,
    ON_GROUND,
    VELOCITY,
    TRUE_TRACK,
    VERTICAL_RATE,
    SENSORS,
    GEO_ALTITUDE,
    SQUAWK,
    SPI,
    POSITION_SOURCE,
    CATEGORY,
) = range(18)
MIN_STATE_LEN = 17  # the documented fields without ``category`` (only sent with extended=1)
POSITION_SOURCE_ADSB = 0
POSITION_SOURCE_MLAT = 2


def is_states_response(obj: Any) -> bool:
    """True for a decoded ``/states/all`` response (``states`` may be null)."""
    return (
        isinstance(obj, dict)
        and "states" in obj
        and "time" in obj
        and (obj["states"] is None or isinstance(obj["states"], list))
    )


def category_code(opensky_category: Any) -> int:
    """OpenSky's category number -> our emitter category code (A0..D7 -> 0..31), -1 unknown.

    OpenSky: 0 no information, 1 no ADS-B category information, 2..8 = A1..A7, 9..15 = B1..B7,
    16..20 = C1..C5.
    """
    if not isinstance(opensky_category, int) or isinstance(opensky_category, bool):
        return -1
    c = opensky_category
    if 2 <= c <= 8:
        return c - 1
    if 9 <= c <= 15:
        return c
    if 16 <= c <= 20:
        return c + 1
    return -1


def _icao(v: Any) -> int:
    if not isinstance(v, str):
        return -1
    s = v.strip().lower()
    if len(s) != 6:
        return -1
    try:
        return int(s, 16)
    except ValueError:
        return -1


def _squawk(v: Any) -> int:
    s = str(v).strip() if v is not None else ""
    return int(s) if s.isdigit() and len(s) == 4 and all(c in "01234567" for c in s) else -1


class StatesDecoder:
    """Responses -> observations, remembering what each aircraft's last position time was."""

    def __init__(self, *, receiver: int = 0) -> None:
        self.receiver = receiver
        # icao24 -> (time_position, last_contact) of the last row emitted for it
        self._last: dict[int, tuple[float, float]] = {}

    def decode(self, obj: dict[str, Any], stats: SourceStats) -> ObservationBatch:
        states = obj.get("states") or []
        rows: list[list[Any]] = []
        for s in states:
            if not isinstance(s, list) or len(s) < MIN_STATE_LEN:
                stats.skip("opensky_bad_state")
                continue
            icao = _icao(s[ICAO24])
            if icao < 0:
                stats.skip("bad_icao24")
                continue
            t_pos = s[TIME_POSITION] if isinstance(s[TIME_POSITION], int | float) else None
            t_last = s[LAST_CONTACT] if isinstance(s[LAST_CONTACT], int | float) else None
            if t_last is None and t_pos is None:
                stats.skip("bad_timestamp")
                continue
            last_contact = float(t_last if t_last is not None else t_pos)  # type: ignore[arg-type]
            prev = self._last.get(icao)
            with_position = t_pos is not None and (prev is None or float(t_pos) > prev[0])
            if with_position:
                time_s = float(t_pos)  # type: ignore[arg-type]
            elif prev is None or last_contact > prev[1]:
                time_s = last_contact
            else:
                stats.skip("opensky_repeated_state")
                continue
            self._last[icao] = (
                float(t_pos) if with_position else (prev[0] if prev else -np.inf),  # type: ignore[arg-type]
                max(last_contact, time_s),
            )
            rows.append([icao, time_s, with_position, s])
        return self._columns(rows)

    def _columns(self, rows: list[list[Any]]) -> ObservationBatch:
        n = len(rows)
        out = ObservationBatch.empty(n)
        if n == 0:
            return out
        st = [r[3] for r in rows]

        def col(i: int) -> list[Any]:
            return [s[i] if len(s) > i else None for s in st]

        with_pos = np.array([r[2] for r in rows], dtype=np.bool_)
        out.icao24[:] = np.array([r[0] for r in rows], dtype=np.uint32)
        out.time_s[:] = np.array([r[1] for r in rows], dtype=np.float64)
        out.lat_deg[:] = np.where(with_pos, to_f64(col(LATITUDE)), np.nan)
        out.lon_deg[:] = np.where(with_pos, to_f64(col(LONGITUDE)), np.nan)
        out.altitude_baro_ft[:] = to_f64(col(BARO_ALTITUDE)) * M_TO_FT
        out.altitude_gnss_ft[:] = to_f64(col(GEO_ALTITUDE)) * M_TO_FT
        out.groundspeed_kt[:] = to_f64(col(VELOCITY)) * MS_TO_KT
        out.track_deg[:] = to_f64(col(TRUE_TRACK))
        out.vertical_rate_fpm[:] = to_f64(col(VERTICAL_RATE)) * MS_TO_FPM
        out.on_ground[:] = to_bool(col(ON_GROUND))
        out.callsign[:] = [c.strip() or None if isinstance(c, str) else None for c in col(CALLSIGN)]
        out.squawk[:] = [_squawk(v) for v in col(SQUAWK)]
        out.category[:] = [category_code(v) for v in col(CATEGORY)]
        kind = col(POSITION_SOURCE)
        mlat = np.array([v == POSITION_SOURCE_MLAT for v in kind], dtype=np.bool_)
        adsb = np.array([v == POSITION_SOURCE_ADSB for v in kind], dtype=np.bool_)
        out.source[:] = np.where(
            mlat & with_pos,
            int(Source.MLAT),
            np.where(adsb, int(Source.ADSB), int(Source.STATE_VECTOR)),
        )
        out.address_checked[:] = True
        out.receiver[:] = self.receiver
        return out


class OpenSkyLinesParser(LineParser):
    """A poll series: one ``/states/all`` response per line."""

    default_name = "<opensky>"

    def _init_state(self) -> None:
        self._decoder = StatesDecoder(receiver=self._receiver)

    def empty(self) -> Batch:
        return ObservationBatch.empty(0)

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        docs, bad, first_good = json_lines(
            lines,
            first_lineno,
            is_states_response,
            "opensky_bad_line",
            "an OpenSky states response",
        )
        parts = [self._decoder.decode(obj, self.stats) for obj in docs]
        return ObservationBatch.concat(parts), bad, first_good


def decode_document(
    obj: dict[str, Any], stats: SourceStats, *, receiver: int = 0, name: str = "<opensky>"
) -> ObservationBatch:
    """One response read whole (a ``.json`` file)."""
    if not is_states_response(obj):
        raise SourceFormatError(f"{name}: byte 0: not an OpenSky states response")
    return StatesDecoder(receiver=receiver).decode(obj, stats)
