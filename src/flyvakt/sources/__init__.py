"""Every input users have, as batches: Beast, AVR, SBS, jet1090 JSONL, CSV frames, state vectors.

Public API::

    open_source(url, fmt=None) -> SourceSpec
    iter_batches(url, fmt=None, batch_size=65536, start_time_s=None, *, stats=None)
        -> Iterator[FrameBatch | ObservationBatch]
    FileReader(url, ...)               # iterable with .stats and .kind
    stream_tcp(url, on_batch, clock, *, stop_event, ...)   # live feeds (asyncio)
    BeastParser / AvrParser / SbsParser / JsonlFrameParser / CsvFrameParser  # incremental
    encode_beast, write_beast, format_avr, write_jsonl
"""

from typing import TYPE_CHECKING, Any

from flyvakt.sources._common import Batch, SourceFormatError, SourceStats
from flyvakt.sources.beast import BeastParser, encode_beast
from flyvakt.sources.reader import FileReader, SourceSpec, iter_batches, open_source, sniff
from flyvakt.sources.writers import format_avr, write_beast, write_jsonl

__all__ = [
    "AvrParser",
    "Batch",
    "BeastParser",
    "CsvFrameParser",
    "FileReader",
    "JsonlFrameParser",
    "JsonlRecordParser",
    "SbsParser",
    "SourceFormatError",
    "SourceSpec",
    "SourceStats",
    "TcpState",
    "encode_beast",
    "format_avr",
    "iter_batches",
    "open_source",
    "sniff",
    "stream_tcp",
    "write_beast",
    "write_jsonl",
]

if TYPE_CHECKING:
    from flyvakt.sources.hexframes import CsvFrameParser, JsonlFrameParser
    from flyvakt.sources.lines import AvrParser, SbsParser
    from flyvakt.sources.svlines import JsonlRecordParser
    from flyvakt.sources.tcp import TcpState, stream_tcp

# Imported only by those who use them: the live-feed reader (and asyncio with it), and the
# text and state-vector parsers (a Beast replay needs none of them).
_LAZY = {
    "TcpState": "tcp",
    "stream_tcp": "tcp",
    "CsvFrameParser": "hexframes",
    "JsonlFrameParser": "hexframes",
    "AvrParser": "lines",
    "SbsParser": "lines",
    "JsonlRecordParser": "svlines",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"flyvakt.sources.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
