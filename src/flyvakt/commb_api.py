"""``flyvakt.comm_b(paths)``: the Comm-B registers BDS 4,0 / 5,0 / 6,0 in recordings, as a table.

Mode S ground stations ask aircraft for their selected altitude (BDS 4,0), track and turn
(5,0) and heading and speed (6,0); the replies (DF20/21) are in any Beast/AVR/JSONL recording.
One row per reply whose register is known (exactly one of the three fits its layout, see
:mod:`flyvakt.decode.commb`); replies that fit several are counted in ``ambiguous`` and left
out. A Comm-B reply's address is recovered from its parity, not checked: by default only
addresses confirmed by a CRC-checked message (DF11/17/18) in the same input are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from flyvakt.decode.commb import COMMB_COLUMNS, CommB

__all__ = ["COMM_B_COLUMNS", "CommBReadings", "comm_b"]

#: Columns of :meth:`CommBReadings.to_arrow` / ``to_pandas`` (NaN/null where the register or
#: the field has no value).
COMM_B_COLUMNS: tuple[str, ...] = ("time", "icao24", "df", "bds", "altitude_baro_ft",
                                   *COMMB_COLUMNS)  # fmt: skip


@dataclass
class CommBReadings:
    """Comm-B register readings and the counts of replies left out."""

    time_s: Any
    icao24: Any
    df: Any
    bds: Any  # "40" / "50" / "60"
    altitude_baro_ft: Any
    values: dict[str, Any]
    replies: int  # DF20/21 replies read
    ambiguous: int  # several registers fit: left out
    unconfirmed: int  # address never confirmed by DF11/17/18: left out

    def __len__(self) -> int:
        return len(self.time_s)

    def __repr__(self) -> str:
        return (
            f"<CommBReadings: {len(self):,} of {self.replies:,} Comm-B replies "
            f"({self.ambiguous:,} ambiguous, {self.unconfirmed:,} unconfirmed addresses)>"
        )

    def to_arrow(self) -> Any:
        import pyarrow as pa

        from flyvakt.model.batches import icao_hex

        cols: dict[str, Any] = {
            "time": pa.array(
                np.round(self.time_s * 1e6).astype("int64"), pa.timestamp("us", "UTC")
            ),
            "icao24": pa.array([icao_hex(int(a)) for a in self.icao24], pa.string()),
            "df": pa.array(self.df, pa.int8()),
            "bds": pa.array(self.bds, pa.string()),
        }
        for name in COMM_B_COLUMNS[4:]:
            v = self.altitude_baro_ft if name == "altitude_baro_ft" else self.values[name]
            cols[name] = pa.array(v, pa.float64(), mask=np.isnan(v))
        return pa.table(cols)

    def to_pandas(self) -> Any:
        from flyvakt.api import _need

        _need("pandas", "to_pandas")
        return self.to_arrow().to_pandas()


def comm_b(
    paths: Any,
    format: str | None = None,
    start_time: Any = None,
    *,
    confirmed_only: bool = True,
    batch_size: int = 65536,
) -> CommBReadings:
    """Comm-B readings of recordings (same inputs as :func:`flyvakt.read`), in time order."""
    from flyvakt.api import _paths, to_epoch_s
    from flyvakt.decode.adsb import me_field
    from flyvakt.decode.commb import decode_commb
    from flyvakt.decode.core import decode_indexed
    from flyvakt.model.batches import FrameBatch
    from flyvakt.runtime.replay import merged_batches, open_readers

    readers = open_readers(_paths(paths), fmt=format, batch_size=batch_size,
                           start_time_s=to_epoch_s(start_time))  # fmt: skip
    parts: list[tuple[Any, ...]] = []
    checked: set[int] = set()
    replies = ambiguous = 0
    for batch in merged_batches(readers):
        if not isinstance(batch, FrameBatch):
            continue  # decoded inputs (SBS, state vectors) carry no Comm-B
        obs, _stats, keep = decode_indexed(batch)
        checked.update(np.unique(obs.icao24[obs.address_checked]).tolist())
        rows = np.flatnonzero((obs.df == 20) | (obs.df == 21))
        if not rows.size:
            continue
        replies += rows.size
        c = decode_commb(me_field(batch.payload[keep[rows]]))
        one = c.unambiguous()
        ambiguous += int(np.count_nonzero(~one & (c.bds40 | c.bds50 | c.bds60)))
        parts.append(_rows(obs, rows[one], c, one))
    table = _concat(parts)
    keep_rows = np.isin(table[1], np.fromiter(checked, np.uint32, len(checked)))
    if not confirmed_only:
        keep_rows[:] = True
    unconfirmed = int(np.count_nonzero(~keep_rows))
    order = np.argsort(table[0][keep_rows], kind="stable")
    t, a, d, b, alt = (x[keep_rows][order] for x in table[:5])
    values = {k: v[keep_rows][order] for k, v in table[5].items()}
    return CommBReadings(t, a, d, b, alt, values, replies, ambiguous, unconfirmed)


def _rows(obs: Any, rows: Any, c: CommB, one: Any) -> tuple[Any, ...]:
    bds = np.where(c.bds40[one], "40", np.where(c.bds50[one], "50", "60")).astype(object)
    values = {name: getattr(c, name)[one] for name in COMMB_COLUMNS}
    return (obs.time_s[rows], obs.icao24[rows], obs.df[rows], bds,
            obs.altitude_baro_ft[rows], values)  # fmt: skip


def _concat(parts: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    if not parts:
        empty = np.zeros(0)
        return (empty, np.zeros(0, np.uint32), np.zeros(0, np.int8), np.zeros(0, object),
                empty, {k: empty for k in COMMB_COLUMNS})  # fmt: skip
    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    values = {k: np.concatenate([p[5][k] for p in parts]) for k in COMMB_COLUMNS}
    return (*cols, values)


def _us(time_s: Any) -> Any:
    return np.round(time_s * 1e6).astype("int64")
