"""Embedded store: SQLite in WAL mode, one writer, readers from any process.

Public API: :class:`StoreWriter` (thread, bounded queue, one transaction per batch; the same
in a child process: :class:`flyvakt.store.writerproc.StoreWriterProcess`),
:class:`StoreReader` (``mode=ro``), :func:`thin` (pure track thinning) and the record types.
Exports (GeoJSON, KML, CSV, Parquet) live in :mod:`flyvakt.store.export`.
"""

from flyvakt.store.reader import StoreReader, parse_icao24
from flyvakt.store.records import (
    AircraftRecord,
    CommBColumns,
    CommBRecord,
    CoverageReport,
    Fix,
    FleetRecord,
    FlightRecord,
    Gap,
    MetaRecord,
    ReceiverFrames,
    VerdictRecord,
)
from flyvakt.store.schema import SCHEMA_VERSION, SchemaTooNewError
from flyvakt.store.sql import StoreError
from flyvakt.store.thin import ThinParams, ThinState, flush, thin
from flyvakt.store.writer import RetentionSettings, StoreWriter

__all__ = [
    "SCHEMA_VERSION",
    "AircraftRecord",
    "CommBColumns",
    "CommBRecord",
    "CoverageReport",
    "Fix",
    "FleetRecord",
    "FlightRecord",
    "Gap",
    "MetaRecord",
    "ReceiverFrames",
    "RetentionSettings",
    "SchemaTooNewError",
    "StoreError",
    "StoreReader",
    "StoreWriter",
    "ThinParams",
    "ThinState",
    "VerdictRecord",
    "flush",
    "parse_icao24",
    "thin",
]
