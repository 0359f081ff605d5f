"""State-vector CSV read by Arrow's streaming reader (:meth:`FileReader._sv_csv`): column
types given up front from the first block (:func:`first_block_types`), an unterminated quote or
a short row costing its line (the invalid-row handler, with :class:`~flyvakt.sources.csvquotes.
QuoteGuard`'s markers), and a value Arrow cannot convert costing its line too: the reader is
restarted at the block Arrow dropped, that line marked (:meth:`QuoteGuard.rewind`), up to
:data:`MAX_BAD_VALUES` times a file. Split from reader.py (which keeps the format sniffing and
the other formats) to keep both modules readable.
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from flyvakt.sources._common import SourceFormatError, short_repr
from flyvakt.sources.arrowfile import ArrowFile
from flyvakt.sources.csvquotes import BAD_VALUE, MARKER, QuoteGuard, mark
from flyvakt.sources.reader import READ_CHUNK

if TYPE_CHECKING:
    from flyvakt.sources.reader import FileReader

MARKER_TEXT = MARKER.decode()  # how Arrow's invalid-row handler shows a marked line
BAD_VALUE_TEXT = BAD_VALUE.decode()
# Bad values skipped in one state-vector CSV file before it stops as at any other error: each
# costs a re-read of up to the 32 blocks Arrow had read ahead of the one it failed in.
MAX_BAD_VALUES = 1000


def read_sv_csv(source: FileReader, f: IO[bytes], head: bytes) -> Iterator[Any]:
    """``f``'s rows as Arrow record batches, block by block (``head``: its first
    ``READ_CHUNK`` bytes, not consumed), for ``source`` to convert
    (:meth:`FileReader._arrow`) before it asks for the next; skipped lines counted in
    ``source.stats`` and named, a stop said there."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types, read, header = first_block_types(head)
    types.update({k: pa.string() for k in ("icao24", "icao", "hex")})
    # Callsigns and squawks repeat a few values over many rows: Arrow's converter encodes
    # them as it reads (``statevec.distinct_of_arrow`` takes its codes as they are), not as
    # texts that NumPy then sorts to find the distinct ones (reading 200 k corpus rows: -3.8 %
    # of the instructions, with the all-empty case in statevec._short_texts).
    types.update({k: pa.dictionary(pa.int32(), pa.string()) for k in ("squawk", "callsign")})
    # A line leaving a quote open would swallow the rows after it. The first guard gives the
    # blocks unmarked (a clean block then costs a newline count, not the marking's ~12 M
    # instructions a MiB): each batch is checked against its block, and at the first that
    # differs (or any error) the file is read again from that block through a marking guard,
    # as if it had marked from the start; a restart after a bad value reads from a new guard.
    guards = [QuoteGuard(f, fast=True)]
    # Arrow's rows of the file = the current reader's + offset (a restarted reader counts
    # from its header); rows up to seen were handled (a restart parses them again).
    at = {"offset": 0, "seen": 0}

    def bad_row(row: Any) -> str:
        number = row.number + at["offset"]
        if number <= at["seen"] or row.text == BAD_VALUE_TEXT:
            return "skip"  # counted before the restart, or by it
        at["seen"] = number
        source.stats.skip("sv_bad_row")
        if row.text == MARKER_TEXT and guards[0].bad:
            line, text = guards[0].bad.popleft()
            what = text.decode("utf-8", "replace")
            source.stats.note_bad(
                f"{source.name}: line {line}: unterminated quote: {short_repr(what)}"
            )
            return "skip"
        # Arrow numbers only non-empty lines: the guard knows the file's line of its row.
        where = guards[0].rewind(row.number, restart=False) if row.number > 0 else None
        line = number if where is None else where.line
        source.stats.note_bad(
            f"{source.name}: line {line}: expected {row.expected_columns} columns, "
            f"got {row.actual_columns}: {short_repr(row.text)}"
        )
        return "skip"

    convert = pacsv.ConvertOptions(column_types=types, include_columns=read)
    bad_values, block = 0, READ_CHUNK
    first = True  # the reader that starts the file: its errors at opening are the file's
    while True:
        reader = None
        released = threading.Event()  # Arrow dropped this reader's file (ArrowFile)
        # Fast: each batch is checked against its block (QuoteGuard.check), and yielded once
        # the next one checked too (held): at the first that does not, the file is read again
        # from the held batch's block, and the new reader then parses the block that did not
        # (its invalid rows noted) before it gives that batch, as the marking reader would.
        fast, batches, held = guards[0].fast, 0, None
        try:
            # One thread: Arrow's reader threads must not outlive an error (a native abort,
            # "terminate called without an active exception", was seen at interpreter
            # exit). Opening converts the first block: a restart can fail here too.
            reader = pacsv.open_csv(
                ArrowFile(guards[0], released),  # held by Arrow alone: see arrowfile.py
                read_options=pacsv.ReadOptions(block_size=block, use_threads=False),
                parse_options=pacsv.ParseOptions(invalid_row_handler=_skip if fast else bad_row),
                convert_options=convert,
            )
            while True:
                try:
                    rb = reader.read_next_batch()
                except StopIteration:
                    if not fast or batches >= guards[0].given():
                        if held is not None:
                            yield held
                        return
                    rb = None  # blocks without a batch: read them again, marked (below)
                if not fast:
                    yield rb
                    continue
                if rb is None or not guards[0].check(batches, rb.num_rows):
                    if _fallback(guards, max(batches - 1, 0), at):
                        first, block = False, READ_CHUNK + len(guards[0].header)
                        convert = _pinned(reader, read, convert)
                    break
                if held is not None:
                    yield held
                held, batches = rb, batches + 1
        except pa.ArrowInvalid as e:
            if fast:  # the marking reader meets it again, where it met it
                if _fallback(guards, max(batches - 1, 0), at):
                    first, block = False, READ_CHUNK + len(guards[0].header)
                    convert = _pinned(reader, read, convert)
                continue
            # A value that is not a number in a numeric column (or not a time in a time
            # column typed so by the first block): skip its line and read again from the
            # start of the block Arrow dropped, with the same column types.
            message = str(e).splitlines()[0]
            m = re.match(r"In CSV column #(\d+): Row #(\d+): .*?: (.*)", message)
            last = bad_values == MAX_BAD_VALUES
            where = guards[0].rewind(int(m.group(2)), not last) if m else None
            if m is None or where is None:  # not a value's error, or its block is gone
                if reader is None and first:
                    raise SourceFormatError(f"{source.name}: {message}") from None
                _stop_at_value(source, message, header, at["offset"])
                return
            guards[0], rows_before, line = where
            col = int(m.group(1))
            name = header[col] if col < len(header) else f"#{col + 1}"
            what = f"line {line}: column {name}: {m.group(3)}"
            if last:
                source.stats.stopped = (
                    f"{source.name}: {what}, after {MAX_BAD_VALUES:,} bad values skipped; "
                    f"replayed {source.stats.records:,} records before it"
                )
                return
            bad_values, first, block = bad_values + 1, False, READ_CHUNK
            source.stats.skip("sv_bad_row")
            source.stats.note_bad(f"{source.name}: {what}")
            at["seen"] = max(at["seen"], at["offset"] + int(m.group(2)))
            at["offset"] += rows_before - 1  # the new reader's row 2 is the block's first
            if reader is not None:  # else the types given to the reader that failed
                convert = pacsv.ConvertOptions(
                    column_types={fd.name: fd.type for fd in reader.schema},
                    include_columns=read,
                )
        finally:
            if reader is not None:
                reader.close()
            reader = None  # the last reference of ours: Arrow's IO thread then drops the file
            ArrowFile.wait_released(released)


