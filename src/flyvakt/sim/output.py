"""Simulator outputs (adapter layer: does I/O): files in Beast / AVR / jet1090 JSONL / SBS, and a
local TCP server that plays frames in Beast at real or accelerated speed.

Beast, AVR and JSONL use :mod:`flyvakt.sources.writers` (the same code the sources round-trip
against); SBS lines are written here from the simulator's truth, as a receiver's decoder would
report them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

import numpy as np

from flyvakt.model.batches import icao_hex
from flyvakt.sim.emit import KIND_NAMES, SimResult
from flyvakt.sources.writers import encode_beast, format_avr, write_jsonl

FORMATS = ("beast", "avr", "jsonl", "sbs")
# Served frames go out in slices of this much scenario time divided by speed: small enough
# that a live consumer sees ~20 updates/s, big enough to keep syscalls per second low.
SERVE_SLICE_WALL_S = 0.05

# SBS message type per simulator kind (BaseStation: 1 ident, 2 surface, 3 airborne position,
# 4 velocity, 5 surveillance altitude, 6 surveillance identity, 8 all-call).
_SBS_TYPE = {
    "ident": 1,
    "surface_pos": 2,
    "airborne_pos": 3,
    "velocity": 4,
    "df4": 5,
    "df20": 5,
    "df5": 6,
    "df21": 6,
    "df11": 8,
    "emergency": 6,
    "opstatus": 8,
}


def _sbs_lines(res: SimResult) -> str:
    """BaseStation lines: MSG,type,1,1,HEX,1,date,time,date,time,callsign,alt,gs,trk,lat,lon,
    vrate,squawk,alert,emergency,spi,on_ground (fields empty where the message has none)."""
    tr = res.truth
    out: list[str] = []
    for i in range(len(res.frames)):
        kind = KIND_NAMES[int(res.kind[i])]
        typ = _SBS_TYPE[kind]
        dt = datetime.fromtimestamp(float(res.frames.time_s[i]), tz=UTC)
        d, t = dt.strftime("%Y/%m/%d"), dt.strftime("%H:%M:%S.%f")[:-3]
        f = [""] * 12
        if typ == 1:
            f[0] = str(tr.callsign[i])
        if typ in (2, 3, 5):
            f[1] = str(int(round(float(tr.altitude_baro_ft[i]) / 25.0) * 25))
        if typ in (2, 4):
            f[2], f[3] = f"{tr.groundspeed_kt[i]:.0f}", f"{tr.track_deg[i]:.1f}"
        if typ in (2, 3):
            f[4], f[5] = f"{tr.lat_deg[i]:.5f}", f"{tr.lon_deg[i]:.5f}"
        if typ == 4:
            f[6] = f"{tr.vertical_rate_fpm[i]:.0f}"
        if typ == 6:
            f[7] = f"{int(tr.squawk[i]):04d}"
        f[11] = "-1" if tr.on_ground[i] == 1 else "0"
        out.append(
            f"MSG,{typ},1,1,{icao_hex(int(tr.icao24[i])).upper()},1,{d},{t},{d},{t},"
            + ",".join(f)
            + "\n"
        )
    return "".join(out)


def write(res: SimResult, fp: IO[bytes], fmt: str) -> int:
    """Write all frames in ``fmt`` to a binary file object; returns bytes written."""
    fb = res.frames
    epoch = float(fb.time_s[0]) if len(fb) else 0.0
    if fmt == "beast":
        data = encode_beast(fb, epoch_s=epoch)
    elif fmt == "avr":
        data = format_avr(fb, with_counter=True, epoch_s=epoch).encode("ascii")
    elif fmt == "jsonl":
        import io

        buf = io.StringIO()
        write_jsonl(buf, fb)
        data = buf.getvalue().encode("ascii")
    elif fmt == "sbs":
        data = _sbs_lines(res).encode("ascii")
    else:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    fp.write(data)
    return len(data)


def _slice(res: SimResult, idx: np.ndarray) -> SimResult:
    return SimResult(res.frames.take(idx), res.label, res.kind[idx], res.truth.take(idx))


def _encoder(res: SimResult, fmt: str) -> Callable[[np.ndarray], bytes]:
    """Bytes for rows ``idx`` of ``res`` in a streaming format (counters from the first frame)."""
    epoch = float(res.frames.time_s[0]) if len(res.frames) else 0.0
    if fmt == "beast":
        return lambda idx: encode_beast(res.frames.take(idx), epoch_s=epoch)
    if fmt == "avr":
        return lambda idx: format_avr(
            res.frames.take(idx), with_counter=True, epoch_s=epoch
        ).encode("ascii")
    if fmt == "sbs":
        return lambda idx: _sbs_lines(_slice(res, idx)).encode("ascii")
    raise ValueError(f"cannot serve {fmt!r}: choose beast, avr or sbs")


async def _play(
    writer: asyncio.StreamWriter,
    time_s: np.ndarray,
    encode: Callable[[np.ndarray], bytes],
    speed: float,
    clock: Callable[[], float],
) -> int:
    """Send rows in time order, pacing scenario time / ``speed`` against ``clock``."""
    if len(time_s) == 0:
        return 0
    rel = (time_s - float(time_s[0])) / max(speed, 1e-9)
    wall0 = clock()
    i, sent = 0, 0
    while i < len(time_s):
        j = int(np.searchsorted(rel, rel[i] + SERVE_SLICE_WALL_S, side="right"))
        delay = wall0 + float(rel[i]) - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        writer.write(encode(np.arange(i, j)))
        await writer.drain()
        sent += j - i
        i = j
    return sent


async def serve(
    res: SimResult,
    port: int,
    speed: float = 1.0,
    host: str = "127.0.0.1",
    once: bool = False,
    ready: Callable[[int], None] | None = None,
    fmt: str = "beast",
) -> None:
    """Serve frames on ``host:port`` (Beast, or AVR / SBS); each client gets the whole run.

    Beast and AVR carry 12 MHz counters from the first frame, so a consumer anchors them to
    its receive time; SBS carries absolute UTC dates (use it to replay a scenario's real dates).
    ``once``: stop after the first client has been served (tests, one-shot replays).
    ``ready`` is called with the bound port (useful with ``port=0``).
    """
    done = asyncio.Event()
    ordered = _slice(res, np.argsort(res.frames.time_s, kind="stable"))
    encode = _encoder(ordered, fmt)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _play(writer, ordered.frames.time_s, encode, speed, time.monotonic)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            done.set()

    server = await asyncio.start_server(handle, host, port)
    bound = int(server.sockets[0].getsockname()[1])
    if ready is not None:
        ready(bound)
    async with server:
        if once:
            await done.wait()
        else:
            await server.serve_forever()
