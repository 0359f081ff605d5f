"""The replay progress bar: %, rate and ETA from the input files' sizes (tqdm).

Shown only on a terminal (stderr a TTY) and not with ``--quiet``: logs and pipes get the plain
summary lines. Progress is measured in on-disk bytes (compressed bytes for .gz files), so the
ETA holds for compressed and plain inputs alike; standard input has no size, so the bar then
shows the rate and counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tqdm import tqdm

# Why 0.5 s: often enough to look alive, rarely enough to cost nothing next to decoding.
REFRESH_S = 0.5
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]{postfix}"


class SizedReader(Protocol):
    def bytes_total(self) -> int | None: ...

    def bytes_done(self) -> int: ...


class ReplayProgress:
    """A byte-based bar over several readers; ``update`` is cheap (tqdm rate-limits drawing)."""

    def __init__(self, readers: Sequence[SizedReader], file: IO[str], *, enabled: bool) -> None:
        self.readers = list(readers)
        sizes = [r.bytes_total() for r in self.readers]
        total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
        self.bar: tqdm[Any] | None = None
        if enabled:
            from tqdm import tqdm  # only for a bar shown: 0.05-0.09 s of start-up otherwise

            self.bar = tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                mininterval=REFRESH_S,
                file=file,
                dynamic_ncols=True,
                leave=False,
                bar_format=BAR_FORMAT if total else None,
            )

    def update(self, frames: int, aircraft: int, events: int) -> None:
        if self.bar is None:
            return
        done = sum(r.bytes_done() for r in self.readers)
        self.bar.set_postfix_str(f"{frames:,} frames, {aircraft:,} aircraft, {events} events",
                                 refresh=False)  # fmt: skip
        self.bar.update(max(0, done - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def wanted(quiet: bool, stream: IO[str]) -> bool:
    """A bar only for a person watching: not --quiet, and the stream is a terminal."""
    return not quiet and stream.isatty()