def _skip(row: Any) -> str:
    """A fast reader's invalid row: its batch does not check, so it is read again, marked."""
    return "skip"


def _fallback(guards: list[QuoteGuard], k: int, at: dict[str, int]) -> int:
    """Read again from the fast guard's block ``k`` through a marking guard (the rows before
    that block all kept, none invalid); Arrow's rows before it (0: the new reader starts the
    file again, with the column types it started with)."""
    guards[0], rows_before, _ = guards[0].fallback(k)
    if rows_before:
        at["offset"] += rows_before - 1  # the new reader's row 2 is the block's first
    return rows_before


def _pinned(reader: Any, read: list[str], convert: Any) -> Any:
    """The column types ``reader`` converted with (those it inferred too), for a reader that
    goes on from it; ``convert`` when it never opened."""
    import pyarrow.csv as pacsv

    if reader is None:
        return convert
    types = {fd.name: fd.type for fd in reader.schema}
    return pacsv.ConvertOptions(column_types=types, include_columns=read)


def _stop_at_value(source: FileReader, message: str, header: list[str], offset: int) -> None:
    """Stop at a value that cannot be read, keep what was read, and say where."""
    m = re.match(r"(In CSV column #\d+: Row #)(\d+)(.*)", message)
    if m is not None and offset:
        message = f"{m.group(1)}{int(m.group(2)) + offset}{m.group(3)}"
    source.stats.stopped = (
        f"{source.name}: {_conversion_error(message, header)}; replayed "
        f"{source.stats.records:,} records before it"
    )


