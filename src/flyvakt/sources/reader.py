"""Source URLs, format detection and streaming file reading.

URLs understood by :func:`open_source`::

    beast+tcp://host:30005   avr+tcp://host:30002   sbs+tcp://host:30003   (live, see tcp.py)
    file:rec.bin   rec.bin   rec.avr.gz   flight.jsonl.gz   vectors.parquet   trace_full.json

Format: ``fmt`` argument, else the URL scheme, else the file extension (after ``.gz``), else
the first bytes (sniff.py). Extensions .csv/.jsonl/.json still have their frames-or-state-vectors
flavour decided by content.

Gzip is recognised by its magic bytes, whatever the name. Files are read in chunks: only JSON
documents (a list of records, pandas columns, a trace) are loaded whole.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from flyvakt.model.batches import FrameBatch, ObservationBatch
from flyvakt.sources._common import (
    Batch,
    Parser,
    SourceFormatError,
    SourceStats,
)
from flyvakt.sources.arrownp import arrow_numpy
from flyvakt.sources.beast import BeastParser
from flyvakt.sources.sniff import SNIFF_BYTES, is_column_dict, sniff
from flyvakt.sources.stdin import STDIN, open_stdin

# The other formats' parsers (text frames, SBS, state vectors, OpenSky) are imported where their
# format is read: a Beast replay loads none of them (start-up, issue 12).

FORMATS = (
    "beast",
    "avr",
    "sbs",
    "jsonl",
    "csv",
    "json",
    "parquet",
    "sv-csv",
    "sv-jsonl",
    "opensky",
)
# Internal kinds: the user-facing format plus the frames/state-vector flavour ("opensky" is a
# series of OpenSky REST responses, one per line; a single response is read as "json").
KINDS = ("beast", "avr", "sbs", "jsonl", "csv", "sv-jsonl", "sv-csv", "json", "parquet", "opensky")
TCP_PORTS = {"beast": 30005, "avr": 30002, "sbs": 30003}
_EXT = {
    ".bin": "beast",
    ".beast": "beast",
    ".avr": "avr",
    ".raw": "avr",
    ".sbs": "sbs",
    ".basestation": "sbs",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
READ_CHUNK = 1 << 20  # 1 MiB per read: ~50 k Beast frames or ~10 k JSONL lines
# What a damaged gzip stream raises from read(): cut short, bad CRC, corrupt deflate data.
GZIP_DAMAGE = (EOFError, gzip.BadGzipFile, zlib.error)


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source URL."""

    url: str
    fmt: str | None  # one of FORMATS, or None when only content can tell
    path: str | None = None  # files
    host: str | None = None  # tcp
    port: int | None = None

    @property
    def is_tcp(self) -> bool:
        return self.host is not None


