"""State vectors as JSON lines: one record object per line -> ObservationBatch."""

from __future__ import annotations

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources._common import Batch
from flyvakt.sources.lines import BadLine, LineParser, json_lines
from flyvakt.sources.statevec import records_to_obs


class JsonlRecordParser(LineParser):
    """One JSON object per line with state-vector keys (see statevec.py for names and units)."""

    default_name = "<jsonl>"

    def empty(self) -> Batch:
        return ObservationBatch.empty(0)

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        records, bad, first_good = json_lines(
            lines,
            first_lineno,
            lambda obj: isinstance(obj, dict),
            "jsonl_bad_line",
            "a JSON object",
        )
        return records_to_obs(records, self.stats, receiver=self._receiver), bad, first_good