def first_block_types(head: bytes) -> tuple[dict[str, Any], list[str], list[str]]:
    """The column types for Arrow's streaming CSV reader, given up front from its first block
    (``head``, the same bytes): a block then converts without inferring (Arrow's CSV parsing
    0.47-0.55 -> 0.32 CPU s on a 1.07 M-row file); and the columns to read (those
    ``statevec.columns_to_obs`` reads; empty: all); and the header's names.

    A numeric column ``columns_to_obs`` reads (``statevec.NUMERIC_COLUMNS``), or a time column
    of numbers, is float64 whatever the first block held: Arrow keeps the first block's types
    for the whole file, and integer altitudes there then stopped the replay at the first
    decimal one ("conversion error to int64"). ISO times in whole seconds there are read to
    the nanosecond (Arrow infers seconds, and a later fraction stopped the replay). Other
    columns are not read, so none of them can stop it. A column with no value in the first
    block is read as text (Arrow types it ``null``, and its first value later stopped the
    replay, "conversion error to null"); as text, every value is converted once per distinct
    value (``statevec.to_f64``). Text stays text. With repeated column names every column is
    read, as text (Arrow reads a repeated name once when asked for it by name, and the same
    name could hold numbers in one column and words in another)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from flyvakt.sources.statevec import NUMERIC_COLUMNS, READ_COLUMNS, TIME_COLUMNS

    whole = mark(head[: head.rfind(b"\n") + 1])[0]
    try:
        table = pacsv.read_csv(
            io.BytesIO(whole),
            read_options=pacsv.ReadOptions(block_size=READ_CHUNK, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
        )
    except (pa.ArrowInvalid, ValueError):  # the real reader says what is wrong, and where
        return {}, [], []
    schema = table.schema
    if len(set(schema.names)) < len(schema.names):
        return {name: pa.string() for name in schema.names}, [], schema.names
    types: dict[str, Any] = {}
    for field in schema:
        key = field.name.strip().lower()
        numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
        if pa.types.is_string(field.type) and (key in NUMERIC_COLUMNS or key in TIME_COLUMNS):
            numeric = _numbers_but_a_few(table.column(field.name).to_pylist())
        if pa.types.is_null(field.type):
            types[field.name] = pa.string()
        elif numeric and (key in NUMERIC_COLUMNS or key in TIME_COLUMNS):
            types[field.name] = pa.float64()
        elif pa.types.is_timestamp(field.type) and key in TIME_COLUMNS:
            types[field.name] = pa.timestamp("ns", field.type.tz)  # whole seconds may gain some
        elif key in READ_COLUMNS:
            types[field.name] = field.type
    read = [n for n in schema.names if n.strip().lower() in READ_COLUMNS]
    return types, read, schema.names


def _numbers_but_a_few(values: list[str | None]) -> bool:
    """Whether a text column of the first block is numbers with a few values that are not
    (``'9k'`` in an altitude column): read as numbers, each of those then costs its line, named
    (read as text, they were NaN and said nothing). Not when many values are not numbers (a
    column of words stays words, its rows kept), nor when one is "ground" (readsb's altitude on
    the surface, which ``statevec.to_f64`` reads as no altitude)."""
    numbers = words = 0
    for v, n in Counter(values).items():
        if v is None or not v.strip():
            continue
        if v.strip().lower() == "ground":
            return False
        try:
            float(v)
        except ValueError:
            words += n
        else:
            numbers += n
    # Up to 5 % of a block's values not numbers is damage (three bad lines in a 150-row cut,
    # each then named and skipped, as such a value in any later block is); more is a column
    # that is not numbers, or a missing-value word, whose rows are kept as text.
    return numbers > 0 and words * 20 <= numbers


def _conversion_error(message: str, header: list[str]) -> str:
    """Arrow's conversion error ("In CSV column #4: Row #40002: CSV conversion error to
    double: invalid value 'x'") with the line and the column's name (``header``: all the
    file's, as Arrow counts them); its row counts the header line, so it is the file's line
    number when no value spans lines."""
    first = message.splitlines()[0]
    m = re.match(r"In CSV column #(\d+): Row #(\d+): (.*)", first)
    if m is None:
        return first
    col = int(m.group(1))
    name = header[col] if col < len(header) else f"#{col + 1}"
    return f"line {m.group(2)}: column {name}: {m.group(3)}"