def open_source(url: str, fmt: str | None = None) -> SourceSpec:
    """Parse a source URL; ``fmt`` overrides scheme and extension."""
    if fmt is not None and fmt not in FORMATS:
        raise SourceFormatError(f"{url}: unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if "://" in url:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme.endswith("+tcp") or scheme == "tcp":
            proto = scheme[: -len("+tcp")] if scheme.endswith("+tcp") else (fmt or "beast")
            proto = fmt or proto
            if proto not in TCP_PORTS:
                raise SourceFormatError(f"{url}: live feeds are beast, avr or sbs, not {proto!r}")
            if not parts.hostname:
                raise SourceFormatError(f"{url}: no host in URL")
            port = parts.port or TCP_PORTS[proto]
            return SourceSpec(url=url, fmt=proto, host=parts.hostname, port=port)
        if scheme == "file":
            path = parts.path if not parts.netloc else parts.netloc + parts.path
            return SourceSpec(url=url, fmt=fmt or _fmt_from_ext(path), path=path)
        raise SourceFormatError(f"{url}: unknown URL scheme {scheme!r}")
    path = url[5:] if url.startswith("file:") else url
    return SourceSpec(url=url, fmt=fmt or _fmt_from_ext(path), path=path)


def _fmt_from_ext(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _EXT.get(os.path.splitext(name)[1])


class _UpToDamage(io.RawIOBase):
    """A gzip file that ends, instead of raising, where its stream is damaged.

    Every reader (ours, Arrow's CSV reader) then sees a clean end of file after the last good
    byte; ``damage`` and ``damage_at`` (compressed byte offset) say what happened, and where.
    """

    def __init__(self, gz: gzip.GzipFile) -> None:
        self.gz = gz
        self.damage: BaseException | None = None
        self.damage_at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # read1 pieces: GzipFile.read(n) loses what it decompressed when the stream breaks.
        parts: list[bytes] = []
        got = 0
        while self.damage is None and (size < 0 or got < size):
            try:
                part = self.gz.read1(-1 if size < 0 else size - got)
            except GZIP_DAMAGE as e:
                self.damage = e
                raw: Any = self.gz.fileobj
                try:
                    self.damage_at = int(raw.tell()) if raw is not None else 0
                except (OSError, ValueError):
                    self.damage_at = 0
                break
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def peek(self, n: int) -> bytes:
        return self.gz.peek(n)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.gz.seek(pos, whence)

    def tell(self) -> int:
        return self.gz.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self.gz.close()
        super().close()


def _open_binary(path: str) -> IO[bytes]:
    if path == STDIN:  # `-`: standard input, rewindable over its first bytes for sniffing
        stream = open_stdin()
        magic = stream.read(2)
        stream.seek(0)
        if magic == b"\x1f\x8b":
            gz = gzip.GzipFile(fileobj=stream, mode="rb")
            return _UpToDamage(gz)  # type: ignore[return-value]
        return stream  # type: ignore[return-value]
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return _UpToDamage(gzip.GzipFile(path, "rb"))  # type: ignore[return-value]
    return open(path, "rb")


class FileReader:
    """Iterate a file as batches; ``stats`` fills as it goes; ``kind`` is the detected kind."""

    def __init__(
        self,
        url: str,
        fmt: str | None = None,
        batch_size: int = 65536,
        start_time_s: float | None = None,
        *,
        receiver: int = 0,
    ) -> None:
        self.spec = open_source(url, fmt)
        if self.spec.is_tcp or self.spec.path is None:
            raise SourceFormatError(f"{url}: a live feed, use sources.tcp.stream_tcp")
        self.path: str = self.spec.path
        self.name = "stdin" if self.path == STDIN else os.path.basename(self.path) or self.path
        self.batch_size = max(1, int(batch_size))
        self.start_time_s = start_time_s
        self.receiver = receiver
        self.stats = SourceStats()
        self.kind: str | None = None
        self._open: IO[bytes] | None = None  # the file being read (for bytes_done)

    def bytes_total(self) -> int | None:
        """The file's size on disk (compressed, for .gz); None for standard input."""
        if self.path == STDIN:
            return None
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None

    def bytes_done(self) -> int:
        """How far into the file (on-disk bytes) reading has got: progress against bytes_total."""
        f = self._open
        if f is None or getattr(f, "closed", False):
            return (self.bytes_total() or 0) if self.kind is not None else 0
        raw: Any = f.gz.fileobj if isinstance(f, _UpToDamage) else f
        try:
            return int(raw.tell())
        except (AttributeError, OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[Batch]:
        # A state-vector CSV's batches are made to size from arrays of their own (_Fill).
        return _rebatch(self._batches(), self.batch_size, lambda: self.kind == "sv-csv")

    def _batches(self) -> Iterator[Batch]:
        if self.path != STDIN and not os.path.exists(self.path):
            raise SourceFormatError(f"{self.path}: no such file")
        with _open_binary(self.path) as f:
            self._open = f
            yield from self._read(f)
            if isinstance(f, _UpToDamage) and f.damage is not None:
                self._stopped(f)
        sv = self.kind in ("json", "sv-csv", "sv-jsonl", "parquet", "opensky")
        if sv and self.stats.records == 0 and self.stats.skipped:
            reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.stats.skipped.items()))
            raise SourceFormatError(
                f"{self.name}: line 2: no state-vector row with a valid time and icao24 ({reasons})"
            )

    def _read(self, f: IO[bytes]) -> Iterator[Batch]:
        if self.spec.fmt == "parquet" or (self.spec.fmt is None and _peek(f, 4) == b"PAR1"):
            self.kind = "parquet"
        else:
            self.kind = sniff(_peek(f, SNIFF_BYTES), self.name, self.spec.fmt)
        if self.kind == "parquet":
            # Parquet needs random access: from standard input it is read whole first.
            yield from self._parquet(io.BytesIO(f.read()) if self.path == STDIN else None)
        elif self.kind == "json":
            yield self._json(f)
        elif self.kind == "sv-csv":
            yield from self._sv_csv(f)
        else:
            yield from self._stream(f, self._parser(self.kind))

    def _parser(self, kind: str) -> Parser:
        kw: dict[str, Any] = {"receiver": self.receiver, "name": self.name, "strict": True}
        base = self.start_time_s
        if kind == "beast":
            return BeastParser(base if base is not None else 0.0, **kw)
        if kind in ("avr", "sbs"):
            from flyvakt.sources.lines import AvrParser, SbsParser

            return (AvrParser if kind == "avr" else SbsParser)(base, **kw)
        if kind in ("jsonl", "csv"):
            from flyvakt.sources.hexframes import CsvFrameParser, JsonlFrameParser

            return (JsonlFrameParser if kind == "jsonl" else CsvFrameParser)(base, **kw)
        if kind == "sv-jsonl":
            from flyvakt.sources.svlines import JsonlRecordParser

            return JsonlRecordParser(base, **kw)
        if kind == "opensky":
            from flyvakt.sources.opensky import OpenSkyLinesParser

            return OpenSkyLinesParser(base, **kw)
        raise SourceFormatError(f"{self.name}: no parser for {kind!r}")

    def _stream(self, f: IO[bytes], parser: Parser) -> Iterator[Batch]:
        parser.stats = self.stats  # live view: the caller sees counts as they grow
        while True:
            chunk = f.read(READ_CHUNK)
            if not chunk:
                break
            batch = parser.feed(chunk)
            if len(batch):
                yield batch
        batch = parser.finish()
        if len(batch):
            yield batch

    def _stopped(self, f: _UpToDamage) -> None:
        """Say where a damaged compressed file ended and what was replayed before it."""
        e = f.damage
        assert e is not None
        at = f.damage_at
        size = os.path.getsize(self.path)
        if isinstance(e, EOFError):
            why = "the file is cut short"
        elif isinstance(e, gzip.BadGzipFile):
            why = f"{e}; the data just before it may be damaged too"
        else:
            why = f"corrupt compressed data: {e}"
        self.stats.stopped = (
            f"{self.name}: gzip stream ends at byte {at:,} of {size:,} ({why}); "
            f"replayed {self.stats.records:,} records before it"
        )

    def _json(self, f: IO[bytes]) -> ObservationBatch:
        from flyvakt.sources.opensky import decode_document, is_states_response
        from flyvakt.sources.statevec import (
            column_dict_to_obs,
            is_trace,
            records_to_obs,
            trace_to_obs,
        )

        raw = f.read()
        if isinstance(f, _UpToDamage) and f.damage is not None:
            self._stopped(f)
            raise SourceFormatError(f"{self.stats.stopped}; a JSON document cannot be read in part")
        self.stats.bytes += len(raw)
        try:
            obj = json.loads(raw.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as e:
            line = getattr(e, "lineno", None)
            where = f"line {line}" if line else "byte 0"
            raise SourceFormatError(f"{self.name}: {where}: not valid JSON: {e}") from None
        if is_states_response(obj):
            out = decode_document(obj, self.stats, receiver=self.receiver, name=self.name)
        elif isinstance(obj, list):
            out = records_to_obs(obj, self.stats, receiver=self.receiver)
        elif is_trace(obj):
            out = trace_to_obs(obj, self.stats, receiver=self.receiver)
        elif isinstance(obj, dict) and is_column_dict(obj):
            out = column_dict_to_obs(obj, self.stats, receiver=self.receiver)
        elif isinstance(obj, dict) and isinstance(obj.get("aircraft"), list):
            out = _aircraft_json(obj, self)
        else:
            raise SourceFormatError(
                f"{self.name}: byte 0: JSON is not state vectors (a list of records, "
                "pandas columns, a readsb trace, aircraft.json or an OpenSky states response)"
            )
        self.stats.records += len(out)
        return out

    def _sv_csv(self, f: IO[bytes]) -> Iterator[ObservationBatch]:
        from flyvakt.sources.svcsv import read_sv_csv

        fill = _Fill(self)
        for rb in read_sv_csv(self, f, _peek(f, READ_CHUNK)):
            yield from fill.add(rb)
        yield from fill.rest()

    def _parquet(self, data: IO[bytes] | None = None) -> Iterator[ObservationBatch]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path if data is None else data)
        except (pa.ArrowInvalid, OSError) as e:
            raise SourceFormatError(f"{self.name}: byte 0: not a Parquet file: {e}") from None
        for group in range(pf.num_row_groups):
            try:
                table = pf.read_row_group(group)
            except (pa.ArrowException, OSError) as e:
                self.stats.stopped = (
                    f"{self.name}: row group {group + 1} of {pf.num_row_groups} is unreadable "
                    f"({str(e).splitlines()[0]}); replayed {self.stats.records:,} records "
                    "before it"
                )
                return
            for rb in table.to_batches(max_chunksize=self.batch_size):
                yield self._arrow(rb)

    def _arrow(
        self, rb: Any, into: ObservationBatch | None = None, *, count: bool = True
    ) -> ObservationBatch:
        """An Arrow record batch's rows as observations (``into``: see ``columns_to_obs``);
        ``count``: its bytes and lines into ``stats`` (a slice's are the record batch's)."""
        import pyarrow as pa

        from flyvakt.sources.statevec import (
            ADDRESS_COLUMNS,
            ArrowText,
            columns_to_obs,
            distinct_of_arrow,
        )

        cols: dict[str, Any] = {}
        for name, col in zip(rb.schema.names, rb.columns, strict=True):
            t = col.type
            # Numbers without nulls as views of Arrow's buffers (``copy=False``): columns_to_obs
            # only reads them, converting or copying each into its batch once (reading 200 k
            # corpus rows: three copies of every float column were one).
            if pa.types.is_timestamp(t) and not col.null_count:
                ns = col.cast(pa.timestamp("ns")).cast(pa.int64())
                cols[name] = arrow_numpy(ns, copy=False).astype("datetime64[ns]")
            elif (pa.types.is_floating(t) or pa.types.is_integer(t)) and not col.null_count:
                cols[name] = arrow_numpy(col, copy=False)
            elif pa.types.is_floating(t):
                cols[name] = arrow_numpy(col)  # nulls become NaN
            elif pa.types.is_nested(t):  # lists (receivers), structs: not state-vector fields
                cols[name] = col.to_pylist()
            elif pa.types.is_string(t) and name.strip().lower() in ADDRESS_COLUMNS:
                cols[name] = ArrowText(col)  # converted row by row (statevec.icao_column)
            else:  # text, booleans, integers with gaps: converted once per distinct value
                cols[name] = distinct_of_arrow(col)
        if count:
            self.stats.bytes += rb.nbytes
            self.stats.lines += rb.num_rows
        out = columns_to_obs(cols, rb.num_rows, self.stats, receiver=self.receiver, into=into)
        self.stats.records += len(out)
        return out


# Batches of a state-vector CSV filled one after the other into one allocation of columns
# (``_Fill``'s arena). Why: the reorder window releases the last 5 s of one batch together
# with the head of the next (runtime/reorder.py), and two batches side by side in one arena
# are released as one view of it, where batches of their own were concatenated, a copy of
# every row of an ordered file (~93 M instructions on the 1.07 M-row corpus); only a release
# across two arenas still copies. 4 (~34 MB of columns at 65,536-row batches): an arena is
# freed when the replay is done with its last batch, so a larger one holds more of the file
# for longer (sorting holds it all while reading anyway: runtime/filesort.py).
ARENA_BATCHES = 4


class _Fill:
    """A state-vector CSV's Arrow record batches (~10 k rows: one 1 MiB block each) converted
    straight into observation batches of ``batch_size`` rows, which are consecutive rows of
    an arena of ``ARENA_BATCHES`` batches (views of it: the reorder window hands a release
    across two of them on as a view, not a copy): each piece into the rows it fills, a record
    batch cut (an Arrow slice, no copy) where a batch ends. ``_rebatch`` had concatenated the
    pieces: a copy of every row (~180 instructions a row on the benchmark corpus, 128 bytes of
    columns, a callsign reference). The rows, their order and the batches' sizes are
    ``_rebatch``'s."""

    def __init__(self, reader: FileReader) -> None:
        self.reader = reader
        self.size = reader.batch_size
        self.arena: ObservationBatch | None = None
        self.start = 0  # the open batch's first row in the arena
        self.at = 0  # its rows filled so far

    def add(self, rb: Any) -> Iterator[ObservationBatch]:
        r = self.reader
        r.stats.bytes += rb.nbytes
        r.stats.lines += rb.num_rows
        done, n = 0, rb.num_rows
        while done < n:
            if self.arena is None or self.start == len(self.arena):
                self.arena = ObservationBatch.blank(self.size * ARENA_BATCHES)  # all written
                self.start = 0
            take = min(self.size - self.at, n - done)
            part = rb if take == n else rb.slice(done, take)
            done += take
            at = self.start + self.at
            view = self.arena.rows(at, at + take)
            obs = r._arrow(part, view, count=False)
            if obs is not view:  # rows dropped: the kept ones in place (the next piece or
                _put(self.arena, obs, at)  # the end's cut overwrites the rest of the view)
            self.at += len(obs)
            if self.at == self.size:
                yield self.arena.rows(self.start, self.start + self.size)
                self.start, self.at = self.start + self.size, 0

    def rest(self) -> Iterator[ObservationBatch]:
        if self.arena is not None and self.at:
            yield self.arena.rows(self.start, self.start + self.at)
        self.arena = None


def _put(big: ObservationBatch, part: ObservationBatch, at: int) -> None:
    """``part``'s rows into ``big`` from row ``at``."""
    for name in ObservationBatch._defaults:
        getattr(big, name)[at : at + len(part)] = getattr(part, name)


def _aircraft_json(obj: dict[str, Any], reader: FileReader) -> ObservationBatch:
    """dump1090/readsb ``aircraft.json`` snapshot: time = now - seen_pos (or - seen)."""
    from flyvakt.sources.statevec import columns_to_obs

    now = float(obj.get("now") or 0.0)
    rows = [a for a in obj["aircraft"] if isinstance(a, dict)]
    cols: dict[str, list[Any]] = {k: [] for k in ("timestamp", "icao24", "onground")}
    keys = ("lat", "lon", "alt_baro", "alt_geom", "gs", "track", "baro_rate", "flight", "squawk")
    for k in keys:
        cols[k] = []
    for a in rows:
        seen = a.get("seen_pos", a.get("seen", 0.0))
        cols["timestamp"].append(now - float(seen or 0.0))
        cols["icao24"].append(a.get("hex"))
        alt = a.get("alt_baro")
        cols["onground"].append(True if alt == "ground" else (False if alt is not None else None))
        for k in keys:
            v = a.get(k)
            cols[k].append(None if v == "ground" else v)
    return columns_to_obs(cols, len(rows), reader.stats, receiver=reader.receiver)


def _peek(f: IO[bytes], n: int) -> bytes:
    if isinstance(f, _UpToDamage):
        data = f.peek(n)[:n]
        if len(data) < n:  # GzipFile.peek returns at most one buffer: read and rewind
            pos = f.tell()
            data = f.read(n)  # a damaged stream gives what was readable (the reader says where)
            f.seek(pos)
            f.damage = None
        return data
    pos = f.tell()
    data = f.read(n)
    f.seek(pos)
    return data


def _rebatch(
    it: Iterator[Batch], size: int, own: Callable[[], bool] = lambda: False
) -> Iterator[Batch]:
    """Regroup batches into ones of ``size`` rows (the last may be shorter); ``own``: whether
    the batches come with arrays of their own (then handed on as they are when of size)."""
    pending: list[Batch] = []
    count = 0
    for b in it:
        pending.append(b)
        count += len(b)
        while count >= size:
            # A new concatenation, or arrays of its own: views of it are safe to hand on.
            fresh = len(pending) > 1 or own()
            whole = _concat(pending)
            # Views of a fresh concatenation (no copy: the head and the rest do not overlap);
            # a parser's own arrays are copied, as they may be read-only or reused.
            cut = whole.rows if fresh else _copy_rows(whole)
            yield cut(0, size)
            rest = cut(size, len(whole))
            pending = [rest] if len(rest) else []
            count = len(rest)
    if count:
        yield _concat(pending)


def _concat(parts: list[Batch]) -> Batch:
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], FrameBatch):
        return FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    return ObservationBatch.concat([p for p in parts if isinstance(p, ObservationBatch)])


def _copy_rows(batch: Batch) -> Any:
    import numpy as np

    return lambda start, stop: batch.take(np.arange(start, stop))


def iter_batches(
    url: str,
    fmt: str | None = None,
    batch_size: int = 65536,
    start_time_s: float | None = None,
    *,
    stats: SourceStats | None = None,
    receiver: int = 0,
) -> Iterator[Batch]:
    """Stream a file as FrameBatch (raw frames) or ObservationBatch (decoded) batches.

    ``stats``, when given, is filled with what was read and skipped (merged at the end).
    """
    reader = FileReader(url, fmt, batch_size, start_time_s, receiver=receiver)
    try:
        yield from reader
    finally:
        if stats is not None:
            stats.merge(reader.stats)


__all__ = ["FileReader", "SourceSpec", "io", "iter_batches", "open_source", "sniff"]
