"""Hand-labelling helper for the real-ga recordings (never uses flyvakt's detector).

    python scripts/label_real_ga.py plot SRC ICAO24 [--start HH:MM] [--end HH:MM] --out F.png
    python scripts/label_real_ga.py fixes SRC ICAO24 [--start HH:MM:SS] [--end HH:MM:SS]
    python scripts/label_real_ga.py cut            # (re)write the cut tracks named in cuts.csv

SRC is a file of ``../shared/data/real-ga/`` without ``.csv.gz`` (``kwvi1213``) or a path.
``plot`` draws baro (and GNSS) altitude with the field elevations of the airports within
8 NM, groundspeed, the ground flag and vertical rate against time, and the map track with the
airports; ``fixes`` prints every fix with its distance to the nearest airport. The labeller
reads both and writes ``tests/data/real-ga/labels.csv`` by hand (method in the README there).
Only the raw columns, ``airportsdata`` and a distance from ``flyvakt.geo`` are used: labels stay
independent of ``flyvakt.detect``. ``plot`` needs matplotlib (not a flyvakt dependency).
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "real-ga"
LABELS_DIR = ROOT / "tests" / "data" / "real-ga"
NEAR_NM = 8.0  # airports drawn on a plot: a circuit stays within ~3 NM, an approach ~8 NM


def source_path(src: str) -> Path:
    p = Path(src)
    return p if p.suffix == ".gz" or p.exists() else SHARED / f"{src}.csv.gz"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def when(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def num(v: str) -> float:
    return float(v) if v not in ("", None) else math.nan


def dist_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from flyvakt.geo.distance import haversine_nm

    return float(haversine_nm(lat1, lon1, lat2, lon2))


@functools.cache
def _airports() -> dict[str, Any]:
    import airportsdata

    return dict(airportsdata.load())  # loaded once: ``fixes`` looks up every row


def airports_near(lat: float, lon: float, radius_nm: float) -> list[tuple[str, float, Any]]:
    out = []
    for code, a in _airports().items():
        if abs(a["lat"] - lat) > 1.0 or abs(a["lon"] - lon) > 1.3:
            continue
        d = dist_nm(lat, lon, a["lat"], a["lon"])
        if d <= radius_nm:
            out.append((code, d, a))
    return sorted(out, key=lambda x: x[1])


def select(
    rows: list[dict[str, str]], icao: str, start: str | None, end: str | None
) -> list[dict[str, str]]:
    sel = [r for r in rows if r["icao24"] == icao]
    if start:
        sel = [r for r in sel if r["timestamp"][11:19] >= start.ljust(8, "0")[:8]]
    if end:
        sel = [r for r in sel if r["timestamp"][11:19] <= end.ljust(8, "9")[:8]]
    return sel


def cmd_fixes(args: argparse.Namespace) -> int:
    _, rows = read_rows(source_path(args.src))
    prev: datetime | None = None
    for r in select(rows, args.icao24, args.start, args.end):
        t = when(r["timestamp"])
        gap = f"{(t - prev).total_seconds():6.0f}" if prev else "      "
        prev = t
        lat, lon = num(r["latitude"]), num(r["longitude"])
        near = airports_near(lat, lon, 6.0) if not math.isnan(lat) else []
        where = f"{near[0][0]} {near[0][1]:4.1f}NM" if near else "-"
        geo = r.get("geoaltitude", "")
        print(
            f"{r['timestamp'][11:19]} {gap}s alt={r['altitude']:>6} geo={geo:>6} "
            f"gs={r['groundspeed']:>5} trk={r['track']:>5} vr={r['vertical_rate']:>6} "
            f"gnd={r['onground']:<5} {where}"
        )
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, rows = read_rows(source_path(args.src))
    sel = select(rows, args.icao24, args.start, args.end)
    if not sel:
        print(f"no rows for {args.icao24} in {args.src}", file=sys.stderr)
        return 1
    t = [when(r["timestamp"]) for r in sel]
    alt = [num(r["altitude"]) for r in sel]
    geo = [num(r.get("geoaltitude", "")) for r in sel]
    gs = [num(r["groundspeed"]) for r in sel]
    vr = [num(r["vertical_rate"]) for r in sel]
    flag = [{"true": 1.0, "false": 0.0}.get(r["onground"].lower(), math.nan) for r in sel]
    lat = [num(r["latitude"]) for r in sel]
    lon = [num(r["longitude"]) for r in sel]
    ok = [i for i in range(len(sel)) if not math.isnan(lat[i])]
    clat = sorted(lat[i] for i in ok)[len(ok) // 2] if ok else 0.0
    clon = sorted(lon[i] for i in ok)[len(ok) // 2] if ok else 0.0
    near = airports_near(clat, clon, NEAR_NM)
    fig = plt.figure(figsize=(14, 9))
    grid = fig.add_gridspec(3, 2, width_ratios=[2.2, 1])
    ax1 = fig.add_subplot(grid[0, 0])
    ax1.plot(t, alt, ".-", ms=3, lw=0.6, label="baro alt ft")
    if any(not math.isnan(g) for g in geo):
        ax1.plot(t, geo, ".-", ms=3, lw=0.6, label="GNSS alt ft")
    for code, _, a in near[:4]:
        ax1.axhline(a["elevation"], lw=0.7, ls="--", color="grey")
        ax1.text(t[0], a["elevation"], f"{code} {a['elevation']:.0f} ft", fontsize=7)
    ax1.set_ylabel("altitude ft")
    ax1.legend(fontsize=7)
    ax2 = fig.add_subplot(grid[1, 0], sharex=ax1)
    ax2.plot(t, gs, ".-", ms=3, lw=0.6, color="tab:green")
    ax2.set_ylabel("groundspeed kt")
    ax3 = fig.add_subplot(grid[2, 0], sharex=ax1)
    ax3.plot(t, flag, "o", ms=3, color="tab:red", label="on ground (1)")
    ax3.set_ylim(-0.2, 1.2)
    ax3.set_ylabel("ground flag")
    ax3b = ax3.twinx()
    ax3b.plot(t, vr, ".", ms=3, color="tab:purple")
    ax3b.set_ylabel("vert. rate fpm")
    for i in range(1, len(t)):
        if (t[i] - t[i - 1]).total_seconds() > 60:
            for ax in (ax1, ax2, ax3):
                ax.axvspan(t[i - 1], t[i], color="orange", alpha=0.2)
    axm = fig.add_subplot(grid[:, 1])
    axm.plot([lon[i] for i in ok], [lat[i] for i in ok], ".-", ms=2, lw=0.5)
    if ok:
        axm.plot(lon[ok[0]], lat[ok[0]], "g^", ms=8)
        axm.plot(lon[ok[-1]], lat[ok[-1]], "rs", ms=8)
    for code, _, a in near:
        axm.plot(a["lon"], a["lat"], "k+", ms=10)
        axm.text(a["lon"], a["lat"], code, fontsize=8)
    axm.set_aspect(1 / math.cos(math.radians(clat)))
    axm.set_title("track (start ▲, end ■), airports within 8 NM", fontsize=8)
    fig.suptitle(f"{args.src} {args.icao24} {sel[0]['callsign']}  (gaps > 60 s shaded)")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(args.out)
    return 0


def cmd_cut(_: argparse.Namespace) -> int:
    """Write one gzipped CSV per cuts.csv row: the source's rows of that aircraft in the window."""
    with open(LABELS_DIR / "cuts.csv", encoding="utf-8", newline="") as fh:
        cuts = list(csv.DictReader(fh))
    cache: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    for c in cuts:
        if c["source"] not in cache:
            cache[c["source"]] = read_rows(SHARED / f"{c['source']}.csv.gz")
        header, rows = cache[c["source"]]
        sel = [
            r
            for r in rows
            if r["icao24"] == c["icao24"] and c["start_utc"] <= r["timestamp"] <= c["end_utc"]
        ]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(sel)
        # mtime=0: the same rows give the same bytes, so re-cutting does not churn git
        data = gzip.compress(buf.getvalue().encode("utf-8"), mtime=0)
        (LABELS_DIR / c["file"]).write_bytes(data)
        print(f"{c['file']}: {len(sel)} rows")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("plot", "fixes"):
        p = sub.add_parser(name)
        p.add_argument("src")
        p.add_argument("icao24")
        p.add_argument("--start")
        p.add_argument("--end")
        if name == "plot":
            p.add_argument("--out", required=True)
    sub.add_parser("cut")
    args = ap.parse_args(argv)
    fn = {"plot": cmd_plot, "fixes": cmd_fixes, "cut": cmd_cut}[args.cmd]
    return fn(args)


if __name__ == "__main__":
    sys.exit(main())
